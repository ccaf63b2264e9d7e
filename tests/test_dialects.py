"""Every file read as its author meant it: a file's own legend, the dialect from
its strongest evidence, bold ids, OpenSpec, Kiro's parts, estimates written on
headings, the user's word on the dialect. Crafted fixtures, one per case."""

from __future__ import annotations

import json
import re

import pytest

from support import cursor_to_row, run, running, wait_file, wait_for
from tasktui.doc import Document
from tasktui.doc.rollup import RollUp

KIRO_HEADINGS = b"""# Implementation Plan

Status key: `[ ]` not started, `[-]` in progress, `[~]` queued, `[x]` done

## 1. Preparation

- [x] 1.1 Read the design
  - _Requirements: 1.1_
- [-] 1.2 Set up the repository
  - _Requirements: 1.2_
- [~] 1.3 Order the test devices
  - _Requirements: 1.3_

## 2. Build

- [ ] 2.1 Write the parser
  - _Requirements: 2.1_
"""


def test_a_kiro_spec_with_numbered_headings_and_its_own_key(tmp_path, capsys):
    doc = Document(KIRO_HEADINGS)
    assert doc.dialect == "kiro"
    assert [(t.id, t.state) for t in doc.tasks] == [("1.1", "done"), ("1.2", "in_progress"), ("1.3", "queued"),
                                                     ("2.1", "todo")]
    counts = RollUp(doc).document
    assert (counts.required, counts.required_done, counts.cancelled) == (4, 1, 0), "[-] is in progress, not cancelled"
    path = tmp_path / "tasks.md"
    path.write_bytes(KIRO_HEADINGS)
    assert run(capsys, "set", path, "2.1", "queued")[0] == 0
    assert b"- [~] 2.1 Write the parser" in path.read_bytes()
    assert run(capsys, "set", path, "2.1", "in_progress")[0] == 0
    assert b"- [-] 2.1 Write the parser" in path.read_bytes()


SPECKIT_WITH_NOTES = b"""# Tasks: Invitations

## Phase 1: Setup

- [X] T001 Create the project
- [ ] T002 [P] Configure linting

## Notes

**Estimated Time**: about a week for everything
"""


def test_one_estimate_in_a_notes_section_does_not_make_a_template(tmp_path, capsys):
    doc = Document(SPECKIT_WITH_NOTES)
    assert doc.dialect == "speckit" and doc.done_mark() == "X"
    path = tmp_path / "tasks.md"
    path.write_bytes(SPECKIT_WITH_NOTES)
    assert run(capsys, "toggle", path, "T002")[0] == 0
    assert b"- [X] T002 [P] Configure linting" in path.read_bytes()
    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert status["dialect"] == "speckit" and status["dialect_signals"] == ["2 of 2 tasks have T001-style ids"]


def test_bold_ids_are_ids(tmp_path, capsys):
    data = b"# Tasks\n\n## Setup\n\n- [ ] **T001** [Setup] Create the repo\n- [ ] **T002** [P] [US1] Add CI\n"
    doc = Document(data)
    assert [(t.id, t.markers) for t in doc.tasks] == [("T001", ("Setup",)), ("T002", ("P", "US1"))]
    assert doc.dialect == "speckit"
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    out = json.loads(run(capsys, "add", path, "Write the docs", "--json")[1])
    assert out["id"] == "T003"
    assert run(capsys, "toggle", path, "T002")[0] == 0
    assert b"- [X] **T002** [P] [US1] Add CI" in path.read_bytes()
    assert run(capsys, "edit", path, "T001", "Create the repository")[0] == 0
    assert b"- [ ] **T001** [Setup] Create the repository\n" in path.read_bytes()


LEGENDS = {
    "blockquote": b"# Migration\n\n> - [ ] pending\n> - [x] done\n> - [~] skipped\n\n## Work\n\n- [ ] a\n- [~] b\n- [x] c\n",
    "heading": b"# Migration\n\n## Legend\n\n- [ ] pending\n- [x] done\n- [~] skipped\n\n## Work\n\n- [ ] a\n- [~] b\n- [x] c\n",
    "introduced": b"# Migration\n\n**Status key:**\n- [ ] pending\n- [x] done\n- [~] skipped\n\n## Work\n\n- [ ] a\n- [~] b\n- [x] c\n",
    "inline code": b"# Migration\n\nLegend: `[ ]` pending \xc2\xb7 `[x]` done \xc2\xb7 `[~]` skipped\n\n## Work\n\n- [ ] a\n- [~] b\n- [x] c\n",
}


