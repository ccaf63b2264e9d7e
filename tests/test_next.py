"""`tasktui next` (the task in progress, else the first that can start; --all;
--claim, also raced by real processes) and `tasktui check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO, SAMPLES_DIR, assert_one_line_error, run
from tasktui.doc import Document

PARALLEL = b"""# Tasks: Parallel

## Phase 1: Setup

- [x] T001 Create the project
- [ ] T002 [P] Configure ruff
- [ ] T003 [P] Configure mypy
- [ ] T004 Write the README (depends on T001)
- [ ] T005 [P] Add CI, after T002
- [ ] T006 [P] Add pre-commit
- [ ] T007 Tag a release

## Phase 2: Build

- [ ] T008 [P] Build it
"""


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_next_all_lists_what_can_start_now_with_the_reasons(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(PARALLEL)
    tasks = run_json(capsys, "next", path, "--all")
    assert [(t["id"], t["reason"]) for t in tasks] == [
        ("T002", "ready: [P] in Phase 1"),
        ("T003", "ready: [P] in Phase 1"),
        ("T004", "ready: T001 done; the first open task in Phase 1"),
        ("T006", "ready: [P] in Phase 1"),
    ]
    listed = {t["line"]: t for t in run_json(capsys, "list", path)}
    assert all({k: v for k, v in t.items() if k != "reason"} == listed[t["line"]] for t in tasks), \
        "the objects `list --json` prints, plus a reason"
    code, out, err = run(capsys, "next", path, "--all")
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("L6     T002 [P] Configure ruff") and out.splitlines()[0].endswith("(ready: [P] in Phase 1)")
    one = run_json(capsys, "next", path)
    assert (one["id"], one["reason"], one["note"]) == ("T002", "ready: [P] in Phase 1", None)
    assert path.read_bytes() == PARALLEL


def test_next_gives_the_task_in_progress_first(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(PARALLEL.replace(b"- [ ] T006", b"- [/] T006"))
    task = run_json(capsys, "next", path)
    assert (task["id"], task["state"], task["reason"]) == ("T006", "in_progress", "in progress")
    code, out, _ = run(capsys, "next", path)
    assert out.splitlines() == ["L10 T006 [P] Add pre-commit  (Tasks: Parallel > Phase 1: Setup)", "  in progress"]


def test_next_when_nothing_can_start(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs" / "002-b").mkdir(parents=True)
    path = Path("specs/002-b/tasks.md")
    path.write_bytes(b"- [/] a\n- [ ] b\n")
    assert run_json(capsys, "next", path)["text"] == "a"
    assert_one_line_error(*run(capsys, "next", path, "--all"),
                          "specs/002-b/tasks.md: nothing can start now: 1 open task waits (L2 “b” waits for L1 “a”, "
                          "the open task before it)")
    path.write_bytes(b"- [/] a\n")
    assert_one_line_error(*run(capsys, "next", path, "--all"), "nothing can start now: 1 open task in progress")
    path.write_bytes(b"- [x] a\n")
    assert_one_line_error(*run(capsys, "next", path, "--all", "--json"), "specs/002-b/tasks.md: nothing left to do")


def test_next_claim_marks_the_task_in_progress_and_the_next_claim_takes_another(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(PARALLEL)
    first = run_json(capsys, "next", path, "--claim")
    assert (first["id"], first["state"], first["mark"], first["claimed"]) == ("T002", "in_progress", "/", True)
    assert first["reason"] == "ready: [P] in Phase 1"
    assert path.read_bytes() == PARALLEL.replace(b"- [ ] T002", b"- [/] T002"), "one byte, nothing else"
    code, out, err = run(capsys, "next", path, "--claim")
    assert (code, err) == (0, "") and out.startswith("claimed L7 T003 [P] Configure mypy")
    ids = [run_json(capsys, "next", path, "--claim")["id"] for _ in range(2)]
    assert ids == ["T004", "T006"]
    assert_one_line_error(*run(capsys, "next", path, "--claim"), "nothing can start now")
    doc = Document(path.read_bytes())
    assert [t.id for t in doc.tasks if t.state == "in_progress"] == ["T002", "T003", "T004", "T006"]
    code, out, err = run(capsys, "next", path, "--claim", "--all")
    assert code == 2 and "--claim takes one task" in err


def test_claim_in_a_kiro_file_writes_kiros_mark(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    data = (SAMPLES_DIR / "kiro-spec.md").read_bytes()
    path.write_bytes(data)
    task = run_json(capsys, "next", path, "--claim")
    assert (task["id"], task["mark"]) == ("3.2", "-")
    assert path.read_bytes() == data.replace(b"  - [ ] 3.2 Implement soft delete", b"  - [-] 3.2 Implement soft delete")


_RACER = """
import os, sys, time
from tasktui.cli import commands as cli
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.0005)
sys.exit(cli.main(["next", sys.argv[2], "--claim", "--json"]))
"""


def race(tmp_path, path, n: int) -> list[tuple[int, str, str]]:
    """``n`` processes run `tasktui next --claim` at the same moment: (exit code, stdout, stderr) of each."""
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-c", _RACER, str(go), str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, text=True) for _ in range(n)]
    try:
        for p in procs:
            assert p.stdout.readline() == "ready\n"
        go.write_text("go")
        results = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            results.append((p.returncode, out, err))
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        go.unlink(missing_ok=True)


@pytest.mark.xdist_group("timing")
def test_concurrent_claims_by_real_processes_never_take_the_same_task(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(PARALLEL)
    results = race(tmp_path, path, 4)
    assert all(code == 0 for code, _out, _err in results), results
    claimed = [json.loads(out)["id"] for _code, out, _err in results]
    assert sorted(claimed) == ["T002", "T003", "T004", "T006"], claimed
    doc = Document(path.read_bytes())
    assert sorted(t.id for t in doc.tasks if t.state == "in_progress") == sorted(claimed)
    # one task left that can start, two agents asking for it: one gets it, the other is told
    path.write_bytes(b"# T\n\n- [x] T001 a\n- [ ] T002 b\n- [ ] T003 c\n")
    results = race(tmp_path, path, 2)
    assert sorted(code for code, _out, _err in results) == [0, 1], results
    winner = next(json.loads(out) for code, out, _err in results if code == 0)
    loser = next(err for code, _out, err in results if code == 1)
    assert winner["id"] == "T002" and "nothing can start now" in loser
    assert path.read_bytes() == b"# T\n\n- [x] T001 a\n- [/] T002 b\n- [ ] T003 c\n"


CHECKED = b"""# Tasks: Broken

