"""Reading a file's history (``compute``): the versions git gives (tasktui.core.history.git),
each one's tally and task matching from the cache (tasktui.core.history.cache) or
parsed (tasktui.core.history.versions), here or, for many versions, in the one
worker pool (tasktui.core.pool); then when each task was done, the velocity and
the forecast.

Reading is fast: one ``git log`` per name the file had, every blob read through
one long-lived ``git cat-file --batch`` process, and what each commit adds up
to kept in tasktui's store, so a second run parses only the current version.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from tasktui.core import pool
from tasktui.core.history.cache import HistoryCache, make_entry, rows_of, unruns, valid_rows
from tasktui.core.history.forecast import DEFAULT_WORKDAYS, forecast, velocity
from tasktui.core.history.git import Blobs, Git, Step, Walk, blob_id, committed_path, repository, walk
from tasktui.core.history.values import History, Mark, SectionTally, Tally, TaskHistory, Version
from tasktui.core.history.versions import VersionParser, advance
from tasktui.doc.durations import DEFAULT_DAY_HOURS
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp


class Stopped(Exception):
    """The caller asked ``compute`` to stop (the app is closing)."""


def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock()).astimezone().isoformat(timespec="seconds")


def compute(path: str | Path, *, data: bytes | None = None, current: Document | None = None,
            day_hours: float = DEFAULT_DAY_HOURS, dialect: str | None = None, legend: bool = True,
            workdays=DEFAULT_WORKDAYS,
            clock: Callable[[], float] = time.time, progress: Callable[[int, int], None] | None = None,
            stop: Callable[[], bool] | None = None, use_cache: bool = True) -> History:
    """The history of the tasks file at ``path`` (see tasktui.core.history).

    ``data`` is the file's content now (read from disk when not given); ``current``, its
    Document when the caller has one. ``progress(done, total)`` is called as versions
    are read; ``stop()`` returning True ends the work (Stopped). Versions that are not
    in the cache are parsed here, or, when there are PARALLEL_MIN or more of them, in
    the worker pool (tasktui.core.pool).
    Raises HistoryError, with one sentence, when the file is not in a git repository
    or git fails."""
    file = Path(path)
    if data is None:
        from tasktui.storage import store

        data = current.source.data if current is not None else store.read_quiet(file).data
    git, root, rel = repository(file)
    start = committed_path(git, rel)
    the_walk = walk(git, start) if start is not None else Walk((), (), None)
    steps = the_walk.steps
    parser = VersionParser(file.resolve(), day_hours, dialect, legend)
    cache = HistoryCache([str(root), os.fsdecode(rel), dialect, day_hours] + ([] if legend else ["legend off"])
                         if use_cache else None)
    cache.load()
    shown = _Progress(progress, len(steps))
    missing = [k for k, step in enumerate(steps) if not cache.has(step, steps[k - 1].blob if k else None)]
    if len(missing) >= PARALLEL_MIN:
        _in_workers(root, parser, steps, missing, cache, shown, stop)

    versions: list[Version] = []
    events: list[list[int]] = []  # per task lineage: the versions that marked it done
    lineage: list[int] = []
    marks: list[Mark] = []
    prev_doc: Document | None = None
    prev_rollup: RollUp | None = None
    prev_blob: str | None = None
    from_cache = 0

    def follow(m: list[int], became: list[int], mark_index: int) -> None:
        nonlocal lineage
        if not (len(m) == len(lineage) and all(i == j for i, j in enumerate(m))):
            new = []
            for j in m:
                if j >= 0:
                    new.append(lineage[j])
                else:
                    new.append(len(events))
                    events.append([])
            lineage = new
        for i in became:
            events[lineage[i]].append(mark_index)

    with Blobs(git) as blobs:
        for k, step in enumerate(steps):
            if stop is not None and stop():
                raise Stopped()
            shown(k)
            entry = cache.get(step, prev_blob, len(lineage))
            if entry is not None:
                from_cache += 1
                tally = Tally(*entry["tally"], tuple(SectionTally(*s) for s in entry["sections"]))
                m = unruns(entry["runs"], entry["n"])
                became = entry["became"]
                prev_doc = prev_rollup = None
            else:
                if prev_doc is None and prev_blob is not None:
                    prev_doc = parser.parse(blobs.read(prev_blob))
                    prev_rollup = None
                doc, rollup, m, became = advance(parser, prev_doc, prev_rollup, blobs.read(step.blob))
                entry = make_entry(step, prev_blob, doc, rollup, m, became)
                cache.put(HistoryCache.entry_key(step), entry)
                tally = Tally(*entry["tally"], tuple(SectionTally(*s) for s in entry["sections"]))
                prev_doc, prev_rollup = doc, rollup
            marks.append(Mark(step.commit, step.date))
            follow(m, became, len(marks) - 1)
            versions.append(Version(step.commit, step.date, step.path, tally))
            prev_blob = step.blob
        shown(len(steps))

        now: Version | None = None
        if prev_blob is not None and blob_id(data, len(prev_blob)) == prev_blob:
            # the file as last committed: its tasks, from a Document at hand, else from the cache
            last = cache.entries[HistoryCache.entry_key(steps[-1])]
            final = current if current is not None else prev_doc
            rows = rows_of(final) if final is not None else valid_rows(last.get("tasks"), last["n"])
            if rows is None:
                rows = rows_of(parser.parse(data))
            if last.get("tasks") != rows:
                last["tasks"] = rows  # the next run need not parse the file at all
                cache.put(HistoryCache.entry_key(steps[-1]), last)
        else:
            if prev_doc is None and prev_blob is not None:
                prev_doc = parser.parse(blobs.read(prev_blob))
                prev_rollup = None
            final, rollup, m, became = advance(parser, prev_doc, prev_rollup, data, current)
            marks.append(Mark(None, _now_iso(clock)))
            follow(m, became, len(marks) - 1)
            now = Version(None, marks[-1].date, os.fsdecode(rel), Tally.of(final, rollup))
            rows = rows_of(final)
    cache.save()

    tasks = []
    for i, (tid, text, line, legend) in enumerate(rows):
        if legend:
            continue
        ev = events[lineage[i]] if i < len(lineage) else []
        tasks.append(TaskHistory(i, tid, text, line, marks[ev[0]] if ev else None, marks[ev[-1]] if ev else None))
    today = datetime.fromtimestamp(clock()).date()
    series = [(v.day, v.tally.required, v.tally.done) for v in versions]
    if now is not None:
        series.append((today, now.tally.required, now.tally.done))
    vel = velocity(series, today, workdays)
    latest = now or (versions[-1] if versions else None)
    remaining = latest.tally.required - latest.tally.done if latest is not None else 0
    shallow = Mark(the_walk.shallow.commit, the_walk.shallow.date) if the_walk.shallow else None
    return History(file, root, tuple(versions), now, tuple(tasks), the_walk.renames, shallow, vel,
                   forecast(remaining, vel, today), from_cache)


class _Progress:
    """``progress(done, total)``, never going back."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = -1

    def __call__(self, done: int) -> None:
        if self.progress is not None and done > self.done:
            self.done = done
            self.progress(done, self.total)


