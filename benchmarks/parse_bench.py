"""Parse benchmark: markdown-it-py on the whole file against tasktui's ways of reading it.

    python benchmarks/parse_bench.py [--sizes 1000,10000] [--shape template]

Prints seconds per step and the peak memory of holding markdown-it's token list.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

from markdown_it import MarkdownIt  # noqa: E402

from tasktui.storage import store  # noqa: E402
from tasktui.core import loader  # noqa: E402
from tasktui.doc.model import Document  # noqa: E402
from tasktui.doc.parse import parse_chunks, propose_cuts  # noqa: E402
from tasktui.doc.source import Source  # noqa: E402
from tasktui.core.tasksfile import TasksFile  # noqa: E402


def timed(fn, repeat: int = 1):
    best = None
    result = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--shape", default="template")
    ap.add_argument("--skip-full", action="store_true", help="skip markdown-it's whole-file parses (slow at 50k)")
    args = ap.parse_args()
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        text = generate(args.shape, n)
        data = text.encode("utf-8")
        row = {"tasks": n, "MB": len(data) / 1e6}
        row["read+split (Source)"], src = timed(lambda: Source(data), 3)
        row["cut scan"], _ = timed(lambda: propose_cuts(src.lines), 3)
        if not args.skip_full or n <= 10000:
            md = MarkdownIt("commonmark")
            row["markdown-it full"], _ = timed(lambda: md.parse(text))
            block = MarkdownIt("commonmark").disable(["inline", "text_join"])
            row["markdown-it block only"], _ = timed(lambda: block.parse(text))
            tracemalloc.start()
            tokens = block.parse(text)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            row["token list MB"] = peak / 1e6
            del tokens
        row["tasktui chunks, 1 process"], _ = timed(lambda: parse_chunks(src.lines))
        cuts = loader.cut_points(src.lines)
        row["tasktui chunks, 2 workers"], chunks = timed(lambda: loader.parse_rest(src.lines, cuts, 0, {}, workers=2))
        row["assemble Document"], doc = timed(lambda: Document(src, chunks=chunks))
        row["first screen (head)"], _ = timed(lambda: loader.parse_head_bytes(data, {}), 3)
        # a one-line change from outside, taken by TasksFile.adopt (what the watcher's event leads to)

        snap = store.Snapshot(Path(f"bench-{n}.md"), data, len(data), 0, 0, 0)
        task = next(t for t in doc.tasks[len(doc.tasks) // 2:] if t.mark == " ")
        changed = data[: task.mark_offset] + b"x" + data[task.mark_offset + 1:]
        cache: dict = {}
        base = Document(src, cache=cache)

        def reload_one_line():
            tf = TasksFile(snap.path, snapshot=snap, doc=base, cache=cache)
            tf.adopt(dataclasses.replace(snap, data=changed))
            return tf.doc

        row["reload, one line changed"], _ = timed(reload_one_line, 3)
        rows.append(row)
    keys = [k for k in rows[0] if k not in ("tasks", "MB")]
    print(f"{'step':<28}" + "".join(f"{r['tasks']:>10} tasks" for r in rows))
    print(f"{'(file size)':<28}" + "".join(f"{r['MB']:>13.1f} MB" for r in rows))
    for k in keys:
        cells = []
        for r in rows:
            v = r.get(k)
            cells.append(f"{'':>16}" if v is None else (f"{v:>13.1f} MB" if k.endswith("MB") else f"{v * 1000:>13.0f} ms"))
        print(f"{k:<28}" + "".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
