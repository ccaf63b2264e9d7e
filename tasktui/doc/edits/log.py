"""Planning edits of the Blockers & Decisions log: new entries in the form the
file already uses, resolutions and changed text."""

from __future__ import annotations

import bisect
import datetime as _dt
import re

from tasktui.doc.edits.base import ConflictError, Details, EditError, Plan, line_text_span, new_line, same_tasks, text_bytes
from tasktui.doc.edits.ops import AddLogEntry, EditEntry, EntryKey, ResolveEntry
from tasktui.doc import headings as heading_rule
from tasktui.doc.model import Document, LogEntry
from tasktui.doc.patch import Patch

KINDS = ("Blocker", "Decision")
_KIND_PREFIX = re.compile(r"(blocker|decision)\s*:\s*", re.I)


def _log_heading(doc: Document):
    """The log's own heading (by its words: tasktui.doc.headings), if the file has one;
    a heading with tasks under it is work ("## Logs" of a feature list), not the log."""
    task_lines = [t.line for t in doc.tasks]
    for k, h in enumerate(doc.headings):
        if heading_rule.part(h.text) != heading_rule.LOG:
            continue
        end = next((x.line for x in doc.headings[k + 1:] if x.level <= h.level), doc.source.line_count)
        first = bisect.bisect_left(task_lines, h.line)
        if first == len(task_lines) or task_lines[first] >= end:
            return h
    return None


_ENTRY_FORM = re.compile(r"^(\s*(?:[-*+]\s+)?)(\*\*|__)?\d{4}-\d{2}-\d{2}")


def format_entry(date: str, kind: str, text: str, task: str | None, like: str | None = None) -> str:
    """An entry line: ``**2026-11-20** - Blocker: text (task T001)``, in the form of the
    entry ``like`` (a list item, a date without bold) when given."""
    lead, bold = "", "**"
    if like is not None:
        m = _ENTRY_FORM.match(like)
        if m:
            lead, bold = m.group(1), m.group(2) or ""
    link = f" (task {task})" if task else ""
    return f"{lead}{bold}{date}{bold} - {kind}: {text}{link}"


def check_date(date: str) -> str:
    try:
        return _dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise EditError(f"{date!r} is not a real date: use YYYY-MM-DD") from None


def today() -> str:
    return _dt.date.today().isoformat()


