"""One pool of worker processes for the work that parses: the chunks of a big file
(tasktui.core.loader) and the versions of a file's history (tasktui.core.history).

markdown-it-py is pure Python, so parsing in processes uses every core and
leaves the app's own process free to answer keys. The pool is a
``concurrent.futures.ProcessPoolExecutor`` made on first use and kept for the
life of the process, of ``size()`` processes (the one CPU policy: a core
each, at most MAX_WORKERS). Its processes are started by a fork server
(``forkserver``; ``spawn`` where there is none), never by forking the app
itself: a fork of a process that runs threads (Textual's, the watcher's) can
deadlock the child. The fork server imports the parser and the program's
main module once, so each worker starts with them loaded; a main module
imported so must start nothing (``tasktui/__main__.py`` and the installed
``tasktui`` script start the program only when run).

Work is handed over as plain values and comes back as plain values; a pool
that cannot be had, or that breaks, raises ``PoolError`` and the caller does
the work itself.

No process of the pool outlives the process that made it. ``shutdown`` (run at
the interpreter's exit) ends the workers and the fork server at once. A process
that ends without it (``os._exit``, killed) cannot: each worker watches it
instead (``_watch``) and ends when it does. A worker keeps the fork server
alive (it holds the server's "alive" pipe), so once the workers are gone the
fork server ends too, and multiprocessing's resource tracker after it.
"""

from __future__ import annotations

import atexit
import os
import select
import sys
import threading
import time

MAX_WORKERS = 4
# imported once by the fork server, so that every worker starts with them: the parser, and
# the program's main module, which a worker would otherwise import for itself
_PRELOAD = ["__main__", "tasktui.doc.parse", "markdown_it", "mdit_py_plugins.front_matter"]

_executor = None  # the ProcessPoolExecutor, made on first use (its modules too: not on every command's start)
_lock = threading.Lock()
_exit_registered: list[bool] = []


class PoolError(OSError):
    """No worker process could do the work: the caller does it itself."""


def size() -> int:
    """How many worker processes there are (the one CPU policy): a core each, at most
    MAX_WORKERS. Fewer than 2 means parsing in processes does not pay."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ctx


# -- progress: counters the workers advance and the caller reads, one per running job
SLOTS = 64
_counters = None  # in the caller: the shared array; in a worker: the same array, from the initializer
_free: set[int] = set(range(SLOTS))


def _init_worker(counters, owner: int) -> None:
    """In each worker, as it starts: the progress counters, and a watch on ``owner``
    (the process that made the pool)."""
    global _counters
    _counters = counters
    threading.Thread(target=_watch, args=(owner,), name="tasktui-pool-watch", daemon=True).start()


def _watch(owner: int) -> None:
    """In a worker: end this process when ``owner`` has ended. A worker is the fork
    server's child, not its owner's, and blocks reading a queue whose other end it
    holds itself: nothing else tells it that no one will hand it work again."""
    try:
        handle = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(0)  # ended already
    except (AttributeError, OSError):  # no pidfd (not Linux, or an old kernel): ask now and then
        while _alive(owner):
            time.sleep(1.0)
        os._exit(0)
    select.select([handle], [], [])  # readable once the owner has ended
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only whether there is such a process
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # there is one (not ours to signal)
    return True


def advance(slot: int | None, by: int = 1) -> None:
    """In a worker: say that ``by`` more units of the job with ``slot`` are done."""
    if slot is not None and _counters is not None:
        _counters[slot] += by


class Progress:
    """A counter for one job (``slot``, handed to the worker function), read by the caller
    while the job runs (``done``); given back with ``close``. Without a pool it counts nothing."""

    def __init__(self) -> None:
        with _lock:
            self.slot = _free.pop() if _free and _counters is not None else None
        if self.slot is not None:
            _counters[self.slot] = 0

    @property
    def done(self) -> int:
        return _counters[self.slot] if self.slot is not None else 0

    def close(self) -> None:
        if self.slot is not None:
            with _lock:
                _free.add(self.slot)
            self.slot = None


def executor():
    """The pool (a ProcessPoolExecutor), made on first use; PoolError when it cannot be."""
    import concurrent.futures

    global _executor, _counters
    with _lock:
        if _executor is None:
            try:
                ctx = _context()
                _counters = ctx.RawArray("q", SLOTS)
                _executor = concurrent.futures.ProcessPoolExecutor(size(), mp_context=ctx, initializer=_init_worker,
                                                                   initargs=(_counters, os.getpid()))
                if not _exit_registered:
                    atexit.register(shutdown)  # ended while the interpreter is whole, not in its teardown
                    _exit_registered.append(True)
            except (OSError, ValueError) as exc:
                raise PoolError(str(exc)) from exc
        return _executor


def warm() -> None:
    """Start the worker processes now, in the background (the fork server, its imports,
    the workers), so that the first work handed over does not wait for them; never raises."""
    try:
        submit(os.getpid)
    except PoolError:
        pass  # the work will be done where it is asked for


def submit(fn, *args):
    """``fn(*args)`` in a worker process (``fn`` a module-level function, the arguments
    and result plain values), as a Future; PoolError when the pool cannot take it."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return executor().submit(fn, *args)
    except (BrokenProcessPool, RuntimeError, OSError) as exc:
        _discard()
        raise PoolError(str(exc)) from exc


def results(futures, stop=None, poll: float = 0.1, tick=None):
    """The results of ``futures`` as they come (in the order they finish), as
    (future, result). ``stop()`` returning True cancels those not started and ends the
    wait (the caller raises what it must); ``tick()`` is called every ``poll`` seconds
    while it waits (to show Progress). PoolError when a worker failed."""
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    pending = set(futures)
    try:
        while pending:
            if stop is not None and stop():
                if any(f.running() for f in pending):
                    _abandon()  # no one waits for that work: it is not waited for either (quitting stays quick)
                return
            done, pending = concurrent.futures.wait(pending, timeout=poll,
                                                    return_when=concurrent.futures.FIRST_COMPLETED)
            if tick is not None:
                tick()
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


def _abandon() -> None:
    """End the worker processes now, with the work they are doing; the next use starts
    new ones."""
    global _executor
    with _lock:
        pool, _executor = _executor, None
    if pool is not None:
        _end(pool, wait=False)  # no one waits for that work: it is not waited for either (quitting stays quick)


def _discard() -> None:
    """Forget a broken pool: the next use makes a new one."""
    global _executor
    with _lock:
        broken, _executor = _executor, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """End the worker processes and the fork server now, with any work still running
    (no one will read its result: the interpreter is exiting, or the app closing); the
    next use starts new ones."""
    global _executor
    with _lock:
        pool, _executor = _executor, None
    if pool is not None:
        _end(pool, wait=True)
    _stop_fork_server()


def _end(pool, wait: bool) -> None:
    """Stop ``pool`` taking work and end its processes (``wait``: until they have ended)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=wait, cancel_futures=True)


def _stop_fork_server() -> None:
    """End the fork server (it would wait for the next pool for as long as this
    process runs). multiprocessing keeps one per process and says how to stop it
    only to its own tests (``ForkServer._stop``): without that method, the server
    ends with this process, as before."""
    module = sys.modules.get("multiprocessing.forkserver")  # not imported: no server was started
    stop = getattr(getattr(module, "_forkserver", None), "_stop", None)
    if stop is not None:
        try:
            stop()
        except (OSError, ChildProcessError):
            pass  # ended already
