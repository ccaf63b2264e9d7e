"""Reordering and marks in the app: the Session's rules without Textual, then
keys pressed in the app (Pilot) and the exact bytes of the file afterwards."""

from __future__ import annotations

import pytest
from tasktui.ui.commands import entries
from support import open_session
from support import (
    MARKUP_SENTINEL,
    assert_no_control_output,
    copy_sample,
    cursor_to_row,
    hostile_bytes,
    replace_once,
    row_text,
    running,
    screen_text,
    wait_file,
    wait_for,
)

from tasktui.storage import config, store
from tasktui.doc import Document, edits
from tasktui.core.outline import HEADING
from tasktui.core.session import Notice, Session

TEXT = (b"# Plan\n\n## Phase 1\n\n- [ ] alpha\n- [ ] beta\n  - [ ] beta one\n- [x] gamma\n\n"
        b"## Phase 2\n\n1. [ ] delta\n3. [ ] epsilon\n")


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = open_session(path)
    return s


def task(s: Session, text: str):
    return next(t for t in s.doc.tasks if t.text == text)


# ------------------------------------------------------------------- the Session


def test_session_move_up_and_down(session):
    """One place among its siblings as they are when the move is planned: pressed
    twice before the first is written, the task moves two places."""
    beta = task(session, "beta")
    op = session.move_op(beta, -1)
    assert op == edits.Move(session.key(beta), step=-1, expect=edits.item_text(session.doc, beta))
    session.apply(op)
    assert session.path.read_bytes() == TEXT.replace(b"- [ ] alpha\n- [ ] beta\n  - [ ] beta one\n",
                                                     b"- [ ] beta\n  - [ ] beta one\n- [ ] alpha\n")
    down = session.move_op(task(session, "alpha"), 1)
    assert session.apply(down).changed
    again = session.apply(down)  # the same key again: past gamma it is the last of its list
    assert [t.text for t in session.doc.tasks if t.parent is None][:4] == ["beta", "gamma", "alpha", "delta"]
    assert not again.changed and again.summary == "L8 alpha is already the last of its list; m moves it to another section"
    first = session.apply(session.move_op(task(session, "beta"), -1))
    assert not first.changed and first.summary == "L5 beta is already the first of its list; m moves it to another section"
    last = session.apply(session.move_op(task(session, "epsilon"), 1))
    assert not last.changed and last.summary.endswith("is already the last of its list; m moves it to another section")
    assert session.move_op(None, 1) == Notice("Move to a task first.", "warning")
    assert session.heading_not_movable("Phase 1").text == (
        "“Phase 1” is a heading: only list tasks move (a heading-level task moves with its section, in your editor).")


def test_a_move_or_a_delete_of_a_task_another_program_changed_is_refused(session):
    path = session.path
    beta = task(session, "beta")
    move, delete = session.move_op(beta, 1), session.delete_op(beta)
    session.apply(edits.Toggle(session.key(beta)))  # our own mark meanwhile: still the task the keys saw
    path.write_bytes(path.read_bytes().replace(b"  - [ ] beta one\n", b"  - [ ] beta one, and more\n"))
    for op in (move, delete):
        with pytest.raises(edits.ConflictError, match="L6 beta changed in the file since the (move|delete) was asked "
                                                      "for: nothing was written"):
            session.apply(op)
    assert path.read_bytes() == TEXT.replace(b"[ ] beta\n", b"[x] beta\n").replace(b"beta one\n",
                                                                                     b"beta one, and more\n")


