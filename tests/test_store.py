"""Tests for tasktui.storage.store: real files in tmp_path, real processes.

The only patching is fault injection, and it touches only the one failing
call (and only for the temp file's descriptor); everything else hits the disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasktui.storage import private, store
from tasktui.storage.store import (
    Snapshot,
    StoreError,
    atomic_write,
    cleanup_stale_temps,
    fingerprint,
    locked,
    read,
    resolve,
    stat_key,
    why_read_only,
)

pytestmark = pytest.mark.xdist_group("timing")  # timing-sensitive: run apart from each other, in one worker

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


# ---------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture(autouse=True)
def private_runtime_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets its own XDG_RUNTIME_DIR, away from the user's folder."""
    runtime = tmp_path_factory.mktemp("runtime")
    os.chmod(runtime, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return runtime


@pytest.fixture
def folder(tmp_path) -> Path:
    """The user's folder (kept separate from pytest's runtime dir)."""
    d = tmp_path / "project"
    d.mkdir()
    return d


def temps(where: Path) -> list[Path]:
    return sorted(p for p in where.iterdir() if ".tasktui-" in p.name)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def spawn(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def is_our_temp_fd(fd: int) -> bool:
    return ".tasktui-" in fd_path(fd)


def run_as_nobody(fn):
    """Run fn() in a forked child with uid/gid nobody; returns ("ok", value) or ("err", type, message)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                result = ("ok", fn())
            except BaseException as exc:  # report, don't raise
                result = ("err", type(exc).__name__, str(exc))
            os.write(w, pickle.dumps(result))
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        payload = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(payload)


@pytest.fixture
def shared_dir():
    """A folder that uid nobody may enter (pytest's tmp_path is 0o700)."""
    d = Path(tempfile.mkdtemp(prefix="tasktui-store-test-"))
    os.chmod(d, 0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def assert_one_line(err: StoreError) -> None:
    text = str(err)
    assert text and "\n" not in text
    assert "Traceback" not in text and "Errno" not in text


# ---------------------------------------------------------------------------
# basics


def test_fingerprint_is_sha256():
    assert fingerprint(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert fingerprint(b"abc") != fingerprint(b"abd")
    assert len(fingerprint(b"")) == 64


def test_lock_dir_is_private_and_outside_the_folder(private_runtime_dir, folder):
    d = store.lock_dir()
    assert d.is_relative_to(private_runtime_dir)
    assert not d.is_relative_to(folder)
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


SAMPLES = {
    "empty": b"",
    "lf": b"# Tasks\n\n- [ ] one\n- [x] two\n",
    "crlf": b"# Tasks\r\n\r\n- [ ] one\r\n- [x] two\r\n",
    "mixed_no_final_newline": b"a\r\nb\nc\rd",
    "bom": b"\xef\xbb\xbf# Tasks\n- [ ] caf\xc3\xa9\n",
    "invalid_utf8": b"- [ ] \xff\xfe\x80 broken \xc3\x28 \xed\xa0\x80\n",
    "latin1": "- [ ] naïve résumé\n".encode("latin-1"),
    "all_bytes": bytes(range(256)) * 4,
    "big": b"- [ ] task\n" * 200_000,
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_round_trip_is_byte_exact(folder, name):
    path = folder / "tasks.md"
    path.write_bytes(b"old contents\n")
    data = SAMPLES[name]
    written = atomic_write(path, data)
    assert path.read_bytes() == data
    snap = read(path)
    assert snap.data == data
    assert snap.digest == fingerprint(data) == written.digest
    assert snap == written  # same bytes, same stat
    st_ = os.stat(path)
    assert (snap.size, snap.mtime_ns, snap.inode, snap.dev) == (
        st_.st_size,
        st_.st_mtime_ns,
        st_.st_ino,
        st_.st_dev,
    )
    assert snap.path == path
    assert temps(folder) == []


@given(first=st.binary(max_size=3000), second=st.binary(max_size=3000))
def test_round_trip_arbitrary_bytes(folder, first, second):
    path = folder / "tasks.md"
    for data in (first, second):
        atomic_write(path, data)
        assert read(path).data == data
        assert path.read_bytes() == data
    assert temps(folder) == []


def test_creates_missing_file_with_default_mode(folder):
    path = folder / "new.md"
    umask = os.umask(0o022)
    os.umask(umask)
    snap = atomic_write(path, b"- [ ] first\n")
    assert path.read_bytes() == b"- [ ] first\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    assert snap.inode == os.stat(path).st_ino
    assert temps(folder) == []


def test_snapshot_repr_does_not_dump_data(folder):
    path = folder / "tasks.md"
    snap = atomic_write(path, b"x" * 10_000)
    assert isinstance(snap, Snapshot)
    assert "xxxx" not in repr(snap)


def test_stat_key(folder):
    path = folder / "tasks.md"
    assert stat_key(path) is None
    path.write_bytes(b"abc")
    key = stat_key(path)
    st_ = os.stat(path)
    assert key == (3, st_.st_mtime_ns, st_.st_ino)
    atomic_write(path, b"abcdef")
    new_key = stat_key(path)
    assert new_key != key and new_key[0] == 6
    link = folder / "link.md"
    link.symlink_to("tasks.md")
    assert stat_key(link) == new_key  # of the target
    (folder / "dangling.md").symlink_to("nowhere.md")
    assert stat_key(folder / "dangling.md") is None


# ---------------------------------------------------------------------------
# metadata: permissions, owner, symlinks, hard links


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o604, 0o755, 0o2750])
def test_permission_bits_preserved(folder, mode):
    path = folder / "tasks.md"
    path.write_bytes(b"old\n")
    os.chmod(path, mode)
    atomic_write(path, b"new\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert path.read_bytes() == b"new\n"


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file away")
def test_owner_and_group_preserved_as_root(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"old\n")
    os.chown(path, NOBODY, NOBODY)
    os.chmod(path, 0o640)
    atomic_write(path, b"new\n")
    st_ = os.stat(path)
    assert (st_.st_uid, st_.st_gid) == (NOBODY, NOBODY)
    assert stat.S_IMODE(st_.st_mode) == 0o640


def test_write_through_symlink_chain_keeps_links(folder):
    real_dir = folder / "real"
    link_dir = folder / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    target = real_dir / "tasks.md"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    first = link_dir / "first.md"
    second = link_dir / "second.md"
    second.symlink_to("../real/tasks.md")  # relative link
    first.symlink_to(second)  # chain: first -> second -> real/tasks.md

    assert resolve(first) == target.resolve()
    snap = atomic_write(first, b"new\n")

    assert first.is_symlink() and second.is_symlink()
    assert os.readlink(first) == str(second)
    assert os.readlink(second) == "../real/tasks.md"
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert snap.path == first
    assert snap.inode == os.stat(target).st_ino
    assert read(first) == snap
    assert temps(real_dir) == [] and temps(link_dir) == []


def test_hard_link_refused_and_both_unchanged(folder):
    path = folder / "tasks.md"
    other = folder / "copy.md"
    path.write_bytes(b"shared\n")
    os.link(path, other)
    before = os.stat(path)
    assert why_read_only(path) == "it has 2 hard links (saving would split them)"
    with pytest.raises(StoreError) as info:
        atomic_write(path, b"new\n")
    assert "hard links" in str(info.value) and "nothing was written" in str(info.value)
    assert_one_line(info.value)
    assert path.read_bytes() == other.read_bytes() == b"shared\n"
    after = os.stat(path)
    assert (after.st_ino, after.st_nlink, after.st_mtime_ns) == (before.st_ino, 2, before.st_mtime_ns)
    assert os.stat(other).st_ino == before.st_ino
    assert temps(folder) == []


def test_read_only_file_refused_even_for_root(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"keep me\n")
    os.chmod(path, 0o444)
    if IS_ROOT:
        # The reason this test matters as root: the kernel would let us write.
        assert os.access(path, os.W_OK)
    assert why_read_only(path) == "it is read-only"
    with pytest.raises(StoreError) as info:
        atomic_write(path, b"overwritten\n")
    assert str(info.value) == f"Cannot save {path}: it is read-only; nothing was written."
    assert path.read_bytes() == b"keep me\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert temps(folder) == []


def test_read_only_folder_refused_even_for_root(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"keep me\n")
    os.chmod(folder, 0o555)
    try:
        if IS_ROOT:
            assert os.access(folder, os.W_OK | os.X_OK)  # os.access lies for root
        assert why_read_only(path) == "its folder is read-only"
        with pytest.raises(StoreError) as info:
            atomic_write(path, b"overwritten\n")
        assert "its folder is read-only" in str(info.value)
        assert_one_line(info.value)
        assert path.read_bytes() == b"keep me\n"
        assert temps(folder) == []
    finally:
        os.chmod(folder, 0o755)


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch to another user")
def test_why_read_only_for_an_ordinary_user(shared_dir):
    """The os.access path, as a real non-root user (uid nobody)."""
    theirs = shared_dir / "theirs.md"  # root's file, 0o644: nobody may not write
    theirs.write_bytes(b"x\n")
    os.chmod(theirs, 0o644)
    open_file = shared_dir / "open.md"  # writable file in root's 0o755 folder
    open_file.write_bytes(b"x\n")
    os.chmod(open_file, 0o666)
    own_dir = shared_dir / "own"
    own_dir.mkdir()
    os.chown(own_dir, NOBODY, NOBODY)
    mine = own_dir / "mine.md"
    mine.write_bytes(b"x\n")
    os.chown(mine, NOBODY, NOBODY)

    assert run_as_nobody(lambda: why_read_only(theirs)) == ("ok", "it is read-only")
    assert run_as_nobody(lambda: why_read_only(open_file)) == ("ok", "its folder is read-only")
    assert run_as_nobody(lambda: why_read_only(mine)) == ("ok", None)
    result = run_as_nobody(lambda: atomic_write(mine, b"written by nobody\n").size)
    assert result == ("ok", len(b"written by nobody\n"))
    assert mine.read_bytes() == b"written by nobody\n"
    assert os.stat(mine).st_uid == NOBODY


def test_nul_bytes_refused_by_why_read_only(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"- [ ] fine\n")
    assert why_read_only(path) is None
    assert why_read_only(path, b"- [ ] fine\n") is None
    assert why_read_only(path, b"- [ ] bin\x00ary\n") == "it contains NUL bytes"
    assert why_read_only(path, read(path).data) is None


def test_why_read_only_other_reasons(folder):
    assert why_read_only(folder / "missing.md") is None  # may be created
    assert why_read_only(folder / "no-such-dir" / "x.md") == "its folder does not exist"
    assert why_read_only(folder) == "it is a folder"
    with pytest.raises(StoreError):
        atomic_write(folder, b"x")


# ---------------------------------------------------------------------------
# fault injection: the original is never touched, no temp is left behind


ORIGINAL = b"# Tasks\r\n- [ ] keep me exactly\r\n" * 1000


@pytest.fixture
def tasks(folder) -> Path:
    path = folder / "tasks.md"
    path.write_bytes(ORIGINAL)
    os.chmod(path, 0o640)
    return path


def assert_untouched(path: Path, before: os.stat_result) -> None:
    assert path.read_bytes() == ORIGINAL
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns, stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        before.st_mtime_ns,
        0o640,
    )
    assert temps(path.parent) == []


def test_partial_writes_are_completed(tasks, monkeypatch):
    real_write = os.write
    calls = []

    def short_write(fd, buf):
        if is_our_temp_fd(fd):
            calls.append(fd)
            return real_write(fd, bytes(memoryview(buf)[:4096]))
        return real_write(fd, buf)

    monkeypatch.setattr(os, "write", short_write)
    data = bytes(range(256)) * 400  # 102400 bytes
    atomic_write(tasks, data)
    monkeypatch.undo()
    assert len(calls) == 25
    assert tasks.read_bytes() == data


def test_disk_full_mid_write(tasks, monkeypatch):
    before = os.stat(tasks)
    real_write = os.write
    calls = []

    def fill_disk(fd, buf):
        if not is_our_temp_fd(fd):
            return real_write(fd, buf)
        calls.append(len(buf))
        if len(calls) == 1:  # part of the data goes out...
            return real_write(fd, bytes(memoryview(buf)[: len(buf) // 3]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then the disk is full

    monkeypatch.setattr(os, "write", fill_disk)
    with pytest.raises(StoreError) as info:
        atomic_write(tasks, b"new contents\n" * 100_000)
    monkeypatch.undo()
    assert len(calls) == 2
    assert str(info.value) == f"Disk full: nothing was written to {tasks}."
    assert isinstance(info.value.__cause__, OSError)
    assert_untouched(tasks, before)


def test_io_error_on_fsync(tasks, monkeypatch):
    before = os.stat(tasks)
    real_fsync = os.fsync
    failed = []

    def broken_fsync(fd):
        if is_our_temp_fd(fd):
            failed.append(fd)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(StoreError) as info:
        atomic_write(tasks, b"new\n")
    monkeypatch.undo()
    assert failed
    assert str(info.value) == f"Could not write {tasks}: Input/output error; the file is unchanged."
    assert_one_line(info.value)
    assert_untouched(tasks, before)


@pytest.mark.parametrize("swap", [True, False], ids=["swapped in", "renamed over"])
def test_rename_failure(tasks, monkeypatch, swap):
    """The step that puts the new file in place fails: the swap (renameat2), or the
    rename over the file where no swap is possible."""
    before = os.stat(tasks)
    real_replace = os.replace

    def broken_replace(src, dst, **kw):
        if ".tasktui-" in os.fspath(src):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        return real_replace(src, dst, **kw)

    def broken_exchange(a, b):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    if swap:
        monkeypatch.setattr(private, "exchange", broken_exchange)
    else:
        monkeypatch.setattr(private, "exchange", lambda a, b: False)
        monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError) as info:
        atomic_write(tasks, b"new\n")
    monkeypatch.undo()
    assert "the file is unchanged" in str(info.value)
    assert_untouched(tasks, before)


def test_interrupt_mid_write_cleans_up_and_propagates(tasks, monkeypatch):
    before = os.stat(tasks)
    real_write = os.write

    def interrupted(fd, buf):
        if is_our_temp_fd(fd):
            real_write(fd, bytes(memoryview(buf)[:100]))
            raise KeyboardInterrupt
        return real_write(fd, buf)

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tasks, b"new\n" * 1000)
    monkeypatch.undo()
    assert_untouched(tasks, before)


def test_folder_fsync_failure_after_rename_still_reports_the_save(tasks, monkeypatch):
    """Once the rename happened the new bytes are the file: never claim "unchanged"."""
    real_fsync = os.fsync

    def dir_fsync_fails(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", dir_fsync_fails)
    snap = atomic_write(tasks, b"new\n")
    monkeypatch.undo()
    assert tasks.read_bytes() == b"new\n" == snap.data
    assert temps(tasks.parent) == []


# ---------------------------------------------------------------------------
# kill -9 in the middle of a large write


BIG = 50_000_000

CONTENT_SRC = """
def content(gen, size):
    header = b"gen=%010d\\n" % gen
    return header + bytes([65 + gen % 26]) * (size - len(header))
"""
_ns: dict = {}
exec(CONTENT_SRC, _ns)
content = _ns["content"]

WRITER = (
    CONTENT_SRC
    + """
import sys
from tasktui.storage.store import atomic_write
path, gen, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
while True:
    atomic_write(path, content(gen, size))
    gen += 1
"""
)


def check_complete(path: Path, allowed_old: int, first_new: int) -> int:
    data = path.read_bytes()
    assert len(data) == BIG, "torn file: wrong size"
    gen = int(data[4:14])
    assert gen == allowed_old or gen >= first_new
    assert data == content(gen, BIG), "torn file: mixed contents"
    return gen


@pytest.mark.slow  # a kill -9 loop
def test_kill_9_mid_write_never_tears_the_file(folder):
    path = folder / "tasks.md"
    path.write_bytes(content(0, BIG))
    os.chmod(path, 0o640)
    rng = random.Random(os.getpid())
    current, next_gen = 0, 1
    kills_mid_write = 0
    for round_no in range(6):
        proc = spawn(WRITER, str(path), str(next_gen), str(BIG))
        try:
            assert proc.stdout.readline() == b"ready\n", proc.stderr.read().decode()
            if round_no % 2 == 0:
                # Wait until a temp file exists, then strike while it is written.
                deadline = time.monotonic() + 5
                while not [t for t in temps(folder) if f"-{proc.pid}-" in t.name]:
                    assert time.monotonic() < deadline, "writer never started a write"
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.1))
            else:
                time.sleep(rng.uniform(0.0, 0.7))  # any moment at all
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdin.close()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        if [t for t in temps(folder) if f"-{proc.pid}-" in t.name]:
            kills_mid_write += 1
        current = check_complete(path, current, next_gen)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
        next_gen = max(current, next_gen) + 1000  # new range per round
    assert kills_mid_write >= 1, "no kill landed in the middle of a write"

    removed = cleanup_stale_temps(path)
    assert temps(folder) == []
    assert all(".tasktui-" in p.name and p.parent == folder for p in removed)
    assert read(path).data == content(current, BIG)


def test_cleanup_stale_temps_only_removes_dead_writers(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"x")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".tasks.md.tasktui-{dead.pid}-deadbeef.tmp"
    mine = folder / f".tasks.md.tasktui-{os.getpid()}-0123.tmp"
    init = folder / ".tasks.md.tasktui-1-0123.tmp"  # pid 1 is alive
    other_file = folder / f".other.md.tasktui-{dead.pid}-0123.tmp"
    not_a_pid = folder / ".tasks.md.tasktui-abc-0123.tmp"
    for p in (stale, mine, init, other_file, not_a_pid):
        p.write_bytes(b"partial")
    link = folder / "link.md"
    link.symlink_to("tasks.md")

    assert cleanup_stale_temps(link) == [stale]  # temps live next to the target
    assert not stale.exists()
    for p in (mine, init, other_file, not_a_pid, path):
        assert p.exists()
    assert cleanup_stale_temps(path) == []


def test_atomic_write_cleans_stale_temps_first(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"x")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".tasks.md.tasktui-{dead.pid}-0123.tmp"
    stale.write_bytes(b"partial")
    atomic_write(path, b"y")
    assert temps(folder) == []


# ---------------------------------------------------------------------------
# locking


INCREMENTER = """
import sys
from tasktui.storage.store import atomic_write, locked, read
path = sys.argv[1]
print("ready", flush=True)
sys.stdin.readline()  # start together
for _ in range(100):
    with locked(path):
        n = int(read(path).data)
        atomic_write(path, b"%d\\n" % (n + 1))
print("done", flush=True)
"""

HOLDER = """
import sys
from tasktui.storage.store import locked
with locked(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def test_two_processes_increment_under_lock(folder, private_runtime_dir):
    path = folder / "counter.md"
    path.write_bytes(b"0\n")
    procs = [spawn(INCREMENTER, str(path)) for _ in range(2)]
    try:
        for p in procs:
            assert p.stdout.readline() == b"ready\n", p.stderr.read().decode()
        for p in procs:
            p.stdin.write(b"go\n")
            p.stdin.flush()
        seen: set[str] = set()
        while any(p.poll() is None for p in procs):
            seen.update(e.name for e in folder.iterdir())
            time.sleep(0.002)
        for p in procs:
            out, err = p.communicate(timeout=30)
            assert p.returncode == 0, err.decode()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert path.read_bytes() == b"200\n"
    # Nothing but the file and (transiently) its own temps in the user's folder.
    assert not [n for n in seen if n != "counter.md" and ".counter.md.tasktui-" not in n]
    assert sorted(e.name for e in folder.iterdir()) == ["counter.md"]
    # Lock files were removed on release: the private lock dir is empty again.
    assert list(store.lock_dir().iterdir()) == []


def test_lock_timeout_and_lock_file_location(folder, private_runtime_dir):
    path = folder / "tasks.md"
    path.write_bytes(b"x\n")
    link = folder / "alias.md"
    link.symlink_to("tasks.md")
    holder = spawn(HOLDER, str(path))
    try:
        assert holder.stdout.readline() == b"locked\n", holder.stderr.read().decode()
        # The lock file is in the private runtime dir, not in the user's folder.
        lock_files = list(store.lock_dir().iterdir())
        assert len(lock_files) == 1 and lock_files[0].suffix == ".lock"
        assert lock_files[0].is_relative_to(private_runtime_dir)
        assert sorted(e.name for e in folder.iterdir()) == ["alias.md", "tasks.md"]

        start = time.monotonic()
        with pytest.raises(StoreError) as info:
            with locked(path, timeout=0.3):
                pytest.fail("got a lock another process holds")
        elapsed = time.monotonic() - start
        assert 0.25 <= elapsed < 2.0
        assert str(info.value) == f"Another program holds the lock on {path}; nothing was written."
        assert_one_line(info.value)

        # A symlink to the same file shares the lock.
        with pytest.raises(StoreError):
            with locked(link, timeout=0.05):
                pass
        with pytest.raises(StoreError):
            with locked(path, timeout=0):
                pass
    finally:
        holder.stdin.write(b"\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == b"released\n"
        holder.communicate(timeout=10)
    with locked(link, timeout=5):
        assert path.read_bytes() == b"x\n"
    assert list(store.lock_dir().iterdir()) == []


def test_lock_waits_for_release(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"x\n")
    holder = spawn(HOLDER, str(path))
    try:
        assert holder.stdout.readline() == b"locked\n"
        threading.Timer(0.2, lambda: (holder.stdin.write(b"\n"), holder.stdin.flush())).start()
        start = time.monotonic()
        with locked(path, timeout=5):
            assert time.monotonic() - start >= 0.15
    finally:
        holder.communicate(timeout=10)


def test_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(folder):
    path = folder / "tasks.md"
    path.write_bytes(b"x\n")
    errors: list[str] = []

    def other_thread():
        try:
            with locked(path, timeout=0.1):
                errors.append("other thread got the lock")
        except StoreError:
            pass

    with locked(path):
        with locked(path, timeout=0):  # same thread: no self-deadlock
            t = threading.Thread(target=other_thread)
            t.start()
            t.join()
        atomic_write(path, b"y\n")
    assert errors == []
    with locked(path, timeout=0):  # released for real
        pass


# ---------------------------------------------------------------------------
# read() errors: one clear sentence each


def test_read_missing_file(folder):
    path = folder / "tasks.md"
    with pytest.raises(StoreError) as info:
        read(path)
    assert str(info.value) == f"{path} does not exist."
    assert_one_line(info.value)


def test_read_broken_symlink(folder):
    link = folder / "tasks.md"
    link.symlink_to("gone.md")
    with pytest.raises(StoreError) as info:
        read(link)
    assert str(info.value).startswith(f"{link} does not exist")
    assert_one_line(info.value)


def test_read_directory(folder):
    with pytest.raises(StoreError) as info:
        read(folder)
    assert str(info.value) == f"{folder} is a folder, not a file."
    assert_one_line(info.value)


def test_read_fifo_does_not_hang(folder):
    fifo = folder / "tasks.md"
    os.mkfifo(fifo)
    with pytest.raises(StoreError) as info:
        read(fifo)
    assert str(info.value) == f"{fifo} is not a regular file."


def test_read_unreadable_file(folder, shared_dir):
    if IS_ROOT:
        # Root reads anything, so ask the kernel as a real unprivileged user.
        path = shared_dir / "tasks.md"
        path.write_bytes(b"secret\n")
        os.chmod(path, 0o600)
        result = run_as_nobody(lambda: read(path))
        assert result == ("err", "StoreError", f"{path} cannot be read: permission denied.")
    else:
        path = folder / "tasks.md"
        path.write_bytes(b"secret\n")
        os.chmod(path, 0o000)
        with pytest.raises(StoreError) as info:
            read(path)
        assert str(info.value) == f"{path} cannot be read: permission denied."
        assert_one_line(info.value)


def test_store_error_is_always_one_line():
    err = StoreError("bad\nname.md does not exist.")
    assert_one_line(err)
    assert str(err) == "bad name.md does not exist."
