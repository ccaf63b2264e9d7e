"""A whole repository at once: finding the tasks files (tasktui.core.workspace), what
each says in a line, `tasktui status --all`, watching many files with one
thread, and the overview screen (rows as they are read, Enter opens a file, o
comes back, a change on disk shows up)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from support import SAMPLES_DIR, assert_one_line_error, poll, quiesce, run, screen_text, wait_for
from tasktui.storage import store
from tasktui.core import workspace
from tasktui.ui.app import TaskTuiApp
from tasktui.doc import Document
from tasktui.doc.rollup import RollUp
from tasktui.storage.watch import FolderWatcher

_spec = importlib.util.spec_from_file_location(
    "tasktui_snapshot_workspace_app", Path(__file__).parent / "snapshot_apps" / "workspace_app.py")
workspace_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workspace_app)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------- discovery
def test_every_kind_of_tasks_file_is_found_and_nothing_else(tmp_path):
    found = [write(tmp_path / rel, b"- [ ] a\n") for rel in (
        "specs/001-auth/tasks.md", ".kiro/specs/sync/tasks.md", "openspec/changes/add-x/tasks.md", "TODO.md",
        "docs/plans/rollout.md", "docs/migration-plan.md", "plan.md")]
    for rel, body in (("openspec/changes/archive/2025-01-01-old/tasks.md", b"- [x] a\n"),  # applied already
                      ("specs/001-auth/plan.md", b"- [ ] a design note\n"),  # beside tasks.md: the design
                      ("docs/roadmap.md", b"# Roadmap\n\nNo checkboxes here.\n"),
                      ("node_modules/x/tasks.md", b"- [ ] a\n"), (".github/tasks.md", b"- [ ] a\n"),
                      ("a/b/c/d/e/tasks.md", b"- [ ] a\n"), ("specs/001-auth/spec.md", b"- [ ] a\n")):
        write(tmp_path / rel, body)
    assert sorted(workspace.find_tasks_files(tmp_path)) == sorted(p.resolve() for p in found)
    assert [p.relative_to(tmp_path.resolve()).as_posix() for p in workspace.find_tasks_files(tmp_path)][:3] == [
        "TODO.md", "plan.md", ".kiro/specs/sync/tasks.md"]


def test_a_summary_is_the_roll_up_and_the_ready_rule(tmp_path):
    path = write(tmp_path / "specs" / "004-team-invitations" / "tasks.md", (SAMPLES_DIR / "speckit-feature.md").read_bytes())
    before = workspace.placeholder(path, tmp_path)
    assert (before.rel, before.folder, before.where, before.parsed) == (
        "specs/004-team-invitations/tasks.md", "specs/004-team-invitations", "specs/004-team-invitations", False)
    s = workspace.summarize(path, tmp_path)
    doc = Document(path.read_bytes())
    assert s.counts == RollUp(doc).document and s.parsed
    assert (s.title, s.dialect, s.blockers, s.ready, s.problems) == ("Tasks: Team Invitations", "speckit", 0, 8, 0)
    assert (s.next.line, s.next.id, s.next.reason) == (67, "T014", "ready: T006, T012 done; Phase 2 done; the first open task in Phase 3")
    assert workspace.next_label(s).startswith("T014 [US1] Implement InvitationService.create")
    same = workspace.summarize(path, tmp_path, previous=s)
    assert same.counts is s.counts and same.read_at > s.read_at, "the same bytes are not parsed again"
    data = json.loads(json.dumps(s.json()))
    assert (data["path"], data["required"], data["required_done"], data["percent"], data["open_blockers"]) == (
        "specs/004-team-invitations/tasks.md", 32, 14, 43.8, 0)
    assert data["next"]["id"] == "T014" and data["last_changed"].startswith(time.strftime("%Y-"))
    big = workspace.summarize(path, tmp_path, max_bytes=100)
    assert not big.parsed and big.error.endswith("MB: open it to see its numbers")
    gone = workspace.summarize(tmp_path / "nope.md", tmp_path)
    assert not gone.parsed and gone.error


def test_a_file_another_program_is_writing_is_not_read(tmp_path):
    path = write(tmp_path / "tasks.md", b"- [ ] a\n")
    with open(path, "ab"):
        if not store.enable_leases() and not Path("/proc/self/fd").is_dir():
            pytest.skip("no leases and no /proc here: a writer cannot be seen")
        with pytest.raises(store.Busy):
            workspace.summarize(path, tmp_path)
    assert workspace.summarize(path, tmp_path).parsed


def test_when_a_file_changed_in_words():
    now = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))
    assert [workspace.changed_label(now - age, now) for age in (5, 300, 3 * 3600, 86400, 4 * 86400, 40 * 86400)] == [
        "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", "2026-02-04"]
    assert workspace.changed_label(None, now) == "?"


# ------------------------------------------------------------------- status --all
def test_status_all_lists_every_file(capsys, tmp_path):
    root = workspace_app.make_workspace(tmp_path)
    code, out, err = run(capsys, "status", "--all", root, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [f["path"] for f in data["files"]] == [
        ".kiro/specs/bookmark-sync/tasks.md", "docs/TODO.md", "openspec/changes/add-export/tasks.md",
        "specs/001-team-invitations/tasks.md", "specs/002-notification-preferences/tasks.md"]
    for f in data["files"]:
        doc = Document((root / f["path"]).read_bytes(), path=str(root / f["path"]))
        whole = RollUp(doc).document
        assert (f["title"], f["dialect"], f["required_done"], f["required"], f["percent"]) == (
            doc.title, doc.dialect, whole.required_done, whole.required, whole.percent)
        assert set(f) >= {"open_blockers", "estimate_hours", "actual_hours", "next", "last_changed"}
    assert data["files"][3]["next"]["id"] == "T014"
    assert data["files"][4]["estimate_hours"] == 61.5
    code, out, err = run(capsys, "status", "--all", root)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 5 and lines[3].startswith("specs/001-team-invitations")
    assert "14/32" in lines[3] and "T014" in lines[3]
    monkey = os.getcwd()
    os.chdir(root)
    try:
        assert run(capsys, "status", "--all")[1] == out, "the folder defaults to here"
    finally:
        os.chdir(monkey)
    assert_one_line_error(*run(capsys, "status", "--all", tmp_path / "nothing-here"), "is not a folder")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(*run(capsys, "status", "--all", tmp_path / "empty"), "no tasks files below")
    with pytest.raises(SystemExit) as exc:
        run(capsys, "status")
    assert exc.value.code == 2 and "status needs a FILE" in capsys.readouterr().err


def test_status_all_lists_more_than_two_hundred_files_and_a_limit_says_so(capsys, tmp_path):
    """250 spec folders: every one is listed; with --limit the output says how many
    there are (JSON: truncated and found; text: a line on stderr)."""
    for n in range(250):
        write(tmp_path / f"specs/{n:03d}-x/tasks.md", b"- [ ] T001 one\n")
    code, out, err = run(capsys, "status", "--all", tmp_path, "--json")
    data = json.loads(out)
    assert (code, err) == (0, "") and len(data["files"]) == 250
    assert (data["found"], data["truncated"]) == (250, False)
    code, out, err = run(capsys, "status", "--all", tmp_path, "--json", "--limit", "10")
    data = json.loads(out)
    assert code == 0 and len(data["files"]) == 10 and (data["found"], data["truncated"]) == (250, True)
    assert err == f"tasktui: 10 of the 250 tasks files below {tmp_path} are listed (--limit 10)\n"
    code, out, err = run(capsys, "status", "--all", tmp_path, "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 3 and "3 of the 250" in err
    for bad in (["--limit", "0"], ["--limit", "x"]):
        with pytest.raises(SystemExit) as exc:
            run(capsys, "status", "--all", tmp_path, *bad)
        assert exc.value.code == 2
    assert len(workspace.find_tasks_files(tmp_path)) == 250


# ----------------------------------------------------------------- one watcher thread
def test_one_thread_watches_the_folders_of_many_files(tmp_path):
    files = [write(tmp_path / f"specs/{n:03d}/tasks.md", b"- [ ] a\n") for n in range(20)]
    other = write(tmp_path / "specs/000/notes.md", b"notes\n")
    seen: list[list[Path]] = []
    threads_before = threading.active_count()
    watcher = FolderWatcher(files, seen.append, debounce_ms=50)
    watcher.start()
    try:
        assert watcher.ready.wait(5)
        assert threading.active_count() == threads_before + 1
        other.write_bytes(b"more notes\n")
        files[7].write_bytes(b"- [x] a\n")
        tmp = files[12].with_name(".tasks.md.tmp")
        tmp.write_bytes(b"- [x] a\n")
        os.replace(tmp, files[12])  # an atomic save: the file is replaced
        poll(lambda: {p for batch in seen for p in batch} == {files[7], files[12]}, 5, "the two changed files")
    finally:
        watcher.stop()
        watcher.join(3)


# ------------------------------------------------------------------------ the screen
async def overview(tmp_path, size=(160, 40)):
    app = workspace_app.make_app(tmp_path)
    return app, app.run_test(size=size)


async def rows_read(pilot, app) -> None:
    table = app.overview.table
    await wait_for(pilot, lambda: bool(table.rows) and all(r.parsed for r in table.rows), what="every file to be read")
    await wait_for(pilot, lambda: app.overview.watcher is not None and app.overview.watcher.ready.is_set(),
                   what="the folder watcher")


async def test_the_overview_shows_a_row_per_file_and_fills_them_in(tmp_path):
    app = workspace_app.make_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.overview.table
        assert [r.where for r in table.rows] == [
            ".kiro/specs/bookmark-sync", "docs/TODO.md", "openspec/changes/add-export", "specs/001-team-invitations",
            "specs/002-notification-preferences"], "a row per file before any is read"
        await rows_read(pilot, app)
        text = screen_text(app)
        assert "5 tasks files in repo/" in text
        line = next(ln for ln in text.splitlines() if "specs/001-team-invitations" in ln)
        for piece in ("Tasks: Team Invitations", "speckit", "14/32", "44%", "T014 [US1] Implement", "40 min ago"):
            assert piece in line, (piece, line)
        todo = next(ln for ln in text.splitlines() if "docs/TODO.md" in ln)
        assert "▶ Move restic backups" in todo and "just now" in todo, todo
        template = next(ln for ln in text.splitlines() if "specs/002-notification" in ln)
        assert "21.5h/61.5h" in template and "3 days ago" in template
        assert "yesterday" not in text and "2026-02-24" in text, "20 days ago is a date"
        await quiesce(app, pilot)


async def test_enter_opens_a_file_and_o_comes_back_to_the_overview(tmp_path):
    app = workspace_app.make_app(tmp_path)
    root = tmp_path / "repo"
    async with app.run_test(size=(160, 40)) as pilot:
        await rows_read(pilot, app)
        overview_screen = app.screen
        await pilot.press("down", "down", "down", "enter")  # specs/001-team-invitations
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        assert app.screen is app.main and app.session.path == (root / "specs/001-team-invitations/tasks.md").resolve()
        assert app.main.tree.cursor_task.id == "T014"
        await pilot.press("space")  # written to the file, as always
        await wait_for(pilot, lambda: b"- [X] T014" in app.session.path.read_bytes(), what="the toggle")
        await app.workers.wait_for_complete()
        session = app.session
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen is overview_screen, what="the overview")
        assert app.main is None and session.watcher is None and app.is_running
        table = app.overview.table
        assert table.cursor_summary.where == "specs/001-team-invitations", "the cursor stays on the file"
        await wait_for(pilot, lambda: table.cursor_summary.counts.required_done == 15, what="the row to show the toggle")
        assert table.cursor_summary.next.id == "T015"
        # another file, opened in the same app
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the second file")
        assert app.session.path.name == "tasks.md" and app.session.path.parent.name == "add-export"
        await pilot.press("q")
    assert not app.is_running


async def test_a_file_changed_on_disk_updates_its_row(tmp_path):
    app = workspace_app.make_app(tmp_path)
    path = tmp_path / "repo" / "openspec/changes/add-export/tasks.md"
    async with app.run_test(size=(160, 40)) as pilot:
        await rows_read(pilot, app)
        table = app.overview.table
        row = next(r for r in table.rows if r.path.name == "tasks.md" and r.path.parent.name == "add-export")
        assert (row.counts.required_done, row.counts.required, row.next.id) == (1, 4, "1.2")
        data = path.read_bytes()
        tmp = path.with_name(".tasks.md.new")
        tmp.write_bytes(data.replace(b"- [ ] 1.2", b"- [x] 1.2"))
        os.replace(tmp, path)  # the way editors and agents save

        def updated():
            r = next(r for r in table.rows if r.path == row.path)
            return r.counts is not None and r.counts.required_done == 2

        await wait_for(pilot, updated, what="the row to show the change")
        r = next(r for r in table.rows if r.path == row.path)
        assert r.next.id == "1.3" and r.next.reason == "ready: 1.2 done; the first open task in “1. Implementation”"
        assert "2/4" in next(ln for ln in screen_text(app).splitlines() if "add-export" in ln)
        await quiesce(app, pilot)


async def test_o_does_nothing_without_an_overview(tmp_path):
    path = tmp_path / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "plain-todo.md", path)
    app = TaskTuiApp(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None, what="the file to load")
        main = app.screen
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is main and app.main is main and app.is_running
        assert "Overview" not in screen_text(app), "the footer offers it only with an overview"
        await quiesce(app, pilot)


async def test_order_problems_are_said_on_load_and_shown_on_their_tasks(tmp_path):
    from support import record_notifications

    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n## Phase 1: One\n\n- [ ] T001 [P] a (depends on T002)\n- [ ] T002 [P] b (depends on T001)\n"
                     b"- [ ] T003 c (after T099)\n")
    app = TaskTuiApp(path)
    notes = record_notifications(app)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await wait_for(pilot, lambda: any("problems with the order this file states" in m for m, _, _ in notes),
                       what="the notice")
        [note] = [m for m, _, _ in notes if "order this file states" in m]
        assert "line 5: these wait for each other: T001 → T002 → T001" in note and "tasktui check tasks.md" in note
        assert app.main.tree.cursor_task.id == "T003", "T001 and T002 wait for each other; T003 can start"
        detail = app.query_one("#detail")
        await wait_for(pilot, lambda: "T099 is not in this file" in detail.source, what="the detail pane")
        await pilot.press("home", "j")
        await wait_for(pilot, lambda: "**Order problem** (line 5): these wait for each other" in detail.source,
                       what="the cycle on T001")
        assert "**Waiting**: waits for T002" in detail.source
        await quiesce(app, pilot)


# ------------------------------------------------------------------ the summary cache
def test_a_summary_is_reused_only_for_the_same_bytes_and_rules(tmp_path, monkeypatch):
    import sqlite3

    from tasktui.core import loader
    from tasktui.storage import cache, config

    path = write(tmp_path / "specs" / "001-x" / "tasks.md", (SAMPLES_DIR / "speckit-feature.md").read_bytes())
    first = workspace.summarize(path, tmp_path)

    def summaries():
        db = sqlite3.connect(cache.location())
        try:
            return db.execute("SELECT count(*) FROM entry WHERE kind='summary'").fetchone()[0]
        finally:
            db.close()

    assert summaries() == 1

    def no_parsing(*_a, **_k):
        raise AssertionError("parsed again")

    real = loader.parse_all
    monkeypatch.setattr(loader, "parse_all", no_parsing)
    again = workspace.summarize(path, tmp_path)
    assert again == first and again.counts == RollUp(Document(path.read_bytes())).document
    monkeypatch.setattr(loader, "parse_all", real)
    # other bytes, other settings: computed afresh, from the RollUp
    path.write_bytes(path.read_bytes().replace(b"- [ ] T014", b"- [x] T014"))
    changed = workspace.summarize(path, tmp_path)
    assert changed.counts.required_done == first.counts.required_done + 1 and changed.next.id != "T014"
    slow_days = workspace.summarize(path, tmp_path, config.Config(day_hours=4))
    assert slow_days.counts == RollUp(Document(path.read_bytes(), day_hours=4)).document
    # a damaged summary is not used; with the cache off none is read or written
    cache.close()
    db = sqlite3.connect(cache.location())
    db.execute("UPDATE entry SET value=substr(value, 1, 20) WHERE kind='summary'")
    db.commit()
    db.close()
    assert workspace.summarize(path, tmp_path, config.Config(day_hours=4)) == slow_days
    monkeypatch.setenv("TASKTUI_NO_CACHE", "1")
    assert workspace.summarize(path, tmp_path) == changed
    assert cache.load_summary(path, "anything") is None


async def test_a_file_changed_before_it_is_watched_is_read_again(tmp_path, monkeypatch):
    app = workspace_app.make_app(tmp_path)
    path = tmp_path / "repo" / "openspec/changes/add-export/tasks.md"
    original = FolderWatcher._run

    def change_then_watch(self):  # another program saves after the files were read, before the watch
        poll(lambda: all(r.parsed for r in app.overview.table.rows), 10, "every file to be read")
        tmp = path.with_name(".tasks.md.new")
        tmp.write_bytes(path.read_bytes().replace(b"- [ ] 1.2", b"- [x] 1.2"))
        os.replace(tmp, path)
        original(self)

    monkeypatch.setattr(FolderWatcher, "_run", change_then_watch)
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.overview.table

        def updated():
            r = next((r for r in table.rows if r.path == path.resolve()), None)
            return r is not None and r.counts is not None and r.counts.required_done == 2

        await wait_for(pilot, updated, what="the row to show the change made before the watch began")
        await quiesce(app, pilot)


# ------------------------------------------------------------ "Changed" from git
def clone_like_repo(tmp_path) -> tuple[Path, dict[str, Path]]:
    """A repository whose files all have the time of a fresh checkout (now) while
    their commits are older: two committed and unmodified, one committed then
    modified, one never committed, one ignored."""
    from support import GitRepo

    repo = GitRepo(tmp_path / "repo")
    files = {name: repo.write(f"{name}/tasks.md", f"# {name}\n\n- [ ] a\n- [ ] b\n")
             for name in ("old", "older", "edited")}
    repo.write(".gitignore", "ignored/\n")
    repo.commit("the older one", "2025-01-10T12:00:00")
    repo.write("old/tasks.md", "# old\n\n- [x] a\n- [ ] b\n")
    repo.write("edited/tasks.md", "# edited\n\n- [x] a\n- [ ] b\n")
    repo.commit("the old one", "2025-03-05T12:00:00")
    files["edited"].write_text("# edited\n\n- [x] a\n- [x] b\n")
    files["new"] = repo.write("new/tasks.md", "# new\n\n- [ ] a\n")
    files["ignored"] = repo.write("ignored/tasks.md", "# ignored\n\n- [ ] a\n")
    return repo.path, files


def epoch(when: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(when).timestamp()


def test_changed_is_the_last_commit_for_a_file_unmodified_in_git(tmp_path, monkeypatch):
    import subprocess

    from tasktui.core import history

    root, files = clone_like_repo(tmp_path)
    outside = tmp_path / "elsewhere" / "tasks.md"
    outside.parent.mkdir()
    outside.write_text("- [ ] a\n")
    calls = []
    real_popen = subprocess.Popen

    def counted(args, *a, **k):  # every process, subprocess.run's too
        calls.append([x for x in args if x in ("status", "log")])
        return real_popen(args, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", counted)
    times = history.last_commits([*files.values(), outside])
    assert times == {files["old"]: epoch("2025-03-05T12:00:00"), files["older"]: epoch("2025-01-10T12:00:00")}
    assert sorted(c for c in calls if c) == [["log"], ["status"]], "one status and one batched log per repository"

    summaries = workspace.with_commits([workspace.summarize(p, root) for p in files.values()])
    by_name = {s.path.parent.name: s for s in summaries}
    assert by_name["old"].changed == epoch("2025-03-05T12:00:00")
    for name in ("edited", "new", "ignored"):  # modified, untracked, ignored: their own time of change
        assert by_name[name].committed is None and by_name[name].changed == by_name[name].mtime


def test_changed_without_git_is_the_files_time(tmp_path, monkeypatch):
    from tasktui.core import history

    root, files = clone_like_repo(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert history.last_commits(files.values()) == {}


def test_status_all_says_when_the_content_last_changed(capsys, tmp_path):
    root, files = clone_like_repo(tmp_path)
    code, out, err = run(capsys, "status", "--all", root, "--json")
    assert code == 0, err
    changed = {Path(f["path"]).parent.name: f["last_changed"] for f in json.loads(out)["files"]}
    assert changed["old"].startswith("2025-03-05T12:00:00") and changed["older"].startswith("2025-01-10T12:00:00")
    assert not changed["edited"].startswith("2025-")


async def test_the_overview_says_when_the_content_last_changed(tmp_path):
    root, files = clone_like_repo(tmp_path)
    app = TaskTuiApp(workspace=root, files=list(files.values()))
    async with app.run_test(size=(160, 30)) as pilot:
        await rows_read(pilot, app)
        table = app.overview.table
        await wait_for(pilot, lambda: sum(r.committed is not None for r in table.rows) == 2, what="the commits' times")
        await pilot.pause()
        text = screen_text(app)
        assert "2025-03-05" in next(ln for ln in text.splitlines() if " old " in ln or "old  " in ln)
        assert "2025-01-10" in next(ln for ln in text.splitlines() if "older" in ln)
        assert "just now" in next(ln for ln in text.splitlines() if "edited" in ln)
        await quiesce(app, pilot)
