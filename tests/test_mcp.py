"""`tasktui mcp ROOT`: the MCP server, driven by the SDK's own client over a real
stdio process. Every edit is asserted on the file's whole bytes; every read is
the command line's `--json` for the same question; every refusal is one
sentence, `isError`, no traceback and the file untouched; two clients claiming
at once never take the same task; subscribers hear of writes made by anyone,
on both subscription paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import anyio
import pytest

from support import (HOSTILE_PIECES, MARKUP_SENTINEL, GitRepo, SAMPLES_DIR, TASKTUI, assert_no_control_output, call,
                     hostile_file, mcp_client, poll, refused, run)
from tasktui.doc.edits import today
from tasktui.doc.safetext import json_text

TOOLS = ["overview", "status", "list_tasks", "get_task", "next_tasks", "claim_task", "set_state", "add_task",
         "edit_task", "move_task", "log_entry", "add_time", "set_estimate", "check", "history"]

SPEC = b"""# Tasks: Invitations

## Phase 1: Setup

- [x] T001 Create the project
- [ ] T002 [P] Configure ruff
- [ ] T003 Write the README (depends on T002)

## Phase 2: Build

- [ ] T004 Build the service
  - **Estimated Time**: 2 hours
- [ ] T005 Ship it

## Blockers & Decisions Log

