"""Loading big files fast: the top of the file first, the rest in parallel.

The cut proposals of tasktui.doc.parse split the file into chunks that parse
independently. ``parse_head`` parses just enough chunks from the top for the
first screen; ``parse_rest`` parses the remaining chunks in the worker pool
(tasktui.core.pool: markdown-it-py is pure Python, so processes use every core
and leave the app's own process free to answer keys). Every chunk is still confirmed exactly as in
``parse_chunks``: a chunk whose end is not a real cut is merged with the next
one and parsed again, so the result equals a whole-file parse.
"""

from __future__ import annotations

from tasktui.core import pool
from tasktui.doc.parse import ChunkResult, cached, chunk_key, cut_points, iter_chunks, parse_one
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
HEAD_LIST_CHUNK = 8
"""In the head, a list is cut between top-level items every few lines: a file whose
first list runs past the head (a flat TODO list of hundreds of items) still shows
the items read, where the whole-file parse cuts lists only every MIN_LIST_CHUNK lines."""


def warm_for(data: bytes) -> None:
    """When ``data`` is big enough to be parsed in the worker pool, start its processes
    now (while the top of the file is parsed and shown), not when the rest is handed over."""
    if len(data) > PARALLEL_MIN_LINES * 20 and data.count(b"\n") >= PARALLEL_MIN_LINES:
        pool.warm()


def parse_head_bytes(data: bytes, cache: dict | None = None) -> tuple[Source, list[Chunk]] | None:
    """For a big file: a Source of its first ~16 KB (more than a screenful of tasks) and the chunks of it that are
    confirmed (complete), to show the top of the file while the rest loads: every top-level block
    that ends in the head, a long list's items too. None when the file is small enough to load
    whole at once."""
    if len(data) <= 2 * HEAD_BYTES:
        return None
    cut = max(data.rfind(b"\n", 0, HEAD_BYTES), data.rfind(b"\r", 0, HEAD_BYTES))
    if cut <= 0:
        return None
    src = Source(data[: cut + 1])
    lines = src.lines
    n = len(lines)
    chunks: list[Chunk] = []
    cuts = cut_points(lines, min_list=HEAD_LIST_CHUNK)
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


def _parse_batch(piece: list[str], ranges: list[tuple[int, int]]) -> list[ChunkResult | None]:
    """In a worker process: each range of ``piece`` parsed with parse_one (None where
    its cut is not confirmed)."""
    return [parse_one(piece, start, end) for start, end in ranges]


def _run_workers(jobs, results: dict, progress) -> None:
    """Hand the jobs to the worker pool (tasktui.core.pool); PoolError when it fails."""
    futures = {pool.submit(_parse_batch, piece, local): batch for batch, piece, local in jobs}
    finished = 0
    for future, parsed in pool.results(futures):
        for rng, res in zip(futures[future], parsed):
            results[rng] = res
        finished += 1
        if progress:
            progress(finished / len(jobs))


def parse_rest(lines, cuts: list[int], k: int, cache: dict | None, *, workers: int | None = None,
               progress=None) -> list[Chunk]:
    """Chunks from cuts[k-1] (or 0) to the end. ``progress(fraction)`` is called as batches finish."""
    n = len(lines)
    start = cuts[k - 1] if k > 0 else 0
    if start >= n:
        return []
    workers = workers if workers is not None else pool.size()
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
        known = cached(cache, chunk_key("\n".join(lines[a:b]), lines[b] if b < n else None), lines, a, b) \
            if cache is not None else None
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
            _run_workers(jobs, results, progress)
    except pool.PoolError:
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
