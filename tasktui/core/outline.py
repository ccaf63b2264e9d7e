"""The tree the app shows, as plain data: headings and tasks in rows, with
collapsing, filtering and hiding done tasks. No Textual here: the TaskTree
widget renders these rows with Textual's line API."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from tasktui.core import gcpause
from tasktui.doc import query as query_mod
from tasktui.doc.model import Document
from tasktui.doc.ready import Readiness
from tasktui.doc.query import Query, TaskIndex
from tasktui.doc.rollup import Counts, RollUp

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
    end_line: int | None  # line of the next heading of the same or a higher level (None: the end)
    key: tuple


class Outline:
    """Headings (below the title) and tasks of one Document, as a tree. The numbers
    come from the document's RollUp, what can start now from its Readiness."""

    def __init__(self, doc: Document, rollup: RollUp | None = None):
        self.rollup = rollup if rollup is not None and rollup.doc is doc else RollUp(doc)
        self._ready: Readiness | None = None
        with gcpause.paused():
            self._build(doc)

    @property
    def ready(self) -> Readiness:
        """The ready rule on this version (built when first asked for)."""
        if self._ready is None:
            self._ready = Readiness(self.doc, self.rollup)
        return self._ready

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
            node = HeadingNode(len(self.headings), doc_index, h.level, h.text, h.line, parent, [], [], 0, 0, None,
                               ("h",) + path + ((n,) if n else ()))
            self.headings.append(node)
            if parent is not None:
                self.headings[parent].children.append(node.index)
            stack.append(node.index)
        # task ranges of each heading's subtree: up to the next heading of the same or a higher level
        open_nodes: list[HeadingNode] = []
        for node in self.headings:
            node.first_task = bisect.bisect_left(task_lines, node.line)
            while open_nodes and open_nodes[-1].level >= node.level:
                closed = open_nodes.pop()
                closed.end_task, closed.end_line = node.first_task, node.line
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

    # -- finding --------------------------------------------------------------------
    @property
    def index(self) -> TaskIndex:
        """What the filter matches against (casefolded texts, ids, markers): built on
        first use, kept while the outline lives, patched for a newer version."""
        index = self.__dict__.get("_index")
        if index is None:
            with gcpause.paused():  # a string per task, no cycles
                index = self._index = TaskIndex(self.doc.tasks)
        return index

    def found(self, text_filter: str | Query = "", hide_done: bool = False) -> list[int] | None:
        """The tasks the filter finds (and hide-done leaves), in file order; None when
        neither is on. The last answer is kept (the tree asks again as it redraws)."""
        query = query_mod.parse(text_filter) if isinstance(text_filter, str) else text_filter
        if not query and not hide_done:
            return None
        key = (query.text, hide_done)
        last = self.__dict__.get("_found")
        if last is not None and last[0] == key:
            return last[1]
        hits = query_mod.select(query, self.index, self.doc.tasks, hide_done=hide_done)
        self._found = (key, hits)
        return hits

    def matcher(self, text_filter: str | Query):
        """A test of one task against the filter (None when it is empty): for `n`."""
        query = query_mod.parse(text_filter) if isinstance(text_filter, str) else text_filter
        return query_mod.matcher(query, self.index)

    def needles(self, text_filter: str | Query) -> tuple[str, ...]:
        """What to show as found in the rows (casefolded), longest first."""
        query = query_mod.parse(text_filter) if isinstance(text_filter, str) else text_filter
        return query.needles(self.index) if query else ()

    def with_document(self, doc: Document, rollup: RollUp) -> "Outline":
        """The outline of a newer version with the same structure (marks, texts or
        times changed): the tree is shared, the numbers are ``rollup``'s."""
        new = object.__new__(Outline)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_found", None)  # marks and texts may have changed
        index = new.__dict__.pop("_index", None)
        changed = doc.changed_since(self.doc)
        if index is not None and changed is not None:
            new._index = index.updated(self.doc.tasks, doc.tasks, changed)
        new.doc = doc
        new.rollup = rollup
        # what the file says about order holds while no task's text changed: kept
        new._ready = Readiness.following(self._ready, doc, rollup) if self._ready is not None else None
        return new

    # -- identity -------------------------------------------------------------------
    def key(self, row: Row) -> tuple:
        if row.kind == HEADING:
            return self.headings[row.index].key
        return ("t", self.doc.keys[row.index])

    # -- numbers --------------------------------------------------------------------
    def heading_totals(self, index: int) -> Counts:
        """The heading's whole subtree: its tasks and the estimates written under its headings."""
        node = self.headings[index]
        return self.rollup.span(node.first_task, node.end_task, node.line, node.end_line)

    def task_totals(self, index: int) -> Counts:
        """Task ``index`` with its subtasks."""
        return self.rollup.task(index)

    # -- rows -----------------------------------------------------------------------
    def rows(self, collapsed: set[tuple] | frozenset = frozenset(), text_filter: str | Query = "",
             hide_done: bool = False) -> list[Row]:
        """Visible rows. With a filter (a query, see tasktui.doc.query) or hide_done, a
        row shows when it matches or a descendant does; matches open their ancestors."""
        with gcpause.paused():  # up to one Row per task and heading, no cycles
            return self._rows(collapsed, self.found(text_filter, hide_done))

    def _rows(self, collapsed, found: list[int] | None) -> list[Row]:
        doc = self.doc
        tasks = doc.tasks
        keys = doc.keys
        filtering = found is not None
        shown: list[bool] | None = None
        counts: list[int] | None = None  # running count of shown tasks, when filtering
        if found is not None:
            shown = [False] * len(tasks)
            for i in found:
                shown[i] = True
            for i in found:  # matches show their ancestors
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
        return {node.key for node in self.headings
                if node.end_task > node.first_task and self.heading_totals(node.index).status == "complete"}
