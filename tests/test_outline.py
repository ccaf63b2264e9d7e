"""The outline (tasktui.outline): plain data behind the tree, tested without Textual."""

from __future__ import annotations

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
    newer = outline.with_document(renamed, renamed._derived_from[1])
    assert shown_texts(newer, "create") == ["Create the index"]
    assert shown_texts(newer, "draft") == ["Draft the schema"]
    # the older outline still answers for its own version
    assert shown_texts(outline, "create") == ["Create the schema", "Create the index"]


def test_totals_of_a_new_version_equal_a_fresh_outline():
    doc = Document(DOC)
    outline = Outline(doc)
    toggled = patched(doc, E.Toggle(doc.keys[2]))
    newer = outline.with_document(toggled, toggled._derived_from[1])
    fresh = Outline(toggled)
    for name in ("headings", "kids"):
        assert getattr(newer, name) == getattr(fresh, name)
    assert [newer.heading_totals(h) for h in range(len(newer.headings))] == [fresh.heading_totals(h) for h in range(len(fresh.headings))]
    assert [newer.task_totals(i) for i in range(3)] == [fresh.task_totals(i) for i in range(3)]
    assert newer.heading_totals(0) != outline.heading_totals(0)  # the toggle shows in the phase totals
