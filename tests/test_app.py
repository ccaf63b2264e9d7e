"""Pilot tests of the Textual app: keys pressed on temporary copies of the
sample files, and the exact bytes of the file afterwards.

Every expected file is computed from the original bytes by replacing the
specific bytes the edit should touch, so that an edit that writes one byte
too many (or rewrites the file) fails.  The app loads in a thread worker and
applies edits on a worker thread: the tests poll (``wait_for``) with a
timeout, they never sleep and hope.
"""

from __future__ import annotations

import re
import time

import pytest

from support import (copy_sample, differing_bytes, edits_queued, hold_lock, mark_at, replace_once, row_text, running,
                     wait_file, wait_for)
from tasktui.core.outline import HEADING, TASK



# ----------------------------------------------------------------------- helpers
# ----------------------------------------------------------------------- toggle
FIRST_OPEN = [
    ("template-project.md", b"- [ ] **Add domain events** for:", b"x"),  # its Definition of Done waits for the phases
    ("speckit-feature.md", b"- [ ] T014 [US1] Implement InvitationService.create", b"X"),
    ("kiro-spec.md", b"  - [ ] 3.2 Implement soft delete", b"x"),  # Kiro: 3 waits for its open subtask 3.2
    ("plain-todo.md", b"- [ ] Replace the failing disk in the NAS", b"x"),
]


def done_count(app) -> tuple[int, int]:
    done, total = re.search(r"(\d+)/(\d+) ", app.main.header.content.plain).groups()
    return int(done), int(total)


@pytest.mark.parametrize("name,line,done", FIRST_OPEN, ids=[f[0] for f in FIRST_OPEN])
async def test_space_toggles_first_open_task_one_byte_and_back(tmp_path, name, line, done):
    path = copy_sample(tmp_path, name)
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        task = tree.cursor_task
        assert task is not None, "the cursor should start on a task"
        assert task.line == original[:original.index(line)].count(b"\n"), "the cursor should start on the first open task"
        rows, cursor, (done_before, total) = tree.rows, tree.cursor, done_count(app)
        assert f"[{task.mark}]" in row_text(tree, cursor)
        await pilot.press("space")
        toggled = mark_at(original, line, done)
        await wait_file(pilot, path, toggled)
        assert len(differing_bytes(original, path.read_bytes())) == 1
        # the screen updates in place: same rows, same cursor, the row shows the new mark
        await wait_for(pilot, lambda: f"[{done.decode()}]" in row_text(tree, tree.cursor), what="the row to show the new mark")
        assert tree.rows is rows and tree.cursor == cursor
        assert tree.cursor_task.mark == done.decode()
        assert done_count(app) == (done_before + 1, total)
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, line, b" "))
        if line.startswith(b"- [ ]"):
            assert path.read_bytes() == original, "toggling twice should restore the file exactly"
        assert tree.cursor == cursor


@pytest.mark.xdist_group("timing")
async def test_space_while_another_process_holds_the_lock_waits_off_the_ui(tmp_path):
    """Every edit is written on the edit thread: while another tasktui holds the
    file's lock the screen keeps answering keys, and the toggle lands, one byte,
    once the lock is released. Keys pressed meanwhile queue behind it, in order."""
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    line = b"- [ ] Replace the failing disk in the NAS"
    async with running(path) as (app, pilot, notes):
        holder = hold_lock(path)
        try:
            cursor = app.main.tree.cursor
            await pilot.press("space")
            await wait_for(pilot, app.edit_thread.pending, what="the edit to wait on the edit thread")
            await pilot.press("j")  # answered while the edit waits
            assert app.main.tree.cursor == cursor + 1
            await pilot.press("k", "space")  # queued behind the first: toggles back, after it
            await wait_for(pilot, lambda: edits_queued(app) == 2, what="the second toggle to queue behind the first")
            assert path.read_bytes() == original, "nothing is written while the lock is held"
        finally:
            holder.stdin.close()
            holder.wait(5)
        await wait_for(pilot, lambda: not app.edit_thread.pending(), what="the queued edits")
        # both toggles were written, in order: done, then open again
        assert [u.summary[-10:] for u in app.tasks_file.undo_stack] == ["[ ] -> [x]", "[x] -> [ ]"]
        assert path.read_bytes() == original
        assert [n for n in notes if n[2] == "error"] == []
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, line, b"x"))


