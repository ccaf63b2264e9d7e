"""Pilot tests of the Blockers & Decisions log in the app (issue 6): the `b`
panel, adding (`a`), resolving (`r`), editing (`enter`) and filtering (`o`)
entries, the refusals of the entry dialog, the open-blocker count in the
header, the blocker mark in the tree, and one snapshot of the open panel.

Every expected file is the original bytes with exactly the new or changed
bytes put in. "Today" comes from the app's clock (a fixed FakeClock), read
through time.localtime as the app does, so the tests do not depend on the day
they run. Edits run on a worker thread: the tests poll with a timeout.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import pytest
from textual.widgets import Input, RadioButton

from support import TEMPLATE, record_timers, stop_timers
from tasktui.ui.widgets.log_panel import LogPanel
from support import byte_diff, copy_sample, replace_once, row_text, wait_file, wait_for
from support import running as app_running

T0 = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))  # 09:00 local time
TODAY = "2026-03-16"
assert time.strftime("%Y-%m-%d", time.localtime(T0)) == TODAY

LAST_ENTRY = ("**2026-01-09** - Decision: Security and billing categories are mandatory and hidden from the "
              "toggle list (agreed with Dana and legal)\n").encode()
FIRST_OPEN = "**Add domain events** for:"  # where the cursor starts in the template sample (the first phase work)
FIRST_LINK = "Add domain events for:"  # how a new log entry names it: its text without markdown


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def running(path: Path, size=(98, 36), **kwargs):
    """test_app's app context with a fixed clock, at 98 columns unless told."""
    return app_running(path, size=size, clock=FakeClock(), **kwargs)


def screen_name(app) -> str:
    return app.screen.__class__.__name__


def header(app) -> str:
    return app.main.header.content.plain


def panel(app) -> LogPanel:
    return app.query_one(LogPanel)


def panel_rows(app) -> list[list[str]]:
    """The table's rows as [date, kind, text, task, status] (it shows Status before Text)."""
    table = panel(app).table
    rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    return [[date, kind, text, task, status] for date, kind, status, text, task in rows]


def panel_title(app) -> str:
    return str(app.query_one("#log-title").content)


async def open_panel(app, pilot) -> None:
    await pilot.press("b")
    await wait_for(pilot, lambda: bool(app.query(LogPanel)) and panel(app).display and panel(app).doc is not None,
                   what="the log panel")
    assert app.focused is panel(app).table


async def open_entry_dialog(app, pilot) -> None:
    await pilot.press("a")
    await wait_for(pilot, lambda: screen_name(app) == "LogEntryDialog" and bool(app.screen.query("#text")),
                   what="the entry dialog")
    await wait_for(pilot, lambda: app.focused is app.screen.query_one("#text", Input), what="the text box to have focus")


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#{name}", Input)


def pane_text(pane) -> str:
    """The detail pane's text as drawn, at its width."""
    from rich.console import Console

    console = Console(width=pane.content_region.width, record=True, color_system=None)
    console.print(pane.query_one("#detail-text").render()._renderable)
    return console.export_text()


