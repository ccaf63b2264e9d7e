"""Roll-ups: the one place that decides what a task counts as, and what any group
of tasks adds up to (the whole document, a section, a heading's subtree, a task
with its subtasks). The header, the tree, the detail pane, the overview, the
progress sync and the command line all read their numbers from here.

The counting rules (``contribution`` and the properties of ``Counts``):

- The items of a file's own legend (tasktui.doc.legend) are no work at all.
  Every other task is exactly one of ``cancelled`` (marked so), ``optional``
  (Kiro's ``[ ]*``) or ``required``, checked in that order. ``total`` is
  their sum.
  ``done`` is every task marked done; ``required_done`` and ``optional_done``
  are the done ones of each kind.
- The count shown is ``required_done/required`` and ``percent`` is the same
  fraction: cancelled and optional tasks are said beside it ("12/15 · 2
  cancelled · 3 optional"), never mixed into it.
- A group with no required tasks is judged by all its tasks instead: its count
  and percent are those of its optional tasks, and it is complete when each of
  its tasks is done or cancelled (so a group of open optional tasks is not
  complete). A group of cancelled tasks only is complete, at 100 %.
- A group is ``complete`` as above, ``not_started`` when nothing in it is
  done or in progress, else ``in_progress``.
- Time: estimates and actual time add up, and so do the ``**Estimated Time**``
  lines written under headings. The variance is what the work took beyond (or
  within) its estimate so far: a done task adds its actual time minus its
  estimate; an open task adds only what it has spent beyond its estimate (an
  overrun shows as soon as it happens, unspent estimate is no saving); a task
  with no estimate adds nothing (its time has nothing to be weighed against);
  a cancelled task adds the time spent on it. With no estimate anywhere there
  is no variance to state. Its percentage is taken of the
  estimates of the tasks that add to it (done tasks, open tasks over their
  estimate). Time written under a heading counts as an open task's. What is
  left (``remaining``) is each open task's estimate less its time spent, at
  least 0.

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
    ``act``, ``var``, ``var_base``, ``left``) with how many tasks had each
    (``n_est``, ``n_act``, ``n_var``, ``n_left``): ``var`` is the variance,
    ``var_base`` the estimates it is a percentage of, ``left`` what open tasks
    have still to spend of their estimates."""

    total: int = 0
    done: int = 0
    cancelled: int = 0
    optional: int = 0
    optional_done: int = 0
    required: int = 0
    required_done: int = 0
    in_progress: int = 0
    est: int = 0
    n_est: int = 0
    act: int = 0
    n_act: int = 0
    var: int = 0
    var_base: int = 0
    n_var: int = 0
    left: int = 0
    n_left: int = 0

    def __add__(self, other: "Counts") -> "Counts":  # type: ignore[override]
        return Counts(*map(int.__add__, self, other))

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(*map(int.__sub__, self, other))

    # -- what the numbers say ---------------------------------------------------------
    @property
    def shown(self) -> tuple[int, int]:
        """(done, out of): required work, or, where there is none, the optional work."""
        if self.required:
            return self.required_done, self.required
        return self.optional_done, self.optional

    @property
    def fraction(self) -> float:
        """The shown count as a fraction (a group of cancelled tasks only: 1)."""
        done, of = self.shown
        if of:
            return done / of
        return 1.0 if self.cancelled else 0.0

    @property
    def percent(self) -> float:
        return round(100.0 * self.fraction, 1)

    @property
    def open(self) -> int:
        """Work still to do: required tasks not done (optional ones where none is required)."""
        done, of = self.shown
        return of - done

    @property
    def status(self) -> str:
        """not_started / in_progress / complete (see the counting rules above)."""
        if self.total and self.open == 0:
            return "complete"
        if self.done == 0 and self.in_progress == 0:
            return "not_started"
        return "in_progress"

    def summary(self, word: str = "") -> str:
        """The count as every surface writes it: ``12/15 · 2 cancelled · 3 optional``
        (the optional tasks are said only when they are not what is counted);
        ``word`` goes after the count (``12/15 done · 2 cancelled``). A group without any
        task says so: "no tasks" (never "0/0", and never done)."""
        if not self.total:
            return "no tasks"
        done, of = self.shown
        return f"{done}/{of}{' ' + word if word else ''}{self.beside()}"

    def beside(self) -> str:
        """What is said beside the count: `` · 2 cancelled · 3 optional``."""
        out = ""
        if self.cancelled:
            out += f" · {self.cancelled} cancelled"
        if self.optional and self.required:
            out += f" · {self.optional} optional"
        return out

    @property
    def estimate_hours(self) -> float | None:
        return round(self.est / 10000, 4) if self.n_est else None

    @property
    def actual_hours(self) -> float | None:
        return round(self.act / 10000, 4) if self.n_act else None

    @property
    def variance_hours(self) -> float | None:
        """The variance (see the counting rules): None until some time is recorded
        and some work carries an estimate to weigh it against."""
        if not self.n_act or not self.n_est:
            return None
        return round(self.var / 10000, 2)

    @property
    def variance_pct(self) -> float | None:
        """The variance as a percentage of the estimates of the tasks that add to it."""
        if not self.n_act or not self.n_var or not self.var_base:
            return None
        return round(100.0 * self.var / self.var_base, 1)

    @property
    def remaining_hours(self) -> float | None:
        """What the open tasks' estimates leave after their time spent (each at least 0)."""
        return round(self.left / 10000, 4) if self.n_left else None

    @property
    def has_time(self) -> bool:
        return bool(self.n_est or self.n_act)


