"""Find in the app (Pilot): the filter's query in the tree (rows, what is found drawn
in the rows, the count beside the box, the message when nothing matches), Esc,
hide-done and the header's lasting word about both, `n` within the filter, and
`g`, the jump to a task id or line. File text and typed text are data: shown as
written (visible placeholders for controls), never read as markup."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from support import (MARKUP_SENTINEL, assert_no_control_output, copy_sample, find, first_command, found_in_row,
                     header_lines, hostile_file, row_text, running, screen_text, static_text, wait_for)
from tasktui.core.outline import HEADING, TASK
from tasktui.doc.safetext import one_line

SPECKIT = "speckit-feature.md"


def task_ids(app) -> list[str]:
    tree = app.main.tree
    return [tree.doc.tasks[r.index].id for r in tree.rows if r.kind == TASK]


def count_text(app) -> str:
    return static_text(app.screen.query_one("#find-count", Static))


def tree_message(app) -> str:
    """What the empty tree says, its wrapped lines joined again."""
    return " ".join(row_text(app.main.tree, y).strip() for y in range(4)).strip()


def row_of(app, task_id: str) -> int:
    tree = app.main.tree
    return next(i for i, r in enumerate(tree.rows) if r.kind == TASK and tree.doc.tasks[r.index].id == task_id)


async def test_words_in_any_order_are_found_drawn_and_counted(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        everything = len(tree.rows)
        await find(pilot, "delete us3", submit=False)
        assert task_ids(app) == ["T024", "T026"]
        assert all(r.kind == HEADING for r in tree.rows if r.kind != TASK)
        assert count_text(app) == "2 of 32 tasks match"
        assert "filter: delete us3" in header_lines(app)[0]
        assert found_in_row(tree, row_of(app, "T024")) == ["US3", "DELETE"]
        assert found_in_row(tree, row_of(app, "T026")) == ["US3", "DELETE"]
        # the same words the other way round, in capitals: the same tasks
        app.screen.query_one("#filter").value = "US3 DELETE"
        await wait_for(pilot, lambda: tree.text_filter == "US3 DELETE", what="the new query")
        assert task_ids(app) == ["T024", "T026"]
        # Esc in the box clears the filter, hides the box, and the tree has every row again
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree.text_filter == "", what="Esc to clear the filter")
        assert not app.screen.query_one("#find").display
        assert app.focused is tree
        assert len(tree.rows) == everything
        assert "filter:" not in header_lines(app)[0]
        assert found_in_row(tree, tree.cursor) == []
    assert path.read_bytes() == original


# lines as a spec-kit file writes them (from the corpus: 07-speckit-SentimentAgent.md)
US4_FILE = """# Tasks: Tool management

## Phase 6: User Story 4 - Delete a tool (Priority: P2)

