"""The help (`?` or F1): every key, the most used first; two columns where the
width allows.

The keys shown come from the bindings themselves (``BINDINGS`` of the screens and
widgets, and the command palette's key): a row here names the actions it
explains, never its keys, so the help cannot drift from what the keys do. A
test checks that every binding's action has its row."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MAIN, TREE, LOG, OVERVIEW, HISTORY = "main", "tree", "log", "overview", "history"


def bindings() -> dict[str, list[Binding]]:
    """Where the keys the help explains are bound, by the names the rows use."""
    from tasktui.ui.screens.history import HistoryScreen
    from tasktui.ui.screens.main import MainScreen
    from tasktui.ui.screens.workspace import WorkspaceScreen
    from tasktui.ui.widgets.file_table import FileTable
    from tasktui.ui.widgets.log_panel import LogPanel
    from tasktui.ui.widgets.task_tree import TaskTree

    return {MAIN: list(MainScreen.BINDINGS), TREE: list(TaskTree.BINDINGS), LOG: list(LogPanel.BINDINGS),
            OVERVIEW: list(WorkspaceScreen.BINDINGS) + list(FileTable.BINDINGS),
            HISTORY: list(HistoryScreen.BINDINGS)}


@dataclass(frozen=True)
class Keys:
    """A row whose keys are those bound to ``actions`` on ``where`` (one of MAIN, TREE ...)."""

    does: str
    actions: tuple[str, ...]
    where: str = MAIN


@dataclass(frozen=True)
class Said:
    """A row that is not a key binding: query syntax, the mouse, the palette's key."""

    keys: str
    does: str


def keys(does: str, *actions: str, where: str = MAIN) -> Keys:
    return Keys(does, actions, where)


PALETTE = Said(App.COMMAND_PALETTE_BINDING, "command palette: every action by name, themes, "
                                            "Renumber this section, Stop timer")

GROUPS: list[tuple[str, list[Keys | Said]]] = [
    ("Most used", [
        keys("toggle the task done / not done (on a section: fold)", "toggle_task"),
        keys("enter time spent, or set the estimate (45m, 1.5h, 2d)", "time_entry"),
        keys("start / stop the timer on the task", "timer"),
        keys("show / hide the Blockers & Decisions log", "toggle_log"),
        keys("add a task after / under the highlighted one", "add_after", "add_under"),
        keys("change the task's text", "change_text"),
        keys("delete the task with its details (u brings it back)", "delete_task"),
        keys("undo / redo (written to the file)", "undo", "redo"),
        keys("find: show only the tasks a query matches (below)", "filter"),
        keys("next / previous task that can start now", "next_ready", "previous_ready"),
        keys("open the file in $EDITOR at the task's line", "open_editor"),
        keys("quit", "app.quit"),
        keys("this help", "help"),
    ]),
    ("Moving", [
        keys("move up / down", "cursor_up", "cursor_down", where=TREE),
        keys("collapse / expand (← on a task goes to its section)", "collapse", "expand", where=TREE),
        keys("a page up / down, the first / last row", "page_up", "page_down", "cursor_first", "cursor_last",
             where=TREE),
        keys("fold / unfold the section", "expand_or_collapse", where=TREE),
        keys("go to a task: its id (T012, 1.2) or L40 for line 40", "go_to_task"),
        keys("show / hide the detail pane (hidden below 100 columns)", "toggle_details"),
        Said("mouse", "click a row to select it, its box to toggle, its arrow to fold"),
    ]),
    ("Finding (/, a query, Enter)", [
        Said("words", "tasks holding every word, in any order, any case"),
        Said('"a phrase"', "words kept together; quotes also make state:, ids and - plain text"),
        Said("state:open", "required work not done; also done, todo, in_progress (doing), queued, blocked, "
                           "review, draft, cancelled; several: state:todo,doing"),
        Said("T012  1.2", "the task with that id (a word when the file has no such id)"),
        Said("[US1]  [P]", "the tasks carrying that marker"),
        Said("-word", "leave out what matches (-draft, -state:done, -[P])"),
        keys("clear the filter", "clear_filter"),
        keys("hide / show done tasks", "toggle_done"),
    ]),
    ("Changing tasks (written to the file at once)", [
        keys("mark in progress (again: back to open)", "mark_in_progress"),
        keys("mark cancelled, where the file has a mark for it (again: back to open)", "mark_cancelled"),
        keys("mark blocked, where the file's legend has a mark for it (again: back to open)", "mark_blocked"),
        Said("palette Mark …", "every state the file's legend names, in its words (Mark Review, Mark Draft …)"),
        keys("move the task (details, subtasks) up / down among its siblings", "move_task_up", "move_task_down"),
        keys("move the task to the end of another section's list (pick it; typing filters)", "move_to_section"),
        keys("mark / unmark the task", "toggle_mark"),
        keys("mark while moving up / down", "extend_marks(-1)", "extend_marks(1)"),
        keys("clear the marks (a second Esc: the filter)", "clear_marks"),
        Said("with marks", "space, p, c, !, delete act on every marked task (one write, one u)"),
        keys("copy the task's id / text", "copy_id", "copy_text"),
    ]),
    ("Time and log", [
        keys("set the estimate", "set_estimate"),
        keys("stop the running timer, wherever the cursor is, booking its time", "stop_timer"),
        keys("in the log: move up / down (the entry is shown whole in the detail pane)", "cursor_up", "cursor_down",
             where=LOG),
        keys("in the log: add an entry, resolve a blocker, edit the entry", "add", "resolve", "edit", where=LOG),
        keys("in the log: only open blockers / all entries", "only_open", where=LOG),
    ]),
    ("App", [
        keys("progress over time, from the file's git history: chart, velocity, forecast", "show_history"),
        keys("in the history: close it / read it again", "dismiss(None)", "reload", where=HISTORY),
        PALETTE,
        keys("back to the overview of every tasks file, without quitting", "overview"),
    ]),
    ("The overview (tasktui DIR)", [
        keys("move between the files", "cursor_up", "cursor_down", where=OVERVIEW),
        keys("a page up / down, the first / last file", "page_up", "page_down", "cursor_first", "cursor_last",
             where=OVERVIEW),
        keys("open the highlighted file (o there comes back)", "open_file", where=OVERVIEW),
        keys("this help / quit", "help", "app.quit", where=OVERVIEW),
    ]),
]

