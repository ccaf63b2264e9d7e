"""`tasktui fmt`: mdformat's re-rendering must keep every task exactly (state,
mark, `[X]` case, extended marks, Kiro's `[ ]*`, id, text, nesting), the file's
line endings, BOM, front matter and final newline; it must be idempotent, and
where it cannot keep the tasks it refuses with the reason and writes nothing.

Each corpus and sample file is formatted twice in a worker process (the
`facts` fixture) and every property is checked on those results, so the suite
stays fast; fmt.py's own branches are exercised in-process by crafted cases.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import mdformat
import pytest
from markdown_it import MarkdownIt

from support import SAMPLES_DIR, corpus_names, corpus_params, sample_names
from support import assert_one_line_error, run
from tasktui.core import fmt
from tasktui.doc import Document

pytestmark = pytest.mark.xdist_group("fmt")  # one worker computes the corpus's facts (module fixture) once

BOM = b"\xef\xbb\xbf"
DATA_DIR = Path(fmt.__file__).parent.parent / "data"


@functools.lru_cache(maxsize=256)
def task_list(data: bytes) -> list[tuple]:
    """Everything `fmt` promises to keep about each task, nesting included."""
    doc = Document(data)
    return [(t.state, t.mark, t.optional, t.id, t.text, t.depth, t.parent, t.quote) for t in doc.tasks]


def endings(data: bytes) -> set[bytes]:
    return set(re.findall(rb"\r\n|\r|\n", data))


def ends_with_newline(data: bytes) -> bool:
    return data.endswith((b"\n", b"\r"))


@functools.lru_cache(maxsize=256)
def front_matter_bytes(data: bytes) -> bytes:
    """The bytes of the front matter block (with its line endings), b"" when there is none."""
    n = Document(data).front_matter
    if not n:
        return b""
    parts = re.split(rb"(\r\n|\r|\n)", data)  # line, ending, line, ending, ...
    return b"".join(parts[: 2 * n])


def file_facts(path: str) -> dict:
    """What the per-file tests check, for one real file: formatted once and twice."""
    data = Path(path).read_bytes()
    try:
        once = fmt.format_bytes(data)
        twice = fmt.format_bytes(once)
    except fmt.FormatError as exc:
        return {"error": str(exc)}
    return {
        "tasks": (task_list(data), task_list(once)),
        "endings": (endings(data), endings(once)),
        "bom": (data.startswith(BOM), once.startswith(BOM)),
        "final_newline": (ends_with_newline(data), ends_with_newline(once)),
        "front_matter": (front_matter_bytes(data), front_matter_bytes(once)),
        "idempotent": twice == once,
    }


def real_paths() -> list[str]:
    folder = os.environ.get("TASKTUI_CORPUS")
    corpus = [str(Path(folder) / n) for n in corpus_names()] if folder and Path(folder).is_dir() else []
    return corpus + [str(SAMPLES_DIR / n) for n in sample_names()] + [str(DATA_DIR / n) for n in ("demo.md", "new.md")]


@pytest.fixture(scope="module")
def facts(request) -> dict[str, dict]:
    """file_facts for every real file a test of this run asks about (the quick run leaves the
    largest corpus files out), computed in two fresh worker processes: mdformat is pure
    Python and coverage's tracer makes it ~2.5x slower in the test process. fmt.py's own lines
    are covered by the in-process tests below."""
    asked = {_path_of(*item.callspec.params["file_path"]) for item in request.session.items
             if "file_path" in getattr(getattr(item, "callspec", None), "params", {})}
    paths = sorted((p for p in real_paths() if p in asked), key=lambda p: -Path(p).stat().st_size)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return dict(zip(paths, pool.map(file_facts, paths)))


FILES = [("corpus", p.values[0] if hasattr(p, "values") else p, getattr(p, "marks", ())) for p in corpus_params()] + [
    ("sample", n, ()) for n in sample_names()] + [("data", "demo.md", ()), ("data", "new.md", ())]


def _path_of(kind: str, name: str) -> str:
    folder = {"corpus": os.environ.get("TASKTUI_CORPUS", ""), "sample": str(SAMPLES_DIR), "data": str(DATA_DIR)}[kind]
    return str(Path(folder) / name)


@pytest.fixture
def file_path(request) -> str:
    kind, name = request.param
    if kind == "corpus":
        request.getfixturevalue("corpus_dir")  # skips, saying why, without a corpus
    return _path_of(kind, name)


files = pytest.mark.parametrize("file_path", [pytest.param((k, n), marks=m, id=f"{k}/{n}") for k, n, m in FILES],
                                indirect=True)


def facts_of(facts: dict, path: str) -> dict:
    found = facts[path]
    assert "error" not in found, f"fmt refused {Path(path).name}: {found.get('error')}"
    return found


# ------------------------------------------------------------- every real file
@files
def test_format_keeps_the_task_list(file_path, facts):
    before, after = facts_of(facts, file_path)["tasks"]
    assert before, "every corpus and sample file has tasks"
    assert len(after) == len(before)
    for a, b in zip(before, after):
        assert a == b


@files
def test_format_keeps_endings_bom_front_matter_and_final_newline(file_path, facts):
    f = facts_of(facts, file_path)
    old, new = f["endings"]
    assert new == old or (not old and new == {b"\n"}), f"line endings {old} became {new}"
    assert f["bom"][1] == f["bom"][0]
    assert f["final_newline"][1] == f["final_newline"][0]
    assert f["front_matter"][1] == f["front_matter"][0]


@files
def test_format_is_idempotent(file_path, facts):
    f = facts_of(facts, file_path)
    assert f["idempotent"]


def test_the_corpus_has_the_cases_that_matter(corpus_dir):
    """Guard: the corpus really holds CRLF, front matter, [X], [-], [ ]* and no final newline."""
    datas = [(corpus_dir / n).read_bytes() for n in corpus_names()]
    assert any(b"\r\n" in d for d in datas)
    assert any(not ends_with_newline(d) for d in datas)
    docs = [Document(d) for d in datas if b"\n---" in d[:200] or d.startswith(b"---") or b"[X]" in d or b"[-]" in d or b"]*" in d]
    assert any(doc.front_matter for doc in docs)
    marks = {(t.mark, t.optional) for doc in docs for t in doc.tasks}
    assert {("X", False), ("-", False), (" ", True)} <= marks


# ------------------------------------------------------- variants of the samples
FRONT = b"---\ntitle:   Weird   spacing\nitems: [a,b ,  c]\n---\n"


def _front_matter_crlf_bom(data: bytes) -> bytes:
    return BOM + (FRONT + data).replace(b"\n", b"\r\n")


def _cr_no_final_newline(data: bytes) -> bytes:
    return data.rstrip(b"\n").replace(b"\n", b"\r")


VARIANTS = {"front-matter+crlf+bom": _front_matter_crlf_bom, "cr+no-final-newline": _cr_no_final_newline}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sample_names())
def test_variants_of_the_samples_keep_their_layout(name, variant):
    data = VARIANTS[variant]((SAMPLES_DIR / name).read_bytes())
    once = fmt.format_bytes(data)
    # the samples are not mdformat-clean: mdformat alone would change each of them
    assert mdformat_alone(data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")) != data.decode("utf-8-sig")
    assert task_list(once) == task_list(data)
    assert endings(once) == endings(data)
    assert once.startswith(BOM) == data.startswith(BOM)
    assert ends_with_newline(once) == ends_with_newline(data)
    assert front_matter_bytes(once) == front_matter_bytes(data)
    if variant.startswith("front-matter"):
        assert once.startswith(BOM + FRONT.replace(b"\n", b"\r\n"))
    assert fmt.format_bytes(once) == once


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"", b""),
        (b"\n", b"\n"),
        (BOM, BOM),
        (b"# T\n\n* [ ] one\n+ [x] two\n\n\n\n", b"# T\n\n- [ ] one\n\n* [x] two\n"),
        (b"# T\r\n* [ ] one\r\n* [x] two", b"# T\r\n\r\n- [ ] one\r\n- [x] two"),
        (b"---\r\na:  1\r\n---\r\n# T\r\n* [ ] one\r\n", b"---\r\na:  1\r\n---\r\n# T\r\n\r\n- [ ] one\r\n"),
        (b"Title\n=====\n\n-\t[ ] tab task\n\t- [ ] tab child\n", b"# Title\n\n- [ ] tab task\n  - [ ] tab child\n"),
    ],
    ids=["empty", "newline", "bom-only", "bullets-and-blank-tail", "crlf-no-final", "crlf-front-matter", "setext-and-tabs"],
)
def test_small_files_exact_output(data, expected):
    out = fmt.format_bytes(data)
    assert out == expected
    assert task_list(out) == task_list(data)


@pytest.mark.parametrize(
    "data,expected",
    [
        # thematic breaks stay as written (mdformat alone writes 70 underscores)
        (b"# T\n\n---\n\n- [ ] a\n\n* * *\n", b"# T\n\n---\n\n- [ ] a\n\n* * *\n"),
        # a line mdformat only escapes is kept as written
        (b"# T\nSee [X days] and 1 * 2\n\n- [ ] a\n", b"# T\n\nSee [X days] and 1 * 2\n\n- [ ] a\n"),
        # an escape that matters stays: unescaped, `\*` would start emphasis with the `*` after it
        (b"# T\n\nan \\*odd\\* one\n", b"# T\n\nan \\*odd\\* one\n"),
    ],
    ids=["thematic-breaks", "escapes-only", "escape-that-matters"],
)
def test_constructs_kept_as_written_where_the_markdown_is_the_same(data, expected):
    assert b"_" * 70 in mdformat_alone(data.decode()).encode() or b"---" not in data
    out = fmt.format_bytes(data)
    assert out == expected
    assert html(out.decode()) == html(mdformat_alone(data.decode()))


def test_keeping_lines_that_would_change_the_html_falls_back_to_mdformat(monkeypatch):
    # with a matcher that takes `*a*` and `\\*a\\*` for the same line, putting the
    # original back would turn literal stars into emphasis: the guard refuses it
    monkeypatch.setattr(fmt, "_plain", lambda line: line.replace("\\", "").replace("*", ""))
    assert fmt._keep_as_written(["*a*"], "\\*a\\*", 0) == "\\*a\\*"
    # the same swap where the HTML agrees is made
    assert fmt._keep_as_written(["a*"], "a\\*", 0) == "a*"


def test_a_new_file_passes_fmt_check_and_so_does_a_task_added_to_it(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    assert run(capsys, "new", str(path))[0] == 0
    assert run(capsys, "fmt", str(path), "--check")[0] == 0
    assert run(capsys, "add", str(path), "Write the parser", "--after", "Design the data model")[0] == 0
    assert run(capsys, "fmt", str(path), "--check")[0] == 0
    assert "- [ ] **Write the parser**\n\n  - **Estimated Time**: [X hours]\n" in path.read_text()


# ------------------------------------------------- where mdformat alone breaks tasks
def mdformat_alone(text: str) -> str:
    return mdformat.text(text, extensions={"gfm"}, options={"wrap": "keep", "number": False})


def html(text: str) -> str:
    """What ``text`` renders to (CommonMark and tables), by markdown-it here: the
    test's own judge of "the same markdown", not fmt's."""
    return MarkdownIt("commonmark").enable("table").render(text)


@pytest.mark.parametrize(
    "source",
    [
        "# T\n\n- [ ]* 1.1 Optional Kiro task\n- [ ] 1.2 Required\n",
        "# T\n\n- [x]* 2.1 Done optional\n- [-]* 2.2 In progress optional\n- [~]* 2.3 Queued optional\n",
        "# T\n\n- [X] T001 Done in spec-kit's upper case\n  - [X] T002 Nested upper case\n",
        "# T\n\n1. [X] ordered upper\n2. [ ]* ordered optional\n",
        "# T\n\n- [ ] text   with  spaces and trailing\\\\ backslash\n- [ ] <b>html</b> & *emph*  \n",
    ],
    ids=["optional", "optional-extended", "upper-X", "ordered", "text-re-escaped"],
)
def test_tasks_mdformat_alone_would_break_are_fixed_up(source):
    data = source.encode()
    assert task_list(mdformat_alone(source).encode()) != task_list(data), "the case must really break with mdformat alone"
    out = fmt.format_bytes(data)
    assert task_list(out) == task_list(data)
    assert fmt.format_bytes(out) == out


def test_escaped_extended_boxes_are_unescaped(monkeypatch):
    r"""An mdformat that escapes every box (`\[-\]`, `\[/\]`, `\[ \]\*`), as versions
    without the GFM task-list rule do: the boxes are put back as they were."""
    real = fmt.mdformat.text

    def escaping(text, **kwargs):
        out = real(text, **kwargs)
        return re.sub(r"(?m)^(\s*[-*+] )\[(.)\](\\?\*)?", lambda m: f"{m.group(1)}\\[{m.group(2)}\\]" + ("\\*" if m.group(3) else ""), out)

    monkeypatch.setattr(fmt.mdformat, "text", escaping)
    data = b"# T\n\n- [-] cancelled\n- [/] started\n- [ ]* optional\n- [x] done\n"
    assert b"\\[-\\]" in escaping(data.decode(), extensions={"gfm"}).encode()
    assert fmt.format_bytes(data) == data


# ------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "data,reason",
    [
        (b"# T\r\n- [ ] one\n- [ ] two\n", "mixes line endings"),
        (b"# T\n- [ ] caf\xe9\n", "not valid UTF-8"),
        (b"# T\n- [ ] a\x00b\n", "NUL bytes"),
    ],
    ids=["mixed-endings", "invalid-utf8", "nul"],
)
def test_refusals_give_the_reason(data, reason):
    with pytest.raises(fmt.FormatError, match=reason):
        fmt.format_bytes(data)


def test_a_task_mdformat_cannot_keep_is_kept_as_written_or_refused(monkeypatch):
    """`[*]` is a task for tasktui; mdformat escapes it to `[\\*]`, which no longer is
    one. The escaped line renders the same, so the line is kept as written; without
    that step the result is refused, with the count or the line."""
    assert fmt.format_bytes(b"- [ ] plain\n- [*] starred\n") == b"- [ ] plain\n- [*] starred\n"
    monkeypatch.setattr(fmt, "_keep_as_written", lambda body, text, skip: text)
    with pytest.raises(fmt.FormatError, match=r"mdformat would change the tasks \(2 tasks before, 1 after\)"):
        fmt.format_bytes(b"- [ ] plain\n- [*] starred\n")
    with pytest.raises(fmt.FormatError, match="first difference at the task on line 1"):
        fmt.format_bytes(b"- [*] starred\n- [ ] plain\n")


def test_a_changed_optional_marker_is_refused_with_its_line(monkeypatch):
    real = fmt.mdformat.text
    monkeypatch.setattr(fmt.mdformat, "text", lambda text, **kw: real(text, **kw).replace("\\[ \\]\\*", "[ ]"))
    with pytest.raises(fmt.FormatError, match="first difference at the task on line 4"):
        fmt.format_bytes(b"# T\n\n- [ ] kept\n- [ ]* optional\n")


# ------------------------------------------------------------------------ CLI
@pytest.mark.parametrize(
    "data,reason",
    [
        (b"# T\r\n* [ ] one\n* [ ] two\r\n", "mixes line endings"),
        (b"# T\n* [ ] caf\xe9\n", "UTF-8"),
        (b"# T\n* [ ] a\x00b\n", "NUL"),
        (b"* [*] starred\n* [ ] plain\n", "would change the tasks"),
    ],
    ids=["mixed-endings", "invalid-utf8", "nul", "task-change"],
)
@pytest.mark.parametrize("check", [False, True], ids=["write", "check"])
def test_cli_refusals_leave_the_file_untouched(capsys, tmp_path, data, reason, check):
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    before = os.stat(path)
    code, out, err = run(capsys, "fmt", path, *(["--check"] if check else []))
    assert_one_line_error(code, out, err, "tasks.md was not formatted", reason)
    assert path.read_bytes() == data
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.md"]


def test_cli_check_then_write_then_check(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    original = (SAMPLES_DIR / "kiro-spec.md").read_bytes()
    path.write_bytes(original)
    code, out, err = run(capsys, "fmt", path, "--check")
    assert (code, err) == (1, "")
    assert f"{path} would be reformatted" in out and "tasks would stay the same" in out
    assert path.read_bytes() == original

    code, out, err = run(capsys, "fmt", path)
    assert (code, err) == (0, "")
    assert out == f"formatted {path}; the tasks are unchanged\n"
    assert path.read_bytes() == fmt.format_bytes(original)
    assert task_list(path.read_bytes()) == task_list(original)

    code, out, err = run(capsys, "fmt", path, "--check")
    assert (code, out, err) == (0, f"{path} is already formatted\n", "")
    code, out, err = run(capsys, "fmt", path)
    assert (code, out) == (0, f"{path} is already formatted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.md"]


def test_cli_keeps_permissions_and_crlf(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    data = b"# T\r\n* [ ] one\r\n* [X] two\r\n"
    path.write_bytes(data)
    os.chmod(path, 0o640)
    assert run(capsys, "fmt", path)[0] == 0
    assert path.read_bytes() == b"# T\r\n\r\n- [ ] one\r\n- [X] two\r\n"
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_cli_read_only_file_is_not_written(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"* [ ] one\n")
    os.chmod(path, 0o444)
    assert_one_line_error(*run(capsys, "fmt", path), f"cannot write {path}", "read-only", "nothing was written")
    assert path.read_bytes() == b"* [ ] one\n"


def test_cli_file_changed_while_formatting_is_not_overwritten(capsys, tmp_path, monkeypatch):
    """Another program writes the file while mdformat runs: its bytes win, nothing of ours is written."""
    path = tmp_path / "tasks.md"
    path.write_bytes(b"* [ ] one\n")
    real = fmt.format_bytes

    def slow_format(data):
        out = real(data)
        path.write_bytes(b"* [x] one, changed elsewhere\n")
        return out

    monkeypatch.setattr(fmt, "format_bytes", slow_format)
    assert_one_line_error(*run(capsys, "fmt", path), "changed while it was being formatted", "nothing was written")
    assert path.read_bytes() == b"* [x] one, changed elsewhere\n"


def test_cli_missing_file(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "fmt", tmp_path / "nope.md"), "nope.md", "does not exist")


# ------------------------------------------------- the template's tracking parts
def _new_file() -> bytes:
    return (DATA_DIR / "new.md").read_bytes().replace(b"{title}", b"Search")


def test_format_keeps_the_log_placeholder_of_a_new_file():
    data = _new_file()
    assert [e.placeholder for e in Document(data).log] == [True]
    assert [e.placeholder for e in Document(fmt.format_bytes(data)).log] == [True]


def test_after_format_a_status_sync_keeps_the_line_break(tmp_path):
    from tasktui.doc import edits
    from tasktui.core.tasksfile import TasksFile

    path = tmp_path / "tasks.md"
    path.write_bytes(fmt.format_bytes(_new_file()))
    tf = TasksFile(path)
    task = next(t for t in tf.doc.tasks if "development environment" in t.text)
    tf.apply(edits.Toggle(tf.doc.keys[task.index]))
    lines = path.read_bytes().decode().split("\n")
    phase1 = next(line for line in lines if line.startswith("**Phase 1**"))
    assert "🟡 In Progress" in phase1
    assert phase1.endswith(("\\", "  ")), f"the hard break after Phase 1 is gone: {phase1!r}"
