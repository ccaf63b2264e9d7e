"""References to tasks, headings and log entries, as people and agents write them:
an id (``T001``, ``1.1``), ``L42`` (what is written on line 42) or a piece of the
text that names exactly one. The command line and the MCP server resolve every
reference here, so a reference means the same thing wherever it is typed.

A reference that names nothing, or several things, is a ``RefError`` with one
sentence saying so (and how to be more specific)."""

from __future__ import annotations

import re
from typing import Callable

from tasktui.doc import edits
from tasktui.doc.model import Document, HeadingKey, Task, TaskKey
from tasktui.doc.safetext import json_text, visible


class RefError(ValueError):
    """A reference that names no task (heading, entry) or more than one: one sentence."""


def resolve_ref(doc: Document, ref: str, note: Callable[[str], None] | None = None) -> Task:
    """A task by id (``T001``, ``1.1``), ``L42`` (the task on line 42) or a unique text substring.
    ``note`` hears a sentence worth telling the user that is not an error (a legend item named by its line)."""
    ref = ref.strip()
    m = re.fullmatch(r"[Ll](\d+)", ref)
    if m:
        line = int(m.group(1)) - 1
        task = doc.task_at_line(line)
        if task is None:
            task = next((t for t in doc.tasks if t.item_line == line), None)
        if task is None:
            raise RefError(f"there is no task on line {m.group(1)}")
        if task.legend and note is not None:  # named by its line on purpose: done, with a word about it
            note(f"L{task.line + 1} is part of the file's legend, which says what each mark means")
        return task
    work = [t for t in doc.tasks if not t.legend]  # an id or a piece of text never means the legend
    by_id = [t for t in work if t.id is not None and (t.id == ref or t.id.rstrip(".") == ref.rstrip("."))]
    if len(by_id) == 1:
        return by_id[0]
    if len(by_id) > 1:
        raise RefError(_ambiguous(ref, by_id))
    hits = [t for t in work if _mentions(t.text, ref)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise RefError(f"no task matches {ref!r}: use an id, L<line> or part of the task's text")
    raise RefError(_ambiguous(ref, hits))


def resolve_refs(doc: Document, refs: list[str], note: Callable[[str], None] | None = None) -> list[Task]:
    """Every reference's task, in file order, each once; RefError naming the first that does not resolve."""
    found = {task.index: task for task in (resolve_ref(doc, ref, note) for ref in refs)}
    return [found[i] for i in sorted(found)]


def _mentions(text: str, ref: str) -> bool:
    """Whether ``ref`` is a piece of ``text`` as the file holds it, as JSON shows it
    (U+FFFD for undecodable bytes) or as the screen shows it (visible placeholders)."""
    needle = ref.casefold()
    return any(needle in form.casefold() for form in {text, json_text(text), visible(text)})


def _ambiguous(ref: str, tasks: list[Task]) -> str:
    shown = "; ".join(f"L{t.line + 1} {t.text[:40]}" for t in tasks[:5])
    more = f" and {len(tasks) - 5} more" if len(tasks) > 5 else ""
    return f"{ref!r} matches {len(tasks)} tasks ({shown}{more}): be more specific or use L<line>"


def resolve_entry(doc: Document, ref: str) -> edits.EntryKey:
    """A log entry by ``L42`` or a unique piece of its line's text."""
    keys = edits.entry_keys(doc)
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m:
        line = int(m.group(1)) - 1
        for e, k in zip(doc.log, keys):
            if e.line == line:
                return k
        raise RefError(f"there is no log entry on line {m.group(1)}")
    hits = [(e, k) for e, k in zip(doc.log, keys) if _mentions(doc.source.lines[e.line], ref)]
    if len(hits) == 1:
        return hits[0][1]
    if not hits:
        raise RefError(f"no log entry matches {ref!r}")
    shown = "; ".join(f"L{e.line + 1} {e.text[:40]}" for e, _ in hits[:5])
    raise RefError(f"{ref!r} matches {len(hits)} log entries ({shown}): be more specific or use L<line>")


def task_link(task: Task) -> str:
    """How a log entry names a task: its id, else its text."""
    return task.id or task.text


def resolve_heading(doc: Document, title: str) -> HeadingKey:
    """A heading by its text: the one written so (case aside), else the one holding it."""
    needle = title.strip().casefold()
    if not needle:
        raise RefError("name a heading: --section takes part of its text")
    exact = [i for i, h in enumerate(doc.headings) if h.text.casefold() == needle]
    hits = exact or [i for i, h in enumerate(doc.headings) if _mentions(h.text, title.strip())]
    if len(hits) == 1:
        return doc.heading_keys[hits[0]]
    if not hits:
        raise RefError(f"no heading matches {title!r}")
    shown = "; ".join(f"L{doc.headings[i].line + 1} {doc.headings[i].text[:40]}" for i in hits[:5])
    raise RefError(f"{title!r} matches {len(hits)} headings ({shown}): be more specific")


def movable(doc: Document, ref: str, note: Callable[[str], None] | None = None) -> Task:
    """The task REF names; a heading's line gets its own sentence (a heading-level task moves with its section)."""
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m and doc.task_at_line(int(m.group(1)) - 1) is None:
        line = int(m.group(1)) - 1
        if any(h.line <= line < h.end for h in doc.headings):
            raise RefError(f"line {m.group(1)} is a heading: a heading-level task moves with its section, "
                           "which tasktui leaves to your editor")
    return resolve_ref(doc, ref, note)


def time_key(doc: Document, ref: str, note: Callable[[str], None] | None = None) -> TaskKey | HeadingKey:
    """What time spent and estimates are booked on: a task (any REF), or a heading named
    by its line (``L12``), as `t` on a section row does: a heading-level task such as
    ``#### Task 1: Setup`` carries its own estimate."""
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m:
        line = int(m.group(1)) - 1
        index = next((i for i, h in enumerate(doc.headings) if h.line == line), None)
        if index is not None:
            return doc.heading_keys[index]
    return doc.keys[resolve_ref(doc, ref, note).index]
