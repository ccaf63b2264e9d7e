"""Live file watching against the running app: real files, real writes from
another thread or process, no mocks of file system events.

For every way editors and agents save a file, the app must show the new state
(the tree's document has the new marks and the changed task's row renders the
new mark), write nothing itself (the file holds exactly what the other writer
wrote), and keep the cursor on the same task.

The tests wait until the watcher's inotify watch is really in place (its watch
descriptor is listed in /proc/self/fdinfo) before they write, so that no
change can fall in the gap before the watch starts.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tasktui.ui.app import TaskTuiApp
from tasktui.core.outline import TASK
from tasktui.storage.watch import FileWatcher
from support import copy_sample, poll, quiesce, record_notifications, record_timers, wait_for, watch_threads

pytestmark = [pytest.mark.xdist_group("timing"),  # timing-sensitive: run apart from each other, in one worker
              pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(),
                                 reason="needs Linux /proc to see the inotify watch")]

SAMPLES = Path(__file__).resolve().parents[1] / "sample_tasks"
SIZE = (120, 36)


# ----------------------------------------------------------------------- helpers
def inotify_watches() -> dict[int, int]:
    """{fd: number of watches} of this process's inotify instances."""
    out = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            info = Path(f"/proc/self/fdinfo/{fd}").read_text()
        except OSError:
            continue
        out[int(fd)] = info.count("inotify wd:")
    return out


