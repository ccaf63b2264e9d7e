"""Block structure from markdown-it-py, parsed in independent chunks.

markdown-it-py is the only markdown parser here: this module never decides by
itself what a list item, a heading or a code block is. What it adds is *where
to cut*: a line that starts a top-level block (an ATX heading, or a list item
of a top-level list) leaves nothing open behind it, so the document can be cut
there and each piece parsed on its own. A cheap line scan proposes the cuts
(skipping fenced code, HTML comments and front matter) and markdown-it confirms
each one: the piece before a cut is parsed *with* the cut line, and the cut is
taken only when that line comes out as a top-level heading or top-level list
item. Block parsing at a line depends only on the lines up to it, so a
confirmed cut is exact, and a wrong proposal only makes a piece bigger.

A chunk's result is plain data (tuples), keyed by the chunk's text, so a
reload re-parses only the chunks whose text changed.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from typing import NamedTuple
import bisect
from itertools import accumulate


# markdown-it stops at 20 nested blocks by default (it counts two per list level);
# GitHub shows lists far deeper. Past a few hundred levels markdown-it-py itself
# runs out of Python's recursion limit: such a chunk is parsed again with a
# lower limit, and the document says that the deepest levels were not read.
MAX_NESTING = 1000
SHALLOW_NESTING = 400
_parsers: list = []  # markdown-it, made at the first parse: an open that finds every chunk cached never imports it
TOO_DEEP = (f"Lists or quotes are nested hundreds of levels deep in places, deeper than tasktui can read: "
            f"only the tasks in their first {SHALLOW_NESTING // 2 - 1} levels are read.")


_parsers_lock = threading.Lock()


def warm() -> None:
    """Make the parsers now (an app, on a thread, before its first edit parses a chunk)."""
    if not _parsers:
        with _parsers_lock:
            if not _parsers:
                from markdown_it import MarkdownIt
                from mdit_py_plugins.front_matter import front_matter_plugin

                _parsers.extend(MarkdownIt("commonmark", {"maxNesting": depth}).use(front_matter_plugin)
                                .disable(["inline", "text_join"]) for depth in (MAX_NESTING, SHALLOW_NESTING))


def _parse(text: str) -> tuple[list, bool]:
    """markdown-it's block tokens of ``text``, and whether nesting went too deep to read all of it."""
    warm()
    deep, shallow = _parsers
    try:
        tokens = deep.parse(text)
    except RecursionError:
        return shallow.parse(text), True
    return tokens, any(tok.level >= MAX_NESTING - 2 for tok in tokens if tok.nesting == 1)

# A checkbox at the start of a list item's first paragraph: `[ ] `, `[x] `, `[-] `,
# Kiro's optional `[ ]* `. The mark is one character that is a space, x/X, or
# not a letter or digit; the oracle (GFM) demands a space after the bracket.
_CHECKBOX = re.compile(r"\[([^\[\]\t\n\r\f\v])\](\*?) ")


def is_checkbox_mark(mark: str) -> bool:
    """Whether the character between ``[`` and ``] `` makes a list item a task: one
    character the checkbox pattern takes (not a bracket or a line-breaking space)
    that is a space, x or X, or not a letter or digit."""
    return len(mark) == 1 and mark not in "[]\t\n\r\f\v" and (mark in " xX" or not mark.isalnum())


# a paragraph's first line with nothing of its text on it: list markers, quote marks
# and whitespace (a form feed or vertical tab, which markdown-it strips) only
_NO_TEXT = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t])?[ \t\f\v>]*")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_LIST_START = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})(.*)$")
# Cut at a top-level list item only once a chunk is at least this long, so that
# files made of one long list (Kiro's) are still parsed in pieces.
MIN_LIST_CHUNK = 400


class RawTask(NamedTuple):
    line: int  # line of the checkbox, relative to the chunk
    item_line: int  # line of the list marker
    end: int  # end line (exclusive) of the list item
    col: int  # column of "[" in the checkbox line
    mark: str
    optional: bool
    parent: int | None  # index of the enclosing task within the chunk
    depth: int  # number of enclosing tasks
    quote: bool  # inside a blockquote
    labels: tuple[tuple[int, int], ...]  # (line, end) of `**Label**` paragraphs that belong to this task
    mark_byte: int  # byte offset of the mark within its line
    text: str  # the rest of the checkbox line, stripped
    estimate: tuple[int, str] | None  # (line, value text) of its `**Estimated Time**` bullet
    actual: tuple[int, str] | None  # (line, value text) of its `**Actual Time**` bullet


