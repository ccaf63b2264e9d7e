"""The `?` screen: every key, grouped."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Moving", [
        ("↑ ↓  j k", "move"),
        ("← →  h l", "collapse / expand (← on a leaf goes to its section)"),
        ("PgUp PgDn Home End", "scroll by page, first / last row"),
        ("n / N", "next / previous task that can start now, within what the filter shows (waiting tasks are dimmed)"),
        ("g", "go to a task: its id (T012, 1.2) or L and a line number (L40)"),
        ("i", "show / hide the detail pane (hidden below 100 columns)"),
        ("mouse", "click a row to select it, its box to toggle, its arrow to fold"),
    ]),
    ("Finding (/ then Enter; Esc clears)", [
        ("/", "filter: tasks holding every word, in any order, any case"),
        ('"a phrase"', "words kept together; quotes also make state:, ids and - plain text"),
        ("state:open", "required work not done; also done, todo, in_progress (doing), queued, cancelled; "
                       "several: state:todo,doing"),
        ("T012  1.2", "the task with that id (a word when the file has no such id)"),
        ("[US1]  [P]", "the tasks carrying that marker"),
        ("-word", "leave out what matches (-draft, -state:done, -[P])"),
        ("d", "hide / show done tasks"),
    ]),
    ("Changing tasks (written to the file at once)", [
        ("space", "toggle the task done / not done (on a section: fold)"),
        ("p", "mark in progress (again: back to open)"),
        ("c", "mark cancelled, where the file's dialect has a mark for it (again: back to open)"),
        ("a / A", "add a task after / under the highlighted one"),
        ("r", "change the task's text"),
        ("delete", "delete the task with its details (u brings it back)"),
        ("K / J  alt+up / alt+down", "move the task (details, subtasks) up / down among its siblings"),
        ("m", "move the task to the end of another section's list (pick it)"),
        ("v", "mark / unmark the task"),
        ("shift+up / shift+down", "mark while moving"),
        ("with marks", "space, p, c, delete act on every marked task (one write, one u); Esc clears"),
        ("u / ctrl+r", "undo / redo (written to the file)"),
        ("y / Y", "copy the task's id / text"),
        ("e", "open the file in $VISUAL / $EDITOR at the task's line"),
    ]),
    ("Time and log", [
        ("t", "enter time spent (or set the estimate)"),
        ("E", "set the estimate"),
        ("s", "start / stop the timer on the task"),
        ("b", "show / hide the Blockers & Decisions log"),
        ("in the log: a r enter o", "add, resolve, edit the entry, only open blockers"),
    ]),
    ("App", [
        ("H", "progress over time, from the file's git history: chart, velocity, forecast"),
        ("ctrl+p", "command palette: every action by name, themes, Renumber this section"),
        ("o", "back to the overview of every tasks file (tasktui DIR, or a bare tasktui), without quitting"),
        ("?", "this help"),
        ("q", "quit"),
    ]),
    ("The overview (tasktui DIR)", [
        ("↑ ↓  j k", "move between the files; PgUp PgDn Home End too"),
        ("enter", "open the highlighted file (o there comes back)"),
        ("q", "quit"),
    ]),
]


CLOSE = "Esc, q or ? closes this help; ↑ ↓ PgUp PgDn scroll it."
FOOTNOTE = "Every change goes straight to the file; edits made elsewhere show up live."


def _group(rows: list[tuple[str, str]], key_width: int):
    """One group's keys and what they do, two columns, one row per key: dense
    enough that most of the help shows at 80x24."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(width=key_width, no_wrap=True, style="bold")
    table.add_column()
    for key, does in rows:
        table.add_row(Text(key), Text(does))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen .help-close { color: $text-muted; }
    HelpScreen .help-group { text-style: bold underline; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "tasktui keys"
            scroll.border_subtitle = "Esc closes"
            yield Static(CLOSE, classes="help-close")
            key_width = max(len(key) for _group, rows in KEYS for key, _does in rows)
            for group, rows in KEYS:
                yield Static(group, classes="help-group")
                yield Static(_group(rows, key_width), classes="help-keys")
            yield Static(FOOTNOTE, classes="help-close")
