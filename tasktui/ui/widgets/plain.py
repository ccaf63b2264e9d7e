"""The one way widgets turn text from a file, the state folder or the config into
something displayable: markup-free Content (Textual) or Text (Rich), made from
``tasktui.doc.safetext.visible``. Nothing here parses markup, so brackets such as
``[/b]`` or ``[@click=...]`` in a task are shown as they are written."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style as RichStyle
from rich.text import Text
from textual.content import Content

from tasktui.doc.safetext import one_line, visible


def plain(text: str, style: str = "", *, multiline: bool = False) -> Content:
    """Content showing ``text`` exactly (control characters as visible placeholders)."""
    return Content(visible(text, multiline=multiline) if multiline else one_line(text), style)


def plain_text(text: str, style: str | RichStyle = "", **kwargs) -> Text:
    """A Rich Text of one row of ``text``, never markup."""
    return Text(one_line(text), style=style, **kwargs)


def cut_lines(text: str, width: int, lines: int, console: Console) -> str:
    """``text`` wrapped at ``width`` cells, cut to its first ``lines`` lines (the last
    ending in "…" when more were cut): what a toast has room for."""
    wrapped = Text(text).wrap(console, width, overflow="fold")
    if len(wrapped) <= lines:
        return text
    kept = wrapped[:lines]
    kept[-1].rstrip()
    kept[-1].truncate(width - 1)
    kept[-1].append("…")
    return "\n".join(line.plain for line in kept)
