"""The persistent parse cache: a file opened again is parsed only where it changed;
the cache is private, bounded, shared safely by several processes, and never
trusted: a corrupt, truncated or foreign entry is ignored and parsed again."""

from __future__ import annotations

import os
import runpy
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO, run
from tasktui.storage import parsecache
from tasktui.doc import Document
from tasktui.doc import parse as parse_mod
from tasktui.core.tasksfile import TasksFile

generate = runpy.run_path(str(REPO / "benchmarks" / "generate.py"))["generate"]


@pytest.fixture
def big(tmp_path) -> Path:
    path = tmp_path / "tasks.md"
    path.write_text(generate("template", 600), encoding="utf-8")
    return path


@pytest.fixture
def parses(monkeypatch) -> list:
    """The chunks markdown-it is asked to parse."""
    seen = []
    real = parse_mod._parse

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(parse_mod, "_parse", counting)
    return seen


def test_an_unchanged_file_is_not_parsed_again(big, parses):
    first = TasksFile(big)
    first.save_cache()
    assert parses, "the first open parses"
    parses.clear()
    second = TasksFile(big)
    assert parses == [], "the second open takes every chunk from the cache"
    assert second.doc.tasks == first.doc.tasks and second.doc.chunks == first.doc.chunks


def test_a_changed_line_parses_its_chunk_only(big, parses):
    TasksFile(big).save_cache()
    data = big.read_bytes()
    big.write_bytes(data.replace(b"- [ ]", b"- [x]", 1))
    parses.clear()
    doc = TasksFile(big).doc
    assert 1 <= len(parses) <= 2
    assert doc.tasks == Document(big.read_bytes()).tasks


def test_the_cache_is_private(big):
    tf = TasksFile(big)
    tf.save_cache()
    file = parsecache.load(big).file
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700


def damage(file: Path, how: str) -> None:
    data = file.read_bytes()
    if how == "truncated":
        file.write_bytes(data[: len(data) // 2])
    elif how == "flipped":
        at = len(data) // 2
        file.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:])
    elif how == "garbage":
        file.write_bytes(os.urandom(4096))
    elif how == "other version":
        file.write_bytes(data.replace(parse_mod.PARSER_VERSION.encode(), b"tasktui-parse-0", 1))
    elif how == "foreign line":  # a well-formed line for some other text
        file.write_bytes(data + b"0000000000000000 [\"00\",[[],[],[],0,false]]\n")
    elif how == "empty":
        file.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "flipped", "garbage", "other version", "foreign line", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(big, how):
    tf = TasksFile(big)
    tf.save_cache()
    expected = tf.doc.tasks
    damage(parsecache.load(big).file, how)
    again = TasksFile(big)
    assert again.doc.tasks == expected
    again.save_cache()
    assert TasksFile(big).doc.tasks == expected
    known = parsecache.load(big)
    assert len(known) >= len(tf.doc.chunks) - 1 or how in ("truncated", "flipped")


def test_it_can_be_turned_off(big, monkeypatch, parses):
    monkeypatch.setenv("TASKTUI_NO_CACHE", "1")
    TasksFile(big).save_cache()
    parses.clear()
    TasksFile(big)
    assert parses, "no cache: parsed again"
    assert not list((Path(os.environ["XDG_CACHE_HOME"]) / "tasktui" / "parse").glob("*.jsonl"))


def test_the_option_turns_it_off(big, capsys, parses):
    done = subprocess.run([sys.executable, "-m", "tasktui", "status", str(big), "--no-cache"], capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert not list((Path(os.environ["XDG_CACHE_HOME"]) / "tasktui" / "parse").glob("*.jsonl"))
    assert run(capsys, "status", big)[0] == 0
    assert parses, "nothing was kept by the run with --no-cache"
    parses.clear()
    assert run(capsys, "status", big)[0] == 0
    assert parses == [], "without the option, it is used"


def test_it_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(parsecache, "MAX_FILES", 3)
    files = []
    for n in range(6):
        path = tmp_path / f"t{n}.md"
        path.write_bytes(b"- [ ] task %d\n" % n)
        tf = TasksFile(path)
        tf.save_cache()
        file = parsecache.load(tf.path).file
        os.utime(file, (1_000_000 + n, 1_000_000 + n))
        files.append(file)
    path = tmp_path / "t6.md"
    path.write_bytes(b"- [ ] last\n")
    TasksFile(path).save_cache()
    left = sorted(p.name for p in files[0].parent.glob("*.jsonl"))
    assert len(left) <= 3 and files[0].name not in left, "the least recently used go first"


@pytest.mark.xdist_group("timing")
def test_several_processes_share_it(big):
    """Eight processes list and toggle copies of the file at once; the cache stays
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
        known = parsecache.load(c)
        doc = TasksFile(c).doc
        assert known and doc.tasks == Document(c.read_bytes()).tasks


def test_the_command_line_uses_it(big, capsys, parses):
    assert run(capsys, "status", big, "--json")[0] == 0
    parses.clear()
    assert run(capsys, "next", big, "--json")[0] == 0
    assert parses == []
    assert run(capsys, "toggle", big, "L52")[0] == 0
    parses.clear()
    assert run(capsys, "list", big, "--json")[0] == 0
    assert parses == [], "the toggled chunk was stored too"