ZERO = Counts()


def kind(task: Task) -> str:
    """What a task counts as: a legend item (no work at all), or else cancelled,
    optional or required, checked in that order."""
    if task.legend:
        return "legend"
    if task.state == CANCELLED:
        return CANCELLED
    return "optional" if task.optional else "required"


def contribution(task: Task) -> Counts:
    """What one task adds to every group it belongs to: the counting rule."""
    if task.legend:
        return ZERO
    state = task.state
    est, act = task.estimate_hours, task.actual_hours
    done = state == DONE
    k = kind(task)
    optional, required = k == "optional", k == "required"
    e = 0 if est is None else _tenk(est)
    a = 0 if act is None else _tenk(act)
    var, base, left = _time_parts(done, k == CANCELLED, e, est is not None, a, act is not None)
    return Counts(
        1, done, k == CANCELLED, optional, optional and done, required, required and done, state == IN_PROGRESS,
        e, est is not None, a, act is not None, var, base or 0, base is not None, left or 0, left is not None,
    )


def _time_parts(done: bool, cancelled: bool, est: int, has_est: bool, act: int,
                has_act: bool) -> tuple[int, int | None, int | None]:
    """(variance, the estimate it is a percentage of or None when it adds none, what is
    left of its estimate or None) for one task's time (see the counting rules)."""
    if cancelled:
        return act, None, None
    if not has_est:  # time spent on work nobody estimated is neither over nor under
        return 0, None, None
    if done:
        return (act - est, est, None) if has_act else (0, None, None)
    left = max(0, est - act)
    over = act - est
    return (over, est, left) if has_act and over > 0 else (0, None, left)


def count(tasks) -> Counts:
    """The Counts of any tasks (the sums are taken column by column, at C speed)."""
    rows = [contribution(t) for t in tasks]
    return Counts(*map(sum, zip(*rows))) if rows else ZERO


def is_open(task: Task) -> bool:
    """Required work still to do: a required task that is not done."""
    return task.state != DONE and kind(task) == "required"


def bar(fraction: float, width: int, full: str = "█", empty: str = "░") -> str:
    """The one progress bar: ``width`` cells, filled to the nearest cell."""
    filled = min(width, max(0, int(round(fraction * width))))
    return full * filled + empty * (width - filled)


