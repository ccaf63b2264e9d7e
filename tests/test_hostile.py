"""File text is data. Whatever a tasks file, the timer state or the config holds,
it is shown exactly (control characters as visible placeholders), never parsed
as markup, never acted on, never written raw to the terminal, and it cannot
crash the app or a command.

The app tests drive every display path with the Pilot (toggle, undo, redo,
copy, edit, add, delete, time dialog, timer, filter, detail pane, log panel
with add / resolve / edit, help, palette) on files full of hostile text, under
``markup_guard`` (a markup parser given file text fails the test) and check the
whole rendered screen after each step for control characters.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from support import (HOSTILE_PIECES, MARKUP_SENTINEL, assert_no_control_output, examples, first_command, hostile_bytes,
                     hostile_file, hostile_strategy, record_notifications, record_timers, run, screen_text, stop_timers,
                     wait_for)
from tasktui.storage import config, timer as timer_mod
from tasktui.doc import Document
from tasktui.doc.model import split_text
from tasktui.doc.safetext import dumps, json_text, one_line, restore, visible

ALL_PIECES = MARKUP_SENTINEL + " " + "".join(HOSTILE_PIECES)


# ------------------------------------------------------------------ the rule itself
def test_visible_replaces_every_control_and_nothing_else():
    assert visible("plain text, émoji 🙂, 漢字, שלום, e\u0301") == "plain text, émoji 🙂, 漢字, שלום, e\u0301"
    assert visible("a\x1b]0;t\x07b") == "a␛]0;t␇b"
    assert visible("\x00\x1f\x7f") == "␀␟␡"
    assert visible("\x9b2J\x85") == "⟨9B⟩2J⟨85⟩"
    assert visible("\u202eevil\u202c \u2066x\u2069 \u200f \u2028") == "⟨RLO⟩evil⟨PDF⟩ ⟨LRI⟩x⟨PDI⟩ ⟨RLM⟩ ⟨LS⟩"
    assert visible("caf\udce9") == "caf\ufffd"
    assert visible("a\tb") == "a\tb" and one_line("a\tb") == "a b"
    assert visible("a\nb") == "a␊b" and visible("a\nb", multiline=True) == "a\nb"


@given(st.text())
def test_visible_output_never_holds_a_control_character(text):
    shown = visible(text)
    assert not any(c in shown for c in "\x00\x1b\x07\x7f\x9b\u202e\u2066")
    assert "\n" not in shown and "\r" not in shown
    for ch in shown:
        assert ch == "\t" or ch.isprintable() or ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad" or not (
            ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000), repr(ch)


@given(st.text(st.characters(blacklist_categories=("Cs",))), st.text(max_size=5))
def test_restore_gives_back_what_placeholders_stand_for(original, typed):
    assert restore(visible(original), original) == original
    assert restore(visible(original) + typed, original).startswith(original) or "⟨" in typed or any(
        0x2400 <= ord(c) <= 0x2421 for c in typed)


def test_json_text_is_valid_utf8():
    assert json_text("caf\udce9") == "caf\ufffd"
    out = dumps({"t": "a\x1b\x7f\x9b\u202e\udce9"})
    assert json.loads(out) == {"t": "a\x1b\x7f\x9b\u202e\ufffd"}
    assert out.encode("utf-8") and "\x1b" not in out and "\x9b" not in out and "\u202e" not in out


# ------------------------------------------------------------------------- the app
async def _exercise(path: Path, text: str, clock) -> None:
    """Drive every display path of the app on ``path`` (made by hostile_file(text))."""
    from tasktui.ui.app import TaskTuiApp

    original = path.read_bytes()
    app = TaskTuiApp(path, clock=clock)
    record_timers(app)
    notes = record_notifications(app)
    async with app.run_test(size=(110, 32), notifications=True) as pilot:

        async def check(step: str) -> None:
            await pilot.pause()
            assert app.is_running, f"the app stopped at {step}"
            assert_no_control_output(screen_text(app), f"the screen after {step}")

        async def settle() -> None:
            await app.workers.wait_for_complete()
            await pilot.pause()

        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await check("loading")
        assert MARKUP_SENTINEL in screen_text(app), "the file's text is shown"
        tree = app.main.tree
        first = tree.cursor_task
        assert first is not None and first.id == "T001"

        # the detail pane (wide enough to show) and the toggles
        await wait_for(pilot, lambda: bool(app.query_one("#detail").source), what="the detail pane")
        await check("the detail pane")
        for key in ("space", "u", "ctrl+r", "u"):
            await pilot.press(key)
            await settle()
            await check(key)
        assert path.read_bytes() == original

        for key in ("y", "Y"):
            await pilot.press(key)
            await check(f"copy ({key})")

        # change the text: the prompt shows it visibly; the answer keeps its control characters
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the text prompt")
        await check("the text prompt")
        box = app.screen.query_one("Input")
        assert box.value == visible(split_text(first.text)[1])  # the description: T001 stays as it is
        box.value = box.value + "!"
        await pilot.press("enter")
        await settle()
        await check("changing the text")
        if path.read_bytes() != original:
            assert app.tasks_file.doc.tasks[first.index].text == first.text + "!"
            await pilot.press("u")
            await settle()
        assert path.read_bytes() == original

        # a pasted task text, as it is
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the add prompt")
        await check("the add prompt")
        app.screen.query_one("Input").value = text
        await pilot.press("enter")
        await settle()
        await check("adding a task")
        if path.read_bytes() != original:
            await pilot.press("u")
            await settle()
        await pilot.press("delete")
        await settle()
        await check("deleting")
        await pilot.press("u")
        await settle()
        await check("undoing the delete")
        assert path.read_bytes() == original

        # time: the dialog quotes the task; then the timer on a task without an id
        assert tree.move_to_task(first.index)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TimeDialog", what="the time dialog")
        await check("the time dialog")
        await pilot.press(*"30m", "enter")
        await settle()
        await check("booking time")
        await pilot.press("u")
        await settle()
        assert tree.move_to_task(first.index + 1)
        await pilot.press("s")
        await check("starting the timer")
        clock.now += 120
        await wait_for(pilot, lambda: "0:02:00" in screen_text(app), timeout=3, what="the timer to tick to 0:02:00")
        await check("the running timer")
        await pilot.press("s")
        await settle()
        await check("stopping the timer")
        if path.read_bytes() != original:
            await pilot.press("u")
            await settle()

        # filter and help and the palette
        await pilot.press("slash", *MARKUP_SENTINEL.lower())
        await wait_for(pilot, lambda: app.main.tree.text_filter == MARKUP_SENTINEL.lower(), what="the filter to apply")
        await check("filtering")
        await pilot.press("enter", "escape")
        await pilot.press("question_mark")
        await check("help")
        await pilot.press("escape", "ctrl+p")
        await pilot.press(*"tog")
        await wait_for(pilot, lambda: first_command(app) is not None, what="the palette's commands for 'tog'")
        await check("the command palette")
        await pilot.press("escape")

        # the log panel: show, add, resolve, edit
        await pilot.press("b")
        await wait_for(pilot, lambda: app.query("LogPanel") and app.query_one("LogPanel").display, what="the log")
        await check("the log panel")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "LogEntryDialog", what="the log dialog")
        await check("the log entry dialog")
        app.screen.query_one("#text").value = text
        await pilot.press("enter")
        await settle()
        await check("adding a log entry")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the resolve prompt")
        await check("the resolve prompt")
        await pilot.press(*"fixed", "enter")
        await settle()
        await check("resolving")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the entry prompt")
        await check("the entry prompt")
        await pilot.press("enter")
        await settle()
        await check("editing an entry")
        await pilot.press("b")
        await check("closing the log")
        await settle()
        stop_timers(app)
    assert not [n for n in notes if "Traceback" in n[0]]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _run_exercise(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(hostile_file(text))
        asyncio.run(_exercise(path, text, Clock()))


@pytest.mark.slow  # the whole app, every display path, per example
@examples("app")
@example(ALL_PIECES.replace("\udce9", "").replace("\udcff\udcfe", ""))  # a UTF-8 file: every edit is written
@example(ALL_PIECES)  # undecodable bytes too: the file is not UTF-8
@given(hostile_strategy())
def test_every_display_path_shows_file_text_exactly(markup_guard, text):
    _run_exercise(text)


@pytest.mark.slow  # the guard's own check: the app fails, and its whole traceback is laid out (seconds of CPU)
def test_the_guard_catches_file_text_given_as_markup(markup_guard):
    """The guard itself can fail: a Label given file text as markup trips it."""
    from textual.app import App
    from textual.widgets import Label

    class Leaky(App):
        def compose(self):
            yield Label(f"{MARKUP_SENTINEL} [b]x[/b]")  # markup=True: the mistake the guard is for

    async def go():
        async with Leaky().run_test() as pilot:
            await pilot.pause()

    with pytest.raises(Exception):
        asyncio.run(go())
    assert markup_guard, "the guard saw the markup"
    markup_guard.clear()


async def test_the_terminal_title_and_screen_survive_escapes(tmp_path, markup_guard):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T \x1b]0;PWNED\x07\n\n## S \x1b[2J\n\n- [ ] a \x1b[31mred\n- [ ] [@click=app.quit]Fix[/] bug\n")
    from support import running

    async with running(path, notifications=True) as (app, pilot, notes):
        text = screen_text(app)
        assert "T ␛]0;PWNED␇" in text and "S ␛[2J" in text and "a ␛[31mred" in text
        assert "[@click=app.quit]Fix[/] bug" in text
        app.main.tree.move_to_task(1)
        await pilot.press("Y")
        await pilot.pause()
        assert "Copied [@click=app.quit]Fix[/] bug" in screen_text(app)
        assert app.title == "tasktui"


async def test_markers_and_brackets_stay_in_messages(tmp_path, markup_guard):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n- [ ] T001 [P] [US1] Add the [/health] route with [Model1]\n")
    from support import running

    async with running(path, notifications=True) as (app, pilot, notes):
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes().startswith(b"# T\n\n- [X]"), what="the toggle")
        await pilot.press("u")
        await wait_for(pilot, lambda: path.read_bytes().startswith(b"# T\n\n- [ ]"), what="the undo")
        await app.workers.wait_for_complete()
        said = [n[0] for n in notes]
        assert "undid: T001 back to [ ]" in said, said  # says what undo did
        assert "undid: T001 back to [ ]" in screen_text(app)
        await pilot.press("Y")  # copies the text, and says so, brackets as written
        await wait_for(pilot, lambda: "Copied T001 [P] [US1] Add the [/health] route with [Model1]" in screen_text(app),
                       what="the copy notice")
        await pilot.press("t")
        await pilot.pause()
        assert "Time for: T001 [P] [US1] Add the [/health] route with [Model1]" in screen_text(app)


# ----------------------------------------------------------------- detail pane links
def test_only_web_links_stay_links():
    from rich.console import Console
    from rich.markdown import Markdown

    from tasktui.ui.widgets.detail_pane import WebLinksOnly

    md = Markdown("[web](https://example.com/x) [file](file:///etc/passwd) [js](javascript:alert(1)) "
                  "[custom](x-app://run) ![img](file:///tmp/i.png)")
    console = Console(width=200, force_terminal=True)
    links = {seg.style.link for seg in console.render(WebLinksOnly(md)) if seg.style is not None and seg.style.link}
    assert links == {"https://example.com/x"}
    assert {seg.style.link for seg in console.render(md) if seg.style and seg.style.link} > links  # the wrapper did it


# ------------------------------------------------------------------------ the CLI
CLI_COMMANDS = [
    ["list", "{f}"], ["list", "{f}", "--state", "open"], ["status", "{f}"], ["next", "{f}"], ["next", "{f}", "--all"],
    ["check", "{f}"],
    ["toggle", "{f}", "T001"], ["set", "{f}", "T001", "in_progress"], ["edit", "{f}", "T001", "{t}"],
    ["add", "{f}", "{t}"], ["delete", "{f}", "T002"], ["time", "{f}", "T001", "30m"], ["estimate", "{f}", "T001", "1h"],
    ["log", "{f}", "{t}"], ["resolve", "{f}", "L15", "{t}"], ["sync", "{f}"], ["repair", "{f}", "--check"],
    ["fmt", "{f}", "--check"], ["toggle", "{f}", "{t}"], ["list", "{t}"],
]


@pytest.mark.parametrize("argv", CLI_COMMANDS, ids=[" ".join(a[:2]) if a[1] != "{t}" else f"{a[0]} missing file" for a in CLI_COMMANDS])
@examples("commands")
@example(ALL_PIECES)
@given(text=hostile_strategy())
def test_cli_human_output_holds_no_control_byte(capsys, argv, text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(hostile_file(text))
        code, out, err = run(capsys, *[a.replace("{f}", str(path)).replace("{t}", text) for a in argv])
        assert code in (0, 1), err
        assert "Traceback" not in err
        assert_no_control_output(out, "stdout")
        assert_no_control_output(err, "stderr")


@examples("commands")
@example(ALL_PIECES)
@given(text=hostile_strategy())
def test_json_output_is_valid_utf8_and_refs_match_it(capsys, text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.md"
        path.write_bytes(hostile_file(text))
        original = path.read_bytes()
        for argv in (["list", path, "--json"], ["status", path, "--json"], ["next", path, "--json"],
                     ["next", path, "--all", "--json"], ["check", path, "--json"]):
            code, out, err = run(capsys, *argv)
            assert code in (0, 1), err
            if code == 1 and argv[0] == "next":  # the open blocker on T001 holds the file: nothing can start
                assert out == "" and "nothing can start now" in err
                continue
            out.encode("utf-8")  # no lone surrogates
            assert not any(c in out for c in "\x1b\x7f\x9b\u202e"), "control characters are escaped in JSON"
            json.loads(out)
        tasks = json.loads(run(capsys, "list", path, "--json")[1])
        assert path.read_bytes() == original
        second = tasks[1]
        assert second["text"] == json_text(Document(original).tasks[1].text)
        # the text JSON shows is a REF for that same task
        code, out, err = run(capsys, "toggle", path, second["text"], "--json")
        assert code == 0, err
        assert json.loads(out)["line"] == second["line"]


def test_cli_output_through_a_real_process_has_no_escape(tmp_path):
    """The hook's own check: `tasktui list` on a task holding [/b] and escape bytes."""
    path = tmp_path / "h.md"
    path.write_bytes(b"# H\n\n## Phase 1\n\n- [ ] close [/b] tag \x1b]0;title\x07 and \x1b[2J clear\n")
    done = subprocess.run([sys.executable, "-m", "tasktui", "list", str(path)], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert b"\x1b" not in done.stdout + done.stderr
    assert "close [/b] tag ␛]0;title␇ and ␛[2J clear" in done.stdout.decode()


# ------------------------------------------------------------ state and config files
TIMER_OK = {"file": "/tmp/x/tasks.md", "key_id": None, "key_path": ["A"], "key_text": "t", "key_occurrence": 0,
            "label": "t", "started": 1_800_000_000.0}
BAD_TIMERS = [
    b"", b"{", b"[]", b"null", b"\xff\xfe", json.dumps({**TIMER_OK, "started": "abc"}).encode(),
    json.dumps({**TIMER_OK, "started": None}).encode(), json.dumps({**TIMER_OK, "started": {}}).encode(),
    json.dumps({**TIMER_OK, "file": 5}).encode(), json.dumps({**TIMER_OK, "file": "relative.md"}).encode(),
    json.dumps({**TIMER_OK, "key_path": "A"}).encode(), json.dumps({**TIMER_OK, "key_occurrence": -1}).encode(),
    json.dumps({**TIMER_OK, "key_occurrence": True}).encode(), json.dumps({**TIMER_OK, "started": 1e300}).encode(),
    json.dumps({k: v for k, v in TIMER_OK.items() if k != "label"}).encode(), b"[" * 100_000,
]


@pytest.mark.parametrize("data", BAD_TIMERS, ids=range(len(BAD_TIMERS)))
def test_a_bad_timer_state_is_set_aside_with_one_sentence(data):
    path = timer_mod.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    running, problem = timer_mod.read()
    assert running is None
    assert problem and "\n" not in problem and "moved to timer.json.bad-" in problem and "no timer is running" in problem
    [kept] = path.parent.glob("timer.json.bad-*")
    assert kept.read_bytes() == data
    assert timer_mod.read() == (None, None)


def test_a_good_timer_state_with_extra_fields_is_read():
    path = timer_mod.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**TIMER_OK, "from_a_newer_version": 1}))
    running, problem = timer_mod.read()
    assert problem is None and running.key_path == ("A",) and running.started == 1_800_000_000.0


