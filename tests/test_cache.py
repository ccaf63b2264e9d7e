"""tasktui's private store (tasktui.storage.cache): a file opened again is parsed
only where it changed; the store is private, bounded, shared safely by several
processes, and never trusted: a damaged, forged or foreign value is dropped and
computed again, never shown and never a crash. Its folder follows the folder rule."""

from __future__ import annotations

import json
import os
import runpy
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO, run
from tasktui.core.tasksfile import TasksFile
from tasktui.doc import Document
from tasktui.storage import cache

generate = runpy.run_path(str(REPO / "benchmarks" / "generate.py"))["generate"]


@pytest.fixture(autouse=True)
def _closed():
    yield
    cache.close()


@pytest.fixture
def big(tmp_path) -> Path:
    """A file of 150 tasks in 41 chunks: enough for a change to reparse one chunk of many
    (four times as many tasks only made each test parse four times as long)."""
    path = tmp_path / "tasks.md"
    path.write_text(generate("template", 150), encoding="utf-8")
    return path


def folder() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "tasktui"


def rows(kind: str | None = "chunk") -> list[tuple[str, bytes]]:
    """The (key, value) rows of ``kind`` (None: of every kind)."""
    db = sqlite3.connect(cache.location())
    try:
        if kind is None:
            return list(db.execute("SELECT key, value FROM entry"))
        return list(db.execute("SELECT key, value FROM entry WHERE kind=?", (kind,)))
    finally:
        db.close()


def rewrite(kind: str, change) -> int:
    """Write ``change(key, value)``'s bytes over each row of ``kind`` (None: left), as
    another program with the user's rights could; how many were changed."""
    cache.close()
    db = sqlite3.connect(cache.location())
    changed = 0
    try:
        for key, value in list(db.execute("SELECT key, value FROM entry WHERE kind=?", (kind,))):
            new = change(key, value)
            if new is not None:
                db.execute("UPDATE entry SET value=? WHERE kind=? AND key=?", (new, kind, key))
                changed += 1
        db.commit()
    finally:
        db.close()
    return changed


# ------------------------------------------------------------------- it is used
def test_an_unchanged_file_is_not_parsed_again(big, parses):
    first = TasksFile(big)
    first.save_cache()
    assert parses, "the first open parses"
    parses.clear()
    second = TasksFile(big)
    assert parses == [], "the second open takes every chunk from the store"
    assert second.doc.tasks == first.doc.tasks and second.doc.chunks == first.doc.chunks


def test_a_changed_line_parses_its_chunk_only(big, parses):
    TasksFile(big).save_cache()
    data = big.read_bytes()
    big.write_bytes(data.replace(b"- [ ]", b"- [x]", 1))
    parses.clear()
    doc = TasksFile(big).doc
    assert 1 <= len(parses) <= 2
    assert doc.tasks == Document(big.read_bytes()).tasks


def test_the_command_line_uses_it(big, capsys, parses):
    assert run(capsys, "status", big, "--json")[0] == 0
    parses.clear()
    assert run(capsys, "next", big, "--json")[0] == 0
    assert parses == []
    assert run(capsys, "toggle", big, "L52")[0] == 0
    parses.clear()
    assert run(capsys, "list", big, "--json")[0] == 0
    assert parses == [], "the toggled chunk was stored too"


# --------------------------------------------------------------- it is private
def test_the_store_is_private(big):
    TasksFile(big).save_cache()
    where = cache.location()
    assert where == folder() / "store.sqlite3"
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(where.parent.parent.stat().st_mode) == 0o700, "the missing parents too"


def test_an_open_folder_is_closed_again(big):
    folder().mkdir(parents=True)
    os.chmod(folder(), 0o777)
    TasksFile(big).save_cache()
    assert stat.S_IMODE(folder().stat().st_mode) == 0o700 and rows()


@pytest.mark.parametrize("how", ["a link to a folder", "a dangling link", "a file", "another user's folder"])
def test_a_folder_that_breaks_the_rule_means_no_store(big, tmp_path, how, capsys, parses):
    """The cache folder is a link (dangling, or to a folder elsewhere), a file, or a
    folder of another user: no store, silently; nothing is created through the link."""
    folder().parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    if how == "a link to a folder":
        elsewhere.mkdir()
        folder().symlink_to(elsewhere)
    elif how == "a dangling link":
        folder().symlink_to(elsewhere)
    elif how == "a file":
        folder().write_text("not a folder")
    else:
        if os.geteuid() != 0:
            pytest.skip("making a folder another user's needs root")
        folder().mkdir()
        os.chown(folder(), 65534, 65534)
    code, out, err = run(capsys, "status", big)
    assert code == 0 and out and err == ""
    parses.clear()
    TasksFile(big)
    assert parses, "no store: parsed again"
    assert not elsewhere.exists() or list(elsewhere.iterdir()) == []
    assert cache.usage() is None


