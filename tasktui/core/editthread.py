"""The app's one edit thread, without Textual.

Every read and write of the open file runs here, one at a time, in the order it
was asked for: a key's handler only queues its edit, and each edit is planned on
the result of the one before. ``submit`` queues work and counts it as pending
until ``finish`` has handed its result (or its error, one of EDIT_ERRORS) to the
caller's ``done`` on the event loop; quitting ``drain``s what is pending, so no
edit asked for is dropped. Keeping the document for the next open runs on a
second thread beside it (``keep``): the first key after loading never waits for
it."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from tasktui.core.session import EDIT_ERRORS

Done = Callable[[Any, "BaseException | None"], None]
"""``done(result, None)`` when the work returned, ``done(None, error)`` when it raised one of EDIT_ERRORS."""


class EditThread:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-edit")
        self._keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-keep")
        self._pending: list[Future] = []  # queued here and not yet handed to its ``done``

    def submit(self, call: Callable[[], Any]) -> Future:
        """Queue ``call`` behind everything queued before it; pending until ``finish``."""
        future = self._executor.submit(call)
        self._pending.append(future)
        return future

    async def finish(self, future: Future, done: Done) -> None:
        """Wait for ``future`` (on the event loop) and hand its outcome to ``done``."""
        try:
            try:
                result = await asyncio.wrap_future(future)
            except EDIT_ERRORS as exc:
                done(None, exc)
            else:
                done(result, None)
        finally:
            self._pending.remove(future)

    async def run(self, call: Callable[[], Any]) -> Any:
        """``call``'s result, run in turn after what is queued (not counted as an edit)."""
        return await asyncio.wrap_future(self._executor.submit(call))

    def keep(self, call: Callable[..., Any], *args: Any) -> None:
        """Run ``call(*args)`` on the keeping thread (what is kept for the next open)."""
        self._keeper.submit(call, *args)

    def pending(self) -> int:
        """How many edits (or other work on the file) are queued or running here, or done
        and not yet handed to their ``done``."""
        return len(self._pending)

    def unfinished(self) -> int:
        """How many of them are still queued or running."""
        return sum(1 for f in self._pending if not f.done())

    async def drain(self) -> None:
        """Wait until everything queued so far has run (each failure was said by its ``done``)."""
        waited = [asyncio.wrap_future(f) for f in self._pending if not f.done()]
        if waited:
            await asyncio.wait(waited)
        for w in waited:
            w.exception()

    def shutdown(self) -> None:
        """Let the queued work run to its end, then stop both threads."""
        self._executor.shutdown(wait=True)
        self._keeper.shutdown(wait=True)