def clip(text: str, width: int) -> str:
    """How the panel shortens a long text (to the width it has for it)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def entry(kind: str, text: str, task: str | None = None, date: str = TODAY) -> bytes:
    return (f"**{date}** - {kind}: {text}" + (f" (task {task})" if task else "")).encode()


# ---------------------------------------------------------------------- adding
async def test_add_blocker_on_the_template_sample(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, size=(120, 40)) as (app, pilot, notes):
        assert "⚑ 0 open blockers" in header(app), "the header always shows the count"
        start = app.main.tree.cursor_task
        assert start.text == FIRST_OPEN
        assert "⚑" not in row_text(app.main.tree, app.main.tree.cursor)
        await open_panel(app, pilot)
        assert [(r[0], r[1], r[4]) for r in panel_rows(app)] == [
            ("2026-01-05", "Blocker", "resolved"), ("2026-01-06", "Decision", ""), ("2026-01-09", "Decision", "")]
        assert panel_rows(app)[0][2] == clip("Staging PostgreSQL is still on 15.8, migration 0042 uses "
                                             "`NULLS NOT DISTINCT` → platform team upgraded staging to 16.4",
                                             panel(app).text_width)
        assert panel_title(app) == "Blockers & Decisions — 3 shown, 0 open blockers"
        await open_entry_dialog(app, pilot)
        # the highlighted task is linked; the date defaults to today by the app's clock
        assert field(app, "task").value == FIRST_LINK
        assert field(app, "date").value == TODAY
        assert app.screen.query_one("#blocker", RadioButton).value is True
        field(app, "text").value = "Waiting for legal sign-off"
        await pilot.press("enter")
        # appended after the last entry, in the same style, with the task linked
        new = entry("Blocker", "Waiting for legal sign-off", FIRST_LINK)
        await wait_file(pilot, path, replace_once(original, LAST_ENTRY, LAST_ENTRY + new + b"\n"))
        await wait_for(pilot, lambda: "⚑ 1 open blocker" in header(app), what="the header's open-blocker count")
        assert "⚑ 1 open blockers" not in header(app)
        assert panel_title(app) == "Blockers & Decisions — 4 shown, 1 open blocker"
        assert panel_rows(app)[-1] == [TODAY, "Blocker", "Waiting for legal sign-off",
                                       clip(FIRST_LINK, panel(app).task_width), "open"]
        # the linked task carries the blocker mark, and its detail pane lists the entry (the pane
        # shows the task once the tree has focus again: while the log has it, the log's entry)
        assert app.main.tree.blocked == {start.index}
        app.main.tree.focus()
        await wait_for(pilot, lambda: "⚑" in row_text(app.main.tree, app.main.tree.cursor), what="the ⚑ on the task's row")
        app.main.tree.action_cursor_down()  # the next task is not linked
        assert "⚑" not in row_text(app.main.tree, app.main.tree.cursor)
        app.main.tree.action_cursor_up()

        def detail_lists_entry() -> bool:
            return f"- {TODAY} Blocker: Waiting for legal sign-off (open)" in app.query_one("#detail").source

        await wait_for(pilot, detail_lists_entry, what="the detail pane to list the entry")


async def test_first_entry_replaces_the_placeholders_of_the_raw_template(tmp_path):
    if not TEMPLATE.is_file():
        pytest.skip(f"the template {TEMPLATE} is missing (it lives in ../shared/seed)")
    path = tmp_path / "tasks.md"
    shutil.copyfile(TEMPLATE, path)
    original = path.read_bytes()
    placeholders = b"**[DATE]** - [Decision/Blocker]: [Description and resolution]\n" * 2
    async with running(path) as (app, pilot, notes):
        assert "⚑ 0 open blockers" in header(app)
        await open_panel(app, pilot)
        assert panel_rows(app) == [], "placeholders are not entries"
        assert panel_title(app).endswith("a adds an entry")
        await open_entry_dialog(app, pilot)
        field(app, "task").value = ""
        field(app, "text").value = "Staging database not provisioned yet"
        await pilot.press("enter")
        new = entry("Blocker", "Staging database not provisioned yet")
        expected = replace_once(original, placeholders, new + b"\n")
        # the edit layer's sync also states the true status (no task done: Not Started) on the
        # template's Completion Status lines, in the file's own mojibake emoji form
        for phase in range(1, 6):
            expected = replace_once(
                expected, f"**Phase {phase}**: â¬œ Not Started | ðŸŸ¡ In Progress | âœ… Complete  \n".encode(),
                f"**Phase {phase}**: â¬œ Not Started  \n".encode())
        await wait_file(pilot, path, expected)
        await wait_for(pilot, lambda: "⚑ 1 open blocker" in header(app), what="the header count")
        assert panel_rows(app) == [[TODAY, "Blocker", "Staging database not provisioned yet", "", "open"]]


async def test_first_entry_in_a_file_without_the_section_creates_it(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        assert panel_rows(app) == []
        await open_entry_dialog(app, pilot)
        field(app, "task").value = ""
        field(app, "text").value = "No spare drive caddy for bay 3"
        await pilot.press("enter")
        expected = original + b"\n## Blockers & Decisions Log\n\n" \
            + entry("Blocker", "No spare drive caddy for bay 3") + b"\n"
        await wait_file(pilot, path, expected)
        await wait_for(pilot, lambda: "⚑ 1 open blocker" in header(app), what="the header count")
        assert panel_rows(app) == [[TODAY, "Blocker", "No spare drive caddy for bay 3", "", "open"]]


async def test_blocker_linked_to_a_task_with_parentheses_marks_the_task(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    task = "Replace the failing disk in the NAS (WD Red, bay 3)"
    async with running(path) as (app, pilot, notes):
        assert app.main.tree.cursor_task.text == task
        await open_panel(app, pilot)
        await open_entry_dialog(app, pilot)
        assert field(app, "task").value == task
        field(app, "text").value = "No spare drive caddy"
        await pilot.press("enter")
        expected = original + b"\n## Blockers & Decisions Log\n\n" \
            + entry("Blocker", "No spare drive caddy", task) + b"\n"
        await wait_file(pilot, path, expected)
        await wait_for(pilot, lambda: "⚑ 1 open blocker" in header(app), what="the header count")
        logged = app.main.tree.doc.log[-1]
        assert (logged.text, logged.task) == ("No spare drive caddy", task)
        assert app.main.tree.blocked == {app.main.tree.cursor_task.index}


TEMPLATE_PHASES = b"# Sprint 12\n\n## Phase 1: Build\n\n- [ ] Ship the exporter\n\n## Phase 2: Launch\n\n- [ ] Announce it\n\n"
PROGRESS_ONLY = {
    # the template keeps its log where the seed template has it: the last part of Progress Tracking
    "at-end": (TEMPLATE_PHASES + b"## Progress Tracking\n\nReviewed on Fridays.\n", None, b"###"),
    "then-notes": (TEMPLATE_PHASES + b"## Progress Tracking\n\nReviewed on Fridays.\n\n## Notes\n\nNothing yet.\n",
                   b"## Notes\n", b"###"),
    # any other file: at the end of the file, whatever its headings say
    "not-a-template": (b"# Sprint 12\n\n## Tasks\n\n- [ ] Ship the exporter\n\n## Progress Tracking\n\n"
                       b"Reviewed on Fridays.\n\n## Notes\n\nNothing yet.\n", None, b"##"),
}


@pytest.mark.parametrize("case", sorted(PROGRESS_ONLY))
async def test_first_entry_under_an_existing_progress_tracking_heading(tmp_path, case):
    content, before, level = PROGRESS_ONLY[case]
    path = tmp_path / "tasks.md"
    path.write_bytes(content)
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        await open_entry_dialog(app, pilot)
        field(app, "task").value = ""
        await pilot.click("#decision")
        assert app.screen.query_one("#decision", RadioButton).value is True
        field(app, "text").focus()
        field(app, "text").value = "Ship on Fridays"
        await pilot.press("enter")
        block = level + b" Blockers & Decisions Log\n\n" + entry("Decision", "Ship on Fridays")
        if before is None:  # the log heading goes at the end of the file
            expected = content + b"\n" + block + b"\n"
        else:  # the log goes at the end of Progress Tracking, before the next section
            expected = replace_once(content, before, block + b"\n\n" + before)
        await wait_for(pilot, lambda: b"Ship on Fridays" in path.read_bytes(), what="the entry to be written")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == expected, byte_diff(expected, path.read_bytes())
        await wait_for(pilot, lambda: bool(panel_rows(app)), what="the panel to show the entry")
        assert panel_rows(app) == [[TODAY, "Decision", "Ship on Fridays", "", ""]]
        assert "⚑ 0 open blockers" in header(app), "a decision is not a blocker"


# -------------------------------------------------------- refusals in the dialog
async def test_entry_dialog_refuses_empty_text_and_unreal_dates(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        await open_entry_dialog(app, pilot)
        error = app.screen.query_one("#error")
        await pilot.press(*"   ", "enter")
        await wait_for(pilot, lambda: str(error.content) == "Say what the blocker or decision is.", what="the empty-text error")
        assert screen_name(app) == "LogEntryDialog"
        field(app, "text").value = "Vendor contract unsigned"
        date = field(app, "date")
        date.value = "2026-02-30"
        date.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: str(error.content) == f"“2026-02-30” is not a real date: use YYYY-MM-DD, e.g. {TODAY}.",
                       what="the date error")
        assert screen_name(app) == "LogEntryDialog"
        assert app.focused is date, "the cursor goes to the field to fix"
        date.value = "16/03/2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "“16/03/2026” is not a real date" in str(error.content), what="the second date error")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", what="Esc to close the dialog")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == original
        assert app.tasks_file.undo_stack == [], "nothing was edited"


# ------------------------------------------------------------- resolve and edit
OPEN_BLOCKER = b"**2026-01-12** - Blocker: Push certificates for iOS not issued yet\n"


def with_open_blocker(tmp_path) -> tuple[Path, bytes]:
    path = copy_sample(tmp_path, "template-project.md")
    path.write_bytes(replace_once(path.read_bytes(), LAST_ENTRY, LAST_ENTRY + OPEN_BLOCKER))
    return path, path.read_bytes()


async def test_o_shows_only_open_blockers_and_r_resolves_one(tmp_path):
    path, original = with_open_blocker(tmp_path)
    async with running(path) as (app, pilot, notes):
        assert "⚑ 1 open blocker" in header(app)
        await open_panel(app, pilot)
        assert len(panel_rows(app)) == 4
        # r on a decision is refused
        await pilot.press("down")
        assert panel_rows(app)[panel(app).table.cursor_row][1] == "Decision"
        await pilot.press("r")
        await wait_for(pilot, lambda: any("Only an open blocker can be resolved" in m for m, _, _ in notes),
                       what="the refusal")
        assert screen_name(app) == "MainScreen"
        await pilot.press("o")
        assert panel_rows(app) == [["2026-01-12", "Blocker", "Push certificates for iOS not issued yet", "", "open"]]
        assert panel_title(app) == "Blockers & Decisions — 1 shown, 1 open blocker (only open: o shows all)"
        await pilot.press("r")
        await wait_for(pilot, lambda: screen_name(app) == "PromptScreen", what="the resolution prompt")
        await pilot.press("enter")  # no text: refused in the prompt
        await wait_for(pilot, lambda: "Say how the blocker was resolved" in str(app.screen.query_one("#prompt-error").content),
                       what="the empty-resolution error")
        app.screen.query_one("#prompt-input", Input).value = "Apple account transferred to the company"
        await pilot.press("enter")
        resolved = OPEN_BLOCKER[:-1] + f" — Resolved {TODAY}: Apple account transferred to the company\n".encode()
        await wait_file(pilot, path, replace_once(original, OPEN_BLOCKER, resolved))
        await wait_for(pilot, lambda: "⚑ 0 open blockers" in header(app), what="the header count to drop")
        assert panel_rows(app) == [], "only open blockers are shown, and none is left"
        await pilot.press("o")
        rows = panel_rows(app)
        assert len(rows) == 4 and rows[-1][-1] == "resolved"
        assert rows[-1][2] == clip("Push certificates for iOS not issued yet → Apple account transferred to the company",
                                   panel(app).text_width)


async def test_j_and_k_move_in_the_log_and_r_resolves_the_entry_they_reach(tmp_path):
    path, original = with_open_blocker(tmp_path)
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        table = panel(app).table
        await pilot.press("j", "j", "j", "k", "j")
        assert table.cursor_row == 3 and panel_rows(app)[3][1:3] == ["Blocker", "Push certificates for iOS not issued yet"]
        assert app.main.tree.cursor_task.text == FIRST_OPEN  # the tree's cursor stayed where it was
        await pilot.press("r")
        await wait_for(pilot, lambda: screen_name(app) == "PromptScreen", what="the resolution prompt")
        app.screen.query_one("#prompt-input", Input).value = "issued"
        await pilot.press("enter")
        resolved = OPEN_BLOCKER[:-1] + f" — Resolved {TODAY}: issued\n".encode()
        await wait_file(pilot, path, replace_once(original, OPEN_BLOCKER, resolved))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_detail_pane_shows_the_whole_entry_while_the_log_has_focus(tmp_path, size):
    long_text = ("Staging PostgreSQL is still on 15.8, migration 0042 uses `NULLS NOT DISTINCT` and the platform "
                 "team needs a ticket [x] with $(markup) and [bold]brackets[/bold] before they can upgrade it")
    path = copy_sample(tmp_path, "template-project.md")
    path.write_bytes(replace_once(path.read_bytes(), LAST_ENTRY, LAST_ENTRY + entry("Blocker", long_text, "1.2") + b"\n"))
    async with running(path, size=size) as (app, pilot, notes):
        pane = app.query_one("#detail")
        assert pane.display == (size[0] >= 100)
        await open_panel(app, pilot)
        await pilot.press("j", "j", "j")
        assert panel_rows(app)[3][2].endswith("…"), "the table cuts it"
        await wait_for(pilot, lambda: pane.display and long_text in pane.source, what="the whole entry in the pane")
        assert "**Blocker** (open)" in pane.source and "**Task**: 1.2" in pane.source
        shown = " ".join(pane_text(pane).split())
        assert long_text.replace("`", "") in shown  # file text, shown as written (markdown's code spans aside)
        await pilot.press("b")  # the log goes: the pane shows the task again (and goes again below 100 columns)
        await wait_for(pilot, lambda: app.focused is app.main.tree, what="the tree to have focus")
        await wait_for(pilot, lambda: pane.display == (size[0] >= 100), what="the pane as it was")
        if pane.display:
            await wait_for(pilot, lambda: FIRST_OPEN in pane.source, what="the task in the pane")


async def test_enter_edits_the_text_of_the_highlighted_entry(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        await pilot.press("down", "down")
        assert panel_rows(app)[2][2].startswith("Security and billing categories")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "PromptScreen", timeout=0.6, what="the entry-text prompt")
        box = app.screen.query_one("#prompt-input", Input)
        assert box.value == ("Security and billing categories are mandatory and hidden from the toggle list "
                             "(agreed with Dana and legal)")
        box.value = "Security and billing categories are mandatory (agreed with Dana)"
        await pilot.press("enter")
        await wait_file(pilot, path, replace_once(
            original, LAST_ENTRY, b"**2026-01-09** - Decision: Security and billing categories are mandatory (agreed with Dana)\n"))


async def test_edit_action_keeps_the_link_and_the_resolution(tmp_path):
    """The panel's edit action (what enter should run) changes only the entry's text."""
    path = copy_sample(tmp_path, "template-project.md")
    line = OPEN_BLOCKER[:-1] + f" (task {FIRST_OPEN}) — Resolved 2026-01-14: done\n".encode()
    path.write_bytes(replace_once(path.read_bytes(), LAST_ENTRY, LAST_ENTRY + line))
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await open_panel(app, pilot)
        await pilot.press("down", "down", "down")
        assert panel_rows(app)[-1][2] == clip("Push certificates for iOS not issued yet → done", panel(app).text_width)
        assert panel_rows(app)[-1][3] == clip(FIRST_LINK, panel(app).task_width)  # an older entry names it as written
        panel(app).action_edit()
        await wait_for(pilot, lambda: screen_name(app) == "PromptScreen", what="the entry-text prompt")
        box = app.screen.query_one("#prompt-input", Input)
        assert box.value == "Push certificates for iOS not issued yet"
        await pilot.press("enter")  # unchanged text: nothing to write
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", what="the prompt to close")
        panel(app).action_edit()
        await wait_for(pilot, lambda: screen_name(app) == "PromptScreen", what="the entry-text prompt")
        box = app.screen.query_one("#prompt-input", Input)
        box.value = ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: "An entry needs some text" in str(app.screen.query_one("#prompt-error").content),
                       what="the empty-text error")
        box.value = "APNs key"
        await pilot.press("enter")
        await wait_file(pilot, path, replace_once(
            original, line, f"**2026-01-12** - Blocker: APNs key (task {FIRST_OPEN}) — Resolved 2026-01-14: done\n".encode()))
        assert app.tasks_file.undo_stack and len(app.tasks_file.undo_stack) == 1, "one edit: the unchanged text wrote nothing"


# -------------------------------------------------------------------- snapshot
_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_log_panel_app", Path(__file__).parent / "snapshot_apps" / "log_panel_app.py")
log_panel_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(log_panel_app)


def test_log_panel_snapshot(snap_compare, tmp_path):
    """The open panel on the template sample, 120x36: deterministic by a fixed file name and clock,
    config and state in the conftest's temporary folders, and the app's timers stopped first.
    Update with ``pytest tests/test_log.py -k snapshot --snapshot-update`` and look at the SVG."""
    app = log_panel_app.make_app(tmp_path)
    record_timers(app)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await wait_for(pilot, lambda: app.session.watcher is not None and app.session.watcher.ready.is_set(), what="the watcher")
        app.clear_notifications()  # the start-up repair offer: gone now, not by its timer (see test_small_screen)
        first = app.main.tree.cursor_task
        # Home then n brings the cursor back to the first open task and scrolls the tree to it
        # (the start-up scroll workaround of test_snapshots.py)
        await pilot.press("home", "n")
        assert app.main.tree.cursor_task == first

        def detail_shown() -> bool:
            return f"**Line**: {first.line + 1}" in app.query_one("#detail").source

        await wait_for(pilot, detail_shown, what="the detail pane to show the task")
        await open_panel(app, pilot)
        assert len(panel_rows(app)) == 3
        await pilot.press("down")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        stop_timers(app)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


# ------------------------------------------------------------- the log's own place
SPECKIT_PHASES = b"""# Tasks: Task viewer

