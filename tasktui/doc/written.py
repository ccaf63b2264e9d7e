"""Our recent writes, and which of them another program overwrote.

For each recent write of ours the app keeps the bytes it put in the file and the
bytes they replaced, anchored to the task they sit in (RestoreItems, as undo
keeps them). Every new version of the file is judged against them, three ways:

- a version we wrote: a record whose bytes it touched is superseded (a later
  edit or an undo of the same place); the rest stay, anchored anew;
- a version another program wrote: where a record's bytes are still ours, it
  stays; where the bytes at its place are again the ones ours replaced, that
  program wrote from a copy older than ours, and the change is **lost** (said
  once, then dropped); anything else there (a new value, the task gone) is that
  program's own change, and the record is dropped without a word.

Nothing here compares whole files: a record is found by its task's identity,
or, where the other program's change covers it, by its line and column when
the change kept the lines where they were.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasktui.doc import patch as P
from tasktui.doc.model import Document
from tasktui.doc.patch import Patch

if TYPE_CHECKING:  # the edit values are imported with the planners, when an edit is made
    from tasktui.doc.edits.ops import RestoreItem


@dataclass(frozen=True)
class Written:
    """One write of ours: what it said, and its pieces (``expected``: the bytes we
    wrote; ``replacement``: the bytes they replaced), with when it was written."""

    summary: str
    items: tuple[RestoreItem, ...]
    when: float


def recorded(summary: str, items, doc: Document, when: float) -> Written:
    """A write of ours that made ``doc``: ``items`` as its undo has them (anchored in ``doc``)."""
    return Written(summary, tuple(_anchored(doc, item, _where(doc, item)) for item in items), when)


def after_ours(records: list[Written], before: Document, after: Document, patches) -> list[Written]:
    """The records still standing after a write of ours (``patches``, on ``before``'s
    bytes, made ``after``): those whose bytes it left alone, anchored in ``after``."""
    patches = P.normalize(patches)
    out = []
    for record in records:
        items = []
        for item in record.items:
            at = _where(before, item)
            if at is None:
                continue
            end = at + len(item.expected)
            if any(_touches(p, at, end) for p in patches):
                continue  # superseded: a later edit (or an undo) of the same bytes
            items.append(_anchored(after, item, at + _shift(patches, at)))
        if items:
            out.append(Written(record.summary, tuple(items), record.when))
    return out


def after_theirs(records: list[Written], before: Document, after: Document,
                 change: Patch) -> tuple[list[Written], list[Written]]:
    """(the records still standing, the records overwritten) after another program
    changed ``before`` into ``after`` (``change``: the one patch between their bytes,
    patch.between, which reading the new version computed already)."""
    new = after.source.data
    kept: list[Written] = []
    lost: list[Written] = []
    for record in records:
        items = []
        overwritten = False
        for item in record.items:
            at = _where(before, item)
            if at is None:
                continue
            end = at + len(item.expected)
            # where we removed bytes, a program putting them back may be seen as putting
            # them anywhere up to their length later (the same bytes may follow)
            near = end if end > at else at + len(item.replacement)
            if not _touches(change, at, near):
                items.append(_anchored(after, item, at + _shift([change], at)))
                continue
            place = _place(item, at, before, after, change)
            if place is None:
                continue
            verdict = _judge(new, place, item)
            if verdict == "ours":
                items.append(_anchored(after, item, place))
            elif verdict == "replaced":
                overwritten = True
        if overwritten:
            lost.append(record)
        elif items:
            kept.append(Written(record.summary, tuple(items), record.when))
    return kept, lost


def _where(doc: Document, item: RestoreItem) -> int | None:
    """The offset of ``item`` in ``doc``: from its task's first line, or absolute."""
    if item.anchor is None:
        return item.offset
    task = doc.find(item.anchor)
    return None if task is None else doc.source.starts[task.item_line] + item.offset


def _touches(p: Patch, start: int, end: int) -> bool:
    """Whether patch ``p`` changes the bytes [start, end), or, for an empty span (the
    place of bytes we removed), puts or takes bytes right there."""
    if start == end:
        return p.start <= start <= p.end and (p.start < p.end or bool(p.data))
    return p.start < end and p.end > start


def _shift(patches, at: int) -> int:
    """How far offset ``at`` moves under ``patches`` that do not touch it (bytes put in
    right at ``at`` go before what starts there)."""
    return sum(len(p.data) - (p.end - p.start) for p in patches if p.end <= at)


def _place(item: RestoreItem, at: int, before: Document, after: Document, change: Patch) -> int | None:
    """Where ``item`` (at ``at`` in ``before``) is in ``after``, another program's
    version whose ``change`` covers it: by its task's identity, else on the same
    line and column when the change kept the lines where they were and the line
    reads the same up to it. None when it has no place there."""
    if item.anchor is not None:
        task = after.find(item.anchor)
        if task is not None:
            return after.source.starts[task.item_line] + item.offset
    old, new = before.source.data, after.source.data
    if _breaks(old[change.start:change.end]) != _breaks(change.data):
        return None
    line = bisect.bisect_right(before.source.starts, at) - 1
    if line >= after.source.line_count:
        return None
    start, new_start = before.source.starts[line], after.source.starts[line]
    place = new_start + (at - start)
    return place if new[new_start:place] == old[start:at] else None


def _breaks(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _judge(data: bytes, at: int, item: RestoreItem) -> str:
    """What is at ``at`` now: our bytes ("ours"), the bytes ours replaced ("replaced"),
    or something else ("other"). The longer of the two is looked for first, so that
    a removal (we wrote nothing) is seen undone when the removed bytes are back."""
    ours, theirs = item.expected, item.replacement
    first, second = ((theirs, "replaced"), (ours, "ours")) if len(theirs) > len(ours) else \
        ((ours, "ours"), (theirs, "replaced"))
    for wanted, verdict in (first, second):
        if data[at:at + len(wanted)] == wanted:
            return verdict
    return "other"


def _anchored(doc: Document, item: RestoreItem, at: int) -> RestoreItem:
    """``item`` at offset ``at`` of ``doc``, anchored to the last task that starts before
    it: a mark or a text sits inside its own task's first line, and the place of lines
    we added or removed is after the task before them (where they would come back,
    or be missing)."""
    starts = doc.source.starts
    i = bisect.bisect_left(doc.tasks, at, key=lambda t: starts[t.item_line]) - 1
    if i < 0:
        return type(item)(None, at, item.expected, item.replacement)
    task = doc.tasks[i]
    return type(item)(doc.keys[task.index], at - starts[task.item_line], item.expected, item.replacement)
