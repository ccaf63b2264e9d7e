"""The operations the command line and the MCP server share (tasktui.core.actions):
claiming a named task under the lock, an edit that checks the text it replaces,
the states a caller may name, and the one-sentence refusals, file untouched."""

from __future__ import annotations

import pytest

from tasktui.core import actions
from tasktui.doc import edits
from tasktui.doc.refs import RefError

SPEC = b"""# Tasks: Claims

## Phase 1: Setup

- [x] T001 Create the project
- [ ] T002 [P] Configure ruff
- [/] T003 [P] Configure mypy
- [ ] T004 Write the README (depends on T002)
- [ ] T005 [P] Add CI

## Phase 2: Build

- [ ] T006 Build it
"""


def open_spec(tmp_path, data: bytes = SPEC):
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    cfg, _problem = actions.settings()
    return path, actions.open_file(path, cfg)


def test_claiming_a_named_ready_task_writes_its_mark_and_nothing_else(tmp_path):
    path, tf = open_spec(tmp_path)
    result = actions.claim(tf, "T005")
    assert path.read_bytes() == SPEC.replace(b"- [ ] T005", b"- [/] T005")
    assert (result.details.line, result.details.mark, result.details.reason) == (9, "/", "ready: [P] in Phase 1")


@pytest.mark.parametrize("ref, sentence", [
    ("T003", "L7 T003 [P] Configure mypy cannot be claimed: it is in progress already"),
    ("T001", "L5 T001 Create the project cannot be claimed: it is done"),
    ("T004", "L8 T004 Write the README (depends on T002) cannot be claimed: it is not ready (waits for T002)"),
    ("T006", "L13 T006 Build it cannot be claimed: it is not ready (waits for Phase 1 (4 open))"),
])
def test_a_named_claim_of_a_task_that_cannot_start_is_refused_in_a_sentence(tmp_path, ref, sentence):
    path, tf = open_spec(tmp_path)
    with pytest.raises(edits.EditError) as err:
        actions.claim(tf, ref)
    assert str(err.value) == sentence
    assert path.read_bytes() == SPEC


def test_a_named_claim_is_checked_on_the_file_as_it_is_under_the_lock(tmp_path):
    """Another process took the task after this one read the file: the claim is refused."""
    path, tf = open_spec(tmp_path)
    taken = SPEC.replace(b"- [ ] T005", b"- [/] T005")
    path.write_bytes(taken)
    with pytest.raises(edits.EditError, match="T005 .* in progress already"):
        actions.claim(tf, "T005")
    assert path.read_bytes() == taken


def test_claim_without_a_reference_takes_the_first_ready_task(tmp_path):
    path, tf = open_spec(tmp_path)
    result = actions.claim(tf)
    assert result.details.id == "T002"
    assert path.read_bytes() == SPEC.replace(b"- [ ] T002", b"- [/] T002")


def test_edit_with_the_expected_text_writes_and_without_it_refuses(tmp_path):
    path, tf = open_spec(tmp_path)
    actions.edit_text(tf, "T006", "Build the wheel", expected="T006 Build it")
    assert path.read_bytes() == SPEC.replace(b"T006 Build it", b"T006 Build the wheel")
    changed = path.read_bytes().replace(b"T002 [P] Configure ruff", b"T002 [P] Configure ruff and black")
    path.write_bytes(changed)  # a person changed it after the caller read it
    with pytest.raises(edits.EditError) as err:
        actions.edit_text(tf, "T002", "Configure ruff only", expected="T002 [P] Configure ruff")
    assert str(err.value) == ("the text of L6 T002 [P] Configure ruff and black is not 'T002 [P] Configure ruff' any "
                              "more: another program changed it; nothing was written")
    assert path.read_bytes() == changed


@pytest.mark.parametrize("typed, state", [("done", "done"), ("In progress", "in_progress"), ("in-progress", "in_progress"),
                                          ("QUEUED", "queued"), (" todo ", "todo")])
def test_states_are_named_as_people_write_them(typed, state):
    assert actions.settable_state(typed) == state


def test_an_unknown_state_is_one_sentence_naming_the_states(tmp_path):
    path, tf = open_spec(tmp_path)
    with pytest.raises(actions.ActionError) as err:
        actions.set_state(tf, ["T002"], "finished")
    assert str(err.value) == "unknown state 'finished': use todo, done, in_progress, queued, blocked, review, draft, cancelled"
    assert path.read_bytes() == SPEC


def test_a_move_needs_exactly_one_place_and_a_reference_must_name_a_task(tmp_path):
    path, tf = open_spec(tmp_path)
    with pytest.raises(actions.ActionError, match="exactly one of before, after or section"):
        actions.move(tf, "T002", before="T004", section="Build")
    with pytest.raises(actions.ActionError, match="one of after, under or section"):
        actions.add(tf, "New", after="T002", section="Build")
    with pytest.raises(RefError, match="no task matches 'T999'"):
        actions.set_state(tf, ["T002", "T999"], "done")
    assert path.read_bytes() == SPEC
