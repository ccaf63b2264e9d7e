"""Which log entries name which tasks: the one matcher, used by the detail pane
(a task's entries), the tree and the header (tasks an open blocker names)."""

from __future__ import annotations

import re

from tasktui.doc.model import Document, LogEntry, Task
from tasktui.doc.plaintext import shown_text

# ids that a log entry's text can name without a "(task ...)" link: T001, T012a, 1.2
_ID_TOKEN = re.compile(r"(?<![\w.])(T\d+[a-z]?|\d+(?:\.\d+)+)(?![\w])")


def names(entry: LogEntry, task: Task) -> bool:
    """Whether ``entry`` names ``task``: a "(task ...)" link to its id (or, for a
    task without an id, a piece of its title: as written, or without its markdown,
    as new entries name it), or its id in the entry's text."""
    if entry.placeholder:
        return False
    ref = (entry.task or "").strip()
    if ref:
        return ref == task.id or (task.id is None and _mentions(ref, task.text))
    return task.id is not None and task.id in _ID_TOKEN.findall(entry.text)


def _mentions(ref: str, text: str) -> bool:
    """Whether a log entry's "(task ...)" ``ref`` is a piece of a task's ``text``, the
    two compared as written and without their markdown (tasktui.doc.plaintext)."""
    needle = ref.casefold()
    return needle in text.casefold() or shown_text(ref).casefold() in shown_text(text).casefold()


def entries_for(doc: Document, task: Task) -> list[LogEntry]:
    """The log entries that name ``task``."""
    return [e for e in doc.log if names(e, task)]


def blocked_tasks(doc: Document) -> set[int]:
    """Indexes of the tasks that an open blocker names (by ``names``), found without
    trying every task against every entry."""
    blockers = doc.open_blockers
    if not blockers:
        return set()
    ids: dict[str, int] = {}
    for t in doc.tasks:
        if t.id:
            ids.setdefault(t.id, t.index)
    out: set[int] = set()
    for e in blockers:
        ref = (e.task or "").strip()
        if ref:
            if ref in ids:
                out.add(ids[ref])
            out.update(t.index for t in doc.tasks if t.id is None and names(e, t))
        else:
            out.update(ids[tok] for tok in _ID_TOKEN.findall(e.text) if tok in ids)
    return out