def _compute_run(parser: VersionParser, blobs: Blobs, base: str | None, steps, stop=None):
    """(step, cache entry) for each of ``steps``, consecutive versions that follow the one
    with content ``base`` (None: the first version)."""
    prev_doc = parser.parse(blobs.read(base)) if base is not None else None
    prev_rollup = None
    for step in steps:
        if stop is not None and stop():
            raise Stopped()
        doc, rollup, m, became = advance(parser, prev_doc, prev_rollup, blobs.read(step.blob))
        yield step, make_entry(step, base, doc, rollup, m, became)
        prev_doc, prev_rollup, base = doc, rollup, step.blob


# ------------------------------------------------------------ worker processes
PARALLEL_MIN = 120  # versions to parse before the worker pool pays for itself


def _in_workers(root: Path, parser: VersionParser, steps, missing: list[int], cache: HistoryCache, shown: _Progress,
                stop) -> None:
    """Parse the ``missing`` versions in the worker pool (tasktui.core.pool), one
    contiguous share per worker, each starting from the version before it (parsed
    once per share); their entries go into ``cache``, and the workers' counters into
    ``shown`` as they go. A share that fails is left to the caller, which parses what
    is still missing itself."""
    count = min(pool.size(), len(missing) // (PARALLEL_MIN // 2))
    if count < 2:
        return
    shares = [missing[len(missing) * w // count:len(missing) * (w + 1) // count] for w in range(count)]
    done_before = len(steps) - len(missing)
    counters: list[pool.Progress] = []
    try:
        futures = []
        for share in shares:
            runs = []
            for k in share:
                if not runs or runs[-1][1][-1] != k - 1:
                    runs.append((steps[k - 1].blob if k else None, []))
                runs[-1][1].append(k)
            job = (str(root), parser.path, parser.day_hours, parser.dialect, parser.legend,
                   [(base, [(steps[k].commit, steps[k].path, steps[k].blob) for k in ks]) for base, ks in runs])
            pool.executor()
            counters.append(pool.Progress())
            futures.append(pool.submit(_parse_versions, job, counters[-1].slot))

        def tick() -> None:
            shown(done_before + sum(c.done for c in counters))

        for _future, entries in pool.results(futures, stop, tick=tick):
            for key, entry in entries:
                cache.put(key, entry)
            tick()
    except pool.PoolError:
        pass  # what the pool could not do is parsed here
    finally:
        for c in counters:
            c.close()
    if stop is not None and stop():
        raise Stopped()


def _parse_versions(job, slot: int | None) -> list[tuple[str, dict]]:
    """In a worker process: (cache key, entry) of each version of ``job``'s runs,
    advancing the counter ``slot`` as each is parsed."""
    root, file, day_hours, dialect, legend, runs = job
    parser = VersionParser(Path(file), day_hours, dialect, legend)
    out = []
    with Blobs(Git(Path(root), Path(file).name)) as blobs:
        for base, steps in runs:
            for step, entry in _compute_run(parser, blobs, base, [Step(c, "", p, b) for c, p, b in steps]):
                out.append((HistoryCache.entry_key(step), entry))
                pool.advance(slot)
    return out