@given(st.one_of(st.binary(max_size=300),
                 st.dictionaries(st.sampled_from(sorted(TIMER_OK)), st.recursive(
                     st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                     max_leaves=6)).map(lambda d: json.dumps({**TIMER_OK, **d}).encode())))
def test_any_timer_state_reads_or_is_set_aside(data):
    path = timer_mod.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("timer.json.bad-*"):
        old.unlink()
    path.write_bytes(data)
    running, problem = timer_mod.read()
    assert (running is None) != (problem is None) or (running is None and problem is None and not data)
    if running is not None:
        assert isinstance(running.started, float) and os.path.isabs(running.file)
        running.key, running.elapsed(1_900_000_000.0)


@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                 st.dictionaries(st.sampled_from(["day_hours", "sync", "theme", "other"]),
                                 st.sampled_from(["1", "25", "0", "-3", "nan", "true", '"x"', '""', "[1]", "{a=1}",
                                                  '"\\u001b[2J"', "8.5"]), max_size=4).map(
                     lambda d: "".join(f"{k} = {v}\n" for k, v in d.items()).encode())))
def test_any_config_file_reads_or_is_set_aside(data):
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    loaded = config.read()
    if loaded.problem is not None:
        assert "\n" not in loaded.problem and loaded.config == config.Config()
        assert path.read_bytes() == data  # named by TASKTUI_CONFIG: the user's, never moved
    assert 0 < loaded.config.day_hours <= 24 and isinstance(loaded.config.sync, bool)
    assert loaded.config.theme.isprintable()


