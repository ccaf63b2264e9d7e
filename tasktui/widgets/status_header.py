"""The header: file, title, overall progress, time, open blockers, mode and timer."""

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
        self.marked = 0  # tasks marked to act on together

    def show(self, doc: Document | None = None, rollup: RollUp | None = None, *, file_name: str | None = None,
             notice: str | None | bool = False, timer: str | None | bool = False, stale: bool | None = None,
             marked: int | None = None) -> None:
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
        if marked is not None:
            self.marked = marked
        self.update(self._render_text())

    def _render_text(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(one_line(self.file_name), "bold")
        doc = self.doc
        if doc is not None and doc.title:
            out.append("  ")
            out.append(one_line(doc.title), "italic")
        out.append("\n")
        if doc is None:
            out.append(one_line(self.notice or "Loading…"), "dim")
            return out
        prog = self.rollup.document
        done_style = "green" if prog.status == "complete" else ""
        out.append(f"{prog.summary()} ", done_style)
        out.append(bar(prog.fraction, 10), done_style or "dim")
        out.append(f" {prog.percent:.0f}%")
        if prog.has_time:
            over = prog.variance_pct is not None and prog.variance_pct > 0
            out.append("  │  ", "dim")
            out.append(f"{short_hours(prog.actual_hours)} spent / {short_hours(prog.estimate_hours)} est")
            if prog.variance_pct is not None:
                out.append(f" ({prog.variance_pct:+.0f}%)", "red" if over else "green")
            if self.stale:
                out.append(" · time totals in file out of date", "yellow")
        blockers = len(doc.open_blockers)
        out.append("  │  ", "dim")
        out.append(f"⚑ {blockers} open blocker{'s' if blockers != 1 else ''}", "bold red" if blockers else "dim")
        if self.marked:
            out.append("  │  ", "dim")
            out.append(f"{self.marked} marked", "bold reverse")
        if self.timer:
            out.append("  │  ", "dim")
            out.append(f"⏱ {one_line(self.timer)}", "bold yellow")
        if self.notice:
            out.append("  │  ", "dim")
            out.append(one_line(self.notice), "bold reverse")
        return out
