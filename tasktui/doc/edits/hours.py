"""Planning time edits: time spent (``**Actual Time**``) and estimates, written
beside the task's other time bullets in their style."""

from __future__ import annotations

import re

from tasktui.doc.durations import format_hours, parse_hours, uses_minutes
from tasktui.doc.edits.base import (ITEM_PREFIX, ConflictError, Details, Plan, find_task, insert_lines, label,
                                    last_content_line, line_text_span, new_line, same_tasks, text_bytes)
from tasktui.doc.edits.ops import AddTime, SetEstimate, SetTime
from tasktui.doc.model import ESTIMATE_LABELS, LABEL_LINE, Document, HeadingKey, Task
from tasktui.doc.patch import Patch
from tasktui.doc.source import encode

ACTUAL, ESTIMATE = "Actual Time", "Estimated Time"


def plan_add_time(doc: Document, op: AddTime) -> Plan:
    if isinstance(op.key, HeadingKey):
        return _plan_heading_time(doc, op.key, ACTUAL, op.hours)
    task = find_task(doc, op.key)
    # in whole minutes, as written: three 1-minute bookings read back as 3 minutes
    total = (round((task.actual_hours or 0.0) * 60) + round(op.hours * 60)) / 60
    return _plan_time(doc, task, ACTUAL, total, op.hours)


def plan_set_time(doc: Document, op: SetTime) -> Plan:
    if isinstance(op.key, HeadingKey):
        return _plan_heading_time(doc, op.key, ACTUAL, op.hours, add=False)
    return _plan_time(doc, find_task(doc, op.key), ACTUAL, op.hours, None)


def plan_set_estimate(doc: Document, op: SetEstimate) -> Plan:
    if isinstance(op.key, HeadingKey):
        return _plan_heading_time(doc, op.key, ESTIMATE, op.hours)
    return _plan_time(doc, find_task(doc, op.key), ESTIMATE, op.hours, None)


def _plan_heading_time(doc: Document, key: HeadingKey, name: str, hours: float, *, add: bool = True) -> Plan:
    """Time on a heading: its ``**Actual Time**`` (added to, or set without ``add``) or
    its estimate (set), written beside its estimate line in that line's style, else
    just below it."""
    index = doc.find_heading(key)
    if index is None:
        raise ConflictError(f"the heading {key.path[-1]!r} is no longer in the file")
    heading = doc.headings[index]
    src = doc.source
    labels = doc.heading_labels(index)
    estimate = next((labels[n] for n in ESTIMATE_LABELS if n in labels), None)
    existing = estimate if name == ESTIMATE else labels.get("actual time")
    if name == ACTUAL and add:
        current = parse_hours(existing.value, doc.day_hours) if existing is not None else None
        total = (round((current or 0.0) * 60) + round(hours * 60)) / 60
    else:
        total = hours
    minutes = estimate is not None and uses_minutes(estimate.value)
    value = format_hours(total, minutes)
    label_name = estimate.label if name == ESTIMATE and estimate is not None else name
    details = Details(line=heading.line + 1, label=name, hours=round(total, 4), value=value,
                      added_hours=round(hours, 4) if name == ACTUAL and add else None)
    summary = f"L{heading.line + 1} {heading.text}: {name} {value}"

    def expect(before: Document, after: Document) -> str | None:
        problem = same_tasks(before, after)
        if problem:
            return problem
        got = after.find_heading(key)
        lab = after.heading_labels(got).get(label_name.lower()) if got is not None else None
        value_read = parse_hours(lab.value, after.day_hours) if lab is not None else None
        return None if value_read is not None and round(value_read * 60) == round(total * 60) else (
            f"the {name.lower()} did not parse back as {value}")

    if existing is not None:
        m = LABEL_LINE.match(src.lines[existing.line])
        start, end = line_text_span(doc, existing.line, m.start(2), m.end(2))
        return Plan((Patch(start, end, encode(value)),), summary, details, expect)
    if estimate is not None:  # beside the estimate, in its style (a bullet, or a line of its own)
        line = src.lines[estimate.line]
        m = LABEL_LINE.match(line)
        styled = line[: m.start(1)] + name + line[m.end(1): m.start(2)] + value
        offset, data = new_line(doc, styled, estimate.line)
        return Plan((Patch(offset, offset, data),), summary, details, expect)
    # nothing written under the heading yet: a line of its own, set apart by blank lines
    after_line = heading.end - 1
    ending = src.ending_after(after_line)
    text = text_bytes(doc, f"**{name}**: {value}")
    if after_line + 1 < src.line_count:
        offset = src.starts[after_line + 1]
        follows_blank = not src.lines[after_line + 1].strip()
        data = ending + text + ending + (b"" if follows_blank else ending)
    else:
        offset = len(src.data)
        data = (b"" if src.endings[after_line] else ending) + ending + text + (ending if src.endings[after_line] else b"")
    return Plan((Patch(offset, offset, data),), summary, details, expect)


