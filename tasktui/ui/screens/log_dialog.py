"""The dialog for a new Blockers & Decisions log entry."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tasktui.doc.safetext import restore, visible
from tasktui.ui.widgets.plain import plain


class LogEntryDialog(ModalScreen[tuple[str, str, str, str | None] | None]):
    """Answers (kind, text, date, task or None), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    # compact fields (one row each) and a body that scrolls: the whole dialog, its
    # buttons included, fits at 80x24
    DEFAULT_CSS = """
    LogEntryDialog { align: center middle; }
    LogEntryDialog > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
                                border: round $accent; background: $surface; padding: 0 1; }
    LogEntryDialog VerticalScroll { height: auto; max-height: 1fr; }
    LogEntryDialog RadioSet { width: 100%; layout: horizontal; }
    LogEntryDialog RadioButton { margin-right: 2; }
    LogEntryDialog Label { margin-top: 1; }
    LogEntryDialog Input { margin-top: 0; }
    LogEntryDialog .error { color: $error; height: auto; }
    LogEntryDialog .hint { color: $text-muted; margin-top: 1; }
    LogEntryDialog Horizontal { height: auto; margin-top: 1; }
    LogEntryDialog Button { margin-right: 2; }
    """

    def __init__(self, task: str | None, today: str) -> None:
        super().__init__()
        self.task_ref = task
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New log entry"
            box.border_subtitle = "Enter adds · Esc cancels"
            with VerticalScroll():
                with RadioSet(id="kind", compact=True):
                    yield RadioButton("Blocker", value=True, id="blocker", compact=True)
                    yield RadioButton("Decision", id="decision", compact=True)
                yield Label("What happened")
                yield Input(placeholder="e.g. Waiting on API keys from the platform team", id="text", compact=True)
                yield Label("Task (optional: its id or title)")
                yield Input(visible(self.task_ref or ""), id="task", compact=True)
                yield Label("Date")
                yield Input(self.today, id="date", placeholder="YYYY-MM-DD", compact=True)
                yield Static("", classes="error", id="error")
                yield Static("Enter in any field adds the entry; Esc cancels.", classes="hint")
            with Horizontal():
                yield Button("Add", variant="primary", id="add", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

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