@pytest.mark.parametrize("data", [BAD_TIMERS[5], BAD_TIMERS[8], b"\xff"], ids=["started abc", "file 5", "not utf-8"])
async def test_the_app_starts_with_a_bad_timer_state_and_says_so(tmp_path, data, markup_guard):
    from support import running

    state = timer_mod.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(data)
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    async with running(path, notifications=True) as (app, pilot, notes):
        await wait_for(pilot, lambda: any("timer state" in n[0] for n in notes), what="the timer notice")
        assert app.session.running is None
        assert_no_control_output(screen_text(app))


async def test_a_timer_label_with_escapes_is_shown_plainly(tmp_path, markup_guard):
    from support import running

    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    state = timer_mod.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    label = f"{MARKUP_SENTINEL} [b]x[/b] \x1b]0;T\x07"
    state.write_text(json.dumps({**TIMER_OK, "file": str(tmp_path / "other.md"), "label": label}))
    async with running(path, clock=lambda: TIMER_OK["started"] + 60) as (app, pilot, notes):
        await wait_for(pilot, lambda: MARKUP_SENTINEL in screen_text(app), what="the timer in the header")
        assert "[b]x[/b] ␛]0;T␇" in screen_text(app)


# --------------------------------------------------------------------- the editor
@pytest.mark.parametrize("setting, name, expected", [
    ("vim", "-x.md", ["vim", "+3", "{abs}"]),
    ("nvim -u NONE", "+!cmd.md", ["nvim", "-u", "NONE", "+3", "{abs}"]),
    ("code --wait", "t.md", ["code", "--wait", "--goto", "{abs}:3"]),
    ("code", "t.md", ["code", "--wait", "--goto", "{abs}:3"]),
    ("subl -w", "t.md", ["subl", "-w", "{abs}:3"]),
    ("'/opt/my editor/ed' --flag", "t.md", ["/opt/my editor/ed", "--flag", "{abs}"]),
])
def test_editor_command(tmp_path, setting, name, expected):
    from tasktui.core.editor import editor_command

    os.chdir(tmp_path)
    got = editor_command(name, 3, {"EDITOR": setting})
    assert got == [e.replace("{abs}", str(tmp_path / name)) for e in expected]