def heading_times(doc: Document) -> list[tuple[int, int | None, int | None]]:
    """(heading line, estimate, actual time) in ten-thousandths, for the headings that
    carry an ``**Estimated Time**`` or ``**Actual Time**`` line of their own. A
    heading's estimate counts only where nothing below it (a task, or a heading
    inside it) has an estimate: the most specific estimates win, and none is
    counted twice."""
    headings = doc.headings
    found: dict[int, list] = {}
    summaries = {t.line for t in doc.time_lines}  # the Time Tracking lines sum the file up: not a heading's own
    for lab in doc.labels:
        if lab.heading is None or lab.line in summaries:
            continue
        name = lab.label.lower()
        kind = 0 if name in ESTIMATE_LABELS else 1 if name == "actual time" else None
        if kind is None:
            continue
        entry = found.setdefault(lab.heading, [None, None])
        if entry[kind] is None:
            value = parse_hours(lab.value, doc.day_hours)
            if value is not None:
                entry[kind] = _tenk(value)
    if not found:
        return []
    task_lines = [t.line for t in doc.tasks]
    with_estimate = list(accumulate((t.estimate_hours is not None for t in doc.tasks), initial=0))
    estimated = sorted(headings[h].line for h, (est, _act) in found.items() if est is not None)
    out = []
    for h, (est, act) in sorted(found.items()):
        line, level = headings[h].line, headings[h].level
        end = next((x.line for x in headings[h + 1:] if x.level <= level), None)
        if est is not None:
            lo = bisect.bisect_left(task_lines, line)
            hi = bisect.bisect_left(task_lines, end) if end is not None else len(task_lines)
            inner = bisect.bisect_right(estimated, line) < (bisect.bisect_left(estimated, end) if end is not None
                                                            else len(estimated))
            if with_estimate[hi] - with_estimate[lo] or inner:
                est = None  # what is below it is estimated more closely
        if est is not None or act is not None:
            out.append((line, est, act))
    return out


