"""Tree actions that do what they say: adding in a section (at its end, or first),
new tasks in their neighbours' shape, the cursor after delete, undo and redo, and
p / c toggling back. The plans are checked on whole bytes; the app on the file's
bytes after key presses."""

from __future__ import annotations

import pytest

from support import open_session
from support import copy_sample, edit, running, task_key, wait_file, wait_for
from tasktui.doc import edits as E
from tasktui.doc.model import Document
from tasktui.doc.patch import apply
from tasktui.core.session import Session

TEMPLATE = (
    b"# Tasks\n\n"
    b"## Phase 1\n\n"
    b"### Models\n"
    b"- [x] **Design schema** with fields\n"
    b"  - Unique constraint\n"
    b"  - **Estimated Time**: 3 hours\n"
    b"\n"
    b"- [ ] **Create migration**\n"
    b"  - **Estimated Time**: 90 minutes\n"
    b"\n"
    b"### Services\n"
    b"Services come after the models.\n"
    b"\n"
    b"## Phase 2\n"
    b"\n"
    b"- [ ] plain one\n"
    b"- [ ] plain two\n"
)


def section(doc: Document, title: str):
    [index] = [i for i, h in enumerate(doc.headings) if h.text == title]
    return doc.heading_keys[index]


def test_a_on_a_section_adds_at_its_end_in_the_neighbours_shape():
    new, plan = edit(TEMPLATE, lambda d: E.AddTask("Seed data", section=section(d, "Models")))
    # a blank line apart as its neighbours are, a bold title as theirs, an estimate bullet to fill in
    assert new == TEMPLATE.replace(
        b"  - **Estimated Time**: 90 minutes\n\n",
        b"  - **Estimated Time**: 90 minutes\n\n- [ ] **Seed data**\n  - **Estimated Time**: [X hours]\n\n")
    assert Document(new).tasks[2].estimate_hours is None, "the placeholder is no estimate"
    assert plan.details.line == 13


def test_a_on_a_phase_adds_after_the_last_task_of_its_last_subsection_with_tasks():
    new, _ = edit(TEMPLATE, lambda d: E.AddTask("Wire it", section=section(d, "Phase 2")))
    assert new == TEMPLATE + b"- [ ] plain three\n".replace(b"plain three", b"Wire it")
    new, _ = edit(TEMPLATE, lambda d: E.AddTask("Index", section=section(d, "Phase 1")))
    assert b"  - **Estimated Time**: 90 minutes\n\n- [ ] **Index**\n  - **Estimated Time**: [X hours]\n\n### Services" in new


def test_A_on_a_section_adds_its_first_task():
    new, plan = edit(TEMPLATE, lambda d: E.AddTask("Sketch", section=section(d, "Models"), first=True))
    assert new == TEMPLATE.replace(
        b"### Models\n- [x] **Design schema**",
        b"### Models\n- [ ] **Sketch**\n  - **Estimated Time**: [X hours]\n\n- [x] **Design schema**")
    assert plan.details.line == 6
    new, _ = edit(TEMPLATE, lambda d: E.AddTask("zero", section=section(d, "Phase 2"), first=True))
    assert new == TEMPLATE.replace(b"\n- [ ] plain one\n", b"\n- [ ] zero\n- [ ] plain one\n")


def test_a_section_without_tasks_gets_a_list_of_its_own():
    new, plan = edit(TEMPLATE, lambda d: E.AddTask("Build service", section=section(d, "Services")))
    assert new == TEMPLATE.replace(b"Services come after the models.\n\n",
                                   b"Services come after the models.\n\n- [ ] Build service\n\n")
    assert plan.details.line == 16
    bare = b"# T\n\n## Empty\n## Next\n- [ ] x\n"
    new, _ = edit(bare, lambda d: E.AddTask("first", section=section(d, "Empty")))
    assert new == b"# T\n\n## Empty\n\n- [ ] first\n\n## Next\n- [ ] x\n"
    crlf_end = b"# T\r\n\r\n## Last\r\nSome words"  # no final line break: none is added
    new, _ = edit(crlf_end, lambda d: E.AddTask("done soon", section=section(d, "Last")))
    assert new == b"# T\r\n\r\n## Last\r\nSome words\r\n\r\n- [ ] done soon"


def test_new_tasks_follow_tight_lists_and_ids():
    speckit = b"## Phase 3: US1\n\n- [ ] T010 [P] [US1] Model in src/a.py\n- [ ] T011 [US1] Service in src/b.py\n"
    new, _ = edit(speckit, lambda d: E.AddTask("Endpoint", after=task_key(d, "T011")))
    assert new == speckit + b"- [ ] T012 Endpoint\n", "tight stays tight; the next id; no bold where none is"
    kiro = b"# Plan\n\n- [ ] 1. One\n  - _Requirements: 1.1_\n\n- [ ] 2. Two\n  - _Requirements: 1.2_\n"
    new, _ = edit(kiro, lambda d: E.AddTask("Three", after=task_key(d, "2")))
    assert new == kiro + b"\n- [ ] 3. Three\n"


