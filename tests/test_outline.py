"""The outline (tasktui.outline): plain data behind the tree, tested without Textual."""

from __future__ import annotations

import pytest

from support import SAMPLES_DIR, sample_names
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.outline import TASK, Outline

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
