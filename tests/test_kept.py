"""The kept document (tasktui.doc.kept, kept by tasktui.core.opener in the one store):
a file opened again is built from what its last open built, without a parse, into a
Document equal to the one a parse builds; a record that does not describe the bytes
(damaged, forged, of another version of the file or of other settings) is never
used; and it is written before a command ends, and by the app on quit, SIGTERM and
SIGHUP."""

from __future__ import annotations

import json
import os
import runpy
import signal
import sqlite3
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from support import REPO, SAMPLES_DIR, TmuxProgram, corpus_params, doc_state, hostile_file, poll, run
from tasktui.core import opener as opener_mod
from tasktui.core.tasksfile import TasksFile
from tasktui.doc import Document, kept
from tasktui.doc.edits import Toggle
from tasktui.doc.source import Source
from tasktui.storage import cache

generate = runpy.run_path(str(REPO / "benchmarks" / "generate.py"))["generate"]


@pytest.fixture(autouse=True)
def _closed():
    yield
    cache.close()


def rebuilt(doc: Document, **settings) -> Document:
    """``doc`` kept and read back as the store does (JSON), for the same bytes."""
    record = json.loads(json.dumps(kept.record(doc), ensure_ascii=True))
    return kept.document(Source(doc.source.data), record, day_hours=settings.get("day_hours", doc.day_hours),
                         path=settings.get("path", doc.path), dialect=settings.get("dialect", doc.forced_dialect),
                         legend=doc.read_legend)


def assert_same(a: Document, b: Document) -> None:
    """Every part of the two Documents is equal (tasks, chunks, shape, tracking, keys)."""
    assert doc_state(a) == doc_state(b)
    assert a.chunks == b.chunks and a.tasks == b.tasks
    for part in ("shape", "tracking"):
        for f in fields(getattr(a.parts, part)):
            assert getattr(getattr(a.parts, part), f.name) == getattr(getattr(b.parts, part), f.name), (part, f.name)
    assert a.keys == b.keys


# ----------------------------------------------------------- equal to a parse
def _files() -> list[tuple[str, bytes]]:
    files = [(f"sample {p.name}", p.read_bytes()) for p in sorted(SAMPLES_DIR.glob("*.md"))]
    files += [(f"{shape} {n}", generate(shape, n).encode()) for shape in ("template", "speckit", "kiro") for n in (1, 300)]
    files += [
        ("empty", b""),
        ("no tasks", b"# Title\n\nJust prose.\n"),
        ("crlf, bom, no final break", b"\xef\xbb\xbf# T\r\n\r\n- [ ] a\r\n- [x] b"),
        ("front matter", b"---\ntitle: x\n---\n# T\n\n- [ ] a\n  - [ ] b\n"),
        ("legend", b"# T\n\n## Legend\n\n- [ ] to do\n- [~] skipped\n\n## Work\n\n- [~] a\n- [ ] b\n"),
        ("undecodable and control bytes", b"# T\xff\n\n- [ ] a \xfe\xed [red]x[/] \x1b[31m \xe2\x80\xae\n- [x] \x00 b\n"),
        ("hostile", hostile_file("[bold]x[/] \\e \x07 \u202e \udcff")),
        ("deep", "".join("  " * i + f"- [ ] level {i}\n" for i in range(40)).encode()),
    ]
    return files


@pytest.mark.parametrize("legend", [True, False], ids=["legend read", "legend off"])
@pytest.mark.parametrize("name,data", _files(), ids=[n for n, _ in _files()])
def test_a_kept_document_equals_the_parse(name, data, legend):
    doc = Document(data, path="/x/tasks.md", legend=legend)
    again = rebuilt(doc)
    assert_same(doc, again)
    assert again.derivation is None, "built as a parse builds it, from no earlier version"


@pytest.mark.parametrize("name", corpus_params())
def test_every_corpus_file_comes_back_as_parsed(corpus_dir, name):
    doc = Document((corpus_dir / name).read_bytes(), path=str(corpus_dir / name))
    assert_same(doc, rebuilt(doc))


