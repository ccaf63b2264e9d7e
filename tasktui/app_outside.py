from __future__ import annotations

"""The app's side of live watching: changes made by other programs are taken in,
changed tasks flash, and our own recent edits that another program overwrote are
reported (a mixin of TaskTuiApp)."""

import asyncio
import time

from textual import work
from textual.message import Message

from tasktui import store
from tasktui.doc import edits
from tasktui.doc.model import Document
from tasktui.watch import FileEvent
from tasktui.widgets.task_tree import TaskTree


class FileChangedOnDisk(Message):
    """The watcher saw the file change (content, existence or writability)."""

    def __init__(self, event: FileEvent) -> None:
        super().__init__()
        self.event = event


class OutsideChangesMixin:
    def on_file_changed_on_disk(self, message: FileChangedOnDisk) -> None:
        self._take_outside_change(message.event)

    @work(group="edits")
    async def _take_outside_change(self, event: FileEvent) -> None:
        tf = self.tasks_file
        if tf is None:
            return

        def take():
            # the event only says "look again": read what is on disk now, after any
            # write of ours that was queued before this, so nothing older wins
            try:
                snap = store.read_settled(self.path)
            except store.StoreError:
                return None
            return tf.adopt(snap), store.why_read_only(self.path, snap.data)

        before = self.doc
        loop = asyncio.get_running_loop()
        taken = await loop.run_in_executor(self._executor, take) if event.snapshot is not None else None
        if taken is None:
            if not self.file_missing:
                self.file_missing = True
                self.read_only_reason = "the file was deleted or moved away; showing its last content"
                self._show(self.doc)
                self.notify(f"{self.path.name} is gone from disk. Nothing will be written until it is back.",
                            severity="warning", timeout=8)
            return
        changed, reason = taken
        was_missing, self.file_missing = self.file_missing, False
        reason = reason or ("read-only mode" if self.force_read_only else None)
        if reason != self.read_only_reason:
            if reason and not was_missing:
                self.notify(f"{self.path.name} became read-only ({reason}): edits will be refused.", severity="warning")
            elif was_missing:
                self.notify(f"{self.path.name} is back.")
            self.read_only_reason = reason
        if not changed:
            self._show(tf.doc)
            return
        doc = tf.doc
        flash = self._changed_tasks(before, doc)
        self._show(doc)
        self.tree.set_marks(flash=flash)
        if flash:
            self.set_timer(1.5, self._clear_flash)
        self._check_overwritten(doc)

    def _clear_flash(self) -> None:
        if self.is_running and self.screen.query(TaskTree):
            self.tree.set_marks(flash=set())

    @staticmethod
    def _changed_tasks(before: Document | None, after: Document) -> set[int]:
        if before is None:
            return set()
        old = {k: (t.mark, t.text) for k, t in zip(before.keys, before.tasks)}
        return {t.index for k, t in zip(after.keys, after.tasks) if old.get(k, (t.mark, t.text)) != (t.mark, t.text) or k not in old}

    def _remember(self, summary: str, undo: edits.Restore | None) -> None:
        if undo is None:
            return
        now = time.monotonic()
        self._recent = [r for r in self._recent if now - r[0] < 120][-20:] + [(now, summary, undo)]

    def _check_overwritten(self, doc: Document) -> None:
        """Our recent edits whose bytes are no longer in the file were overwritten by another program."""
        kept = []
        for when, summary, undo in self._recent:
            try:
                edits.plan(doc, undo)
            except edits.EditError:
                self.notify(f"Another program overwrote your change: {summary}", title="Change lost", severity="error", timeout=10)
                continue
            kept.append((when, summary, undo))
        self._recent = kept

