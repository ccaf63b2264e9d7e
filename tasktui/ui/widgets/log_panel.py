"""The Blockers & Decisions log as a table, below the tree (`b`). Its cells are
cut to the width; while the table has focus, the highlighted entry is shown
whole in the detail pane (the screen hears of it by ``Highlighted``)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from tasktui.doc import edits
from tasktui.doc.model import Document, LogEntry
from tasktui.doc.plaintext import shown_text
from tasktui.doc.safetext import one_line
from tasktui.ui.widgets.plain import plain_text


def _clip(text: str, width: int) -> Text:
    """One cell of the table: ``text`` shown plainly, cut to ``width`` cells."""
    cell = plain_text(text)
    cell.truncate(width, overflow="ellipsis")
    return cell


class LogPanel(Vertical):
    BINDINGS = [
        Binding("k", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("a", "add", "Add entry"),
        Binding("r", "resolve", "Resolve"),
        Binding("enter", "edit", "Edit text"),
        Binding("o", "only_open", "Only open"),
    ]
    DEFAULT_CSS = """
    LogPanel { height: 12; border-top: solid $accent; }
    LogPanel .log-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    LogPanel DataTable { height: 1fr; }
    """

    class AddRequested(Message):
        pass

    class Highlighted(Message):
        """The table's cursor is on ``entry`` (None: on no entry)."""

        def __init__(self, entry: LogEntry | None) -> None:
            super().__init__()
            self.entry = entry

    class ResolveRequested(Message):
        def __init__(self, entry: LogEntry, key: edits.EntryKey) -> None:
            super().__init__()
            self.entry, self.key = entry, key

    class EditRequested(Message):
        def __init__(self, entry: LogEntry, key: edits.EntryKey) -> None:
            super().__init__()
            self.entry, self.key = entry, key

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.doc: Document | None = None
        self.only_open = False
        self._rows: list[tuple[LogEntry, edits.EntryKey]] = []
        self.text_width = self.task_width = 0  # what the Text and Task cells are cut to

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable  # only when the panel is first opened

        yield Static("Blockers & Decisions", classes="log-title", id="log-title")
        yield DataTable(id="log-table", cursor_type="row", zebra_stripes=True)

    @property
    def table(self):
        return self.query_one("#log-table")

    def show(self, doc: Document) -> None:
        self.doc = doc
        table = self.table
        keep = table.cursor_row
        table.clear(columns=True)  # the columns' widths follow the new cells
        table.add_columns("Date", "Kind", "Status", "Text", "Task")
        self._rows = []
        # Status before the text, and the text cut to what is left of the width, so
        # that nothing scrolls out of sight (at 80 columns too, and after a resolve)
        width = self.size.width or 120
        longest_task = max((cell_len(one_line(shown_text(e.task))) for e in doc.log if e.task), default=0)
        task_width = max(4, min(longest_task, 24 if width >= 110 else 14))
        text_width = max(16, width - (10 + 8 + 8 + task_width) - 2 * 5 - 2)
        self.text_width, self.task_width = text_width, task_width
        for entry, key in zip(doc.log, edits.entry_keys(doc)):
            if entry.placeholder:
                continue
            if self.only_open and not (entry.kind == "Blocker" and not entry.resolved):
                continue
            self._rows.append((entry, key))
            if entry.kind == "Blocker":
                status = Text("resolved", "green") if entry.resolved else Text("open", "bold red")
            else:
                status = Text("")
            text = entry.text + (f" → {entry.resolution}" if entry.resolution else "")
            task = shown_text(entry.task) if entry.task else ""  # the task as the tree shows it
            # DataTable reads str cells as markup: every cell from the file is a plain Text
            table.add_row(plain_text(entry.date or ""), plain_text(entry.kind), status,
                          _clip(text, text_width), _clip(task, task_width))
        open_count = len(doc.open_blockers)
        title = f"Blockers & Decisions — {len(self._rows)} shown, {open_count} open blocker{'s' if open_count != 1 else ''}"
        if self.only_open:
            title += " (only open: o shows all)"
        if not self._rows:
            title += "  ·  a adds an entry"
        self.query_one("#log-title", Static).update(title)
        if self._rows:
            table.move_cursor(row=min(max(keep, 0), len(self._rows) - 1))

    def on_resize(self) -> None:
        if self.doc is not None and self.is_mounted:
            self.show(self.doc)

    def current(self) -> tuple[LogEntry, edits.EntryKey] | None:
        row = self.table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def on_data_table_row_highlighted(self, event) -> None:
        event.stop()
        cur = self.current()
        self.post_message(self.Highlighted(cur[0] if cur is not None else None))

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def on_data_table_row_selected(self, event) -> None:
        """Enter on a row (the table takes the key first): edit that entry."""
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        self.post_message(self.AddRequested())

    def action_resolve(self) -> None:
        cur = self.current()
        if cur is None:
            self.app.notify("No log entry here.", severity="warning")
        elif cur[0].kind != "Blocker" or cur[0].resolved:
            self.app.notify("Only an open blocker can be resolved.", severity="warning")
        else:
            self.post_message(self.ResolveRequested(*cur))

    def action_edit(self) -> None:
        cur = self.current()
        if cur is not None:
            self.post_message(self.EditRequested(*cur))

    def action_only_open(self) -> None:
        self.only_open = not self.only_open
        if self.doc is not None:
            self.show(self.doc)
