"""The kept document: what opening a file built, as plain data, so that the next open
of the same bytes builds its Document without parsing or assembling anything.

``record(doc)`` turns a complete Document into a ``Record``: JSON-ready values by
named field (the tasks, headings and chunks as columns: one list per field, so a
field added is one name in a tuple below, and decoding makes a handful of big lists
instead of one small object per value). ``document(source, record, ...)`` makes the
Document of ``source`` from it (``Document(source, parts=Parts(...))``: nothing is
parsed or assembled; what follows cheaply, the title, what each mark means and the
``**Label**`` lines, is derived as a parse derives it), after checking that the
record describes those bytes: every count agrees, every line range lies within the
file and in order, chunks tile the file, each task's mark is on its line at its
offset and its text starts on that line. A record that fails is ``Unfit`` (the file
is then parsed as for a first open); one that passes gives a Document equal to the
one a parse would build (tests/test_kept.py compares them field by field).

Where records live, and under which key (the file's bytes, tasktui's rules, the day
length, a dialect the user forced, the legend setting), is tasktui.storage.cache's and
tasktui.core.opener's business: this module reads and writes no file.
"""

from __future__ import annotations

import base64
import math
import sys
from array import array
from itertools import accumulate, chain, repeat

from tasktui.doc import legend as legend_mod
from tasktui.doc.model import (Document, Heading, Parts, Section, Shape, Task, TaskLookups, Tracking, marks_of,
                               title_and_level)
from tasktui.doc.parse import ChunkResult, RawHeading, RawTask
from tasktui.doc.source import Source

VERSION = 1

# Each task's fields as kept, by name: what the Task and its chunk's RawTask need that
# does not follow from the rest (index, mark offset, state, label, path and the legend
# flag are derived from these, the source and the legend when the record is read).
TASK_FIELDS = ("line", "item_line", "end", "col", "mark_byte", "mark", "optional", "text", "id", "markers",
               "parent", "depth", "quote", "estimate_hours", "actual_hours", "estimate_line", "actual_line",
               "section", "path", "labels", "estimate_text", "actual_text")
# The numbers among them, kept packed (base64 of the machine's 32-bit integers or
# doubles, one string per column): a JSON list of 50k numbers takes a hundred times longer to read. The rest
# are JSON lists. None is kept as -1 (int?) or NaN (float?).
PACKED = {"line": "int", "item_line": "int", "end": "int", "col": "int", "mark_byte": "int", "optional": "bool",
          "parent": "int?", "depth": "int", "quote": "bool", "estimate_hours": "float?", "actual_hours": "float?",
          "estimate_line": "int?", "actual_line": "int?", "section": "int", "path": "int"}
_CODES = {"int": "i", "int?": "i", "bool": "b", "float?": "d"}
HEADING_FIELDS = ("line", "end", "level", "text")
SECTION_FIELDS = ("title", "line", "level", "first_task", "task_count", "end_line", "phase")
# each chunk: its lines, how many tasks, headings and label spans it holds, its front matter, too deep
CHUNK_FIELDS = ("start", "end", "tasks", "headings", "labels", "front_matter", "too_deep")


class Unfit(ValueError):
    """A record that does not describe the bytes it was read for (or is not a record)."""


def record(doc: Document) -> dict:
    """The record of ``doc`` (complete, as built by a parse): plain JSON-ready data."""
    if not doc.complete:
        raise ValueError("only a whole file is kept")
    starts = doc.source.starts
    tasks = doc.tasks
    raws = [rt for _s, _e, res in doc.chunks for rt in res.tasks]
    paths: dict[tuple[str, ...], int] = {}
    columns: dict[str, list] = {
        "line": [t.line for t in tasks], "item_line": [t.item_line for t in tasks], "end": [t.end for t in tasks],
        "col": [t.col for t in tasks], "mark_byte": [t.mark_offset - starts[t.line] for t in tasks],
        "mark": [t.mark for t in tasks], "optional": [t.optional for t in tasks], "text": [t.text for t in tasks],
        "id": [t.id for t in tasks], "markers": [list(t.markers) for t in tasks], "parent": [t.parent for t in tasks],
        "depth": [t.depth for t in tasks], "quote": [t.quote for t in tasks],
        "estimate_hours": [t.estimate_hours for t in tasks], "actual_hours": [t.actual_hours for t in tasks],
        "estimate_line": [t.estimate_line for t in tasks], "actual_line": [t.actual_line for t in tasks],
        "section": [t.section for t in tasks], "path": [paths.setdefault(t.path, len(paths)) for t in tasks],
        "labels": [[n for pair in rt.labels for n in pair] for rt in raws],  # (line, end) pairs within its chunk, flat
        "estimate_text": [rt.estimate[1] if rt.estimate else None for rt in raws],
        "actual_text": [rt.actual[1] if rt.actual else None for rt in raws],
    }
    for name, kind in PACKED.items():
        columns[name] = _pack(columns[name], kind)
    chunks = {name: [] for name in CHUNK_FIELDS}
    for start, end, res in doc.chunks:
        for name, value in zip(CHUNK_FIELDS, (start, end, len(res.tasks), len(res.headings), len(res.labels),
                                              res.front_matter, res.too_deep)):
            chunks[name].append(value)
    legend = doc.legend
    return {
        "version": VERSION,
        "byteorder": sys.byteorder,
        "size": len(doc.source.data),
        "line_count": doc.source.line_count,
        "tasks": columns,
        "paths": [list(p) for p in paths],
        "headings": {name: [getattr(h, name) for h in doc.headings] for name in HEADING_FIELDS},
        "label_spans": [list(x) for x in doc.parts.shape.label_spans],
        "sections": {name: [getattr(x, name) for x in doc.sections] for name in SECTION_FIELDS},
        "chunks": chunks,
        "front_matter": doc.front_matter,
        "dialect": doc.dialect,
        "dialect_signals": list(doc.dialect_signals),
        "legend": {"marks": [[m, s, w] for m, (s, w) in legend.marks.items()], "items": sorted(legend.items),
                   "lines": sorted(legend.lines)},
    }