@dataclass(frozen=True, slots=True)
class RawHeading:
    line: int
    end: int
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class ChunkResult:
    tasks: tuple[RawTask, ...]
    headings: tuple[RawHeading, ...]
    labels: tuple[tuple[int, int, bool], ...]  # (line, end, inside a list item) outside tasks
    front_matter: int  # lines of front matter at the top of the chunk (0 when none)
    too_deep: bool = False  # nested too deep for markdown-it-py: the deepest levels were not read


def parse_block(lines: list[str] | tuple[str, ...]) -> tuple[ChunkResult, list]:
    """Parse ``lines`` as one markdown document; return the result and the raw tokens."""
    tokens, too_deep = _parse("\n".join(lines))
    return _extract(tokens, lines, too_deep), tokens


# a line of a code block that would be a task outside it: `- [ ] ...`, `1. [x] ...`
_BOX_LINE = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([^\[\]\t\n\r\f\v])\]\*?(?:[ \t]|$)")


def fenced_checkboxes(lines: list[str] | tuple[str, ...]) -> int:
    """How many lines inside code blocks (fenced or indented) look like checkbox items:
    markdown shows them as code, so they are not tasks (a Kiro spec that keeps its
    checklist in a ```markdown fence)."""
    if not any("[" in line for line in lines):
        return 0
    _result, tokens = parse_block(lines)
    return sum(1 for tok in tokens if tok.type in ("fence", "code_block")
               for line in tok.content.split("\n") if (m := _BOX_LINE.match(line)) and is_checkbox_mark(m.group(1)))


# a paragraph that starts with a date: a log entry written without the bold
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}\b")
_TASK_LABEL = re.compile(r"\*\*([^*\n]+?):?\*\*:?[ \t]*([^\n]*?)[ \t]*(?:\n|$)")
ESTIMATE_LABELS = frozenset(("estimated time", "time estimate", "estimated duration", "estimate"))
"""The labels of an estimate (``**Estimated Time**: 2 hours``), in lower case."""


def _extract(tokens, lines, too_deep: bool = False) -> ChunkResult:
    tasks: list[RawTask] = []
    headings: list[RawHeading] = []
    labels: list[tuple[int, int, bool]] = []
    task_labels: dict[int, list[tuple[int, int, str]]] = {}
    item_stack: list[int | None] = []  # per open list item: its task index or None
    task_stack: list[int] = []
    quote_depth = 0
    front = 0
    n = len(tokens)
    for i in range(n):
        tok = tokens[i]
        t = tok.type
        if t == "list_item_open":
            task_index = None
            if i + 2 < n and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline":
                content = tokens[i + 2].content
                m = _CHECKBOX.match(content)
                if m is not None:
                    mark = m.group(1)
                    if is_checkbox_mark(mark):
                        para_line, para_end = tokens[i + 1].map
                        first = content.split("\n", 1)[0].rstrip()
                        # markdown-it strips a paragraph's leading whitespace, a form feed or a
                        # vertical tab alone on its first line too: the checkbox is then on a
                        # later line of the paragraph
                        while para_line + 1 < para_end and _NO_TEXT.fullmatch(lines[para_line]):
                            para_line += 1
                        line = lines[para_line]
                        src = line.replace("\0", "\ufffd").rstrip()
                        col = len(src) - len(first)
                        if col >= 0 and src.endswith(first):
                            optional = bool(m.group(2))
                            task_index = len(tasks)
                            tasks.append(
                                RawTask(
                                    para_line, tok.map[0], tok.map[1], col, mark, optional,
                                    task_stack[-1] if task_stack else None, len(task_stack), quote_depth > 0, (),
                                    len(line[: col + 1].encode("utf-8", "surrogateescape")),
                                    line[col + 3 + optional:].strip(), None, None,
                                )
                            )
                            task_stack.append(task_index)
            item_stack.append(task_index)
        elif t == "list_item_close":
            if item_stack.pop() is not None:
                task_stack.pop()
        elif t == "blockquote_open":
            quote_depth += 1
        elif t == "blockquote_close":
            quote_depth -= 1
        elif t == "heading_open":
            headings.append(RawHeading(tok.map[0], tok.map[1], int(tok.tag[1]), tokens[i + 1].content.strip()))
        elif t == "inline" and tokens[i - 1].type == "paragraph_open" and (
                tok.content.startswith("**") or _DATED.match(tok.content)):
            if task_stack:
                task_labels.setdefault(task_stack[-1], []).append((tok.map[0], tok.map[1], tok.content))
            else:
                labels.append((tok.map[0], tok.map[1], bool(item_stack)))
        elif t == "front_matter":
            front = tok.map[1]
    for index, found in task_labels.items():
        estimate = actual = None
        for line, _end, content in found:
            m = _TASK_LABEL.match(content)
            if not m:
                continue
            name = m.group(1).strip().lower()
            if name in ESTIMATE_LABELS and estimate is None:
                estimate = (line, m.group(2))
            elif name == "actual time" and actual is None:
                actual = (line, m.group(2))
        tasks[index] = tasks[index]._replace(labels=tuple((a, b) for a, b, _ in found), estimate=estimate, actual=actual)
    return ChunkResult(tuple(tasks), tuple(headings), tuple(labels), front, too_deep)


