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
from typing import Callable

from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.doc import edits
from tasktui.doc.durations import parse_duration
from tasktui.doc.refs import (movable, resolve_entry, resolve_heading, resolve_ref, resolve_refs, task_link,
                              time_key)
from tasktui.doc.states import SETTABLE
from tasktui.storage import config

Note = Callable[[str], None] | None  # hears sentences worth telling that are not errors


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
    """``path`` read with the user's settings: their progress sync, working day and the
    dialect they say the file is (``dialect``, else the config's pattern for its path)."""
    return TasksFile(path, sync=cfg.sync, day_hours=cfg.day_hours, waiting=waiting,
                     dialect=dialect or cfg.dialect_for(path))


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


def toggle(tf: TasksFile, refs: list[str], note: Note = None) -> EditResult:
    """todo <-> done (other marks go to done); several: all done, or all open when all are done."""
    doc = tf.doc
    tasks = resolve_refs(doc, refs, note)
    return _apply(tf, edits.Toggle(doc.keys[tasks[0].index]) if len(tasks) == 1 else edits.toggle_all(doc, tasks))


def set_state(tf: TasksFile, refs: list[str], state: str, note: Note = None) -> EditResult:
    """Every task ``refs`` names put in ``state``, with the mark the file uses for it: one write."""
    state = settable_state(state)
    doc = tf.doc
    ops = tuple(edits.SetState(doc.keys[t.index], state) for t in resolve_refs(doc, refs, note))
    return _apply(tf, ops[0] if len(ops) == 1 else edits.Batch(ops))


def claim(tf: TasksFile, ref: str | None = None, note: Note = None) -> EditResult:
    """The first task that can start now (or the task ``ref``, when it can), marked in
    progress in one locked write: two claims never take the same task."""
    key = None if ref is None else tf.doc.keys[resolve_ref(tf.doc, ref, note).index]
    return _apply(tf, edits.Claim(key))


def add(tf: TasksFile, text: str, *, after: str | None = None, under: str | None = None,
        section: str | None = None, note: Note = None) -> EditResult:
    """A new task in its neighbours' style: after a task, as the last subtask of one,
    at the end of a heading's tasks, or at the end of the file."""
    if sum(x is not None for x in (after, under, section)) > 1:
        raise ActionError("say where the task goes with one of after, under or section")
    doc = tf.doc
    return _apply(tf, edits.AddTask(
        text,
        after=doc.keys[resolve_ref(doc, after, note).index] if after is not None else None,
        under=doc.keys[resolve_ref(doc, under, note).index] if under is not None else None,
        section=resolve_heading(doc, section) if section is not None else None))


def edit_text(tf: TasksFile, ref: str, text: str, expected: str | None = None, note: Note = None) -> EditResult:
    """The task's description changed (its id, markers and emphasis stay); with
    ``expected``, only while its text still reads so."""
    doc = tf.doc
    return _apply(tf, edits.EditText(doc.keys[resolve_ref(doc, ref, note).index], text, expected))


def delete(tf: TasksFile, refs: list[str], note: Note = None) -> EditResult:
    """The tasks, with their details and subtasks, gone in one write."""
    doc = tf.doc
    ops = tuple(edits.DeleteTask(doc.keys[t.index]) for t in resolve_refs(doc, refs, note))
    return _apply(tf, ops[0] if len(ops) == 1 else edits.Batch(ops))


def move(tf: TasksFile, ref: str, *, before: str | None = None, after: str | None = None,
         section: str | None = None, note: Note = None) -> EditResult:
    """The task, with its details and subtasks, next to another task (at its depth) or at
    the end of the tasks under a heading: exactly one of the three."""
    if sum(x is not None for x in (before, after, section)) != 1:
        raise ActionError("say where the task goes with exactly one of before, after or section")
    doc = tf.doc
    key = doc.keys[movable(doc, ref, note).index]
    if section is not None:
        return _apply(tf, edits.Move(key, section=resolve_heading(doc, section)))
    other = doc.keys[movable(doc, before if before is not None else after, note).index]
    return _apply(tf, edits.Move(key, before=other) if before is not None else edits.Move(key, after=other))


def renumber(tf: TasksFile, title: str) -> EditResult:
    """The numbers of the tasks under a heading put in order."""
    return _apply(tf, edits.Renumber(resolve_heading(tf.doc, title)))


def add_time(tf: TasksFile, ref: str, hours: float, note: Note = None) -> EditResult:
    """Time spent added to a task's Actual Time (or to a heading named by ``L<line>``)."""
    return _apply(tf, edits.AddTime(time_key(tf.doc, ref, note), hours))


def set_estimate(tf: TasksFile, ref: str, hours: float, note: Note = None) -> EditResult:
    """A task's (or a heading's) Estimated Time set."""
    return _apply(tf, edits.SetEstimate(time_key(tf.doc, ref, note), hours))


def log(tf: TasksFile, text: str, kind: str = "", *, date: str | None = None, task: str | None = None,
        note: Note = None) -> EditResult:
    """A Blocker or Decision added to the file's log, naming a task when ``task`` is given."""
    link = task_link(resolve_ref(tf.doc, task, note)) if task is not None else None
    return _apply(tf, edits.AddLogEntry(kind, text, date or edits.today(), link))


def resolve(tf: TasksFile, entry: str, text: str, *, date: str | None = None) -> EditResult:
    """A blocker marked resolved, with how."""
    return _apply(tf, edits.ResolveEntry(resolve_entry(tf.doc, entry), text, date or edits.today()))


def sync(tf: TasksFile) -> EditResult:
    """The Progress Tracking lines brought up to date."""
    return _apply(tf, edits.Sync())


def repair(tf: TasksFile) -> EditResult:
    """Mojibake rewritten to the characters it stands for."""
    return _apply(tf, edits.Repair())
