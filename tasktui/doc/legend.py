"""A file's own legend: the key that says what its checkbox marks mean.

A legend sits under a heading that names it ("Legend", "Task Status Legend",
"Legend (Quick Reference)", "Status key", "Markers", "Symbols"), after a line
that introduces it (``**Legend:**``), or in a blockquote; and its entries pair
a mark with the words for a state. Files write the entries in three ways:

- checkbox items, one mark each (``- [~] In Progress``);
- marks in inline code, one per list item or several on a line
  (`` - `[-]` In Progress ``, `` `[~]` skipped · `[-]` deprecated ``);
- a table, a mark in one cell and its words in the next
  (``| `[!]` | Blocked |``), which may also name itself in its header row
  (``| Mark | Status |``).

What makes it a key rather than a checklist is its words: most of its entries
must name a state (a quoted ``> - [ ] Tested`` / ``> - [x] Reviewed``, a
checklist meant for a pull request, names none, so its items are work). The
words and the states they mean:

- done, complete(d), finished -> done
- in progress, doing, started, wip, active, working, ongoing -> in progress
- queued, next, planned, up next, later -> queued
- to do, todo, pending, not started, open, not done -> to do
- blocked, waiting, on hold -> blocked
- review, in review, reviewing, under review, awaiting review, needs review -> review
- draft, proposed, pending approval -> draft
- cancelled, skipped, deferred, won't do, dropped, n/a, abandoned, deprecated,
  obsolete, won't fix, removed -> cancelled
- any other word -> ``other``, with the word as the task's ``label``.

A word may carry a note after it, in parentheses or after a dash or a colon
(``Todo (approved, ready for work)``), and "blocked by ...", "waiting for ..."
still say blocked. A legend's own items are never work: they count in no total.
It changes the meaning of the marks it names and no others, so ``[ ]`` and
``[x]`` keep theirs unless it names them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from tasktui.doc.parse import is_checkbox_mark
from tasktui.doc.states import BLOCKED, CANCELLED, DONE, DRAFT, IN_PROGRESS, OTHER, QUEUED, REVIEW, TODO

# words that name a key to the marks, in a heading or an introducing line
_NAME_WORDS = frozenset(("legend", "key", "keys", "status", "statuses", "markers", "marks", "symbols", "notation"))
# ... and in a table's header row
_COLUMN_WORDS = _NAME_WORDS | {"mark", "marker", "symbol", "checkbox", "state", "meaning"}
_WORD_RUN = re.compile(r"[^\W\d_]+")
_SPOKEN = re.compile(r"[^\W_]+(?:['’/-][^\W_]+)*")
_LEAD = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d{1,9}[.)]\s+)?")
_CODE_MARK = re.compile(r"`\[(.)\]`\s*(?:[:=–—-]\s*)?([^`·|,;()]{1,40}?)\s*(?=[·|,;(]|`|$)")
_CELL_MARK = re.compile(r"^`?\[(.)\]`?\s*(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")

_WORDS = [
    (DONE, ("done", "complete", "completed", "finished")),
    (IN_PROGRESS, ("in progress", "in-progress", "doing", "started", "wip", "active", "working", "ongoing")),
    (QUEUED, ("queued", "next", "planned", "up next", "later")),
    (DRAFT, ("draft", "proposed", "pending approval")),
    (TODO, ("to do", "todo", "to-do", "pending", "not started", "open", "not done")),
    (BLOCKED, ("blocked", "waiting", "on hold")),
    (REVIEW, ("review", "in review", "reviewing", "under review", "awaiting review", "needs review")),
    (CANCELLED, ("cancelled", "canceled", "skipped", "skip", "deferred", "won't do", "wont do", "dropped",
                 "n/a", "abandoned", "not applicable", "deprecated", "obsolete", "won't fix", "wontfix", "removed")),
]
_STATE_OF = {word: state for state, words in _WORDS for word in words}
# "blocked by T004", "waiting for review": the state, then what about it
_AFTER_WORD = re.compile(r"\s+(?:by|for|on|until)\b")


def _clean(phrase: str) -> str:
    """A legend's words as compared: lower case, letters, digits and the few signs
    that are part of a word (``won't``, ``n/a``, ``in-progress``), single spaces."""
    low = phrase.lower().replace("’", "'")
    low = re.sub(r"[^\w\s'/-]", " ", low).replace("_", " ")
    return " ".join(low.split()).strip(" -/'")


def state_of_word(phrase: str) -> str:
    """The state a legend's word means (see the module's docstring), else ``other``."""
    low = _clean(phrase)
    found = _STATE_OF.get(low)
    if found is not None:
        return found
    m = _AFTER_WORD.search(low)
    if m is not None and _STATE_OF.get(low[:m.start()]) in (BLOCKED, REVIEW):
        return _STATE_OF[low[:m.start()]]
    if "/" in low and low not in ("n/a",):  # "Done / Complete"
        for part in low.split("/"):
            found = _STATE_OF.get(part.strip())
            if found is not None:
                return found
    return OTHER


def _word(text: str) -> str:
    """The legend's word for a mark: the text up to a note in parentheses, after a dash or a colon."""
    return re.split(r"\s*[(–—:]|\s+-\s+", text.strip(), maxsplit=1)[0].strip(" *_:.`") or text.strip()


def names_key(text: str) -> bool:
    """Whether a heading's (or an introducing line's) words name a key to the marks:
    a few words, one of them legend, key, status, markers, symbols or the like."""
    words = _WORD_RUN.findall(text.lower())
    return 0 < len(words) <= 6 and any(w in _NAME_WORDS for w in words)


@dataclass
class Legend:
    marks: dict[str, tuple[str, str]] = field(default_factory=dict)  # mark -> (state, word)
    items: set[int] = field(default_factory=set)  # indexes of the tasks that are legend items
    lines: set[int] = field(default_factory=set)  # lines the legend is written on

    def __bool__(self) -> bool:
        return bool(self.marks)

    def words(self) -> dict[str, str]:
        """State -> the legend's word for it (its first mark for that state), as words
        alone: letters and digits, without the signs around them (``In Progress``)."""
        out: dict[str, str] = {}
        for state, word in self.marks.values():
            spoken = " ".join(_SPOKEN.findall(word))
            if spoken:
                out.setdefault(state, spoken)
        return out


def _a_key(entries: list[tuple[str, str]]) -> bool:
    """Whether (mark, words) entries are a key: a different mark each, and words that
    name a state for most of them."""
    if not entries or len({mark for mark, _ in entries}) != len(entries):
        return False
    states = sum(1 for _mark, text in entries if state_of_word(_word(text)) != OTHER)
    return states * 2 > len(entries)


def find(lines, headings, raw_tasks, code_marks: bool = True, tables: bool = True) -> Legend:
    """The file's legend. ``raw_tasks``: (line, depth, quote, mark, optional, text, list key)
    per task, in order; ``headings``: (line, text) in order; ``code_marks`` / ``tables``:
    False when the file has no `` `[ `` / no ``|`` anywhere (no line need be looked at
    for marks in inline code, or for a table)."""
    legend = Legend()
    heading_lines = [h[0] for h in headings]

    def placed(line: int) -> bool:
        return _under_key_heading(line, headings, heading_lines) or _introduced(lines, line)

    def take(entries: list[tuple[str, str]], at: list[int]) -> None:
        legend.lines.update(at)
        for mark, text in entries:
            word = _word(text)
            legend.marks.setdefault(mark, (state_of_word(word), word))

    # checkbox lists: the top-level items of one list
    groups: dict[object, list[int]] = {}
    for i, (line, depth, quote, mark, optional, text, key) in enumerate(raw_tasks):
        if depth == 0:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        items = [raw_tasks[i] for i in members]
        if len(items) < 2 or any(it[4] for it in items):
            continue
        if not all(0 < len(it[5]) <= 40 and len(it[5].split()) <= 6 and not re.match(r"[*_]*(T\d|\d)", it[5])
                   for it in items):
            continue
        if not _a_key([(it[3], it[5]) for it in items]):
            continue  # its words are not states: a checklist, quoted or not
        if not (items[0][2] or placed(items[0][0])):
            continue  # a list of tasks, not a key to the marks
        legend.items.update(members)
        take([(it[3], it[5]) for it in items], [it[0] for it in items])
    # inline-code marks: `[~]` skipped, on lines that follow one another (blank lines between)
    if code_marks:
        for run in _runs(lines, [n for n, line in enumerate(lines) if "`[" in line], _code_entries):
            first, entries = run[0][0], [e for _n, found in run for e in found]
            if (_intro_inline(lines[first]) or placed(first)) and _a_key(entries):
                take(entries, [n for n, _found in run])
    if tables:
        rows = [n for n, line in enumerate(lines) if "|" in line and "[" in line]
        for run in _runs(lines, rows, _row_entries, blank_gap=False):
            entries = [e for _n, found in run for e in found]
            first = run[0][0]
            if (_names_columns(lines, first) or placed(_table_start(lines, first))) and _a_key(entries):
                take(entries, list(range(_table_start(lines, first), run[-1][0] + 1)))
    return legend


def _runs(lines, candidates: list[int], entries_of, blank_gap: bool = True):
    """Runs of lines (of the ``candidates``) that each give (mark, words) entries, as
    [(line, entries)]: lines next to one another, or (``blank_gap``) with only blank
    lines between."""
    run: list[tuple[int, list[tuple[str, str]]]] = []
    last = -1
    for n in candidates:
        found = entries_of(lines[n])
        if found is None:
            continue
        if run and not (n == last + 1 or (blank_gap and all(not lines[k].strip() for k in range(last + 1, n)))):
            yield run
            run = []
        run.append((n, found))
        last = n
    if run:
        yield run


def _code_entries(line: str) -> list[tuple[str, str]] | None:
    if "`[" not in line:
        return None
    found = [(mark, text) for mark, text in _CODE_MARK.findall(line) if is_checkbox_mark(mark) and _word(text)]
    return found or None


def _cells(line: str) -> list[str] | None:
    body = _LEAD.sub("", line, count=1) if line.lstrip().startswith(">") else line.strip()
    if not body.startswith("|"):
        return None
    cells = re.split(r"(?<!\\)\|", body.strip())
    return [c.strip() for c in cells[1:-1 if cells[-1].strip() == "" else None]]


def _row_entries(line: str) -> list[tuple[str, str]] | None:
    """A table row's (mark, words): a cell holding a mark, with its words after it or in the next cell."""
    if "[" not in line or "|" not in line:
        return None
    cells = _cells(line)
    if not cells:
        return None
    for k, cell in enumerate(cells):
        m = _CELL_MARK.match(cell)
        if m is None or not is_checkbox_mark(m.group(1)):
            continue
        words = m.group(2).strip() or next((c for c in cells[k + 1:] if c), "")
        return [(m.group(1), words.strip("*_ "))] if words.strip("*_ ") else None
    return None


def _table_start(lines, row: int) -> int:
    """The first line of the table that line ``row`` is in."""
    n = row
    while n > 0 and _cells(lines[n - 1]) is not None:
        n -= 1
    return n


def _names_columns(lines, row: int) -> bool:
    """Whether the table's header row names it a key (``| Mark | Meaning |``)."""
    start = _table_start(lines, row)
    if start + 1 >= len(lines) or not _TABLE_RULE.match(_LEAD.sub("", lines[start + 1], count=1).strip()):
        return False
    words = [w for cell in _cells(lines[start]) or [] for w in _WORD_RUN.findall(cell.lower())]
    return any(w in _COLUMN_WORDS for w in words)


def _under_key_heading(line: int, headings, heading_lines) -> bool:
    k = bisect.bisect_right(heading_lines, line) - 1
    return k >= 0 and names_key(headings[k][1])


def _intro(line: str) -> bool:
    """A line that says a key follows: ``**Legend:**``, ``Status key:``, ``> **Markers**``."""
    body = _LEAD.sub("", line, count=1).strip()
    plain = body.strip("*_ ").rstrip(":：").strip("*_ ")
    if not plain or plain != body.strip("*_ :：") or ":" in plain:
        return False
    return (body.rstrip("*_ ").endswith((":", "：")) or body.startswith(("**", "__", "*", "_"))) and names_key(plain)


def _intro_inline(line: str) -> bool:
    """A line that names the key before the marks it gives: ``Legend: `[ ]` pending · ...``."""
    head = _LEAD.sub("", line, count=1).split("`", 1)[0]
    if ":" not in head and "：" not in head:
        return False
    return names_key(re.split(r"[:：]", head, maxsplit=1)[0].strip("*_ "))


def _introduced(lines, line: int) -> bool:
    """Whether the line just above (past blank lines) says "Legend:" or the like."""
    n = line - 1
    while n >= 0 and not lines[n].strip():
        n -= 1
    return n >= 0 and _intro(lines[n])
