"""Edit operations: values that name what to change, never where in the bytes.

Every operation names its task by identity (TaskKey) and its log entry by its
line's text and occurrence (EntryKey), never by position, so that it can be
planned again on a newer version of the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasktui.doc.model import HeadingKey, TaskKey


@dataclass(frozen=True)
class Toggle:
    key: TaskKey


@dataclass(frozen=True)
class SetState:
    key: TaskKey
    state: str


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
    """New text for a task; with ``expected``, only while the task's text is still
    that (checked under the lock): a change made meanwhile by someone else is
    never overwritten."""

    key: TaskKey
    text: str
    expected: str | None = None


@dataclass(frozen=True)
class DeleteTask:
    key: TaskKey


@dataclass(frozen=True)
class Move:
    """Move a task with its whole list item (details and subtasks): before or after
    another task (taking that task's depth), or to the end of the list of tasks
    written directly under a heading (its top level). Exactly one of the three."""

    key: TaskKey
    before: TaskKey | None = None
    after: TaskKey | None = None
    section: HeadingKey | None = None


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


TaskEdit = Toggle | SetState | Claim | AddTask | EditText | DeleteTask | Move | Renumber | Batch
TimeEdit = AddTime | SetEstimate
LogEdit = AddLogEntry | ResolveEntry | EditEntry
Edit = TaskEdit | TimeEdit | LogEdit | Sync | Repair | Restore
"""Every edit operation there is."""