class RollUp:
    """The Counts of every part of one Document version. Immutable once built: a
    newer version gets a new RollUp (``advance``), so readers on other threads
    always see the numbers of one version."""

    __slots__ = ("doc", "sections", "document", "phase_status", "_estimates", "_est_lines", "_est_sums", "_sums",
                 "_pending", "_lines")
    # _estimates: heading_times(doc); _est_lines: their lines; _est_sums: prefix sums of
    # what each adds (a Counts with only the time fields set). _sums: prefix sums of the
    # tasks' contributions, one list per field; _pending: (an earlier version's _sums, the
    # deltas of the tasks changed since), made into _sums when a range is first asked for

    def __init__(self, doc: Document, *, _from: "RollUp | None" = None, _changed: tuple[int, ...] = ()) -> None:
        self.doc = doc
        if _from is not None:
            self._advance_from(_from, _changed)
            return
        estimates = self._estimates = heading_times(doc)
        self._est_lines = [line for line, _est, _act in estimates]
        sums = [ZERO]
        for _line, est, act in estimates:  # time under a heading counts as an open task's
            var, base, left = _time_parts(False, False, est or 0, est is not None, act or 0, act is not None)
            sums.append(sums[-1] + Counts(est=est or 0, n_est=est is not None, act=act or 0, n_act=act is not None,
                                          var=var, var_base=base or 0, n_var=base is not None, left=left or 0,
                                          n_left=left is not None))
        self._est_sums = sums
        self._pending = None
        self._lines = None
        # every task's contribution, once: the prefix sums give each section's counts
        columns = zip(*map(contribution, doc.tasks)) if doc.tasks else [()] * len(ZERO)
        self._sums = [list(accumulate(col, initial=0)) for col in columns]
        self.sections = tuple(self._section_counts(s) for s in doc.sections)
        self.document = self._document_counts()
        self.phase_status = self._phases()

    # -- building ---------------------------------------------------------------------
    def _section_counts(self, section) -> Counts:
        """The section's tasks, and the estimates written under its headings (a section
        of the tasks above the first section heading has no heading of its own)."""
        first, end = section.first_task, section.first_task + section.task_count
        own = Counts(*(col[end] - col[first] for col in self._sums))
        return own if section.line is None else self._with_estimates(own, section.line, section.end_line)

    def _with_estimates(self, counts: Counts, first_line: int, end_line: int | None) -> Counts:
        """``counts`` plus the time written under the headings on lines ``first_line`` .. ``end_line - 1``."""
        lines = self._est_lines
        if not lines:
            return counts
        lo = bisect.bisect_left(lines, first_line)
        hi = bisect.bisect_left(lines, end_line) if end_line is not None else len(lines)
        if hi <= lo:
            return counts
        return counts + (self._est_sums[hi] - self._est_sums[lo])

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
        old = self.doc
        if changed is None or (doc.sections is not old.sections and doc.sections != old.sections):
            return RollUp(doc)
        if doc.labels is not old.labels and heading_times(doc) != self._estimates:
            return RollUp(doc)  # an estimate under a heading changed (a progress line changing does not count)
        return RollUp(doc, _from=self, _changed=changed)

    def _advance_from(self, base: "RollUp", changed: tuple[int, ...]) -> None:
        """Adjust ``base``'s numbers by what the changed tasks add now instead of before:
        the cost of an edit does not grow with the size of its section."""
        doc = self.doc
        self._estimates, self._est_lines, self._est_sums = base._estimates, base._est_lines, base._est_sums
        old_tasks, tasks = base.doc.tasks, doc.tasks
        starts = [s.first_task for s in doc.sections]
        sections = list(base.sections)
        document = base.document
        touched: set[int] = set()
        deltas = {}
        for i in changed:
            delta = contribution(tasks[i]) - contribution(old_tasks[i])
            if delta == ZERO:
                continue
            deltas[i] = delta
            si = bisect.bisect_right(starts, i) - 1
            sections[si] = sections[si] + delta
            document = document + delta
            touched.add(si)
        self.sections = tuple(sections)
        self.document = document
        phases = dict(base.phase_status)
        for si in touched:
            s = doc.sections[si]
            if s.phase is not None and next(x.index for x in doc.sections if x.phase == s.phase) == si:
                phases[s.phase] = self.sections[si].status
        self.phase_status = phases
        self._lines = base._lines
        # ranges: the earlier prefix sums, shifted by the deltas when first asked for
        # (not on the way to the disk); a fresh count past a few changed tasks
        self._sums = None
        self._pending = None
        if base._sums is not None:
            self._pending = (base._sums, deltas)
        elif base._pending is not None:  # still not built there either: one shift for both steps
            sums, earlier = base._pending
            merged = dict(earlier)
            for i, d in deltas.items():
                merged[i] = merged[i] + d if i in merged else d
            self._pending = (sums, merged)
        if self._pending is not None and len(self._pending[1]) > 64:
            self._pending = None  # many tasks changed: counted afresh when a range is asked for

    # -- ranges -------------------------------------------------------------------------
    def _prefix(self) -> list[list[int]]:
        sums = self._sums
        if sums is not None:
            return sums
        pending = self._pending
        if pending is not None:
            base_sums, deltas = pending
            sums = list(base_sums)
            copied = [False] * len(sums)
            for i in sorted(deltas):
                for k, d in enumerate(deltas[i]):
                    if d:
                        if not copied[k]:
                            sums[k] = list(sums[k])
                            copied[k] = True
                        arr = sums[k]
                        arr[i + 1:] = [x + d for x in arr[i + 1:]]
        else:
            columns = zip(*map(contribution, self.doc.tasks)) if self.doc.tasks else [()] * len(ZERO)
            sums = [list(accumulate(col, initial=0)) for col in columns]
        self._sums, self._pending = sums, None
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

    def tally(self, indexes) -> int:
        """How many of the tasks ``indexes`` count as tasks, as ``document.total`` does
        (a legend's items do not): "12 of 340 tasks match"."""
        col = self._prefix()[0]
        return sum(col[i + 1] - col[i] for i in indexes)

    def warm(self) -> None:
        """Build what ranges need now (in a loading thread, not on a key press)."""
        self._prefix()
        if self.doc.tasks:
            self.subtree_end(0)

    # -- what to do next ------------------------------------------------------------------
    def open_subtasks(self, index: int) -> int:
        """Required subtasks of task ``index`` (at any depth) still to do."""
        end = self.subtree_end(index)
        if end == index + 1:
            return 0
        sub = self.span(index + 1, end)
        return sub.required - sub.required_done

    def next_open(self, start: int, step: int = 1, accept=None) -> Task | None:
        """From index ``start`` (excluded), walking by ``step``: the next task that is
        required work still to do, that ``accept`` (if given) also takes. In Kiro
        files a parent is not work while it has open subtasks: they come first."""
        tasks = self.doc.tasks
        parents_wait = self.doc.dialect == "kiro"
        i = start + step
        while 0 <= i < len(tasks):
            t = tasks[i]
            if is_open(t) and (accept is None or accept(t)) and not (parents_wait and self.open_subtasks(i)):
                return t
            i += step
        return None

    def first_open(self) -> Task | None:
        """The first task to work on (see ``next_open``)."""
        return self.next_open(-1)

    def section(self, index: int) -> Counts:
        return self.sections[index]
