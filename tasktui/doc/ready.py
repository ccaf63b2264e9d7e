"""What can be started now: the one ready rule that ``tasktui next``, the app's
``n``, the tree and the workspace overview all use, on the order a file states
(tasktui.doc.dependencies).

The ready rule (``Readiness``): a task is **ready** when it is required work
still to do (tasktui.doc.rollup.is_open), not in progress, not marked blocked,
review or draft (``states.HELD``: such a task holds back no task after it in
its phase), not named by an open blocker in the log (tasktui.doc.links), its
stated dependencies are done (or cancelled), the phases its phase waits for
have all their required tasks done (end gates aside), an end gate's work is
done, and, unless it carries ``[P]``, no required task without ``[P]`` before
it in its phase is still open. "Before" is file order; in Kiro files a parent
comes after its subtasks, so a parent with open subtasks is not ready work and
its subtasks are. A task that is to do and not ready is **waiting**, with the
reason. Without any dependency information this leaves exactly one ready
task: the first open task, as ``RollUp.first_open`` finds it.

Everything here is a value of one Document version. A version patched in
place (a mark changed) reuses what still holds of its predecessor's
(``Readiness.following``).
"""

from __future__ import annotations

import bisect
from typing import Iterable

from tasktui.doc.dependencies import Dependencies, Gate, Problem
from tasktui.doc.links import blocked_tasks, names
from tasktui.doc.model import Document, Task
from tasktui.doc.rollup import RollUp, is_open, kind
from tasktui.doc.states import CANCELLED, DONE, HELD, IN_PROGRESS, NAMES

READY, WAITING = "ready", "waiting"


