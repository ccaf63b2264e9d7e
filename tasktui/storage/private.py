"""tasktui's own folders, and the one way tasktui puts a file on disk.

**The folder rule.** What tasktui keeps for itself (its cache, its state, its
lock files) lives in folders that only the user can enter: each is created
0700 (the missing parents too), must be a real folder owned by the user, is
never reached through a symbolic link, and is set back to 0700 when it was
opened up. It is checked by ``lstat`` before it is used and by ``fstat`` on
the folder actually opened, so a folder swapped for a link between the two
is refused. ``private_folder`` answers None for a folder that fails the rule:
the caller then runs without it (no cache, no timer), silently or with one
sentence, never with a traceback. Files in such a folder are opened with
``O_NOFOLLOW`` and read only when they are regular files (``read_private``).

**The atomic writer.** Every file tasktui writes (the user's tasks file, the
config, the timer's state) goes through ``new_temp``: a temporary file with a
unique name beside the target (``O_EXCL | O_NOFOLLOW``: never an existing
file, never through a link), written, flushed to disk, then renamed over the
target (or swapped with it: ``Temp.exchange``) and the folder flushed, so the
file on disk is at every moment either all old bytes or all new ones. The
tasks file's own checks (who else is writing, owner and mode, extended
attributes) are added by tasktui.storage.store around the same steps;
``write_file`` is the plain form. This module is the only one that renames
files, including moving an unusable file of tasktui's own aside
(``move_aside``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

__all__ = [
    "private_folder",
    "open_private",
    "read_private",
    "Temp",
    "new_temp",
    "write_file",
    "fsync_folder",
    "move_aside",
    "exchange",
    "TEMP_SUFFIX",
]

TEMP_SUFFIX = ".tmp"


# ---------------------------------------------------------------------------
# the folder rule


def _mine(st: os.stat_result) -> bool:
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()


def _make_private(path: Path) -> bool:
    """``path`` is a real folder of ours (lstat), the folder opened is the same one
    (fstat), and it is 0700 when we are done."""
    try:
        before = os.lstat(path)
    except OSError:
        return False
    if not _mine(before):  # a link, a file, or another user's folder
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        after = os.fstat(fd)
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not _mine(after):
            return False
        if stat.S_IMODE(after.st_mode) != 0o700:
            os.fchmod(fd, 0o700)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def private_folder(base: str | os.PathLike[str], *parts: str) -> Path | None:
    """The folder ``base/parts...``, created where missing, when it and ``base``
    follow the folder rule (see the module's docstring); else None.

    ``base`` is tasktui's own folder (``~/.cache/tasktui``, say): the folders above
    it that are missing are created 0700; those that exist are the user's and are
    left as they are (a home folder that is a link stays usable). ``base`` and
    every folder of ``parts`` below it must be real folders owned by the user."""
    base = Path(base)
    if any(not p or p in (".", "..") or "/" in p for p in parts):
        return None
    try:
        missing = []
        probe = base
        while not os.path.lexists(probe) and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        for folder in reversed(missing):
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:
                pass
    except OSError:
        return None
    if not _make_private(base):
        return None
    folder = base
    for part in parts:
        folder = folder / part
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
        if not _make_private(folder):
            return None
    return folder


def open_private(path: str | os.PathLike[str], flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """An fd on the regular file ``path`` in a private folder: never through a link
    (``O_NOFOLLOW``), never blocking on a FIFO, never another user's file.
    Raises OSError otherwise (ELOOP for a link, EINVAL for a file that is not regular)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        if st.st_uid != os.geteuid():
            raise OSError(errno.EPERM, "not the user's own file", os.fspath(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_private(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path`` (see ``open_private``), at most ``limit``
    of them: OSError (EFBIG) for a bigger file."""
    fd = open_private(path)
    try:
        return read_limited(fd, limit, path)
    finally:
        os.close(fd)


def read_limited(fd: int, limit: int, path: str | os.PathLike[str] = "") -> bytes:
    """Everything from ``fd``, or OSError (EFBIG) as soon as it holds more than ``limit`` bytes."""
    chunks = []
    total = 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), os.fspath(path))


# ---------------------------------------------------------------------------
# the atomic writer


@dataclass
class Temp:
    """A new file beside ``target``, open for writing on ``fd``. What becomes of it is
    decided by ``replace`` (renamed over the target) or ``exchange`` (swapped with
    it); whatever is left at ``path`` when ``new_temp``'s block ends is removed."""

    path: Path
    target: Path
    fd: int
    placed: bool = False  # renamed over the target: nothing left to remove

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            if written <= 0:  # should not happen for regular files; never spin
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            view = view[written:]

    def sync(self) -> None:
        os.fsync(self.fd)

    def replace(self) -> None:
        """Rename the new file over the target, in one step."""
        os.replace(self.path, self.target)
        self.placed = True

    def exchange(self) -> bool:
        """Swap the new file and the target in one step; True when done (the old file
        is then at ``path``, and is removed at the end unless swapped back), False,
        having done nothing, where the system cannot swap."""
        return exchange(self.path, self.target)


@contextmanager
def new_temp(target: str | os.PathLike[str], mode: int = 0o600, *, prefix: str | None = None) -> Iterator[Temp]:
    """A unique temporary file beside ``target`` (named ``<prefix><pid>-<random>.tmp``,
    by default ``.<name>.<pid>-<random>.tmp``), created ``O_EXCL | O_NOFOLLOW`` with
    ``mode`` (less the umask). Closed at the end of the block, and removed unless
    ``Temp.replace`` put it in place; the caller flushes the folder (``fsync_folder``)."""
    target = Path(target)
    prefix = prefix if prefix is not None else f".{target.name}."
    path = target.parent / f"{prefix}{os.getpid()}-{secrets.token_hex(6)}{TEMP_SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    temp = Temp(path, target, fd)
    try:
        yield temp
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
        if not temp.placed:
            try:
                os.unlink(path)
            except OSError:
                pass


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable. Best effort: the rename itself already happened."""
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def write_file(target: str | os.PathLike[str], data: bytes, mode: int = 0o600) -> None:
    """Put ``data`` at ``target`` atomically and durably (see ``new_temp``): a file
    that is there (not through a link: the caller resolves one) is replaced whole.
    Raises OSError, leaving the target as it was, when that cannot be done."""
    target = Path(target)
    with new_temp(target, mode) as temp:
        os.fchmod(temp.fd, mode)  # exactly, whatever the umask
        temp.write(data)
        temp.sync()
        temp.replace()
    fsync_folder(target.parent)


def move_aside(path: str | os.PathLike[str], name: str) -> Path:
    """Rename ``path`` to ``name`` in the same folder, never over an existing file
    (the first of ``name``, ``name-1`` ... that is free); the new path. OSError when
    it cannot be moved."""
    path = Path(path)
    for n in range(100):
        target = path.with_name(name + (f"-{n}" if n else ""))
        if os.path.lexists(target):
            continue
        if _rename(path, target, _RENAME_NOREPLACE):
            fsync_folder(path.parent)
            return target
    raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), os.fspath(path))


# ---------------------------------------------------------------------------
# renameat2


_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = None


def _load_renameat2():
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        if sys.platform.startswith("linux"):
            try:
                fn = ctypes.CDLL(None, use_errno=True).renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                fn.restype = ctypes.c_int
                _renameat2 = fn
            except (OSError, AttributeError):
                pass
    return _renameat2


def _rename(a: Path, b: Path, flags: int) -> bool:
    """renameat2(a, b, flags): True when done; False, having done nothing, where the
    system has no renameat2 or not these flags (then NOREPLACE falls back to a
    rename after a check, EXCHANGE is the caller's to replace); OSError else."""
    fn = _load_renameat2()
    if fn:
        if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
            return True
        err = ctypes.get_errno()
        if err == errno.EEXIST and flags == _RENAME_NOREPLACE:
            return False  # taken meanwhile: the next name
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), os.fspath(b))
    if flags == _RENAME_NOREPLACE:
        if os.path.lexists(b):
            return False
        os.rename(a, b)
        return True
    return False


def exchange(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Swap the files at ``a`` and ``b`` in one step (Linux renameat2 with
    RENAME_EXCHANGE); False, having done nothing, where that is not available."""
    return _rename(Path(a), Path(b), _RENAME_EXCHANGE)
