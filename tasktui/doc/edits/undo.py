"""Undo and redo as values: a Restore puts back the bytes an edit replaced,
anchored to the task they sat in, so it applies to a newer version of the file
as long as that part of it is still as the edit left it."""

from __future__ import annotations

import bisect

from tasktui.doc import patch as P
from tasktui.doc.durations import short_hours
from tasktui.doc.edits.base import ConflictError, Details, Plan
from tasktui.doc.edits.ops import Restore, RestoreItem
from tasktui.doc.model import Document, Task
from tasktui.doc.patch import Patch


def plan_restore(doc: Document, op: Restore) -> Plan:
    patches = []
    data = doc.source.data
    for item in op.items:
        if item.anchor is None:
            offset = item.offset
        else:
            anchor = doc.find(item.anchor)
            if anchor is None:
                raise ConflictError("the task it belongs to is no longer in the file")
            offset = doc.source.starts[anchor.item_line] + item.offset
        if data[offset:offset + len(item.expected)] != item.expected:
            raise ConflictError("that part of the file has changed since")
        patches.append(Patch(offset, offset + len(item.expected), item.replacement))
    return Plan(tuple(patches), op.summary, Details(cursor=_cursor_line(doc, patches)))


def _cursor_line(doc: Document, patches: list[Patch]) -> int | None:
    """The 1-based line, after ``patches``, of the first bytes put back: a restored task,
    a mark put back, a moved task back in its place (its undo takes it out where it
    went, which may come first: removals are skipped); of the first change when
    nothing is put back (an added task taken out)."""
    if not patches:
        return None
    ordered = sorted(patches, key=lambda p: p.start)
    put = next((p for p in ordered if p.data), ordered[0])
    line = bisect.bisect_right(doc.source.starts, put.start)  # in the file before the patches
    data = doc.source.data
    for q in ordered:
        if q.start >= put.start:
            break
        line += _breaks(q.data) - _breaks(data[q.start:q.end])
    return line


def _breaks(data: bytes) -> int:
    """Line breaks in ``data`` (\\r\\n, \\r or \\n, as the parser reads them)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def restore_for(before: bytes, after_doc: Document, patches, summary: str) -> Restore:
    """The Restore that turns ``after_doc`` (made by ``patches`` on ``before``) back into ``before``."""
    items = []
    for inv in P.inverse(before, patches):
        anchor = None
        offset = inv.start
        task = _task_before(after_doc, inv.start)
        if task is not None:
            anchor = after_doc.keys[task.index]
            offset = inv.start - after_doc.source.starts[task.item_line]
        items.append(RestoreItem(anchor, offset, after_doc.source.data[inv.start:inv.end], inv.data))
    return Restore(tuple(items), summary)


def _task_before(doc: Document, offset: int) -> Task | None:
    """The last task whose first line starts at or before ``offset``."""
    starts = doc.source.starts
    i = bisect.bisect_right(doc.tasks, offset, key=lambda t: starts[t.item_line]) - 1
    return doc.tasks[i] if i >= 0 else None


def replayed(before: Document, after: Document, line: int | None, *, back: bool = True) -> str | None:
    """What putting bytes back did, in a few words, for the undo (``back``) or redo
    toast: ``T000 back to [ ]``, ``L12 text restored``, ``T005 back`` (a deleted task),
    ``L13 taken out`` (an added task), ``T001 time back to 1h`` (or ``time taken
    out``), ``T007 back in its place``, ``log entry restored``; redone: ``T000 to
    [x]``, ``L12 text changed``...
    ``line`` (1-based) is where the restored bytes start (the cursor's line): the task
    named when the change is not one task's own. None when none of these is what
    changed (the caller says what the edit was instead)."""
    old = dict(zip(before.keys, before.tasks))
    new = dict(zip(after.keys, after.tasks))
    came = [t for k, t in new.items() if k not in old]
    went = [t for k, t in old.items() if k not in new]
    if came or went:
        if len(came) == len(went) == 1 and len(before.tasks) == len(after.tasks):  # a task's key holds its text
            return f"{_name(came[0])} text {'restored' if back else 'changed'}"
        if came and not went:
            return f"{_names(came)} {'back' if back else 'added'}"
        if went and not came:
            return f"{_names(went)} {'taken out' if back else 'deleted'}"
        return None
    marked = [t for k, t in new.items() if old[k].mark != t.mark]
    if marked:
        marks = {t.mark for t in marked}
        if len(marks) == 1:
            mark = f"[{marked[0].mark}]"
            return f"{_names(marked)} {'back to ' + mark if back else 'to ' + mark}"
        return f"{_names(marked)} {'back to their marks' if back else 'marked again'}"
    texts = [t for k, t in new.items() if old[k].text != t.text]  # a task known by its id keeps its key
    if texts:
        return f"{_names(texts)} text {'restored' if back else 'changed'}"
    for field, what in (("actual_hours", "time"), ("estimate_hours", "estimate")):
        timed = [t for k, t in new.items() if getattr(old[k], field) != getattr(t, field)]
        if len(timed) == 1:
            hours = getattr(timed[0], field)
            if hours is None:
                return f"{_name(timed[0])} {what} taken out"
            return f"{_name(timed[0])} {what} {'back to ' if back else ''}{short_hours(hours)}"
    if list(old) != list(new):  # the same tasks in another order: a move
        moved = after.task_at_line(line - 1) if line else None
        name = _name(moved) if moved is not None else "the task"
        return f"{name} {'back in its place' if back else 'moved'}"
    entries = [[(e.text, e.resolution, e.resolved) for e in doc.log] for doc in (before, after)]
    if entries[0] != entries[1]:
        if len(after.log) != len(before.log):
            more = len(after.log) > len(before.log)
            return "log entry " + (("back" if back else "added") if more else ("taken out" if back else "deleted"))
        return f"log entry {'restored' if back else 'changed'}"
    return None


def _name(task: Task) -> str:
    """A task as the undo toast names it: its id, else its line."""
    return task.id or f"L{task.line + 1}"


def _names(tasks: list[Task]) -> str:
    first = min(tasks, key=lambda t: t.line)
    return _name(first) + (f" and {len(tasks) - 1} more" if len(tasks) > 1 else "")