# Line starts that can open or close a fence, an HTML block or a comment, or be a cut.
# Searched as "\n" + lookahead, so the regex engine skips ahead on the newline.
_EVENT = re.compile(r"\n(?=#{1,6}(?:[ \t\n]|$)|[ \t>]*(?:`{3,}|~{3,}|<)|(?:[-*+]|\d{1,9}[.)])(?:[ \t\n]|$))")
_EVENT_FIRST = re.compile(r"#{1,6}(?:[ \t\n]|$)|[ \t>]*(?:`{3,}|~{3,}|<)|(?:[-*+]|\d{1,9}[.)])(?:[ \t\n]|$)")


def propose_cuts(lines: list[str] | tuple[str, ...], text: str | None = None,
                 min_list: int | None = None) -> list[int]:
    """Lines that probably start a top-level block: ATX headings and list items at
    column 0 (a list item once the chunk has ``min_list`` lines, MIN_LIST_CHUNK unless
said), outside fenced code,
    HTML comments, raw HTML blocks and front matter. markdown-it confirms each one
    (see parse_chunks), so this may be approximate; it only has to be fast: it looks
    at the few lines that can matter."""
    if text is None:
        text = "\n".join(lines)
    if min_list is None:
        min_list = MIN_LIST_CHUNK
    n = len(lines)
    if not n:
        return []
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    begin = 0
    if lines[0].startswith("---"):
        # Front matter: the plugin opens it on any first line that starts with three
        # dashes, and closes it at the first line of at least as many dashes or `...`
        # (it also takes up to three spaces of indent and trailing tabs). Skip to a
        # closing line it certainly accepts: a looser guess could end before the
        # plugin's closing line, and a cut between the two would be confirmed by a
        # parse in which the front matter is still open (so the plugin ignores it).
        count = len(lines[0]) - len(lines[0].lstrip("-"))
        for j in range(1, n):
            closing = lines[j].rstrip(" ")
            if closing == "..." or (len(closing) >= count and closing == "-" * len(closing)):
                begin = j + 1
                break
        else:
            return []
    events = [0] if _EVENT_FIRST.match(text) else []
    events.extend(line_of(m.start() + 1) for m in _EVENT.finditer(text))
    cuts: list[int] = []
    fence: tuple[str, int] | None = None
    skip_to = begin
    last_cut = 0
    lowered: str | None = None
    for i in events:
        if i < skip_to:
            continue
        line = lines[i]
        if fence is not None:
            stripped = line.lstrip(" >\t")
            if stripped.startswith(fence[0]) and len(stripped) - len(stripped.lstrip(fence[0][0])) >= fence[1]:
                if not stripped.lstrip(fence[0][0]).strip():
                    fence = None
            continue
        body = line.lstrip(" >\t")
        if body[:1] in "`~" and body:
            m = _FENCE.match(body)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = (m.group(1)[0] * 3, len(m.group(1)))
                continue
        if body.startswith("<"):
            low = body.lower()
            end_marker = None
            if low.startswith("<!--"):
                end_marker = "-->"
            else:
                for tag in ("script", "pre", "style", "textarea"):
                    if low.startswith("<" + tag):
                        end_marker = f"</{tag}>"
                        break
            if end_marker is not None:
                pos = starts[i] + (len(line) - len(body)) + 4
                if end_marker == "-->":
                    found = text.find(end_marker, pos)
                else:
                    lowered = lowered if lowered is not None else text.lower()
                    found = lowered.find(end_marker, pos - 3)
                skip_to = n if found < 0 else line_of(found) + 1
            continue
        if i == 0:
            continue
        first = line[:1]
        if first == "#":
            if _ATX.match(line):
                cuts.append(i)
                last_cut = i
        elif first and (first in "-*+" or first.isdigit()) and i - last_cut >= min_list:
            if _LIST_START.match(line):
                cuts.append(i)
                last_cut = i
    return cuts


