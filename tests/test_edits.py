"""Edits as minimal patches: each operation is checked on the WHOLE resulting bytes
of small crafted files; the toggle contract over every task of every real file;
undo; writes through TasksFile that re-plan on outside changes; two processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdgen import markdown_bytes
from support import REPO, SAMPLES_DIR, corpus_names, corpus_params, doc_state, edit, hold_lock, sample_names, task_key
from tasktui.storage import store
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc import parse as parse_mod
from tasktui.doc import patch as P
from tasktui.doc.source import encode
from tasktui.core.tasksfile import TasksFile

# ---------------------------------------------------------------------------- helpers


def changed_bytes(a: bytes, b: bytes) -> list[int]:
    assert len(a) == len(b)
    return [i for i in range(len(a)) if a[i] != b[i]]


# -------------------------------------------------------------------- marks


def test_toggle_uses_the_files_majority_done_mark():
    data = b"- [ ] a\n- [x] b\n- [X] c\n- [X] d\n"
    new, pl = edit(data, lambda d: E.Toggle(task_key(d, "a")))
    assert new == b"- [X] a\n- [x] b\n- [X] c\n- [X] d\n"
    assert pl.details.as_dict() == {"line": 1, "old": " ", "mark": "X"}
    new, _ = edit(data, lambda d: E.Toggle(task_key(d, "b")))
    assert new == b"- [ ] a\n- [ ] b\n- [X] c\n- [X] d\n"


def test_toggle_default_done_mark_by_dialect():
    speckit = b"## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n"
    assert edit(speckit, lambda d: E.Toggle(task_key(d, "T001")))[0] == b"## Phase 1\n- [X] T001 a\n- [ ] T002 b\n"
    generic = b"- [ ] a\n- [ ] b\n"
    assert edit(generic, lambda d: E.Toggle(task_key(d, "a")))[0] == b"- [x] a\n- [ ] b\n"


def test_toggle_other_marks_go_to_done_and_never_cascade():
    data = b"- [/] parent\n  - [ ] child\n- [-] dropped\n- [?] odd\n"
    assert edit(data, lambda d: E.Toggle(task_key(d, "parent")))[0] == b"- [x] parent\n  - [ ] child\n- [-] dropped\n- [?] odd\n"
    assert edit(data, lambda d: E.Toggle(task_key(d, "dropped")))[0] == b"- [/] parent\n  - [ ] child\n- [x] dropped\n- [?] odd\n"
    assert edit(data, lambda d: E.Toggle(task_key(d, "odd")))[0] == b"- [/] parent\n  - [ ] child\n- [-] dropped\n- [x] odd\n"


def test_toggle_in_odd_places():
    data = "> - [ ] quoted\n1) [ ]* optional\n\t-\t[ ] tabbed\n-\n  [ ] next line\n- [ ] café ☕\r\n".encode()
    for ref, want in [
        ("quoted", "> - [x] quoted\n1) [ ]* optional\n\t-\t[ ] tabbed\n-\n  [ ] next line\n- [ ] café ☕\r\n"),
        ("optional", "> - [ ] quoted\n1) [x]* optional\n\t-\t[ ] tabbed\n-\n  [ ] next line\n- [ ] café ☕\r\n"),
        ("tabbed", "> - [ ] quoted\n1) [ ]* optional\n\t-\t[x] tabbed\n-\n  [ ] next line\n- [ ] café ☕\r\n"),
        ("next line", "> - [ ] quoted\n1) [ ]* optional\n\t-\t[ ] tabbed\n-\n  [x] next line\n- [ ] café ☕\r\n"),
        ("café", "> - [ ] quoted\n1) [ ]* optional\n\t-\t[ ] tabbed\n-\n  [ ] next line\n- [x] café ☕\r\n"),
    ]:
        assert edit(data, lambda d: E.Toggle(task_key(d, ref)))[0] == want.encode(), ref


KIRO = b"# Implementation Plan\n\n- [x] 1. Setup\n  - detail\n  - _Requirements: 1.1_\n\n  - [ ] 1.1 Sub one\n    - d\n\n- [ ] 2. Models\n"


@pytest.mark.parametrize(
    "state, mark",
    [("in_progress", b"-"), ("queued", b"~"), ("todo", b" "), ("done", b"x")],
)
def test_set_state_in_kiro_files(state, mark):
    data = KIRO.replace(b"- [ ] 1.1", b"- [/] 1.1")
    new, _ = edit(data, lambda d: E.SetState(task_key(d, "1.1"), state))
    assert new == KIRO.replace(b"- [ ] 1.1", b"- [" + mark + b"] 1.1")
    assert Document(new).tasks[1].state == state


@pytest.mark.parametrize("state, mark", [("in_progress", b"/"), ("cancelled", b"-"), ("todo", b" "), ("done", b"x")])
def test_set_state_elsewhere(state, mark):
    data = b"# TODO\n- [?] a\n- [ ] b\n"
    new, _ = edit(data, lambda d: E.SetState(task_key(d, "a"), state))
    assert new == b"# TODO\n- [" + mark + b"] a\n- [ ] b\n"
    assert Document(new).tasks[0].state == state


def test_set_state_refuses_what_the_dialect_cannot_say():
    with pytest.raises(E.EditError, match="cancelled"):
        E.plan(Document(KIRO), E.SetState(task_key(Document(KIRO), "1.1"), "cancelled"))
    generic = Document(b"- [ ] a\n")
    assert E.plan(generic, E.SetState(generic.keys[0], "queued")).summary.endswith("[ ] -> [~]")  # [~] is queued everywhere
    keyed = Document(b"Legend:\n- [ ] to do\n- [x] done\n- [?] waiting on review\n\nTasks:\n\n- [ ] a\n")
    with pytest.raises(E.EditError, match="this file's legend has no mark for in progress"):
        E.plan(keyed, E.SetState(keyed.keys[3], "in_progress"))
    with pytest.raises(E.EditError, match="unknown state"):
        E.plan(generic, E.SetState(generic.keys[0], "bogus"))


def test_setting_the_current_state_changes_nothing():
    doc = Document(b"- [x] a\n")
    pl = E.plan(doc, E.SetState(doc.keys[0], "done"))
    assert pl.patches == () and "already" in pl.summary


# ----------------------------------------------------------------- add tasks

SPECKIT = b"## Phase 1\n\n- [X] T001 Setup\n- [ ] T002 [P] Models\n\n## Phase 2\n\n- [ ] T003 [US1] Service\n"


def test_add_task_after_with_the_next_free_id():
    new, pl = edit(SPECKIT, lambda d: E.AddTask("Write docs", after=task_key(d, "T002")))
    assert new == b"## Phase 1\n\n- [X] T001 Setup\n- [ ] T002 [P] Models\n- [ ] T004 Write docs\n\n## Phase 2\n\n- [ ] T003 [US1] Service\n"
    assert pl.details.as_dict() == {"line": 5, "text": "T004 Write docs", "id": "T004"}


def test_add_task_at_the_end_and_under():
    new, _ = edit(SPECKIT, lambda d: E.AddTask("Write docs"))
    assert new == SPECKIT + b"- [ ] T004 Write docs\n"
    new, _ = edit(SPECKIT, lambda d: E.AddTask("Sub step", under=task_key(d, "T001")))
    assert new == b"## Phase 1\n\n- [X] T001 Setup\n  - [ ] T004 Sub step\n- [ ] T002 [P] Models\n\n## Phase 2\n\n- [ ] T003 [US1] Service\n"


def test_add_task_writes_its_id_bold_where_the_neighbours_are():
    data = b"## Phase 1\n\n- [ ] **T001** [P] Set up\n- [ ] **T002** Write\n"
    new, pl = edit(data, lambda d: E.AddTask("Ship it", after=task_key(d, "T002")))
    assert new == data + b"- [ ] **T003** Ship it\n"
    assert Document(new).tasks[-1].id == "T003"


def test_add_task_keeps_an_id_the_user_typed():
    new, _ = edit(SPECKIT, lambda d: E.AddTask("T010 Typed id", after=task_key(d, "T003")))
    assert new == SPECKIT + b"- [ ] T010 Typed id\n"


def test_add_task_kiro_numbering():
    new, _ = edit(KIRO, lambda d: E.AddTask("Sub two", under=task_key(d, "Setup")))
    assert new == KIRO.replace(b"    - d\n\n- [ ] 2.", b"    - d\n  - [ ] 1.2 Sub two\n\n- [ ] 2.")
    new, _ = edit(KIRO, lambda d: E.AddTask("Sub two", after=task_key(d, "1.1")))
    assert new == KIRO.replace(b"    - d\n\n- [ ] 2.", b"    - d\n  - [ ] 1.2 Sub two\n\n- [ ] 2.")
    new, pl = edit(KIRO, lambda d: E.AddTask("Third", after=task_key(d, "Models")))
    assert new == KIRO + b"\n- [ ] 3. Third\n", "set apart by a blank line, as its neighbours are"
    assert pl.details.id == "3"
    new, _ = edit(KIRO, lambda d: E.AddTask("First sub", under=task_key(d, "Models")))
    assert new == KIRO + b"  - [ ] 2.1 First sub\n"


def test_add_task_in_numbered_lists_and_other_bullets():
    numbered = b"1. [x] One\n2. [ ] Two\n3. [ ] Three\n"
    assert edit(numbered, lambda d: E.AddTask("Four", after=task_key(d, "Three")))[0] == numbered + b"4. [ ] Four\n"
    # only the new line is written: later items keep their numbers (markdown renumbers them)
    assert edit(numbered, lambda d: E.AddTask("Mid", after=task_key(d, "One")))[0] == b"1. [x] One\n2. [ ] Mid\n2. [ ] Two\n3. [ ] Three\n"
    paren = b"1) [ ] a\n"
    assert edit(paren, lambda d: E.AddTask("b", after=task_key(d, "a")))[0] == b"1) [ ] a\n2) [ ] b\n"
    assert edit(paren, lambda d: E.AddTask("child", under=task_key(d, "a")))[0] == b"1) [ ] a\n   1) [ ] child\n"
    stars = b"* [ ] a\n    * [ ] deep\n"
    assert edit(stars, lambda d: E.AddTask("deeper", after=task_key(d, "deep")))[0] == b"* [ ] a\n    * [ ] deep\n    * [ ] deeper\n"
    quoted = b"> - [ ] a\n> - [ ] b\n"
    assert edit(quoted, lambda d: E.AddTask("c", after=task_key(d, "b")))[0] == b"> - [ ] a\n> - [ ] b\n> - [ ] c\n"


def test_add_task_goes_after_the_details():
    data = b"- [ ] a\n  - detail\n  - [ ] child\n\n    more\n- [ ] b\n"
    assert edit(data, lambda d: E.AddTask("new", after=task_key(d, "a")))[0] == b"- [ ] a\n  - detail\n  - [ ] child\n\n    more\n- [ ] new\n- [ ] b\n"


def test_inserted_lines_copy_the_line_ending():
    crlf = b"- [ ] a\r\n- [ ] b\r\n"
    assert edit(crlf, lambda d: E.AddTask("c", after=task_key(d, "a")))[0] == b"- [ ] a\r\n- [ ] c\r\n- [ ] b\r\n"
    mixed = b"- [ ] a\r- [ ] b\n- [ ] c\n"
    assert edit(mixed, lambda d: E.AddTask("new", after=task_key(d, "a")))[0] == b"- [ ] a\r- [ ] new\r- [ ] b\n- [ ] c\n"
    # the last line has no ending: the new one gets the file's majority, and the file still has no final newline
    last = b"Title\r\n\r\n- [ ] a\r\n- [ ] b"
    assert edit(last, lambda d: E.AddTask("c", after=task_key(d, "b")))[0] == b"Title\r\n\r\n- [ ] a\r\n- [ ] b\r\n- [ ] c"


@pytest.mark.parametrize(
    "data, want",
    [
        (b"# Empty\n", b"# Empty\n\n- [ ] c\n"),
        (b"# Empty\r\n\r\n", b"# Empty\r\n\r\n- [ ] c\r\n"),
        (b"# Empty", b"# Empty\n- [ ] c"),
        (b"", b"- [ ] c\n"),
        (b"<div>\n", b"<div>\n\n- [ ] c\n"),
    ],
)
def test_add_the_first_task(data, want):
    """Regression: a file with no tasks lost its final line break when a task was added."""
    new, pl = edit(data, lambda d: E.AddTask("c"))
    assert new == want
    assert Document(new).tasks[0].line + 1 == pl.details.line


def test_add_task_refusals():
    doc = Document(b"- [ ] a\n")
    with pytest.raises(E.EditError):
        E.plan(doc, E.AddTask("   "))
    with pytest.raises(E.EditError):
        E.plan(doc, E.AddTask("two\nlines"))


# -------------------------------------------------------------- edit and delete


def test_edit_text():
    assert edit(b"- [ ] old text  \n- [x] b\n", lambda d: E.EditText(task_key(d, "old"), "new text"))[0] == b"- [ ] new text  \n- [x] b\n"
    assert edit(b"- [ ]* old\r\n", lambda d: E.EditText(task_key(d, "old"), " new "))[0] == b"- [ ]* new\r\n"
    assert edit("- [x]  vieux café\n".encode(), lambda d: E.EditText(task_key(d, "vieux"), "neuf ☕"))[0] == "- [x]  neuf ☕\n".encode()
    with pytest.raises(E.EditError):
        E.plan(Document(b"- [ ] a\n"), E.EditText(Document(b"- [ ] a\n").keys[0], ""))


def test_edit_text_of_a_task_with_no_text_yet():
    """Regression (found by the property test): with only whitespace after the checkbox
    the plan made an inverted patch (start > end) that doubled a byte and broke undo."""
    data = b"-\n  [ ] \n  continued\n"
    new, pl = edit(data, lambda d: E.EditText(d.keys[0], "new text"))
    assert new == b"-\n  [ ] new text\n  continued\n"
    assert all(p.start <= p.end for p in pl.patches)
    assert edit(b"- [ ]* \r\n  x\r\n", lambda d: E.EditText(d.keys[0], "t"))[0] == b"- [ ]* t\r\n  x\r\n"


def test_patches():
    data = b"0123456789"
    patches = [P.Patch(2, 4, b"ab"), P.Patch(6, 6, b"XYZ"), P.Patch(8, 10, b"")]
    new = P.apply(data, reversed(patches))
    assert new == b"01ab45XYZ67"
    assert P.apply(new, P.inverse(data, patches)) == data
    second = [P.Patch(0, 1, b"_")]
    assert P.apply(data, P.compose(patches, second)) == P.apply(new, second) == b"_1ab45XYZ67"
    with pytest.raises(P.PatchError):
        P.apply(data, [P.Patch(1, 5, b""), P.Patch(3, 6, b"")])


def test_delete_with_details_and_children():
    data = b"- [ ] a\n  - d1\n  - [ ] child\n    - dd\n\n- [ ] b\n"
    new, pl = edit(data, lambda d: E.DeleteTask(task_key(d, "a")))
    assert new == b"\n- [ ] b\n"
    assert pl.details.as_dict() == {"line": 1, "removed": 2}
    assert edit(data, lambda d: E.DeleteTask(task_key(d, "child")))[0] == b"- [ ] a\n  - d1\n\n- [ ] b\n"


def test_delete_the_last_task():
    assert edit(b"- [ ] a\n- [ ] b\n  - d", lambda d: E.DeleteTask(task_key(d, "b")))[0] == b"- [ ] a"
    assert edit(b"- [ ] a\r\n- [ ] b\r\n", lambda d: E.DeleteTask(task_key(d, "b")))[0] == b"- [ ] a\r\n"


# ---------------------------------------------------------------------- time

TIMED = (
    b"# T\r\n\r\n## Phase 1: A\r\n\r\n- [ ] **Do it**\r\n  * Detail\r\n  * **Estimated Time**: 3 hours\r\n  * Other\r\n"
    b"\r\n- [x] **B**\r\n  - **Estimated Time**: 90 minutes\r\n"
)


def test_add_time_creates_actual_time_after_the_estimate_crlf():
    new, pl = edit(TIMED, lambda d: E.AddTime(task_key(d, "Do it"), 1.5))
    assert new == TIMED.replace(b"3 hours\r\n", b"3 hours\r\n  * **Actual Time**: 1.5 hours\r\n")
    assert pl.details.as_dict() == {"line": 5, "label": "Actual Time", "hours": 1.5, "value": "1.5 hours", "added_hours": 1.5}
    again, _ = edit(new, lambda d: E.AddTime(task_key(d, "Do it"), 0.25))
    assert again == TIMED.replace(b"3 hours\r\n", b"3 hours\r\n  * **Actual Time**: 1.75 hours\r\n")
    assert Document(again).tasks[0].actual_hours == 1.75


def test_set_time_replaces_the_booked_time_crlf():
    """SetTime, a correction: the Actual Time becomes what is given, in place, or a bullet
    beside the estimate as AddTime writes it; undo gives back the bytes."""
    booked, _ = edit(TIMED, lambda d: E.AddTime(task_key(d, "Do it"), 5))
    new, pl = edit(booked, lambda d: E.SetTime(task_key(d, "Do it"), 2))
    assert new == TIMED.replace(b"3 hours\r\n", b"3 hours\r\n  * **Actual Time**: 2 hours\r\n")
    assert pl.details.as_dict() == {"line": 5, "label": "Actual Time", "hours": 2.0, "value": "2 hours"}
    assert pl.summary.startswith("L5 ") and pl.summary.endswith(": Actual Time 2 hours")
    fresh, _ = edit(TIMED, lambda d: E.SetTime(task_key(d, "**B**"), 0.5))  # none yet: written in the estimate's unit
    assert fresh == TIMED + b"  - **Actual Time**: 30 minutes\r\n"
    zero, _ = edit(new, lambda d: E.SetTime(task_key(d, "Do it"), 0))
    assert zero == TIMED.replace(b"3 hours\r\n", b"3 hours\r\n  * **Actual Time**: 0 hours\r\n")
    assert Document(zero).tasks[0].actual_hours == 0


def test_set_time_on_a_heading_sets_its_own_actual_time():
    data = b"# P\n\n#### Task 1: Setup\n- **Estimated Time**: 2 hours\n- **Actual Time**: 4 hours\n- [ ] a\n"
    new, pl = edit(data, lambda d: E.SetTime(d.heading_keys[1], 1.5))
    assert new == data.replace(b"Actual Time**: 4 hours", b"Actual Time**: 1.5 hours")
    assert pl.details.added_hours is None
    added, _ = edit(data, lambda d: E.AddTime(d.heading_keys[1], 1.5))
    assert added == data.replace(b"Actual Time**: 4 hours", b"Actual Time**: 5.5 hours")


def test_add_time_in_minutes_when_the_estimate_is_in_minutes():
    new, _ = edit(TIMED, lambda d: E.AddTime(task_key(d, "**B**"), 0.75))
    assert new == TIMED + b"  - **Actual Time**: 45 minutes\r\n"


def test_add_time_without_an_estimate():
    assert edit(b"- [ ] a\n  - detail\n- [ ] b\n", lambda d: E.AddTime(task_key(d, "a"), 2))[0] == b"- [ ] a\n  - detail\n  - **Actual Time**: 2 hours\n- [ ] b\n"
    assert edit(b"- [ ] a\n- [ ] b", lambda d: E.AddTime(task_key(d, "b"), 1 / 3))[0] == b"- [ ] a\n- [ ] b\n  - **Actual Time**: 20 minutes"
    # before the subtasks, at the task's content column
    assert edit(b"1. [ ] a\n   - [ ] child\n", lambda d: E.AddTime(task_key(d, "a"), 1))[0] == b"1. [ ] a\n   - **Actual Time**: 1 hour\n   - [ ] child\n"


def test_add_time_when_the_checkbox_is_on_the_line_after_the_marker():
    """Regression: the bullet was indented by the marker line's width and fell out of the item."""
    new, _ = edit(b"  10.\n      [/] task\n", lambda d: E.AddTime(task_key(d, "task"), 2))
    assert new == b"  10.\n      [/] task\n      - **Actual Time**: 2 hours\n"
    assert Document(new).tasks[0].actual_hours == 2


