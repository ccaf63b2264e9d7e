"""Pilot tests of time tracking in the app (issue 5): the `t` dialog, the
running timer (`s`) with an injected clock, the roll-ups on the screen against
the file's bytes and `tasktui status --json`, and stale Time Tracking totals.

Every expected file is the original bytes with exactly the bytes the edit
should touch replaced, including the template's Time Tracking lines that the
edit layer keeps in sync. Time never passes by sleeping: the app gets a
FakeClock and the tests move it forward. Edits run on a worker thread, so the
tests poll with a timeout (``wait_for`` / ``wait_file``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Input, RadioButton, RadioSet

from tasktui.storage import config, timer as timer_mod
from tasktui.ui.app import TaskTuiApp
from tasktui.ui.widgets.contrast import readable_color
from tasktui.doc.durations import short_hours
from tasktui.doc.model import Document
from tasktui.core.outline import HEADING
from tasktui.ui.commands import entries
from support import copy_sample, replace_once, row_text, screen_text, wait_file, wait_for
from support import running as app_running

# ------------------------------------------------------------------------ helpers
T0 = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))  # a Monday, 09:00 local time


class FakeClock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def running(path: Path, size=(98, 36), **kwargs):
    """test_app's app context at 98 columns unless told: the detail pane stays hidden, which keeps each key press cheap."""
    return app_running(path, size=size, **kwargs)


def task_index(app: TaskTuiApp, starts: str) -> int:
    found = [t.index for t in app.main.tree.doc.tasks if t.text.startswith(starts)]
    assert len(found) == 1, f"one task should start with {starts!r}, found {len(found)}"
    return found[0]


async def go_to(app: TaskTuiApp, pilot, starts: str) -> None:
    index = task_index(app, starts)
    assert app.main.tree.move_to_task(index)
    await pilot.pause()
    assert app.main.tree.cursor_task is not None and app.main.tree.cursor_task.index == index


def screen_name(app) -> str:
    return app.screen.__class__.__name__


async def open_time_dialog(app, pilot) -> None:
    await pilot.press("t")
    await wait_for(pilot, lambda: screen_name(app) == "TimeDialog", what="the time dialog")
    await wait_for(pilot, lambda: isinstance(app.focused, Input), what="the duration box to have focus")


def dialog_error(app) -> str:
    return str(app.screen.query_one("#error").content)


def header(app) -> str:
    return app.main.header.content.plain


def state_file() -> Path:
    return Path(os.environ["TASKTUI_STATE_DIR"]) / "timer.json"


def key_of(path: Path, starts: str):
    doc = Document(path.read_bytes())
    task = next(t for t in doc.tasks if t.text.startswith(starts))
    return doc.keys[task.index], task


# Lines of sample_tasks/template-project.md that the edits below touch.
DOMAIN_EST = b"  - Publish through the existing outbox table, not directly to Redis\n  - **Estimated Time**: 3 hours\n"
TT_ACTUAL = b"- **Actual Time**: 21.5 hours  \n"
TT_VARIANCE = b"- **Variance**: 1.5 hours (+8%)\n"
TT_ESTIMATE = b"- **Estimated Total**: 61.5 hours\n"


def with_time_tracking(data: bytes, *, actual: str | None = None, variance: str | None = None,
                       estimate: str | None = None) -> bytes:
    """``data`` with the template's Time Tracking values replaced (trailing spaces kept)."""
    if actual is not None:
        data = replace_once(data, TT_ACTUAL, f"- **Actual Time**: {actual}  \n".encode())
    if variance is not None:
        data = replace_once(data, TT_VARIANCE, f"- **Variance**: {variance}\n".encode())
    if estimate is not None:
        data = replace_once(data, TT_ESTIMATE, f"- **Estimated Total**: {estimate}\n".encode())
    return data


def domain_events_booked(original: bytes, value: str, actual: str, variance: str) -> bytes:
    """The template with an Actual Time bullet right after "Add domain events"'s estimate."""
    data = replace_once(original, DOMAIN_EST, DOMAIN_EST + f"  - **Actual Time**: {value}\n".encode())
    return with_time_tracking(data, actual=actual, variance=variance)


