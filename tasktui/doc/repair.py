"""Mojibake: UTF-8 text that was once decoded as cp1252 (Windows-1252) and saved
again, so that ✅ became `âœ…`, ⬜ `â¬œ`, 🟡 `ðŸŸ¡`, → `â†’` and ≥ `â‰¥`. Such
runs are found by encoding candidate characters back to cp1252 bytes and checking
that they form valid UTF-8 for non-ASCII characters; only those runs change."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasktui.doc.patch import Patch
from tasktui.doc.source import Source, encode

# Characters that cp1252 maps from bytes 0x80-0xFF (plus the five bytes it leaves
# undefined, which decoders commonly pass through as U+0081 etc.).
_HIGH = "".join(sorted({bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0x100)}))
_RUN = re.compile("[" + re.escape(_HIGH) + "]{2,}")


def _to_byte(ch: str) -> int | None:
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        code = ord(ch)
        return code if 0x80 <= code <= 0x9F else None


_TWO_BYTE_LEADS = {0xC2, 0xC3, 0xCE, 0xCF, 0xD0, 0xD1}


@dataclass(frozen=True)
class Fix:
    line: int  # 0-based
    col: int
    old: str
    new: str


def _fix_run(run: str) -> list[tuple[int, str, str]]:
    """(offset, old, new) for the mojibake sequences inside a run of high characters."""
    out = []
    raw = [_to_byte(c) for c in run]
    i = 0
    while i < len(run):
        b = raw[i]
        # lead bytes of what mojibake usually is: Latin-1 letters and signs (Ã, Â), Greek
        # and Cyrillic (Î Ï Ð Ñ), punctuation, arrows, symbols and CJK (â ã … ï), emoji (ð);
        # other pairs (ß + “, É + ”) are real German or French far more often
        need = 0 if b is None else (1 if b in _TWO_BYTE_LEADS else 2 if 0xE2 <= b <= 0xEF else 3 if b == 0xF0 else 0)
        if need and i + need < len(raw) and all(x is not None and 0x80 <= x <= 0xBF for x in raw[i + 1:i + 1 + need]):
            seq = bytes(raw[i:i + 1 + need])
            try:
                ch = seq.decode("utf-8")
            except UnicodeDecodeError:
                ch = ""
            if ch and ord(ch) > 0x7F:
                out.append((i, run[i:i + 1 + need], ch))
                i += 1 + need
                continue
        i += 1
    return out


def find(source: Source) -> list[Fix]:
    fixes = []
    for n, line in enumerate(source.lines):
        if line.isascii():
            continue
        for m in _RUN.finditer(line):
            for off, old, new in _fix_run(m.group()):
                fixes.append(Fix(n, m.start() + off, old, new))
    return fixes


def patches(source: Source, fixes: list[Fix]) -> list[Patch]:
    out = []
    for f in fixes:
        start = source.offset(f.line, f.col)
        out.append(Patch(start, start + len(encode(f.old)), encode(f.new)))
    return out


def diff(source: Source, fixes: list[Fix], name: str = "file") -> str:
    """A unified-style diff of the lines that would change."""
    by_line: dict[int, list[Fix]] = {}
    for f in fixes:
        by_line.setdefault(f.line, []).append(f)
    out = [f"--- {name}", f"+++ {name} (repaired)"]
    for n, items in by_line.items():
        old = source.lines[n]
        new = old
        for f in sorted(items, key=lambda f: f.col, reverse=True):
            new = new[: f.col] + f.new + new[f.col + len(f.old):]
        out += [f"@@ line {n + 1} @@", f"-{old}", f"+{new}"]
    return "\n".join(out)
