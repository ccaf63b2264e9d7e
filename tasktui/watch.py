"""Watching the tasks file for changes made by other programs. No Textual here:
the watcher runs in its own thread and calls back; the app forwards the call to
its own thread.

The folder of the file (of its target, for a symlink) is watched, filtered to
the file: watching the file itself stops working after the first save that
replaces it (vim, sed -i, git checkout). Events are merged for a short quiet
time, then the file is read only once no other program has it open for
writing (store.quiet), so a half-written file is never taken as truth; while
one does, a ``writing`` event says so, and the file is looked at again until
the writer is done. Only a change of content (by hash), of existence or of
writability is reported: a `touch` is not, and neither is a write whose
content we already know (our own).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from tasktui import store


@dataclass(frozen=True)
class FileEvent:
    snapshot: store.Snapshot | None  # None: the file is gone (deleted or moved away), or still being written
    read_only_reason: str | None
    writing: bool = False  # another program has the file open for writing: wait for the next event


class FileWatcher:
    def __init__(self, path: str | Path, on_event: Callable[[FileEvent], None], *, step_ms: int = 15,
                 debounce_ms: int = 120, settle_s: float = 0.02) -> None:
        self.path = Path(path)
        self.on_event = on_event
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.settle_s = settle_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._known: str | None = None
        self._missing = False
        self._reason: str | None = None
        self.ready = threading.Event()

    # -- control --------------------------------------------------------------------
    def start(self, known_digest: str | None, read_only_reason: str | None = None) -> None:
        self._known = known_digest
        self._reason = read_only_reason
        self._thread = threading.Thread(target=self._run, name="tasktui-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def set_known(self, digest: str) -> None:
        """Content we wrote or loaded ourselves: not a change to report."""
        with self._lock:
            self._known = digest

    # -- the thread -----------------------------------------------------------------
    def _run(self) -> None:
        import watchfiles  # here, in the watcher's thread: not on the way to the first screen

        target = store.resolve(self.path)
        folder = target.parent
        wanted = {str(target), str(self.path.absolute())}

        def only_our_file(_change, changed_path: str) -> bool:
            return changed_path in wanted

        try:
            watcher = watchfiles.watch(
                folder,
                watch_filter=only_our_file,
                debounce=self.debounce_ms,
                step=self.step_ms,
                stop_event=self._stop,
                recursive=False,
                rust_timeout=200,
                yield_on_timeout=True,
                raise_interrupt=False,
                ignore_permission_denied=True,
            )
            first = True
            for changes in watcher:
                if self._stop.is_set():
                    break
                if first:
                    # the watch is in place now: catch anything written between the
                    # app's read and this moment
                    first = False
                    self.ready.set()
                    self.check()
                elif changes:
                    self.check()
        except Exception:  # the folder went away, inotify ran out: stop watching quietly
            self.ready.set()

    def check(self) -> None:
        """Look at the file now and report what changed."""
        if store.stat_key(self.path) is None:
            with self._lock:
                if self._missing:
                    return
                self._missing = True
            self.on_event(FileEvent(None, "the file was deleted or moved away"))
            return
        snap = None
        said = False
        while snap is None and not self._stop.is_set():
            try:
                snap = store.read_quiet(self.path, timeout=0.5, settle=self.settle_s)
            except store.WriterActive:
                if not said:  # still being written: say so once, and look again until it is done
                    said = True
                    self.on_event(FileEvent(None, self._reason, writing=True))
            except store.StoreError:
                return  # vanished again: the next event will tell
        if snap is None:
            return
        reason = store.why_read_only(self.path, snap.data)
        with self._lock:
            if snap.digest == self._known and not self._missing and reason == self._reason and not said:
                return
            self._known = snap.digest
            self._missing = False
            self._reason = reason
        self.on_event(FileEvent(snap, reason))
