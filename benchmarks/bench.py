"""tasktui benchmarks: each target against its baseline, measured in one run on
the same machine, printed as ratios. Apps run in a real terminal (tmux); their
screens are polled with capture-pane and the file with stat.

    python benchmarks/bench.py [all|first-screen|first-edit|whole-file|toggle|reload|memory|navigate|command-line|overview] [--quick]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

from tasktui.doc.model import Document  # noqa: E402

PY = sys.executable
TASKTUI = [PY, "-m", "tasktui"]
TREE_ROW = re.compile(r"(▸|▾|\[[ xX/\-~]\])")


# a tmux server of our own: the user's sessions are left alone, and one stopping
# (when its last session closes) cannot race with the next session's start
TMUX = ["tmux", "-L", f"tasktui-bench-{os.getpid()}"]


class Term:
    """One program in a detached tmux session."""

    count = 0

    def __init__(self, command: list[str], width: int = 120, height: int = 36, env: dict | None = None) -> None:
        Term.count += 1
        self.name = f"bench{os.getpid()}_{Term.count}"
        args = [*TMUX, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height)]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        self.started = time.perf_counter()
        for attempt in range(3):  # tmux can refuse a session while it is busy starting or stopping one
            done = subprocess.run(args + ["exec " + " ".join(map(shlex_quote, command))], capture_output=True, text=True)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"tmux could not start {command[0]}: {done.stderr.strip()}")

    def screen(self) -> str:
        return subprocess.run([*TMUX, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def pid(self) -> int:
        out = subprocess.run([*TMUX, "display", "-p", "-t", self.name, "#{pane_pid}"], capture_output=True, text=True).stdout
        return int(out.strip())

    def keys(self, *keys: str) -> None:
        subprocess.run([*TMUX, "send-keys", "-t", self.name, *keys], check=True)

    def wait(self, predicate, timeout: float = 60.0, interval: float = 0.005) -> float:
        """Seconds from start until predicate(screen) holds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            text = self.screen()
            if predicate(text):
                return time.perf_counter()
            time.sleep(interval)
        raise TimeoutError(f"screen never matched; last screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*TMUX, "kill-session", "-t", self.name], capture_output=True)


class PtyApp:
    """One program on a pseudo-terminal of our own, for timing keys: a key written to
    the terminal's master side reaches the program at once (through tmux, each
    `send-keys` costs ~3 ms of process start, and its control mode crashed tmux 3.3
    here). The program's output is read and thrown away, so it never blocks."""

    def __init__(self, command: list[str], env: dict, width: int = 120, height: int = 36) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env={**os.environ, **env},
                                     preexec_fn=controlling_terminal, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk
            del self.output[:-65536]

    def press(self, key: bytes) -> None:
        os.write(self.master, key)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def shlex_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


def env_for(tmp: Path, cache: Path | None = None) -> dict:
    """Config, state and parse cache in the bench's own folder (``cache``: another cache folder)."""
    return {"TASKTUI_CONFIG": str(tmp / "config.toml"), "TASKTUI_STATE_DIR": str(tmp / "state"), "TERM": "xterm-256color",
            "XDG_CACHE_HOME": str(cache or tmp / "cache")}


def make_file(tmp: Path, shape: str, tasks: int, done: float = 0.35) -> Path:
    path = tmp / f"{shape}-{tasks}{'' if done == 0.35 else f'-done{done:g}'}.md"
    if not path.exists():
        path.write_text(generate(shape, tasks, done=done), encoding="utf-8")
    return path


def median(values) -> float:
    return statistics.median(values)


# ----------------------------------------------------------------------- first screen
def tree_shown(screen: str) -> bool:
    """The tree has rows on screen (below the two header lines)."""
    return any(TREE_ROW.search(line) for line in screen.splitlines()[2:])

def time_first_screen(command, predicate, env) -> float:
    """Seconds from starting ``command`` in tmux to ``predicate(screen)`` holding."""
    term = Term(command, env=env)
    try:
        return term.wait(predicate) - term.started
    finally:
        term.close()
        time.sleep(0.2)


def first_screen(tmp: Path, sizes, runs: int) -> list[dict]:
    """The hello world and each file start in turn, ``runs`` rounds: noise on this
    shared machine falls on all of them alike."""
    env = env_for(tmp)
    paths = [make_file(tmp, shape, n) for shape, n, _target in sizes]
    hello: list[float] = []
    ours: list[list[float]] = [[] for _ in sizes]
    for _ in range(runs):
        hello.append(time_first_screen([PY, str(HERE / "hello_app.py")], lambda s: "Hello, world" in s, env))
        for k, path in enumerate(paths):
            ours[k].append(time_first_screen(TASKTUI + [str(path)], tree_shown, env))
    base = median(hello)
    rows = [{"bench": "first screen", "case": "hello world (baseline)", "seconds": base, "ratio": 1.0}]
    for (shape, n, target), times in zip(sizes, ours):
        secs = median(times)
        rows.append({"bench": "first screen", "case": f"{shape} {n} tasks", "seconds": secs, "ratio": secs / base, "target": target})
    return rows


# ----------------------------------------------------------------------- keypress to disk
def stat_of(path: Path):
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def press_to_write(app: PtyApp, path: Path, timeout: float = 10.0) -> float:
    """Seconds from writing a space to the app's terminal to the file's stat changing (polled every 0.2 ms)."""
    before = stat_of(path)
    t0 = time.perf_counter()
    app.press(b" ")
    deadline = t0 + timeout
    while stat_of(path) == before:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no write to {path.name} seen")
        time.sleep(0.0002)
    return time.perf_counter() - t0


def until_first_write(app: PtyApp, path: Path, timeout: float = 120.0) -> None:
    """Press space until the app writes (it has loaded), then toggle back: the file is as it was."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            press_to_write(app, path, timeout=0.5)
            break
        except TimeoutError:
            if time.perf_counter() > deadline or app.proc.poll() is not None:
                raise TimeoutError(f"{path.name}: the app never wrote; its last output:\n{app.output[-2000:]!r}") from None
    time.sleep(0.5)
    press_to_write(app, path)


def time_toggles(apps, presses: int) -> list[float]:
    """Median keypress-to-disk time of each app in ``apps`` ((command, path, env)).

    The apps run side by side and take turns, one press each per round, the order
    swapped every round: a slow moment of this shared machine hits all of them
    alike instead of skewing one app's whole series."""
    running: list[PtyApp] = []
    times: list[list[float]] = [[] for _ in apps]
    try:
        for command, path, env in apps:
            app = PtyApp(command, env)
            running.append(app)
            until_first_write(app, path)
        time.sleep(1.0)  # let the warm-up's screen updates and file events settle
        for round_ in range(presses):
            order = range(len(apps)) if round_ % 2 == 0 else reversed(range(len(apps)))
            for k in order:
                times[k].append(press_to_write(running[k], apps[k][1]))
                time.sleep(0.15)
    finally:
        for app in running:
            app.close()
    return [median(t) for t in times]


def toggle(tmp: Path, sizes, presses: int) -> list[dict]:
    env = env_for(tmp)
    rows = []
    for shape, n in sizes:
        src = make_file(tmp, shape, n)
        base_file = tmp / f"base-{src.name}"
        ours_file = tmp / f"ours-{src.name}"
        shutil.copy(src, base_file)
        shutil.copy(src, ours_file)
        base, ours = time_toggles(
            [([PY, str(HERE / "toggle_app.py"), str(base_file)], base_file, env), (TASKTUI + [str(ours_file)], ours_file, env)],
            presses,
        )
        rows.append({"bench": "keypress to disk", "case": f"{shape} {n} tasks", "baseline_s": base, "seconds": ours, "ratio": ours / base, "target": 1.5})
    return rows


# ----------------------------------------------------------------------- outside change
def reload(tmp: Path, runs: int) -> list[dict]:
    env = env_for(tmp)
    path = tmp / "reload-10000.md"
    shutil.copy(make_file(tmp, "template", 10000), path)
    term = Term(TASKTUI + [str(path)], env=env)
    times = []
    try:
        term.wait(lambda s: "Loading" not in s and len(TREE_ROW.findall(s)) >= 5)
        time.sleep(1.0)
        for i in range(runs):
            data = path.read_bytes()
            doc = Document(data)
            screen = term.screen()
            # an open task whose row is on screen: flip it from outside, atomically
            target = None
            for t in doc.tasks:
                if t.state == "todo":
                    shown = re.sub(r"\*\*|`", "", t.text)[:24]
                    if f"[ ] {shown}" in screen:
                        target, needle = t, shown
                        break
            if target is None:
                raise RuntimeError("no open task on screen")
            new = data[: target.mark_offset] + b"x" + data[target.mark_offset + 1:]
            tmpf = path.with_name(".reload.tmp")
            tmpf.write_bytes(new)
            t0 = time.perf_counter()
            os.replace(tmpf, path)
            pattern = "[x] " + needle
            t1 = term.wait(lambda s: pattern in s, timeout=10, interval=0.002)
            times.append(t1 - t0)
            time.sleep(0.5)
    finally:
        term.close()
    ms = median(times)
    return [{"bench": "outside change on screen", "case": "template 10000 tasks, one line", "seconds": ms, "target_seconds": 0.3, "ratio": ms / 0.3}]


# ----------------------------------------------------------------------- memory
def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(tmp: Path, quick: bool = False) -> list[dict]:
    env = env_for(tmp)
    term = Term([PY, str(HERE / "hello_app.py")], env=env)
    try:
        term.wait(lambda s: "Hello, world" in s)
        time.sleep(0.5)
        hello = peak_rss_mb(term.pid())
    finally:
        term.close()
    rows = [{"bench": "peak RSS", "case": "hello world (baseline)", "mb": hello}]
    for tasks in (10000,) if quick else (10000, 220000):  # 220k tasks: a 50 MB file
        path = make_file(tmp, "template", tasks)
        term = Term(TASKTUI + [str(path)], env=env)
        try:
            term.wait(lambda s: "Loading" not in s and len(TREE_ROW.findall(s)) >= 5, timeout=300)
            time.sleep(1.0)
            ours = peak_rss_mb(term.pid())
        finally:
            term.close()
        size = path.stat().st_size / 1e6
        if tasks == 10000:
            rows.append({"bench": "peak RSS", "case": f"template {tasks} tasks", "mb": ours, "over_baseline_mb": ours - hello,
                         "target_over_mb": 100})
        else:
            rows.append({"bench": "peak RSS", "case": f"template {tasks} tasks ({size:.0f} MB)", "mb": ours, "target_mb": 500})
    return rows


# ----------------------------------------------------------------------- navigation on 50k
TASK_ROW = re.compile(r"\[[ xX/\-~]\] (\S+)")


def filtered_to(screen: str, word: str) -> bool:
    """Every task row of the tree (left of the detail pane) starts with ``word``, and there are some."""
    firsts = [m.group(1) for line in screen.splitlines()[2:] if (m := TASK_ROW.search(line.split("│")[0]))]
    return len(firsts) >= 3 and all(first == word for first in firsts)


def navigate(tmp: Path, runs: int) -> list[dict]:
    env = env_for(tmp)
    path = make_file(tmp, "template", 50000)
    term = Term(TASKTUI + [str(path)], env=env)
    rows = []
    try:
        term.wait(lambda s: "Loading" not in s and len(TREE_ROW.findall(s)) >= 5, timeout=180)
        time.sleep(1.0)

        def timed(keys, done) -> float:
            before = term.screen()
            t0 = time.perf_counter()
            term.keys(*keys)
            return term.wait(lambda s: s != before and done(s), timeout=10, interval=0.002) - t0

        rows.append({"bench": "50k navigation", "case": "n (next open task)", "seconds": median([timed(["n"], lambda s: True) for _ in range(runs)])})
        rows.append({"bench": "50k navigation", "case": "pagedown", "seconds": median([timed(["PageDown"], lambda s: True) for _ in range(runs)])})
        filt = []
        for word in ["Create", "Update", "Load"][:runs]:
            # the word typed at once into the empty filter: the results replace the
            # whole tree, whose rows start with other verbs until then
            term.keys("/")
            time.sleep(0.3)
            t0 = time.perf_counter()
            term.keys(word)
            t1 = term.wait(lambda s: filtered_to(s, word), timeout=10, interval=0.002)
            filt.append(t1 - t0)
            term.keys("Escape")
            time.sleep(0.5)
        rows.append({"bench": "50k navigation", "case": "filter: word typed to results", "seconds": median(filt), "target_seconds": 0.2})
    finally:
        term.close()
    return rows


# ----------------------------------------------------------------------- first edit, whole file
LONG_LIST = "long list"


def make_long_list(tmp: Path) -> Path:
    """A flat TODO list whose first (and only) list is 100 KB long: longer than the head
    the first frame is parsed from."""
    path = tmp / "long-list.md"
    if not path.exists():
        items = "".join(f"- [ ] Task number {i}: a line as long as the ones people write in such lists\n"
                        for i in range(1, 1400))
        path.write_text("# TODO\n\n" + items, encoding="utf-8")
    return path


def first_edit(tmp: Path, sizes, runs: int) -> list[dict]:
    """Launch, press space as soon as the first task rows show, until the file changes
    on disk: a plan not yet begun (every task open, the first one focused), on a first
    open (an empty parse cache) and on a later one (the cache from the open before).
    Against the hello world's first screen, interleaved."""
    hello: list[float] = []
    cold: list[list[float]] = [[] for _ in sizes]
    warm: list[list[float]] = [[] for _ in sizes]
    sources = [make_file(tmp, "template", n, done=0.0) if n != LONG_LIST else make_long_list(tmp) for n, _target in sizes]
    for r in range(runs):
        hello.append(time_first_screen([PY, str(HERE / "hello_app.py")], lambda s: "Hello, world" in s, env_for(tmp)))
        for k, src in enumerate(sources):
            path = tmp / f"edit-{src.name}"
            for kind, series in (("cold", cold), ("warm", warm)):
                cache = tmp / f"cache-{kind}-{k}-{r}" if kind == "cold" else tmp / f"cache-warm-{k}"
                path.write_bytes(src.read_bytes())
                env = env_for(tmp, cache)
                if kind == "warm" and not cache.exists():  # an earlier open kept its parse
                    subprocess.run(TASKTUI + ["status", str(path)], env={**os.environ, **env}, capture_output=True, check=True)
                series[k].append(time_to_first_edit(path, env))
    base = median(hello)
    rows = [{"bench": "first edit", "case": "hello world first screen (baseline)", "seconds": base, "ratio": 1.0}]
    for (n, target), c, w in zip(sizes, cold, warm):
        for kind, series in (("first open", c), ("later open", w)):
            secs = median(series)
            what = f"{n} tasks" if n != LONG_LIST else "a first list of 100 KB"
            rows.append({"bench": "first edit", "case": f"{what}, {kind}", "seconds": secs, "ratio": secs / base, "target": target})
    return rows


def time_to_first_edit(path: Path, env: dict) -> float:
    before = stat_of(path)
    term = Term(TASKTUI + [str(path)], env=env)
    try:
        term.wait(tree_shown)
        term.keys("Space")
        deadline = time.perf_counter() + 60
        while stat_of(path) == before:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{path.name}: no write seen; screen:\n{term.screen()}")
            time.sleep(0.0005)
        return time.perf_counter() - term.started
    finally:
        term.close()
        time.sleep(0.2)


def whole_file(tmp: Path, sizes, runs: int) -> list[dict]:
    """Launch until the whole file is loaded (the header no longer says Loading, so
    filter, totals and every row are there): a first open, a later open of the
    unchanged file, and a later open after another program changed one line."""
    hello: list[float] = []
    series: dict[tuple[int, str], list[float]] = {}
    kinds = ("first open", "later open, unchanged", "later open, one line changed")
    for r in range(runs):
        hello.append(time_first_screen([PY, str(HERE / "hello_app.py")], lambda s: "Hello, world" in s, env_for(tmp)))
        for n, _targets in sizes:
            src = make_file(tmp, "template", n)
            path = tmp / f"whole-{src.name}"
            for kind in kinds:
                cache = tmp / (f"cache-whole-cold-{n}-{r}" if kind == "first open" else f"cache-whole-{n}-{r}")
                data = src.read_bytes()
                if kind.endswith("changed"):
                    at = data.index(b"- [ ]", len(data) // 2) + 3
                    data = data[:at] + b"x" + data[at + 1:]
                path.write_bytes(data)
                env = env_for(tmp, cache)
                if kind != "first open" and not cache.exists():
                    path.write_bytes(src.read_bytes())
                    subprocess.run(TASKTUI + ["status", str(path)], env={**os.environ, **env}, capture_output=True, check=True)
                    path.write_bytes(data)
                series.setdefault((n, kind), []).append(
                    time_first_screen(TASKTUI + [str(path)], lambda s: "Loading" not in s and len(TREE_ROW.findall(s)) >= 3, env))
    base = median(hello)
    rows = [{"bench": "whole file loaded", "case": "hello world first screen (baseline)", "seconds": base, "ratio": 1.0}]
    for n, targets in sizes:
        for kind, target in zip(kinds, targets):
            secs = median(series[(n, kind)])
            rows.append({"bench": "whole file loaded", "case": f"{n} tasks, {kind}", "seconds": secs, "ratio": secs / base, "target": target})
    return rows


# ----------------------------------------------------------------------- command line
def timed_command(args: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(TASKTUI + args, env={**os.environ, **env}, capture_output=True, check=True)
    return time.perf_counter() - t0


def command_line(tmp: Path, runs: int) -> list[dict]:
    """`next --json` and `toggle` on a 50k-task file against the same on a 10-task
    file (warm parse cache, interleaved); a first `status` of the 50k-task file."""
    env = env_for(tmp, tmp / "cache-cli")
    small = tmp / "cli-10.md"
    small.write_bytes(make_file(tmp, "template", 10).read_bytes())
    big = tmp / "cli-50000.md"
    big.write_bytes(make_file(tmp, "template", 50000).read_bytes())
    first_status = []
    for r in range(runs):
        first_status.append(timed_command(["status", str(big), "--json"], env_for(tmp, tmp / f"cache-cli-cold-{r}")))
    for path in (small, big):
        timed_command(["status", str(path)], env)  # the cache is warm
    ref = {p: json.loads(subprocess.run(TASKTUI + ["next", str(p), "--json"], env={**os.environ, **env},
                                        capture_output=True, check=True, text=True).stdout) for p in (small, big)}
    times: dict[tuple[str, Path], list[float]] = {}
    for _ in range(runs):
        for path in (small, big):
            times.setdefault(("next --json", path), []).append(timed_command(["next", str(path), "--json"], env))
            line = task_line(ref[path])
            for _twice in range(2):  # toggled and back: the same file for every run
                times.setdefault(("toggle", path), []).append(timed_command(["toggle", str(path), f"L{line}"], env))
    rows = [{"bench": "command line", "case": "first status --json, 50k tasks", "seconds": median(first_status), "target_seconds": 4.5}]
    for what in ("next --json", "toggle"):
        base, ours = median(times[(what, small)]), median(times[(what, big)])
        rows.append({"bench": "command line", "case": f"{what}, 50k vs 10 tasks (warm)", "baseline_s": base, "seconds": ours,
                     "ratio": ours / base, "target": 2.0 if what == "next --json" else 3.0})
    return rows


def task_line(reply) -> int:
    task = reply["task"] if isinstance(reply, dict) and "task" in reply else reply
    if isinstance(task, list):
        task = task[0]
    return int(task["line"])


# ----------------------------------------------------------------------- overview
OVERVIEW_FILES = 50
ROW_FILLED = re.compile(r"\d+/\d+ +\S+ +\d+%")


def make_repo(tmp: Path, files: int = OVERVIEW_FILES) -> Path:
    """A git repository with ``files`` tasks files where spec workflows keep them:
    spec-kit (``specs/NNN-*/tasks.md``), Kiro (``.kiro/specs/*/tasks.md``) and the
    template (``docs/*/tasks.md``), 30 to 120 tasks each, committed ten at a time
    (so that the overview's "Changed" reads a history), but for the last ten."""
    root = tmp / "repo"
    if root.exists():
        return root
    root.mkdir(parents=True)
    git = shutil.which("git")
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    if git:
        subprocess.run([git, "init", "-q", str(root)], check=True, env=env)
    for k in range(files):
        shape, folder = [("speckit", f"specs/{k:03d}-feature"), ("kiro", f".kiro/specs/feature-{k:03d}"),
                         ("template", f"docs/area-{k:03d}")][k % 3]
        path = root / folder / "tasks.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate(shape, 30 + (k * 37) % 91, seed=k), encoding="utf-8")
        if git and k % 10 == 9 and k < files - 10:
            when = f"2026-01-{1 + k // 10:02d}T12:00:00"
            subprocess.run([git, "-C", str(root), "add", "-A"], check=True, env=env)
            subprocess.run([git, "-C", str(root), "commit", "-q", "-m", f"files to {k}"], check=True,
                           env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return root


def overview_shown(screen: str, files: int) -> bool:
    """The overview's title is up and every row on screen has its numbers (none still reading)."""
    lines = screen.splitlines()
    if not lines or f"{files} tasks files in" not in lines[0] or "reading…" in screen:
        return False
    return len([ln for ln in lines if ROW_FILLED.search(ln)]) >= min(files, 20)


def overview(tmp: Path, runs: int) -> list[dict]:
    """``tasktui DIR`` on a repository of 50 tasks files: start to the overview with
    every row on screen filled in, against the hello world, rounds interleaved. A
    first, untimed start warms the caches (the OS's, the byte code)."""
    env = env_for(tmp)
    root = make_repo(tmp)
    command = TASKTUI + [str(root)]
    time_first_screen(command, lambda s: overview_shown(s, OVERVIEW_FILES), env)  # warm
    hello: list[float] = []
    ours: list[float] = []
    for _ in range(runs):
        hello.append(time_first_screen([PY, str(HERE / "hello_app.py")], lambda s: "Hello, world" in s, env))
        ours.append(time_first_screen(command, lambda s: overview_shown(s, OVERVIEW_FILES), env))
    base, secs = median(hello), median(ours)
    return [{"bench": "overview", "case": "hello world (baseline)", "seconds": base, "ratio": 1.0},
            {"bench": "overview", "case": f"{OVERVIEW_FILES} tasks files, all read", "seconds": secs,
             "ratio": secs / base, "target": 2.0}]


# ----------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("what", nargs="?", default="all", choices=["all", "first-screen", "first-edit", "whole-file", "toggle", "reload", "memory", "navigate", "command-line", "overview"])
    ap.add_argument("--quick", action="store_true", help="fewer runs and sizes")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("benchmarks need tmux", file=sys.stderr)
        return 1
    runs = 3 if args.quick else 5
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    # byte-compile tasktui as `pip install` would: an editable checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile its source at every start
    import tasktui

    subprocess.run([PY, "-m", "compileall", "-q", str(Path(tasktui.__file__).parent)], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="tasktui-bench-"))
    subprocess.run([*TMUX, "new-session", "-d", "-s", "keep-server-up", "sleep 86400"], check=True)
    rows: list[dict] = []
    sections = {
        "first-screen": lambda: first_screen(tmp, [("template", 10000, 2.0), ("template", 50000, 4.0), ("kiro", 10000, 2.0)], runs),
        "first-edit": lambda: first_edit(tmp, [(100, 2.0), (1000, 2.0), (10000, 2.0), (LONG_LIST, 2.0)]
                                         + ([] if args.quick else [(50000, 2.0)]), runs),
        "whole-file": lambda: whole_file(tmp, [(100, (2.0, 1.5, 1.5)), (10000, (4.0, 2.0, 2.0))]
                                         + ([] if args.quick else [(50000, (20.0, 3.0, 3.0))]), runs),
        "toggle": lambda: toggle(tmp, [("template", 1000), ("template", 10000)]
                                 + ([] if args.quick else [("template", 50000), ("kiro", 10000)]),
                                 15 if args.quick else 30),
        "reload": lambda: reload(tmp, runs),
        "memory": lambda: memory(tmp, args.quick),
        "navigate": lambda: navigate(tmp, 3),
        "command-line": lambda: command_line(tmp, runs),
        "overview": lambda: overview(tmp, runs),
    }
    try:
        for name, run in sections.items():
            if args.what in ("all", name):
                try:
                    rows += run()
                except Exception as exc:  # one failing measurement must not lose the others
                    rows.append({"bench": name, "case": f"FAILED: {exc}".splitlines()[0][:60], "error": True})
                print(f"  done: {name}", file=sys.stderr, flush=True)
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
        Path(f"/tmp/tmux-{os.getuid()}/{TMUX[2]}").unlink(missing_ok=True)  # tmux's default socket folder
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"{'bench':<26} {'case':<36} {'value':>12} {'ratio':>8} {'target':>8}")
    for r in rows:
        if r.get("error"):
            print(f"{r['bench']:<26} {r['case']}")
            continue
        if "mb" in r:
            value = f"{r['mb']:.0f} MB"
            ratio = f"+{r['over_baseline_mb']:.0f} MB" if "over_baseline_mb" in r else ""
            target = f"+{r['target_over_mb']} MB" if "target_over_mb" in r else (f"{r['target_mb']} MB" if "target_mb" in r else "")
        else:
            value = f"{r['seconds'] * 1000:.0f} ms"
            ratio = f"{r['ratio']:.2f}x" if "ratio" in r else ""
            target = f"{r['target']:.1f}x" if "target" in r else (f"{r['target_seconds'] * 1000:.0f} ms" if "target_seconds" in r else "")
            if "baseline_s" in r:
                value = f"{r['seconds'] * 1000:.1f} ms"
                r_case = r["case"] + f" (base {r['baseline_s'] * 1000:.1f} ms)"
                r = {**r, "case": r_case}
        print(f"{r['bench']:<26} {r['case']:<36} {value:>12} {ratio:>8} {target:>8}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