@pytest.mark.parametrize("form", LEGENDS)
def test_a_files_own_legend_decides_what_marks_mean(tmp_path, capsys, form):
    path = tmp_path / "tasks.md"
    path.write_bytes(LEGENDS[form])
    tasks = json.loads(run(capsys, "list", path, "--json")[1])
    work = [t for t in tasks if not t["legend"]]
    assert [(t["text"], t["state"]) for t in work] == [("a", "todo"), ("b", "cancelled"), ("c", "done")]
    legend = [t["text"] for t in tasks if t["legend"]]
    assert legend == ([] if form == "inline code" else ["pending", "done", "skipped"])
    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert (status["total"], status["done"], status["cancelled"], status["percent"]) == (3, 1, 1, 50.0)
    assert json.loads(run(capsys, "next", path, "--json")[1])["text"] == "a"
    assert [t["text"] for t in json.loads(run(capsys, "list", path, "--json", "--state", "todo")[1])] == ["a"]
    if legend:
        listed = json.loads(run(capsys, "list", path, "--json", "--state", "legend")[1])
        assert [t["text"] for t in listed] == legend
        # an id or a piece of text never means the legend; its line does, with a word about it
        code, out, err = run(capsys, "toggle", path, "pending")
        assert code == 1 and "no task matches" in err


def test_a_legend_word_that_fits_no_state_is_a_label():
    doc = Document(b"Legend:\n- [ ] to do\n- [?] unclear (ask Dana)\n- [x] done\n\n## Work\n\n- [?] old thing\n")
    task = doc.tasks[-1]
    assert (task.state, task.label) == ("other", "unclear")


@pytest.mark.parametrize("word", ["deprecated (can be deleted)", "Obsolete", "won't fix", "abandoned"])
def test_words_for_work_that_will_not_be_done_mean_cancelled(word):
    doc = Document(b"Legend:\n- [ ] to do\n- [-] " + word.encode() + b"\n- [x] done\n\n## Work\n\n- [-] old thing\n- [ ] new thing\n")
    assert doc.tasks[-2].state == "cancelled"
    assert RollUp(doc).document.summary().startswith("0/1")


def test_a_list_of_short_tasks_is_not_a_legend():
    doc = Document(b"## Sprint\n\n- [ ] fix\n- [x] ship\n- [-] drop\n")
    assert not doc.legend and not any(t.legend for t in doc.tasks)


def test_the_app_does_not_edit_the_legend(tmp_path):
    import asyncio

    path = tmp_path / "tasks.md"
    path.write_bytes(LEGENDS["heading"])

    async def go():
        async with running(path) as (app, pilot, notes):
            app.main.tree.set_all_collapsed(False)
            app.main.tree.move_to_task(0)
            await pilot.press("space")
            await wait_for(pilot, lambda: any("legend" in n[0] for n in notes), what="the legend notice")
            assert path.read_bytes() == LEGENDS["heading"]

    asyncio.run(go())


OPENSPEC = b"""# Tasks

## 1. Implementation

- [x] 1.1 Add the schema
- [ ] 1.2 Write the handler

## 2. Validation

- [ ] 2.1 Run the checks
"""


def test_openspec_is_a_dialect_of_its_own(tmp_path, capsys):
    doc = Document(OPENSPEC)
    assert doc.dialect == "openspec"
    assert Document(OPENSPEC, path="repo/openspec/changes/add-x/tasks.md").dialect_signals == (
        "its path is under openspec/",)
    path = tmp_path / "tasks.md"
    path.write_bytes(OPENSPEC)
    out = json.loads(run(capsys, "add", path, "Write the tests", "--after", "1.2", "--json")[1])
    assert out["id"] == "1.3"
    assert b"- [ ] 1.2 Write the handler\n- [ ] 1.3 Write the tests\n" in path.read_bytes()


def test_the_path_is_evidence(tmp_path, capsys):
    data = b"- [ ] one\n- [ ] two\n"
    for where, dialect in (("x/.kiro/specs/feat/tasks.md", "kiro"), ("specs/004-invoice/tasks.md", "speckit"),
                           ("openspec/changes/a/tasks.md", "openspec"), ("notes/tasks.md", "generic")):
        assert Document(data, path=where).dialect == dialect


