"""The document model: tasks, sections and the template's tracking parts, with
line and byte positions into the original bytes. Values are frozen dataclasses;
a Document is built once per version of the file and never mutated."""

from __future__ import annotations

import bisect as _bisect
import re
import weakref
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import NamedTuple

from tasktui.doc.durations import DEFAULT_DAY_HOURS
from tasktui.doc.durations import parse_hours as _parse_hours
from tasktui.doc.parse import (ESTIMATE_LABELS, TOO_DEEP, ChunkResult, chunk_key, chunks_between, fenced_checkboxes,
                               is_checkbox_mark,
                               parse_chunks, parse_one)
from tasktui.doc.source import Source
from tasktui.doc import dialect as dialect_mod
from tasktui.doc import headings as headings_mod
from tasktui.doc import legend as legend_mod
from tasktui.doc.states import OTHER, marks_for

parse_hours = lru_cache(maxsize=4096)(_parse_hours)

_SPECKIT_ID = re.compile(r"(T\d{2,}[a-z]?)(?=[\s:.,)\]]|$)")
_KIRO_ID = re.compile(r"(\d+(?:\.\d+)*)\.?(?=\s|$)")
_MARKER = re.compile(r"\s*\[([A-Za-z][A-Za-z0-9_-]{0,15})\]")
# a `**Label**: value` line as written: in a list item or a paragraph, in a blockquote too
# (``> **Estimated Time:** 15 minutes``, a Kiro task's quoted details)
LABEL_LINE = re.compile(r"\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])?\s*\*\*([^*]+?):?\*\*:?\s*(.*?)\s*$")
_PHASE_HEADING = re.compile(r"phase\s+(\d+)\b", re.I)
_COMPLETION = re.compile(r"^\*\*Phase\s+(\d+)\*\*:?[ \t]*(.*?)[ \t]*$", re.I)
# a log entry, as the template writes it (``**2026-11-20** - Blocker: text``) or as a list
# item, with or without the bold date (``- 2026-11-20 - Decision: text``)
_LOG_ENTRY = re.compile(
    r"^(?:[-*+]\s+)?(\*\*|__)?(\d{4}-\d{2}-\d{2}|\[DATE\])\1?\s*[-–—:]?\s*\[?(Blocker|Decision|Decision/Blocker)\]?"
    r"\s*[:–—-]\s*(.*?)\s*$",
    re.I,
)
_DATED_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(\d{4}-\d{2}-\d{2})\b\s*(.*?)\s*$")
_RESOLVED = re.compile(r"\s+[—–-]+\s+Resolved(?:\s+(\d{4}-\d{2}-\d{2}))?:?\s*(.*)$", re.I)
# the last "(task ...)" of the entry; the task's title may hold parentheses itself
_TASK_LINK = re.compile(r"\s*\(task\s+((?:[^()]|\([^()]*\))+)\)\s*$", re.I)


class Task(NamedTuple):
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
    legend: bool = False  # an item of the file's own legend: a key to the marks, not work
    label: str | None = None  # the legend's word for this task's mark, when the file has one


class TaskKey(NamedTuple):
    """A task's identity across versions of the file: its id, or heading path + text + occurrence.
    (A NamedTuple: a 50k-task file makes 50k of them, at a tenth of a frozen dataclass's cost.)"""

    id: str | None
    path: tuple[str, ...]
    text: str
    occurrence: int


class HeadingKey(NamedTuple):
    """A heading's identity across versions: the texts of it and its parent headings,
    and which of the headings with that path it is."""

    path: tuple[str, ...]
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
    end_line: int | None  # line of the next section heading (None: the end of the file)
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


_KIRO_TOP = re.compile(r"\d+\.\s")
_OTHER = (OTHER, None)


def _requirement_line(line: str) -> bool:
    return "_" in line and bool(dialect_mod._REQUIREMENTS.match(line))


_BOLD_ID = re.compile(r"(\*\*|__)(T\d{2,}[a-z]?|\d+(?:\.\d+)*)\.?\1(?=[\s:.,)\]]|$)")


