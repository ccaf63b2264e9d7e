"""First run: `tasktui new`, a bare `tasktui` (./tasks.md, the overview of the
tasks files below, or how to start), `tasktui --demo`, `--version`/`--help`,
and the `?` help screen.

The app is never started in a real terminal here: the launched TaskTuiApp's
`run` is replaced by a recorder (everything before it, reading the file and
the config, runs for real), and apps that must run are driven headless with
Pilot (`run_test`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest

from support import SAMPLES_DIR
from support import SIZE, quiesce, record_notifications, screen_text, wait_for
from support import assert_one_line_error, run
from tasktui import __version__
from tasktui.storage import config
from tasktui.cli import commands as cli
from tasktui.cli import launch
from tasktui.ui.app import TaskTuiApp
from tasktui.doc import Document
from tasktui.ui.screens import help as help_mod
from tasktui.ui.screens.help import HelpScreen
from tasktui.core.workspace import find_tasks_files

DATA = Path(launch.__file__).parent.parent / "data"
TEMPLATE = (DATA / "new.md").read_text(encoding="utf-8")


@pytest.fixture
def launched(monkeypatch) -> list[TaskTuiApp]:
    """The apps `tasktui` would have run; their `run` records instead of taking the terminal."""
    apps: list[TaskTuiApp] = []

    def record(self, *args, **kwargs):
        apps.append(self)
        return None

    monkeypatch.setattr(TaskTuiApp, "run", record)
    return apps


# ----------------------------------------------------------------------------- new
def test_new_writes_the_template_with_the_title(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    code, out, err = run(capsys, "new", path, "--title", "Search Feature")
    assert (code, err) == (0, "")
    assert out == f"created {path} (Search Feature); open it with: tasktui {path}\n"
    assert path.read_bytes() == TEMPLATE.replace("{title}", "Search Feature").encode()

    doc = Document(path.read_bytes())
    assert doc.dialect == "template"
    assert doc.title == "Implementation Tasks: Search Feature"
    assert [s.phase for s in doc.sections if s.phase is not None] == [1, 2, 3]
    phase_tasks = [t for t in doc.tasks if t.path and "Phase" in t.path[1]]
    assert [t.estimate_hours for t in phase_tasks] == [2.0, 4.0, 6.0, 3.0, 2.0]
    assert all(t.state == "todo" and not t.optional for t in doc.tasks)
    assert [(c.phase, c.status) for c in doc.completion] == [(1, "not_started"), (2, "not_started"), (3, "not_started")]
    assert {t.label: t.value for t in doc.time_lines} == {
        "Estimated Total": f"{sum(t.estimate_hours for t in phase_tasks):g} hours",
        "Actual Time": "0 hours",
        "Variance": "0 hours (+0%)",
    }
    assert [e.placeholder for e in doc.log] == [True] and doc.open_blockers == []
    assert any(h.text == "Blockers & Decisions Log" for h in doc.headings)

    status = json.loads(run(capsys, "status", path, "--json")[1])
    assert (status["total"], status["done"], status["estimate_hours"], status["blockers"]) == (8, 0, 17.0, [])


def test_new_takes_the_title_from_the_file_name(capsys, tmp_path):
    path = tmp_path / "user-auth_flow.md"
    assert run(capsys, "new", path)[0] == 0
    assert path.read_text(encoding="utf-8").startswith("# Implementation Tasks: User Auth Flow\n\n**Project**: User Auth Flow\n")


def test_toggling_a_task_in_a_new_file_syncs_its_phase(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    run(capsys, "new", path, "--title", "Search")
    before = path.read_bytes()
    code, out, err = run(capsys, "toggle", path, "development environment")
    assert (code, err) == (0, "")
    expected = before.replace(b"- [ ] **Set up the development environment**", b"- [x] **Set up the development environment**", 1)
    expected = expected.replace("**Phase 1**: ⬜ Not Started  \n".encode(), "**Phase 1**: 🟡 In Progress  \n".encode(), 1)
    assert path.read_bytes() == expected
    assert [(c.phase, c.status) for c in Document(expected).completion][0] == (1, "in_progress")


def test_new_never_overwrites(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] mine\n")
    before = os.stat(path)
    assert_one_line_error(*run(capsys, "new", path), "already exists", "never overwrites")
    assert path.read_bytes() == b"- [ ] mine\n" and os.stat(path).st_mtime_ns == before.st_mtime_ns
    link = tmp_path / "dangling.md"
    link.symlink_to(tmp_path / "nowhere.md")
    assert_one_line_error(*run(capsys, "new", link), "already exists")
    assert not (tmp_path / "nowhere.md").exists()


def test_new_refuses_a_missing_folder_a_bad_title_and_a_bad_name(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "new", tmp_path / "no" / "tasks.md"), "folder", "does not exist")
    assert not (tmp_path / "no").exists()
    assert_one_line_error(*run(capsys, "new", tmp_path / "t.md", "--title", "two\nlines"), "one line")
    assert sorted(tmp_path.iterdir()) == []


def test_new_with_an_impossible_name_is_one_line(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "new", tmp_path / ("x" * 300 + ".md")), "could not create")


# -------------------------------------------------------------- bare `tasktui`
def make_tree(root: Path) -> list[Path]:
    """spec-kit, Kiro and TODO files, plus decoys in folders that are skipped or too deep."""
    wanted = [root / "specs" / "001" / "tasks.md", root / ".kiro" / "specs" / "x" / "tasks.md", root / "docs" / "TODO.md"]
    bodies = [b"# S\n\n- [x] T001 a\n- [ ] T002 b\n- [ ] T003 c\n", b"- [x] 1. a\n- [x] 2. b\n", b"- [ ] one\n"]
    for path, body in zip(wanted, bodies):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    for decoy in (".git/tasks.md", "node_modules/pkg/TODO.md", ".venv/lib/tasks.md", "venv/tasks.md",
                  ".hidden/tasks.md", "a/b/c/d/e/tasks.md", "docs/notes.md", "specs/001/spec.md"):
        (root / decoy).parent.mkdir(parents=True, exist_ok=True)
        (root / decoy).write_bytes(b"- [ ] decoy\n")
    return sorted(p.resolve() for p in wanted)


def test_find_tasks_files_finds_exactly_the_tasks_files(tmp_path):
    wanted = make_tree(tmp_path)
    found = find_tasks_files(tmp_path)
    assert sorted(found) == wanted
    assert [p.relative_to(tmp_path.resolve()).as_posix() for p in found] == [
        ".kiro/specs/x/tasks.md", "docs/TODO.md", "specs/001/tasks.md",
    ]
    (tmp_path / "a" / "b" / "c" / "d" / "Tasks.md").write_bytes(b"- [ ] at depth four\n")
    assert tmp_path.resolve() / "a" / "b" / "c" / "d" / "Tasks.md" in find_tasks_files(tmp_path)


def test_bare_tasktui_opens_tasks_md_here(capsys, tmp_path, monkeypatch, launched):
    make_tree(tmp_path)
    (tmp_path / "tasks.md").write_bytes(b"- [ ] here\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out, err) == (0, "", "")
    assert [app.session.path for app in launched] == [Path("tasks.md")]
    assert launched[0].session.force_read_only is False


def test_bare_tasktui_lists_the_files_when_not_a_tty(capsys, tmp_path, monkeypatch, launched):
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [".kiro/specs/x/tasks.md", "docs/TODO.md", "specs/001/tasks.md"]
    assert launched == []


def test_bare_tasktui_on_a_tty_opens_the_overview_of_the_files_below(capsys, tmp_path, monkeypatch, launched):
    files = make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    tty = types.SimpleNamespace(stdout=types.SimpleNamespace(isatty=lambda: True), stderr=sys.stderr)
    monkeypatch.setattr(launch, "sys", tty)
    assert launch.open_default([]) == 0
    [app] = launched
    assert app.workspace == tmp_path and app.main is None
    assert sorted(app.overview.files) == files
    # `tasktui DIR` opens the overview too; a bare `tasktui` with one file below opens that file
    assert run(capsys, tmp_path / "docs")[0] == 0
    assert launched[1].workspace == tmp_path / "docs" and launched[1].overview.files == [files[1]]
    monkeypatch.chdir(tmp_path / "docs")
    assert launch.open_default([]) == 0
    assert launched[2].session.path == files[1] and launched[2].workspace is None


def test_bare_tasktui_with_nothing_found_says_how_to_start(capsys, tmp_path, monkeypatch, launched):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "tasks.md").write_bytes(b"- [ ] not yours\n")
    code, out, err = run(capsys)
    assert_one_line_error(code, out, err, "no tasks.md here", "tasktui new", "--demo")
    assert launched == []


def test_bare_tasktui_read_only_is_not_ignored(capsys, tmp_path, monkeypatch, launched):
    (tmp_path / "tasks.md").write_bytes(b"- [ ] here\n")
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(["--read-only"])
    except SystemExit as exc:  # refusing the option as a usage error would be fine too
        code = exc.code
    assert code == 2 or [app.session.force_read_only for app in launched] == [True]


def test_open_options_reach_the_app(capsys, tmp_path, launched):
    path = tmp_path / "t.md"
    path.write_bytes(b"- [ ] a\n")
    assert run(capsys, "open", path, "--read-only", "--no-sync")[0] == 0
    assert run(capsys, path)[0] == 0
    assert [(a.session.path, a.session.force_read_only, a.settings.sync) for a in launched] == [(path, True, False), (path, False, True)]


def test_open_with_a_broken_config_starts_with_the_defaults(capsys, tmp_path, launched, _private_settings):
    (_private_settings / "config.toml").write_text("sync = 3\n")
    path = tmp_path / "t.md"
    path.write_bytes(b"- [ ] a\n")
    assert run(capsys, path) == (0, "", "")
    [app] = launched
    assert app.settings.sync is True
    [notice] = app._startup_notices
    assert "sync" in notice and "true or false" in notice


# ------------------------------------------------------------------------ demo
async def test_demo_opens_a_scratch_copy_and_never_writes_the_bundled_file(capsys, tmp_path, monkeypatch, launched):
    """One scratch folder in the state folder, reset to the sample on each run."""
    bundled = DATA / "demo.md"
    original = bundled.read_bytes()
    digest = hashlib.sha256(original).hexdigest()
    code, out, err = run(capsys, "--demo")
    assert code == 0 and out == ""
    [app] = launched
    copy = app.session.path
    assert err == f"tasktui: demo file at {copy}\n"
    assert copy == config.state_dir() / "demo" / "tasks.md"
    assert copy.resolve() != bundled.resolve() and copy.read_bytes() == original

    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the demo to load")
        warned = [n for n in notes if n[2] != "information"]
        assert warned == [], "the demo opens without warnings (no mojibake: that is the template sample's)"
        assert "â" not in screen_text(app)
        await pilot.press("space")
        await wait_for(pilot, lambda: copy.read_bytes() != original, what="the toggle to reach the copy")
        await quiesce(app, pilot)
    assert sum(a != b for a, b in zip(copy.read_bytes(), original)) == 1
    assert bundled.read_bytes() == original and hashlib.sha256(bundled.read_bytes()).hexdigest() == digest

    assert run(capsys, "--demo")[0] == 0  # the next demo: the same folder, the sample again
    assert launched[1].session.path == copy and copy.read_bytes() == original
    assert sorted(p.name for p in copy.parent.iterdir()) == ["tasks.md"]


def test_a_demo_started_while_another_runs_gets_a_fresh_folder_removed_after(capsys, tmp_path, monkeypatch):
    from support import hold_lock

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = config.state_dir() / "demo"
    shared.mkdir(parents=True)
    seen = []

    def record(self, *args, **kwargs):  # what the app would have run on, while it runs
        seen.append((self.session.path, self.session.path.read_bytes()))

    monkeypatch.setattr(TaskTuiApp, "run", record)
    holder = hold_lock(shared)  # another demo
    try:
        assert run(capsys, "--demo")[0] == 0
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    [(path, data)] = seen
    assert path.parent.parent == tmp_path and path.parent.name.startswith("tasktui-demo-")
    assert data == (DATA / "demo.md").read_bytes()
    assert not path.parent.exists(), "a fresh folder goes when its demo ends"
    assert not (shared / "tasks.md").exists(), "the other demo's file was left alone"


# ------------------------------------------------------------- version and help
def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"tasktui {__version__}\n"


def test_help_lists_every_command_with_an_example(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name, (_func, help_, example) in cli.COMMANDS.items():
        assert len(re.findall(rf"^  {name} +{re.escape(help_)}$", out, re.M)) == 1, name  # listed once
        assert f"e.g. {example}" in out, name
        assert example.startswith(f"tasktui {name} ")
    assert "tasktui --demo" in out and "tasktui FILE" in out
    for name, (_func, help_, example) in cli.COMMANDS.items():
        with pytest.raises(SystemExit) as exc:
            cli.main([name, "--help"])
        assert exc.value.code == 0
        assert f"Example: {example}" in " ".join(capsys.readouterr().out.split())


def test_python_dash_m_runs_the_cli(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["tasktui", "--version"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("tasktui", run_name="__main__")
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"tasktui {__version__}\n"


def test_installed_command_version_and_help(tmp_path):
    exe = shutil.which("tasktui", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "tasktui"]
    for flag, needle in (("--version", f"tasktui {__version__}"), ("--help", "e.g. tasktui fmt tasks.md --check")):
        proc = subprocess.run([*cmd, flag], capture_output=True, text=True, cwd=tmp_path, timeout=30)
        assert (proc.returncode, proc.stderr) == (0, "")
        assert needle in proc.stdout


# ------------------------------------------------------------------ help screen
def test_help_documents_every_key_of_the_app():
    """Every binding of the screens and widgets has its row in the help, with the keys
    read from the binding (so a key changed in BINDINGS changes in the help)."""
    bound = help_mod.bindings()
    explained = {(row.where, action) for _group, rows in help_mod.GROUPS for row in rows
                 if isinstance(row, help_mod.Keys) for action in row.actions}
    for where, found in bound.items():
        for binding in found:
            assert (where, binding.action) in explained, f"{binding.key} ({binding.action}) on {where} is not in the help"
    text = "\n".join(f"  {key} " for _group, rows in help_mod.help_rows() for key, _does in rows)
    for key in ("space", "? F1", "alt+↑ K", "PgUp PgDn Home End", "shift+↑ / shift+↓", "ctrl+p", "u / ctrl+r"):
        assert f"  {key} " in text, key


def test_the_help_starts_with_the_most_used_keys():
    groups = help_mod.help_rows()
    group, rows = groups[0]
    assert group == "Most used"
    does = [what for _key, what in rows]
    words = ["toggle", "time", "timer", "log", "add", "change", "delete", "undo", "find", "next", "EDITOR", "quit",
             "help"]
    assert len(does) == len(words)
    for what, word in zip(does, words):
        assert word in what, (word, what)


def test_a_help_row_naming_an_unbound_action_is_an_error():
    row = help_mod.keys("does nothing", "no_such_action")
    with pytest.raises(LookupError, match="no_such_action"):
        help_mod.keys_label(row, help_mod.bindings())


async def test_question_mark_opens_and_closes_the_help(tmp_path):
    path = tmp_path / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "plain-todo.md", path)
    app = TaskTuiApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None, what="the file to load")
        main = app.screen
        for opener, close in (("question_mark", "escape"), ("question_mark", "q"), ("f1", "f1"), ("f1", "question_mark")):
            await pilot.press(opener)
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
            await pilot.press(close)
            await wait_for(pilot, lambda: app.screen is main, what=f"{close} to close the help")
        assert app.is_running  # q closed the help, not the app
        await quiesce(app, pilot)
    assert path.read_bytes() == (SAMPLES_DIR / "plain-todo.md").read_bytes()
