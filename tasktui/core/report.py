"""What the command line's ``--json`` and the MCP server's tools answer, as plain
JSON-shaped values: a task, a file's status, what can start, the dependency
check, an edit's outcome and the overview's rows. Built here once, so that a
tool's answer and ``tasktui ... --json`` for the same question are the same
object. Text from the file is kept as it is; ``tasktui.doc.safetext`` makes it
valid JSON where it is written out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tasktui.core.tasksfile import EditResult
from tasktui.doc.dependencies import Dependencies, Problem
from tasktui.doc.model import Document, Task
from tasktui.doc.plaintext import shown_text
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import Counts, RollUp
from tasktui.storage import config, store

if TYPE_CHECKING:
    from tasktui.core import workspace


def task_json(doc: Document, task: Task) -> dict:
    """One task as ``list --json`` prints it (the README's table of fields)."""
    return {
        "line": task.line + 1,
        "state": task.state,
        "mark": task.mark,
        "optional": task.optional,
        "id": task.id,
        "markers": list(task.markers),
        "text": task.text,
        "plain": shown_text(task.text),
        "path": list(task.path),
        "parent_line": None if task.parent is None else doc.tasks[task.parent].line + 1,
        "estimate_hours": task.estimate_hours,
        "actual_hours": task.actual_hours,
        "legend": task.legend,
        "label": task.label,
    }


def _numbers(c: Counts) -> dict:
    return {
        "total": c.total, "done": c.done, "required": c.required, "required_done": c.required_done,
        "optional": c.optional, "cancelled": c.cancelled, "percent": c.percent, "status": c.status,
        "estimate_hours": c.estimate_hours, "actual_hours": c.actual_hours,
        "variance_hours": c.variance_hours, "variance_pct": c.variance_pct, "remaining_hours": c.remaining_hours,
    }


def top_level(doc: Document) -> list[Task]:
    """The top-level tasks (Kiro's parts), legend items left out."""
    return [t for t in doc.tasks if t.parent is None and not t.legend]


def status_json(doc: Document, rollup: RollUp | None = None) -> dict:
    """``status --json``: the whole file's numbers, each section's and each top-level task's, and the log."""
    rollup = rollup if rollup is not None else RollUp(doc)
    whole = _numbers(rollup.document)
    del whole["status"]
    sections = [{"title": s.title, "line": None if s.line is None else s.line + 1, **_numbers(rollup.section(s.index))}
                for s in doc.sections]
    tops = [{"line": t.line + 1, "id": t.id, "text": t.text, "state": t.state, **_numbers(rollup.task(t.index))}
            for t in top_level(doc)]
    return {
        "title": doc.title,
        **{k: whole[k] for k in ("total", "done", "required", "required_done", "optional", "cancelled", "percent")},
        "dialect": doc.dialect,
        "dialect_signals": list(doc.dialect_signals),
        **{k: whole[k] for k in ("estimate_hours", "actual_hours", "variance_hours", "variance_pct", "remaining_hours")},
        "sections": sections,
        "top_level": tops,
        "problems": doc.problems,
        "blockers": [
            {
                "line": e.line + 1,
                "date": e.date,
                "kind": e.kind,
                "text": e.text,
                "task": e.task,
                "resolved": e.resolved,
            }
            for e in doc.log
            if not e.placeholder
        ],
    }


def task_ref(task: Task) -> str:
    """The shortest reference that names ``task``: its id, else its line."""
    return task.id.rstrip(".") if task.id else f"L{task.line + 1}"


def next_json(doc: Document, rollup: RollUp, readiness: Readiness, task: Task,
              mark_done: Callable[[str], str]) -> dict:
    """``next --json``: the task with the reason it comes next, and a ``note`` for a Kiro
    parent whose subtasks are all done (offered, not changed: ``mark_done(ref)`` says
    how, in the words of the surface asking)."""
    note = None
    if doc.dialect == "kiro" and rollup.task(task.index).total > 1:
        note = f"all its subtasks are done: mark it done with {mark_done(task_ref(task))}"
    return {**task_json(doc, task), "note": note, "reason": readiness.reason(task.index)}


def ready_json(doc: Document, readiness: Readiness, tasks: list[Task]) -> list[dict]:
    """``next --all --json``: every task that can start now, each with its reason."""
    return [{**task_json(doc, t), "reason": readiness.reason(t.index)} for t in tasks]


def claimed_json(doc: Document, result: EditResult) -> dict:
    """``next --claim --json``: the task a claim took, as the file holds it now."""
    task = doc.task_at_line(result.details.line - 1)
    return {**task_json(doc, task), "note": None, "reason": result.details.reason, "claimed": True}


def dependency_problems(doc: Document, rollup: RollUp) -> tuple[Dependencies, list[Problem]]:
    """The order the file states, and its cycles and missing references in line order."""
    deps = Readiness(doc, rollup).deps
    return deps, sorted(deps.problems, key=lambda p: (p.line, p.kind, p.text))


def check_json(file: str, deps: Dependencies, problems: list[Problem]) -> dict:
    """``check --json``."""
    return {"file": file, "statements": deps.statements, "problems": [
        {"kind": p.kind, "line": p.line + 1, "text": p.text, "tasks": [deps.task_name(i) for i in p.tasks]}
        for p in problems]}


def edit_json(file: str, result: EditResult) -> dict:
    """An edit command's ``--json``: what changed, in a sentence and in fields."""
    return {"file": file, "changed": result.changed, "summary": result.summary, "replanned": result.replanned,
            **result.details.as_dict()}


def overview(root: Path, settings: config.Config, dialect: str | None = None,
             files: list[Path] | None = None) -> list[workspace.FileSummary]:
    """Every tasks file below ``root`` (or the ``files`` given, found there) in a line, as
    ``status --all`` and the overview show them; a file another program is writing says
    so instead of its numbers."""
    from tasktui.core import workspace  # the folder walk and the summaries: only for the overview

    summaries = []
    for path in workspace.find_tasks_files(root) if files is None else files:
        try:
            summaries.append(workspace.summarize(path, root, settings, dialect=dialect))
        except store.Busy:
            summaries.append(replace(workspace.placeholder(path, root), error="another program is writing it"))
    return workspace.with_commits(summaries)  # "Changed": a file's last commit when git has it as it is


def overview_json(root: str, summaries: list[workspace.FileSummary], found: int | None = None) -> dict:
    """``status --all --json``: the files listed, how many were found (more than listed
    when ``--limit`` cut the list: then ``truncated``)."""
    found = len(summaries) if found is None else found
    return {"root": root, "files": [s.json() for s in summaries], "found": found, "truncated": found > len(summaries)}
