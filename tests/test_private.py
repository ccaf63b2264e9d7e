"""tasktui's own folders and the one atomic writer (tasktui.storage.private): the
folder rule (0700, the user's, never through a link, checked before and after),
files opened without following links, unique temporary names, nothing left
behind, and moving a file aside without ever replacing another."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from tasktui.storage import private


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# ------------------------------------------------------------------ the folder rule
def test_a_folder_is_made_private_with_its_missing_parents(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    base = home / "new" / "deeper" / "tasktui"
    found = private.private_folder(base, "locks")
    assert found == base / "locks"
    for folder in (home / "new", home / "new" / "deeper", base, base / "locks"):
        assert stat.S_ISDIR(os.lstat(folder).st_mode) and mode(folder) == 0o700
    assert mode(home) == 0o755, "an existing parent is the user's: left as it is"


def test_an_open_folder_is_closed_again(tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir()
    os.chmod(loose, 0o777)
    assert private.private_folder(loose) == loose and mode(loose) == 0o700


@pytest.mark.parametrize("what", ["link to a folder", "dangling link", "file", "link below"])
def test_a_folder_that_breaks_the_rule_is_refused(tmp_path, what):
    elsewhere = tmp_path / "elsewhere"
    base = tmp_path / "base"
    if what == "link to a folder":
        elsewhere.mkdir()
        base.symlink_to(elsewhere)
        assert private.private_folder(base) is None
    elif what == "dangling link":
        base.symlink_to(elsewhere)
        assert private.private_folder(base, "sub") is None
        assert not elsewhere.exists(), "nothing is made through the link"
    elif what == "file":
        base.write_text("x")
        assert private.private_folder(base) is None and private.private_folder(base, "sub") is None
    else:
        base.mkdir()
        elsewhere.mkdir()
        (base / "sub").symlink_to(elsewhere)
        assert private.private_folder(base, "sub") is None
        os.chmod(elsewhere, 0o755)
        assert mode(elsewhere) == 0o755, "the link's target is never touched"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_another_users_folder_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    assert private.private_folder(theirs) is None
    assert private.private_folder(tmp_path, "theirs") is None


def test_a_folder_swapped_for_a_link_after_the_check_is_refused(tmp_path, monkeypatch):
    """lstat sees a real folder; by the time it is opened a link stands there: the
    folder opened (O_NOFOLLOW) is not the one checked, so it is refused."""
    base = tmp_path / "base"
    base.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    real_open = os.open

    def swap_then_open(path, flags, *args, **kwargs):
        if os.fspath(path) == str(base) and flags & os.O_DIRECTORY:
            os.rename(base, tmp_path / "moved")
            os.symlink(elsewhere, base)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", swap_then_open)
    assert private.private_folder(base) is None


# ------------------------------------------------------------------ private files
def test_files_are_opened_only_when_regular_and_not_links(tmp_path):
    folder = private.private_folder(tmp_path / "p")
    (folder / "ok").write_bytes(b"data")
    assert private.read_private(folder / "ok", 100) == b"data"
    target = tmp_path / "theirs"
    target.write_bytes(b"secret")
    (folder / "link").symlink_to(target)
    with pytest.raises(OSError) as info:
        private.read_private(folder / "link", 100)
    assert info.value.errno == errno.ELOOP
    os.mkfifo(folder / "fifo")
    with pytest.raises(OSError) as info:
        private.read_private(folder / "fifo", 100)  # never blocks
    assert info.value.errno == errno.EINVAL
    with pytest.raises(OSError) as info:
        private.read_private(folder / "ok", 3)
    assert info.value.errno == errno.EFBIG


# ------------------------------------------------------------------ the atomic writer
def test_write_file_replaces_whole_and_leaves_nothing(tmp_path):
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    inode = os.stat(target).st_ino
    private.write_file(target, b"new", mode=0o640)
    assert target.read_bytes() == b"new" and os.stat(target).st_ino != inode and mode(target) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    real_fsync = os.fsync

    def broken(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        private.write_file(target, b"new")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_planted_link_at_a_temporary_name_is_never_followed(tmp_path, monkeypatch):
    """The temporary name is made with O_EXCL | O_NOFOLLOW: a link already there (a
    guessed name) makes the write fail, and its target is not touched."""
    target = tmp_path / "state.json"
    victim = tmp_path / "victim"
    victim.write_bytes(b"theirs")
    monkeypatch.setattr(private.secrets, "token_hex", lambda n: "guessed")
    (tmp_path / f".state.json.{os.getpid()}-guessed.tmp").symlink_to(victim)
    with pytest.raises(FileExistsError):
        private.write_file(target, b"new")
    assert victim.read_bytes() == b"theirs" and not target.exists()


def test_two_writers_never_share_a_temporary_file(tmp_path):
    target = tmp_path / "state.json"
    errors = []

    def write(data):
        try:
            for _ in range(50):
                private.write_file(target, data * 1000)
        except OSError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(d,)) for d in (b"a", b"b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and target.read_bytes() in (b"a" * 1000, b"b" * 1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_move_aside_never_replaces_a_file(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("one")
    taken = tmp_path / "config.toml.bad-x"
    taken.write_text("kept")
    moved = private.move_aside(bad, "config.toml.bad-x")
    assert moved == tmp_path / "config.toml.bad-x-1" and moved.read_text() == "one"
    assert taken.read_text() == "kept" and not bad.exists()


def test_the_only_module_that_renames_files():
    import re
    from pathlib import Path

    package = Path(private.__file__).resolve().parent.parent
    renaming = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")
                      if re.search(r"os\.(replace|rename)\(|renameat2", p.read_text(encoding="utf-8")))
    assert renaming == ["storage/private.py"]
