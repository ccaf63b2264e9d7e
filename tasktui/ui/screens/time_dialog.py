"""The `t` dialog: add time spent to a task, or set its estimate."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from tasktui.doc.durations import ACCEPTED, DurationError, parse_duration, short_hours
from tasktui.ui.widgets.plain import plain



class TimeDialog(ModalScreen[tuple[str, float] | None]):
    """Answers ("spent", hours) or ("estimate", hours), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    TimeDialog { align: center middle; }
    TimeDialog > Vertical { width: 70; max-width: 100%; height: auto; max-height: 100%;
                            border: round $accent; background: $surface; padding: 0 1; }
    TimeDialog .title { text-style: bold; }
    TimeDialog .facts { color: $text-muted; margin-bottom: 1; }
    TimeDialog RadioSet { width: 100%; layout: horizontal; margin-bottom: 1; }
    TimeDialog RadioButton { margin-right: 2; }
    TimeDialog Input { margin-bottom: 1; }
    TimeDialog .hint { color: $text-muted; }
    TimeDialog .error { color: $error; }
    """

    def __init__(self, what: str, estimate_hours: float | None, actual_hours: float | None, day_hours: float = 8.0,
                 *, estimate: bool = False) -> None:
        """Time for ``what`` (a task's text, or a heading's), with its numbers so far;
        ``estimate``: start on "Set the estimate"."""
        super().__init__()
        self.what = what
        self.estimate_hours, self.actual_hours = estimate_hours, actual_hours
        self.day_hours = day_hours
        self.start_on_estimate = estimate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Time for: {self.what[:120]}"), classes="title")
            yield Static(plain(f"Estimated {short_hours(self.estimate_hours)}, "
                               f"spent so far {short_hours(self.actual_hours)}"), classes="facts")
            with RadioSet(id="kind", compact=True):
                yield RadioButton("Add time spent", value=not self.start_on_estimate, id="spent", compact=True)
                yield RadioButton("Set the estimate", value=self.start_on_estimate, id="estimate", compact=True)
            # on "Set the estimate", the current one to change (Enter keeps it)
            current = short_hours(self.estimate_hours) if self.start_on_estimate and self.estimate_hours else ""
            yield Input(current, placeholder="e.g. 45m, 1.5h, 1h30m", id="duration", compact=True)
            yield Static(plain(f"Accepted: {ACCEPTED}; a day is {self.day_hours:g}h. Enter confirms, Esc cancels."),
                         classes="hint")
            yield Static("", classes="error", id="error")

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            hours = parse_duration(event.value, self.day_hours)
        except DurationError as exc:
            self.query_one("#error", Static).update(plain(f"{str(exc)[0].upper()}{str(exc)[1:]}."))
            return
        kind = "estimate" if self.query_one("#estimate", RadioButton).value else "spent"
        self.dismiss((kind, hours))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LongTimerDialog(ModalScreen[str]):
    """A timer found running for longer than a working day: keep, trim or discard."""

    BINDINGS = [Binding("k", "answer('keep')", "Keep"), Binding("t", "answer('trim')", "Trim"),
                Binding("d", "answer('discard')", "Discard"), Binding("escape", "answer('keep')", "Keep")]
    DEFAULT_CSS = """
    LongTimerDialog { align: center middle; }
    LongTimerDialog > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                 border: round $warning; background: $surface; padding: 0 1; }
    LongTimerDialog Horizontal { height: auto; margin-top: 1; }
    LongTimerDialog Button { margin-right: 1; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal
        from textual.widgets import Button

        with Vertical():
            yield Static(plain(self.message, multiline=True))
            with Horizontal():
                yield Button("Keep it running (k)", id="keep")
                yield Button("Trim to one working day (t)", id="trim", variant="primary")
                yield Button("Discard it (d)", id="discard", variant="error")

    def on_button_pressed(self, event) -> None:
        self.dismiss(event.button.id)

    def action_answer(self, value: str) -> None:
        self.dismiss(value)
