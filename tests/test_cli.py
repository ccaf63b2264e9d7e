"""The command line as scripts and agents use it: `list/status/next --json` fields,
filters, human output, edit commands, REF resolution, exit codes and one-line
errors. Most tests call tasktui.cli.main in-process; a few run the real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import SAMPLES_DIR, assert_one_line_error, run
from tasktui.cli import commands as cli
from tasktui.doc import Document

LIST_KEYS = {"line", "state", "mark", "optional", "id", "markers", "text", "path", "parent_line", "estimate_hours", "actual_hours",
             "legend", "label", "plain"}
STATUS_KEYS = {"total", "done", "cancelled", "percent", "dialect", "estimate_hours", "actual_hours", "sections", "blockers"}
SECTION_KEYS = {"title", "line", "total", "done", "required", "required_done", "optional", "cancelled", "percent", "status", "estimate_hours", "actual_hours", "variance_hours", "variance_pct", "remaining_hours"}
BLOCKER_KEYS = {"line", "date", "kind", "text", "task", "resolved"}


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def copy(tmp_path):
    def make(name: str = "template-project.md", data: bytes | None = None):
        path = tmp_path / name
        path.write_bytes((SAMPLES_DIR / name).read_bytes() if data is None else data)
        return path

    return make


def line_of(path, text: str) -> int:
    doc = Document(path.read_bytes())
    hits = [t for t in doc.tasks if text in t.text]
    assert len(hits) == 1
    return hits[0].line + 1


# ------------------------------------------------------------------------- list


def test_list_json_fields(capsys):
    tasks = run_json(capsys, "list", SAMPLES_DIR / "speckit-feature.md")
    assert tasks and all(set(t) == LIST_KEYS for t in tasks)
    t010 = next(t for t in tasks if t["id"] == "T010")
    assert t010["markers"] == ["P", "US1"]
    assert t010["state"] == "done" and t010["mark"] == "X" and t010["optional"] is False
    assert t010["text"].startswith("T010 [P] [US1] Contract test")
    assert t010["path"][0] == "Tasks: Team Invitations" and t010["path"][1].startswith("Phase 3")
    assert t010["parent_line"] is None and t010["estimate_hours"] is None
    assert [t["line"] for t in tasks] == sorted(t["line"] for t in tasks)
    data = (SAMPLES_DIR / "speckit-feature.md").read_bytes().split(b"\n")
    assert all(b"[" + t["mark"].encode() + b"]" in data[t["line"] - 1] for t in tasks)


def test_list_json_kiro_parents_optional_and_states(capsys):
    tasks = run_json(capsys, "list", SAMPLES_DIR / "kiro-spec.md")
    by_id = {t["id"]: t for t in tasks}
    assert by_id["1.1"]["parent_line"] == by_id["1"]["line"]
    assert by_id["2.3"]["optional"] is True and by_id["2.3"]["state"] == "todo"
    assert by_id["3"]["state"] == "in_progress" and by_id["3"]["mark"] == "-"
    assert by_id["3"]["text"] == "3. Implement local storage layer"


def test_list_json_times(capsys):
    tasks = run_json(capsys, "list", SAMPLES_DIR / "template-project.md")
    design = next(t for t in tasks if "delivery_channels schema" in t["text"])
    assert (design["estimate_hours"], design["actual_hours"]) == (2.0, 1.5)
    ranged = next(t for t in tasks if "test-delivery" in t["text"])
    assert ranged["estimate_hours"] == 2.5 and ranged["actual_hours"] is None


def test_list_filters(capsys):
    plain = SAMPLES_DIR / "plain-todo.md"
    assert [t["text"] for t in run_json(capsys, "list", plain, "--state", "in_progress")] == ["Move restic backups from the old bucket to B2"]
    assert [(t["line"], t["state"]) for t in run_json(capsys, "list", plain, "--state", "cancelled,done")] == [
        (8, "done"), (11, "done"), (12, "done"), (14, "cancelled"), (18, "done"),
    ]
    later = run_json(capsys, "list", plain, "--section", "later")
    assert [t["line"] for t in later] == [38, 39, 40, 41]
    both = run_json(capsys, "list", plain, "--section", "LATER", "--state", "open")
    assert [t["line"] for t in both] == [38, 39, 40, 41]
    assert_one_line_error(*run(capsys, "list", plain, "--section", "no such heading"), "no heading matches")


def test_list_human_table(capsys):
    code, out, err = run(capsys, "list", SAMPLES_DIR / "plain-todo.md")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 16
    assert lines[0].startswith("L7") and "[ ]" in lines[0] and "Replace the failing disk" in lines[0]
    assert "[/]" in lines[3] and "Move restic backups" in lines[3]
    assert lines[1].index("[x]") > lines[0].index("[ ]")  # children are indented


def test_list_of_a_file_with_nul_bytes(capsys, copy):
    path = copy("nul.md", b"- [ ] a\x00b\n- [x] c\n")
    tasks = run_json(capsys, "list", path)
    assert [(t["line"], t["state"], t["text"]) for t in tasks] == [(1, "todo", "a\x00b"), (2, "done", "c")]


# ----------------------------------------------------------------------- status


def test_status_json_fields(capsys):
    st = run_json(capsys, "status", SAMPLES_DIR / "template-project.md")
    assert STATUS_KEYS <= set(st)
    assert (st["total"], st["done"], st["cancelled"], st["dialect"]) == (28, 8, 0, "template")
    assert st["percent"] == 28.6
    assert (st["estimate_hours"], st["actual_hours"]) == (61.5, 21.5)
    assert all(set(s) == SECTION_KEYS for s in st["sections"])
    phase1 = next(s for s in st["sections"] if s["title"].startswith("Phase 1"))
    assert phase1 == {
        "title": "Phase 1: Foundation & Database Layer", "line": 51, "total": 6, "done": 6, "required": 6,
        "required_done": 6, "optional": 0, "cancelled": 0, "percent": 100.0, "status": "complete",
        "estimate_hours": 15.5, "actual_hours": 18.0, "variance_hours": 2.5, "variance_pct": 16.1,
        "remaining_hours": None,
    }
    phase3 = next(s for s in st["sections"] if s["title"].startswith("Phase 3"))
    assert phase3["status"] == "not_started" and phase3["variance_pct"] is None and phase3["actual_hours"] is None
    assert all(set(b) == BLOCKER_KEYS for b in st["blockers"])
    assert st["blockers"][0] == {
        "line": 251, "date": "2026-01-05", "kind": "Blocker",
        "text": "Staging PostgreSQL is still on 15.8, migration 0042 uses `NULLS NOT DISTINCT`", "task": None, "resolved": True,
    }
    assert [b["kind"] for b in st["blockers"]] == ["Blocker", "Decision", "Decision"]


def test_status_agrees_with_list(capsys, sample_files):
    for path in sample_files:
        st = run_json(capsys, "status", path)
        tasks = run_json(capsys, "list", path)
        assert st["total"] == len(tasks) == sum(s["total"] for s in st["sections"])
        assert st["done"] == sum(t["state"] == "done" for t in tasks) == sum(s["done"] for s in st["sections"])
        assert st["cancelled"] == sum(t["state"] == "cancelled" for t in tasks)


def test_status_of_the_template_has_no_placeholder_blockers(capsys, template_path):
    st = run_json(capsys, "status", template_path)
    assert st["blockers"] == [] and st["dialect"] == "template" and st["done"] == 0


def test_status_human_summary(capsys):
    code, out, err = run(capsys, "status", SAMPLES_DIR / "template-project.md")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Implementation Tasks: Notification Preferences Center  (template)"
    assert "8/28 done, 29%" in lines[1] and lines[1].startswith("######")
    assert any(line.startswith("Phase 1: Foundation & Database Layer") and "##########   6/6" in line for line in lines)


# ------------------------------------------------------------------------- next


def test_next(capsys):
    task = run_json(capsys, "next", SAMPLES_DIR / "kiro-spec.md")
    assert set(task) == LIST_KEYS | {"note", "reason"}
    # done and optional tasks are skipped, and a parent in progress waits for its open subtasks: 3.2 comes first
    assert (task["id"], task["state"], task["note"], task["reason"]) == ("3.2", "todo", None, "ready: the first open task")
    code, out, _ = run(capsys, "next", SAMPLES_DIR / "speckit-feature.md")
    assert code == 0 and out.startswith("L67 T014 [US1] Implement InvitationService.create")


def test_next_when_nothing_is_open(capsys, copy):
    path = copy("done.md", b"- [x] a\n- [-] b\n- [ ]* optional\n")
    code, out, err = run(capsys, "next", path, "--json")
    assert_one_line_error(code, out, err, "done.md: nothing left to do")


# ------------------------------------------------------------------- edit commands


def test_toggle_by_id_line_and_substring(capsys, copy):
    path = copy("speckit-feature.md")
    original = path.read_bytes()
    code, out, err = run(capsys, "toggle", path, "T014")
    assert code == 0 and err == "" and out.count("\n") == 1 and "[ ] -> [X]" in out
    after_id = path.read_bytes()
    assert after_id == original.replace(b"- [ ] T014", b"- [X] T014")
    line = line_of(path, "T015")
    assert run(capsys, "toggle", path, f"L{line}")[0] == 0
    assert path.read_bytes() == after_id.replace(b"- [ ] T015", b"- [X] T015")
    assert run(capsys, "toggle", path, "structured logging for INVITATION creation")[0] == 0
    assert path.read_bytes() == after_id.replace(b"- [ ] T015", b"- [X] T015").replace(b"- [ ] T017", b"- [X] T017")


def test_edit_commands_json(capsys, copy):
    path = copy("kiro-spec.md")
    res = run_json(capsys, "toggle", path, "3.2", "--no-sync")
    assert res == {"file": str(path), "changed": True, "summary": res["summary"], "replanned": False, "line": 40, "old": " ", "mark": "x"}
    res = run_json(capsys, "set", path, "4.1", "in-progress")
    assert (res["changed"], res["mark"]) == (True, "-")
    res = run_json(capsys, "set", path, "4.1", "in_progress")
    assert res["changed"] is False
    res = run_json(capsys, "add", path, "Handle 410 Gone", "--under", "4.2")
    assert (res["id"], res["text"]) == ("4.2.1", "4.2.1 Handle 410 Gone")
    res = run_json(capsys, "time", path, "4.1", "1h30m")
    assert (res["label"], res["hours"], res["value"], res["added_hours"]) == ("Actual Time", 1.5, "1.5 hours", 1.5)
    res = run_json(capsys, "estimate", path, "4.1", "45m")
    assert (res["label"], res["value"]) == ("Estimated Time", "0.75 hours")
    res = run_json(capsys, "log", path, "No staging server", "--date", "2026-03-01", "--task", "4.2")
    assert (res["kind"], res["date"], res["task"]) == ("Blocker", "2026-03-01", "4.2")
    res = run_json(capsys, "resolve", path, "staging", "server is up", "--date", "2026-03-02")
    assert res["resolution"] == "server is up"
    res = run_json(capsys, "edit", path, "L40", "3.2 Soft delete")
    assert res["text"] == "3.2 Soft delete"
    res = run_json(capsys, "delete", path, "7.1")
    assert res["removed"] == 1
    doc = Document(path.read_bytes())
    by_id = {t.id: t for t in doc.tasks}
    assert by_id["3.2"].state == "done" and by_id["3.2"].text == "3.2 Soft delete"
    assert by_id["4.1"].state == "in_progress" and by_id["4.1"].actual_hours == 1.5 and by_id["4.1"].estimate_hours == 0.75
    assert "4.2.1" in by_id and "7.1" not in by_id
    entry = doc.log[0]
    assert (entry.kind, entry.task, entry.resolved, entry.resolution) == ("Blocker", "4.2", True, "server is up")


def test_edit_with_expect_refuses_a_text_changed_since(capsys, copy):
    """`edit --expect TEXT`: the text the caller last read; when the task's text is
    another one now, nothing is written and one sentence says so."""
    path = copy("spec.md", b"- [ ] T001 Create the repo\n- [ ] T002 Add config loader (env + file)\n")
    data = path.read_bytes()
    assert_one_line_error(*run(capsys, "edit", path, "T002", "Add the config loader", "--expect", "T002 Add config loader"),
                          "the text of L2 T002 Add config loader (env + file) is not 'T002 Add config loader' any more",
                          "nothing was written")
    assert path.read_bytes() == data
    code, out, _err = run(capsys, "edit", path, "T002", "Add the config loader", "--expect",
                          "T002 Add config loader (env + file)")
    assert code == 0 and out == "L2 T002 Add config loader (env + file) -> T002 Add the config loader\n"
    assert path.read_bytes() == b"- [ ] T001 Create the repo\n- [ ] T002 Add the config loader\n"


def test_sync_command(capsys, copy):
    path = copy("template-project.md")
    data = path.read_bytes()
    res = run_json(capsys, "sync", path)
    assert res["changed"] is False and path.read_bytes() == data  # the sample is in step
    stale = data.replace(b"**Estimated Total**: 61.5 hours", b"**Estimated Total**: 50 hours")
    path.write_bytes(stale)
    code, out, err = run(capsys, "sync", path)
    assert code == 0 and out == "synced 1 progress line(s)\n"
    assert path.read_bytes() == data


def test_sync_on_and_off(capsys, copy, _private_settings):
    path = copy("template-project.md")
    data = path.read_bytes()
    for ref in ("Add domain events", "Implement input validation", "Create service unit tests"):
        assert run(capsys, "toggle", path, ref)[0] == 0
    base = path.read_bytes()
    assert run(capsys, "toggle", path, "Add integration tests", "--no-sync")[0] == 0
    assert "**Phase 2**: ðŸŸ¡ In Progress".encode() in path.read_bytes()  # --no-sync: only the mark
    path.write_bytes(base)
    (_private_settings / "config.toml").write_text("sync = false\n")
    assert run(capsys, "toggle", path, "Add integration tests")[0] == 0
    assert "**Phase 2**: ðŸŸ¡ In Progress".encode() in path.read_bytes()  # the config setting
    path.write_bytes(base)
    (_private_settings / "config.toml").write_text("sync = true\n")
    assert run(capsys, "toggle", path, "Add integration tests")[0] == 0
    assert "**Phase 2**: âœ… Complete".encode() in path.read_bytes()
    assert data != base


def test_day_length_from_the_config(capsys, copy, _private_settings):
    (_private_settings / "config.toml").write_text("day_hours = 6\n")
    path = copy("plain.md", b"- [ ] a\n")
    res = run_json(capsys, "time", path, "a", "1d")
    assert res["hours"] == 6
    assert path.read_bytes() == b"- [ ] a\n  - **Actual Time**: 6 hours\n"


def test_add_with_after_in_speckit(capsys, copy):
    path = copy("speckit-feature.md")
    res = run_json(capsys, "add", path, "Write the changelog", "--after", "T017")
    assert res["id"] == "T" + str(max(int(t.id[1:4]) for t in Document((SAMPLES_DIR / "speckit-feature.md").read_bytes()).tasks if t.id) + 1).zfill(3)
    assert b"- [ ] T017 [US1] Add structured logging for invitation creation in src/services/invitation_service.py\n- [ ] " + res["id"].encode() + b" Write the changelog\n" in path.read_bytes()


# ------------------------------------------------------------------ errors, exit 1


def test_missing_file(capsys, tmp_path):
    for command in ("list", "status", "next", "toggle"):
        argv = [command, tmp_path / "nope.md"] + (["T001"] if command == "toggle" else [])
        code, out, err = run(capsys, *argv)
        assert_one_line_error(code, out, err, "nope.md")
    assert sorted(tmp_path.iterdir()) == []


def test_directory(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "list", tmp_path), "folder")
    assert_one_line_error(*run(capsys, "toggle", tmp_path, "x"), "folder")


def test_unknown_and_ambiguous_refs(capsys, copy):
    path = copy("template-project.md")
    data = path.read_bytes()
    assert_one_line_error(*run(capsys, "toggle", path, "no such task"), "no such task")
    code, out, err = run(capsys, "toggle", path, "unit tests")
    assert_one_line_error(code, out, err, "matches 2 tasks", "L84", "L133", "L<line>")
    code, out, err = run(capsys, "toggle", path, "test")
    assert_one_line_error(code, out, err, "and 4 more")
    assert_one_line_error(*run(capsys, "toggle", path, "L1"), "line 1 is the heading", "not a task")
    assert_one_line_error(*run(capsys, "resolve", path, "Decision", "x"), "matches 2 log entries")
    assert_one_line_error(*run(capsys, "resolve", path, "nothing like it", "x"), "no log entry")
    assert_one_line_error(*run(capsys, "resolve", path, "L252", "x"), "only blockers")
    assert path.read_bytes() == data


def test_duplicate_ids_are_ambiguous(capsys, copy):
    path = copy("dup.md", b"- [ ] T001 a\n- [ ] T001 b\n")
    assert_one_line_error(*run(capsys, "toggle", path, "T001"), "T001 is on lines 1 and 2: use L1 or L2")
    assert run(capsys, "toggle", path, "L2")[0] == 0
    assert path.read_bytes() == b"- [ ] T001 a\n- [X] T001 b\n"  # spec-kit ids: spec-kit's done mark


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["time", "{path}", "Add domain events", "abc"], "not a duration"),
        (["time", "{path}", "Add domain events", "0m"], "at least one minute"),
        (["estimate", "{path}", "Add domain events", "1.5.2h"], "not a duration"),
        (["resolve", "{path}", "Staging", "x"], "already resolved"),
        (["add", "{path}", "two\nlines"], "single line"),
        (["edit", "{path}", "Add domain events", "  "], "some text"),
        (["log", "{path}", "x", "--task", "nothing like it"], "no task matches"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(capsys, copy, argv, needle):
    path = copy("template-project.md")
    data = path.read_bytes()
    code, out, err = run(capsys, *[a.replace("{path}", str(path)) for a in argv])
    assert_one_line_error(code, out, err)
    assert needle.lower() in err.lower(), err
    assert path.read_bytes() == data


@pytest.mark.parametrize("argv, needle", [
    (["set", "{path}", "Add domain events", "weird"], "unknown state"),
    (["list", "{path}", "--state", "bogus"], "unknown state bogus"),
    (["list", "{path}", "--dialect", "nonsense"], "invalid choice"),
    (["log", "{path}", "x", "--kind", "Nope"], "'Nope' is not a kind of entry: use Blocker or Decision"),
    (["log", "{path}", "x", "--date", "2026-13-01"], "not a real date"),
    (["resolve", "{path}", "Staging", "x", "--date", "yesterday"], "not a real date"),
    (["status", "{path}", "--limit", "3"], "use it with --all"),
    (["status", "--all", "{path}", "--limit", "0"], "at least 1"),
])
def test_usage_errors_exit_2(capsys, copy, argv, needle):
    path = copy("template-project.md")
    data = path.read_bytes()
    argv = [a.replace("{path}", str(path)) for a in argv]
    try:
        code, out, err = run(capsys, *argv)
    except SystemExit:
        code, out, err = _exit_code(capsys, argv)
    assert code == 2 and needle in err and "Traceback" not in err
    assert path.read_bytes() == data


def _exit_code(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_a_parent_whose_subtasks_are_all_done_is_offered(capsys, copy):
    path = copy("k.md", b"# Plan\n\n- [x] 1. First\n- [-] 2. Second\n  - [x] 2.1 a\n  - [x] 2.2 b\n- [ ] 3. Third\n")
    task = run_json(capsys, "next", path)
    assert task["id"] == "2" and f"mark it done with `tasktui toggle {path} 2`" in task["note"]
    code, out, err = run(capsys, "next", path)
    assert out.splitlines()[1].strip().startswith("all its subtasks are done")
    assert path.read_bytes().count(b"[-]") == 1, "offered, not changed"


def test_read_only_file(capsys, copy):
    path = copy("plain-todo.md")
    data = path.read_bytes()
    path.chmod(0o444)
    for argv in (["toggle", path, "L8"], ["add", path, "x"], ["log", path, "x"], ["sync", path]):
        assert_one_line_error(*run(capsys, *argv), "read-only")
    assert path.read_bytes() == data
    assert run_json(capsys, "list", path)  # reading still works


def test_nul_file_edits_are_refused(capsys, copy):
    path = copy("nul.md", b"- [ ] a\x00\n- [ ] b\n")
    for argv in (["toggle", path, "b"], ["time", path, "b", "1h"], ["add", path, "c"]):
        assert_one_line_error(*run(capsys, *argv), "NUL")
    assert path.read_bytes() == b"- [ ] a\x00\n- [ ] b\n"


def test_broken_config_is_one_line_and_set_aside(capsys, copy, _private_settings, monkeypatch):
    """tasktui's own config (at its default place) that cannot be used never stops a
    command: one line on stderr says what was wrong and where the file went; the
    defaults are used."""
    monkeypatch.delenv("TASKTUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(_private_settings / "xdg"))
    folder = _private_settings / "xdg" / "tasktui"
    folder.mkdir(parents=True)
    config_file = folder / "config.toml"
    config_file.write_text("day_hours = 99\n")
    path = copy("plain.md", b"- [ ] a\n")
    code, out, err = run(capsys, "time", path, "a", "1d")
    assert code == 0 and out.strip() and len(err.splitlines()) == 1
    assert "day_hours" in err and "moved to config.toml.bad-" in err and "defaults are used" in err
    assert not config_file.exists()
    [kept] = folder.glob("config.toml.bad-*")
    assert kept.read_text() == "day_hours = 99\n"
    assert path.read_bytes() == b"- [ ] a\n  - **Actual Time**: 8 hours\n"  # the default day


def test_a_config_the_user_named_is_reported_and_left_alone(capsys, copy, tmp_path, monkeypatch):
    """TASKTUI_CONFIG naming a file of the user's that is not a config (a copy of
    /etc/passwd): one line, the defaults, and the file stays where and as it was."""
    theirs = tmp_path / "passwd-copy"
    theirs.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    monkeypatch.setenv("TASKTUI_CONFIG", str(theirs))
    path = copy("plain.md", b"- [ ] a\n")
    code, out, err = run(capsys, "list", path)
    assert code == 0 and "a" in out and len(err.splitlines()) == 1 and "ignored" in err
    assert theirs.read_bytes() == b"root:x:0:0:root:/root:/bin/bash\n"
    assert not list(tmp_path.glob("passwd-copy.bad-*"))


def test_a_ref_to_a_deleted_task(capsys, copy):
    path = copy("plain.md", b"- [ ] a\n- [ ] b\n")
    code, out, err = run(capsys, "delete", path, "b")
    assert code == 0
    assert_one_line_error(*run(capsys, "toggle", path, "b"), "no task matches")
    assert path.read_bytes() == b"- [ ] a\n"


# ----------------------------------------------------------------- usage, exit 2


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["status"],
        ["toggle", "x.md"],
        ["list", "x.md", "--bogus"],
        ["add", "x.md", "t", "--after", "a", "--under", "b"],
        ["set", "x.md", "a"],
    ],
)
def test_wrong_usage_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert "usage:" in err and "Traceback" not in err


def test_subcommand_names_win_over_file_names(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("status", "list", "toggle"):
        (tmp_path / name).write_bytes(b"- [ ] a file named like a command\n")
    with pytest.raises(SystemExit) as exc:
        cli.main(["status"])  # the command, missing its FILE; not the file called "status"
    assert exc.value.code == 2
    capsys.readouterr()
    tasks = run_json(capsys, "list", "status")  # a file named "status" is still a FILE argument
    assert [t["text"] for t in tasks] == ["a file named like a command"]
    code, out, err = run(capsys, "toggle", "list", "command")
    assert code == 0 and (tmp_path / "list").read_bytes() == b"- [x] a file named like a command\n"


def test_open_with_a_missing_file_fails_before_the_app(capsys, tmp_path):
    for argv in (["open", tmp_path / "nope.md"], [tmp_path / "nope.md"]):
        code, out, err = run(capsys, *argv)
        assert_one_line_error(code, out, err, "nope.md")


# ----------------------------------------------------------------- real processes


def tasktui(*argv, cwd=None) -> subprocess.CompletedProcess:
    exe = shutil.which("tasktui", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "tasktui"]
    return subprocess.run(cmd + [str(a) for a in argv], capture_output=True, timeout=60, cwd=cwd)


def test_process_list_json_and_toggle(tmp_path):
    path = tmp_path / "kiro.md"
    data = (SAMPLES_DIR / "kiro-spec.md").read_bytes()
    path.write_bytes(data)
    p = tasktui("list", path, "--json")
    assert p.returncode == 0 and p.stderr == b""
    tasks = json.loads(p.stdout)
    assert len(tasks) == len(Document(data).tasks) and set(tasks[0]) == LIST_KEYS
    p = tasktui("toggle", path, "L40", "--json", "--no-sync")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["changed"] is True and res["line"] == 40
    new = path.read_bytes()
    assert [i for i in range(len(data)) if data[i] != new[i]] == [data.index(b"[ ] 3.2") + 1]


def test_process_errors_are_one_line_with_exit_codes(tmp_path):
    p = tasktui("status", tmp_path / "missing.md")
    assert p.returncode == 1 and p.stdout == b""
    assert p.stderr.count(b"\n") == 1 and b"missing.md" in p.stderr and b"Traceback" not in p.stderr
    p = tasktui("toggle", tmp_path / "missing.md")
    assert p.returncode == 2 and b"usage:" in p.stderr and b"Traceback" not in p.stderr


def test_process_python_dash_m_and_non_utf8_output(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(b"# T\n- [ ] caf\xe9\n")
    env = dict(os.environ, LC_ALL="C", PYTHONIOENCODING="ascii")
    p = subprocess.run([sys.executable, "-m", "tasktui", "list", str(path)], capture_output=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert b"caf" in p.stdout and b"Traceback" not in p.stderr

