"""Each version of the file as a Document, from the one before.

Versions are parsed oldest first, each from the one before by the single
patch between them (``patch.between`` and ``Document.patched``, as
``TasksFile.adopt`` does), sharing one chunk cache, so only the chunks a
commit changed are parsed (``VersionParser``). ``advance`` takes one more
version: its Document, its RollUp (adjusted from the one before), which task
of the version before each of its tasks is, and the tasks it marked done.
"""

from __future__ import annotations

import bisect
from pathlib import Path

from tasktui.core.history.matching import marked_done, match_tasks
from tasktui.doc import patch as P
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source


class VersionParser:
    """Versions of one file as Documents, each patched from the one before (the
    chunks a commit did not change come from the shared cache)."""

    def __init__(self, path: Path, day_hours: float, dialect: str | None, legend: bool = True) -> None:
        self.path = str(path)
        self.day_hours = day_hours
        self.dialect = dialect
        self.legend = legend  # False: the config's legend_off names the file
        self.cache: dict = {}

    def parse(self, data: bytes) -> Document:
        if len(self.cache) > 20000:
            self.cache.clear()
        return Document(Source(data), cache=self.cache, day_hours=self.day_hours, path=self.path,
                        dialect=self.dialect, legend=self.legend)

    def next(self, prev: Document | None, data: bytes) -> tuple[Document, Document | None, tuple[int, int, int] | None]:
        """(the Document of ``data``, the version it was patched from, the lines that
        differ: first line, its last line in that version, in the new one).

        The version it was patched from is ``prev``, or ``prev`` with the lines a commit
        changed in place (ticked marks, edited texts) when it also added or removed
        lines: patched in two steps, only the lines added and removed are parsed with
        the chunks around them. Either has ``prev``'s tasks at the same indexes."""
        if prev is None:
            return self.parse(data), None, None
        old = prev.source.data
        if old == data:
            return prev, prev, None
        base = prev
        lines_differ = old.count(b"\n") != data.count(b"\n") or old.count(b"\r") != data.count(b"\r")
        patches = None if lines_differ else P.line_patches(old, data)
        if patches is None or _breaks(old, patches):  # lines added, removed or moved
            first = P.in_place_part(old, data)
            if first:
                mid = prev.patched(first, self.cache, reparse_marks=False)
                if mid.changed_since(prev) is not None:
                    base = mid
            patches = P.line_patches(base.source.data, data)
        doc = base.patched(patches, self.cache, reparse_marks=False)
        if doc.source.data != data:  # cannot happen; never trust a shortcut
            return self.parse(data), None, None
        start, end = patches[0].start, patches[-1].end
        first_line = bisect.bisect_right(base.source.starts, start) - 1
        old_last = bisect.bisect_right(base.source.starts, end) - 1
        new_last = bisect.bisect_right(doc.source.starts, end + len(data) - len(base.source.data)) - 1
        return doc, base, (first_line, old_last, new_last)


def _breaks(data: bytes, patches) -> bool:
    """Whether ``patches`` (on ``data``) add or remove line breaks."""
    return any(b"\n" in p.data or b"\r" in p.data or b"\n" in data[p.start:p.end] or b"\r" in data[p.start:p.end]
               for p in patches)


def advance(parser: VersionParser, prev: Document | None, prev_rollup: RollUp | None, data: bytes,
            doc: Document | None = None) -> tuple[Document, RollUp, list[int], list[int]]:
    """The next version (of ``data``, or the given ``doc``): its Document and RollUp, the
    index in ``prev`` of each of its tasks (-1: new), and the tasks marked done in it."""
    if doc is not None:
        base, region = prev, None
    else:
        doc, base, region = parser.next(prev, data)
    if prev is None:
        return doc, RollUp(doc), [-1] * len(doc.tasks), marked_done(None, doc, [])
    if base is None:  # parsed afresh
        base, region = prev, None
    rollup = _rollup(doc, _rollup(base, prev_rollup))
    m = match_tasks(base, doc, region)  # base has prev's tasks at prev's indexes
    return doc, rollup, m, marked_done(prev, doc, m)


def _rollup(doc: Document, prev: RollUp | None) -> RollUp:
    """The RollUp of ``doc``, adjusted from the one before when ``doc`` was patched from it."""
    if prev is None:
        return RollUp(doc)
    return prev if prev.doc is doc else prev.advance(doc)