def test_a_kept_document_is_edited_as_the_parsed_one():
    """Built from its record, a version is patched (toggled, given a task) to the very
    same result as the version a parse built."""
    data = generate("template", 300).encode()
    doc = Document(data)
    again = rebuilt(doc)
    task = doc.tasks[40]
    toggle = [(task.mark_offset, task.mark_offset + 1, b"x" if task.mark == " " else b" ")]
    from tasktui.doc.patch import Patch

    patches = [Patch(a, b, new) for a, b, new in toggle]
    assert_same(doc.patched(patches, {}), again.patched(patches, {}))
    add = [Patch(doc.source.starts[task.end], doc.source.starts[task.end], b"- [ ] a new task\n")]
    assert_same(doc.patched(add, {}), again.patched(add, {}))


# ------------------------------------------------------------------ not used
def _record() -> tuple[Document, dict]:
    doc = Document(generate("speckit", 60).encode())
    return doc, json.loads(json.dumps(kept.record(doc)))


def column(name: str, change):
    """A forgery of one task column: ``change(values)`` on it (packed columns unpacked first)."""

    def forge(r: dict) -> None:
        values = r["tasks"][name]
        kind = kept.PACKED.get(name)
        if kind is not None:
            values = kept._unpack(values, name, kind, len(r["tasks"]["text"]))
        change(values)
        r["tasks"][name] = kept._pack(values, kind) if kind is not None else values

    return forge


def _flip(values: list) -> None:
    values[3] = "x" if values[3] != "x" else " "


FORGERIES = {
    "another version": lambda r: r.update(version=kept.VERSION + 1),
    "another byte order": lambda r: r.update(byteorder="big" if sys.byteorder == "little" else "little"),
    "another size": lambda r: r.update(size=r["size"] + 1),
    "a mark": column("mark", _flip),
    "a text": column("text", lambda v: v.__setitem__(3, "Transfer the funds to account 4711")),
    "a line past the end": column("line", lambda v: v.__setitem__(-1, 10 ** 9)),
    "lines out of order": column("line", lambda v: v.reverse()),
    "a mark byte": column("mark_byte", lambda v: v.__setitem__(3, v[3] + 1)),
    "a task too many": lambda r: r["tasks"]["text"].append("one more"),
    "a column short": column("depth", lambda v: v.pop()),
    "a parent after": column("parent", lambda v: v.__setitem__(2, 5)),
    "a string for a number": lambda r: r["tasks"].__setitem__("end", [1, 2, 3]),
    "not base64": lambda r: r["tasks"].__setitem__("end", "!!!" + r["tasks"]["end"]),
    "a boolean of 2": column("optional", lambda v: v.__setitem__(0, 2)),
    "negative hours": column("estimate_hours", lambda v: v.__setitem__(0, -1.0)),
    "chunks with a gap": lambda r: r["chunks"]["start"].__setitem__(-1, r["chunks"]["start"][-1] + 1),
    "a heading off the file": lambda r: r["headings"]["line"].__setitem__(0, -1),
    "a section off the tasks": column("section", lambda v: v.__setitem__(0, 999)),
    "not a record": lambda r: r.clear(),
    "the labels": column("labels", lambda v: v.__setitem__(0, ["a", "b"])),
}


@pytest.mark.parametrize("how", sorted(FORGERIES))
def test_a_record_that_does_not_fit_the_bytes_is_unfit(how):
    doc, record = _record()
    FORGERIES[how](record)
    with pytest.raises(kept.Unfit):
        kept.document(Source(doc.source.data), record, day_hours=8.0, path=None, dialect=None)


def test_a_record_of_other_bytes_is_unfit():
    doc, record = _record()
    other = doc.source.data.replace(b"- [ ]", b"- [x]", 1)
    with pytest.raises(kept.Unfit):
        kept.document(Source(other), record, day_hours=8.0, path=None, dialect=None)
    with pytest.raises(kept.Unfit):
        kept.document(Source(doc.source.data + b"\n- [ ] more\n"), record, day_hours=8.0, path=None, dialect=None)


# ------------------------------------------------------------- in the store
@pytest.fixture
def big(tmp_path) -> Path:
    path = tmp_path / "tasks.md"
    path.write_text(generate("template", 400), encoding="utf-8")
    return path


def test_a_file_opened_again_is_not_parsed(big, parses):
    first = TasksFile(big)
    first.save_cache()
    parses.clear()
    opener = opener_mod.Opener(big)
    opened = opener.whole(opener.read())
    assert opened.from_kept and parses == [], "built from the kept document: nothing parsed"
    assert_same(first.doc, opened.doc)
    assert opened.rollup.document == first.rollup.document