class Readiness:
    """The ready rule applied to one Document version (see the module's docstring).
    Built on its RollUp: what counts as open work is rollup.is_open, and a phase is
    done when its Counts have every required task done."""

    def __init__(self, doc: Document, rollup: RollUp | None = None, deps: Dependencies | None = None) -> None:
        """The rule on ``doc``; ``deps``, when given, hold for ``doc`` (see ``following``)."""
        self.doc = doc
        self.rollup = rollup if rollup is not None and rollup.doc is doc else RollUp(doc)
        self.deps = deps if deps is not None else Dependencies(doc)
        self._first: dict[int, int | None] = {}  # phase -> position of its first open task without [P]
        self._blocked: set[int] | None = None
        self._open_phases: list[bool] | None = None
        self._first_open: int | None = None
        self._next: dict[tuple[int, int], int | None] = {}  # (start, step) -> next_ready's answer, no filter
        self._open_gates: list[int] | None = None  # the gates still to do, in file order
        self._gate_waits: dict[Gate, int] = {}  # a gate's scope -> its open work

    @classmethod
    def following(cls, previous: "Readiness | None", doc: Document, rollup: RollUp | None = None) -> "Readiness":
        """The Readiness of ``doc``, reusing what still holds of ``previous`` (the
        version it was patched from): its dependencies, and where the first open
        task of each phase the patch did not touch is."""
        if previous is None:
            return cls(doc, rollup)
        if previous.doc is doc and (rollup is None or previous.rollup is rollup):
            return previous
        new = cls(doc, rollup, previous.deps if previous.deps.hold_for(doc, previous.doc) else None)
        changed = doc.changed_since(previous.doc)
        if new.deps.order is previous.deps.order and changed is not None:
            touched: dict[int, int] = {}
            position = new.deps.position
            for i in changed:
                p = new.deps.phase_of[i]
                touched[p] = min(touched.get(p, position[i]), position[i])
            for p, first in previous._first.items():
                if p not in touched:
                    new._first[p] = first
                else:  # nothing before the old first open task or the first changed one can be open now
                    low = touched[p] if first is None else min(first, touched[p])
                    new._first[p] = new._scan(p, low)
        return new

    # -- the parts of the rule -------------------------------------------------------------
    @property
    def blocked(self) -> set[int]:
        """Tasks an open blocker in the log names."""
        if self._blocked is None:
            self._blocked = blocked_tasks(self.doc)
        return self._blocked

    def phase_open(self, p: int) -> bool:
        """Whether phase ``p`` still has required tasks to do (its end gates aside: a
        gate waits for the phases, it never holds one back)."""
        if self._open_phases is None:
            gates = [0] * len(self.rollup.sections)
            for g in self.open_gates:
                gates[self.deps.phase_of[g]] += 1
            self._open_phases = [c.required_done + gates[q] < c.required for q, c in enumerate(self.rollup.sections)]
        return self._open_phases[p] if 0 <= p < len(self._open_phases) else False

    @property
    def open_gates(self) -> list[int]:
        """The end gates that are still required work to do, in file order."""
        if self._open_gates is None:
            tasks = self.doc.tasks
            self._open_gates = sorted(g for g in self.deps.gates if is_open(tasks[g]))
        return self._open_gates

    def gate_waits(self, i: int) -> int:
        """How much required work gate ``i`` still waits for (other gates aside)."""
        gate = self.deps.gates[i]
        if gate not in self._gate_waits:
            c = self.rollup.span(gate.first, gate.end)
            gates = self.open_gates
            inside = bisect.bisect_left(gates, gate.end) - bisect.bisect_left(gates, gate.first)
            self._gate_waits[gate] = c.required - c.required_done - inside
        return self._gate_waits[gate]

    def _scan(self, p: int, low: int) -> int | None:
        deps = self.deps
        phase = deps.phases[p]
        tasks = self.doc.tasks
        order, parallel = deps.order, deps.parallel
        gates = deps.gates
        for pos in range(max(low, phase.first), phase.end):
            i = order[pos]
            if i not in parallel and is_open(tasks[i]) and tasks[i].state not in HELD and i not in gates:
                return pos
        return None

    def first_in_order(self, p: int) -> int | None:
        """The first open task without ``[P]`` of phase ``p`` (a task index), in the order
        tasks are done; blocked, review and draft tasks and end gates are passed over
        (they hold no one)."""
        if p not in self._first:
            self._first[p] = self._scan(p, 0)
        pos = self._first[p]
        return None if pos is None else self.deps.order[pos]

    def _done(self, i: int) -> bool:
        return self.doc.tasks[i].state in (DONE, CANCELLED)

    def causes(self, i: int, first_only: bool = False) -> list[tuple[str, tuple[int, ...]]]:
        """Why task ``i`` cannot start: (what, which tasks or phases) pairs."""
        deps = self.deps
        out: list[tuple[str, tuple[int, ...]]] = []
        if self.doc.tasks[i].state in HELD:  # marked blocked, in review or a draft: not to be taken up
            out.append(("state", ()))
            if first_only:
                return out
        if i in self.blocked:
            out.append(("blocker", ()))
            if first_only:
                return out
        stated = tuple(dict.fromkeys(d for d, _line in deps.after.get(i, ()) if not self._done(d)))
        if stated:
            out.append(("tasks", stated))
            if first_only:
                return out
        if i in deps.gates and self.gate_waits(i):
            out.append(("gate", ()))
            if first_only:
                return out
        p = deps.phase_of[i]
        top_gate = i in deps.gates and deps.gates[i].title is None  # waits for every phase's work already
        waiting_for = self._open_phases_before(i, p, first_only) if deps.phases and not top_gate else ()
        if waiting_for:
            out.append(("phases", waiting_for))
            if first_only:
                return out
        whole = tuple(dict.fromkeys(d for d, _line in (deps.phase_tasks[p] if deps.phases else ()) if not self._done(d)))
        if whole:
            out.append(("tasks", whole))
            if first_only:
                return out
        if deps.kiro and self.rollup.open_subtasks(i):
            out.append(("subtasks", self._open_subtasks(i)))
            if first_only:
                return out
        if i not in deps.parallel and deps.phases and i not in deps.gates:
            first = self.first_in_order(p)
            if first is not None and deps.position[first] < deps.position[i] and \
                    not any(first in which for what, which in out if what != "phases"):
                out.append(("order", (first,)))
        return out

    def _open_phases_before(self, i: int, p: int, first_only: bool) -> tuple[int, ...]:
        """The phases task ``i`` (of phase ``p``) waits for that still have required
        work. Every earlier phase, unless the file says: found through the first
        open phase, not by looking at each (a file may have a thousand phases)."""
        deps = self.deps
        named = {q for q, _line in deps.task_phases.get(i, ())} | deps.phase_extra[p]
        stated = deps.phase_after[p]
        if stated is not None:
            named |= stated
        out = {q for q in named if self.phase_open(q)}
        if stated is None and self._first_open_phase() < p:
            if first_only:
                return (self._first_open_phase(),)
            out.update(q for q in range(p) if self.phase_open(q))
        return tuple(sorted(out))

    def _first_open_phase(self) -> int:
        if self._first_open is None:
            self.phase_open(0)
            self._first_open = next((q for q, o in enumerate(self._open_phases) if o), len(self._open_phases))
        return self._first_open

    def _open_subtasks(self, i: int) -> tuple[int, ...]:
        end = self.rollup.subtree_end(i)
        return tuple(t.index for t in self.doc.tasks[i + 1:end] if is_open(t))[:3]

    # -- per task ----------------------------------------------------------------------------
    def status(self, i: int) -> str | None:
        """``ready``, ``waiting`` or ``in_progress`` for required work not done;
        None for anything else (done, cancelled, optional, the legend)."""
        t = self.doc.tasks[i]
        if not is_open(t):
            return None
        if t.state == IN_PROGRESS:
            return IN_PROGRESS
        return WAITING if self.causes(i, first_only=True) else READY

    def is_ready(self, i: int) -> bool:
        return self.status(i) == READY

    def reason(self, i: int) -> str:
        """Why task ``i`` is ready, waiting, or neither, in words."""
        t = self.doc.tasks[i]
        status = self.status(i)
        if status is None:
            if t.legend:
                return "part of the file's legend: no work"
            if t.state in (DONE, CANCELLED):
                return NAMES[t.state]
            return f"{kind(t)}: not counted as work to do"
        if status == IN_PROGRESS:
            return "in progress"
        if status == WAITING:
            return "; ".join(self._say(what, which, i) for what, which in self.causes(i))
        return "ready: " + "; ".join(self._ready_parts(i))

    def _names(self, tasks: Iterable[int], most: int = 4) -> str:
        names = [self.deps.task_name(x) for x in tasks]
        if len(names) > most:
            names = names[:most] + [f"{len(names) - most} more"]
        return ", ".join(names)

    def _say(self, what: str, which: tuple[int, ...], i: int) -> str:
        deps = self.deps
        if what == "state":
            task = self.doc.tasks[i]
            return f"marked {task.label or NAMES[task.state]}"
        if what == "blocker":
            task = self.doc.tasks[i]
            entry = next((e for e in self.doc.open_blockers if names(e, task)), None)
            return "blocked by an open blocker in the log" + (f" (L{entry.line + 1})" if entry is not None else "")
        if what == "tasks":
            return f"waits for {self._names(which)}"
        if what == "gate":
            return f"waits for {self._gate_scope(i)} ({self.gate_waits(i)} open)"
        if what == "phases":
            shown = [f"{deps.phase_name(q)} ({self._open_count(q)} open)" for q in which[:3]]
            more = f" and {len(which) - 3} more phases" if len(which) > 3 else ""
            return "waits for " + ", ".join(shown) + more
        if what == "subtasks":
            return f"waits for its subtasks ({self._names(which)})"
        return f"waits for {self._names(which)}, the open task before it" + (
            f" in {deps.phase_name(deps.phase_of[i])}" if self._many_phases() else "")

    def _gate_scope(self, i: int) -> str:
        """What gate ``i`` waits for, in words: the phases' work, or that of the section holding it."""
        title = self.deps.gates[i].title
        if title is None:
            return "the phases' work"
        return f"the work of “{title if len(title) <= 30 else title[:29].rstrip() + '…'}”"

    def _open_count(self, q: int) -> int:
        c = self.rollup.sections[q]
        gates = self.open_gates
        return c.required - c.required_done - sum(1 for g in gates if self.deps.phase_of[g] == q)

    def _many_phases(self) -> bool:
        return sum(1 for p in self.deps.phases if p.end > p.first) > 1

    def _ready_parts(self, i: int) -> list[str]:
        deps = self.deps
        parts = []
        stated = list(dict.fromkeys(d for d, _line in deps.after.get(i, ())))
        if stated:
            parts.append(f"{self._names(stated)} done")
        p = deps.phase_of[i]
        if deps.phases:
            waits = sorted(deps.waits_for_phases(p))
            with_tasks = [q for q in waits if deps.has_work(q)]
            earlier = [q for q in range(p) if deps.has_work(q)]
            if with_tasks and with_tasks != earlier:
                more = f" and {len(with_tasks) - 3} more" if len(with_tasks) > 3 else ""
                parts.append(", ".join(deps.phase_name(q) for q in with_tasks[:3]) + more + " done")
            elif with_tasks:
                parts.append("the phases before it are done")
        if i in deps.gates:
            parts.append(f"{self._gate_scope(i)} is done")
            return parts
        where = f" in {deps.phase_name(p)}" if self._many_phases() else ""
        parts.append(f"[P]{where}" if i in deps.parallel else f"the first open task{where}")
        return parts

    # -- the whole file ---------------------------------------------------------------------
    def ready(self) -> list[Task]:
        """Every task that can start now, in file order."""
        return [t for t in self.doc.tasks if is_open(t) and t.state != IN_PROGRESS and self.is_ready(t.index)]

    def first_ready(self) -> Task | None:
        return next((t for t in self.doc.tasks if is_open(t) and t.state != IN_PROGRESS and self.is_ready(t.index)), None)

    def in_progress(self) -> Task | None:
        """The first task in progress that is work (a Kiro parent with open subtasks is not)."""
        kiro = self.deps.kiro
        return next((t for t in self.doc.tasks if t.state == IN_PROGRESS and is_open(t)
                     and not (kiro and self.rollup.open_subtasks(t.index))), None)

    def current(self) -> Task | None:
        """What ``tasktui next`` gives: the task in progress, else the first ready one."""
        return self.in_progress() or self.first_ready()

    def next_ready(self, start: int, step: int = 1, accept=None) -> Task | None:
        """From index ``start`` (excluded), walking by ``step``: the next ready task that ``accept`` (if given) takes."""
        tasks = self.doc.tasks
        if accept is None and (start, step) in self._next:  # `n` again where nothing is ready beyond: no new walk
            found = self._next[start, step]
            return tasks[found] if found is not None else None
        i = start + step
        while 0 <= i < len(tasks):
            t = tasks[i]
            if is_open(t) and t.state != IN_PROGRESS and (accept is None or accept(t)) and self.is_ready(i):
                if accept is None:
                    self._next[start, step] = i
                return t
            i += step
        if accept is None:
            self._next[start, step] = None
        return None

    def waiting(self) -> list[Task]:
        return [t for t in self.doc.tasks if self.status(t.index) == WAITING]

    def nothing_ready(self) -> str:
        """Why no task can start: one sentence (for ``next`` when nothing is ready)."""
        waiting = self.waiting()
        if not waiting:
            busy = [t for t in self.doc.tasks if is_open(t)]
            if not busy:
                return "nothing left to do" if self.rollup.document.total else "the file has no tasks"
            return f"nothing can start now: {len(busy)} open task{'s' if len(busy) != 1 else ''} in progress"
        first = waiting[0]
        many = len(waiting) != 1
        return (f"nothing can start now: {len(waiting)} open task{'s' if many else ''} wait{'' if many else 's'} "
                f"({self.deps.task_name(first.index)} {self.reason(first.index)})")

    def problems_for(self, i: int) -> list[Problem]:
        return [p for p in self.deps.problems if i in p.tasks]