@pytest.mark.parametrize("setting, needle", [("", "Set $VISUAL or $EDITOR"), ("   ", "Set $VISUAL or $EDITOR"),
                                             ("vim 'x", "cannot be read as a command")])
def test_an_unusable_editor_setting_is_one_sentence(setting, needle):
    from tasktui.core.editor import EditorError, editor_command

    with pytest.raises(EditorError) as err:
        editor_command("t.md", 1, {"EDITOR": setting})
    assert needle in str(err.value) and "\n" not in str(err.value)


async def test_e_runs_the_editor_on_the_absolute_path(tmp_path, monkeypatch, markup_guard):
    """A real program as the editor: it records its arguments and changes the file."""
    from contextlib import nullcontext

    from support import running
    from tasktui.ui.app import TaskTuiApp

    path = tmp_path / "-x.md"
    path.write_bytes(b"- [ ] a\n- [ ] b\n")
    record = tmp_path / "argv.json"
    editor = tmp_path / "vim"
    editor.write_text(f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
                      f"open(sys.argv[-1], 'ab').write(b'- [ ] c\\n')\n")
    editor.chmod(0o755)
    monkeypatch.setattr(TaskTuiApp, "suspend", lambda self: nullcontext())  # the headless driver cannot suspend
    monkeypatch.setenv("EDITOR", f"'{editor}'")
    monkeypatch.delenv("VISUAL", raising=False)
    async with running(path) as (app, pilot, notes):
        await pilot.press("j", "e")
        await wait_for(pilot, lambda: len(app.tasks_file.doc.tasks) == 3, what="the edited file to load")
        assert json.loads(record.read_text()) == ["+2", str(path)]
        monkeypatch.setenv("EDITOR", "vim 'x")
        await pilot.press("e")
        await wait_for(pilot, lambda: any("cannot be read as a command" in n[0] for n in notes), what="the sentence")
        assert app.is_running


