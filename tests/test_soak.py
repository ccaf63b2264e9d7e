"""Soak: programs writing the file with every save pattern race toggles from the
app and from the command line, for ``--soak-seconds`` (45 by default; more
with the option). Every write is logged by the process that makes it: outside
writers log each version when it is complete; tasktui's writes are logged from
inside tasktui (a sitecustomize wraps store.atomic_write in the processes this
test starts), and the app's notifications too.

Invariants:
- every tasktui write is one complete outside version with only checkbox marks
  changed (never a truncated or mixed file);
- no outside version is lost to a tasktui write: a tasktui write never lands
  after a newer outside version was complete;
- the final file is the last outside version with the marks of the tasktui
  writes after it;
- every CLI toggle either wrote (exit 0) or said why not (exit 1, one line);
- the app says "Change lost" for an edit of its own exactly when another
  program's version put the edit's mark back to the one it replaced (before the
  app changed it again): never otherwise, and surely when that version stayed
  on disk a while, well before the end.
The counts are printed at the end (pytest -s shows them).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import REPO, TmuxProgram

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("timing")]  # a long race of real processes, timed

TASKS = 40


def version(k: int) -> bytes:
    """Outside version k: its number at the top and at the end, so a truncated or
    mixed file cannot pass for it."""
    body = b"".join(b"- [ ] task %02d of version %d\n" % (i, k) for i in range(TASKS))
    return b"# Soak\n\n<!-- version %d -->\n\n%s\n<!-- end %d -->\n" % (k, body, k)


def base_version(data: bytes) -> int | None:
    """k when ``data`` is version k with only checkbox marks changed, else None."""
    m = re.match(rb"# Soak\n\n<!-- version (\d+) -->\n", data)
    if not m:
        return None
    k = int(m.group(1))
    want = version(k)
    if len(data) != len(want):
        return None
    diff = [i for i in range(len(data)) if data[i] != want[i]]
    if all(want[i:i + 1] == b" " and data[i - 1:i] == b"[" and data[i + 1:i + 2] == b"]" for i in diff):
        return k
    return None


WRITER = textwrap.dedent("""
    import json, os, random, sys, time
    sys.path.insert(0, {repo!r})
    from test_soak import version
    path, log, until, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    k = 1
    patterns = ["in_place", "chunks", "temp_rename", "vim", "delete_create"]
    with open(log, "a") as out:
        while time.monotonic() < until:
            time.sleep(rnd.uniform(0.2, 1.2))
            k += 1
            data = version(k)
            pattern = rnd.choice(patterns)
            start = time.monotonic()
            if pattern == "in_place":
                with open(path, "r+b") as f:
                    f.write(data); f.truncate()
            elif pattern == "chunks":
                with open(path, "r+b") as f:
                    f.truncate(0)
                    cuts = sorted(rnd.sample(range(1, len(data)), 3))
                    for a, b in zip([0] + cuts, cuts + [len(data)]):
                        f.write(data[a:b]); f.flush()
                        time.sleep(rnd.uniform(0, 1.0))
            elif pattern == "temp_rename":
                tmp = path + ".new"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            elif pattern == "vim":
                backup = path + "~"
                os.rename(path, backup)
                with open(path, "wb") as f:
                    f.write(data)
                os.unlink(backup)
            else:
                os.unlink(path)
                with open(path, "wb") as f:
                    f.write(data)
            out.write(json.dumps({{"k": k, "pattern": pattern, "start": start, "end": time.monotonic()}}) + "\\n")
            out.flush()
""")

SITE = textwrap.dedent("""
    # tasktui's own writes, logged as they happen (soak test instrumentation)
    import base64, json, os, time
    LOG = os.environ["TASKTUI_SOAK_LOG"]

    def _log(record):
        with open(LOG, "a") as out:
            out.write(json.dumps(record) + "\\n")

    import threading
    from tasktui.storage import private, store
    _write = store.atomic_write
    _exchange, _replace = private.exchange, os.replace
    _landing = threading.local()  # when this thread's write put its bytes at the path

    # the bytes land at the swap (or the rename): the time just before it is when they
    # landed; the time atomic_write returns can come after a program that opened the
    # new file has written its next version into it, which is no loss
    def exchange(a, b):
        if getattr(_landing, "t", None) is None:
            _landing.t = time.monotonic()
        return _exchange(a, b)

    def replace(a, b, *args, **kwargs):
        if getattr(_landing, "t", None) is None and getattr(_landing, "writing", False):
            _landing.t = time.monotonic()
        return _replace(a, b, *args, **kwargs)

    def atomic_write(path, data, *args, **kwargs):
        _landing.t, _landing.writing = None, True
        try:
            snap = _write(path, data, *args, **kwargs)
        finally:
            _landing.writing = False
        t = _landing.t if _landing.t is not None else time.monotonic()
        _log({"pid": os.getpid(), "t": t, "data": base64.b64encode(bytes(data)).decode()})
        return snap

    private.exchange = exchange
    os.replace = replace
    store.atomic_write = atomic_write
    if os.environ.get("TASKTUI_SOAK_APP"):
        from tasktui.ui.app import TaskTuiApp
        _notify = TaskTuiApp.notify

        def notify(self, message, **kwargs):
            _log({"notice": str(message), "title": kwargs.get("title", ""), "t": time.monotonic(), "pid": os.getpid()})
            return _notify(self, message, **kwargs)

        TaskTuiApp.notify = notify
