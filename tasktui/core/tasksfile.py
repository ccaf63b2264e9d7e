"""A tasks file on disk with its current Document: the one place edits are applied.

``TasksFile.apply(op)`` is the whole edit path for every edit there is: keys and
dialogs in the app (on its one edit thread, in the order they were asked for),
undo and redo, timer bookings, the command line, and the edits made while a big
file is still loading (a TasksFile of the bytes read and the top of the file
parsed so far: ``partial``). Under the file's lock it reads what is on disk,
plans the edit on the version it knows (the named base), planning it again by
task identity when the file changed since (an edit that carries what it
expects is refused when that changed), applies the patches, re-parses and
checks that only the intended fields changed, adds the template's progress
sync to the same write, and writes atomically. It returns the inverse edit,
which the caller keeps for undo.

It also keeps the recent writes it made (tasktui.doc.written) and judges every
version another program writes against them: ``take_lost`` names the changes
of ours that such a version overwrote, each once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from tasktui.storage import cache as store_cache, store
from tasktui.doc import edits, written
from tasktui.core import loader, opener
from tasktui.doc import patch as P
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source


RECENT_SECONDS = 120  # how long a write of ours is watched for being overwritten
RECENT_COUNT = 20


@dataclass(frozen=True)
class EditResult:
    summary: str
    changed: bool
    replanned: bool = False
    details: edits.Details = field(default_factory=edits.Details)
    undo: edits.Restore | None = None
    patches: tuple[P.Patch, ...] = ()  # what was written, on the bytes of the version it was planned on
    lost: tuple[str, ...] = ()  # changes of ours that a version taken in before this edit had overwritten


class TasksFile:
    def __init__(self, path: str | Path, *, sync: bool = True, day_hours: float = 8.0,
                 snapshot: store.Snapshot | None = None, doc: Document | None = None, cache: dict | None = None,
                 rollup: RollUp | None = None, waiting=None, dialect: str | None = None, legend: bool = True,
                 by: opener.Opener | None = None):
        """Open ``path`` (tasktui.core.opener: read once no other program is writing it,
        ``waiting`` told while one is; or the bytes of ``snapshot``); or take a
        ``snapshot`` and the ``doc`` built of it (the app's loader, with its ``cache``
        and ``rollup``; or the top of a big file, while the rest loads). ``by``: the
        Opener that keeps this file's document for the next open (``save_cache``).
        ``dialect``: what the user says the file is (else its evidence decides);
        ``legend=False``: the config says not to read a legend in it."""
        self.path = Path(path)
        self.dialect = dialect
        self.legend = legend
        self.sync = sync
        self.day_hours = day_hours
        if doc is None:
            by = opener.Opener(self.path, day_hours=day_hours, dialect=dialect, legend=legend)
            opened = by.whole(snapshot if snapshot is not None else by.read(on_wait=waiting))
            snapshot, doc, rollup, cache = opened.snapshot, opened.doc, opened.rollup, by.cache
        self.opener = by
        self._cache: dict = cache if cache is not None else {}
        self.snapshot = snapshot
        # the current version and its numbers (advanced with every version), set together:
        # the UI thread reads them while the edit thread makes the next one
        self.current: tuple[Document, RollUp] = (doc, rollup if rollup is not None and rollup.doc is doc else RollUp(doc))
        self.written = None  # called with the new Snapshot after each write (the watcher's "ours")
        self.waiting = waiting  # called with a sentence while another program is still writing the file
        self.undo_stack: list[edits.Restore] = []
        self.redo_stack: list[edits.Restore] = []
        self._written: list[written.Written] = []  # our recent writes (tasktui.doc.written)
        self._lost: list[str] = []  # the summaries of those another program overwrote, not yet said

    @property
    def doc(self) -> Document:
        return self.current[0]

    @property
    def rollup(self) -> RollUp:
        return self.current[1]

    @property
    def partial(self) -> bool:
        """Whether ``doc`` is only the top of the file (read while the rest loads): an edit
        planned on it is written only while the file is still what was read."""
        return len(self.doc.source.data) < len(self.snapshot.data)

    def _parse(self, data: bytes) -> Document:
        if len(self._cache) > 20000:
            self._cache.clear()
        source = Source(data)
        return Document(source, chunks=loader.parse_all(source.lines, self._cache), day_hours=self.day_hours,
                        path=str(self.path), dialect=self.dialect, legend=self.legend)

    def save_cache(self) -> None:
        """Keep what was parsed, and the current version's document, for the next open
        (tasktui.storage.cache); never raises."""
        doc = self.doc
        if isinstance(self._cache, store_cache.ChunkCache) and self._cache.fresh():
            store_cache.save(self._cache, keep=loader.chunk_keys(doc.source.lines, doc.chunks))
        if self.opener is not None and not self.partial:
            self.opener.keep(doc)

    @property
    def name(self) -> str:
        """How messages name the file: by the path it was opened with, as the store does
        (in a repository of many tasks.md files, a bare name tells nothing)."""
        return str(self.path)

    def read_only_reason(self) -> str | None:
        return store.why_read_only(self.path, self.snapshot.data)

    # -- reading --------------------------------------------------------------------
    def adopt(self, snapshot: store.Snapshot) -> bool:
        """Take ``snapshot`` as the current content; True when it differs from what we had.

        A change confined to a few lines re-parses only the chunks it touches."""
        if snapshot.data == self.snapshot.data:
            self.snapshot = snapshot
            return False
        new = snapshot.data
        before = self.doc
        change = P.between(before.source.data, new)
        doc = before.patched([change], self._cache)
        if doc.source.data != new:  # cannot happen; never trust a shortcut with the user's file
            doc = self._parse(new)
        self.snapshot = snapshot
        self._set(doc)
        if self._written:
            self._written, lost = written.after_theirs(self._recent(), before, doc, change)
            self._lost += [record.summary for record in lost]
        return True

    def take_lost(self) -> tuple[str, ...]:
        """The changes of ours that another program's version overwrote, since last asked (each said once)."""
        lost, self._lost = tuple(self._lost), []
        return lost

    def _recent(self) -> list[written.Written]:
        now = time.monotonic()
        return [r for r in self._written if now - r.when < RECENT_SECONDS][-RECENT_COUNT:]

    def _set(self, doc: Document, rollup: RollUp | None = None) -> None:
        """Make ``doc`` the current version, with its RollUp (adjusted from the last one)."""
        self.current = (doc, rollup if rollup is not None else self.rollup.advance(doc))

    def reload(self) -> bool:
        return self.adopt(store.read_quiet(self.path, on_wait=self.waiting))

    # -- editing --------------------------------------------------------------------
    def apply(self, op, *, record: bool = True, wait: bool = True) -> EditResult:
        """Plan ``op`` on what is on disk now, check it, and write it. Raises
        StoreError or EditError (ConflictError) with nothing written.

        With ``wait=False`` it raises store.Busy, having done nothing, instead of
        waiting for the lock or for a file that another program changed to settle:
        the caller may then run it again where waiting does no harm. A ``partial``
        file always works so: an edit of the top of the file is written only on the
        very bytes it was planned on."""
        wait = wait and not self.partial
        for _attempt in range(5):
            try:
                return self._apply_once(op, record, wait)
            except store.FileChanged:
                if not wait:
                    raise store.Busy(f"{self.name} changed on disk while saving; nothing was written.") from None
                continue  # another program wrote between our read and our rename: plan again
        raise store.StoreError(f"{self.name} kept changing while saving; nothing was written.")

    def _apply_once(self, op, record: bool, wait: bool = True) -> EditResult:
        with store.locked(self.path, timeout=10.0 if wait else 0.0), \
                store.quiet(self.path, wait=wait, on_wait=self.waiting, known=self.snapshot.data) as held:
            # held: no other program has the file open for writing, and none may start
            # unnoticed before the rename (store.quiet)
            current = held.snapshot
            replanned = False
            partial = self.partial
            if current.data != self.snapshot.data:
                if not wait:
                    raise store.Busy(f"{self.name} changed on disk; nothing was written.")
                replanned = self.adopt(current)
            # self.doc holds current.data now (its top, when partial); its NUL check is
            # carried over from version to version
            if self.doc.source.has_nul:
                reason = "it contains NUL bytes"
            else:
                reason = store.why_read_only(self.path, current.data if partial else None)
            if reason:
                raise store.StoreError(f"Cannot write {self.name}: {reason}; nothing was written.")
            before = self.doc
            plan = edits.plan(before, op, self.rollup)
            if not plan.patches:
                return EditResult(plan.summary, False, replanned, plan.details, lost=self.take_lost())
            patches = list(plan.patches)
            after = before.patched(patches, self._cache)
            if plan.expect is not None:
                problem = plan.expect(before, after)
                if problem:
                    raise edits.EditError(f"{problem}; nothing was written")
            rollup = self.rollup.advance(after)
            if self.sync and not partial and not isinstance(op, (edits.Restore, edits.Sync, edits.Repair, edits.Reformat)) \
                    and (before.completion or before.time_lines):
                extra = edits.sync_patches(after, rollup)
                if extra:
                    patches = P.compose(patches, extra)
                    synced = after.patched(extra, self._cache)
                    problem = edits.same_tasks(after, synced)  # only the tasks it parsed again
                    if problem:
                        raise edits.EditError(f"syncing progress lines: {problem}; nothing was written")
                    after = synced.squashed()  # one step from before: what the readers of the version see
            data = P.apply(current.data, patches) if partial else after.source.data
            self.snapshot = store.atomic_write(
                self.path, data, expect=(current.size, current.mtime_ns, current.inode), checked=True, held=held,
            )
            self._set(after, rollup if rollup.doc is after else None)  # after a sync: advanced from before's
            if self.written is not None:
                self.written(self.snapshot.digest)
        undo = edits.restore_for(before.source.data, after, patches, f"undid: {plan.summary}")
        self._wrote(before, after, patches, plan, undo)
        if record:
            self.undo_stack.append(undo)
            self.redo_stack.clear()
        return EditResult(plan.summary, True, replanned, plan.details, undo, tuple(patches), self.take_lost())

    def _wrote(self, before: Document, after: Document, patches: list[P.Patch], plan: edits.Plan,
               undo: edits.Restore) -> None:
        """Keep this write among our recent ones (its own bytes, not the progress lines it
        synced: those follow from the marks), judging the earlier ones on it."""
        own = set(plan.patches)
        items = [item for p, item in zip(P.normalize(patches), undo.items) if p in own]
        kept = written.after_ours(self._recent(), before, after, patches)
        self._written = kept + [written.recorded(plan.summary, items, after, time.monotonic())]

    def remember(self, summary: str, items) -> None:
        """Keep a write made by another TasksFile of this file (an edit made while it
        loaded; ``items`` anchored in this one's version) among our recent writes."""
        self._written = self._recent() + [written.recorded(summary, items, self.doc, time.monotonic())]

    def undo(self) -> EditResult | None:
        return self._replay(self.undo_stack, self.redo_stack, "undid: ", "redid: ")

    def redo(self) -> EditResult | None:
        return self._replay(self.redo_stack, self.undo_stack, "redid: ", "undid: ")

    def _replay(self, source: list, target: list, said: str, opposite: str) -> EditResult | None:
        """Apply the newest Restore of ``source``; its own inverse goes onto ``target``."""
        if not source:
            return None
        op = source.pop()
        before = self.doc
        try:
            result = self.apply(op, record=False)
        except Exception:
            source.append(op)
            raise
        target.append(edits.Restore(result.undo.items, op.summary.replace(said, opposite, 1)))
        # the toast says what was done ("undid: T000 back to [ ]"), not the edit it took back
        done = None if result.replanned else edits.replayed(before, self.doc, result.details.cursor,
                                                             back=said == "undid: ")
        return replace(result, summary=said + done) if done else result
