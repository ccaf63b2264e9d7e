"""Moving tasks, renumbering and edits of several tasks at once, as edit values:
each planned on crafted bytes and checked on the WHOLE resulting bytes, its
re-parse and its undo (support.planned); through TasksFile for the progress
sync and the undo stack; and as properties of generated lists."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from mdgen import markdown_bytes
from support import SAMPLES_DIR, doc_state, heading_key, key_of
from support import edit as planned

from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc import patch as P
from tasktui.doc.edits.move import siblings
from tasktui.doc.model import HeadingKey
from tasktui.core.tasksfile import TasksFile


def move(data: bytes, ref: str, *, before: str | None = None, after: str | None = None,
         section: str | None = None) -> tuple[bytes, E.Plan]:
    return planned(data, lambda d: E.Move(
        key_of(d, ref),
        before=key_of(d, before) if before else None,
        after=key_of(d, after) if after else None,
        section=heading_key(d, section) if section else None,
    ))


def up(data: bytes, ref: str) -> bytes:
    """What the app's "Move task up" writes: one place up among its siblings."""
    return planned(data, lambda d: E.Move(key_of(d, ref), step=-1))[0]


def down(data: bytes, ref: str) -> bytes:
    return planned(data, lambda d: E.Move(key_of(d, ref), step=1))[0]


# ----------------------------------------------------------------------- moves

LIST = b"# Plan\n\n## One\n\n- [ ] a\n- [x] b\n  - [ ] b1\n  - detail of b\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n"


def test_move_up_and_down_among_siblings():
    assert up(LIST, "c") == b"# Plan\n\n## One\n\n- [ ] a\n- [ ] c\n- [x] b\n  - [ ] b1\n  - detail of b\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    assert down(LIST, "a") == b"# Plan\n\n## One\n\n- [x] b\n  - [ ] b1\n  - detail of b\n- [ ] a\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    # the item goes with its subtasks and details; the cursor's line is reported
    new, pl = move(LIST, "b", before="a")
    assert new == b"# Plan\n\n## One\n\n- [x] b\n  - [ ] b1\n  - detail of b\n- [ ] a\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    assert pl.details.line == 5 and pl.summary == "moved L6 b with 1 subtask(s) before L5 a"
    assert down(LIST, "b") == b"# Plan\n\n## One\n\n- [ ] a\n- [ ] c\n- [x] b\n  - [ ] b1\n  - detail of b\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    last = Document(down(LIST, "b"))
    assert E.neighbour(last, last.find(key_of(last, "b")), 1) is None  # the last of its list: nowhere further down


def test_move_a_subtask_among_its_siblings():
    data = b"- [ ] p\n  - [ ] one\n    more text\n  - [ ] two\n- [ ] q\n"
    assert up(data, "two") == b"- [ ] p\n  - [ ] two\n  - [ ] one\n    more text\n- [ ] q\n"
    assert E.neighbour(Document(data), Document(data).tasks[1], -1) is None  # the first child has no sibling above


def test_move_to_the_end_of_another_section():
    new, pl = move(LIST, "b", section="Two")
    assert new == b"# Plan\n\n## One\n\n- [ ] a\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n- [x] b\n  - [ ] b1\n  - detail of b\n"
    assert pl.details.line == 12
    assert Document(new).task_at_line(11).text == "b"
    assert Document(new).task_at_line(11).path == ("Plan", "Two")
    # and up to an earlier one
    new, pl = move(LIST, "e", section="One")
    assert new == b"# Plan\n\n## One\n\n- [ ] a\n- [x] b\n  - [ ] b1\n  - detail of b\n- [ ] c\n- [ ] e\n\n## Two\n\n- [ ] d\n"
    assert pl.details.line == 10


def test_a_subtask_moved_to_a_section_goes_to_its_top_level():
    new, _ = move(LIST, "b1", section="Two")
    assert new == b"# Plan\n\n## One\n\n- [ ] a\n- [x] b\n  - detail of b\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n- [ ] b1\n"
    # and a task moved after a subtask takes its depth
    new, _ = move(LIST, "d", after="b1")
    assert new == b"# Plan\n\n## One\n\n- [ ] a\n- [x] b\n  - [ ] b1\n  - [ ] d\n  - detail of b\n- [ ] c\n\n## Two\n\n- [ ] e\n"


