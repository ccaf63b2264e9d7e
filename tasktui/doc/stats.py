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


_COUNTS = ("total", "done", "cancelled", "in_progress", "optional_open", "open")
_HOURS = ("estimate_hours", "actual_hours", "tracked_estimate_hours")


def _tenk(hours: float) -> int:
    """Hours (rounded to 4 decimals, as every Progress holds them) in exact ten-thousandths."""
    return round(hours * 10000)


def _totals(parts) -> list[int]:
    """The six counts, the three sums of hours in ten-thousandths and how many parts had each."""
    out = [0] * 12
    for p in parts:
        _add(out, p, 1)
    return out


def _add(out: list[int], p: Progress, sign: int) -> None:
    for k, name in enumerate(_COUNTS):
        out[k] += sign * getattr(p, name)
    for k, name in enumerate(_HOURS):
        value = getattr(p, name)
        if value is not None:
            out[6 + k] += sign * _tenk(value)
            out[9 + k] += sign


def _from_totals(t: list[int]) -> Progress:
    hours = [round(t[6 + k] / 10000, 4) if t[9 + k] else None for k in range(3)]
    return Progress(*t[:6], *hours)


def _base_of(doc: Document, cache: str):
    """The version ``doc`` was patched from, its cached ``cache`` and the re-parsed
    task indexes, when that version had it and the same sections; else None."""
    derived = doc.__dict__.get("_derived_from")
    base = derived[0]() if derived is not None else None
    if base is None or cache not in base.__dict__ or base.sections != doc.sections:
        return None
    return base, base.__dict__[cache], derived[1]


def _of_sections(doc: Document, name: str, build):
    """``build(doc.sections)``, cached on ``doc`` as ``name`` and shared with the
    version it was patched from when the sections are the same."""
    cached = doc.__dict__.get(name)
    if cached is None:
        found = _base_of(doc, name)
        cached = found[1] if found else build(doc.sections)
        doc.__dict__[name] = cached
    return cached


def _first_tasks(sections) -> list[int]:
    return [s.first_task for s in sections]


def _first_of_phase(sections) -> dict[int, int]:
    """Index of the first section of each phase number."""
    first: dict[int, int] = {}
    for s in sections:
        if s.phase is not None:
            first.setdefault(s.phase, s.index)
    return first


def _changed_sections(doc: Document, changed_tasks) -> set[int]:
    starts = _of_sections(doc, "_section_starts", _first_tasks)
    return {si for si in (bisect.bisect_right(starts, i) - 1 for i in changed_tasks) if si >= 0}


def all_section_progress(doc: Document) -> list[Progress]:
    """Progress of every section, computed once per document version."""
    cached = doc.__dict__.get("section_progress")
    if cached is not None:
        return cached
    found = _base_of(doc, "section_progress")
    if found is not None:
        # a patched version: only the sections holding re-parsed tasks can differ
        _base, base_cached, changed = found
        cached = list(base_cached)
        for si in _changed_sections(doc, changed):
            s = doc.sections[si]
            cached[si] = progress(doc.section_tasks(s), s.estimate_hours)
    else:
        cached = [progress(doc.section_tasks(s), s.estimate_hours) for s in doc.sections]
    doc.__dict__["section_progress"] = cached
    return cached


def warm(doc: Document) -> None:
    """Compute the roll-ups of ``doc`` now, while the version it was patched from is
    alive: each is then adjusted from that version's, and the next edit's from these."""
    all_section_progress(doc)
    _section_totals(doc)
    phase_status(doc)


def section_progress(doc: Document, section: Section) -> Progress:
    return all_section_progress(doc)[section.index]


def _section_totals(doc: Document) -> list[int]:
    """_totals() of all sections, per version; a patched version adjusts its predecessor's."""
    cached = doc.__dict__.get("_section_totals")
    if cached is not None:
        return cached
    parts = all_section_progress(doc)
    found = _base_of(doc, "_section_totals")
    if found is not None and "section_progress" in found[0].__dict__:
        base, base_totals, changed = found
        cached = list(base_totals)
        old_parts = base.__dict__["section_progress"]
        for si in _changed_sections(doc, changed):
            _add(cached, old_parts[si], -1)
            _add(cached, parts[si], 1)
    else:
        cached = _totals(parts)
    doc.__dict__["_section_totals"] = cached
    return cached


def document_progress(doc: Document) -> Progress:
    totals = _section_totals(doc)
    if totals[0] == len(doc.tasks):
        return _from_totals(totals)
    return progress(doc.tasks, _sum(s.estimate_hours for s in doc.sections))


def phase_status(doc: Document) -> dict[int, str]:
    """The true status of each `## Phase N` section, by N (from its first section of that number)."""
    cached = doc.__dict__.get("_phase_status")
    if cached is not None:
        return cached
    parts = all_section_progress(doc)
    first = _of_sections(doc, "_phase_sections", _first_of_phase)
    found = _base_of(doc, "_phase_status")
    if found is not None:
        _base, base_status, changed = found
        cached = dict(base_status)
        for si in _changed_sections(doc, changed):
            phase = doc.sections[si].phase
            if phase is not None and first[phase] == si:
                cached[phase] = parts[si].status
    else:
        cached = {phase: parts[si].status for phase, si in first.items()}
    doc.__dict__["_phase_status"] = cached
    return cached
