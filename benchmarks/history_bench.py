#!/usr/bin/env python3
"""Time ``tasktui history`` on a long history: 500 commits of a 1k-task file.

    python benchmarks/history_bench.py                 # 500 commits, 1000 tasks, 3 rounds
    python benchmarks/history_bench.py --commits 200 --tasks 10000 --rounds 1

The repository is built in a temporary folder with ``git fast-import``, from a
file made by ``generate.py`` (template shape) with every task open: each commit
marks one to three tasks done; every 4th also adds a task (the file gains a
line, so the parse cannot be patched in place); every 10th edits a task's
text; every 25th moves an added task elsewhere; halfway the file is renamed
(``tasks.md`` to ``plan/tasks.md``). Dates: one commit every 5 hours of
working days from 2026-06-01.

Each round, with an empty cache folder (``XDG_CACHE_HOME``):

- ``first``: ``tasktui history FILE --json`` as a new process (start-up
  included), nothing cached;
- ``second``: the same command again (the cache written by the first run);
- ``first_cpu``, ``second_cpu``: the CPU time (user and system) those two runs
  used, with git: what they would take on an idle machine with one core,
  whatever else the machine was doing. The worker processes of tasktui's pool
  are children of its fork server, which is not waited for: their CPU time is
  not in these figures (compare ``in process``, which parses here);
- ``startup``: ``tasktui --version``, the interpreter's and package's start;
- ``in process``: ``history.compute`` called twice in this process, once with
  an empty cache and once with the one it wrote (no start-up, no JSON).

Medians over the rounds are printed; ``--json FILE`` also writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import re
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
START = 1780300800  # 2026-06-01 08:00 UTC, a Monday


def _dates(count: int) -> list[int]:
    """Unix times: every 5 hours, skipping Saturdays and Sundays."""
    out = []
    t = START
    while len(out) < count:
        if time.gmtime(t).tm_wday < 5:
            out.append(t)
        t += 5 * 3600
    return out


def versions(tasks: int, commits: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """(path, content) of each commit, oldest first (see the module's docstring)."""
    generate = runpy.run_path(str(HERE / "generate.py"))["generate"]
    text = re.sub(r"^(\s*(?:[-*+]|\d+\.)\s+)\[[xX]\]", r"\1[ ]", generate("template", tasks, seed), flags=re.M)
    lines = text.split("\n")
    rng = random.Random(seed)
    task_re = re.compile(r"^\s*- \[([ xX])\] ")
    out = []
    path = "tasks.md"
    added: list[str] = []
    for n in range(commits):
        if n:
            open_lines = [i for i, line in enumerate(lines) if task_re.match(line) and "[ ]" in line[:12]]
            for i in rng.sample(open_lines, min(len(open_lines), rng.randint(1, 3))):
                lines[i] = lines[i].replace("[ ]", "[x]", 1)
            task_lines = [i for i, line in enumerate(lines) if task_re.match(line) and not line.startswith(" ")]
            if n % 4 == 0:
                at = rng.choice(task_lines)
                new = f"- [ ] **Follow-up {n}**: check what commit {n} left open"
                lines.insert(at, new)
                added.append(new)
            if n % 10 == 0:
                i = rng.choice([i for i, line in enumerate(lines) if task_re.match(line) and not line.startswith(" ")])
                if lines[i].endswith("**"):
                    lines[i] = lines[i][:-2] + " (revised)**"
                else:
                    lines[i] += " (revised)"
            if n % 25 == 0 and added:
                line = added[rng.randrange(len(added))]
                where = [i for i, x in enumerate(lines) if x == line]
                if where:
                    del lines[where[0]]
                    lines.insert(rng.choice([i for i, x in enumerate(lines) if task_re.match(x)
                                             and not x.startswith(" ")]), line)
            if n == commits // 2:
                path = "plan/tasks.md"
        out.append((path, "\n".join(lines).encode("utf-8")))
    return out


def build(folder: Path, tasks: int, commits: int) -> Path:
    """A git repository in ``folder`` with the history; returns the file's path."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    stream = []
    last_path = None
    for n, ((path, data), when) in enumerate(zip(versions(tasks, commits), _dates(commits)), start=1):
        msg = f"commit {n}".encode()
        stream.append(b"commit refs/heads/main\nmark :%d\n" % n)
        stream.append(b"author Bench <bench@example.com> %d +0000\n" % when)
        stream.append(b"committer Bench <bench@example.com> %d +0000\n" % when)
        stream.append(b"data %d\n%s\n" % (len(msg), msg))
        if n > 1:
            stream.append(b"from :%d\n" % (n - 1))
        if last_path is not None and last_path != path:
            stream.append(b"D %s\n" % last_path.encode())
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        last_path = path
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "-q", "main"], check=True)
    return folder / last_path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli(file: Path, env: dict, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and what it waited for: git)."""
    cpu = _children_cpu()
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tasktui", *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"tasktui {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--commits", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", metavar="FILE", help="also write the results here")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from tasktui.core import history

    results: dict[str, list[float]] = {"first": [], "second": [], "first_cpu": [], "second_cpu": [],
                                       "startup": [], "in_process_first": [], "in_process_second": []}
    with tempfile.TemporaryDirectory(prefix="tasktui-history-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        file = build(tmp / "repo", args.tasks, args.commits)
        print(f"built {args.commits} commits of a {args.tasks}-task file ({file.stat().st_size // 1024} KB) "
              f"in {time.perf_counter() - t:.1f} s")
        env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "TASKTUI_CONFIG": str(tmp / "config.toml"), "TASKTUI_STATE_DIR": str(tmp / "state")}
        for r in range(args.rounds):
            env["XDG_CACHE_HOME"] = str(tmp / f"cache-cli-{r}")
            for name in ("first", "second"):
                wall, cpu = _cli(file, env, "history", str(file), "--json")
                results[name].append(wall)
                results[f"{name}_cpu"].append(cpu)
            results["startup"].append(_cli(file, env, "--version")[0])
            os.environ["XDG_CACHE_HOME"] = str(tmp / f"cache-in-process-{r}")
            for name in ("in_process_first", "in_process_second"):
                t = time.perf_counter()
                h = history.compute(file)
                results[name].append(time.perf_counter() - t)
            assert len(h.versions) == args.commits and h.from_cache == args.commits, (len(h.versions), h.from_cache)
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(f"{'run':<20} {'median':>8}   all rounds")
    for k, v in results.items():
        print(f"{k:<20} {medians[k]:>7.2f}s   " + " ".join(f"{x:.2f}" for x in v))
    if args.json:
        Path(args.json).write_text(json.dumps({"tasks": args.tasks, "commits": args.commits, "rounds": results,
                                               "medians": medians}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