def test_move_to_a_heading_without_tasks():
    data = b"# T\n\n## A\n\n- [ ] a\n- [ ] b\n\n## Done\n\nWhat is finished.\n## Notes\n- [ ] z"
    new, pl = move(data, "a", section="Done")
    assert new == b"# T\n\n## A\n\n- [ ] b\n\n## Done\n\nWhat is finished.\n\n- [ ] a\n\n## Notes\n- [ ] z"
    assert pl.details.line == 11
    # the last task of a file without a final line break: the file still has none
    new, _ = move(data, "z", section="Done")
    assert new == b"# T\n\n## A\n\n- [ ] a\n- [ ] b\n\n## Done\n\nWhat is finished.\n\n- [ ] z\n\n## Notes"


def test_move_keeps_crlf_and_a_missing_final_line_break():
    data = b"## A\r\n\r\n- [ ] a\r\n- [ ] b\r\n- [ ] c"
    assert up(data, "c") == b"## A\r\n\r\n- [ ] a\r\n- [ ] c\r\n- [ ] b"
    assert down(data, "b") == b"## A\r\n\r\n- [ ] a\r\n- [ ] c\r\n- [ ] b"
    assert move(data, "c", before="a")[0] == b"## A\r\n\r\n- [ ] c\r\n- [ ] a\r\n- [ ] b"
    assert move(data, "a", after="c")[0] == b"## A\r\n\r\n- [ ] b\r\n- [ ] c\r\n- [ ] a"
    crlf = b"## A\r\n- [ ] a\r\n  - d\r\n\r\n## B\r\n- [ ] b\r\n"
    assert move(crlf, "a", section="B")[0] == b"## A\r\n\r\n## B\r\n- [ ] b\r\n- [ ] a\r\n  - d\r\n"


def test_move_keeps_blank_lines_between_items():
    loose = b"## A\n\n- [ ] a\n\n- [ ] b\n  text\n\n- [ ] c\n\n## B\n\n- [ ] x\n\n- [ ] y\n"
    assert up(loose, "b") == b"## A\n\n- [ ] b\n  text\n\n- [ ] a\n\n- [ ] c\n\n## B\n\n- [ ] x\n\n- [ ] y\n"
    assert down(loose, "b") == b"## A\n\n- [ ] a\n\n- [ ] c\n\n- [ ] b\n  text\n\n## B\n\n- [ ] x\n\n- [ ] y\n"
    assert move(loose, "a", section="B")[0] == b"## A\n\n- [ ] b\n  text\n\n- [ ] c\n\n## B\n\n- [ ] x\n\n- [ ] y\n\n- [ ] a\n"
    # a tight list stays tight when a task from a loose one joins it
    tight = b"## A\n\n- [ ] a\n\n- [ ] b\n\n## B\n\n- [ ] x\n- [ ] y\n"
    assert move(tight, "b", section="B")[0] == b"## A\n\n- [ ] a\n\n## B\n\n- [ ] x\n- [ ] y\n- [ ] b\n"


KIRO = (b"# Implementation Plan\n\n- [x] 1. Setup\n  - detail\n  - _Requirements: 1.1_\n\n  - [x] 1.1 Layout\n    - d\n\n"
        b"  - [ ] 1.2 Interfaces\n    - d\n\n- [ ] 2. Models\n  - [ ] 2.1 Bookmark\n\n  - [ ] 2.2 Tags\n\n- [ ] 3. Storage\n")