"""
NAME = "specs/001-invitations/tasks.md"


@pytest.fixture
def root(tmp_path):
    """A project folder with one spec-kit tasks file."""
    project = tmp_path / "project"
    (project / "specs" / "001-invitations").mkdir(parents=True)
    (project / NAME).write_bytes(SPEC)
    return project


@pytest.fixture
def errlog(tmp_path):
    return tmp_path / "server-stderr.txt"


def cli_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert err == "", err
    return code, json.loads(out)


def no_traceback(errlog) -> None:
    text = errlog.read_text(encoding="utf-8") if errlog.exists() else ""
    assert "Traceback" not in text and "Error executing" not in text, text


async def test_the_tools_have_their_names_output_schemas_and_words_for_an_agent(root, errlog):
    async with mcp_client(root, errlog) as client:
        tools = (await client.list_tools()).tools
        assert [t.name for t in tools] == TOOLS
        for tool in tools:
            assert tool.output_schema is not None and tool.output_schema["type"] == "object", tool.name
            assert 80 < len(tool.description) < 500, (tool.name, tool.description)
        by_name = {t.name: t for t in tools}
        assert by_name["set_state"].input_schema["properties"]["state"]["type"] == "string", "a string, not an enum"
        assert by_name["status"].annotations.read_only_hint and not by_name["claim_task"].annotations.read_only_hint
        said = client.instructions
        for step in ("next_tasks", "claim_task", "set_state", "log_entry", "add_time", '"todo"'):
            assert step in said, step
    no_traceback(errlog)


async def test_reads_answer_what_the_command_line_answers(root, errlog, capsys):
    path = root / NAME
    async with mcp_client(root, errlog) as client:
        data, text = await call(client, "status", file=NAME)
        assert data == {"file": NAME, **cli_json(capsys, "status", path)[1]}
        assert text == "Tasks: Invitations: 1/5 done, 20%; 0 open blockers"
        data, text = await call(client, "list_tasks", file=NAME)
        assert data == {"file": NAME, "query": None, "query_problems": [], "tasks": cli_json(capsys, "list", path)[1]}
        assert text.splitlines() == ["5 tasks in " + NAME, "L5 [x] T001 Create the project",
                                     "L6 [ ] T002 [P] Configure ruff", "L7 [ ] T003 Write the README (depends on T002)",
                                     "L11 [ ] T004 Build the service", "L13 [ ] T005 Ship it"]
        data, text = await call(client, "list_tasks", file=NAME, query="state:open -[P] state:bogus")
        assert [t["id"] for t in data["tasks"]] == ["T003", "T004", "T005"]
        assert data["query_problems"] and "bogus" in data["query_problems"][0] and "bogus" in text.splitlines()[0]
        data, text = await call(client, "next_tasks", file=NAME)
        assert data == {"file": NAME, "tasks": [cli_json(capsys, "next", path)[1]], "nothing_ready": None}
        assert text == "L6 T002 [P] Configure ruff (ready: [P] in Phase 1)"
        data, _text = await call(client, "next_tasks", file=NAME, all=True)
        assert data == {"file": NAME, "tasks": cli_json(capsys, "next", path, "--all")[1], "nothing_ready": None}
        data, _text = await call(client, "check", file=NAME)
        assert data == {**cli_json(capsys, "check", path)[1], "file": NAME}
        data, text = await call(client, "get_task", file=NAME, ref="T004")
        listed = cli_json(capsys, "list", path)[1][3]
        assert data == {**listed, "file": NAME, "ready": False, "reason": "waits for Phase 1 (2 open)",
                        "markdown": "- [ ] T004 Build the service\n  - **Estimated Time**: 2 hours", "subtasks": [],
                        "log": []}
        assert text == "L11 [ ] T004 Build the service\nwaits for Phase 1 (2 open)"
        data, text = await call(client, "overview")
        assert data == {**cli_json(capsys, "status", "--all", root)[1], "root": str(root.resolve())}
        assert text.splitlines() == [f"1 tasks files below {root.resolve()}",
                                     f"{NAME}: 1/5 done, 0 open blockers; next: L6 T002 [P] Configure ruff"]
    assert path.read_bytes() == SPEC, "reading changes nothing"
    no_traceback(errlog)


async def test_each_edit_writes_exactly_its_bytes(root, errlog):
    path = root / NAME
    async with mcp_client(root, errlog) as client:
        claimed, text = await call(client, "claim_task", file=NAME)
        step1 = SPEC.replace(b"- [ ] T002", b"- [/] T002")
        assert path.read_bytes() == step1, "a claim is the file's own in-progress mark: one byte"
        assert (claimed["id"], claimed["state"], claimed["claimed"], claimed["line"]) == ("T002", "in_progress", True, 6)
        assert text == "claimed L6 T002 [P] Configure ruff (ready: [P] in Phase 1)"

        done, text = await call(client, "set_state", file=NAME, refs=["T002"], state="done")
        step2 = step1.replace(b"- [/] T002", b"- [x] T002")
        assert path.read_bytes() == step2, "done is the file's own done mark: one byte"
        assert done == {"file": NAME, "changed": True, "summary": "L6 T002 [P] Configure ruff: [/] -> [x]",
                        "replanned": False, "line": 6, "mark": "x", "old": "/"}

        added, _ = await call(client, "add_task", file=NAME, text="Write the changelog", after="T002")
        step3 = step2.replace(b"- [x] T002 [P] Configure ruff\n",
                              b"- [x] T002 [P] Configure ruff\n- [ ] T006 Write the changelog\n")
        assert path.read_bytes() == step3
        assert (added["line"], added["id"]) == (7, "T006")
        await call(client, "add_task", file=NAME, text="Announce it", section="Build")
        step4 = step3.replace(b"- [ ] T005 Ship it\n", b"- [ ] T005 Ship it\n- [ ] T007 Announce it\n")
        assert path.read_bytes() == step4

        await call(client, "edit_task", file=NAME, ref="T005", text="Ship the release", expected_text="T005 Ship it")
        step5 = step4.replace(b"T005 Ship it", b"T005 Ship the release")
        assert path.read_bytes() == step5
        await call(client, "move_task", file=NAME, ref="T003", section="Build")
        step6 = step5.replace(b"- [ ] T003 Write the README (depends on T002)\n", b"").replace(
            b"- [ ] T007 Announce it\n", b"- [ ] T007 Announce it\n- [ ] T003 Write the README (depends on T002)\n")
        assert path.read_bytes() == step6

        logged, _ = await call(client, "log_entry", file=NAME, text="API keys missing", kind="Blocker", task="T004")
        step7 = step6 + f"**{today()}** - Blocker: API keys missing (task T004)\n\n".encode()
        assert path.read_bytes() == step7
        assert (logged["kind"], logged["task"]) == ("Blocker", "T004")

        timed, text = await call(client, "add_time", file=NAME, ref="T004", duration="1h30m")
        step8 = step7.replace(b"  - **Estimated Time**: 2 hours\n",
                              b"  - **Estimated Time**: 2 hours\n  - **Actual Time**: 1.5 hours\n")
        assert path.read_bytes() == step8
        assert text == "L11 T004 Build the service: Actual Time 1.5 hours" and timed["hours"] == 1.5
        await call(client, "set_estimate", file=NAME, ref="T005", duration="45m")
        step9 = step8.replace(b"- [ ] T005 Ship the release\n",
                              b"- [ ] T005 Ship the release\n  - **Estimated Time**: 0.75 hours\n")
        assert path.read_bytes() == step9
    no_traceback(errlog)


async def test_file_text_reaches_the_text_shown_and_never_the_terminal(tmp_path, errlog, capsys):
    """Every hostile piece in one file: the short texts show control characters as their
    pictures; the structured content is the file's text as JSON carries it (as --json)."""
    root = tmp_path / "project"
    root.mkdir()
    text = MARKUP_SENTINEL + " " + "".join(HOSTILE_PIECES)
    path = root / "tasks.md"
    path.write_bytes(hostile_file(text))
    async with mcp_client(root, errlog) as client:
        listed, shown = await call(client, "list_tasks", file="tasks.md")
        assert listed["tasks"] == cli_json(capsys, "list", path)[1]
        assert listed["tasks"][0]["text"] == json_text("T001 " + text), "data: escaped by JSON, not changed"
        _detail, shown_task = await call(client, "get_task", file="tasks.md", ref="T001")
        _status, shown_status = await call(client, "status", file="tasks.md")
        _next, shown_next = await call(client, "next_tasks", file="tasks.md", all=True)
    for said in (shown, shown_task, shown_status, shown_next):
        assert_no_control_output(said, "a tool's text")
    assert MARKUP_SENTINEL in shown and "␛]0;PWNED␇" in shown and "⟨RLO⟩evil⟨PDF⟩" in shown
    assert path.read_bytes() == hostile_file(text)
    no_traceback(errlog)


