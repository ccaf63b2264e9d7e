"""Progress over time from the file's git history (tasktui.core.history, `tasktui history`
and the app's `H` view), on repositories each test builds with git, at fixed dates.

The main story (``story``): a spec-kit-ish file with two sections, committed on six
days; tasks are ticked, reordered, edited (with and without an id), reopened and
ticked again, the file is moved with ``git mv``, and one more task is ticked in the
working copy without a commit."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import stat
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tasktui.ui.commands import entries
from support import (HISTORY_CLOCK, HISTORY_DATES, GitRepo, assert_one_line_error, history_story, record_timers, run,
                     screen_text, stop_timers, wait_for)
from tasktui.core import history, pool
from tasktui.core.history import reading
from tasktui.core.history.forecast import Velocity, add_workdays, forecast, velocity, weekdays_phrase
from tasktui.core.history.matching import match_tasks
from tasktui.core.history.values import Mark
from tasktui.storage import cache as store_cache
from tasktui.doc.model import Document

DATES = HISTORY_DATES


def clock() -> float:
    return HISTORY_CLOCK


@pytest.fixture(scope="session")
def built_story(tmp_path_factory):
    """The main story's repository, built once per session (its commits have fixed dates)."""
    return history_story(tmp_path_factory.mktemp("story") / "repo")


@pytest.fixture
def story(built_story, tmp_path):
    """A copy of the main story for one test (it may commit, move or tick): (repo, file, commit ids)."""
    repo, path, shas = built_story
    copy = repo.copy(tmp_path / "repo")
    return copy, copy.path / path.relative_to(repo.path), shas


def counts(found: history.History) -> list[tuple[int, int, int]]:
    return [(v.tally.done, v.tally.required, v.tally.cancelled) for v in found.versions]


# ------------------------------------------------------------------ the history
def test_counts_after_each_commit_overall_and_per_section(story):
    _repo, path, shas = story
    found = history.compute(path, clock=clock)
    assert [v.commit for v in found.versions] == shas  # oldest first, the move followed
    assert [v.date for v in found.versions] == DATES
    assert [v.path for v in found.versions] == ["tasks.md"] * 3 + ["docs/plan.md"] * 3
    assert counts(found) == [(0, 4, 1), (1, 4, 1), (2, 5, 1), (3, 5, 1), (2, 5, 1), (3, 5, 1)]
    sections = [[(s.title, s.line, s.done, s.required, s.cancelled) for s in v.tally.sections] for v in found.versions]
    assert sections[0] == [("Setup", 3, 0, 2, 0), ("Build", 8, 0, 2, 1)]
    assert sections[2] == [("Setup", 3, 1, 2, 0), ("Build", 8, 1, 3, 1)]
    assert sections[3] == [("Setup", 3, 1, 2, 0), ("Build", 8, 2, 3, 1)]
    assert sections[4] == [("Setup", 3, 0, 2, 0), ("Build", 8, 2, 3, 1)]
    assert found.now is not None and found.now.commit is None
    assert (found.now.tally.done, found.now.tally.required, found.now.tally.cancelled) == (4, 5, 1)
    assert found.renames == ((shas[3], "tasks.md", "docs/plan.md"),)
    assert found.shallow is None


def test_when_each_task_was_done_through_reordering_edits_reopening_and_the_move(story):
    _repo, path, shas = story
    found = history.compute(path, clock=clock)
    got = {t.text: (t.line, t.first_done and (t.first_done.commit, t.first_done.date),
                    t.last_done and (t.last_done.commit, t.last_done.date)) for t in found.tasks}
    now = found.now.date
    assert got == {
        "T001 Create the repo": (5, (shas[1], DATES[1]), (shas[5], DATES[5])),  # done, reopened, done again
        "T002 Add CI on every push": (6, (None, now), (None, now)),  # its text edited; done in the working copy
        "Write the user docs": (10, (shas[3], DATES[3]), (shas[3], DATES[3])),  # edited as it was ticked, no id
        "Write the parser": (11, (shas[2], DATES[2]), (shas[2], DATES[2])),  # moved below the docs as it was ticked
        "Drop the old tool": (12, None, None),
        "Release": (13, None, None),
    }
    assert [t.id for t in found.tasks] == ["T001", "T002", None, None, None, None]
    task = Document(path.read_bytes()).tasks[0]
    assert found.for_task(task).first_done.commit == shas[1]


