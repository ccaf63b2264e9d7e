"""References: how a person, a script or an agent names a task, a heading or a log
entry. One rule for every surface: the command line's REF, ``g`` in the app,
the find bar's id terms, and whatever comes next.

A task reference is, in this order:

- ``L<line>`` (``L40``, ``l40``): the task whose list item starts on that line
  (its checkbox line, or the line of its list marker when the checkbox comes
  later); else, for a line inside a task's details or subtasks' lines, the
  innermost task holding it. Where the caller takes headings (time, estimate),
  a heading's line names the heading. A legend item's line names that item (a
  key to the marks, not work: asked for by its line on purpose, an edit of it
  says so in its summary; moves refuse it).
- an id: ``T012``, ``1.2``, written with or without ``#`` in front and a dot at
  the end (``#T012``, ``T012.``, ``1.2.``), in any case: ``normal_id`` is the one
  place ids are normalised.
- a piece of a task's text, in any case, as the file holds it, as JSON shows it
  (U+FFFD for bytes that are not UTF-8) or as the screen shows it (control
  characters as their pictures).

Legend items are never named by an id or by text. Several tasks with the
reference (a duplicated id, a piece of text in several tasks) are an error for
an edit, with the lines to use instead, and the next one in turn for ``g``.
Every failure is a RefError with one sentence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasktui.doc.model import Document, HeadingKey, Task, TaskKey
from tasktui.doc.plaintext import shown_text
from tasktui.doc.safetext import json_text, visible

if TYPE_CHECKING:
    from tasktui.doc.edits.ops import EntryKey

LINE_REF = re.compile(r"[Ll](\d{1,9})")
ID_SHAPE = re.compile(r"(?:[Tt]\d{2,}[A-Za-z]?|\d+(?:\.\d+)*)\.?")

USE = "use an id, L<line> or part of the task's text"


class RefError(ValueError):
    """A reference that names nothing, or more than one thing; str() is one sentence."""


def id_key(task_id: str) -> str:
    """How ids compare: casefolded, without a trailing dot (``1.2.`` is ``1.2``)."""
    return task_id.casefold().rstrip(".")


def normal_id(text: str) -> str | None:
    """``text`` as an id to compare with ``id_key`` of a task's id, when it has the
    shape of one (``T012``, ``#t012``, ``1.2.``); None otherwise."""
    text = text.strip()
    if text.startswith("#"):
        text = text[1:]
    return id_key(text) if ID_SHAPE.fullmatch(text) else None


@dataclass(frozen=True)
class Found:
    """What a reference names: tasks (in file order; more than one only for an id or
    a piece of text several tasks share), or a heading (an index in doc.headings)."""

    ref: str
    tasks: tuple[Task, ...] = ()
    heading: int | None = None


def find(doc: Document, ref: str, *, headings: bool = False) -> Found:
    """Everything ``ref`` names in ``doc`` (see the module's docstring); RefError when it
    names nothing. ``headings``: a heading's line names the heading."""
    ref = ref.strip()
    if not ref:
        raise RefError(f"name a task: {USE}")
    m = LINE_REF.fullmatch(ref)
    if m:
        return _by_line(doc, ref, int(m.group(1)), headings)
    work = [t for t in doc.tasks if not t.legend]  # an id or a piece of text never means the legend
    wanted = normal_id(ref)
    if wanted is not None:
        hits = tuple(t for t in work if t.id is not None and id_key(t.id) == wanted)
        if hits:
            return Found(ref, hits)
    needle = ref.casefold()
    hits = tuple(t for t in work if _mentions(t.text, needle))
    if not hits:
        raise RefError(f"no task matches {ref!r}: {USE}")
    return Found(ref, hits)


def _by_line(doc: Document, ref: str, number: int, headings: bool) -> Found:
    line = number - 1
    count = doc.source.line_count
    if not 0 <= line < count:
        raise RefError(f"line {number} is not in the file: it has {count} line{'s' if count != 1 else ''}")
    task = item_at_line(doc, line)
    heading = next((i for i, h in enumerate(doc.headings) if h.line <= line < h.end), None) if task is None else None
    if heading is not None:
        if headings:
            return Found(ref, heading=heading)
        raise RefError(f"line {number} is the heading “{doc.headings[heading].text}”, not a task")
    if task is None:
        task = holding(doc, line)
    if task is None:
        raise RefError(f"no task is written on line {number}")
    return Found(ref, (task,))  # a legend item too: named by its line on purpose (never by id or text)


def item_at_line(doc: Document, line: int) -> Task | None:
    """The task whose list item starts on 0-based ``line``: its checkbox line or its marker's line."""
    task = doc.task_at_line(line)
    if task is not None:
        return task
    tasks = doc.tasks
    at = bisect.bisect_left(tasks, line, key=lambda t: t.item_line)
    return tasks[at] if at < len(tasks) and tasks[at].item_line == line else None


def holding(doc: Document, line: int) -> Task | None:
    """The innermost task whose list item holds 0-based ``line`` (its details, its
    subtasks), up to its last line that is not blank: the blank lines after an item
    belong to no task."""
    tasks, lines = doc.tasks, doc.source.lines
    at = bisect.bisect_right(tasks, line, key=lambda t: t.item_line) - 1
    task = tasks[at] if at >= 0 else None
    while task is not None and not (task.item_line <= line < task.end
                                     and any(lines[k].strip() for k in range(line, task.end))):
        task = tasks[task.parent] if task.parent is not None else None
    return task


def _mentions(text: str, needle: str) -> bool:
    """Whether the casefolded ``needle`` is a piece of ``text`` as the file holds it, as
    JSON shows it (U+FFFD for undecodable bytes) or as the screen shows it."""
    folded = text.casefold()
    if needle in folded:
        return True
    return any(needle in form.casefold() for form in (json_text(text), visible(text)) if form != text)


def _lines(tasks) -> str:
    """``40 and 88``, ``40, 88 and 120``."""
    numbers = [str(t.line + 1) for t in tasks]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _choices(tasks, limit: int = 5) -> str:
    """``L40 or L88``; ``L40, L88, L120 ... or L300`` when there are many."""
    shown = [f"L{t.line + 1}" for t in tasks[:limit]]
    if len(tasks) > limit:
        return ", ".join(shown) + f" (and {len(tasks) - limit} more)"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def ambiguous(found: Found) -> str:
    """The sentence for a reference that names several tasks."""
    tasks = found.tasks
    if normal_id(found.ref) is not None and all(t.id is not None and id_key(t.id) == normal_id(found.ref) for t in tasks):
        return f"{tasks[0].id} is on lines {_lines(tasks[:5])}{' and more' if len(tasks) > 5 else ''}: use {_choices(tasks)}"
    shown = "; ".join(f"L{t.line + 1} {shown_text(t.text)[:40]}" for t in tasks[:5])
    more = f" and {len(tasks) - 5} more" if len(tasks) > 5 else ""
    return f"{found.ref!r} matches {len(tasks)} tasks ({shown}{more}): be more specific or use L<line>"


def task(doc: Document, ref: str) -> Task:
    """The one task ``ref`` names, for an edit; RefError when it names none or several."""
    found = find(doc, ref)
    if len(found.tasks) > 1:
        raise RefError(ambiguous(found))
    return found.tasks[0]


def tasks(doc: Document, refs) -> list[Task]:
    """Every reference's task, in file order, each once; RefError for the first that fails."""
    named = {t.index: t for t in (task(doc, ref) for ref in refs)}
    return [named[i] for i in sorted(named)]


def task_or_heading(doc: Document, ref: str) -> TaskKey | HeadingKey:
    """What time and estimates are booked on: a task, or a heading named by its line
    (a heading-level task such as ``#### Task 1: Setup`` carries its own estimate)."""
    found = find(doc, ref, headings=True)
    if found.heading is not None:
        return doc.heading_keys[found.heading]
    if len(found.tasks) > 1:
        raise RefError(ambiguous(found))
    return doc.keys[found.tasks[0].index]


def heading(doc: Document, ref: str) -> HeadingKey:
    """A heading by its line (``L12``), its text (case aside), else a unique piece of it."""
    text = ref.strip()
    if not text:
        raise RefError("name a heading: its text, a piece of it, or L<line>")
    m = LINE_REF.fullmatch(text)
    if m and not any(h.text.casefold() == text.casefold() for h in doc.headings):
        found = find(doc, text, headings=True)
        if found.heading is None:
            raise RefError(f"line {m.group(1)} is not a heading")
        return doc.heading_keys[found.heading]
    needle = text.casefold()
    exact = [i for i, h in enumerate(doc.headings) if h.text.casefold() == needle]
    hits = exact or [i for i, h in enumerate(doc.headings) if _mentions(h.text, needle)]
    if len(hits) == 1:
        return doc.heading_keys[hits[0]]
    if not hits:
        raise RefError(f"no heading matches {text!r}")
    shown = "; ".join(f"L{doc.headings[i].line + 1} {doc.headings[i].text[:40]}" for i in hits[:5])
    raise RefError(f"{text!r} matches {len(hits)} headings ({shown}): be more specific or use L<line>")


def entry(doc: Document, ref: str) -> EntryKey:
    """A log entry by its line (``L42``) or a unique piece of its line's text."""
    text = ref.strip()
    from tasktui.doc.edits.log import entry_keys  # with the planners, when a log entry is named

    keys = entry_keys(doc)
    m = LINE_REF.fullmatch(text)
    if m:
        line = int(m.group(1)) - 1
        key = next((k for e, k in zip(doc.log, keys) if e.line == line), None)
        if key is None:
            raise RefError(f"there is no log entry on line {m.group(1)}")
        return key
    needle = text.casefold()
    hits = [(e, k) for e, k in zip(doc.log, keys) if needle and _mentions(doc.source.lines[e.line], needle)]
    if len(hits) == 1:
        return hits[0][1]
    if not hits:
        raise RefError(f"no log entry matches {text!r}")
    shown = "; ".join(f"L{e.line + 1} {e.text[:40]}" for e, _ in hits[:5])
    raise RefError(f"{text!r} matches {len(hits)} log entries ({shown}): be more specific or use L<line>")


def go(doc: Document, ref: str, after: int = -1) -> Task | str:
    """Where ``g`` goes: the task ``ref`` names; when several have it, the first after
    task index ``after`` (from the top again past the end). Else the sentence why not."""
    try:
        found = find(doc, ref)
    except RefError as exc:
        return sentence(str(exc))
    return next((t for t in found.tasks if t.index > after), found.tasks[0])


def sentence(text: str) -> str:
    """A RefError's text as a sentence on its own (the prompt's hint line)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
