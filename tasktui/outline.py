"""The tree the app shows, as plain data: headings and tasks in rows, with
collapsing, filtering and hiding done tasks. No Textual here: the TaskTree
widget renders these rows with Textual's line API."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from tasktui import gcpause
from tasktui.doc.model import Document, Task

HEADING, TASK = "heading", "task"


class Row(NamedTuple):
    kind: str  # HEADING or TASK
    index: int  # index into Outline.headings or Document.tasks
    depth: int
    has_children: bool
    expanded: bool


@dataclass(slots=True)
class HeadingNode:
    index: int  # position in Outline.headings
    doc_index: int  # position in Document.headings
    level: int
    text: str
    line: int
    parent: int | None
    children: list[int]
    tasks: list[int]  # top-level tasks directly under this heading
    first_task: int  # task range of the whole subtree
    end_task: int
    key: tuple


@dataclass(frozen=True, slots=True)
class Totals:
    total: int
    done: int
    cancelled: int
    estimate: float | None
    actual: float | None
    tracked_estimate: float | None

    @property
    def percent(self) -> float:
        base = self.total - self.cancelled
        return 100.0 * self.done / base if base else 0.0

    @property
    def variance_pct(self) -> float | None:
        if not self.tracked_estimate or self.actual is None:
            return None
        return 100.0 * (self.actual - self.tracked_estimate) / self.tracked_estimate


# the prefix-sum arrays and what one task adds to each
_SUMS = ("_done", "_cancelled", "_est", "_has_est", "_act", "_has_act", "_tracked")


def _contrib(t) -> tuple:
    est, act = t.estimate_hours, t.actual_hours
    return (
        t.state == "done", t.state == "cancelled", est or 0.0, est is not None, act or 0.0, act is not None,
        (est or 0.0) if act is not None else 0.0,
    )


def _deltas(old, new) -> list:
    return [b - a for a, b in zip(_contrib(old), _contrib(new))]


class Outline:
    """Headings (below the title) and tasks of one Document, as a tree."""

    def __init__(self, doc: Document):
        with gcpause.paused():
            self._build(doc)

    def _build(self, doc: Document) -> None:
        self.doc = doc
        tasks = doc.tasks
        title_index = 0 if doc.title is not None and doc.headings and doc.headings[0].level == 1 else None
        level_floor = doc.section_level or 1
        heads = [(i, h) for i, h in enumerate(doc.headings) if i != title_index and h.level >= level_floor]
        task_lines = [t.line for t in tasks]
        self.headings: list[HeadingNode] = []
        stack: list[int] = []
        path_count: dict[tuple, int] = {}
        for doc_index, h in heads:
            while stack and self.headings[stack[-1]].level >= h.level:
                stack.pop()
            parent = stack[-1] if stack else None
            path = (self.headings[parent].key if parent is not None else ()) + (h.text,)
            n = path_count.get(path, 0)
            path_count[path] = n + 1
            node = HeadingNode(len(self.headings), doc_index, h.level, h.text, h.line, parent, [], [], 0, 0, ("h",) + path + ((n,) if n else ()))
            self.headings.append(node)
            if parent is not None:
                self.headings[parent].children.append(node.index)
            stack.append(node.index)
        # task ranges of each heading's subtree: up to the next heading of the same or a higher level
        open_nodes: list[HeadingNode] = []
        for node in self.headings:
            node.first_task = bisect.bisect_left(task_lines, node.line)
            while open_nodes and open_nodes[-1].level >= node.level:
                open_nodes.pop().end_task = node.first_task
            open_nodes.append(node)
        for node in open_nodes:
            node.end_task = len(tasks)
        self.roots: list[int] = [n.index for n in self.headings if n.parent is None]
        self.root_tasks: list[int] = []
        head_lines = [n.line for n in self.headings]
        self.kids: dict[int, list[int]] = {}
        self.owner: list[int | None] = []  # heading (Outline index) each task sits under
        for t in tasks:
            hi = bisect.bisect_right(head_lines, t.line) - 1
            self.owner.append(hi if hi >= 0 else None)
            if t.parent is not None:
                self.kids.setdefault(t.parent, []).append(t.index)
            elif hi >= 0:
                self.headings[hi].tasks.append(t.index)
            else:
                self.root_tasks.append(t.index)
        self._sums(tasks)

    def _folded(self) -> list[str]:
        """The tasks' texts casefolded, for the filter (kept while the outline lives)."""
        folded = self.__dict__.get("_folded_texts")
        if folded is None:
            folded = self._folded_texts = [t.text.casefold() for t in self.doc.tasks]
        return folded

    def with_document(self, doc: Document, changed: list[int] | None = None) -> "Outline":
        """The outline of a newer version with the same structure (marks, texts or
        times changed): the tree is shared, only the running totals are redone."""
        new = object.__new__(Outline)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_folded_texts", None)  # texts may have changed
        new.doc = doc
        if changed is None or len(changed) > 64:
            new._sums(doc.tasks)
            return new
        old_tasks, tasks = self.doc.tasks, doc.tasks
        arrays = {name: getattr(self, name) for name in _SUMS}
        for i in sorted(changed):
            for name, delta in zip(_SUMS, _deltas(old_tasks[i], tasks[i])):
                if delta:
                    arr = arrays[name]
                    if arr is getattr(self, name):
                        arr = arrays[name] = list(arr)
                    arr[i + 1:] = [x + delta for x in arr[i + 1:]]
        for name, arr in arrays.items():
            setattr(new, name, arr)
        return new

    def _sums(self, tasks) -> None:
        """Prefix sums, for the totals of any contiguous range of tasks."""
        self._done = list(accumulate((t.state == "done" for t in tasks), initial=0))
        self._cancelled = list(accumulate((t.state == "cancelled" for t in tasks), initial=0))
        self._est = list(accumulate((t.estimate_hours or 0.0 for t in tasks), initial=0.0))
        self._has_est = list(accumulate((t.estimate_hours is not None for t in tasks), initial=0))
        self._act = list(accumulate((t.actual_hours or 0.0 for t in tasks), initial=0.0))
        self._has_act = list(accumulate((t.actual_hours is not None for t in tasks), initial=0))
        self._tracked = list(
            accumulate(((t.estimate_hours or 0.0) if t.actual_hours is not None else 0.0 for t in tasks), initial=0.0)
        )

    # -- identity -------------------------------------------------------------------
    def key(self, row: Row) -> tuple:
        if row.kind == HEADING:
            return self.headings[row.index].key
        return ("t", self.doc.keys[row.index])

    def task_has_children(self, index: int) -> bool:
        return index in self.kids

    # -- totals ---------------------------------------------------------------------
    def totals(self, first: int, end: int) -> Totals:
        est = self._est[end] - self._est[first] if self._has_est[end] - self._has_est[first] else None
        act = self._act[end] - self._act[first] if self._has_act[end] - self._has_act[first] else None
        tracked = self._tracked[end] - self._tracked[first] if act is not None else None
        return Totals(
            end - first,
            self._done[end] - self._done[first],
            self._cancelled[end] - self._cancelled[first],
            round(est, 4) if est is not None else None,
            round(act, 4) if act is not None else None,
            round(tracked, 4) if tracked is not None else None,
        )

    def heading_totals(self, index: int) -> Totals:
        node = self.headings[index]
        return self.totals(node.first_task, node.end_task)

    def task_totals(self, index: int) -> Totals:
        task = self.doc.tasks[index]
        end = index + 1
        tasks = self.doc.tasks
        while end < len(tasks) and tasks[end].line < task.end:
            end += 1
        return self.totals(index, end)

    # -- rows -----------------------------------------------------------------------
    def rows(self, collapsed: set[tuple] | frozenset = frozenset(), text_filter: str = "", hide_done: bool = False) -> list[Row]:
        """Visible rows. With a filter or hide_done, a row shows when it matches or a
        descendant does; matches open their ancestors."""
        with gcpause.paused():  # up to one Row per task and heading, no cycles
            return self._rows(collapsed, text_filter, hide_done)

    def _rows(self, collapsed, text_filter: str, hide_done: bool) -> list[Row]:
        doc = self.doc
        tasks = doc.tasks
        keys = doc.keys
        needle = text_filter.casefold().strip()
        filtering = bool(needle) or hide_done
        shown: list[bool] | None = None
        counts: list[int] | None = None  # running count of shown tasks, when filtering
        if filtering:
            if needle:
                shown = [needle in text for text in self._folded()]
                if hide_done:
                    shown = [ok and t.state != "done" for ok, t in zip(shown, tasks)]
            else:
                shown = [t.state != "done" for t in tasks]
            for i in [i for i, ok in enumerate(shown) if ok]:  # matches show their ancestors
                parent = tasks[i].parent
                while parent is not None and not shown[parent]:
                    shown[parent] = True
                    parent = tasks[parent].parent
            counts = list(accumulate(shown, initial=0))

        rows: list[Row] = []
        append = rows.append
        kids_of = self.kids
        headings = self.headings

        def add_task(i: int, depth: int) -> None:
            kids = kids_of.get(i)
            if not kids:
                append(Row(TASK, i, depth, False, False))
                return
            expanded = filtering or ("t", keys[i]) not in collapsed
            append(Row(TASK, i, depth, True, expanded))
            if expanded:
                for k in kids:
                    if shown is None or shown[k]:
                        add_task(k, depth + 1)

        def add_heading(h: int, depth: int) -> None:
            node = headings[h]
            if node.end_task == node.first_task:
                return  # no tasks below: nothing to work through here
            if counts is not None and counts[node.end_task] == counts[node.first_task]:
                return  # nothing below matches
            expanded = filtering or node.key not in collapsed
            append(Row(HEADING, h, depth, True, expanded))
            if expanded:
                for i in node.tasks if shown is None else [i for i in node.tasks if shown[i]]:
                    add_task(i, depth + 1)
                for c in node.children:
                    add_heading(c, depth + 1)

        for i in self.root_tasks:
            if shown is None or shown[i]:
                add_task(i, 0)
        for h in self.roots:
            add_heading(h, 0)
        return rows

    def default_collapsed(self) -> set[tuple]:
        """Sections whose work is all done start collapsed."""
        out = set()
        for node in self.headings:
            if node.end_task > node.first_task:
                tot = self.heading_totals(node.index)
                if tot.done + tot.cancelled == tot.total:
                    out.add(node.key)
        return out

    def first_open_task(self) -> Task | None:
        return next((t for t in self.doc.tasks if t.is_open), None)