def _plan_time(doc: Document, task: Task, name: str, hours: float, added: float | None) -> Plan:
    src = doc.source
    is_estimate = name == ESTIMATE
    existing = task.estimate_line if is_estimate else task.actual_line
    est_line = task.estimate_line
    minutes = False
    if est_line is not None:
        m = LABEL_LINE.match(src.lines[est_line])
        minutes = bool(m) and uses_minutes(m.group(2))
    value = format_hours(hours, minutes)
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        problem = same_tasks(before, after)
        if problem:
            return problem
        got = after.tasks[index].estimate_hours if is_estimate else after.tasks[index].actual_hours
        return None if got is not None and round(got * 60) == round(hours * 60) else f"the {name.lower()} did not parse back as {value}"

    details = Details(line=task.line + 1, label=name, hours=round(hours, 4), value=value,
                      added_hours=None if added is None else round(added, 4))
    summary = f"{label(task)}: {name} {value}"
    if existing is not None:
        m = LABEL_LINE.match(src.lines[existing])
        start, end = line_text_span(doc, existing, m.start(2), m.end(2))
        return Plan((Patch(start, end, encode(value)),), summary, details, expect)
    model_line = task.actual_line if is_estimate else est_line
    if model_line is not None:
        # copy the neighbouring label's style: indentation, quote, bullet or number, label form
        line = src.lines[model_line]
        m = LABEL_LINE.match(line)
        styled = line[: m.start(1)] + name + line[m.end(1): m.start(2)] + value
        if ITEM_PREFIX.match(line):  # a detail bullet (or numbered detail): the new one right beside it
            offset, data = new_line(doc, styled, model_line - 1 if is_estimate else model_line)
            return Plan((Patch(offset, offset, data),), summary, details, expect)
        # a paragraph of its own (``> **Estimated Time:** 15 minutes`` in a quoted body): so is
        # the new one, set apart by a blank line (in the same quote)
        blank = _QUOTE_LEAD.match(line).group(0).rstrip()
        if is_estimate:
            offset, data = insert_lines(doc, [styled, blank], model_line - 1)
        else:
            offset, data = insert_lines(doc, [blank, styled], _paragraph_end(doc, model_line, task.end))
        return Plan((Patch(offset, offset, data),), summary, details, expect)
    # no label to copy: a detail bullet under the task, before its subtasks
    kids = doc.children(task)
    limit = kids[0].item_line if kids else task.end
    after_line = last_content_line(doc, task.line, limit)
    lead = _detail_bullet(doc, task, limit)
    quote = _QUOTE_LEAD.match(src.lines[after_line]).group(0)
    if lead is None and after_line > task.line and ">" in quote:
        # details written as a blockquote: a paragraph of its own at the end of the quote
        offset, data = insert_lines(doc, [quote.rstrip(), f"{quote}**{name}**: {value}"], after_line)
        return Plan((Patch(offset, offset, data),), summary, details, expect)
    if lead is None:
        item = src.lines[task.item_line]
        m = ITEM_PREFIX.match(item) if task.item_line == task.line else None
        if m is not None:
            lead = re.sub(r"[^\s>]", " ", item[: len(m.group(0))]) + "- "
        else:  # a marker alone on its line: the item's content starts where the checkbox does
            lead = re.sub(r"[^\s>]", " ", src.lines[task.line][: task.col]) + "- "
    offset, data = new_line(doc, f"{lead}**{name}**: {value}", after_line)
    return Plan((Patch(offset, offset, data),), summary, details, expect)


_QUOTE_LEAD = re.compile(r"[ \t]*(?:>[ \t]*)*")
_BLOCK_START = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|#|```|~~~|>")


def _paragraph_end(doc: Document, line: int, limit: int) -> int:
    """The last line of the paragraph that starts on ``line`` (before ``limit``): the
    lines after it that carry on its text, in the same quote."""
    lines = doc.source.lines
    end = line
    while end + 1 < min(limit, len(lines)):
        rest = lines[end + 1][_QUOTE_LEAD.match(lines[end + 1]).end():]
        if not rest.strip() or _BLOCK_START.match(rest):
            break
        end += 1
    return end


def _detail_bullet(doc: Document, task: Task, limit: int) -> str | None:
    """The prefix (indent + bullet + space) of the task's first detail bullet, if any."""
    for i in range(task.line + 1, min(limit, doc.source.line_count)):
        m = ITEM_PREFIX.match(doc.source.lines[i])
        if m and m.group(3) is None:
            return m.group(0)
    return None
