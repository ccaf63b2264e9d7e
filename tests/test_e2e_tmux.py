"""End to end: the real program in a real terminal (tmux), on a copy of a sample.

Start ``python -m tasktui FILE`` in a detached tmux session (a private tmux
server, so a user's own sessions are never touched), wait for the tree, press
space, check the file changed by exactly the one checkbox byte and the screen
shows the new mark, press q and check the program ended with status 0.
"""

from __future__ import annotations

import shutil

import pytest

from support import SAMPLES_DIR, TmuxProgram, poll

pytestmark = [pytest.mark.xdist_group("timing"),  # timing-sensitive: run apart from each other, in one worker
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")]


def test_tasktui_in_tmux_toggles_a_task(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    path = work / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "speckit-feature.md", path)
    original = path.read_bytes()
    box = original.index(b"- [ ] T014 ") + 3
    expected = original[:box] + b"X" + original[box + 1:]
    app = TmuxProgram(tmp_path / "home", work, [str(path)])
    try:
        screen = app.wait_screen(lambda s: "[ ] T014" in s and "tasks.md" in s, "the tree to show")
        # the cursor starts on T014, the first open task
        assert "14/32" in screen, screen
        app.keys("Space")
        poll(lambda: path.read_bytes() != original, 10, "the toggle to reach the file")
        data = path.read_bytes()
        assert len(data) == len(original) and [i for i in range(len(data)) if data[i] != original[i]] == [box]
        assert data == expected
        app.wait_screen(lambda s: "[X] T014" in s and "15/32" in s, "the screen to show [X] T014", 10)
        assert app.quit() == "0"
        assert path.read_bytes() == expected, "quitting writes nothing"
        assert [p.name for p in work.iterdir()] == [path.name], "no temp or lock file is left next to the file"
    finally:
        app.close()


def test_escapes_in_the_file_never_reach_the_terminal(tmp_path):
    """A heading that would retitle the terminal, one that would clear the screen,
    markup that would quit the app: all shown as text, none acted on."""
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# Hostile \x1b]0;PWNED\x07 title\n\n## Phase 1 \x1b[2J\n\n- [ ] Add the [/health] route\n"
                     b"- [ ] [@click=app.quit]Fix[/] bug\n- [ ] bidi \xe2\x80\xaeevil\xe2\x80\xac end\n")
    app = TmuxProgram(tmp_path / "home", tmp_path, [str(path)], size=(100, 24))
    try:
        before = app.title()
        screen = app.wait_screen(lambda s: "Add the [/health] route" in s, "the tree to show")
        assert "Hostile ␛]0;PWNED␇ title" in screen and "Phase 1 ␛[2J" in screen, screen
        assert "[@click=app.quit]Fix[/] bug" in screen and "bidi ⟨RLO⟩evil⟨PDF⟩ end" in screen
        assert "PWNED" not in app.title() and app.title() == before
        app.keys("Space", "u")
        app.wait_screen(lambda s: "undid" in s, "the undo message")
        assert "[/health]" in app.screen()
        assert app.quit() == "0"
        assert path.read_bytes().startswith(b"# Hostile \x1b]0;PWNED\x07 title")
    finally:
        app.close()


def test_a_missing_editor_leaves_the_app_as_it_was(tmp_path):
    """EDITOR names no program: `e` says so in one sentence, the terminal stays the
    app's (no blank screen, no echo), and `q` quits at once."""
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# Plan\n\n- [ ] first task\n- [ ] second task\n")
    app = TmuxProgram(tmp_path / "home", tmp_path, [str(path)], size=(100, 24),
                      env={"EDITOR": "no-such-editor", "VISUAL": ""})
    try:
        app.wait_screen(lambda s: "first task" in s, "the tree to show")
        app.keys("e")
        screen = app.wait_screen(lambda s: "no-such-editor" in s, "the sentence about the editor")
        assert "first task" in screen, "the app is still on screen"
        assert app.quit() == "0"
        assert path.read_bytes() == b"# Plan\n\n- [ ] first task\n- [ ] second task\n"
    finally:
        app.close()


# --------------------------------------------------- edits against other writers, keys in one write
PLAN = (b"# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Create the repo\n- [ ] T002 Add config loader\n"
        b"- [ ] T003 Add CI\n- [ ] T004 Write docs\n\n## Phase 2: Build\n\n- [ ] T005 Build it\n- [ ] T006 Ship it\n")


