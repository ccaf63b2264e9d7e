"""One truth: for random documents, every surface shows the numbers of the one
roll-up (tasktui.doc.rollup): the header, the tree's section rows, the detail
pane of each section, the workspace overview and `status --all`, `tasktui status` as text and as JSON, and the
progress sync of the Completion Status lines. The numbers each surface must show
come from the generator itself, counted from the marks it drew (``Want``), not
from the roll-up: agreement alone would not show the counting is right."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

from hypothesis import example, given
from hypothesis import strategies as st

from support import cursor_to_row, examples, record_timers, row_text, run, stop_timers, wait_for
from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc.rollup import RollUp
from tasktui.core.outline import HEADING

MARKS = [" ", "x", "X", "-", "/", "~"]
# what each mark means in the template's dialect, which the generated files are written in
MEANING = {" ": "todo", "x": "done", "X": "done", "-": "cancelled", "/": "in_progress", "~": "queued"}


class Want(NamedTuple):
    """What a group of drawn tasks must add up to, by the counting rules of the README
    ("Counting"), worked out here from the marks alone."""

    total: int
    done: int
    cancelled: int
    optional: int
    optional_done: int
    required: int
    required_done: int
    in_progress: int

    @classmethod
    def of(cls, drawn: list[tuple[str, bool]]) -> "Want":
        states = [(MEANING[mark], star) for mark, star in drawn]
        cancelled = [s for s, _ in states if s == "cancelled"]
        optional = [s for s, star in states if s != "cancelled" and star]
        required = [s for s, star in states if s != "cancelled" and not star]
        return cls(len(states), sum(s == "done" for s, _ in states), len(cancelled), len(optional),
                   optional.count("done"), len(required), required.count("done"),
                   sum(s == "in_progress" for s, _ in states))

    @property
    def shown(self) -> tuple[int, int]:
        return (self.required_done, self.required) if self.required else (self.optional_done, self.optional)

    @property
    def percent(self) -> float:
        done, of = self.shown
        return round(100.0 * done / of, 1) if of else 100.0 if self.cancelled else 0.0

    @property
    def status(self) -> str:
        done, of = self.shown
        if self.total and done == of:
            return "complete"
        return "not_started" if self.done == 0 and self.in_progress == 0 else "in_progress"

    def summary(self, word: str = "") -> str:
        if not self.total:
            return "no tasks"  # empty is not done
        done, of = self.shown
        return (f"{done}/{of}{' ' + word if word else ''}" + (f" · {self.cancelled} cancelled" if self.cancelled else "")
                + (f" · {self.optional} optional" if self.optional and self.required else ""))


class Drawn(NamedTuple):
    """A generated file (in the template's dialect, its ids Kiro's or none) and what the
    generator knows of it: each phase's title and the (mark, optional) of every task and
    subtask in it."""

    data: bytes
    phases: list[tuple[str, list[tuple[str, bool]]]]

    def want(self) -> Want:
        return Want.of([t for _title, tasks in self.phases for t in tasks])

    def phase(self, title: str) -> Want:
        return next(Want.of(tasks) for t, tasks in self.phases if t == title)


@st.composite
def documents(draw) -> Drawn:
    kiro = draw(st.booleans())
    phases = draw(st.integers(1, 4))
    lines = ["# Plan", ""]
    drawn = []
    for p in range(1, phases + 1):
        title = f"Phase {p}: Part {p}"
        tasks: list[tuple[str, bool]] = []
        drawn.append((title, tasks))
        lines += [f"## {title}", ""]
        if draw(st.booleans()):
            lines += [f"**Estimated Time**: {draw(st.integers(1, 9))} hours", ""]
        for k in range(1, draw(st.integers(0, 5)) + 1):
            mark = draw(st.sampled_from(MARKS))
            star = draw(st.integers(0, 3)) == 0
            tasks.append((mark, star))
            ident = f"{p}.{k} " if kiro else ""
            lines.append(f"- [{mark}]{'*' if star else ''} {ident}Task {p} {k}")
            if draw(st.booleans()):
                lines.append(f"  - **Estimated Time**: {draw(st.sampled_from(['1', '2.5', '0.25']))} hours")
            if draw(st.booleans()):
                lines.append(f"  - **Actual Time**: {draw(st.sampled_from(['1', '3', '45 minutes']))}")
            for j in range(draw(st.integers(0, 2))):
                sub = draw(st.sampled_from(MARKS))
                tasks.append((sub, False))
                lines.append(f"  - [{sub}] sub {p} {k} {j}")
        lines.append("")
    lines += ["## Progress Tracking", "", "### Completion Status", ""]
    lines += [f"**Phase {p}**: Not Started  " for p in range(1, phases + 1)]
    return Drawn(("\n".join(lines) + "\n").encode(), drawn)


def pct(text: str) -> int:
    return int(re.search(r"(\d+)%", text).group(1))


def check_model(drawn: Drawn) -> RollUp:
    """The file reads as the generator wrote it, and its roll-up adds up to what was drawn."""
    doc = Document(drawn.data)
    assert doc.dialect == "template", doc.dialect_signals
    rollup = RollUp(doc)
    whole = rollup.document
    assert tuple(drawn.want()) == (whole.total, whole.done, whole.cancelled, whole.optional, whole.optional_done,
                                   whole.required, whole.required_done, whole.in_progress)
    return rollup


def check_cli(capsys, path: Path, drawn: Drawn) -> None:
    want = drawn.want()
    data = json.loads(run(capsys, "status", path, "--json")[1])
    assert (data["total"], data["done"], data["required"], data["required_done"], data["optional"],
            data["cancelled"], data["percent"]) == (want.total, want.done, want.required, want.required_done,
                                                    want.optional, want.cancelled, want.percent)
    phases = [got for got in data["sections"] if got["title"].startswith("Phase ")]
    assert [got["title"] for got in phases] == [title for title, _tasks in drawn.phases]
    for got in phases:
        w = drawn.phase(got["title"])
        assert (got["total"], got["done"], got["required"], got["required_done"], got["percent"], got["status"]) == (
            w.total, w.done, w.required, w.required_done, w.percent, w.status)
    text = run(capsys, "status", path)[1].splitlines()
    if want.total:
        assert f" {want.summary('done')}, {want.percent:.0f}%" in text[1]
    else:  # empty is not done: no count, no percentage
        assert text[1] == "no tasks"
    [listed] = json.loads(run(capsys, "status", "--all", path.parent, "--json")[1])["files"]
    assert (listed["required"], listed["required_done"], listed["percent"]) == (want.required, want.required_done,
                                                                              want.percent)
    for title, tasks in drawn.phases:
        w = drawn.phase(title)
        if not w.total:
            continue
        line = next(ln for ln in text if ln.startswith(title[:20]))
        done, of = w.shown
        assert re.search(rf" {done}/{of}\b", line), (line, w)


def check_static_surfaces(path: Path, drawn: Drawn, rollup: RollUp) -> None:
    from tasktui.core import workspace

    want = drawn.want()
    summary = workspace.summarize(path, path.parent)
    counts = summary.counts
    assert (counts.total, counts.done, counts.required, counts.required_done, summary.json()["percent"]) == (
        want.total, want.done, want.required, want.required_done, want.percent)
    # the progress sync writes each phase's status as the drawn marks have it
    doc = rollup.doc
    plan = E.plan(doc, E.Sync(), rollup)
    from tasktui.doc.patch import apply

    synced = Document(apply(doc.source.data, plan.patches))
    words = {"not_started": "Not Started", "in_progress": "In Progress", "complete": "Complete"}
    assert [c.phase for c in synced.completion] == list(range(1, len(drawn.phases) + 1))
    for c, (title, _tasks) in zip(synced.completion, drawn.phases):
        assert words[drawn.phase(title).status] in synced.source.lines[c.line]


async def check_app(path: Path, drawn: Drawn) -> None:
    from tasktui.ui.app import TaskTuiApp

    want = drawn.want()
    app = TaskTuiApp(path)
    record_timers(app)
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file")
        line = str(app.main.header.render()).splitlines()[1].strip()  # the widget's own text: no toast over it
        if want.total:
            assert line.startswith(f"{want.summary()} ") and pct(line) == round(want.percent), (line, want)
        else:  # empty is not done: no count, no bar, no percentage
            assert line.startswith("no tasks") and "%" not in line.split("│")[0], line
        tree = app.main.tree
        tree.set_all_collapsed(False)
        await pilot.pause()
        outline = tree.outline
        shown = []
        for i, row in enumerate(tree.rows):
            if row.kind != HEADING:
                continue
            node = outline.headings[row.index]
            w = drawn.phase(node.text)
            shown.append(node.text)
            tree.scroll_to(y=i, animate=False)
            await pilot.pause()
            text = row_text(tree, i)
            done, of = w.shown
            assert re.search(rf" {done}/{of} ", text) and pct(text) == round(w.percent), (text, w)
            await cursor_to_row(pilot, i)
            await wait_for(pilot, lambda: f"## {node.text}" in app.query_one("#detail").source, what="the detail pane")
            detail = app.query_one("#detail").source
            assert f"**Progress**: {w.summary()} done ({w.percent:.0f}%)" in detail, detail
        assert shown == [title for title, tasks in drawn.phases if tasks], "a row for every phase with tasks"
        await app.workers.wait_for_complete()
        stop_timers(app)


@examples("commands")
@given(documents())
def test_every_surface_shows_the_numbers_drawn(capsys, drawn):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(drawn.data)
        rollup = check_model(drawn)
        check_cli(capsys, path, drawn)
        check_static_surfaces(path, drawn, rollup)


NO_TASKS = Drawn(b"# Plan\n\n## Phase 1: Part 1\n\n\n## Progress Tracking\n\n### Completion Status\n\n"
                 b"**Phase 1**: Not Started  \n", [("Phase 1: Part 1", [])])


@examples("app")
@example(NO_TASKS)  # the app says there is nothing to do in a toast, over the header
@given(documents())
def test_the_app_shows_the_numbers_drawn(drawn):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(drawn.data)
        check_model(drawn)
        asyncio.run(check_app(path, drawn))
