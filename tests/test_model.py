"""The document model: lossless bytes, tasks as GFM sees them, chunked parsing equal
to whole-file parsing, marks, ids, durations, dialects, sections and the template's
tracking parts. No Textual anywhere."""

from __future__ import annotations

import csv
import importlib.util

import pytest
from hypothesis import example, given

from mdgen import front_matter_bytes, markdown_bytes
from support import (
    CONTRACT_TOOL,
    SAMPLES_DIR,
    chunked_parse,
    corpus_params,
    doc_state,
    model_gfm_tasks,
    oracle_tasks,
    sample_names,
    whole_parse,
)
from tasktui.doc import Document, Source
from tasktui.doc import parse as parse_mod
from tasktui.doc.durations import DurationError, format_hours, parse_duration, parse_hours, short_hours, uses_minutes
from tasktui.doc.model import TaskKey, parse_log_entry, split_id
from tasktui.doc.parse import parse_chunks
from tasktui.doc.source import encode
from tasktui.doc import model as model_mod
from tasktui.doc.rollup import RollUp


def section_progress(doc, section):
    return RollUp(doc).section(section.index)


def document_progress(doc):
    return RollUp(doc).document


def phase_status(doc):
    return RollUp(doc).phase_status

# ---------------------------------------------------------------------------- helpers


def assert_lossless(data: bytes) -> Document:
    """The model gives back exactly ``data``, and its lines and offsets describe it."""
    src = Source(data)
    assert src.data == data
    rebuilt = (b"\xef\xbb\xbf" if src.bom else b"") + b"".join(encode(line) + end for line, end in zip(src.lines, src.endings))
    assert rebuilt == data
    for i, line in enumerate(src.lines):
        assert data[src.starts[i]:src.line_end(i)] == encode(line)
        next_start = src.starts[i + 1] if i + 1 < src.line_count else len(data)
        assert next_start == src.line_end(i) + len(src.endings[i])
    assert src.endings[-1] == b""
    doc = Document(data)
    assert doc.source.data == data
    assert Document(Source(data)).source.data == data
    for t in doc.tasks:
        # the mark offset points at the byte(s) between the brackets
        assert data[t.mark_offset - 1:t.mark_offset] == b"["
        if t.mark != "\ufffd":  # a NUL mark reads as U+FFFD, like markdown-it
            mark = encode(t.mark)
            assert data[t.mark_offset:t.mark_offset + len(mark)] == mark
            assert data[t.mark_offset + len(mark):t.mark_offset + len(mark) + 1] == b"]"
    return doc


def read_corpus(corpus_dir, name):
    return (corpus_dir / name).read_bytes()


def all_real_files(corpus_dir=None, template=None):
    files = sorted(SAMPLES_DIR.glob("*.md"))
    if template is not None:
        files.append(template)
    if corpus_dir is not None:
        files += sorted(corpus_dir.glob("*.md"))
    return files


@pytest.fixture
def min_list_chunk(monkeypatch):
    """Cut at top-level list items at once, so that list-only files (Kiro's) are
    also parsed in many chunks."""
    monkeypatch.setattr(parse_mod, "MIN_LIST_CHUNK", 1)


# ------------------------------------------------------------------------ round trip


@pytest.mark.parametrize("name", sample_names())
def test_round_trip_samples(name):
    doc = assert_lossless((SAMPLES_DIR / name).read_bytes())
    assert doc.tasks, f"{name} should have tasks"


def test_round_trip_template(template_path):
    data = template_path.read_bytes()
    doc = assert_lossless(data)
    assert "â¬œ".encode() in data  # the template's mojibake is kept as it is
    assert len(doc.tasks) == 56


@pytest.mark.parametrize("name", corpus_params())
def test_round_trip_corpus(corpus_dir, name):
    assert_lossless(read_corpus(corpus_dir, name))


EDGE_CASES = {
    "empty": b"",
    "only newline": b"\n",
    "only CR": b"\r",
    "bom only": b"\xef\xbb\xbf",
    "bom": b"\xef\xbb\xbf# T\n- [ ] a\n",
    "bom crlf": b"\xef\xbb\xbf# T\r\n- [x] a\r\n",
    "crlf": b"# T\r\n\r\n- [ ] a\r\n- [x] b\r\n",
    "lone cr": b"# T\r- [ ] a\r- [x] b\r",
    "mixed endings": b"# T\n- [ ] a\r\n- [x] b\r- [ ] c\n\r\n\r\r\n",
    "cr then lf lines": b"- [ ] a\n\r- [ ] b\n\r",
    "no final newline": b"# T\n- [ ] a\n- [x] b",
    "no final newline crlf": b"- [ ] a\r\n- [x] b",
    "tabs": b"-\t[ ] a\n\t- [x] b\n\t\t- [ ] c\t\n",
    "trailing spaces": b"- [ ] a   \n- [x] b \t \n  \n",
    "invalid utf-8": b"- [ ] caf\xe9 \xff\xfe\n- [x] \xc3\n\x80\x81\n",
    "truncated utf-8 at end": b"- [ ] a\n\xe2\x9c",
    "overlong utf-8": b"- [ ] \xc0\xaf \xed\xa0\x80\n",
    "nul bytes": b"- [ ] a\x00b\n\x00\n- [x] c\n",
    "nul mark": b"- [\x00] a\n",
    "mojibake": "**Phase 1**: â¬œ Not Started | ðŸŸ¡ In Progress | âœ… Complete  \n- [ ] Unit test â‰¥ 85%\n".encode(),
    "bom in the middle": b"- [ ] a\n\xef\xbb\xbf- [ ] b\n",
    "form feed and friends": b"- [ ] a\x0cb\x0bc\x1cd\xc2\x85e\xe2\x80\xa8f\xe2\x80\xa9g\n",
    "many blank lines": b"\n\n\n- [ ] a\n\n\n\n",
    "whitespace only": b" \t \r\n \n",
}


