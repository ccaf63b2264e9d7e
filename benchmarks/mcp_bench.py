#!/usr/bin/env python3
"""Time a tool call of ``tasktui mcp`` on a 1k-task file against ``tasktui status``.

    python benchmarks/mcp_bench.py                       # 1000 tasks, spec-kit and template, 20 rounds
    python benchmarks/mcp_bench.py --tasks 10000 --rounds 10 --json out.json

For each shape a file is made by ``generate.py`` in a temporary project folder
(config, state and caches in temporary folders too). One server is started
with the MCP SDK's own client over stdio, as an agent's client starts it, and
its first call (which opens and parses the file) is left out. Then, in each
round, in turn:

- ``next_tasks`` tool: a call and its answer (the file read again, the ready
  rule, one task back), as the client sees it;
- ``status`` tool: the same for ``status`` (the command line's ``status
  --json``: every section and every top-level task, 370 KB of JSON for 1000
  spec-kit tasks); ``status check`` is the part of it the SDK's client spends
  checking that answer against the tool's output schema (jsonschema);
- ``set_state`` tool: a task set done, then back to todo the next round (the
  lock, the lease, the re-read, the write and its check);
- ``tasktui status FILE`` and ``tasktui status FILE --json``: the command as a
  new process, what an agent runs without the server (a warm parse cache: one
  untimed run first).

Medians (and the fastest and slowest round) are printed; ``--json FILE`` also
writes them. Needs the ``mcp`` extra (``pip install -e '.[mcp]'``).
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

import anyio

HERE = Path(__file__).resolve().parent
TASKTUI = Path(sys.executable).with_name("tasktui")
WHAT = ("next_tasks tool", "status tool", "status check", "set_state tool", "tasktui status", "tasktui status --json")


def generate(shape: str, tasks: int, target: Path) -> None:
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--shape", shape, "--tasks", str(tasks),
                    "-o", str(target)], check=True)


def summary(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {"median_ms": round(statistics.median(ms), 1), "min_ms": round(min(ms), 1), "max_ms": round(max(ms), 1)}


async def measure(shape: str, tasks: int, rounds: int, work: Path, env: dict) -> dict:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    root = work / shape
    (root / "specs" / "001-bench").mkdir(parents=True)
    name = "specs/001-bench/tasks.md"
    path = root / name
    generate(shape, tasks, path)
    subprocess.run([str(TASKTUI), "status", str(path)], env=env, capture_output=True, check=True)  # warm cache
    params = StdioServerParameters(command=str(TASKTUI), args=["mcp", str(root)], env=env)
    timed: dict[str, list[float]] = {what: [] for what in WHAT}
    with open(work / f"{shape}-server.err", "w") as err:
        async with Client(stdio_client(params, errlog=err), read_timeout_seconds=120) as client:
            first = await client.call_tool("status", {"file": name})  # opens and parses the file
            assert not first.is_error, first.content
            listed = await client.call_tool("list_tasks", {"file": name, "query": "state:todo"})
            ref = f"L{listed.structured_content['tasks'][0]['line']}"
            for n in range(rounds):
                start = time.perf_counter()
                result = await client.call_tool("next_tasks", {"file": name})
                timed["next_tasks tool"].append(time.perf_counter() - start)
                assert not result.is_error, result.content
                start = time.perf_counter()
                result = await client.call_tool("status", {"file": name})
                timed["status tool"].append(time.perf_counter() - start)
                assert not result.is_error, result.content
                start = time.perf_counter()
                await client.session.validate_tool_result("status", result)
                timed["status check"].append(time.perf_counter() - start)
                start = time.perf_counter()
                result = await client.call_tool("set_state", {"file": name, "refs": [ref],
                                                              "state": "done" if n % 2 == 0 else "todo"})
                timed["set_state tool"].append(time.perf_counter() - start)
                assert not result.is_error and result.structured_content["changed"], result.content
                start = time.perf_counter()
                subprocess.run([str(TASKTUI), "status", str(path)], env=env, capture_output=True, check=True)
                timed["tasktui status"].append(time.perf_counter() - start)
                start = time.perf_counter()
                subprocess.run([str(TASKTUI), "status", str(path), "--json"], env=env, capture_output=True, check=True)
                timed["tasktui status --json"].append(time.perf_counter() - start)
    return {"shape": shape, "tasks": tasks, "bytes": path.stat().st_size, "rounds": rounds,
            **{what: summary(times) for what, times in timed.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--shapes", default="speckit,template")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="tasktui-mcp-bench-") as tmp:
        work = Path(tmp)
        (work / "runtime").mkdir(mode=0o700)
        env = {**os.environ, "TASKTUI_CONFIG": str(work / "config.toml"), "TASKTUI_STATE_DIR": str(work / "state"),
               "XDG_RUNTIME_DIR": str(work / "runtime"), "XDG_CACHE_HOME": str(work / "cache")}
        for shape in args.shapes.split(","):
            result = anyio.run(measure, shape, args.tasks, args.rounds, work, env)
            results.append(result)
            print(f"{shape}, {result['tasks']} tasks ({result['bytes'] / 1000:.0f} KB), {result['rounds']} rounds:")
            for what in WHAT:
                r = result[what]
                print(f"  {what:<22} median {r['median_ms']:7.1f} ms  (min {r['min_ms']:.1f}, max {r['max_ms']:.1f})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
