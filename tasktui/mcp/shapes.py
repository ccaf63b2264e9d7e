"""The shapes of the tools' structured answers, published as their output schemas.

They describe the objects tasktui.core.report builds (the command line's
``--json``): an agent reads the same fields the README documents for
``list --json``, ``status --json`` and the rest. Optional values are ``None``
(JSON null), never left out. typing_extensions' TypedDict: pydantic reads
only that one on Python 3.11."""

from typing import Any

from typing_extensions import Required, TypedDict


class TaskView(TypedDict):
    """A task as ``list --json`` gives it."""

    line: int
    state: str
    mark: str
    optional: bool
    id: str | None
    markers: list[str]
    text: str
    plain: str
    path: list[str]
    parent_line: int | None
    estimate_hours: float | None
    actual_hours: float | None
    legend: bool
    label: str | None


class ReadyTask(TaskView):
    """A task with the reason it can start now (or why it comes next)."""

    reason: str


class NextTask(ReadyTask):
    """``next --json``: the task to work on, with a note for a Kiro parent whose subtasks are done."""

    note: str | None


class ClaimedTask(NextTask):
    """``next --claim --json``: the task the claim took, now in progress."""

    claimed: bool
    file: str


class LogEntry(TypedDict):
    line: int
    date: str | None
    kind: str
    text: str
    task: str | None
    resolved: bool


class TaskDetail(ReadyTask):
    """One task in full: whether it can start (``ready``, and ``reason``), its item as written, its log."""

    file: str
    ready: bool
    markdown: str
    subtasks: list[TaskView]
    log: list[LogEntry]


class TaskList(TypedDict):
    file: str
    query: str | None
    query_problems: list[str]
    tasks: list[TaskView]


class NextTasks(TypedDict):
    """What to work on: ``tasks`` holds the ``next --json`` object (with its ``note``), or with
    all every task that can start now (``next --all --json``); ``nothing_ready`` says why
    none can, when none can."""

    file: str
    tasks: list[ReadyTask]
    nothing_ready: str | None


class Numbers(TypedDict):
    total: int
    done: int
    required: int
    required_done: int
    optional: int
    cancelled: int
    percent: float
    status: str
    estimate_hours: float | None
    actual_hours: float | None
    variance_hours: float | None
    variance_pct: float | None
    remaining_hours: float | None


class SectionNumbers(Numbers):
    title: str
    line: int | None


class TopLevelNumbers(Numbers):
    line: int
    id: str | None
    text: str
    state: str


class Status(TypedDict):
    """``status --json``, with the file it describes."""

    file: str
    title: str | None
    total: int
    done: int
    required: int
    required_done: int
    optional: int
    cancelled: int
    percent: float
    dialect: str
    dialect_signals: list[str]
    estimate_hours: float | None
    actual_hours: float | None
    variance_hours: float | None
    variance_pct: float | None
    remaining_hours: float | None
    sections: list[SectionNumbers]
    top_level: list[TopLevelNumbers]
    problems: list[str]
    blockers: list[LogEntry]


class OverviewNext(TypedDict):
    line: int
    id: str | None
    text: str
    plain: str
    state: str
    reason: str


class OverviewFile(TypedDict, total=False):
    """One row of ``status --all --json``; the counts are left out of a file that could not be read."""

    path: Required[str]
    folder: Required[str]
    title: Required[str | None]
    dialect: Required[str | None]
    total: int
    done: int
    required: int
    required_done: int
    optional: int
    cancelled: int
    percent: float
    status: str
    estimate_hours: float | None
    actual_hours: float | None
    open_blockers: int | None
    next: OverviewNext | None
    ready: int | None
    waiting: int | None
    in_progress: int | None
    dependency_problems: int | None
    last_changed: str | None
    error: str | None


class Overview(TypedDict):
    root: str
    files: list[OverviewFile]


class EditOutcome(TypedDict, total=False):
    """An edit's ``--json``: always ``file``, ``changed``, ``summary`` and ``replanned``
    (the file had changed since it was read, and the edit was planned again on it),
    then the fields the edit set (``line``, ``mark``, ``text``, ``hours`` ...)."""

    file: Required[str]
    changed: Required[bool]
    summary: Required[str]
    replanned: Required[bool]
    line: int
    mark: str
    old: str
    text: str
    id: str
    label: str
    hours: float
    value: str
    added_hours: float
    removed: int
    kind: str
    date: str
    task: str
    resolution: str
    fixed: int
    lines: list[int]
    changed_lines: int
    reason: str


class CheckProblem(TypedDict):
    kind: str
    line: int
    text: str
    tasks: list[str]


class Check(TypedDict):
    """``check --json``: how many statements of order were read, and the cycles and missing references."""

    file: str
    statements: int
    problems: list[CheckProblem]


class History(TypedDict):
    """``history --json`` (see the README's "Progress over time from git"), with the file."""

    file: str
    commits: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    now: dict[str, Any] | None
    velocity: dict[str, Any]
    forecast: dict[str, Any]
    shallow: dict[str, Any] | None
