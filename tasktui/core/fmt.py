"""`tasktui fmt`: the one command that reformats a file, with mdformat (and its
GFM plugin for tables and task lists), keeping every task intact.

mdformat re-renders the whole document. Where that would change a task, the
output is fixed up: Kiro's optional marker (`[ ]*`, which mdformat escapes),
extended marks it escapes (`\\[-\\]`), the case of `[X]`, and the task's own text
(mdformat may re-escape or re-style it) are put back as they were. Lines that
mdformat only re-escaped, and thematic breaks (mdformat writes 70 underscores for
every `---`), are kept as written, but only when the whole document still renders
to the same HTML as mdformat's own output. Front matter
is kept verbatim, and so are the BOM and the file's line ending. The result
must list exactly the same tasks (state, mark, optional, id, text, nesting)
as the original, or nothing is written and the reason is given.
"""

from __future__ import annotations

import difflib
import functools
import re

import mdformat

from tasktui.doc.model import Document
from tasktui.doc.source import BOM, encode


class FormatError(ValueError):
    """mdformat's output cannot be made to keep the tasks; str() says why."""


_ESCAPED_BOX = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+)\\\[(.)\\\](\\?\*)?")
_STAR_ESCAPED = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+\[.\])\\\*")


def _unescape_boxes(text: str) -> str:
    out = []
    for line in text.split("\n"):
        line = _ESCAPED_BOX.sub(lambda m: f"{m.group(1)}[{m.group(2)}]" + ("*" if m.group(3) else ""), line)
        line = _STAR_ESCAPED.sub(r"\1*", line)
        out.append(line)
    return "\n".join(out)


def _signature(doc: Document) -> list[tuple]:
    return [(t.state, t.mark, t.optional, t.id, t.text, t.depth) for t in doc.tasks]


def format_bytes(data: bytes) -> bytes:
    """The formatted file, or FormatError with the reason. Pure: no I/O."""
    if b"\0" in data:
        raise FormatError("the file contains NUL bytes")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("the file is not valid UTF-8, and mdformat only reads text") from None
    original = Document(data)
    src = original.source
    ending = src.majority_ending
    if len({e for e in src.endings if e}) > 1:
        raise FormatError("the file mixes line endings; formatting would have to change some of them")
    lines = list(src.lines)
    front = lines[: original.front_matter]
    body = "\n".join(lines[original.front_matter:])
    formatted = mdformat.text(body, extensions={"gfm"}, options={"wrap": "keep", "number": False})
    formatted = _unescape_boxes(formatted)
    text = "\n".join(front + [formatted.rstrip("\n")])
    if src.line_count > 1 and src.lines[-1] == "":
        text += "\n"  # the file ended with a line ending: so does the result
    out = _restore_labels(original, _restore_tasks(original, text))
    out = _keep_as_written(lines[original.front_matter:], out, len(front))
    result = out.replace("\n", ending.decode())
    new = (BOM if src.bom else b"") + encode(result)
    check = Document(new)
    if _signature(check) != _signature(original):
        bad = next((a for a, b in zip(original.tasks, check.tasks) if (a.mark, a.text, a.optional) != (b.mark, b.text, b.optional)), None)
        where = f" (first difference at the task on line {bad.line + 1})" if bad else f" ({len(original.tasks)} tasks before, {len(check.tasks)} after)"
        raise FormatError(f"mdformat would change the tasks{where}; nothing was written")
    return new


def _restore_tasks(original: Document, text: str) -> str:
    """Put each task's mark and text back where mdformat changed them."""
    doc = Document(encode(text))
    if len(doc.tasks) != len(original.tasks):
        return text
    lines = text.split("\n")
    for old, new in zip(original.tasks, doc.tasks):
        line = lines[new.line]
        changed = False
        if new.mark != old.mark:
            line = line[: new.col + 1] + old.mark + line[new.col + 2:]
            changed = True
        if new.text != old.text:
            start = new.col + 3 + (1 if new.optional else 0)
            rest = line[start:]
            lead = rest[: len(rest) - len(rest.lstrip())]
            line = line[:start] + lead + old.text
            changed = True
        if changed:
            lines[new.line] = line
    return "\n".join(lines)


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _plain(line: str) -> str:
    """A line without markdown escapes and without its hard-break marker."""
    return _ESCAPE.sub(r"\1", line.strip()).rstrip("\\").rstrip()


def _restore_labels(original: Document, text: str) -> str:
    """`**Label**: value` lines (Completion Status, Time Tracking, log entries and
    their placeholders) keep their own text: mdformat would escape `[DATE]` and turn
    the two-space line breaks into backslashes, which tasktui would then misread."""
    wanted = {}
    for lab in original.labels:
        line = original.source.lines[lab.line]
        wanted.setdefault(_plain(line), line)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        orig = wanted.get(_plain(line))
        if orig is None or orig == line or "**" not in line or "**" not in orig:
            continue
        lines[i] = line[: line.index("**")] + orig[orig.index("**"):]
    return "\n".join(lines)


@functools.cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _html(text: str) -> str:
    return _markdown().render(text)


def _breaks(lines: list[str]) -> list[int]:
    """The lines of the top-level thematic breaks."""
    return [t.map[0] for t in _markdown().parse("\n".join(lines)) if t.type == "hr" and t.level == 0 and t.map]


def _keep_as_written(body: list[str], text: str, skip: int) -> str:
    """`text` (mdformat's output after the fix-ups above) with two kinds of line put
    back as the author wrote them: thematic breaks, matched in order, and lines that
    differ from an original line only by backslash escapes and hard-break markers
    (matched by difflib over the unescaped lines). Kept only if the body renders to
    the same HTML as before; otherwise mdformat's text stands."""
    lines = text.split("\n")
    head, out = lines[:skip], lines[skip:]
    before = "\n".join(out)
    old_hr, new_hr = _breaks(body), _breaks(out)
    if len(old_hr) == len(new_hr):
        for o, n in zip(old_hr, new_hr):
            out[n] = body[o]
    a, b = [_plain(x) for x in body], [_plain(x) for x in out]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            continue
        for i, j in zip(range(i1, i2), range(j1, j2)):
            if a[i] and out[j] != body[i] and out[j].strip() != body[i].strip():
                lead = out[j][: len(out[j]) - len(out[j].lstrip())]
                out[j] = lead + body[i].lstrip()
    after = "\n".join(out)
    if after != before and _html(after) != _html(before):
        return text
    return "\n".join(head + out)


__all__ = ["FormatError", "format_bytes"]
