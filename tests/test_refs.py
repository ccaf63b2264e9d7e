"""References (tasktui.doc.refs): one rule for a task's name on the command line,
in ``g`` and in the find bar; tested on Documents, through the CLI, and as a
property: for any document and reference, the command line and the app's ``g``
name the same task."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdgen import markdown_bytes
from support import assert_one_line_error, run
from tasktui.core import loader
from tasktui.core.tasksfile import TasksFile
from tasktui.doc import Document
from tasktui.doc import query as Q
from tasktui.doc import refs
from tasktui.doc.source import Source

SPECKIT = b"""# Tasks: Demo

## Phase 1: Setup

- [X] T001 Create project structure
- [ ] T002 [P] Add the ruff config

## Phase 3: User Story 4

- [ ] T012 [P] [US4] Delete a draft in src/drafts.py
  Details of the draft deletion.
  - [ ] T012a [US4] Undo a delete of a draft
    More about undoing.
- [ ] T013 [US10] Delete the account
"""

KIRO = b"""# Implementation Plan

- [x] 1. Set up the project
  - [x] 1.1 Create the package
  - [ ] 1.2 Define the interfaces
    - Write the protocols
    - _Requirements: 1.2_
- [ ] 2. Build the models
"""

LEGEND = b"""# Plan

**Legend:**

- [ ] to do
- [x] done

## Work

- [ ] T001 write the done list
-
  [ ] T002 a checkbox on the line after its marker
