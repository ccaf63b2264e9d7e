"""Starting the app from the command line: a file, no file (find one), or the demo."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tasktui import config, store
from tasktui.safetext import visible


def run(path: Path, *, read_only: bool = False, sync: bool | None = None, dialect: str | None = None) -> int:
    try:
        store.read(path)  # a clear error before the screen is taken over
    except store.StoreError as exc:
        print(f"tasktui: {visible(str(exc))}", file=sys.stderr)
        return 1
    loaded = config.read()
    from tasktui.app import TaskTuiApp

    app = TaskTuiApp(path, settings=loaded.config, read_only=read_only, sync=sync, dialect=dialect,
                     notices=[loaded.problem] if loaded.problem else [])
    app.run()
    return app.return_code or 0


def open_app(args) -> int:
    return run(Path(args.file), read_only=getattr(args, "read_only", False),
               sync=False if getattr(args, "no_sync", False) else None, dialect=getattr(args, "dialect", None))


def demo_copy() -> Path:
    """A scratch copy of the bundled sample (the bundled file is never written)."""
    here = Path(__file__).parent / "data" / "demo.md"
    target = Path(tempfile.mkdtemp(prefix="tasktui-demo-")) / "tasks.md"
    shutil.copyfile(here, target)
    return target


def open_default(argv: list[str]) -> int:
    read_only = "--read-only" in argv
    sync = False if "--no-sync" in argv else None
    if "--demo" in argv:
        path = demo_copy()
        print(f"tasktui: demo file at {path}", file=sys.stderr)
        return run(path, read_only=read_only, sync=sync)
    candidate = Path("tasks.md")
    if candidate.is_file():
        return run(candidate, read_only=read_only, sync=sync)
    from tasktui.screens.picker import find_tasks_files

    root = Path.cwd()
    files = find_tasks_files(root)
    if files:
        if not sys.stdout.isatty():
            for f in files:
                print(visible(str(f.relative_to(root))))
            return 0
        from tasktui.screens.picker import PickerApp

        chosen = PickerApp(root, files).run()
        return run(chosen, read_only=read_only, sync=sync) if chosen is not None else 0
    print(
        "tasktui: no tasks.md here. Open a file with `tasktui FILE`, start one with `tasktui new tasks.md`, "
        "or try `tasktui --demo`.",
        file=sys.stderr,
    )
    return 1