# ----------------------------------------------------------------- state marks
@pytest.mark.parametrize("name,line", [
    ("speckit-feature.md", b"- [ ] T014 [US1]"),
    ("plain-todo.md", b"- [ ] Replace the failing disk"),
])
async def test_p_in_progress_then_c_cancelled(tmp_path, name, line):
    path = copy_sample(tmp_path, name)
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await pilot.press("p")
        await wait_file(pilot, path, mark_at(original, line, b"/"))
        await pilot.press("c")
        await wait_file(pilot, path, mark_at(original, line, b"-"))
        assert app.main.tree.cursor_task.state == "cancelled"


async def test_kiro_p_writes_dash_and_c_is_refused(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")
    original = path.read_bytes()
    line = b"  - [ ] 3.2 Implement soft delete"
    async with running(path) as (app, pilot, notes):
        assert app.main.tree.cursor_task.text.startswith("3.2 ")  # 3 is in progress and waits for its subtask 3.2
        await pilot.press("p")
        in_progress = mark_at(original, line, b"-")
        await wait_file(pilot, path, in_progress)
        await pilot.press("c")
        await wait_for(pilot, lambda: any("cancel" in m.lower() for m, _, s in notes if s == "error"),
                       what="the no-cancelled-mark error")
        assert path.read_bytes() == in_progress, "Kiro has no cancelled mark: nothing may be written"


@pytest.mark.xdist_group("timing")
async def test_no_edit_touches_the_file_on_the_ui_thread(tmp_path, monkeypatch):
    """Every edit, from a key or a dialog, undo and redo, a timer's booking: the lock,
    the lease, the writer scan, the write and its fsyncs all run on the edit thread,
    never on the event loop's thread (every function of tasktui.storage.store is
    watched while the keys are pressed, but ``resolve``: a path's real name, how the
    timer tells which file it runs on, which is no edit's I/O)."""
    import inspect
    import threading

    from tasktui.storage import store

    path = copy_sample(tmp_path, "template-project.md")
    ui = threading.get_ident()
    entered: list[tuple[str, int]] = []
    async with running(path) as (app, pilot, notes):
        for name, fn in list(vars(store).items()):
            if inspect.isfunction(fn) and fn.__module__ == store.__name__ and name != "resolve":
                def spy(*args, _fn=fn, _name=name, **kwargs):
                    entered.append((_name, threading.get_ident()))
                    return _fn(*args, **kwargs)

                monkeypatch.setattr(store, name, spy)
        original = path.read_bytes()
        await pilot.press("space", "p", "c", "space", "K", "J", "u", "ctrl+r", "delete")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press(*"New", "enter")
        await wait_for(pilot, lambda: app.screen is app.main, what="the prompt to close")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the text prompt")
        await pilot.press(*"New again", "enter")  # the prompt starts with its text selected
        await wait_for(pilot, lambda: app.screen is app.main, what="the prompt to close")
        await wait_for(pilot, lambda: "New again" in app.main.tree.cursor_task.text, what="the cursor on the new task")
        await pilot.press("s")
        app.session.clock = lambda: time.time() + 120  # the timer ran two minutes
        await pilot.press("s")
        await wait_for(pilot, lambda: not app.edit_thread.pending(), timeout=10, what="the edits")
        assert b"New again" in path.read_bytes() and b"**Actual Time**: 2 minutes" in path.read_bytes()
        assert path.read_bytes() != original
    written = {name for name, thread in entered}
    assert {"locked", "quiet", "atomic_write"} <= written, written
    on_ui = sorted({name for name, thread in entered if thread == ui})
    assert on_ui == [], f"store entered on the UI thread during edits: {on_ui}"
    assert [n for n in notes if n[2] == "error"] == []


# ------------------------------------------------------------ add/change/delete
async def test_a_adds_task_after(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    t014 = re.search(rb"- \[ \] T014 [^\n]*\n", original).group(0)
    top = max(int(n) for n in re.findall(rb"\bT(\d{3})\b", original))
    async with running(path) as (app, pilot, notes):
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press(*"Docs", "enter")
        expected = replace_once(original, t014, t014 + f"- [ ] T{top + 1:03d} Docs\n".encode())
        await wait_file(pilot, path, expected)
        await wait_for(pilot, lambda: app.main.tree.cursor_task is not None
                       and app.main.tree.cursor_task.text == f"T{top + 1:03d} Docs",
                       what="the cursor on the new task")


async def test_A_adds_subtask_under(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")
    original = path.read_bytes()
    last_child = (b"  - [ ]* 3.3 Write unit tests for storage layer\n"
                  b"    - Test `changed_since` ordering across concurrent writes\n"
                  b"    - Test tombstone purge keeps unpushed deletes\n"
                  b"    - _Requirements: 3.1, 3.2, 3.3_\n")
    async with running(path) as (app, pilot, notes):
        app.main.tree.move_to_task(app.main.tree.cursor_task.parent)
        await pilot.pause()
        assert app.main.tree.cursor_task.text.startswith("3. Implement local storage layer")
        await pilot.press("A")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press(*"Bench", "enter")
        # a child of task 3 right after 3.3's block, indented like 3.1-3.3, numbered 3.4,
        # set apart by a blank line as they are
        await wait_file(pilot, path, replace_once(original, last_child, last_child + b"\n  - [ ] 3.4 Bench\n"))
        doc = app.tasks_file.doc
        new = next(t for t in doc.tasks if t.text == "3.4 Bench")
        assert doc.tasks[new.parent].text.startswith("3. Implement local storage layer")


async def test_r_changes_text(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    old = b"- [ ] T014 [US1] Implement InvitationService.create in src/services/invitation_service.py (depends on T006, T012)\n"
    async with running(path) as (app, pilot, notes):
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press("end", *" (v2)", "enter")
        await wait_file(pilot, path, replace_once(original, old, old[:-1] + b" (v2)\n"))


async def test_delete_then_undo_then_redo_exact_bytes(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    t015 = b"- [ ] T015 [US1] Implement POST /api/v1/teams/{team_id}/invitations in src/api/invitations.py\n"
    deleted = replace_once(original, t015, b"")
    async with running(path) as (app, pilot, notes):
        await pilot.press("j")
        assert app.main.tree.cursor_task.text.startswith("T015 ")
        await pilot.press("delete")
        await wait_file(pilot, path, deleted)
        assert not any(t.text.startswith("T015 ") for t in app.main.tree.doc.tasks)
        await pilot.press("u")
        await wait_file(pilot, path, original)
        assert any(t.text.startswith("T015 ") for t in app.main.tree.doc.tasks)
        await pilot.press("ctrl+r")
        await wait_file(pilot, path, deleted)


async def test_undo_redo_of_toggles(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    first = b"- [ ] Replace the failing disk"
    second = b"  - [ ] Resilver and check"
    async with running(path) as (app, pilot, notes):
        await pilot.press("space")
        one = mark_at(original, first, b"x")
        await wait_file(pilot, path, one)
        await pilot.press("n")  # the open child below
        assert app.main.tree.cursor_task.text.startswith("Resilver")
        await pilot.press("space")
        two = mark_at(one, second, b"x")
        await wait_file(pilot, path, two)
        await pilot.press("u")
        await wait_file(pilot, path, one)
        await pilot.press("u")
        await wait_file(pilot, path, original)
        await pilot.press("u")
        await wait_for(pilot, lambda: any("Nothing to undo" in m for m, _, _ in notes), what="'Nothing to undo'")
        assert path.read_bytes() == original
        await pilot.press("ctrl+r")
        await wait_file(pilot, path, one)
        await pilot.press("ctrl+r")
        await wait_file(pilot, path, two)


# ------------------------------------------------------------ filter, hide done
async def test_filter_then_toggle_the_filtered_task(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await pilot.press("slash", *"T016", "enter")
        await wait_for(pilot, lambda: tree.text_filter == "T016", what="the filter to apply")
        shown = [app.main.tree.doc.tasks[r.index].text[:4] for r in tree.rows if r.kind == TASK]
        assert shown == ["T016"], shown
        assert all(r.kind == HEADING for r in tree.rows if not (r.kind == TASK))
        while tree.cursor_task is None:
            before = tree.cursor
            await pilot.press("down")
            assert tree.cursor != before, "could not reach the filtered task"
        assert tree.cursor_task.text.startswith("T016")
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, b"- [ ] T016 ", b"X"))
        assert tree.text_filter == "T016", "the filter survives the edit"
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree.text_filter == "", what="Esc to clear the filter")
        assert tree.cursor_task.text.startswith("T016"), "the cursor stays on the task when the filter clears"


async def test_d_hides_done_tasks(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        doc = tree.doc
        rows_all = len(tree.rows)
        await pilot.press("d")
        leaves_done = [r for r in tree.rows if r.kind == TASK and doc.tasks[r.index].state == "done" and not r.has_children]
        assert leaves_done == []
        assert len(tree.rows) < rows_all
        assert tree.cursor_task.text.startswith("T014")
        await pilot.press("k")  # T013 is done and hidden: the row above is the section
        assert tree.cursor_task is None and tree.cursor_row.kind == HEADING
        assert tree.outline.headings[tree.cursor_row.index].text == "Implementation for User Story 1"
        await pilot.press("j", "j")
        assert tree.cursor_task.text.startswith("T015")
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, b"- [ ] T015 ", b"X"))
        await pilot.press("d")
        assert tree.hide_done is False
        # T015 is done now: shown again with every other done task
        assert len(tree.rows) == rows_all
        assert tree.cursor_task.text.startswith("T015")


async def test_n_and_N_jump_between_the_tasks_that_can_start_now(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        assert tree.cursor_task.id == "T014"
        # T015-T017 wait for T014; Phase 4 waits only for Phase 2: its [P] tasks and its first task can start
        for expected in ("T018", "T019", "T020", "T022", "T024", "T025", "T027"):
            await pilot.press("n")
            assert tree.cursor_task.id == expected
        await pilot.press("n")
        await wait_for(pilot, lambda: any("No more tasks that can start now below" in m for m, _, _ in notes),
                       what="the notice")
        assert tree.cursor_task.id == "T027"
        await pilot.press("home", "n")
        assert tree.cursor_task.id == "T014"
        await pilot.press("N")
        assert tree.cursor_task.id == "T014", "nothing above can start"
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, b"- [ ] T014 ", b"X"))
        await pilot.press("n")
        assert tree.cursor_task.id == "T015", "T014 is done: T015 can start"


async def test_kiro_n_goes_to_the_subtask_a_parent_waits_for(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        # Kiro: 3 is in progress with an open subtask, so 3.2 comes first; 3.3 is optional; 4.1 waits for 3
        assert tree.cursor_task.text.startswith("3.2 ")
        await pilot.press("n")
        await wait_for(pilot, lambda: any("No more tasks that can start now below" in m for m, _, _ in notes),
                       what="the notice")
        assert tree.cursor_task.text.startswith("3.2 ")
        await pilot.press("space")
        await wait_file(pilot, path, mark_at(original, b"  - [ ] 3.2 Implement soft delete", b"x"))
        while tree.cursor_task is None or tree.cursor_task.id != "4.1":
            await pilot.press("j")
        await wait_for(pilot, lambda: "**Waiting**: waits for 3, the open task before it" in app.query_one("#detail").source,
                       what="the detail pane to say what 4.1 waits for")
        assert "[ ] 4.1" in row_text(tree, tree.cursor)


# ---------------------------------------------------------- template progress sync
# The last row of the template is Phase 4's last task (End goes there in one key).
ROLLOUT_BLOCK = (
    "- [ ] **Production rollout**\n"
    "  - Migration during the Tuesday maintenance window\n"
    "  - Flag to 10% â†’ 50% â†’ 100% over three days, watching 5xx rate\n"
    "  - **Estimated Time**: 90 minutes\n"
    "\n"  # blank lines on both sides: one goes with the task
).encode()


def phase_value(data: bytes, phase: int) -> bytes:
    m = re.search(rb"\*\*Phase %d\*\*: (.*?)[ \t]*\n" % phase, data)
    return m.group(1)


async def go_to_last_task(pilot, app) -> None:
    await pilot.press("end")
    assert app.main.tree.cursor_task is not None and app.main.tree.cursor_task.text == "**Production rollout**"


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "no-sync"])
async def test_template_edits_sync_progress_lines(tmp_path, sync):
    """A toggle updates Completion Status, a delete the Time Tracking total; --no-sync leaves both."""
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, sync=sync) as (app, pilot, notes):
        await go_to_last_task(pilot, app)
        await pilot.press("space")
        expected = mark_at(original, b"- [ ] **Production rollout**", b"x")
        if sync:
            # Phase 4 goes from Not Started to In Progress, in the file's own (mojibake) emoji form
            not_started = b"**Phase 4**: " + phase_value(original, 4)
            assert b"Not Started" in not_started
            expected = replace_once(expected, not_started, b"**Phase 4**: " + phase_value(original, 2))
        await wait_file(pilot, path, expected)
        if not sync:
            assert len(differing_bytes(original, path.read_bytes())) == 1
        await pilot.press("u")
        await wait_file(pilot, path, original)
        await pilot.press("delete")
        expected = replace_once(original, ROLLOUT_BLOCK, b"")
        if sync:  # 61.5 hours estimated in all, minus the deleted task's 90 minutes
            expected = replace_once(expected, b"**Estimated Total**: 61.5 hours", b"**Estimated Total**: 60 hours")
        await wait_file(pilot, path, expected)