@pytest.mark.parametrize("name", ["kiro-spec.md", "speckit-feature.md"])
def test_time_on_a_task_keeps_the_dialect(name):
    """Regression: an Estimated Time bullet added to a Kiro task made the file a
    template, and every Kiro `[-]` (in progress) then read as cancelled."""
    data = (SAMPLES_DIR / name).read_bytes()
    before = Document(data)
    ref = "4.1" if name == "kiro-spec.md" else "T014"
    new, _ = edit(data, lambda d: E.AddTime(task_key(d, ref), 1.5))
    new, _ = edit(new, lambda d: E.SetEstimate(task_key(d, ref), 3))
    after = Document(new)
    assert after.dialect == before.dialect
    assert [t.state for t in after.tasks] == [t.state for t in before.tasks]
    assert after.find(task_key(after, ref)).estimate_hours == 3 and after.find(task_key(after, ref)).actual_hours == 1.5


def test_set_estimate():
    assert edit(TIMED, lambda d: E.SetEstimate(task_key(d, "Do it"), 2))[0] == TIMED.replace(b"3 hours", b"2 hours")
    assert edit(TIMED, lambda d: E.SetEstimate(task_key(d, "**B**"), 2))[0] == TIMED.replace(b"90 minutes", b"120 minutes")
    placeholder = b"- [ ] a\n  - **Estimated Time**: [X hours]\n"
    assert edit(placeholder, lambda d: E.SetEstimate(task_key(d, "a"), 4))[0] == b"- [ ] a\n  - **Estimated Time**: 4 hours\n"
    # an estimate goes right before an existing actual time, in its style
    actual = b"- [x] a\n  + **Actual Time**: 2 hours\n"
    assert edit(actual, lambda d: E.SetEstimate(task_key(d, "a"), 1.5))[0] == b"- [x] a\n  + **Estimated Time**: 1.5 hours\n  + **Actual Time**: 2 hours\n"


