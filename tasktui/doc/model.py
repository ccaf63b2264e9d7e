"""The document model: tasks, sections and the template's tracking parts, with
line and byte positions into the original bytes. Values are frozen dataclasses;
a Document is built once per version of the file and never mutated."""

from __future__ import annotations

import bisect as _bisect
import re
import weakref
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import NamedTuple

from tasktui.doc.durations import DEFAULT_DAY_HOURS
from tasktui.doc.durations import parse_hours as _parse_hours
from tasktui.doc.parse import (ESTIMATE_LABELS, TOO_DEEP, ChunkResult, chunk_key, chunks_between, is_checkbox_mark,
                               parse_chunks, parse_one)
from tasktui.doc.source import Source
from tasktui.doc import dialect as dialect_mod
from tasktui.doc import legend as legend_mod
from tasktui.doc.states import OTHER, marks_for

parse_hours = lru_cache(maxsize=4096)(_parse_hours)

_SPECKIT_ID = re.compile(r"(T\d{2,}[a-z]?)(?=[\s:.,)\]]|$)")
_KIRO_ID = re.compile(r"(\d+(?:\.\d+)*)\.?(?=\s|$)")
_MARKER = re.compile(r"\s*\[([A-Za-z][A-Za-z0-9_-]{0,15})\]")
LABEL_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])?\s*\*\*([^*]+?):?\*\*:?\s*(.*?)\s*$")
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


