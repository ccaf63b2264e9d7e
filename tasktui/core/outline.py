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


@dataclass(frozen=True, slots=True)
class HeadingNode:
    index: int  # position in Outline.headings
    doc_index: int  # position in Document.headings
    level: int
    text: str
    line: int
    parent: int | None
    children: tuple[int, ...]
    tasks: tuple[int, ...]  # top-level tasks directly under this heading
    first_task: int  # task range of the whole subtree
    end_task: int
    end_line: int | None  # line of the next heading of the same or a higher level (None: the end)
    key: tuple


@dataclass(frozen=True, eq=False)
class Tree:
    """The headings (below the title) and tasks of one document as a tree: what the
    versions patched in place from it (same tasks, same headings) share."""

    headings: tuple[HeadingNode, ...]
    roots: tuple[int, ...]  # headings without a parent heading
    root_tasks: tuple[int, ...]  # top-level tasks above the first heading
    kids: dict[int, tuple[int, ...]]  # task -> its subtasks
    owner: tuple[int | None, ...]  # heading (Outline index) each task sits under

    @classmethod
    def of(cls, doc: Document) -> "Tree":
        tasks = doc.tasks
        title_index = 0 if doc.title is not None and doc.headings and doc.headings[0].level == 1 else None
        level_floor = doc.section_level or 1
        heads = [(i, h) for i, h in enumerate(doc.headings) if i != title_index and h.level >= level_floor]
        task_lines = [t.line for t in tasks]
        # built as lists of [doc_index, level, text, line, parent, children, tasks, first, end, end_line, key]
        nodes: list[list] = []
        stack: list[int] = []
        path_count: dict[tuple, int] = {}
        for doc_index, h in heads:
            while stack and nodes[stack[-1]][1] >= h.level:
                stack.pop()
            parent = stack[-1] if stack else None
            path = (nodes[parent][10] if parent is not None else ()) + (h.text,)
            n = path_count.get(path, 0)
            path_count[path] = n + 1
            key = ("h",) + path + ((n,) if n else ())
            nodes.append([doc_index, h.level, h.text, h.line, parent, [], [], 0, 0, None, key])
            if parent is not None:
                nodes[parent][5].append(len(nodes) - 1)
            stack.append(len(nodes) - 1)
        # task ranges of each heading's subtree: up to the next heading of the same or a higher level
        open_nodes: list[list] = []
        for node in nodes:
            node[7] = bisect.bisect_left(task_lines, node[3])
            while open_nodes and open_nodes[-1][1] >= node[1]:
                closed = open_nodes.pop()
                closed[8], closed[9] = node[7], node[3]
            open_nodes.append(node)
        for node in open_nodes:
            node[8] = len(tasks)
        root_tasks: list[int] = []
        head_lines = [node[3] for node in nodes]
        kids: dict[int, list[int]] = {}
        owner: list[int | None] = []
        for t in tasks:
            hi = bisect.bisect_right(head_lines, t.line) - 1
            owner.append(hi if hi >= 0 else None)
            if t.parent is not None:
                kids.setdefault(t.parent, []).append(t.index)
            elif hi >= 0:
                nodes[hi][6].append(t.index)
            else:
                root_tasks.append(t.index)
        headings = tuple(HeadingNode(i, d, lv, text, line, parent, tuple(children), tuple(under), first, end, end_line, key)
                         for i, (d, lv, text, line, parent, children, under, first, end, end_line, key) in enumerate(nodes))
        return cls(headings, tuple(n.index for n in headings if n.parent is None), tuple(root_tasks),
                   {task: tuple(sub) for task, sub in kids.items()}, tuple(owner))


class Outline:
    """Headings (below the title) and tasks of one Document, as a tree. The numbers
    come from the document's RollUp, what can start now from its Readiness."""

    def __init__(self, doc: Document, rollup: RollUp | None = None, *, tree: Tree | None = None,
                 index: TaskIndex | None = None, ready: Readiness | None = None):
        """The outline of ``doc``; ``tree``, ``index`` and ``ready``, when given, are
        ``doc``'s own (see ``with_document``), else they are built (``index`` and
        ``ready`` when first asked for)."""
        self.doc = doc
        self.rollup = rollup if rollup is not None and rollup.doc is doc else RollUp(doc)
        if tree is None:
            with gcpause.paused():
                tree = Tree.of(doc)
        self.tree = tree
        self._index = index
        self._ready = ready
        self._found: tuple[tuple[str, bool], list[int]] | None = None  # the last question to found() and its answer

    headings = property(lambda self: self.tree.headings)
    roots = property(lambda self: self.tree.roots)
    root_tasks = property(lambda self: self.tree.root_tasks)
    kids = property(lambda self: self.tree.kids)
    owner = property(lambda self: self.tree.owner)

    @property
    def ready(self) -> Readiness:
        """The ready rule on this version (built when first asked for)."""
        if self._ready is None:
            self._ready = Readiness(self.doc, self.rollup)
        return self._ready

    # -- finding --------------------------------------------------------------------
    @property
    def index(self) -> TaskIndex:
        """What the filter matches against (casefolded texts, ids, markers): built on
        first use, kept while the outline lives, patched for a newer version."""
        if self._index is None:
            with gcpause.paused():  # a string per task, no cycles
                self._index = TaskIndex(self.doc.tasks)
        return self._index

    def found(self, text_filter: str | Query = "", hide_done: bool = False) -> list[int] | None:
        """The tasks the filter finds (and hide-done leaves), in file order; None when
        neither is on. The last answer is kept (the tree asks again as it redraws)."""
        query = query_mod.parse(text_filter) if isinstance(text_filter, str) else text_filter
        if not query and not hide_done:
            return None
        key = (query.text, hide_done)
        last = self._found
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
        times changed): the tree is shared, the numbers are ``rollup``'s, the filter's
        index is patched, and what the file says about order is kept while no task's
        text changed (``Readiness.following``). The last filter's answer is not
        (marks and texts may have changed)."""
        changed = doc.changed_since(self.doc)
        index = self._index.updated(self.doc.tasks, doc.tasks, changed) if (
            self._index is not None and changed is not None) else None
        ready = Readiness.following(self._ready, doc, rollup) if self._ready is not None else None
        return Outline(doc, rollup, tree=self.tree, index=index, ready=ready)

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
