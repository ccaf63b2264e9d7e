"""Progress sync: the template's Completion Status (``**Phase N**: ✅ Complete``)
and Time Tracking lines brought in step with the tasks, in the emoji form each
line already uses (a mojibake line stays mojibake). The numbers come from the
document's RollUp."""

from __future__ import annotations

import re

from tasktui.doc.durations import format_hours
from tasktui.doc.edits.base import Details, Plan, line_text_span, same_tasks
from tasktui.doc.model import LABEL_LINE, Document
from tasktui.doc.patch import Patch
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import encode

MOJIBAKE = {e: e.encode("utf-8").decode("cp1252") for e in ("⬜", "🟡", "✅")}
STATUS_WORDS = {"not_started": ("⬜", "Not Started"), "in_progress": ("🟡", "In Progress"), "complete": ("✅", "Complete")}
_PHASE_LINE = re.compile(r"^(\s*\*\*Phase\s+\d+\*\*:?[ \t]*)(.*?)[ \t]*$", re.I)


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


def time_values(rollup: RollUp) -> dict[str, str]:
    """What the Time Tracking lines should say, by label (lower case)."""
    counts = rollup.document
    out: dict[str, str] = {}
    if counts.estimate_hours is not None:
        out["estimated total"] = format_hours(counts.estimate_hours)
    if counts.actual_hours is not None:
        out["actual time"] = format_hours(counts.actual_hours)
    if counts.variance_hours is not None:  # the roll-up's rule: nothing spent beyond an estimate yet is 0 %
        pct = counts.variance_pct or 0.0
        sign = "+" if pct >= 0 else "-"
        out["variance"] = f"{format_hours(counts.variance_hours)} ({sign}{abs(round(pct))}%)"
    return out


def sync_patches(doc: Document, rollup: RollUp) -> list[Patch]:
    """Patches that make the Completion Status and Time Tracking lines state the truth."""
    patches: list[Patch] = []
    src = doc.source
    if doc.completion:
        status = rollup.phase_status
        for c in doc.completion:
            true = status.get(c.phase)
            if true is None or c.status == true:
                continue
            m = _PHASE_LINE.match(src.lines[c.line])
            if not m:
                continue
            new = completion_value(true, m.group(2))
            if not new.isascii() and not src.is_utf8:
                continue
            start, end = line_text_span(doc, c.line, m.start(2), m.end(2))
            patches.append(Patch(start, end, encode(new)))
    if doc.time_lines:
        values = time_values(rollup)
        for tl in doc.time_lines:
            new = values.get(tl.label.lower())
            if new is None or tl.value.strip() == new:
                continue
            m = LABEL_LINE.match(src.lines[tl.line])
            start, end = line_text_span(doc, tl.line, m.start(2), m.end(2))
            patches.append(Patch(start, end, encode(new)))
    return patches


def plan_sync(doc: Document, rollup: RollUp) -> Plan:
    patches = sync_patches(doc, rollup)
    summary = f"synced {len(patches)} progress line(s)" if patches else "progress lines already up to date"
    return Plan(tuple(patches), summary, Details(changed_lines=len(patches)), lambda b, a: same_tasks(b, a))