# ----------------------------------------------------------------------- log


def test_first_log_entry_replaces_the_template_placeholders(template_path):
    data = template_path.read_bytes()
    placeholder = b"**[DATE]** - [Decision/Blocker]: [Description and resolution]\n"
    assert data.count(placeholder) == 2
    new, pl = edit(data, lambda d: E.AddLogEntry("Blocker", "API keys missing", "2026-02-03", "T001"))
    assert new == data.replace(placeholder * 2, b"**2026-02-03** - Blocker: API keys missing (task T001)\n")
    assert pl.details.line == 425
    newer, _ = edit(new, lambda d: E.AddLogEntry("Decision", "Use Redis", "2026-02-04"))
    assert newer == data.replace(
        placeholder * 2, b"**2026-02-03** - Blocker: API keys missing (task T001)\n**2026-02-04** - Decision: Use Redis\n"
    )
    log = Document(newer).log
    assert [(e.date, e.kind, e.text, e.task, e.placeholder) for e in log] == [
        ("2026-02-03", "Blocker", "API keys missing", "T001", False),
        ("2026-02-04", "Decision", "Use Redis", None, False),
    ]


def test_log_entry_matches_the_existing_style():
    spaced = b"# T\n\n### Blockers & Decisions Log\n**2026-01-01** - Blocker: one  \n\n**2026-01-02** - Decision: two  \n\n## Notes\n"
    new, pl = edit(spaced, lambda d: E.AddLogEntry("decision", "three", "2026-01-03"))
    assert new == spaced.replace(b"two  \n\n", b"two  \n\n**2026-01-03** - Decision: three  \n\n")
    assert pl.details.line == 8
    crlf = b"# T\r\n\r\n### Decisions Log\r\n**2026-01-01** - Blocker: one\r\n"
    assert edit(crlf, lambda d: E.AddLogEntry("Blocker", "two", "2026-01-03", "T001"))[0] == crlf + b"**2026-01-03** - Blocker: two (task T001)\r\n"


