"""The header: file, title and what the filter shows; overall progress, time, open
blockers, timer and mode."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tasktui.doc.durations import short_hours
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp, bar
from tasktui.safetext import one_line


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { height: 2; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.file_name = ""
        self.doc: Document | None = None
        self.rollup: RollUp | None = None
        self.notice: str | None = None  # read-only reason, deleted file, loading…
        self.timer: str | None = None
        self.stale = False
        self.find: tuple[str, bool] = ("", False)  # the filter's query, and whether done tasks are hidden

    def show(self, doc: Document | None = None, rollup: RollUp | None = None, *, file_name: str | None = None,
             notice: str | None | bool = False, timer: str | None | bool = False, stale: bool | None = None,
             find: tuple[str, bool] | None = None) -> None:
        if doc is not None:
            self.doc = doc
            self.rollup = rollup if rollup is not None and rollup.doc is doc else RollUp(doc)
        if file_name is not None:
            self.file_name = file_name
        if notice is not False:
            self.notice = notice
        if timer is not False:
            self.timer = timer
        if stale is not None:
            self.stale = stale
        if find is not None:
            self.find = find
        self.update(self._render_text())

    def on_resize(self) -> None:
        self.update(self._render_text())

    def _find_text(self, query_room: int | None = None) -> Text:
        """``filter: US4 delete · done hidden`` (the query cut to ``query_room`` cells)."""
        query, hide_done = self.find
        out = Text(no_wrap=True, end="")
        if query:
            shown = Text(one_line(query), "bold", no_wrap=True, end="")
            if query_room is not None and shown.cell_len > query_room:
                shown.truncate(max(1, query_room), overflow="ellipsis")
            out.append("filter: ", "dim")
            out.append_text(shown)
        if hide_done:
            if query:
                out.append(" · ", "dim")
            out.append("done hidden", "bold")
        return out

    def _first_line(self, width: int) -> Text:
        """The file's name and title; at the right, while one is on, the filter and
        hide-done. Narrow, the title gives way first, then the query is cut short."""
        name = Text(one_line(self.file_name), "bold", no_wrap=True, end="")
        doc = self.doc
        title = Text(one_line(doc.title), "italic", no_wrap=True, end="") if doc is not None and doc.title else None
        find = self._find_text()
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append_text(name)
        if not find.plain or width <= 0:
            if title is not None:
                line.append("  ")
                line.append_text(title)
            return line
        query = self.find[0]
        if name.cell_len + 2 + find.cell_len > width and query:  # the query gives way, down to a few cells
            over = name.cell_len + 2 + find.cell_len - width
            find = self._find_text(max(4, Text(one_line(query)).cell_len - over))
        if name.cell_len + 2 + find.cell_len > width:
            name.truncate(max(1, width - 2 - find.cell_len), overflow="ellipsis")
            line = Text(no_wrap=True, overflow="ellipsis", end="")
            line.append_text(name)
        room = width - line.cell_len - 2 - find.cell_len
        if title is not None and room >= 6:
            title.truncate(room - 2, overflow="ellipsis")
            line.append("  ")
            line.append_text(title)
        line.append(" " * max(2, width - line.cell_len - find.cell_len))
        line.append_text(find)
        return line

    def _render_text(self) -> Text:
        width = self.content_size.width
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append_text(self._first_line(width))
        out.append("\n")
        if self.doc is None:
            out.append(one_line(self.notice or "Loading…"), "dim")
            return out
        out.append_text(self._second_line(width))
        return out

    def _tail(self) -> Text:
        """The running timer and the notice (read-only, loading, waiting): never cut
        to make room for anything else."""
        tail = Text(no_wrap=True, end="")
        if self.timer:
            tail.append("  │  ", "dim")
            tail.append(f"⏱ {one_line(self.timer)}", "bold yellow")
        if self.notice:
            tail.append("  │  ", "dim")
            tail.append(one_line(self.notice), "bold reverse")
        return tail

    def _numbers(self, level: int) -> Text:
        """Progress, time and open blockers, the more compact the higher ``level`` (0-6):
        first the stale-totals note goes, then the words of the time, the blockers'
        words, the bar, the time, the blockers."""
        prog = self.rollup.document
        out = Text(no_wrap=True, end="")
        done_style = "green" if prog.status == "complete" else ""
        out.append(prog.summary(), done_style)
        if level < 4:
            out.append(" ")
            out.append(bar(prog.fraction, 10), done_style or "dim")
        out.append(f" {prog.percent:.0f}%")
        if prog.has_time and level < 5:
            over = prog.variance_pct is not None and prog.variance_pct > 0
            out.append("  │  ", "dim")
            if level < 2:
                out.append(f"{short_hours(prog.actual_hours)} spent / {short_hours(prog.estimate_hours)} est")
            else:
                out.append(f"{short_hours(prog.actual_hours)}/{short_hours(prog.estimate_hours)}")
            if prog.variance_pct is not None:
                out.append(f" ({prog.variance_pct:+.0f}%)" if level < 2 else f" {prog.variance_pct:+.0f}%",
                           "red" if over else "green")
            if self.stale and level < 1:
                out.append(" · time totals in file out of date", "yellow")
        blockers = len(self.doc.open_blockers)
        if level < 6 or blockers:
            out.append("  │  ", "dim")
            style = "bold red" if blockers else "dim"
            out.append(f"⚑ {blockers} open blocker{'s' if blockers != 1 else ''}" if level < 3 else f"⚑ {blockers}", style)
        return out

    def _second_line(self, width: int) -> Text:
        """The numbers, as full as fits beside the timer and the notice, which stay whole."""
        tail = self._tail()
        numbers = self._numbers(0)
        if width > 0:
            level = 0
            while level < 6 and numbers.cell_len + tail.cell_len > width:
                level += 1
                numbers = self._numbers(level)
            if numbers.cell_len + tail.cell_len > width:
                numbers.truncate(max(1, width - tail.cell_len), overflow="ellipsis")
        numbers.append_text(tail)
        return numbers