# -------------------------------------------------------------- read-only files
async def test_read_only_file_opens_read_only_and_writes_nothing(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    path.chmod(0o444)
    try:
        async with running(path) as (app, pilot, notes):
            header = app.main.header.content.plain
            assert "READ-ONLY" in header and "read-only" in header.split("READ-ONLY", 1)[1], header
            await pilot.press("space", "p", "delete", "u")
            await wait_for(pilot, lambda: sum("nothing was written" in m for m, _, _ in notes) >= 3,
                           what="the read-only warnings")
            await pilot.press("a")
            assert app.screen.__class__.__name__ != "PromptScreen", "no add dialog on a read-only file"
            await app.workers.wait_for_complete()
            assert path.read_bytes() == original
            assert app.main.tree.doc.tasks[app.main.tree.cursor_task.index].mark == " "
    finally:
        path.chmod(0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "no temp file may be left behind"


async def test_read_only_flag_writes_nothing(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    async with running(path, read_only=True) as (app, pilot, notes):
        assert "READ-ONLY: read-only mode" in app.main.header.content.plain
        await pilot.press("space")
        await wait_for(pilot, lambda: any("nothing was written" in m for m, _, _ in notes), what="the warning")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == original


async def test_file_with_nul_bytes_is_read_only(tmp_path):
    path = tmp_path / "tasks.md"
    original = b"# Tasks\n\n- [ ] first task\n- [ ] second \x00 task\n- [x] done task\n"
    path.write_bytes(original)
    async with running(path) as (app, pilot, notes):
        header = app.main.header.content.plain
        assert "READ-ONLY" in header and "NUL" in header, header
        assert app.main.tree.cursor_task.text == "first task"
        await pilot.press("space")
        await wait_for(pilot, lambda: any("nothing was written" in m for m, _, _ in notes), what="the warning")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == original


# ------------------------------------------------------------------ no tasks
@pytest.mark.parametrize("content,says", [
    (b"", "is empty"),
    (b"Just some notes, no tasks here.\n\nAnother paragraph.\n", "has no headings and no tasks"),
    (b"# Plan\n\n## Phase 1\n\nNothing yet.\n", "has no tasks yet"),
], ids=["empty", "no-headings", "no-tasks"])
async def test_file_without_tasks_says_so(tmp_path, content, says):
    path = tmp_path / "tasks.md"
    path.write_bytes(content)
    async with running(path) as (app, pilot, notes):
        empty = app.query_one("#empty")
        assert empty.display is True
        assert says in str(empty.content), str(empty.content)
        assert "tasks.md" in str(empty.content)
        await pilot.press("space", "n", "d")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == content


async def test_add_first_task_to_empty_file(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# Plan\n")
    async with running(path) as (app, pilot, notes):
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press(*"First", "enter")
        await wait_for(pilot, lambda: path.read_bytes() != b"# Plan\n", what="the task to be written")
        assert path.read_bytes() == b"# Plan\n\n- [ ] First\n"
        await wait_for(pilot, lambda: app.query_one("#empty").display is False, what="the empty message to go")


# ------------------------------------------------------------------ detail pane
async def test_detail_pane_shows_first_task(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    async with running(path) as (app, pilot, notes):
        assert app.query_one("#detail").display, "at 120 columns the detail pane is shown"

        def shown() -> bool:
            return "T014" in app.query_one("#detail").source

        await wait_for(pilot, shown, what="the detail pane to show T014")


async def test_detail_pane_follows_the_cursor(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    async with running(path) as (app, pilot, notes):
        await wait_for(pilot, lambda: bool(app.query_one("#detail").source), what="the detail pane to show something")
        await pilot.press("j")
        assert app.main.tree.cursor_task.id == "T015"

        def shows(ident: str):
            def check() -> bool:
                return f"**Id**: `{ident}`" in app.query_one("#detail").source
            return check

        await wait_for(pilot, shows("T015"), timeout=3, what="the detail pane to show T015")
        await pilot.press("k")
        await wait_for(pilot, shows("T014"), timeout=3, what="the detail pane to show T014")


async def test_the_cursor_stays_in_view_when_the_tree_is_resized(tmp_path):
    """The start puts the cursor on the first open task, in the middle of the tree;
    when the tree's size changes afterwards (its first real layout can come after
    the file is shown), the cursor is placed again for the new size."""
    path = copy_sample(tmp_path, "template-project.md")
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        tree = app.main.tree
        await pilot.pause()
        assert tree.scroll_offset.y <= tree.cursor < tree.scroll_offset.y + tree.size.height
        await pilot.resize_terminal(80, 10)
        await wait_for(pilot, lambda: tree.size.height < 10 and tree.scroll_offset.y <= tree.cursor
                       < tree.scroll_offset.y + tree.size.height, what="the cursor in view in the short tree")
        await pilot.resize_terminal(80, 40)
        await wait_for(pilot, lambda: tree.size.height > 10 and tree.scroll_offset.y == 0,
                       what="a tall tree to show its top again")


# ------------------------------------------------------------ keys in order, conflicts, quitting
ROW = b"# Plan\n\n## One\n\n- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d\n\n## Two\n\n- [ ] T002 Add config loader\n"


def task_named(app, text: str):
    return next(t for t in app.main.tree.doc.tasks if t.text == text)


async def test_keys_pressed_at_once_each_act_on_the_result_of_the_one_before(tmp_path):
    """K K K, space space, and marks then delete, pressed without waiting for the
    writes: each is planned on the result of the one before, and all of them land."""
    path = tmp_path / "tasks.md"
    path.write_bytes(ROW)
    async with running(path) as (app, pilot, notes):
        assert app.main.tree.move_to_task(task_named(app, "d").index)
        await pilot.press("K", "K", "K")
        moved = ROW.replace(b"- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d\n", b"- [ ] d\n- [ ] a\n- [ ] b\n- [ ] c\n")
        await wait_file(pilot, path, moved)
        await wait_for(pilot, lambda: app.main.tree.cursor_task.text == "d", what="the cursor to follow the task")
        await pilot.press("space", "space", "space", "p", "p", "p")
        await wait_file(pilot, path, moved.replace(b"[ ] d", b"[/] d"))
        await pilot.press("j", "v", "j", "v", "space", "delete")  # a and b marked: ticked, then deleted
        await wait_file(pilot, path, ROW.replace(b"- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d\n", b"- [/] d\n- [ ] c\n"))
        await wait_for(pilot, lambda: not app.edit_thread.pending(), what="the edits")
        assert [n for n in notes if n[2] == "error"] == []
        summaries = [u.summary for u in app.tasks_file.undo_stack]
        assert len(summaries) == 11 and summaries[-2:] == ["undid: 2 task(s) -> [x]: L6, L7",
                                                           "undid: deleted 2 task(s): L6, L7"]


async def test_r_never_writes_over_a_text_another_program_changed(tmp_path):
    """The text edit began from "T002 Add config loader"; another program renamed the
    task meanwhile: Enter writes nothing and shows both texts; keep theirs, use
    mine or edit again."""
    from tasktui.ui.screens.text_conflict import TextConflictScreen

    path = tmp_path / "tasks.md"
    path.write_bytes(ROW)
    theirs = ROW.replace(b"Add config loader", b"Add config loader (env + file)")

    async def edit_meanwhile(typed: str) -> None:
        path.write_bytes(ROW)
        await wait_for(pilot, lambda: app.main.tree.doc.source.data == ROW, what="the file as it began")
        assert app.main.tree.move_to_task(task_named(app, "T002 Add config loader").index)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the text prompt")
        other = tmp_path / "tasks.md.new"
        other.write_bytes(theirs)
        other.replace(path)  # another program saves: a temp file renamed over it
        await pilot.press(*typed, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextConflictScreen), what="the question")

    async with running(path, notifications=True) as (app, pilot, notes):
        await edit_meanwhile("Load the config")
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "T002 Add config loader (env + file)" in shown and "Load the config" in shown
        assert path.read_bytes() == theirs, "nothing is written before the answer"
        await pilot.press("k")
        await wait_for(pilot, lambda: app.screen is app.main, what="the question to close")
        assert path.read_bytes() == theirs
        await edit_meanwhile("Load the config")
        await pilot.press("m")
        await wait_file(pilot, path, ROW.replace(b"Add config loader", b"Load the config"))
        await edit_meanwhile("Load the config")
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt again")
        await pilot.press(*"Load config from env and file", "enter")
        await wait_file(pilot, path, ROW.replace(b"Add config loader", b"Load config from env and file"))
        assert [n for n in notes if n[2] == "error"] == []


async def test_quitting_waits_for_the_edits_still_queued(tmp_path):
    """q with an edit still waiting (another tasktui holds the lock): after a second a
    notice says so, and the app quits once the edit is written, never dropping it."""
    import asyncio

    from support import record_notifications
    from tasktui.ui.app import TaskTuiApp

    path = tmp_path / "tasks.md"
    path.write_bytes(ROW)
    app = TaskTuiApp(path)
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and not app.edit_thread.pending(), what="the load")
        holder = hold_lock(path)
        try:
            await pilot.press("space")
            await wait_for(pilot, app.edit_thread.pending, what="the edit to wait")
            await pilot.press("q")
            await wait_for(pilot, lambda: any("Writing 1 edit before quitting" in m for m, _, _ in notes),
                           what="the notice")
            assert app.is_running and path.read_bytes() == ROW
        finally:
            holder.stdin.close()
            holder.wait(5)
        deadline = time.monotonic() + 10
        while app.is_running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not app.is_running
    assert path.read_bytes() == ROW.replace(b"- [ ] a", b"- [x] a")


async def test_an_edit_waiting_for_another_writer_says_so_then_lands(tmp_path):
    """Another program has the file open for writing: the edit waits on the edit
    thread, the header says why, and the mark lands once that program closes it."""
    path = tmp_path / "tasks.md"
    path.write_bytes(ROW)
    async with running(path) as (app, pilot, notes):
        writer = open(path, "r+b")  # noqa: SIM115 - held open across the keys, as an editor saving in pieces
        try:
            await pilot.press("space")
            await wait_for(pilot, lambda: "waiting for another program to finish writing" in app.main.header.content.plain,
                           what="the header to say why")
            assert path.read_bytes() == ROW
        finally:
            writer.close()
        await wait_file(pilot, path, ROW.replace(b"- [ ] a", b"- [x] a"))


async def test_the_text_conflict_question_shows_hostile_texts_as_text(tmp_path):
    """Both texts in the question are file text (theirs) and typed text (yours): shown
    exactly, never as markup, control characters as their pictures."""
    from support import assert_no_control_output, hostile_bytes, screen_text
    from tasktui.ui.screens.text_conflict import TextConflictScreen

    evil = "QZXJ [b]bold[/b] [@click=app.quit]x[/] \x1b]0;PWNED\x07 \u202eevil\u202c \udcff"
    path = tmp_path / "tasks.md"
    path.write_bytes(ROW)
    async with running(path) as (app, pilot, notes):
        assert app.main.tree.move_to_task(task_named(app, "T002 Add config loader").index)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the text prompt")
        path.write_bytes(ROW.replace(b"Add config loader", hostile_bytes(evil)))
        await pilot.press(*"[red]mine[/red]", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextConflictScreen), what="the question")
        await pilot.pause()
        shown = screen_text(app)
        assert "T002 QZXJ [b]bold[/b] [@click=app.quit]x[/] ␛]0;PWNED␇ ⟨RLO⟩evil⟨PDF⟩ �" in shown, shown
        assert "[red]mine[/red]" in shown
        assert_no_control_output(shown)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the question to close")
        assert path.read_bytes() == ROW.replace(b"Add config loader", hostile_bytes(evil))
