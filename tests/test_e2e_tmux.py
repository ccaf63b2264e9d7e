"""End to end: the real program in a real terminal (tmux), on a copy of a sample.

Start ``python -m tasktui FILE`` in a detached tmux session (a private tmux
server, so a user's own sessions are never touched), wait for the tree, press
space, check the file changed by exactly the one checkbox byte and the screen
shows the new mark, press q and check the program ended with status 0.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "sample_tasks"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


def poll(predicate, timeout: float, what: str, describe=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{describe()}")
        time.sleep(0.05)


def test_tasktui_in_tmux_toggles_a_task(tmp_path):
    work = tmp_path / "work"
    home = tmp_path / "home"
    work.mkdir()
    (home / "runtime").mkdir(parents=True, mode=0o700)
    path = work / "tasks.md"
    shutil.copyfile(SAMPLES / "speckit-feature.md", path)
    original = path.read_bytes()
    box = original.index(b"- [ ] T014 ") + 3
    expected = original[:box] + b"X" + original[box + 1:]
    rc_file = home / "exit-status"

    socket = f"tasktui-test-{uuid.uuid4().hex[:12]}"
    session = "e2e"
    env_vars = {
        "TERM": "xterm-256color",
        "TASKTUI_CONFIG": str(home / "config.toml"),
        "TASKTUI_STATE_DIR": str(home / "state"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
    }
    program = f"{shlex.quote(sys.executable)} -m tasktui {shlex.quote(str(path))}; echo $? > {shlex.quote(str(rc_file))}"

    def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=15, check=check)

    def screen() -> str:
        result = tmux("capture-pane", "-p", "-t", session, check=False)
        return result.stdout if result.returncode == 0 else ""

    try:
        command = ["new-session", "-d", "-s", session, "-x", "120", "-y", "36"]
        for name, value in env_vars.items():
            command += ["-e", f"{name}={value}"]
        tmux(*command, "-c", str(work), f"sh -c {shlex.quote(program)}")

        poll(lambda: "[ ] T014" in screen() and "tasks.md" in screen(), 20, "the tree to show", screen)
        # the cursor starts on T014, the first open task
        assert "14/32" in screen(), screen()
        tmux("send-keys", "-t", session, "Space")

        poll(lambda: path.read_bytes() != original, 10, "the toggle to reach the file")
        data = path.read_bytes()
        assert len(data) == len(original) and [i for i in range(len(data)) if data[i] != original[i]] == [box]
        assert data == expected
        poll(lambda: "[X] T014" in screen() and "15/32" in screen(), 10, "the screen to show [X] T014", screen)

        tmux("send-keys", "-t", session, "q")
        poll(lambda: tmux("has-session", "-t", session, check=False).returncode != 0, 10, "the program to quit", screen)
        poll(lambda: rc_file.exists() and rc_file.read_text().strip() != "", 5, "the exit status")
        assert rc_file.read_text().strip() == "0"
        assert path.read_bytes() == expected, "quitting writes nothing"
        assert [p.name for p in work.iterdir()] == [path.name], "no temp or lock file is left next to the file"
    finally:
        tmux("kill-session", "-t", session, check=False)
        tmux("kill-server", check=False)
