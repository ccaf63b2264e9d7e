"""Pausing Python's cyclic garbage collector while large acyclic structures are built.

Building the rows of a 50k-task tree or a whole Document allocates tens of
thousands of small objects. Every 700 allocations the collector runs, and a
full collection walks everything alive: 20 to 40 ms at a time, several per
build, for garbage that is not there (these structures hold no cycles, and
what they replace is freed by reference counting). ``paused()`` turns the
collector off for the build; nested and concurrent uses (the loading thread
and the UI thread) keep it off until the last one ends.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def active() -> bool:
    """Whether a pause is on now (in any thread)."""
    with _lock:
        return _depth > 0
