"""Loading big files fast: the top of the file first, the rest in parallel.

The cut proposals of tasktui.doc.parse split the file into chunks that parse
independently. ``parse_head`` parses just enough chunks from the top for the
first screen; ``parse_rest`` parses the remaining chunks in worker processes
(markdown-it-py is pure Python: processes use both cores and leave the app's
own process free to answer keys). Every chunk is still confirmed exactly as in
``parse_chunks``: a chunk whose end is not a real cut is merged with the next
one and parsed again, so the result equals a whole-file parse.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading

from tasktui.doc.parse import ChunkResult, chunk_key, cut_points, iter_chunks, parse_one
from tasktui.doc.source import Source

Chunk = tuple[int, int, ChunkResult]

# Below this many lines a file is parsed in the calling thread: starting worker
# processes costs more than it saves.
PARALLEL_MIN_LINES = 30_000


def parse_head(lines, cuts: list[int], cache: dict | None, min_lines: int = 300) -> tuple[list[Chunk], int]:
    """Chunks from the top until ``min_lines`` lines are parsed; returns (chunks, index into cuts of the next start)."""
    chunks: list[Chunk] = []
    for chunk in iter_chunks(lines, cuts, cache):
        chunks.append(chunk)
        if chunk[1] >= min_lines:
            break
    k = cuts.index(chunks[-1][1]) + 1 if chunks else 0
    return chunks, k


HEAD_BYTES = 16 * 1024  # ~400 lines of the template: more than the tallest screen's rows


def parse_head_bytes(data: bytes, cache: dict | None = None) -> tuple[Source, list[Chunk]] | None:
    """For a big file: a Source of its first ~16 KB (more than a screenful of tasks) and the chunks of it that are
    confirmed (complete), to show the top of the file while the rest loads.
    None when the file is small enough to load whole at once."""
    if len(data) <= 2 * HEAD_BYTES:
        return None
    cut = max(data.rfind(b"\n", 0, HEAD_BYTES), data.rfind(b"\r", 0, HEAD_BYTES))
    if cut <= 0:
        return None
    src = Source(data[: cut + 1])
    lines = src.lines
    n = len(lines)
    chunks: list[Chunk] = []
    cuts = cut_points(lines)
    start = 0
    for end in cuts[:-1]:  # the last piece runs into the part not read here: leave it out
        result = parse_one(lines, start, end, cache)
        if result is not None:
            chunks.append((start, end, result))
            start = end
    return (src, chunks) if chunks and n else None


def chunk_keys(lines, chunks: list[Chunk]) -> list[bytes]:
    """The cache keys of ``chunks`` (as parse_one makes them)."""
    n = len(lines)
    return [chunk_key("\n".join(lines[a:min(b, n)]), lines[b] if b < n else None) for a, b, _res in chunks]


def parse_all(lines, cache: dict | None = None, *, workers: int | None = None, progress=None) -> list[Chunk]:
    """Every chunk of ``lines``, from ``cache`` where it knows them, the rest parsed
    (a big file in worker processes): equal to parse_chunks."""
    if not lines:
        return []
    return parse_rest(lines, cut_points(lines), 0, cache, workers=workers, progress=progress)


def close_process(proc: subprocess.Popen) -> None:
    """End a worker fed through its stdin: close the pipe, wait up to 5 s, then kill it."""
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _run_workers(jobs, workers: int, results: dict, progress) -> None:
    """Hand the jobs to ``workers`` processes running tasktui.core._parse_worker."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tasktui.core._parse_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    queue = list(reversed(jobs))
    lock = threading.Lock()
    finished = [0]
    failed: list[BaseException] = []

    def feed(proc) -> None:
        try:
            while True:
                with lock:
                    if not queue or failed:
                        return
                    batch, piece, local = queue.pop()
                data = pickle.dumps((piece, local), protocol=pickle.HIGHEST_PROTOCOL)
                proc.stdin.write(len(data).to_bytes(8, "big") + data)
                proc.stdin.flush()
                header = proc.stdout.read(8)
                if len(header) < 8:
                    raise OSError("a parse worker stopped")
                parsed = pickle.loads(proc.stdout.read(int.from_bytes(header, "big")))
                with lock:
                    for rng, res in zip(batch, parsed):
                        results[rng] = res
                    finished[0] += 1
                    done = finished[0]
                if progress:
                    progress(done / len(jobs))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            with lock:
                failed.append(exc)

    threads = [threading.Thread(target=feed, args=(p,), daemon=True) for p in procs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for p in procs:
            close_process(p)
    if failed:
        raise OSError(str(failed[0]))


def parse_rest(lines, cuts: list[int], k: int, cache: dict | None, *, workers: int | None = None,
               progress=None) -> list[Chunk]:
    """Chunks from cuts[k-1] (or 0) to the end. ``progress(fraction)`` is called as batches finish."""
    n = len(lines)
    start = cuts[k - 1] if k > 0 else 0
    if start >= n:
        return []
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if n - start < PARALLEL_MIN_LINES or workers < 2:
        chunks = list(iter_chunks(lines, cuts, cache, start, k))
        if progress:
            progress(1.0)
        return chunks
    # ranges between consecutive proposals; each is confirmed where it is parsed.
    # Ranges the cache knows are not sent to the workers.
    bounds = [start] + cuts[k:]
    ranges = list(zip(bounds, bounds[1:]))
    results: dict[tuple[int, int], ChunkResult | None] = {}
    todo = []
    for a, b in ranges:
        known = cache.get(chunk_key("\n".join(lines[a:b]), lines[b] if b < n else None)) if cache is not None else None
        if known is not None:
            results[(a, b)] = known
        else:
            todo.append((a, b))
    if len(todo) * 4 < len(ranges) or sum(b - a for a, b in todo) < PARALLEL_MIN_LINES:
        todo = []  # little left to parse: in this thread, below
    per_batch = max(1, len(todo) // (workers * 4))
    batches = [todo[i:i + per_batch] for i in range(0, len(todo), per_batch)]
    jobs = []
    for batch in batches:
        lo, hi = batch[0][0], batch[-1][1]
        piece = list(lines[lo:min(hi + 1, n)])
        local = [(a - lo, b - lo) for a, b in batch]
        if hi >= n:
            local[-1] = (local[-1][0], len(piece))  # runs to the end of the file: nothing to confirm
        jobs.append((batch, piece, local))
    try:
        if jobs:
            _run_workers(jobs, workers, results, progress)
    except OSError:
        pass  # no worker processes here: what is left is parsed in this thread below
    if progress and len(results) < len(ranges):
        progress(1.0)
    chunks: list[Chunk] = []
    i = 0
    while i < len(ranges):
        a, b = ranges[i]
        if (a, b) in results:
            res = results[(a, b)]
            if res is not None and cache is not None:
                cache[chunk_key("\n".join(lines[a:b]), lines[b] if b < n else None)] = res
        else:
            res = parse_one(lines, a, b, cache)
        j = i
        while res is None:
            # not a real cut: merge with the next range and parse here, as parse_chunks does
            j += 1
            b = ranges[j][1] if j < len(ranges) else n
            res = parse_one(lines, a, b, cache)
        chunks.append((a, b, res))
        i = j + 1
    return chunks