""")


def marks(data: bytes) -> list[bytes]:
    """The checkbox mark of each task, in file order."""
    return [line[3:4] for line in data.split(b"\n") if line.startswith(b"- [")]


@dataclass(frozen=True)
class Loss:
    line: int  # 1-based line of the mark the app changed
    version: int  # the outside version the app's edit was made on
    at: float  # when another program's version put the mark back
    seen_for: float  # how long the mark stayed so before another program changed it


def overwritten(versions: list[tuple[float, str, bytes]]) -> list[Loss]:
    """The app's edits (one per write) that another program overwrote, by the three-way
    rule, from every version in the order it landed: a mark the app changed is lost when
    the next version by another program that differs there has the mark the app replaced,
    and the app did not change it again first."""
    out = []
    first_task = version(1).split(b"\n").index(b"- [ ] task 00 of version 1")
    for i, (t, kind, data) in enumerate(versions):
        if kind != "app":
            continue
        before = marks(versions[i - 1][2]) if i else marks(version(1))
        now = marks(data)
        losses = []
        for p in (p for p in range(len(now)) if now[p] != before[p]):
            for j in range(i + 1, len(versions)):
                t2, kind2, data2 = versions[j]
                mark = marks(data2)[p]
                if kind2 == "app":
                    if mark != now[p]:
                        break  # the app changed it again: superseded
                    continue
                if mark == before[p]:
                    losses.append(Loss(first_task + p + 1, base_version(data) or 0, t2, _lasted(versions, j, p)))
                    break
                if mark != now[p]:
                    break
        if losses:
            out.append(min(losses, key=lambda loss: loss.at))
    return out


def _lasted(versions: list[tuple[float, str, bytes]], j: int, p: int) -> float:
    """How long the mark ``p`` of version ``j`` stayed before another program changed it
    (forever when the app wrote first: it takes in the file before it writes)."""
    mark = marks(versions[j][2])[p]
    for t, kind, data in versions[j + 1:]:
        if kind == "app":
            return float("inf")
        if marks(data)[p] != mark:
            return t - versions[j][0]
    return float("inf")


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_writers_and_tasktui_race_without_losing_bytes(tmp_path, request):
    import base64

    seconds = float(request.config.getoption("--soak-seconds"))
    work = tmp_path / "work"
    work.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITE)
    path = work / "tasks.md"
    path.write_bytes(version(1))
    tasktui_log = tmp_path / "tasktui.jsonl"
    writer_log = tmp_path / "writers.jsonl"
    env_site = f"{site}:{REPO}"
    until = time.monotonic() + seconds
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO / "tests")), str(path),
                               str(writer_log), str(until), "7"])
    # the app, in a real terminal, pressing space on random rows
    app = TmuxProgram(tmp_path / "home", work, [str(path)], size=(100, 30),
                      env={"PYTHONPATH": env_site, "TASKTUI_SOAK_LOG": str(tasktui_log), "TASKTUI_SOAK_APP": "1"})
    cli_results: list[tuple[int, str, str]] = []

    def cli_loop() -> None:
        rnd = random.Random(11)
        env = {**_env(tmp_path / "home"), "PYTHONPATH": env_site, "TASKTUI_SOAK_LOG": str(tasktui_log)}
        while time.monotonic() < until:
            line = 5 + rnd.randrange(TASKS)
            done = subprocess.run([sys.executable, "-m", "tasktui", "toggle", str(path), f"L{line}", "--json",
                                   "--no-sync"], capture_output=True, text=True, env=env, timeout=60)
            cli_results.append((done.returncode, done.stdout, done.stderr))
            time.sleep(rnd.uniform(0.05, 0.4))

    clis = threading.Thread(target=cli_loop)
    try:
        app.wait_screen(lambda s: "task 00" in s, "the app to show the file")
        clis.start()
        rnd = random.Random(5)
        while time.monotonic() < until:
            app.keys(*(["j"] * rnd.randrange(4)), "Space")
            time.sleep(rnd.uniform(0.1, 0.6))
        clis.join()
        writer.wait(30)
        last = max([1] + [r["k"] for r in read_log(writer_log)])
        app.wait_screen(lambda s: re.search(rf"of version {last}\b", s), f"the app to show the last outside version {last}")
        assert app.quit() == "0"
    finally:
        app.close()
        if writer.poll() is None:
            writer.kill()

    outside = read_log(writer_log)
    logged = read_log(tasktui_log)
    writes = [r for r in logged if "data" in r]
    notices = [r for r in logged if "notice" in r]
    completed = sorted((r["end"], r["k"]) for r in outside)
    problems = []
    for w in writes:
        data = base64.b64decode(w["data"])
        k = base_version(data)
        if k is None:
            problems.append(f"a tasktui write is not one complete outside version: {data[:80]!r}")
            continue
        newer = [j for end, j in completed if end < w["t"] and j > k]
        if newer:
            problems.append(f"a tasktui write based on version {k} landed after version {newer[-1]} was complete")
    final = path.read_bytes()
    last = max([1] + [r["k"] for r in outside])
    if base_version(final) != last:
        problems.append(f"the final file is not the last outside version {last}: {final[:80]!r}")
    else:
        after_last = [base64.b64decode(w["data"]) for w in writes if w["t"] > completed[-1][0]] if completed else []
        if after_last and final != after_last[-1]:
            problems.append("the final file is not the last tasktui write after the last outside version")
        if not after_last and final != version(last):
            problems.append("the final file differs from the last outside version, with no tasktui write after it")
    for code, out, err in cli_results:
        if code == 0:
            json.loads(out)
        elif code != 1 or len(err.strip().splitlines()) > 2 or "Traceback" in err:
            problems.append(f"a CLI toggle ended with {code}: {err.strip()[:200]}")
    # "Change lost" is said for an app edit whose bytes another program's version put back
    # to what the edit replaced (the three-way rule): never for one that was not, and for
    # each one whose loss stayed on disk long enough for the app to see it, well before
    # the end; an edit the app itself changed again since is no loss
    app_pid = next((n["pid"] for n in notices), None)
    app_writes = [w for w in writes if w["pid"] == app_pid]
    lost = [n for n in notices if n["title"] == "Change lost"]
    end = time.monotonic()
    versions = sorted([(r["end"], "outside", version(r["k"])) for r in outside]
                      + [(w["t"], "app" if w["pid"] == app_pid else "cli", base64.b64decode(w["data"])) for w in writes])
    losses = overwritten(versions)
    must = [loss for loss in losses if loss.seen_for >= 1.0 and loss.at < end - 4]
    said = {m.group(1, 2) for n in lost if (m := re.search(r"L(\d+) task \d+ of version (\d+)", n["notice"]))}
    false_alarms = said - {(str(loss.line), str(loss.version)) for loss in losses}
    if false_alarms or not (len(must) <= len(lost) <= len(losses)):
        problems.append(f"{len(lost)} 'Change lost' notices for {len(must)} to {len(losses)} app edits overwritten "
                        f"({len(app_writes)} app writes); said for no loss: {sorted(false_alarms)[:5]}")
    replanned = sum(1 for code, out, _ in cli_results if code == 0 and json.loads(out).get("replanned"))
    refused = sum(1 for code, _, _ in cli_results if code == 1)
    patterns = {r["pattern"] for r in outside}
    by_pattern = ", ".join(f"{p} {sum(1 for r in outside if r['pattern'] == p)}" for p in sorted(patterns))
    print(f"\nsoak {seconds:g} s: {len(outside)} outside versions ({by_pattern}); "
          f"{len(writes)} tasktui writes; {len(cli_results)} CLI toggles ({replanned} re-planned, {refused} refused); "
          f"{len(lost)} 'Change lost' notices in the app ({len(must)} to {len(losses)} app edits overwritten)")
    for reason in sorted({err.strip().splitlines()[-1] for code, _, err in cli_results if code == 1}):
        print(f"  refused: {reason}")
    assert not problems, "\n".join(problems[:10])
    assert len(outside) >= seconds / 3 and len(writes) >= seconds / 3 and app_writes, "the race ran"


def _env(home: Path) -> dict:
    import os

    return {**os.environ, "TASKTUI_CONFIG": str(home / "config.toml"), "TASKTUI_STATE_DIR": str(home / "state"),
            "XDG_RUNTIME_DIR": str(home / "runtime"), "XDG_CACHE_HOME": str(home / "cache")}
