"""Snapshot tests (pytest-textual-snapshot) of the main screen for the template,
spec-kit and Kiro samples at 80x24 and 160x48, and of the workspace overview
(five files of every dialect, a fixed clock and fixed times of last change)
at 80x24 and 160x48.

Deterministic by construction: each sample is copied under its own fixed name
(the header shows the name only), config and state live in the conftest's
temporary folders (default theme), nothing has focus that blinks (the tree has
focus; the filter box is hidden), and the screenshot is taken only once the
file is loaded, the watcher is running and the detail pane shows the task
under the cursor.

Update with ``pytest tests/test_snapshots.py --snapshot-update`` after a
deliberate change of the screen, and look at the SVGs before committing.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from support import record_timers, stop_timers
from tasktui.doc.model import Task

_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_sample_app", Path(__file__).parent / "snapshot_apps" / "sample_app.py"
)
sample_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample_app)
_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_workspace_app", Path(__file__).parent / "snapshot_apps" / "workspace_app.py"
)
workspace_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workspace_app)

SAMPLES = ["template-project.md", "speckit-feature.md", "kiro-spec.md"]
SIZES = [(80, 24), (160, 48)]


async def wait_for(pilot, predicate, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def detail_source(app) -> str:
    return app.query_one("#detail").source


async def wait_until_shown(pilot) -> Task:
    """Wait for the loaded screen; return the task the cursor started on."""
    app = pilot.app
    await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, "the file to load")
    await wait_for(pilot, lambda: app.session.watcher is not None and app.session.watcher.ready.is_set(), "the watcher")
    app.clear_notifications()  # the start-up repair offer: gone now, not by its timer (see test_small_screen)
    first = app.main.tree.cursor_task
    pane = app.query_one("#detail").display
    if pane:
        await wait_for(pilot, lambda: bool(detail_source(app)), "the detail pane's text")
    if pane:
        await wait_for(pilot, lambda: f"**Line**: {first.line + 1}" in detail_source(app), "the detail pane to show the task")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    # stop the app's timers (detail pane, clock tick) so that none fires while the
    # screenshot's app shuts down
    stop_timers(app)
    return first


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", SAMPLES, ids=[n.removesuffix(".md") for n in SAMPLES])
def test_main_screen(snap_compare, tmp_path, name, size):
    app = sample_app.make_app(name, tmp_path)
    record_timers(app)
    seen = []

    async def run_before(pilot) -> None:
        seen.append(await wait_until_shown(pilot))

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    cursor = seen[0]
    from tasktui.doc.ready import Readiness

    first_ready = Readiness(app.tasks_file.doc, app.tasks_file.rollup).first_ready()
    assert cursor == first_ready, "the screenshot shows the cursor on the first task that can start (not an end gate)"


_marks_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_marks_app", Path(__file__).parent / "snapshot_apps" / "marks_app.py"
)
marks_app = importlib.util.module_from_spec(_marks_spec)
_marks_spec.loader.exec_module(marks_app)


def test_marked_rows_80x24(snap_compare, tmp_path):
    """Three tasks marked (up to the done task above the first open one, v, then shift+down
    twice) on the spec-kit sample at 80x24, the cursor moved off them: the marked rows
    highlighted (a done mark, ids and markers readable on them) and "3 marked" in the header."""
    app = marks_app.make_app(tmp_path)
    record_timers(app)
    original = (tmp_path / marks_app.NAME).read_bytes()
    seen = []

    async def run_before(pilot) -> None:
        first = await wait_until_shown(pilot)
        await pilot.press("up", "v", "shift+down", "shift+down", "down")
        await wait_for(pilot, lambda: "3 marked" in app.main.header.content.plain, "the header's count")
        await pilot.pause()
        stop_timers(app)
        seen.append((first, sorted(app.main.tree.marked), app.main.tree.cursor_task))

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    first, marked, cursor = seen[0]
    tasks = app.tasks_file.doc.tasks
    assert marked == [first.index - 1, first.index, first.index + 1] and tasks[first.index - 1].mark in "xX"
    assert cursor == tasks[first.index + 2] and cursor.index not in marked
    assert (tmp_path / marks_app.NAME).read_bytes() == original  # marking writes nothing


FIXED_NOW = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))


def test_filtered_tree_with_done_hidden_at_80x24(snap_compare, tmp_path):
    """The spec-kit sample filtered by marker and word with done tasks hidden: what was
    found drawn in the rows, the count beside the box, the header's word about both."""
    app = sample_app.make_app("speckit-feature.md", tmp_path, clock=lambda: FIXED_NOW)
    record_timers(app)
    query = "[US2] invitation"
    shown = []

    async def run_before(pilot) -> None:
        await wait_until_shown(pilot)
        await pilot.press("d", "slash")
        app.screen.query_one("#filter").value = query
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.tree.text_filter == query and app.focused is app.main.tree, "the filter")
        await wait_for(pilot, lambda: "filter: [US2] invitation · done hidden" in str(app.main.header.render()),
                       "the header's word about the filter")
        app.clear_notifications()  # "Done tasks hidden." would cover the count
        await pilot.pause()
        stop_timers(app)
        shown.extend(app.main.tree.doc.tasks[r.index].id for r in app.main.tree.rows if r.kind == "task")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    assert shown == ["T018", "T020", "T021", "T022"]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_workspace_overview(snap_compare, tmp_path, size):
    app = workspace_app.make_app(tmp_path)
    record_timers(app)
    seen = []

    async def run_before(pilot) -> None:
        table = app.overview.table
        await wait_for(pilot, lambda: bool(table.rows) and all(r.parsed for r in table.rows), "every file to be read")
        await wait_for(pilot, lambda: app.overview.watcher is not None and app.overview.watcher.ready.is_set(),
                       "the folder watcher")
        await pilot.press("down", "down", "down")  # specs/001-team-invitations: its details below
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        seen.append(table.cursor_summary)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    assert seen[0].where == "specs/001-team-invitations" and seen[0].next.id == "T014"
