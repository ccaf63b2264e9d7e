"""Where the start of the app goes: one launch of ``tasktui FILE`` in a real terminal
(tmux), with timestamps (wall and CPU) at each step, against the Textual hello world
started in the same rounds.

    python benchmarks/startup_budget.py [--tasks 100 10000] [--runs 5] [--code DIR]

Steps, each from the moment the launcher started the process:

- ``python``: the interpreter up, this script running (its own start-up);
- ``imports``: the command line and the app imported (``tasktui.cli``, ``tasktui.ui.app``);
- ``config``: the file checked, the config read, the app built;
- ``mounted``: the main screen composed and mounted (loading starts here);
- ``head``: the file read and, for a big one, its head parsed and given to the screen;
- ``first frame``: the first frame painted (the head of the file, or all of a small one);
- ``loaded``: the whole file read, parsed and built (handed to the screen);
- ``whole file``: the frame with the whole file painted.

CPU is the process's user+sys time (``time.process_time``: every thread, not the
worker processes of a first open), so a loaded machine moves it far less than wall
time. A later open has its store warmed by ``tasktui status FILE`` first; a first open
gets an empty store each round. ``--code DIR`` runs the tasktui found in DIR (another
checkout of the code, to interleave old and new). Medians of ``--runs`` rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("python", "imports", "config", "mounted", "head", "first frame", "loaded", "whole file")


def use_code() -> None:
    """Import tasktui from the checkout named by TASKTUI_BUDGET_CODE, if any: ahead of
    an editable install's finder, which would otherwise win over any sys.path entry."""
    code = os.environ.get("TASKTUI_BUDGET_CODE")
    if code:
        sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")
                            and "__editable__" not in type(f).__module__]
        sys.path.insert(0, code)


def _report(out: str, marks: dict) -> None:
    """Hand the marks to the parent whole: written beside ``out``, then renamed to it,
    so the parent never reads a half-written file."""
    Path(out + ".part").write_text(json.dumps(marks))
    os.replace(out + ".part", out)


