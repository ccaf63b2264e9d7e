"""Undo and redo as values: a Restore puts back the bytes an edit replaced,
anchored to the task they sat in, so it applies to a newer version of the file
as long as that part of it is still as the edit left it."""

from __future__ import annotations

import bisect

from tasktui.doc import patch as P
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
    # the cursor goes where the first change is: a restored task, a mark put back
    first = min((p.start for p in patches), default=None)
    cursor = None if first is None else bisect.bisect_right(doc.source.starts, first)
    return Plan(tuple(patches), op.summary, Details(cursor=cursor))


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
