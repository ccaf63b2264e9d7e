"""Storage layer: read, lock and atomically rewrite the user's tasks file.

The file belongs to the user, so every write here follows one rule: the file on
disk is at all times either exactly the old bytes or exactly the new bytes.
Writes go to a temporary file in the same folder, are flushed to disk, and are
then renamed over the target in one step.  Nothing in this module imports
Textual; it uses the standard library and platformdirs only.

Typical edit cycle (the caller holds the lock around read-compare-write)::

    with locked(path):
        current = read(path)
        if current.data != snapshot_we_edited.data:
            ...  # someone else changed the file: plan the edit again
        new_snapshot = atomic_write(path, new_bytes)
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import signal
import stat
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from tasktui.storage import private

__all__ = [
    "StoreError",
    "Snapshot",
    "fingerprint",
    "resolve",
    "read",
    "stat_key",
    "why_read_only",
    "locked",
    "lock_dir",
    "atomic_write",
    "cleanup_stale_temps",
    "read_settled",
    "read_quiet",
    "quiet",
    "enable_leases",
    "FileChanged",
    "WriterActive",
]

# Marker in temp-file names: ".<name>.tasktui-<pid>-<random>.tmp".
_TEMP_MARK = ".tasktui-"
_TEMP_SUFFIX = private.TEMP_SUFFIX
# How often read() re-reads a file that changes while being read.
_READ_ATTEMPTS = 5


class StoreError(Exception):
    """A storage problem, described in one clear sentence for the user.

    ``str(error)`` is that sentence (one line, no traceback text).  The
    underlying ``OSError``, when there is one, is kept as ``__cause__``.
    """

    def __init__(self, message: str) -> None:
        # Keep the promise of "one line" even if a path contains a newline.
        message = " ".join(str(message).splitlines())
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Snapshot:
    """The bytes of the file and the stat of its target at one moment."""

    path: Path  # the path as given (may be a symlink)
    data: bytes = field(repr=False)
    size: int
    mtime_ns: int
    inode: int
    dev: int

    @cached_property
    def digest(self) -> str:
        """fingerprint(data), computed when first asked for (not on the edit's path)."""
        return fingerprint(self.data)


# ---------------------------------------------------------------------------
# small helpers


def fingerprint(data: bytes) -> str:
    """A fingerprint of ``data``: SHA-256 (hardware-accelerated on most CPUs: ~1.5 ms for 2.3 MB), hex."""
    return hashlib.sha256(data).hexdigest()


def resolve(path: str | os.PathLike[str]) -> Path:
    """The real target of ``path`` through any chain of symlinks.

    This is the file that gets written and watched; the symlink itself is
    left alone.
    """
    return Path(os.path.realpath(os.fspath(path)))


def _show(path: str | os.PathLike[str]) -> str:
    """How a path is named in messages: as the user gave it."""
    return os.fspath(path) if not isinstance(path, bytes) else os.fsdecode(path)


def _strerror(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        if exc.strerror:
            return exc.strerror
        if exc.errno:
            return os.strerror(exc.errno)
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _snapshot(path: str | os.PathLike[str], data: bytes, st: os.stat_result) -> Snapshot:
    return Snapshot(
        path=Path(path),
        data=data,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
        dev=st.st_dev,
    )


def _same_stat(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns, a.st_ino, a.st_dev) == (
        b.st_size,
        b.st_mtime_ns,
        b.st_ctime_ns,
        b.st_ino,
        b.st_dev,
    )


# ---------------------------------------------------------------------------
# reading


def _read_error(path: str | os.PathLike[str], exc: OSError) -> StoreError:
    name = _show(path)
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return StoreError(
                f"{name} does not exist: it is a link to {resolve(path)}, which is missing."
            )
        return StoreError(f"{name} does not exist.")
    if isinstance(exc, NotADirectoryError) or exc.errno == errno.ENOTDIR:
        return StoreError(f"{name} does not exist: part of its path is not a folder.")
    if isinstance(exc, IsADirectoryError) or exc.errno == errno.EISDIR:
        return StoreError(f"{name} is a folder, not a file.")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError(f"{name} cannot be read: permission denied.")
    if exc.errno == errno.ELOOP:
        return StoreError(f"{name} cannot be read: its symbolic links form a loop.")
    return StoreError(f"Could not read {name}: {_strerror(exc)}.")


def read(path: str | os.PathLike[str]) -> Snapshot:
    """Read the whole file (through symlinks) and the stat of its target.

    Raises StoreError with one sentence when the file is missing, is a folder
    or another non-regular file, or cannot be read.  If the file changes while
    it is being read (an editor rewriting it in place), it is read again so the
    bytes and the stat describe the same version.
    """
    fd = _open_for_reading(path)
    try:
        return _read_fd(fd, path)
    finally:
        os.close(fd)


def _open_for_reading(path: str | os.PathLike[str]) -> int:
    try:
        # O_NONBLOCK: opening a FIFO must not hang the program.
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _read_error(path, exc) from exc


def _read_fd(fd: int, path: str | os.PathLike[str]) -> Snapshot:
    """The Snapshot of the file open on ``fd`` (see ``read``)."""
    name = _show(path)
    try:
        before = os.fstat(fd)
    except OSError as exc:
        raise _read_error(path, exc) from exc
    if stat.S_ISDIR(before.st_mode):
        raise StoreError(f"{name} is a folder, not a file.")
    if not stat.S_ISREG(before.st_mode):
        raise StoreError(f"{name} is not a regular file.")
    try:
        os.set_blocking(fd, True)
        for _attempt in range(_READ_ATTEMPTS):
            os.lseek(fd, 0, os.SEEK_SET)
            data = _read_all(fd, before.st_size)
            after = os.fstat(fd)
            if _same_stat(before, after) and len(data) == after.st_size:
                break
            before = after
            time.sleep(0.01)
        else:
            # Still changing: report what we read with the stat seen last,
            # so the watcher will notice the next change anyway.
            after = os.fstat(fd)
    except OSError as exc:
        raise _read_error(path, exc) from exc
    except MemoryError as exc:
        raise StoreError(f"{name} is too large to read into memory.") from exc
    return _snapshot(path, data, before if _same_stat(before, after) else after)


def _read_all(fd: int, size_hint: int) -> bytes:
    chunks: list[bytes] = []
    want = max(size_hint + 1, 64 * 1024)
    while True:
        chunk = os.read(fd, want)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        want = 1024 * 1024


def stat_key(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """``(size, mtime_ns, inode)`` of the target, or None when it is missing.

    Used by the watcher to see the file settle.  A file that cannot be stat'ed
    at all (broken link, a folder on the path that we may not enter) counts as
    missing.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


# ---------------------------------------------------------------------------
# may we write?


def _is_root() -> bool:
    return os.geteuid() == 0


def why_read_only(path: str | os.PathLike[str], data: bytes | None = None) -> str | None:
    """None when tasktui may write the file; else the reason as a short phrase.

    The phrase completes "cannot save X: ...", e.g. ``"it is read-only"``.
    Reasons, checked in this order: ``"it contains NUL bytes"`` (``data``
    given and containing ``b"\\0"``), ``"it is read-only"``, ``"its folder is
    read-only"``, ``"it has N hard links (saving would split them)"``, then
    the owner and group a new version could not keep (``"it belongs to ana,
    and saved by tasktui it would belong to ben"``: another user's
    group-writable file in a shared folder; ``"its group is ops, which you are
    not in, ..."``): a save replaces the file with a new one, made by whoever
    saves; plus the rarer ``"it is not a regular file"``, ``"its folder does
    not exist"`` and ``"it cannot be checked (...)"``.

    As root ``os.access`` says yes to everything, so a file (or folder) with no
    write bit for anyone counts as read-only for root too: the user marked it
    so on purpose.  A missing file in a writable folder may be created: None.
    """
    if data is not None and b"\0" in data:
        return "it contains NUL bytes"
    target = resolve(path)
    folder = target.parent
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return f"it cannot be checked ({_strerror(exc)})"
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return "it is a folder"
        if not stat.S_ISREG(st.st_mode):
            return "it is not a regular file"
        if not os.access(target, os.W_OK) or not st.st_mode & 0o222:
            return "it is read-only"
    try:
        dst = os.stat(folder)
    except FileNotFoundError:
        return "its folder does not exist"
    except OSError as exc:
        return f"its folder cannot be checked ({_strerror(exc)})"
    if not os.access(folder, os.W_OK | os.X_OK) or not dst.st_mode & 0o222:
        return "its folder is read-only"
    if st is not None and st.st_nlink > 1:
        return f"it has {st.st_nlink} hard links (saving would split them)"
    if st is not None:
        return _owner_problem(st, dst)
    return None


def _owner_problem(st: os.stat_result, folder: os.stat_result) -> str | None:
    """Why a new file saved in place of the one with stat ``st`` (in the folder with stat
    ``folder``) could not keep its owner and group, or None. Root can give it any; anyone
    else makes files of their own, in a group of theirs (the folder's, when it is setgid)."""
    if _is_root():
        return None
    me = os.geteuid()
    if st.st_uid != me:
        return (f"it belongs to {_user_name(st.st_uid)}, and saved by tasktui it would belong to "
                f"{_user_name(me)}")
    new_gid = folder.st_gid if folder.st_mode & stat.S_ISGID else os.getegid()
    if st.st_gid != new_gid and st.st_gid not in os.getgroups() and st.st_gid != os.getegid():
        return f"its group is {_group_name(st.st_gid)}, which you are not in, so a new version could not keep it"
    return None


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return f"user {uid}"


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return f"group {gid}"


# ---------------------------------------------------------------------------
# locking


_lock_dir_cache: dict[tuple[str | None, ...], Path] = {}
_lock_dir_mutex = threading.Lock()
_LOCK_DIR_ENV = ("XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "HOME")


def lock_dir() -> Path:
    """Per-user private folder for lock files (never the user's own folder).

    The runtime dir (e.g. /run/user/<uid>/tasktui/locks) when it is usable,
    else the cache dir (~/.cache/tasktui/locks).  Both must be real folders
    owned by us and not writable by others.  Remembered per environment.
    """
    env_key = (str(os.geteuid()),) + tuple(os.environ.get(k) for k in _LOCK_DIR_ENV)
    with _lock_dir_mutex:
        found = _lock_dir_cache.get(env_key)
        if found is not None and os.path.isdir(found):
            return found
        found = _find_lock_dir()
        _lock_dir_cache[env_key] = found
        return found


def _find_lock_dir() -> Path:
    import platformdirs

    candidates: list[str] = []
    for getter in (platformdirs.user_runtime_dir, platformdirs.user_cache_dir):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                candidates.append(getter("tasktui"))
        except Exception:  # platformdirs refuses an unsafe runtime dir
            continue
    for base in candidates:
        # The app folder itself, then "locks" inside it: both must be ours only.
        found = private.private_folder(base, "locks")
        if found is not None:
            return found
    raise StoreError("Could not create a private folder for lock files; nothing was written.")


def _lock_path(target: Path) -> Path:
    key = hashlib.blake2b(os.fsencode(str(target)), digest_size=16).hexdigest()
    return lock_dir() / f"{key}.lock"


_held = threading.local()  # per thread: {resolved path str: depth}


@contextmanager
def locked(path: str | os.PathLike[str], timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive inter-process lock for edits to this file.

    The lock is ``fcntl.flock`` on a lock file in a private per-user folder
    (the runtime dir, else the cache dir), named by a hash of the resolved
    path, so symlinks to the same file share one lock and nothing is ever
    created in the user's folder.  The lock file is removed on release: every
    locker checks, after getting the lock, that its file is still the one at
    the lock path, so removing it while held is safe.

    Re-entrant within one thread.  Other threads and processes wait up to
    ``timeout`` seconds, then get StoreError("Another program holds the lock
    on X; nothing was written.").
    """
    name = _show(path)
    target = resolve(path)
    key = str(target)
    held: dict[str, int] = getattr(_held, "paths", None) or {}
    _held.paths = held
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return

    lock_path = _lock_path(target)
    fd = _acquire(lock_path, name, timeout)
    held[key] = 1
    try:
        yield
    finally:
        held.pop(key, None)
        _release(fd, lock_path)


def _acquire(lock_path: Path, name: str, timeout: float) -> int:
    deadline = time.monotonic() + max(0.0, timeout)
    delay = 0.001
    fd = -1
    try:
        while True:
            if fd < 0:
                flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
                try:
                    fd = os.open(lock_path, flags, 0o600)
                except FileNotFoundError:
                    # The lock folder vanished (a tmp cleaner?): recreate it once.
                    if private.private_folder(lock_path.parent.parent, lock_path.parent.name) is None:
                        raise
                    fd = os.open(lock_path, flags, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise Busy(
                        f"Another program holds the lock on {name}; nothing was written."
                    ) from None
                time.sleep(min(delay, deadline - now))
                delay = min(delay * 2, 0.02)
                # The holder may have removed that lock file: start over on
                # whatever is at the lock path now.
                if not _is_current(fd, lock_path):
                    os.close(fd)
                    fd = -1
                continue
            if _is_current(fd, lock_path):
                return fd
            # We locked a file that the previous holder already removed.
            os.close(fd)
            fd = -1
    except StoreError:
        if fd >= 0:
            os.close(fd)
        raise
    except OSError as exc:
        if fd >= 0:
            os.close(fd)
        raise StoreError(f"Could not lock {name}: {_strerror(exc)}; nothing was written.") from exc
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _is_current(fd: int, lock_path: Path) -> bool:
    try:
        on_disk = os.stat(lock_path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)


def _release(fd: int, lock_path: Path) -> None:
    try:
        # Safe while we hold the lock: anyone waiting on this inode re-checks
        # the lock path after getting it and starts over.
        if _is_current(fd, lock_path):
            os.unlink(lock_path)
    except OSError:
        pass  # stays in the private lock folder; harmless
    finally:
        os.close(fd)  # releases the flock


# ---------------------------------------------------------------------------
# writing


def _temp_prefix(target: Path) -> str:
    return f".{target.name}{_TEMP_MARK}"


def _write_error(name: str, exc: BaseException) -> StoreError:
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        return StoreError(f"Disk full: nothing was written to {name}.")
    if code == errno.EDQUOT:
        return StoreError(f"Disk quota exceeded: nothing was written to {name}.")
    return StoreError(f"Could not write {name}: {_strerror(exc)}; the file is unchanged.")


class Busy(StoreError):
    """The lock is held by someone else (or the file is being changed): nothing was written.
    Raised at once when the caller asked not to wait (``timeout=0``)."""


class FileChanged(StoreError):
    """The file changed on disk after it was read for this write: nothing was written."""


def read_settled(path: str | os.PathLike[str], interval: float = 0.02, timeout: float = 3.0) -> Snapshot:
    """Read the file once it has settled: the same (size, mtime, inode) across two
    checks ``interval`` apart, so that a half-written file is never taken as truth.
    Raises StoreError when it is missing, or still changing after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = stat_key(path)
    while True:
        time.sleep(interval)
        now = stat_key(path)
        if now is not None and now == last:
            snap = read(path)
            if (snap.size, snap.mtime_ns, snap.inode) == now:
                return snap
            now = (snap.size, snap.mtime_ns, snap.inode)
        if time.monotonic() > deadline:
            if now is None:
                raise StoreError(f"{_show(path)} does not exist.")
            raise StoreError(f"{_show(path)} keeps changing; nothing was written.")
        last = now


# ---------------------------------------------------------------------------
# other programs still writing


F_SETLEASE = getattr(fcntl, "F_SETLEASE", 1024)
F_GETLEASE = getattr(fcntl, "F_GETLEASE", 1025)
WAIT_FOR_WRITERS = 10.0  # seconds: then nothing is written, and the user is told
_WRITE_ACCESS = (os.O_WRONLY, os.O_RDWR)


class WriterActive(Busy):
    """Another program kept the file open for writing for too long: nothing was written."""


def _lease_break(signum, frame) -> None:
    """The kernel asks us to give a lease back: ``Quiet.intact`` sees it and we let go."""


def enable_leases() -> bool:
    """Make read leases safe to take in this process: a lease is broken by signal
    (SIGIO), which ends a process that has no handler for it. Call from the main
    thread at start (the command line and the app do); elsewhere it changes
    nothing. True when leases will be used."""
    if not hasattr(signal, "SIGIO") or not sys.platform.startswith("linux"):
        return False
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGIO) in (
            signal.SIG_DFL, None):
        signal.signal(signal.SIGIO, _lease_break)
    return _leases_safe()


def _leases_safe() -> bool:
    return sys.platform.startswith("linux") and signal.getsignal(signal.SIGIO) not in (signal.SIG_DFL, None)


def _open_for_writing_elsewhere(fd: int) -> bool:
    """Whether a process of ours (this user's) has the file open on ``fd`` for
    writing, from /proc: the check where no lease can be taken (a file of
    another user, a filesystem without leases). Processes of other users are
    not visible; for them the settle rule is all there is."""
    mine = os.fstat(fd)
    me = os.getpid()
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return False
    for pid in pids:
        folder = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(folder)
        except OSError:
            continue  # gone, or not ours to see
        for entry in fds:
            if pid == me and entry == str(fd):
                continue
            try:
                st = os.stat(f"{folder}/{entry}")
            except OSError:
                continue
            if (st.st_ino, st.st_dev) != (mine.st_ino, mine.st_dev):
                continue
            try:
                with open(f"/proc/{pid}/fdinfo/{entry}", encoding="ascii") as info:
                    flags = next((int(line.split()[1], 8) for line in info if line.startswith("flags:")), 0)
            except (OSError, ValueError, IndexError):
                continue
            if flags & os.O_ACCMODE in _WRITE_ACCESS:
                return True
    return False


@dataclass
class Quiet:
    """A version of the file read while no other program had it open for writing,
    and the means to tell, just before a rename, that none has started since."""

    path: Path
    snapshot: Snapshot
    fd: int
    leased: bool  # a read lease holds: a writer's open() waits, and breaks it

    def unbroken(self) -> bool:
        """No other program has opened (or is waiting to open) the file for writing."""
        if self.leased:
            try:
                return fcntl.fcntl(self.fd, F_GETLEASE) == fcntl.F_RDLCK  # else a writer waits for us to let go
            except OSError:
                return False
        return not _open_for_writing_elsewhere(self.fd)

    def intact(self) -> bool:
        """``unbroken``, and the file at the path is still this one, unchanged."""
        snap = self.snapshot
        return self.unbroken() and stat_key(self.path) == (snap.size, snap.mtime_ns, snap.inode)


@contextmanager
def quiet(path: str | os.PathLike[str], *, wait: bool = True, timeout: float = WAIT_FOR_WRITERS,
          on_wait=None, settle: float = 0.03, known: bytes | None = None) -> Iterator[Quiet]:
    """Read the file once no other program has it open for writing, and keep
    knowing that until the block ends.

    On Linux, for a file we own on a filesystem with leases (ext4, xfs, btrfs,
    tmpfs, overlayfs), a read lease tells: it cannot be taken while any process
    has the file open for writing, and while it is held another process's
    ``open()`` for writing waits for us and breaks it (``Quiet.intact`` sees
    that). Elsewhere /proc shows this user's writers, and the file must not
    change for ``settle`` seconds (unless it holds the ``known`` bytes, what we
    saw last). A writer that closes the file between its pieces (``>>`` in a
    shell) cannot be told from one that has finished.

    While another program writes, waits up to ``timeout`` seconds, calling
    ``on_wait(sentence)`` once, then raises WriterActive; with ``wait=False``
    raises Busy at once. Raises StoreError for a file that cannot be read.
    """
    name = _show(path)
    deadline = time.monotonic() + timeout
    told = False
    leases = _leases_safe()
    while True:
        fd = _open_for_reading(path)
        leased = False
        try:
            busy = False
            if leases:
                try:
                    fcntl.fcntl(fd, F_SETLEASE, fcntl.F_RDLCK)
                    leased = True
                except OSError as exc:
                    busy = exc.errno == errno.EAGAIN  # open for writing somewhere; EACCES, EINVAL: no lease here
            if not leased and not busy:
                busy = _open_for_writing_elsewhere(fd)
            if not busy:
                snap = _read_fd(fd, path)
                key = (snap.size, snap.mtime_ns, snap.inode)
                same = stat_key(path) == key  # still the file at its path
                if same and not leased and settle and snap.data != known:
                    time.sleep(settle)
                    same = stat_key(path) == key and not _open_for_writing_elsewhere(fd)
                if same:
                    yield Quiet(Path(path), snap, fd, leased)
                    return
        finally:
            if leased:
                try:
                    fcntl.fcntl(fd, F_SETLEASE, fcntl.F_UNLCK)
                except OSError:
                    pass
            os.close(fd)
        if not wait:
            raise Busy(f"Another program is writing {name}; nothing was written.")
        if time.monotonic() > deadline:
            raise WriterActive(f"Another program kept {name} open for writing for {timeout:g} seconds; "
                               "nothing was written.")
        if not told and on_wait is not None:
            on_wait(f"waiting for another program to finish writing {name}")
            told = True
        time.sleep(0.02)


def read_quiet(path: str | os.PathLike[str], **kwargs) -> Snapshot:
    """The file as ``quiet`` reads it: never while another program writes it."""
    with quiet(path, **kwargs) as q:
        return q.snapshot


_cleaned: set[Path] = set()  # targets whose stale temp files this process has removed


def atomic_write(
    path: str | os.PathLike[str], data: bytes, expect: tuple[int, int, int] | None = None, *, checked: bool = False,
    held: "Quiet | None" = None,
) -> Snapshot:
    """Replace the file's contents with ``data`` atomically and durably.

    The one atomic writer (tasktui.storage.private.new_temp) makes a temp file
    ``.<name>.tasktui-<pid>-<random>.tmp`` next to the target (resolved through
    symlinks, so a symlink stays a symlink and its target is updated); all bytes
    are written, the target's permission bits and owner/group are copied, it is
    fsync'ed, put in the target's place and the folder is fsync'ed.  If the target does
    not exist yet it is created with the usual mode (0o666 minus umask).

    On any failure the temp file is removed, the original file is untouched,
    and StoreError is raised ("Disk full: nothing was written to X." or "Could
    not write X: <reason>; the file is unchanged.").  Refuses with StoreError,
    writing nothing, when why_read_only(path) gives a reason.  Returns the
    Snapshot of what is now on disk.  Does not take the lock: callers hold
    locked() around read-compare-write.

    With ``expect`` (the stat_key of the version the new bytes were made from),
    the target is checked once more just before the rename and FileChanged is
    raised, writing nothing, when another program changed it meanwhile.
    ``checked=True`` says the caller has just asked why_read_only() under the lock.
    ``held`` (from ``quiet``) is asked last, just before the rename, whether
    another program has started writing (FileChanged, nothing written). Where
    the filesystem can swap two files in one step (``Temp.exchange``), the
    new file is swapped in and the old one checked once more: a program whose
    ``open()`` found the old file at the path and waits on our lease would
    write into a file no longer there, so the swap is undone and FileChanged
    raised; the edit is planned again once that program is done.
    The target's extended attributes (and with them POSIX ACLs and SELinux
    labels) are copied to the new file, after its owner and mode.
    Stale temp files are cleaned up on the first write to a file in this process.
    """
    name = _show(path)
    try:
        data = bytes(data)
    except Exception as exc:  # wrong type from a caller
        raise StoreError(
            f"Could not write {name}: the new contents are not bytes; the file is unchanged."
        ) from exc
    reason = None if checked else why_read_only(path)
    if reason is not None:
        raise StoreError(f"Cannot save {name}: {reason}; nothing was written.")
    target = resolve(path)
    folder = target.parent
    if target not in _cleaned:
        _cleaned.add(target)
        try:
            cleanup_stale_temps(path)
        except Exception:
            pass  # housekeeping must never block a save

    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise _write_error(name, exc) from exc

    replaced = False
    try:
        # Private until its mode is copied from the target.
        with private.new_temp(target, 0o600 if old is not None else 0o666, prefix=_temp_prefix(target)) as tmp:
            tmp.write(data)
            if old is not None:
                # After writing (a write clears set-id bits), before fsync (so the
                # fsync covers the metadata too).  chown first: it clears them too.
                _copy_owner(tmp.fd, old)
                os.fchmod(tmp.fd, stat.S_IMODE(old.st_mode))
                _copy_xattrs(target, tmp.fd)
            tmp.sync()
            if expect is not None and stat_key(target) != tuple(expect):
                raise FileChanged(f"{name} changed on disk while saving; nothing was written.")
            if held is not None and not held.intact():
                raise FileChanged(f"Another program started writing {name} while saving; nothing was written.")
            if old is not None and tmp.exchange():
                # Swapped, not renamed over: the old file is now at tmp.path. Make sure it is the
                # one we planned on, and that no program is waiting to write into it (its
                # open() found it at the path before the swap, and waits on our lease):
                # then its bytes would land in a file no longer at the path. If so, swap
                # back, and plan again once that program is done. Either way what is left
                # at tmp.path goes when the block ends.
                swapped_out = os.stat(tmp.path)
                planned_on = (expect[2] if expect is not None else old.st_ino)
                if swapped_out.st_ino != planned_on or (held is not None and not held.unbroken()):
                    tmp.exchange()
                    raise FileChanged(f"Another program started writing {name} while saving; nothing was written.")
                replaced = True
            else:
                tmp.replace()
                replaced = True
            new = os.fstat(tmp.fd)  # the inode now at the target: no race with others
    except BaseException as exc:
        if replaced:
            # The rename happened, so the save did: never report it as failed
            # with "the file is unchanged".  (Only fstat can fail here.)
            private.fsync_folder(folder)
            if not isinstance(exc, Exception):
                raise
            try:
                new = os.stat(target)
            except OSError:
                raise StoreError(
                    f"{name} was saved, but its new state could not be read back: {_strerror(exc)}."
                ) from exc
            return _snapshot(path, data, new)
        if isinstance(exc, FileChanged):
            raise
        if isinstance(exc, Exception):
            raise _write_error(name, exc) from exc
        raise  # KeyboardInterrupt and friends: cleaned up, then re-raised
    private.fsync_folder(folder)
    return _snapshot(path, data, new)


def _copy_xattrs(target: Path, fd: int) -> None:
    """Copy the target's extended attributes onto the new file, where we may."""
    try:
        names = os.listxattr(target)
    except OSError:
        return  # none, or a filesystem without them
    for attr in names:
        try:
            os.setxattr(fd, attr, os.getxattr(target, attr))
        except OSError:
            pass  # e.g. security.* that only root may set: best effort


def _copy_owner(fd: int, old: os.stat_result) -> None:
    """Give the temp file the target's owner/group where we are allowed to."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        if _is_root():
            os.fchown(fd, old.st_uid, old.st_gid)
        elif mine.st_gid != old.st_gid:
            os.fchown(fd, -1, old.st_gid)  # works when we are in that group
    except OSError:
        pass  # best effort


def cleanup_stale_temps(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temp files left next to the target by a crashed writer.

    Only files named ``.<name>.tasktui-<pid>-<random>.tmp`` whose pid is no
    longer alive are removed (temps of live processes, including this one,
    are kept).  Returns the removed paths.  Never raises for an unreadable
    folder or a file that cannot be removed.
    """
    target = resolve(path)
    folder = target.parent
    prefix = _temp_prefix(target)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX)):
            continue
        middle = entry.name[len(prefix) : -len(_TEMP_SUFFIX)]
        pid_text, sep, rest = middle.partition("-")
        if not (sep and rest and pid_text.isdigit()):
            continue
        pid = int(pid_text)
        if _pid_alive(pid):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(folder / entry.name)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except (OverflowError, OSError):
        return False
    return True
