""""Move task to section...": a list of the file's headings to pick one from;
typing filters it (the list keeps the arrow, Home and End keys). Heading texts
are data from the file: shown as plain text (tasktui.ui.widgets.plain)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tasktui.doc.model import HeadingKey
from tasktui.doc.safetext import one_line
from tasktui.ui.widgets.plain import plain, plain_text


@dataclass(frozen=True)
class Choice:
    key: HeadingKey
    text: str  # the heading's text, as written in the file
    depth: int
    counts: str  # "3/5", or "" for a heading without tasks
    here: bool  # the heading whose list the task is in now


class SectionPicker(ModalScreen[HeadingKey | None]):
    """Pick the heading whose list a task goes to the end of; letters typed filter the
    list (every word, any case), backspace takes one back; Esc clears the filter,
    then cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SectionPicker { align: center middle; }
    SectionPicker > Vertical { width: 72; max-width: 95%; height: auto; max-height: 90%; border: thick $accent;
                               background: $surface; padding: 0 1; }
    SectionPicker .picker-title { text-style: bold; margin: 1 0 0 0; }
    SectionPicker .picker-filter { color: $text-muted; margin-bottom: 1; }
    SectionPicker OptionList { height: auto; max-height: 20; }
    SectionPicker .picker-hint { color: $text-muted; }
    """

    HINT = "Enter moves it to the end of that section's list, Esc cancels."

    def __init__(self, title: str, choices: list[Choice]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.typed = ""  # the filter

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(plain(self.title_text), classes="picker-title")
            yield Static("", classes="picker-filter", id="picker-filter")
            yield OptionList(*[Option(self._prompt(c), id=str(i)) for i, c in enumerate(self.choices)])
            yield Static(plain(self.HINT), classes="picker-hint")

    @staticmethod
    def _prompt(choice: Choice) -> Text:
        prompt = Text("  " * choice.depth, no_wrap=True, overflow="ellipsis")
        prompt.append_text(plain_text(choice.text, "bold" if choice.here else ""))
        if choice.counts:
            prompt.append(f"  {choice.counts}", "dim")
        if choice.here:
            prompt.append("  (here now)", "dim italic")
        return prompt

    # rows the dialog takes besides the list: its border (2), the title with its margin (2), the filter
    # line with its margin (2), the hint (1)
    OTHER_ROWS = 7

    def on_resize(self, event) -> None:
        """The list takes the rows the screen has left (at 80x24 too), so the hint stays in view
        and the list scrolls to the highlighted heading."""
        fit = int(event.size.height * 0.9) - self.OTHER_ROWS
        self.query_one(OptionList).styles.max_height = max(3, min(20, fit))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        here = next((i for i, c in enumerate(self.choices) if c.here), -1)
        options.highlighted = (here + 1) % len(self.choices) if self.choices else None  # the section after this one
        options.focus()
        self._show_filter(len(self.choices))

    def on_key(self, event: events.Key) -> None:
        """Letters typed (the list takes the arrows, Home, End, Enter) filter the headings."""
        if event.key == "backspace" and self.typed:
            self._filter(self.typed[:-1])
        elif event.is_printable and event.character and (self.typed or not event.character.isspace()):
            self._filter(self.typed + event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def _filter(self, typed: str) -> None:
        self.typed = typed
        words = typed.casefold().split()
        options = self.query_one(OptionList)
        was = options.highlighted_option.id if options.highlighted_option is not None else None
        shown = [i for i, c in enumerate(self.choices) if all(w in one_line(c.text).casefold() for w in words)]
        options.clear_options()
        options.add_options([Option(self._prompt(self.choices[i]), id=str(i)) for i in shown])
        if shown:
            ids = [str(i) for i in shown]
            options.highlighted = ids.index(was) if was in ids else 0
        self._show_filter(len(shown))

    def _show_filter(self, count: int) -> None:
        line = self.query_one("#picker-filter", Static)
        if not self.typed:
            line.update(plain(f"{len(self.choices)} heading{'s' if len(self.choices) != 1 else ''}; type to filter"))
        elif count:
            line.update(plain(f"filter: {self.typed}  ({count} of {len(self.choices)})"))
        else:
            line.update(plain(f"filter: {self.typed}  (no heading has it: backspace, or Esc to clear)"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id)].key)

    def action_cancel(self) -> None:
        if self.typed:
            self._filter("")
        else:
            self.dismiss(None)
