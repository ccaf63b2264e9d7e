"""Find: the query language of the tree's filter, and of `n` while a filter is on.

A query is words separated by spaces; a task matches when it matches every term,
in any order, ignoring case:

- ``word``: occurs in the task's text as the tree shows it (its id and
  markers included, control characters as their pictures: see
  tasktui.doc.safetext), casefolded; ``"an exact phrase"`` keeps its words together
  (an unclosed quote runs to the end), and quotes make anything a plain word
  (``"state:done"``, ``"T012"``, ``"-x"``);
- ``state:open`` (required work not done, as ``n`` and the counts mean it),
  ``state:done``, ``state:todo``, ``state:in_progress`` (``progress``,
  ``doing``), ``state:queued``, ``state:blocked``, ``state:review``,
  ``state:draft``, ``state:cancelled``, ``state:other``; several
  with commas, any of them (``state:todo,doing``); another word after
  ``state:`` is reported (``Query.problems``) and the term left out;
- a task id, ``T012``, ``#T012`` or ``1.2``: the task with that id exactly (the
  id the document parsed, ``Task.id``, compared as tasktui.doc.refs compares
  ids), when the file has one; otherwise a word;
- a marker, ``[US1]`` or ``[P]``: the tasks carrying it (``Task.markers``),
  when any does; otherwise a word;
- ``-term``: leaves out what the term matches.

Any other ``name:value`` is a plain word. Parsing never fails: every string is a
query (at worst one that matches nothing).

What matching needs of each task (its casefolded text, the ids and markers) is a
``TaskIndex``, built once per document version and patched for the tasks a
version changed, so a key press costs one pass over the texts, not a casefold
of each. Nothing here imports Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from tasktui.doc.model import Task
from tasktui.doc.refs import id_key, normal_id
from tasktui.doc.rollup import is_open
from tasktui.doc.states import BLOCKED, CANCELLED, DONE, DRAFT, IN_PROGRESS, OTHER, QUEUED, REVIEW, TODO
from tasktui.doc.safetext import visible

WORD, STATE, ID, MARKER = "word", "state", "id", "marker"
OPEN = "open"  # the state term for required work not done (rollup.is_open)

STATE_WORDS = {
    "open": OPEN,
    "done": DONE,
    "todo": TODO, "to-do": TODO, "to_do": TODO,
    "in_progress": IN_PROGRESS, "in-progress": IN_PROGRESS, "inprogress": IN_PROGRESS, "progress": IN_PROGRESS,
    "doing": IN_PROGRESS,
    "queued": QUEUED,
    "blocked": BLOCKED,
    "review": REVIEW, "in_review": REVIEW, "in-review": REVIEW,
    "draft": DRAFT,
    "cancelled": CANCELLED, "canceled": CANCELLED,
    "other": OTHER,
}
STATE_HINT = "open, done, todo, in_progress, queued, blocked, review, draft or cancelled"

_MARKER_SHAPE = re.compile(r"\[([A-Za-z][A-Za-z0-9_-]{0,15})\]")


@dataclass(frozen=True, slots=True)
class Term:
    kind: str  # WORD, STATE, ID or MARKER
    value: str  # WORD: the casefolded needle; STATE: states (or OPEN) joined by commas; ID: refs.id_key; MARKER: the casefolded name
    negated: bool = False
    text: str = ""  # as typed, without the minus sign

    def as_word(self) -> "Term":
        """An id or marker the file does not have: the same text, as a word."""
        return Term(WORD, self.text.casefold(), self.negated, self.text)


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # as typed
    terms: tuple[Term, ...]
    problems: tuple[str, ...] = ()  # one sentence each, for what was left out

    def __bool__(self) -> bool:
        return bool(self.terms)

    def resolved(self, index: "TaskIndex") -> tuple[Term, ...]:
        """The terms as they apply to one document: ids and markers it does not have are words."""
        out = []
        for t in self.terms:
            if (t.kind == ID and t.value not in index.ids) or (t.kind == MARKER and t.value not in index.markers):
                t = t.as_word()
            out.append(t)
        return tuple(out)

    def needles(self, index: "TaskIndex") -> tuple[str, ...]:
        """Casefolded strings to show as found in a task's row: the words and phrases
        it matched, the ids and the markers (``[us1]``), longest first."""
        found = set()
        for t in self.resolved(index):
            if t.negated:
                continue
            if t.kind == WORD:
                found.add(t.value)
            elif t.kind == ID:
                found.add(t.value)
            elif t.kind == MARKER:
                found.add(f"[{t.value}]")
        return tuple(sorted(found, key=lambda s: (-len(s), s)))


def _term(token: str, negated: bool, problems: list[str]) -> Term | None:
    name, colon, value = token.partition(":")
    if colon and name.casefold() == "state":
        words = [w for w in value.casefold().split(",") if w]
        states = [STATE_WORDS.get(w) for w in words]
        if not words or None in states:
            problems.append(f"“{token}” is not a state: {STATE_HINT}." if words
                            else f"state: takes {STATE_HINT}.")
            return None
        return Term(STATE, ",".join(sorted(set(states))), negated, token)
    m = _MARKER_SHAPE.fullmatch(token)
    if m:
        return Term(MARKER, m.group(1).casefold(), negated, token)
    wanted = normal_id(token)
    if wanted is not None:
        return Term(ID, wanted, negated, token)
    return Term(WORD, token.casefold(), negated, token)


@lru_cache(maxsize=64)
def parse(text: str) -> Query:
    """The query ``text`` says (see the module's docstring). Never raises."""
    terms: list[Term] = []
    problems: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                end = n
            phrase = text[i + 1:end]
            i = end + 1
            if phrase.strip():
                terms.append(Term(WORD, phrase.casefold(), negated, phrase))
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        token = text[i:j]
        i = j
        term = _term(token, negated, problems)
        if term is not None:
            terms.append(term)
    return Query(text, tuple(terms), tuple(problems))


def folded_text(task: Task) -> str:
    """A task's text as the filter reads it: as shown (``visible``), casefolded."""
    return visible(task.text).casefold()


def _folded_texts(tasks: Sequence[Task]) -> list[str]:
    folded = [t.text.casefold() for t in tasks]
    if not all(map(str.isprintable, folded)):  # at C speed; casefolding keeps what does not print
        folded = [s if s.isprintable() else folded_text(t) for s, t in zip(folded, tasks)]
    return folded


class TaskIndex:
    """What matching needs of each task of one document version: its text as shown,
    casefolded (built at once), and which tasks carry each id and each marker,
    casefolded (built when a query first names one)."""

    __slots__ = ("tasks", "folded", "_ids", "_markers")

    def __init__(self, tasks: Sequence[Task], folded: list[str] | None = None, *,
                 ids: dict[str, list[int]] | None = None, markers: dict[str, list[int]] | None = None) -> None:
        """The index of ``tasks``; ``folded``, ``ids`` and ``markers``, when given, are
        what an index of tasks with the same texts, ids and markers already found."""
        self.tasks = tasks
        self.folded = _folded_texts(tasks) if folded is None else folded
        self._ids = ids
        self._markers = markers

    @property
    def ids(self) -> dict[str, list[int]]:
        """``refs.id_key(id)`` -> the tasks with that id, in file order."""
        if self._ids is None:
            ids: dict[str, list[int]] = {}
            for t in self.tasks:
                if t.id is not None:
                    ids.setdefault(id_key(t.id), []).append(t.index)
            self._ids = ids
        return self._ids

    @property
    def markers(self) -> dict[str, list[int]]:
        """A marker's name, casefolded -> the tasks carrying it, in file order."""
        if self._markers is None:
            markers: dict[str, list[int]] = {}
            for t in self.tasks:
                if t.markers:
                    for m in dict.fromkeys(m.casefold() for m in t.markers):  # once each: [A] [a]
                        markers.setdefault(m, []).append(t.index)
            self._markers = markers
        return self._markers

    def updated(self, old_tasks: Sequence[Task], tasks: Sequence[Task], changed: Iterable[int]) -> "TaskIndex":
        """The index of a version patched in place from the one this indexes (the same
        tasks at the same indexes), of which the tasks ``changed`` may differ."""
        changed = [i for i in changed if tasks[i].text != old_tasks[i].text]
        if not changed:
            return self  # marks or times changed: what matching reads is the same
        folded = list(self.folded)
        for i in changed:
            folded[i] = folded_text(tasks[i])
        if any((tasks[i].id, tasks[i].markers) != (old_tasks[i].id, old_tasks[i].markers) for i in changed):
            return TaskIndex(tasks, folded)
        return TaskIndex(tasks, folded, ids=self._ids, markers=self._markers)


def _state_test(value: str) -> Callable[[Task], bool]:
    states = frozenset(value.split(","))
    if OPEN not in states:
        if len(states) == 1:
            return lambda t: t.state == value
        return lambda t: t.state in states
    if len(states) == 1:
        return is_open
    return lambda t: t.state in states or is_open(t)


def _keep(term: Term, index: TaskIndex, tasks: Sequence[Task], candidates: list[int] | None) -> list[int]:
    """The candidates (None: every task) that ``term`` keeps."""
    neg = term.negated
    if term.kind in (ID, MARKER):
        hits = (index.ids if term.kind == ID else index.markers).get(term.value, ())
        if not neg:
            return list(hits) if candidates is None else sorted(set(hits).intersection(candidates))
        out = set(hits)
        return [i for i in (range(len(tasks)) if candidates is None else candidates) if i not in out]
    if term.kind == WORD:
        needle, folded = term.value, index.folded
        if candidates is None:
            if neg:
                return [i for i, text in enumerate(folded) if needle not in text]
            return [i for i, text in enumerate(folded) if needle in text]
        if neg:
            return [i for i in candidates if needle not in folded[i]]
        return [i for i in candidates if needle in folded[i]]
    test = _state_test(term.value)
    if candidates is None:
        return [t.index for t in tasks if test(t) != neg]
    return [i for i in candidates if test(tasks[i]) != neg]


_ORDER = {ID: 0, MARKER: 1, WORD: 2, STATE: 3}


def select(query: Query, index: TaskIndex, tasks: Sequence[Task], *, hide_done: bool = False) -> list[int]:
    """The indexes of the tasks that match every term (and are not done, with
    ``hide_done``), in file order. An empty query without ``hide_done``: every task."""
    terms = sorted(query.resolved(index), key=lambda t: (t.negated, _ORDER[t.kind]))  # the narrowest first
    if hide_done:
        terms.append(Term(STATE, DONE, True, "-state:done"))
    candidates: list[int] | None = None
    for term in terms:
        candidates = _keep(term, index, tasks, candidates)
        if not candidates:
            return []
    return list(range(len(tasks))) if candidates is None else candidates


def matcher(query: Query, index: TaskIndex) -> Callable[[Task], bool] | None:
    """A test of one task against ``query`` (None for an empty query): what ``n`` uses
    to stay on the tasks the filter shows."""
    terms = query.resolved(index)
    if not terms:
        return None
    folded = index.folded

    def one(term: Term) -> Callable[[Task], bool]:
        if term.kind == WORD:
            needle = term.value
            return lambda t: needle in folded[t.index]
        if term.kind in (ID, MARKER):
            hits = frozenset((index.ids if term.kind == ID else index.markers).get(term.value, ()))
            return lambda t: t.index in hits
        return _state_test(term.value)

    tests = [(one(t), t.negated) for t in terms]
    return lambda task: all(test(task) != neg for test, neg in tests)


# ------------------------------------------------------------------- highlighting
def _fold_map(text: str) -> tuple[str, list[int]]:
    """``text`` casefolded, and for each character of the result the position in
    ``text`` of the character it came from (casefolding may lengthen: ß → ss)."""
    if text.isascii():
        return text.lower(), range(len(text))  # type: ignore[return-value]
    folded: list[str] = []
    where: list[int] = []
    for pos, ch in enumerate(text):
        f = ch.casefold()
        folded.append(f)
        where.extend([pos] * len(f))
    return "".join(folded), where


def spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Where ``needles`` (casefolded) occur in ``text``: (start, end) positions of
    ``text`` covering every character a match came from, sorted, overlaps merged."""
    folded, where = _fold_map(text)
    found: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        at = folded.find(needle)
        while at >= 0:
            end = at + len(needle)
            found.append((where[at], where[end - 1] + 1))
            at = folded.find(needle, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
