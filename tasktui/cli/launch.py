"""Starting the app from the command line: a file, a folder or no file (the
overview of the tasks files below it), or the demo."""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from tasktui.storage import config, private, store
from tasktui.doc.safetext import visible


def run(path: Path, *, read_only: bool = False, sync: bool | None = None, dialect: str | None = None) -> int:
    try:
        store.read(path)  # a clear error before the screen is taken over
    except store.StoreError as exc:
        print(f"tasktui: {visible(str(exc))}", file=sys.stderr)
        return 1
    loaded = config.read()
    from tasktui.ui.app import TaskTuiApp

    app = TaskTuiApp(path, settings=loaded.config, read_only=read_only, sync=sync, dialect=dialect,
                     notices=[loaded.problem] if loaded.problem else [])
    app.run()
    return app.return_code or 0


def run_workspace(root: Path, files: list[Path], *, read_only: bool = False, sync: bool | None = None) -> int:
    """The overview of ``files`` (tasks files below ``root``); Enter opens one."""
    loaded = config.read()
    from tasktui.ui.app import TaskTuiApp

    app = TaskTuiApp(workspace=root, files=files, settings=loaded.config, read_only=read_only, sync=sync,
                     notices=[loaded.problem] if loaded.problem else [])
    app.run()
    return app.return_code or 0


def open_app(args) -> int:
    path = Path(args.file)
    read_only, sync = getattr(args, "read_only", False), False if getattr(args, "no_sync", False) else None
    if path.is_dir():
        return open_folder(path, read_only=read_only, sync=sync)
    return run(path, read_only=read_only, sync=sync, dialect=getattr(args, "dialect", None))


def open_folder(root: Path, *, read_only: bool = False, sync: bool | None = None, bare: bool = False) -> int:
    """The overview of the tasks files below ``root`` (a bare ``tasktui`` with just one
    of them opens it). Not on a terminal: their paths, one a line."""
    from tasktui.core.workspace import find_tasks_files

    files = find_tasks_files(root)
    if not files:
        if bare:
            print("tasktui: no tasks.md here. Open a file with `tasktui FILE`, start one with `tasktui new tasks.md`, "
                  "or try `tasktui --demo`.", file=sys.stderr)
        else:
            print(f"tasktui: no tasks files below {visible(str(root))} (tasks.md, TODO.md, plans with tasks, "
                  "a few folders down).", file=sys.stderr)
        return 1
    if not sys.stdout.isatty():
        here = root.resolve()
        for f in files:
            print(visible(str(f.relative_to(here))))
        return 0
    if bare and len(files) == 1:
        return run(files[0], read_only=read_only, sync=sync)
    return run_workspace(root, files, read_only=read_only, sync=sync)


@contextmanager
def demo_copy() -> Iterator[Path]:
    """A scratch copy of the bundled sample, for as long as the demo runs (the
    bundled file is never written): ``demo/tasks.md`` in tasktui's state folder,
    reset to the sample on each run, so that demos leave one folder behind, not
    one each. The demo holds that folder's lock while it runs; a demo started
    meanwhile gets a fresh temporary folder of its own, removed when it ends."""
    sample = Path(__file__).parent.parent / "data" / "demo.md"
    with ExitStack() as held:
        folder = private.private_folder(config.state_dir(), "demo")  # tasktui's own: the one folder rule
        try:
            if folder is None:
                raise OSError("no private demo folder")
            held.enter_context(store.locked(folder, timeout=0))
        except (store.StoreError, OSError):  # another demo has it (or it cannot be had)
            folder = Path(held.enter_context(tempfile.TemporaryDirectory(prefix="tasktui-demo-")))
        target = folder / "tasks.md"
        shutil.copyfile(sample, target)
        yield target


def open_default(argv: list[str]) -> int:
    read_only = "--read-only" in argv
    sync = False if "--no-sync" in argv else None
    if "--demo" in argv:
        with demo_copy() as path:
            print(f"tasktui: demo file at {path}", file=sys.stderr)
            return run(path, read_only=read_only, sync=sync)
    candidate = Path("tasks.md")
    if candidate.is_file():
        return run(candidate, read_only=read_only, sync=sync)
    return open_folder(Path.cwd(), read_only=read_only, sync=sync, bare=True)
