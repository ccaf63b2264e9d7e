"""Edit operations: values that are planned into patches on one version of a document.

Every operation names its task by identity (TaskKey), never by line, so it can be
planned again on a newer version of the file. ``plan`` returns the patches, a
one-line summary and what the check after writing must find; ``check`` re-parses
and verifies that only the intended fields changed.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from tasktui.doc import patch as P
from tasktui.doc.durations import format_hours, uses_minutes
from tasktui.doc.model import _LABEL, Document, LogEntry, Task, TaskKey
from tasktui.doc.patch import Patch
from tasktui.doc.source import encode
from tasktui.doc.stats import document_progress, phase_status


class EditError(ValueError):
    """An edit that cannot be planned; str() is one sentence for the user."""


class ConflictError(EditError):
    """The file changed so that the edit no longer applies."""


# ---------------------------------------------------------------------------- ops
@dataclass(frozen=True)
class Toggle:
    key: TaskKey


@dataclass(frozen=True)
class SetState:
    key: TaskKey
    state: str


@dataclass(frozen=True)
class AddTask:
    text: str
    after: TaskKey | None = None
    under: TaskKey | None = None


@dataclass(frozen=True)
class EditText:
    key: TaskKey
    text: str


@dataclass(frozen=True)
class DeleteTask:
    key: TaskKey


@dataclass(frozen=True)
class AddTime:
    key: TaskKey
    hours: float


@dataclass(frozen=True)
class SetEstimate:
    key: TaskKey
    hours: float


@dataclass(frozen=True)
class EntryKey:
    """A log entry's identity: its line's text and occurrence."""

    text: str
    occurrence: int = 0


@dataclass(frozen=True)
class AddLogEntry:
    kind: str
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
    pass


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


@dataclass
class Plan:
    patches: list[Patch]
    summary: str
    details: dict = field(default_factory=dict)
    expect: object = None  # callable(before: Document, after: Document) -> str | None (problem)


# ----------------------------------------------------------------------- helpers
KINDS = ("Blocker", "Decision")
MOJIBAKE = {e: e.encode("utf-8").decode("cp1252") for e in ("⬜", "🟡", "✅")}
STATUS_WORDS = {"not_started": ("⬜", "Not Started"), "in_progress": ("🟡", "In Progress"), "complete": ("✅", "Complete")}


def _task(doc: Document, key: TaskKey) -> Task:
    task = doc.find(key)
    if task is None:
        label = key.id or key.text
        raise ConflictError(f"the task {label!r} is no longer in the file")
    return task


def _text_bytes(doc: Document, text: str) -> bytes:
    if "\n" in text or "\r" in text:
        raise EditError("text must be a single line")
    if not text.isascii() and not doc.source.is_utf8:
        raise EditError("this file is not valid UTF-8, so only ASCII text can be added to it")
    return encode(text)


def state_mark(doc: Document, state: str) -> str:
    kiro = doc.dialect == "kiro"
    if state == "todo":
        return " "
    if state == "done":
        return doc.done_mark()
    if state == "in_progress":
        return "-" if kiro else "/"
    if state == "queued":
        if not kiro:
            raise EditError("only Kiro files have a mark for queued tasks")
        return "~"
    if state == "cancelled":
        if kiro:
            raise EditError("Kiro files have no mark for cancelled tasks")
        return "-"
    raise EditError(f"unknown state {state!r}: use todo, done, in_progress, queued or cancelled")


def _line_text_span(doc: Document, line: int, start_col: int, end_col: int | None = None) -> tuple[int, int]:
    src = doc.source
    text = src.lines[line]
    end_col = len(text.rstrip()) if end_col is None else end_col
    return src.offset(line, start_col), src.offset(line, end_col)


def _insert_at(doc: Document, line: int) -> int:
    """Byte offset where a new line goes before line ``line`` (or at the end)."""
    src = doc.source
    return src.starts[line] if line < src.line_count else len(src.data)


def _new_line(doc: Document, text: str, after_line: int) -> tuple[int, bytes]:
    """(offset, bytes) to insert ``text`` as a new line after ``after_line``."""
    src = doc.source
    ending = src.ending_after(after_line)
    if after_line + 1 < src.line_count:
        return src.starts[after_line + 1], _text_bytes(doc, text) + ending
    # after the last line: it may have no ending of its own
    end = len(src.data)
    if src.endings[after_line]:
        return end, _text_bytes(doc, text) + ending
    return end, ending + _text_bytes(doc, text)


def _last_content_line(doc: Document, first: int, end: int) -> int:
    """The last non-blank line in [first, end)."""
    lines = doc.source.lines
    last = first
    for i in range(first, min(end, len(lines))):
        if lines[i].strip():
            last = i
    return last


_ITEM_PREFIX = re.compile(r"^((?:[ \t]*>)*[ \t]*)([-*+]|(\d{1,9})([.)]))([ \t]+)")


def _prefix_parts(doc: Document, task: Task):
    """(lead, bullet, number, delimiter, gap) of the task's list item line."""
    line = doc.source.lines[task.item_line]
    m = _ITEM_PREFIX.match(line)
    if not m:
        raise EditError("cannot work out the list style of that task")
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)