async def test_a_human_edit_between_two_calls_is_what_the_next_call_reads(root, errlog):
    path = root / NAME
    async with mcp_client(root, errlog) as client:
        await call(client, "claim_task", file=NAME, ref="T002")
        path.write_bytes(path.read_bytes().replace(b"- [/] T002", b"- [x] T002"))  # a person finished it
        data, _ = await call(client, "next_tasks", file=NAME)
        assert data["tasks"][0]["id"] == "T003"
        text = await refused(client, "edit_task", file=NAME, ref="T002", text="Configure black",
                             expected_text="T002 [P] Configure ruff and mypy")
        assert "another program changed it; nothing was written" in text
    assert path.read_bytes() == SPEC.replace(b"- [ ] T002", b"- [x] T002")


async def test_a_state_change_in_a_template_file_updates_its_progress_lines_in_the_same_write(tmp_path, errlog, capsys):
    root = tmp_path / "project"
    root.mkdir()
    path = root / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "template-project.md", path)
    by_cli = tmp_path / "by-cli.md"
    shutil.copyfile(path, by_cli)
    original = path.read_bytes()
    ref = "Wire authentication middleware"  # the first task of Phase 3 to start: the phase starts
    async with mcp_client(root, errlog) as client:
        await call(client, "set_state", file="tasks.md", refs=[ref], state="in_progress")
    assert run(capsys, "set", by_cli, ref, "in_progress")[0] == 0
    assert path.read_bytes() == by_cli.read_bytes()
    changed = [(a, b) for a, b in zip(original.splitlines(), path.read_bytes().splitlines()) if a != b]
    assert changed == [(b"- [ ] **Wire authentication middleware** into the new router",
                        b"- [/] **Wire authentication middleware** into the new router"),
                       ("**Phase 3**: â¬œ Not Started  ".encode(), "**Phase 3**: ðŸŸ¡ In Progress  ".encode())]