def test_move_kiro_tasks_keeps_numbers_as_written():
    new = up(KIRO, "1.2")
    assert new == (b"# Implementation Plan\n\n- [x] 1. Setup\n  - detail\n  - _Requirements: 1.1_\n\n  - [ ] 1.2 Interfaces\n"
                   b"    - d\n\n  - [x] 1.1 Layout\n    - d\n\n- [ ] 2. Models\n  - [ ] 2.1 Bookmark\n\n  - [ ] 2.2 Tags\n\n"
                   b"- [ ] 3. Storage\n")
    assert down(KIRO, "2") == (b"# Implementation Plan\n\n- [x] 1. Setup\n  - detail\n  - _Requirements: 1.1_\n\n"
                               b"  - [x] 1.1 Layout\n    - d\n\n  - [ ] 1.2 Interfaces\n    - d\n\n- [ ] 3. Storage\n\n"
                               b"- [ ] 2. Models\n  - [ ] 2.1 Bookmark\n\n  - [ ] 2.2 Tags\n")
    # renumbered afterwards: only the digits change
    renumbered, pl = planned(down(KIRO, "2"), lambda d: E.Renumber(heading_key(d, "Implementation Plan")))
    assert renumbered == (b"# Implementation Plan\n\n- [x] 1. Setup\n  - detail\n  - _Requirements: 1.1_\n\n"
                          b"  - [x] 1.1 Layout\n    - d\n\n  - [ ] 1.2 Interfaces\n    - d\n\n- [ ] 2. Storage\n\n"
                          b"- [ ] 3. Models\n  - [ ] 3.1 Bookmark\n\n  - [ ] 3.2 Tags\n")
    assert pl.summary == "renumbered 4 number(s) under Implementation Plan"


SPECKIT = (b"# Tasks\n\n## Phase 1: Setup\n\n- [X] T001 Create structure\n- [ ] T002 [P] Add deps\n\n"
           b"## Phase 2: Core\n\n- [ ] T003 [US1] Model\n- [ ] T004 [US1] Service\n")


def test_move_speckit_tasks_keeps_their_ids():
    new, pl = move(SPECKIT, "T002", section="Phase 2: Core")
    assert new == (b"# Tasks\n\n## Phase 1: Setup\n\n- [X] T001 Create structure\n\n## Phase 2: Core\n\n"
                   b"- [ ] T003 [US1] Model\n- [ ] T004 [US1] Service\n- [ ] T002 [P] Add deps\n")
    assert Document(new).task_at_line(pl.details.line - 1).id == "T002"
    assert up(SPECKIT, "T004") == SPECKIT.replace(b"- [ ] T003 [US1] Model\n- [ ] T004 [US1] Service\n",
                                                  b"- [ ] T004 [US1] Service\n- [ ] T003 [US1] Model\n")
    with pytest.raises(E.EditError, match="not numbered"):
        planned(SPECKIT, lambda d: E.Renumber(heading_key(d, "Phase 2: Core")))


def test_move_in_numbered_and_mixed_lists():
    data = b"## A\n\n1. [ ] one\n2. [ ] two\n3. [ ] three\n\n## B\n\n- [ ] x\n"
    assert up(data, "three") == b"## A\n\n1. [ ] one\n3. [ ] three\n2. [ ] two\n\n## B\n\n- [ ] x\n"
    # joining a list of the other kind takes its marker
    assert move(data, "x", after="three")[0] == b"## A\n\n1. [ ] one\n2. [ ] two\n3. [ ] three\n4. [ ] x\n\n## B\n"
    assert move(data, "one", section="B")[0] == b"## A\n\n2. [ ] two\n3. [ ] three\n\n## B\n\n- [ ] x\n- [ ] one\n"


def test_a_task_joining_another_list_takes_its_bullet():
    data = b"## A\n\n- [ ] a\n* [ ] star\n  - detail\n\n## B\n\n+ [ ] x\n\n## C\n\n1) [ ] one\n"
    # among the items of its own list (only blank lines between) it keeps its marker
    assert up(data, "star") == b"## A\n\n* [ ] star\n  - detail\n- [ ] a\n\n## B\n\n+ [ ] x\n\n## C\n\n1) [ ] one\n"
    assert move(data, "star", section="B")[0] == b"## A\n\n- [ ] a\n\n## B\n\n+ [ ] x\n+ [ ] star\n  - detail\n\n## C\n\n1) [ ] one\n"
    # a number keeps its digits and takes the list's delimiter
    numbered = b"## A\n\n3. [ ] three\n\n## C\n\n1) [ ] one\n"
    assert move(numbered, "three", section="C")[0] == b"## A\n\n## C\n\n1) [ ] one\n3) [ ] three\n"


