"""Roll-ups: progress and time per section and for the whole document."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tasktui.doc.model import Document, Section


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    done: int
    cancelled: int
    in_progress: int
    optional_open: int
    open: int
    estimate_hours: float | None
    actual_hours: float | None
    tracked_estimate_hours: float | None  # estimates of the tasks that have actual time

    @property
    def percent(self) -> float:
        base = self.total - self.cancelled
        return round(100.0 * self.done / base, 1) if base else 0.0

    @property
    def status(self) -> str:
        """not_started / in_progress / complete (complete: every required task done)."""
        if self.total and self.open == 0:
            return "complete"
        if self.done == 0 and self.in_progress == 0:
            return "not_started"
        return "in_progress"

    @property
    def variance_hours(self) -> float | None:
        """Actual time against the estimates of the tasks that have actual time recorded."""
        if self.tracked_estimate_hours is None or self.actual_hours is None:
            return None
        return round(self.actual_hours - self.tracked_estimate_hours, 2)

    @property
    def variance_pct(self) -> float | None:
        if not self.tracked_estimate_hours or self.actual_hours is None:
            return None
        return round(100.0 * (self.actual_hours - self.tracked_estimate_hours) / self.tracked_estimate_hours, 1)


def _sum(values) -> float | None:
    vals = [v for v in values if v is not None]
    return round(sum(vals), 4) if vals else None


def progress(tasks, extra_estimate: float | None = None) -> Progress:
    """Counts and time of ``tasks``, in one pass."""
    total = done = cancelled = in_progress = optional_open = open_ = 0
    est = act = tracked = 0.0
    has_est = has_act = False
    for t in tasks:
        total += 1
        s = t.state
        if s == "done":
            done += 1
        elif s == "cancelled":
            cancelled += 1
        else:
            if s == "in_progress":
                in_progress += 1
            if t.optional:
                optional_open += 1
            else:
                open_ += 1
        e = t.estimate_hours
        if e is not None:
            est += e
            has_est = True
        a = t.actual_hours
        if a is not None:
            act += a
            has_act = True
            if e is not None:
                tracked += e
    if extra_estimate is not None:
        est += extra_estimate
        has_est = True
    return Progress(
        total, done, cancelled, in_progress, optional_open, open_,
        round(est, 4) if has_est else None,
        round(act, 4) if has_act else None,
        round(tracked, 4) if has_act else None,
    )


def _combine(parts: list[Progress]) -> Progress:
    def total(name):
        vals = [getattr(p, name) for p in parts if getattr(p, name) is not None]
        return round(sum(vals), 4) if vals else None

    return Progress(
        sum(p.total for p in parts), sum(p.done for p in parts), sum(p.cancelled for p in parts),
        sum(p.in_progress for p in parts), sum(p.optional_open for p in parts), sum(p.open for p in parts),
        total("estimate_hours"), total("actual_hours"), total("tracked_estimate_hours"),
    )


def all_section_progress(doc: Document) -> list[Progress]:
    """Progress of every section, computed once per document version."""
    cached = doc.__dict__.get("section_progress")
    if cached is not None:
        return cached
    derived = doc.__dict__.get("_derived_from")
    base = derived[0]() if derived is not None else None
    base_cached = base.__dict__.get("section_progress") if base is not None else None
    if base_cached is not None and base.sections == doc.sections:
        # a patched version: only the sections holding re-parsed tasks can differ
        cached = list(base_cached)
        starts = [s.first_task for s in doc.sections]
        for si in {bisect.bisect_right(starts, i) - 1 for i in derived[1]}:
            if si >= 0:
                s = doc.sections[si]
                cached[si] = progress(doc.section_tasks(s), s.estimate_hours)
    else:
        cached = [progress(doc.section_tasks(s), s.estimate_hours) for s in doc.sections]
    doc.__dict__["section_progress"] = cached
    return cached


def section_progress(doc: Document, section: Section) -> Progress:
    return all_section_progress(doc)[section.index]


def document_progress(doc: Document) -> Progress:
    parts = all_section_progress(doc)
    if sum(p.total for p in parts) == len(doc.tasks):
        return _combine(parts)
    return progress(doc.tasks, _sum(s.estimate_hours for s in doc.sections))


def phase_status(doc: Document) -> dict[int, str]:
    """The true status of each `## Phase N` section, by N."""
    out: dict[int, str] = {}
    for s, p in zip(doc.sections, all_section_progress(doc)):
        if s.phase is not None and s.phase not in out:
            out[s.phase] = p.status
    return out
