"""A save never changes a file's owner or group silently: when the new version could
not carry them (another user's group-writable file in a shared folder, a group the
user is not in), the file opens read-only with the reason and the command line
refuses in one sentence, writing nothing.

These tests use real users: ``useradd`` makes them (as root), and each case runs
tasktui in a child process that has become that user (setgroups, setgid, setuid:
what ``setpriv`` does; the interpreter lives in a folder other users cannot
read, so the child is forked rather than started anew)."""

from __future__ import annotations

import grp
import io
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("useradd") is None,
                                reason="needs root and useradd to make a second user")

USER, OTHER, TEAM, SECRET = "tasktui-tu1", "tasktui-tu2", "tasktui-team", "tasktui-secret"


def _group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        return grp.getgrnam(name).gr_gid


def _user(name: str, groups: list[str]) -> pwd.struct_passwd:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True,
                       capture_output=True)
    subprocess.run(["usermod", "-G", ",".join(groups), name], check=True, capture_output=True)
    return pwd.getpwnam(name)


@pytest.fixture(scope="module")
def people():
    team, secret = _group(TEAM), _group(SECRET)
    user = _user(USER, [TEAM])
    other = _user(OTHER, [TEAM])
    return user, other, team, secret


@pytest.fixture
def shared(people):
    """A folder of the team, as teams share them: setgid, group-writable; outside the
    test's own temporary folder, which only root may enter."""
    _user, _other, team, _secret = people
    folder = Path(tempfile.mkdtemp(prefix="tasktui-shared-"))
    os.chown(folder, 0, team)
    os.chmod(folder, 0o2775)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory):
    """Every module the command needs, imported before a child becomes another user
    (the standard library is in a folder only root may read)."""
    path = tmp_path_factory.mktemp("warm") / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    from tasktui.cli import commands

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert commands.main(["toggle", str(path), "a"]) == 0
        assert commands.main(["toggle", str(path), "zzz"]) == 1


@pytest.fixture
def homes():
    """Home folders the users can enter (the test's own temporary folder is root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="tasktui-homes-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_user(who: pwd.struct_passwd, home: Path, argv: list[str]) -> tuple[int, str, str]:
    """``tasktui ARGV`` run by ``who`` in a forked child: (exit status, stdout, stderr)."""
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, who.pw_uid, who.pw_gid)
    read_out, write_out = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become the user, run the command, report
        code = 99
        try:
            os.close(read_out)
            groups = [g.gr_gid for g in grp.getgrall() if who.pw_name in g.gr_mem]
            os.setgroups(groups)
            os.setgid(who.pw_gid)
            os.setuid(who.pw_uid)
            os.environ.update(HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"), XDG_CACHE_HOME=str(home / "cache"),
                              TASKTUI_CONFIG=str(home / "config.toml"), TASKTUI_STATE_DIR=str(home / "state"),
                              TASKTUI_NO_CACHE="1")
            from tasktui.cli import commands
            from tasktui.storage import store

            store._lock_dir_cache.clear()
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = commands.main(argv)
                except SystemExit as exc:
                    code = exc.code
            os.write(write_out, f"{out.getvalue()}\0{err.getvalue()}".encode())
        except BaseException:
            os.write(write_out, f"\0{traceback.format_exc()}".encode())
        finally:
            os._exit(code if isinstance(code, int) else 98)
    os.close(write_out)
    data = b""
    while chunk := os.read(read_out, 65536):
        data += chunk
    os.close(read_out)
    _pid, status = os.waitpid(pid, 0)
    out, _, err = data.decode().partition("\0")
    return os.waitstatus_to_exitcode(status), out, err


def test_another_users_group_writable_file_is_refused(people, shared, homes):
    """Ana's file in the team's folder, writable by the team: Ben's toggle would leave
    it his. Refused in one sentence; the file, its owner and group stay."""
    user, other, team, _secret = people
    path = shared / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    os.chown(path, user.pw_uid, team)
    os.chmod(path, 0o664)
    code, out, err = as_user(other, homes / "other", ["toggle", str(path), "a"])
    assert code == 1 and out == "" and len(err.splitlines()) == 1, err
    assert f"it belongs to {USER}, and saved by tasktui it would belong to {OTHER}" in err
    assert "nothing was written" in err
    st = os.stat(path)
    assert path.read_bytes() == b"- [ ] a\n" and (st.st_uid, st.st_gid) == (user.pw_uid, team)
    assert sorted(p.name for p in shared.iterdir()) == ["tasks.md"]
    # the owner may: a new version of her own file stays hers and the team's
    code, out, err = as_user(user, homes / "user", ["toggle", str(path), "a"])
    assert code == 0, err
    st = os.stat(path)
    assert path.read_bytes() == b"- [x] a\n" and (st.st_uid, st.st_gid) == (user.pw_uid, team)


def test_a_group_the_user_is_not_in_is_refused(people, shared, homes):
    """Her own file, given a group she is not in: a new version could not keep it."""
    user, _other, _team, secret = people
    path = shared / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    os.chown(path, user.pw_uid, secret)
    os.chmod(path, 0o664)
    code, out, err = as_user(user, homes / "user", ["toggle", str(path), "a"])
    assert code == 1 and len(err.splitlines()) == 1, err
    assert f"its group is {SECRET}, which you are not in" in err
    st = os.stat(path)
    assert path.read_bytes() == b"- [ ] a\n" and (st.st_uid, st.st_gid) == (user.pw_uid, secret)


def test_the_reason_is_known_when_the_file_opens(people, shared, homes):
    """What the app shows as its read-only reason comes from the open, before any key:
    the same check, made as the other user."""
    user, other, team, _secret = people
    path = shared / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    os.chown(path, user.pw_uid, team)
    os.chmod(path, 0o664)
    reason_file = homes / "reason.txt"
    os.chmod(homes, 0o777)
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([team])
            os.setgid(other.pw_gid)
            os.setuid(other.pw_uid)
            from tasktui.core.tasksfile import TasksFile

            reason = TasksFile(path, cache={}).read_only_reason()
            fd = os.open(reason_file, os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(fd, (reason or "none").encode())
            os.close(fd)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert reason_file.read_text() == f"it belongs to {USER}, and saved by tasktui it would belong to {OTHER}"


def test_root_keeps_the_owner_and_group(people, shared):
    """Root can give the new version any owner: it saves, and they stay."""
    user, _other, team, _secret = people
    path = shared / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    os.chown(path, user.pw_uid, team)
    from tasktui.storage import store

    assert store.why_read_only(path) is None
    store.atomic_write(path, b"- [x] a\n")
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (user.pw_uid, team)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