@pytest.mark.parametrize("name", ["store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"])
def test_a_planted_link_in_the_folder_is_never_followed(big, tmp_path, name):
    """A link where the database or one of its side files goes (to another user's
    file, or dangling): no store, and the link's target is neither created nor written."""
    folder().mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(b"theirs\n")
    dangling = tmp_path / "dangling"
    (folder() / name).symlink_to(victim if name != "store.sqlite3-shm" else dangling)
    TasksFile(big).save_cache()
    assert victim.read_bytes() == b"theirs\n" and not dangling.exists()
    assert cache.usage() is None


def test_the_old_caches_are_removed_on_first_use(big, tmp_path):
    old_parse = folder() / "parse"
    old_history = folder() / "history"
    old_parse.mkdir(parents=True)
    old_history.mkdir()
    (old_parse / "ab.jsonl").write_text("tasktui-parse-3\n")
    (old_parse / "ab.summary.json").write_text("{}")
    (old_history / "cd.json").write_text("{}")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (old_parse / "link").symlink_to(outside)
    TasksFile(big).save_cache()
    assert not old_parse.exists() and not old_history.exists()
    assert outside.read_text() == "keep"


# -------------------------------------------------------------- it is not trusted
@pytest.mark.parametrize("how", ["garbage", "truncated", "not JSON", "wrong types", "negative", "empty object"])
def test_a_damaged_value_is_dropped_and_parsed_again(big, how, parses):
    tf = TasksFile(big)
    tf.save_cache()
    expected = tf.doc.tasks

    def change(key, value):
        if how == "garbage":
            return os.urandom(64)
        if how == "truncated":
            return value[: len(value) // 2]
        if how == "not JSON":
            return b"\x00\xff{["
        raw = json.loads(value)
        if how == "wrong types":
            raw[3] = "0"
        elif how == "negative":
            raw[3] = -1
        else:
            return b"{}"
        return json.dumps(raw).encode()

    assert rewrite("chunk", change)
    assert rewrite("document", lambda key, value: b"{}")  # the kept document is not what is tested here
    parses.clear()
    again = TasksFile(big)
    assert again.doc.tasks == expected and parses
    again.save_cache()
    parses.clear()
    assert TasksFile(big).doc.tasks == expected and parses == [], "rebuilt"


def _forge(value: bytes, edit) -> bytes:
    raw = json.loads(value)
    if raw[0]:
        edit(raw[0][0])
        return json.dumps(raw).encode()
    return value


@pytest.mark.parametrize("forgery", ["mark", "text", "line 10^30", "line past the chunk", "mark byte", "parent"])
def test_a_forged_entry_is_never_shown(big, capsys, forgery):
    """A value rewritten with the user's rights (a fresh checksum would not help: the
    value is checked against the chunk's own text): a forged mark or text never shows
    in list, status or next; a line number of 10^30 never crashes a command."""
    assert run(capsys, "list", big, "--json")[0] == 0
    expected = run(capsys, "list", big, "--json")[1]

    def edit(task):
        if forgery == "mark":
            task[4] = "x" if task[4] != "x" else " "
        elif forgery == "text":
            task[11] = "Transfer the funds to account 4711"
        elif forgery == "line 10^30":
            task[0] = 10 ** 30
        elif forgery == "line past the chunk":
            task[0] = task[2] = 10_000
        elif forgery == "mark byte":
            task[10] += 1
        else:
            task[6] = 5

    assert rewrite("chunk", lambda key, value: _forge(value, edit))
    for argv in (["list", big, "--json"], ["status", big], ["next", big]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and err == "" and "4711" not in out, (argv, err)
    assert run(capsys, "list", big, "--json")[1] == expected


def test_a_forged_summary_is_never_shown(tmp_path, capsys):
    spec = tmp_path / "specs" / "001-x"
    spec.mkdir(parents=True)
    (spec / "tasks.md").write_bytes(b"# Plan\n\n- [ ] T001 first\n- [x] T002 second\n")
    code, first, _ = run(capsys, "status", "--all", tmp_path, "--json")
    assert code == 0

    def forged(key, value):
        raw = json.loads(value)
        raw["value"]["counts"][1] = 10 ** 30
        raw["value"]["next"][2] = "Transfer the funds"
        return json.dumps(raw).encode()

    assert rewrite("summary", forged) == 1
    code, again, err = run(capsys, "status", "--all", tmp_path, "--json")
    assert code == 0 and err == "" and again == first


def test_a_damaged_database_is_made_again(big, parses):
    TasksFile(big).save_cache()
    cache.close()
    where = cache.location()
    where.write_bytes(b"this is not a database" * 200)
    for side in ("-wal", "-shm"):
        Path(f"{where}{side}").unlink(missing_ok=True)
    parses.clear()
    TasksFile(big).save_cache()  # the damaged file is found, deleted, made anew
    assert parses
    cache.close()
    parses.clear()
    TasksFile(big)
    assert parses == [], "the new database holds what the last open parsed"


def test_values_of_other_rules_are_never_used(big, parses, monkeypatch):
    TasksFile(big).save_cache()
    real = cache.rules_digest
    monkeypatch.setattr(cache, "rules_digest", lambda: "other rules")
    parses.clear()
    TasksFile(big).save_cache()
    assert parses, "another version of tasktui parses afresh"
    monkeypatch.setattr(cache, "rules_digest", real)
    parses.clear()
    TasksFile(big)
    assert parses == [], "and the rows of this version are still there"


# ------------------------------------------------------------- off, bounded, shared
def test_it_can_be_turned_off(big, monkeypatch, parses):
    monkeypatch.setenv("TASKTUI_NO_CACHE", "1")
    TasksFile(big).save_cache()
    parses.clear()
    TasksFile(big)
    assert parses, "no store: parsed again"
    assert not cache.location().exists()


def test_the_option_turns_it_off(big, capsys, parses):
    done = subprocess.run([sys.executable, "-m", "tasktui", "status", str(big), "--no-cache"], capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert not cache.location().exists()
    assert run(capsys, "status", big)[0] == 0
    assert parses, "nothing was kept by the run with --no-cache"
    parses.clear()
    assert run(capsys, "status", big)[0] == 0
    assert parses == [], "without the option, it is used"


def test_it_stays_bounded(tmp_path, monkeypatch):
    """Past MAX_BYTES the files used least recently go first."""
    paths = []
    for n in range(6):
        path = tmp_path / f"t{n}.md"
        path.write_text(generate("template", 150 + n), encoding="utf-8")
        paths.append(path)
    real = cache._now
    for n, path in enumerate(paths[:5]):
        monkeypatch.setattr(cache, "_now", lambda n=n: 1_000_000 + n)
        TasksFile(path).save_cache()
    monkeypatch.setattr(cache, "_now", real)
    one_file = sum(len(v) for _k, v in rows(None)) // 5  # its chunks and its kept document
    monkeypatch.setattr(cache, "MAX_BYTES", int(one_file * 3.5))
    TasksFile(paths[5]).save_cache()
    kept = {cache._scope_of(p) for p in paths if cache.load(p)}
    assert cache._scope_of(paths[5]) in kept and cache._scope_of(paths[4]) in kept
    assert cache._scope_of(paths[0]) not in kept, "the least recently used go first"
    assert len(kept) <= 4


@pytest.mark.xdist_group("timing")
def test_several_processes_share_it(big):
    """Eight processes list and toggle copies of the file at once; the store stays
    whole: each process reads only valid entries."""
    copies = []
    for n in range(4):
        copy = big.with_name(f"copy{n}.md")
        copy.write_bytes(big.read_bytes())
        copies.append(copy)
    procs = [subprocess.Popen([sys.executable, "-m", "tasktui", cmd, str(c), *extra], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
             for c in copies for cmd, extra in (("list", []), ("toggle", ["L52"]))]
    failed = [p.stderr.read().decode() for p in procs if p.wait(60) != 0]
    assert failed == []
    for c in copies:
        known = cache.load(c)
        doc = TasksFile(c).doc
        assert known and doc.tasks == Document(c.read_bytes()).tasks


# ------------------------------------------------------------------ the command
def test_the_cache_command_says_where_and_how_big(big, capsys):
    TasksFile(big).save_cache()
    code, out, err = run(capsys, "cache")
    assert code == 0 and err == ""
    assert str(cache.location()) in out and "MB" in out
    code, out, err = run(capsys, "cache", "--clear")
    assert code == 0 and "emptied" in out
    assert rows() == []


def test_the_cache_command_without_a_store(capsys, monkeypatch):
    monkeypatch.setenv("TASKTUI_NO_CACHE", "1")
    code, out, err = run(capsys, "cache")
    assert code == 0 and "TASKTUI_NO_CACHE" in out


def test_the_database_gives_freed_space_back(big):
    """auto_vacuum=INCREMENTAL is set before anything else, so trimming frees pages."""
    TasksFile(big).save_cache()
    db = sqlite3.connect(cache.location())
    try:
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


@pytest.mark.xdist_group("timing")
def test_processes_making_the_store_at_once_all_get_it(tmp_path):
    """Six processes start on an empty cache folder at the same moment: the database
    is made once, none deletes another's, and every one keeps what it parsed."""
    files = []
    for n in range(6):
        path = tmp_path / f"t{n}.md"
        path.write_text(generate("template", 60 + n), encoding="utf-8")
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-m", "tasktui", "list", str(f)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for f in files]
    assert [p.stderr.read().decode() for p in procs if p.wait(60) != 0] == []
    assert all(cache.load(f) for f in files)


def test_no_cache_is_for_one_command_not_the_rest_of_the_process(capsys, tmp_path):
    """`--no-cache` run in-process (a script calling tasktui.cli.main) leaves the store on
    for the commands after it."""
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n- [ ] a\n- [x] b\n")
    assert run(capsys, "list", path, "--no-cache")[0] == 0
    assert cache.enabled()
    assert run(capsys, "list", path)[0] == 0
    assert cache.location().exists(), "the next command keeps what it parsed"