@pytest.mark.parametrize("data", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_round_trip_edge_cases(data):
    assert_lossless(data)


def test_line_breaks_are_those_markdown_it_knows():
    # \r\n, \r and \n end lines; form feed, vertical tab, NEL, U+2028 and friends do not
    src = Source(b"a\x0cb\x0bc\x1cd\xc2\x85e\xe2\x80\xa8f\r\ng\rh\ni")
    assert src.lines == ("a\x0cb\x0bc\x1cd\x85e\u2028f", "g", "h", "i")
    assert src.endings == (b"\r\n", b"\r", b"\n", b"")
    assert src.starts == (0, 16, 18, 20)


def test_source_endings_bom_and_majority():
    src = Source(b"\xef\xbb\xbfa\r\nb\r\nc\nd")
    assert src.bom and src.starts[0] == 3
    assert src.lines == ("a", "b", "c", "d")
    assert src.majority_ending == b"\r\n"
    assert src.ending_after(2) == b"\n"  # a line's own ending
    assert src.ending_after(3) == b"\r\n"  # the last line has none: the majority
    assert Source(b"no endings").majority_ending == b"\n"


def test_invalid_bytes_survive_decoding():
    src = Source(b"- [ ] caf\xe9\n")
    assert src.lines[0] == "- [ ] caf\udce9"
    assert not src.is_utf8 and not src.has_nul
    assert encode(src.lines[0]) == b"- [ ] caf\xe9"
    doc = Document(src)
    assert doc.tasks[0].text == "caf\udce9"


def test_nul_file_is_read_but_marked_read_only():
    doc = Document(EDGE_CASES["nul bytes"])
    assert doc.read_only_reason == "it contains NUL bytes"
    assert [(t.line, t.state, t.text) for t in doc.tasks] == [(0, "todo", "a\x00b"), (2, "done", "c")]
    assert Document(b"- [ ] a\n").read_only_reason is None


def test_crlf_lone_cr_and_mixed_endings_give_the_same_tasks():
    lf = Document(b"# T\n- [ ] a\n  - [x] b\n- [ ] c\n")
    for data in (b"# T\r\n- [ ] a\r\n  - [x] b\r\n- [ ] c\r\n", b"# T\r- [ ] a\r  - [x] b\r- [ ] c\r", b"# T\r\n- [ ] a\r  - [x] b\n- [ ] c"):
        doc = Document(data)
        assert [(t.line, t.text, t.state, t.parent) for t in doc.tasks] == [(t.line, t.text, t.state, t.parent) for t in lf.tasks]


# ------------------------------------------------------------------- the GFM oracle


def check_oracle(data: bytes, where: str) -> None:
    doc = Document(data)
    want = oracle_tasks(data, doc.front_matter)
    got = model_gfm_tasks(doc)
    assert got == want, (
        f"{where}: missing lines {sorted(set(want) - set(got))[:8]}, extra {sorted(set(got) - set(want))[:8]}, "
        f"wrong state {sorted(ln for ln in set(got) & set(want) if got[ln] != want[ln])[:8]}"
    )


@pytest.mark.parametrize("name", corpus_params())
def test_tasks_equal_gfm_oracle_corpus(corpus_dir, name):
    data = read_corpus(corpus_dir, name)
    check_oracle(data, name)
    assert oracle_tasks(data), f"{name} has GFM tasks"


@pytest.mark.parametrize("name", sample_names())
def test_tasks_equal_gfm_oracle_samples(name):
    check_oracle((SAMPLES_DIR / name).read_bytes(), name)


def test_tasks_equal_gfm_oracle_template(template_path):
    data = template_path.read_bytes()
    check_oracle(data, "template")
    assert len(oracle_tasks(data)) == 56


@pytest.mark.slow  # the contract tool's oracle and ours on every real file: a drift check, not a behaviour
def test_our_oracle_is_the_contract_tools_oracle(corpus_dir, template_path):
    """support.oracle_tasks is a copy of check_contract.oracle_tasks: they must not drift."""
    if not CONTRACT_TOOL.is_file():
        pytest.skip(f"{CONTRACT_TOOL} is missing")
    spec = importlib.util.spec_from_file_location("check_contract", CONTRACT_TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for path in all_real_files(corpus_dir, template_path):
        data = path.read_bytes()
        assert tool.oracle_tasks(data) == oracle_tasks(data), path.name
    for data in EDGE_CASES.values():
        assert tool.oracle_tasks(data) == oracle_tasks(data)


# ------------------------------------------------------------- chunked == whole parse


def check_chunked(lines, where: str) -> int:
    whole = whole_parse(lines)
    chunked = chunked_parse(lines)
    assert chunked[0] == whole[0], f"{where}: tasks differ between chunked and whole-file parsing"
    assert chunked[1] == whole[1], f"{where}: headings differ between chunked and whole-file parsing"
    assert chunked[2] == whole[2], f"{where}: front matter differs"
    return len(parse_chunks(lines))


@pytest.mark.parametrize("name", corpus_params())
def test_chunked_equals_whole_corpus(corpus_dir, name, monkeypatch):
    lines = Source(read_corpus(corpus_dir, name)).lines
    check_chunked(lines, name)
    # and cutting at every top-level list item too, so list-only files are cut as well
    monkeypatch.setattr(parse_mod, "MIN_LIST_CHUNK", 1)
    check_chunked(lines, name)


def test_chunked_parsing_really_cuts(corpus_dir, template_path, min_list_chunk):
    """The equality above is not vacuous: nearly every real file is cut into pieces."""
    files = all_real_files(corpus_dir, template_path)
    counts = {p.name: len(parse_chunks(Source(p.read_bytes()).lines)) for p in files}
    assert sum(1 for c in counts.values() if c > 1) >= len(files) - 2, counts
    assert sum(counts.values()) > 10 * len(files)


def test_chunked_equals_whole_samples_and_template(template_path, min_list_chunk):
    for path in all_real_files(None, template_path):
        check_chunked(Source(path.read_bytes()).lines, path.name)


def test_chunk_cache_reparses_only_the_changed_chunk(corpus_dir):
    data = read_corpus(corpus_dir, "09-speckit-KCardSwap.md")
    lines = list(Source(data).lines)
    cache: dict = {}
    first = parse_chunks(lines, cache)
    assert len(first) > 20
    entries = len(cache)
    doc = Document(data)
    task = doc.tasks[len(doc.tasks) // 2]
    line = lines[task.line]
    lines[task.line] = line[: task.col + 1] + ("x" if task.mark == " " else " ") + line[task.col + 2:]
    again = parse_chunks(lines, cache)
    assert len(cache) - entries <= 2, "a one-line change should re-parse one chunk"
    assert chunked_parse(lines, cache) == whole_parse(lines)
    assert len(again) == len(first)


FRONT_MATTER_CASES = {
    "four dashes": "----\n# c\n----\n- [ ] t\n",
    "trailing space": "--- \n# c\n---\n# T\n- [ ] t\n",
    "trailing tab": "---\t\n## c\n---\n- [ ] t\n",
    "word after dashes": "---yaml\n# c\n---\n- [ ] t\n",
    "closing with form feed is not closing": "---\n# c\n---\x0c\n# d\n---\n- [ ] t\n",
    "indented closing": "---\n# c\n  ---\n# d\n---\n- [ ] t\n",
    "dots closing": "---\n# c\n...\n# d\n- [ ] t\n",
    "longer closing": "---\n# c\n-----\n# d\n- [ ] t\n",
    "unclosed": "---\n# c\n- [ ] t\n",
    "thematic break then closing later": "---\n- [ ] a\n# h\n---\n- [ ] b\n",
}


@pytest.mark.parametrize("text", list(FRONT_MATTER_CASES.values()), ids=list(FRONT_MATTER_CASES))
def test_front_matter_chunked_equals_whole(text):
    """Regression: a first line such as `----` or `--- ` opens front matter too, and a
    heading inside it must not become a cut (it did: the chunk parse saw it unclosed)."""
    lines = Source(text.encode()).lines
    check_chunked(lines, text)
    doc = Document(text.encode())
    assert "c" not in [h.text for h in doc.headings] or doc.front_matter == 0
    check_oracle(text.encode(), text)


def test_front_matter_is_skipped():
    doc = Document(b"---\ntitle: x\n- [ ] yaml, not a task\n---\n# Title\n- [ ] real\n")
    assert doc.front_matter == 4
    assert [t.text for t in doc.tasks] == ["real"]
    assert doc.title == "Title"


# ------------------------------------------------------------------ property test


_CACHE: dict = {}


@given(markdown_bytes())
def test_property_round_trip_chunking_and_oracle(data):
    # (a) round trip
    doc = assert_lossless(data)
    lines = doc.source.lines
    # (b) chunked == whole, at the default cut rule, cutting at every list, and through a cache
    whole = whole_parse(lines)
    assert chunked_parse(lines) == whole
    saved = parse_mod.MIN_LIST_CHUNK
    parse_mod.MIN_LIST_CHUNK = 1
    try:
        assert chunked_parse(lines) == whole
        if len(_CACHE) > 5000:
            _CACHE.clear()
        assert chunked_parse(lines, _CACHE) == whole
    finally:
        parse_mod.MIN_LIST_CHUNK = saved
    # (c) the tasks GFM knows, on the same lines with the same state
    assert model_gfm_tasks(doc) == oracle_tasks(data, doc.front_matter)


@given(front_matter_bytes())
def test_property_front_matter(data):
    doc = Document(data)
    assert chunked_parse(doc.source.lines) == whole_parse(doc.source.lines)
    assert model_gfm_tasks(doc) == oracle_tasks(data, doc.front_matter)


# --------------------------------------------------------------- what is a task


STRUCTURE = """# Plan

- [ ] top
  - [x] child
    1. [ ] grandchild
  - detail
* [X] star
+ [ ] plus
1. [ ] one dot
2) [x] two paren

> - [ ] quoted
> > - [x] deep quoted

```
- [ ] in fence
```

~~~~
- [ ] in tilde fence
```
- [ ] still in
~~~~

    - [ ] indented code

<div>
- [ ] in html
</div>

<!--
- [ ] in comment
-->

- item
  ```
  - [ ] fence in item
  ```

> ```
> - [ ] fence in quote
> ```

[ ] not a list
- [ ]no space
- [x]
- [P] T010 legend
- [v] letter
- [1] digit
- [é] accented
- [*] star mark
- [ ]* optional
- [x]* optional done
"""


def test_tasks_and_non_tasks():
    doc = Document(STRUCTURE.encode())
    got = [(t.line + 1, t.mark, t.text, t.depth, t.parent, t.quote, t.optional) for t in doc.tasks]
    assert got == [
        (3, " ", "top", 0, None, False, False),
        (4, "x", "child", 1, 0, False, False),
        (5, " ", "grandchild", 2, 1, False, False),
        (7, "X", "star", 0, None, False, False),
        (8, " ", "plus", 0, None, False, False),
        (9, " ", "one dot", 0, None, False, False),
        (10, "x", "two paren", 0, None, False, False),
        (12, " ", "quoted", 0, None, True, False),
        (13, "x", "deep quoted", 0, None, True, False),
        (51, "*", "star mark", 0, None, False, False),
        (52, " ", "optional", 0, None, False, True),
        (53, "x", "optional done", 0, None, False, True),
    ]
    assert doc.tasks[0].end == 6  # the item with its children and details
    assert [t.text for t in doc.children(doc.tasks[0])] == ["child"]
    check_oracle(STRUCTURE.encode(), "structure")


def test_checkbox_on_the_line_after_the_marker():
    doc = Document(b"-\n  [ ] later\n1.\n   [x] numbered\n")
    assert [(t.item_line, t.line, t.col, t.state, t.text) for t in doc.tasks] == [(0, 1, 2, "todo", "later"), (2, 3, 3, "done", "numbered")]


def test_checkbox_after_a_first_line_of_only_a_form_feed():
    """markdown-it strips a form feed alone on a task paragraph's first line (as
    GFM does): the checkbox on the next line is the task's, found and toggled there."""
    data = b"-\n  [ ] \n  - \x0c\n[ ] fake\n"
    doc = Document(data)
    assert [(t.item_line, t.line, t.col, t.text) for t in doc.tasks] == [(2, 3, 0, "fake")]
    check_oracle(data, "a form feed first")
    from tasktui.doc.patch import Patch

    task = doc.tasks[0]
    assert doc.patched([Patch(task.mark_offset, task.mark_offset + 1, b"x")]).source.data == data.replace(b"[ ] fake", b"[x] fake")


# ----------------------------------------------------------------------- marks


def states(text: str) -> list[tuple[str, str, bool]]:
    return [(t.mark, t.state, t.optional) for t in Document(text.encode()).tasks]


def test_marks_in_kiro_files():
    text = "# Implementation Plan\n\n- [x] 1. Done\n- [-] 2. Going\n  - [~] 2.1 Queued\n  - [ ]* 2.2 Optional\n- [/] 3. Slash\n- [ ] 4. Todo\n"
    assert Document(text.encode()).dialect == "kiro"
    assert states(text) == [
        ("x", "done", False), ("-", "in_progress", False), ("~", "queued", False),
        (" ", "todo", True), ("/", "other", False), (" ", "todo", False),
    ]


def test_marks_elsewhere():
    text = "# TODO\n\n- [x] done\n- [X] done too\n- [/] going\n- [-] dropped\n- [~] tilde\n- [?] odd\n- [ ] todo\n"
    assert Document(text.encode()).dialect == "generic"
    assert states(text) == [
        ("x", "done", False), ("X", "done", False), ("/", "in_progress", False), ("-", "cancelled", False),
        ("~", "queued", False), ("?", "other", False), (" ", "todo", False),  # [~] is queued everywhere
    ]


def test_letters_and_digits_other_than_x_are_not_marks():
    assert states("- [P] T010 legend\n- [v] v\n- [o] o\n- [0] zero\n- [ä] umlaut\n- [x] real\n") == [("x", "done", False)]


def test_optional_marker_is_kept_apart_from_the_text():
    doc = Document(b"- [ ]* 2.3 Write unit tests\n")
    t = doc.tasks[0]
    assert (t.optional, t.mark, t.text, t.id) == (True, " ", "2.3 Write unit tests", "2.3")


# -------------------------------------------------------------- ids and markers


@pytest.mark.parametrize(
    "text, want",
    [
        ("T001 [P] [US1] Create project structure", ("T001", ("P", "US1"))),
        ("T012a [US2] Add unique index", ("T012a", ("US2",))),
        ("T003 [P] Configure ruff", ("T003", ("P",))),
        ("T001: setup", ("T001", ())),
        ("1. Set up project structure", ("1", ())),
        ("1.1 Create package layout", ("1.1", ())),
        ("2.3.4 Deep", ("2.3.4", ())),
        ("1.2. Trailing dot", ("1.2", ())),
        ("T1 too short", (None, ())),
        ("Task T001 later", (None, ())),
        ("[P] T001 marker first", (None, ())),
        ("2026-01-05 a date", (None, ())),
        ("**Design schema**", (None, ())),
    ],
)
def test_split_id(text, want):
    assert split_id(text) == want


def test_ids_and_markers_in_the_samples():
    doc = Document((SAMPLES_DIR / "speckit-feature.md").read_bytes())
    by_id = {t.id: t for t in doc.tasks}
    assert by_id["T003"].markers == ("P",)
    assert by_id["T010"].markers == ("P", "US1")
    assert by_id["T012a"].markers == ("US1",)
    assert by_id["T012a"].text.startswith("T012a [US1] Add unique partial index")
    kiro = Document((SAMPLES_DIR / "kiro-spec.md").read_bytes())
    assert [t.id for t in kiro.tasks[:4]] == ["1", "1.1", "1.2", "2"]
    assert kiro.tasks[1].parent == 0 and kiro.tasks[1].depth == 1


# ------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    "text, hours",
    [
        ("4 hours", 4.0), ("1 hour", 1.0), ("90 minutes", 1.5), ("45 min", 0.75), ("30m", 0.5),
        ("1h30m", 1.5), ("1h 30m", 1.5), ("1.5h", 1.5), ("1,5 h", 1.5), ("2d", 16.0), ("1 day", 8.0),
        ("1 week", 40.0), ("2-3 hours", 2.5), ("2 – 3h", 2.5), ("2 to 3 days", 20.0), ("~3 hours", 3.0),
        ("3 hours (revised after review)", 3.0), ("2.5 hours  ", 2.5),
        ("[X hours]", None), ("[X]", None), ("TBD", None), ("", None), ("   ", None), ("about a day", None), ("hours", None),
    ],
)
def test_parse_hours(text, hours):
    assert parse_hours(text) == hours


def test_parse_hours_day_length():
    assert parse_hours("2d", day_hours=6) == 12
    assert parse_hours("1 week", day_hours=6) == 30


@pytest.mark.parametrize("text, hours", [("45m", 0.75), ("1.5h", 1.5), ("1h30m", 1.5), ("2d", 16.0), ("3", 3.0), (" 90 minutes ", 1.5), ("1h 15m", 1.25)])
def test_parse_duration(text, hours):
    assert parse_duration(text) == hours


@pytest.mark.parametrize("text", ["abc", "", "0m", "0", "-1h", "1.5.2h", "1h30", "h", "2 days ago", "[X hours]"])
def test_parse_duration_refuses(text):
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    assert "\n" not in str(err.value) and str(err.value)


def test_uses_minutes_and_formatting():
    assert uses_minutes("90 minutes") and uses_minutes("45m") and uses_minutes("30 min")
    assert not uses_minutes("1h30m") and not uses_minutes("2 hours") and not uses_minutes("[X hours]")
    assert format_hours(1.5) == "1.5 hours"
    assert format_hours(1) == "1 hour"
    assert format_hours(2.0) == "2 hours"
    assert format_hours(4 / 3) == "1 hour 20 minutes"  # 1.33 hours would read back as 79.8 minutes
    assert format_hours(0.75, minutes=True) == "45 minutes"
    assert format_hours(1 / 60, minutes=True) == "1 minute"
    assert short_hours(None) == "-" and short_hours(0.75) == "45m" and short_hours(1.5) == "1.5h" and short_hours(4) == "4h"


def test_estimates_and_actuals_of_tasks():
    text = """# P

## Phase 1
**Estimated Time**: 6 hours

- [x] **A**
  - Detail
  - **Estimated Time**: 3 hours
  - **Actual Time**: 4 hours
- [x] **B**
  - **Estimated Time**: 2-3 hours
  - **Actual Time**: 90 minutes
- [ ] **C**
  - **Estimated Time**: [X hours]
- [ ] **D**
  * **Time Estimate**: 1h30m
- [ ] **E** with no estimate
"""
    doc = Document(text.encode())
    assert [(t.estimate_hours, t.actual_hours) for t in doc.tasks] == [(3, 4), (2.5, 1.5), (None, None), (1.5, None), (None, None)]
    assert doc.tasks[0].estimate_line == 7 and doc.tasks[0].actual_line == 8
    assert doc.tasks[2].estimate_line == 13  # a placeholder line is still the estimate line
    section = next(s for s in doc.sections if s.phase == 1)
    prog = section_progress(doc, section)
    assert prog.actual_hours == 5.5
    assert prog.variance_hours == 0.0  # 5.5 actual against the 5.5 estimated for A and B
    # the 6 hours under the heading are not added: its tasks carry estimates of their own
    assert prog.estimate_hours == 3 + 2.5 + 1.5


HEADING_TASKS = b"""# P

## Phase 1

#### Task 1: Setup
- **Estimated Time**: 2 hours
- **Actual Time**: 1 hour
- [x] acceptance one
- [ ] acceptance two

#### Task 2: Build
**Estimated Time**: 3 hours

- [ ] build it
  - **Estimated Time**: 5 hours

## Phase 2
**Estimated Duration**: 4 days

#### Task 3: Ship
**Estimated Time**: 1 hour

- [ ] ship
"""


def test_a_heading_estimate_counts_where_its_tasks_have_none():
    rollup = RollUp(Document(HEADING_TASKS))
    one, two = rollup.sections
    # Task 1: its own 2 h (nothing below is estimated), 1 h spent of it (time under a heading counts as
    # an open task's: no saving); Task 2: the task's 5 h win
    assert (one.estimate_hours, one.actual_hours, one.variance_hours, one.variance_pct) == (7, 1, 0, None)
    assert one.remaining_hours == 1 + 5
    # Phase 2's 4 days: a heading inside it is estimated more closely
    assert two.estimate_hours == 1


# --------------------------------------------------------------------- dialects


def manifest(corpus_dir) -> dict[str, str]:
    with open(corpus_dir / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return {row["file"]: row["dialect"] for row in csv.DictReader(fh, delimiter="\t")}


@pytest.mark.parametrize("name", corpus_params())
def test_dialect_agrees_with_manifest(corpus_dir, name):
    want = manifest(corpus_dir)[name]
    want = "generic" if want == "todo" else want
    assert Document(read_corpus(corpus_dir, name)).dialect == want


def test_dialect_of_samples_and_template(template_path):
    want = {"kiro-spec.md": "kiro", "speckit-feature.md": "speckit", "template-project.md": "template", "plain-todo.md": "generic"}
    for name, dialect in want.items():
        assert Document((SAMPLES_DIR / name).read_bytes()).dialect == dialect, name
    assert Document(template_path.read_bytes()).dialect == "template"


# ------------------------------------------------------------- sections, counting

COUNTING = """# Title

- [x] pre task

## A
- [x] a1
- [-] a2
- [ ] a3

## B
- [x] b1
- [ ]* b2

## C
- [ ] c1
- [-] c2

## D
- [/] d1
### D.1
- [ ] d2

## E
"""


def test_sections_and_counting_rules():
    doc = Document(COUNTING.encode())
    assert doc.title == "Title" and doc.section_level == 2
    rows = []
    for s in doc.sections:
        p = section_progress(doc, s)
        rows.append((s.title, None if s.line is None else s.line + 1, p.total, p.done, p.cancelled, p.percent, p.status))
    assert rows == [
        ("Title", None, 1, 1, 0, 100.0, "complete"),  # tasks before the first section: named after the title
        ("A", 5, 3, 1, 1, 50.0, "in_progress"),  # percent = required done / required: 1 of 2
        ("B", 10, 2, 1, 0, 100.0, "complete"),  # optional tasks need not be done, and do not count
        ("C", 14, 2, 0, 1, 0.0, "not_started"),
        ("D", 18, 2, 0, 0, 0.0, "in_progress"),  # in progress, nothing done
        ("E", 23, 0, 0, 0, 0.0, "not_started"),
    ]
    assert doc.tasks[-1].path == ("Title", "D", "D.1")
    whole = document_progress(doc)
    assert (whole.total, whole.done, whole.cancelled, whole.percent) == (10, 3, 2, 42.9)  # 3 of 7 required
    assert (whole.required, whole.required_done, whole.optional) == (7, 3, 1)
    assert whole.summary() == "3/7 · 2 cancelled · 1 optional"


def test_all_cancelled_is_complete():
    doc = Document(b"## S\n- [-] a\n- [-] b\n")
    p = section_progress(doc, doc.sections[0])
    assert (p.percent, p.status, p.summary()) == (100.0, "complete", "0/0 · 2 cancelled")


@pytest.mark.parametrize("body, summary, percent, status", [
    # required work decides; cancelled and optional tasks are said beside it
    (b"- [x] a\n- [-] b\n", "1/1 · 1 cancelled", 100.0, "complete"),
    (b"- [x] 1. a\n- [ ]* 2. b\n", "1/1 · 1 optional", 100.0, "complete"),
    (b"- [ ] 1. a\n- [x]* 2. b\n", "0/1 · 1 optional", 0.0, "in_progress"),
    # no required work: judged by all the tasks, so open optional tasks are not complete
    (b"- [ ]* 1. a\n- [ ]* 2. b\n", "0/2", 0.0, "not_started"),
    (b"- [x]* 1. a\n- [ ]* 2. b\n", "1/2", 50.0, "in_progress"),
    (b"- [x]* 1. a\n- [x]* 2. b\n", "2/2", 100.0, "complete"),
    (b"- [ ]* a\n- [-]* b\n", "0/1 · 1 cancelled", 0.0, "not_started"),  # not Kiro: [-] is cancelled
    (b"", "no tasks", 0.0, "not_started"),  # empty is not done
    (b"- [/] a\n- [ ] b\n", "0/2", 0.0, "in_progress"),
])
def test_the_counting_rules(body, summary, percent, status):
    counts = RollUp(Document(body)).document
    assert (counts.summary(), counts.percent, counts.status) == (summary, percent, status)
    assert counts.total == counts.required + counts.optional + counts.cancelled


def test_section_level_without_a_single_title():
    doc = Document(b"# One\n- [ ] a\n# Two\n- [x] b\n## Sub\n- [ ] c\n")
    assert doc.section_level == 1
    assert [(s.title, s.task_count) for s in doc.sections] == [("One", 1), ("Two", 2)]
    doc = Document(b"### Deep\n- [ ] a\n## Shallow\n- [ ] b\n")
    assert doc.section_level == 2 and doc.title is None
    assert [(s.title, s.task_count, s.line) for s in doc.sections] == [("Tasks", 1, None), ("Shallow", 1, 2)]
    doc = Document(b"- [ ] a\n")
    assert [(s.title, s.task_count, s.line) for s in doc.sections] == [("Tasks", 1, None)]


def test_setext_headings_make_sections():
    doc = Document(b"Title\n=====\n\nFirst\n-----\n- [ ] a\n\nSecond\n------\n- [x] b\n")
    assert doc.title == "Title"
    assert [(s.title, s.line) for s in doc.sections] == [("First", 3), ("Second", 7)]


def test_phase_status_of_the_sample():
    doc = Document((SAMPLES_DIR / "template-project.md").read_bytes())
    assert phase_status(doc) == {1: "complete", 2: "in_progress", 3: "not_started", 4: "not_started"}


# ----------------------------------------------------- the template's tracking parts


def test_template_tracking_parts_are_placeholders(template_path):
    doc = Document(template_path.read_bytes())
    assert [(c.phase, c.status) for c in doc.completion] == [(n, None) for n in range(1, 6)]
    assert doc.completion[0].value == "â¬œ Not Started | ðŸŸ¡ In Progress | âœ… Complete"
    assert [(t.label, t.value) for t in doc.time_lines] == [
        ("Estimated Total", "[X] hours"), ("Actual Time", "[Y] hours"), ("Variance", "[Z] hours ([+/-]%)"),
    ]
    assert len(doc.log) == 2 and all(e.placeholder and e.date is None for e in doc.log)
    assert doc.open_blockers == []
    assert [m.label for m in doc.metadata] == ["Project", "Estimated Duration", "Engineer Assigned", "Context7 Validated", "Status"]
    assert doc.title == "Implementation Tasks: [FEATURE NAME]"
    assert [s.phase for s in doc.sections if s.phase] == [1, 2, 3, 4, 5]
    assert all(t.estimate_hours is None and t.estimate_line is not None for t in doc.tasks if t.path[1].startswith("Phase"))


def test_sample_tracking_parts():
    doc = Document((SAMPLES_DIR / "template-project.md").read_bytes())
    assert [(c.phase, c.status) for c in doc.completion] == [(1, "complete"), (2, "in_progress"), (3, "not_started"), (4, "not_started")]
    assert [t.label for t in doc.time_lines] == ["Estimated Total", "Actual Time", "Variance"]
    first, second, third = doc.log
    assert (first.date, first.kind, first.resolved, first.resolved_date, first.resolution) == (
        "2026-01-05", "Blocker", True, "2026-01-07", "platform team upgraded staging to 16.4",
    )
    assert first.text.startswith("Staging PostgreSQL is still on 15.8")
    assert (second.kind, second.resolved, third.kind) == ("Decision", False, "Decision")
    assert doc.open_blockers == []
    assert doc.metadata[0].label == "Project" and doc.metadata[-1].value == "In Progress"


@pytest.mark.parametrize(
    "line, want",
    [
        ("**2026-01-05** - Blocker: keys missing", ("2026-01-05", "Blocker", "keys missing", None, False, None, None, False)),
        ("**2026-01-05** - Decision: use Redis (task T004)", ("2026-01-05", "Decision", "use Redis", "T004", False, None, None, False)),
        (
            "**2026-01-05** - Blocker: keys missing (task 1.2) — Resolved 2026-01-07: keys came",
            ("2026-01-05", "Blocker", "keys missing", "1.2", True, "2026-01-07", "keys came", False),
        ),
        ("**2026-01-05** – Blocker: dash kinds -- Resolved 2026-01-08: ascii", ("2026-01-05", "Blocker", "dash kinds", None, True, "2026-01-08", "ascii", False)),
        ("**2026-01-05** - Blocker: plain - Resolved: later", ("2026-01-05", "Blocker", "plain", None, True, None, "later", False)),
        ("**[DATE]** - [Decision/Blocker]: [Description and resolution]", (None, "Decision/Blocker", "[Description and resolution]", None, False, None, None, True)),
        ("**2026-01-05** - Blocker: [Description]", ("2026-01-05", "Blocker", "[Description]", None, False, None, None, True)),
    ],
)
def test_log_entries(line, want):
    e = parse_log_entry(7, line)
    assert e.line == 7
    assert (e.date, e.kind, e.text, e.task, e.resolved, e.resolved_date, e.resolution, e.placeholder) == want


def test_not_log_entries():
    assert parse_log_entry(0, "**Status**: In Progress") is None
    assert parse_log_entry(0, "2026-01-05: nothing that says what kind") is None


@pytest.mark.parametrize("line", ["**2026-01-05** - Blocker: keys", "- **2026-01-05** - Blocker: keys",
                                  "- 2026-01-05 - Blocker: keys", "2026-01-05 Blocker: keys", "* 2026-01-05 — Blocker: keys"])
def test_log_entries_in_the_forms_people_write(line):
    e = parse_log_entry(0, line)
    assert (e.date, e.kind, e.text) == ("2026-01-05", "Blocker", "keys")


def test_blockers_in_a_crafted_file():
    text = "# T\n\n## Phase 1\n- [ ] T001 a\n\n## Progress Tracking\n\n### Blockers & Decisions Log\n**2026-02-01** - Blocker: open one (task T001)\n\n**2026-02-02** - Blocker: closed — Resolved 2026-02-03: done\n"
    doc = Document(text.encode())
    assert [(e.line, e.task, e.resolved) for e in doc.log] == [(8, "T001", False), (10, None, True)]
    assert [e.text for e in doc.open_blockers] == ["open one"]


# ------------------------------------------------------------------ identity


def test_task_keys_and_lookup():
    doc = Document(b"## A\n- [ ] T001 one\n- [ ] same\n- [ ] same\n## B\n- [ ] same\n- [ ] T002 x\n- [ ] T002 dup\n")
    keys = doc.keys
    assert keys[0] == TaskKey("T001", (), "", 0)
    assert keys[1] == TaskKey(None, ("A",), "same", 0) and keys[2] == TaskKey(None, ("A",), "same", 1)
    assert keys[3] == TaskKey(None, ("B",), "same", 0)
    assert keys[4] == TaskKey(None, ("B",), "T002 x", 0)  # a duplicated id is no identity
    assert len(set(keys)) == len(keys)
    for t, k in zip(doc.tasks, keys):
        assert doc.find(k) == t
        assert doc.task_at_line(t.line) == t
    assert doc.find(TaskKey("T999", (), "", 0)) is None
    assert doc.task_at_line(0) is None


# ------------------------------------------------------- incremental re-parsing


@pytest.mark.parametrize(
    "data, start, end, text",
    [
        (b"## 1. Setup\n\n- [ ] 1.1 a\n  - _Requirements: 1_\n", 28, 40, b"_Remarks: 1_"),  # Kiro -> OpenSpec
        (b"# P\n- [-] 1. Setup\n  - [ ] 1.1 x\n", 12, 13, b""),  # "1. Setup" -> "1 Setup": no longer Kiro
    ],
)
def test_patched_recomputes_the_dialect(data, start, end, text):
    """Regression (found by the property test): Document.patched kept the old dialect
    when an in-line change altered what decides it, so `[-]` kept its old meaning."""
    from support import doc_state
    from tasktui.doc.patch import Patch, apply

    doc = Document(data)
    patches = [Patch(start, end, text)]
    fresh = Document(apply(data, patches))
    assert fresh.dialect != doc.dialect
    assert doc_state(doc.patched(patches)) == doc_state(fresh)


# -- Lines: the copy-free lines of a patched Source ------------------------------------

from hypothesis import strategies as st  # noqa: E402

from tasktui.doc.patch import Patch  # noqa: E402
from tasktui.doc.source import Lines  # noqa: E402


@given(
    n=st.integers(1, 40),
    rounds=st.lists(st.dictionaries(st.integers(0, 39), st.text(max_size=3), max_size=6), max_size=8),
    limit=st.integers(1, 12),
    probes=st.lists(st.tuples(st.integers(-45, 45), st.integers(-45, 45), st.sampled_from([1, 1, 2, -1])), max_size=6),
)
def test_lines_read_like_the_tuple_they_stand_for(n, rounds, limit, probes):
    """Successive patches of a Lines read exactly like a tuple patched the same way:
    indexes (negative too), slices (with steps), length, iteration, equality;
    and the changes are flattened into a plain tuple once they reach the limit."""
    old = Lines.FLATTEN_AT
    Lines.FLATTEN_AT = limit
    try:
        model = [f"line {i}" for i in range(n)]
        lines = tuple(model)
        for changes in rounds:
            changes = {i: t for i, t in changes.items() if i < n}
            lines = Lines.patched(lines, changes)
            for i, t in changes.items():
                model[i] = t
            expected = tuple(model)
            assert len(lines) == n
            assert [lines[i] for i in range(-n, n)] == [expected[i] for i in range(-n, n)]
            for a, b, step in probes:
                assert tuple(lines[a:b:step]) == expected[a:b:step]
            assert lines == expected and list(lines) == model and list(reversed(lines)) == model[::-1]
            if isinstance(lines, Lines):
                assert len(lines._changed) < limit  # flattened before reaching the limit
            else:
                assert type(lines) is tuple
    finally:
        Lines.FLATTEN_AT = old


@pytest.mark.slow  # 286 versions, each list parsed again
def test_a_patched_source_shares_its_lines_and_reads_like_a_fresh_one():
    data = b"# T\n" + b"".join(b"- [ ] task %d\n" % i for i in range(2000))
    doc = Document(data)
    for k in range(0, 2000, 7):
        task = doc.tasks[k]
        doc = doc.patched([Patch(task.mark_offset, task.mark_offset + 1, b"x")])
    fresh = Source(doc.source.data)
    assert isinstance(doc.source.lines, Lines)  # 286 changed lines: below the flattening limit
    assert doc.source.lines == fresh.lines and tuple(doc.source.lines) == fresh.lines
    assert [t.mark for t in doc.tasks] == [t.mark for t in Document(doc.source.data).tasks]
    assert sum(t.mark == "x" for t in doc.tasks) == 286


@given(
    lengths=st.lists(st.integers(0, 9), min_size=1, max_size=30),
    rounds=st.lists(st.lists(st.tuples(st.integers(0, 29), st.integers(-3, 3)), max_size=4), max_size=10),
    limit=st.integers(1, 8),
)
def test_starts_read_like_the_offsets_of_the_patched_lines(lengths, rounds, limit):
    """Successive length changes of single lines: a Starts gives the same offsets
    as a tuple recomputed from the new line lengths, and flattens at its limit."""
    from itertools import accumulate

    from tasktui.doc.source import Starts

    old = Starts.FLATTEN_AT
    Starts.FLATTEN_AT = limit
    try:
        lengths = list(lengths)
        starts = tuple(accumulate(lengths[:-1], initial=0))
        for changes in rounds:
            shifts = {}
            for line, delta in changes:
                if line < len(lengths) and lengths[line] + delta >= 0:
                    lengths[line] += delta
                    shifts[line + 1] = shifts.get(line + 1, 0) + delta
            starts = Starts.shifted(starts, sorted(shifts.items())) if shifts else starts
            expected = tuple(accumulate(lengths[:-1], initial=0))
            n = len(expected)
            assert len(starts) == n and starts == expected
            assert [starts[i] for i in range(-n, n)] == [expected[i] for i in range(-n, n)]
            assert tuple(starts[1:-1]) == expected[1:-1]
            if isinstance(starts, Starts):
                assert len(starts._lines) < limit
    finally:
        Starts.FLATTEN_AT = old


def test_a_source_patched_many_times_equals_one_read_from_its_bytes():
    """Toggles and value changes of different lengths, a thousand times over:
    lines, offsets and endings stay those of the bytes."""
    import random

    from tasktui.doc.patch import Patch

    rng = random.Random(7)
    src = Source(b"\xef\xbb\xbf# T\r\n" + b"".join(b"- [ ] task %d\r\n" % i for i in range(300)) + b"tail")
    for _ in range(1000):
        line = rng.randrange(1, 301)
        start = src.starts[line] + len(b"- [ ] task ")
        end = src.line_end(line)
        out = src.patched([Patch(start, end, str(rng.randrange(10 ** rng.randrange(1, 6))).encode())])
        assert out is not None
        src = out[0]
    fresh = Source(src.data)
    assert src.lines == fresh.lines and src.starts == fresh.starts and src.endings == fresh.endings


def test_a_patch_where_a_cr_and_an_lf_meet_or_part_is_not_in_place():
    """Emptying the text between a lone CR and an LF makes them one line break; putting
    text inside a CR LF makes it two: neither keeps the lines, so neither is patched in place."""
    from tasktui.doc.patch import Patch, apply

    src = Source(b"a\rxyz\nb\r\nc")
    assert src.patched([Patch(2, 5, b"")]) is None
    assert src.patched([Patch(8, 8, b"q")]) is None
    kept = src.patched([Patch(2, 5, b"q")])[0]
    assert tuple(kept.lines) == Source(apply(src.data, [Patch(2, 5, b"q")])).lines == ("a", "q", "b", "c")
    import random

    rng = random.Random(1)
    for _ in range(20000):
        data = b"".join(rng.choice([b"a", b"bc", b"\r", b"\n", b"\r\n"]) for _ in range(rng.randint(0, 10)))
        a = rng.randint(0, len(data))
        patch = Patch(a, rng.randint(a, min(len(data), a + 3)), rng.choice([b"", b"q", b"zz"]))
        out = Source(data).patched([patch])
        if out is not None:
            fresh = Source(apply(data, [patch]))
            assert (tuple(out[0].lines), tuple(out[0].starts)) == (fresh.lines, fresh.starts), (data, patch)


def _phased_doc_bytes(phases: int) -> bytes:
    out = [b"# Plan\n"]
    for p in range(1, phases + 1):
        out.append(b"\n## Phase %d: part %d\n\n" % (p if p != 3 else 2, p))  # phase 2 twice: the first one counts
        for t in range(4):
            out.append(b"- [%s] **Task %d.%d**\n  - **Estimated Time**: %s hours\n  - **Actual Time**: %s\n"
                       % (b"x" if t == 0 else b" ", p, t, b"%d.%d" % (t + 1, p % 10), b"0.1 hours" if t % 2 else b"-"))
    out.append(b"\n## Progress Tracking\n\n**Phase 1**: Not Started\n")
    return b"".join(out)


@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(["toggle", "cancel", "estimate", "actual"]),
                          st.sampled_from(["0.3", "1.25", "0.3333", "12", "7.05"])), max_size=25))
