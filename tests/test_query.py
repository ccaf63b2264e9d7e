"""Find (tasktui.doc.query): parsing queries, matching tasks and the words shown as
found in a row, tested without Textual."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import HOSTILE_PIECES, SAMPLES_DIR, hostile_file, hostile_strategy, sample_names
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc import query as Q
from tasktui.doc import refs

SPECKIT = """# Tasks: Demo

## Phase 1: Setup

- [X] T001 Create project structure
- [ ] T002 [P] Add the ruff config

## Phase 3: User Story 4 - Delete things

- [ ] T012 [P] [US4] Delete a draft in src/drafts.py
- [/] T012a [US4] Undo a delete of a draft
- [ ] T013 [US10] Delete the account (depends on T012)
- [-] T014 [US4] Export before delete
- [~] T015 [US4] Queue the cleanup job
- [ ] T016 [US1] Straße und Maße prüfen
""".encode()

KIRO = b"""# Implementation Plan

- [x] 1. Set up the project
  - [x] 1.1 Create the package
  - [ ] 1.2 Define the interfaces
    - Write the protocols
    - _Requirements: 1.2_
- [ ] 2. Build the models
  - [ ]* 2.1 Write unit tests for models
  - [-] 2.2 Validate tags for v1.2 clients
"""


@pytest.fixture(scope="module")
def spec() -> Document:
    return Document(SPECKIT)


@pytest.fixture(scope="module")
def kiro() -> Document:
    return Document(KIRO)


def found(doc: Document, text: str, hide_done: bool = False) -> list[str]:
    """The ids (else the texts) of the tasks the query finds."""
    hits = Q.select(Q.parse(text), Q.TaskIndex(doc.tasks), doc.tasks, hide_done=hide_done)
    return [doc.tasks[i].id or doc.tasks[i].text for i in hits]


# ------------------------------------------------------------------------ parsing
def test_words_phrases_and_minus_signs_parse_into_terms():
    q = Q.parse('  US4   delete "a draft" -export -"before delete"  ')
    assert [(t.kind, t.value, t.negated) for t in q.terms] == [
        ("word", "us4", False), ("word", "delete", False), ("word", "a draft", False),
        ("word", "export", True), ("word", "before delete", True)]
    assert q.problems == ()


def test_quotes_make_anything_a_word_and_an_unclosed_quote_runs_to_the_end():
    q = Q.parse('"state:done" "T012" "-x" "[P]" "unclosed phrase  ')
    assert [(t.kind, t.value, t.negated) for t in q.terms] == [
        ("word", "state:done", False), ("word", "t012", False), ("word", "-x", False), ("word", "[p]", False),
        ("word", "unclosed phrase  ", False)]


def test_a_lone_minus_and_empty_quotes():
    assert [(t.kind, t.value, t.negated) for t in Q.parse('- "" -"" --x').terms] == [
        ("word", "-", False), ("word", "-x", True)]


@pytest.mark.parametrize("typed,state", [
    ("state:open", "open"), ("STATE:Done", "done"), ("state:todo", "todo"), ("state:in_progress", "in_progress"),
    ("state:progress", "in_progress"), ("state:doing", "in_progress"), ("state:queued", "queued"),
    ("state:cancelled", "cancelled"), ("state:canceled", "cancelled"), ("state:todo,doing", "in_progress,todo"),
])
def test_state_terms(typed, state):
    (term,) = Q.parse(typed).terms
    assert (term.kind, term.value) == ("state", state)


def test_an_unknown_state_is_reported_and_left_out_and_other_prefixes_are_words():
    q = Q.parse("state:bogus owner:me")
    assert [(t.kind, t.value) for t in q.terms] == [("word", "owner:me")]
    assert q.problems == ("“state:bogus” is not a state: open, done, todo, in_progress, queued, blocked, review, draft or cancelled.",)
    assert Q.parse("state:").problems == ("state: takes open, done, todo, in_progress, queued, blocked, review, draft or cancelled.",)
    assert not Q.parse("state:") and not Q.parse("   ")


def test_ids_and_markers_are_recognised_by_shape():
    q = Q.parse("T012 t012a 1.2. [US1] [p] [not a marker]")
    assert [(t.kind, t.value) for t in q.terms] == [
        ("id", "t012"), ("id", "t012a"), ("id", "1.2"), ("marker", "us1"), ("marker", "p"),
        ("word", "[not"), ("word", "a"), ("word", "marker]")]


# ------------------------------------------------------------------------ matching
def test_words_in_any_order_ignoring_case(spec):
    assert found(spec, "US4 delete") == ["T012", "T012a", "T014"]
    assert found(spec, "delete us4") == ["T012", "T012a", "T014"]
    assert found(spec, "DELETE draft") == ["T012", "T012a"]
    assert found(spec, '"a draft"') == ["T012", "T012a"]
    assert found(spec, '"draft in"') == ["T012"]
    assert found(spec, "straße") == ["T016"] and found(spec, "STRASSE") == ["T016"]


def test_minus_leaves_out(spec):
    assert found(spec, "delete -draft") == ["T013", "T014"]
    assert found(spec, "US4 -state:cancelled -[P]") == ["T012a", "T015"]
    assert found(spec, "-US4 -T001") == ["T002", "T013", "T016"]


def test_an_id_is_that_task_exactly_else_a_word(spec):
    assert found(spec, "T012") == ["T012"]  # not T012a, not T013 that mentions it
    assert found(spec, "t012a") == ["T012a"]
    assert found(spec, "T01") == ["T012", "T012a", "T013", "T014", "T015", "T016"]  # no such id: a word
    assert found(spec, "T099") == []
    assert found(spec, '"T012"') == ["T012", "T012a", "T013"]


def test_kiro_ids(kiro):
    assert found(kiro, "1.2") == ["1.2"]  # not 2.2, which says "v1.2"
    assert found(kiro, "1.2.") == ["1.2"]
    assert found(kiro, "2") == ["2"]
    assert found(kiro, '"1.2"') == ["1.2", "2.2"]


def test_a_marker_is_the_tasks_carrying_it_else_a_word(spec, kiro):
    assert found(spec, "[US1]") == ["T016"]  # not [US10]
    assert found(spec, "[us4]") == ["T012", "T012a", "T014", "T015"]
    assert found(spec, "[P]") == ["T002", "T012"]
    assert found(kiro, "[P]") == []  # no task has markers: a word, found nowhere
    plain = Document(b"- [ ] read [x] marks\n- [ ] other\n")
    assert found(plain, "[x]") == ["read [x] marks"]


def test_states(spec, kiro):
    assert found(spec, "state:done") == ["T001"]
    assert found(spec, "state:open") == ["T002", "T012", "T012a", "T013", "T015", "T016"]
    assert found(spec, "state:todo") == ["T002", "T012", "T013", "T016"]
    assert found(spec, "state:doing") == ["T012a"]
    assert found(spec, "state:queued") == ["T015"]
    assert found(spec, "state:cancelled") == ["T014"]
    assert found(spec, "state:queued,cancelled") == ["T014", "T015"]
    # Kiro: optional tasks are no open work; [-] means in progress
    assert found(kiro, "state:open") == ["1.2", "2", "2.2"]
    assert found(kiro, "state:todo") == ["1.2", "2", "2.1"]
    assert found(kiro, "state:progress") == ["2.2"]


def test_hide_done_and_an_empty_query(spec):
    assert found(spec, "", hide_done=True) == [t.id for t in spec.tasks if t.state != "done"]
    assert found(spec, "") == [t.id for t in spec.tasks]
    assert found(spec, "create", hide_done=True) == []
    assert found(spec, "state:bogus") == [t.id for t in spec.tasks]  # the only term was left out


def test_the_matcher_agrees_with_select(spec, kiro):
    for doc in (spec, kiro):
        index = Q.TaskIndex(doc.tasks)
        for text in ["US4 delete", "-draft", "T012", "1.2", "[P]", "state:open -[US4]", "state:todo,queued 1",
                     "zzz", '"a draft" -state:done']:
            query = Q.parse(text)
            accept = Q.matcher(query, index)
            assert [t.index for t in doc.tasks if accept(t)] == Q.select(query, index, doc.tasks), text
    assert Q.matcher(Q.parse("  "), Q.TaskIndex(spec.tasks)) is None


def test_the_index_of_a_patched_version_equals_a_fresh_one(spec):
    index = Q.TaskIndex(spec.tasks)
    toggled = spec.patched(E.plan(spec, E.Toggle(spec.keys[1])).patches)
    assert index.updated(spec.tasks, toggled.tasks, toggled.changed_since(spec)) is index  # no text changed
    renamed = spec.patched(E.plan(spec, E.EditText(spec.keys[2], "Remove a draft")).patches)
    changed = renamed.changed_since(spec)
    assert changed is not None, "an in-place edit"
    newer = index.updated(spec.tasks, renamed.tasks, changed)
    fresh = Q.TaskIndex(renamed.tasks)
    assert (newer.folded, newer.ids, newer.markers) == (fresh.folded, fresh.ids, fresh.markers)
    assert index.folded[2] == spec.tasks[2].text.casefold(), "the older index still answers for its version"


# ------------------------------------------------------------------------ highlighting
def test_spans_find_every_needle_on_the_text_as_shown():
    assert Q.spans("T012 [US4] Delete a draft, delete", ("delete", "us4")) == [(6, 9), (11, 17), (27, 33)]
    assert Q.spans("abcabc", ("bca", "abc")) == [(0, 6)]  # overlapping matches merge
    assert Q.spans("Straße prüfen", ("strasse",)) == [(0, 6)]  # ß folds to ss: the whole letter
    assert Q.spans("STRASSE", ("ß".casefold(),)) == [(4, 6)]
    assert Q.spans("İstanbul", ("i̇s",)) == [(0, 2)]
    assert Q.spans("nothing", ("zzz", "")) == []


def test_needles_are_what_the_query_looks_for(spec):
    index = Q.TaskIndex(spec.tasks)
    assert Q.parse('US4 -draft "a b" T012 [P] state:open T0').needles(index) == ("t012", "[p]", "a b", "us4", "t0")
    assert Q.parse("[zz9] T999").needles(index) == ("[zz9]", "t999")  # not in the file: words


# ------------------------------------------------------------------------ properties
WORD = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=8)


def plain_word(w: str) -> bool:
    """A word the query language reads as a plain word (no quote, minus, prefix, id or marker shape)."""
    terms = Q.parse(w).terms
    return len(terms) == 1 and terms[0].kind == "word" and not terms[0].negated and '"' not in w


@pytest.fixture(scope="module")
def samples() -> list[Document]:
    return [Document((SAMPLES_DIR / name).read_bytes()) for name in sample_names()] + [Document(SPECKIT)]


@given(words=st.lists(st.one_of(WORD, st.sampled_from(["delete", "us4", "t012", "[US4]", "state:open", "-draft",
                                                          '"a draft"', "1.2", "the", "-state:done", "test"])),
                      min_size=1, max_size=5), data=st.data())
def test_word_order_never_matters(samples, words, data):
    shuffled = data.draw(st.permutations(words))
    for doc in samples:
        assert found(doc, " ".join(words)) == found(doc, " ".join(shuffled))


@given(word=st.one_of(WORD, st.sampled_from(["create", "Test", "api/v1", "straße", "T0", "é", "(", "a:b"])))
def test_one_plain_word_is_the_old_substring_filter(samples, word):
    if not plain_word(word):
        return
    for doc in samples:
        old = [t.id or t.text for t in doc.tasks if word.casefold().strip() in t.text.casefold()]
        assert found(doc, word) == old


@given(text=st.one_of(hostile_strategy(), st.text(max_size=40),
                      st.lists(st.sampled_from(HOSTILE_PIECES + ['"', "-", "state:", "[", "]", "T01", "L", ":"]),
                               max_size=8).map("".join)))
def test_hostile_queries_never_raise(text):
    doc = Document(hostile_file(text))
    query = Q.parse(text)
    index = Q.TaskIndex(doc.tasks)
    hits = Q.select(query, index, doc.tasks)
    accept = Q.matcher(query, index)
    assert hits == [t.index for t in doc.tasks if accept is None or accept(t)]
    for task in doc.tasks:
        for a, b in Q.spans(task.text, query.needles(index)):
            assert 0 <= a < b <= len(task.text)
    assert isinstance(refs.go(doc, text), (str, type(doc.tasks[0])))
    for problem in query.problems:
        assert problem.endswith(".")
