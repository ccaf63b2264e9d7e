"""A file's own legend: the key that says what its checkbox marks mean.

Files write it in a few ways: a list of checkbox items (``- [~] skipped``), in
a blockquote or under a heading such as "Legend", "Key" or "Status key", or
introduced by a line saying so (``**Legend:**``); or marks in inline code,
one per item or several on a line (`` `[~]` skipped · `[-]` deprecated ``).
A list counts as a legend when each item gives a different mark and a short
word or two for it. The words decide the state of every task with that mark:

- done, complete(d), finished -> done
- in progress, doing, started, wip, active, working -> in progress
- queued, next, planned, up next -> queued
- to do, todo, pending, not started, open -> to do
- cancelled, skipped, deferred, won't do, dropped, n/a, abandoned, deprecated,
  obsolete, won't fix, removed -> cancelled
- any other word -> ``other``, with the word as the task's ``label``.

Legend items themselves are not work: they count in no total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasktui.doc.states import CANCELLED, DONE, IN_PROGRESS, OTHER, QUEUED, TODO

_NAME = r"(?:(?:status|checkbox|task|progress)\s+)?(?:legend|key)|key\s+to\s+\w+|marks|symbols|notation"
_HEADING = re.compile(rf"^\W*(?:{_NAME})\W*$", re.I)
_INTRO = re.compile(rf"^\s*(?:[-*+>]\s+)?[*_]*\s*(?:{_NAME})\s*[*_]*\s*[:：]?\s*[*_]*\s*$", re.I)
_INLINE_INTRO = re.compile(rf"^\s*(?:[-*+>]\s+)?[*_]*(?:{_NAME})[*_]*\s*[:：]", re.I)
_CODE_MARK = re.compile(r"`\[(.)\]`\s*(?:[:=–—-]\s*)?([^`·|,;()]{1,40}?)\s*(?=[·|,;(]|`|$)")
_WORDS = [
    (DONE, ("done", "complete", "completed", "finished")),
    (IN_PROGRESS, ("in progress", "in-progress", "doing", "started", "wip", "active", "working", "ongoing")),
    (QUEUED, ("queued", "next", "planned", "up next")),
    (TODO, ("to do", "todo", "to-do", "pending", "not started", "open", "not done")),
    (CANCELLED, ("cancelled", "canceled", "skipped", "skip", "deferred", "won't do", "wont do", "won’t do", "dropped",
                 "n/a", "abandoned", "not applicable", "deprecated", "obsolete", "won't fix", "wontfix", "removed")),
]


def state_of_word(phrase: str) -> str:
    """The state a legend's word means (see the module's docstring), else ``other``."""
    low = phrase.strip().lower().strip(" .:*_-–—")
    for state, words in _WORDS:
        for word in words:
            if low == word or low.startswith(word + " ") or low.startswith(word + "(") or low.startswith(word + ","):
                return state
    return OTHER


def _word(text: str) -> str:
    """The legend's word for a mark: the text up to a note in parentheses or a dash."""
    return re.split(r"\s*[(–—]|\s+-\s+", text.strip(), maxsplit=1)[0].strip(" *_:.") or text.strip()


@dataclass
class Legend:
    marks: dict[str, tuple[str, str]] = field(default_factory=dict)  # mark -> (state, word)
    items: set[int] = field(default_factory=set)  # indexes of the tasks that are legend items
    lines: set[int] = field(default_factory=set)  # lines the legend is written on

    def __bool__(self) -> bool:
        return bool(self.marks)


def find(lines, headings, raw_tasks, code_marks: bool = True) -> Legend:
    """The file's legend. ``raw_tasks``: (line, depth, quote, mark, optional, text, list key)
    per task, in order; ``headings``: (line, text) in order; ``code_marks``: False when
    the file has no `` `[ `` anywhere (no line need be looked at for marks in inline code)."""
    legend = Legend()
    heading_lines = [h[0] for h in headings]
    # checkbox lists: group the top-level items of one list
    groups: dict[object, list[int]] = {}
    for i, (line, depth, quote, mark, optional, text, key) in enumerate(raw_tasks):
        if depth == 0:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        items = [raw_tasks[i] for i in members]
        if len(items) < 2 or len({it[3] for it in items}) != len(items) or any(it[4] for it in items):
            continue
        if not all(0 < len(it[5]) <= 40 and len(it[5].split()) <= 6 and not re.match(r"[*_]*(T\d|\d)", it[5])
                   for it in items):
            continue
        first = items[0][0]
        if not (items[0][2] or _under_legend_heading(first, headings, heading_lines) or _introduced(lines, first)):
            continue  # a list of tasks, not a key to the marks
        for i, it in zip(members, items):
            legend.items.add(i)
            legend.lines.add(it[0])
            word = _word(it[5])
            legend.marks.setdefault(it[3], (state_of_word(word), word))
    # inline-code marks: `[~]` skipped
    for n, line in enumerate(lines if code_marks else ()):
        if "`[" not in line:
            continue
        found = _CODE_MARK.findall(line)
        if not found:
            continue
        near = _INLINE_INTRO.match(line) or _under_legend_heading(n, headings, heading_lines) or _introduced(lines, n)
        if not near:
            continue
        legend.lines.add(n)
        for mark, text in found:
            word = _word(text)
            if word:
                legend.marks.setdefault(mark, (state_of_word(word), word))
    return legend


def _under_legend_heading(line: int, headings, heading_lines) -> bool:
    import bisect

    k = bisect.bisect_right(heading_lines, line) - 1
    return k >= 0 and bool(_HEADING.match(headings[k][1]))


def _introduced(lines, line: int) -> bool:
    """Whether the line just above (past blank lines, and past lines that give marks
    in inline code: the key's own earlier items) says "Legend:" or the like."""
    n = line - 1
    while n >= 0 and (not lines[n].strip() or _CODE_MARK.search(lines[n])):
        n -= 1
    return n >= 0 and bool(_INTRO.match(lines[n]) or _INLINE_INTRO.match(lines[n]))