def test_the_user_says_what_a_file_is(tmp_path, capsys, _private_settings):
    data = b"# Plan\n\n- [ ] 1. First\n  - [ ] 1.1 Sub\n- [-] 2. Second\n"
    path = tmp_path / "plan.md"
    path.write_bytes(data)
    assert json.loads(run(capsys, "status", path, "--json")[1])["dialect"] == "kiro"
    status = json.loads(run(capsys, "status", path, "--json", "--dialect", "generic")[1])
    assert (status["dialect"], status["dialect_signals"], status["cancelled"]) == ("generic", ["set by the user"], 1)
    (_private_settings / "config.toml").write_text('[dialects]\n"*.md" = "generic"\n')
    assert json.loads(run(capsys, "status", path, "--json")[1])["dialect"] == "generic"


def test_kiro_progress_per_top_level_task(tmp_path, capsys):
    data = b"# Plan\n\n- [x] 1. First\n  - [x] 1.1 a\n  - [x] 1.2 b\n- [-] 2. Second\n  - [x] 2.1 a\n  - [ ] 2.2 b\n" \
           b"  - [ ]* 2.3 c\n  - _Requirements: 2_\n"
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert [(p["id"], p["required_done"], p["required"], p["optional"], p["status"]) for p in status["top_level"]] == [
        ("1", 3, 3, 0, "complete"), ("2", 1, 3, 1, "in_progress")]
    text = run(capsys, "status", path)[1]
    assert re.search(r"1\. First +#+ +3/3", text) and re.search(r"2\. Second +#+\.+ +1/3", text)


def test_status_columns_line_up_in_terminal_cells(tmp_path, capsys):
    data = "# 计划\n\n## 数据库架构更新\n\n- [x] a\n\n## Setup\n\n- [ ] b\n\n## 🚀 Launch\n\n- [ ] c\n".encode()
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    from rich.cells import cell_len

    lines = [ln for ln in run(capsys, "status", path)[1].splitlines() if re.search(r" [#.]{10} ", ln)]
    columns = {cell_len(ln[: re.search(r" [#.]{10} ", ln).start()]) for ln in lines}
    assert len(lines) == 3 and len(columns) == 1, lines


async def test_t_on_a_heading_books_time_beside_its_estimate(tmp_path):
    data = (b"# P\n\n## Phase 1\n\n#### Task 1: Setup\n- **Estimated Time**: 2 hours\n- [x] acceptance one\n"
            b"- [ ] acceptance two\n")
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    async with running(path) as (app, pilot, notes):
        tree = app.main.tree
        row = next(i for i, r in enumerate(tree.rows) if r.kind == "heading"
                   and tree.outline.headings[r.index].text == "Task 1: Setup")
        await cursor_to_row(pilot, row)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TimeDialog", what="the time dialog")
        await pilot.press(*"1h", "enter")
        await wait_file(pilot, path, data.replace(b"2 hours\n", b"2 hours\n- **Actual Time**: 1 hour\n"))
        counts = app.tasks_file.rollup.section(0)
        # time under a heading counts as an open task's: 1 h of its 2 spent is no saving yet
        assert (counts.estimate_hours, counts.actual_hours, counts.variance_hours, counts.variance_pct) == (2, 1, 0, None)


def test_time_and_estimate_on_a_heading_from_the_command_line(tmp_path, capsys):
    """`L<line>` of a heading books as `t` on its row does: beside the heading's own estimate."""
    data = b"# P\n\n#### Task 1: Setup\n- **Estimated Time**: 2 hours\n- [ ] a\n"
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    assert run(capsys, "time", path, "L3", "1h")[0] == 0
    assert path.read_bytes() == data.replace(b"2 hours\n", b"2 hours\n- **Actual Time**: 1 hour\n")
    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert (status["variance_hours"], status["variance_pct"], status["remaining_hours"]) == (0.0, None, 1.0)
    assert run(capsys, "estimate", path, "L3", "3h")[0] == 0
    assert b"- **Estimated Time**: 3 hours\n- **Actual Time**: 1 hour\n" in path.read_bytes()
    code, out, err = run(capsys, "time", path, "L1", "1h")  # the title heading: a line of its own under it
    assert code == 0, err