# ------------------------------------------------------------------ the t dialog
async def test_t_adds_actual_time_after_the_estimate_and_syncs_totals(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await open_time_dialog(app, pilot)
        facts = str(app.screen.query_one(".facts").content)
        assert facts == "Estimated 3h, spent so far -", facts
        await pilot.press(*"1h30m", "enter")
        # 21.5 + 1.5 hours spent; an open task under its estimate adds nothing to the variance
        expected = domain_events_booked(original, "1.5 hours", "23 hours", "1.5 hours (+8%)")
        await wait_file(pilot, path, expected)
        assert screen_name(app) == "MainScreen"
        task = app.main.tree.doc.tasks[task_index(app, "**Add domain events**")]
        assert (task.estimate_hours, task.actual_hours) == (3.0, 1.5)
        await wait_for(pilot, lambda: "1.5h/3h" in row_text(app.main.tree, app.main.tree.cursor), what="the row to show 1.5h/3h")
        assert "23h spent / 61.5h est (+8%)" in header(app)


async def test_t_adds_to_existing_actual_time(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Implement PreferenceService**")
        await open_time_dialog(app, pilot)
        assert str(app.screen.query_one(".facts").content) == "Estimated 3h, spent so far 2.5h"
        await pilot.press(*"1.5h", "enter")
        expected = replace_once(original, b"  - **Estimated Time**: 3 hours\n  - **Actual Time**: 2.5 hours\n",
                                b"  - **Estimated Time**: 3 hours\n  - **Actual Time**: 4 hours\n")
        expected = with_time_tracking(expected, actual="23 hours", variance="3 hours (+15%)")
        await wait_file(pilot, path, expected)


async def test_t_set_the_estimate_with_the_keyboard(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await open_time_dialog(app, pilot)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, RadioSet)
        await pilot.press("down", "space")
        assert app.screen.query_one("#estimate", RadioButton).value is True
        assert app.screen.query_one("#spent", RadioButton).value is False
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press(*"5h", "enter")
        expected = replace_once(original, DOMAIN_EST, DOMAIN_EST.replace(b"3 hours", b"5 hours"))
        expected = with_time_tracking(expected, estimate="63.5 hours")
        await wait_file(pilot, path, expected)
        assert b"**Actual Time**: 21.5 hours" in expected, "no time was booked"


async def test_t_minutes_task_gets_minutes_and_estimate_by_click(tmp_path):
    """A task whose estimate is written in minutes gets its times in minutes too."""
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    wire = b"  - Reuse `require_user` dependency, no new token handling\n  - **Estimated Time**: 90 minutes\n"
    rollout = b"  - Flag to 10% \xc3\xa2\xe2\x80\xa0\xe2\x80\x99 50%"
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Wire authentication middleware**")
        await open_time_dialog(app, pilot)
        await pilot.press(*"45m", "enter")
        expected = replace_once(original, wire, wire + b"  - **Actual Time**: 45 minutes\n")
        expected = with_time_tracking(expected, actual="22.25 hours", variance="1.5 hours (+8%)")  # under its estimate
        await wait_file(pilot, path, expected)
        # set the estimate of another minutes task, choosing the radio button with the mouse
        await go_to(app, pilot, "**Production rollout**")
        await open_time_dialog(app, pilot)
        await pilot.click("#estimate")
        assert app.screen.query_one("#estimate", RadioButton).value is True
        app.screen.query_one("#duration", Input).focus()
        await pilot.press(*"2h", "enter")
        at = expected.index(rollout)
        old = b"  - **Estimated Time**: 90 minutes\n"
        end = expected.index(old, at)
        expected = expected[:end] + b"  - **Estimated Time**: 120 minutes\n" + expected[end + len(old):]
        expected = replace_once(expected, TT_ESTIMATE, b"- **Estimated Total**: 62 hours\n")
        await wait_file(pilot, path, expected)


async def test_t_refuses_invalid_input_in_the_dialog_and_esc_cancels(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await open_time_dialog(app, pilot)
        hint = str(app.screen.query_one(".hint").content)
        assert "Accepted: 45m, 1.5h, 1h30m, 2d (a working day) or 1w (five working days); a plain number up to 24 is hours; a day is 8h." in hint, hint
        box = app.screen.query_one("#duration", Input)
        accepted = "use 45m, 1.5h, 1h30m, 2d (a working day) or 1w (five working days); a plain number up to 24 is hours."
        for typed, says in [("abc", f"'abc' is not a duration: {accepted}"),
                            ("-1h", f"'-1h' is not a duration: {accepted}"),
                            ("0", f"A duration must be at least one minute: {accepted}"),
                            ("90", "90 hours? write 90h, or 90m for minutes."),
                            ("9" * 310 + "h", f"'{'9' * 39}…' is more than one entry can hold (1000 hours): {accepted}"),
                            ("9" * 310, f"'{'9' * 39}…' is more than one entry can hold (1000 hours): {accepted}")]:
            box.value = ""
            if len(typed) > 100:  # typed at once: a paste
                box.value = typed
                await pilot.press("enter")
            else:
                await pilot.press(*typed, "enter")
            await wait_for(pilot, lambda: dialog_error(app) == says, what=f"the error for {typed!r}")
            assert screen_name(app) == "TimeDialog", f"{typed!r} must not close the dialog"
        # a valid duration typed but not confirmed: Esc cancels it
        box.value = ""
        await pilot.press(*"2h", "escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", what="Esc to close the dialog")
        await app.workers.wait_for_complete()
        assert path.read_bytes() == original
        assert app.tasks_file.undo_stack == [], "nothing was edited"


async def test_t_2d_uses_the_configured_day_length(tmp_path):
    Path(os.environ["TASKTUI_CONFIG"]).write_text("day_hours = 6\n", encoding="utf-8")
    settings = config.load()
    assert settings.day_hours == 6
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, settings=settings) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await open_time_dialog(app, pilot)
        assert "a day is 6h" in str(app.screen.query_one(".hint").content)
        await pilot.press(*"2d", "enter")
        # two 6-hour days: 12 hours, not 16
        expected = domain_events_booked(original, "12 hours", "33.5 hours", "10.5 hours (+46%)")
        await wait_file(pilot, path, expected)


async def test_t_on_a_kiro_task_without_time_bullets(tmp_path):
    path = copy_sample(tmp_path, "kiro-spec.md")
    original = path.read_bytes()
    block = b"    - Purge tombstones older than 30 days that have been pushed\n    - _Requirements: 3.3, 4.4_\n"
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "3.2 ")
        await open_time_dialog(app, pilot)
        await pilot.press(*"1h30m", "enter")
        # a detail bullet in the style of the task's others, after them
        await wait_file(pilot, path, replace_once(original, block, block + b"    - **Actual Time**: 1.5 hours\n"))
        await pilot.press("t")
        await wait_for(pilot, lambda: screen_name(app) == "TimeDialog", what="the time dialog")
        assert str(app.screen.query_one(".facts").content) == "Estimated -, spent so far 1.5h"
        await pilot.press("escape")


# --------------------------------------------------------------------- the timer
async def test_timer_starts_ticks_and_stops_booking_rounded_minutes(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, clock=clock) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        assert not state_file().exists()
        await pilot.press("s")
        await wait_for(pilot, state_file().exists, what="timer.json in the state folder")
        saved = json.loads(state_file().read_text(encoding="utf-8"))
        assert saved["file"] == str(path.resolve()) and saved["started"] == T0
        assert saved["key_text"] == "**Add domain events** for:"
        assert path.read_bytes() == original, "a running timer is kept off the tasks file"
        assert "⏱ 0:00:00 Add domain events for:" in header(app)  # the task as the tree shows it
        # the app's own 1-second interval repaints once the clock has moved
        clock.advance(65)
        await wait_for(pilot, lambda: "⏱ 0:01:05" in header(app), timeout=3, what="the header to tick to 0:01:05")
        await wait_for(pilot, lambda: "⏱ 0:01:05" in row_text(app.main.tree, app.main.tree.cursor), timeout=3,
                       what="the task's row to show 0:01:05")
        clock.advance(3600 + 28 * 60 + 35)  # 1:29:40 in all
        await wait_for(pilot, lambda: "⏱ 1:29:40" in header(app) and "⏱ 1:29:40" in row_text(app.main.tree, app.main.tree.cursor),
                       timeout=3, what="the header and the row to tick to 1:29:40")
        assert path.read_bytes() == original
        await pilot.press("s")
        # 1:29:40 rounds to 90 minutes: 1.5 hours after the estimate, totals synced
        await wait_file(pilot, path, domain_events_booked(original, "1.5 hours", "23 hours", "1.5 hours (+8%)"))
        await wait_for(pilot, lambda: not state_file().exists(), what="the timer state to be cleared")
        assert app.session.running is None
        assert "⏱" not in header(app)
        assert "⏱" not in row_text(app.main.tree, app.main.tree.cursor)


async def test_capital_s_stops_the_timer_from_anywhere_and_shows_in_the_footer_only_while_it_runs(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, size=(120, 36), clock=clock) as (app, pilot, notes):
        def footer() -> str:
            return screen_text(app).rstrip("\n").splitlines()[-1]

        def offered() -> list[str]:
            return [c.title for c in entries(app.main)]

        assert "S Stop timer" not in footer() and "Stop timer" not in offered()
        await pilot.press("S")  # nothing runs: nothing happens
        await go_to(app, pilot, "**Add domain events**")
        await pilot.press("s")
        await wait_for(pilot, lambda: "S Stop timer" in footer(), what="S in the footer")
        assert "Stop timer" in offered()
        await pilot.press("home")  # anywhere else: a heading
        assert app.main.tree.cursor_task is None
        clock.advance(90 * 60)
        await pilot.press("S")
        await wait_file(pilot, path, domain_events_booked(original, "1.5 hours", "23 hours", "1.5 hours (+8%)"))
        await wait_for(pilot, lambda: not state_file().exists() and app.session.running is None, what="the timer to stop")
        await wait_for(pilot, lambda: "S Stop timer" not in footer(), what="S to leave the footer")
        assert "Stop timer" not in offered()


async def test_timer_under_30_seconds_books_nothing(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, clock=clock) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await pilot.press("s")
        await wait_for(pilot, state_file().exists, what="timer.json")
        clock.advance(29)
        await pilot.press("s")
        await wait_for(pilot, lambda: any("nothing booked" in m for m, _, _ in notes), what="the nothing-booked notice")
        await app.workers.wait_for_complete()
        assert not state_file().exists()
        assert app.session.running is None and "⏱" not in header(app)
        assert path.read_bytes() == original




@pytest.mark.parametrize("seconds,minutes", [
    (29, 0), (30, 1), (89, 1), (90, 2),
    (150, 3), (210, 4), (5380, 90),
])
def test_booked_hours_round_half_minutes_up(seconds, minutes):
    """Under 30 s books nothing; from 30 s on, half minutes round up, every time."""
    assert timer_mod.booked_hours(seconds) == minutes / 60


async def test_starting_a_timer_on_another_task_stops_and_books_the_first(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, clock=clock) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await pilot.press("s")
        await wait_for(pilot, state_file().exists, what="timer.json")
        clock.advance(90 * 60)
        await go_to(app, pilot, "**Implement input validation**")
        await pilot.press("s")
        await wait_file(pilot, path, domain_events_booked(original, "1.5 hours", "23 hours", "1.5 hours (+8%)"))
        await app.workers.wait_for_complete()
        assert app.session.running is not None and app.session.running.key_text == "**Implement input validation** for all service methods"
        assert app.session.running.started == clock.now
        await wait_for(pilot, lambda: "⏱ 0:00:00 Implement input valid" in header(app)
                       and "⏱ 0:00:00" in row_text(app.main.tree, app.main.tree.cursor), timeout=3,
                       what="the clock, and as much of the task as fits (without its markdown)")


async def test_the_second_timer_survives_a_restart(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, clock=clock) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await pilot.press("s")
        clock.advance(90 * 60)
        await go_to(app, pilot, "**Implement input validation**")
        await pilot.press("s")
        await wait_file(pilot, path, domain_events_booked(original, "1.5 hours", "23 hours", "1.5 hours (+8%)"))
        await app.workers.wait_for_complete()
    saved = timer_mod.load()
    assert saved is not None, "timer.json of the second timer is gone"
    assert saved.key_text.startswith("**Implement input validation**")


async def test_a_running_timer_survives_quitting_and_restarting(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    async with running(path, clock=clock) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await pilot.press("s")
        await wait_for(pilot, state_file().exists, what="timer.json")
        clock.advance(600)
        await pilot.press("q")
    assert path.read_bytes() == original
    assert state_file().exists(), "quitting keeps the timer running"
    clock.advance(3600 + 53 * 60 + 4)  # 2:03:04 since it started
    async with running(path, clock=clock) as (app, pilot, notes):
        assert screen_name(app) == "MainScreen", "less than a working day: no question"
        assert app.session.running is not None and app.session.running.started == T0
        await wait_for(pilot, lambda: "⏱ 2:03:04 Add domain events for:" in header(app), what="the header timer")
        index = task_index(app, "**Add domain events**")
        assert app.main.tree.timer == (index, "2:03:04")
        await go_to(app, pilot, "**Add domain events**")
        assert "⏱ 2:03:04" in row_text(app.main.tree, app.main.tree.cursor)
        await pilot.press("s")
        # 2:03:04 is 123 minutes: 2.05 hours, within the task's 3: the variance stays +1.5 h, +8%
        await wait_file(pilot, path, domain_events_booked(original, "2.05 hours", "23.55 hours", "1.5 hours (+8%)"))
        await wait_for(pilot, lambda: not state_file().exists(), what="the timer state to be cleared")


@pytest.mark.parametrize("answer", ["keep", "trim", "discard"])
async def test_a_timer_older_than_a_working_day_asks(tmp_path, answer):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    clock = FakeClock()
    key, task = key_of(path, "**Add domain events**")
    timer_mod.start(path, key, "**Add domain events** for:", clock.now - 9 * 3600)
    saved = state_file().read_bytes()
    async with running(path, clock=clock) as (app, pilot, notes):
        await wait_for(pilot, lambda: screen_name(app) == "LongTimerDialog" and bool(app.screen.query("Static")),
                       what="the keep/trim/discard question")
        message = str(app.screen.query_one("Static").content)
        assert "running for 9:00:00, longer than a working day (8h)" in message, message
        assert path.read_bytes() == original and state_file().read_bytes() == saved, "nothing happens before the answer"
        await pilot.press(answer[0])
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", what="the question to close")
        await app.workers.wait_for_complete()
        if answer != "trim":
            assert path.read_bytes() == original, "keeping or discarding books nothing"
        if answer == "discard":
            assert not state_file().exists() and app.session.running is None
            assert "⏱" not in header(app)
            return
        if answer == "keep":
            assert state_file().read_bytes() == saved
            await wait_for(pilot, lambda: "⏱ 9:00:00" in header(app), timeout=3, what="the header to show 9:00:00")
            return
        # trim: one working day booked on the task, and the timer stopped
        await wait_file(pilot, path, domain_events_booked(original, "8 hours", "29.5 hours", "6.5 hours (+28%)"))
        await wait_for(pilot, lambda: not state_file().exists() and app.session.running is None, what="the timer to stop")
        app.main.paint_timer()
        assert "⏱" not in header(app)
        assert any("one working day (8h) booked" in m for m, _, _ in notes)


async def test_a_timer_for_another_file_shows_and_books_into_that_file(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    other = copy_sample(tmp_path, "kiro-spec.md")
    other_original = other.read_bytes()
    clock = FakeClock()
    key, task = key_of(other, "3.2 ")
    timer_mod.start(other, key, task.id, clock.now - 45 * 60)
    async with running(path, clock=clock) as (app, pilot, notes):
        await wait_for(pilot, lambda: "⏱ 0:45:00 3.2 (kiro-spec.md)" in header(app), what="the other file's timer")
        assert app.main.tree.timer is None, "no task of this file is timed"
        await pilot.press("home")
        assert app.main.tree.cursor_task is None and app.main.tree.cursor_row.kind == HEADING
        await pilot.press("s")  # on a heading: stops the timer, starts none
        block = b"    - Purge tombstones older than 30 days that have been pushed\n    - _Requirements: 3.3, 4.4_\n"
        await wait_file(pilot, other, replace_once(other_original, block, block + b"    - **Actual Time**: 0.75 hours\n"))
        await wait_for(pilot, lambda: not state_file().exists(), what="the timer state to be cleared")
        assert app.session.running is None and "⏱" not in header(app)
        assert path.read_bytes() == original


# ---------------------------------------------------------------------- roll-ups
def status_json(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "tasktui", "status", "--json", str(path)],
                         capture_output=True, check=True, timeout=30)
    return json.loads(out.stdout)


def time_tracking(data: bytes) -> dict[str, str]:
    """The template's Time Tracking values, as written in the file."""
    import re

    block = data.split(b"### Time Tracking\n", 1)[1].split(b"\n\n", 1)[0].decode()
    return {m.group(1): m.group(2) for m in re.finditer(r"- \*\*(.+?)\*\*: (.*?) *$", block, re.M)}


def heading_row(app, starts: str) -> int:
    tree = app.main.tree
    found = [i for i, r in enumerate(tree.rows)
             if r.kind == HEADING and tree.outline.headings[r.index].text.startswith(starts)]
    assert len(found) == 1
    return found[0]


async def test_rollups_on_screen_agree_with_the_file_and_status_json(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    async with running(path) as (app, pilot, notes):
        await go_to(app, pilot, "**Add domain events**")
        await open_time_dialog(app, pilot)
        await pilot.press(*"1h30m", "enter")
        await wait_for(pilot, lambda: b"**Actual Time**: 1.5 hours" in path.read_bytes(), what="the first edit")
        await go_to(app, pilot, "**Implement input validation**")
        await open_time_dialog(app, pilot)
        await pilot.press(*"5h", "enter")  # 5 hours against an estimate of 2: over
        await wait_for(pilot, lambda: b"**Actual Time**: 28 hours" in path.read_bytes(), what="the second edit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        data = path.read_bytes()
        # the file: 21.5 + 1.5 + 5 = 28 hours spent. The variance: the done tasks' +1.5 h on their 20 h
        # estimated, the 1.5 h within domain events' 3 h adds nothing, input validation's 5 h on 2 h adds 3 h:
        # 4.5 h on 22 h
        assert time_tracking(data) == {"Estimated Total": "61.5 hours", "Actual Time": "28 hours",
                                       "Variance": "4.5 hours (+20%)"}
        status = status_json(path)
        assert (status["estimate_hours"], status["actual_hours"], status["variance_hours"]) == (61.5, 28.0, 4.5)
        assert round(status["variance_pct"]) == 20
        # the header states the numbers the file states
        in_file = time_tracking(data)
        spent, estimated = (float(in_file[k].split()[0]) for k in ("Actual Time", "Estimated Total"))
        percent = in_file["Variance"].split("(")[1].rstrip(")")
        head = header(app)
        assert f"{short_hours(spent)} spent / {short_hours(estimated)} est ({percent})" in head, (head, in_file)
        assert f"{short_hours(status['actual_hours'])} spent / {short_hours(status['estimate_hours'])} est " \
               f"({status['variance_pct']:+.0f}%)" in head, head
        assert "28h spent / 61.5h est (+20%)" in head
        assert "out of date" not in head
        # every phase row shows its actual/estimate and variance as status --json computes them
        tree = app.main.tree
        for section in status["sections"]:
            if not section["title"].startswith("Phase "):
                continue
            row = row_text(tree, heading_row(app, section["title"]))
            shown = f"{short_hours(section['actual_hours'])}/{short_hours(section['estimate_hours'])}"
            if section["variance_pct"] is not None:
                shown += f" {section['variance_pct']:+.0f}%"
            assert row.rstrip().endswith(shown), (row, shown)
        phase2 = next(s for s in status["sections"] if s["title"].startswith("Phase 2"))
        # Phase 2: 3 + 1.5 + 3 + 2 + 4 + 3 = 16.5 h estimated; 2.5 + 1 + 1.5 + 5 = 10 h spent. The variance:
        # -0.5 and -0.5 h on the done tasks (4.5 h estimated), +3 h on input validation (2 h): +2 h on 6.5 h
        assert (phase2["estimate_hours"], phase2["actual_hours"], phase2["variance_hours"]) == (16.5, 10.0, 2.0)
        row2 = row_text(tree, heading_row(app, "Phase 2"))
        assert row2.rstrip().endswith("10h/16.5h +31%"), row2
        # colour-coded: Phase 2 runs over its estimate, so its time uses the over style
        over = tree._style("over")
        strip = tree.render_line(heading_row(app, "Phase 2") - tree.scroll_offset.y)
        styled = [seg for seg in strip if "10h/16.5h" in seg.text]
        # (made readable on the row's background, as every colour of the tree is: tasktui.ui.widgets.contrast)
        shown = readable_color(over.color, styled[0].style.bgcolor, app.console.color_system) if styled else None
        assert styled and styled[0].style.color == shown, "Phase 2's time should use the over-estimate colour"


# ------------------------------------------------------------ stale time totals
async def test_outside_change_makes_time_totals_stale_and_sync_fixes_them(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    first_actual = b"  - **Estimated Time**: 3 hours\n  - **Actual Time**: 4 hours\n\n- [x] **Design delivery_channels"
    async with running(path, size=(160, 36)) as (app, pilot, notes):  # wide enough for the whole header
        await wait_for(pilot, lambda: app.session.watcher is not None and app.session.watcher.ready.is_set(), what="the watcher")
        assert "out of date" not in header(app)
        changed = replace_once(original, first_actual, first_actual.replace(b"4 hours", b"6 hours"))
        path.write_bytes(changed)  # another program: the task's time changes, Time Tracking does not
        await wait_for(pilot, lambda: "time totals in file out of date" in header(app), timeout=8,
                       what="the header to say the totals are out of date")
        assert "23.5h spent / 61.5h est (+18%)" in header(app), header(app)
        command = next(c for c in entries(app.main) if c.title == "Sync progress lines")
        command.callback()
        await wait_file(pilot, path, with_time_tracking(changed, actual="23.5 hours", variance="3.5 hours (+18%)"))
        await wait_for(pilot, lambda: "out of date" not in header(app), what="the stale notice to go")


# ------------------------------------------------------------------ the variance rule
VARIANCE_CASE = b"""# Sprint

## Phase 1

- [x] Done one hour over
  - **Estimated Time**: 1 hour
  - **Actual Time**: 2 hours
- [ ] Open under its estimate
  - **Estimated Time**: 3 hours
  - **Actual Time**: 45 minutes
- [ ] Open over its estimate
  - **Estimated Time**: 1 hour
  - **Actual Time**: 90 minutes
- [-] Cancelled after some work
  - **Estimated Time**: 2 hours
  - **Actual Time**: 15 minutes
"""


def test_variance_a_done_task_over_beside_an_open_one_under_reads_plus_one_hour(tmp_path, capsys):
    from support import run

    data = VARIANCE_CASE.split(b"- [ ] Open over")[0]
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    status = json.loads(run(capsys, "status", path, "--json")[1])
    # the done task's +1 h; the open task's unspent 2.25 h is no saving
    assert (status["variance_hours"], status["variance_pct"], status["remaining_hours"]) == (1.0, 100.0, 2.25)
    assert status["sections"][0]["variance_hours"] == 1.0


def test_variance_an_overrun_shows_at_once_and_cancelled_work_adds_its_time():
    from tasktui.doc.rollup import RollUp

    counts = RollUp(Document(VARIANCE_CASE)).document
    # +1 h (done) + 0 (open, under) + 0.5 h (open, over: at once) + 0.25 h (cancelled: its time spent)
    assert counts.variance_hours == 1.75
    assert counts.variance_pct == round(100 * 1.75 / (1 + 1), 1)  # of the done and the over-run tasks' estimates
    assert counts.remaining_hours == 2.25  # 3 h - 45 m, and nothing left of the over-run one's hour


def test_variance_time_on_work_nobody_estimated_is_neither_over_nor_under(tmp_path, capsys):
    """A done task with 1.5 h spent and no estimate is no overrun of 1.5 h (it was
    written as "1.5 hours (+0%)"), nor is an open one; with no estimate anywhere the
    template's Variance line keeps its placeholder, while Actual Time is written."""
    text = (b"# P\n\n## Phase 1\n\n- [ ] **A**\n  - **Estimated Time**: [X] hours\n- [ ] **B**\n\n"
            b"## Progress Tracking\n\n### Time Tracking\n- **Estimated Total**: [X] hours\n"
            b"- **Actual Time**: [Y] hours\n- **Variance**: [Z] hours ([+/-]%)\n")
    path = tmp_path / "tasks.md"
    from support import run
    from tasktui.doc.rollup import RollUp

    path.write_bytes(text)
    counts = RollUp(Document(text)).document
    assert counts.variance_hours is None and counts.variance_pct is None
    for args in (("time", path, "A", "1h30m"), ("toggle", path, "A"), ("time", path, "B", "2h")):
        assert run(capsys, *args)[0] == 0, args
    after = path.read_bytes()
    counts = RollUp(Document(after)).document
    assert (counts.actual_hours, counts.variance_hours, counts.variance_pct) == (3.5, None, None)
    assert after.endswith(b"- **Actual Time**: 3.5 hours\n- **Variance**: [Z] hours ([+/-]%)\n"), after
    # one estimated task beside them: only its own time weighs, the others' add nothing
    estimated = after.replace(b"- [ ] **B**\n", b"- [ ] **B**\n  - **Estimated Time**: 1 hour\n", 1)
    counts = RollUp(Document(estimated)).document
    assert (counts.variance_hours, counts.variance_pct) == (1.0, 100.0)