class Document:
    """One version of a tasks file. Build with :func:`load` or ``Document(source)``.
    Never changed once built: a newer version is a new Document (``patched``), whose
    ``derivation`` says which version it came from and which tasks changed."""

    def __init__(self, source: Source | bytes, *, cache: dict | None = None, day_hours: float = DEFAULT_DAY_HOURS,
                 chunks: list | None = None, path: str | None = None, dialect: str | None = None):
        """Parse ``source``; or, with ``chunks`` (from tasktui.core.loader), assemble those.
        Chunks covering only the start of the file give a partial document
        (``complete`` is False): enough to show the top while the rest loads.
        ``path`` (where the file lives) is evidence of its dialect; ``dialect``,
        when given, is what the user said it is (``--dialect``, the config)."""
        if isinstance(source, bytes):
            source = Source(source)
        self.source = source
        self.day_hours = day_hours
        self.path = path
        self.forced_dialect = dialect
        self.derivation: Derivation | None = None  # parsed, not patched from an earlier version
        self.chunks = parse_chunks(source.lines, cache) if chunks is None else chunks
        end = self.chunks[-1][1] if self.chunks else 0
        self.complete = end >= source.line_count
        self._assemble()

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
                            path=self.path, dialect=self.forced_dialect)
        src, touched = incremental

        def fallback(parsed: list | None = None) -> "Document":
            """The Document built again from ``parsed`` (every chunk of ``src``, already
            parsed), else with the changed lines parsed again (see _rechunked)."""
            return Document(src, cache=cache, chunks=parsed or self._rechunked(src, patches, cache),
                            day_hours=self.day_hours, path=self.path, dialect=self.forced_dialect)

        chunk_starts = self._chunk_starts
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
        chunk_first = self._chunk_first
        touched_labels = [line for line in touched if line in self._label_lines]
        legend_lines = self.legend.lines
        if any(line in legend_lines or _requirement_line(self.source.lines[line]) != _requirement_line(src.lines[line])
               for line in touched):
            return fallback(chunks)  # the file's legend, or the evidence of its dialect, changed
        # tasks: rebuild the ones in re-parsed chunks, move the mark offsets of the rest
        tasks = list(self.tasks)
        marks = self._marks
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
        b = _bisect.bisect_right(self._chunk_starts, old_last)  # chunks[b:] start after the last one
        if b < a:
            return None
        stop = chunks[b][0] + shift if b < len(chunks) else src.line_count
        region = chunks_between(src.lines, chunks[a][0] if a < len(chunks) else chunks[-1][1], stop, cache)
        if region is None:
            return None
        return chunks[:a] + region + [(s + shift, e + shift, r) for s, e, r in chunks[b:]]

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

    # What a Document is made of (set while it is built); a successor starts from these.
    _PARTS = ("day_hours", "path", "forced_dialect", "complete", "front_matter", "headings", "dialect",
              "dialect_signals", "legend", "_marks", "title", "section_level", "_label_spans", "_sec_starts", "labels",
              "sections", "completion", "time_lines", "log", "metadata")
    # Caches that hold for a successor patched in place (same chunks, same label lines) ...
    _SAME_SHAPE = ("_chunk_starts", "_chunk_first", "_label_lines", "_label_index")
    # ... and those that hold while no task's text changed.
    _SAME_TEXTS = ("keys", "_key_index", "_by_line")

    def _successor(self, src: Source, chunks, tasks: list[Task], changed: tuple[int, ...], texts_changed: bool,
                   touched_labels: list[int]) -> "Document":
        """The new version made of ``src``, ``chunks`` and ``tasks`` with everything else
        carried over from this one, its derivation recorded, the caches that still
        hold shared, and the ``**Label**`` lines on ``touched_labels`` read again."""
        doc = Document.__new__(Document)
        for name in self._PARTS:
            setattr(doc, name, getattr(self, name))
        doc.source = src
        doc.chunks = chunks
        doc.tasks = tasks
        doc.derivation = Derivation(weakref.ref(self), changed)
        mine = self.__dict__
        for name in self._SAME_SHAPE + (() if texts_changed else self._SAME_TEXTS):
            if name in mine:
                doc.__dict__[name] = mine[name]
        if "_done_marks" in mine:
            lower, upper = self._done_marks
            for i in changed:
                a, b = self.tasks[i].mark, tasks[i].mark
                lower += (b == "x") - (a == "x")
                upper += (b == "X") - (a == "X")
            doc.__dict__["_done_marks"] = (lower, upper)
        if touched_labels:
            doc._read_labels(touched_labels)
        return doc

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
        doc = Document.__new__(Document)
        doc.__dict__.update(self.__dict__)
        doc.derivation = Derivation(second.base, tuple(sorted(set(first.changed) | set(second.changed))))
        return doc

    @cached_property
    def _chunk_starts(self) -> list[int]:
        return [c[0] for c in self.chunks]

    @cached_property
    def _chunk_first(self) -> list[int]:
        """Index of each chunk's first task."""
        return list(accumulate((len(res.tasks) for _s, _e, res in self.chunks[:-1]), initial=0))

    @cached_property
    def _label_index(self) -> dict[int, int]:
        """Index in ``labels`` of the label on each line (in-place edits keep it)."""
        return {lab.line: i for i, lab in enumerate(self.labels)}

    @cached_property
    def _label_lines(self) -> frozenset[int]:
        return frozenset(ln for a, b, _ in self._label_spans for ln in range(a, b))

    # -- building ---------------------------------------------------------------------
    @classmethod
    def rebuilt(cls, source: Source, *, chunks: list, tasks: list[Task], headings: list[Heading],
                label_spans: list[tuple[int, int, bool]], sec_starts: list[tuple[int, str, int | None, int]],
                front_matter: int, legend: legend_mod.Legend, dialect: str, dialect_signals: tuple[str, ...],
                day_hours: float, path: str | None, forced_dialect: str | None) -> "Document":
        """The Document of ``source`` made of what an earlier build of the very same bytes
        found (tasktui.doc.kept): nothing is parsed or assembled again. What follows
        cheaply from these (the title and section level, what each mark means, the
        ``**Label**`` lines and tracking parts, the sections) is derived here as
        ``_assemble`` derives it."""
        doc = cls.__new__(cls)
        doc.source, doc.chunks, doc.tasks, doc.derivation = source, chunks, tasks, None
        doc.day_hours, doc.path, doc.forced_dialect, doc.complete = day_hours, path, forced_dialect, True
        doc.front_matter, doc.headings, doc._label_spans, doc._sec_starts = front_matter, headings, label_spans, sec_starts
        doc.legend, doc.dialect, doc.dialect_signals = legend, dialect, dialect_signals
        doc.title, doc.section_level = title_and_level(headings)
        doc._marks = marks_of(dialect, legend)
        doc._read_labels()
        doc._build_sections()
        return doc

    def _assemble(self) -> None:
        src = self.source
        raw_tasks = []
        headings: list[Heading] = []
        label_spans: list[tuple[int, int, bool]] = []
        self.front_matter = 0
        for start, _end, res in self.chunks:
            base = len(raw_tasks)
            if start == 0:
                self.front_matter = res.front_matter
            for rt in res.tasks:
                raw_tasks.append((rt, start, None if rt.parent is None else rt.parent + base))
            for h in res.headings:
                headings.append(Heading(h.line + start, h.end + start, h.level, h.text))
            for a, b, in_list in res.labels:
                label_spans.append((a + start, b + start, in_list))
        self.headings = headings
        self._label_spans = label_spans

        self.title, self.section_level = title_and_level(headings)
        section_level = self.section_level
        self._read_labels()  # labels and the tracking parts: evidence of the dialect

        # the file's own legend, then its dialect: together they say what each mark means
        ids = [_split_id(rt.text) for rt, _, _ in raw_tasks]
        list_key = 0
        legend_rows = []
        for k, (rt, start, _parent) in enumerate(raw_tasks):
            if k and rt.item_line + start != raw_tasks[k - 1][0].end + raw_tasks[k - 1][1]:
                list_key += 1
            legend_rows.append((rt.line + start, rt.depth, rt.quote, rt.mark, rt.optional, rt.text, list_key))
        self.legend = legend_mod.find(src.lines, [(h.line, h.text) for h in headings], legend_rows,
                                      code_marks=b"`[" in src.data)
        if self.forced_dialect:
            self.dialect, self.dialect_signals = self.forced_dialect, ("set by the user",)
        else:
            work = [(rt.text, rt.depth) for k, (rt, _s, _p) in enumerate(raw_tasks) if k not in self.legend.items]
            work_ids = [ids[k] for k in range(len(raw_tasks)) if k not in self.legend.items]
            estimates = sum(1 for rt, _, _ in raw_tasks if rt.estimate is not None) + sum(
                1 for lab in self.labels if lab.label.lower() in ESTIMATE_LABELS)
            self.dialect, self.dialect_signals = dialect_mod.detect(
                src.lines, work, work_ids, [(h.level, h.text) for h in headings], estimates, len(self.completion),
                len(self.time_lines), self.path)
        self._marks = marks = marks_of(self.dialect, self.legend)

        # walk tasks and headings in line order for paths and sections
        tasks: list[Task] = []
        sec_starts: list[tuple[int, str, int | None, int]] = []  # (first_task, title, line, level)
        path: list[tuple[int, str]] = []
        path_tuple: tuple[str, ...] = ()
        hi = 0
        nh = len(headings)
        current_section = -1
        starts = src.starts
        day = self.day_hours
        legend_items = self.legend.items
        for index, (rt, start, parent) in enumerate(raw_tasks):
            line = rt.line + start
            if hi < nh and headings[hi].line < line:
                while hi < nh and headings[hi].line < line:
                    h = headings[hi]
                    while path and path[-1][0] >= h.level:
                        path.pop()
                    path.append((h.level, h.text))
                    if section_level is not None and h.level == section_level:
                        sec_starts.append((index, h.text, h.line, h.level))
                        current_section = len(sec_starts) - 1
                    hi += 1
                path_tuple = tuple(t for _, t in path)
            if current_section == -1:
                sec_starts.append((index, self.title or "Tasks", None, 0))
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
        self.tasks = tasks
        self._sec_starts = sec_starts
        self._build_sections()

    def _read_labels(self, touched: list[int] | None = None) -> None:
        """Labels and the tracking parts (the cheap, label-driven part of building).
        With ``touched`` (lines changed in place), only those labels are read again."""
        lines = self.source.lines
        if touched is None:
            self.__dict__.pop("_label_index", None)
            heading_lines = [h.line for h in self.headings]
            labels: list[Label] = []
            for a, b, _in_list in self._label_spans:
                for ln in range(a, b):
                    m = LABEL_LINE.match(lines[ln]) or _DATED_LINE.match(lines[ln])
                    if m:
                        hidx = _bisect.bisect_right(heading_lines, ln) - 1
                        labels.append(Label(ln, m.group(1).strip(), m.group(2), hidx if hidx >= 0 else None))
            self.labels = labels
            self._tracking(labels)
            return
        where = self._label_index
        labels = list(self.labels)
        for ln in touched:
            i = where.get(ln)
            m = LABEL_LINE.match(lines[ln]) or _DATED_LINE.match(lines[ln])
            if i is None or not m:
                return self._read_labels()  # a label appeared or went away: read them all
            labels[i] = Label(ln, m.group(1).strip(), m.group(2), labels[i].heading)
        self.labels = labels
        self._tracking(labels, touched)

    def _build_sections(self) -> None:
        tasks = self.tasks
        sec_starts = self._sec_starts
        sections: list[Section] = []
        for si, (first, title, line, level) in enumerate(sec_starts):
            nxt = sec_starts[si + 1][0] if si + 1 < len(sec_starts) else len(tasks)
            end_line = sec_starts[si + 1][2] if si + 1 < len(sec_starts) else None
            pm = _PHASE_HEADING.match(title)
            sections.append(Section(si, title, line, level, first, nxt - first, end_line, int(pm.group(1)) if pm else None))
        self.sections = sections

    def _tracking(self, labels: list[Label], touched: list[int] | None = None) -> None:
        """Sort labels into the Progress Tracking parts, the log and the metadata.
        With ``touched`` (label lines changed in place, headings unchanged), only
        those lines are sorted again and the rest is kept."""
        headings = self.headings
        first_section_line = next((h.line for h in headings if self.section_level and h.level == self.section_level), None)
        if touched is not None:
            gone = set(touched)
            parts = {
                name: [x for x in getattr(self, name) if x.line not in gone]
                for name in ("completion", "time_lines", "log", "metadata")
            }
            for lab in (labels[i] for i in sorted({self._label_index[ln] for ln in gone})):
                kind, value = self._classify(lab, first_section_line)
                if kind is not None:
                    _bisect.insort(parts[kind], value, key=lambda x: x.line)
            for name, value in parts.items():
                setattr(self, name, value)
            return
        self.completion: list[CompletionLine] = []
        self.time_lines: list[TimeLine] = []
        self.log: list[LogEntry] = []
        self.metadata: list[Label] = []
        for lab in labels:
            kind, value = self._classify(lab, first_section_line)
            if kind is not None:
                getattr(self, kind).append(value)

    def _classify(self, lab: Label, first_section_line: int | None):
        """Which tracking part ``lab`` belongs to, and its parsed value: (None, None) for none."""
        htext = self.headings[lab.heading].text.lower() if lab.heading is not None else ""
        line = self.source.lines[lab.line].strip()
        if "completion status" in htext or "progress tracking" in htext:
            m = _COMPLETION.match(line)
            if m:
                return "completion", CompletionLine(lab.line, int(m.group(1)), _completion_status(m.group(2)), m.group(2))
        if "time tracking" in htext and lab.label.lower() in ("estimated total", "actual time", "variance"):
            return "time_lines", TimeLine(lab.line, lab.label, lab.value)
        if "log" in htext or "blocker" in htext or "decision" in htext:
            entry = parse_log_entry(lab.line, line)
            if entry:
                return "log", entry
        if first_section_line is None or lab.line < first_section_line:
            return "metadata", lab
        return None, None

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

    @cached_property
    def heading_keys(self) -> list[HeadingKey]:
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
        return keys

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
    def problems(self) -> list[str]:
        """Sentences about what could not be read as written (nesting too deep for the parser)."""
        return [TOO_DEEP] if any(res.too_deep for _s, _e, res in self.chunks) else []

    @property
    def read_only_reason(self) -> str | None:
        return "it contains NUL bytes" if self.source.has_nul else None

    def section_tasks(self, section: Section) -> list[Task]:
        return self.tasks[section.first_task:section.first_task + section.task_count]

    @cached_property
    def _done_marks(self) -> tuple[int, int]:
        """How many tasks are marked ``x`` and how many ``X``."""
        marks = [t.mark for t in self.tasks]
        return marks.count("x"), marks.count("X")

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
        lower, upper = self._done_marks
        if lower or upper:
            return "X" if upper > lower else "x"
        return "X" if self.dialect == "speckit" else "x"


def title_and_level(headings: list[Heading]) -> tuple[str | None, int | None]:
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


def load(data: bytes, **kwargs) -> Document:
    return Document(Source(data), **kwargs)