def _pack(values: list, kind: str) -> str:
    if kind == "int?":
        values = [-1 if v is None else v for v in values]
    elif kind == "float?":
        values = [math.nan if v is None else v for v in values]
    try:
        packed = array(_CODES[kind], values)
    except OverflowError:
        raise ValueError("a number too big to keep") from None
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack(value, name: str, kind: str, n: int) -> list:
    """A packed column of ``n`` values, as a list (Unfit when it is not one)."""
    if type(value) is not str:
        raise Unfit(f"{name}: not a packed column")
    values = array(_CODES[kind])
    values.frombytes(base64.b64decode(value, validate=True))
    if len(values) != n:
        raise Unfit(f"{name}: {len(values)} values for {n} tasks")
    out = values.tolist()
    if kind == "int?":
        return [None if v < 0 else v for v in out]
    if kind == "bool":
        if out and (min(out) < 0 or max(out) > 1):
            raise Unfit(f"{name}: not booleans")
        return [v == 1 for v in out]
    if kind == "float?":
        out = [None if v != v else v for v in out]
        if any(v is not None and not 0 <= v < math.inf for v in out):
            raise Unfit(f"{name}: not hours")
    return out


def _ints(values, name: str, low: int, high: int, none: bool = False) -> list:
    """``values``, checked: a list of ints within [low, high] (None too, with ``none``)."""
    if type(values) is not list:
        raise Unfit(f"{name}: not a list")
    kinds = set(map(type, values))
    if none and type(None) in kinds:
        kinds.discard(type(None))
        present = [v for v in values if v is not None]
    else:
        present = values
    if kinds - {int} or (present and (min(present) < low or max(present) > high)):
        raise Unfit(f"{name}: not ints from {low} to {high}")
    return values


def _of_type(values, name: str, kind: type, none: bool = False) -> list:
    """``values``, checked: a list of ``kind`` (None too, with ``none``)."""
    if type(values) is not list or not set(map(type, values)) <= ({kind, type(None)} if none else {kind}):
        raise Unfit(f"{name}: not a list of {kind.__name__}")
    return values


def document(source: Source, rec: object, *, day_hours: float, path: str | None, dialect: str | None,
             legend: bool = True) -> Document:
    """The Document of ``source`` made of ``rec`` (``record`` of a build of these bytes
    with these settings); Unfit when ``rec`` does not describe ``source``."""
    try:
        return _document(source, rec, day_hours, path, dialect, legend)
    except Unfit:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise Unfit(f"not a record: {exc}") from None