@pytest.mark.parametrize("kind,text,written", [
    ("", "Decision: use Redis", b"Decision: use Redis"),
    ("Decision", "decision:  use Redis", b"Decision: use Redis"),
    ("", "blocker: keys missing", b"Blocker: keys missing"),
    ("", "plain words", b"Blocker: plain words"),
    ("Decision", "Decisions matter", b"Decision: Decisions matter"),
])
def test_a_kind_written_into_the_text_is_not_written_twice(kind, text, written):
    data = b"# T\n\n## Blockers & Decisions Log\n\n**2026-01-01** - Blocker: one\n"
    new, _ = edit(data, lambda d: E.AddLogEntry(kind, text, "2026-01-03"))
    assert new == data + b"**2026-01-03** - " + written + b"\n"


def test_a_kind_in_the_text_that_contradicts_the_kind_is_refused():
    data = b"# T\n\n## Blockers & Decisions Log\n\n**2026-01-01** - Blocker: one\n"
    with pytest.raises(E.EditError, match="starts with Decision: but the entry is a Blocker"):
        E.plan(Document(data), E.AddLogEntry("Blocker", "Decision: use B", "2026-01-03"))


def test_log_section_created_when_missing():
    assert edit(b"# T\n\n## Blockers & Decisions Log\n\n## Notes\n", lambda d: E.AddLogEntry("Blocker", "first", "2026-01-03"))[0] == (
        b"# T\n\n## Blockers & Decisions Log\n\n**2026-01-03** - Blocker: first\n\n## Notes\n"
    )
    assert edit(b"# T\n\n## Progress Tracking\n\n### Completion Status\n**Phase 1**: x\n\n## Notes\nn\n", lambda d: E.AddLogEntry("Blocker", "first", "2026-01-03"))[0] == (
        b"# T\n\n## Progress Tracking\n\n### Completion Status\n**Phase 1**: x\n\n### Blockers & Decisions Log\n\n**2026-01-03** - Blocker: first\n\n## Notes\nn\n"
    )
    # a file that is not the template gets a plain log section, and stays what it was
    new = edit(b"# T\r\n\r\n- [ ] a\r\n", lambda d: E.AddLogEntry("Decision", "first", "2026-01-03"))[0]
    assert new == b"# T\r\n\r\n- [ ] a\r\n\r\n## Blockers & Decisions Log\r\n\r\n**2026-01-03** - Decision: first\r\n"
    assert Document(new).dialect == "generic"
    # no line break at the end of the file: none after the entry either
    assert edit(b"# T\n\n## Work\n\n- [ ] a", lambda d: E.AddLogEntry("Decision", "first", "2026-01-03"))[0] == (
        b"# T\n\n## Work\n\n- [ ] a\n\n## Blockers & Decisions Log\n\n**2026-01-03** - Decision: first")


def test_new_entries_follow_the_files_form():
    data = b"# T\n\n- [ ] a\n\n## Log\n\n- 2026-11-20 - Blocker: the vendor has not sent the keys\n"
    new, pl = edit(data, lambda d: E.AddLogEntry("Decision", "wait a week", "2026-11-21"))
    assert new == data + b"- 2026-11-21 - Decision: wait a week\n"
    data = b"# T\n\n- [ ] a\n\n## Blockers & Decisions Log\n\n* **2026-11-20** - Blocker: keys"
    new, pl = edit(data, lambda d: E.AddLogEntry("Blocker", "more", "2026-11-21"))
    assert new == data + b"\n* **2026-11-21** - Blocker: more"
    assert [e.text for e in Document(new).log] == ["keys", "more"]
    resolved, _ = edit(new, lambda d: E.ResolveEntry(E.entry_keys(d)[0], "arrived", "2026-11-22"))
    assert resolved == new.replace(b"Blocker: keys", "Blocker: keys — Resolved 2026-11-22: arrived".encode())
    renamed, _ = edit(new, lambda d: E.EditEntry(E.entry_keys(d)[1], "even more"))
    assert renamed == new.replace(b"Blocker: more", b"Blocker: even more")