def test_keys_in_a_row_each_act_on_the_result_of_the_one_before():
    """An edit that depends on where a task is now is decided when it is planned: the
    same Move(step=-1), SetState(back=True) or ToggleAll planned on each new version
    moves one more place, sets then clears, turns all done then all open."""
    k = key_of(Document(LIST), "c")
    once = planned(LIST, lambda d: E.Move(k, step=-1))[0]
    twice = planned(once, lambda d: E.Move(k, step=-1))[0]
    assert twice == b"# Plan\n\n## One\n\n- [ ] c\n- [ ] a\n- [x] b\n  - [ ] b1\n  - detail of b\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    pl = E.plan(Document(twice), E.Move(k, step=-1))
    assert pl.patches == () and pl.summary == "L5 c is already the first of its list; m moves it to another section"
    doc = Document(LIST)
    p_key = E.SetState(key_of(doc, "a"), "in_progress", back=True)
    once = planned(LIST, lambda d: p_key)[0]
    assert once == LIST.replace(b"[ ] a", b"[/] a") and planned(once, lambda d: p_key)[0] == LIST
    marked = E.Batch(tuple(E.SetState(key_of(doc, r), "in_progress", back=True) for r in ("a", "c")))
    some = planned(LIST.replace(b"[ ] c", b"[/] c"), lambda d: marked)[0]
    assert some == LIST.replace(b"[ ] a", b"[/] a").replace(b"[ ] c", b"[/] c"), "not all had it: all get it"
    assert planned(some, lambda d: marked)[0] == LIST, "all had it: all back to open"
    space = E.toggle_all(doc, [doc.find(key_of(doc, r)) for r in ("a", "b")])
    assert space == E.ToggleAll((key_of(doc, "a"), key_of(doc, "b")))
    done = planned(LIST, lambda d: space)[0]
    assert done == LIST.replace(b"[ ] a", b"[x] a") and planned(done, lambda d: space)[0] == LIST.replace(b"[x] b", b"[ ] b")


def test_a_delete_or_move_refuses_a_task_that_changed_since_it_was_asked_for():
    doc = Document(LIST)
    b = doc.find(key_of(doc, "b"))
    seen = E.item_text(doc, b)
    assert seen == "- [\0] b\n  - [\0] b1\n  - detail of b", "its lines, its subtasks' too, marks left out"
    marks = Document(LIST.replace(b"[x] b", b"[ ] b").replace(b"[ ] b1", b"[x] b1"))
    assert E.item_text(marks, marks.find(key_of(marks, "b"))) == seen, "marks changed meanwhile are no change"
    new, _ = planned(LIST.replace(b"[ ] b1", b"[x] b1"), lambda d: E.DeleteTask(key_of(d, "b"), expect=seen))
    assert new == b"# Plan\n\n## One\n\n- [ ] a\n- [ ] c\n\n## Two\n\n- [ ] d\n- [ ] e\n"
    changed = Document(LIST.replace(b"detail of b", b"detail of b, rewritten"))
    for op in (E.DeleteTask(key_of(changed, "b"), expect=seen), E.Move(key_of(changed, "b"), step=1, expect=seen),
               E.Batch((E.DeleteTask(key_of(changed, "a")), E.DeleteTask(key_of(changed, "b"), expect=seen)))):
        with pytest.raises(E.ConflictError, match="^L6 b changed in the file since the (delete|move) was asked for: "
                                                  "nothing was written"):
            E.plan(changed, op)


def test_a_text_edit_never_writes_over_a_text_changed_since_it_began():
    data = b"- [ ] T002 Add config loader\n- [ ] T003 \xff odd\n"
    doc = Document(data)
    new, _ = planned(data, lambda d: E.EditText(d.keys[0], "Add the config loader", expect="T002 Add config loader"))
    assert new == data.replace(b"Add config loader", b"Add the config loader")
    theirs = Document(data.replace(b"Add config loader", b"Add config loader (env + file)"))
    with pytest.raises(E.TextChanged) as caught:
        E.plan(theirs, E.EditText(doc.keys[0], "Add the config loader", expect="T002 Add config loader"))
    assert (caught.value.theirs, caught.value.base, caught.value.mine) == (
        "T002 Add config loader (env + file)", "T002 Add config loader", "Add the config loader")
    assert str(caught.value) == ("the text of L1 T002 Add config loader (env + file) is not 'T002 Add config loader' "
                                 "any more: another program changed it; nothing was written")
    # the text as --json shows it (U+FFFD for a byte that is not UTF-8) is the text
    new, _ = planned(data, lambda d: E.EditText(d.keys[1], "fine", expect="T003 \ufffd odd"))
    assert new == b"- [ ] T002 Add config loader\n- [ ] T003 fine\n"