@asynccontextmanager
async def watched(path: Path, **kwargs):
    """The app on ``path``, loaded, its watcher's inotify watch in place."""
    before = inotify_watches()
    threads = watch_threads()
    app = TaskTuiApp(path, **kwargs)
    notes = record_notifications(app)
    record_timers(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")
        await wait_for(pilot, lambda: app.session.watcher is not None and app.session.watcher.ready.is_set(), what="the watcher thread")

        def watching() -> bool:
            now = inotify_watches()
            return any(n > 0 and (fd not in before or n > before[fd]) for fd, n in now.items())

        await wait_for(pilot, watching, what="the inotify watch on the folder")
        try:
            yield app, pilot, notes
        finally:
            await quiesce(app, pilot)
    poll(lambda: not watch_threads() - threads, 5, "the watcher thread to stop with the app")


def task_by_id(doc, ident: str):
    hits = [t for t in doc.tasks if t.id == ident]
    assert len(hits) == 1, f"{ident} should occur once"
    return hits[0]


def row_text_for(tree, ident: str) -> str | None:
    """The rendered text of the task's row, or None when it has no visible row."""
    doc = tree.doc
    for i, row in enumerate(tree.rows):
        if row.kind == TASK and doc.tasks[row.index].id == ident:
            y = i - tree.scroll_offset.y
            if not 0 <= y < tree.size.height:
                return None
            return "".join(seg.text for seg in tree.render_line(y))
    return None


def set_mark(data: bytes, ident: str, mark: str) -> bytes:
    pattern = re.compile(rb"^(- \[)(.)(\] " + re.escape(ident.encode()) + rb" )", re.M)
    assert len(pattern.findall(data)) == 1, ident
    return pattern.sub(lambda m: m.group(1) + mark.encode() + m.group(3), data)


def diff(a: bytes, b: bytes) -> str:
    return "".join(difflib.unified_diff(a.decode(errors="replace").splitlines(True),
                                        b.decode(errors="replace").splitlines(True), "expected", "actual", n=1))


# ----------------------------------------------------------- ways of saving
def write_in_place(path: Path, data: bytes) -> None:  # VS Code, nano
    with open(path, "r+b") as f:
        f.write(data)
        f.truncate()


def truncate_then_chunks(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        step = len(data) // 4 + 1
        for i in range(0, len(data), step):
            os.write(fd, data[i:i + step])
            time.sleep(0.005)
    finally:
        os.close(fd)


def temp_then_rename(path: Path, data: bytes) -> None:  # sed -i, JetBrains, Emacs
    tmp = path.with_name(f".{path.name}.swp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def rename_to_backup_then_create(path: Path, data: bytes) -> None:  # vim, neovim by default
    backup = path.with_name(path.name + "~")
    probe = path.with_name("4913")
    os.rename(path, backup)
    probe.write_bytes(b"")
    os.unlink(probe)
    with open(path, "wb") as f:
        f.write(data)
    os.unlink(backup)


def delete_then_create(path: Path, data: bytes) -> None:  # git checkout
    os.unlink(path)
    path.write_bytes(data)


SAVES = {
    "in-place": write_in_place,
    "truncate-chunks": truncate_then_chunks,
    "temp-rename": temp_then_rename,
    "vim-backup": rename_to_backup_then_create,
    "delete-create": delete_then_create,
}

NEW_TASK = b"- [ ] T012b [US1] Added by another program\n"


def outside_version(original: bytes) -> bytes:
    """T014 done, plus a new task above the cursor's task (so its row moves)."""
    data = set_mark(original, "T014", "X")
    at = data.index(b"- [X] T012 ")
    return data[:at] + NEW_TASK + data[at:]


async def cursor_to_t016(app, pilot) -> None:
    await pilot.press("j", "j")  # T014 -> T015 -> T016
    assert app.main.tree.cursor_task.id == "T016"


async def assert_shows_outside_version(app, pilot, path, expected, notes, cursor_id="T016") -> None:
    tree = app.main.tree
    await wait_for(pilot, lambda: tree.doc is not None and tree.doc.source.data == expected, what="the app to show the outside change")
    doc = tree.doc
    assert task_by_id(doc, "T014").mark == "X"
    assert task_by_id(doc, "T012b").mark == " "
    await wait_for(pilot, lambda: (row_text_for(tree, "T014") or "").find("[X] T014") >= 0,
                   what="T014's row to render [X]")
    assert "[ ] T012b" in (row_text_for(tree, "T012b") or "")
    assert tree.cursor_task is not None and tree.cursor_task.id == cursor_id, "the cursor should keep its task"
    assert path.read_bytes() == expected, "the app must not write:\n" + diff(expected, path.read_bytes())
    assert not [n for n in notes if n[2] == "error"], notes
    assert "READ-ONLY" not in app.main.header.content.plain


# ------------------------------------------------------------------ each save
@pytest.mark.parametrize("save", list(SAVES.values()), ids=list(SAVES))
async def test_outside_save_shows_up(tmp_path, save):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    expected = outside_version(original)
    async with watched(path) as (app, pilot, notes):
        await cursor_to_t016(app, pilot)
        flashes: list[set[int]] = []
        set_marks = app.main.tree.set_marks

        def recording_set_marks(**kwargs):
            if kwargs.get("flash"):
                flashes.append(set(kwargs["flash"]))
            return set_marks(**kwargs)

        app.main.tree.set_marks = recording_set_marks
        await asyncio.to_thread(save, path, expected)
        await assert_shows_outside_version(app, pilot, path, expected, notes)
        t014 = task_by_id(app.main.tree.doc, "T014").index
        assert any(t014 in f for f in flashes), "the task changed from outside should be highlighted"
        # the app takes the new content as its own: the next edit is one byte on top of it
        await pilot.press("space")
        toggled = set_mark(expected, "T016", "X")
        await wait_for(pilot, lambda: path.read_bytes() == toggled, what="the toggle on top of the outside change")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "no side files may be left"


async def test_touch_only_does_not_reload(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with watched(path) as (app, pilot, notes):
        watcher = app.session.watcher
        checks, events = [], []
        check, on_event = watcher.check, watcher.on_event

        def counting_check():
            try:
                return check()
            finally:  # counted once the check is over: any report was posted by then
                checks.append(time.monotonic())

        def recording_event(ev):
            events.append(ev)
            return on_event(ev)

        watcher.check = counting_check
        watcher.on_event = recording_event
        outline, doc, rows = app.main.tree.outline, app.main.tree.doc, app.main.tree.rows
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns + 5_000_000_000, st.st_mtime_ns + 5_000_000_000))
        assert path.stat().st_mtime_ns != st.st_mtime_ns
        await wait_for(pilot, lambda: bool(checks), what="the watcher to look at the touched file")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert events == [], "a touch is no change of content: nothing should be reported"
        assert app.main.tree.doc is doc and app.tasks_file.doc is doc
        assert app.main.tree.outline is outline and app.main.tree.rows is rows, "the tree should not be rebuilt"
        assert path.read_bytes() == original
        assert notes == []


async def test_deleted_then_recreated_300ms_later(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    expected = outside_version(original)

    def delete_wait_create():
        os.unlink(path)
        time.sleep(0.3)
        path.write_bytes(expected)

    async with watched(path) as (app, pilot, notes):
        await cursor_to_t016(app, pilot)
        await asyncio.to_thread(delete_wait_create)
        await assert_shows_outside_version(app, pilot, path, expected, notes)
        await wait_for(pilot, lambda: app.session.read_only_reason is None and not app.session.file_missing, what="editing to resume")
        await pilot.press("space")
        toggled = set_mark(expected, "T016", "X")
        await wait_for(pilot, lambda: path.read_bytes() == toggled, what="a toggle once the file is back")


async def test_deleted_says_so_writes_nothing_and_resumes(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with watched(path) as (app, pilot, notes):
        rows = len(app.main.tree.rows)
        os.unlink(path)
        await wait_for(pilot, lambda: "deleted" in app.main.header.content.plain, what="the header to say the file is gone")
        assert any("gone from disk" in m for m, _, _ in notes)
        assert len(app.main.tree.rows) == rows and app.main.tree.cursor_task.id == "T014", "the last content stays on screen"
        await pilot.press("space", "delete")
        await wait_for(pilot, lambda: sum("nothing was written" in m for m, _, _ in notes) >= 2, what="the refusals")
        await app.workers.wait_for_complete()
        assert not path.exists(), "an edit while the file is gone must not create it"
        assert list(tmp_path.iterdir()) == []
        path.write_bytes(original)
        await wait_for(pilot, lambda: "deleted" not in app.main.header.content.plain and app.session.read_only_reason is None,
                       what="the app to see the file back")
        assert any("is back" in m for m, _, _ in notes)
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes() == set_mark(original, "T014", "X"), what="the toggle")


async def test_moved_away_is_treated_as_deleted(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = elsewhere / path.name
    async with watched(path) as (app, pilot, notes):
        os.rename(path, moved)
        await wait_for(pilot, lambda: "moved away" in app.main.header.content.plain, what="the header to say the file is gone")
        await pilot.press("space")
        await wait_for(pilot, lambda: any("nothing was written" in m for m, _, _ in notes), what="the refusal")
        await app.workers.wait_for_complete()
        assert not path.exists()
        assert moved.read_bytes() == original, "the moved file must not be written"
        assert app.main.tree.doc.source.data == original, "the last content stays on screen"


async def test_made_read_only_refuses_edits(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with watched(path) as (app, pilot, notes):
        try:
            path.chmod(0o444)
            await wait_for(pilot, lambda: "READ-ONLY" in app.main.header.content.plain, what="the header to say read-only")
            assert "read-only" in app.main.header.content.plain.split("READ-ONLY", 1)[1]
            assert any("became read-only" in m for m, _, _ in notes)
            await pilot.press("space")
            await wait_for(pilot, lambda: any("nothing was written" in m for m, _, _ in notes), what="the refusal")
            await app.workers.wait_for_complete()
            assert path.read_bytes() == original
            assert (path.stat().st_mode & 0o777) == 0o444
        finally:
            path.chmod(0o644)
        await wait_for(pilot, lambda: "READ-ONLY" not in app.main.header.content.plain, what="the header to drop read-only")
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes() == set_mark(original, "T014", "X"), what="the toggle once writable")


# --------------------------------------------------------------------- a burst
AGENT = textwrap.dedent(r"""
    import json, os, re, sys, time
    path, ids = sys.argv[1], sys.argv[2].split(",")
    start = time.monotonic()
    last = None
    for i in range(50):
        data = open(path, "rb").read()
        ident = ids[i % len(ids)].encode()
        pat = re.compile(rb"^- \[(.)\] " + re.escape(ident) + rb" ", re.M)
        m = pat.search(data)
        new = b"X" if m.group(1) == b" " else b" "
        data = data[:m.start(1)] + new + data[m.end(1):]
        if i % 2:
            tmp = path + ".agent-tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        else:
            with open(path, "r+b") as f:
                f.write(data)
                f.truncate()
        last = data
        delay = start + (i + 1) * 0.04 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    marks = {}
    for ident in ids:
        marks[ident] = re.search(rb"^- \[(.)\] " + re.escape(ident.encode()) + rb" ", last, re.M).group(1).decode()
    print(json.dumps(marks))
""")

AGENT_TASKS = ["T018", "T019", "T020", "T021", "T022", "T023", "T028", "T029", "T030", "T031"]
OUR_TASKS = ["T014", "T015", "T016", "T017", "T024", "T025"]


async def test_burst_of_outside_writes_while_toggling(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    async with watched(path) as (app, pilot, notes):
        doc = app.main.tree.doc
        ours = {ident: task_by_id(doc, ident).index for ident in OUR_TASKS}
        assert all(task_by_id(doc, i).mark == " " for i in OUR_TASKS + AGENT_TASKS)
        agent = subprocess.Popen([sys.executable, "-c", AGENT, str(path), ",".join(AGENT_TASKS)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for ident, index in ours.items():
                assert app.main.tree.move_to_task(index)
                await pilot.pause()
                assert app.main.tree.cursor_task.id == ident
                await pilot.press("space")
                await pilot.pause(0.05)
            out, err = await asyncio.to_thread(agent.communicate, timeout=30)
        finally:
            if agent.poll() is None:
                agent.kill()
                agent.wait()
        assert agent.returncode == 0, err.decode()
        agent_marks = json.loads(out)
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: app.main.tree.doc.source.data == path.read_bytes(), timeout=8,
                       what="the app to show what is on disk")
        await app.workers.wait_for_complete()
        final = path.read_bytes()
        # every outside change is in the file: tasktui never wrote over the agent's tasks
        for ident, mark in agent_marks.items():
            got = re.search(rb"^- \[(.)\] " + ident.encode() + rb" ", final, re.M).group(1).decode()
            assert got == mark, f"the agent's last write set {ident} to [{mark}], the file has [{got}]"
        # every toggle of ours is in the file, or the user was told it was lost
        overwritten = [m for m, _, _ in notes if "Another program overwrote your change" in m]
        not_written = [m for m, t, s in notes if s == "error" and "nothing was written" in m]
        for ident in OUR_TASKS:
            got = re.search(rb"^- \[(.)\] " + ident.encode() + rb" ", final, re.M).group(1).decode()
            if got == "X":
                continue
            assert got == " ", f"{ident} has [{got}]"
            assert any(f" {ident} " in m for m in overwritten) or not_written, (
                f"our toggle of {ident} is not in the file and nobody said so; notifications: {notes}")
        # nothing else in the file changed
        def strip_marks(data):
            return re.sub(rb"^- \[.\] ", b"- [?] ", data, flags=re.M)
        assert strip_marks(final) == strip_marks(original)


# ------------------------------------------------------------------------ vim
@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed (.ci/run installs it)")
async def test_vim_ex_mode_save_shows_up(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    expected = set_mark(original, "T014", "X")
    home = tmp_path.parent / (tmp_path.name + "-vimhome")
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    async with watched(path) as (app, pilot, notes):
        await cursor_to_t016(app, pilot)
        result = await asyncio.to_thread(
            subprocess.run, ["vim", "-es", "-c", r"%s/- \[ \] T014/- [X] T014/", "-c", "wq", str(path)],
            env=env, capture_output=True, timeout=30,
        )
        assert result.returncode == 0, result.stderr.decode()
        assert path.read_bytes() == expected, diff(expected, path.read_bytes())
        await wait_for(pilot, lambda: app.main.tree.doc.source.data == expected, what="the app to show vim's save")
        assert task_by_id(app.main.tree.doc, "T014").mark == "X"
        await wait_for(pilot, lambda: "[X] T014" in (row_text_for(app.main.tree, "T014") or ""), what="T014's row to render [X]")
        assert app.main.tree.cursor_task.id == "T016"
        assert path.read_bytes() == expected
        assert not [n for n in notes if n[2] == "error"], notes
    # with its defaults vim writes a backup file~ first and deletes it after a good write
    # (as `vim -es` it copies the backup and rewrites the file in place; the rename
    # variant is the "vim-backup" case of test_outside_save_shows_up): nothing stays
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# ------------------------------------------------- a change before the watch starts
async def test_change_between_load_and_watch_start_shows_up(tmp_path, monkeypatch):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    expected = set_mark(original, "T014", "X")
    start = FileWatcher.start

    def write_then_start(self, known_digest, read_only_reason=None):
        # a real outside write, landing after the load and before the watch exists
        temp_then_rename(path, expected)
        return start(self, known_digest, read_only_reason)

    monkeypatch.setattr(FileWatcher, "start", write_then_start)
    async with watched(path) as (app, pilot, notes):
        assert path.read_bytes() == expected
        await wait_for(pilot, lambda: app.main.tree.doc.source.data == expected, timeout=2,
                       what="the app to show the change made before the watch started")


# ------------------------------------------- an event that arrives after our write
async def test_outside_event_handled_after_our_write_keeps_our_change(tmp_path):
    path = copy_sample(tmp_path, "speckit-feature.md")
    original = path.read_bytes()
    outside = set_mark(original, "T018", "X")
    ours = set_mark(outside, "T014", "X")
    async with watched(path) as (app, pilot, notes):
        held = []
        deliver = app.session.watcher.on_event
        # the watcher thread reads the outside version; its report reaches the app only
        # after our toggle is written (a thread can be preempted at any point: this pins
        # one real interleaving, the file events themselves are real)
        app.session.watcher.on_event = held.append
        temp_then_rename(path, outside)
        await wait_for(pilot, lambda: bool(held), what="the watcher to see the outside write")
        assert held[0].snapshot.data == outside
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes() == ours, what="our toggle on top of the outside change")
        await app.workers.wait_for_complete()
        app.session.watcher.on_event = deliver
        for event in held:
            deliver(event)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert path.read_bytes() == ours
        assert not [m for m, _, _ in notes if "overwrote" in m], "our change is in the file: nothing was overwritten"
        await wait_for(pilot, lambda: app.main.tree.doc.source.data == ours, timeout=3,
                       what="the app to show what is on disk")