@pytest.mark.parametrize("data, gone", [
    (b"a\n\n- [ ] last", b"a"), (b"a\n\n- [ ] last\n", b"a\n"), (b"- [ ] x\n- [ ] last", b"- [ ] x"),
    (b"- [ ] x\n- [ ] last\n", b"- [ ] x\n"), (b"a\n\n- [ ] last\n\n\n", b"a\n\n\n"),
    (b"- [ ] x\n\n- [ ] last\n\n- [ ] y\n", b"- [ ] x\n\n- [ ] y\n"),
])
def test_delete_keeps_the_files_end(data, gone):
    """A file without a line break at its end stays so; one with keeps it."""
    assert edit(data, lambda d: E.DeleteTask(task_key(d, "last")))[0] == gone


def test_resolve_and_edit_entries():
    data = "# T\n\n### Blockers & Decisions Log\n**2026-01-01** - Blocker: keys missing (task T001)\n**2026-01-02** - Decision: use Redis\n".encode()
    new, _ = edit(data, lambda d: E.ResolveEntry(E.entry_keys(d)[0], "keys arrived", "2026-01-05"))
    assert new == data.replace(b"(task T001)\n", "(task T001) — Resolved 2026-01-05: keys arrived\n".encode())
    entry = Document(new).log[0]
    assert (entry.resolved, entry.resolved_date, entry.resolution, entry.task) == (True, "2026-01-05", "keys arrived", "T001")
    edited, _ = edit(new, lambda d: E.EditEntry(E.entry_keys(d)[0], "API keys missing"))
    assert edited == new.replace(b"keys missing (task", b"API keys missing (task")
    doc = Document(edited)
    with pytest.raises(E.EditError, match="already resolved"):
        E.plan(doc, E.ResolveEntry(E.entry_keys(doc)[0], "again", "2026-01-06"))
    with pytest.raises(E.EditError, match="only blockers"):
        E.plan(doc, E.ResolveEntry(E.entry_keys(doc)[1], "x", "2026-01-06"))


def test_log_refusals():
    doc = Document(b"# T\n")
    with pytest.raises(E.EditError, match="not a real date"):
        E.plan(doc, E.AddLogEntry("Blocker", "x", "2026-02-30"))
    with pytest.raises(E.EditError, match="kind"):
        E.plan(doc, E.AddLogEntry("Note", "x", "2026-02-03"))
    with pytest.raises(E.EditError):
        E.plan(doc, E.AddLogEntry("Blocker", "  ", "2026-02-03"))


# ---------------------------------------------------------------- non-UTF-8

LATIN1 = b"# T\n\n- [ ] caf\xe9\n\n### Blockers & Decisions Log\n**2026-01-01** - Blocker: one\n"


def test_non_ascii_text_is_refused_in_files_that_are_not_utf8():
    doc = Document(LATIN1)
    for op in (
        E.AddTask("café 2"),
        E.EditText(doc.keys[0], "naïve"),
        E.AddLogEntry("Blocker", "déjà vu", "2026-01-02"),
        E.EditEntry(E.entry_keys(doc)[0], "ünï"),
    ):
        with pytest.raises(E.EditError, match="not valid UTF-8"):
            E.plan(doc, op)
    assert edit(LATIN1, lambda d: E.AddTask("plain"))[0] == LATIN1.replace(b"caf\xe9\n", b"caf\xe9\n- [ ] plain\n")
    # resolving writes an ASCII dash there
    new, _ = edit(LATIN1, lambda d: E.ResolveEntry(E.entry_keys(d)[0], "fixed", "2026-01-02"))
    assert new == LATIN1.replace(b"one\n", b"one -- Resolved 2026-01-02: fixed\n")
    assert Document(new).log[0].resolved


def test_non_ascii_text_is_fine_in_utf8_files():
    assert edit(b"- [ ] a\n", lambda d: E.AddTask("café ☕"))[0] == "- [ ] a\n- [ ] café ☕\n".encode()


# ---------------------------------------------------------------------- sync

SYNC = """# T

## Phase 1: A
- [x] a
  - **Estimated Time**: 2 hours
  - **Actual Time**: 3 hours

## Phase 2: B
- [ ] b
  - **Estimated Time**: 90 minutes

## Phase 3: C
- [/] c

## Progress Tracking

### Completion Status
**Phase 1**: ⬜ Not Started  
**Phase 2**: ðŸŸ¡ In Progress  
**Phase 3**: Complete
**Phase 4**: ⬜ Not Started

### Time Tracking
- **Estimated Total**: [X] hours
- **Actual Time**: [Y] hours  
- **Variance**: [Z] hours ([+/-]%)
"""


def test_sync_writes_each_line_in_its_own_form():
    new, pl = edit(SYNC.encode(), lambda d: E.Sync())
    want = (
        SYNC.replace("**Phase 1**: ⬜ Not Started", "**Phase 1**: ✅ Complete")  # emoji stays emoji
        .replace("**Phase 2**: ðŸŸ¡ In Progress", "**Phase 2**: â¬œ Not Started")  # mojibake stays mojibake
        .replace("**Phase 3**: Complete", "**Phase 3**: In Progress")  # words stay words
        .replace("[X] hours", "3.5 hours")
        .replace("[Y] hours", "3 hours")
        .replace("[Z] hours ([+/-]%)", "1 hour (+50%)")  # Phase 4 has no section: left alone
    )
    assert new.decode() == want
    assert pl.details.as_dict() == {"changed_lines": 6}
    again = E.plan(Document(new), E.Sync())
    assert again.patches == () and "up to date" in again.summary


def test_sync_on_the_template_keeps_mojibake(template_path):
    data = template_path.read_bytes()
    doc = Document(data)
    first = next(t for t in doc.tasks if t.path[1].startswith("Phase 1"))
    toggled, _ = edit(data, lambda d: E.Toggle(d.keys[first.index]))
    synced, _ = edit(toggled, lambda d: E.Sync())
    line = "**Phase 1**: â¬œ Not Started | ðŸŸ¡ In Progress | âœ… Complete  \n"
    assert synced == toggled.replace(line.encode(), "**Phase 1**: ðŸŸ¡ In Progress  \n".encode()).replace(
        line.replace("1", "2").encode(), "**Phase 2**: â¬œ Not Started  \n".encode()
    ).replace(line.replace("1", "3").encode(), "**Phase 3**: â¬œ Not Started  \n".encode()).replace(
        line.replace("1", "4").encode(), "**Phase 4**: â¬œ Not Started  \n".encode()
    ).replace(line.replace("1", "5").encode(), "**Phase 5**: â¬œ Not Started  \n".encode())


# -------------------------------------------------- TasksFile: sync, undo, redo