def test_other_settings_or_other_bytes_are_parsed_again(big, parses):
    TasksFile(big).save_cache()
    for settings in ({"day_hours": 6.0}, {"dialect": "kiro"}, {"legend": False}):
        opener = opener_mod.Opener(big, **settings)
        opened = opener.whole(opener.read())
        assert not opened.from_kept, settings
        assert opened.doc.day_hours == settings.get("day_hours", 8.0)
        assert opened.doc.dialect == settings.get("dialect", "template")
        assert opened.doc.read_legend == settings.get("legend", True)
    big.write_bytes(big.read_bytes().replace(b"- [ ]", b"- [x]", 1))
    opened = opener_mod.Opener(big).whole(opener_mod.Opener(big).read())
    assert not opened.from_kept and opened.doc.tasks == Document(big.read_bytes(), path=str(big)).tasks


def _rewrite_documents(change) -> int:
    cache.close()
    db = sqlite3.connect(cache.location())
    try:
        rows = list(db.execute("SELECT key, value FROM entry WHERE kind='document'"))
        for key, value in rows:
            db.execute("UPDATE entry SET value=? WHERE kind='document' AND key=?", (change(value), key))
        db.commit()
    finally:
        db.close()
    return len(rows)


@pytest.mark.parametrize("how", ["garbage", "truncated", "a forged text"])
def test_a_damaged_or_forged_record_is_never_shown(big, capsys, how):
    assert run(capsys, "list", big, "--json")[0] == 0
    expected = run(capsys, "list", big, "--json")[1]

    def change(value: bytes) -> bytes:
        if how == "garbage":
            return os.urandom(200)
        if how == "truncated":
            return value[: len(value) // 2]
        record = json.loads(value)
        record["tasks"]["text"][5] = "Transfer the funds to account 4711"  # text is a plain JSON column
        return json.dumps(record).encode()

    assert _rewrite_documents(change) == 1
    for argv in (["list", big, "--json"], ["status", big], ["next", big]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and err == "" and "4711" not in out, (argv, err)
    assert run(capsys, "list", big, "--json")[1] == expected


def test_an_edit_keeps_the_new_version(big, capsys, parses):
    """A command that edits keeps the version it wrote: the next command parses nothing."""
    assert run(capsys, "toggle", big, "L52")[0] == 0
    parses.clear()
    opener = opener_mod.Opener(big)
    opened = opener.whole(opener.read())
    assert opened.from_kept and parses == []
    assert_same(opened.doc, Document(big.read_bytes(), path=str(big)))


# ------------------------------------------------------------------ the app
async def test_the_app_keeps_it_when_it_quits(big, parses):
    from support import running

    async with running(big) as (app, pilot, _notes):
        await pilot.press("space")
        await pilot.pause()
    after = big.read_bytes()
    parses.clear()
    opener = opener_mod.Opener(big)
    opened = opener.whole(opener.read())
    assert opened.snapshot.data == after and opened.from_kept and parses == [], "the version on disk at quit is kept"


def _child_of(pid: int) -> int:
    """The process whose parent is ``pid`` (the program the pane's shell runs)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                return int(entry.name)
    raise AssertionError(f"no child of {pid}")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_the_app_told_to_end_keeps_it(tmp_path, sig):
    """A real process, opened from a cold store and ended by a signal a second after the
    file shows: the next open finds the document kept (and the terminal is given back)."""
    path = tmp_path / "tasks.md"
    path.write_text(generate("template", 3000), encoding="utf-8")
    program = TmuxProgram(tmp_path / "home", tmp_path, [str(path)])
    try:
        program.wait_screen(lambda s: "Loading" not in s and "[ ]" in s, "the whole file on screen")
        shell = int(program.tmux("display", "-p", "-t", program.session, "#{pane_pid}").stdout.strip())
        os.kill(_child_of(shell), sig)
        poll(lambda: program.rc_file.exists() and program.rc_file.read_text().strip() != "", 20, "the program to end",
             program.screen)
        assert program.rc_file.read_text().strip() == "0", "it quit as q does"
    finally:
        program.close()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home" / "cache")}
    probe = ("import sys; from tasktui.core.opener import Opener; o = Opener(sys.argv[1]); "
             "print(o.whole(o.read()).from_kept)")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