def test_moves_that_change_nothing_say_so():
    doc = Document(LIST)
    pl = E.plan(doc, E.Move(key_of(doc, "c"), section=heading_key(doc, "One")))
    assert pl.patches == () and pl.summary == "L9 c is already the last task under One"
    pl = E.plan(doc, E.Move(key_of(doc, "c"), after=key_of(doc, "b")))
    assert pl.patches == () and "already after" in pl.summary


def test_refused_moves():
    doc = Document(LIST)
    with pytest.raises(E.EditError, match="cannot move next to itself or into its own subtasks"):
        E.plan(doc, E.Move(key_of(doc, "b"), after=key_of(doc, "b1")))
    with pytest.raises(E.EditError, match="cannot move next to itself"):
        E.plan(doc, E.Move(key_of(doc, "b"), before=key_of(doc, "b")))
    with pytest.raises(E.EditError, match="say where the task goes"):
        E.plan(doc, E.Move(key_of(doc, "b")))
    with pytest.raises(E.EditError, match="say where the task goes"):
        E.plan(doc, E.Move(key_of(doc, "b"), before=key_of(doc, "a"), section=heading_key(doc, "Two")))
    with pytest.raises(E.ConflictError, match="'Gone' is no longer in the file"):
        E.plan(doc, E.Move(key_of(doc, "b"), section=HeadingKey(("Plan", "Gone"), 0)))
    keyed = Document(b"**Legend:**\n\n- [ ] to do\n- [x] done\n\n## Work\n\n- [ ] a\n- [ ] b\n")
    assert keyed.tasks[0].legend
    with pytest.raises(E.EditError, match="legend"):
        E.plan(keyed, E.Move(keyed.keys[0], section=heading_key(keyed, "Work")))
    with pytest.raises(E.EditError, match="legend"):
        E.plan(keyed, E.Move(keyed.keys[2], after=keyed.keys[1]))


def test_a_move_that_would_not_read_back_is_refused(tmp_path):
    # an ordered item numbered 3 cannot start a list right after a paragraph line:
    # it would read as more of the paragraph, so the move is refused, nothing written
    data = b"## A\n\nSome text\n1. [ ] a\n\n## B\n\n3. [ ] b\n"
    doc = Document(data)
    pl = E.plan(doc, E.Move(key_of(doc, "b"), before=key_of(doc, "a")))
    assert pl.expect(doc, Document(P.apply(data, pl.patches))) == "the moved lines would not read as the same tasks there"
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    tf = TasksFile(path)
    with pytest.raises(E.EditError, match="would not read as the same tasks there; nothing was written"):
        tf.apply(E.Move(key_of(tf.doc, "b"), before=key_of(tf.doc, "a")))
    assert path.read_bytes() == data


# ------------------------------------------------------------------ renumber


def test_renumber_ordered_lists_changes_only_the_digits():
    data = b"## A\n\n3. [ ] c\n1. [ ] a\n2. [ ] b\n   1. [ ] b2\n   1. [ ] b1\n\n## B\n\n7) [ ] x\n"
    new, pl = planned(data, lambda d: E.Renumber(heading_key(d, "A")))
    assert new == b"## A\n\n1. [ ] c\n2. [ ] a\n3. [ ] b\n   1. [ ] b2\n   2. [ ] b1\n\n## B\n\n7) [ ] x\n"
    assert pl.summary == "renumbered 4 number(s) under A"
    again = E.plan(Document(new), E.Renumber(heading_key(Document(new), "A")))
    assert again.patches == () and again.summary == "the numbers under A are already in order"


def test_renumber_openspec_ids_from_the_heading():
    data = b"## 1. Setup\n\n- [ ] 1.1 a\n\n## 2. Backend\n\n- [x] 2.2 b\n- [ ] 1.2 moved here\n- [ ] **2.1** c\n"
    new, pl = planned(data, lambda d: E.Renumber(heading_key(d, "2. Backend")))
    assert new == b"## 1. Setup\n\n- [ ] 1.1 a\n\n## 2. Backend\n\n- [x] 2.1 b\n- [ ] 2.2 moved here\n- [ ] **2.3** c\n"
    assert pl.summary == "renumbered 3 number(s) under 2. Backend"