## Phase 4: User Story 2 - Filters

- [x] T060 [US2] Filter by state
- [ ] T061 [US2] Filter by text

## Phase 5: User Story 3 - Progress Tracking in TUI

- [ ] T068 [US3] Header with the progress bar
- [ ] T069 [US3] Per-section bars

## Phase 6: Polish

- [ ] T080 Docs
"""


def test_a_new_log_goes_after_the_phases_not_into_one_named_like_it(tmp_path, capsys):
    from support import run

    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT_PHASES)
    code, out, err = run(capsys, "log", path, "Waiting for DBA", "--task", "T068", "--date", "2026-03-16")
    assert code == 0, err
    assert path.read_bytes() == SPECKIT_PHASES + (
        b"\n## Blockers & Decisions Log\n\n**2026-03-16** - Blocker: Waiting for DBA (task T068)\n")


@pytest.mark.parametrize("heading, is_log", [
    ("Blockers & Decisions Log", True), ("Decisions", True), ("Blockers", True), ("Decision Log", True),
    ("Log", True), ("Login", False), ("Catalog", False), ("Backlog", False), ("Change Log", False), ("Phase 2: Audit log", False), ("Key Decisions", False),
])
def test_the_log_is_found_by_its_own_heading(heading, is_log):
    from tasktui.doc import Document

    doc = Document(f"# P\n\n## Work\n\n- [ ] a\n\n## {heading}\n\n**2026-03-16** - Blocker: stuck\n".encode())
    assert bool(doc.log) is is_log


def test_no_entry_goes_under_a_heading_of_work_named_like_the_log(tmp_path, capsys):
    from support import run

    data = b"# TODO\n\n## Tools\n - [ ] Upgrade script\n\n## Logs\n - [ ] Add server or file to RPZ logs\n"
    path = tmp_path / "TODO.md"
    path.write_bytes(data)
    assert run(capsys, "log", path, "Waiting for the RPZ feed", "--date", "2026-03-16")[0] == 0
    assert path.read_bytes() == data + (
        b"\n## Blockers & Decisions Log\n\n**2026-03-16** - Blocker: Waiting for the RPZ feed\n")


async def test_the_detail_pane_is_filled_while_the_log_panel_is_still_being_mounted(tmp_path):
    """The detail pane's timer can fire between the log panel's mount and its compose
    (a loaded machine): the pane asks the focused widget, never the panel's table that
    is not there yet (this raised NoMatches and ended the app)."""
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        main = app.main
        mounting = main.mount(LogPanel(id="log"), after=main.query_one("#main"))  # attached, not composed
        assert main.query(LogPanel) and not main.query("#log-table")
        main.update_detail()
        await mounting
        await pilot.press("b")  # the panel's own key: hidden, and shown again with focus
        await pilot.press("b")
        await wait_for(pilot, lambda: main.focused is main.query_one(LogPanel).table, what="the log's focus")
    assert path.read_bytes() == original