@pytest.mark.parametrize("setting, needle", [
    ("no-such-editor", "'no-such-editor', which is not a program"),
    ("vim; touch {x}", "shell syntax"),
    ("$(touch {x})", "shell syntax"),
    ("`touch {x}`", "shell syntax"),
    ("{folder}", "which is not a program"),
    ("{not_executable}", "which is not a program"),
])
async def test_an_editor_that_cannot_start_changes_nothing(tmp_path, monkeypatch, setting, needle, markup_guard):
    """A missing program, a folder, a file that is not executable or shell syntax as the
    editor: one sentence, the app never gives the terminal away, and the next key acts."""
    from support import running
    from tasktui.ui.app import TaskTuiApp

    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n- [ ] b\n")
    x = tmp_path / "X"
    plain = tmp_path / "plain-file"
    plain.write_text("#!/bin/sh\n")
    suspended = []
    monkeypatch.setattr(TaskTuiApp, "suspend", lambda self: suspended.append(1))
    monkeypatch.setenv("EDITOR", setting.format(x=x, folder=tmp_path, not_executable=plain))
    monkeypatch.delenv("VISUAL", raising=False)
    async with running(path) as (app, pilot, notes):
        await pilot.press("e")
        await wait_for(pilot, lambda: any(needle in n[0] for n in notes), what="the sentence")
        assert suspended == [] and not x.exists()
        await pilot.press("space")  # the next key acts
        await wait_for(pilot, lambda: path.read_bytes() == b"- [x] a\n- [ ] b\n", what="the toggle")
        assert all("\n" not in n[0] for n in notes)