def test_renumber_kiro_lists_across_headings_continue_the_numbers():
    data = (b"# Plan\n\n## Part A\n\n- [ ] 1. a\n- [ ] 2. b\n- [ ] 4. moved\n  - [ ] 4.1 sub\n\n"
            b"## Part B\n\n- [ ] 3. c\n- [ ] 5. d\n")
    step1, _ = planned(data, lambda d: E.Renumber(heading_key(d, "Part A")))
    assert step1 == data.replace(b"4. moved\n  - [ ] 4.1", b"3. moved\n  - [ ] 3.1")
    step2, _ = planned(step1, lambda d: E.Renumber(heading_key(d, "Part B")))
    assert step2 == step1.replace(b"3. c\n- [ ] 5. d", b"4. c\n- [ ] 5. d")
    # files whose lists each start at 1 start again at 1
    restart = b"## A\n\n- [ ] 1. a\n- [ ] 2. b\n\n## B\n\n- [ ] 1. c\n- [ ] 3. d\n"
    assert planned(restart, lambda d: E.Renumber(heading_key(d, "B")))[0] == restart.replace(b"3. d", b"2. d")


def test_renumber_refusals():
    plain = b"## A\n\n- [ ] a\n- [ ] b\n"
    with pytest.raises(E.EditError, match="the tasks under A are not numbered: there is nothing to renumber"):
        E.plan(Document(plain), E.Renumber(heading_key(Document(plain), "A")))
    # a wider number would take the subtasks out of their parent: refused by the check
    data = b"## A\n\n" + b"".join(b"%d. [ ] t%d\n" % (n, n) for n in range(1, 10)) + b"8. [ ] last\n   1. [ ] sub\n"
    doc = Document(data)
    pl = E.plan(doc, E.Renumber(heading_key(doc, "A")))
    assert pl.expect(doc, Document(P.apply(data, pl.patches))) is not None


# -------------------------------------------------------------- several tasks

MANY = b"## A\n\n- [ ] a\n- [x] b\n  - [ ] b1\n- [/] c\n\n- [ ] d\n\n## B\n\n- [ ] e\n"


def test_batch_toggle_all_done_then_all_open():
    new, pl = planned(MANY, lambda d: E.toggle_all(d, [d.find(key_of(d, r)) for r in ("a", "b", "c")]))
    assert new == MANY.replace(b"[ ] a", b"[x] a").replace(b"[/] c", b"[x] c")
    assert pl.summary == "2 task(s) -> [x]: L3, L6" and pl.details.lines == (3, 6)
    back, _ = planned(new, lambda d: E.toggle_all(d, [d.find(key_of(d, r)) for r in ("a", "b", "c")]))
    assert back == MANY.replace(b"[x] b", b"[ ] b").replace(b"[/] c", b"[ ] c")


def test_batch_set_state_and_toggle_each():
    new, _ = planned(MANY, lambda d: E.Batch(tuple(E.SetState(key_of(d, r), "in_progress") for r in ("a", "b1", "e"))))
    assert new == MANY.replace(b"[ ] a", b"[/] a").replace(b"[ ] b1", b"[/] b1").replace(b"[ ] e", b"[/] e")
    new, _ = planned(MANY, lambda d: E.Batch((E.Toggle(key_of(d, "a")), E.Toggle(key_of(d, "b")))))
    assert new == MANY.replace(b"[ ] a", b"[x] a").replace(b"[x] b", b"[ ] b")
    doc = Document(MANY)
    pl = E.plan(doc, E.Batch((E.SetState(key_of(doc, "b"), "done"),)))
    assert pl.patches == () and pl.summary == "1 task(s) already [x]: L4"


