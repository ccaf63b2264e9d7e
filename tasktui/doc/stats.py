"""Roll-ups: progress and time per section and for the whole document."""

from __future__ import annotations

from dataclasses import dataclass

from tasktui.doc.model import Document, Section, Task


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


def progress(tasks: list[Task] | tuple[Task, ...], extra_estimate: float | None = None) -> Progress:
    total = done = cancelled = in_progress = optional_open = open_ = 0
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
    est = _sum([t.estimate_hours for t in tasks] + [extra_estimate])
    act = _sum(t.actual_hours for t in tasks)
    tracked = _sum(t.estimate_hours for t in tasks if t.actual_hours is not None)
    return Progress(total, done, cancelled, in_progress, optional_open, open_, est, act, tracked)


def section_progress(doc: Document, section: Section) -> Progress:
    return progress(doc.section_tasks(section), section.estimate_hours)


def document_progress(doc: Document) -> Progress:
    return progress(doc.tasks, _sum(s.estimate_hours for s in doc.sections))


def phase_status(doc: Document) -> dict[int, str]:
    """The true status of each `## Phase N` section, by N."""
    out: dict[int, str] = {}
    for s in doc.sections:
        if s.phase is not None and s.phase not in out:
            out[s.phase] = section_progress(doc, s).status
    return out