def _next_id(doc: Document, sibling: Task | None, parent: Task | None) -> str | None:
    """The next free id in the file's scheme, or None when tasks carry no ids."""
    if doc.dialect == "speckit" or (sibling and sibling.id and sibling.id.startswith("T")):
        nums = [t.id for t in doc.tasks if t.id and t.id.startswith("T")]
        if not nums:
            return None
        width = max(len(re.match(r"T(\d+)", i).group(1)) for i in nums)
        top = max(int(re.match(r"T(\d+)", i).group(1)) for i in nums)
        return f"T{top + 1:0{width}d}"
    if doc.dialect == "kiro" or (sibling and sibling.id):
        taken = {t.id for t in doc.tasks if t.id}
        if parent is not None and parent.id and not parent.id.startswith("T"):
            base = parent.id.rstrip(".")
            n = 1
            while f"{base}.{n}" in taken:
                n += 1
            return f"{base}.{n}"
        if sibling is not None and sibling.id and not sibling.id.startswith("T"):
            parts = sibling.id.rstrip(".").split(".")
            head = ".".join(parts[:-1])
            n = int(parts[-1]) + 1
            while (f"{head}.{n}" if head else str(n)) in taken:
                n += 1
            return f"{head}.{n}" if head else str(n)
    return None


def _kiro_top(doc: Document, task: Task) -> bool:
    return task.id is not None and "." not in task.id and bool(re.match(r"\d+\.\s", task.text))


# ------------------------------------------------------------------------- plans
def _plan_mark(doc: Document, task: Task, mark: str, verb: str) -> Plan:
    if task.mark == mark:
        return Plan([], f"{_label(task)} is already {verb}", {"line": task.line + 1, "mark": mark})
    data = encode(mark)
    patch = Patch(task.mark_offset, task.mark_offset + len(encode(task.mark)), data)
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        return _same_tasks(before, after, skip={index}) or (
            None if after.tasks[index].mark == mark else "the mark did not change"
        )

    return Plan([patch], f"{_label(task)}: [{task.mark}] -> [{mark}]", {"line": task.line + 1, "old": task.mark, "mark": mark}, expect)


def _label(task: Task) -> str:
    text = task.text if len(task.text) <= 50 else task.text[:47] + "..."
    return f"L{task.line + 1} {text}"