def test_batch_delete_takes_runs_and_subtasks_once():
    new, pl = planned(MANY, lambda d: E.Batch(tuple(E.DeleteTask(key_of(d, r)) for r in ("b", "b1", "c", "e"))))
    assert new == b"## A\n\n- [ ] a\n\n- [ ] d\n\n## B\n"
    assert pl.summary == "deleted 3 task(s): L4, L6, L12 and 1 subtask(s)" and pl.details.removed == 4
    assert new.split(b"\n")[pl.details.cursor - 1] == b"- [ ] d", "the cursor: the task after the last deleted"
    new, pl = planned(MANY, lambda d: E.Batch(tuple(E.DeleteTask(key_of(d, r)) for r in ("a", "d"))))
    assert new == b"## A\n\n- [x] b\n  - [ ] b1\n- [/] c\n\n## B\n\n- [ ] e\n"
    assert new.split(b"\n")[pl.details.cursor - 1] == b"- [/] c", "e is under another heading: the one before"
    new, pl = planned(MANY, lambda d: E.Batch(tuple(E.DeleteTask(key_of(d, r)) for r in ("c", "d", "e"))))
    assert new.split(b"\n")[pl.details.cursor - 1] == b"- [x] b"


def test_batch_refusals():
    doc = Document(MANY)
    with pytest.raises(E.EditError, match="only mark changes or deletions"):
        E.plan(doc, E.Batch((E.Toggle(doc.keys[0]), E.DeleteTask(doc.keys[1]))))
    with pytest.raises(E.EditError, match="no tasks"):
        E.plan(doc, E.Batch(()))
    gone = doc.keys[0]._replace(text="not there")
    with pytest.raises(E.ConflictError, match="not there"):
        E.plan(doc, E.Batch((E.Toggle(doc.keys[1]), E.Toggle(gone))))


# ------------------------------------------------------ through TasksFile: sync, undo


def test_move_across_phases_keeps_progress_tracking_true(tmp_path):
    path = tmp_path / "tasks.md"
    original = (SAMPLES_DIR / "template-project.md").read_bytes()
    path.write_bytes(original)
    tf = TasksFile(path, sync=True)
    before = [c.status for c in tf.doc.completion]
    assert before == ["complete", "in_progress", "not_started", "not_started"]
    # Phase 2's open tasks go to Phase 3 and its last one is ticked: Phase 2 is complete
    for ref in ("Implement input validation", "Create service unit tests", "Add integration tests"):
        phase3 = next(k for h, k in zip(tf.doc.headings, tf.doc.heading_keys) if h.text.startswith("Phase 3"))
        tf.apply(E.Move(key_of(tf.doc, ref), section=phase3))
    tf.apply(E.Toggle(key_of(tf.doc, "Add domain events")))
    doc = Document(path.read_bytes())
    from tasktui.doc.rollup import RollUp

    assert [c.status for c in doc.completion] == [RollUp(doc).phase_status[c.phase] for c in doc.completion]
    assert [c.status for c in doc.completion][:2] == ["complete", "complete"]
    assert E.sync_patches(doc, RollUp(doc)) == []
    assert len(tf.undo_stack) == 4
    while tf.undo_stack:
        tf.undo()
    assert path.read_bytes() == original


