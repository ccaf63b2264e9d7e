"""The document model: tasks, sections and the template's tracking parts, with
line and byte positions into the original bytes. Values are frozen dataclasses;
a Document is built once per version of the file and never mutated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from tasktui.doc.durations import DEFAULT_DAY_HOURS, parse_hours
from tasktui.doc.parse import ChunkResult, parse_chunks
from tasktui.doc.source import Source, encode

ESTIMATE_LABELS = ("estimated time", "time estimate")
STATES = ("todo", "done", "in_progress", "queued", "cancelled", "other")
DIALECTS = ("template", "speckit", "kiro", "generic")

_SPECKIT_ID = re.compile(r"(T\d{2,}[a-z]?)(?=[\s:.,)\]]|$)")
_KIRO_ID = re.compile(r"(\d+(?:\.\d+)*)\.?(?=\s|$)")
_MARKER = re.compile(r"\s*\[([A-Za-z][A-Za-z0-9_-]{0,15})\]")
_LABEL = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])?\s*\*\*([^*]+?):?\*\*:?\s*(.*?)\s*$")
_PHASE_HEADING = re.compile(r"phase\s+(\d+)\b", re.I)
_COMPLETION = re.compile(r"^\*\*Phase\s+(\d+)\*\*:?[ \t]*(.*?)[ \t]*$", re.I)
_LOG_ENTRY = re.compile(
    r"^\*\*(\d{4}-\d{2}-\d{2}|\[DATE\])\*\*\s*[-–—]\s*\[?(Blocker|Decision|Decision/Blocker)\]?\s*:\s*(.*?)\s*$",
    re.I,
)
_RESOLVED = re.compile(r"\s+[—–-]+\s+Resolved(?:\s+(\d{4}-\d{2}-\d{2}))?:?\s*(.*)$", re.I)
_TASK_LINK = re.compile(r"\s*\(task\s+([^)]+)\)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Task:
    index: int
    line: int  # 0-based line of the checkbox
    item_line: int  # 0-based line of the list marker
    end: int  # exclusive end line of the whole list item (details and children)
    col: int  # column of "[" on the checkbox line
    mark_offset: int  # byte offset of the mark character
    mark: str
    state: str
    optional: bool
    text: str
    id: str | None
    markers: tuple[str, ...]
    path: tuple[str, ...]
    parent: int | None  # index of the parent task
    depth: int
    quote: bool
    estimate_hours: float | None
    actual_hours: float | None
    estimate_line: int | None
    actual_line: int | None
    section: int  # index into Document.sections (-1 when none)

    @property
    def is_open(self) -> bool:
        """Counts as work still to do: not done, cancelled or optional."""
        return self.state not in ("done", "cancelled") and not self.optional

    def key(self) -> "TaskKey":
        return TaskKey(self.id, self.path, self.text, 0)


@dataclass(frozen=True, slots=True)
class TaskKey:
    """A task's identity across versions of the file: its id, or heading path + text + occurrence."""

    id: str | None
    path: tuple[str, ...]
    text: str
    occurrence: int


@dataclass(frozen=True, slots=True)
class Heading:
    line: int
    end: int
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """A roll-up section: a heading at the section level and every task below it."""

    index: int
    title: str
    line: int | None  # None for the section of tasks before the first section heading
    level: int
    first_task: int
    task_count: int
    estimate_hours: float | None  # an `**Estimated Time**` line under the heading itself
    phase: int | None  # N for a "Phase N" heading


@dataclass(frozen=True, slots=True)
class Label:
    """A `**Label**: value` line outside tasks."""

    line: int
    label: str
    value: str
    heading: int | None  # index into Document.headings of the heading it sits under


@dataclass(frozen=True, slots=True)
class LogEntry:
    line: int
    date: str | None
    kind: str  # Blocker / Decision
    text: str
    task: str | None
    resolved: bool
    resolved_date: str | None
    resolution: str | None
    placeholder: bool


@dataclass(frozen=True, slots=True)
class CompletionLine:
    line: int
    phase: int
    status: str | None  # not_started / in_progress / complete, None for the placeholder
    value: str


@dataclass(frozen=True, slots=True)
class TimeLine:
    line: int
    label: str  # "Estimated Total" / "Actual Time" / "Variance"
    value: str