def cli(home, *args: str) -> None:
    """`tasktui ARGS` as another process, with the app's own config and lock folders."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TASKTUI_CONFIG": str(home / "config.toml"), "TASKTUI_STATE_DIR": str(home / "state"),
           "XDG_RUNTIME_DIR": str(home / "runtime"), "XDG_CACHE_HOME": str(home / "cache")}
    done = subprocess.run([sys.executable, "-m", "tasktui", *args], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr


def go(app: TmuxProgram, ref: str) -> None:
    app.keys("g")
    app.wait_screen(lambda s: "Go to task" in s, "the go-to prompt", 10)
    app.keys(ref, "Enter")
    app.wait_screen(lambda s: "Go to task" not in s, "the prompt to close", 10)


@pytest.fixture
def plan(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    path = work / "tasks.md"
    path.write_bytes(PLAN)
    app = TmuxProgram(tmp_path / "home", work, [str(path)], size=(100, 30))
    app.wait_screen(lambda s: "T006 Ship it" in s, "the tree to show")
    try:
        yield app, path
    finally:
        app.close()


def test_keys_written_to_the_terminal_at_once_all_land(plan):
    """KKK as one write to the terminal (a paste, a script, a slow link): three moves;
    then space space p: done, open, in progress."""
    app, path = plan
    go(app, "T004")
    app.keys("KKK")
    moved = PLAN.replace(b"- [ ] T001 Create the repo\n- [ ] T002 Add config loader\n- [ ] T003 Add CI\n- [ ] T004 Write docs\n",
                         b"- [ ] T004 Write docs\n- [ ] T001 Create the repo\n- [ ] T002 Add config loader\n- [ ] T003 Add CI\n")
    poll(lambda: path.read_bytes() == moved, 10, "three moves in the file", lambda: path.read_bytes().decode())
    app.keys("  p")
    poll(lambda: path.read_bytes() == moved.replace(b"[ ] T004", b"[/] T004"), 10, "the marks in the file",
         lambda: path.read_bytes().decode())
    assert app.quit() == "0"


def test_our_edits_and_the_command_lines_in_turn_raise_no_alarm_and_a_real_overwrite_does(plan, tmp_path):
    """The issue's case: the app toggles T001, `tasktui toggle` T005, the app T001 again,
    `tasktui toggle` T006: nothing was lost, nothing is said. Then another program
    writes the file from a copy older than the app's toggle of T002: said."""
    app, path = plan
    home = tmp_path / "home"
    go(app, "T001")
    app.keys("Space")
    poll(lambda: b"[X] T001" in path.read_bytes(), 10, "the app's toggle")
    cli(home, "toggle", str(path), "T005")
    app.wait_screen(lambda s: "[X] T005" in s, "the command line's toggle on screen", 10)
    app.keys("Space")
    poll(lambda: b"[ ] T001" in path.read_bytes(), 10, "the app's second toggle")
    cli(home, "toggle", str(path), "T006")
    screen = app.wait_screen(lambda s: "[X] T006" in s and "[ ] T001" in s, "the second toggle on screen", 10)
    assert "Change lost" not in screen and "overwrote" not in screen, screen
    old = path.read_bytes()
    go(app, "T002")
    app.keys("Space")
    poll(lambda: b"[X] T002" in path.read_bytes(), 10, "the app's toggle of T002")
    (path.parent / "tasks.md.new").write_bytes(old.replace(b"Ship it", b"Ship it today"))
    (path.parent / "tasks.md.new").replace(path)  # from a copy without our [X] T002
    app.wait_screen(lambda s: "Ship it today" in s and "Change lost" in s and "L6 T002" in s, "the loss said", 10)
    assert app.quit() == "0"


def test_a_text_another_program_changed_is_never_written_over(plan):
    """r on T002, typing; another program renames T002 (temp file + rename); Enter:
    nothing is written, both texts are on screen; k keeps theirs."""
    app, path = plan
    go(app, "T002")
    app.keys("r")
    app.wait_screen(lambda s: "Task text" in s, "the text prompt", 10)
    app.keys("Add config loader and its tests")  # over the selected text, as typed
    theirs = PLAN.replace(b"Add config loader", b"Add config loader (env + file)")
    (path.parent / "tasks.md.new").write_bytes(theirs)
    (path.parent / "tasks.md.new").replace(path)
    app.wait_screen(lambda s: "Add config loader (env + file)" in s, "their text on screen", 10)
    app.keys("Enter")
    screen = app.wait_screen(lambda s: "changed this task's text" in s, "the question", 10)
    assert "Add config loader and its tests" in screen and path.read_bytes() == theirs, screen
    app.keys("k")
    app.wait_screen(lambda s: "changed this task's text" not in s, "the question to close", 10)
    assert path.read_bytes() == theirs
    assert app.quit() == "0"
