"""The outline (tasktui.core.outline): plain data behind the tree, tested without Textual."""

from __future__ import annotations

import pytest

from support import SAMPLES_DIR, sample_names
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.core.outline import TASK, Outline

DOC = b"""# Plan

## Phase 1: Setup

- [ ] Create the schema
- [x] Update the config
- [ ] Create the index

## Phase 2: Build

- [ ] Load the data
"""


def shown_texts(outline: Outline, text_filter: str = "", hide_done: bool = False) -> list[str]:
    doc = outline.doc
    return [doc.tasks[r.index].text for r in outline.rows(set(), text_filter, hide_done) if r.kind == TASK]


def patched(doc: Document, op) -> Document:
    return doc.patched(E.plan(doc, op).patches)


def test_filter_matches_casefolded_text_and_follows_new_versions():
    doc = Document(DOC)
    outline = Outline(doc)
    assert shown_texts(outline, "create") == ["Create the schema", "Create the index"]
    assert shown_texts(outline, "CREATE") == ["Create the schema", "Create the index"]
    assert shown_texts(outline, "update", hide_done=True) == []
    # a new version whose text changed in place: the filter reads the new text
    renamed = patched(doc, E.EditText(doc.keys[0], "Draft the schema"))
    newer = outline.with_document(renamed, outline.rollup.advance(renamed))
    assert shown_texts(newer, "create") == ["Create the index"]
    assert shown_texts(newer, "draft") == ["Draft the schema"]
    # the older outline still answers for its own version
    assert shown_texts(outline, "create") == ["Create the schema", "Create the index"]


def test_totals_of_a_new_version_equal_a_fresh_outline():
    doc = Document(DOC)
    outline = Outline(doc)
    toggled = patched(doc, E.Toggle(doc.keys[2]))
    newer = outline.with_document(toggled, outline.rollup.advance(toggled))
    fresh = Outline(toggled)
    for name in ("headings", "kids"):
        assert getattr(newer, name) == getattr(fresh, name)
    assert [newer.heading_totals(h) for h in range(len(newer.headings))] == [fresh.heading_totals(h) for h in range(len(fresh.headings))]
    assert [newer.task_totals(i) for i in range(3)] == [fresh.task_totals(i) for i in range(3)]
    assert newer.heading_totals(0) != outline.heading_totals(0)  # the toggle shows in the phase totals


def reference_shown(doc: Document, needle: str, hide_done: bool) -> list[bool]:
    """Which tasks a filter shows, the plain way: a task matches, or one of its descendants does."""
    def matches(t) -> bool:
        return (not needle or needle.casefold() in t.text.casefold()) and (not hide_done or t.state != "done")

    def descendants(i):
        return [t for t in doc.tasks[i + 1:] if t.line < doc.tasks[i].end]

    return [matches(t) or any(matches(d) for d in descendants(t.index)) for t in doc.tasks]


@pytest.mark.parametrize("name", sample_names())
@pytest.mark.parametrize("needle,hide_done", [("a", False), ("test", False), ("e", True), ("", True), ("zzz", False)])
def test_filtered_rows_are_the_matches_and_their_ancestors(name, needle, hide_done):
    doc = Document((SAMPLES_DIR / name).read_bytes())
    outline = Outline(doc)
    rows = outline.rows(set(), needle, hide_done)
    want = reference_shown(doc, needle, hide_done)
    assert sorted(r.index for r in rows if r.kind == TASK) == [i for i, ok in enumerate(want) if ok]
    # a heading shows when a task below it does
    for r in rows:
        if r.kind != TASK:
            node = outline.headings[r.index]
            assert any(want[node.first_task:node.end_task])


# ------------------------------------------------------------------------ find
SPEC = b"""# Tasks

## Phase 3: User Story 4

- [ ] T012 [P] [US4] Delete a draft
  - [x] T012a [US4] Delete the draft's files
- [ ] T013 [US1] Delete the account
- [x] T014 [US4] Export before delete

## Phase 4: Other

- [ ] T020 [US4] Rename a draft
"""


