"""One pool of worker processes for the work that parses: the chunks of a big file
(tasktui.core.loader) and the versions of a file's history (tasktui.core.history).

markdown-it-py is pure Python, so parsing in processes uses every core and
leaves the app's own process free to answer keys. The pool is a
``concurrent.futures.ProcessPoolExecutor`` made on first use and kept for the
life of the process, of ``size()`` processes (the one CPU policy: a core
each, at most MAX_WORKERS). Its processes are started by a fork server
(``forkserver``; ``spawn`` where there is none), never by forking the app
itself: a fork of a process that runs threads (Textual's, the watcher's) can
deadlock the child. The fork server imports the parser once, so each worker
starts with it loaded; it never imports the program's ``__main__`` (and
``tasktui/__main__.py`` starts nothing when imported).

Work is handed over as plain values and comes back as plain values; a pool
that cannot be had, or that breaks, raises ``PoolError`` and the caller does
the work itself.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from concurrent.futures.process import BrokenProcessPool

MAX_WORKERS = 4
_PRELOAD = ["tasktui.doc.parse", "tasktui.doc.model", "markdown_it", "mdit_py_plugins.front_matter"]

_executor: concurrent.futures.ProcessPoolExecutor | None = None
_lock = threading.Lock()


class PoolError(OSError):
    """No worker process could do the work: the caller does it itself."""


def size() -> int:
    """How many worker processes there are (the one CPU policy): a core each, at most
    MAX_WORKERS. Fewer than 2 means parsing in processes does not pay."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _context():
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def executor() -> concurrent.futures.ProcessPoolExecutor:
    """The pool, made on first use; PoolError when it cannot be."""
    global _executor
    with _lock:
        if _executor is None:
            try:
                _executor = concurrent.futures.ProcessPoolExecutor(size(), mp_context=_context())
            except (OSError, ValueError) as exc:
                raise PoolError(str(exc)) from exc
        return _executor


def submit(fn, *args) -> concurrent.futures.Future:
    """``fn(*args)`` in a worker process (``fn`` a module-level function, the arguments
    and result plain values); PoolError when the pool cannot take it."""
    try:
        return executor().submit(fn, *args)
    except (BrokenProcessPool, RuntimeError, OSError) as exc:
        _discard()
        raise PoolError(str(exc)) from exc


def results(futures, stop=None, poll: float = 0.1):
    """The results of ``futures`` as they come (in the order they finish), as
    (future, result). ``stop()`` returning True cancels those not started and ends the
    wait (the caller raises what it must). PoolError when a worker failed."""
    pending = set(futures)
    try:
        while pending:
            if stop is not None and stop():
                return
            done, pending = concurrent.futures.wait(pending, timeout=poll,
                                                    return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                try:
                    yield future, future.result()
                except BrokenProcessPool as exc:
                    _discard()
                    raise PoolError(str(exc)) from exc
                except Exception as exc:  # noqa: BLE001 - the work failed there: the caller does it itself
                    raise PoolError(str(exc)) from exc
    finally:
        for future in pending:
            future.cancel()


def _discard() -> None:
    """Forget a broken pool: the next use makes a new one."""
    global _executor
    with _lock:
        broken, _executor = _executor, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """End the worker processes (the app, when it quits; the next use starts new ones)."""
    global _executor
    with _lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
