"""What a tasks file says about the order of its tasks (``Dependencies``), for
the ready rule (tasktui.doc.ready).

What is read, and nothing else:

- **Phases**: the roll-up sections (headings at the section level), in file
  order. A phase waits for the required tasks of every earlier phase, unless
  the file says what that phase depends on: then exactly that.
- ``[P]`` on a task: it may run beside the other tasks of its phase.
- In a task's own text: ``depends on T012``, ``after T012``, ``blocked by T012``,
  ``requires 1.2`` (also ``waits for``), with lists (``T006, T012``) and ranges
  (``T010-T012``) right after the words.
- A dependencies section (a heading with "Dependencies" or "Execution order"),
  line by line, code blocks left out: ``T004 blocks T005``, ``T010-T012 before
  T020``, ``Phase 2 depends on Phase 1``, ``T011 must wait for T005-T010``, and
  spec-kit's ``**Foundational (Phase 2)**: Depends on Setup completion`` lines,
  whose subject is phases (``Phase 3-7``, ``Phase 3+``, ``Final Phase``), user
  stories (``US2``, ``User Story 2``, the phase whose heading or tasks carry
  it) or tasks, and whose objects may also be ``all ...`` (every earlier
  phase) or a phase's name (``Setup``, ``Foundational``). ``No dependencies``
  and ``can run in parallel with X`` are read too. What these references name
  is tasktui.doc.dependency_refs's rule.
- A ``**Dependencies**: Phase 1 complete`` line right under a phase's heading.
- Kiro's order: a parent is done after its subtasks.
- End gates (``Gate``): the tasks under a Definition of Done, Acceptance /
  Success / Exit Criteria, Completion / Release Checklist or Quality Gates
  heading (tasktui.doc.headings) wait for the work of the section holding that
  heading, or, at the top of the file, for all the phases' work. A gate holds
  no phase and no task back: phases are done when their other tasks are.

What cannot hold is reported (``Problem``): a reference to something that is
not in the file, and the cycles of what waits for what (tasktui.doc.cycles).

``Dependencies`` depends on the tasks' texts and the file's structure only, so
a version patched in place (a mark changed) reuses its predecessor's
(``hold_for``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable

from tasktui.doc import headings as heading_rule
from tasktui.doc.cycles import find_cycles
from tasktui.doc.dependency_refs import ALL, Names, Phase, Refs
from tasktui.doc.model import Document
from tasktui.doc.plaintext import shown_text

# in a task's text: the words, then the references right after them
_TEXT_VERB = re.compile(r"\b(?i:depends?\s+on|dependent\s+on|after|blocked\s+by|requires?|(?:must\s+)?waits?\s+for)"
                        r"\s*:?\s*")
# in a dependencies section: who waits (WAIT: the left side for the right) or who blocks
_SECTION_VERB = re.compile(
    r"(?i)\b(?:(?P<wait>depends?\s+on|dependent\s+on|(?:can\s+)?(?:start\s+|starts\s+)?after|blocked\s+by|requires?"
    r"|(?:must\s+)?waits?\s+for|(?:can\s+)?starts?\s+once)"
    r"|(?P<block>blocks?|(?:must\s+)?(?:comes?\s+)?before)"
    r"|(?P<parallel>(?:can\s+(?:run|be\s+\w+)\s+)?in\s+parallel\s+with))\b"
)
_LEADS = {"all", "can", "start", "starts", "only", "must", "also", "it", "they", "then", "and", "run", "runs", "be",
          "in", "both", "each", "these", "this", "which", "that"}
_NONE = re.compile(r"(?i)\s*(?:no\s+dependenc|none\b|n/a\b|independent\b|can\s+start\s+immediately)")
_CLAUSES = re.compile(r"\s+[-–—]\s+|;\s*|\.\s+|\s+but\s+")
_SECTION_HEADING = re.compile(r"(?i)dependenc|execution\s+order")
_MARKUP = re.compile(r"\*\*|__|`")
_ITEM = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+")
_CHECKBOX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+\[.\]")
_DEPENDENCY_LABELS = {"dependencies", "dependency", "depends on"}


@dataclass(frozen=True, slots=True)
class Gate:
    """What an end gate (a task under Definition of Done, Acceptance Criteria ...)
    waits for: the work of the section that holds its heading, tasks ``first`` ..
    ``end - 1`` (gates left out), named ``title``; or, for a gate at the top of the
    file (``title`` None), all the phases' work."""

    first: int
    end: int
    title: str | None