async def test_an_editor_that_fails_after_the_terminal_was_given_gets_it_back(tmp_path, monkeypatch):
    """The program goes between the check and the start: the terminal is taken back
    (the suspend block ends normally), one sentence, and the next key acts."""
    from contextlib import contextmanager

    from support import running
    from tasktui.core import editor as editor_mod
    from tasktui.ui.app import TaskTuiApp

    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    gone = tmp_path / "gone-editor"
    resumed = []

    @contextmanager
    def suspend(self):
        yield
        resumed.append(1)  # reached only when the block ends without an exception

    monkeypatch.setattr(TaskTuiApp, "suspend", suspend)
    monkeypatch.setattr(editor_mod, "runnable", lambda command, env=None: [str(gone), *command[1:]])
    monkeypatch.setenv("EDITOR", "vim")
    monkeypatch.delenv("VISUAL", raising=False)
    async with running(path) as (app, pilot, notes):
        await pilot.press("e")
        await wait_for(pilot, lambda: any("Could not start" in n[0] for n in notes), what="the sentence")
        assert resumed == [1]
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes() == b"- [x] a\n", what="the toggle")


# -------------------------------------------------------------------- the overview
async def test_the_overview_shows_hostile_names_and_files_plainly(tmp_path, markup_guard):
    from tasktui.ui.app import TaskTuiApp
    from tasktui.core.workspace import find_tasks_files

    folder = os.fsencode(tmp_path) + b"/" + hostile_bytes(f"{MARKUP_SENTINEL} [b]x[/b] \x1b]0;T\x07 \u202eevil \udce9")
    os.makedirs(folder)
    with open(folder + b"/tasks.md", "wb") as f:
        f.write(hostile_file(ALL_PIECES))
    deep = tmp_path / "specs" / "001"
    deep.mkdir(parents=True)
    (deep / "tasks.md").write_bytes(b"- " * 300 + b"[ ] deep\n")
    files = find_tasks_files(tmp_path)
    assert len(files) == 2
    app = TaskTuiApp(workspace=tmp_path, files=files)
    record_timers(app)
    async with app.run_test(size=(160, 20)) as pilot:
        table = app.overview.table
        await wait_for(pilot, lambda: all(r.parsed for r in table.rows), what="both files to be read")
        await pilot.pause()
        text = screen_text(app)
        assert_no_control_output(text, "the overview")
        assert f"{MARKUP_SENTINEL} [b]x[/b] ␛]0;T␇ ⟨RLO⟩evil \ufffd" in text
        assert "Title ␀" in text or f"Title {MARKUP_SENTINEL}" in text, "the file's title, as written"
        await app.workers.wait_for_complete()


