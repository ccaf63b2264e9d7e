"""How a tasks file names its tasks, phases and user stories where it states
an order, and what those names point to in one version of the file.

The grammar (``_REF``): task ids (``T012``, ranges ``T010-T012``), dotted
numbers (``1.2``, ``1.2-1.4``), ``task 3`` and ``tasks 1.2 to 1.4``, phases by
number (``Phase 2``, ``Phase 3-7``, ``Phases 3, 4 and 5``, ``Phase 3+``: 3 and
every numbered phase after it), ``Final Phase``, user stories (``US2``,
``User Story 2``: the phases whose heading or tasks carry it); where nothing of
that is found, ``all ...`` (every earlier phase) or a phase by the first word of
its name (``Setup``, ``Foundational``). ``Names`` resolves them against one
version's ids, phase numbers, stories and phase names (``refs_in``,
``ref_list_at``); what names nothing is kept as missing, for the problems
tasktui.doc.dependencies reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasktui.doc.model import Document

ALL = -1  # a phase reference meaning "every earlier phase"

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
_PHASE_TITLE = re.compile(r"(?i)\s*phase\s+(\d+(?:\.\d+)*[a-z]?|[a-z])\b\s*(?:\([^)]*\))?\s*[:.\-–—]?\s*(.*)")
_STORY_TITLE = re.compile(r"\bUS\s?(\d+)\b|\b(?i:user\s+story)\s+(\d+)\b")
_WORD = re.compile(r"[^\W\d_]{3,}")
_NOT_NAMES = {"user", "story", "stories", "phase", "phases", "all", "the", "task", "tasks", "any", "other", "each"}


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

    @classmethod
    def of(cls, section) -> Phase:
        """The phase of a roll-up section (tasktui.doc.model): ``Phase 2: Foundational``
        has label ``2`` and name ``Foundational``; user stories its title names."""
        m = _PHASE_TITLE.match(section.title)
        label, name = (m.group(1), m.group(2) or section.title) if m else (None, section.title)
        stories = frozenset(int(a or b) for a, b in _STORY_TITLE.findall(section.title))
        return cls(section.index, label, name.strip(), section.title, section.first_task,
                   section.first_task + section.task_count, stories)


class Refs:
    """What a piece of text refers to."""

    __slots__ = ("tasks", "phases", "missing")

    def __init__(self) -> None:
        self.tasks: list[int] = []
        self.phases: list[int] = []  # ALL for "every earlier phase"
        self.missing: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.tasks or self.phases or self.missing)

    def extend(self, other: "Refs") -> None:
        self.tasks += other.tasks
        self.phases += other.phases
        self.missing += other.missing


class Names:
    """What references name in one version of a file: its tasks by id (the file's
    legend left out), its phases by number and by the first word of their names,
    its user stories by the phases about them."""

    def __init__(self, doc: Document, phases: list[Phase]) -> None:
        self.doc = doc
        self.phases = phases
        self._ids: dict[str, int] = {}
        for t in doc.tasks:
            if t.id and not t.legend:
                self._ids.setdefault(t.id.rstrip("."), t.index)
        self._kinds = {("t" if i.startswith("T") else "d" if "." in i else "n") for i in self._ids}
        self._stories = self._story_phases()
        self._by_name = self._phase_names()
        self._by_label: dict[str, list[int]] = {}
        for p in phases:
            if p.label is not None:
                self._by_label.setdefault(p.label.casefold(), []).append(p.index)

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


    def _task_ref(self, ident: str, refs: Refs) -> None:
        i = self._ids.get(ident)
        if i is None:
            refs.missing.append(ident)
        else:
            refs.tasks.append(i)

    def _t_range(self, a: str, b: str, refs: Refs) -> None:
        lo, hi = int(re.match(r"T(\d+)", a).group(1)), int(re.match(r"T(\d+)", b).group(1))
        found = [i for ident, i in self._ids.items()
                 if ident[0] == "T" and (m := re.match(r"T(\d+)", ident)) and lo <= int(m.group(1)) <= hi]
        if found:
            refs.tasks += sorted(found)
        else:
            refs.missing.append(f"{a}-{b}")

    def _d_range(self, a: str, b: str, refs: Refs) -> None:
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

    def _phase_numbers(self, text: str, plus: bool, refs: Refs) -> None:
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

    def _story_ref(self, text: str, refs: Refs) -> None:
        for n in re.findall(r"\d+", text):
            hits = self._stories.get(int(n))
            if hits:
                refs.phases += hits
            else:
                refs.missing.append(f"user story {n}")

    def _add_match(self, m: re.Match, refs: Refs, strict: bool = True) -> None:
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

    def refs_in(self, text: str, names: bool = True) -> Refs:
        """Everything ``text`` names: tasks, phases, user stories; else ``all ...``
        (every earlier phase) or a phase by the first word of its name."""
        refs = Refs()
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

    def ref_list_at(self, text: str, pos: int) -> Refs:
        """The references that start at ``pos``, one after another (``T006, T012``,
        ``tasks 1.2 and 1.3``, ``Phase 2``): a task's text names what it waits for
        right after the words."""
        refs = Refs()
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