## Phase 1: One

- [ ] T001 [P] a (depends on T002)
- [ ] T002 [P] b (depends on T001)
- [ ] T003 [P] c (requires T042)

## Dependencies

- T003 blocks T077
"""


def test_check_reports_cycles_and_missing_references_one_line_each(capsys, tmp_path, monkeypatch):
    """One line each, the file named by the path given (a repository has a tasks.md per spec)."""
    monkeypatch.chdir(tmp_path)
    path = Path("specs/002-b/tasks.md")
    path.parent.mkdir(parents=True)
    path.write_bytes(CHECKED)
    code, out, err = run(capsys, "check", path)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "specs/002-b/tasks.md:5: cycle: these wait for each other: T001 → T002 → T001",
        "specs/002-b/tasks.md:7: missing: T042 is not in this file (named by T003)",
        "specs/002-b/tasks.md:11: missing: T077 is not in this file (named in the dependencies)",
    ]
    code, out, err = run(capsys, "check", path, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["statements"] == 4
    assert [(p["kind"], p["line"], p["tasks"]) for p in report["problems"]] == [
        ("cycle", 5, ["T001", "T002"]), ("missing", 7, ["T003"]), ("missing", 11, [])]
    path.write_bytes(PARALLEL)
    assert run(capsys, "check", path) == (
        0, "specs/002-b/tasks.md: no cycles and no missing references (2 statements of order read)\n", "")
    assert json.loads(run(capsys, "check", path, "--json")[1])["problems"] == []
    assert path.read_bytes() == PARALLEL