def _state(mark: str, dialect: str) -> str:
    if mark == " ":
        return "todo"
    if mark in "xX":
        return "done"
    if dialect == "kiro":
        return {"-": "in_progress", "~": "queued"}.get(mark, "other")
    return {"/": "in_progress", "-": "cancelled"}.get(mark, "other")


def split_id(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The id and spec-kit markers at the start of a task's text."""
    m = _SPECKIT_ID.match(text) or _KIRO_ID.match(text)
    if not m:
        return None, ()
    markers = []
    pos = m.end()
    while True:
        mm = _MARKER.match(text, pos)
        if not mm:
            break
        markers.append(mm.group(1))
        pos = mm.end()
    return m.group(1), tuple(markers)


class Document:
    """One version of a tasks file. Build with :func:`load` or ``Document(source)``."""

    def __init__(self, source: Source | bytes, *, cache: dict | None = None, day_hours: float = DEFAULT_DAY_HOURS):
        if isinstance(source, bytes):
            source = Source(source)
        self.source = source
        self.day_hours = day_hours
        self.chunks = parse_chunks(source.lines, cache)
        self._assemble()

    # -- building ---------------------------------------------------------------------
    def _assemble(self) -> None:
        src = self.source
        lines = src.lines
        raw_tasks = []
        headings: list[Heading] = []
        label_spans: list[tuple[int, int, bool]] = []
        task_label_spans: list[tuple[tuple[int, int], ...]] = []
        self.front_matter = 0
        for start, _end, res in self.chunks:
            base = len(raw_tasks)
            if start == 0:
                self.front_matter = res.front_matter
            for rt in res.tasks:
                raw_tasks.append((rt, start, None if rt.parent is None else rt.parent + base))
                task_label_spans.append(tuple((a + start, b + start) for a, b in rt.labels))
            for h in res.headings:
                headings.append(Heading(h.line + start, h.end + start, h.level, h.text))
            for a, b, in_list in res.labels:
                label_spans.append((a + start, b + start, in_list))
        self.headings = headings

        texts = []
        for rt, start, _parent in raw_tasks:
            line = lines[rt.line + start]
            texts.append(line[rt.col + 3 + (1 if rt.optional else 0):].strip())
        ids = [split_id(t) for t in texts]
        self.dialect = self._detect_dialect(raw_tasks, ids, label_spans)

        # section level: below a single leading H1 title, else the shallowest level
        self.title = None
        levels = [h.level for h in headings]
        section_level = None
        if headings and headings[0].level == 1 and levels.count(1) == 1:
            self.title = headings[0].text
            rest = levels[1:]
            section_level = min(rest) if rest else None
        elif headings:
            section_level = min(levels)
            if levels.count(1) >= 1 and headings[0].level == 1:
                self.title = headings[0].text
        self.section_level = section_level

        # walk tasks and headings in line order for paths and sections
        tasks: list[Task] = []
        sections: list[Section] = []
        sec_starts: list[tuple[int, str, int | None, int]] = []  # (first_task, title, line, level)
        path: list[tuple[int, str]] = []
        hi = 0
        current_section = -1
        pre_tasks = False
        for index, (rt, start, parent) in enumerate(raw_tasks):
            line = rt.line + start
            while hi < len(headings) and headings[hi].line < line:
                h = headings[hi]
                while path and path[-1][0] >= h.level:
                    path.pop()
                path.append((h.level, h.text))
                if section_level is not None and h.level == section_level:
                    sec_starts.append((index, h.text, h.line, h.level))
                    current_section = len(sec_starts) - 1
                hi += 1
            if current_section == -1:
                if not pre_tasks:
                    sec_starts.append((index, self.title or "Tasks", None, 0))
                    pre_tasks = True
                current_section = len(sec_starts) - 1
            mark = rt.mark
            est = act = None
            est_line = act_line = None
            for a, _b in task_label_spans[index]:
                m = _LABEL.match(lines[a])
                if not m:
                    continue
                name = m.group(1).strip().lower()
                if name in ESTIMATE_LABELS and est_line is None:
                    est, est_line = parse_hours(m.group(2), self.day_hours), a
                elif name == "actual time" and act_line is None:
                    act, act_line = parse_hours(m.group(2), self.day_hours), a
            tid, markers = ids[index]
            tasks.append(
                Task(
                    index=index,
                    line=line,
                    item_line=rt.item_line + start,
                    end=rt.end + start,
                    col=rt.col,
                    mark_offset=src.offset(line, rt.col + 1),
                    mark=mark,
                    state=_state(mark, self.dialect),
                    optional=rt.optional,
                    text=texts[index],
                    id=tid,
                    markers=markers,
                    path=tuple(t for _, t in path),
                    parent=parent,
                    depth=rt.depth,
                    quote=rt.quote,
                    estimate_hours=est,
                    actual_hours=act,
                    estimate_line=est_line,
                    actual_line=act_line,
                    section=current_section,
                )
            )
        # section headings after the last task still make (empty) sections
        while hi < len(headings):
            h = headings[hi]
            if section_level is not None and h.level == section_level:
                sec_starts.append((len(tasks), h.text, h.line, h.level))
            hi += 1
        self.tasks = tasks

        # labels outside tasks
        heading_lines = [h.line for h in headings]
        labels: list[Label] = []
        import bisect

        for a, b, _in_list in label_spans:
            for ln in range(a, b):
                m = _LABEL.match(lines[ln])
                if m:
                    hidx = bisect.bisect_right(heading_lines, ln) - 1
                    labels.append(Label(ln, m.group(1).strip(), m.group(2), hidx if hidx >= 0 else None))
        self.labels = labels

        section_estimates: dict[int, float | None] = {}
        for lab in labels:
            if lab.label.lower() in ESTIMATE_LABELS and lab.heading is not None:
                section_estimates.setdefault(headings[lab.heading].line, parse_hours(lab.value, self.day_hours))
        for si, (first, title, line, level) in enumerate(sec_starts):
            nxt = sec_starts[si + 1][0] if si + 1 < len(sec_starts) else len(tasks)
            est = None
            if line is not None:
                # an estimate directly under this heading or any heading inside the section
                end_line = sec_starts[si + 1][2] if si + 1 < len(sec_starts) and sec_starts[si + 1][2] is not None else len(lines)
                vals = [v for hl, v in section_estimates.items() if line <= hl < end_line and v is not None]
                est = sum(vals) if vals else None
            pm = _PHASE_HEADING.match(title)
            sections.append(Section(si, title, line, level, first, nxt - first, est, int(pm.group(1)) if pm else None))
        self.sections = sections
        self._tracking(labels)

    def _detect_dialect(self, raw_tasks, ids, label_spans) -> str:
        lines = self.source.lines
        for a, _b, _ in label_spans:
            low = lines[a].lower()
            if low.startswith(("**estimated", "**time estimate")) or low.startswith("**phase") and "**:" in low:
                return "template"
        n = len(raw_tasks)
        for rt, start, _ in raw_tasks:
            if rt.labels:
                for a, _b in rt.labels:
                    if "**estimated time" in lines[a + start].lower() or "**time estimate" in lines[a + start].lower():
                        return "template"
        if n:
            speckit = sum(1 for tid, _ in ids if tid and tid.startswith("T"))
            if speckit * 2 >= n:
                return "speckit"
            numbered = sum(1 for tid, _ in ids if tid and not tid.startswith("T"))
            # Kiro numbers its top-level tasks "1.", "2." and nests "1.1" under them
            top_level = any(re.match(r"\d+\.\s", lines[rt.line + start][rt.col + 3 + rt.optional:].lstrip()) for rt, start, _ in raw_tasks)
            if numbered * 2 >= n and top_level:
                return "kiro"
        tracking = ("progress tracking", "completion status", "time tracking", "decisions log", "blockers")
        if any(word in h.text.lower() for h in self.headings for word in tracking):
            return "template"
        return "generic"

    def _tracking(self, labels: list[Label]) -> None:
        headings = self.headings
        lines = self.source.lines
        self.completion: list[CompletionLine] = []
        self.time_lines: list[TimeLine] = []
        self.log: list[LogEntry] = []
        self.metadata: list[Label] = []
        first_section_line = next((h.line for h in headings if self.section_level and h.level == self.section_level), None)
        for lab in labels:
            htext = headings[lab.heading].text.lower() if lab.heading is not None else ""
            line = lines[lab.line].strip()
            if "completion status" in htext or "progress tracking" in htext:
                m = _COMPLETION.match(line)
                if m:
                    self.completion.append(CompletionLine(lab.line, int(m.group(1)), _completion_status(m.group(2)), m.group(2)))
                    continue
            if "time tracking" in htext and lab.label.lower() in ("estimated total", "actual time", "variance"):
                self.time_lines.append(TimeLine(lab.line, lab.label, lab.value))
                continue
            if "log" in htext or "blocker" in htext or "decision" in htext:
                entry = parse_log_entry(lab.line, line)
                if entry:
                    self.log.append(entry)
                    continue
            if first_section_line is None or lab.line < first_section_line:
                self.metadata.append(lab)

    # -- queries ----------------------------------------------------------------------
    @cached_property
    def keys(self) -> list[TaskKey]:
        seen: dict[tuple, int] = {}
        ids: dict[str, int] = {}
        for t in self.tasks:
            if t.id:
                ids[t.id] = ids.get(t.id, 0) + 1
        keys = []
        for t in self.tasks:
            if t.id and ids[t.id] == 1:
                keys.append(TaskKey(t.id, (), "", 0))
                continue
            k = (t.path, t.text)
            occ = seen.get(k, 0)
            seen[k] = occ + 1
            keys.append(TaskKey(None, t.path, t.text, occ))
        return keys

    @cached_property
    def _key_index(self) -> dict[TaskKey, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def find(self, key: TaskKey) -> Task | None:
        i = self._key_index.get(key)
        return None if i is None else self.tasks[i]

    def task_at_line(self, line: int) -> Task | None:
        """The task whose checkbox is on 0-based ``line``."""
        return self._by_line.get(line)

    @cached_property
    def _by_line(self) -> dict[int, Task]:
        return {t.line: t for t in self.tasks}

    def children(self, task: Task) -> list[Task]:
        return [t for t in self.tasks[task.index + 1:] if t.line < task.end and t.parent == task.index]

    @property
    def open_blockers(self) -> list[LogEntry]:
        return [e for e in self.log if e.kind == "Blocker" and not e.resolved and not e.placeholder]

    @property
    def read_only_reason(self) -> str | None:
        return "it contains NUL bytes" if self.source.has_nul else None

    def section_tasks(self, section: Section) -> list[Task]:
        return self.tasks[section.first_task:section.first_task + section.task_count]

    def done_mark(self) -> str:
        """The mark for newly done tasks: the file's majority, else the dialect's default."""
        lower = sum(1 for t in self.tasks if t.mark == "x")
        upper = sum(1 for t in self.tasks if t.mark == "X")
        if lower or upper:
            return "X" if upper > lower else "x"
        return "X" if self.dialect == "speckit" else "x"


def _completion_status(value: str) -> str | None:
    v = value.lower()
    has = [("not started" in v), ("in progress" in v), ("complete" in v and "incomplete" not in v)]
    if sum(has) != 1:
        return None
    return ("not_started", "in_progress", "complete")[has.index(True)]


def parse_log_entry(line_no: int, line: str) -> LogEntry | None:
    m = _LOG_ENTRY.match(line.strip())
    if not m:
        return None
    date, kind, text = m.group(1), m.group(2), m.group(3)
    placeholder = date == "[DATE]" or "/" in kind or text.startswith("[")
    resolved = False
    rdate = resolution = None
    rm = _RESOLVED.search(text)
    if rm:
        resolved = True
        rdate, resolution = rm.group(1), rm.group(2).strip() or None
        text = text[: rm.start()]
    task = None
    tm = _TASK_LINK.search(text)
    if tm:
        task = tm.group(1).strip()
        text = text[: tm.start()]
    kind = "Blocker" if kind.lower() == "blocker" else ("Decision" if kind.lower() == "decision" else kind)
    return LogEntry(line_no, None if date == "[DATE]" else date, kind, text.strip(), task, resolved, rdate, resolution, placeholder)


def load(data: bytes, **kwargs) -> Document:
    return Document(Source(data), **kwargs)
