"""Following tasks from one version of the file to the next.

A task is followed from version to version: an unchanged line (id and text)
is the same task; else the same id; else the same description (the text
without its id); else a task with similar text in the same place between tasks
already matched. So reordering, text edits and renamed ids keep a task's
history (``match_tasks``). ``marked_done`` says which tasks a version marked done.
"""

from __future__ import annotations

import difflib
from collections import defaultdict, deque

from tasktui.doc.model import Document, Task, split_text
from tasktui.doc.states import DONE


def _done(task: Task) -> bool:
    return task.state == DONE and not task.legend


def match_tasks(old: Document, new: Document, region: tuple[int, int, int] | None = None) -> list[int]:
    """For each task of ``new``, the index of the same task in ``old`` (or -1 for a new one).

    The same line (id and text), preferring the same headings; else the same id; else the
    same description without the id; else similar text in the same place. ``region``
    (first line changed, its last line in ``old``, in ``new``) says where the versions
    differ: a task outside it, on its line (shifted below the change) with its text, is
    the same task without further search."""
    if new is old or new.changed_since(old) is not None:
        return list(range(len(new.tasks)))
    ot, nt = old.tasks, new.tasks
    m = [-1] * len(nt)
    taken = [False] * len(ot)
    if region is not None:
        first, old_last, new_last = region
        shift = new_last - old_last
        for i, t in enumerate(nt):
            line = t.line if t.line < first else t.line - shift if t.line > new_last else None
            o = old.task_at_line(line) if line is not None else None
            if o is not None and o.text == t.text and not taken[o.index]:
                m[i] = o.index
                taken[o.index] = True
    new_left = [i for i in range(len(nt)) if m[i] < 0]
    if not new_left:
        return m
    old_left = [j for j in range(len(ot)) if not taken[j]]

    def pair(key_of, only_unique: bool = False) -> None:
        nonlocal new_left, old_left
        index: dict = defaultdict(deque)
        for j in old_left:
            key = key_of(ot[j])
            if key is not None:
                index[key].append(j)
        wanted: dict = defaultdict(int)
        if only_unique:
            for i in new_left:
                key = key_of(nt[i])
                if key is not None:
                    wanted[key] += 1
        for i in new_left:
            key = key_of(nt[i])
            queue = index.get(key) if key is not None else None
            if not queue or (only_unique and (len(queue) != 1 or wanted[key] != 1)):
                continue
            j = queue.popleft()
            m[i] = j
            taken[j] = True
        new_left = [i for i in new_left if m[i] < 0]
        old_left = [j for j in old_left if not taken[j]]

    pair(lambda t: (t.path, t.text))
    pair(lambda t: t.text)
    pair(lambda t: t.id, only_unique=True)
    pair(lambda t: split_text(t.text)[1] or None, only_unique=True)
    if new_left and old_left:
        _pair_in_place(ot, nt, m, taken)
    return m


def _pair_in_place(ot, nt, m: list[int], taken: list[bool]) -> None:
    """Pair what is left: a new task and an old one between the same matched neighbours,
    with similar text (an edited task without an id)."""
    i = 0
    n = len(nt)
    while i < n:
        if m[i] >= 0:
            i += 1
            continue
        start = i
        while i < n and m[i] < 0:
            i += 1
        lo = m[start - 1] + 1 if start > 0 else 0
        hi = m[i] if i < n else len(ot)
        if lo >= hi:
            continue
        pos = lo
        for k in range(start, i):
            text = nt[k].text
            for j in range(pos, hi):
                if taken[j]:
                    continue
                matcher = difflib.SequenceMatcher(None, ot[j].text, text, autojunk=False)
                if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 and matcher.ratio() >= 0.6:
                    m[k] = j
                    taken[j] = True
                    pos = j + 1
                    break


def marked_done(prev: Document | None, doc: Document, m: list[int]) -> list[int]:
    """Tasks of ``doc`` marked done in it and not in ``prev`` (or new in it), in order."""
    if prev is None:
        return [i for i, t in enumerate(doc.tasks) if _done(t)]
    old, tasks = prev.tasks, doc.tasks
    changed = doc.changed_since(prev)
    candidates = changed if changed is not None else range(len(tasks))
    return [i for i in candidates if _done(tasks[i]) and (m[i] < 0 or not _done(old[m[i]]))]