def test_progress_of_patched_versions_equals_a_fresh_count(steps):
    """The RollUp of a version patched from its predecessor (adjusted, not recounted)
    equals that of a fresh parse, hours to the last decimal, across a chain of
    toggles and changed hours; so do its ranges."""
    doc = Document(_phased_doc_bytes(12))
    rollup = RollUp(doc)
    rollup.span(0, len(doc.tasks))  # the prefix sums exist: the next version shifts them
    for pick, kind, hours in steps:
        task = doc.tasks[pick % len(doc.tasks)]
        if kind in ("toggle", "cancel"):
            mark = {"toggle": " " if task.mark == "x" else "x", "cancel": "-"}[kind]
            patch = Patch(task.mark_offset, task.mark_offset + 1, mark.encode())
        else:
            label = "Estimated Time" if kind == "estimate" else "Actual Time"
            line = next(ln for ln in range(task.line, task.end) if f"**{label}**" in doc.source.lines[ln])
            text = doc.source.lines[line]
            start = doc.source.offset(line, text.index(":") + 2)
            patch = Patch(start, doc.source.line_end(line), f"{hours} hours".encode())
        prev, doc = doc, doc.patched([patch])
        assert doc.changed_since(prev) is not None  # adjusted from prev's figures
        rollup = rollup.advance(doc)
        fresh = RollUp(Document(doc.source.data))
        assert rollup.sections == fresh.sections
        assert rollup.document == fresh.document
        assert rollup.phase_status == fresh.phase_status
        n = len(doc.tasks)
        assert [rollup.span(a, b) for a, b in ((0, n), (3, n // 2), (n // 2, n))] == [
            fresh.span(a, b) for a, b in ((0, n), (3, n // 2), (n // 2, n))]


KIRO_CHUNKS = b"# Tasks\n\n" + b"".join(
    b"- [ ] %d. Top task %d\n  - [ ] %d.1 Sub task\n  - _Requirements: 1.%d_\n\n" % (i, i, i, i) for i in range(1, 400)
)  # 1600 lines: cut at a top-level task every 400 lines or so (parse.MIN_LIST_CHUNK)


def test_a_changed_line_that_starts_a_chunk_reparses_two_chunks_not_the_file():
    """Kiro files cut at top-level tasks: toggling one changes the line that starts a
    chunk. The chunk before it (whose parse confirmed that cut) and its own chunk are
    parsed again, nothing else; a change that undoes the cut falls back to a full parse."""
    doc = Document(KIRO_CHUNKS)
    starts = [c[0] for c in doc.chunks]
    assert len(starts) > 2
    task = next(t for t in doc.tasks if t.line == starts[2])
    parsed = []
    real = model_mod.parse_one
    model_mod.parse_one = lambda lines, start, end, cache=None: parsed.append(start) or real(lines, start, end, cache)
    try:
        toggled = doc.patched([Patch(task.mark_offset, task.mark_offset + 1, b"x")])
    finally:
        model_mod.parse_one = real
    # incremental, not a fresh parse: parsed again, the chunk that starts at the task and the one before it
    assert sorted(parsed) == [starts[1], starts[2]]
    assert toggled.changed_since(doc) == (task.index,)  # the only task that differs
    assert doc_state(toggled) == doc_state(Document(toggled.source.data))
    # the same line made a paragraph continuation: the cut is gone, the whole file is parsed
    line_start = doc.source.starts[task.line]
    broken = doc.patched([Patch(line_start, line_start + 6, b"  and ")])
    assert broken.derivation is None
    assert doc_state(broken) == doc_state(Document(broken.source.data))


MARKS = [" ", "x", "X", "-", "/", "~", "*", "<", "`", "✓", "é", "a", "1", "\0", "[", "\t", "🙂", "\u0301"]


@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(MARKS), st.booleans()), min_size=1, max_size=6),
       st.sampled_from(["template", "kiro", "legend"]))
def test_marks_applied_without_parsing_again_equal_a_fresh_parse(changes, shape):
    """``patched(..., reparse_marks=False)``: a mark changed between a task's brackets
    is put into its chunk's result without markdown-it; the version equals a fresh
    parse (marks that are not checkbox marks, NUL, several patches on a line and text
    changes beside them are parsed again), and the chunk cache holds what a parse gives."""
    data = {"template": _phased_doc_bytes(6), "kiro": KIRO_CHUNKS[:4000],
            "legend": b"# T\n\n**Legend:**\n- [ ] to do\n- [~] skipped\n\n## A\n\n- [ ] one\n- [~] two\n  - [ ] three\n"}[shape]
    cache: dict = {}
    doc = Document(data, cache=cache)
    patches = []
    used = set()
    for pick, mark, with_text in changes:
        task = doc.tasks[pick % len(doc.tasks)]
        if task.line in used:
            continue
        used.add(task.line)
        patches.append(Patch(task.mark_offset, task.mark_offset + len(task.mark.encode()), mark.encode()))
        if with_text and pick % 3 == 0:
            end = doc.source.line_end(task.line)
            patches.append(Patch(end, end, b" more"))
    after = doc.patched(patches, cache, reparse_marks=False)
    fresh = Document(after.source.data)
    assert doc_state(after) == doc_state(fresh)
    for start, end, res in after.chunks:
        parsed = parse_mod.parse_one(after.source.lines, start, end)
        assert parsed == res
        assert parse_mod.parse_one(after.source.lines, start, end, cache) == parsed
        lines = after.source.lines
        key = parse_mod.chunk_key("\n".join(lines[start:end]), lines[end] if end < len(lines) else None)
        assert cache.get(key) == parsed  # under the key parse_one looks for
    assert all(isinstance(key, bytes) for key in cache)


def test_marks_applied_without_parsing_again_run_no_parse():
    doc = Document(_phased_doc_bytes(6))
    a, b = doc.tasks[1], doc.tasks[-2]
    parsed = []
    real = model_mod.parse_one
    model_mod.parse_one = lambda lines, start, end, cache=None: parsed.append(start) or real(lines, start, end, cache)
    try:
        patches = [Patch(a.mark_offset, a.mark_offset + 1, b"x"), Patch(b.mark_offset, b.mark_offset + 1, b"-")]
        quick = doc.patched(patches, reparse_marks=False)
        assert parsed == []
        assert quick.changed_since(doc) == (a.index, b.index)
        assert doc.patched(patches).changed_since(doc) == (a.index, b.index)
        assert len(parsed) == 2  # the default parses both chunks again
    finally:
        model_mod.parse_one = real
    assert doc_state(quick) == doc_state(Document(quick.source.data))


@given(markdown_bytes(), st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(-1, 3),
                                            st.sampled_from([b"", b"- [ ] added\n", b"\n", b"## Head\n", b"```\n",
                                                             b"  - [x] sub\n", b"<!--\n", b"1. [ ] one\n"]),
                                            st.sampled_from([b"", b"- [x] T001 changed", b"```", b"# H", b"1. x",
                                                             b"  - **Estimated Time**: 2h", b"> - [~] skipped"])),
                                  min_size=1, max_size=3), st.booleans())
