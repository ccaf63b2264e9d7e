"""One truth: for random documents, every surface shows the numbers of the one
roll-up (tasktui.doc.rollup): the header, the tree's section rows, the detail
pane of each section, the workspace overview and `status --all`, `tasktui status` as text and as JSON, and the
progress sync of the Completion Status lines."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import row_text, run, wait_for
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc.rollup import RollUp
from tasktui.core.outline import HEADING

MARKS = [" ", "x", "X", "-", "/", "~"]


@st.composite
def documents(draw) -> bytes:
    kiro = draw(st.booleans())
    phases = draw(st.integers(1, 4))
    lines = ["# Plan", ""]
    for p in range(1, phases + 1):
        lines += [f"## Phase {p}: Part {p}", ""]
        if draw(st.booleans()):
            lines += [f"**Estimated Time**: {draw(st.integers(1, 9))} hours", ""]
        for k in range(1, draw(st.integers(0, 5)) + 1):
            mark = draw(st.sampled_from(MARKS))
            star = "*" if draw(st.integers(0, 3)) == 0 else ""
            ident = f"{p}.{k} " if kiro else ""
            lines.append(f"- [{mark}]{star} {ident}Task {p} {k}")
            if draw(st.booleans()):
                lines.append(f"  - **Estimated Time**: {draw(st.sampled_from(['1', '2.5', '0.25']))} hours")
            if draw(st.booleans()):
                lines.append(f"  - **Actual Time**: {draw(st.sampled_from(['1', '3', '45 minutes']))}")
            for j in range(draw(st.integers(0, 2))):
                lines.append(f"  - [{draw(st.sampled_from(MARKS))}] sub {p} {k} {j}")
        lines.append("")
    lines += ["## Progress Tracking", "", "### Completion Status", ""]
    lines += [f"**Phase {p}**: Not Started  " for p in range(1, phases + 1)]
    return ("\n".join(lines) + "\n").encode()


def pct(text: str) -> int:
    return int(re.search(r"(\d+)%", text).group(1))


def check_cli(capsys, path: Path, rollup: RollUp) -> None:
    doc = rollup.doc
    data = json.loads(run(capsys, "status", path, "--json")[1])
    whole = rollup.document
    assert (data["total"], data["done"], data["required"], data["required_done"], data["optional"],
            data["cancelled"], data["percent"]) == (whole.total, whole.done, whole.required, whole.required_done,
                                                    whole.optional, whole.cancelled, whole.percent)
    for s, got in zip(doc.sections, data["sections"]):
        c = rollup.section(s.index)
        assert (got["total"], got["done"], got["required"], got["required_done"], got["percent"], got["status"]) == (
            c.total, c.done, c.required, c.required_done, c.percent, c.status)
    text = run(capsys, "status", path)[1].splitlines()
    if whole.total:
        assert f" {whole.summary('done')}, {whole.percent:.0f}%" in text[1]
    else:  # empty is not done
        assert text[1] == "no tasks"
    [listed] = json.loads(run(capsys, "status", "--all", path.parent, "--json")[1])["files"]
    assert (listed["required"], listed["required_done"], listed["percent"]) == (whole.required, whole.required_done,
                                                                              whole.percent)
    for s in doc.sections:
        c = rollup.section(s.index)
        if not c.total:
            continue
        line = next(ln for ln in text if ln.startswith(s.title[:20]))
        done, of = c.shown
        assert re.search(rf" {done}/{of}\b", line), (line, c)


def check_static_surfaces(path: Path, rollup: RollUp) -> None:
    from tasktui.core import workspace
    from tasktui.ui.widgets.status_header import StatusHeader

    whole = rollup.document
    summary = workspace.summarize(path, path.parent)
    assert summary.counts == whole and summary.json()["percent"] == whole.percent
    header = StatusHeader()
    header.doc, header.rollup = rollup.doc, rollup
    line = header._render_text().plain.splitlines()[1]
    if whole.total:
        assert line.startswith(f"{whole.summary()} ") and pct(line) == round(whole.percent)
    else:  # empty is not done: no count, no bar, no percentage
        assert line.startswith("no tasks") and "%" not in line.split("│")[0]
    # the progress sync writes each phase's status as the roll-up has it
    doc = rollup.doc
    plan = E.plan(doc, E.Sync(), rollup)
    from tasktui.doc.patch import apply

    synced = Document(apply(doc.source.data, plan.patches))
    words = {"not_started": "Not Started", "in_progress": "In Progress", "complete": "Complete"}
    for c in synced.completion:
        assert words[rollup.phase_status[c.phase]] in synced.source.lines[c.line]


async def check_app(path: Path, rollup: RollUp) -> None:
    from tasktui.ui.app import TaskTuiApp

    app = TaskTuiApp(path)
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.tree.doc is app.tasks_file.doc, what="the file")
        tree = app.tree
        tree.set_all_collapsed(False)
        await pilot.pause()
        outline = tree.outline
        for i, row in enumerate(tree.rows):
            if row.kind != HEADING:
                continue
            node = outline.headings[row.index]
            counts = rollup.span(node.first_task, node.end_task, node.line, node.end_line)
            tree.scroll_to(y=i, animate=False)
            await pilot.pause()
            text = row_text(tree, i)
            done, of = counts.shown
            assert re.search(rf" {done}/{of} ", text) and pct(text) == round(counts.percent), (text, counts)
            tree._set_cursor(i)
            await wait_for(pilot, lambda: f"## {node.text}" in app.query_one("#detail").source, what="the detail pane")
            detail = app.query_one("#detail").source
            said = f"{counts.summary()} done ({counts.percent:.0f}%)" if counts.total else "no tasks"
            assert f"**Progress**: {said}" in [line.rstrip() for line in detail.splitlines()], detail
        await app.workers.wait_for_complete()
        for timer in list(app._timers):
            timer.stop()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents())
def test_every_surface_shows_the_same_numbers(capsys, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(data)
        rollup = RollUp(Document(data))
        check_cli(capsys, path, rollup)
        check_static_surfaces(path, rollup)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents())
def test_the_app_shows_the_same_numbers(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(data)
        asyncio.run(check_app(path, RollUp(Document(data))))
