"""The find bar: the filter box (`/`) and, beside it, how many tasks the filter
finds, and what in the query could not be used."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tasktui.doc import query as query_mod
from tasktui.doc.safetext import one_line
from tasktui.ui.widgets.plain import plain

PLACEHOLDER = 'find: words, "a phrase", state:open, T012, [US1], -word'


def count_text(matches: int, total: int) -> str:
    """``12 of 340 tasks match``."""
    return f"{matches} of {total} task{'' if total == 1 else 's'} match{'es' if matches == 1 else ''}"


class FindBar(Horizontal):
    """``/`` shows it; Esc (in the box or in the tree) clears the filter and hides it."""

    DEFAULT_CSS = """
    FindBar { dock: bottom; height: 3; margin-bottom: 1; }
    FindBar > Input { width: 1fr; border: tall $accent; }
    FindBar > #find-count { width: auto; max-width: 50%; height: 3; padding: 0 1; content-align-vertical: middle; color: $text-muted; }
    FindBar > #find-count.-none { color: $text-warning; }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id="filter")
        yield Static("", id="find-count")

    @on(Input.Changed, "#filter")
    def _as_shown(self, event: Input.Changed) -> None:
        """Pasted control characters become their pictures (as the tree shows a task's),
        before anyone reads the query: the box never sends them to the terminal."""
        shown = one_line(event.value)
        if shown != event.value:
            event.stop()
            event.input.value = shown

    @property
    def input(self) -> Input:
        return self.query_one("#filter", Input)

    def show_count(self, text_filter: str, matches: int | None, total: int) -> None:
        """What the filter finds (``matches`` None: it is empty, or only hide-done is
        on), and below, the first thing in the query that could not be used."""
        count = self.query_one("#find-count", Static)
        problems = query_mod.parse(text_filter).problems
        lines = []
        if matches is not None and query_mod.parse(text_filter):
            lines.append(count_text(matches, total))
        if problems:
            lines.append(problems[0])
        count.update(plain("\n".join(lines), multiline=True))
        count.set_class(matches == 0 or bool(problems), "-none")
