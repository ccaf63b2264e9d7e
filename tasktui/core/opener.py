"""Opening a tasks file, the one way: read -> what tasktui kept of it -> parse what is
left -> Document -> RollUp. The app (from its loading thread), the command line,
the overview and the MCP server all open files here; none of it needs Textual.

**Read.** ``Opener.read`` reads the file once no other program is writing it
(tasktui.storage.store).

**The head.** For a big file, ``Opener.head`` parses its first 16 KB
(tasktui.core.loader) into a partial Document, to show before the rest is read. A
list that runs past the head (a flat TODO list of a few hundred items) is cut
between its top-level items, so the head shows tasks whatever the file's shape. A
file whose document is kept needs no head up to 1 MB: it is read whole as fast.

**The whole file.** ``Opener.whole`` builds the Document of the bytes read:

1. from the kept document (tasktui.doc.kept), when the store holds one for these
   very bytes and settings that fits them: nothing is parsed;
2. else from the chunk cache and the parse of what it does not know (a big file's
   chunks in the worker pool), the head's chunks reused; the chunks parsed are
   stored before the Document is handed over, so a quick exit cannot lose them.

and then its RollUp. ``progress(fraction)`` is called as the parse goes.

**Keeping it.** ``Opener.keep(doc)`` stores the record of a complete Document under
the key of its bytes (a digest of them, the day length, the dialect the user
forced, the legend setting, the path: whatever changes what a file reads as; the store adds tasktui's
rules digest), unless that very record is kept already. Building and writing it costs
some 100 ms per 10k tasks, so callers do it where it is cheapest: the app on its edit
thread once the screen has the file, and again when it quits or is told to end
(SIGTERM, SIGHUP); a command before it exits.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tasktui.core import gcpause, loader
from tasktui.doc import kept
from tasktui.doc.durations import DEFAULT_DAY_HOURS
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source
from tasktui.storage import cache as store_cache
from tasktui.storage import store

Progress = Callable[[float], None]

KEPT_WHOLE_BYTES = 1024 * 1024
"""Up to this size (some 4k tasks), a file whose document is kept is read whole at
once, without a head shown first."""


@dataclass(frozen=True)
class Opened:
    """A whole file, read and built."""

    snapshot: store.Snapshot
    doc: Document
    rollup: RollUp
    from_kept: bool  # built from the kept document (nothing parsed)


class Opener:
    """Opens the file at ``path`` with the settings that change how it reads:
    ``day_hours`` (what ``2d`` means), ``dialect`` (what the user says the file is;
    None: its evidence decides) and ``legend`` (False: the config's ``legend_off``,
    no legend read in it). Holds the file's chunk cache, which the TasksFile made of it
    goes on using for its edits."""

    def __init__(self, path: str | Path, *, day_hours: float = DEFAULT_DAY_HOURS, dialect: str | None = None,
                 legend: bool = True) -> None:
        self.path = Path(path)
        self.day_hours = day_hours
        self.dialect = dialect
        self.legend = legend
        self.cache: dict = {}  # chunk key -> result: the head's, then the store's (whole)
        self._kept: str | None = None  # the key of the record this process last kept or found
        self._key: tuple[bytes, str] | None = None  # the last bytes asked about, and their key
        self._lock = threading.Lock()  # keep() from the edit thread and from a signal's exit alike

    def read(self, *, wait: bool = True, on_wait=None) -> store.Snapshot:
        """The file's bytes, once no other program is writing it (``wait=False``:
        store.Busy at once instead). StoreError with one sentence when it cannot be read."""
        return store.read_quiet(self.path, wait=wait, on_wait=on_wait)

    def document(self, source: Source, chunks: list) -> Document:
        """A Document of this file made of parsed ``chunks`` (the loader's)."""
        return Document(source, chunks=chunks, day_hours=self.day_hours, path=str(self.path), dialect=self.dialect,
                        legend=self.legend)

    def head(self, snapshot: store.Snapshot) -> Document | None:
        """The top of a big file as a partial Document; its chunks are remembered for
        ``whole``. None for a file small enough to read whole at once, and for one up to
        KEPT_WHOLE_BYTES whose document is kept: reading that whole (some 50 ms a MB)
        costs about what parsing its head and showing it twice would."""
        data = snapshot.data
        kept_here = len(data) > 2 * loader.HEAD_BYTES and store_cache.has_document(self.path, self.key(data))
        if kept_here and len(data) <= KEPT_WHOLE_BYTES:
            return None
        head = loader.parse_head_bytes(data, self.cache)
        if head is None:
            return None
        if not kept_here:
            loader.warm_for(data)  # a file to parse in the worker pool: its processes start now
        return self.document(*head)

    def key(self, data: bytes) -> str:
        """The key of the kept document of ``data`` opened with these settings."""
        if self._key is not None and self._key[0] is data:
            return self._key[1]
        h = hashlib.blake2b(digest_size=20)
        h.update(hashlib.sha256(data).digest())
        h.update(repr((kept.VERSION, float(self.day_hours), self.dialect, self.legend, str(self.path)))
                 .encode("utf-8", "surrogateescape"))
        self._key = (data, h.hexdigest())  # the head and the whole file ask for the same bytes' key
        return self._key[1]

    def whole(self, snapshot: store.Snapshot, progress: Progress | None = None) -> Opened:
        """The whole file of ``snapshot``: from its kept document when there is one that
        fits, else parsed (see the module's docstring), with its RollUp."""
        source = Source(snapshot.data)
        key = self.key(snapshot.data)
        found = store_cache.load_document(self.path, key)
        doc = None
        if found is not None:
            try:
                with gcpause.paused():  # tens of thousands of tuples that hold no cycle
                    doc = kept.document(source, found, day_hours=self.day_hours, path=str(self.path),
                                        dialect=self.dialect, legend=self.legend)
            except kept.Unfit:
                doc = None  # parsed below, and kept again
        if doc is not None:
            self._kept = key
            if progress is not None:
                progress(1.0)
            # nothing parsed: the chunks an edit parses again are added to the store's
            self.cache = store_cache.for_file(self.path, self.cache)
        else:
            known = store_cache.load(self.path)  # what earlier opens parsed
            known.update(self.cache)  # and the head, parsed for the first frame
            self.cache = known
            chunks = loader.parse_all(source.lines, known, progress=progress)
            with gcpause.paused():
                doc = self.document(source, chunks)
            store_cache.save(known, keep=loader.chunk_keys(source.lines, chunks))  # before it is handed over
        with gcpause.paused():
            rollup = RollUp(doc)
        return Opened(snapshot, doc, rollup, found is not None and self._kept == key)

    def keep(self, doc: Document) -> None:
        """Keep the record of ``doc`` (complete) for the next open of its bytes, unless it
        is kept already. Never raises."""
        if not doc.complete or not store_cache.enabled():
            return
        key = self.key(doc.source.data)
        with self._lock:
            if key == self._kept:
                return
            try:
                with gcpause.paused():
                    record = kept.record(doc)
            except ValueError:
                return  # a file tasktui cannot keep (a line of 2 GB): opened from its chunks next time
            store_cache.save_document(self.path, key, record)
            self._kept = key

