"""The original bytes of a tasks file, split into lines the way markdown-it does.

The bytes are the source of truth. Lines are split on ``\\r\\n``, ``\\r`` and
``\\n`` (markdown-it's own ``normalize`` rule), never with ``str.splitlines``,
so that line numbers agree with markdown-it's token maps. Text is decoded with
``surrogateescape``: every invalid byte becomes one lone surrogate and encodes
back to itself, so any input round-trips.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from functools import cached_property
from itertools import accumulate

BOM = b"\xef\xbb\xbf"
_EOL_BYTES = re.compile(rb"\r\n|\r|\n")
_EOL_TEXT = re.compile(r"\r\n|\r|\n")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Overlay(Sequence):
    """A tuple of an earlier version plus a few changes, read without copying it;
    ``flat()`` builds the new tuple once, when something needs all of it."""

    __slots__ = ("_base", "_flat")

    def _flatten(self) -> tuple:
        raise NotImplementedError

    def flat(self) -> tuple:
        if self._flat is None:
            self._flat = self._flatten()
        return self._flat

    def __len__(self) -> int:
        return len(self._base)

    def __iter__(self):
        return iter(self.flat())

    def __reversed__(self):
        return reversed(self.flat())

    def __eq__(self, other) -> bool:
        if isinstance(other, (tuple, _Overlay)):
            return self.flat() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Lines(_Overlay):
    """The lines of a patched Source: an earlier version's tuple plus the few lines
    that changed. Copying a 300,000-line tuple costs milliseconds on every edit;
    this costs a small dict, and is flattened into a tuple once it grows."""

    __slots__ = ("_changed",)
    FLATTEN_AT = 512

    def __init__(self, base: tuple[str, ...], changed: dict[int, str]) -> None:
        self._base = base
        self._changed = changed
        self._flat: tuple[str, ...] | None = None

    @classmethod
    def patched(cls, lines: "Sequence[str]", changed: dict[int, str]) -> "Sequence[str]":
        """``lines`` with ``changed`` lines replaced: a Lines, or a tuple once the changes pile up."""
        if isinstance(lines, Lines):
            if lines._flat is not None:
                lines = lines._flat
            else:
                changed = {**lines._changed, **changed}
                lines = lines._base
        new = cls(lines, changed)
        return new.flat() if len(changed) >= cls.FLATTEN_AT else new

    def _flatten(self) -> tuple[str, ...]:
        flat = list(self._base)
        for i, text in self._changed.items():
            flat[i] = text
        return tuple(flat)

    def __getitem__(self, index):
        if self._flat is not None:
            return self._flat[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._base))
            if step != 1:
                return self.flat()[index]
            out = self._base[start:stop]
            hits = [(i, text) for i, text in self._changed.items() if start <= i < stop]
            if not hits:
                return out
            out = list(out)
            for i, text in hits:
                out[i - start] = text
            return tuple(out)
        if index < 0:
            index += len(self._base)
        text = self._changed.get(index)
        return self._base[index] if text is None else text

    def __repr__(self) -> str:
        return f"Lines({len(self)} lines, {len(self._changed)} changed)"


class Starts(_Overlay):
    """The line offsets of a patched Source: an earlier version's tuple plus the
    byte shifts of the patches that changed a line's length (``first line`` and the
    running total from there on). Flattened into a tuple once the shifts pile up."""

    __slots__ = ("_lines", "_totals")
    FLATTEN_AT = 64

    def __init__(self, base: tuple[int, ...], lines: list[int], totals: list[int]) -> None:
        self._base = base
        self._lines = lines  # sorted first lines of the shifts
        self._totals = totals  # total shift from each of those lines on
        self._flat: tuple[int, ...] | None = None

    @classmethod
    def shifted(cls, starts: "Sequence[int]", shifts: list[tuple[int, int]]) -> "Sequence[int]":
        """``starts`` after ``shifts`` ((first line, byte delta), sorted by line)."""
        points: dict[int, int] = {}
        if isinstance(starts, Starts) and starts._flat is None:
            prev = 0
            for line, total in zip(starts._lines, starts._totals):
                points[line] = total - prev
                prev = total
            starts = starts._base
        elif isinstance(starts, Starts):
            starts = starts._flat
        for line, delta in shifts:
            points[line] = points.get(line, 0) + delta
        lines = sorted(points)
        new = cls(starts, lines, list(accumulate(points[line] for line in lines)))
        return new.flat() if len(lines) >= cls.FLATTEN_AT else new

    def _flatten(self) -> tuple[int, ...]:
        base, lines, totals = self._base, self._lines, self._totals
        out = list(base[: lines[0]]) if lines else list(base)
        for k, first in enumerate(lines):
            last = lines[k + 1] if k + 1 < len(lines) else len(base)
            total = totals[k]
            out.extend(x + total for x in base[first:last])
        return tuple(out)

    def __getitem__(self, index):
        if self._flat is not None or isinstance(index, slice):
            return self.flat()[index]
        if index < 0:
            index += len(self._base)
        k = bisect.bisect_right(self._lines, index) - 1
        return self._base[index] + (self._totals[k] if k >= 0 else 0)

    def __repr__(self) -> str:
        return f"Starts({len(self)} lines, {len(self._lines)} shifts)"


@dataclass(frozen=True, eq=False)
class Source:
    """Immutable view of a file's bytes: lines, their byte offsets and endings.

    ``Source(data)`` splits the bytes. A version made from another one (``patched``,
    ``spliced``) is given its split, and what is already known of its bytes, by name:
    ``Source(data, bom=..., lines=..., starts=..., endings=..., nul=..., utf8=...)``."""

    data: bytes
    _: KW_ONLY
    bom: bool = None  # type: ignore[assignment]  # set by the split when not given
    lines: "Sequence[str]" = field(default=None, repr=False)  # type: ignore[assignment]
    """A tuple, or for a patched version a Lines (same reading interface)."""
    starts: "Sequence[int]" = field(default=None, repr=False)  # type: ignore[assignment]
    """Byte offset of the first byte of each line (after the BOM for line 0): a tuple,
    or for a patched version a Starts."""
    endings: tuple[bytes, ...] = field(default=None, repr=False)  # type: ignore[assignment]
    """Each line's ending: ``b"\\r\\n"``, ``b"\\r"``, ``b"\\n"`` or ``b""`` for the last line."""
    nul: bool | None = field(default=None, repr=False)
    """Whether the bytes hold a NUL, once known (see ``has_nul``)."""
    utf8: bool | None = field(default=None, repr=False)
    """Whether the bytes are valid UTF-8, once known (see ``is_utf8``)."""

    def __post_init__(self) -> None:
        given = (self.bom, self.lines, self.starts, self.endings)
        if all(x is not None for x in given):
            return
        if any(x is not None for x in given):
            raise TypeError("a Source is given all of bom, lines, starts and endings, or none")
        data = self.data
        bom = data.startswith(BOM)
        base = 3 if bom else 0
        text = decode(data[base:])
        if b"\r" not in data:
            # the common case, at C speed: only "\n" endings
            lines = text.split("\n")
            lengths = map(len, data[base:].split(b"\n")[:-1])
            starts = list(accumulate(map((1).__add__, lengths), initial=base))
            endings = [b"\n"] * (len(lines) - 1) + [b""]
        else:
            starts = [base]
            endings = []
            for m in _EOL_BYTES.finditer(data, base):
                endings.append(m.group())
                starts.append(m.end())
            endings.append(b"")
            lines = _EOL_TEXT.split(text)
        assert len(lines) == len(starts)
        object.__setattr__(self, "bom", bom)
        object.__setattr__(self, "lines", tuple(lines))
        object.__setattr__(self, "starts", tuple(starts))
        object.__setattr__(self, "endings", tuple(endings))

    def patched(self, patches) -> "tuple[Source, list[int]] | None":
        """The Source after ``patches`` (sorted, non-overlapping byte spans) and the
        lines they touched, built incrementally when no patch adds or removes a
        line break; None otherwise (build a new Source from the bytes)."""
        data = self.data
        view = memoryview(data)  # pieces without copies: only the join copies the bytes
        base = 3 if self.bom else 0
        pieces = []
        pos = 0
        touched: list[int] = []
        shifts: list[tuple[int, int]] = []  # (first line to shift, byte delta)
        for p in patches:
            old = data[p.start:p.end]
            if p.start < base or b"\n" in old or b"\r" in old or b"\n" in p.data or b"\r" in p.data:
                return None
            if p.start and data[p.start - 1:p.start + 1] == b"\r\n":  # inside a CR LF: it would part
                return None
            pieces.append(view[pos:p.start])
            pieces.append(p.data)
            pos = p.end
            line = bisect.bisect_right(self.starts, p.start) - 1
            if not touched or touched[-1] != line:
                touched.append(line)
            change = len(p.data) - (p.end - p.start)
            if change:
                shifts.append((line + 1, change))
        pieces.append(view[pos:])
        new_data = b"".join(pieces)
        moved = 0
        for p in patches:
            # a CR and an LF that meet at a patch's edge (the text between them deleted)
            # are one line break now: the lines change
            at = p.start + moved
            moved += len(p.data) - (p.end - p.start)
            if b"\r\n" in (new_data[max(0, at - 1):at + 1], new_data[max(0, at + len(p.data) - 1):at + len(p.data) + 1]):
                return None
        starts = Starts.shifted(self.starts, shifts) if shifts else self.starts
        changed = {}
        for line in touched:
            nxt = starts[line + 1] - len(self.endings[line]) if line + 1 < len(starts) else len(new_data)
            changed[line] = decode(new_data[starts[line]:nxt])
        nul = False if self.nul is False and not any(b"\0" in p.data for p in patches) else None
        # spans are cut at character boundaries, so valid text with valid pieces stays valid
        utf8 = True if self.utf8 and all(_valid_utf8(p.data) for p in patches) else None
        new = Source(new_data, bom=self.bom, lines=Lines.patched(self.lines, changed), starts=starts,
                     endings=self.endings, nul=nul, utf8=utf8)
        return new, touched

    def spliced(self, patches) -> "Source":
        """The Source after ``patches`` (sorted, non-overlapping; they may add or remove
        line breaks), built from this one: the lines before the first patched line and
        after the last are kept, their offsets moved, and only the lines between are
        split again. The same as ``Source`` of the new bytes."""
        data = self.data
        pieces, pos = [], 0
        for p in patches:
            pieces += [data[pos:p.start], p.data]
            pos = p.end
        pieces.append(data[pos:])
        new_data = b"".join(pieces)
        base = 3 if self.bom else 0
        if not patches or patches[0].start < base:
            return Source(new_data)
        starts = self.starts
        first = bisect.bisect_right(starts, patches[0].start) - 1
        last = bisect.bisect_right(starts, patches[-1].end) - 1
        start = starts[first]
        moved = len(new_data) - len(data)
        end = starts[last + 1] + moved if last + 1 < len(starts) else len(new_data)
        if start and data[start - 1:start] == b"\r" and new_data[start:start + 1] == b"\n":
            return Source(new_data)  # a CR before the change meets an LF: that line's ending changes
        piece = new_data[start:end]
        if piece.startswith(BOM):
            # a line in the middle of the file that starts with the BOM's bytes: they are
            # its text, not a BOM (split after a line break of our own, then drop it)
            part = Source(b"\n" + piece)
            lines, offsets, endings = part.lines[1:], tuple(x - 1 for x in part.starts[1:]), part.endings[1:]
        else:
            part = Source(piece)
            lines, offsets, endings = part.lines, part.starts, part.endings
        if last + 1 < len(starts):  # the part ends with a line break: its last, empty line is the next one's start
            lines, offsets, endings = lines[:-1], offsets[:-1], endings[:-1]
        old_lines = tuple(self.lines)
        old_starts = tuple(starts)
        return Source(new_data, bom=self.bom, lines=old_lines[:first] + lines + old_lines[last + 1:],
                      starts=(old_starts[:first] + tuple(start + x for x in offsets)
                              + tuple(x + moved for x in old_starts[last + 1:])),
                      endings=self.endings[:first] + endings + self.endings[last + 1:])

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def has_nul(self) -> bool:
        if self.nul is None:
            object.__setattr__(self, "nul", b"\0" in self.data)  # a fact of the bytes, found once
        return self.nul

    @property
    def is_utf8(self) -> bool:
        if self.utf8 is None:
            object.__setattr__(self, "utf8", _valid_utf8(self.data))  # a fact of the bytes, found once
        return self.utf8

    @cached_property
    def majority_ending(self) -> bytes:
        counts = Counter(e for e in self.endings if e)
        if not counts:
            return b"\n"
        return counts.most_common(1)[0][0]

    def line_end(self, index: int) -> int:
        """Byte offset just past the text of line ``index`` (before its ending)."""
        return self.starts[index] + len(encode(self.lines[index])) if index < len(self.lines) else len(self.data)

    def offset(self, line: int, column: int) -> int:
        """Byte offset of character ``column`` of line ``line``."""
        return self.starts[line] + len(encode(self.lines[line][:column]))

    def ending_after(self, line: int) -> bytes:
        """The ending to give a line inserted after ``line``: that line's own, else the file's majority."""
        if 0 <= line < len(self.endings) and self.endings[line]:
            return self.endings[line]
        return self.majority_ending