def child(path: str, out: str, t0: float) -> None:
    """In the launched process: run the app on ``path`` as ``tasktui FILE`` does,
    writing each step's (wall since launch, CPU) to ``out``, and quit once the
    whole file is on screen."""
    marks: dict[str, tuple[float, float]] = {}

    def mark(step: str) -> None:
        marks.setdefault(step, (time.time() - t0, time.process_time()))

    mark("python")
    use_code()
    from tasktui.cli import launch
    from tasktui.ui import app as app_mod
    from tasktui.ui.screens.main import MainScreen

    mark("imports")
    App = app_mod.TaskTuiApp
    # loading starts in the main screen's begin() (in the App's, before it was a router)
    Starts = MainScreen if "begin" in vars(MainScreen) else App
    init, begin, shown = App.__init__, Starts.begin, App._show_loaded

    def timed_init(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        mark("config")

    def timed_begin(self) -> None:
        mark("mounted")  # begin() runs when the main screen is mounted
        begin(self)
        mark("head")
        self.app.call_after_refresh(mark, "first frame")

    def timed_shown(self, *args, **kwargs) -> None:
        mark("loaded")
        shown(self, *args, **kwargs)

        def painted() -> None:
            mark("whole file")
            self.exit()

        self.call_after_refresh(painted)

    App.__init__, Starts.begin, App._show_loaded = timed_init, timed_begin, timed_shown
    try:
        launch.run(Path(path))
    finally:
        _report(out, marks)


def hello(out: str, t0: float) -> None:
    """The Textual hello world, timed the same way: imports, then its first frame."""
    marks = {"python": (time.time() - t0, time.process_time())}
    from textual.app import App
    from textual.widgets import Static

    marks["imports"] = (time.time() - t0, time.process_time())

    class Hello(App):
        def compose(self):
            yield Static("Hello, world")

        def on_mount(self) -> None:
            def painted() -> None:
                marks["first frame"] = (time.time() - t0, time.process_time())
                self.exit()

            self.call_after_refresh(painted)

    Hello().run()
    _report(out, marks)


def launch(args: list[str], env: dict, timeout: float = 120.0) -> dict:
    """Run this script's child side in a tmux session; its marks."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    os.unlink(out)
    name = f"budget{os.getpid()}_{time.monotonic_ns()}"
    t0 = time.time()
    command = [sys.executable, str(Path(__file__).resolve()), *args, "--out", out, "--t0", repr(t0)]
    env_args = [x for k, v in env.items() for x in ("-e", f"{k}={v}")]
    subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", name, "-x", "120", "-y", "36", *env_args,
                    " ".join(map(_quote, command))], check=True)
    deadline = time.time() + timeout
    while not os.path.exists(out):  # (renamed into place whole: see _report)
        if time.time() > deadline:
            subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)
            raise TimeoutError(" ".join(args))
        time.sleep(0.01)
    subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)
    return json.loads(Path(out).read_text())


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


SOCKET = f"tasktui-budget-{os.getpid()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks", type=int, nargs="+", default=[100, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--code", type=Path, action="append",
                    help="a checkout of tasktui to run (default: the installed one); several take turns in each round")
    ap.add_argument("--first", action="store_true", help="first opens too (an empty store each round)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--hello", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--status", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--t0", type=float, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.hello:
        hello(a.out, a.t0)
        return 0
    if a.child:
        child(a.child, a.out, a.t0)
        return 0
    if a.status:  # `tasktui status FILE`, of the checkout asked for: what a later open finds kept
        use_code()
        from tasktui.cli import main as tasktui_main

        return tasktui_main(["status", a.status])
    sys.path.insert(0, str(HERE))
    from generate import generate

    tmp = Path(tempfile.mkdtemp(prefix="tasktui-budget-"))
    base_env = {"TASKTUI_CONFIG": str(tmp / "config.toml"), "TASKTUI_STATE_DIR": str(tmp / "state"),
                "TERM": "xterm-256color"}
    codes = a.code or [None]
    files = {}
    for n in a.tasks:
        files[n] = tmp / f"template-{n}.md"
        files[n].write_text(generate("template", n), encoding="utf-8")
    kinds = ["later"] + (["first"] if a.first else [])
    results: dict[str, list[dict]] = {}
    subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", "keep", "sleep 86400"], check=True)
    try:
        for r in range(a.runs):
            results.setdefault("hello", []).append(launch(["--hello"], base_env))
            for n, path in files.items():
                for kind in kinds:
                    for c, code in enumerate(codes):
                        cache = tmp / (f"cache-first-{n}-{r}-{c}" if kind == "first" else f"cache-later-{n}-{c}")
                        env = {**base_env, "XDG_CACHE_HOME": str(cache)}
                        if code is not None:
                            env["TASKTUI_BUDGET_CODE"] = str(code.resolve())
                        if kind == "later" and not cache.exists():
                            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--status", str(path)],
                                           env={**os.environ, **env}, capture_output=True, check=True)
                        label = f"{n} tasks, {kind} open" + (f" [{code.name}]" if len(codes) > 1 else "")
                        results.setdefault(label, []).append(launch(["--child", str(path)], env))
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; medians of {a.runs}; ms from launch (wall / CPU)")
    table = {}
    for case, runs in results.items():
        row = {}
        for step in STEPS:
            walls = [m[step][0] for m in runs if step in m]
            cpus = [m[step][1] for m in runs if step in m]
            if walls:
                row[step] = (statistics.median(walls) * 1000, statistics.median(cpus) * 1000)
        table[case] = row
        print(f"{case:<40} " + "  ".join(f"{s}: {w:.0f}/{c:.0f}" for s, (w, c) in row.items()))
    if a.json:
        a.json.write_text(json.dumps({"load": load, "table": table, "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