def test_a_user_given_emphasis_or_id_is_kept_as_typed():
    new, _ = edit(TEMPLATE, lambda d: E.AddTask("**Seed** the data", section=section(d, "Models")))
    assert b"- [ ] **Seed** the data\n" in new


def test_delete_leaves_the_cursor_on_a_neighbour():
    def cursor_after_delete(data: bytes, text: str) -> str | None:
        doc = Document(data)
        [index] = [t.index for t in doc.tasks if t.text == text]
        pl = E.plan(doc, E.DeleteTask(doc.keys[index]))
        after = Document(apply(data, pl.patches))
        task = after.task_at_line(pl.details.cursor - 1) if pl.details.cursor else None
        return task.text if task else None

    data = b"- [ ] a\n  - [ ] a1\n  - [ ] a2\n  - [ ] a3\n- [ ] b\n\n- [ ] c\n"
    assert cursor_after_delete(data, "a2") == "a3", "the next sibling"
    assert cursor_after_delete(data, "a3") == "a2", "else the previous one"
    assert cursor_after_delete(b"- [ ] a\n  - [ ] a1\n- [ ] b\n", "a1") == "a", "else the parent"
    assert cursor_after_delete(data, "a") == "b"
    assert cursor_after_delete(data, "c") == "b"
    assert cursor_after_delete(b"## A\n- [ ] x\n- [ ] y\n## B\n- [ ] z\n", "y") == "x", "a neighbour under the same heading"
    doc = Document(data)
    assert "cursor" not in E.plan(doc, E.DeleteTask(doc.keys[4])).details.as_dict(), (
        "the cursor is the app's business, not the command line's JSON")


# --------------------------------------------------------------------- the session's rules
@pytest.fixture
def session(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# P\n\n- [ ] one\n- [/] two\n- [ ] three\n")
    s = open_session(path)
    return s


def by_text(s: Session, text: str):
    return next(t for t in s.doc.tasks if t.text == text)


def test_p_and_c_toggle_back_to_open(session):
    """Set, or back to open when it is set already: decided when the edit is planned,
    so that p pressed twice before the first is written sets and clears."""
    one = session.state_op(by_text(session, "one"), "in_progress")
    assert one == E.SetState(session.key(by_text(session, "one")), "in_progress", back=True)
    session.apply(session.state_op(by_text(session, "two"), "in_progress"))
    assert session.path.read_bytes() == b"# P\n\n- [ ] one\n- [ ] two\n- [ ] three\n"
    session.apply(one)
    assert session.path.read_bytes() == b"# P\n\n- [/] one\n- [ ] two\n- [ ] three\n"
    session.apply(one)
    assert session.path.read_bytes() == b"# P\n\n- [ ] one\n- [ ] two\n- [ ] three\n"


def test_undo_and_redo_put_the_cursor_on_the_task_they_touch(session):
    result = session.apply(E.DeleteTask(session.key(by_text(session, "two"))))
    assert session.focus_after(result).text == "three"
    undone = session.undo()
    assert session.path.read_bytes() == b"# P\n\n- [ ] one\n- [/] two\n- [ ] three\n"
    assert session.focus_after(undone).text == "two", "the restored task"
    redone = session.redo()
    assert session.focus_after(redone).text == "three"
    toggled = session.apply(E.Toggle(session.key(by_text(session, "one"))))
    session.apply(E.Toggle(session.key(by_text(session, "three"))))
    session.undo()
    assert session.focus_after(session.undo()).text == "one" and toggled.changed


# --------------------------------------------------------------------- in the app
async def test_keys_on_sections_add_where_they_say(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        row = next(i for i, r in enumerate(tree.rows) if r.kind == "heading"
                   and tree.outline.headings[r.index].text == "Domain Logic & Business Rules")
        tree.cursor = row
        await pilot.pause()
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the prompt")
        assert "at the end of: Domain Logic & Business Rules" in str(app.screen.query_one(".prompt-title").content)
        await pilot.press(*"Cache rules", "enter")
        end = b"  - Publish through the existing outbox table, not directly to Redis\n  - **Estimated Time**: 3 hours\n\n"
        await wait_file(pilot, path, original.replace(
            end, end + b"- [ ] **Cache rules**\n  - **Estimated Time**: [X hours]\n\n", 1))
        assert tree.cursor_task is not None and tree.cursor_task.text == "**Cache rules**"
        await pilot.press("delete")
        await wait_file(pilot, path, original)
        assert tree.cursor_task is not None and tree.cursor_task.text.startswith("**Add domain events**"), (
            "after delete the cursor is on the neighbour, so a second delete acts on it")
        await pilot.press("u")
        await wait_for(pilot, lambda: b"Cache rules" in path.read_bytes(), what="the undo")
        await wait_for(pilot, lambda: tree.cursor_task is not None and tree.cursor_task.text == "**Cache rules**",
                       what="the restored task selected")
