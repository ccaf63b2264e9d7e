"""The app's state and rules, without Textual.

A Session holds what the app knows and decides: the open TasksFile (once
loaded), why it may not be written, the version on screen (``shown``: every
edit a key asks for names its tasks as that version has them), the running
timer, and navigation. Its methods return values (EditResults, Notices,
Bookings) that the App shows; they never touch the screen, so every rule here
is tested without ``run_test``.

Threads: ``run``, ``undo``, ``redo``, ``book``, ``integrate``, ``take`` and
``reread`` read and write the file and run on the app's one edit thread
(tasktui.core.editthread), one at a time, in the order they were asked for;
``open_whole`` runs on the loading thread before the file is handed over; nothing
else touches the file, and everything else runs on the UI thread. While a big file loads, an edit of a task already shown
is written at once on the bytes read (an ``early`` TasksFile of the top of the
file, through the same path); any other edit waits on the edit thread, and the
edits behind it wait behind it, until the whole file is read.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import os
import threading
import time
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tasktui.storage import cache as store_cache
from tasktui.storage import config as config_mod
from tasktui.storage import store
from tasktui.storage import timer as timer_mod
from tasktui.storage.watch import FileEvent, FileWatcher
from tasktui.doc import edits
from tasktui.doc.model import Document, Task, TaskKey
from tasktui.doc.patch import PatchError
from tasktui.doc.plaintext import shown_text
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import RollUp
from tasktui.core import gcpause
from tasktui.core.opener import Opener
from tasktui.core.outline import Outline
from tasktui.core.tasksfile import EditResult, TasksFile

if TYPE_CHECKING:
    from tasktui.core import history as history_mod

EDIT_ERRORS = (store.StoreError, edits.EditError, PatchError, OSError)
"""What an edit raises, each with one sentence for the user; the file is untouched."""


@dataclass(frozen=True)
class Notice:
    """One sentence for the user."""

    text: str
    severity: str = "information"  # information / warning / error
    title: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class Booking:
    """Time from a stopped timer, to be added to a task (perhaps in another file)."""

    timer: timer_mod.RunningTimer
    hours: float

    @property
    def op(self) -> edits.AddTime:
        return edits.AddTime(self.timer.key, self.hours)


@dataclass(frozen=True)
class EarlyEdit:
    """A mark written while the file was still loading, on a task already shown: its
    undo step is made once the whole file is read."""

    before: bytes  # the file before it
    patches: tuple  # on those bytes
    summary: str


@dataclass(frozen=True)
class Taken:
    """What reading the file again found (edit thread)."""

    changed: bool  # the content differs from what we had
    read_only: str | None  # why it may not be written now
    lost: tuple[str, ...] = ()  # changes of ours the new version overwrote


@dataclass(frozen=True)
class OutsideChange:
    """What reading the file again (after another program changed it) found."""

    changed: bool  # the content differs from what we had
    gone: bool  # the file is missing
    flash: frozenset[int]  # tasks that changed, to show for a moment
    notices: tuple[Notice, ...]


class Session:
    def __init__(self, path: str | Path, settings: config_mod.Config, *, read_only: bool = False, clock=time.time,
                 dialect: str | None = None):
        self.path = Path(path)
        self.settings = settings
        self.dialect = dialect or settings.dialect_for(path)  # what the user says the file is, if anything
        self.legend = settings.legend_for(path)  # False: the config says its legend is not to be read
        self.clock = clock
        self.force_read_only = read_only
        # opens the file (tasktui.core.opener) and keeps its document for the next open
        self.opener = Opener(self.path, day_hours=settings.day_hours, dialect=self.dialect, legend=self.legend)
        self.tasks_file: TasksFile | None = None
        self.read_only_reason: str | None = "read-only mode" if read_only else None
        self.file_missing = False
        self.running: timer_mod.RunningTimer | None = None
        self._shown: Document | None = None  # the version on screen: what keys name tasks in
        # while loading: the top of the file as read (a TasksFile of it), the marks written
        # on it, and the whole file once the loader hands it over (``handover``)
        self.early_file: TasksFile | None = None
        self.early: list[EarlyEdit] = []
        self._whole = threading.Event()
        self._handed: TasksFile | None = None
        self._load_failed: str | None = None
        self._integrated: list[Notice] = []  # what taking in the whole file has to say, until said
        self.history: history_mod.History | None = None  # the file's git history, once read
        self.history_error: str | None = None  # why there is none (not in git ...), in one sentence
        self.history_of: bytes | None = None  # the content it was read for
        self.marked: dict[TaskKey, None] = {}  # tasks marked to act on together, in the order marked
        self.watcher: FileWatcher | None = None  # other programs' changes to the file, once it is loaded

    # -- the file ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    @property
    def shown_path(self) -> str:
        """The file as the header names it: its path inside its git repository
        (``specs/004-invoice/tasks.md``, where every spec's file is tasks.md), else its name."""
        return repo_relative(self.path)

    @property
    def doc(self) -> Document | None:
        return self.tasks_file.doc if self.tasks_file is not None else None

    @property
    def shown(self) -> Document | None:
        """The version on screen (the screen sets it; without one, the current version):
        the edits keys ask for name their tasks as it has them."""
        return self._shown if self._shown is not None else self.doc

    @shown.setter
    def shown(self, doc: Document) -> None:
        self._shown = doc

    def open_file(self, snapshot: store.Snapshot, doc: Document, cache: dict, rollup: RollUp | None = None) -> TasksFile:
        """The TasksFile of a file just loaded (in the loading thread, by ``opener``)."""
        return TasksFile(self.path, sync=self.settings.sync, day_hours=self.settings.day_hours,
                         snapshot=snapshot, doc=doc, cache=cache, rollup=rollup, dialect=self.dialect,
                         legend=self.legend, by=self.opener)

    def open_whole(self, snapshot: store.Snapshot, progress=None,
                   cancelled: Callable[[], bool] = lambda: False) -> tuple[TasksFile, Outline] | None:
        """Open the whole file (the loading thread; tasktui.core.opener) and build here,
        rather than on the UI thread (a 50k-task file: ~0.3 s), what the first edit and
        the tree need: its TasksFile and the tree's rows. None when ``cancelled`` (the
        file was closed meanwhile)."""
        opened = self.opener.whole(snapshot, progress=progress)
        if cancelled():
            return None
        with gcpause.paused():
            doc = opened.doc
            tf = self.open_file(opened.snapshot, doc, self.opener.cache, opened.rollup)
            _ = doc.keys
            tf.rollup.warm()
            outline = Outline(doc, tf.rollup)
            _ = outline.index  # what the filter reads (casefolded texts): not on the first key
            outline.ready.first_ready()  # what the file says about order, read here too
            # the document lives as long as the file is open: the garbage collector is told
            # so, and stops walking it on every full collection
            gc.freeze()
        return tf, outline

    def opened_notices(self, doc: Document, outline: Outline) -> list[Notice]:
        """What to say once the whole file is shown: what does not hold together in it,
        the problems with the order it states (cycles, missing references), and, once
        for each kind, the garbled characters ``Repair mojibake`` would fix."""
        notices = [Notice(problem, "warning", timeout=12) for problem in doc.problems]
        problems = outline.ready.deps.problems
        if problems:
            first = min(problems, key=lambda p: p.line)
            many = f"{len(problems)} problems" if len(problems) > 1 else "A problem"
            notices.append(Notice(f"{many} with the order this file states; line {first.line + 1}: {first.text}. "
                                  f"`tasktui check {self.shown_path}` lists them.", "warning"))
        from tasktui.doc import repair

        fixes = repair.find(doc.source)
        if fixes and not self.read_only_reason:
            sample = ", ".join(sorted({f"{f.old}→{f.new}" for f in fixes})[:3])
            if first_time(self.path, "mojibake " + " ".join(sorted({f.old for f in fixes}))):
                notices.append(Notice(f"{len(fixes)} garbled characters ({sample}): ctrl+p “Repair mojibake” fixes them."))
        return notices

    def loading(self, doc: Document, snapshot: store.Snapshot) -> None:
        """The top of a big file is shown (``doc``, made from ``snapshot``, the bytes read):
        marks on the tasks shown are written on those bytes until the whole file is read."""
        self.shown = doc
        self.early_file = TasksFile(self.path, sync=False, day_hours=self.settings.day_hours, snapshot=snapshot,
                                    doc=doc, cache={}, dialect=self.dialect, legend=self.legend)

    def watch(self, tf: TasksFile, on_event: Callable[[FileEvent], None]) -> None:
        """Watch the file ``tf`` has open for other programs' changes: ``on_event`` is
        called on the watcher's thread; our own writes are known to it, and not reported."""
        self.watcher = FileWatcher(self.path, on_event)
        tf.written = self.watcher.set_known
        self.watcher.start(tf.snapshot.digest, tf.read_only_reason())

    def close(self, sentence: str) -> None:
        """The file is closed (or the app quits): no more watching, and edits still
        waiting for the whole file end with ``sentence``."""
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.handover(None, sentence)

    def reread(self) -> bool:
        """Read the file again after the user's editor ran on it (edit thread): what was
        changed there is the user's own, so nothing of ours counts as lost. Whether it changed."""
        changed = self.tasks_file.reload()
        self.tasks_file.take_lost()
        return changed

    def handover(self, tf: TasksFile | None, failed: str | None = None) -> None:
        """The loader read the whole file (UI thread): edits waiting for it may go on.
        Without ``tf`` (the load failed, or the file was closed first) they end with the
        sentence ``failed``. The first call counts."""
        if not self._whole.is_set():
            self._handed, self._load_failed = tf, failed
            self._whole.set()

    def integrate(self) -> list[Notice]:
        """Take in the whole file (edit thread, after the edits asked for before it) and
        say, once, what there is to say about it."""
        self._take_in()
        notices, self._integrated = self._integrated, []
        return notices

    def _take_in(self) -> None:
        """The marks written while the file loaded join the whole file, with their undo
        steps (and the progress lines they change, in a second write, in the same step)."""
        if self.tasks_file is not None:
            return
        tf = self._handed
        if tf is None:
            raise store.StoreError(self._load_failed or f"{self.name} was closed before it was read; nothing was written.")
        notices: list[Notice] = []
        early, self.early = self.early, []
        try:
            if early:
                tf.reload()  # the marks written since the loader read the file
                undo = [edits.restore_for(e.before, tf.doc, e.patches, f"undid: {e.summary}") for e in early]
                for e, u in zip(early, undo):
                    tf.remember(e.summary, u.items)  # ours: watched for being overwritten
                if tf.sync and (tf.doc.completion or tf.doc.time_lines):
                    result = tf.apply(edits.Sync(), record=False)
                    if result.undo is not None:  # the progress lines go back with the last mark
                        last = undo[-1]
                        undo[-1] = edits.Restore(result.undo.items + last.items, last.summary)
                tf.undo_stack.extend(undo)
                tf.redo_stack.clear()
        except EDIT_ERRORS as exc:
            notices.append(self.failed(exc))
        self.read_only_reason = "read-only mode" if self.force_read_only else tf.read_only_reason()
        self._integrated = notices
        self.tasks_file = tf

    def loaded(self, tf: TasksFile) -> list[Notice]:
        """The whole file is read and taken in at once (headless use: no edit thread)."""
        self.handover(tf)
        return self.integrate()

    def why_not_editable(self) -> Notice | None:
        """Why no edit can be made now, or None. While the file loads, edits wait for
        it (see ``run``), unless it is read-only."""
        if self.tasks_file is None:
            if self.force_read_only:
                return Notice(f"{self.name} is open read-only (read-only mode): nothing was written.", "warning")
            return None
        if self.read_only_reason:
            return Notice(f"{self.name} is open read-only ({self.read_only_reason}): nothing was written.", "warning")
        return None

    def why_not_editable_task(self, task: Task) -> Notice | None:
        """Why this task cannot be changed now, or None."""
        notice = self.why_not_editable()
        if notice is None and task.legend:
            notice = Notice(f"L{task.line + 1} is part of the file's legend, which says what [{task.mark}] means: "
                            "it is not a task, and tasktui leaves it as it is.", "warning")
        return notice

    # -- the edits keys ask for (UI thread): named as the version on screen has them ----------
    def key(self, task: Task) -> TaskKey:
        """``task``'s identity; ``task`` is a task of the version on screen."""
        return self.shown.keys[task.index]

    def toggle_op(self, task: Task) -> edits.Toggle:
        return edits.Toggle(self.key(task))

    def state_op(self, task: Task, state: str) -> edits.SetState:
        """``p`` / ``c``: mark ``task`` in progress / cancelled, or back to open when it
        already is (when the edit is planned: keys pressed in a row each act on the last one's result)."""
        return edits.SetState(self.key(task), state, back=True)

    def delete_op(self, task: Task) -> edits.DeleteTask:
        """``delete``: refused if another program changes the task before it is written."""
        return edits.DeleteTask(self.key(task), expect=edits.item_text(self.shown, task))

    def text_op(self, task: Task, text: str) -> edits.EditText:
        """``r``: the task's new description; it never writes over a text another program gave it since."""
        return edits.EditText(self.key(task), text, expect=task.text)

    # -- edits (on the edit thread, one at a time, in the order asked for) ----------------------
    def run(self, op: edits.Edit, waiting: Callable[[], None] | None = None) -> EditResult:
        """Plan, check and write ``op``: one of EDIT_ERRORS with nothing written. While the
        file loads, a mark on a task shown is written at once; any other edit waits for
        the whole file (``waiting`` is told first), and so do the edits behind it."""
        if self.tasks_file is None:  # the edits made on the top of a file still loading: a mark, one byte, on a task shown
            early = self.early_file
            if isinstance(op, (edits.Toggle, edits.SetState)) and early is not None and early.doc.find(op.key) is not None:
                before = early.snapshot.data
                try:
                    result = early.apply(op, record=False, wait=False)
                except store.Busy:
                    pass  # the file changed, or another program holds it: wait for the whole file
                else:
                    if result.changed:
                        self.early.append(EarlyEdit(before, result.patches, result.summary))
                    return result
            self._take_whole(waiting)
        return self.tasks_file.apply(self._rekeyed(op))

    def apply(self, op: edits.Edit) -> EditResult:
        """``run`` without a word about waiting (headless callers: tests, scripts)."""
        return self.run(op)

    def _take_whole(self, waiting: Callable[[], None] | None = None) -> None:
        """Wait for the loader's whole file and take it in (edit thread)."""
        if self.tasks_file is None:
            if not self._whole.is_set() and waiting is not None:
                waiting()
            self._whole.wait()
            self._take_in()

    def _rekeyed(self, op):
        """``op`` with the tasks it names as the whole file names them: a key made on the
        top of the file (while it loaded) names its task by the line it is on there."""
        early, doc = self.early_file, self.tasks_file.doc
        if early is None:
            return op

        def whole(value):
            if isinstance(value, TaskKey):
                if doc.find(value) is not None:
                    return value
                task = early.doc.find(value)
                found = doc.task_at_line(task.line) if task is not None else None
                return doc.keys[found.index] if found is not None else value
            if isinstance(value, tuple) and not isinstance(value, TaskKey):
                return tuple(whole(v) for v in value)
            if is_dataclass(value) and not isinstance(value, type):
                return replace(value, **{f.name: whole(getattr(value, f.name)) for f in fields(value)})
            return value

        return whole(op)

    def undo(self) -> EditResult | None:
        self._take_whole()
        return self.tasks_file.undo()

    def redo(self) -> EditResult | None:
        self._take_whole()
        return self.tasks_file.redo()

    def book(self, booking: Booking) -> EditResult:
        """Add a stopped timer's time to its task, in this file or the one it ran on."""
        if booking.timer.for_file(self.path):
            return self.run(booking.op)
        other = TasksFile(booking.timer.file, sync=self.settings.sync, day_hours=self.settings.day_hours)
        return other.apply(booking.op)

    # -- results (on the UI thread) -------------------------------------------------------
    def edited(self, result: EditResult, *, quiet: bool = False) -> list[Notice]:
        """Say what an edit did (and what another program's version, taken in first, had
        overwritten of ours)."""
        notices = [self.lost(summary) for summary in result.lost]
        if result.replanned:
            notices.append(Notice("The file had changed on disk; the edit was applied to the new content."))
        if not quiet or not result.changed:
            notices.append(Notice(result.summary, timeout=3))
        return notices

    @staticmethod
    def lost(summary: str) -> Notice:
        return Notice(f"Another program overwrote your change: {summary}", "error", "Change lost", 10)

    @staticmethod
    def failed(exc: BaseException) -> Notice:
        return Notice(str(exc), "error", "Not written", 8)

    def focus_after(self, result: EditResult) -> Task | None:
        """The task an edit leaves the cursor on: the one it added or changed, the
        neighbour of one it deleted, the one an undo or redo put back."""
        details = result.details
        line = details.cursor or details.line
        if not line:
            return None
        tasks = self.doc.tasks
        # the task on that line, or just below it (a restored item may start with a blank line)
        at = bisect.bisect_left(tasks, line - 1, key=lambda t: t.line)
        return tasks[at] if at < len(tasks) and tasks[at].line - (line - 1) <= 2 else None

    # -- changes made by other programs -------------------------------------------------
    def take(self) -> Taken | None:
        """Read the file again once no other program is writing it (edit thread): what
        changed, or None when it is gone."""
        try:
            snap = store.read_quiet(self.path)
        except store.WriterActive:
            return Taken(False, self.read_only_reason)  # still being written: the watcher looks again
        except store.StoreError:
            return None
        changed = self.tasks_file.adopt(snap)
        return Taken(changed, store.why_read_only(self.path, snap.data), self.tasks_file.take_lost())

    def took(self, taken: Taken | None, before: Document | None) -> OutsideChange:
        """What ``take`` found, as the user should see it (UI thread)."""
        if taken is None:
            if self.file_missing:
                return OutsideChange(False, True, frozenset(), ())
            self.file_missing = True
            self.read_only_reason = "the file was deleted or moved away; showing its last content"
            return OutsideChange(False, True, frozenset(), (
                Notice(f"{self.name} is gone from disk. Nothing will be written until it is back.", "warning", timeout=8),))
        notices = [self.lost(summary) for summary in taken.lost]
        was_missing, self.file_missing = self.file_missing, False
        reason = taken.read_only or ("read-only mode" if self.force_read_only else None)
        if reason != self.read_only_reason:
            if reason and not was_missing:
                notices.append(Notice(f"{self.name} became read-only ({reason}): edits will be refused.", "warning"))
            elif was_missing:
                notices.append(Notice(f"{self.name} is back."))
            self.read_only_reason = reason
        if not taken.changed:
            return OutsideChange(False, False, frozenset(), tuple(notices))
        return OutsideChange(True, False, frozenset(changed_tasks(before, self.doc)), tuple(notices))

    # -- progress over time ---------------------------------------------------------------
    def history_wanted(self, force: bool = False) -> bool:
        """Whether to read the history (again): not yet read, or the file changed since
        (or ``force``); never when it cannot be read (the file is not in git)."""
        if self.tasks_file is None:
            return False
        if force:
            return True
        if self.history_error is not None:
            return False
        return self.history is None or self.history_of != self.tasks_file.doc.source.data

    def read_history(self, progress=None, stop=None) -> tuple[history_mod.History, bytes]:
        """The file's history (on a worker thread: git and parsing take a while) and the
        content it was read for. Raises history.HistoryError or history.Stopped."""
        doc = self.tasks_file.doc  # one version, never changed: safe to read from another thread
        settings = self.settings
        from tasktui.core import history as history_mod  # only when the history is asked for

        found = history_mod.compute(self.path, current=doc, day_hours=settings.day_hours, dialect=self.dialect,
                                    legend=self.legend, workdays=settings.workdays, clock=self.clock, progress=progress,
                                    stop=stop)
        return found, doc.source.data

    def history_read(self, found: history_mod.History | None, of: bytes | None, error: str | None = None) -> None:
        """Keep what ``read_history`` found (UI thread), or why it found nothing."""
        if error is not None:
            self.history, self.history_of, self.history_error = None, None, error
        else:
            self.history, self.history_of, self.history_error = found, of, None

    # -- navigation ---------------------------------------------------------------------
    @staticmethod
    def first_task(readiness: Readiness) -> Task | None:
        """Where the cursor starts: the first task that can start now, else the task in
        progress, else the first open one (a file whose open tasks all wait)."""
        return readiness.first_ready() or readiness.in_progress() or readiness.rollup.first_open()

    @staticmethod
    def next_ready(readiness: Readiness, start: int, step: int, accept: Callable[[Task], bool] | None = None) -> Task | None:
        """The next task that can start now after index ``start`` (before it, with ``step``
        -1) that ``accept`` (the filter's matcher) takes."""
        return readiness.next_ready(start, step, accept)

    # -- moving tasks, and acting on several at once (UI thread) ---------------------------
    def why_not_marked_or_moved(self, task: Task | None) -> Notice | None:
        """Why ``task`` (the one under the cursor) cannot be marked or moved now, or None."""
        if self.tasks_file is None:
            return Notice("The file is still loading: marks and moves wait until it is read.", "warning")
        if task is None:
            return Notice("Move to a task first.", "warning")
        if task.legend:
            return Notice(f"L{task.line + 1} is part of the file's legend, which says what [{task.mark}] means: "
                          "it is not a task.", "warning")
        return None

    @staticmethod
    def heading_not_movable(text: str) -> Notice:
        return Notice(f"“{text}” is a heading: only list tasks move (a heading-level task moves with its section, "
                      "in your editor).", "warning")

    def move_op(self, task: Task | None, step: int) -> edits.Move | Notice:
        """Move task up (``step`` -1) or down (+1) one place among its siblings, as they are
        when the move is planned (``K K`` moves it two places): the edit, or why not. It is
        refused if another program changes the task before it is written."""
        notice = self.why_not_marked_or_moved(task) or self.why_not_editable()
        if notice is not None:
            return notice
        return edits.Move(self.key(task), step=step, expect=edits.item_text(self.shown, task))

    def section_of(self, task: Task) -> int | None:
        """Index in ``doc.headings`` of the heading whose list ``task`` is in (None: above every heading)."""
        return edits.heading_above(self.shown, task.line)

    def renumber_op(self, heading: int | None) -> edits.Renumber | Notice:
        """Renumber the tasks under ``heading`` (an index in doc.headings), or why not."""
        notice = self.why_not_editable()
        if notice is None and self.tasks_file is None:
            notice = Notice("The file is still loading: renumbering waits until it is read.", "warning")
        if notice is not None:
            return notice
        doc = self.shown
        if not edits.numbered(doc, heading):
            name = doc.headings[heading].text if heading is not None else "the top of the file"
            return Notice(f"The tasks under {name} are not numbered: there is nothing to renumber.")
        return edits.Renumber(doc.heading_keys[heading] if heading is not None else None)

    def toggle_mark(self, task: Task | None) -> Notice | None:
        """Mark or unmark ``task``; a notice when it cannot be marked."""
        notice = self.why_not_marked_or_moved(task)
        if notice is not None:
            return notice
        key = self.key(task)
        if key in self.marked:
            del self.marked[key]
        else:
            self.marked[key] = None
        return None

    def mark(self, task: Task | None) -> None:
        """Mark ``task`` (shift+arrows extend the marks): headings and legend items are passed over."""
        if self.why_not_marked_or_moved(task) is None:
            self.marked[self.key(task)] = None

    def clear_marks(self) -> int:
        n = len(self.marked)
        self.marked.clear()
        return n

    def marked_tasks(self, doc: Document | None = None) -> list[Task]:
        """The marked tasks still in ``doc`` (the version on screen), in file order; the
        marks of tasks that are gone (deleted, or their text changed) are dropped."""
        doc = doc if doc is not None else self.shown
        if doc is None or not self.marked:
            return []
        found = {key: doc.find(key) for key in self.marked}
        for key in [k for k, t in found.items() if t is None]:
            del self.marked[key]
        return sorted((t for t in found.values() if t is not None), key=lambda t: t.index)

    def marked_op(self, action: str, state: str | None = None) -> edits.Edit | Notice | None:
        """The one edit that does ``action`` (toggle, state, delete) to every marked task,
        a notice saying why it cannot be done, or None when nothing is marked."""
        tasks = self.marked_tasks()
        if not tasks:
            return None
        notice = self.why_not_editable()
        if notice is not None:
            return notice
        doc = self.shown
        if action == "toggle":
            return edits.toggle_all(doc, tasks)
        if action == "state":  # as p / c on one task: back to open when all of them already are in that state
            return edits.Batch(tuple(edits.SetState(doc.keys[t.index], state, back=True) for t in tasks))
        return edits.Batch(tuple(edits.DeleteTask(doc.keys[t.index], expect=edits.item_text(doc, t)) for t in tasks))

    # -- the timer ----------------------------------------------------------------------
    def resume_timer(self) -> tuple[list[Notice], str | None]:
        """Read the running timer at start: notices, and the question to ask when it
        has run for longer than a working day (None otherwise)."""
        running, problem = timer_mod.read()
        notices = [Notice(problem, "warning", timeout=12)] if problem else []
        self.running = running
        if running is None or not running.for_file(self.path):
            return notices, None
        elapsed = running.elapsed(self.clock())
        if elapsed <= self.settings.day_hours * 3600:
            return notices, None
        return notices, (f"A timer on “{shown_text(running.label)}” has been running for {timer_mod.clock_label(elapsed)}, "
                         f"longer than a working day ({self.settings.day_hours:g}h). What should happen to it?")

    def long_timer(self, choice: str | None) -> tuple[Notice | None, Booking | None]:
        """The answer to the long-timer question: keep it running, trim it (book one
        working day and stop it: the booking to make) or discard it."""
        running = self.running
        if running is None:
            return None, None
        if choice == "discard":
            timer_mod.clear()
            self.running = None
            return Notice("Timer discarded; nothing was booked."), None
        if choice == "trim":
            self.running = None
            day = self.settings.day_hours
            return Notice(f"Timer stopped: one working day ({day:g}h) booked on {shown_text(running.label)}."), Booking(running, day)
        return None, None

    def timer_shown(self, doc: Document | None) -> tuple[str | None, tuple[int, str] | None]:
        """What the header shows of the running timer, and (task index, clock) for the tree."""
        running = self.running
        if running is None or doc is None:
            return None, None
        clock = timer_mod.clock_label(running.elapsed(self.clock()))
        mine = running.for_file(self.path)
        label = shown_text(running.label)  # a label kept by an earlier version may hold markdown
        where = label if mine else f"{label} ({Path(running.file).name})"
        task = doc.find(running.key) if mine else None
        return f"{clock} {where[:40]}", (task.index, clock) if task is not None else None

    def timer_pressed(self, task: Task | None) -> tuple[list[Notice], Booking | None]:
        """``s``: stop the running timer (booking its time) and, on another task, start
        one there. Returns the notices and the booking to make, if any."""
        notices: list[Notice] = []
        booking = None
        running = self.running
        if running is not None:
            doc = self.shown
            same = running.for_file(self.path) and task is not None and doc is not None and doc.find(running.key) == task
            hours = timer_mod.booked_hours(running.elapsed(self.clock()))
            self.running = None
            if hours <= 0:
                timer_mod.clear()
                notices.append(Notice("Timer stopped after less than a minute: nothing booked."))
            else:
                booking = Booking(running, hours)
            if same or task is None:
                return notices, booking
        if task is None:
            return [Notice("Move to a task to start a timer.", "warning")], None
        label = task.id or shown_text(task.text)[:40]
        self.running = timer_mod.start(self.path, self.key(task), label, self.clock())
        notices.append(Notice(f"Timer started on {label}. Press s again to stop it.", timeout=3))
        return notices, booking

    def booked(self, booking: Booking, ok: bool) -> Notice | None:
        """After a booking was written (``ok``) or refused: the timer state follows."""
        if ok:
            timer_mod.clear_if(booking.timer)  # a timer started meanwhile stays
            return None
        if self.running is None:
            # not booked: keep the timer running so nothing is lost
            self.running = booking.timer
            timer_mod.save(booking.timer)
            return None
        return Notice(f"The {timer_mod.clock_label(booking.hours * 3600)} of the previous timer on {shown_text(booking.timer.label)} "
                      "could not be booked; add it with t when the task is back.", "error", timeout=15)


def changed_tasks(before: Document | None, after: Document) -> set[int]:
    """Indexes (in ``after``) of the tasks that are new or whose mark or text differ from ``before``."""
    if before is None:
        return set()
    old = {k: (t.mark, t.text) for k, t in zip(before.keys, before.tasks)}
    return {t.index for k, t in zip(after.keys, after.tasks) if old.get(k, (t.mark, t.text)) != (t.mark, t.text) or k not in old}


def repo_relative(path: Path) -> str:
    """``path`` relative to the nearest folder above it holding ``.git``; its name when there is none."""
    full = Path(os.path.abspath(path))
    for folder in full.parents:
        try:
            if (folder / ".git").exists():
                return full.relative_to(folder).as_posix()
        except OSError:
            break
    return full.name


def first_time(path: Path, about: str) -> bool:
    """Whether a notice about ``about`` (what it tells of: the kinds of garbled
    characters in the file, not how many, which syncing a status line changes) is
    new for the file at ``path``; it is remembered as told. Kept in tasktui's private
    store (tasktui.storage.cache), in a slot of its own beside the file's
    summary, under a key of ``about``: a file's repair notice comes once, not on
    every open, and again when its mojibake is of other kinds. Without the cache:
    always new."""
    slot = path.with_name(f"{path.name}#notices")
    key = hashlib.blake2b(about.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    if store_cache.load_summary(slot, key) is not None:
        return False
    store_cache.save_summary(slot, key, {"said": True})
    return True