def _confirms(tokens, rel: int) -> bool:
    """Whether line ``rel`` (the last line parsed) starts a top-level heading or list item."""
    for tok in reversed(tokens):
        if tok.map is None or tok.nesting == -1:
            continue
        if tok.map[0] < rel:
            return False
        if tok.type == "heading_open":
            return tok.level == 0 and tok.map[0] == rel
        if tok.type == "list_item_open":
            return tok.level == 1 and tok.map[0] == rel
    return False


def chunk_key(text: str, confirm: str | None) -> bytes:
    """The cache key of a chunk: a digest of its text and of the line that confirms
    its end (None at the end of the file). Results kept across versions of tasktui
    are told apart by tasktui.storage.cache, which keys them by tasktui's rules too."""
    h = hashlib.blake2b(digest_size=20)
    h.update(text.encode("utf-8", "surrogatepass"))
    if confirm is not None:
        h.update(b"\0\n")
        h.update(confirm.encode("utf-8", "surrogatepass"))
    return h.digest()


class KeptResults(dict):
    """Chunk results kept from another process (tasktui.storage.cache), by chunk_key.

    A result parsed in this process is trusted; one read from disk is checked against
    the chunk's own text the first time it is used (``fits``) and dropped when it
    does not fit, so a damaged or forged entry is parsed again, never shown."""

    def __init__(self, entries: dict | None = None) -> None:
        super().__init__(entries or {})
        self.unchecked = set(self)

    def result_for(self, key: bytes, lines, start: int, end: int) -> "ChunkResult | None":
        result = self.get(key)
        if result is not None and key in self.unchecked:
            if not fits(result, lines, start, end):
                self.pop(key, None)
                result = None
            self.unchecked.discard(key)
        return result


def cached(cache: dict, key: bytes, lines, start: int, end: int) -> "ChunkResult | None":
    """What ``cache`` holds for the chunk lines[start:end] under ``key``: checked
    against those lines when it came from disk (KeptResults), else as it is."""
    if isinstance(cache, KeptResults):
        return cache.result_for(key, lines, start, end)
    return cache.get(key)


def fits(result: "ChunkResult", lines, start: int, end: int) -> bool:
    """Whether ``result`` can be the parse of lines[start:end]: every line number is
    inside the chunk, every count and depth is possible, and each task's mark, column,
    byte offset and text, and each heading's and time bullet's text, are what those
    lines hold. Cheap (a few comparisons per task): a result kept on disk is checked
    with it before it is used."""
    n = min(end, len(lines)) - start
    if n <= 0 or start < 0:
        return False
    try:
        if not 0 <= result.front_matter <= n:
            return False
        for h in result.headings:
            if not (0 <= h.line < h.end <= n and 1 <= h.level <= 6):
                return False
            if h.text:
                src = lines[start + h.line] if h.end - h.line == 1 else "\n".join(lines[start + h.line:start + h.end])
                if "\0" in src:
                    src = src.replace("\0", "\ufffd")
                if not all(piece.strip() in src for piece in h.text.split("\n")):
                    return False
        for a, b, _inside in result.labels:
            if not 0 <= a < b <= n:
                return False
        tasks = result.tasks
        depths = []
        for i, t in enumerate(tasks):
            line_no, item, end_, col, mark, optional, parent, depth, _quote, labels, mark_byte, text, est, act = t
            if not (0 <= item <= line_no < end_ <= n and col >= 0 and len(mark) == 1):
                return False
            if parent is None:
                if depth != 0:
                    return False
            elif not (0 <= parent < i and depth == depths[parent] + 1):
                return False
            depths.append(depth)
            line = lines[start + line_no]
            if line[col:col + 1] != "[" or line[col + 2:col + 3] != "]" or (optional and line[col + 3:col + 4] != "*"):
                return False
            found = line[col + 1:col + 2]
            if found != mark and not (found == "\0" and mark == "\ufffd"):
                return False
            if mark_byte != (col + 1 if line.isascii() else len(line[:col + 1].encode("utf-8", "surrogateescape"))):
                return False
            if text != line[col + 3 + optional:].strip():
                return False
            for a, b in labels:
                if not item <= a < b <= end_:
                    return False
            for bullet in (est, act):
                if bullet is not None and not (item <= bullet[0] < end_ and bullet[1] in lines[start + bullet[0]]):
                    return False
    except (IndexError, TypeError, AttributeError, UnicodeError):
        return False
    return True


