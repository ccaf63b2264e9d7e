"""The keys that move a row cursor, shared by the task tree and the overview's file
table: each widget says how to put its cursor on a row (``_set_cursor``, which clamps)."""

from __future__ import annotations

from textual.binding import Binding

CURSOR_BINDINGS = [
    Binding("up,k", "cursor_up", "Up", show=False),
    Binding("down,j", "cursor_down", "Down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
    Binding("home", "cursor_first", "First", show=False),
    Binding("end", "cursor_last", "Last", show=False),
]


class RowCursorKeys:
    """up, down, page up, page down, first and last row, for a widget with ``cursor``,
    ``rows``, ``size`` and ``_set_cursor(index)``; its BINDINGS start with CURSOR_BINDINGS."""

    cursor: int
    rows: list

    def _set_cursor(self, index: int) -> None:  # pragma: no cover - each widget has its own
        raise NotImplementedError

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor + max(1, self.size.height - 1))

    def action_cursor_first(self) -> None:
        self._set_cursor(0)

    def action_cursor_last(self) -> None:
        self._set_cursor(len(self.rows) - 1)
