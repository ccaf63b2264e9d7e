"""A task's text without its markdown: what a reader of the rendered file reads.

Wherever tasktui shows or quotes a task outside a markdown view (the header's
timer label, dialog titles, the log's Task column, notifications, the command
line's text output, the task a new log entry names) it uses ``shown_text``:
``**Add domain events** for:`` reads ``Add domain events for:``, ``Use
`uv` [docs](https://x)`` reads ``Use uv docs``. The text is read by
markdown-it's inline parser (emphasis, code spans, links, images, escapes,
entities), never by a pattern of our own, so what it drops is exactly the
syntax a markdown view draws. Everything else is kept as written, control
characters included: showing them is ``tasktui.doc.safetext``'s job. JSON keeps
the raw text (``text``) and adds this one (``plain``).
"""

from __future__ import annotations

from functools import lru_cache

_parser: list = []  # made at the first use: a command that shows no task never imports markdown-it


def _inline(text: str) -> list:
    """markdown-it's inline tokens of ``text`` (its inline parser alone: a task's text is
    one line, so the core rules around it, line ending and NUL normalisation, have
    nothing to do; skipping them saves a quarter of the time)."""
    if not _parser:
        from markdown_it import MarkdownIt

        _parser.append(MarkdownIt("commonmark").enable("strikethrough"))
    md = _parser[0]
    tokens: list = []
    md.inline.parse(text, md, {}, tokens)
    return tokens


@lru_cache(maxsize=1 << 14)
def shown_text(text: str) -> str:
    """``text`` (one task's, one line) without markdown emphasis, code, link and image
    syntax, escapes and entities: the words as a rendered view shows them."""
    if not any(c in text for c in "*_`[]<>!\\&~"):
        return text  # nothing markdown could read as syntax
    out: list[str] = []
    for token in _inline(text):
        kind = token.type
        if kind in ("text", "text_special", "code_inline", "html_inline"):  # text_special: an escape, an entity
            out.append(token.content)
        elif kind == "image":
            out.append(token.content)  # its alt text
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out) or text
