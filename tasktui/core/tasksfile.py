"""A tasks file on disk with its current Document: the one place edits are applied.

``TasksFile.apply(op)`` is the whole edit path for the CLI and the app alike:
under the file's lock it reads what is on disk, re-plans the edit on it when it
changed since the edit was planned (by task identity), applies the patches,
re-parses and checks that only the intended fields changed, adds the template's
progress sync to the same write, and writes atomically. It returns the inverse
edit, which the caller keeps for undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tasktui.storage import cache as store_cache, store
from tasktui.doc import edits
from tasktui.core import loader
from tasktui.doc import patch as P
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source


@dataclass(frozen=True)
class EditResult:
    summary: str
    changed: bool
    replanned: bool = False
    details: edits.Details = field(default_factory=edits.Details)
    undo: edits.Restore | None = None


class TasksFile:
    def __init__(self, path: str | Path, *, sync: bool = True, day_hours: float = 8.0,
                 snapshot: store.Snapshot | None = None, doc: Document | None = None, cache: dict | None = None,
                 waiting=None, dialect: str | None = None):
        """Open ``path`` (read once no other program is writing it; ``waiting`` is told
        while one is); or take a ``snapshot`` and its parsed ``doc`` (the app's loader).
        ``dialect``: what the user says the file is (else its evidence decides)."""
        self.path = Path(path)
        self.dialect = dialect
        self.sync = sync
        self.day_hours = day_hours
        self._cache: dict = cache if cache is not None else store_cache.load(self.path)
        self.snapshot = snapshot if snapshot is not None else store.read_quiet(self.path, on_wait=waiting)
        self.doc = doc if doc is not None else self._parse(self.snapshot.data)
        self.rollup = RollUp(self.doc)  # the numbers of self.doc: advanced with every version
        self.written = None  # called with the new Snapshot after each write (the watcher's "ours")
        self.waiting = waiting  # called with a sentence while another program is still writing the file
        self.undo_stack: list[edits.Restore] = []
        self.redo_stack: list[edits.Restore] = []

    def _parse(self, data: bytes) -> Document:
        if len(self._cache) > 20000:
            self._cache.clear()
        source = Source(data)
        return Document(source, chunks=loader.parse_all(source.lines, self._cache), day_hours=self.day_hours,
                        path=str(self.path), dialect=self.dialect)

    def save_cache(self) -> None:
        """Keep what was parsed for the next open (tasktui.storage.cache); never raises."""
        if isinstance(self._cache, store_cache.ChunkCache):
            store_cache.save(self._cache, keep=loader.chunk_keys(self.doc.source.lines, self.doc.chunks))

    @property
    def name(self) -> str:
        return self.path.name

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
        doc = self.doc.patched([P.between(self.doc.source.data, new)], self._cache)
        if doc.source.data != new:  # cannot happen; never trust a shortcut with the user's file
            doc = self._parse(new)
        self.snapshot = snapshot
        self._set(doc)
        return True

    def _set(self, doc: Document, rollup: RollUp | None = None) -> None:
        """Make ``doc`` the current version, with its RollUp (adjusted from the last one)."""
        self.rollup = rollup if rollup is not None else self.rollup.advance(doc)
        self.doc = doc

    def reload(self) -> bool:
        return self.adopt(store.read_quiet(self.path, on_wait=self.waiting))

    # -- editing --------------------------------------------------------------------
    def apply(self, op, *, record: bool = True, wait: bool = True) -> EditResult:
        """Plan ``op`` on what is on disk now, check it, and write it. Raises
        StoreError or EditError (ConflictError) with nothing written.

        With ``wait=False`` it raises store.Busy, having done nothing, instead of
        waiting for the lock or for a file that another program changed to settle:
        the caller may then run it again where waiting does no harm."""
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
            if current.data != self.snapshot.data:
                if not wait:
                    raise store.Busy(f"{self.name} changed on disk; nothing was written.")
                replanned = self.adopt(current)
            # self.doc holds current.data now; its NUL check is carried over from version to version
            reason = "it contains NUL bytes" if self.doc.source.has_nul else store.why_read_only(self.path)
            if reason:
                raise store.StoreError(f"Cannot write {self.name}: {reason}; nothing was written.")
            before = self.doc
            plan = edits.plan(before, op, self.rollup)
            if not plan.patches:
                return EditResult(plan.summary, False, replanned, plan.details)
            patches = list(plan.patches)
            after = before.patched(patches, self._cache)
            if plan.expect is not None:
                problem = plan.expect(before, after)
                if problem:
                    raise edits.EditError(f"{problem}; nothing was written")
            rollup = self.rollup.advance(after)
            if self.sync and not isinstance(op, (edits.Restore, edits.Sync, edits.Repair)) and (before.completion or before.time_lines):
                extra = edits.sync_patches(after, rollup)
                if extra:
                    patches = P.compose(patches, extra)
                    synced = after.patched(extra, self._cache)
                    problem = edits.same_tasks(after, synced)  # only the tasks it parsed again
                    if problem:
                        raise edits.EditError(f"syncing progress lines: {problem}; nothing was written")
                    after = synced.squashed()  # one step from before: what the readers of the version see
            self.snapshot = store.atomic_write(
                self.path, after.source.data, expect=(current.size, current.mtime_ns, current.inode), checked=True,
                held=held,
            )
            self._set(after, rollup if rollup.doc is after else None)  # after a sync: advanced from before's
            if self.written is not None:
                self.written(self.snapshot.digest)
        undo = edits.restore_for(before.source.data, after, patches, f"undid: {plan.summary}")
        if record:
            self.undo_stack.append(undo)
            self.redo_stack.clear()
        return EditResult(plan.summary, True, replanned, plan.details, undo)

    def undo(self) -> EditResult | None:
        return self._replay(self.undo_stack, self.redo_stack, "undid: ", "redid: ")

    def redo(self) -> EditResult | None:
        return self._replay(self.redo_stack, self.undo_stack, "redid: ", "undid: ")

    def _replay(self, source: list, target: list, said: str, opposite: str) -> EditResult | None:
        """Apply the newest Restore of ``source``; its own inverse goes onto ``target``."""
        if not source:
            return None
        op = source.pop()
        try:
            result = self.apply(op, record=False)
        except Exception:
            source.append(op)
            raise
        target.append(edits.Restore(result.undo.items, op.summary.replace(said, opposite, 1)))
        return result