CLOSE = "Esc, q, ? or F1 closes this help; ↑ ↓ PgUp PgDn scroll it."
FOOTNOTE = "Every change goes straight to the file; edits made elsewhere show up live."
WIDE = 120  # columns from which the help takes two columns
MAX_WIDTH = 180  # the widest the help gets

_KEY_NAMES = {"space": "space", "slash": "/", "question_mark": "?", "exclamation_mark": "!", "up": "↑", "down": "↓",
              "left": "←", "right": "→", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
              "escape": "Esc", "enter": "enter", "delete": "delete"}


def key_name(key: str) -> str:
    """A binding's key as the help writes it: ``slash`` as ``/``, ``alt+up`` as ``alt+↑``, ``f1`` as ``F1``."""
    *mods, last = key.split("+")
    name = _KEY_NAMES.get(last) or (last.upper() if last[:1] == "f" and last[1:].isdigit() else last)
    return "+".join([*mods, name])


def keys_label(row: Keys, bound: dict[str, list[Binding]]) -> str:
    """The keys bound to the row's actions: those of one action apart by a space; two
    actions (``a / A``: after / under) apart by " / ", more by a space (``PgUp PgDn Home End``)."""
    labels = []
    for action in row.actions:
        found = [b for b in bound[row.where] if b.action == action]
        if not found:
            raise LookupError(f"the help names {action!r}, which nothing binds on {row.where}")
        labels.append(" ".join(key_name(k.strip()) for b in found for k in b.key.split(",")))
    return (" / " if len(labels) == 2 else " ").join(labels)


def help_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every group with its (keys, what they do), the keys read from the bindings."""
    bound = bindings()
    return [(group, [(row.keys, row.does) if isinstance(row, Said) else (keys_label(row, bound), row.does)
                     for row in rows]) for group, rows in GROUPS]


def _table(rows: list[tuple[str, str]], key_width: int):
    """One group's keys and what they do, two columns, one row per key: dense
    enough that the most used keys show at 80x24."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(width=key_width, no_wrap=True, style="bold")
    table.add_column()
    for key, does in rows:
        table.add_row(Text(key), Text(does))
    return table


def _split(groups: list[tuple[str, list[tuple[str, str]]]], key_width: int, width: int) -> int:
    """Where the groups go to the second column, for a help ``width`` cells wide: the
    split, in order, that makes the longer column shortest (a row's text wraps in
    what its column leaves beside the keys)."""
    room = max(10, (min(width, MAX_WIDTH) - 4) // 2 - 2 - key_width - 2)
    sizes = [2 + sum(-(-len(does) // room) for _key, does in rows) for _group, rows in groups]  # + title, margin
    return min(range(1, len(groups) + 1), key=lambda i: max(sum(sizes[:i]), sum(sizes[i:])))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss(None)", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen.-wide > VerticalScroll { width: 100%; max-width: """ + str(MAX_WIDTH) + """; }
    HelpScreen #help-columns { height: auto; layout: vertical; }
    HelpScreen.-wide #help-columns { layout: horizontal; }
    HelpScreen .help-column { height: auto; width: 1fr; }
    HelpScreen.-wide .help-column { padding-right: 2; }
    HelpScreen .help-close { color: $text-muted; }
    HelpScreen .help-group { text-style: bold underline; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        groups = help_rows()
        key_width = max(len(key) for _group, rows in groups for key, _does in rows)
        split = _split(groups, key_width, self.app.size.width)
        with VerticalScroll() as scroll:
            scroll.border_title = "tasktui keys"
            scroll.border_subtitle = "Esc closes"
            yield Static(CLOSE, classes="help-close")
            with Horizontal(id="help-columns"):
                for part in (groups[:split], groups[split:]):
                    with Vertical(classes="help-column"):
                        for group, rows in part:
                            yield Static(group, classes="help-group")
                            yield Static(_table(rows, key_width), classes="help-keys")
            yield Static(FOOTNOTE, classes="help-close")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")

    def on_resize(self, event) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")
