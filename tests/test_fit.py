"""80x24 is a first-class size: the header gives way in its stated order and never
cuts the timer's clock or a notice; the log table keeps its Status column; every
dialog and the help fit the screen; the footer has no stray characters."""

from __future__ import annotations

import re

import pytest

from support import copy_sample, running, screen_text, wait_for
from tasktui.storage import timer as timer_mod
from tasktui.doc import Document
from tasktui.ui.widgets.log_panel import LogPanel

NOW = 1_773_651_600.0  # a fixed clock: the timers below show the same time on every run


def start_timer(path, starts: str, seconds: float) -> None:
    """A real timer on the task starting with ``starts``, started ``seconds`` before NOW."""
    doc = Document(path.read_bytes())
    task = next(t for t in doc.tasks if t.text.startswith(starts))
    timer_mod.start(path, doc.keys[task.index], task.text, NOW - seconds)


def header_lines(app) -> list[str]:
    return app.main.header.content.plain.splitlines()


def inside_screen(app, widget) -> bool:
    region = widget.region
    return region.x >= 0 and region.y >= 0 and region.right <= app.size.width and region.bottom <= app.size.height


@pytest.mark.parametrize("width", [80, 60, 44])
async def test_the_header_never_cuts_the_clock_or_the_notice(tmp_path, width):
    path = copy_sample(tmp_path, "template-project.md")
    start_timer(path, "All acceptance criteria", 3723)
    async with running(path, size=(width, 24), read_only=True, clock=lambda: NOW) as (app, pilot, notes):
        await wait_for(pilot, lambda: "⏱" in app.main.header.content.plain, what="the timer in the header")
        await pilot.pause()  # the header's new height is laid out
        lines = header_lines(app)
        text = "\n".join(lines)
        assert "⏱ 1:02:03" in text, text
        assert "READ-ONLY: read-only mode" in text.replace("\n", " "), text
        assert all(len(line) <= width - 2 for line in lines), lines
        assert lines[1].startswith("8/28 "), "progress never goes"
        screen = screen_text(app)
        assert "⏱ 1:02:03" in screen and "READ-ONLY: read-only mode" in screen


async def test_the_header_gives_way_in_order(tmp_path):
    """Wide: everything; narrower: the bar, then the words, go before the timer's clock."""
    path = copy_sample(tmp_path, "template-project.md")
    start_timer(path, "Code review completed", 300)
    async with running(path, size=(160, 24), clock=lambda: NOW) as (app, pilot, notes):
        await wait_for(pilot, lambda: "⏱" in app.main.header.content.plain, what="the timer in the header")
        await pilot.pause()  # the header's new height is laid out
        wide = header_lines(app)[1]
        assert "█" in wide and "spent / 61.5h est" in wide and "open blockers" in wide and "⏱ 0:05:00 Code review completed with team lead" in wide
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        narrow = header_lines(app)[1]
        assert "█" not in narrow and "21.5h/61.5h" in narrow and "⏱ 0:05:00 Code review" in narrow
        assert len(narrow) <= 78


