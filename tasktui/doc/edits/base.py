"""What every planner shares: the Plan an operation becomes, the errors, and the
small helpers that find a task and build new lines in the file's own style."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Callable

from tasktui.doc.model import Document, Task, TaskKey
from tasktui.doc.patch import Patch
from tasktui.doc.plaintext import shown_text
from tasktui.doc.source import encode


class EditError(ValueError):
    """An edit that cannot be planned; str() is one sentence for the user."""


class ConflictError(EditError):
    """The file changed so that the edit no longer applies."""


class TextChanged(ConflictError):
    """A text edit whose task's text changed since the edit began: ``theirs`` is the text
    now in the file, ``base`` the one the edit started from, ``mine`` the new description."""

    def __init__(self, message: str, *, theirs: str, base: str, mine: str) -> None:
        super().__init__(message)
        self.theirs, self.base, self.mine = theirs, base, mine


Check = Callable[[Document, Document], "str | None"]
"""Given the version an edit was planned on and the version it made: the problem, or None."""


@dataclass(frozen=True)
class Details:
    """What an edit did, for the command line's ``--json`` and for the app (which line
    to put the cursor on). Only the fields an edit sets are reported."""

    line: int | None = None  # 1-based line of the task or entry edited or added
    mark: str | None = None
    old: str | None = None  # the mark before
    text: str | None = None
    id: str | None = None
    label: str | None = None  # "Estimated Time" / "Actual Time"
    hours: float | None = None
    value: str | None = None  # the duration as written
    added_hours: float | None = None
    removed: int | None = None  # tasks deleted (with subtasks)
    kind: str | None = None
    date: str | None = None
    task: str | None = None
    resolution: str | None = None
    fixed: int | None = None  # mojibake sequences repaired
    lines: tuple[int, ...] | None = None
    changed_lines: int | None = None
    reason: str | None = None  # why a claimed task was ready
    # for the app only: the 1-based line, in the new version, to put the cursor on
    # (the neighbour of a deleted task)
    cursor: int | None = None

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()
                if v is not None and k != "cursor"}


@dataclass(frozen=True)
class Plan:
    """An operation planned on one version: its patches (on that version's bytes),
    a one-line summary, what it did, and the check the new version must pass."""

    patches: tuple[Patch, ...]
    summary: str
    details: Details = field(default_factory=Details)
    expect: Check | None = None


def find_task(doc: Document, key: TaskKey) -> Task:
    task = doc.find(key)
    if task is None:
        label = key.id or key.text
        raise ConflictError(f"the task {label!r} is no longer in the file")
    return task


def text_bytes(doc: Document, text: str) -> bytes:
    if "\n" in text or "\r" in text:
        raise EditError("text must be a single line")
    if not text.isascii() and not doc.source.is_utf8:
        raise EditError("this file is not valid UTF-8, so only ASCII text can be added to it")
    return encode(text)


def line_text_span(doc: Document, line: int, start_col: int, end_col: int | None = None) -> tuple[int, int]:
    src = doc.source
    text = src.lines[line]
    end_col = len(text.rstrip()) if end_col is None else end_col
    return src.offset(line, start_col), src.offset(line, end_col)


def new_line(doc: Document, text: str, after_line: int) -> tuple[int, bytes]:
    """(offset, bytes) to insert ``text`` as a new line after ``after_line``."""
    src = doc.source
    ending = src.ending_after(after_line)
    if after_line + 1 < src.line_count:
        return src.starts[after_line + 1], text_bytes(doc, text) + ending
    # after the last line: it may have no ending of its own
    end = len(src.data)
    if src.endings[after_line]:
        return end, text_bytes(doc, text) + ending
    return end, ending + text_bytes(doc, text)


def insert_lines(doc: Document, texts: list[str], after_line: int) -> tuple[int, bytes]:
    """(offset, bytes) to insert ``texts`` as new lines after ``after_line``."""
    src = doc.source
    ending = src.ending_after(after_line)
    if after_line + 1 < src.line_count or src.endings[after_line]:
        offset = src.starts[after_line + 1] if after_line + 1 < src.line_count else len(src.data)
        return offset, b"".join(text_bytes(doc, t) + ending for t in texts)
    # after the last line, which has no ending of its own: the file still ends without one
    return len(src.data), b"".join(ending + text_bytes(doc, t) for t in texts)


def last_content_line(doc: Document, first: int, end: int) -> int:
    """The last non-blank line in [first, end)."""
    lines = doc.source.lines
    last = first
    for i in range(first, min(end, len(lines))):
        if lines[i].strip():
            last = i
    return last


ITEM_PREFIX = re.compile(r"^((?:[ \t]*>)*[ \t]*)([-*+]|(\d{1,9})([.)]))([ \t]+)")


def prefix_parts(doc: Document, task: Task) -> tuple[str, str, str | None, str | None, str]:
    """(lead, bullet, number, delimiter, gap) of the task's list item line."""
    line = doc.source.lines[task.item_line]
    m = ITEM_PREFIX.match(line)
    if not m:
        raise EditError("cannot work out the list style of that task")
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)


def item_text(doc: Document, task: Task) -> str:
    """The task's list item as a person reads it, to tell whether it changed: its lines
    from the marker to its last non-blank one, with the checkbox marks in it (its own,
    its subtasks') left out, so that marks changed meanwhile (by the keys before,
    or by an agent ticking it) do not count as a change of the task."""
    lines = doc.source.lines
    first = task.item_line
    shown = list(lines[first:last_content_line(doc, first, task.end) + 1])
    for t in (task, *descendants(doc, task)):
        at = t.line - first
        if 0 <= at < len(shown):
            col = t.col + 1
            shown[at] = shown[at][:col] + "\0" + shown[at][col + len(t.mark):]
    return "\n".join(shown)


def descendants(doc: Document, task: Task | None) -> list[Task]:
    if task is None:
        return []
    return [t for t in doc.tasks[task.index + 1:] if t.line < task.end]


def label(task: Task) -> str:
    """How a summary names a task: its line and its text without markdown (shortened)."""
    text = shown_text(task.text)
    text = text if len(text) <= 50 else text[:47] + "..."
    return f"L{task.line + 1} {text}" + (" (the file's legend)" if task.legend else "")


def same_tasks(before: Document, after: Document, skip=()) -> str | None:
    """Every task not in ``skip`` keeps its mark, text and optional flag."""
    if len(before.tasks) != len(after.tasks):
        return f"the file would have {len(after.tasks)} tasks instead of {len(before.tasks)}"
    changed = after.changed_since(before)
    if changed is not None:  # patched in place: only the tasks it parsed again can differ
        pairs = ((before.tasks[i], after.tasks[i]) for i in changed)
    else:
        pairs = zip(before.tasks, after.tasks)
    for x, y in pairs:
        if x.index not in skip and (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
            return f"the task on line {x.line + 1} would change"
    return None


def same_tasks_except(before: Document, after: Document, gone: set[int]) -> str | None:
    """The tasks of ``before`` not in ``gone`` are those of ``after``, unchanged."""
    keep = [t for t in before.tasks if t.index not in gone]
    if len(keep) != len(after.tasks):
        return "the edit would change other tasks"
    for x, y in zip(keep, after.tasks):
        if (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
            return f"the task on line {x.line + 1} would change"
    return None
