"""The dialog for a new Blockers & Decisions log entry."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tasktui.safetext import restore, visible
from tasktui.widgets.plain import plain


class LogEntryDialog(ModalScreen[tuple[str, str, str, str | None] | None]):
    """Answers (kind, text, date, task or None), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    LogEntryDialog { align: center middle; }
    LogEntryDialog > Vertical { width: 76; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    LogEntryDialog .title { text-style: bold; margin-bottom: 1; }
    LogEntryDialog RadioSet { width: 100%; }
    LogEntryDialog Label { margin-top: 1; }
    LogEntryDialog .error { color: $error; height: auto; }
    LogEntryDialog .hint { color: $text-muted; }
    LogEntryDialog Horizontal { height: auto; margin-top: 1; }
    LogEntryDialog Button { margin-right: 1; }
    """

    def __init__(self, task: str | None, today: str) -> None:
        super().__init__()
        self.task_ref = task
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("New log entry", classes="title")
            with RadioSet(id="kind"):
                yield RadioButton("Blocker", value=True, id="blocker")
                yield RadioButton("Decision", id="decision")
            yield Label("What happened")
            yield Input(placeholder="e.g. Waiting on API keys from the platform team", id="text")
            yield Label("Task (optional: its id or title)")
            yield Input(visible(self.task_ref or ""), id="task")
            yield Label("Date")
            yield Input(self.today, id="date", placeholder="YYYY-MM-DD")
            yield Static("", classes="error", id="error")
            yield Static("Enter in any field adds the entry; Esc cancels.", classes="hint")
            with Horizontal():
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def _submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        date = self.query_one("#date", Input).value.strip()
        task = restore(self.query_one("#task", Input).value, self.task_ref or "").strip() or None
        kind = "Decision" if self.query_one("#decision", RadioButton).value else "Blocker"
        error = self.query_one("#error", Static)
        if not text:
            error.update("Say what the blocker or decision is.")
            self.query_one("#text", Input).focus()
            return
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            error.update(plain(f"“{date}” is not a real date: use YYYY-MM-DD, e.g. {self.today}."))
            self.query_one("#date", Input).focus()
            return
        self.dismiss((kind, text, date, task))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