- [ ] T062 [US4] Add `delete_tool` method in `backend/src/services/tool_service.py` to permanently delete tool
- [ ] T065 [US4] Show the tool's sentiment count before removal
- [ ] T066 [US4] Create `DELETE /api/v1/admin/tools/{tool_id}` endpoint in `backend/src/api/admin.py`
- [x] T067 [P] [US3] Delete merged aliases when a tool is merged
"""


async def test_us4_delete_finds_the_tasks_holding_both_words_in_any_order(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_text(US4_FILE)
    original = path.read_bytes()
    async with running(path, size=(120, 30)) as (app, pilot, notes):
        tree = app.main.tree
        await find(pilot, "US4 delete")
        assert task_ids(app) == ["T062", "T066"]
        assert count_text(app) == "2 of 4 tasks match"
        # drawn as found in the rows as shown (code spans without their backticks)
        assert row_text(tree, row_of(app, "T062")).startswith("     [ ] T062 [US4] Add delete_tool method in ")
        assert found_in_row(tree, row_of(app, "T062")) == ["US4", "delete"]
        assert found_in_row(tree, row_of(app, "T066")) == ["US4", "DELETE"]
        assert "filter: US4 delete" in header_lines(app)[0]
        assert "2 of 4 tasks match" in screen_text(app)
        await pilot.press("escape")
        await find(pilot, "delete us4 -endpoint")
        assert task_ids(app) == ["T062"]
    assert path.read_bytes() == original


async def test_nothing_found_says_so_in_the_tree(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await find(pilot, "US4 delete")
        assert tree.rows == [] and tree.cursor_row is None
        assert tree.matches == 0
        assert app.focused is tree
        assert tree_message(app) == "No task matches “US4 delete”. Esc clears the filter."
        assert "0 of 32 tasks match" in screen_text(app)
        # keys on an empty tree do nothing harmful
        await pilot.press("down", "space", "n", "left", "right")
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(tree.rows), what="the rows to come back")
        assert "No task matches" not in screen_text(app)


async def test_terms_ids_markers_states_and_n_within_the_filter(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await find(pilot, "T012")
        assert task_ids(app) == ["T012"], "an id is that task, not T012a or the tasks that mention it"
        assert found_in_row(tree, row_of(app, "T012")) == ["T012"]
        await pilot.press("escape")
        await find(pilot, "[US1] state:open -logging")
        assert task_ids(app) == ["T014", "T015", "T016"]
        assert found_in_row(tree, row_of(app, "T015")) == ["[US1]"]
        await pilot.press("home", "n")
        assert tree.cursor_task.id == "T014"
        await pilot.press("n")  # T015 and T016 wait for T014 (no [P]): n goes only to what can start now
        assert tree.cursor_task.id == "T014"
        await wait_for(pilot, lambda: any("No more tasks that can start now below" in m for m, _, _ in notes),
                       what="the notice")


async def test_a_state_that_does_not_exist_is_said_beside_the_box(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        rows = len(tree.rows)
        await find(pilot, "state:bogus", submit=False)
        assert len(tree.rows) == rows, "the term is left out: nothing is filtered"
        assert "“state:bogus” is not a state" in count_text(app)
        app.screen.query_one("#filter").value = "state:done invitation"
        await wait_for(pilot, lambda: tree.text_filter == "state:done invitation", what="the new query")
        assert count_text(app) == "12 of 32 tasks match"


async def test_hide_done_shows_in_the_header_and_says_when_nothing_is_left(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        await pilot.press("d")
        await wait_for(pilot, lambda: "done hidden" in header_lines(app)[0], what="the header to say done hidden")
        assert "filter:" not in header_lines(app)[0]
        await find(pilot, "state:done")
        assert app.main.tree.rows == []
        assert "filter: state:done · done hidden" in header_lines(app)[0]
        assert tree_message(app) == ("No task matches “state:done” among the tasks not done (d shows done tasks). "
                                     "Esc clears the filter.")
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: "done hidden" not in header_lines(app)[0], what="the header to drop it")

    path = tmp_path / "all-done.md"
    path.write_bytes(b"# Done\n\n## Phase 1\n\n- [x] one\n- [x] two\n")
    async with running(path) as (app, pilot, notes):
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.main.tree.rows, what="every row to go")
        assert tree_message(app) == "Every task is done, and done tasks are hidden: d shows them."


async def test_g_goes_to_a_task_id_or_a_line(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        phase2 = next(h for h in tree.outline.headings if h.text.startswith("Phase 2"))
        assert phase2.key in tree.collapsed, "a complete phase starts folded"

        async def go(ref: str) -> None:
            await pilot.press("g")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
            await pilot.press(*ref, "enter")

        await go("T005")
        await wait_for(pilot, lambda: app.screen is app.main, what="the prompt to close")
        assert tree.cursor_task.id == "T005" and phase2.key not in tree.collapsed
        await go("l85")
        assert tree.cursor_task.id == "T019"
        # no such task: one sentence in the prompt, which stays open
        await go("T099")
        await pilot.pause()
        error = app.screen.query_one("#prompt-error", Static)
        assert static_text(error) == "No task matches 'T099': use an id, L<line> or part of the task's text."
        await pilot.press("escape")
        assert tree.cursor_task.id == "T019"
        # #T012 and a piece of a task's text, as on the command line; a piece several
        # tasks hold: each g the next of them
        await go("#t012.")
        await wait_for(pilot, lambda: tree.cursor_task.id == "T012", what="the cursor on T012")
        await go("landing page")
        await wait_for(pilot, lambda: tree.cursor_task.id == "T022", what="the cursor on T022")
        for expected in ("T025", "T014", "T016"):  # invitation_service.py, from the cursor on, round the end
            await go("invitation_service")
            await wait_for(pilot, lambda: tree.cursor_task.id == expected, what=f"the cursor on {expected}")
        # a task the filter hides: the filter makes way
        await find(pilot, "accept")
        await go("T001")
        await wait_for(pilot, lambda: tree.text_filter == "", what="the filter to clear")
        assert tree.cursor_task.id == "T001"
        assert any("T001 was hidden: the filter is cleared." == m for m, _, _ in notes)


async def test_the_palette_offers_go_to_task_id(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: bool(app.screen.query("CommandInput")), what="the command palette")
        app.screen.query_one("CommandInput").value = "Go to task id"
        await wait_for(pilot, lambda: first_command(app) == "Go to task id...", what="the palette to offer the command")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the go-to prompt")
        await pilot.press(*"T020", "enter")
        await wait_for(pilot, lambda: app.main.tree.cursor_task is not None and app.main.tree.cursor_task.id == "T020",
                       what="the cursor on T020")


async def test_the_header_keeps_the_timer_and_the_read_only_notice_whole_at_80_columns(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        await find(pilot, "api -a-rather-long-query-that-leaves-nothing-out")
        await pilot.press("d")
        await wait_for(pilot, lambda: any(r.kind == "task" for r in app.main.tree.rows), what="the filtered rows")
        first_task = next(r.index for r in app.main.tree.rows if r.kind == "task")
        assert app.main.tree.move_to_task(first_task)
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: "⏱" in header_lines(app)[1], what="the timer in the header")
        first, second = header_lines(app)
        # the indicator whole at the right of the first line (the query shortened), the
        # timer's clock whole on the second
        assert first.startswith(" template-project.md  filter: api -a-rather"), first
        assert first.rstrip().endswith("… · done hidden"), first
        clock = one_line(app.session.timer_shown(app.main.tree.doc)[0]).partition(" ")[0]
        assert f"⏱ {clock}" in second, second
        await pilot.press("s")  # stop it (the booked time is the test's copy's business)

    (tmp_path / "ro").mkdir()
    path = copy_sample(tmp_path / "ro", "template-project.md")
    async with running(path, size=(80, 24), read_only=True) as (app, pilot, notes):
        await find(pilot, "api")
        await pilot.press("d")
        await wait_for(pilot, lambda: "done hidden" in header_lines(app)[0], what="the header to say done hidden")
        header = screen_text(app).splitlines()[:3]  # a notice that does not fit gets its own line
        assert header[0].rstrip().endswith("filter: api · done hidden"), header
        assert "READ-ONLY: read-only mode" in "\n".join(header[1:]), header


HOSTILE = f"{MARKUP_SENTINEL} [b]x[/b] [@click=app.quit]q[/] \x1b[31mred \u202eevil\u202c \x07"


async def test_file_text_and_typed_text_are_shown_as_data(tmp_path, markup_guard):
    path = tmp_path / "hostile.md"
    path.write_bytes(hostile_file(HOSTILE))
    original = path.read_bytes()
    async with running(path, size=(160, 40)) as (app, pilot, notes):
        tree = app.main.tree
        # a query that is hostile text itself, quoted so that it stays one phrase
        query = f'"{MARKUP_SENTINEL} [b]x[/b]" [@click=app.quit]q[/]'
        await find(pilot, query, typed=False)
        assert task_ids(app) == ["T001", "T002", "T003"]
        assert found_in_row(tree, row_of(app, "T002")) == [f"{MARKUP_SENTINEL} [b]x[/b]", "[@click=app.quit]q[/]"]
        text = screen_text(app)
        assert_no_control_output(text)
        assert one_line(query) in header_lines(app)[0]
        assert "3 of 3 tasks match" in text
        # typed controls and bidi are shown as their pictures and names, in the box's echo
        # (the header), the count and the message
        typed = f"{MARKUP_SENTINEL} \x1b[2J [/b] \u202eevil \x07"
        await find(pilot, typed, typed=False)
        assert tree.rows == []
        text = screen_text(app)
        assert_no_control_output(text)
        assert tree_message(app) == f"No task matches “{one_line(typed).strip()}”. Esc clears the filter."
        assert "⟨RLO⟩" in header_lines(app)[0] and "␛" in header_lines(app)[0]
        assert app.screen.query_one("#filter").value == one_line(typed), "the box shows the pictures too"
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(tree.rows), what="the rows to come back")
    assert path.read_bytes() == original


async def test_g_to_a_done_task_while_done_tasks_are_hidden_shows_them(tmp_path):
    path = copy_sample(tmp_path, SPECKIT)
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        await pilot.press("d")
        await wait_for(pilot, lambda: "done hidden" in header_lines(app)[0], what="the header to say done hidden")
        assert "T012" not in task_ids(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        await pilot.press(*"t012", "enter")
        await wait_for(pilot, lambda: tree.cursor_task is not None and tree.cursor_task.id == "T012",
                       what="the cursor on T012")
        assert not tree.hide_done
        assert "done hidden" not in header_lines(app)[0]
        assert "T012 was hidden: done tasks are shown." in [m for m, _, _ in notes]
    assert path.read_bytes() == original


@pytest.mark.parametrize("width", [pytest.param(80, marks=pytest.mark.slow), pytest.param(60, marks=pytest.mark.slow),
                                   44])  # the quick run: the narrowest
async def test_the_find_indicator_keeps_its_words_as_the_header_narrows(tmp_path, width):
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path, size=(width, 24)) as (app, pilot, notes):
        await find(pilot, "invitation state:open -logging")
        await pilot.press("d")
        await wait_for(pilot, lambda: "done hidden" in header_lines(app)[0], what="the header to say done hidden")
        first = header_lines(app)[0].rstrip()
        assert len(first) <= width
        assert first.endswith(" · done hidden"), first
        assert "filter: " in first
        if width == 80:  # the title gives way first
            assert first.startswith(" speckit-feature.md   ") and "Tasks:" not in first, first
            assert first.endswith("  filter: invitation state:open -logging · done hidden"), first
        if width == 60:  # then the query shortens, down to 8 cells, before the path
            assert first.startswith(" speckit-feature.md  filter: invitat") and "…" in first, first
        if width == 44:  # then the path loses its start, then the query again
            assert first.startswith(" …") and "filter: invit" in first, first


async def test_the_count_follows_an_edit_while_the_rows_stay(tmp_path):
    """Space on a task the filter found: the row stays in view (the cursor does not jump)
    but the count beside the box says what the filter finds now."""
    path = copy_sample(tmp_path, SPECKIT)
    async with running(path) as (app, pilot, notes):
        await find(pilot, "[US1] state:open")
        before = task_ids(app)
        assert count_text(app) == f"{len(before)} of 32 tasks match"
        first = next(r.index for r in app.main.tree.rows if r.kind == "task")
        assert app.main.tree.move_to_task(first)
        await pilot.pause()
        await pilot.press("space")
        await wait_for(pilot, lambda: count_text(app) == f"{len(before) - 1} of 32 tasks match",
                       what="the count after the toggle")
        assert task_ids(app) == before, "the rows stay until the filter changes"