def plan_add_entry(doc: Document, op: AddLogEntry) -> Plan:
    kind = op.kind.strip().capitalize()
    if kind and kind not in KINDS:
        raise EditError(f"{op.kind!r} is not a kind of entry: use Blocker or Decision")
    text = op.text.strip()
    said = _KIND_PREFIX.match(text)
    if said is not None:  # "Decision: use B": the kind written into the text, not twice into the file
        named = said.group(1).capitalize()
        if kind and named != kind:
            raise EditError(f"the text starts with {named}: but the entry is a {kind}; drop one of them")
        kind, text = named, text[said.end():].strip()
    kind = kind or "Blocker"
    if not text:
        raise EditError("a log entry needs some text")
    date = check_date(op.date)
    src = doc.source
    real = [e for e in doc.log if not e.placeholder]
    entry = format_entry(date, kind, text, op.task, like=src.lines[real[-1].line] if real else None)
    placeholders = [e for e in doc.log if e.placeholder]
    count = len(real)

    def expect(before: Document, after: Document) -> str | None:
        problem = same_tasks(before, after)
        if problem:
            return problem
        got = [e for e in after.log if not e.placeholder]
        return None if len(got) == count + 1 else "the new entry did not parse as a log entry"

    summary = f"logged {kind}: {text}"

    def planned(patch: Patch, line: int | None) -> Plan:
        return Plan((patch,), summary, Details(line=line, kind=kind, date=date, text=text, task=op.task), expect)

    if real:
        last = real[-1]
        line = src.lines[last.line]
        trailing = line[len(line.rstrip()):]
        new = entry + trailing
        if _entry_gap(doc, real):
            ending = src.ending_after(last.line)
            if src.endings[last.line]:
                offset, data = src.starts[last.line + 1], ending + text_bytes(doc, new) + ending
            else:
                offset, data = len(src.data), ending + ending + text_bytes(doc, new)
            return planned(Patch(offset, offset, data), last.line + 3)
        offset, data = new_line(doc, new, last.line)
        return planned(Patch(offset, offset, data), last.line + 2)
    if placeholders:
        first, last = placeholders[0], placeholders[-1]
        line = src.lines[first.line]
        trailing = line[len(line.rstrip()):]
        start = src.starts[first.line]
        end = src.line_end(last.line)
        return planned(Patch(start, end, text_bytes(doc, entry + trailing)), first.line + 1)
    heading = _log_heading(doc)
    ending = src.majority_ending
    if heading is not None:
        if src.endings[heading.end - 1]:
            offset, data = src.starts[heading.end], ending + text_bytes(doc, entry) + ending
        else:
            offset, data = len(src.data), ending + ending + text_bytes(doc, entry)
        return planned(Patch(offset, offset, data), heading.end + 2)
    # no log section: create it where the file's dialect keeps it. In the template,
    # where the seed template has it: the last part of Progress Tracking (after the
    # phases); elsewhere, a section of its own at the end of the file, at the file's
    # section level (the dialect stays what it was)
    progress = next((h for h in doc.headings if heading_rule.part(h.text) == heading_rule.PROGRESS), None) \
        if doc.dialect == "template" else None
    if progress is not None:
        level = "#" * min(progress.level + 1, 6)
        nxt = next((h for h in doc.headings if h.line > progress.line and h.level <= progress.level), None)
        insert_line = nxt.line if nxt else src.line_count
        body = [f"{level} Blockers & Decisions Log", "", entry] + ([""] if nxt else [])  # a blank line before the next heading
    else:
        insert_line = src.line_count
        body = [f"{'#' * (doc.section_level or 2)} Blockers & Decisions Log", "", entry]
    text_block = ending.join(text_bytes(doc, x) for x in body)
    if insert_line < src.line_count:
        offset = src.starts[insert_line]
        return planned(Patch(offset, offset, text_block + ending), insert_line + body.index(entry) + 1)
    data = src.data
    offset = len(data)
    if not data.strip():
        return planned(Patch(offset, offset, text_block + ending), body.index(entry) + 1)
    if data.endswith((b"\n", b"\r")):  # the file ends with a line break: so does the result
        sep = b"" if src.line_count > 1 and not src.lines[-2].strip() else ending
        return planned(Patch(offset, offset, sep + text_block + ending), src.line_count - 1 + bool(sep) + len(body))
    # no line break at the end: none after the entry either
    return planned(Patch(offset, offset, ending + ending + text_block), src.line_count + 1 + len(body))


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


def plan_resolve(doc: Document, op: ResolveEntry) -> Plan:
    entry = find_entry(doc, op.entry)
    src = doc.source
    if entry.kind != "Blocker":
        raise EditError("only blockers can be resolved")
    if entry.resolved:
        raise EditError("that blocker is already resolved")
    date = check_date(op.date)
    text = op.text.strip()
    if not text:
        raise EditError("say how the blocker was resolved")
    addition = f" — Resolved {date}: {text}" if src.is_utf8 else f" -- Resolved {date}: {text}"
    line = src.lines[entry.line]
    at = src.offset(entry.line, len(line.rstrip()))
    line_no, count = entry.line, len(doc.log)

    def expect(before: Document, after: Document) -> str | None:
        got = [e for e in after.log if e.line == line_no]
        return same_tasks(before, after) or (
            None if got and got[0].resolved and len(after.log) == count else "the entry did not parse back as resolved")

    return Plan((Patch(at, at, text_bytes(doc, addition)),), f"resolved: {entry.text}",
                Details(line=entry.line + 1, resolution=text), expect)


def plan_edit_entry(doc: Document, op: EditEntry) -> Plan:
    entry = find_entry(doc, op.entry)
    text = op.text.strip()
    if not text:
        raise EditError("a log entry needs some text")
    line = doc.source.lines[entry.line]
    m = re.search(rf"{re.escape(entry.kind)}\]?\s*[:–—-]\s*", line, re.I)
    start_col = m.end() if m else -1
    body = line[start_col:len(line.rstrip())]
    # keep the task link and resolution that follow the text
    if start_col < 0 or not body.startswith(entry.text):
        raise EditError("cannot find the entry's text on its line")
    start, end = line_text_span(doc, entry.line, start_col, start_col + len(entry.text))
    line_no = entry.line

    def expect(before: Document, after: Document) -> str | None:
        got = [e for e in after.log if e.line == line_no]
        return same_tasks(before, after) or (None if got and got[0].text == text else "the entry did not parse back with the new text")

    return Plan((Patch(start, end, text_bytes(doc, text)),), f"entry L{entry.line + 1}: {text}",
                Details(line=entry.line + 1, text=text), expect)
