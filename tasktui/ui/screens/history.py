"""The `H` screen: progress over time from the file's git history: a chart of
required tasks and required tasks done, velocity and forecast. The history is
read on a thread by the file's main screen when this one asks (ReadRequested;
tasktui.core.history, worker processes for long histories); this screen shows its
progress and then its result, and keys keep working meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from tasktui.core import history as history_mod
from tasktui.core.session import Session
from tasktui.ui.widgets.burndown import BurndownChart, idle_since, legend
from tasktui.ui.widgets.plain import plain


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,H", "dismiss(None)", "Close"),
        Binding("r", "reload", "Read again"),
    ]
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical { width: 100%; height: 100%; background: $surface; padding: 0 1; }
    HistoryScreen #history-title { text-style: bold; height: 1; }
    HistoryScreen #history-summary { color: $text-muted; height: auto; }
    HistoryScreen #history-progress { height: 1; margin: 1 0; }
    HistoryScreen #history-chart { margin: 1 0 0 0; }
    HistoryScreen #history-legend { height: 1; }
    HistoryScreen #history-pace { height: auto; margin-top: 1; }
    HistoryScreen #history-hint { height: 1; color: $text-muted; dock: bottom; }
    """

    @dataclass
    class ReadRequested(Message):
        """Read the file's history, unless it is being read or is up to date (``force``: read it again)."""

        force: bool = False

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session  # the file whose history this shows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="history-title")
            yield Static("", id="history-summary")
            yield ProgressBar(id="history-progress", show_eta=False)
            yield BurndownChart(id="history-chart")
            yield Static(legend(), id="history-legend")
            yield Static("", id="history-pace")
            yield Static(Text("Esc close · r read the history again"), id="history-hint")

    def on_mount(self) -> None:
        self.query_one("#history-title", Static).update(plain(f"Progress over time · {self.session.shown_path}"))
        self.show_state()
        self.post_message(self.ReadRequested())  # unless it is read already, for the file as it is now

    def action_reload(self) -> None:
        self.post_message(self.ReadRequested(force=True))

    # -- what the reading tells it --------------------------------------------------------
    def show_state(self, reading: bool = False) -> None:
        """Show what the session knows: the history, why there is none, or that it is
        being read (``reading``: a progress bar until it is)."""
        session = self.session
        if session.history is not None:
            self.show_history(session.history)
        elif session.history_error is not None and not reading:
            self.show_error(session.history_error)
        else:
            self.show_progress(0, 0)
        self.query_one("#history-progress", ProgressBar).display = reading

    def show_progress(self, done: int, total: int) -> None:
        bar = self.query_one("#history-progress", ProgressBar)
        bar.display = True
        bar.update(total=total or None, progress=done)
        if self.session.history is None:
            what = f"Reading the history: {done} of {total} versions" if total else "Reading the history…"
            self.query_one("#history-summary", Static).update(plain(what))

    def show_error(self, sentence: str) -> None:
        self.query_one("#history-summary", Static).update(plain(sentence))
        self.query_one(BurndownChart).display = False
        self.query_one("#history-legend", Static).display = False

    def show_history(self, found: history_mod.History) -> None:
        versions = found.versions
        parts = [f"{len(versions)} commit{'s' if len(versions) != 1 else ''}, {versions[0].day} to {versions[-1].day}"
                 if versions else "no commit of this file on this branch yet"]
        if found.now is not None:
            parts.append("uncommitted changes as today")
        if found.renames:
            parts.append("renamed" + (f" {len(found.renames)} times" if len(found.renames) > 1 else ""))
        if found.shallow is not None:
            parts.append(f"shallow clone: from {found.shallow.date[:10]}")
        summary = " · ".join(parts)
        self.query_one("#history-summary", Static).update(plain(summary))
        chart = self.query_one(BurndownChart)
        chart.display = True
        self.query_one("#history-legend", Static).display = True
        today = datetime.fromtimestamp(self.session.clock()).date()
        series = found.series()
        chart.show(series, today)
        self.query_one("#history-legend", Static).update(legend(idle_since(series, today)))
        lines = history_mod.describe(found)
        self.query_one("#history-pace", Static).update(plain("\n".join(lines), multiline=True))
