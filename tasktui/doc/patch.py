"""Patches: byte-span replacements, the only way tasktui changes a file."""

from __future__ import annotations

import re
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
    """Length of the common prefix: blocks compared at memcmp speed, growing while they
    match, then bisection inside the first block that differs (comparing the whole
    prefix at each step of a bisection copies it each time: milliseconds on a big file)."""
    n = min(len(a), len(b))
    at, size = 0, 4096
    while at < n and a[at:at + size] == b[at:at + size]:
        at += size
        size = min(size * 2, 1 << 20)
    if at >= n:
        return n
    lo, hi = at, min(n, at + size)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[at:mid] == b[at:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    la, lb = len(a), len(b)
    n = max(0, limit)
    at, size = 0, 4096
    while at < n:
        size = min(size, n - at)
        if a[la - at - size:la - at] != b[lb - at - size:lb - at]:
            break
        at += size
        size = min(size * 2, 1 << 20)
    else:
        return n
    lo, hi = at, at + size
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid:la - at] == b[lb - mid:lb - at]:
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


_LINE_BREAK = re.compile(rb"(\r\n|\r|\n)")


def line_patches(old: bytes, new: bytes, most: int = 64) -> list[Patch]:
    """Patches that turn ``old`` into ``new``, one per changed line when the two have
    the same line breaks in the same places (marks ticked in several places of a
    file: each patch stays within its line, so the document is patched in place);
    else, or when more than ``most`` lines differ (a line moved elsewhere shifts all
    the lines between), ``[between(old, new)]``."""
    whole = between(old, new)
    was = old[whole.start:whole.end]
    if b"\n" not in was and b"\r" not in was and b"\n" not in whole.data and b"\r" not in whole.data:
        return [whole]
    # whole lines, of both versions: a CR and an LF at the edges of the change belong to it
    start = min(_line_start(old, whole.start), _line_start(new, whole.start))
    rest = _rest_of_line(old, whole.end)
    was = old[start:whole.end] + rest
    now = new[start:whole.start + len(whole.data)] + rest
    if b"\r" in was or b"\r" in now:
        a = _LINE_BREAK.split(was)
        b = _LINE_BREAK.split(now)
        if len(a) != len(b) or a[1::2] != b[1::2]:
            return [whole]
        breaks = [len(sep) for sep in a[1::2]]
        a, b = a[::2], b[::2]
    else:  # LF only: split at C speed
        a = was.split(b"\n")
        b = now.split(b"\n")
        if len(a) != len(b):
            return [whole]
        breaks = None
    out = []
    pos = start
    k, n = 0, len(a)
    while k < n:
        if a[k] == b[k]:  # equal lines, skipped in growing steps
            step = 1
            while k + step <= n and a[k:k + step] == b[k:k + step]:
                pos += sum(map(len, a[k:k + step])) + (step if breaks is None else sum(breaks[k:k + step]))
                k += step
                step *= 2
            continue
        if len(out) == most:
            return [whole]
        p = between(a[k], b[k])
        out.append(Patch(pos + p.start, pos + p.end, p.data))
        pos += len(a[k]) + (1 if breaks is None else breaks[k] if k < len(breaks) else 0)
        k += 1
    return out


def _lines_with_breaks(data: bytes) -> list[bytes]:
    """``data`` cut after each line break (``\\r\\n``, ``\\r`` or ``\\n``)."""
    if b"\r" not in data:
        parts = data.split(b"\n")
        out = [p + b"\n" for p in parts[:-1]]
        if parts[-1]:
            out.append(parts[-1])
        return out
    pieces = _LINE_BREAK.split(data)
    out = [pieces[k] + pieces[k + 1] for k in range(0, len(pieces) - 1, 2)]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


def in_place_part(old: bytes, new: bytes, look: int = 24) -> list[Patch]:
    """The part of the change from ``old`` to ``new`` that keeps every line break: one
    patch per line changed in place, found by aligning the lines around the lines added
    and removed (a commit that ticks tasks and adds one). Applied first, they leave
    only the added and removed lines to a second step; [] when there are none, or
    the lines cannot be aligned within ``look`` lines of a difference."""
    whole = between(old, new)
    start = min(_line_start(old, whole.start), _line_start(new, whole.start))  # whole lines around the change
    a = _lines_with_breaks(old[start:max(whole.end, start)] + _rest_of_line(old, whole.end))
    b = _lines_with_breaks(new[start:whole.start + len(whole.data)] + _rest_of_line(new, whole.start + len(whole.data)))
    i = j = 0
    pos = start
    out: list[Patch] = []
    na, nb = len(a), len(b)
    in_a_row = 0
    while i < na and j < nb:
        if a[i] == b[j]:
            step = 1
            while i + step <= na and j + step <= nb and a[i:i + step] == b[j:j + step]:
                pos += sum(map(len, a[i:i + step]))
                i += step
                j += step
                step *= 2
            in_a_row = 0
            continue
        # where the two go on alike (for two lines, else for one): a line changed in
        # place, or lines added or removed (those are the second step's)
        for sure in (2, 1):
            if a[i + 1:i + 1 + sure] == b[j + 1:j + 1 + sure] and _same_break(a[i], b[j]):
                p = between(a[i], b[j])
                if p.data or old[pos + p.start - 1:pos + p.start] != b"\r" or old[pos + p.end:pos + p.end + 1] != b"\n":
                    out.append(Patch(pos + p.start, pos + p.end, p.data))  # (a CR and an LF must not meet)
                pos += len(a[i])
                i += 1
                j += 1
                in_a_row += 1
                break
            d = next((d for d in range(1, look + 1) if i + sure <= na and a[i:i + sure] == b[j + d:j + d + sure]), 0)
            if d:
                j += d
                break
            d = next((d for d in range(1, look + 1) if j + sure <= nb and a[i + d:i + d + sure] == b[j:j + sure]), 0)
            if d:
                pos += sum(map(len, a[i:i + d]))
                i += d
                break
        else:
            return []
        if in_a_row > 8:
            return []  # most likely lines aligned wrongly: leave it all to one step
    return out


def _line_start(data: bytes, at: int) -> int:
    """Where the line that holds offset ``at`` starts (``\r\n`` is one line break)."""
    start = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
    if start and data[start - 1:start + 1] == b"\r\n":  # ``at`` is between the two bytes of a line break
        return _line_start(data, start - 1)
    return start


def _rest_of_line(data: bytes, at: int) -> bytes:
    """From ``at`` to the end of its line, with the line break."""
    end = data.find(b"\n", at)
    cr = data.find(b"\r", at)
    if cr >= 0 and (end < 0 or cr < end):
        end = cr + 1 if data[cr + 1:cr + 2] != b"\n" else cr + 2
    else:
        end = len(data) if end < 0 else end + 1
    return data[at:end]


def _same_break(x: bytes, y: bytes) -> bool:
    return x.endswith((b"\r\n", b"\n", b"\r")) == y.endswith((b"\r\n", b"\n", b"\r")) and \
        (x[-2:] == b"\r\n") == (y[-2:] == b"\r\n") and x[-1:] == y[-1:]
