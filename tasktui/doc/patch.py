"""Patches: byte-span replacements, the only way tasktui changes a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Patch:
    start: int
    end: int
    data: bytes


class PatchError(ValueError):
    pass


def normalize(patches) -> list[Patch]:
    """Sorted, checked for overlap; empty no-op patches dropped."""
    out = sorted(patches, key=lambda p: (p.start, p.end))
    for p in out:
        if p.start > p.end:
            raise PatchError("a patch ends before it starts")
    for a, b in zip(out, out[1:]):
        if b.start < a.end:
            raise PatchError("overlapping patches")
    return out


def apply(data: bytes, patches) -> bytes:
    parts = []
    pos = 0
    for p in normalize(patches):
        parts.append(data[pos:p.start])
        parts.append(p.data)
        pos = p.end
    parts.append(data[pos:])
    return b"".join(parts)


def unshift_through(patches, offset: int) -> int:
    """Map an offset in the new bytes back to the old bytes (outside any patched span)."""
    delta = 0
    for p in normalize(patches):
        new_end = p.start + delta + len(p.data)
        if new_end <= offset:
            delta += len(p.data) - (p.end - p.start)
    return offset - delta


def compose(first, second) -> list[Patch]:
    """Patches on the original bytes equal to applying ``first`` then ``second``
    (``second`` is on the bytes after ``first``); their spans must not touch."""
    first = normalize(first)
    mapped = []
    for p in normalize(second):
        mapped.append(Patch(unshift_through(first, p.start), unshift_through(first, p.end), p.data))
    return normalize(first + mapped)


def inverse(data: bytes, patches) -> list[Patch]:
    """Patches on the patched bytes that give back ``data``."""
    out = []
    delta = 0
    for p in normalize(patches):
        start = p.start + delta
        out.append(Patch(start, start + len(p.data), data[p.start:p.end]))
        delta += len(p.data) - (p.end - p.start)
    return out


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, by bisection on slice comparisons (memcmp speed)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    lo, hi = 0, max(0, limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def between(old: bytes, new: bytes) -> Patch:
    """The one patch that turns ``old`` into ``new``: what lies between their common
    prefix and their common suffix (a version read again after a change elsewhere,
    or the next commit of a file, differs from the last in a few lines)."""
    head = _common_prefix(old, new)
    tail = _common_suffix(old, new, limit=min(len(old), len(new)) - head)
    return Patch(head, len(old) - tail, new[head:len(new) - tail])