def test_a_query_shows_its_matches_with_their_ancestors_and_sections():
    doc = Document(SPEC)
    outline = Outline(doc)
    rows = outline.rows(set(), "US4 delete", False)
    assert [(r.kind, r.index) for r in rows] == [("heading", 0), ("task", 0), ("task", 1), ("task", 3)]
    assert outline.found("delete us4") == [0, 1, 3]
    assert outline.found("US4 delete", hide_done=True) == [0]
    # the done subtask is hidden, its open parent matches itself; Phase 4 has nothing that matches
    assert [(r.kind, r.index) for r in outline.rows(set(), "US4 delete", True)] == [("heading", 0), ("task", 0)]
    assert [r.index for r in outline.rows(set(), "T012a", False) if r.kind == TASK] == [0, 1], "a match opens its parent"
    assert outline.rows(set(), "nothing like it", False) == []
    assert outline.found("   ") is None and outline.found("state:bogus") is None, "no terms: no filter"


def test_a_query_opens_collapsed_sections_and_tasks():
    doc = Document(SPEC)
    outline = Outline(doc)
    collapsed = {outline.headings[0].key, ("t", doc.keys[0])}
    assert [r.index for r in outline.rows(collapsed, "", False) if r.kind == TASK] == [4]  # Phase 4 is open
    assert [r.index for r in outline.rows(collapsed, "files", False) if r.kind == TASK] == [0, 1]


def test_the_count_of_matches_leaves_the_legend_out():
    doc = Document(b"# Plan\n\n**Legend:**\n\n- [ ] to do\n- [x] done\n\n## Work\n\n- [ ] do it\n- [x] done it\n")
    assert [t.legend for t in doc.tasks] == [True, True, False, False]
    outline = Outline(doc)
    found = outline.found("do")
    assert found == [0, 1, 2, 3]
    assert outline.rollup.tally(found) == 2 == outline.rollup.document.total


def test_found_and_the_index_follow_new_versions():
    doc = Document(SPEC)
    outline = Outline(doc)
    assert outline.found("draft") == [0, 1, 4]
    renamed = patched(doc, E.EditText(doc.keys[4], "Rename a sketch"))
    newer = outline.with_document(renamed, outline.rollup.advance(renamed))
    assert newer.found("draft") == [0, 1]
    assert newer.found("sketch") == [4]
    assert outline.found("draft") == [0, 1, 4], "the older outline still answers for its own version"
    toggled = patched(doc, E.Toggle(doc.keys[2]))
    after_toggle = outline.with_document(toggled, outline.rollup.advance(toggled))
    assert after_toggle.found("state:done") == [1, 2, 3]
    assert after_toggle.index is outline.index, "no text changed: the index is shared"


@pytest.mark.parametrize("name", sample_names())
@pytest.mark.parametrize("text,hide_done", [("test the", False), ("-e state:open", False), ("t0 -[P]", True),
                                            ('"data model"', False), ("1.2", False), ("[US1] state:todo,done", False)])
def test_filtered_rows_are_the_query_matches_and_their_ancestors(name, text, hide_done):
    from tasktui.doc import query as Q

    doc = Document((SAMPLES_DIR / name).read_bytes())
    outline = Outline(doc)
    accept = Q.matcher(Q.parse(text), Q.TaskIndex(doc.tasks))

    def matches(t) -> bool:
        return accept(t) and (not hide_done or t.state != "done")

    want = [matches(t) or any(matches(d) for d in doc.tasks[t.index + 1:] if d.line < t.end) for t in doc.tasks]
    rows = outline.rows(set(), text, hide_done)
    assert sorted(r.index for r in rows if r.kind == TASK) == [i for i, ok in enumerate(want) if ok]
    for r in rows:
        if r.kind != TASK:
            node = outline.headings[r.index]
            assert any(want[node.first_task:node.end_task])
