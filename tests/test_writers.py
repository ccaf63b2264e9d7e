"""Programs still writing the file: tasktui never plans an edit on, nor shows, a
file another process has open for writing; it waits (at most
store.WAIT_FOR_WRITERS seconds, saying so), then writes nothing and says why.
Real processes, real files; the non-owner path runs as another user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from support import assert_one_line_error, poll, run, wait_open
from tasktui.storage import private, store
from tasktui.doc import Document
from tasktui.core.tasksfile import TasksFile

pytestmark = pytest.mark.xdist_group("timing")  # timing-sensitive: run apart from each other, in one worker

TEXT = b"# Plan\n\n## Phase 1\n\n" + b"".join(b"- [ ] task %d with some words to make it longer\n" % i for i in range(30))

HOLDER = textwrap.dedent("""
    import sys, time
    f = open(sys.argv[1], sys.argv[2])  # opened for writing: held until stdin closes
    print("open", flush=True)
    data = sys.stdin.buffer.read()
    if data:
        f.seek(0); f.truncate(); f.write(data.decode("latin-1")); f.flush()
    f.close()
""")


def hold_open(path: Path, mode: str = "r+", user: list[str] | None = None) -> subprocess.Popen:
    """Another process with ``path`` open for writing until its stdin is closed (what
    it was sent, it writes as the file's new content first)."""
    proc = subprocess.Popen([*(user or []), sys.executable, "-c", HOLDER, str(path), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"open\n"
    return proc


@pytest.fixture
def tasks(tmp_path) -> Path:
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    return path


def test_leases_are_in_use_here(tasks):
    assert store.enable_leases(), "the test run installs the lease-break handler (conftest)"
    with store.quiet(tasks) as held:
        assert held.leased and held.snapshot.data == TEXT and held.intact()


def test_a_writer_with_the_file_open_is_waited_for_then_refused(tasks):
    holder = hold_open(tasks)
    said = []
    try:
        started = time.monotonic()
        with pytest.raises(store.WriterActive) as err:
            with store.quiet(tasks, timeout=0.6, on_wait=said.append):
                pytest.fail("must not read a file that is open for writing")
        assert time.monotonic() - started >= 0.6
        assert str(err.value) == f"Another program kept {tasks} open for writing for 0.6 seconds; nothing was written."
        assert said == [f"waiting for another program to finish writing {tasks}"]
        with pytest.raises(store.Busy):
            with store.quiet(tasks, wait=False):
                pass
    finally:
        holder.stdin.close()
        holder.wait(5)
    assert store.read_quiet(tasks).data == TEXT


def test_the_edit_waits_for_the_writer_and_applies_to_what_it_wrote(tasks, capsys):
    new = TEXT.replace(b"task 0 ", b"task zero ")
    holder = hold_open(tasks)
    timer = threading.Timer(0.8, lambda: (holder.stdin.write(new), holder.stdin.close()))
    timer.start()
    try:
        code, out, err = run(capsys, "toggle", tasks, "task 5 ", "--json")
    finally:
        timer.join()
        holder.wait(5)
    assert code == 0, err
    assert err == f"tasktui: waiting for another program to finish writing {tasks}\n"
    assert tasks.read_bytes() == new.replace(b"- [ ] task 5 ", b"- [x] task 5 ")


def shorter_wait(monkeypatch, seconds: float) -> None:
    """store.quiet with a shorter wait for writers than the real 10 s."""
    real = store.quiet
    monkeypatch.setattr(store, "quiet", lambda *a, **k: real(*a, **{**k, "timeout": seconds}))


def toggle_op(tf: TasksFile, text: str):
    from tasktui.doc import edits

    return edits.Toggle(tf.doc.keys[next(t.index for t in tf.doc.tasks if t.text.startswith(text))])


def test_an_edit_refused_after_the_wait_writes_nothing(tasks, monkeypatch):
    shorter_wait(monkeypatch, 0.5)
    tf = TasksFile(tasks)
    holder = hold_open(tasks)
    try:
        with pytest.raises(store.WriterActive):
            tf.apply(toggle_op(tf, "task 3 "))
    finally:
        holder.stdin.close()
        holder.wait(5)
    assert tasks.read_bytes() == TEXT and tf.undo_stack == []


def test_the_cli_exits_1_when_the_writer_never_finishes(tasks, capsys, monkeypatch):
    shorter_wait(monkeypatch, 0.5)
    holder = hold_open(tasks)
    try:
        code, out, err = run(capsys, "toggle", tasks, "task 3 ")
    finally:
        holder.stdin.close()
        holder.wait(5)
    lines = err.splitlines()
    assert lines[0] == f"tasktui: waiting for another program to finish writing {tasks}"
    assert_one_line_error(code, out, "\n".join(lines[1:]) + "\n", f"kept {tasks} open for writing", "nothing was written")
    assert tasks.read_bytes() == TEXT


def test_a_writer_in_three_chunks_loses_nothing(tasks):
    """The case measured in the issue: a program truncates the file and writes it
    back in three chunks 500 ms apart, the file open all along; a toggle started
    once it has the file open lands on the whole new file."""
    new = TEXT.replace(b"Phase 1", b"Phase One")
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        data = {new!r}
        f = open({str(tasks)!r}, "r+b")
        f.truncate(0)
        third = len(data) // 3
        for piece in (data[:third], data[third:2 * third], data[2 * third:]):
            f.write(piece); f.flush(); time.sleep(0.5)
        f.close()
    """)])
    wait_open(writer, tasks)  # the writer has the file open: the toggle starts while it writes
    done = subprocess.run([sys.executable, "-m", "tasktui", "toggle", str(tasks), "L7", "--json"],
                          capture_output=True, timeout=60)
    writer.wait(10)
    assert done.returncode == 0, done.stderr
    assert f"waiting for another program to finish writing {tasks}".encode() in done.stderr
    assert tasks.read_bytes() == new.replace(b"- [ ] task 2 ", b"- [x] task 2 ")


def test_a_writer_that_opens_while_we_hold_the_lease_breaks_it(tasks):
    with store.quiet(tasks) as held:
        assert held.intact()
        writer = subprocess.Popen([sys.executable, "-c", f"open({str(tasks)!r}, 'ab').write(b'- [ ] late\\n')"])
        poll(lambda: not held.intact(), 5, "the lease to be broken")
        assert writer.poll() is None, "the writer waits for us"
        with pytest.raises(store.FileChanged):
            store.atomic_write(tasks, b"ours", held=held)
    writer.wait(5)
    assert tasks.read_bytes() == TEXT + b"- [ ] late\n"


def test_the_app_waits_for_a_writer_before_showing_its_file(tmp_path):
    """The watcher never reports a file its writer still has open."""
    from tasktui.storage.watch import FileWatcher

    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    events = []
    watcher = FileWatcher(path, events.append)
    watcher.start(store.read(path).digest)
    try:
        poll(watcher.ready.is_set, 5, "the watch")
        new = TEXT.replace(b"task 1 ", b"task one ")
        writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
            import sys
            f = open({str(path)!r}, "r+b")
            f.truncate(0)
            f.write({new[:100]!r}); f.flush()  # half written, the file still open
            print("half", flush=True)
            sys.stdin.readline()
            f.write({new[100:]!r}); f.close()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"half\n"
        poll(lambda: any(e.writing for e in events), 5, "the writing event")
        time.sleep(0.3)
        assert all(e.snapshot is None for e in events), "nothing is shown while the writer has the file open"
        writer.stdin.write(b"go\n")
        writer.stdin.close()
        writer.wait(5)
        poll(lambda: any(e.snapshot is not None for e in events), 5, "the finished file")
        assert events[-1].snapshot.data == TEXT.replace(b"task 1 ", b"task one ")
    finally:
        watcher.stop()


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv to run as another user")
def test_a_file_of_another_user_uses_proc_for_writers_of_ours(tmp_path):
    """Only the file's owner may take a lease (EACCES otherwise): then /proc shows
    the writers of our own user."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    tmp_path.chmod(0o755)
    path = folder / "tasks.md"
    path.write_bytes(TEXT)
    path.chmod(0o666)
    nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
              "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    probe = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from tasktui.storage import store
        store.enable_leases()
        try:
            with store.quiet({str(path)!r}, timeout=float(sys.argv[1])) as held:
                print("quiet", held.leased)
        except store.WriterActive:
            print("busy")
    """)

    def ask(timeout: str = "0.4") -> str:
        done = subprocess.run([*nobody, sys.executable, "-c", probe, timeout], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert ask() == "quiet False", "no lease for a file of another user; nothing writing"
    holder = hold_open(path, user=nobody)  # a writer of our (nobody's) own
    try:
        assert ask() == "busy"
    finally:
        holder.stdin.close()
        holder.wait(5)
    holder = hold_open(path)  # root's writer: invisible to nobody, only the settle rule is left
    try:
        assert ask() == "quiet False"
    finally:
        holder.stdin.close()
        holder.wait(5)


def test_extended_attributes_survive_every_write(tasks):
    try:
        os.setxattr(tasks, "user.tasktui.test", b"kept")
    except OSError as exc:
        pytest.skip(f"this filesystem has no user extended attributes ({exc.strerror})")
    inode = os.stat(tasks).st_ino
    tf = TasksFile(tasks)
    tf.apply(toggle_op(tf, "task 1 "))
    assert os.stat(tasks).st_ino != inode, "a new file was renamed in"
    assert os.getxattr(tasks, "user.tasktui.test") == b"kept"


def test_documents_read_through_quiet_equal_a_plain_read(tasks):
    with store.quiet(tasks) as held:
        assert Document(held.snapshot.data).tasks == Document(store.read(tasks).data).tasks


def test_a_writer_that_found_the_old_file_keeps_its_bytes(tasks, monkeypatch):
    """A program whose open() found the file just before tasktui swapped its new
    version in waits on tasktui's lease: its bytes would go into the old file,
    no longer at the path. The swap is undone, nothing of tasktui's is written,
    and the program's bytes land in the file."""
    real_exchange = private.exchange
    writers = []

    def exchange_while_a_writer_opens(a, b):
        if not writers:  # the writer's open() resolves the path now, then waits on our lease
            writers.append(subprocess.Popen([sys.executable, "-c",
                                             f"open({str(tasks)!r}, 'ab').write(b'- [ ] appended\\n')"]))
            poll(lambda: fcntl_lease(held) != "read", 5, "the writer to wait on the lease")
        return real_exchange(a, b)

    monkeypatch.setattr(private, "exchange", exchange_while_a_writer_opens)
    with store.quiet(tasks) as held:
        with pytest.raises(store.FileChanged):
            store.atomic_write(tasks, b"tasktui's version\n", expect=(held.snapshot.size, held.snapshot.mtime_ns,
                                                                       held.snapshot.inode), held=held)
    writers[0].wait(5)
    assert tasks.read_bytes() == TEXT + b"- [ ] appended\n"
    assert [p.name for p in tasks.parent.iterdir()] == ["tasks.md"]


def fcntl_lease(held) -> str:
    import fcntl

    return "read" if fcntl.fcntl(held.fd, store.F_GETLEASE) == fcntl.F_RDLCK else "broken"