@pytest.fixture
def sample_copy(tmp_path):
    def copy(name: str, data: bytes | None = None):
        path = tmp_path / name
        path.write_bytes((SAMPLES_DIR / name).read_bytes() if data is None else data)
        return path

    return copy


def test_tasksfile_edit_with_sync_is_one_write_and_one_undo(sample_copy):
    path = sample_copy("template-project.md")
    original = path.read_bytes()
    tf = TasksFile(path, sync=True)
    key = task_key(tf.doc, "Add domain events")
    result = tf.apply(E.Toggle(key))
    assert result.changed
    new = path.read_bytes()
    # Phase 2 stays in progress and the task had no actual time: sync has nothing to change
    assert changed_bytes(original, new) == [Document(original).find(key).mark_offset]
    doc = Document(new)
    assert doc.find(key).state == "done"
    assert [c.status for c in doc.completion] == ["complete", "in_progress", "not_started", "not_started"]
    # finish phase 2: sync rewrites its Completion Status line in the same write
    for ref in ("Implement input validation", "Create service unit tests", "Add integration tests"):
        tf.apply(E.Toggle(task_key(tf.doc, ref)))
    done = path.read_bytes()
    assert "**Phase 2**: âœ… Complete  ".encode() in done
    assert len(tf.undo_stack) == 4
    tf.undo()
    assert path.read_bytes() == done.replace(b"[x] **Add integration tests**", b"[ ] **Add integration tests**").replace(
        "**Phase 2**: âœ… Complete  ".encode(), "**Phase 2**: ðŸŸ¡ In Progress  ".encode()
    )
    while tf.undo_stack:
        tf.undo()
    assert path.read_bytes() == original
    tf.redo()
    assert path.read_bytes() == new
    while tf.redo_stack:
        tf.redo()
    assert path.read_bytes() == done
    assert tf.undo() is not None and tf.redo() is not None and path.read_bytes() == done


UNDONE = b"""# Plan

## Phase 1

- [ ] T001 Write the parser
  - **Estimated Time**: 2 hours
- [ ] T002 Write the printer
- [ ] Tidy the notes

## Blockers & Decisions Log
**2026-01-05** - Decision: Keep the old format
"""


@pytest.mark.parametrize("make, undone, redone", [
    (lambda d: E.Toggle(task_key(d, "T001")), "T001 back to [ ]", "T001 to [X]"),
    (lambda d: E.SetState(task_key(d, "Tidy"), "in_progress"), "L8 back to [ ]", "L8 to [/]"),
    (lambda d: E.Batch((E.Toggle(task_key(d, "T001")), E.Toggle(task_key(d, "T002")))),
     "T001 and 1 more back to [ ]", "T001 and 1 more to [X]"),
    (lambda d: E.EditText(task_key(d, "T002"), "T002 Write the pretty printer"), "T002 text restored", "T002 text changed"),
    (lambda d: E.EditText(task_key(d, "Tidy"), "Tidy the notes up"), "L8 text restored", "L8 text changed"),
    (lambda d: E.DeleteTask(task_key(d, "T002")), "T002 back", "T002 deleted"),
    (lambda d: E.AddTask("T003 Ship it", after=task_key(d, "T002")), "T003 taken out", "T003 added"),
    (lambda d: E.AddTime(task_key(d, "T001"), 1), "T001 time taken out", "T001 time 1h"),
    (lambda d: E.SetEstimate(task_key(d, "T001"), 3), "T001 estimate back to 2h", "T001 estimate 3h"),
    (lambda d: E.Move(task_key(d, "T002"), before=task_key(d, "T001")), "T002 back in its place", "T002 moved"),
    (lambda d: E.AddLogEntry("Blocker", "Keys missing", "2026-01-06"), "log entry taken out", "log entry added"),
    (lambda d: E.EditEntry(E.entry_keys(d)[0], "Keep the new format"), "log entry restored", "log entry changed"),
])
def test_the_undo_and_redo_summaries_say_what_they_did(tmp_path, make, undone, redone):
    path = tmp_path / "tasks.md"
    path.write_bytes(UNDONE)
    tf = TasksFile(path, sync=False)
    edited = tf.apply(make(tf.doc))
    after = path.read_bytes()
    assert tf.undo().summary == f"undid: {undone}" and path.read_bytes() == UNDONE
    assert tf.redo().summary == f"redid: {redone}" and path.read_bytes() == after
    assert [r.summary for r in tf.undo_stack] == [f"undid: {edited.summary}"]  # the stacks keep the edits' own words


def test_tasksfile_without_sync_changes_one_byte(sample_copy):
    path = sample_copy("template-project.md")
    original = path.read_bytes()
    tf = TasksFile(path, sync=False)
    for ref in ("Add domain events", "Implement input validation", "Create service unit tests", "Add integration tests"):
        tf.apply(E.Toggle(task_key(tf.doc, ref)))
    assert len(changed_bytes(original, path.read_bytes())) == 4
    assert "**Phase 2**: ðŸŸ¡ In Progress  ".encode() in path.read_bytes()


def test_tasksfile_undo_of_every_kind_of_edit(sample_copy):
    path = sample_copy("kiro-spec.md")
    original = path.read_bytes()
    tf = TasksFile(path, sync=False)
    steps = [
        lambda d: E.Toggle(task_key(d, "3.2")),
        lambda d: E.SetState(task_key(d, "4.1"), "in_progress"),
        lambda d: E.AddTask("Write the changelog", after=task_key(d, "Final checkpoint")),
        lambda d: E.AddTask("Handle 410 Gone", under=task_key(d, "4.2")),
        lambda d: E.EditText(task_key(d, "6.2"), "6.2 Implement `sync` and `status` commands"),
        lambda d: E.DeleteTask(task_key(d, "7.1")),
        lambda d: E.AddTime(task_key(d, "4.1"), 1.5),
        lambda d: E.SetEstimate(task_key(d, "4.1"), 3),
        lambda d: E.AddLogEntry("Blocker", "No staging server", "2026-03-01", "4.2"),
    ]
    versions = [original]
    for step in steps:
        tf.apply(step(tf.doc))
        versions.append(path.read_bytes())
        assert tf.doc.source.data == versions[-1]
    assert len(set(versions)) == len(versions)
    for want in reversed(versions[:-1]):
        tf.undo()
        assert path.read_bytes() == want
    assert tf.undo() is None
    for want in versions[1:]:
        tf.redo()
        assert path.read_bytes() == want
    assert tf.redo() is None


# ------------------------------------------------------- refusals through TasksFile


def test_nul_files_are_refused_and_left_alone(tmp_path):
    path = tmp_path / "nul.md"
    data = b"- [ ] a\x00\n- [ ] b\n"
    path.write_bytes(data)
    tf = TasksFile(path)
    assert tf.read_only_reason() == "it contains NUL bytes"
    with pytest.raises(store.StoreError, match="NUL") as err:
        tf.apply(E.Toggle(tf.doc.keys[1]))
    assert "\n" not in str(err.value)
    assert path.read_bytes() == data