async def test_history_reads_the_files_git_history(tmp_path, errlog, capsys):
    repo = GitRepo(tmp_path / "repo")
    repo.write("tasks.md", SPEC)
    repo.git("add", "tasks.md")
    repo.git("commit", "-q", "-m", "plan", when="2026-11-02T10:00:00+01:00")
    repo.write("tasks.md", SPEC.replace(b"- [ ] T002", b"- [x] T002"))
    repo.git("commit", "-q", "-am", "ruff", when="2026-11-03T10:00:00+01:00")
    async with mcp_client(repo.path, errlog) as client:
        data, text = await call(client, "history", file="tasks.md")
    expected = cli_json(capsys, "history", repo.path / "tasks.md")[1]
    assert [c["done"] for c in data["commits"]] == [1, 2] and data["now"] is None
    assert {k: v for k, v in data.items() if k not in ("file", "velocity", "forecast")} == {
        k: v for k, v in expected.items() if k not in ("velocity", "forecast")}
    assert data["file"] == "tasks.md" and text.startswith("velocity:")


REFUSALS = [
    ("set_state", {"refs": ["T999"], "state": "done"}, "no task matches 'T999': use an id, L<line> or part of the task's text"),
    ("set_state", {"refs": ["T002"], "state": "finished"}, "unknown state 'finished': use todo, done, in_progress, queued, blocked, review, draft, cancelled"),
    ("set_state", {"refs": [], "state": "done"}, "name at least one task in refs"),
    ("get_task", {"ref": "T00"}, "'T00' matches 5 tasks (L5 T001 Create the project; L6 T002"),
    ("add_time", {"ref": "T004", "duration": "90"}, "90"),
    ("add_time", {"ref": "T004", "duration": "soon"}, "soon"),
    ("set_estimate", {"ref": "L99", "duration": "1h"}, "line 99 is not in the file: it has 17 lines"),
    ("claim_task", {"ref": "T001"}, "L5 T001 Create the project cannot be claimed: it is done"),
    ("claim_task", {"ref": "T004"}, "L11 T004 Build the service cannot be claimed: it is not ready (waits for Phase 1 (2 open))"),
    ("move_task", {"ref": "T003", "before": "T004", "after": "T005"}, "exactly one of before, after or section"),
    ("move_task", {"ref": "T003", "section": "Nowhere"}, "no heading matches 'Nowhere'"),
    ("log_entry", {"text": "x", "kind": "Rant"}, "'Rant' is not a kind of entry: use Blocker or Decision"),
    ("edit_task", {"ref": "T005", "text": "  "}, "a task needs some text"),
    ("add_task", {"text": "Write\n- [x] T009 sneaked in"}, "text must be a single line"),
    ("log_entry", {"text": "x\n## New heading", "kind": "Decision"}, "text must be a single line"),
]


async def test_refusals_are_one_sentence_with_nothing_written(root, errlog):
    path = root / NAME
    async with mcp_client(root, errlog) as client:
        for tool, arguments, sentence in REFUSALS:
            text = await refused(client, tool, file=NAME, **arguments)
            assert sentence in text, (tool, text)
            assert text.count("\n") == 0, text
        assert path.read_bytes() == SPEC
        claimed = SPEC.replace(b"- [ ] T002", b"- [/] T002")
        await call(client, "claim_task", file=NAME, ref="T002")
        text = await refused(client, "claim_task", file=NAME, ref="T002")
        assert text.endswith("L6 T002 [P] Configure ruff cannot be claimed: it is in progress already")
        assert path.read_bytes() == claimed
    no_traceback(errlog)