async def test_the_log_table_keeps_its_status_column_at_80_columns(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        await pilot.press("b")
        await wait_for(pilot, lambda: bool(app.query(LogPanel)) and app.query_one(LogPanel).doc is not None,
                       what="the log panel")
        await pilot.pause()
        screen = screen_text(app)
        assert re.search(r"2026-01-05\s+Blocker\s+resolved\s+Staging", screen), screen
        assert "Status" in screen
        table = app.query_one(LogPanel).table
        assert table.virtual_size.width <= table.size.width, "nothing scrolls out of sight"


async def test_every_dialog_and_the_help_fit_at_80x24(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        main = app.screen
        for keys, name, must_show in [
            (["b", "a"], "LogEntryDialog", "#add"),
            (["t"], "TimeDialog", "#duration"),
            (["E"], "TimeDialog", "#duration"),
            (["a"], "PromptScreen", "#prompt-input"),
            (["r"], "PromptScreen", "#prompt-input"),
            (["question_mark"], "HelpScreen", None),
        ]:
            await pilot.press(*keys)
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == name, what=name)
            await pilot.pause()
            dialog = app.screen.children[0]
            assert inside_screen(app, dialog), (name, dialog.region)
            if must_show:
                assert inside_screen(app, app.screen.query_one(must_show)), (name, must_show)
            if name == "HelpScreen":
                shown = screen_text(app)
                assert "Esc" in shown and shown.count("\n") <= 24
                rows = [line for line in shown.splitlines() if re.match(r"│ (\S.*?)\s{2,}\S", line)]
                assert len(rows) >= 12, f"most of the keys show at 80x24:\n{shown}"
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is main, what=f"{name} to close")
            if keys[0] == "b":
                await pilot.press("escape", "b")  # the log panel goes again
    assert path.read_bytes() == original, "every dialog was cancelled"


async def test_the_footer_has_no_stray_characters(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        await pilot.press("b")  # the log's keys join the footer's: they overflow at 80 columns
        await wait_for(pilot, lambda: bool(app.query(LogPanel)), what="the log panel")
        await pilot.pause()
        footer = screen_text(app).rstrip("\n").splitlines()[-1]
        assert footer.rstrip().endswith("^p palette"), repr(footer)


async def test_help_and_quit_never_drop_off_the_footer(tmp_path):
    """At 80 columns the footer's keys overflow (the overview's o, the log's keys):
    ? Help and q Quit stay at its right end, beside the palette's key."""
    from tasktui.ui.app import TaskTuiApp

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        copy_sample(tmp_path / folder, "template-project.md").rename(tmp_path / folder / "tasks.md")
    files = [tmp_path / "a" / "tasks.md", tmp_path / "b" / "tasks.md"]
    app = TaskTuiApp(workspace=tmp_path, files=files)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footers = [screen_text(app).rstrip("\n").splitlines()[-1]]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await pilot.pause()
        footers.append(screen_text(app).rstrip("\n").splitlines()[-1])
        assert footers[-1].startswith("space Toggle"), footers[-1]
        await pilot.press("b")
        await wait_for(pilot, lambda: bool(app.main.query(LogPanel)), what="the log panel")
        await pilot.pause()
        footers.append(screen_text(app).rstrip("\n").splitlines()[-1])
        for footer in footers:
            assert re.search(r" \? Help q Quit ▏\^p palette *$", footer), repr(footer)
        await app.workers.wait_for_complete()
        for timer in list(app._timers):
            timer.stop()


async def test_toasts_are_two_lines_at_most_short_lived_and_never_over_the_find_bar(tmp_path):
    from textual.widgets._toast import Toast

    from tasktui.ui.widgets.find_bar import FindBar

    path = copy_sample(tmp_path, "template-project.md")
    async with running(path, size=(80, 24), notifications=True) as (app, pilot, notes):
        app.clear_notifications()
        await pilot.press("slash")
        await pilot.press(*"database", "enter")
        bar = app.main.query_one(FindBar)
        await wait_for(pilot, lambda: "1 of 28 tasks matches" in str(bar.query_one("#find-count").render()),
                       what="the count beside the box")
        long = "Another program overwrote your change: " + "marked a task with a very long text done " * 8
        app.notify(long, title="Change lost", severity="error", timeout=30)
        app.notify("Done tasks hidden.", timeout=60)
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) == 2, what="the toasts")
        await pilot.pause()
        for toast in app.screen.query(Toast):
            assert toast.region.height <= 2, toast.region
            assert not toast.region.overlaps(bar.region), (toast.region, bar.region)
        said = list(app._notifications)
        assert [(n.severity, n.timeout) for n in said] == [("error", 8.0), ("information", 3.0)]
        first = said[0].message
        assert first.startswith("Change lost: Another program overwrote your change:") and first.endswith("…")
        assert first.count("\n") == 1
