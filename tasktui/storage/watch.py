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


from tasktui.storage import store


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
        target = store.resolve(self.path)
        folder = target.parent
        wanted = {str(target), str(self.path.absolute())}

        def only_our_file(_change, changed_path: str) -> bool:
            return changed_path in wanted

        try:
            watcher = _watch([folder], only_our_file, self.debounce_ms, self.step_ms, self._stop)
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


class FolderWatcher:
    """Many files, one thread: the folders that hold them are watched (each on its
    own, not what lies below), and the files among them that changed are reported
    together, ``on_change(paths)``, after a quiet time. Nothing is read here: the
    caller reads the files (and a file being written is its business), so a save
    that rewrites a file in several steps is one report."""

    def __init__(self, paths, on_change: Callable[[list[Path]], None], *, step_ms: int = 50,
                 debounce_ms: int = 150) -> None:
        self.paths = [Path(p) for p in paths]
        self.on_change = on_change
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tasktui-watch-folders", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        names: dict[str, Path] = {}
        for p in self.paths:
            names[str(p.absolute())] = p
            try:
                names[str(store.resolve(p))] = p
            except OSError:
                pass
        folders = sorted({str(Path(n).parent) for n in names if Path(n).parent.is_dir()})
        if not folders:
            self.ready.set()
            return

        def ours(_change, changed_path: str) -> bool:
            return changed_path in names

        try:
            watcher = _watch(folders, ours, self.debounce_ms, self.step_ms, self._stop)
            for changes in watcher:
                if self._stop.is_set():
                    break
                self.ready.set()
                if changes:
                    changed = sorted({names[p] for _c, p in changes if p in names}, key=str)
                    if changed:
                        self.on_change(changed)
        except Exception:  # a folder went away, inotify ran out: stop watching quietly
            self.ready.set()


def _watch(folders, watch_filter, debounce_ms: int, step_ms: int, stop):
    """watchfiles' generator over ``folders`` (not their subfolders), as both watchers use
    it: waking every 200 ms to see ``stop``, unreadable folders passed over. Imported
    here, in the watcher's thread: not on the way to the first screen."""
    import watchfiles

    return watchfiles.watch(*folders, watch_filter=watch_filter, debounce=debounce_ms, step=step_ms,
                            stop_event=stop, recursive=False, rust_timeout=200, yield_on_timeout=True,
                            raise_interrupt=False, ignore_permission_denied=True)
