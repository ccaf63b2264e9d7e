"""The `?` screen: every key, grouped."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Moving", [
        ("↑ ↓  j k", "move"),
        ("← →  h l", "collapse / expand (← on a leaf goes to its section)"),
        ("PgUp PgDn Home End", "scroll by page, first / last row"),
        ("n / N", "next / previous task that can start now (waiting tasks are dimmed)"),
        ("/", "filter by text (Esc clears)"),
        ("d", "hide / show done tasks"),
        ("i", "show / hide the detail pane (hidden below 100 columns)"),
        ("mouse", "click a row to select it, its box to toggle, its arrow to fold"),
    ]),
    ("Changing tasks (written to the file at once)", [
        ("space", "toggle the task done / not done (on a section: fold)"),
        ("p", "mark in progress"),
        ("c", "mark cancelled (where the file's dialect has a mark for it)"),
        ("a / A", "add a task after / under the highlighted one"),
        ("r", "change the task's text"),
        ("delete", "delete the task with its details (u brings it back)"),
        ("u / ctrl+r", "undo / redo (written to the file)"),
        ("y / Y", "copy the task's id / text"),
        ("e", "open the file in $VISUAL / $EDITOR at the task's line"),
    ]),
    ("Time and log", [
        ("t", "enter time spent or set the estimate"),
        ("s", "start / stop the timer on the task"),
        ("b", "show / hide the Blockers & Decisions log"),
        ("in the log: a r enter o", "add, resolve, edit the entry, only open blockers"),
    ]),
    ("App", [
        ("ctrl+p", "command palette: every action by name, themes"),
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


def help_markdown() -> str:
    out = ["# tasktui keys", ""]
    for group, rows in KEYS:
        out += [f"## {group}", "", "| Key | Does |", "|---|---|"]
        out += [f"| `{key}` | {does} |" for key, does in rows]
        out.append("")
    out.append("Every change goes straight to the file; edits made elsewhere show up live.")
    return "\n".join(out)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: 90%; border: thick $accent; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(help_markdown())
