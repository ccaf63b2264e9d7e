"""An agent and a person on the same file: the MCP server (the SDK's client over
stdio) and the app in a real terminal (tmux). The agent goes through a spec-kit
file from its first open task to its last with claim_task and set_state alone;
the app shows each claim and each done mark as it lands, a tick the person made
in the app is what the agent reads next, and the file ends equal to a copy
ticked by hand."""

from __future__ import annotations

import os
import shutil

import anyio
import pytest

from support import SAMPLES_DIR, TmuxProgram, call, mcp_client, poll

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("timing"),
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")]

NAME = "specs/004-invitations/tasks.md"
SHARED = ("TASKTUI_CONFIG", "TASKTUI_STATE_DIR", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME")


async def test_an_agent_works_through_a_speckit_file_while_the_app_shows_each_step(tmp_path):
    root = tmp_path / "project"
    path = root / NAME
    path.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES_DIR / "speckit-feature.md", path)
    original = path.read_bytes()
    hand_ticked = original.replace(b"- [ ] T", b"- [X] T")
    total = original.count(b"- [X] T") + original.count(b"- [ ] T")
    # the app and the server share the lock folder, the settings and the caches; the app is
    # told its size (this process's environment may carry another COLUMNS and LINES, which
    # tmux hands on), tall enough to show every task
    app = TmuxProgram(tmp_path / "home", root, [str(path)], size=(120, 60),
                      env={**{name: os.environ[name] for name in SHARED}, "COLUMNS": "120", "LINES": "60"})

    async def screen_shows(*texts: str) -> str:
        return await anyio.to_thread.run_sync(
            lambda: app.wait_screen(lambda s: all(t in s for t in texts), f"the app to show {texts}"))

    try:
        await screen_shows("[ ] T014", f"14/{total}")
        app.keys("Space")  # the person ticks T014, where the cursor starts
        await anyio.to_thread.run_sync(lambda: poll(lambda: path.read_bytes() != original, 10, "the tick to land"))
        async with mcp_client(root, tmp_path / "server-stderr.txt") as client:
            task, _ = await call(client, "get_task", file=NAME, ref="T014")
            assert task["state"] == "done", "the agent reads what the person did"
            done = 15
            while True:
                result = await client.call_tool("claim_task", {"file": NAME})
                if result.is_error:
                    assert result.content[0].text.endswith("nothing left to do"), result.content[0].text
                    break
                ref = result.structured_content["id"]
                await screen_shows(f"[/] {ref}")
                await call(client, "set_state", file=NAME, refs=[ref], state="done")
                done += 1
                await screen_shows(f"[X] {ref}", f"{done}/{total}")
        assert done == total
        assert path.read_bytes() == hand_ticked
        assert app.quit() == "0"
        assert path.read_bytes() == hand_ticked, "quitting the app writes nothing"
    finally:
        app.close()
