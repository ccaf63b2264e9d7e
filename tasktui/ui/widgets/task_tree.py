"""The phase tree: headings and tasks, rendered with Textual's line API so that
files of tens of thousands of tasks scroll, filter and update without building a
widget per node. The rows come from tasktui.core.outline (plain data)."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tasktui.doc import query as query_mod
from tasktui.doc.durations import short_hours
from tasktui.doc.model import Document, Task
from tasktui.doc.ready import WAITING
from tasktui.doc.rollup import RollUp, bar, contribution
from tasktui.doc.states import BLOCKED, CANCELLED, DONE, DRAFT, IN_PROGRESS, QUEUED, REVIEW, TODO
from tasktui.core.outline import HEADING, TASK, Outline, Row
from tasktui.doc.safetext import one_line
from tasktui.ui.widgets.contrast import readable
from tasktui.ui.widgets.row_cursor import CURSOR_BINDINGS, RowCursorKeys

_INLINE = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def display_parts(task: Task) -> tuple[str, list[str], str]:
    """(id label, markers, rest of the text) for showing a task."""
    text = task.text
    ident = ""
    if task.id and text.startswith(task.id):
        text = text[len(task.id):]
        ident = task.id
        if text.startswith(".") and "." not in task.id.rstrip("."):
            ident += "."
            text = text[1:]
        for marker in task.markers:
            m = re.match(r"\s*\[" + re.escape(marker) + r"\]", text)
            if m:
                text = text[m.end():]
    return ident, list(task.markers), text.strip()


def inline_text(source: str, base: Style, bold: Style, code: Style) -> Text:
    """Markdown emphasis and code spans of a task's text as styles; the text itself
    is shown exactly as written (see tasktui.doc.safetext)."""
    source = one_line(source)
    out = Text(style=base, no_wrap=True, end="")
    pos = 0
    for m in _INLINE.finditer(source):
        out.append(source[pos:m.start()])
        if m.group(1) is not None:
            out.append(m.group(1), bold)
        else:
            out.append(m.group(2), code)
        pos = m.end()
    out.append(source[pos:])
    return out


GUTTER = 1
"""Cells at the left of every row before its indentation: where a marked task's MARK is."""
MARK = "●"

_STATE_STYLES = {TODO: "todo", DONE: "done", IN_PROGRESS: "in-progress", CANCELLED: "cancelled", QUEUED: "in-progress",
                 BLOCKED: "blocker", REVIEW: "in-progress", DRAFT: "other"}