def test_the_json_shape_oldest_first(story, capsys):
    _repo, path, shas = story
    code, out, err = run(capsys, "history", path, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"commits", "tasks", "now", "velocity", "forecast", "shallow"}
    assert [c["commit"] for c in data["commits"]] == shas
    first = data["commits"][0]
    assert first == {"commit": shas[0], "date": DATES[0], "done": 0, "required": 4, "cancelled": 1,
                     "sections": [{"title": "Setup", "line": 3, "done": 0, "required": 2, "cancelled": 0},
                                  {"title": "Build", "line": 8, "done": 0, "required": 2, "cancelled": 1}]}
    assert data["tasks"][0] == {"id": "T001", "text": "T001 Create the repo", "line": 5,
                                "first_done": {"commit": shas[1], "date": DATES[1]},
                                "last_done": {"commit": shas[5], "date": DATES[5]}}
    assert data["now"]["commit"] is None and data["now"]["done"] == 4
    assert data["shallow"] is None
    for c in data["commits"]:  # each commit and each task: exactly these keys
        assert list(c) == ["commit", "date", "done", "required", "cancelled", "sections"]
        assert all(list(s) == ["title", "line", "done", "required", "cancelled"] for s in c["sections"])
    for t in data["tasks"]:
        assert list(t) == ["id", "text", "line", "first_done", "last_done"]
        for mark in (t["first_done"], t["last_done"]):
            assert mark is None or list(mark) == ["commit", "date"]
    assert [c["date"] for c in data["commits"]] == sorted(c["date"] for c in data["commits"])  # oldest first
    assert [(c["done"], c["required"], c["cancelled"]) for c in data["commits"]] == [
        (0, 4, 1), (1, 4, 1), (2, 5, 1), (3, 5, 1), (2, 5, 1), (3, 5, 1)]
    assert data["tasks"][4] == {"id": None, "text": "Drop the old tool", "line": 12, "first_done": None,
                                "last_done": None}
    assert set(data["velocity"]) == {"per_day", "done", "working_days", "from", "to", "workdays"}
    assert set(data["forecast"]) == {"remaining", "date", "earliest", "latest"}