# ------------------------------------------------------------------ deep nesting
@pytest.mark.parametrize("levels", [30, 200])
def test_deep_lists_are_read_whole(levels):
    data = "".join("  " * i + f"- [ ] level {i}\n" for i in range(levels)).encode()
    doc = Document(data)
    assert [t.text for t in doc.tasks] == [f"level {i}" for i in range(levels)]
    assert doc.tasks[-1].depth == levels - 1 and doc.problems == []


def test_nesting_past_the_parser_is_one_sentence_not_a_traceback(capsys, tmp_path):
    path = tmp_path / "deep.md"
    path.write_bytes("".join("  " * i + f"- [ ] level {i}\n" for i in range(700)).encode() + b"> " * 900 + b"q\n")
    doc = Document(path.read_bytes())
    assert 0 < len(doc.tasks) < 700 and len(doc.problems) == 1
    code, out, err = run(capsys, "status", path)
    assert code == 0 and not err and "deeper than tasktui can read" in out
    code, out, err = run(capsys, "status", path, "--json")
    assert json.loads(out)["problems"] == doc.problems
    assert run(capsys, "toggle", path, "L4")[0] == 0
    assert path.read_bytes().startswith(b"- [ ] level 0\n  - [ ] level 1\n    - [ ] level 2\n      - [x] level 3\n")