def parse_one(lines, start: int, end: int, cache: dict | None = None) -> ChunkResult | None:
    """Parse lines[start:end] as one chunk. When ``end`` is not the end of the
    document, line ``end`` is parsed too and must come out as a top-level heading
    or list item (the cut is confirmed), else None. ``cache`` maps chunk_key() to
    results (a plain dict, or KeptResults read from tasktui.storage.cache)."""
    n = len(lines)
    text = "\n".join(lines[start:min(end, n)])
    confirm = lines[end] if end < n else None
    key = chunk_key(text, confirm) if cache is not None else None
    result = cached(cache, key, lines, start, end) if cache is not None else None
    if result is not None:
        return result
    if confirm is None:
        result, _ = parse_block(lines[start:n])
    else:
        tokens, too_deep = _parse(text + "\n" + confirm)
        if not _confirms(tokens, end - start):
            return None
        result = _extract(_trim(tokens, end - start), lines[start:end], too_deep)
    if cache is not None:
        cache[key] = result
    return result


def iter_chunks(lines, cuts: list[int], cache: dict | None = None, start: int = 0, k: int = 0):
    """Confirmed chunks (start, end, result) from line ``start``, trying the proposed
    ``cuts`` from index ``k`` (the last cut must be the number of lines); a proposal
    that markdown-it does not confirm is merged with the next piece."""
    n = len(lines)
    while start < n:
        end = cuts[k]
        result = parse_one(lines, start, end, cache)
        while result is None:  # not a real cut: merge with the next piece
            k += 1
            end = cuts[k]
            result = parse_one(lines, start, end, cache)
        yield start, end, result
        start = end
        k += 1


def cut_points(lines, min_list: int | None = None) -> list[int]:
    """The proposed cuts inside ``lines``, then the number of lines (``min_list``: as
    propose_cuts takes it)."""
    n = len(lines)
    proposed = propose_cuts(lines) if min_list is None else propose_cuts(lines, min_list=min_list)
    return [c for c in proposed if 0 < c < n] + [n]


def chunks_between(lines, start: int, stop: int, cache: dict | None = None) -> list | None:
    """Confirmed chunks covering lines ``start`` .. ``stop - 1``: ``start`` is a cut
    already confirmed (or 0), and ``stop`` (unless it is the end of the document) must
    still be one; None when markdown-it no longer confirms it there. The proposals
    come from those lines alone: at a confirmed cut nothing is open (no fence, no
    comment), so the scan may begin there."""
    cuts = [start + c for c in propose_cuts(lines[start:stop]) if 0 < c < stop - start] + [stop]
    out = []
    k = 0
    while start < stop:
        end = cuts[k]
        result = parse_one(lines, start, end, cache)
        while result is None:  # not a real cut: merge with the next piece
            k += 1
            if k == len(cuts):
                return None
            end = cuts[k]
            result = parse_one(lines, start, end, cache)
        out.append((start, end, result))
        start = end
        k += 1
    return out


def parse_chunks(lines, cache: dict | None = None) -> list[tuple[int, int, ChunkResult]]:
    """Parse ``lines`` in confirmed chunks: a list of (start, end, result).

    ``cache`` maps a chunk's text (plus its confirming line) to its result, so
    that re-parsing a document after a small change costs one chunk.
    """
    if not lines:
        return []
    chunks = list(iter_chunks(lines, cut_points(lines), cache))
    return chunks or [(0, len(lines), parse_one(lines, 0, len(lines), cache))]


def _trim(tokens, rel: int):
    """Tokens of a parse with the blocks opened by the confirming line ``rel`` dropped."""
    first = len(tokens)
    for j in range(len(tokens) - 1, -1, -1):
        tok = tokens[j]
        if tok.map is None or tok.nesting == -1:
            continue
        if tok.map[0] < rel:
            break
        first = j
    return tokens[:first]
