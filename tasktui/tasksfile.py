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

from tasktui import store
from tasktui.doc import edits
from tasktui.doc import patch as P
from tasktui.doc.model import Document
from tasktui.doc.source import Source


@dataclass
class EditResult:
    summary: str
    changed: bool
    replanned: bool = False
    details: dict = field(default_factory=dict)
    undo: edits.Restore | None = None


class TasksFile:
    def __init__(self, path: str | Path, *, sync: bool = True, day_hours: float = 8.0):
        self.path = Path(path)
        self.sync = sync
        self.day_hours = day_hours
        self._cache: dict = {}
        self.snapshot = store.read(self.path)
        self.doc = self._parse(self.snapshot.data)
        self.undo_stack: list[edits.Restore] = []
        self.redo_stack: list[edits.Restore] = []

    def _parse(self, data: bytes) -> Document:
        if len(self._cache) > 20000:
            self._cache.clear()
        return Document(Source(data), cache=self._cache, day_hours=self.day_hours)

    @property
    def name(self) -> str:
        return self.path.name

    def read_only_reason(self) -> str | None:
        return store.why_read_only(self.path, self.snapshot.data)

    # -- reading --------------------------------------------------------------------
    def adopt(self, snapshot: store.Snapshot) -> bool:
        """Take ``snapshot`` as the current content; True when it differs from what we had."""
        if snapshot.digest == self.snapshot.digest:
            self.snapshot = snapshot
            return False
        self.snapshot = snapshot
        self.doc = self._parse(snapshot.data)
        return True

    def reload(self) -> bool:
        return self.adopt(store.read(self.path))

    # -- editing --------------------------------------------------------------------
    def apply(self, op, *, record: bool = True) -> EditResult:
        reason = store.why_read_only(self.path, self.snapshot.data)
        if reason:
            raise store.StoreError(f"{self.name} is read-only because {reason}: nothing was written.")
        with store.locked(self.path):
            store.cleanup_stale_temps(self.path)
            current = store.read(self.path)
            replanned = self.adopt(current)
            reason = store.why_read_only(self.path, current.data)
            if reason:
                raise store.StoreError(f"{self.name} is read-only because {reason}: nothing was written.")
            before = self.doc
            plan = edits.plan(before, op)
            if not plan.patches:
                return EditResult(plan.summary, False, replanned, plan.details)
            patches = plan.patches
            after = before.patched(patches, self._cache)
            if plan.expect is not None:
                problem = plan.expect(before, after)
                if problem:
                    raise edits.EditError(f"{problem}; nothing was written")
            if self.sync and not isinstance(op, (edits.Restore, edits.Sync)) and (before.completion or before.time_lines):
                extra = edits.sync_patches(after)
                if extra:
                    patches = P.compose(patches, extra)
                    synced = after.patched(extra, self._cache)
                    problem = edits._same_tasks(after, synced)
                    if problem:
                        raise edits.EditError(f"syncing progress lines: {problem}; nothing was written")
                    after = synced
            self.snapshot = store.atomic_write(self.path, after.source.data)
            self.doc = after
        undo = edits.restore_for(before.source.data, after, patches, f"undid: {plan.summary}", anchors=True)
        if record:
            self.undo_stack.append(undo)
            self.redo_stack.clear()
        return EditResult(plan.summary, True, replanned, plan.details, undo)

    def undo(self) -> EditResult | None:
        if not self.undo_stack:
            return None
        op = self.undo_stack.pop()
        try:
            result = self.apply(op, record=False)
        except Exception:
            self.undo_stack.append(op)
            raise
        self.redo_stack.append(edits.Restore(result.undo.items, op.summary.replace("undid: ", "redid: ", 1)))
        return result

    def redo(self) -> EditResult | None:
        if not self.redo_stack:
            return None
        op = self.redo_stack.pop()
        try:
            result = self.apply(op, record=False)
        except Exception:
            self.redo_stack.append(op)
            raise
        self.undo_stack.append(edits.Restore(result.undo.items, op.summary.replace("redid: ", "undid: ", 1)))
        return result