def test_the_command_line_table(story, capsys):
    _repo, path, shas = story
    code, out, err = run(capsys, "history", path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{path}: 6 commits on this branch, 2026-11-02 to 2026-11-09"  # the path as given
    assert lines[1] == f"  renamed from tasks.md to docs/plan.md in {shas[3][:7]}"
    assert f"2026-11-03  {shas[1][:7]}            1/4  #####...............  1" in lines
    assert f"2026-11-09  {shas[5][:7]}            3/5  ############........  1" in lines
    assert "now         -                  4/5  ################....  1" in lines
    assert any(line.startswith("velocity: ") for line in lines) and any(line.startswith("forecast: ") for line in lines)


def test_velocity_and_forecast_from_the_story(story):
    """Window: the file's first day (2026-11-02) to today (Monday 2026-11-09): six
    working days. Changes: +1 +1 +1 -1 (reopened) on Tue-Fri, +2 on Monday (one
    committed, one in the working copy): 4 in 6 days. One left: two working days at
    that pace; the range is the pace plus and minus its standard error."""
    _repo, path, _shas = story
    found = history.compute(path, clock=clock)
    vel = found.velocity
    assert (vel.start, vel.end, vel.paces, vel.done) == (date(2026, 11, 2), date(2026, 11, 9), (0, 1, 1, 1, -1, 2), 4)
    assert vel.per_day == pytest.approx(4 / 6)
    fc = found.forecast
    assert (fc.remaining, fc.date, fc.earliest, fc.latest) == (1, date(2026, 11, 11), date(2026, 11, 10),
                                                              date(2026, 11, 16))
    assert found.as_json()["velocity"] == {"per_day": 0.67, "done": 4, "working_days": 6, "from": "2026-11-02",
                                           "to": "2026-11-09", "workdays": ["mon", "tue", "wed", "thu", "fri"]}
    assert found.as_json()["forecast"] == {"remaining": 1, "date": "2026-11-11", "earliest": "2026-11-10",
                                           "latest": "2026-11-16"}
    assert history.describe(found) == [
        "velocity: 0.7 required tasks a working day",
        "  4 done in the 6 working days (Mon–Fri) from 2026-11-02 to 2026-11-09",
        "forecast: 1 left, done on 2026-11-11 at this pace",
        "  between 2026-11-10 and 2026-11-16 (the pace ± its standard error)",
    ]


def test_velocity_rules():
    d = date(2026, 11, 2)  # a Monday
    series = [(d, 10, 0), (date(2026, 11, 7), 10, 3), (date(2026, 11, 9), 12, 5)]  # Saturday's work counts on Monday
    vel = velocity(series, date(2026, 11, 10))
    assert vel.paces == (0, 0, 0, 0, 0, 5, 0) and vel.per_day == pytest.approx(5 / 7)
    sun_to_thu = velocity(series, date(2026, 11, 10), workdays=(6, 0, 1, 2, 3))
    assert sun_to_thu.paces == (0, 0, 0, 0, 3, 2, 0)  # Saturday's work on Sunday, a working day
    old = [(date(2026, 9, 1), 10, 2), (date(2026, 10, 30), 10, 6), (date(2026, 11, 12), 10, 8)]
    window = velocity(old, date(2026, 11, 13))  # 14 days back: 10-31 .. 11-13, from 6 done
    assert (window.start, window.done, window.working_days) == (date(2026, 10, 31), 2, 10)
    quiet = velocity(old[:2], date(2026, 11, 13))
    assert quiet.per_day == 0 and forecast(4, quiet, date(2026, 11, 13)).date is None
    weekend = velocity([(date(2026, 11, 7), 3, 0)], date(2026, 11, 8))
    assert weekend.per_day is None and weekend.paces == ()
    assert forecast(0, weekend, date(2026, 11, 8)).remaining == 0
    steady = Velocity(2.0, 20, d, date(2026, 11, 13), (2,) * 10, (0, 1, 2, 3, 4))
    fc = forecast(5, steady, date(2026, 11, 13))  # a Friday: 3 working days at 2 a day
    assert (fc.date, fc.earliest, fc.latest) == (date(2026, 11, 18),) * 3
    assert add_workdays(date(2026, 11, 13), 1, (0, 1, 2, 3, 4)) == date(2026, 11, 16)
    assert weekdays_phrase((0, 1, 2, 3, 4)) == "Mon–Fri" and weekdays_phrase((0, 2, 4)) == "Mon, Wed, Fri"


def test_workdays_come_from_the_config(story, capsys):
    _repo, path, _shas = story
    Path(os.environ["TASKTUI_CONFIG"]).write_text('workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')
    code, out, _err = run(capsys, "history", path, "--json")
    assert code == 0
    velocity = json.loads(out)["velocity"]
    assert velocity["workdays"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def test_only_first_parents_count(tmp_path):
    """A merged branch is one change, at the merge's date; its own commits are not versions."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("tasks.md", "# T\n\n- [ ] a\n- [ ] b\n- [ ] c\n")
    base = repo.commit("start", DATES[0])
    repo.git("checkout", "-q", "-b", "side")
    repo.write("tasks.md", "# T\n\n- [x] a\n- [ ] b\n- [ ] c\n")
    repo.commit("a on the side", DATES[1])
    repo.write("tasks.md", "# T\n\n- [x] a\n- [x] b\n- [ ] c\n")
    repo.commit("b on the side", DATES[2])
    repo.git("checkout", "-q", "main")
    repo.write("notes.txt", "other work\n")
    repo.commit("other work", DATES[3])
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", when=DATES[4])
    merge = repo.git("rev-parse", "HEAD")
    found = history.compute(repo.path / "tasks.md", clock=clock)
    assert [v.commit for v in found.versions] == [base, merge]
    assert counts(found) == [(0, 3, 0), (2, 3, 0)]
    assert {t.text: t.first_done.commit if t.first_done else None for t in found.tasks} == {"a": merge, "b": merge,
                                                                                           "c": None}
    assert found.now is None


# ---------------------------------------------------------------- renames only
def test_another_specs_tasks_md_is_never_followed(tmp_path):
    """specs/002 began as a copy of specs/001's tasks.md: `git log --follow` goes on
    into 001's history; the history of 002 starts where 002 was added."""
    repo = GitRepo(tmp_path / "repo")
    one = "# Auth\n\n## Phase 1\n\n" + "".join(f"- [ ] T00{i} Auth task {i}\n" for i in range(1, 9))
    repo.write("specs/001-auth/tasks.md", one)
    repo.commit("auth spec", DATES[0])
    repo.write("specs/001-auth/tasks.md", one.replace("[ ] T001", "[x] T001"))
    repo.commit("auth T001", DATES[1])
    repo.write("specs/002-billing/tasks.md", one.replace("Auth task 8", "Billing task 8"))
    added = repo.commit("billing spec, copied from auth", DATES[2])
    path = repo.write("specs/002-billing/tasks.md", one.replace("Auth task 8", "Billing task 8").replace("[ ] T002", "[x] T002"))
    ticked = repo.commit("billing T002", DATES[3])
    follow = repo.git("log", "--follow", "--format=%H", "--", "specs/002-billing/tasks.md").split()
    assert len(follow) == 4, "git's --follow jumps to the other spec (what this test guards against)"
    found = history.compute(path, clock=clock)
    assert [v.commit for v in found.versions] == [added, ticked]
    assert found.renames == ()
    assert counts(found) == [(0, 8, 0), (1, 8, 0)]
    assert {t.id: t.first_done.commit if t.first_done else None for t in found.tasks}["T002"] == ticked
    assert {t.id: t.first_done for t in found.tasks}["T001"] is None


def test_a_file_deleted_beside_a_new_one_is_not_a_rename(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.write("specs/001-auth/tasks.md", "# Auth\n\n- [x] Log in\n- [x] Log out\n")
    repo.commit("auth", DATES[0])
    (repo.path / "specs/001-auth/tasks.md").unlink()
    path = repo.write("specs/002-billing/tasks.md", "# Billing\n\n- [ ] Invoices\n- [ ] Refunds\n- [ ] Taxes\n")
    added = repo.commit("auth done and removed; billing begins", DATES[1])
    found = history.compute(path, clock=clock)
    assert [v.commit for v in found.versions] == [added] and found.renames == ()


def test_a_staged_move_is_followed(story):
    repo, path, shas = story
    repo.git("mv", "docs/plan.md", "plan.md")
    found = history.compute(repo.path / "plan.md", clock=clock)
    assert [v.commit for v in found.versions] == shas
    assert found.now is not None and found.now.tally.done == 4


def test_a_rename_with_edits_in_the_same_commit_is_followed(tmp_path):
    """Renamed in place without `git mv` (deleted and added), a task ticked, one
    reworded and two swapped in the same commit: git's rename detection sees it, and
    each task keeps its history."""
    repo = GitRepo(tmp_path / "repo")
    text = "# Spec\n\n## Work\n\n" + "".join(f"- [ ] T00{i} Step number {i} of the plan\n" for i in range(1, 7))
    repo.write("tasks.md", text)
    first = repo.commit("start", DATES[0])
    repo.write("tasks.md", text.replace("[ ] T001", "[x] T001"))
    ticked = repo.commit("T001", DATES[1])
    (repo.path / "tasks.md").unlink()
    lines = text.replace("[ ] T002", "[x] T002").replace("number 3 of the plan", "three, reworded").splitlines(True)
    lines[6], lines[7] = lines[7], lines[6]  # T004 above T003
    path = repo.write("TASKS-renamed.md", "".join(lines).replace("[ ] T001", "[x] T001"))
    renamed = repo.commit("renamed", DATES[2])
    path.write_text(path.read_text().replace("[ ] T003", "[x] T003"))
    moved_done = repo.commit("T003", DATES[3])
    found = history.compute(path, clock=clock)
    assert [v.commit for v in found.versions] == [first, ticked, renamed, moved_done]
    assert [v.path for v in found.versions] == ["tasks.md", "tasks.md", "TASKS-renamed.md", "TASKS-renamed.md"]
    assert found.renames == ((renamed, "tasks.md", "TASKS-renamed.md"),)
    assert counts(found) == [(0, 6, 0), (1, 6, 0), (2, 6, 0), (3, 6, 0)]
    got = {t.id: (t.line, t.first_done and t.first_done.date) for t in found.tasks}
    assert got == {"T001": (5, DATES[1]), "T002": (6, DATES[2]), "T004": (7, None), "T003": (8, DATES[3]),
                   "T005": (9, None), "T006": (10, None)}
    assert found.tasks[3].text == "T003 Step three, reworded" and found.now is None


# ------------------------------------------------------------ where there is none
def test_a_file_outside_git_is_one_sentence_and_exit_1(tmp_path, capsys):
    path = tmp_path / "tasks.md"
    path.write_text("- [ ] a\n")
    code, out, err = run(capsys, "history", path)
    assert_one_line_error(code, out, err, "tasks.md is not in a git repository")
    with pytest.raises(history.HistoryError, match=r"^tasks\.md is not in a git repository, so it has no history"):
        history.compute(path)


@pytest.mark.parametrize("case", ["missing", "folder", "no git"])
def test_other_command_line_errors_are_one_sentence(tmp_path, capsys, monkeypatch, case):
    repo = GitRepo(tmp_path / "repo")
    path = repo.write("tasks.md", "- [ ] a\n")
    repo.commit("start", DATES[0])
    if case == "missing":
        target, said = repo.path / "gone.md", "gone.md does not exist"
    elif case == "folder":
        target, said = repo.path, "is a folder, not a file"
    else:
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
        target, said = path, "git was not found, so the history of tasks.md cannot be read"
    for extra in ((), ("--json",)):
        code, out, err = run(capsys, "history", target, *extra)
        assert_one_line_error(code, out, err, said)
    assert path.read_bytes() == b"- [ ] a\n"


@pytest.mark.parametrize("argv", [["history"], ["history", "tasks.md", "--since", "monday"]])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        run(capsys, *argv)
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == "" and err.splitlines()[-1].startswith("tasktui: ")


def test_a_file_never_committed_is_all_now(tmp_path, capsys):
    repo = GitRepo(tmp_path / "repo")
    repo.write("README", "x\n")
    repo.commit("first", DATES[0])
    path = repo.write("tasks.md", "- [x] a\n- [ ] b\n")
    found = history.compute(path, clock=clock)
    assert found.versions == () and found.now.tally.done == 1
    assert found.tasks[0].first_done == Mark(None, found.now.date)
    code, out, _err = run(capsys, "history", path)
    assert code == 0 and out.startswith(f"{path}: no commit of this file on this branch yet\n")
    empty = GitRepo(tmp_path / "empty")  # no commit at all
    assert history.compute(empty.write("tasks.md", "- [ ] a\n"), clock=clock).versions == ()


def test_a_shallow_clone_says_how_far_back_it_sees(story, tmp_path, capsys):
    repo, _path, shas = story
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True,
                   capture_output=True, env=repo.env())
    found = history.compute(clone / "docs" / "plan.md", clock=clock)
    assert [v.commit for v in found.versions] == shas[4:]
    assert found.shallow == Mark(shas[4], DATES[4])
    assert found.as_json()["shallow"] == {"commit": shas[4], "date": DATES[4]}
    assert counts(found) == [(2, 5, 1), (3, 5, 1)]
    code, out, _err = run(capsys, "history", clone / "docs" / "plan.md")
    assert code == 0
    assert f"  a shallow clone: its history starts at 2026-11-06 ({shas[4][:7]}); `git fetch --unshallow` fetches the rest" in out


# ------------------------------------------------------------------------ cache
def history_rows() -> dict[str, dict]:
    """The history entries in tasktui's store, by key, as JSON objects."""
    db = sqlite3.connect(store_cache.location())
    try:
        return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM entry WHERE kind='history'")}
    finally:
        db.close()


def rewrite_history_rows(change) -> None:
    """Write ``change(key, entry)``'s value (an object, or raw bytes) over each entry, as
    another program with the user's rights could."""
    store_cache.close()
    db = sqlite3.connect(store_cache.location())
    try:
        for key, value in list(db.execute("SELECT key, value FROM entry WHERE kind='history'")):
            new = change(key, json.loads(value))
            if new is not None:
                raw = new if isinstance(new, bytes) else json.dumps(new).encode()
                db.execute("UPDATE entry SET value=? WHERE kind='history' AND key=?", (raw, key))
        db.commit()
    finally:
        db.close()


def test_the_cache_is_private_and_used_the_second_time(story):
    _repo, path, _shas = story
    first = history.compute(path, clock=clock)
    assert first.from_cache == 0
    where = store_cache.location()
    assert where.parent == Path(os.environ["XDG_CACHE_HOME"]) / "tasktui"
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700 and stat.S_IMODE(where.stat().st_mode) == 0o600
    assert len(history_rows()) == 6
    again = history.compute(path, clock=clock)
    assert again.from_cache == 6 and again == first


@pytest.mark.parametrize("spoil", ["garbage", "truncated", "not an object", "foreign entries", "wrong numbers", "huge"])
def test_a_spoilt_cache_is_ignored_and_rebuilt(story, spoil):
    _repo, path, _shas = story
    fresh = history.compute(path, clock=clock, use_cache=False)
    history.compute(path, clock=clock)
    keys = sorted(history_rows())

    def change(key, entry):
        k = keys.index(key)
        if spoil == "garbage":
            return b"\x00\xff garbage {["
        if spoil == "truncated":
            return json.dumps(entry).encode()[:20]
        if spoil == "not an object":
            return [1, 2, 3]
        if spoil == "foreign entries":
            return ["not an entry", {**entry, "blob": "0" * 40}, {**entry, "runs": [0, 99, 5]},
                    {**entry, "became": [3, 1]}, {**entry, "sections": [["Setup", "3", 0, 2, 0]]}, None][k]
        if spoil == "wrong numbers":
            return [None, {**entry, "tally": [-1, 4, 1]}, {**entry, "n": True}, {**entry, "runs": [0, 0, 2, 2, -1]},
                    None, None][k]
        return [None, {**entry, "tally": [10 ** 30, 4, 1]}, {**entry, "became": list(range(10 ** 5))}, None, None,
                None][k]

    rewrite_history_rows(change)
    found = history.compute(path, clock=clock)
    assert found == fresh
    assert found.from_cache < 6
    assert history.compute(path, clock=clock).from_cache == 6, "rebuilt"


def test_an_unusable_cache_folder_is_not_used(story):
    _repo, path, _shas = story
    folder = store_cache.location().parent
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the folder should be")
    assert history.compute(path, clock=clock).from_cache == 0
    assert history.compute(path, clock=clock).from_cache == 0
    assert folder.read_text() == "a file where the folder should be"


# ----------------------------------------------------------- worker processes
def test_worker_processes_give_the_same_history(story, monkeypatch):
    _repo, path, _shas = story
    alone = history.compute(path, clock=clock, use_cache=False)
    monkeypatch.setattr(reading, "PARALLEL_MIN", 4)
    monkeypatch.setattr(pool, "size", lambda: 2)
    seen = []
    together = history.compute(path, clock=clock, progress=lambda done, total: seen.append((done, total)))
    assert together == alone
    assert seen[-1] == (6, 6) and seen == sorted(seen)
    assert history.compute(path, clock=clock).from_cache == 6  # what the workers found was kept


def test_stop_ends_the_work(story):
    _repo, path, _shas = story
    with pytest.raises(history.Stopped):
        history.compute(path, clock=clock, stop=lambda: True)


# ---------------------------------------------------------------- task matching
def test_tasks_are_matched_by_line_then_id_then_description_then_place():
    old = Document(b"# T\n\n- [ ] T001 Alpha\n- [ ] T002 Beta\n- [ ] Gamma\n- [ ] Delta\n- [ ] Gamma\n")
    new = Document(b"# T\n\n## Moved\n\n- [ ] Gamma\n- [ ] T001 Alpha, reworded\n- [ ] T003 Beta\n- [ ] Delta plus\n"
                   b"- [ ] New one\n- [ ] Gamma\n")
    assert match_tasks(old, new) == [2, 0, 1, 3, -1, 4]


# ------------------------------------------------------------------------- app
async def test_the_app_reads_the_history_and_the_detail_pane_says_when(story):
    from support import quiesce
    from tasktui.ui.app import TaskTuiApp
    from tasktui.ui.screens.history import HistoryScreen

    _repo, path, shas = story
    app = TaskTuiApp(path, clock=clock)
    record_timers(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await app.workers.wait_for_complete()  # the loading and whatever it started are done
        await pilot.pause()
        assert app.session.history is None and not app.main.history_running, "opening a file reads no history"
        await pilot.press("H")  # read once asked for
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history screen")
        await wait_for(pilot, lambda: app.session.history is not None, timeout=20, what="the history")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen), what="the screen to close")
        app.main.tree.move_to_task(0)
        await wait_for(pilot, lambda: f"**Done**: 2026-11-09, {shas[5][:7]} (first 2026-11-03, {shas[1][:7]})"
                       in app.query_one("#detail").source, what="the detail pane to say when T001 was done")
        app.main.tree.move_to_task(1)
        await wait_for(pilot, lambda: "**Done**: 2026-11-09, not committed" in app.query_one("#detail").source,
                       what="T002, done in the working copy")
        app.main.tree.move_to_task(5)
        await wait_for(pilot, lambda: "**Line**: 13" in app.query_one("#detail").source, what="Release")
        assert "Done" not in app.query_one("#detail").source
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history screen")
        await wait_for(pilot, lambda: "velocity: 0.7 required tasks a working day" in screen_text(app),
                       what="velocity on the screen")
        text = screen_text(app)
        assert "6 commits, 2026-11-02 to 2026-11-09 · uncommitted changes as today · renamed" in text
        assert "forecast: 1 left, done on 2026-11-11 at this pace" in text
        await pilot.press("r")  # read again (from the cache): keys keep working meanwhile
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen), what="the screen to close")
        await quiesce(app, pilot)


