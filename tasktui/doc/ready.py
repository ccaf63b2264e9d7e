"""What can be started now: the order a tasks file states for its tasks, and the
one ready rule that ``tasktui next``, the app's ``n``, the tree and the
workspace overview all use.

What is read (``Dependencies``), and nothing else:

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
  and ``can run in parallel with X`` are read too.
- A ``**Dependencies**: Phase 1 complete`` line right under a phase's heading.
- Kiro's order: a parent is done after its subtasks.
- End gates (``Gate``): the tasks under a Definition of Done, Acceptance /
  Success / Exit Criteria, Completion / Release Checklist or Quality Gates
  heading (tasktui.doc.headings) wait for the work of the section holding that
  heading, or, at the top of the file, for all the phases' work. A gate holds
  no phase and no task back: phases are done when their other tasks are.
- Open blockers in the log that name a task (tasktui.doc.links).

The ready rule (``Readiness``): a task is **ready** when it is required work
still to do (tasktui.doc.rollup.is_open), not in progress, not marked blocked,
review or draft (``states.HELD``: such a task holds back no task after it in
its phase), not named by an open blocker, its stated dependencies are done (or
cancelled), the phases its phase waits for have all their required tasks done
(end gates aside), an end gate's work is done, and, unless it carries ``[P]``,
no required task without ``[P]`` before it in its phase is still open.
"Before" is file order; in Kiro files a parent comes after its subtasks, so a
parent with open subtasks is not ready work and its subtasks are. A task that
is to do and not ready is **waiting**, with the reason. Without any dependency
information this leaves exactly one ready task: the first open task, as
``RollUp.first_open`` finds it.

Everything here is a value of one Document version. ``Dependencies`` depends
on the tasks' texts and the file's structure only, so a version patched in
place (a mark changed) reuses its predecessor's (``Readiness.following``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable

from tasktui.doc import headings as heading_rule
from tasktui.doc.links import blocked_tasks, names
from tasktui.doc.model import Document, Task
from tasktui.doc.plaintext import shown_text
from tasktui.doc.rollup import RollUp, is_open, kind
from tasktui.doc.states import CANCELLED, DONE, HELD, IN_PROGRESS, NAMES

READY, WAITING = "ready", "waiting"

# ------------------------------------------------------------------ references
_RANGE = r"\s*(?:-|–|—|\.\.|to|through)\s*"
_TID = r"T\d{2,}[a-z]?"
_DOTTED = r"\d+(?:\.\d+)+"
_PNUM = r"\d+(?:\.\d+)?[A-Za-z]?"
_REF = re.compile(
    rf"(?P<trange>\b{_TID}{_RANGE}{_TID}\b)"
    rf"|(?P<tid>\b{_TID}\b)"
    rf"|(?P<phase>\b(?i:phases?)\s+(?P<pnums>{_PNUM}(?:\s*(?:-|–|—|to|through|and|,|&|/)\s*{_PNUM})*)(?P<plus>\+)?)"
    r"|(?P<final>\b(?i:final|last)\s+(?i:phase)\b)"
    r"|(?P<story>\bUS\s?\d+(?:\s*(?:/|,|and|&)\s*(?:US)?\s?\d+)*\b"
    r"|\b(?i:user\s+stor(?:y|ies))\s+\d+(?:\s*(?:,|and|&|/)\s*\d+)*)"
    rf"|(?P<drange>(?<![\w.]){_DOTTED}{_RANGE}{_DOTTED}(?![\w]|\.\d))"
    rf"|(?P<dotted>(?<![\w.]){_DOTTED}(?![\w]|\.\d))"
    rf"|(?P<task>\b(?i:tasks?)\s+(?P<tnum>\d+(?:\.\d+)*)(?:{_RANGE}(?P<tend>\d+(?:\.\d+)*))?\b)"
)
_SEP = re.compile(r"\s*(?:,|&|/|\+|\band\b|\bor\b)\s*")
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
_PHASE_TITLE = re.compile(r"(?i)\s*phase\s+(\d+(?:\.\d+)*[a-z]?|[a-z])\b\s*(?:\([^)]*\))?\s*[:.\-–—]?\s*(.*)")
_STORY_TITLE = re.compile(r"\bUS\s?(\d+)\b|\b(?i:user\s+story)\s+(\d+)\b")
_WORD = re.compile(r"[^\W\d_]{3,}")
_NOT_NAMES = {"user", "story", "stories", "phase", "phases", "all", "the", "task", "tasks", "any", "other", "each"}
_SECTION_HEADING = re.compile(r"(?i)dependenc|execution\s+order")
_MARKUP = re.compile(r"\*\*|__|`")
_ITEM = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+")
_CHECKBOX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+\[.\]")
_DEPENDENCY_LABELS = {"dependencies", "dependency", "depends on"}

ALL = -1  # a phase reference meaning "every earlier phase"


@dataclass(frozen=True, slots=True)
class Phase:
    """One roll-up section, as the dependency rules see it."""

    index: int  # in Document.sections
    label: str | None  # "2" for "Phase 2: Foundational"
    name: str  # the title without "Phase 2:"
    title: str
    first: int  # its tasks: first .. end - 1
    end: int
    stories: frozenset[int]  # user stories its heading names


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


class _Refs:
    """What a piece of text refers to."""

    __slots__ = ("tasks", "phases", "missing")

    def __init__(self) -> None:
        self.tasks: list[int] = []
        self.phases: list[int] = []  # ALL for "every earlier phase"
        self.missing: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.tasks or self.phases or self.missing)

    def extend(self, other: "_Refs") -> None:
        self.tasks += other.tasks
        self.phases += other.phases
        self.missing += other.missing


class Dependencies:
    """What one version of a file says about the order of its tasks. Depends on
    the tasks' texts and the file's structure, never on their marks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        tasks = doc.tasks
        self.kiro = doc.dialect == "kiro"
        self.phases = [self._phase(s) for s in doc.sections]
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
        self._ids: dict[str, int] = {}
        for t in tasks:
            if t.id and not t.legend:
                self._ids.setdefault(t.id.rstrip("."), t.index)
        self._kinds = {("t" if i.startswith("T") else "d" if "." in i else "n") for i in self._ids}
        self._stories = self._story_phases()
        self._by_name = self._phase_names()
        self._by_label: dict[str, list[int]] = {}
        for p in self.phases:
            if p.label is not None:
                self._by_label.setdefault(p.label.casefold(), []).append(p.index)
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
    def _phase(self, section) -> Phase:
        m = _PHASE_TITLE.match(section.title)
        label, name = (m.group(1), m.group(2) or section.title) if m else (None, section.title)
        stories = frozenset(int(a or b) for a, b in _STORY_TITLE.findall(section.title))
        return Phase(section.index, label, name.strip(), section.title, section.first_task,
                     section.first_task + section.task_count, stories)

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

    def _story_phases(self) -> dict[int, list[int]]:
        """User story -> the phases about it: by heading, else by their tasks' ``[USn]`` markers."""
        out: dict[int, list[int]] = {}
        for p in self.phases:
            if p.end == p.first:
                continue  # "Parallel Example: User Story 1" holds no work
            for s in p.stories:
                out.setdefault(s, []).append(p.index)
        tasks = self.doc.tasks
        marked: dict[int, list[int]] = {}
        for p in self.phases:
            found = {int(m[2:]) for t in tasks[p.first:p.end] for m in t.markers if m[:2] == "US" and m[2:].isdigit()}
            for s in found:
                marked.setdefault(s, []).append(p.index)
        for s, ps in marked.items():
            out.setdefault(s, ps)
        return out

    def _phase_names(self) -> dict[str, list[int]]:
        """A phase's name's first word -> the phases it names: those called just that
        ("Core (Blocking Prerequisites)") before those it begins ("Core Orchestration")."""
        found: dict[str, tuple[list[int], list[int]]] = {}
        for p in self.phases:
            m = _WORD.search(p.name)
            if m and m.group().casefold() not in _NOT_NAMES:
                exact, starts = found.setdefault(m.group().casefold(), ([], []))
                bare = re.sub(r"\s*[(（].*$", "", p.name).strip().casefold()
                (exact if bare == m.group().casefold() else starts).append(p.index)
        return {word: exact or starts for word, (exact, starts) in found.items()}

    def phase_name(self, index: int) -> str:
        """How a sentence names a phase: ``Phase 2``, or its title."""
        p = self.phases[index]
        if p.label is not None:
            return f"Phase {p.label}"
        title = p.title if len(p.title) <= 30 else p.title[:29] + "…"
        return f"“{title}”"

    # -- references -----------------------------------------------------------------------
    def _task_ref(self, ident: str, refs: _Refs) -> None:
        i = self._ids.get(ident)
        if i is None:
            refs.missing.append(ident)
        else:
            refs.tasks.append(i)

    def _t_range(self, a: str, b: str, refs: _Refs) -> None:
        lo, hi = int(re.match(r"T(\d+)", a).group(1)), int(re.match(r"T(\d+)", b).group(1))
        found = [i for ident, i in self._ids.items()
                 if ident[0] == "T" and (m := re.match(r"T(\d+)", ident)) and lo <= int(m.group(1)) <= hi]
        if found:
            refs.tasks += sorted(found)
        else:
            refs.missing.append(f"{a}-{b}")

    def _d_range(self, a: str, b: str, refs: _Refs) -> None:
        head_a, _, last_a = a.rpartition(".")
        head_b, _, last_b = b.rpartition(".")
        if head_a != head_b:
            refs.missing.append(f"{a}-{b}")
            return
        lo, hi = int(last_a), int(last_b)
        keys = (f"{head_a}.{n}" if head_a else str(n) for n in range(lo, min(hi, lo + 1000) + 1))
        found = [self._ids[key] for key in keys if key in self._ids]
        if found:
            refs.tasks += found
        else:
            refs.missing.append(f"{a}-{b}")

    def _phase_numbers(self, text: str, plus: bool, refs: _Refs) -> None:
        """``2``, ``3-7``, ``3, 4 and 5``, ``3+`` (3 and every numbered phase after it)."""
        by_label = self._by_label
        tokens = re.findall(r"\d+(?:\.\d+)?[A-Za-z]?|-|–|—|to|through", text)
        wanted: list[str] = []
        k = 0
        while k < len(tokens):
            a = tokens[k]
            if (k + 2 < len(tokens) and tokens[k + 1] in ("-", "–", "—", "to", "through") and a.isdigit()
                    and tokens[k + 2].isdigit()):
                wanted += [str(n) for n in range(int(a), int(tokens[k + 2]) + 1)]
                k += 3
                continue
            if a[0].isdigit():
                wanted.append(a)
            k += 1
        for w in wanted:
            hits = by_label.get(w.casefold())
            if hits:
                refs.phases += hits
            elif not plus:
                refs.missing.append(f"Phase {w}")
        if plus and wanted and wanted[-1].isdigit():
            low = int(wanted[-1])
            refs.phases += [p.index for p in self.phases if p.label is not None and p.label.isdigit() and int(p.label) > low]

    def _story_ref(self, text: str, refs: _Refs) -> None:
        for n in re.findall(r"\d+", text):
            hits = self._stories.get(int(n))
            if hits:
                refs.phases += hits
            else:
                refs.missing.append(f"user story {n}")

    def _add_match(self, m: re.Match, refs: _Refs, strict: bool = True) -> None:
        """Add what match ``m`` of _REF names. Not ``strict``: a dotted number that is
        no task's id is taken for a number ("after 1.5 seconds"), not a missing id."""
        group = m.lastgroup
        text = m.group(group)
        kinds = self._kinds
        if group == "trange":
            a, b = re.findall(_TID, text)
            self._t_range(a, b, refs)
        elif group == "tid":
            self._task_ref(text, refs)
        elif group == "phase":
            self._phase_numbers(m.group("pnums"), bool(m.group("plus")), refs)
        elif group == "final":
            with_tasks = [p.index for p in self.phases if p.end > p.first]
            if with_tasks:
                refs.phases.append(with_tasks[-1])
        elif group == "story":
            self._story_ref(text, refs)
        elif group == "drange" and "d" in kinds:
            a, b = re.findall(_DOTTED, text)
            self._d_range(a, b, refs)
        elif group == "dotted" and "d" in kinds:
            if strict or text in self._ids:
                self._task_ref(text, refs)
        elif group == "task" and kinds & {"d", "n"}:
            if m.group("tend"):
                self._d_range(m.group("tnum"), m.group("tend"), refs)
            else:
                self._task_ref(m.group("tnum"), refs)

    def _refs_in(self, text: str, names: bool = True) -> _Refs:
        """Everything ``text`` names: tasks, phases, user stories; else ``all ...``
        (every earlier phase) or a phase by the first word of its name."""
        refs = _Refs()
        for m in _REF.finditer(text):
            self._add_match(m, refs)
        if refs or not names:
            return refs
        words = text.strip().split()
        while words and words[0].casefold() in ("the", "a", "an"):
            words.pop(0)
        if words and words[0].casefold() == "all":
            refs.phases.append(ALL)
        elif words:
            m = _WORD.match(words[0])
            if m and m.group().casefold() in self._by_name:
                refs.phases += self._by_name[m.group().casefold()]
        return refs

    def _ref_list_at(self, text: str, pos: int) -> _Refs:
        """The references that start at ``pos``, one after another (``T006, T012``,
        ``tasks 1.2 and 1.3``, ``Phase 2``): a task's text names what it waits for
        right after the words."""
        refs = _Refs()
        while True:
            m = _REF.match(text, pos)
            if m is None:
                break
            before = len(refs.tasks) + len(refs.phases) + len(refs.missing)
            self._add_match(m, refs, strict=False)
            if len(refs.tasks) + len(refs.phases) + len(refs.missing) == before:
                break  # a number that is not an id in this file
            pos = m.end()
            sep = _SEP.match(text, pos)
            if sep is None:
                break
            pos = sep.end()
        return refs

    # -- reading -------------------------------------------------------------------------
    def _missing(self, refs: _Refs, line: int, who: str, task: int | None = None) -> None:
        for ref in refs.missing:
            self.problems.append(Problem("missing", line, f"{ref} is not in this file ({who})",
                                         () if task is None else (task,)))

    def _read_task_texts(self) -> None:
        for t in self.doc.tasks:
            low = t.text.lower()  # a look for the words before the regular expression: most texts have none
            if t.legend or not ("depend" in low or "after" in low or "blocked" in low or "require" in low
                                or "wait" in low) or not _TEXT_VERB.search(t.text):
                continue
            refs = _Refs()
            for m in _TEXT_VERB.finditer(t.text):
                refs.extend(self._ref_list_at(t.text, m.end()))
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
                self._state_phase(p, _Refs(), lab.line)
                continue
            refs = self._refs_in(value)
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
            refs = self._refs_in(m.group(1))
            if refs and ALL not in refs.phases:
                subject, rest = refs, m.group(2)
        for clause in _CLAUSES.split(rest):
            self._clause(line, clause, subject)

    def _clause(self, line: int, clause: str, subject: _Refs | None) -> None:
        verbs = list(_SECTION_VERB.finditer(clause))
        if subject is not None and _NONE.match(clause):
            self._apply(line, subject, "wait", _Refs())
            return
        if not verbs:
            return
        first = verbs[0]
        left = clause[:first.start()]
        own = subject is not None and all(w.casefold() in _LEADS for w in left.split())
        who = subject if own else self._refs_in(left, names=len(left.split()) <= 3)
        if not who:
            return
        if not own:
            self._missing(who, line, "named in the dependencies")
        for k, verb in enumerate(verbs):
            end = verbs[k + 1].start() if k + 1 < len(verbs) else len(clause)
            objects = self._refs_in(clause[verb.end():end])
            if not objects:
                continue
            self._missing(objects, line, "named in the dependencies")
            self._apply(line, who, verb.lastgroup, objects)

    def _apply(self, line: int, who: _Refs, verb: str, objects: _Refs) -> None:
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

    def _state_phase(self, p: int, objects: _Refs, line: int) -> None:
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
        """Strongly connected parts of the graph of what waits for what, each reported
        once with one cycle through it. Nodes: tasks; a phase's start (what its
        tasks wait for), end (its tasks) and "every phase before it"."""
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
        for part in _strongly_connected(edges):
            if len(part) == 1 and not any(d == part[0] for d, _ in edges[part[0]]):
                continue
            self.problems += self._cycles(part, edges, n, k)

    def _cycles(self, part: list[int], edges, n: int, k: int, most: int = 5) -> list[Problem]:
        """Up to ``most`` different cycles of one strongly connected part: the shortest
        through each of its nodes in turn (tasks first), each set of names once."""
        inside = set(part)
        seen: set[frozenset[str]] = set()
        out: list[Problem] = []
        for tries, first in enumerate(sorted(part)):
            if len(out) >= most or tries >= 50:
                break
            cycle = self._shortest_cycle(first, inside, edges)
            if cycle is None:
                continue
            path, kinds = cycle
            shown: list[str] = []
            for x in path:
                name = self.task_name(x) if x < n else self.phase_name(x - n - k) if n + k <= x < n + 2 * k else None
                if name is not None and (not shown or shown[-1] != name):
                    shown.append(name)
            key = frozenset(shown)
            if key in seen:
                continue
            seen.add(key)
            notes = []
            if "order" in kinds:
                notes.append("tasks without [P] wait for the open tasks before them")
            if "phase" in kinds:
                notes.append("a phase waits for the phases before it unless the file says otherwise")
            if len(shown) <= 2:
                text = f"{shown[0]} waits for itself"
            else:
                text = "these wait for each other: " + " → ".join(shown)
            text += f" ({'; '.join(notes)})" if notes else ""
            tasks = tuple(sorted({x for x in path if x < n}))
            line = self.doc.tasks[tasks[0]].line if tasks else self._line_of(path)
            out.append(Problem("cycle", line, text, tasks))
        return out

    @staticmethod
    def _shortest_cycle(first: int, inside: set[int], edges) -> tuple[list[int], set[str]] | None:
        """The shortest way from ``first`` back to itself within ``inside`` (breadth first)."""
        prev: dict[int, tuple[int, str]] = {}
        queue = [first]
        found = None
        for node in queue:
            for d, why in edges[node]:
                if d not in inside:
                    continue
                if d == first:
                    found = (node, why)
                    break
                if d not in prev:
                    prev[d] = (node, why)
                    queue.append(d)
            if found:
                break
        if found is None:
            return None
        path = [first]
        kinds = {found[1]}
        node = found[0]
        while node != first:
            path.append(node)
            node, why = prev[node]
            kinds.add(why)
        path.append(first)
        path.reverse()
        return path, kinds

    def _line_of(self, part: list[int]) -> int:
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


def _strongly_connected(edges: list[list[tuple[int, str]]]) -> list[list[int]]:
    """Tarjan's algorithm without recursion: the strongly connected components."""
    n = len(edges)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1 or not edges[root]:
            continue
        work = [(root, 0)]
        while work:
            v, pos = work[-1]
            if pos == 0 and index[v] == -1:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if pos < len(edges[v]):
                work[-1] = (v, pos + 1)
                w = edges[v][pos][0]
                if index[w] == -1:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    part.append(w)
                    if w == v:
                        break
                out.append(part)
    return out


# ---------------------------------------------------------------------- readiness
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