@example(  # a line in the middle of the file starting with the BOM's bytes comes first in the lines split again
    b'\xef\xbb\xbf<!--\n# \n# \n- [ ] \n-\n  [ ] \n\n-\n  [ ] \n  -\n    [ ] \n  -\n    [ ] \n    -\n      [ ] \n\n  - alpha\n\n'
    b'<div>\n- [ ] \n- [ ] \n</div>\n\xef\xbb\xbf\n=\n<div>\n- [ ] \n- [ ] \n</div>\n```\n- [ ] \n- [ ] \n- [ ] \n```',
    [(8236, 3, b"", b"")], False)
def test_patches_that_add_or_remove_lines_keep_the_chunks_around_them(data, edits, short_lists):
    """A patch that adds or removes line breaks (or changes a line so that the blocks
    change) re-parses only the lines between the chunks before and after it
    (Document._rechunked); the version equals a fresh parse of its bytes, chunk by
    chunk, also when the change opens a fence or a comment that swallows the cuts
    after it."""
    from support import doc_state
    from tasktui.doc.patch import apply

    saved = parse_mod.MIN_LIST_CHUNK
    parse_mod.MIN_LIST_CHUNK = 2 if short_lists else saved
    try:
        doc = Document(data, cache={})
        starts = doc.source.starts
        patches, taken = [], []
        for pick, lines, text, in_line in edits:
            line = pick % len(starts)
            start = starts[line]
            if lines < 0:  # the line's text replaced, its line break kept
                end, text = doc.source.line_end(line), in_line
            else:
                end = starts[min(len(starts) - 1, line + lines)] if lines else start
            if any(start < e and s < end or s == start for s, e in taken):
                continue
            taken.append((start, end))
            patches.append(Patch(start, end, text))
        if not patches:
            return
        after = doc.patched(patches, {})
        fresh = Document(apply(data, patches))
        assert doc_state(after) == doc_state(fresh)
        lines = after.source.lines
        assert after.chunks[0][0] == 0 and after.chunks[-1][1] == len(lines)
        for (s1, e1, _), (s2, _e2, _) in zip(after.chunks, after.chunks[1:]):
            assert e1 == s2
        for start, end, res in after.chunks:
            assert parse_mod.parse_one(lines, start, end) == res
    finally:
        parse_mod.MIN_LIST_CHUNK = saved