@dataclass(frozen=True, slots=True)
class Problem:
    """A cycle, or a reference to something that is not in the file."""

    kind: str  # "cycle" / "missing"
    line: int  # 0-based line where it is stated
    text: str  # one sentence
    tasks: tuple[int, ...] = ()


class Dependencies:
    """What one version of a file says about the order of its tasks. Depends on
    the tasks' texts and the file's structure, never on their marks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        tasks = doc.tasks
        self.kiro = doc.dialect == "kiro"
        self.phases = [Phase.of(s) for s in doc.sections]
        self.phase_of = [t.section if t.section >= 0 else 0 for t in tasks]
        self.parallel = frozenset(t.index for t in tasks if "P" in t.markers)
        self.after: dict[int, list[tuple[int, int]]] = {}  # task -> [(task it waits for, line stated)]
        self.task_phases: dict[int, list[tuple[int, int]]] = {}  # task -> [(phase it waits for, line)]
        self.phase_after: list[set[int] | None] = [None] * len(self.phases)  # stated phases (None: every earlier one)
        self.phase_extra: list[set[int]] = [set() for _ in self.phases]  # added by "X blocks Phase N"
        self.phase_tasks: list[list[tuple[int, int]]] = [[] for _ in self.phases]  # tasks a whole phase waits for
        self.parallel_with: list[set[int]] = [set() for _ in self.phases]
        self.problems: list[Problem] = []
        self.statements = 0
        self._read_ranges: list[tuple[int, int]] = []  # the dependencies sections' lines (for reuse checks)
        self._labels: list[tuple[int, str]] = []  # the phases' **Dependencies** lines read
        self.names = Names(doc, self.phases)  # what a reference names in this version
        self.gates = self._find_gates()
        self.gate_count = [0] * len(self.phases)  # end gates per phase
        for g in self.gates:
            self.gate_count[self.phase_of[g]] += 1
        self._read_task_texts()
        self._read_labels()
        self._read_sections()
        self._finish_phases()
        self.order, self.position = self._sequence()
        if self.statements and self._forward():
            self._find_cycles()

    # -- phases -------------------------------------------------------------------------
    def _find_gates(self) -> dict[int, Gate]:
        """The end gates: tasks under a heading whose words name one (tasktui.doc.headings),
        at any level, each with what it waits for. A gate's heading inside a phase or a
        story (spec-kit's and Kiro's per-story "Acceptance Criteria") waits for the work
        of the heading that holds it; a gate at the top of the file (under the title, or
        under a heading with no other work) waits for all the phases' work."""
        doc = self.doc
        headings, tasks = doc.headings, doc.tasks
        if not tasks or not any(heading_rule.is_gate(h.text) for h in headings):
            return {}
        lines = [t.line for t in tasks]

        def span(k: int) -> tuple[int, int]:
            """The tasks under heading ``k``: up to the next heading of its level or above."""
            h = headings[k]
            end_line = next((x.line for x in headings[k + 1:] if x.level <= h.level), None)
            return (bisect.bisect_left(lines, h.line),
                    bisect.bisect_left(lines, end_line) if end_line is not None else len(tasks))

        under: dict[int, int | None] = {}  # gate task -> the heading that holds its gate heading
        stack: list[int] = []
        for k, h in enumerate(headings):
            while stack and headings[stack[-1]].level >= h.level:
                stack.pop()
            parent = stack[-1] if stack else None
            stack.append(k)
            if not heading_rule.is_gate(h.text):
                continue
            if parent is not None and parent == 0 and doc.title is not None and headings[0].level == 1:
                parent = None  # the file's title holds everything: a gate at the top
            first, end = span(k)
            for i in range(first, end):
                if not tasks[i].legend:
                    under[i] = parent
        gates: dict[int, Gate] = {}
        for i, parent in under.items():
            gate = Gate(0, len(tasks), None)
            if parent is not None:
                first, end = span(parent)
                if any(not tasks[j].legend and not tasks[j].optional and j not in under for j in range(first, end)):
                    gate = Gate(first, end, headings[parent].text)
            gates[i] = gate
        return gates

    def phase_name(self, index: int) -> str:
        """How a sentence names a phase: ``Phase 2``, or its title."""
        p = self.phases[index]
        if p.label is not None:
            return f"Phase {p.label}"
        title = p.title if len(p.title) <= 30 else p.title[:29] + "…"
        return f"“{title}”"

    # -- reading -------------------------------------------------------------------------
    def _missing(self, refs: Refs, line: int, who: str, task: int | None = None) -> None:
        for ref in refs.missing:
            self.problems.append(Problem("missing", line, f"{ref} is not in this file ({who})",
                                         () if task is None else (task,)))

    def _read_task_texts(self) -> None:
        for t in self.doc.tasks:
            low = t.text.lower()  # a look for the words before the regular expression: most texts have none
            if t.legend or not ("depend" in low or "after" in low or "blocked" in low or "require" in low
                                or "wait" in low) or not _TEXT_VERB.search(t.text):
                continue
            refs = Refs()
            for m in _TEXT_VERB.finditer(t.text):
                refs.extend(self.names.ref_list_at(t.text, m.end()))
            if refs:
                self.statements += 1
                self._missing(refs, t.line, f"named by {self.task_name(t.index)}", t.index)
                for d in refs.tasks:
                    self.after.setdefault(t.index, []).append((d, t.line))
                for q in refs.phases:
                    self.task_phases.setdefault(t.index, []).append((q, t.line))

    def _read_labels(self) -> None:
        """``**Dependencies**: Phase 1 complete`` right under a phase's heading."""
        doc = self.doc
        by_line = {h.line: i for i, h in enumerate(doc.headings)}
        heading_phase = {by_line[s.line]: s.index for s in doc.sections if s.line is not None and s.line in by_line}
        for lab in doc.labels:
            if lab.heading not in heading_phase or lab.label.strip().lower() not in _DEPENDENCY_LABELS:
                continue
            value = _MARKUP.sub("", lab.value).strip()
            if not value or value.startswith("["):
                continue  # the template's placeholder
            self._labels.append((lab.line, lab.value))
            p = heading_phase[lab.heading]
            self.statements += 1
            if _NONE.match(value):
                self._state_phase(p, Refs(), lab.line)
                continue
            refs = self.names.refs_in(value)
            self._missing(refs, lab.line, f"named under {self.phase_name(p)}")
            if refs:
                self._state_phase(p, refs, lab.line)

    def _section_lines(self) -> Iterable[tuple[int, str]]:
        doc = self.doc
        headings = doc.headings
        task_lines = sorted(t.line for t in doc.tasks)

        for k, h in enumerate(headings):
            if not _SECTION_HEADING.search(h.text):
                continue
            end = next((x.line for x in headings[k + 1:] if x.level <= h.level), doc.source.line_count)
            lo = bisect.bisect_left(task_lines, h.line)
            if lo < len(task_lines) and task_lines[lo] < end:
                continue  # a phase about dependencies, with tasks: not a statement of order
            self._read_ranges.append((h.line, end))
            fence = None
            for ln in range(h.line + 1, end):
                text = doc.source.lines[ln]
                stripped = text.strip().lstrip(">").strip()
                if fence is not None:
                    if stripped.startswith(fence):
                        fence = None
                    continue
                if stripped.startswith(("```", "~~~")):
                    fence = stripped[:3]
                    continue
                if not stripped or stripped.startswith("#") or _CHECKBOX.match(text):
                    continue
                yield ln, text

    def _read_sections(self) -> None:
        for ln, text in self._section_lines():
            self._statement(ln, _MARKUP.sub("", _ITEM.sub("", text, count=1)).strip())

    def _statement(self, line: int, text: str) -> None:
        subject = None
        rest = text
        m = re.match(r"^([^:]{1,100}?):\s+(.*)$", text)
        if m:
            refs = self.names.refs_in(m.group(1))
            if refs and ALL not in refs.phases:
                subject, rest = refs, m.group(2)
        for clause in _CLAUSES.split(rest):
            self._clause(line, clause, subject)

    def _clause(self, line: int, clause: str, subject: Refs | None) -> None:
        verbs = list(_SECTION_VERB.finditer(clause))
        if subject is not None and _NONE.match(clause):
            self._apply(line, subject, "wait", Refs())
            return
        if not verbs:
            return
        first = verbs[0]
        left = clause[:first.start()]
        own = subject is not None and all(w.casefold() in _LEADS for w in left.split())
        who = subject if own else self.names.refs_in(left, names=len(left.split()) <= 3)
        if not who:
            return
        if not own:
            self._missing(who, line, "named in the dependencies")
        for k, verb in enumerate(verbs):
            end = verbs[k + 1].start() if k + 1 < len(verbs) else len(clause)
            objects = self.names.refs_in(clause[verb.end():end])
            if not objects:
                continue
            self._missing(objects, line, "named in the dependencies")
            self._apply(line, who, verb.lastgroup, objects)

    def _apply(self, line: int, who: Refs, verb: str, objects: Refs) -> None:
        """Record "``who`` waits for ``objects``" (``wait``), "``objects`` wait for
        ``who``" (``block``) or "``who`` runs beside ``objects``" (``parallel``)."""
        self.statements += 1
        if verb == "block":
            who, objects = objects, who
            for t in who.tasks:
                for d in objects.tasks:
                    self.after.setdefault(t, []).append((d, line))
                for q in objects.phases:
                    if q != ALL:
                        self.task_phases.setdefault(t, []).append((q, line))
            for p in who.phases:
                if p == ALL:
                    continue
                self.phase_extra[p].update(q for q in objects.phases if q != ALL)
                self.phase_tasks[p] += [(d, line) for d in objects.tasks]
            return
        if verb == "parallel":
            for p in who.phases:
                if p != ALL:
                    self.parallel_with[p].update(q for q in objects.phases if q != ALL)
            return
        for t in who.tasks:
            for d in objects.tasks:
                self.after.setdefault(t, []).append((d, line))
            for q in objects.phases:
                if q == ALL:
                    self.task_phases.setdefault(t, []).extend((e, line) for e in range(self.phase_of[t]))
                else:
                    self.task_phases.setdefault(t, []).append((q, line))
        for p in who.phases:
            if p != ALL:
                self._state_phase(p, objects, line)

    def _state_phase(self, p: int, objects: Refs, line: int) -> None:
        """Phase ``p`` waits for ``objects``. Phases named (or none at all: "No
        dependencies") are what it waits for instead of every earlier phase;
        tasks named are waited for on top ("US3 can start once T012 is done")."""
        self.phase_tasks[p] += [(d, line) for d in objects.tasks]
        if objects.tasks and not objects.phases:
            return
        stated = self.phase_after[p]
        if stated is None:
            stated = self.phase_after[p] = set()
        for q in objects.phases:
            if q == ALL:
                stated.update(range(p))
            else:
                stated.add(q)

    def _finish_phases(self) -> None:
        """"In parallel with" takes phases out of the earlier ones a phase waits for;
        no phase waits for itself (a user story spanning two phases, "US3", names both)."""
        for p, stated in enumerate(self.phase_after):
            beside = self.parallel_with[p]
            if stated is None and beside:
                self.phase_after[p] = stated = set(range(p)) - beside
            elif stated is not None:
                stated -= beside
            if stated is not None:
                stated.discard(p)
            self.phase_extra[p].discard(p)

    def has_work(self, q: int) -> bool:
        """Whether phase ``q`` holds tasks other than end gates."""
        phase = self.phases[q]
        return phase.end - phase.first > self.gate_count[q]

    def waits_for_phases(self, p: int) -> set[int] | range:
        """The phases phase ``p`` waits for (every earlier one unless the file says)."""
        stated = self.phase_after[p]
        extra = self.phase_extra[p]
        if stated is None:
            return set(range(p)) | extra if extra else range(p)
        return stated | extra

    # -- order ---------------------------------------------------------------------------
    def _sequence(self) -> tuple[list[int], list[int]]:
        """The order tasks are done in: file order; in Kiro files a parent after its subtasks."""
        tasks = self.doc.tasks
        n = len(tasks)
        if not self.kiro:
            order = list(range(n))
            return order, order
        kids: dict[int, list[int]] = {}
        roots = []
        for t in tasks:
            (roots if t.parent is None else kids.setdefault(t.parent, [])).append(t.index)
        order: list[int] = []
        stack: list[tuple[int, bool]] = [(r, False) for r in reversed(roots)]
        while stack:
            i, expanded = stack.pop()
            if expanded or i not in kids:
                order.append(i)
                continue
            stack.append((i, True))
            stack.extend((c, False) for c in reversed(kids[i]))
        position = [0] * n
        for pos, i in enumerate(order):
            position[i] = pos
        return order, position

    # -- naming ---------------------------------------------------------------------------
    def task_name(self, index: int) -> str:
        t = self.doc.tasks[index]
        if t.id:
            return t.id.rstrip(".")
        text = shown_text(t.text)
        text = text if len(text) <= 24 else text[:23] + "…"
        return f"L{t.line + 1} “{text}”"

    # -- cycles --------------------------------------------------------------------------
    def _forward(self) -> bool:
        """Whether anything stated points forward: to a task later in the order of
        work, or to the phase it is in or a later one. Phase order and the order of
        tasks without [P] only ever point back, so without such a statement there
        can be no cycle (and the graph need not be built)."""
        position, phase_of = self.position, self.phase_of
        for t, deps in self.after.items():
            if any(position[d] >= position[t] for d, _line in deps):
                return True
        for t, deps in self.task_phases.items():
            if any(q >= phase_of[t] for q, _line in deps):
                return True
        for p in range(len(self.phases)):
            stated = self.phase_after[p]
            if stated is not None and any(q >= p for q in stated) or any(q >= p for q in self.phase_extra[p]):
                return True
            if any(phase_of[d] >= p for d, _line in self.phase_tasks[p]):
                return True
        return False

    def _find_cycles(self) -> None:
        """The cycles of the graph of what waits for what (tasktui.doc.cycles: a few
        through each strongly connected part), each in one sentence. Nodes: tasks; a
        phase's start (what its tasks wait for), end (its tasks) and "every phase
        before it"."""
        tasks = self.doc.tasks
        n, k = len(tasks), len(self.phases)
        start, end, before = n, n + k, n + 2 * k
        edges: list[list[tuple[int, str]]] = [[] for _ in range(n + 3 * k)]
        gates = self.gates
        work = [not t.legend and not t.optional and t.index not in gates for t in tasks]  # a gate holds no phase back
        for t, deps in self.after.items():
            edges[t] += [(d, "stated") for d, _line in deps]
        for t, deps in self.task_phases.items():
            edges[t] += [(end + q, "stated") for q, _line in deps]
        last: dict[int, int] = {}
        for i in self.order:
            if not work[i]:
                continue
            p = self.phase_of[i]
            edges[i].append((start + p, "phase"))
            edges[end + p].append((i, "in"))
            if i not in self.parallel:
                if p in last:
                    edges[i].append((last[p], "order"))
                last[p] = i
        for p in range(k):
            stated = self.phase_after[p]
            if stated is None:
                edges[start + p].append((before + p, "phase"))
            else:
                edges[start + p] += [(end + q, "stated") for q in stated]
            edges[start + p] += [(end + q, "stated") for q in self.phase_extra[p]]
            edges[start + p] += [(d, "stated") for d, _line in self.phase_tasks[p]]
            if p:
                edges[before + p] += [(end + p - 1, "phase"), (before + p - 1, "phase")]

        def name(x: int) -> str | None:
            return self.task_name(x) if x < n else self.phase_name(x - end) if end <= x < before else None

        for cycle in find_cycles(edges, name):
            shown = cycle.names
            notes = []
            if "order" in cycle.kinds:
                notes.append("tasks without [P] wait for the open tasks before them")
            if "phase" in cycle.kinds:
                notes.append("a phase waits for the phases before it unless the file says otherwise")
            if len(shown) <= 2:
                text = f"{shown[0]} waits for itself"
            else:
                text = "these wait for each other: " + " → ".join(shown)
            text += f" ({'; '.join(notes)})" if notes else ""
            in_it = tuple(sorted({x for x in cycle.path if x < n}))
            line = tasks[in_it[0]].line if in_it else self._line_of(cycle.path)
            self.problems.append(Problem("cycle", line, text, in_it))

    def _line_of(self, part) -> int:
        """Where a cycle of phases only is stated."""
        for p in range(len(self.phases)):
            for d, line in self.phase_tasks[p]:
                if d in part:
                    return line
        return next((r[0] for r in self._read_ranges), 0)

    # -- reuse ----------------------------------------------------------------------------
    def hold_for(self, doc: Document, since: Document) -> bool:
        """Whether these dependencies, which hold for ``since`` (the version they were
        read from, or one they were found to hold for), also hold for ``doc``: a
        version patched in place from ``since`` that changed no task's text and none
        of the lines read here. They are kept as they are, read from ``self.doc``."""
        if doc is since:
            return True
        changed = doc.changed_since(since)
        if changed is None or doc.dialect != since.dialect:
            return False
        old, new = since.tasks, doc.tasks
        if any(old[i].text != new[i].text for i in changed):
            return False
        a, b = since.source.lines, doc.source.lines
        if not all(a[x:y] == b[x:y] for x, y in self._read_ranges):
            return False
        return doc.labels is since.labels or self._dependency_labels(doc) == self._labels

    def _dependency_labels(self, doc: Document) -> list[tuple[int, str]]:
        by_line = {h.line: i for i, h in enumerate(doc.headings)}
        headings = {by_line[s.line] for s in doc.sections if s.line is not None and s.line in by_line}
        return [(lab.line, lab.value) for lab in doc.labels
                if lab.heading in headings and lab.label.strip().lower() in _DEPENDENCY_LABELS
                and _MARKUP.sub("", lab.value).strip() and not _MARKUP.sub("", lab.value).strip().startswith("[")]