async def test_the_palette_offers_the_history_and_a_file_outside_git_says_why(tmp_path):
    from support import quiesce
    from tasktui.ui.app import TaskTuiApp
    from tasktui.ui.screens.history import HistoryScreen

    path = tmp_path / "tasks.md"
    path.write_text("# T\n\n- [ ] a\n")
    app = TaskTuiApp(path, clock=clock)
    record_timers(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        names = [c.title for c in entries(app.main)]
        assert "Show progress history" in names
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history screen")
        await wait_for(pilot, lambda: "tasks.md is not in a git repository" in screen_text(app), what="the sentence")
        await pilot.press("q")
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen), what="q to close it")
        assert app.is_running
        await quiesce(app, pilot)
    assert path.read_text() == "# T\n\n- [ ] a\n"


async def test_file_text_on_the_history_screen_is_data(tmp_path, markup_guard):
    from support import MARKUP_SENTINEL, assert_no_control_output, quiesce
    from tasktui.ui.app import TaskTuiApp
    from tasktui.ui.screens.history import HistoryScreen

    repo = GitRepo(tmp_path / "repo")
    name = f"{MARKUP_SENTINEL} [b]x[red] \u202eevil.md"
    path = repo.write(name, f"# {MARKUP_SENTINEL} [red]t[/]\n\n## [/b] \x1b[2J\n\n- [ ] [@click=app.quit]a[/]\n")
    repo.commit("start", DATES[0])
    app = TaskTuiApp(path, clock=clock)
    record_timers(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history screen")
        await wait_for(pilot, lambda: app.session.history is not None, timeout=20, what="the history")
        await wait_for(pilot, lambda: "1 commit, 2026-11-02" in screen_text(app), what="the history on screen")
        text = screen_text(app)
        assert f"Progress over time · {MARKUP_SENTINEL} [b]x[red] ⟨RLO⟩evil.md" in text
        assert_no_control_output(text)
        await quiesce(app, pilot)


def test_file_text_in_the_command_line_output_is_data(tmp_path, capsys):
    from support import assert_no_control_output

    repo = GitRepo(tmp_path / "repo")
    repo.write("old\x1b]0;title\x07.md", "# T\n\n- [ ] a\n- [ ] b\n")
    first = repo.commit("start", DATES[0])
    repo.git("mv", "old\x1b]0;title\x07.md", "tasks.md")
    path = repo.write("tasks.md", "# T\n\n- [x] a\n- [ ] b\n")
    moved = repo.commit("moved", DATES[1])
    code, out, err = run(capsys, "history", path)
    assert (code, err) == (0, "")
    assert f"  renamed from old␛]0;title␇.md to tasks.md in {moved[:7]}" in out
    assert_no_control_output(out.replace("\n", ""), "the output")
    code, out, _err = run(capsys, "history", path, "--json")
    assert [c["commit"] for c in json.loads(out)["commits"]] == [first, moved]


# -------------------------------------------------------------------- snapshot
_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_history_app", Path(__file__).parent / "snapshot_apps" / "history_app.py")
history_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(history_app)


# ------------------------------------------------------------------ the chart's axis
ACTIVE_WEEK = [(date(2025, 10, 1 + k // 4), 30, k) for k in range(25)]  # 25 commits in a week, a year ago


def axis_labels(line: str) -> list[tuple[int, str]]:
    import re

    return [(m.start(), m.group()) for m in re.finditer(r"\d{4}-\d\d-\d\d|\d\d-\d\d|today", line)]


@pytest.mark.parametrize("width", [40, 78, 158])
def test_the_axis_has_a_date_every_ten_columns_or_so_at_any_width(width):
    from tasktui.ui.widgets.burndown import chart

    today = date(2026, 11, 9)
    series = [(date(2026, 9, 1), 10, 0), (date(2026, 10, 2), 12, 5), (date(2026, 11, 6), 12, 9)]
    lines = chart(series, today, width, 8).plain.splitlines()
    labels = axis_labels(lines[-1])
    starts = [x for x, _text in labels]
    assert labels[0][1] == "09-01" and labels[-1][1] == "today", labels
    assert len(labels) >= width // 16, labels
    assert all(b - a <= 16 for a, b in zip(starts, starts[1:])), labels  # no long stretch without a date
    assert all(a + len(t) < b for (a, t), (b, _u) in zip(labels, labels[1:])), "labels never touch"
    assert max(x + len(t) for x, t in labels) <= width


@pytest.mark.parametrize("width", [40, 78, 158])
def test_a_file_idle_for_a_year_is_drawn_over_its_active_week(width):
    from tasktui.ui.widgets.burndown import chart, columns, idle_since, legend

    today = date(2026, 11, 9)
    cols, per, cell = columns(ACTIVE_WEEK, today, width - 3)
    assert per == 1 and len(cols) == 7, "a column (or more cells) a day of the week, not of the idle year"
    assert len(cols) * cell >= (width - 3) * 0.5, "the week takes the width"
    lines = chart(ACTIVE_WEEK, today, width, 8).plain.splitlines()
    assert "today" not in lines[-1] and lines[-1].rstrip().endswith("2025-10-07")
    assert idle_since(ACTIVE_WEEK, today) == date(2025, 10, 7)
    assert legend(idle_since(ACTIVE_WEEK, today)).plain.endswith("no change since 2025-10-07")


def test_today_is_on_the_axis_when_it_is_near_the_last_change():
    from tasktui.ui.widgets.burndown import days_shown, idle_since

    series = [(date(2026, 1, 1), 10, 0), (date(2026, 11, 1), 10, 9)]  # 304 days: near is 30
    assert days_shown(series, date(2026, 11, 20)) == (date(2026, 1, 1), date(2026, 11, 20))
    assert idle_since(series, date(2026, 11, 20)) is None
    assert days_shown(series, date(2026, 12, 20)) == (date(2026, 1, 1), date(2026, 11, 1))
    assert idle_since(series, date(2026, 12, 20)) == date(2026, 11, 1)
    one_day = [(date(2026, 11, 1), 3, 1)]
    assert days_shown(one_day, date(2026, 11, 2))[1] == date(2026, 11, 2)  # a day after: near
    assert days_shown(one_day, date(2026, 11, 5))[1] == date(2026, 11, 1)


def test_history_view_snapshot(snap_compare, tmp_path, size=(80, 24)):
    """The `H` view at 80x24 on the main story, today being Monday 2026-11-09."""
    app = history_app.make_app(tmp_path)
    record_timers(app)

    async def run_before(pilot) -> None:
        from tasktui.ui.screens.history import HistoryScreen

        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history screen")
        await wait_for(pilot, lambda: app.session.history is not None, timeout=20, what="the history")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: not app.screen.query_one("#history-progress").display, what="the chart")
        await pilot.pause()
        stop_timers(app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_history_view_at_160x48(snap_compare, tmp_path):
    """The same at 160x48: a day a column, many cells wide, a date every ten cells or so."""
    test_history_view_snapshot(snap_compare, tmp_path, size=(160, 48))
