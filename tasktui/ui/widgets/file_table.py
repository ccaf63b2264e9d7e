"""The overview's table: one row per tasks file, drawn with Textual's line API
(a row per file, columns that fit the width). The rows are plain data
(tasktui.core.workspace.FileSummary); text from files goes through safetext."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tasktui.doc.rollup import bar
from tasktui.doc.safetext import one_line
from tasktui.core.workspace import FileSummary, changed_label, next_label, time_label
from tasktui.ui.widgets.row_cursor import CURSOR_BINDINGS, RowCursorKeys

# (name, heading, width: None = shares what is left)
WHERE, TITLE, DIALECT, DONE, BLOCKERS, TIME, NEXT, CHANGED = (
    "where", "title", "dialect", "done", "blockers", "time", "next", "changed")
HEADINGS = {WHERE: "Spec folder / file", TITLE: "Title", DIALECT: "Dialect", DONE: "Done", BLOCKERS: "⚑",
            TIME: "Spent/est", NEXT: "Next", CHANGED: "Changed"}


def layout(width: int, rows: list[FileSummary]) -> list[tuple[str, int]]:
    """The columns that fit ``width`` and how wide each is: the folder, progress,
    blockers, next task and last change always; the title and time from 110
    columns, the dialect from 140."""
    where = max([10] + [cell_len(one_line(r.where)) for r in rows])
    bar_w = 8 if width >= 110 else 5
    cols: list[tuple[str, int]] = [(WHERE, min(where, 34 if width >= 110 else 22)),
                                   (DONE, 9 + bar_w + 5), (BLOCKERS, 3)]
    if width >= 140:
        cols.insert(1, (DIALECT, 8))
    if width >= 110:
        cols.insert(1, (TITLE, 0))
        cols.append((TIME, 11))
    cols += [(NEXT, 0), (CHANGED, 11)]
    fixed = sum(w for _n, w in cols) + 2 * (len(cols) - 1)
    left = max(0, width - fixed)
    if width >= 110:
        title = min(max([5] + [cell_len(one_line(r.title or "")) for r in rows]), 30, left // 2)
        cols = [(n, title if n == TITLE else w) for n, w in cols]
        left -= title
    return [(n, max(8, left) if n == NEXT else w) for n, w in cols]


class FileTable(RowCursorKeys, ScrollView, can_focus=True):
    """The tasks files of a workspace, one per row."""

    BINDINGS = CURSOR_BINDINGS

    COMPONENT_CLASSES = {
        "file-table--cursor", "file-table--heading", "file-table--where", "file-table--dim", "file-table--done",
        "file-table--blocker", "file-table--in-progress", "file-table--error", "file-table--progress",
    }

    DEFAULT_CSS = """
    FileTable { background: $surface; overflow-x: hidden; }
    FileTable > .file-table--cursor { background: $block-cursor-blurred-background; }
    FileTable:focus > .file-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    FileTable > .file-table--heading { color: $text-muted; text-style: bold; }
    FileTable > .file-table--where { text-style: bold; }
    FileTable > .file-table--dim { color: $text-muted; }
    FileTable > .file-table--done { color: $success; }
    FileTable > .file-table--blocker { color: $error; text-style: bold; }
    FileTable > .file-table--in-progress { color: $warning; }
    FileTable > .file-table--error { color: $error; }
    FileTable > .file-table--progress { color: $text; }
    """

    class Highlighted(Message):
        """The cursor moved to another file (or its row changed)."""

        def __init__(self, summary: FileSummary | None) -> None:
            super().__init__()
            self.summary = summary

    class Chosen(Message):
        """Enter (or a double click) on a file: open it."""

        def __init__(self, summary: FileSummary) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, *, clock: Callable[[], float] = time.time, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows: list[FileSummary] = []
        self.cursor = 0
        self.clock = clock
        self._index: dict[Path, int] = {}
        self._cache: dict[tuple, Strip] = {}
        self._styles: dict[str, Style] = {}
        self._version = 0  # counts changes of the rows (the columns' widths follow them)
        self._layout: tuple[tuple, list[tuple[str, int]]] = ((), [])

    # -- rows ---------------------------------------------------------------------------
    @property
    def cursor_summary(self) -> FileSummary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def set_rows(self, rows: list[FileSummary]) -> None:
        self.rows = list(rows)
        self._version += 1
        self._index = {r.path: i for i, r in enumerate(self.rows)}
        self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.virtual_size = Size(self.size.width, len(self.rows))
        self._cache.clear()
        self.refresh()
        self.post_message(self.Highlighted(self.cursor_summary))

    def take(self, summaries: list[FileSummary]) -> bool:
        """New summaries of files in the table (a read older than the row's is dropped).
        True when a row changed (the columns may be wider or narrower now)."""
        changed = False
        for s in summaries:
            i = self._index.get(s.path)
            if i is None or s.read_at < self.rows[i].read_at:
                continue
            self.rows[i] = s
            changed = True
            if i == self.cursor:
                self.post_message(self.Highlighted(s))
        if changed:
            self._version += 1
            self._cache.clear()
            self.refresh()
        return changed

    # -- cursor ---------------------------------------------------------------------------
    def _set_cursor(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        old, self.cursor = self.cursor, index
        self._cache = {k: v for k, v in self._cache.items() if k[0] not in (old, index)}
        self.refresh()
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, force=True, x_axis=False)
        if old != index:
            self.post_message(self.Highlighted(self.cursor_summary))

    def select_path(self, path: Path) -> None:
        if path in self._index:
            self._set_cursor(self._index[path])

    def on_click(self, event: events.Click) -> None:
        y = event.y + self.scroll_offset.y
        if 0 <= y < len(self.rows):
            self._set_cursor(y)
            if event.chain >= 2:
                self.post_message(self.Chosen(self.rows[y]))

    # -- drawing ---------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
        self._cache.clear()

    def notify_style_update(self) -> None:
        for cache in (getattr(self, "_styles", None), getattr(self, "_cache", None)):
            if cache:
                cache.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"file-table--{name}")
            style = self._styles[name] = Style(color=full.color, bold=full.bold, italic=full.italic)
        return style

    def columns(self, width: int | None = None) -> list[tuple[str, int]]:
        width = self.scrollable_content_region.width if width is None else width
        key = (width, self._version)
        if self._layout[0] != key:
            self._layout = (key, layout(width, self.rows))
        return self._layout[1]

    def heading(self, width: int) -> Text:
        """The column headings, for the line above the table (the same columns)."""
        out = Text(no_wrap=True, end="")
        for k, (name, w) in enumerate(self.columns(width)):
            if k:
                out.append("  ")
            out.append(set_cell_size(HEADINGS[name], w))
        return out

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.rich_style)
        cursor = index == self.cursor
        key = (index, width, cursor, self.has_focus, int(self.clock() // 60))
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[index], width, cursor)
            if len(self._cache) > 500:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def _cell(self, row: FileSummary, name: str, width: int) -> Text:
        s = self._style
        if name == WHERE:  # a path keeps its end (the spec's own folder): cut from the left
            where = one_line(row.where)
            if cell_len(where) > width:
                where = "…" + where[len(where) - _fit_tail(where, width - 1):]
            return Text(where, s("where"))
        if name == TITLE:
            return Text(one_line(row.title or ""), s("dim") if not row.title else Style())
        if name == DIALECT:
            return Text(row.dialect or "", s("dim"))
        if name == DONE:
            if not row.parsed:
                return Text(one_line(row.error) if row.error else "reading…", s("error") if row.error else s("dim"))
            c = row.counts
            if not c.total:  # a file without tasks is not done: it says so
                return Text(c.summary(), s("dim"))
            done, of = c.shown
            style = s("done") if c.status == "complete" else s("progress")
            bar_w = width - 15
            return Text.assemble((f"{done:>4}/{of:<4}", style), " ", (bar(c.fraction, bar_w), style if done else s("dim")),
                                 (f" {c.percent:3.0f}%", s("dim")))
        if name == BLOCKERS:
            if not row.parsed:
                return Text("")
            return Text(f"{row.blockers}", s("blocker")) if row.blockers else Text("·", s("dim"))
        if name == TIME:
            return Text(time_label(row.counts) if row.parsed else "", s("dim"))
        if name == NEXT:
            label = one_line(next_label(row))
            if row.parsed and row.next is not None and row.next.in_progress:
                return Text(label, s("in-progress"))
            if row.parsed and row.next is None:
                return Text(label, s("done") if row.counts.status == "complete" else s("dim"))
            return Text(label)
        return Text(changed_label(row.changed, self.clock()), s("dim"))

    def _render_row(self, row: FileSummary, width: int, cursor: bool) -> Strip:
        line = Text(no_wrap=True, end="")
        for k, (name, w) in enumerate(self.columns(width)):
            if k:
                line.append("  ")
            cell = self._cell(row, name, w)
            cell.truncate(w, overflow="ellipsis", pad=True)
            line.append_text(cell)
        line.truncate(width, pad=True)
        segments = list(line.render(self.app.console))
        strip = Strip(segments, cell_len(line.plain))
        style = self.rich_style
        if cursor:
            style = style + self.get_component_rich_style("file-table--cursor")
        return strip.apply_style(style).adjust_cell_length(width, style)


def _fit_tail(text: str, cells: int) -> int:
    """How many characters from the end of ``text`` fit in ``cells`` terminal cells."""
    used = n = 0
    for ch in reversed(text):
        used += cell_len(ch)
        if used > cells:
            break
        n += 1
    return n