"""

TWICE = b"## A\n\n- [ ] T001 first\n\n## B\n\n- [ ] T001 second\n- [ ] T002 third first\n"


def line_of(data: bytes, text: bytes) -> int:
    """The 1-based line holding ``text``."""
    return data.split(b"\n").index(next(x for x in data.split(b"\n") if text in x)) + 1


@pytest.fixture
def spec() -> Document:
    return Document(SPECKIT)


def test_an_id_in_any_of_its_forms(spec):
    kiro = Document(KIRO)
    for ref in ("T012", "#T012", "T012.", "t012", " #t012. "):
        assert refs.task(spec, ref).id == "T012", ref
    assert refs.task(spec, "#T012a").id == "T012a"
    assert refs.task(kiro, "1.2.").id == "1.2" and refs.task(kiro, "#1.2").id == "1.2"
    assert refs.normal_id("#T012.") == refs.normal_id("t012") == refs.id_key("T012")
    assert refs.normal_id("L40") is None and refs.normal_id("word") is None
    # the find bar reads ids by the same rule
    index = Q.TaskIndex(spec.tasks)
    for query in ("#T012", "T012.", "t012"):
        assert Q.select(Q.parse(query), index, spec.tasks) == [refs.task(spec, "T012").index], query


def test_a_line_names_the_item_that_starts_there_or_the_innermost_holding_it(spec):
    assert refs.task(spec, f"L{line_of(SPECKIT, b'T013')}").id == "T013"
    assert refs.task(spec, f"l{line_of(SPECKIT, b'Details of the draft')}").id == "T012"
    assert refs.task(spec, f"L{line_of(SPECKIT, b'More about undoing')}").id == "T012a"
    kiro = Document(KIRO)
    assert refs.task(kiro, f"L{line_of(KIRO, b'Write the protocols')}").id == "1.2"
    doc = Document(LEGEND)
    marker = LEGEND.split(b"\n").index(b"-") + 1
    task = refs.task(doc, f"L{marker}")
    assert task.id == "T002" and task.line + 1 == marker + 1, "the marker's line names the task its item starts"
    assert refs.task(doc, f"L{marker + 1}").id == "T002"


def test_what_a_line_names_when_it_is_no_task(spec):
    with pytest.raises(refs.RefError, match="^no task is written on line 2$"):
        refs.task(spec, "L2")
    with pytest.raises(refs.RefError, match="^line 999 is not in the file: it has 15 lines$"):
        refs.task(spec, "L999")
    heading = line_of(SPECKIT, b"## Phase 3")
    with pytest.raises(refs.RefError, match="^line 8 is the heading “Phase 3: User Story 4”, not a task$"):
        refs.task(spec, f"L{heading}")
    assert refs.task_or_heading(spec, f"L{heading}") == spec.heading_keys[2]
    assert refs.heading(spec, f"L{heading}") == spec.heading_keys[2] == refs.heading(spec, "story 4")
    with pytest.raises(refs.RefError, match="line 5 is not a heading"):
        refs.heading(spec, "L5")


def test_legend_items_are_named_by_their_line_only():
    """An id or a piece of text never names a legend item; its line does (on purpose),
    for the command line and for g alike."""
    doc = Document(LEGEND)
    legend_line = line_of(LEGEND, b"- [x] done")
    item = refs.task(doc, f"L{legend_line}")
    assert item.legend and item.line + 1 == legend_line
    assert refs.task(doc, "done").id == "T001", "a piece of text never names a legend item"
    assert refs.go(doc, f"L{legend_line}") == item


def test_duplicates_are_an_error_for_an_edit_and_taken_in_turn_by_g():
    doc = Document(TWICE)
    with pytest.raises(refs.RefError) as caught:
        refs.task(doc, "#T001")
    assert str(caught.value) == "T001 is on lines 3 and 7: use L3 or L7"
    assert refs.go(doc, "T001").text.endswith("first")
    assert refs.go(doc, "T001", after=0).text.endswith("second")
    assert refs.go(doc, "T001", after=1).text.endswith("first"), "past the end: from the top again"
    with pytest.raises(refs.RefError, match="'first' matches 2 tasks .*be more specific or use L<line>"):
        refs.task(doc, "first")
    assert [refs.go(doc, "FIRST", after=a).line + 1 for a in (-1, 0, 1, 2)] == [3, 8, 8, 3]
    assert refs.task(doc, "third").id == "T002"
    assert refs.go(doc, "nothing like it") == "No task matches 'nothing like it': use an id, L<line> or part of the task's text."
    assert refs.go(doc, "  ") == "Name a task: use an id, L<line> or part of the task's text."


def test_the_command_line_uses_the_rule(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TWICE)
    assert_one_line_error(*run(capsys, "toggle", path, "T001"), "T001 is on lines 3 and 7: use L3 or L7")
    code, out, _err = run(capsys, "toggle", path, "#T002")
    assert code == 0 and out == "L8 T002 third first: [ ] -> [X]\n", "the summary names the task by its line"
    code, out, _err = run(capsys, "toggle", path, "L7")
    assert code == 0 and out.startswith("L7 T001 second")
    assert path.read_bytes() == TWICE.replace(b"[ ] T001 second", b"[X] T001 second").replace(b"[ ] T002", b"[X] T002")
    legend = tmp_path / "legend.md"
    legend.write_bytes(LEGEND)
    legend_line = line_of(LEGEND, b"- [x] done")
    code, out, _err = run(capsys, "toggle", legend, f"L{legend_line}")
    assert code == 0 and out == f"L{legend_line} done (the file's legend): [x] -> [ ]\n"
    assert legend.read_bytes() == LEGEND.replace(b"- [x] done", b"- [ ] done"), "one byte, as asked by its line"


# ---------------------------------------------------------------------- the property
def references(data: bytes, doc: Document):
    """References to try on ``doc``: every line, each task's id in its forms, pieces of texts, words."""
    lines = st.integers(0, doc.source.line_count + 2).map(lambda n: f"L{n}")
    pieces: list[str] = ["", " ", "x", "T001", "1.1", "alpha", "#", "L", "gamma"]
    for t in doc.tasks:
        if t.id:
            pieces += [t.id, f"#{t.id}", f"{t.id}.", t.id.lower()]
        if t.text:
            pieces += [t.text, t.text[: max(1, len(t.text) // 2)], t.text[len(t.text) // 3:].upper()]
    return st.one_of(lines, st.sampled_from(pieces))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=markdown_bytes(), choice=st.data())
def test_the_command_line_and_the_app_name_the_same_task(tmp_path, data, choice):
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    cli_doc = TasksFile(path, cache={}).doc  # as the command line reads the file
    source = Source(data)  # as the app's loader does
    app_doc = Document(source, chunks=loader.parse_all(source.lines, {}), path=str(path))
    ref = choice.draw(references(data, app_doc))
    try:
        cli_task = refs.task(cli_doc, ref)  # what tasktui.core.actions asks for every REF
    except refs.RefError as exc:
        cli_task, said = None, str(exc)
    went = refs.go(app_doc, ref)
    if cli_task is not None:
        assert not isinstance(went, str), f"{ref!r}: the command line found L{cli_task.line + 1}, g said {went!r}"
        assert (went.line, went.text) == (cli_task.line, cli_task.text)
    elif isinstance(went, str):
        assert went == refs.sentence(said)
    else:  # several tasks have it: an error for an edit, the first of them for g
        found = refs.find(cli_doc, ref)
        assert len(found.tasks) > 1 and (went.line, went.text) == (found.tasks[0].line, found.tasks[0].text)
        assert said == refs.ambiguous(found)