def test_session_moves_wait_for_the_file_and_respect_read_only(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = Session(path, config.Config())
    partial = Document(TEXT)
    s.loading(partial, store.read(path))
    assert s.move_op(partial.tasks[1], -1).text == "The file is still loading: marks and moves wait until it is read."
    assert s.toggle_mark(partial.tasks[1]).text.startswith("The file is still loading")
    ro = Session(path, config.Config(), read_only=True)
    snap = store.read(path)
    ro.loaded(ro.open_file(snap, Document(snap.data), {}))
    assert ro.move_op(ro.doc.tasks[1], -1).text == "tasks.md is open read-only (read-only mode): nothing was written."
    assert ro.toggle_mark(ro.doc.tasks[1]) is None  # marking writes nothing
    assert ro.marked_op("toggle").text == "tasks.md is open read-only (read-only mode): nothing was written."
    assert path.read_bytes() == TEXT


def test_session_legend_items_are_not_marked_or_moved(tmp_path):
    path = tmp_path / "keyed.md"
    path.write_bytes(b"**Legend:**\n\n- [ ] to do\n- [x] done\n\n## Work\n\n- [ ] a\n")
    s = open_session(path)
    legend = s.doc.tasks[0]
    assert legend.legend
    for notice in (s.toggle_mark(legend), s.move_op(legend, 1)):
        assert notice.text == "L3 is part of the file's legend, which says what [ ] means: it is not a task."
    s.mark(legend)
    assert s.marked == {}


def test_session_marks_act_on_all_marked_tasks_in_one_write(session):
    for text in ("alpha", "beta one", "epsilon"):
        assert session.toggle_mark(task(session, text)) is None
    assert session.toggle_mark(task(session, "beta one")) is None  # unmarked again
    session.mark(task(session, "gamma"))
    assert [t.text for t in session.marked_tasks()] == ["alpha", "gamma", "epsilon"]
    op = session.marked_op("toggle")
    assert op == edits.ToggleAll(tuple(session.key(task(session, t)) for t in ("alpha", "gamma", "epsilon")))
    result = session.apply(op)
    assert result.changed and len(session.tasks_file.undo_stack) == 1
    assert session.path.read_bytes() == TEXT.replace(b"[ ] alpha", b"[x] alpha").replace(b"[ ] epsilon", b"[x] epsilon")
    session.apply(session.marked_op("state", "in_progress"))
    assert session.path.read_bytes() == TEXT.replace(b"[ ] alpha", b"[/] alpha").replace(b"[x] gamma", b"[/] gamma").replace(
        b"[ ] epsilon", b"[/] epsilon")
    in_progress = session.path.read_bytes()
    session.apply(session.marked_op("state", "in_progress"))  # all in progress already: back to open, as p on one task
    assert session.path.read_bytes() == TEXT.replace(b"[x] gamma", b"[ ] gamma")
    session.undo()
    assert session.path.read_bytes() == in_progress
    session.apply(session.marked_op("delete"))
    assert session.path.read_bytes() == (b"# Plan\n\n## Phase 1\n\n- [ ] beta\n  - [ ] beta one\n\n## Phase 2\n\n"
                                         b"1. [ ] delta\n")
    assert session.marked_tasks() == [] and session.marked == {}  # the deleted tasks' marks go with them
    assert session.marked_op("toggle") is None
    session.undo()
    assert session.path.read_bytes() == TEXT.replace(b"[ ] alpha", b"[/] alpha").replace(b"[x] gamma", b"[/] gamma").replace(
        b"[ ] epsilon", b"[/] epsilon")
    session.mark(task(session, "beta"))
    assert session.clear_marks() == 1 and session.marked == {}


def test_session_renumber_only_where_numbered(session):
    numbered = session.section_of(task(session, "delta"))
    assert session.doc.headings[numbered].text == "Phase 2"
    op = session.renumber_op(numbered)
    assert op == edits.Renumber(session.doc.heading_keys[numbered])
    session.apply(op)
    assert session.path.read_bytes() == TEXT.replace(b"3. [ ] epsilon", b"2. [ ] epsilon")
    assert session.renumber_op(session.section_of(task(session, "alpha"))) == Notice(
        "The tasks under Phase 1 are not numbered: there is nothing to renumber.")


# ----------------------------------------------------------------- the app (Pilot)


async def _to(pilot, app, text: str) -> None:
    """Put the cursor on the task whose text starts with ``text``."""
    tree = app.main.tree
    index = next(t.index for t in tree.doc.tasks if t.text.startswith(text))
    tree.move_to_task(index)
    await pilot.pause()
    assert tree.cursor_task.text.startswith(text)


async def test_K_J_and_alt_arrows_move_the_task_and_the_cursor_follows(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")
    original = path.read_bytes()
    one = (b"  - [x] 1.1 Create package layout and entry point\n    - Add `bookmarks` console script in pyproject.toml\n"
           b"    - Write `__main__.py` that dispatches to the CLI\n    - _Requirements: 7.1_\n\n")
    two = (b"  - [x] 1.2 Define core interfaces\n    - Write `BookmarkStore` protocol with `get`, `put`, `delete`, `changed_since`\n"
           b"    - Write `RemoteClient` protocol with `pull(cursor)` and `push(changes)`\n    - _Requirements: 1.1, 4.1_\n\n")
    swapped = replace_once(original, one + two, two + one)
    async with running(path) as (app, pilot, notes):
        await _to(pilot, app, "1.2 ")
        await pilot.press("K")
        await wait_file(pilot, path, swapped)
        await wait_for(pilot, lambda: app.main.tree.cursor_task.text.startswith("1.2 "), what="the cursor on the moved task")
        await pilot.press("alt+down")
        await wait_file(pilot, path, original)
        await wait_for(pilot, lambda: app.main.tree.cursor_task.text.startswith("1.2 "), what="the cursor to follow")
        await pilot.press("J")
        await wait_for(pilot, lambda: any("already the last of its list" in m for m, _, _ in notes), what="the notice")
        await pilot.press("alt+up", "u")
        await wait_file(pilot, path, original)
        tf = app.tasks_file
        assert (len(tf.undo_stack), len(tf.redo_stack)) == (2, 1)  # each move one step


async def test_a_heading_row_does_not_move(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await cursor_to_row(pilot, 0)
        assert app.main.tree.cursor_row.kind == HEADING
        for key in ("K", "m"):
            await pilot.press(key)
        await wait_for(pilot, lambda: sum("is a heading: only list tasks move" in m for m, _, _ in notes) == 2,
                       what="two notices")
        assert path.read_bytes() == original


async def test_m_moves_the_task_to_the_section_picked(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    t016 = b"- [ ] T016 [US1] Enforce admin-only access and max pending limit in src/services/invitation_service.py\n"
    t023 = b"- [ ] T023 [US2] Add membership on accept via TeamService.add_member in src/services/team_service.py\n"
    moved = replace_once(replace_once(original, t016, b""), t023, t023 + t016)
    async with running(path) as (app, pilot, notes):
        await _to(pilot, app, "T016")
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the section picker")
        text = screen_text(app)
        assert "Move “T016 [US1] Enforce admin-only access and” to the end of:" in text
        assert "Implementation for User Story 1  3/7  (here now)" in text
        # the section after this one is highlighted: Phase 4, then its two subsections
        await pilot.press("down", "down", "enter")
        await wait_file(pilot, path, moved)
        await wait_for(pilot, lambda: app.main.tree.cursor_task is not None and app.main.tree.cursor_task.id == "T016",
                       what="the cursor on the moved task")
        assert app.main.tree.cursor_task.path[-1] == "Implementation for User Story 2"
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the picker again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the picker to close")
        assert path.read_bytes() == moved
        await pilot.press("u")
        await wait_file(pilot, path, original)


async def test_typing_in_the_section_picker_filters_it(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    t016 = b"- [ ] T016 [US1] Enforce admin-only access and max pending limit in src/services/invitation_service.py\n"
    t023 = b"- [ ] T023 [US2] Add membership on accept via TeamService.add_member in src/services/team_service.py\n"
    moved = replace_once(replace_once(original, t016, b""), t023, t023 + t016)
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        await _to(pilot, app, "T016")
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the section picker")
        picker = app.screen
        options = picker.query_one("OptionList")
        every = options.option_count
        await pilot.press(*"IMPL", "space", *"story", "space", "2", "x")
        await wait_for(pilot, lambda: options.option_count == 0, what="nothing to match 2x")
        assert "no heading has it" in screen_text(app)
        await pilot.press("backspace")
        await wait_for(pilot, lambda: options.option_count == 1, what="one heading to match")
        assert "filter: IMPL story 2  (1 of" in screen_text(app)
        assert "Implementation for User Story 2" in str(options.get_option_at_index(0).prompt)
        await pilot.press("escape")  # clears the filter first
        await wait_for(pilot, lambda: options.option_count == every, what="every heading again")
        assert app.screen is picker
        await pilot.press(*"user", "space", *"story", "space", "2")
        await wait_for(pilot, lambda: options.option_count == 3, what="Phase 4 and its two subsections")
        await pilot.press("end", "enter")  # the list keeps its keys
        await wait_file(pilot, path, moved)


async def test_the_section_picker_shows_hostile_headings_as_plain_text(tmp_path, markup_guard):
    path = tmp_path / "tasks.md"
    evil = hostile_bytes(f"{MARKUP_SENTINEL} [b]x[/b] [@click=app.quit]q[/] \x1b]0;PWNED\x07 \u202eevil\u202c \udce9")
    path.write_bytes(b"# T\n\n## A " + evil + b"\n\n- [ ] task " + evil + b"\n\n## B " + evil + b"\n\n- [ ] other\n")
    async with running(path, notifications=True) as (app, pilot, notes):
        await _to(pilot, app, "task")
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the picker")
        text = screen_text(app)
        assert_no_control_output(text, "the picker")
        assert "B QZXJ [b]x[/b] [@click=app.quit]q[/] ␛]0;PWNED␇" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: Document(path.read_bytes()).tasks[-1].text.startswith("task"), what="the move")
        await wait_for(pilot, lambda: any("moved L5 task" in m for m, _, _ in notes), what="the summary")
        assert_no_control_output(screen_text(app), "the screen after the move")
        assert not markup_guard


async def test_marks_space_toggles_all_marked_in_one_write_and_undo(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await _to(pilot, app, "Replace the failing disk")
        await pilot.press("v", "shift+down", "shift+down")  # Replace, Order, Resilver
        await wait_for(pilot, lambda: "3 marked" in app.main.header.content.plain, what="the header's count")
        assert tree.marked == {t.index for t in tree.doc.tasks[:3]}
        marked_style = tree.render_line(tree.cursor - tree.scroll_offset.y - 1)
        plain_row = tree.render_line(tree.cursor - tree.scroll_offset.y + 1)
        assert {s.style.bgcolor for s in marked_style if s.style} != {s.style.bgcolor for s in plain_row if s.style}
        await pilot.press("space")
        want = original.replace(b"- [ ] Replace the failing", b"- [x] Replace the failing").replace(
            b"  - [ ] Resilver", b"  - [x] Resilver")
        await wait_file(pilot, path, want)
        await pilot.press("space")  # all done now: all open
        await wait_file(pilot, path, want.replace(b"[x] Replace", b"[ ] Replace").replace(b"[x] Resilver", b"[ ] Resilver")
                        .replace(b"[x] Order", b"[ ] Order"))
        await pilot.press("u", "u")
        await wait_file(pilot, path, original)
        await _to(pilot, app, "Resilver")  # (undo put the cursor on the first task it changed)
        await pilot.press("v")  # the cursor's task was marked: now unmarked
        await wait_for(pilot, lambda: "2 marked" in app.main.header.content.plain, what="one mark fewer")
        await pilot.press("p")
        await wait_file(pilot, path, original.replace(b"- [ ] Replace the failing", b"- [/] Replace the failing").replace(
            b"  - [x] Order", b"  - [/] Order"))
        assert "2 marked" in app.main.header.content.plain  # marks stay for the next action
        await pilot.press("delete")
        await wait_file(pilot, path, replace_once(original, b"- [ ] Replace the failing disk in the NAS (WD Red, bay 3)\n"
                                                  b"  - [x] Order replacement drive\n"
                                                  b"  - [ ] Resilver and check `zpool status` afterwards\n", b""))
        await wait_for(pilot, lambda: "marked" not in app.main.header.content.plain, what="the marks to go with the tasks")
        await pilot.press("u")
        await wait_file(pilot, path, original.replace(b"- [ ] Replace the failing", b"- [/] Replace the failing").replace(
            b"  - [x] Order", b"  - [/] Order"))


async def test_escape_clears_marks_first_then_the_filter(tmp_path):
    path = copy_sample(tmp_path, "plain-todo.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await pilot.press("slash", *"the", "enter")
        await wait_for(pilot, lambda: tree.text_filter == "the", what="the filter")
        await pilot.press("v")
        await wait_for(pilot, lambda: "1 marked" in app.main.header.content.plain, what="a mark")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "marked" not in app.main.header.content.plain, what="the marks to clear")
        assert tree.text_filter == "the" and tree.marked == set()
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree.text_filter == "", what="the filter to clear")
        await pilot.press("space")  # no marks: the cursor's task alone
        await wait_for(pilot, lambda: path.read_bytes() != original, what="the toggle")
        assert sum(a != b for a, b in zip(original, path.read_bytes())) == 1


async def test_renumber_is_offered_where_the_section_is_numbered(tmp_path):
    path = tmp_path / "tasks.md"
    data = b"# Plan\n\n## Plain\n\n- [ ] a\n- [ ] b\n\n## Steps\n\n2. [ ] two\n1. [ ] one\n"
    path.write_bytes(data)
    async with running(path) as (app, pilot, notes):
        def titles():
            return [c.title for c in entries(app.main)]

        await _to(pilot, app, "a")
        assert "Renumber this section" not in titles()
        assert {"Move task up", "Move task down", "Move task to section..."} <= set(titles())
        app.main.action_renumber_section()
        await wait_for(pilot, lambda: any(m == "The tasks under Plain are not numbered: there is nothing to renumber."
                                          for m, _, _ in notes), what="the sentence")
        await _to(pilot, app, "one")
        assert "Renumber this section" in titles()
        await pilot.press("K")
        await wait_file(pilot, path, data.replace(b"2. [ ] two\n1. [ ] one\n", b"1. [ ] one\n2. [ ] two\n"))
        await _to(pilot, app, "two")
        await pilot.press("K")  # numbers stay as written
        await wait_file(pilot, path, data)
        next(c for c in entries(app.main) if c.title == "Renumber this section").callback()
        await wait_file(pilot, path, data.replace(b"2. [ ] two\n1. [ ] one\n", b"1. [ ] two\n2. [ ] one\n"))
        assert row_text(app.main.tree, app.main.tree.cursor).strip().startswith("[ ] two")
        await pilot.press("u")
        await wait_file(pilot, path, data)



def _choose(app, title: str) -> None:
    """Run the palette entry named exactly ``title`` the way the palette does (call_later
    awaits a callback that is a coroutine, such as run_action)."""
    app.call_later(next(c for c in entries(app.main) if c.title == title).callback)


async def test_palette_entries_move_the_task_like_their_keys(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    beta = b"- [ ] beta\n  - [ ] beta one\n"
    async with running(path) as (app, pilot, notes):
        await _to(pilot, app, "beta")
        _choose(app, "Move task down")
        down = TEXT.replace(beta + b"- [x] gamma\n", b"- [x] gamma\n" + beta)
        await wait_file(pilot, path, down)
        await wait_for(pilot, lambda: app.main.tree.cursor_task.text == "beta", what="the cursor on the moved task")
        _choose(app, "Move task up")
        await wait_file(pilot, path, TEXT)
        _choose(app, "Move task up")
        up = TEXT.replace(b"- [ ] alpha\n" + beta, beta + b"- [ ] alpha\n")
        await wait_file(pilot, path, up)
        _choose(app, "Move task to section...")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the section picker")
        await pilot.press("enter")  # the heading after this one is highlighted: Phase 2 (the title is not listed)
        moved = (b"# Plan\n\n## Phase 1\n\n- [ ] alpha\n- [x] gamma\n\n## Phase 2\n\n1. [ ] delta\n3. [ ] epsilon\n"
                 b"4. [ ] beta\n   - [ ] beta one\n")  # it takes the ordered list's marker and indent
        await wait_file(pilot, path, moved)
        for want in (up, TEXT, down, TEXT):  # each move is one undo step, with the whole bytes back
            await pilot.press("u")
            await wait_file(pilot, path, want)
        tf = app.tasks_file
        assert (len(tf.undo_stack), len(tf.redo_stack)) == (0, 4)


@pytest.mark.parametrize("data, cursor, offered", [
    (None, "1.2 ", True),  # the Kiro sample: numbered tasks under its one heading
    (b"## 1. Setup\n\n- [ ] 1.1 a\n\n## 2. Backend\n\n- [ ] 2.2 b\n- [ ] 1.2 moved here\n", "1.2 moved", True),  # OpenSpec
    (b"## Steps\n\n1. [ ] one\n3. [ ] three\n", "three", True),  # an ordered list
    (b"## Plain\n\n- [ ] T001 a\n- [ ] T002 b\n", "T002", False),  # ids are not numbers to put in order
], ids=["kiro", "openspec", "ordered", "speckit-ids"])
async def test_renumber_is_in_the_palette_for_kiro_openspec_and_ordered_lists(tmp_path, data, cursor, offered):
    if data is None:
        path = copy_sample(tmp_path, "kiro-spec.md")
    else:
        path = tmp_path / "tasks.md"
        path.write_bytes(data)
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await _to(pilot, app, cursor)
        titles = [c.title for c in entries(app.main)]
        assert ("Renumber this section" in titles) is offered
        if data is not None and offered:
            _choose(app, "Renumber this section")
            await wait_for(pilot, lambda: path.read_bytes() != original, what="the renumber")
            assert path.read_bytes() == original.replace(b"2.2 b\n- [ ] 1.2 moved", b"2.1 b\n- [ ] 2.2 moved").replace(
                b"3. [ ] three", b"2. [ ] three")
            await pilot.press("u")
            await wait_file(pilot, path, original)
        assert path.read_bytes() == original


async def test_the_section_picker_fits_80x24_and_scrolls_to_the_highlighted_heading(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        await _to(pilot, app, "T016")
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SectionPicker", what="the section picker")
        hint = "Enter moves it to the end of that section's list, Esc cancels."
        assert hint in screen_text(app)
        assert "Parallel Opportunities" not in screen_text(app)  # the last heading: below the fold at first
        await pilot.press("end")
        await wait_for(pilot, lambda: "Parallel Opportunities" in screen_text(app), what="the list to scroll")
        assert hint in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the picker to close")
    assert path.read_bytes() == original


async def test_m_in_a_file_without_sections_says_what_moves_instead(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")  # one title heading: no section to pick
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await _to(pilot, app, "3.2 ")
        await pilot.press("m")
        await wait_for(pilot, lambda: any(m == "This file has no sections to move the task to: K and J move it within its list."
                                          for m, _, _ in notes), what="the sentence")
        assert app.screen is app.main
    assert path.read_bytes() == original


async def test_undo_and_redo_of_a_move_put_the_cursor_on_the_moved_task(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        for text, key in (("beta", "K"), ("alpha", "J")):  # the undo's first change above it, then below it
            await _to(pilot, app, text)
            await pilot.press(key)
            await wait_for(pilot, lambda: path.read_bytes() != TEXT, what="the move")
            await pilot.press("u")
            await wait_file(pilot, path, TEXT)
            await wait_for(pilot, lambda: tree.cursor_task is not None and tree.cursor_task.text == text,
                           what=f"the cursor on {text} after undo")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: path.read_bytes() != TEXT, what="the redo")
            await wait_for(pilot, lambda: tree.cursor_task is not None and tree.cursor_task.text == text,
                           what=f"the cursor on {text} after redo")
            await pilot.press("u")
            await wait_file(pilot, path, TEXT)
