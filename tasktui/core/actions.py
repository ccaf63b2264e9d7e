"""The operations of the command line and the MCP server, over an open TasksFile:
references resolved by the one resolver (tasktui.doc.refs), the edit built as a
value and handed to ``TasksFile.apply``, the one write path (its lock, lease,
re-plan, post-check and progress sync). Each returns the EditResult; the
callers only parse their arguments and say what happened, so ``tasktui set``
and the ``set_state`` tool are the same operation.

Edits are planned on the version the file held when it was read and re-planned
by task identity when it changed meanwhile (``TasksFile.apply``). Nothing is
kept for undo: these callers end, or answer, after each operation.

Every failure a caller should expect is one sentence: ``ActionError`` here,
``RefError`` (tasktui.doc.refs), ``DurationError``, ``edits.EditError`` and
``store.StoreError`` from below."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.doc import edits
from tasktui.doc.durations import parse_duration
from tasktui.doc import refs
from tasktui.doc.plaintext import shown_text
from tasktui.doc.states import SETTABLE
from tasktui.storage import config

class ActionError(Exception):
    """An operation asked for something it cannot do: one sentence, nothing written."""


def settings(no_sync: bool = False) -> tuple[config.Config, str | None]:
    """The user's settings (``no_sync``: progress lines left alone), and a sentence
    when the config file could not be used (the defaults apply then)."""
    loaded = config.read()
    cfg = loaded.config
    if no_sync:
        cfg = replace(cfg, sync=False)
    return cfg, loaded.problem


def open_file(path: str | Path, cfg: config.Config, dialect: str | None = None, waiting: Note = None) -> TasksFile:
    """``path`` read with the user's settings: their progress sync, working day, the
    dialect they say the file is (``dialect``, else the config's pattern for its path)
    and whether its legend is read (the config's ``legend_off``)."""
    return TasksFile(path, sync=cfg.sync, day_hours=cfg.day_hours, waiting=waiting,
                     dialect=dialect or cfg.dialect_for(path), legend=cfg.legend_for(path))


def duration(text: str, cfg: config.Config) -> float:
    """Hours in a duration as people type it (``45m``, ``1h30m``, ``2d``); DurationError otherwise."""
    return parse_duration(text, cfg.day_hours)


def settable_state(text: str) -> str:
    """The state ``text`` names (``in_progress``, ``in-progress``, ``In progress``), one of
    tasktui.doc.states.SETTABLE; ActionError for any other word."""
    state = text.strip().lower().replace("-", "_").replace(" ", "_")
    if state not in SETTABLE:
        raise ActionError(f"unknown state {text!r}: use {', '.join(SETTABLE)}")
    return state


def _apply(tf: TasksFile, op) -> EditResult:
    return tf.apply(op, record=False)


def toggle(tf: TasksFile, names: list[str]) -> EditResult:
    """todo <-> done (other marks go to done); several: all done, or all open when all are done."""
    doc = tf.doc
    tasks = refs.tasks(doc, names)
    return _apply(tf, edits.Toggle(doc.keys[tasks[0].index]) if len(tasks) == 1 else edits.toggle_all(doc, tasks))


def set_state(tf: TasksFile, names: list[str], state: str) -> EditResult:
    """Every task ``refs`` names put in ``state``, with the mark the file uses for it: one write."""
    state = settable_state(state)
    doc = tf.doc
    ops = tuple(edits.SetState(doc.keys[t.index], state) for t in refs.tasks(doc, names))
    return _apply(tf, ops[0] if len(ops) == 1 else edits.Batch(ops))


def claim(tf: TasksFile, ref: str | None = None) -> EditResult:
    """The first task that can start now (or the task ``ref``, when it can), marked in
    progress in one locked write: two claims never take the same task."""
    key = None if ref is None else tf.doc.keys[refs.task(tf.doc, ref).index]
    return _apply(tf, edits.Claim(key))


def add(tf: TasksFile, text: str, *, after: str | None = None, under: str | None = None,
        section: str | None = None) -> EditResult:
    """A new task in its neighbours' style: after a task, as the last subtask of one,
    at the end of a heading's tasks, or at the end of the file."""
    if sum(x is not None for x in (after, under, section)) > 1:
        raise ActionError("say where the task goes with one of after, under or section")
    doc = tf.doc
    return _apply(tf, edits.AddTask(
        text,
        after=doc.keys[refs.task(doc, after).index] if after is not None else None,
        under=doc.keys[refs.task(doc, under).index] if under is not None else None,
        section=refs.heading(doc, section) if section is not None else None))


def edit_text(tf: TasksFile, ref: str, text: str, expected: str | None = None) -> EditResult:
    """The task's description changed (its id, markers and emphasis stay); with
    ``expected``, only while its text still reads so."""
    doc = tf.doc
    return _apply(tf, edits.EditText(doc.keys[refs.task(doc, ref).index], text, expect=expected))


def delete(tf: TasksFile, names: list[str]) -> EditResult:
    """The tasks, with their details and subtasks, gone in one write."""
    doc = tf.doc
    ops = tuple(edits.DeleteTask(doc.keys[t.index]) for t in refs.tasks(doc, names))
    return _apply(tf, ops[0] if len(ops) == 1 else edits.Batch(ops))


def move(tf: TasksFile, ref: str, *, before: str | None = None, after: str | None = None,
         section: str | None = None) -> EditResult:
    """The task, with its details and subtasks, next to another task (at its depth) or at
    the end of the tasks under a heading: exactly one of the three."""
    if sum(x is not None for x in (before, after, section)) != 1:
        raise ActionError("say where the task goes with exactly one of before, after or section")
    doc = tf.doc
    key = doc.keys[_movable(doc, ref).index]
    if section is not None:
        return _apply(tf, edits.Move(key, section=refs.heading(doc, section)))
    other = doc.keys[_movable(doc, before if before is not None else after).index]
    return _apply(tf, edits.Move(key, before=other) if before is not None else edits.Move(key, after=other))


def _movable(doc, ref: str):
    """The task ``ref`` names for a move; a heading's line gets its own sentence (a
    heading-level task moves with its section, which tasktui leaves to your editor)."""
    found = refs.find(doc, ref, headings=True)
    if found.heading is not None:
        raise ActionError(f"line {doc.headings[found.heading].line + 1} is a heading: a heading-level task moves "
                          "with its section, which tasktui leaves to your editor")
    return refs.task(doc, ref)


def renumber(tf: TasksFile, title: str) -> EditResult:
    """The numbers of the tasks under a heading put in order."""
    return _apply(tf, edits.Renumber(refs.heading(tf.doc, title)))


def add_time(tf: TasksFile, ref: str, hours: float) -> EditResult:
    """Time spent added to a task's Actual Time (or to a heading named by ``L<line>``)."""
    return _apply(tf, edits.AddTime(refs.task_or_heading(tf.doc, ref), hours))


def set_time(tf: TasksFile, ref: str, hours: float) -> EditResult:
    """A task's (or a heading's) Actual Time set: a correction (time is otherwise added)."""
    return _apply(tf, edits.SetTime(refs.task_or_heading(tf.doc, ref), hours))


def set_estimate(tf: TasksFile, ref: str, hours: float) -> EditResult:
    """A task's (or a heading's) Estimated Time set."""
    return _apply(tf, edits.SetEstimate(refs.task_or_heading(tf.doc, ref), hours))


def log(tf: TasksFile, text: str, kind: str = "", *, date: str | None = None, task: str | None = None) -> EditResult:
    """A Blocker or Decision added to the file's log, naming a task when ``task`` is given."""
    link = task_link(refs.task(tf.doc, task)) if task is not None else None
    return _apply(tf, edits.AddLogEntry(kind, text, date or edits.today(), link))


def task_link(task) -> str:
    """How a new log entry names a task: its id, else its text without markdown
    (tasktui.doc.links matches both that and the text as written)."""
    return task.id or shown_text(task.text)


def resolve(tf: TasksFile, entry: str, text: str, *, date: str | None = None) -> EditResult:
    """A blocker marked resolved, with how."""
    return _apply(tf, edits.ResolveEntry(refs.entry(tf.doc, entry), text, date or edits.today()))


def sync(tf: TasksFile) -> EditResult:
    """The Progress Tracking lines brought up to date."""
    return _apply(tf, edits.Sync())


def repair(tf: TasksFile) -> EditResult:
    """Mojibake rewritten to the characters it stands for."""
    return _apply(tf, edits.Repair())