async def test_files_outside_the_root_are_refused(root, errlog, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_bytes(SPEC)
    (root / "link.md").symlink_to(outside)
    (root / "notes").mkdir()
    async with mcp_client(root, errlog) as client:
        for name, sentence in [
            ("../outside.md", "'../outside.md' is outside the root"),
            ("specs/../../outside.md", "is outside the root"),
            (str(outside), "is not a path relative to the root"),
            ("link.md", "'link.md' is outside the root"),
            ("missing.md", "there is no file 'missing.md' below the root"),
            ("notes", "there is no file 'notes' below the root"),
            ("", "name a tasks file"),
        ]:
            for tool, arguments in (("status", {}), ("set_state", {"refs": ["T002"], "state": "done"})):
                text = await refused(client, tool, file=name, **arguments)
                assert sentence in text, (name, text)
        data, _ = await call(client, "status", file="specs/../" + NAME)
        assert data["file"] == NAME, "a path that stays below the root is served, by its own name"
    assert outside.read_bytes() == SPEC
    no_traceback(errlog)


CLAIMS = b"# Tasks: Many\n\n## Phase 1: Work\n\n" + b"".join(b"- [ ] T%03d [P] Task %d\n" % (i, i) for i in range(1, 13))


async def test_two_clients_claiming_at_once_never_take_the_same_task(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    path = root / "tasks.md"
    path.write_bytes(CLAIMS)
    taken: dict[str, list[str]] = {"a": [], "b": []}

    async def agent(name: str) -> None:
        async with mcp_client(root, tmp_path / f"{name}.err") as client:
            while True:
                result = await client.call_tool("claim_task", {"file": "tasks.md"})
                if result.is_error:
                    assert "nothing can start now" in result.content[0].text, result.content[0].text
                    return
                taken[name].append(result.structured_content["id"])

    async with anyio.create_task_group() as group:
        group.start_soon(agent, "a")
        group.start_soon(agent, "b")
    everything = taken["a"] + taken["b"]
    assert sorted(everything) == [f"T{i:03d}" for i in range(1, 13)], taken
    assert path.read_bytes() == CLAIMS.replace(b"- [ ] T", b"- [/] T")


@pytest.mark.xdist_group("timing")
async def list_changed(events, uri: str):
    """The next list_changed on a listen stream, within 20 s. A write may be seen in two
    steps (the file cut, then its bytes), so further updates of ``uri`` may come first:
    they are passed over; anything else fails."""
    with anyio.fail_after(20):
        while True:
            event = await events.__anext__()
            if type(event).__name__ != "ResourceUpdated" or event.uri != uri:
                return event


async def test_subscribers_hear_of_a_write_made_by_anyone(root, errlog):
    """A 2026 client's subscriptions/listen stream, and a 2025 client's resources/subscribe.
    Each client has a server process of its own, which looks through the root on its own
    schedule: what a client lists is asked of its own server once that server has told it
    the list changed."""
    path = root / NAME
    uri = "tasktui://" + NAME
    heard: list[str] = []

    async def legacy_messages(message) -> None:
        method = getattr(message, "method", None)
        if method in ("notifications/resources/updated", "notifications/resources/list_changed"):
            heard.append(getattr(message.params, "uri", None) or method)

    async with mcp_client(root, errlog) as modern, \
            mcp_client(root, errlog, mode="legacy", message_handler=legacy_messages) as legacy:
        assert [r.uri for r in (await modern.list_resources()).resources] == [uri]
        read = await modern.read_resource(uri)
        assert read.contents[0].text == SPEC.decode() and read.contents[0].mime_type == "text/markdown"
        assert legacy.server_capabilities.resources.subscribe and legacy.server_capabilities.resources.list_changed
        with pytest.warns(UserWarning, match="resources/subscribe is removed as of 2026"):
            await legacy.session.subscribe_resource(uri)  # what a 2025 client sends
        async with modern.listen(resource_subscriptions=[uri], resources_list_changed=True) as events:
            path.write_bytes(SPEC.replace(b"- [ ] T005", b"- [x] T005"))  # another program writes the file
            with anyio.fail_after(20):
                event = await events.__anext__()
            assert event.uri == uri
            with anyio.fail_after(20):
                while uri not in heard:
                    await anyio.sleep(0.05)
            # a new tasks file below the root: both hear that the list changed
            other = root / "specs" / "002-export" / "tasks.md"
            other.parent.mkdir()
            other.write_bytes(b"# Export\n\n- [ ] one\n")
            both = [uri, "tasktui://specs/002-export/tasks.md"]
            assert type(await list_changed(events, uri)).__name__ == "ResourcesListChanged"
            assert [r.uri for r in (await modern.list_resources()).resources] == both
            with anyio.fail_after(20):
                while heard.count("notifications/resources/list_changed") < 1:
                    await anyio.sleep(0.05)
            assert [r.uri for r in (await legacy.list_resources()).resources] == both
            other.unlink()  # and when it goes
            assert type(await list_changed(events, uri)).__name__ == "ResourcesListChanged"
            assert [r.uri for r in (await modern.list_resources()).resources] == [uri]
        with anyio.fail_after(20):
            while heard.count("notifications/resources/list_changed") < 2:
                await anyio.sleep(0.05)
        assert [r.uri for r in (await legacy.list_resources()).resources] == [uri]
        with pytest.raises(Exception, match="outside the root"):
            await modern.read_resource("tasktui://../outside.md")
    no_traceback(errlog)


async def test_an_agents_own_write_reaches_subscribers_too(root, errlog):
    uri = "tasktui://" + NAME
    async with mcp_client(root, errlog) as client:
        async with client.listen(resource_subscriptions=[uri]) as events:
            await call(client, "claim_task", file=NAME)
            with anyio.fail_after(20):
                event = await events.__anext__()
        assert event.uri == uri


def test_without_the_sdk_the_command_says_how_to_install_it(root):
    code = ("import sys\nsys.modules['mcp'] = None\nfrom tasktui.cli import main\n"
            f"sys.exit(main(['mcp', {str(root)!r}]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == "tasktui: tasktui mcp needs the MCP SDK, which is not installed: pip install 'tasktui[mcp]'\n"


@pytest.mark.parametrize("where", ["/", "home"])
def test_the_root_may_not_be_the_whole_machine_or_the_home_folder(tmp_path, where):
    home = tmp_path / "home"
    home.mkdir()
    folder = "/" if where == "/" else str(home)
    out = subprocess.run([str(TASKTUI), "mcp", folder], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HOME": str(home)}, stdin=subprocess.DEVNULL)
    assert (out.returncode, out.stdout) == (1, "")
    shown = "/" if where == "/" else str(home.resolve())
    assert out.stderr == (f"tasktui: tasktui mcp does not serve {shown} itself: give it the project's folder "
                          "(tasktui mcp PROJECT, or run it from there)\n")


def test_the_command_line_and_the_app_never_load_the_sdk(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(SPEC)
    code = ("import sys\nfrom tasktui import cli\nimport tasktui.cli.launch, tasktui.ui.app\n"
            f"for argv in (['list', {str(path)!r}], ['status', {str(path)!r}, '--json'], ['next', {str(path)!r}]):\n"
            "    assert cli.main(argv) == 0\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types', 'tasktui.mcp')"
            " or m.startswith('tasktui.mcp'))\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_a_server_ends_when_its_client_goes(root, tmp_path):
    """stdin closed: the server (its watcher thread and all) ends by itself, status 0."""
    proc = subprocess.Popen([str(TASKTUI), "mcp", str(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdin.close()
    poll(lambda: proc.poll() is not None, 30, "the server to end")
    assert proc.returncode == 0, proc.stderr.read()
    assert b"Traceback" not in proc.stderr.read()


def test_the_server_never_loads_textual():
    code = ("import sys\nimport tasktui.mcp.server\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tasktui.ui') or m.startswith('tasktui.ui'))\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
