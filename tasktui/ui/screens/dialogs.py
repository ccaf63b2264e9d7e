"""Small modal dialogs that answer with a value: a text prompt and a yes/no question."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tasktui.doc.safetext import restore, visible
from tasktui.ui.widgets.plain import plain


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; ``validate`` returns an error message or None.

    ``title`` and ``value`` may hold text from the file: both are shown as plain,
    visible text. Control characters of ``value`` show as placeholders in the
    input; the answer has them back where the user left the placeholders."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
                              border: round $accent; background: $surface; padding: 0 1; }
    PromptScreen .prompt-title { text-style: bold; margin-bottom: 1; }
    PromptScreen Input { margin-bottom: 1; }
    PromptScreen .prompt-hint { color: $text-muted; }
    PromptScreen .prompt-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, value: str = "", *, placeholder: str = "", hint: str = "",
                 validate: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.validate_fn = validate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="prompt-title")
            yield Input(visible(self.value), placeholder=self.placeholder, id="prompt-input", compact=True)
            yield Static(plain(self.hint or "Enter to confirm, Esc to cancel"), classes="prompt-hint")
            yield Static("", classes="prompt-error", id="prompt-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = restore(event.value, self.value)
        if self.validate_fn is not None:
            problem = self.validate_fn(value)
            if problem:
                self.query_one("#prompt-error", Static).update(plain(problem))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%;
                               border: round $warning; background: $surface; padding: 0 1; }
    ConfirmScreen VerticalScroll { height: auto; max-height: 70vh; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    """

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():  # a long question scrolls; the buttons stay on screen
                yield Static(plain(self.question, multiline=True))
            with Horizontal():
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
