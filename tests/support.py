"""Helpers for the tests: where the sample, template and corpus files are, the
GFM oracle, and comparisons of parses and Documents.

``oracle_tasks`` is the same rule as ../shared/tools/check_contract.py (kept
here so the suite runs without ../shared; test_model checks that the two agree
when the tool is there): a CommonMark parser plus the GFM task-list rule, a
list item whose paragraph starts with ``[ ] ``, ``[x] `` or ``[X] ``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from tasktui.doc import Document
from tasktui.doc.parse import parse_block, parse_chunks

_MD = MarkdownIt("commonmark")

REPO = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO / "sample_tasks"
TEMPLATE = REPO.parent / "shared" / "seed" / "tasks-template.md"
CONTRACT_TOOL = REPO.parent / "shared" / "tools" / "check_contract.py"
NO_CORPUS = "TASKTUI_CORPUS is not set: the real-file corpus tests need ../shared/corpus"


def corpus_names() -> list[str]:
    """File names in the corpus, for parametrising at collection time.

    Without a corpus this is one placeholder, so that the test is collected
    once and skips through the ``corpus_dir`` fixture, with the reason.
    """
    folder = os.environ.get("TASKTUI_CORPUS")
    if not folder or not Path(folder).is_dir():
        return ["(no corpus)"]
    return sorted(p.name for p in Path(folder).glob("*.md"))


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.md"))


def oracle_tasks(data: bytes, skip_lines: int = 0) -> dict[int, bool]:
    """{1-based line of the checkbox: done} for every GFM task list item.

    ``skip_lines`` blanks that many lines at the top first: front matter, which
    the model skips and plain CommonMark does not know.
    """
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    if skip_lines:
        lines = re.split(r"\r\n|\r|\n", text)
        text = "\n" * skip_lines + "\n".join(lines[skip_lines:])
    toks = _MD.parse(text)
    found = {}
    for i, tk in enumerate(toks[:-2]):
        if tk.type != "list_item_open":
            continue
        para, inline = toks[i + 1], toks[i + 2]
        if para.type != "paragraph_open" or inline.type != "inline":
            continue
        c = inline.content
        if c.startswith(("[ ] ", "[x] ", "[X] ")):
            found[para.map[0] + 1] = c[1] in "xX"
    return found


def model_gfm_tasks(doc: Document) -> dict[int, bool]:
    """The model's tasks that GFM also counts: non-optional, mark ' ', x or X."""
    return {t.line + 1: t.state == "done" for t in doc.tasks if t.mark in (" ", "x", "X") and not t.optional}


def _task_tuple(t, base_line: int, base_index: int):
    return (
        t.line + base_line,
        t.item_line + base_line,
        t.end + base_line,
        t.col,
        t.mark,
        t.optional,
        None if t.parent is None else t.parent + base_index,
        t.depth,
        t.quote,
        tuple((a + base_line, b + base_line) for a, b in t.labels),
    )


def whole_parse(lines) -> tuple[list, list, int]:
    """(tasks, headings, front matter lines) from one markdown-it parse of every line."""
    result, _ = parse_block(lines)
    tasks = [_task_tuple(t, 0, 0) for t in result.tasks]
    heads = [(h.line, h.end, h.level, h.text) for h in result.headings]
    return tasks, heads, result.front_matter


def chunked_parse(lines, cache=None) -> tuple[list, list, int]:
    """The same, assembled from ``parse_chunks``: line numbers and parents made absolute."""
    chunks = parse_chunks(lines, cache)
    tasks: list = []
    heads: list = []
    assert chunks, "parse_chunks returned no chunks"
    assert chunks[0][0] == 0 and chunks[-1][1] == len(lines)
    for (s1, e1, _), (s2, _e2, _) in zip(chunks, chunks[1:]):
        assert e1 == s2, "chunks must tile the document"
    for start, _end, res in chunks:
        base = len(tasks)
        tasks += [_task_tuple(t, start, base) for t in res.tasks]
        heads += [(h.line + start, h.end + start, h.level, h.text) for h in res.headings]
    return tasks, heads, chunks[0][2].front_matter


def first_diff(a: bytes, b: bytes) -> str:
    """A short description of where two byte strings part, for assertion messages."""
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"lengths {len(a)} / {len(b)}, first difference at {n}: {a[max(0, n - 20):n + 20]!r} vs {b[max(0, n - 20):n + 20]!r}"


def doc_state(doc: Document) -> dict:
    """Everything a Document tells its readers, as plain values, to compare two builds."""
    return {
        "data": doc.source.data,
        "lines": doc.source.lines,
        "starts": tuple(doc.source.starts),
        "endings": tuple(doc.source.endings),
        "tasks": [tuple(t) for t in doc.tasks],
        "headings": list(doc.headings),
        "sections": list(doc.sections),
        "labels": list(doc.labels),
        "log": list(doc.log),
        "completion": list(doc.completion),
        "time_lines": list(doc.time_lines),
        "metadata": list(doc.metadata),
        "dialect": doc.dialect,
        "title": doc.title,
        "front_matter": doc.front_matter,
        "keys": list(doc.keys),
    }


_HOLDER = """
import sys
from tasktui.store import locked
with locked(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def hold_lock(path) -> subprocess.Popen:
    """Another process holding tasktui's lock on ``path`` until its stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"locked\n"
    return proc
