"""Branches of tasktui/storage/store.py that tests/test_store.py leaves out: read errors
of every kind, a file that never settles, write failures around the rename,
the lock folder (unusable, vanished, tampered with), and stale-temp cleanup.

Faults are injected by patching only the failing call (os.read, os.fstat,
os.write ... for the file under test, everything else goes through), on real
files in tmp_path. Every message must be one sentence with no errno noise.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from support import assert_one_line_error, run
from tasktui.storage import private, store
from tasktui.storage.store import StoreError, atomic_write, cleanup_stale_temps, locked, read, read_settled, why_read_only

ORIGINAL = b"# Tasks\n- [ ] keep me exactly\n"


@pytest.fixture
def tasks(tmp_path) -> Path:
    path = tmp_path / "tasks.md"
    path.write_bytes(ORIGINAL)
    return path


def fd_is(fd: int, path: Path) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == str(path.resolve())
    except OSError:
        return False


def one_sentence(err: BaseException) -> str:
    text = str(err)
    assert text and "\n" not in text and "Errno" not in text and "Traceback" not in text, text
    return text


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tasktui-" in p.name)


# ---------------------------------------------------------------------- reading
def test_read_through_a_file_that_is_not_a_folder(tmp_path, tasks):
    with pytest.raises(StoreError) as info:
        read(tasks / "x.md")
    assert one_sentence(info.value) == f"{tasks / 'x.md'} does not exist: part of its path is not a folder."


def test_read_a_symlink_loop(tmp_path):
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    with pytest.raises(StoreError) as info:
        read(tmp_path / "a.md")
    assert one_sentence(info.value) == f"{tmp_path / 'a.md'} cannot be read: its symbolic links form a loop."


@pytest.mark.parametrize(
    "fault,message",
    [
        (OSError(errno.EIO, os.strerror(errno.EIO)), "Could not read {p}: Input/output error."),
        (MemoryError(), "{p} is too large to read into memory."),
    ],
    ids=["eio", "memory"],
)
def test_read_errors_while_reading(tasks, monkeypatch, fault, message):
    real = os.read

    def failing(fd, n):
        if fd_is(fd, tasks):
            raise fault
        return real(fd, n)

    monkeypatch.setattr(os, "read", failing)
    with pytest.raises(StoreError) as info:
        read(tasks)
    monkeypatch.undo()
    assert one_sentence(info.value) == message.format(p=tasks)
    assert tasks.read_bytes() == ORIGINAL


def test_read_error_on_fstat(tasks, monkeypatch):
    real = os.fstat

    def failing(fd):
        if fd_is(fd, tasks):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(fd)

    monkeypatch.setattr(os, "fstat", failing)
    with pytest.raises(StoreError) as info:
        read(tasks)
    monkeypatch.undo()
    assert one_sentence(info.value) == f"Could not read {tasks}: Input/output error."


def test_a_file_that_keeps_changing_is_read_five_times_then_reported_as_last_seen(tasks, monkeypatch):
    """An editor appending all the time: read() tries five times, then returns what it read
    with the stat seen last (so the watcher notices the next change)."""
    real = os.read
    attempts = []

    def appending(fd, n):
        data = real(fd, n)
        if not data and fd_is(fd, tasks):  # one attempt ends: the other program writes again
            attempts.append(1)
            with open(tasks, "ab") as f:
                f.write(b"- [ ] more\n")
        return data

    monkeypatch.setattr(os, "read", appending)
    snap = read(tasks)
    monkeypatch.undo()
    assert len(attempts) == store._READ_ATTEMPTS
    final = tasks.read_bytes()
    assert final.startswith(snap.data) and len(final) > len(snap.data)
    assert snap.size == os.stat(tasks).st_size  # the stat seen last


@pytest.mark.parametrize(
    "exc,expected",
    [
        (OSError(errno.EIO, ""), "Input/output error"),
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (ValueError("first line\nsecond line"), "first line"),
        (ValueError(), "ValueError"),
    ],
)
def test_strerror_is_one_phrase(exc, expected):
    assert store._strerror(exc) == expected


def test_read_settled_reports_missing_and_restless_files(tmp_path, tasks, monkeypatch):
    with pytest.raises(StoreError) as info:
        read_settled(tmp_path / "gone.md", interval=0.005, timeout=0.03)
    assert one_sentence(info.value) == f"{tmp_path / 'gone.md'} does not exist."

    ticks = iter(range(10**6))
    monkeypatch.setattr(store, "stat_key", lambda path: (next(ticks), 0, 0))  # never the same twice
    with pytest.raises(StoreError) as info:
        read_settled(tasks, interval=0.005, timeout=0.03)
    assert one_sentence(info.value) == f"{tasks} keeps changing; nothing was written."


# ------------------------------------------------------------------ may we write?
def test_why_read_only_for_odd_targets(tmp_path, tasks):
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    assert why_read_only(fifo) == "it is not a regular file"
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    assert why_read_only(tmp_path / "a.md") == "it cannot be checked (Too many levels of symbolic links)"
    assert why_read_only(tasks / "under-a-file.md") == "it cannot be checked (Not a directory)"
    with pytest.raises(StoreError) as info:
        atomic_write(fifo, b"x")
    assert one_sentence(info.value) == f"Cannot save {fifo}: it is not a regular file; nothing was written."


def test_atomic_write_refuses_contents_that_are_not_bytes(tasks):
    with pytest.raises(StoreError) as info:
        atomic_write(tasks, "text, not bytes")
    assert one_sentence(info.value) == f"Could not write {tasks}: the new contents are not bytes; the file is unchanged."
    assert tasks.read_bytes() == ORIGINAL


# ---------------------------------------------------------------------- writing
@pytest.mark.parametrize(
    "result,message",
    [
        (0, "Could not write {p}: Input/output error; the file is unchanged."),
        (OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)), "Disk quota exceeded: nothing was written to {p}."),
    ],
    ids=["write-returns-0", "quota"],
)
def test_write_failures_leave_the_file_and_no_temp(tasks, monkeypatch, result, message):
    real = os.write
    before = os.stat(tasks)

    def failing(fd, buf):
        if ".tasktui-" in os.readlink(f"/proc/self/fd/{fd}"):
            if isinstance(result, BaseException):
                raise result
            return result
        return real(fd, buf)

    monkeypatch.setattr(os, "write", failing)
    with pytest.raises(StoreError) as info:
        atomic_write(tasks, b"new\n")
    monkeypatch.undo()
    assert one_sentence(info.value) == message.format(p=tasks)
    assert tasks.read_bytes() == ORIGINAL and os.stat(tasks).st_ino == before.st_ino
    assert temps(tasks.parent) == []


@pytest.mark.parametrize("swap", [True, False], ids=["swapped in", "renamed over"])
@pytest.mark.parametrize("stat_fails_too", [False, True])
def test_a_failure_after_the_rename_still_reports_the_save(tasks, monkeypatch, stat_fails_too, swap):
    """Once the new file is in place (swapped in, or renamed over) the new bytes are
    the file: never 'unchanged'."""
    real_replace, real_fstat, real_stat, real_exchange = os.replace, os.fstat, os.stat, private.exchange
    renamed: list[int] = []
    target = str(tasks.resolve())

    def replace(src, dst, **kw):
        real_replace(src, dst, **kw)
        if ".tasktui-" in os.fspath(src):
            renamed.append(1)

    def exchange(a, b):
        done = real_exchange(a, b)
        renamed.append(1)
        return done

    monkeypatch.setattr(private, "exchange", exchange if swap else (lambda a, b: False))

    def fstat(fd):
        if renamed and os.readlink(f"/proc/self/fd/{fd}") == target:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_fstat(fd)

    def stat_(path, *args, **kw):
        if stat_fails_too and renamed and os.fspath(path) == target:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_stat(path, *args, **kw)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "stat", stat_)
    if stat_fails_too:
        with pytest.raises(StoreError) as info:
            atomic_write(tasks, b"new\n")
        monkeypatch.undo()
        assert one_sentence(info.value) == f"{tasks} was saved, but its new state could not be read back: Input/output error."
    else:
        snap = atomic_write(tasks, b"new\n")
        monkeypatch.undo()
        assert snap.data == b"new\n" and snap.inode == os.stat(tasks).st_ino
    assert tasks.read_bytes() == b"new\n"
    assert temps(tasks.parent) == []


# ---------------------------------------------------------------------- locking
def test_no_usable_lock_folder_refuses_the_edit(capsys, tmp_path, tasks, monkeypatch):
    """Neither the runtime nor the cache folder can be made private (platformdirs falls back to
    /tmp/runtime-<uid>, so the refusal itself is injected): no lock, no write."""
    tried = []

    def refuse(base, *parts):
        tried.append(base)
        return None

    monkeypatch.setattr(store, "_lock_dir_cache", {})
    monkeypatch.setattr(private, "private_folder", refuse)
    with pytest.raises(StoreError) as info:
        with locked(tasks):
            pytest.fail("no lock without a private folder")
    assert one_sentence(info.value) == "Could not create a private folder for lock files; nothing was written."
    assert len(tried) >= 2, "both the runtime and the cache folder were tried"
    assert_one_line_error(*run(capsys, "toggle", tasks, "keep me"), "private folder for lock files")
    assert tasks.read_bytes() == ORIGINAL


def test_a_vanished_lock_folder_is_made_again(tmp_path, tasks, monkeypatch):
    """A tmp cleaner removed the lock folder after it was found: it is recreated, private."""
    gone = tmp_path / "locks-gone"
    monkeypatch.setattr(store, "_lock_path", lambda target: gone / "x.lock")
    with locked(tasks):
        assert (gone / "x.lock").exists()
        assert stat.S_IMODE(os.stat(gone).st_mode) == 0o700
    assert not (gone / "x.lock").exists()


def test_a_planted_symlink_at_the_lock_path_is_refused(tmp_path, tasks, monkeypatch):
    lock = tmp_path / "x.lock"
    lock.symlink_to(tmp_path / "elsewhere")
    monkeypatch.setattr(store, "_lock_path", lambda target: lock)
    with pytest.raises(StoreError) as info:
        with locked(tasks):
            pytest.fail("the lock must not be taken through a symlink")
    assert one_sentence(info.value) == f"Could not lock {tasks}: Too many levels of symbolic links; nothing was written."
    assert not (tmp_path / "elsewhere").exists()


# ------------------------------------------------------------------- stale temps
def test_cleanup_keeps_everything_that_is_not_a_dead_writers_temp(tmp_path, tasks):
    dead = 2**22 + 12345  # above the usual pid_max
    names = {
        f".tasks.md.tasktui-{dead}-abc.tmp": False,  # removed
        f".tasks.md.tasktui-{os.getpid()}-abc.tmp": True,  # ours: kept
        ".tasks.md.tasktui-nopid.tmp": True,
        ".tasks.md.tasktui-12x-abc.tmp": True,
        f".other.md.tasktui-{dead}-abc.tmp": True,  # another file's
        f".tasks.md.tasktui-{dead}-abc.txt": True,
    }
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / f".tasks.md.tasktui-{dead}-dir.tmp").mkdir()
    removed = cleanup_stale_temps(tasks)
    assert removed == [tmp_path / f".tasks.md.tasktui-{dead}-abc.tmp"]
    assert {n for n, kept in names.items() if kept} | {f".tasks.md.tasktui-{dead}-dir.tmp"} <= {p.name for p in tmp_path.iterdir()}
    assert cleanup_stale_temps(tmp_path / "no-such-folder" / "tasks.md") == []


def test_pid_alive_edges():
    assert store._pid_alive(os.getpid()) is True
    assert store._pid_alive(0) is False and store._pid_alive(-5) is False
    assert store._pid_alive(2**70) is False  # overflows the kernel's pid type
