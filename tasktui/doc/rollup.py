"""Roll-ups: the one place that decides what a task counts as, and what any group
of tasks adds up to (the whole document, a section, a heading's subtree, a task
with its subtasks). The header, the tree, the detail pane, the picker, the
progress sync and the command line all read their numbers from here.

What a task counts as (``contribution``):

- every task counts in ``total``; a ``done`` task in ``done``; a ``cancelled``
  one in ``cancelled``;
- any other task is open: ``in_progress`` when marked so, ``optional_open``
  when optional (Kiro's ``[ ]*``), else ``open`` (required work still to do);
- ``percent`` is done / (total - cancelled);
- a group is ``complete`` when it has tasks and no required work is open,
  ``not_started`` when nothing is done or in progress, else ``in_progress``;
- time: estimates and actual time add up, and so do the ``**Estimated Time**``
  lines written under headings; the variance compares actual time with the
  estimates of the tasks that have actual time.

Hours are summed in exact ten-thousandths (every estimate is read to four
decimals), so a sum never depends on the order it was taken in.

A ``RollUp`` belongs to one Document version. ``RollUp.advance`` makes the one
of the next version from its predecessor, touching only the sections whose
tasks changed (a toggle in a 50k-task file costs microseconds); ranges for the
tree come from prefix sums built when first asked for and shifted, not rebuilt,
for a few changed tasks.
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import NamedTuple

from tasktui.doc.durations import parse_hours
from tasktui.doc.model import ESTIMATE_LABELS, Document, Task
from tasktui.doc.states import CANCELLED, DONE, IN_PROGRESS


def _tenk(hours: float) -> int:
    return round(hours * 10000)


class Counts(NamedTuple):
    """What a group of tasks adds up to. Hours are in ten-thousandths (``est``,
    ``act``, ``tracked``) with how many tasks had each (``n_est``, ``n_act``)."""

    total: int = 0
    done: int = 0
    cancelled: int = 0
    in_progress: int = 0
    optional_open: int = 0
    open: int = 0
    est: int = 0
    n_est: int = 0
    act: int = 0
    n_act: int = 0
    tracked: int = 0

    def __add__(self, other: "Counts") -> "Counts":  # type: ignore[override]
        return Counts(*map(int.__add__, self, other))

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(*map(int.__sub__, self, other))

    # -- what the numbers say ---------------------------------------------------------
    @property
    def percent(self) -> float:
        base = self.total - self.cancelled
        return round(100.0 * self.done / base, 1) if base else 0.0

    @property
    def fraction(self) -> float:
        """percent / 100, unrounded: for bars."""
        base = self.total - self.cancelled
        return self.done / base if base else 0.0

    @property
    def status(self) -> str:
        """not_started / in_progress / complete (complete: every required task done)."""
        if self.total and self.open == 0:
            return "complete"
        if self.done == 0 and self.in_progress == 0:
            return "not_started"
        return "in_progress"

    @property
    def estimate_hours(self) -> float | None:
        return round(self.est / 10000, 4) if self.n_est else None

    @property
    def actual_hours(self) -> float | None:
        return round(self.act / 10000, 4) if self.n_act else None

    @property
    def tracked_estimate_hours(self) -> float | None:
        """The estimates of the tasks that have actual time recorded."""
        return round(self.tracked / 10000, 4) if self.n_act else None

    @property
    def variance_hours(self) -> float | None:
        """Actual time against the estimates of the tasks that have actual time recorded."""
        if not self.n_act:
            return None
        return round((self.act - self.tracked) / 10000, 2)

    @property
    def variance_pct(self) -> float | None:
        if not self.n_act or not self.tracked:
            return None
        return round(100.0 * (self.act - self.tracked) / self.tracked, 1)

    @property
    def has_time(self) -> bool:
        return bool(self.n_est or self.n_act)


ZERO = Counts()


def contribution(task: Task) -> Counts:
    """What one task adds to every group it belongs to: the counting rule."""
    state = task.state
    est, act = task.estimate_hours, task.actual_hours
    done = state == DONE
    cancelled = state == CANCELLED
    open_ = not done and not cancelled
    e = 0 if est is None else _tenk(est)
    return Counts(
        1, done, cancelled, open_ and state == IN_PROGRESS, open_ and task.optional, open_ and not task.optional,
        e, est is not None, 0 if act is None else _tenk(act), act is not None, e if act is not None else 0,
    )


def count(tasks) -> Counts:
    """The Counts of any tasks, in one pass."""
    fields = [0] * len(ZERO)
    for t in tasks:
        for k, v in enumerate(contribution(t)):
            fields[k] += v
    return Counts(*fields)


def is_open(task: Task) -> bool:
    """Required work still to do: not done, cancelled or optional."""
    return task.state not in (DONE, CANCELLED) and not task.optional


def first_open(tasks) -> Task | None:
    """The first task that is required work still to do."""
    return next((t for t in tasks if is_open(t)), None)


def next_open(tasks, start: int, step: int, accept=None) -> Task | None:
    """From index ``start`` (excluded), walking by ``step``: the next open task
    that ``accept`` (if given) also takes."""
    i = start + step
    while 0 <= i < len(tasks):
        t = tasks[i]
        if is_open(t) and (accept is None or accept(t)):
            return t
        i += step
    return None


def bar(fraction: float, width: int, full: str = "█", empty: str = "░") -> str:
    """The one progress bar: ``width`` cells, filled to the nearest cell."""
    filled = min(width, max(0, int(round(fraction * width))))
    return full * filled + empty * (width - filled)


def _heading_estimates(doc: Document) -> list[tuple[int, int]]:
    """(heading line, ten-thousandths) of the first `**Estimated Time**` under each heading."""
    out: dict[int, int] = {}
    headings = doc.headings
    for lab in doc.labels:
        if lab.heading is not None and lab.label.lower() in ESTIMATE_LABELS:
            line = headings[lab.heading].line
            if line not in out:
                value = parse_hours(lab.value, doc.day_hours)
                if value is not None:
                    out[line] = _tenk(value)
    return sorted(out.items())


class RollUp:
    """The Counts of every part of one Document version. Immutable once built: a
    newer version gets a new RollUp (``advance``), so readers on other threads
    always see the numbers of one version."""

    __slots__ = ("doc", "sections", "document", "phase_status", "_est_lines", "_est_sums", "_sums", "_lines")

    def __init__(self, doc: Document, *, _from: "RollUp | None" = None, _changed: tuple[int, ...] = ()) -> None:
        self.doc = doc
        if _from is not None:
            self._advance_from(_from, _changed)
            return
        estimates = _heading_estimates(doc)
        self._est_lines = [line for line, _ in estimates]
        self._est_sums = list(accumulate((v for _, v in estimates), initial=0))
        self.sections = tuple(self._section_counts(s) for s in doc.sections)
        self.document = self._document_counts()
        self.phase_status = self._phases()
        self._sums = None
        self._lines = None

    # -- building ---------------------------------------------------------------------
    def _section_counts(self, section) -> Counts:
        """The section's tasks, and the estimates written under its headings (a section
        of the tasks above the first section heading has no heading of its own)."""
        own = count(self.doc.tasks[section.first_task:section.first_task + section.task_count])
        return own if section.line is None else self._with_estimates(own, section.line, section.end_line)

    def _with_estimates(self, counts: Counts, first_line: int, end_line: int | None) -> Counts:
        """``counts`` plus the estimates written under the headings on lines ``first_line`` .. ``end_line - 1``."""
        lines = self._est_lines
        if not lines:
            return counts
        lo = bisect.bisect_left(lines, first_line)
        hi = bisect.bisect_left(lines, end_line) if end_line is not None else len(lines)
        if hi <= lo:
            return counts
        return counts._replace(est=counts.est + self._est_sums[hi] - self._est_sums[lo], n_est=counts.n_est + hi - lo)

    def _document_counts(self) -> Counts:
        """The sum of the sections: every task belongs to one (tasks above the first
        section heading make a section of their own)."""
        total = ZERO
        for c in self.sections:
            total = total + c
        return total

    def _phases(self) -> dict[int, str]:
        """The status of each `Phase N` section, by N (from its first section of that number)."""
        out: dict[int, str] = {}
        for s in self.doc.sections:
            if s.phase is not None and s.phase not in out:
                out[s.phase] = self.sections[s.index].status
        return out

    def advance(self, doc: Document) -> "RollUp":
        """The RollUp of ``doc``: adjusted from this one when ``doc`` was patched from
        this version in place (same sections, a few tasks changed), else built afresh."""
        changed = doc.changed_since(self.doc)
        if changed is None or doc.sections != self.doc.sections or doc.labels != self.doc.labels:
            return RollUp(doc)
        return RollUp(doc, _from=self, _changed=changed)

    def _advance_from(self, base: "RollUp", changed: tuple[int, ...]) -> None:
        doc = self.doc
        self._est_lines, self._est_sums = base._est_lines, base._est_sums
        starts = [s.first_task for s in doc.sections]
        touched = sorted({bisect.bisect_right(starts, i) - 1 for i in changed} - {-1})
        sections = list(base.sections)
        document = base.document
        for si in touched:
            new = self._section_counts(doc.sections[si])
            document = document - sections[si] + new
            sections[si] = new
        self.sections = tuple(sections)
        self.document = document
        phases = dict(base.phase_status)
        for si in touched:
            s = doc.sections[si]
            if s.phase is not None and next(x.index for x in doc.sections if x.phase == s.phase) == si:
                phases[s.phase] = self.sections[si].status
        self.phase_status = phases
        self._lines = base._lines
        self._sums = None
        if base._sums is not None and len(changed) <= 64:
            old_tasks, tasks = base.doc.tasks, doc.tasks
            sums = list(base._sums)
            copied = [False] * len(sums)
            for i in sorted(changed):
                delta = contribution(tasks[i]) - contribution(old_tasks[i])
                for k, d in enumerate(delta):
                    if d:
                        if not copied[k]:
                            sums[k] = list(sums[k])
                            copied[k] = True
                        arr = sums[k]
                        arr[i + 1:] = [x + d for x in arr[i + 1:]]
            self._sums = sums

    # -- ranges -------------------------------------------------------------------------
    def _prefix(self) -> list[list[int]]:
        sums = self._sums
        if sums is None:
            columns = zip(*map(contribution, self.doc.tasks)) if self.doc.tasks else [()] * len(ZERO)
            sums = self._sums = [list(accumulate(col, initial=0)) for col in columns]
        return sums

    def span(self, first: int, end: int, first_line: int | None = None, end_line: int | None = None) -> Counts:
        """Counts of tasks ``first`` .. ``end - 1``, plus the estimates written under the
        headings on lines ``first_line`` .. ``end_line - 1`` (when given)."""
        out = Counts(*(col[end] - col[first] for col in self._prefix()))
        return out if first_line is None else self._with_estimates(out, first_line, end_line)

    def subtree_end(self, index: int) -> int:
        """Index just past task ``index``'s last subtask."""
        lines = self._lines
        if lines is None:
            lines = self._lines = [t.line for t in self.doc.tasks]
        return bisect.bisect_left(lines, self.doc.tasks[index].end, index + 1)

    def task(self, index: int) -> Counts:
        """Task ``index`` with its subtasks."""
        return self.span(index, self.subtree_end(index))

    def section(self, index: int) -> Counts:
        return self.sections[index]
