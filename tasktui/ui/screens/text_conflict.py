"""The question asked when another program changed a task's text while you were
changing it (``r``): both texts side by side, and what to do. Nothing is written
until you answer, and "keep theirs" (also Esc) writes nothing at all."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tasktui.ui.widgets.plain import plain


class TextConflictScreen(ModalScreen[str]):
    """Answers ``"theirs"`` (keep the other program's text), ``"mine"`` (write yours over
    it) or ``"again"`` (edit once more, starting from theirs)."""

    BINDINGS = [
        Binding("escape,k", "answer('theirs')", "Keep theirs"),
        Binding("m", "answer('mine')", "Use mine"),
        Binding("e", "answer('again')", "Edit again"),
    ]
    DEFAULT_CSS = """
    TextConflictScreen { align: center middle; }
    TextConflictScreen > Vertical { width: 80; max-width: 100%; height: auto; max-height: 100%;
                                    border: round $warning; background: $surface; padding: 0 1; }
    TextConflictScreen .conflict-label { text-style: bold; margin-top: 1; }
    TextConflictScreen Horizontal { height: auto; margin-top: 1; }
    TextConflictScreen Button { margin-right: 1; }
    """

    def __init__(self, theirs: str, mine: str, base: str) -> None:
        super().__init__()
        self.theirs, self.mine, self.base = theirs, mine, base

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain("Another program changed this task's text while you were editing it. "
                               "Nothing was written."))
            yield Static(plain("Its text now:"), classes="conflict-label")
            yield Static(plain(self.theirs), id="theirs")
            yield Static(plain("Yours:"), classes="conflict-label")
            yield Static(plain(self.mine), id="mine")
            yield Static(plain("It was:"), classes="conflict-label")
            yield Static(plain(self.base), id="base")
            with Horizontal():
                yield Button("Keep theirs (k)", variant="primary", id="theirs-button")
                yield Button("Use mine (m)", id="mine-button")
                yield Button("Edit again (e)", id="again-button")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id.removesuffix("-button"))

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice)
