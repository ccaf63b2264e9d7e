"""The original bytes of a tasks file, split into lines the way markdown-it does.

The bytes are the source of truth. Lines are split on ``\\r\\n``, ``\\r`` and
``\\n`` (markdown-it's own ``normalize`` rule), never with ``str.splitlines``,
so that line numbers agree with markdown-it's token maps. Text is decoded with
``surrogateescape``: every invalid byte becomes one lone surrogate and encodes
back to itself, so any input round-trips.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

BOM = b"\xef\xbb\xbf"
_EOL_BYTES = re.compile(rb"\r\n|\r|\n")
_EOL_TEXT = re.compile(r"\r\n|\r|\n")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, eq=False)
class Source:
    """Immutable view of a file's bytes: lines, their byte offsets and endings."""

    data: bytes
    bom: bool = field(init=False)
    lines: tuple[str, ...] = field(init=False, repr=False)
    starts: tuple[int, ...] = field(init=False, repr=False)
    """Byte offset of the first byte of each line (after the BOM for line 0)."""
    endings: tuple[bytes, ...] = field(init=False, repr=False)
    """Each line's ending: ``b"\\r\\n"``, ``b"\\r"``, ``b"\\n"`` or ``b""`` for the last line."""

    def __post_init__(self) -> None:
        data = self.data
        bom = data.startswith(BOM)
        base = 3 if bom else 0
        starts = [base]
        endings = []
        for m in _EOL_BYTES.finditer(data, base):
            endings.append(m.group())
            starts.append(m.end())
        endings.append(b"")
        text = decode(data[base:])
        lines = _EOL_TEXT.split(text)
        assert len(lines) == len(starts)
        object.__setattr__(self, "bom", bom)
        object.__setattr__(self, "lines", tuple(lines))
        object.__setattr__(self, "starts", tuple(starts))
        object.__setattr__(self, "endings", tuple(endings))

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @cached_property
    def has_nul(self) -> bool:
        return b"\0" in self.data

    @cached_property
    def is_utf8(self) -> bool:
        try:
            self.data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    @cached_property
    def majority_ending(self) -> bytes:
        counts = Counter(e for e in self.endings if e)
        if not counts:
            return b"\n"
        return counts.most_common(1)[0][0]

    def line_end(self, index: int) -> int:
        """Byte offset just past the text of line ``index`` (before its ending)."""
        return self.starts[index] + len(encode(self.lines[index])) if index < len(self.lines) else len(self.data)

    def line_span(self, index: int) -> tuple[int, int]:
        """Byte span of line ``index`` including its ending."""
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.data)
        return start, end

    def lines_span(self, first: int, last: int) -> tuple[int, int]:
        """Byte span of lines ``first`` .. ``last - 1`` including their endings."""
        start = self.starts[first] if first < len(self.starts) else len(self.data)
        end = self.starts[last] if last < len(self.starts) else len(self.data)
        return start, end

    def offset(self, line: int, column: int) -> int:
        """Byte offset of character ``column`` of line ``line``."""
        return self.starts[line] + len(encode(self.lines[line][:column]))

    def ending_after(self, line: int) -> bytes:
        """The ending to give a line inserted after ``line``: that line's own, else the file's majority."""
        if 0 <= line < len(self.endings) and self.endings[line]:
            return self.endings[line]
        return self.majority_ending

    def markdown_text(self, first: int = 0, last: int | None = None) -> str:
        """Lines ``first`` .. ``last - 1`` joined with ``\\n``, as markdown-it sees them."""
        return "\n".join(self.lines[first:last])
