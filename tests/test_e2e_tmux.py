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

pytestmark = pytest.mark.xdist_group("timing")  # timing-sensitive: run apart from each other, in one worker

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


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