class TaskTree(RowCursorKeys, ScrollView, can_focus=True):
    """Sections and tasks of a tasks file."""

    text_filter: reactive[str] = reactive("", init=False)
    """Show only the tasks this query finds (tasktui.doc.query), and what leads to them."""
    hide_done: reactive[bool] = reactive(False, init=False)
    """Leave done tasks out."""

    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding("left,h", "collapse", "Collapse", show=False),
        Binding("right,l", "expand", "Expand", show=False),
        Binding("enter", "expand_or_collapse", "Open/close", show=False),
    ]

    COMPONENT_CLASSES = {
        "task-tree--cursor",
        "task-tree--heading",
        "task-tree--todo",
        "task-tree--done",
        "task-tree--in-progress",
        "task-tree--cancelled",
        "task-tree--other",
        "task-tree--id",
        "task-tree--marker",
        "task-tree--code",
        "task-tree--dim",
        "task-tree--waiting",
        "task-tree--over",
        "task-tree--blocker",
        "task-tree--flash",
        "task-tree--timer",
        "task-tree--marked",
        "task-tree--mark",
        "task-tree--match",
        "task-tree--message",
    }

    DEFAULT_CSS = """
    TaskTree { background: $surface; }
    TaskTree > .task-tree--cursor { background: $block-cursor-blurred-background; }
    TaskTree:focus > .task-tree--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TaskTree > .task-tree--heading { text-style: bold; color: $text; }
    TaskTree > .task-tree--todo { color: $text; }
    TaskTree > .task-tree--done { color: $success; }
    TaskTree > .task-tree--in-progress { color: $warning; text-style: bold; }
    TaskTree > .task-tree--cancelled { color: $text-disabled; }
    TaskTree > .task-tree--other { color: $secondary; }
    TaskTree > .task-tree--id { color: $accent; text-style: bold; }
    TaskTree > .task-tree--marker { color: $secondary; }
    TaskTree > .task-tree--code { color: $text-accent; }
    TaskTree > .task-tree--dim { color: $text-muted; }
    TaskTree > .task-tree--waiting { color: $text-disabled; }
    TaskTree > .task-tree--over { color: $error; }
    TaskTree > .task-tree--blocker { color: $error; text-style: bold; }
    TaskTree > .task-tree--flash { background: $warning 40%; }
    TaskTree > .task-tree--timer { color: $warning; text-style: bold; }
    TaskTree > .task-tree--marked { background: $panel-lighten-3; text-style: bold; }
    TaskTree > .task-tree--mark { color: $accent; text-style: bold; }
    TaskTree > .task-tree--match { background: $warning 35%; text-style: bold underline; }
    TaskTree > .task-tree--message { color: $text-warning; text-style: italic; }
    """

    class Highlighted(Message):
        """The cursor moved to another row (or the row under it changed)."""

        def __init__(self, tree: "TaskTree", row: Row | None) -> None:
            super().__init__()
            self.tree = tree
            self.row = row

    class Filtered(Message):
        """The rows were found again for the filter or hide-done (or both went off):
        ``matches`` of ``total`` tasks (None when neither is on), from the RollUp."""

        def __init__(self, tree: "TaskTree", text_filter: str, hide_done: bool, matches: int | None, total: int) -> None:
            super().__init__()
            self.tree = tree
            self.text_filter = text_filter
            self.hide_done = hide_done
            self.matches = matches
            self.total = total

    class ToggleRequested(Message):
        """The user asked to toggle the task under the cursor (space or a click on its box).

        Posted straight to the app, which writes the file: bubbling up through the
        containers and the screen would add a turn of the event loop per level
        (~0.5 ms in all) to every toggle's way to the disk."""

        def __init__(self, task: Task) -> None:
            super().__init__()
            self.task = task

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.outline: Outline | None = None
        self.rows: list[Row] = []
        self.cursor = 0
        self.collapsed: set[tuple] = set()
        self.blocked: set[int] = set()
        self.flash: set[int] = set()
        self.timer: tuple[int, str] | None = None  # (task index, elapsed label)
        self.marked: set[int] = set()  # tasks marked to act on together
        self._cache: dict[tuple, Strip] = {}
        self._styles: dict[str, Style] = {}  # component class -> its text style (see _style)
        self._seeded = False
        self._centered = False  # whether the cursor was last placed in the middle (a jump)
        self.needles: tuple[str, ...] = ()  # what the filter found, shown in the rows (casefolded)
        self.matches: int | None = None  # how many tasks the filter finds (None: no filter, no hide-done)
        self._told: tuple | None = None  # the last Filtered said

    # -- state ----------------------------------------------------------------------
    @property
    def doc(self) -> Document | None:
        return self.outline.doc if self.outline else None

    @property
    def cursor_row(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def cursor_task(self) -> Task | None:
        row = self.cursor_row
        if row is None or row.kind != TASK or self.outline is None:
            return None
        return self.outline.doc.tasks[row.index]

    def watch_text_filter(self) -> None:
        self.rebuild()

    def watch_hide_done(self) -> None:
        self.rebuild()

    def set_document(self, doc: Document, rollup: RollUp, *, focus_task: Task | None = None,
                     outline: Outline | None = None) -> None:
        """Show ``doc`` with its numbers (``outline``: its Outline, when built beforehand
        off the UI thread); the cursor stays on the same task or heading (by identity)."""
        old_key = self.outline.key(self.cursor_row) if self.outline and self.cursor_row else None
        old_rows = self.rows
        old_outline = self.outline
        if old_outline is not None and focus_task is None and doc.changed_since(old_outline.doc) is not None:
            # a newer version with the same structure (a toggle, a new time): repaint in place
            self.outline = old_outline.with_document(doc, rollup)
            self._cache.clear()
            self._recount()
            self.refresh()
            self.post_message(self.Highlighted(self, self.cursor_row))
            return
        self.outline = outline if outline is not None and outline.doc is doc else Outline(doc, rollup)
        if not self._seeded:
            self.collapsed = self.outline.default_collapsed()
            self._seeded = True
        if old_outline is not None and self._same_structure(old_outline, self.outline):
            # marks, texts or times changed: same rows, repaint in place
            self.rows = old_rows
            self._recount()
        else:
            self._find_rows()
        self._cache.clear()
        if focus_task is not None:
            self.move_to_task(focus_task.index)
        elif old_key is not None:
            self.cursor = self._find_key(old_key, self.cursor)
        self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_row))

    @staticmethod
    def _same_structure(a: Outline, b: Outline) -> bool:
        da, db = a.doc, b.doc
        if len(da.tasks) != len(db.tasks) or len(da.headings) != len(db.headings):
            return False
        if da.keys != db.keys:
            return False
        return all(x.parent == y.parent for x, y in zip(da.tasks, db.tasks)) and [
            (h.level, h.text) for h in da.headings
        ] == [(h.level, h.text) for h in db.headings]

    def _find_key(self, key: tuple, near: int) -> int:
        outline = self.outline
        # the (kind, index) the key names in this outline, then a scan on those ints
        # (building every row's key costs 30 ms on 16k filtered rows of a 50k-task file)
        if key[0] == "t":
            target = outline.doc.index_of(key[1])
            wanted = (TASK, target)
        else:
            target = next((h.index for h in outline.headings if h.key == key), None)
            wanted = (HEADING, target)
        if target is not None:
            for i, row in enumerate(self.rows):
                if row.index == target and row.kind == wanted[0]:
                    return i
        # the task is gone: its section, else stay near where we were
        if key[0] == "t":
            path = key[1].path
            for i, row in enumerate(self.rows):
                if row.kind == HEADING and outline.headings[row.index].text in path[-1:]:
                    return i
        return min(near, max(0, len(self.rows) - 1))

    @property
    def filtering(self) -> bool:
        """Whether a filter (a query with terms) or hide-done decides the rows."""
        return self.hide_done or bool(query_mod.parse(self.text_filter))

    def _recount(self) -> None:
        """A new version shown in the same rows (a task kept in view though it may no
        longer match): the count beside the filter box follows it. Only while filtering."""
        if self.filtering:
            self._count(query_mod.parse(self.text_filter))

    def _find_rows(self) -> None:
        """The rows for the collapse state, the filter and hide-done; what the filter
        found (its count from the RollUp, its words for the rows); a Filtered message
        when that changed."""
        outline = self.outline
        query = query_mod.parse(self.text_filter)
        self.rows = outline.rows(self.collapsed, query, self.hide_done)
        self.virtual_size = Size(self.size.width, len(self.rows))
        self._count(query)

    def _count(self, query) -> None:
        outline = self.outline
        found = outline.found(query, self.hide_done)
        self.matches = None if found is None else outline.rollup.tally(found)
        self.needles = outline.needles(query)
        total = outline.rollup.document.total
        told = (self.text_filter, self.hide_done, self.matches, total)
        if told != self._told:
            self._told = told
            self.post_message(self.Filtered(self, self.text_filter, self.hide_done, self.matches, total))

    def rebuild(self) -> None:
        """Recompute rows after a change of collapse state, filter or hide-done."""
        if self.outline is None:
            return
        key = self.outline.key(self.cursor_row) if self.cursor_row else None
        self._find_rows()
        self._cache.clear()
        if key is not None:
            self.cursor = self._find_key(key, self.cursor)
        self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.cursor_row))

    def move_to_task(self, index: int) -> bool:
        """Put the cursor on task ``index``, opening what hides it."""
        outline = self.outline
        if outline is None:
            return False
        doc = outline.doc
        task = doc.tasks[index]
        changed = False
        parent = task.parent
        while parent is not None:
            key = ("t", doc.keys[parent])
            if key in self.collapsed:
                self.collapsed.discard(key)
                changed = True
            parent = doc.tasks[parent].parent
        h = outline.owner[index]
        while h is not None:
            node = outline.headings[h]
            if node.key in self.collapsed:
                self.collapsed.discard(node.key)
                changed = True
            h = node.parent
        if changed:
            self._find_rows()
            self._cache.clear()
            self.refresh()
        for i, row in enumerate(self.rows):
            if row.kind == TASK and row.index == index:
                self._set_cursor(i, center=True)
                return True
        return False

    def set_marks(self, *, blocked: set[int] | None = None, flash: set[int] | None = None,
                  timer: tuple[int, str] | None | bool = False, marked: set[int] | None = None) -> None:
        if marked is not None:
            if marked == self.marked and blocked is None and flash is None and timer is False:
                return
            self.marked = marked
        if blocked is not None:
            self.blocked = blocked
        if flash is not None:
            self.flash = flash
        if timer is not False:
            self.timer = timer
        self._cache.clear()
        self.refresh()

    def refresh_task(self, index: int) -> None:
        for i, row in enumerate(self.rows[self.scroll_offset.y : self.scroll_offset.y + self.size.height], self.scroll_offset.y):
            if row.kind == TASK and row.index == index:
                self._cache = {k: v for k, v in self._cache.items() if k[0] != i}
                self.refresh_line(i)

    # -- cursor ---------------------------------------------------------------------
    def _set_cursor(self, index: int, center: bool = False) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        old = self.cursor
        self.cursor = index
        self._cache = {k: v for k, v in self._cache.items() if k[0] not in (old, index)}
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_to_cursor(center)
        if old != index:
            self.post_message(self.Highlighted(self, self.cursor_row))

    def _scroll_to_cursor(self, center: bool = False) -> None:
        """Keep the cursor row in view; a jump (n, the start) puts it in the middle.
        The placement is remembered: when the tree's size changes (its first real
        layout may come after the file is shown), it is made again for the new size."""
        self._centered = center
        if not self.size.height:  # not laid out yet: scroll once it has a size
            self.call_after_refresh(self._scroll_to_cursor, center)
            return
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, x_axis=False, center=center)

    def _parent_row(self, index: int) -> int | None:
        depth = self.rows[index].depth
        for i in range(index - 1, -1, -1):
            if self.rows[i].depth < depth:
                return i
        return None

    def action_collapse(self) -> None:
        row = self.cursor_row
        if row is None:
            return
        if row.has_children and row.expanded and not self.filtering:
            self.collapsed.add(self.outline.key(row))
            self.rebuild()
        else:
            parent = self._parent_row(self.cursor)
            if parent is not None:
                self._set_cursor(parent)

    def action_expand(self) -> None:
        row = self.cursor_row
        if row is None or not row.has_children:
            return
        if not row.expanded:
            self.collapsed.discard(self.outline.key(row))
            self.rebuild()
        elif self.cursor + 1 < len(self.rows):
            self._set_cursor(self.cursor + 1)

    def action_expand_or_collapse(self) -> None:
        row = self.cursor_row
        if row is None or not row.has_children or self.filtering:
            return
        key = self.outline.key(row)
        if row.expanded:
            self.collapsed.add(key)
        else:
            self.collapsed.discard(key)
        self.rebuild()

    def key_space(self, event: events.Key) -> None:
        """Space toggles here, where the key arrives first: Textual looks a binding up
        only once the key has bubbled up to the app, which costs the key press ~0.6 ms
        on its way to the disk. (The app's `space` binding stays for the footer and
        the palette, and for space pressed while something else has focus.)"""
        event.stop()
        event.prevent_default()
        self.action_toggle()

    def action_toggle(self) -> None:
        row = self.cursor_row
        if row is None:
            return
        if row.kind == HEADING:
            self.action_expand_or_collapse()
        else:
            self.app.post_message(self.ToggleRequested(self.outline.doc.tasks[row.index]))

    def set_all_collapsed(self, collapsed: bool) -> None:
        if self.outline is None:
            return
        if collapsed:
            self.collapsed = {n.key for n in self.outline.headings}
        else:
            self.collapsed = set()
        self.rebuild()

    # -- mouse ----------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        y = event.y + self.scroll_offset.y
        if not 0 <= y < len(self.rows):
            return
        self._set_cursor(y)
        row = self.rows[y]
        x = event.x + self.scroll_offset.x
        arrow = GUTTER + row.depth * 2
        if row.has_children and arrow <= x < arrow + 2:
            self.action_expand_or_collapse()
        elif row.kind == TASK and arrow + 2 <= x < arrow + 6:
            self.app.post_message(self.ToggleRequested(self.outline.doc.tasks[row.index]))
        elif row.kind == HEADING and event.chain >= 2:
            self.action_expand_or_collapse()

    # -- rendering ------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
        self._cache.clear()
        if self.rows:
            self.call_after_refresh(self._scroll_to_cursor, self._centered)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows) or self.outline is None:
            if not self.rows and self.outline is not None and self.filtering:
                return self._message_strip(index, width)
            return Strip.blank(width, self.rich_style)
        cursor = index == self.cursor
        key = (index, width, cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[index], width, cursor)
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def empty_message(self) -> str:
        """What the tree says when the filter or hide-done leaves no row."""
        query = query_mod.parse(self.text_filter)
        if not query:
            return "Every task is done, and done tasks are hidden: d shows them."
        said = one_line(self.text_filter.strip())
        hidden = " among the tasks not done (d shows done tasks)" if self.hide_done else ""
        return f"No task matches “{said}”{hidden}. Esc clears the filter."

    def _message_strip(self, y: int, width: int) -> Strip:
        """Row ``y`` of the empty tree: the message, wrapped to the width."""
        text = Text(self.empty_message(), self._style("message"), end="")
        lines = text.wrap(self.app.console, max(10, width - 4), overflow="fold")
        if not 0 <= y < len(lines):
            return Strip.blank(width, self.rich_style)
        line = Text("  ", end="")
        line.append_text(lines[y])
        line.truncate(width)
        strip = Strip(list(line.render(self.app.console)), line.cell_len)
        return strip.apply_style(self.rich_style).adjust_cell_length(width, self.rich_style)

    def _style(self, name: str) -> Style:
        """The text style of a component class, its colour blended over the tree's
        background (a partial style drops the alpha of ``$text-muted``: dimmed text
        came out white)."""
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"task-tree--{name}")
            style = self._styles[name] = Style(color=full.color, bold=full.bold, italic=full.italic,
                                               strike=full.strike, underline=full.underline)
        return style

    def notify_style_update(self) -> None:
        """A new theme or CSS: the styles and the rows rendered with them are made again."""
        for cache in (getattr(self, "_styles", None), getattr(self, "_cache", None)):
            if cache:
                cache.clear()
        super().notify_style_update()

    def _render_row(self, row: Row, width: int, cursor: bool) -> Strip:
        base = self.rich_style
        left = Text(no_wrap=True, end="")
        right = Text(no_wrap=True, end="")
        marked = row.kind == TASK and row.index in self.marked
        left.append(MARK if marked else " " * GUTTER, self._style("mark") if marked else "")
        left.append("  " * row.depth)
        if row.has_children:
            left.append("▾ " if row.expanded else "▸ ", self._style("dim"))
        else:
            left.append("  ")
        if row.kind == HEADING:
            self._heading_parts(row, left, right, width)
        else:
            self._task_parts(row, left, right)
        right_len = right.cell_len
        room = max(0, width - right_len - (1 if right_len else 0))
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        line = left
        pad = width - left.cell_len - right_len
        if pad > 0:
            line.append(" " * pad)
        line.append_text(right)
        line.truncate(width)
        segments = list(line.render(self.app.console))
        strip = Strip(segments, cell_len(line.plain))
        style = base
        # whole-row backgrounds: the component's full style (its background too), not _style's text colour
        if row.kind == TASK and row.index in self.flash:
            style = style + self.get_component_rich_style("task-tree--flash")
        if marked:
            style = style + self.get_component_rich_style("task-tree--marked")
        if cursor:
            style = style + self.get_component_rich_style("task-tree--cursor")
        strip = strip.apply_style(style) if style else strip
        strip = strip.adjust_cell_length(width, style)
        # every piece of text readable on the row's background (dimmed, marked, cursor ...)
        system = self.app.console.color_system
        return Strip([Segment(text, readable(st, system), control) if st is not None else Segment(text, st, control)
                      for text, st, control in strip], strip.cell_length)

    def _heading_parts(self, row: Row, left: Text, right: Text, width: int) -> None:
        outline = self.outline
        node = outline.headings[row.index]
        left.append(one_line(node.text), self._style("heading"))
        tot = outline.heading_totals(row.index)
        done, of = tot.shown
        done_style = self._style("done") if tot.status == "complete" else self._style("dim")
        # what fits: the title keeps at least half the row; the bar and the time go first
        show_time = tot.has_time
        show_bar = True
        budget = width - left.cell_len
        for _ in range(3):
            need = len(f"{done}/{of}  100%") + (9 if show_bar else 0)
            if show_time:
                need += len(f"  {short_hours(tot.actual_hours)}/{short_hours(tot.estimate_hours)} +100%")
            if need <= max(budget, width // 2):
                break
            if show_bar:
                show_bar = False
            else:
                show_time = False
        right.append(f"{done}/{of}", done_style)
        if show_bar:
            right.append(" " + bar(tot.fraction, 8), done_style)
        right.append(f" {tot.percent:3.0f}%", self._style("dim"))
        if show_time:
            over = tot.variance_pct is not None and tot.variance_pct > 0
            right.append(f"  {short_hours(tot.actual_hours)}/{short_hours(tot.estimate_hours)}",
                         self._style("over") if over else self._style("dim"))
            if tot.variance_pct is not None:
                right.append(f" {tot.variance_pct:+.0f}%", self._style("over") if over else self._style("dim"))

    def _task_parts(self, row: Row, left: Text, right: Text) -> None:
        task = self.outline.doc.tasks[row.index]
        state = task.state
        state_style = self._style("dim" if task.legend else _STATE_STYLES.get(state, "other"))
        left.append(f"[{one_line(task.mark)}]", state_style)
        left.append("* " if task.optional else " ", self._style("dim"))
        start = len(left.plain)
        ident, markers, rest = display_parts(task)
        if ident:
            left.append(one_line(ident) + " ", self._style("id"))
        for marker in markers:
            left.append(f"[{one_line(marker)}] ", self._style("marker"))
        text_style = Style()
        if task.legend:
            text_style = self._style("dim") + Style(italic=True)
        elif state in (DONE, CANCELLED) or task.optional:
            text_style = self._style("dim") + (Style(strike=True) if state == CANCELLED else Style())
        elif state in (IN_PROGRESS, QUEUED):
            text_style = self._style("in-progress")
        if state != IN_PROGRESS and self.outline.ready.status(row.index) == WAITING:
            text_style = self._style("waiting")  # open, but it cannot start yet: the detail pane says why
        left.append_text(inline_text(rest, text_style, text_style + Style(bold=True), text_style + self._style("code")))
        if self.needles:  # what the filter found, on the text as shown
            match = self._style("match")
            for a, b in query_mod.spans(left.plain[start:], self.needles):
                left.stylize(match, start + a, start + b)
        if self.timer is not None and self.timer[0] == row.index:
            right.append(f"⏱ {self.timer[1]} ", self._style("timer"))
        if row.index in self.blocked:
            right.append("⚑ ", self._style("blocker"))
        if task.estimate_hours is not None or task.actual_hours is not None:
            over = task.estimate_hours is not None and task.actual_hours is not None and task.actual_hours > task.estimate_hours
            right.append(f"{short_hours(task.actual_hours)}/{short_hours(task.estimate_hours)}", self._style("over") if over else self._style("dim"))
        elif row.has_children and not row.expanded:
            done, of = (self.outline.task_totals(row.index) - contribution(task)).shown  # its subtasks
            right.append(f"{done}/{of}", self._style("dim"))
