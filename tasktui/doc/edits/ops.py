"""Edit operations: values that name what to change, never where in the bytes.

Every operation names its task by identity (TaskKey) and its log entry by its
line's text and occurrence (EntryKey), never by position, so that it can be
planned again on a newer version of the file. What depends on where a task is
now (the sibling a move passes, whether ``p`` sets or clears a mark, which way
space turns several tasks) is decided when the operation is planned, on the
version it is planned on: keys pressed in a row each act on the result of the
one before. An operation that must not act on something it did not see carries
what it expects (``expect``): the text an edit started from, the list item a
delete or a move was asked for; planned on a version where that changed, it is
refused (tasktui.doc.edits.base.ConflictError) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasktui.doc.model import HeadingKey, TaskKey


@dataclass(frozen=True)
class Toggle:
    key: TaskKey


@dataclass(frozen=True)
class SetState:
    """Give a task the mark of ``state``; with ``back``, back to open when it has that
    state already (``p`` and ``c`` pressed again; for several tasks: when all have it)."""

    key: TaskKey
    state: str
    back: bool = False


@dataclass(frozen=True)
class ToggleAll:
    """Space on several tasks: all done when any of them is not, else all open."""

    keys: tuple[TaskKey, ...]


@dataclass(frozen=True)
class Claim:
    """Mark the first task that is ready to start (tasktui.doc.ready) in progress,
    or the task ``key`` when it is ready (refused when it is in progress, done or
    waits). The task is chosen and checked when the edit is planned, on the file
    as it is under the lock: two claims, from any number of processes, never take
    the same task."""

    key: TaskKey | None = None


@dataclass(frozen=True)
class AddTask:
    """A new open task: after the task ``after``, as the last subtask of ``under``, at
    the end of the section ``section`` (its first task with ``first``), or at the end
    of the file when none is given."""

    text: str
    after: TaskKey | None = None
    under: TaskKey | None = None
    section: HeadingKey | None = None
    first: bool = False


@dataclass(frozen=True)
class EditText:
    """Give a task the description ``text``. ``expect``: the task's text the edit started
    from (``Task.text``); when the task's text is no longer that, it is refused with
    both texts (TextChanged), never written over."""

    key: TaskKey
    text: str
    expect: str | None = None


@dataclass(frozen=True)
class DeleteTask:
    """Delete a task with its details and subtasks. ``expect``: its list item as it was
    when the delete was asked for (base.item_text); refused when that changed."""

    key: TaskKey
    expect: str | None = None


@dataclass(frozen=True)
class Move:
    """Move a task with its whole list item (details and subtasks): before or after
    another task (taking that task's depth), to the end of the list of tasks written
    directly under a heading (its top level), or ``step`` places among its siblings
    (-1 up past the one above it, +1 down past the one below, as they are when it is
    planned). Exactly one of the four. ``expect``: as DeleteTask's."""

    key: TaskKey
    before: TaskKey | None = None
    after: TaskKey | None = None
    section: HeadingKey | None = None
    step: int = 0
    expect: str | None = None


@dataclass(frozen=True)
class Renumber:
    """Number the tasks under a heading (None: before the first heading) in order:
    ordered-list numbers (``1.``), Kiro ids (``1.``, ``1.1``), OpenSpec ids (``2.1``)."""

    section: HeadingKey | None


@dataclass(frozen=True)
class Batch:
    """Several mark changes (Toggle, SetState) or several deletions, planned together
    into one write and one undo step."""

    ops: tuple


@dataclass(frozen=True)
class AddTime:
    """Add time spent to a task, or to a heading that carries its own estimate (a
    heading-level task: ``#### Task 1: Setup`` with its ``**Estimated Time**``)."""

    key: TaskKey | HeadingKey
    hours: float


@dataclass(frozen=True)
class SetTime:
    """Set the time spent (``**Actual Time**``) of a task or heading to ``hours``: a
    correction (time is otherwise only added, and never below zero)."""

    key: TaskKey | HeadingKey
    hours: float


@dataclass(frozen=True)
class SetEstimate:
    key: TaskKey | HeadingKey
    hours: float


@dataclass(frozen=True)
class EntryKey:
    """A log entry's identity: its line's text and occurrence."""

    text: str
    occurrence: int = 0


@dataclass(frozen=True)
class AddLogEntry:
    kind: str  # Blocker or Decision; "" takes it from a "Decision:" the text starts with, else Blocker
    text: str
    date: str
    task: str | None = None


@dataclass(frozen=True)
class ResolveEntry:
    entry: EntryKey
    text: str
    date: str


@dataclass(frozen=True)
class EditEntry:
    entry: EntryKey
    text: str


@dataclass(frozen=True)
class Sync:
    """Make the Completion Status and Time Tracking lines state the truth."""


@dataclass(frozen=True)
class Repair:
    """Rewrite mojibake (UTF-8 once decoded as cp1252) back to the characters it stands for."""


@dataclass(frozen=True)
class Reformat:
    """``tasktui fmt``: put ``after`` in place of ``before``, the bytes it was made from
    (every byte of it depends on all of them: planned on anything else, it is refused)."""

    before: bytes
    after: bytes


@dataclass(frozen=True)
class RestoreItem:
    anchor: TaskKey | None  # offsets are relative to this task's first line (absolute when None)
    offset: int
    expected: bytes
    replacement: bytes


@dataclass(frozen=True)
class Restore:
    """Put back bytes an earlier edit replaced: undo and redo."""

    items: tuple[RestoreItem, ...]
    summary: str = "restored"


TaskEdit = Toggle | SetState | ToggleAll | Claim | AddTask | EditText | DeleteTask | Move | Renumber | Batch
TimeEdit = AddTime | SetTime | SetEstimate
LogEdit = AddLogEntry | ResolveEntry | EditEntry
Edit = TaskEdit | TimeEdit | LogEdit | Sync | Repair | Reformat | Restore
"""Every edit operation there is."""