def test_read_only_files_are_refused_and_left_alone(tmp_path):
    path = tmp_path / "ro.md"
    data = b"- [ ] a\n"
    path.write_bytes(data)
    path.chmod(0o444)
    tf = TasksFile(path)
    with pytest.raises(store.StoreError, match="read-only"):
        tf.apply(E.Toggle(tf.doc.keys[0]))
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.md"]


def test_an_edit_that_would_break_structure_is_refused(tmp_path):
    # the only place for the new bullet is inside an unclosed fence
    path = tmp_path / "t.md"
    data = b"- [ ] a\n  ```\n  - code\n"
    path.write_bytes(data)
    tf = TasksFile(path, sync=False)
    with pytest.raises(E.EditError, match="nothing was written"):
        tf.apply(E.AddTime(tf.doc.keys[0], 1))
    assert path.read_bytes() == data


# --------------------------------------------- outside changes between read and write


def test_outside_change_is_kept_and_the_edit_is_replanned(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT)
    tf = TasksFile(path, sync=False)
    key = task_key(tf.doc, "T003")
    # another writer adds a task at the top and ticks T002 while we have the file open
    outside = SPECKIT.replace(b"## Phase 1\n\n", b"## Phase 1\n\n- [ ] T000 Inserted elsewhere\n").replace(b"- [ ] T002", b"- [X] T002")
    path.write_bytes(outside)
    result = tf.apply(E.Toggle(key))
    assert result.replanned
    assert path.read_bytes() == outside.replace(b"- [ ] T003", b"- [X] T003")
    # undo after the outside change still finds its task by identity
    tf.undo()
    assert path.read_bytes() == outside


def test_no_wait_edit_of_a_changed_file_says_busy_and_writes_nothing(tmp_path):
    """wait=False (the app's edit on its UI thread) never sleeps for a changed file
    to settle: it raises Busy with nothing written and nothing adopted, and the
    waiting edit then re-plans on the new content."""
    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT)
    tf = TasksFile(path, sync=False)
    key = task_key(tf.doc, "T003")
    outside = SPECKIT.replace(b"- [ ] T002", b"- [X] T002")
    path.write_bytes(outside)
    with pytest.raises(store.Busy, match="changed on disk; nothing was written"):
        tf.apply(E.Toggle(key), wait=False)
    assert path.read_bytes() == outside
    assert tf.doc.source.data == SPECKIT and not tf.undo_stack
    assert tf.apply(E.Toggle(key)).replanned
    assert path.read_bytes() == outside.replace(b"- [ ] T003", b"- [X] T003")


def test_no_wait_edit_while_another_process_holds_the_lock_says_busy(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT)
    tf = TasksFile(path, sync=False)
    key = task_key(tf.doc, "T003")
    holder = hold_lock(path)
    try:
        with pytest.raises(store.Busy, match="Another program holds the lock"):
            tf.apply(E.Toggle(key), wait=False)
        assert path.read_bytes() == SPECKIT and not tf.undo_stack
    finally:
        holder.stdin.close()
        holder.wait(5)
    tf.apply(E.Toggle(key), wait=False)
    assert path.read_bytes() == SPECKIT.replace(b"- [ ] T003", b"- [X] T003")


