"""`tasktui move`, `renumber`, and `toggle`/`set`/`delete` with several REFs: the
whole resulting bytes, --json, one write, and every error in one line (exit 1;
wrong usage exit 2) with the file untouched."""

from __future__ import annotations

import json

import pytest
from support import SAMPLES_DIR, assert_one_line_error, hostile_bytes, run

from tasktui.doc import Document
from tasktui.core.tasksfile import TasksFile

DATA = (b"# Plan\n\n## Phase 1: Setup\n\n- [x] T001 Create structure\n- [ ] T002 [P] Add deps\n  - detail\n"
        b"- [ ] T003 Configure lint\n\n## Phase 2: Core\n\n- [ ] T004 [US1] Model\n- [ ] T005 [US1] Service\n")


@pytest.fixture
def tasks(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(DATA)
    return path


def test_move_before_after_and_to_a_section(capsys, tasks):
    code, out, err = run(capsys, "move", tasks, "T003", "--before", "T001")
    assert (code, err) == (0, "") and out == "moved L8 T003 Configure lint before L5 T001 Create structure\n"
    assert tasks.read_bytes() == DATA.replace(b"- [x] T001 Create structure\n", b"- [ ] T003 Configure lint\n- [x] T001 Create structure\n", 1).replace(
        b"  - detail\n- [ ] T003 Configure lint\n", b"  - detail\n")
    tasks.write_bytes(DATA)
    assert run(capsys, "move", tasks, "T004", "--after", "T005")[0] == 0
    assert tasks.read_bytes() == DATA.replace(b"- [ ] T004 [US1] Model\n- [ ] T005 [US1] Service\n",
                                              b"- [ ] T005 [US1] Service\n- [ ] T004 [US1] Model\n")
    tasks.write_bytes(DATA)
    code, out, _err = run(capsys, "move", tasks, "T002", "--section", "phase 2", "--json")
    assert code == 0
    assert json.loads(out) == {"file": str(tasks), "changed": True, "replanned": False, "line": 12,
                               "summary": "moved L6 T002 [P] Add deps to the end of Phase 2: Core",
                               "text": "T002 [P] Add deps", "id": "T002"}
    assert tasks.read_bytes() == (b"# Plan\n\n## Phase 1: Setup\n\n- [x] T001 Create structure\n- [ ] T003 Configure lint\n\n"
                                  b"## Phase 2: Core\n\n- [ ] T004 [US1] Model\n- [ ] T005 [US1] Service\n"
                                  b"- [ ] T002 [P] Add deps\n  - detail\n")


def test_move_that_changes_nothing_writes_nothing(capsys, tasks):
    code, out, _err = run(capsys, "move", tasks, "T005", "--section", "Phase 2: Core")
    assert code == 0 and out == "L13 T005 [US1] Service is already the last task under Phase 2: Core\n"
    assert tasks.read_bytes() == DATA


@pytest.mark.parametrize("argv, needles", [
    (["T999", "--before", "T001"], ["no task matches 'T999'"]),
    (["T001", "--before", "nothing like it"], ["no task matches 'nothing like it'"]),
    (["T002", "--section", "Phase 9"], ["no heading matches 'Phase 9'"]),
    (["T002", "--section", "Phase"], ["'Phase' matches 2 headings", "L3 Phase 1: Setup", "be more specific"]),
    (["T002", "--after", "T002"], ["cannot move next to itself or into its own subtasks"]),
    (["L3", "--section", "Phase 2"], ["line 3 is a heading", "heading-level task moves with its section"]),
    (["T001", "--after", "L3"], ["line 3 is a heading"]),
])
def test_move_errors_are_one_line_and_write_nothing(capsys, tasks, argv, needles):
    assert_one_line_error(*run(capsys, "move", tasks, *argv), *needles)
    assert tasks.read_bytes() == DATA


def test_move_refuses_legend_items(capsys, tmp_path):
    path = tmp_path / "keyed.md"
    data = b"**Legend:**\n\n- [ ] to do\n- [x] done\n\n## Work\n\n- [ ] a\n- [ ] b\n"
    path.write_bytes(data)
    code, out, err = run(capsys, "move", path, "L3", "--section", "Work")
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.splitlines()[-1] == ("tasktui: L3 is part of the file's legend, which says what [ ] means: it is not a "
                                    "task, and tasktui does not move it")
    assert path.read_bytes() == data


@pytest.mark.parametrize("argv", [
    ["T001"],  # where to?
    ["T001", "--before", "T002", "--after", "T003"],
    ["T001", "--before", "T002", "--section", "Core"],
    [],
])
def test_move_usage_errors_exit_2(capsys, tasks, argv):
    with pytest.raises(SystemExit) as exc:
        run(capsys, "move", tasks, *argv)
    assert exc.value.code == 2
    _out, err = capsys.readouterr()
    assert "usage:" in err and "Traceback" not in err
    assert err.splitlines()[-1].startswith("tasktui: ")
    assert tasks.read_bytes() == DATA


def test_toggle_set_delete_several_refs_in_one_write(capsys, tasks, monkeypatch):
    writes = []
    apply = TasksFile.apply

    def counted(self, op, **kw):
        writes.append(op)
        return apply(self, op, **kw)

    monkeypatch.setattr(TasksFile, "apply", counted)
    code, out, _err = run(capsys, "toggle", tasks, "T002", "T004", "L13")
    assert code == 0 and out == "3 task(s) -> [x]: L6, L12, L13\n" and len(writes) == 1
    assert tasks.read_bytes() == DATA.replace(b"[ ] T002", b"[x] T002").replace(b"[ ] T004", b"[x] T004").replace(
        b"[ ] T005", b"[x] T005")
    # all done: all open again (one rule, however mixed)
    assert run(capsys, "toggle", tasks, "T002", "T004", "T005", "T001")[0] == 0
    assert tasks.read_bytes() == DATA.replace(b"[x] T001", b"[ ] T001")
    tasks.write_bytes(DATA)
    code, out, _err = run(capsys, "set", tasks, "T001", "T003", "in-progress", "--json")
    assert code == 0 and json.loads(out)["lines"] == [5, 8] and json.loads(out)["mark"] == "/"
    assert tasks.read_bytes() == DATA.replace(b"[x] T001", b"[/] T001").replace(b"[ ] T003", b"[/] T003")
    tasks.write_bytes(DATA)
    code, out, _err = run(capsys, "delete", tasks, "T002", "T003", "T005", "T002")
    assert code == 0 and out == "deleted 3 task(s): L6, L8, L13\n"
    assert tasks.read_bytes() == (b"# Plan\n\n## Phase 1: Setup\n\n- [x] T001 Create structure\n\n"
                                  b"## Phase 2: Core\n\n- [ ] T004 [US1] Model\n")
    assert len(writes) == 4


@pytest.mark.parametrize("command", [["toggle"], ["delete"], ["set", "done"]])
def test_several_refs_one_missing_writes_nothing_and_names_it(capsys, tasks, command):
    name, *state = command
    code, out, err = run(capsys, name, tasks, "T001", "Configure", "no such task", "T004", *state)
    assert_one_line_error(code, out, err, "no task matches 'no such task'")
    assert tasks.read_bytes() == DATA


def test_renumber_command(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    data = b"## 2. Backend\n\n- [ ] 2.3 c\n- [ ] 2.1 a\n  - [ ] 2.1.1 sub\n"
    path.write_bytes(data)
    code, out, _err = run(capsys, "renumber", path, "Backend")
    assert code == 0 and out == "renumbered 3 number(s) under 2. Backend\n"
    assert path.read_bytes() == b"## 2. Backend\n\n- [ ] 2.1 c\n- [ ] 2.2 a\n  - [ ] 2.2.1 sub\n"
    assert_one_line_error(*run(capsys, "renumber", SAMPLES_DIR / "speckit-feature.md", "Phase 2"),
                          "not numbered: there is nothing to renumber")


def test_hostile_task_text_in_move_messages_is_shown_safely(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    evil = hostile_bytes("QZXJ \x1b]0;PWNED\x07 [b]bold[/b] \u202eevil\u202c")
    data = b"## A\n\n- [ ] first\n- [ ] " + evil + b"\n\n## B " + evil + b"\n\n- [ ] other\n"
    path.write_bytes(data)
    code, out, err = run(capsys, "move", path, "L4", "--section", "B")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out and "␛]0;PWNED␇" in out and "[b]bold[/b]" in out
    assert Document(path.read_bytes()).tasks[-1].text.startswith("QZXJ")
    code, out, err = run(capsys, "move", path, "L4", "--section", "PWNED")
    assert code == 1 and "\x1b" not in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, needle", [
    (["toggle"], "the following arguments are required: REF"),
    (["delete"], "the following arguments are required: REF"),
    (["set", "T001"], "the following arguments are required: STATE"),
    (["set", "T001", "T002", "bogus"], "unknown state 'bogus'"),
], ids=["toggle-no-ref", "delete-no-ref", "set-no-state", "set-bad-state"])
def test_several_refs_usage_errors_exit_2(capsys, tasks, argv, needle):
    name, *rest = argv
    try:  # argparse's own errors leave by SystemExit, the command's checks by main's return value
        code, _out, err = run(capsys, name, tasks, *rest)
    except SystemExit as exc:
        code, (_out, err) = exc.code, capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and err.splitlines()[-1] == f"tasktui: {needle}" + (
        ": use todo, done, in_progress, queued, blocked, review, draft, cancelled" if "bogus" in needle else "")
    assert tasks.read_bytes() == DATA


def test_hostile_headings_in_an_ambiguous_section_are_shown_plainly(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    data = (b"## A \x1b]0;PWNED\x07 [b]x[/b] \xe2\x80\xaeevil\n\n- [ ] a\n- [ ] b\n\n"
            b"## A2 \x1b[31mred\n\n- [ ] c\n")
    path.write_bytes(data)
    code, out, err = run(capsys, "move", path, "L3", "--section", "A")
    assert_one_line_error(code, out, err, "'A' matches 2 headings", "be more specific")
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "L1 A ␛]0;PWNED␇ [b]x[/b]" in err and "L6 A2 ␛[31mred" in err
    assert path.read_bytes() == data
