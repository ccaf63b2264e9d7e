"""Empty is not done: a file without tasks says "no tasks" everywhere (never
"all done" or 100 %), and a file whose only checkboxes sit in code blocks says
once how many there are and why they are not read."""

from __future__ import annotations

import json

from support import run, running, screen_text, wait_for
from tasktui.doc import Document
from tasktui.doc.rollup import RollUp

HEADINGS_ONLY = b"# Spec\n\n## T1. Set up the repository\n\n- plain bullet\n- another\n\n## T2. Build\n\n- more\n"
FENCED = b"# Spec\n\n## Tasks\n\n```markdown\n- [ ] 1. Set up\n- [x] 2. Build\n  - [ ] 2.1 Nested\n```\n"
NOTICE = ("All 3 checkboxes in this file are inside code blocks (```), which markdown shows as code, not as tasks, "
          "so none is read as a task.")


def test_a_file_without_tasks_says_no_tasks(tmp_path, capsys):
    counts = RollUp(Document(HEADINGS_ONLY)).document
    assert (counts.summary(), counts.percent, counts.status) == ("no tasks", 0.0, "not_started")
    path = tmp_path / "tasks.md"
    path.write_bytes(HEADINGS_ONLY)
    code, out, err = run(capsys, "status", path)
    assert code == 0 and out.splitlines()[1] == "no tasks" and "done" not in out and "100" not in out
    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert (status["total"], status["percent"], status["problems"]) == (0, 0.0, [])
    code, out, err = run(capsys, "next", path)
    assert (code, err) == (1, f"tasktui: {path}: the file has no tasks\n")
    code, out, err = run(capsys, "status", "--all", tmp_path)
    assert code == 0 and "no tasks" in out and "all done" not in out and "0/0" not in out


def test_checkboxes_only_in_code_blocks_are_said_once(tmp_path, capsys):
    doc = Document(FENCED)
    assert not doc.tasks and doc.problems == [NOTICE]
    one = Document(b"```\n- [ ] only\n```\n")
    assert one.problems == ["The only checkbox in this file is inside a code block (```), which markdown shows as "
                            "code, not as a task, so it is not read as a task."]
    assert Document(b"# P\n\n- [ ] real\n\n```\n- [ ] example\n```\n").problems == []  # it has tasks: nothing to say
    path = tmp_path / "tasks.md"
    path.write_bytes(FENCED)
    code, out, err = run(capsys, "status", path)
    assert out.splitlines()[1:] == ["no tasks", f"note: {NOTICE}"]
    assert json.loads(run(capsys, "status", path, "--json")[1])["problems"] == [NOTICE]


async def test_the_app_says_no_tasks_and_the_notice_once(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(FENCED)
    async with running(path) as (app, pilot, notes):
        await wait_for(pilot, lambda: any(NOTICE == n[0] for n in notes), what="the notice")
        second = app.main.header.content.plain.splitlines()[1]
        assert second.startswith("no tasks") and "%" not in second and "0/0" not in second, second
        assert [n[0] for n in notes].count(NOTICE) == 1


async def test_the_overview_row_of_a_file_without_tasks_says_no_tasks(tmp_path):
    from tasktui.core.workspace import find_tasks_files
    from tasktui.ui.app import TaskTuiApp

    root = tmp_path / "repo"
    for rel, data in (("specs/001-a/tasks.md", HEADINGS_ONLY), ("specs/002-b/tasks.md", b"# B\n\n- [x] done\n")):
        (root / rel).parent.mkdir(parents=True)
        (root / rel).write_bytes(data)
    app = TaskTuiApp(workspace=root, files=find_tasks_files(root))
    async with app.run_test(size=(160, 30)) as pilot:
        table = app.overview.table
        await wait_for(pilot, lambda: bool(table.rows) and all(r.parsed for r in table.rows), what="the files")
        await pilot.pause()
        text = screen_text(app)
        empty = next(ln for ln in text.splitlines() if "specs/001-a" in ln)
        assert "no tasks" in empty and "all done" not in empty and "%" not in empty, empty
        done = next(ln for ln in text.splitlines() if "specs/002-b" in ln)
        assert "all done" in done and "100%" in done, done
        await app.workers.wait_for_complete()