def _same_tasks(before: Document, after: Document, skip=()) -> str | None:
    """Every task not in ``skip`` keeps its mark, text and optional flag."""
    if len(before.tasks) != len(after.tasks):
        return f"the file would have {len(after.tasks)} tasks instead of {len(before.tasks)}"
    derived = after.__dict__.get("_derived_from")
    if derived is not None and derived[0]() is before:
        # a patched version: only the tasks it parsed again can differ
        pairs = ((before.tasks[i], after.tasks[i]) for i in derived[1])
    else:
        pairs = zip(before.tasks, after.tasks)
    for x, y in pairs:
        if x.index not in skip and (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
            return f"the task on line {x.line + 1} would change"
    return None


def plan(doc: Document, op) -> Plan:
    if doc.source.has_nul:
        raise EditError("the file contains NUL bytes, so tasktui never edits it")
    if isinstance(op, Toggle):
        task = _task(doc, op.key)
        mark = " " if task.state == "done" else doc.done_mark()
        return _plan_mark(doc, task, mark, "done" if mark != " " else "open")
    if isinstance(op, SetState):
        task = _task(doc, op.key)
        return _plan_mark(doc, task, state_mark(doc, op.state), op.state.replace("_", " "))
    if isinstance(op, EditText):
        return _plan_edit_text(doc, op)
    if isinstance(op, AddTask):
        return _plan_add_task(doc, op)
    if isinstance(op, DeleteTask):
        return _plan_delete(doc, op)
    if isinstance(op, AddTime):
        task = _task(doc, op.key)
        # in whole minutes, as written: three 1-minute bookings read back as 3 minutes
        total = (round((task.actual_hours or 0.0) * 60) + round(op.hours * 60)) / 60
        return _plan_time(doc, task, "Actual Time", total, op.hours)
    if isinstance(op, SetEstimate):
        task = _task(doc, op.key)
        return _plan_time(doc, task, "Estimated Time", op.hours, None)
    if isinstance(op, AddLogEntry):
        return _plan_log(doc, op)
    if isinstance(op, (ResolveEntry, EditEntry)):
        return _plan_entry_change(doc, op)
    if isinstance(op, Sync):
        patches = sync_patches(doc)
        summary = f"synced {len(patches)} progress line(s)" if patches else "progress lines already up to date"
        return Plan(patches, summary, {"changed_lines": len(patches)}, lambda b, a: _same_tasks(b, a))
    if isinstance(op, Restore):
        return _plan_restore(doc, op)
    if isinstance(op, Repair):
        return _plan_repair(doc)
    raise TypeError(f"not an edit operation: {op!r}")


def _plan_edit_text(doc: Document, op: EditText) -> Plan:
    task = _task(doc, op.key)
    text = op.text.strip()
    if not text:
        raise EditError("a task needs some text")
    col = task.col + 3 + (1 if task.optional else 0)
    line = doc.source.lines[task.line]
    # keep the single space after the checkbox
    start_col = col + (len(line[col:]) - len(line[col:].lstrip()))
    end_col = len(line.rstrip())
    if start_col > end_col:  # no text yet: write it right after the space that follows the checkbox
        start_col = end_col = col + 1
    start, end = _line_text_span(doc, task.line, start_col, end_col)
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        problem = _same_tasks(before, after, skip={index})
        if problem:
            return problem
        return None if after.tasks[index].text == text else "the new text did not parse back as the task's text"

    return Plan([Patch(start, end, _text_bytes(doc, text))], f"{_label(task)} -> {text}", {"line": task.line + 1, "text": text}, expect)


def _plan_add_task(doc: Document, op: AddTask) -> Plan:
    text = op.text.strip()
    if not text:
        raise EditError("a task needs some text")
    src = doc.source
    if op.under is not None:
        parent = _task(doc, op.under)
        kids = doc.children(parent)
        if kids:
            ref = kids[-1]
            lead, bullet, num, delim, gap = _prefix_parts(doc, ref)
            anchor_end = ref.end
        else:
            ref = None
            plead, pbullet, pnum, pdelim, pgap = _prefix_parts(doc, parent)
            # the first child's marker sits where the parent's content starts, in the
            # parent's list style: a numbered parent's first child is "1." (or "1)")
            width = len(plead) + len(pbullet) + len(pgap)
            lead = re.sub(r"[^\s>]", " ", src.lines[parent.item_line][:width])
            bullet, num, delim, gap = (f"1{pdelim}" if pnum is not None else pbullet), None, None, " "
            anchor_end = parent.end
        new_id = _next_id(doc, ref, parent)
        after_line = _last_content_line(doc, parent.line, anchor_end)
        position = (ref.index if ref else parent.index) + 1 + (len(_descendants(doc, ref)) if ref else len(_descendants(doc, parent)))
    else:
        ref = _task(doc, op.after) if op.after is not None else (doc.tasks[-1] if doc.tasks else None)
        if ref is not None and op.after is None:
            # append after the last top-level task of the last section
            while ref.parent is not None:
                ref = doc.tasks[ref.parent]
        parent = doc.tasks[ref.parent] if ref is not None and ref.parent is not None else None
        if ref is None:
            lead, bullet, num, delim, gap = "", "-", None, None, " "
            new_id = None
            after_line = src.line_count - 1
            position = 0
        else:
            lead, bullet, num, delim, gap = _prefix_parts(doc, ref)
            new_id = _next_id(doc, ref, parent)
            after_line = _last_content_line(doc, ref.line, ref.end)
            position = ref.index + 1 + len(_descendants(doc, ref))
    if num is not None:  # a numbered list: the number after the task it follows
        bullet = f"{int(num) + 1}{delim}"
    body = text
    if new_id and not re.match(r"(T\d+|\d+(\.\d+)*)\b", text):
        sep = ". " if doc.dialect == "kiro" and "." not in new_id and parent is None else " "
        body = f"{new_id}{sep}{text}"
    line_text = f"{lead}{bullet}{gap}[ ] {body}"
    new_line = after_line + 1
    first = ref is None and op.under is None  # the file has no task yet
    if first and src.line_count > 1 and not src.lines[-1]:
        # no task to follow and the file ends with a line break: append after a
        # blank line and keep the file ending with a line break
        ending = src.endings[-2]
        sep = ending if src.lines[-2].strip() else b""
        offset, data = len(src.data), sep + _text_bytes(doc, line_text) + ending
        new_line = src.line_count - 1 + (1 if sep else 0)
    elif first and src.line_count == 1 and not src.lines[0]:  # an empty file
        offset, data = len(src.data), _text_bytes(doc, line_text) + src.majority_ending
        new_line = 0
    else:
        offset, data = _new_line(doc, line_text, after_line)

    def expect(before: Document, after: Document) -> str | None:
        if len(after.tasks) != len(before.tasks) + 1:
            return "the new task did not parse as a task"
        new = after.tasks[position]
        if new.text != body or new.mark != " ":
            return "the new task did not parse back as written"
        rest = after.tasks[:position] + after.tasks[position + 1:]
        for x, y in zip(before.tasks, rest):
            if (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
                return f"the task on line {x.line + 1} would change"
        return None

    return Plan([Patch(offset, offset, data)], f"added L{new_line + 1} {body}", {"line": new_line + 1, "text": body, "id": new_id}, expect)


def _descendants(doc: Document, task: Task | None) -> list[Task]:
    if task is None:
        return []
    return [t for t in doc.tasks[task.index + 1:] if t.line < task.end]


def _plan_delete(doc: Document, op: DeleteTask) -> Plan:
    task = _task(doc, op.key)
    src = doc.source
    last = _last_content_line(doc, task.item_line, task.end)
    if src.lines[task.item_line].lstrip(" \t>")[:1] not in "-*+0123456789":
        raise EditError("that task shares its line with another list item")
    start = src.starts[task.item_line]
    blank = lambda i: 0 <= i < src.line_count and not src.lines[i].strip()  # noqa: E731
    if blank(task.item_line - 1) and blank(last + 1) and last + 2 < src.line_count:
        last += 1  # blank lines on both sides: take one with the task, so no double gap is left
    end = src.starts[last + 1] if last + 1 < src.line_count else len(src.data)
    if end == len(src.data) and not src.endings[last] and task.item_line > 0:
        # the last line has no ending: take the ending before it instead
        start -= len(src.endings[task.item_line - 1])
    gone = {task.index} | {t.index for t in _descendants(doc, task)}

    def expect(before: Document, after: Document) -> str | None:
        keep = [t for t in before.tasks if t.index not in gone]
        if len(keep) != len(after.tasks):
            return "deleting would change other tasks"
        for x, y in zip(keep, after.tasks):
            if (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
                return f"the task on line {x.line + 1} would change"
        return None

    return Plan([Patch(start, end, b"")], f"deleted {_label(task)}" + (f" and {len(gone) - 1} subtask(s)" if len(gone) > 1 else ""), {"line": task.line + 1, "removed": len(gone)}, expect)


def _plan_time(doc: Document, task: Task, label: str, hours: float, added: float | None) -> Plan:
    src = doc.source
    is_estimate = label == "Estimated Time"
    existing = task.estimate_line if is_estimate else task.actual_line
    est_line = task.estimate_line
    minutes = False
    if est_line is not None:
        m = _LABEL.match(src.lines[est_line])
        minutes = bool(m) and uses_minutes(m.group(2))
    value = format_hours(hours, minutes)
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        problem = _same_tasks(before, after)
        if problem:
            return problem
        got = after.tasks[index].estimate_hours if is_estimate else after.tasks[index].actual_hours
        return None if got is not None and round(got * 60) == round(hours * 60) else f"the {label.lower()} did not parse back as {value}"

    details = {"line": task.line + 1, "label": label, "hours": round(hours, 4), "value": value}
    if added is not None:
        details["added_hours"] = round(added, 4)
    summary = f"{_label(task)}: {label} {value}"
    if existing is not None:
        m = _LABEL.match(src.lines[existing])
        start, end = _line_text_span(doc, existing, m.start(2), m.end(2))
        return Plan([Patch(start, end, encode(value))], summary, details, expect)
    model_line = task.actual_line if is_estimate else est_line
    if model_line is not None:
        # copy the neighbouring bullet's style: indentation, bullet, label form
        line = src.lines[model_line]
        m = _LABEL.match(line)
        styled = line[: m.start(1)] + label + line[m.end(1): m.start(2)] + value
        after_line = model_line - 1 if is_estimate else model_line
        offset, data = _new_line(doc, styled, after_line)
        return Plan([Patch(offset, offset, data)], summary, details, expect)
    # no bullet to copy: a detail bullet under the task, before its subtasks
    kids = doc.children(task)
    limit = kids[0].item_line if kids else task.end
    after_line = _last_content_line(doc, task.line, limit)
    lead = _detail_bullet(doc, task, limit)
    if lead is None:
        item = src.lines[task.item_line]
        m = _ITEM_PREFIX.match(item) if task.item_line == task.line else None
        if m is not None:
            lead = re.sub(r"[^\s>]", " ", item[: len(m.group(0))]) + "- "
        else:  # a marker alone on its line: the item's content starts where the checkbox does
            lead = re.sub(r"[^\s>]", " ", src.lines[task.line][: task.col]) + "- "
    offset, data = _new_line(doc, f"{lead}**{label}**: {value}", after_line)
    return Plan([Patch(offset, offset, data)], summary, details, expect)


def _detail_bullet(doc: Document, task: Task, limit: int) -> str | None:
    """The prefix (indent + bullet + space) of the task's first detail bullet, if any."""
    for i in range(task.line + 1, min(limit, doc.source.line_count)):
        m = _ITEM_PREFIX.match(doc.source.lines[i])
        if m and m.group(3) is None:
            return m.group(0)
    return None


# --------------------------------------------------------------------------- log
_LOG_HEADING = re.compile(r"blockers?\s*(?:&|and)?\s*decisions?\s*log|decisions?\s*log|blockers?", re.I)


def _log_heading(doc: Document):
    for i, h in enumerate(doc.headings):
        if _LOG_HEADING.search(h.text):
            return i, h
    return None, None


def format_entry(date: str, kind: str, text: str, task: str | None) -> str:
    link = f" (task {task})" if task else ""
    return f"**{date}** - {kind}: {text}{link}"


def _check_date(date: str) -> str:
    try:
        return _dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise EditError(f"{date!r} is not a real date: use YYYY-MM-DD") from None


def _plan_log(doc: Document, op: AddLogEntry) -> Plan:
    kind = op.kind.strip().capitalize()
    if kind not in KINDS:
        raise EditError(f"{op.kind!r} is not a kind of entry: use Blocker or Decision")
    text = op.text.strip()
    if not text:
        raise EditError("a log entry needs some text")
    date = _check_date(op.date)
    entry = format_entry(date, kind, text, op.task)
    src = doc.source
    real = [e for e in doc.log if not e.placeholder]
    placeholders = [e for e in doc.log if e.placeholder]
    count = len(real)

    def expect(before: Document, after: Document) -> str | None:
        problem = _same_tasks(before, after)
        if problem:
            return problem
        got = [e for e in after.log if not e.placeholder]
        return None if len(got) == count + 1 else "the new entry did not parse as a log entry"

    details = {"kind": kind, "date": date, "text": text, "task": op.task}
    if real:
        last = real[-1]
        line = src.lines[last.line]
        trailing = line[len(line.rstrip()):]
        gap = _entry_gap(doc, real)
        new = entry + trailing
        if gap:
            ending = src.ending_after(last.line)
            if src.endings[last.line]:
                offset, data = src.starts[last.line + 1], ending + _text_bytes(doc, new) + ending
            else:
                offset, data = len(src.data), ending + ending + _text_bytes(doc, new)
            return Plan([Patch(offset, offset, data)], f"logged {kind}: {text}", details | {"line": last.line + 3}, expect)
        offset, data = _new_line(doc, new, last.line)
        return Plan([Patch(offset, offset, data)], f"logged {kind}: {text}", details | {"line": last.line + 2}, expect)
    if placeholders:
        first, last = placeholders[0], placeholders[-1]
        line = src.lines[first.line]
        trailing = line[len(line.rstrip()):]
        start = src.starts[first.line]
        end = src.line_end(last.line)
        return Plan([Patch(start, end, _text_bytes(doc, entry + trailing))], f"logged {kind}: {text}", details | {"line": first.line + 1}, expect)
    _, heading = _log_heading(doc)
    ending = src.majority_ending
    if heading is not None:
        if src.endings[heading.end - 1]:
            offset, data = src.starts[heading.end], ending + _text_bytes(doc, entry) + ending
        else:
            offset, data = len(src.data), ending + ending + _text_bytes(doc, entry)
        return Plan([Patch(offset, offset, data)], f"logged {kind}: {text}", details | {"line": heading.end + 2}, expect)
    # no log section: create it, under Progress Tracking when there is one
    progress = next((h for h in doc.headings if "progress tracking" in h.text.lower()), None)
    if progress is not None:
        level = "#" * min(progress.level + 1, 6)
        block = f"{level} Blockers & Decisions Log"
        nxt = next((h for h in doc.headings if h.line > progress.line and h.level <= progress.level), None)
        insert_line = nxt.line if nxt else src.line_count
        body = [block, "", entry] + ([""] if nxt else [])  # a blank line before the next heading
    else:
        insert_line = src.line_count
        body = ["## Progress Tracking", "", "### Blockers & Decisions Log", "", entry]
    text_block = ending.join(_text_bytes(doc, x) for x in body)
    if insert_line >= src.line_count:
        data = src.data
        prefix = b"" if data.endswith((b"\n", b"\r")) or not data else ending
        sep = ending if data.strip() and not data.endswith(ending + ending) and data else b""
        patch_data = prefix + sep + text_block + ending
        offset = len(data)
    else:
        offset = src.starts[insert_line]
        patch_data = text_block + ending
    return Plan([Patch(offset, offset, patch_data)], f"logged {kind}: {text}", details, expect)


def _entry_gap(doc: Document, entries: list[LogEntry]) -> bool:
    """Whether existing entries are separated by blank lines."""
    if len(entries) < 2:
        return False
    a, b = entries[-2].line, entries[-1].line
    return b - a > 1 and all(not doc.source.lines[i].strip() for i in range(a + 1, b))


def entry_keys(doc: Document) -> list[EntryKey]:
    seen: dict[str, int] = {}
    keys = []
    for e in doc.log:
        text = doc.source.lines[e.line].strip()
        n = seen.get(text, 0)
        seen[text] = n + 1
        keys.append(EntryKey(text, n))
    return keys


def find_entry(doc: Document, key: EntryKey) -> LogEntry:
    for e, k in zip(doc.log, entry_keys(doc)):
        if k == key:
            return e
    raise ConflictError("that log entry is no longer in the file")


def _plan_entry_change(doc: Document, op) -> Plan:
    entry = find_entry(doc, op.entry)
    src = doc.source
    line = src.lines[entry.line]
    body_end = len(line.rstrip())
    count = len(doc.log)
    if isinstance(op, ResolveEntry):
        if entry.kind != "Blocker":
            raise EditError("only blockers can be resolved")
        if entry.resolved:
            raise EditError("that blocker is already resolved")
        date = _check_date(op.date)
        text = op.text.strip()
        if not text:
            raise EditError("say how the blocker was resolved")
        addition = f" — Resolved {date}: {text}"
        if not src.is_utf8:
            addition = f" -- Resolved {date}: {text}"
        at = src.offset(entry.line, body_end)
        line_no = entry.line

        def expect(before: Document, after: Document) -> str | None:
            got = [e for e in after.log if e.line == line_no]
            return _same_tasks(before, after) or (None if got and got[0].resolved and len(after.log) == count else "the entry did not parse back as resolved")

        return Plan([Patch(at, at, _text_bytes(doc, addition))], f"resolved: {entry.text}", {"line": entry.line + 1, "resolution": text}, expect)
    text = op.text.strip()
    if not text:
        raise EditError("a log entry needs some text")
    m = re.match(r"^(\s*\*\*[^*]+\*\*\s*[-–—]\s*\[?\w+\]?\s*:\s*)", line)
    start_col = len(m.group(1))
    body = line[start_col:body_end]
    # keep the task link and resolution that follow the text
    keep_from = len(entry.text)
    if not body.startswith(entry.text):
        raise EditError("cannot find the entry's text on its line")
    start, end = _line_text_span(doc, entry.line, start_col, start_col + keep_from)
    line_no = entry.line

    def expect(before: Document, after: Document) -> str | None:
        got = [e for e in after.log if e.line == line_no]
        return _same_tasks(before, after) or (None if got and got[0].text == text else "the entry did not parse back with the new text")

    return Plan([Patch(start, end, _text_bytes(doc, text))], f"entry L{entry.line + 1}: {text}", {"line": entry.line + 1, "text": text}, expect)


# -------------------------------------------------------------------------- sync
def _emoji_form(value: str) -> str | None:
    if any(m in value for m in MOJIBAKE.values()):
        return "mojibake"
    if any(e in value for e in MOJIBAKE):
        return "emoji"
    return None


def completion_value(status: str, current: str) -> str:
    emoji, words = STATUS_WORDS[status]
    form = _emoji_form(current)
    if form == "mojibake":
        return f"{MOJIBAKE[emoji]} {words}"
    if form == "emoji":
        return f"{emoji} {words}"
    return words


def time_values(doc: Document) -> dict[str, str]:
    prog = document_progress(doc)
    out: dict[str, str] = {}
    if prog.estimate_hours is not None:
        out["estimated total"] = format_hours(prog.estimate_hours)
    if prog.actual_hours is not None:
        out["actual time"] = format_hours(prog.actual_hours)
    if prog.variance_hours is not None and prog.variance_pct is not None:
        sign = "+" if prog.variance_pct >= 0 else "-"
        out["variance"] = f"{format_hours(prog.variance_hours)} ({sign}{abs(round(prog.variance_pct))}%)"
    return out


def sync_patches(doc: Document) -> list[Patch]:
    """Patches that make the Completion Status and Time Tracking lines state the truth."""
    patches: list[Patch] = []
    src = doc.source
    if doc.completion:
        status = phase_status(doc)
        for c in doc.completion:
            true = status.get(c.phase)
            if true is None or c.status == true:
                continue
            line = src.lines[c.line]
            m = re.match(r"^(\s*\*\*Phase\s+\d+\*\*:?[ \t]*)(.*?)[ \t]*$", line, re.I)
            if not m:
                continue
            new = completion_value(true, m.group(2))
            if not new.isascii() and not src.is_utf8:
                continue
            start, end = _line_text_span(doc, c.line, m.start(2), m.end(2))
            patches.append(Patch(start, end, encode(new)))
    if doc.time_lines:
        values = time_values(doc)
        for tl in doc.time_lines:
            new = values.get(tl.label.lower())
            if new is None or tl.value.strip() == new:
                continue
            line = src.lines[tl.line]
            m = _LABEL.match(line)
            start, end = _line_text_span(doc, tl.line, m.start(2), m.end(2))
            patches.append(Patch(start, end, encode(new)))
    return patches


def _plan_repair(doc: Document) -> Plan:
    from tasktui import repair

    fixes = repair.find(doc.source)
    if not fixes:
        return Plan([], "no mojibake found", {"fixed": 0})

    def expect(before: Document, after: Document) -> str | None:
        if len(before.tasks) != len(after.tasks):
            return "repairing would change the number of tasks"
        for x, y in zip(before.tasks, after.tasks):
            if (x.mark, x.optional, x.line) != (y.mark, y.optional, y.line):
                return f"repairing would change the task on line {x.line + 1}"
        return None

    kinds = sorted({f"{f.old} → {f.new}" for f in fixes})
    return Plan(repair.patches(doc.source, fixes), f"repaired {len(fixes)} mojibake sequence(s): {', '.join(kinds)}",
                {"fixed": len(fixes), "lines": sorted({f.line + 1 for f in fixes})}, expect)


# ----------------------------------------------------------------------- restore
def _plan_restore(doc: Document, op: Restore) -> Plan:
    patches = []
    data = doc.source.data
    for item in op.items:
        if item.anchor is None:
            offset = item.offset
        else:
            anchor = doc.find(item.anchor)
            if anchor is None:
                raise ConflictError("the task it belongs to is no longer in the file")
            offset = doc.source.starts[anchor.item_line] + item.offset
        if data[offset:offset + len(item.expected)] != item.expected:
            raise ConflictError("that part of the file has changed since")
        patches.append(Patch(offset, offset + len(item.expected), item.replacement))
    return Plan(patches, op.summary, {}, None)


def restore_for(before: bytes, after_doc: Document, patches, summary: str, anchors: bool) -> Restore:
    """The Restore that turns ``after_doc`` (made by ``patches`` on ``before``) back into ``before``."""
    items = []
    for inv in P.inverse(before, patches):
        anchor = None
        offset = inv.start
        if anchors and after_doc.tasks:
            task = _task_before(after_doc, inv.start)
            if task is not None:
                anchor = after_doc.keys[task.index]
                offset = inv.start - after_doc.source.starts[task.item_line]
        items.append(RestoreItem(anchor, offset, after_doc.source.data[inv.start:inv.end], inv.data))
    return Restore(tuple(items), summary)


def _task_before(doc: Document, offset: int) -> Task | None:
    """The last task whose first line starts at or before ``offset``."""
    import bisect

    starts = doc.source.starts
    i = bisect.bisect_right(doc.tasks, offset, key=lambda t: starts[t.item_line]) - 1
    return doc.tasks[i] if i >= 0 else None


def today() -> str:
    return _dt.date.today().isoformat()
