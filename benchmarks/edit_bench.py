"""The edit path without the app: TasksFile.apply (a toggle) against a bare atomic save.

    python benchmarks/edit_bench.py [--sizes 1000,10000,50000] [--presses 50] [--shape template|speckit|kiro]

For each size it times, in this process, the median from the start of
``TasksFile.apply(Toggle)`` to the rename that puts the new bytes in place (what a
key press waits for), the whole ``apply`` (with what follows the rename: the
folder's fsync, the undo entry, the fingerprint for the watcher), and the
baseline: replace the first ``[ ]`` in memory, write a temp file, fsync, rename.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

from tasktui.storage import store  # noqa: E402
from tasktui.doc import edits  # noqa: E402
from tasktui.core.tasksfile import TasksFile  # noqa: E402


def bare_save(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--presses", type=int, default=50)
    ap.add_argument("--shape", default="template", choices=["template", "speckit", "kiro"])
    args = ap.parse_args()
    store.enable_leases()
    print(f"{'tasks':>8} {'apply to rename':>16} {'whole apply':>12} {'bare save':>10}")
    with tempfile.TemporaryDirectory(prefix="tasktui-edit-bench-") as folder:
        for n in (int(x) for x in args.sizes.split(",")):
            path = Path(folder) / f"{args.shape}-{n}.md"
            path.write_text(generate(args.shape, n), encoding="utf-8")
            tf = TasksFile(path)
            gc.freeze()  # as the app does once the file is loaded
            i = len(tf.doc.tasks) // 2
            renamed: list[float] = []
            real_replace, real_exchange = os.replace, store._exchange

            def replace(src, dst):
                real_replace(src, dst)
                renamed.append(time.perf_counter())

            def exchange(a, b):  # the new file goes in by swapping it with the old one
                done = real_exchange(a, b)
                renamed.append(time.perf_counter())
                return done

            to_rename, whole = [], []
            os.replace, store._exchange = replace, exchange
            try:
                for _ in range(args.presses):
                    renamed.clear()
                    t0 = time.perf_counter()
                    tf.apply(edits.Toggle(tf.doc.keys[i]), wait=False)
                    whole.append(time.perf_counter() - t0)
                    to_rename.append(renamed[0] - t0)
            finally:
                os.replace, store._exchange = real_replace, real_exchange
            data = path.read_bytes()
            saves = []
            for k in range(args.presses):
                data = data.replace(b"[ ]", b"[x]", 1) if k % 2 == 0 else data.replace(b"[x]", b"[ ]", 1)
                t0 = time.perf_counter()
                bare_save(path, data)
                saves.append(time.perf_counter() - t0)
            ms = [statistics.median(v) * 1000 for v in (to_rename, whole, saves)]
            print(f"{n:>8} {ms[0]:>13.2f} ms {ms[1]:>9.2f} ms {ms[2]:>7.2f} ms", flush=True)
            gc.unfreeze()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