def split_id(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The id and spec-kit markers at the start of a task's text (a bold id too: ``**T001**``)."""
    m = _SPECKIT_ID.match(text) or _KIRO_ID.match(text)
    if m is None:
        b = _BOLD_ID.match(text)
        if b is None:
            return None, ()
        return b.group(2), _markers(text, b.end())
    return m.group(1), _markers(text, m.end())


_split_id = lru_cache(maxsize=1 << 16)(split_id)  # versions of a file (its history) share most texts


def _markers(text: str, pos: int) -> tuple[str, ...]:
    markers = []
    while True:
        mm = _MARKER.match(text, pos)
        if not mm:
            break
        markers.append(mm.group(1))
        pos = mm.end()
    return tuple(markers)


_WRAPPERS = ("**", "__", "*", "_")


def split_text(text: str) -> tuple[str, str, str]:
    """A task's text as (prefix, description, wrapper): the id and markers as written
    (``**T001** [P] [US1] ``), the description, and the emphasis around the whole
    description (``**`` for ``**Build it**``), if any. ``prefix + wrapper +
    description + wrapper == text``."""
    tid, markers = split_id(text)
    prefix = ""
    if tid is not None:
        m = _SPECKIT_ID.match(text) or _KIRO_ID.match(text) or _BOLD_ID.match(text)
        pos = m.end()
        for _marker in markers:
            pos = _MARKER.match(text, pos).end()
        if pos < len(text) and text[pos] in ".:":  # "**1.**. Setup", "**T002**: do"
            pos += 1
        rest = text[pos:]
        prefix = text[:pos] + rest[: len(rest) - len(rest.lstrip())]
    body = text[len(prefix):]
    for w in _WRAPPERS:
        n = len(w)
        if len(body) > 2 * n and body.startswith(w) and body.endswith(w) and w not in body[n:-n] and body[n] != " ":
            return prefix, body[n:-n], w
    return prefix, body, ""


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a Document version was made from an earlier one by patches that kept its
    structure (the same tasks, headings and labels, at the same indexes)."""

    base: "weakref.ref[Document]"  # the earlier version, while it is alive
    changed: tuple[int, ...]  # the tasks whose mark, text or time differ (the others are as they were)


@dataclass(frozen=True, eq=False)
class Shape:
    """What the versions patched in place from one parse share: how the file was read
    (``day_hours``, its path, a dialect the user set), its block structure (headings,
    the lines that can hold ``**Label**`` lines, where the chunks start and the first
    task of each), what its marks mean (its own legend, its dialect) and its sections.
    A successor takes it whole; a patch that changes any of it parses the file again."""

    day_hours: float
    path: str | None
    forced_dialect: str | None  # what the user said the dialect is; None: detected
    read_legend: bool  # False: the config's legend_off names the file, so no legend is read in it
    complete: bool  # the chunks cover the whole file
    front_matter: int
    headings: tuple[Heading, ...]
    label_spans: tuple[tuple[int, int, bool], ...]  # (first line, end, inside a list) of each run of label lines
    title: str | None
    section_level: int | None
    legend: legend_mod.Legend
    dialect: str
    dialect_signals: tuple[str, ...]
    marks: dict[str, tuple[str, str | None]]  # mark -> (state, the legend's word for it)
    sections: tuple[Section, ...]
    chunk_starts: tuple[int, ...]
    chunk_first: tuple[int, ...]  # index of each chunk's first task

    @cached_property
    def label_lines(self) -> frozenset[int]:
        return frozenset(ln for a, b, _ in self.label_spans for ln in range(a, b))

    @cached_property
    def heading_keys(self) -> tuple[HeadingKey, ...]:
        keys = []
        stack: list[tuple[int, str]] = []
        seen: dict[tuple[str, ...], int] = {}
        for h in self.headings:
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            stack.append((h.level, h.text))
            path = tuple(t for _, t in stack)
            n = seen.get(path, 0)
            seen[path] = n + 1
            keys.append(HeadingKey(path, n))
        return tuple(keys)


@dataclass(frozen=True, eq=False)
class Tracking:
    """The ``**Label**`` lines outside tasks, and the template's tracking parts sorted
    from them: Progress Tracking's completion lines, Time Tracking's totals, the
    Blockers & Decisions log, and the metadata above the first section."""

    labels: tuple[Label, ...]
    label_index: dict[int, int]  # line -> index in labels
    completion: tuple[CompletionLine, ...]
    time_lines: tuple[TimeLine, ...]
    log: tuple[LogEntry, ...]
    metadata: tuple[Label, ...]

    @classmethod
    def read(cls, lines, label_spans, headings, section_level: int | None) -> "Tracking":
        """Every label in ``label_spans``, sorted into the tracking parts."""
        heading_lines = [h.line for h in headings]
        labels: list[Label] = []
        for a, b, _in_list in label_spans:
            for ln in range(a, b):
                m = LABEL_LINE.match(lines[ln]) or _DATED_LINE.match(lines[ln])
                if m:
                    hidx = _bisect.bisect_right(heading_lines, ln) - 1
                    labels.append(Label(ln, m.group(1).strip(), m.group(2), hidx if hidx >= 0 else None))
        first_section = _first_section_line(headings, section_level)
        parts: dict[str, list] = {"completion": [], "time_lines": [], "log": [], "metadata": []}
        for lab in labels:
            kind, value = _classify(lab, lines[lab.line], headings, first_section)
            if kind is not None:
                parts[kind].append(value)
        return cls(tuple(labels), {lab.line: i for i, lab in enumerate(labels)},
                   **{name: tuple(values) for name, values in parts.items()})

    def reread(self, lines, touched: list[int], label_spans, headings, section_level: int | None) -> "Tracking":
        """The tracking of ``lines``, where only the label lines ``touched`` changed
        (in place, the headings as they were): those are read and sorted again, the
        rest kept. When one of them is no longer a label, all are read again."""
        where = self.label_index
        labels = list(self.labels)
        for ln in touched:
            i = where.get(ln)
            m = LABEL_LINE.match(lines[ln]) or _DATED_LINE.match(lines[ln])
            if i is None or not m:
                return Tracking.read(lines, label_spans, headings, section_level)  # a label appeared or went away
            labels[i] = Label(ln, m.group(1).strip(), m.group(2), labels[i].heading)
        gone = set(touched)
        parts = {name: [x for x in getattr(self, name) if x.line not in gone]
                 for name in ("completion", "time_lines", "log", "metadata")}
        first_section = _first_section_line(headings, section_level)
        for lab in (labels[i] for i in sorted({where[ln] for ln in gone})):
            kind, value = _classify(lab, lines[lab.line], headings, first_section)
            if kind is not None:
                _bisect.insort(parts[kind], value, key=lambda x: x.line)
        return Tracking(tuple(labels), where, **{name: tuple(values) for name, values in parts.items()})


def _first_section_line(headings, section_level: int | None) -> int | None:
    return next((h.line for h in headings if section_level and h.level == section_level), None)


def _classify(lab: Label, line: str, headings, first_section_line: int | None):
    """Which tracking part ``lab`` (written as ``line``) belongs to, and its parsed value:
    (None, None) for none. The part is the heading's, by its own words (tasktui.doc.headings)."""
    part = headings_mod.part(headings[lab.heading].text) if lab.heading is not None else None
    line = line.strip()
    if part in (headings_mod.COMPLETION, headings_mod.PROGRESS):
        m = _COMPLETION.match(line)
        if m:
            return "completion", CompletionLine(lab.line, int(m.group(1)), _completion_status(m.group(2)), m.group(2))
    if part == headings_mod.TIME and lab.label.lower() in ("estimated total", "actual time", "variance"):
        return "time_lines", TimeLine(lab.line, lab.label, lab.value)
    if part == headings_mod.LOG:
        entry = parse_log_entry(lab.line, line)
        if entry:
            return "log", entry
    if first_section_line is None or lab.line < first_section_line:
        return "metadata", lab
    return None, None


class TaskLookups:
    """Lookups over one version's tasks that read only their ids, heading paths, texts
    and lines, each built on first use: task keys, a key's task, a line's task. The
    versions patched in place from that one without a change to a task's text share
    them (the same tasks, ids and texts on the same lines)."""

    def __init__(self, tasks: tuple[Task, ...]) -> None:
        self._tasks = tasks

    @cached_property
    def keys(self) -> tuple[TaskKey, ...]:
        seen: dict[tuple, int] = {}
        ids: dict[str, int] = {}
        tasks = self._tasks
        for t in tasks:
            if t.id:
                ids[t.id] = ids.get(t.id, 0) + 1
        keys = []
        for t in tasks:
            if t.id and ids[t.id] == 1:
                keys.append(TaskKey(t.id, (), "", 0))
                continue
            k = (t.path, t.text)
            occ = seen.get(k, 0)
            seen[k] = occ + 1
            keys.append(TaskKey(None, t.path, t.text, occ))
        return tuple(keys)

    @cached_property
    def key_index(self) -> dict[TaskKey, int]:
        return {k: i for i, k in enumerate(self.keys)}

    @cached_property
    def line_index(self) -> dict[int, int]:
        """The index of the task whose checkbox is on each line."""
        return {t.line: t.index for t in self._tasks}


@dataclass(frozen=True, slots=True)
class Parts:
    """What a Document is made of besides its Source: a full parse builds them
    (``Document(source)``); a version patched in place is ``Document(source,
    parts=Parts(...))`` with the parts it shares with its predecessor named."""

    chunks: tuple  # (first line, end line, ChunkResult) of each confirmed chunk
    tasks: tuple[Task, ...]
    shape: Shape
    tracking: Tracking
    lookups: TaskLookups
    derivation: Derivation | None = None  # None: parsed, not patched from an earlier version
    done_marks: tuple[int, int] | None = None  # how many tasks are marked x and X, when known


class Document:
    """One version of a tasks file. Build with ``Document(source)``.
    Never changed once built: a newer version is a new Document (``patched``), whose
    ``derivation`` says which version it came from and which tasks changed."""

    def __init__(self, source: Source | bytes, *, cache: dict | None = None, day_hours: float = DEFAULT_DAY_HOURS,
                 chunks: list | tuple | None = None, path: str | None = None, dialect: str | None = None,
                 legend: bool = True, parts: Parts | None = None):
        """Parse ``source``; or, with ``chunks`` (from tasktui.core.loader), assemble those.
        Chunks covering only the start of the file give a partial document
        (``complete`` is False): enough to show the top while the rest loads.
        ``path`` (where the file lives) is evidence of its dialect; ``dialect``,
        when given, is what the user said it is (``--dialect``, the config);
        ``legend=False`` (the config's ``legend_off``) reads no legend in it.
        With ``parts`` (a version patched in place, see ``patched``), nothing is
        parsed: ``source`` is made of them, and the other arguments are theirs."""
        if isinstance(source, bytes):
            source = Source(source)
        if parts is None:
            chunks = tuple(parse_chunks(source.lines, cache) if chunks is None else chunks)
            parts = _assemble(source, chunks, day_hours, path, dialect, legend)
        elif chunks is not None or cache is not None or path is not None or dialect is not None or not legend:
            raise TypeError("a Document made of parts takes its chunks, path, dialect and legend from them")
        self.source = source
        self.parts = parts
        self.chunks = parts.chunks
        self.tasks = parts.tasks
        self.derivation = parts.derivation
        self._done_count = parts.done_marks

    # -- what the parts hold ----------------------------------------------------------
    day_hours = property(lambda self: self.parts.shape.day_hours)
    path = property(lambda self: self.parts.shape.path)
    forced_dialect = property(lambda self: self.parts.shape.forced_dialect)
    read_legend = property(lambda self: self.parts.shape.read_legend)
    complete = property(lambda self: self.parts.shape.complete, doc="The chunks cover the whole file.")
    front_matter = property(lambda self: self.parts.shape.front_matter)
    headings = property(lambda self: self.parts.shape.headings)
    title = property(lambda self: self.parts.shape.title)
    section_level = property(lambda self: self.parts.shape.section_level)
    legend = property(lambda self: self.parts.shape.legend)
    dialect = property(lambda self: self.parts.shape.dialect)
    dialect_signals = property(lambda self: self.parts.shape.dialect_signals)
    sections = property(lambda self: self.parts.shape.sections)
    heading_keys = property(lambda self: self.parts.shape.heading_keys)
    labels = property(lambda self: self.parts.tracking.labels)
    completion = property(lambda self: self.parts.tracking.completion)
    time_lines = property(lambda self: self.parts.tracking.time_lines)
    log = property(lambda self: self.parts.tracking.log)
    metadata = property(lambda self: self.parts.tracking.metadata)
    keys = property(lambda self: self.parts.lookups.keys, doc="Each task's TaskKey, in order.")

    def patched(self, patches, cache: dict | None = None, *, reparse_marks: bool = True) -> "Document":
        """The Document after ``patches``: re-parses only the chunks they touch when
        the patches keep every line break and the block structure (a toggle, a
        changed value); otherwise parses the new bytes (reusing ``cache``).

        With ``reparse_marks=False``, a patch that only puts another checkbox mark
        between a task's brackets changes the mark in its chunk's parse result,
        without running markdown-it again: no block construct depends on that
        character (the item's text still starts with ``[``, one character, ``] ``,
        which is never a link reference definition). Reading a file's history uses
        it; edits keep the default, so that their check parses what they changed."""
        from tasktui.doc.patch import normalize

        patches = normalize(patches)
        incremental = self.source.patched(patches)
        if incremental is None:
            src = self.source.spliced(patches)
            return Document(src, cache=cache, chunks=self._rechunked(src, patches, cache), day_hours=self.day_hours,
                            path=self.path, dialect=self.forced_dialect, legend=self.read_legend)
        src, touched = incremental

        def fallback(parsed: list | None = None) -> "Document":
            """The Document built again from ``parsed`` (every chunk of ``src``, already
            parsed), else with the changed lines parsed again (see _rechunked)."""
            return Document(src, cache=cache, chunks=parsed or self._rechunked(src, patches, cache),
                            day_hours=self.day_hours, path=self.path, dialect=self.forced_dialect,
                            legend=self.read_legend)

        shape = self.parts.shape
        chunk_starts = shape.chunk_starts
        chunks = list(self.chunks)
        redo: dict[int, ChunkResult] = {}
        mark_only = {} if reparse_marks else self._mark_patches(patches)
        remark: dict[int, dict[int, str]] = {}  # chunk -> {line: its task's new mark}
        for line in touched:
            ci = _bisect.bisect_right(chunk_starts, line) - 1
            if line in mark_only:
                remark.setdefault(ci, {})[line] = mark_only[line]
                continue
            # a changed line that starts a chunk (a Kiro task, say) is also the line
            # that confirmed the cut at the end of the chunk before: parse that one too
            for cj in (ci - 1, ci) if line == chunk_starts[ci] and ci > 0 else (ci,):
                if cj in redo:
                    continue
                start, end, old = chunks[cj]
                new = parse_one(src.lines, start, end, cache)
                if new is None or not _same_structure(old, new):
                    return fallback()  # the cut is not confirmed, or the blocks changed
                redo[cj] = new
                chunks[cj] = (start, end, new)
        for ci, new_marks in remark.items():
            if ci in redo:
                continue  # parsed again for another change: the new marks are in it
            start, end, old = chunks[ci]
            by_line = {rt.line: k for k, rt in enumerate(old.tasks)}
            found = [by_line.get(line - start) for line in new_marks]
            if None in found:
                return fallback()
            res_tasks = list(old.tasks)
            for k, mark in zip(found, new_marks.values()):
                res_tasks[k] = res_tasks[k]._replace(mark=mark)
            new = ChunkResult(tuple(res_tasks), old.headings, old.labels, old.front_matter, old.too_deep)
            if cache is not None:  # what parse_one would find: the same result
                lines = src.lines
                cache[chunk_key("\n".join(lines[start:end]), lines[end] if end < len(lines) else None)] = new
            redo[ci] = new
            chunks[ci] = (start, end, new)
        chunk_first = shape.chunk_first
        label_lines = shape.label_lines
        touched_labels = [line for line in touched if line in label_lines]
        legend_lines = shape.legend.lines
        if any(line in legend_lines or _requirement_line(self.source.lines[line]) != _requirement_line(src.lines[line])
               for line in touched):
            return fallback(chunks)  # the file's legend, or the evidence of its dialect, changed
        # tasks: rebuild the ones in re-parsed chunks, move the mark offsets of the rest
        tasks = list(self.tasks)
        marks = shape.marks
        day = self.day_hours
        texts_changed = False
        signals_changed = False
        changed: list[int] = []
        for ci, res in redo.items():
            for k, rt in enumerate(res.tasks):
                i = chunk_first[ci] + k
                old = tasks[i]
                est = None if rt.estimate is None else parse_hours(rt.estimate[1], day)
                act = None if rt.actual is None else parse_hours(rt.actual[1], day)
                if (rt.mark, rt.text, est, act) == (old.mark, old.text, old.estimate_hours, old.actual_hours):
                    continue  # parsed again, and just as it was
                changed.append(i)
                tid, markers = split_id(rt.text) if rt.text != old.text else (old.id, old.markers)
                if tid != old.id:
                    return fallback(chunks)
                if rt.text != old.text:
                    texts_changed = True
                    signals_changed |= bool(_KIRO_TOP.match(rt.text)) != bool(_KIRO_TOP.match(old.text))
                state, label = marks.get(rt.mark, _OTHER)
                tasks[i] = old._replace(mark=rt.mark, state=state, label=label, text=rt.text, id=tid, markers=markers,
                                        estimate_hours=est, actual_hours=act)
        if src.starts is not self.source.starts:
            starts, old_starts = src.starts, self.source.starts
            first = next((ln for ln in touched if starts[ln + 1 if ln + 1 < len(starts) else ln] != old_starts[ln + 1 if ln + 1 < len(starts) else ln]), touched[0])
            k = _bisect.bisect_left(tasks, first, key=lambda t: t.line)
            tasks[k:] = [t._replace(mark_offset=starts[t.line] + (t.mark_offset - old_starts[t.line])) for t in tasks[k:]]
        signals_changed |= any(_label_signal(self.source.lines[ln]) != _label_signal(src.lines[ln]) for ln in touched_labels)
        if signals_changed:
            # task texts and `**Label**` lines are evidence of the dialect (what the marks
            # mean): when they change, build the whole Document again
            return fallback(chunks)
        return self._successor(src, chunks, tasks, tuple(sorted(changed)), texts_changed, touched_labels)
        return self._successor(src, chunks, tasks, tuple(sorted(changed)), texts_changed, touched_labels)

    def _rechunked(self, src: Source, patches, cache: dict | None) -> list | None:
        """The chunks of ``src``, this version after ``patches`` (which add or remove
        line breaks): the chunks that end (with the line that confirmed their cut)
        before the first changed line are kept, those that start after the last one
        are kept and moved, and the lines between are parsed again, in confirmed
        chunks up to the first kept one. Equal to a parse of the whole file, as any
        confirmed cuts are (tasktui.doc.parse). None (parse it all) when that cut is no
        longer confirmed, or this version is not complete."""
        chunks = self.chunks
        if not self.complete or not chunks or not patches:
            return None
        old_starts, new_starts = self.source.starts, src.starts
        first = _bisect.bisect_right(old_starts, patches[0].start) - 1
        old_last = _bisect.bisect_right(old_starts, patches[-1].end) - 1
        moved = sum(len(p.data) - (p.end - p.start) for p in patches)
        new_last = _bisect.bisect_right(new_starts, patches[-1].end + moved) - 1
        shift = new_last - old_last
        ends = [e for _s, e, _r in chunks]
        a = _bisect.bisect_left(ends, first)  # chunks[:a] end before the first changed line
        b = _bisect.bisect_right(self.parts.shape.chunk_starts, old_last)  # chunks[b:] start after the last one
        if b < a:
            return None
        stop = chunks[b][0] + shift if b < len(chunks) else src.line_count
        region = chunks_between(src.lines, chunks[a][0] if a < len(chunks) else chunks[-1][1], stop, cache)
        if region is None:
            return None
        return [*chunks[:a], *region, *((s + shift, e + shift, r) for s, e, r in chunks[b:])]

    def _mark_patches(self, patches) -> dict[int, str]:
        """{line: new mark} for the patches that each replace a task's mark with another
        checkbox mark (one character that ``parse.is_checkbox_mark`` takes), one patch to a line."""
        out: dict[int, str] = {}
        seen: set[int] = set()
        data, starts = self.source.data, self.source.starts
        for p in patches:
            line = _bisect.bisect_right(starts, p.start) - 1
            if line in seen:
                out.pop(line, None)
                continue
            seen.add(line)
            task = self.task_at_line(line)
            if task is None or task.mark_offset != p.start:
                continue
            try:
                mark = p.data.decode("utf-8")
                old = data[p.start:p.end].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if old == task.mark and mark != "\0" and is_checkbox_mark(mark):  # markdown-it reads NUL as U+FFFD
                out[line] = mark
        return out

    def _successor(self, src: Source, chunks: list, tasks: list[Task], changed: tuple[int, ...], texts_changed: bool,
                   touched_labels: list[int]) -> "Document":
        """The new version made of ``src``, ``chunks`` and ``tasks``, with this one's
        shape, its tracking (the ``**Label**`` lines on ``touched_labels`` read again),
        its task lookups while no text changed, and its derivation recorded."""
        parts = self.parts
        tracking = parts.tracking
        if touched_labels:
            shape = parts.shape
            tracking = tracking.reread(src.lines, touched_labels, shape.label_spans, shape.headings, shape.section_level)
        tasks = tuple(tasks)
        return Document(src, parts=Parts(
            chunks=tuple(chunks), tasks=tasks, shape=parts.shape, tracking=tracking,
            lookups=TaskLookups(tasks) if texts_changed else parts.lookups,
            derivation=Derivation(weakref.ref(self), changed), done_marks=self._done_marks_after(tasks, changed)))

    def _done_marks_after(self, tasks: tuple[Task, ...], changed: tuple[int, ...]) -> tuple[int, int] | None:
        """``_done_marks`` of a successor with ``tasks``, of which ``changed`` may differ
        from these; None when this version has not counted them."""
        if self._done_count is None:
            return None
        lower, upper = self._done_count
        for i in changed:
            a, b = self.tasks[i].mark, tasks[i].mark
            lower += (b == "x") - (a == "x")
            upper += (b == "X") - (a == "X")
        return lower, upper

    def changed_since(self, base: "Document") -> tuple[int, ...] | None:
        """The tasks that may differ from ``base`` (same indexes, same structure) when
        this version was patched from it in place; None when it was not."""
        derivation = self.derivation
        if derivation is None or derivation.base() is not base:
            return None
        return derivation.changed

    def squashed(self) -> "Document":
        """This version, recorded as one in-place step from the version its own base
        was patched from (an edit, then the progress sync of the same write)."""
        first = self.derivation
        base = first.base() if first is not None else None
        second = base.derivation if base is not None else None
        origin = second.base() if second is not None else None
        if origin is None:
            return self
        derivation = Derivation(second.base, tuple(sorted(set(first.changed) | set(second.changed))))
        return Document(self.source, parts=replace(self.parts, derivation=derivation, done_marks=self._done_count))

    # -- queries ----------------------------------------------------------------------
    def find(self, key: TaskKey) -> Task | None:
        i = self.parts.lookups.key_index.get(key)
        return None if i is None else self.tasks[i]

    def index_of(self, key: TaskKey) -> int | None:
        """The index of the task ``key`` names, or None."""
        return self.parts.lookups.key_index.get(key)

    def find_heading(self, key: HeadingKey) -> int | None:
        """Index in ``headings`` of the heading ``key`` names, or None."""
        try:
            return self.heading_keys.index(key)
        except ValueError:
            return None

    def heading_labels(self, index: int) -> dict[str, Label]:
        """The first ``**Label**`` of each name written under heading ``index`` itself
        (lower-case names), before any heading below it."""
        out: dict[str, Label] = {}
        for lab in self.labels:
            if lab.heading == index:
                out.setdefault(lab.label.lower(), lab)
        return out

    def task_at_line(self, line: int) -> Task | None:
        """The task whose checkbox is on 0-based ``line``."""
        i = self.parts.lookups.line_index.get(line)
        return None if i is None else self.tasks[i]

    def children(self, task: Task) -> list[Task]:
        return [t for t in self.tasks[task.index + 1:] if t.line < task.end and t.parent == task.index]

    @property
    def open_blockers(self) -> list[LogEntry]:
        return [e for e in self.log if e.kind == "Blocker" and not e.resolved and not e.placeholder]

    @property
    def problems(self) -> list[str]:
        """Sentences about what could not be read as written: nesting too deep for the
        parser; checkboxes that are all inside code blocks (so the file has no tasks)."""
        out = [TOO_DEEP] if any(res.too_deep for _s, _e, res in self.chunks) else []
        fenced = self._fenced_checkboxes
        if fenced:
            out.append(f"All {fenced} checkboxes in this file are inside code blocks (```), which markdown shows as "
                       "code, not as tasks, so none is read as a task." if fenced > 1 else
                       "The only checkbox in this file is inside a code block (```), which markdown shows as code, "
                       "not as a task, so it is not read as a task.")
        return out

    @cached_property
    def _fenced_checkboxes(self) -> int:
        """Checkbox lines inside code blocks, counted only in a whole file without tasks."""
        return 0 if self.tasks or not self.complete else fenced_checkboxes(self.source.lines)

    @property
    def read_only_reason(self) -> str | None:
        return "it contains NUL bytes" if self.source.has_nul else None

    def _done_marks(self) -> tuple[int, int]:
        """How many tasks are marked ``x`` and how many ``X`` (counted once)."""
        if self._done_count is None:
            marks = [t.mark for t in self.tasks]
            self._done_count = (marks.count("x"), marks.count("X"))
        return self._done_count

    def mark_for(self, state: str) -> str | None:
        """The mark that says ``state`` in this file: where it has a legend, the legend's
        (or none); else its dialect's. ``x``/``X`` for done (see done_mark), `` `` for
        to do. None when the file has no mark for it."""
        if state == "done":
            return self.done_mark()
        if state == "todo":
            return " "
        if self.legend:  # the file's own key: only the marks it gives
            return next((mark for mark, (mark_state, _word) in self.legend.marks.items() if mark_state == state), None)
        return next((m for m, s in marks_for(self.dialect).items() if s == state), None)

    def done_mark(self) -> str:
        """The mark for newly done tasks: the file's majority, else the dialect's default."""
        lower, upper = self._done_marks()
        if lower or upper:
            return "X" if upper > lower else "x"
        return "X" if self.dialect == "speckit" else "x"


def _assemble(src: Source, chunks: tuple, day_hours: float, path: str | None, forced_dialect: str | None,
              read_legend: bool = True) -> Parts:
    """The parts of the Document of ``src`` made of ``chunks`` (confirmed, in order)."""
    raw_tasks = []
    headings: list[Heading] = []
    label_spans: list[tuple[int, int, bool]] = []
    chunk_starts: list[int] = []
    chunk_first: list[int] = []
    front_matter = 0
    for start, _end, res in chunks:
        base = len(raw_tasks)
        chunk_starts.append(start)
        chunk_first.append(base)
        if start == 0:
            front_matter = res.front_matter
        for rt in res.tasks:
            raw_tasks.append((rt, start, None if rt.parent is None else rt.parent + base))
        for h in res.headings:
            headings.append(Heading(h.line + start, h.end + start, h.level, h.text))
        for a, b, in_list in res.labels:
            label_spans.append((a + start, b + start, in_list))

    title, section_level = title_and_level(headings)
    # labels and the tracking parts: evidence of the dialect
    tracking = Tracking.read(src.lines, label_spans, headings, section_level)

    # the file's own legend, then its dialect: together they say what each mark means
    ids = [_split_id(rt.text) for rt, _, _ in raw_tasks]
    list_key = 0
    legend_rows = []
    for k, (rt, start, _parent) in enumerate(raw_tasks):
        if k and rt.item_line + start != raw_tasks[k - 1][0].end + raw_tasks[k - 1][1]:
            list_key += 1
        legend_rows.append((rt.line + start, rt.depth, rt.quote, rt.mark, rt.optional, rt.text, list_key))
    legend = legend_mod.find(src.lines, [(h.line, h.text) for h in headings], legend_rows,
                             code_marks=b"`[" in src.data, tables=b"|" in src.data) \
        if read_legend else legend_mod.Legend()
    if forced_dialect:
        dialect, dialect_signals = forced_dialect, ("set by the user",)
    else:
        work = [(rt.text, rt.depth) for k, (rt, _s, _p) in enumerate(raw_tasks) if k not in legend.items]
        work_ids = [ids[k] for k in range(len(raw_tasks)) if k not in legend.items]
        estimates = sum(1 for rt, _, _ in raw_tasks if rt.estimate is not None) + sum(
            1 for lab in tracking.labels if lab.label.lower() in ESTIMATE_LABELS)
        dialect, dialect_signals = dialect_mod.detect(
            src.lines, work, work_ids, [(h.level, h.text) for h in headings], estimates, len(tracking.completion),
            len(tracking.time_lines), path)
    marks = marks_of(dialect, legend)

    # walk tasks and headings in line order for paths and sections
    tasks: list[Task] = []
    sec_starts: list[tuple[int, str, int | None, int]] = []  # (first_task, title, line, level)
    heading_path: list[tuple[int, str]] = []
    path_tuple: tuple[str, ...] = ()
    hi = 0
    nh = len(headings)
    current_section = -1
    starts = src.starts
    day = day_hours
    legend_items = legend.items
    for index, (rt, start, parent) in enumerate(raw_tasks):
        line = rt.line + start
        if hi < nh and headings[hi].line < line:
            while hi < nh and headings[hi].line < line:
                h = headings[hi]
                while heading_path and heading_path[-1][0] >= h.level:
                    heading_path.pop()
                heading_path.append((h.level, h.text))
                if section_level is not None and h.level == section_level:
                    sec_starts.append((index, h.text, h.line, h.level))
                    current_section = len(sec_starts) - 1
                hi += 1
            path_tuple = tuple(t for _, t in heading_path)
        if current_section == -1:
            sec_starts.append((index, title or "Tasks", None, 0))
            current_section = 0
        est = act = None
        est_line = act_line = None
        if rt.estimate is not None:
            est_line = rt.estimate[0] + start
            est = parse_hours(rt.estimate[1], day)
        if rt.actual is not None:
            act_line = rt.actual[0] + start
            act = parse_hours(rt.actual[1], day)
        tid, markers = ids[index]
        mark = rt.mark
        state, label = marks.get(mark, _OTHER)
        tasks.append(
            Task(
                index, line, rt.item_line + start, rt.end + start, rt.col,
                starts[line] + rt.mark_byte, mark, state, rt.optional, rt.text,
                tid, markers, path_tuple, parent, rt.depth, rt.quote,
                est, act, est_line, act_line, current_section, index in legend_items, label,
            )
        )
    # section headings after the last task still make (empty) sections
    while hi < len(headings):
        h = headings[hi]
        if section_level is not None and h.level == section_level:
            sec_starts.append((len(tasks), h.text, h.line, h.level))
        hi += 1
    sections = []
    for si, (first, sec_title, line, level) in enumerate(sec_starts):
        nxt = sec_starts[si + 1][0] if si + 1 < len(sec_starts) else len(tasks)
        end_line = sec_starts[si + 1][2] if si + 1 < len(sec_starts) else None
        pm = _PHASE_HEADING.match(sec_title)
        sections.append(Section(si, sec_title, line, level, first, nxt - first, end_line, int(pm.group(1)) if pm else None))

    tasks_tuple = tuple(tasks)
    complete = (chunks[-1][1] if chunks else 0) >= src.line_count
    shape = Shape(day_hours, path, forced_dialect, read_legend, complete, front_matter, tuple(headings),
                  tuple(label_spans), title, section_level, legend, dialect, tuple(dialect_signals), marks,
                  tuple(sections), tuple(chunk_starts), tuple(chunk_first))
    return Parts(chunks, tasks_tuple, shape, tracking, TaskLookups(tasks_tuple))


def title_and_level(headings) -> tuple[str | None, int | None]:
    """The file's title and the level of its section headings: below a single leading
    H1 title, else the shallowest level."""
    if not headings:
        return None, None
    levels = [h.level for h in headings]
    if headings[0].level == 1 and levels.count(1) == 1:
        rest = levels[1:]
        return headings[0].text, (min(rest) if rest else None)
    return (headings[0].text if headings[0].level == 1 else None), min(levels)


def marks_of(dialect: str, legend: legend_mod.Legend) -> dict[str, tuple[str, str | None]]:
    """What each mark means in a file: (state, the legend's word or None), its own
    legend's over its dialect's."""
    marks = {mark: (state, None) for mark, state in marks_for(dialect).items()}
    marks.update({mark: (state, word) for mark, (state, word) in legend.marks.items()})
    return marks


def _label_signal(line: str) -> bool:
    """Whether a `**Label**` line is one that marks a file as the template dialect."""
    low = line.lower()
    return low.startswith(("**estimated", "**time estimate")) or (low.startswith("**phase") and "**:" in low)


def _same_structure(a: ChunkResult, b: ChunkResult) -> bool:
    """Same tasks (positions, nesting, bullets), headings and labels; marks, texts and values may differ."""
    if (a.headings != b.headings or a.labels != b.labels or a.front_matter != b.front_matter
            or a.too_deep != b.too_deep or len(a.tasks) != len(b.tasks)):
        return False
    for x, y in zip(a.tasks, b.tasks):
        if (x.line, x.item_line, x.end, x.col, x.optional, x.parent, x.depth, x.quote, x.labels) != (
            y.line, y.item_line, y.end, y.col, y.optional, y.parent, y.depth, y.quote, y.labels
        ):
            return False
        if (x.estimate is None) != (y.estimate is None) or (x.actual is None) != (y.actual is None):
            return False
    return True


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
    date, kind, text = m.group(2), m.group(3), m.group(4)
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