def test_undo_survives_an_outside_change(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(KIRO)
    tf = TasksFile(path, sync=False)
    tf.apply(E.Toggle(task_key(tf.doc, "2.")))
    toggled = path.read_bytes()
    outside = b"Intro line\n\n" + toggled + b"- [ ] 3. Added outside\n"
    path.write_bytes(outside)
    tf.undo()
    assert path.read_bytes() == b"Intro line\n\n" + KIRO + b"- [ ] 3. Added outside\n"


def test_task_removed_outside_is_a_conflict(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT)
    tf = TasksFile(path, sync=False)
    key = task_key(tf.doc, "T003")
    outside = SPECKIT.replace(b"- [ ] T003 [US1] Service\n", b"")
    path.write_bytes(outside)
    with pytest.raises(E.ConflictError) as err:
        tf.apply(E.Toggle(key))
    assert "T003" in str(err.value) and "\n" not in str(err.value)
    assert path.read_bytes() == outside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.md"]


def test_undo_conflicts_when_its_bytes_changed_outside(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n- [ ] b\n")
    tf = TasksFile(path, sync=False)
    tf.apply(E.EditText(tf.doc.keys[0], "alpha"))
    path.write_bytes(b"- [ ] alpha beta\n- [ ] b\n")
    with pytest.raises(E.ConflictError):
        tf.undo()
    assert path.read_bytes() == b"- [ ] alpha beta\n- [ ] b\n"
    assert len(tf.undo_stack) == 1  # kept, for when the user puts things back


WORKER = textwrap.dedent(
    """
    import sys
    from tasktui.doc import edits
    from tasktui.core.tasksfile import TasksFile

    path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tf = TasksFile(path, sync=False)
    for n in range(first, first + count):
        key = next(k for t, k in zip(tf.doc.tasks, tf.doc.keys) if t.text == f"task {n:03d}")
        tf.apply(edits.Toggle(key))
    print("done", flush=True)
    """
)


@pytest.mark.xdist_group("timing")
def test_two_processes_toggling_different_tasks_lose_nothing(tmp_path):
    path = tmp_path / "tasks.md"
    data = b"# Two writers\n\n" + b"".join(b"- [ ] task %03d\n" % n for n in range(200))
    path.write_bytes(data)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), str(first), "100"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for first in (0, 100)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert out.strip() == b"done"
    assert path.read_bytes() == data.replace(b"- [ ] task", b"- [x] task")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.md"]


# -------------------------------------------------- the toggle contract, every task


def check_toggle_contract(data: bytes, where: str) -> int:
    """For every task: a toggle changes exactly one byte, inside the checkbox; undo
    restores the bytes; for todo tasks a second toggle does too. Sync is not involved."""
    doc = Document(data)
    cache: dict = {}
    checked = 0
    for i, task in enumerate(doc.tasks):
        key = doc.keys[i]
        pl = E.plan(doc, E.Toggle(key))
        new = P.apply(data, pl.patches)
        assert len(new) == len(data), f"{where} L{task.line + 1}: length changed"
        diff = [j for j in range(task.mark_offset - 1, task.mark_offset + 2) if new[j] != data[j]]
        assert diff == [task.mark_offset], f"{where} L{task.line + 1}: changed {diff}"
        assert new[: task.mark_offset] == data[: task.mark_offset] and new[task.mark_offset + 1:] == data[task.mark_offset + 1:]
        assert data[task.mark_offset - 1:task.mark_offset] == b"[" and data[task.mark_offset + 1:task.mark_offset + 2] == b"]"
        after = doc.patched(pl.patches, cache)
        assert after.source.data == new
        assert pl.expect(doc, after) is None, where
        moved = after.tasks[i]
        assert moved.state == ("todo" if task.state == "done" else "done")
        undo = E.restore_for(data, after, pl.patches, "undo")
        assert P.apply(new, E.plan(after, undo).patches) == data, f"{where} L{task.line + 1}: undo"
        if task.state == "todo":
            back = E.plan(after, E.Toggle(after.keys[i]))
            assert P.apply(new, back.patches) == data, f"{where} L{task.line + 1}: toggling twice"
        checked += 1
    return checked


@pytest.fixture
def short_list_chunks(monkeypatch):
    """Cut long lists every 20 lines, so that each toggle re-parses a small chunk (the
    cut rule never changes a result: test_model proves chunked == whole parsing)."""
    monkeypatch.setattr(parse_mod, "MIN_LIST_CHUNK", 20)


@pytest.mark.parametrize("name", sample_names())
def test_toggle_contract_every_task_samples(name, short_list_chunks):
    data = (SAMPLES_DIR / name).read_bytes()
    assert check_toggle_contract(data, name) == len(Document(data).tasks) > 0


@pytest.mark.slow  # every task of every corpus file, one toggle each (the quick run toggles through TasksFile per file)
@pytest.mark.parametrize("name", corpus_names())
def test_toggle_contract_every_task_corpus(corpus_dir, name, short_list_chunks):
    data = (corpus_dir / name).read_bytes()
    assert check_toggle_contract(data, name) == len(Document(data).tasks) > 0


@pytest.mark.parametrize("name", corpus_params())
def test_toggle_contract_through_tasksfile_corpus(corpus_dir, name, tmp_path):
    """A sample of tasks per file, through the real write path on a copy."""
    data = (corpus_dir / name).read_bytes()
    doc = Document(data)
    picks = sorted({0, len(doc.tasks) // 2, len(doc.tasks) - 1})
    path = tmp_path / name
    for i in picks:
        path.write_bytes(data)
        tf = TasksFile(path, sync=False)
        task = tf.doc.tasks[i]
        tf.apply(E.Toggle(tf.doc.keys[i]))
        new = path.read_bytes()
        assert changed_bytes(data, new) == [task.mark_offset]
        tf.undo()
        assert path.read_bytes() == data
        if task.state == "todo":
            tf.apply(E.Toggle(tf.doc.keys[i]))
            tf.apply(E.Toggle(tf.doc.keys[i]))
            assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# -------------------------------------------------------------- property test

OPS = ["toggle", "done", "todo", "in_progress", "cancelled", "text", "time", "estimate", "add", "under", "delete", "sync"]


@given(markdown_bytes(), st.data())
def test_property_edits_on_generated_files(data, draw):
    """Whatever the file, an edit either is refused (EditError, or its own check finds
    a problem: nothing would be written) or does what it says: toggles change one
    byte, the incremental re-parse equals a fresh parse, and undo restores the bytes."""
    doc = Document(data)
    if not doc.tasks or doc.read_only_reason:
        return
    i = draw.draw(st.integers(0, len(doc.tasks) - 1), label="task")
    kind = draw.draw(st.sampled_from(OPS), label="op")
    key = doc.keys[i]
    op = {
        "toggle": lambda: E.Toggle(key),
        "text": lambda: E.EditText(key, f"{doc.tasks[i].id} new text" if doc.tasks[i].id else "new text"),
        "time": lambda: E.AddTime(key, 1.5),
        "estimate": lambda: E.SetEstimate(key, 2),
        "add": lambda: E.AddTask("added", after=key),
        "under": lambda: E.AddTask("child", under=key),
        "delete": lambda: E.DeleteTask(key),
        "sync": lambda: E.Sync(),
    }.get(kind, lambda: E.SetState(key, kind))()
    task = doc.tasks[i]
    try:
        pl = E.plan(doc, op)
    except E.EditError:
        assert kind not in ("toggle", "done", "todo"), "toggles and done/todo always apply"
        return
    new = P.apply(data, pl.patches)
    fresh = Document(new)
    assert doc_state(doc.patched(pl.patches)) == doc_state(fresh)
    problem = pl.expect(doc, fresh) if pl.expect else None
    if kind in ("toggle", "done", "todo") and len(encode(task.mark)) == 1:
        assert problem is None
        if pl.patches:
            assert changed_bytes(data, new) == [task.mark_offset]
    if problem is None and pl.patches:
        undo = E.restore_for(data, fresh, pl.patches, "undo")
        assert P.apply(new, E.plan(fresh, undo).patches) == data
        if kind in ("add", "under"):
            assert fresh.tasks[[t.text for t in fresh.tasks].index(pl.details.text)].line + 1 == pl.details.line


SNIPPETS = ["", "x", " ", "X", "[x]", "[ ] ", "#", "# ", "- ", "- [ ] ", "1. ", "```", "~~~", "<!--", "-->", "<div>", "> ",
            "**Estimated Time**: 3 hours", "**Actual Time**: 2 hours", "T001 ", "1.1 ", "\t", "    ", "caf\u00e9", "\u2028"]


@given(markdown_bytes(), st.data())
def test_property_incremental_reparse_of_outside_changes(data, draw):
    """A change inside one line (what another editor writes, or a value tasktui
    rewrites) re-parses incrementally, and the result is the fresh parse's."""
    doc = Document(data)
    src = doc.source
    line = draw.draw(st.integers(0, src.line_count - 1), label="line")
    start, end = src.starts[line], src.line_end(line)
    a = draw.draw(st.integers(start, end), label="from")
    b = draw.draw(st.integers(a, end), label="to")
    text = draw.draw(st.sampled_from(SNIPPETS), label="text").encode()
    patches = [P.Patch(a, b, text)]
    fresh = Document(P.apply(data, patches))
    assert doc_state(doc.patched(patches)) == doc_state(fresh)


@pytest.mark.parametrize("line, new, result", [
    (b"- [ ] T001 [P] [US1] Create model", "Create the user model", b"- [ ] T001 [P] [US1] Create the user model"),
    (b"- [ ] **T001** [Setup] Create X", "Create Y", b"- [ ] **T001** [Setup] Create Y"),
    (b"- [ ] 1.1 Write the parser", "Write the lexer", b"- [ ] 1.1 Write the lexer"),
    (b"- [ ] 2. Implement storage", "Implement the store", b"- [ ] 2. Implement the store"),
    (b"- [ ] **Implement the API**", "Implement the REST API", b"- [ ] **Implement the REST API**"),
    (b"- [ ] *maybe later*", "not now", b"- [ ] *not now*"),
    (b"- [ ] plain", "still plain", b"- [ ] still plain"),
    # the new text gives its own id, or its own emphasis: as written
    (b"- [ ] T001 [P] Create model", "T009 Something else", b"- [ ] T009 Something else"),
    (b"- [ ] **Implement the API**", "**Different**", b"- [ ] **Different**"),
])
def test_edit_changes_the_description_only(line, new, result):
    data = b"# Tasks\n\n" + line + b"\n"
    got, pl = edit(data, lambda d: E.EditText(d.keys[0], new))
    assert got == b"# Tasks\n\n" + result + b"\n"
    doc = Document(got)
    assert doc.tasks[0].id == Document(data).tasks[0].id or new.startswith("T009")
