"""What the first frame costs: the modules a new process imports to show a file.

Each test starts a real process that imports the app and opens a file headless
(80x24: the detail pane hidden, as on a small terminal), records ``sys.modules``
when the frame with the whole file is painted, and quits. tasktui's modules and the
third-party packages it imported must be within the lists below: a module added to
the first frame is a decision (about 1 ms to 30 ms of every start), made here.
Everything else (the edit planners, markdown for the detail pane, the dialogs, the
history, the overview, the MCP server, ``fmt``) is imported when first used, or on a
thread once the first frame is up (``MainScreen.warm_up``)."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

generate = runpy.run_path(str(REPO / "benchmarks" / "generate.py"))["generate"]

FIRST_FRAME_TASKTUI = {
    "tasktui", "tasktui.cli", "tasktui.cli.commands", "tasktui.cli.launch",
    "tasktui.core", "tasktui.core.actions", "tasktui.core.editthread", "tasktui.core.gcpause", "tasktui.core.loader",
    "tasktui.core.opener",
    "tasktui.core.outline", "tasktui.core.pool", "tasktui.core.report", "tasktui.core.session", "tasktui.core.tasksfile",
    "tasktui.doc", "tasktui.doc.cycles", "tasktui.doc.dependencies", "tasktui.doc.dependency_refs",
    "tasktui.doc.dialect", "tasktui.doc.durations", "tasktui.doc.edits", "tasktui.doc.edits.base",
    "tasktui.doc.edits.sync", "tasktui.doc.headings", "tasktui.doc.kept", "tasktui.doc.legend", "tasktui.doc.links",
    "tasktui.doc.model", "tasktui.doc.plaintext",
    "tasktui.doc.parse", "tasktui.doc.patch", "tasktui.doc.query", "tasktui.doc.ready", "tasktui.doc.refs",
    "tasktui.doc.repair", "tasktui.doc.rollup", "tasktui.doc.safetext", "tasktui.doc.source", "tasktui.doc.states",
    "tasktui.doc.written",
    "tasktui.storage", "tasktui.storage.cache", "tasktui.storage.config", "tasktui.storage.private",
    "tasktui.storage.store", "tasktui.storage.timer", "tasktui.storage.watch",
    "tasktui.ui", "tasktui.ui.app", "tasktui.ui.screens", "tasktui.ui.screens.main", "tasktui.ui.widgets",
    "tasktui.ui.widgets.contrast", "tasktui.ui.widgets.detail_pane", "tasktui.ui.widgets.find_bar",
    "tasktui.ui.widgets.footer", "tasktui.ui.widgets.log_panel",
    "tasktui.ui.widgets.plain", "tasktui.ui.widgets.row_cursor", "tasktui.ui.widgets.status_header",
    "tasktui.ui.widgets.task_tree",
}
"""tasktui's modules in the first frame of a file opened again (its kept document found)."""

FIRST_FRAME_THIRD_PARTY = {"textual", "rich", "platformdirs", "watchfiles", "anyio", "idna", "sniffio",
                           "typing_extensions", "pygments", "markdown_it", "mdurl", "linkify_it", "uc_micro"}
"""Third-party packages that may be in any first frame (Textual's own imports among them:
it imports markdown-it for its Markdown widget's module whether a screen uses it or not)."""

NEVER_IN_THE_FIRST_FRAME = ("tasktui.doc.edits.ops", "tasktui.doc.edits.tasks", "tasktui.doc.edits.move",
                            "tasktui.core.history", "tasktui.core.workspace", "tasktui.core.fmt", "tasktui.mcp",
                            "tasktui.ui.screens.dialogs", "tasktui.ui.screens.workspace", "tasktui.ui.screens.history",
                            "tasktui.ui.commands",
                            "rich.markdown", "mdformat", "mdit_py_plugins", "tomlkit", "tomllib", "mcp")

PROBE = r"""
import json, sys, asyncio
from pathlib import Path
import tasktui.ui.app
from tasktui.ui.app import TaskTuiApp

found = {}

class Probe(TaskTuiApp):
    WARM_UP = False  # what the first frame needs, not what is warmed after it
    CSS_PATH = str(Path(tasktui.ui.app.__file__).parent / TaskTuiApp.CSS_PATH)

    def _show_loaded(self, *args, **kwargs):
        super()._show_loaded(*args, **kwargs)

        def painted():
            found["modules"] = sorted(sys.modules)
            self.exit()

        self.call_after_refresh(painted)

async def main():
    app = Probe(Path(sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3000):
            if "modules" in found:
                break
            await pilot.pause(0.01)

asyncio.run(main())
print(json.dumps(found["modules"]))
"""


def first_frame_modules(path: Path, env: dict) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TASKTUI_CONFIG": str(tmp_path / "config.toml"),
            "TASKTUI_STATE_DIR": str(tmp_path / "state"), "TERM": "xterm-256color"}


def _tasktui(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "tasktui" or m.startswith("tasktui.")}


def _third_party(modules: set[str]) -> set[str]:
    """Top-level packages installed beside tasktui (not the standard library's)."""
    site = {Path(p).resolve() for p in sys.path if p.endswith("site-packages")}
    tops = {m.split(".")[0] for m in modules if not m.startswith("_")} - {"tasktui"}
    out = set()
    for top in tops:
        module = sys.modules.get(top)
        if module is None:
            try:
                module = __import__(top)
            except ImportError:
                continue
        where = getattr(module, "__file__", None)
        if where and any(s in Path(where).resolve().parents for s in site):
            out.add(top)
    return out


PARSER = {"mdit_py_plugins"}
"""What parsing adds (markdown-it's plugins): in the first frame of a file parsed for it."""


def check(modules: set[str], parsed: bool = False) -> None:
    extra = _tasktui(modules) - FIRST_FRAME_TASKTUI
    assert not extra, f"new in the first frame: {sorted(extra)}"
    third = _third_party(modules) - FIRST_FRAME_THIRD_PARTY - (PARSER if parsed else set())
    assert not third, f"new third-party packages in the first frame: {sorted(third)}"
    never = [m for m in NEVER_IN_THE_FIRST_FRAME if not (parsed and m in PARSER)]
    present = [m for m in never if any(x == m or x.startswith(m + ".") for x in modules)]
    assert not present, f"waits until used, yet imported: {present}"


def test_a_file_opened_again_imports_only_the_first_frame(tmp_path, env):
    path = tmp_path / "tasks.md"
    path.write_text(generate("template", 100), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tasktui", "status", str(path)], env=env, capture_output=True, check=True)
    modules = first_frame_modules(path, env)
    check(modules)
    assert "tasktui.doc.kept" in modules and not any(m.startswith("markdown_it.rules_block") for m in modules), \
        "opened from its kept document: markdown-it's parser is never loaded"


def test_a_big_file_opened_first_imports_only_the_first_frame(tmp_path, env):
    path = tmp_path / "tasks.md"
    path.write_text(generate("speckit", 2000), encoding="utf-8")
    check(first_frame_modules(path, env), parsed=True)


def test_the_list_holds_no_module_that_is_gone():
    """Every module the list allows exists (a renamed module is taken off the list)."""
    import importlib.util

    for name in FIRST_FRAME_TASKTUI:
        assert importlib.util.find_spec(name) is not None, name