def _document(source: Source, rec, day_hours: float, path: str | None, dialect: str | None,
              read_legend: bool) -> Document:
    if type(rec) is not dict or rec.get("version") != VERSION or rec.get("byteorder") != sys.byteorder:
        raise Unfit("not a record of this version")
    n_lines = source.line_count
    if rec["size"] != len(source.data) or rec["line_count"] != n_lines:
        raise Unfit("another file's record")
    lines, starts, data = source.lines, source.starts, source.data

    # headings, label spans, chunks: in range and in order
    hcols = rec["headings"]
    h_line = _ints(hcols["line"], "heading line", 0, n_lines - 1)
    h_end = _ints(hcols["end"], "heading end", 0, n_lines)
    h_level = _ints(hcols["level"], "heading level", 1, 6)
    h_text = _of_type(hcols["text"], "heading text", str)
    nh = len(h_line)
    if not (len(h_end) == len(h_level) == len(h_text) == nh) or any(a >= b for a, b in zip(h_line, h_line[1:])):
        raise Unfit("headings")
    headings = list(map(Heading, h_line, h_end, h_level, h_text))
    label_spans = []
    for span in _of_type(rec["label_spans"], "label spans", list):
        a, b, inside = span
        if type(a) is not int or type(b) is not int or not 0 <= a < b <= n_lines or type(inside) is not bool:
            raise Unfit("label span")
        label_spans.append((a, b, inside))
    c = rec["chunks"]
    c_start = _ints(c["start"], "chunk start", 0, n_lines)
    c_end = _ints(c["end"], "chunk end", 0, n_lines)
    c_tasks = _ints(c["tasks"], "chunk tasks", 0, n_lines)
    c_heads = _ints(c["headings"], "chunk headings", 0, n_lines)
    c_labels = _ints(c["labels"], "chunk labels", 0, n_lines)
    c_front = _ints(c["front_matter"], "front matter", 0, n_lines)
    c_deep = _of_type(c["too_deep"], "too deep", bool)
    n_chunks = len(c_start)
    if not all(len(x) == n_chunks for x in (c_end, c_tasks, c_heads, c_labels, c_front, c_deep)):
        raise Unfit("chunks")
    if n_lines and (not n_chunks or c_start[0] != 0 or c_end[-1] != n_lines
                    or any(a >= b for a, b in zip(c_start, c_end)) or c_start[1:] != c_end[:-1]):
        raise Unfit("chunks do not tile the file")
    if sum(c_heads) != nh or sum(c_labels) != len(label_spans):
        raise Unfit("chunk counts")

    # tasks: every column as long as the others, every line on the file, marks where they are said to be
    cols = dict(rec["tasks"])
    n = len(cols["text"])
    if sum(c_tasks) != n:
        raise Unfit("task counts")
    for name, kind in PACKED.items():
        cols[name] = _unpack(cols[name], name, kind, n)
    if any(len(cols[name]) != n for name in TASK_FIELDS):
        raise Unfit("task counts")
    line = _ints(cols["line"], "task line", 0, n_lines - 1)
    item_line = _ints(cols["item_line"], "item line", 0, n_lines - 1)
    end = _ints(cols["end"], "task end", 1, n_lines)
    col = _ints(cols["col"], "column", 0, len(data))
    mark_byte = _ints(cols["mark_byte"], "mark byte", 0, len(data))
    mark = _of_type(cols["mark"], "mark", str)
    optional = cols["optional"]
    text = _of_type(cols["text"], "text", str)
    ids = _of_type(cols["id"], "id", str, none=True)
    markers = _of_type(cols["markers"], "markers", list)
    parent = _ints(cols["parent"], "parent", 0, n, none=True)
    depth = _ints(cols["depth"], "depth", 0, n_lines)
    quote = cols["quote"]
    est = cols["estimate_hours"]
    act = cols["actual_hours"]
    est_line = _ints(cols["estimate_line"], "estimate line", 0, n_lines - 1, none=True)
    act_line = _ints(cols["actual_line"], "actual line", 0, n_lines - 1, none=True)
    scols = rec["sections"]
    n_sections = len(scols["title"])
    section = _ints(cols["section"], "section", -1, max(0, n_sections - 1))
    path_index = _ints(cols["path"], "path", 0, max(0, len(rec["paths"]) - 1))
    labels = _of_type(cols["labels"], "task labels", list)
    est_text = _of_type(cols["estimate_text"], "estimate text", str, none=True)
    act_text = _of_type(cols["actual_text"], "actual text", str, none=True)
    if any(a >= b for a, b in zip(line, line[1:])):
        raise Unfit("tasks out of order")
    if not set(map(type, chain.from_iterable(labels))) <= {int}:
        raise Unfit("task labels")
    encoded = {m: m.encode("utf-8", "surrogateescape") for m in set(mark)}
    offsets = list(map(int.__add__, [starts[ln] for ln in line], mark_byte))
    for k, (ln, at, m, t) in enumerate(zip(line, offsets, mark, text)):
        m = encoded[m]
        if data[at:at + len(m)] != m:
            raise Unfit(f"task {k}: its mark is not on its line")
        head = t[:12].split("\n", 1)[0]
        if head not in lines[ln] and "\ufffd" not in head:
            raise Unfit(f"task {k}: another text")
    if any(not a <= b < c for a, b, c in zip(item_line, line, end)) \
            or any(p is not None and p >= k for k, p in enumerate(parent)):
        raise Unfit("task lines")

    paths = [tuple(_of_type(p, "path", str)) for p in _of_type(rec["paths"], "paths", list)]
    s_title = _of_type(scols["title"], "section title", str)
    s_line = _ints(scols["line"], "section line", 0, n_lines - 1, none=True)
    s_level = _ints(scols["level"], "section level", 0, 6)
    s_first = _ints(scols["first_task"], "section's first task", 0, n)
    s_count = _ints(scols["task_count"], "section's tasks", 0, n)
    s_end = _ints(scols["end_line"], "section end", 0, n_lines, none=True)
    s_phase = _ints(scols["phase"], "phase", 0, 1 << 62, none=True)
    if not all(len(x) == n_sections for x in (s_line, s_level, s_first, s_count, s_end, s_phase)) \
            or any(f + c > n for f, c in zip(s_first, s_count)):
        raise Unfit("sections")
    sections = tuple(map(Section, range(n_sections), s_title, s_line, s_level, s_first, s_count, s_end, s_phase))
    lg = rec["legend"]
    legend = legend_mod.Legend()
    for m, state, word in _of_type(lg["marks"], "legend marks", list):
        if type(m) is not str or type(state) is not str or type(word) is not str:
            raise Unfit("legend")
        legend.marks[m] = (state, word)
    legend.items = set(_ints(lg["items"], "legend items", 0, max(0, n - 1)))
    legend.lines = set(_ints(lg["lines"], "legend lines", 0, max(0, n_lines - 1)))
    found_dialect = rec["dialect"]
    signals = tuple(_of_type(rec["dialect_signals"], "dialect signals", str))
    front = rec["front_matter"]
    if type(found_dialect) is not str or type(front) is not int or not 0 <= front <= n_lines:
        raise Unfit("dialect")
    marks = marks_of(found_dialect, legend)
    other = ("other", None)

    # the chunks' results, each task's lines relative to its chunk (as the parse made them),
    # built a column at a time
    chunk_start = list(chain.from_iterable(map(repeat, c_start, c_tasks)))
    chunk_first = list(chain.from_iterable(map(repeat, accumulate(c_tasks, initial=0), c_tasks)))
    if any(p is not None and p < f for p, f in zip(parent, chunk_first)):
        raise Unfit("a parent in another chunk")
    raws = list(map(RawTask._make, zip(
        map(int.__sub__, line, chunk_start), map(int.__sub__, item_line, chunk_start),
        map(int.__sub__, end, chunk_start), col, mark, optional,
        [None if p is None else p - f for p, f in zip(parent, chunk_first)], depth, quote,
        [tuple(zip(x[::2], x[1::2])) if x else () for x in labels], mark_byte, text,
        [None if t is None else (ln - s, t) for t, ln, s in zip(est_text, est_line, chunk_start)],
        [None if t is None else (ln - s, t) for t, ln, s in zip(act_text, act_line, chunk_start)])))
    chunks = []
    k = h = s = 0
    for ci in range(n_chunks):
        start = c_start[ci]
        heads = tuple(RawHeading(h_line[i] - start, h_end[i] - start, h_level[i], h_text[i])
                      for i in range(h, h + c_heads[ci]))
        spans = tuple((a - start, b - start, inside) for a, b, inside in label_spans[s:s + c_labels[ci]])
        chunks.append((start, c_end[ci], ChunkResult(tuple(raws[k:k + c_tasks[ci]]), heads, spans, c_front[ci],
                                                     c_deep[ci])))
        k, h, s = k + c_tasks[ci], h + c_heads[ci], s + c_labels[ci]

    states = [marks.get(m, other) for m in mark]
    legend_items = legend.items
    tasks = list(map(Task._make, zip(
        range(n), line, item_line, end, col, offsets, mark, [st for st, _w in states], optional, text, ids,
        map(tuple, markers), [paths[i] for i in path_index], parent, depth, quote,
        est, act, est_line, act_line, section, [i in legend_items for i in range(n)] if legend_items else repeat(False, n),
        [w for _st, w in states])))
    tasks = tuple(tasks)
    headings = tuple(headings)
    label_spans = tuple(label_spans)
    title, section_level = title_and_level(headings)
    shape = Shape(day_hours, path, dialect, read_legend, True, front, headings, label_spans, title, section_level, legend,
                  found_dialect, signals, marks, sections, tuple(c_start),
                  tuple(accumulate(c_tasks[:-1], initial=0)) if n_chunks else ())
    tracking = Tracking.read(lines, label_spans, headings, section_level)
    return Document(source, parts=Parts(tuple(chunks), tasks, shape, tracking, TaskLookups(tasks)))