def test_a_line_added_parses_only_its_chunk_again(monkeypatch):
    from support import doc_state

    doc = Document(_phased_doc_bytes(8), cache={})
    task = doc.tasks[13]
    parsed, scanned = [], []
    real_one, real_cuts = parse_mod.parse_one, parse_mod.propose_cuts
    monkeypatch.setattr(parse_mod, "parse_one", lambda lines, s, e, cache=None: parsed.append(s) or real_one(lines, s, e, cache))
    monkeypatch.setattr(parse_mod, "propose_cuts", lambda lines, text=None: scanned.append(len(lines)) or real_cuts(lines, text))
    at = doc.source.starts[task.line]
    after = doc.patched([Patch(at, at, b"- [ ] **Added task**\n")], {})
    chunk = next(s for s, e, _r in doc.chunks if s <= task.line < e)
    assert parsed == [chunk] and len(scanned) == 1 and scanned[0] < 20
    assert after.tasks[13].text == "**Added task**" and len(after.tasks) == len(doc.tasks) + 1
    assert doc_state(after) == doc_state(Document(after.source.data))


def _line_edits(rng):
    """(old, new): a few lines of mixed line endings, then some changed in place,
    some removed, some added, some line breaks changed."""
    pool = [b"- [ ] a", b"- [x] bb", b"", b"x\xc3\xa9", b"  - d", b"## H"]
    lines = [rng.choice(pool) for _ in range(rng.randint(0, 30))]
    breaks = [rng.choice([b"\n", b"\n", b"\r\n", b"\r"]) if rng.random() < 0.3 else b"\n" for _ in lines]
    if lines and rng.random() < 0.3:
        breaks[-1] = b""
    old = b"".join(a + b for a, b in zip(lines, breaks))
    for _ in range(rng.randint(0, 5)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.6:
            lines[i] = rng.choice([b"- [x] a", b"- [ ] bb", b"z", b""])
        elif op < 0.7:
            breaks[i] = rng.choice([b"\n", b"\r", b"\r\n", b""])
        elif op < 0.85:
            del lines[i], breaks[i]
        else:
            lines.insert(i, b"new")
            breaks.insert(i, b"\n")
    return old, b"".join(a + b for a, b in zip(lines, breaks))


def _keeps_breaks(data: bytes, patches) -> bool:
    from tasktui.doc.patch import apply

    out = apply(data, patches)
    split = Source(data)
    return all(b"\n" not in p.data + data[p.start:p.end] and b"\r" not in p.data + data[p.start:p.end]
               for p in patches) and Source(out).endings == split.endings


def test_line_patches_and_the_in_place_part_of_a_change():
    """``line_patches``: one patch per changed line when the line breaks stay, each within
    its line; else the one patch between the versions. ``in_place_part``: the lines
    changed in place beside lines added or removed, each patch within its line, so that
    what is left is a change of whole lines."""
    import random

    from tasktui.doc.patch import apply, between, in_place_part, line_patches

    rng = random.Random(5)
    split = found = 0
    for _ in range(6000):
        old, new = _line_edits(rng)
        patches = line_patches(old, new)
        assert apply(old, patches) == new
        if len(patches) > 1:
            split += 1
            assert _keeps_breaks(old, patches)
        else:
            assert patches == [between(old, new)] or _keeps_breaks(old, patches)
        first = in_place_part(old, new)
        assert _keeps_breaks(old, first)
        mid = apply(old, first)
        assert apply(mid, line_patches(mid, new)) == new
        found += bool(first)
    assert split > 500 and found > 500
    old = b"# T\n- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d\n"
    new = b"# T\n- [x] a\n- [ ] b\n- [ ] added\n- [ ] c\n- [x] d\n"
    assert apply(old, in_place_part(old, new)) == b"# T\n- [x] a\n- [ ] b\n- [ ] c\n- [x] d\n"


def test_a_spliced_source_equals_one_read_from_its_bytes():
    """``Source.spliced``: patches that add or remove line breaks (any endings, a BOM,
    bytes that are not UTF-8), on a fresh Source and on one patched in place before."""
    import random

    from tasktui.doc.patch import Patch, apply, normalize

    rng = random.Random(4)
    for _ in range(20000):
        data = b"".join(rng.choice([b"a", b"bc", b"\r", b"\n", b"\r\n", b"x\xc3\xa9", b"\xff"])
                        for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.1:
            data = b"\xef\xbb\xbf" + data
        src = Source(data)
        if rng.random() < 0.3:
            lone = [i for i in range(len(data)) if data[i:i + 1] == b"a"]
            if lone:
                src = src.patched([Patch(lone[0], lone[0] + 1, b"b")])[0]
                data = src.data
        patches, pos = [], 0
        for _ in range(rng.randint(1, 3)):
            a = rng.randint(pos, len(data))
            b = rng.randint(a, min(len(data), a + 4))
            patches.append(Patch(a, b, rng.choice([b"", b"q", b"\n", b"z\r\nw", b"\r", b"\n\n"])))
            pos = b + 1
            if pos > len(data):
                break
        patches = normalize(patches)
        got, want = src.spliced(patches), Source(apply(data, patches))
        assert (got.data, tuple(got.lines), tuple(got.starts), got.endings, got.bom) == (
            want.data, want.lines, want.starts, want.endings, want.bom), (data, patches)


def test_a_version_patched_in_place_finds_its_own_task_at_a_line():
    """A toggle shares the lookups of the version before (no text changed); the task
    found at a line is still the new version's, with its new mark and offset."""
    doc = Document(b"# T\n\n- [ ] one\n- [ ] two\n")
    one = doc.task_at_line(2)
    assert doc.keys
    toggled = doc.patched([Patch(one.mark_offset, one.mark_offset + 1, b"x")])
    assert toggled.keys is doc.keys, "no text changed: the lookups are shared"
    assert toggled.task_at_line(2) == toggled.tasks[0] and toggled.task_at_line(2).mark == "x"
    assert doc.task_at_line(2).mark == " "