def test_batch_is_one_write_and_one_undo(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(MANY)
    tf = TasksFile(path)
    tf.apply(E.Batch(tuple(E.DeleteTask(key_of(tf.doc, r)) for r in ("a", "c", "e"))))
    assert path.read_bytes() == b"## A\n\n- [x] b\n  - [ ] b1\n\n- [ ] d\n\n## B\n"
    assert len(tf.undo_stack) == 1
    tf.undo()
    assert path.read_bytes() == MANY
    tf.redo()
    assert path.read_bytes() == b"## A\n\n- [x] b\n  - [ ] b1\n\n- [ ] d\n\n## B\n"


# ------------------------------------------------------------------ properties


@st.composite
def task_lists(draw):
    """A file of headings over bullet lists (each its own bullet), some items with
    details and subtasks, tight or loose, LF or CRLF, with or without a final line break."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = ["# Plan", ""]
    n = 0
    for h in range(draw(st.integers(1, 3))):
        lines += [f"## Part {h}", ""]
        loose = draw(st.booleans())
        bullet = draw(st.sampled_from("-*+"))
        for _ in range(draw(st.integers(0, 4))):
            n += 1
            lines.append(f"{bullet} [{draw(st.sampled_from(' xX/'))}] task {n}")
            for _ in range(draw(st.integers(0, 2))):
                lines.append(f"  - detail {n}")
            for _ in range(draw(st.integers(0, 2))):
                n += 1
                lines.append(f"  - [ ] task {n}")
            if loose:
                lines.append("")
        if lines[-1]:
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return text.encode()


def _line_texts(data: bytes) -> Counter:
    return Counter(Document(data).source.lines)


@given(task_lists(), st.data())
def test_property_a_move_and_its_inverse_restore_the_bytes(data, draw):
    doc = Document(data)
    if not doc.tasks:
        return
    task = doc.tasks[draw.draw(st.integers(0, len(doc.tasks) - 1), label="task")]
    step = draw.draw(st.sampled_from([-1, 1]), label="step")
    other = E.neighbour(doc, task, step)
    sibs = siblings(doc, task)  # the whole list, the slow way: the neighbour is the one next to it
    at = sibs.index(task) + step
    assert other == (sibs[at] if 0 <= at < len(sibs) else None)
    event("no sibling that way" if other is None else "moved")
    if other is None:
        return
    key, okey = doc.keys[task.index], doc.keys[other.index]
    there, _ = planned(data, lambda d: E.Move(key, before=okey) if step < 0 else E.Move(key, after=okey))
    assert _line_texts(there) == _line_texts(data)  # only places change
    moved = Document(there)
    back = E.Move(key, after=okey) if step < 0 else E.Move(key, before=okey)
    again, _ = planned(there, lambda d: back)
    assert again == data
    assert len(moved.tasks) == len(doc.tasks)


@given(task_lists(), st.data())
def test_property_moves_to_sections_keep_every_line(data, draw):
    doc = Document(data)
    if not doc.tasks or len(doc.headings) < 2:
        return
    task = doc.tasks[draw.draw(st.integers(0, len(doc.tasks) - 1), label="task")]
    h = draw.draw(st.integers(1, len(doc.headings) - 1), label="heading")
    new, pl = planned(data, lambda d: E.Move(d.keys[task.index], section=d.heading_keys[h]))
    event("moved" if pl.patches else "already there")
    def texts(b: bytes) -> Counter:  # the lines without their indent and bullet
        return Counter(line.lstrip()[1:] for line in Document(b).source.lines if line.strip())

    assert texts(new) == texts(data)  # depth and bullet may change, nothing else
    after = Document(new)
    if pl.patches:
        assert after.task_at_line(pl.details.line - 1).text == task.text
        assert after.task_at_line(pl.details.line - 1).path == doc.heading_keys[h].path


@given(markdown_bytes(), st.data())
def test_property_moves_on_generated_markdown_are_refused_or_right(data, draw):
    """Whatever the file: a move is refused (EditError, or its check finds a problem)
    or it re-parses as planned and its undo restores the bytes."""
    doc = Document(data)
    if not doc.tasks or doc.read_only_reason:
        event("no tasks, or NUL bytes")
        return
    task = doc.tasks[draw.draw(st.integers(0, len(doc.tasks) - 1), label="task")]
    other = doc.tasks[draw.draw(st.integers(0, len(doc.tasks) - 1), label="other")]
    kind = draw.draw(st.sampled_from(["before", "after", "section"]), label="kind")
    if kind == "section":
        if not doc.headings:
            event("no headings")
            return
        op = E.Move(doc.keys[task.index], section=doc.heading_keys[draw.draw(st.integers(0, len(doc.headings) - 1))])
    else:
        op = E.Move(doc.keys[task.index], **{kind: doc.keys[other.index]})
    try:
        pl = E.plan(doc, op)
    except E.EditError:
        event("refused when planned")
        return
    new = P.apply(data, pl.patches)
    fresh = Document(new)
    assert doc_state(doc.patched(pl.patches)) == doc_state(fresh)
    event("nothing to do" if not pl.patches else "refused by its check" if pl.expect(doc, fresh) else "moved")
    if pl.patches and pl.expect(doc, fresh) is None:
        undo = E.restore_for(data, fresh, pl.patches, "undo")
        assert P.apply(new, E.plan(fresh, undo).patches) == data
        assert fresh.task_at_line(pl.details.line - 1).text == task.text
