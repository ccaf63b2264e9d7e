"""Planning time edits: time spent (``**Actual Time**``) and estimates, written
beside the task's other time bullets in their style."""

from __future__ import annotations

import re

from tasktui.doc.durations import format_hours, uses_minutes
from tasktui.doc.edits.base import (ITEM_PREFIX, Details, Plan, find_task, label, last_content_line, line_text_span,
                                    new_line, same_tasks)
from tasktui.doc.edits.ops import AddTime, SetEstimate
from tasktui.doc.model import LABEL_LINE, Document, Task
from tasktui.doc.patch import Patch
from tasktui.doc.source import encode

ACTUAL, ESTIMATE = "Actual Time", "Estimated Time"


def plan_add_time(doc: Document, op: AddTime) -> Plan:
    task = find_task(doc, op.key)
    # in whole minutes, as written: three 1-minute bookings read back as 3 minutes
    total = (round((task.actual_hours or 0.0) * 60) + round(op.hours * 60)) / 60
    return _plan_time(doc, task, ACTUAL, total, op.hours)


def plan_set_estimate(doc: Document, op: SetEstimate) -> Plan:
    return _plan_time(doc, find_task(doc, op.key), ESTIMATE, op.hours, None)


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
        # copy the neighbouring bullet's style: indentation, bullet, label form
        line = src.lines[model_line]
        m = LABEL_LINE.match(line)
        styled = line[: m.start(1)] + name + line[m.end(1): m.start(2)] + value
        after_line = model_line - 1 if is_estimate else model_line
        offset, data = new_line(doc, styled, after_line)
        return Plan((Patch(offset, offset, data),), summary, details, expect)
    # no bullet to copy: a detail bullet under the task, before its subtasks
    kids = doc.children(task)
    limit = kids[0].item_line if kids else task.end
    after_line = last_content_line(doc, task.line, limit)
    lead = _detail_bullet(doc, task, limit)
    if lead is None:
        item = src.lines[task.item_line]
        m = ITEM_PREFIX.match(item) if task.item_line == task.line else None
        if m is not None:
            lead = re.sub(r"[^\s>]", " ", item[: len(m.group(0))]) + "- "
        else:  # a marker alone on its line: the item's content starts where the checkbox does
            lead = re.sub(r"[^\s>]", " ", src.lines[task.line][: task.col]) + "- "
    offset, data = new_line(doc, f"{lead}**{name}**: {value}", after_line)
    return Plan((Patch(offset, offset, data),), summary, details, expect)


def _detail_bullet(doc: Document, task: Task, limit: int) -> str | None:
    """The prefix (indent + bullet + space) of the task's first detail bullet, if any."""
    for i in range(task.line + 1, min(limit, doc.source.line_count)):
        m = ITEM_PREFIX.match(doc.source.lines[i])
        if m and m.group(3) is None:
            return m.group(0)
    return None
