"""The one worker pool (tasktui.core.pool) leaves no process behind: its workers
and the fork server that starts them end with the process that made them,
however it ends (returning, ``os._exit``, killed, killed in the middle of a job),
and ``pool.shutdown`` (the app closing, the interpreter's exit) ends them at once.

Each case runs in a process of its own under a small keeper that makes itself
the "subreaper" of everything below it (prctl PR_SET_CHILD_SUBREAPER): processes
orphaned by the case are handed to the keeper instead of init, so it can see in
/proc whether any is left once the case has ended, and kill what is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and uses prctl (Linux)")

# The keeper: runs CASE (argv[1]) in a child, waits for it, then waits up to argv[2]
# seconds for every process below it to end; prints the command lines of those
# still running (killing them), as JSON.
KEEPER = textwrap.dedent(r'''
    import ctypes, json, os, signal, subprocess, sys, tempfile, time

    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl failed")
    # the case's output goes to a file, not a pipe: a process it leaves behind holds its
    # stdout open, and reading a pipe to its end would wait for that process
    with tempfile.TemporaryFile("w+") as out:
        case = subprocess.run([sys.executable, "-c", sys.argv[1]], stdout=out, stdin=subprocess.DEVNULL)
        out.seek(0)
        case_out = out.read()
    me = os.getpid()

    def below():
        """The live processes below this one (zombies are reaped, not counted)."""
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        parent = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    state, ppid = f.read().rsplit(")", 1)[1].split()[:2]
            except (OSError, ValueError):
                continue
            if state != "Z":
                parent[int(entry)] = int(ppid)
        found = []
        for pid in parent:
            up = parent.get(pid)
            while up is not None and up != me:
                up = parent.get(up)
            if up == me:
                found.append(pid)
        return found

    deadline = time.monotonic() + float(sys.argv[2])
    while (left := below()) and time.monotonic() < deadline:
        time.sleep(0.05)
    names = []
    for pid in left:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                names.append(f.read().replace(b"\0", b" ").decode(errors="replace")[:200])
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    print(json.dumps({"case": case.returncode, "case_out": case_out, "left": names}))
''')

# What each case does after handing the pool some work (and seeing it done in a worker).
ENDINGS = {
    "returns": "",
    "os._exit": "os._exit(0)",
    "is killed": "os.kill(os.getpid(), signal.SIGKILL)",
    "is killed mid-job": textwrap.dedent("""
        busy = pool.submit(time.sleep, 600)
        while not busy.running():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGKILL)
    """),
}


def keep(case: str, timeout: float = 30.0) -> dict:
    done = subprocess.run([sys.executable, "-c", KEEPER, case, str(timeout)], capture_output=True, text=True,
                          timeout=timeout + 120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def uses_the_pool(ending: str) -> str:
    return textwrap.dedent("""
        import os, signal, time
        from tasktui.core import pool
        assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    """) + ending


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_a_process_that_used_the_pool_leaves_no_process_behind(ending):
    found = keep(uses_the_pool(ENDINGS[ending]))
    assert found["left"] == [], f"left running after the process that used the pool ended: {found['left']}"


def test_shutdown_ends_the_workers_and_the_fork_server_at_once():
    """What the app does when it closes: afterwards no worker and no fork server is
    left, while the process that used them goes on."""
    case = textwrap.dedent("""
        import os
        from tasktui.core import pool

        def alive(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False

        def parent(pid):
            with open(f"/proc/{pid}/stat") as f:
                return int(f.read().rsplit(")", 1)[1].split()[1])

        workers = {f.result(timeout=60) for f in [pool.submit(os.getpid) for _ in range(8)]}
        servers = {parent(w) for w in workers}
        assert os.getpid() not in workers | servers
        pool.shutdown()
        print(sorted(p for p in workers | servers if alive(p)))
        assert pool.submit(os.getpid).result(timeout=60) not in workers, "the next use starts new workers"
        pool.shutdown()
    """)
    found = keep(case)
    assert found["case"] == 0
    assert found["case_out"] == "[]\n", "workers or the fork server still ran after pool.shutdown()"
    assert found["left"] == []


def test_the_keeper_sees_a_process_left_behind():
    """The check can fail: a daemon the case starts and leaves running is reported."""
    found = keep("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
                 " start_new_session=True)", timeout=1.0)
    assert len(found["left"]) == 1 and "time.sleep(600)" in found["left"][0]
