"""The app's state and rules, without Textual.

A Session holds what the app knows and decides: the open TasksFile (once
loaded), why it may not be written, the edits made in this session (to notice
when another program overwrites them), the running timer, and navigation.
Its methods return values (EditResults, Notices, Bookings) that the App shows;
they never touch the screen, so every rule here is tested without ``run_test``.

Threads: ``apply``, ``undo``, ``redo``, ``book`` and ``take`` read and write
the file and run on the app's edit thread (or, for an edit that need not
wait, on the key's own turn); everything else runs on the UI thread. The
record of recent edits is shared by both and guarded by a lock.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tasktui.storage import config as config_mod
from tasktui.storage import store
from tasktui.storage import timer as timer_mod
from tasktui.doc import edits
from tasktui.doc.model import Document, Task, TaskKey
from tasktui.doc.patch import PatchError
from tasktui.doc.patch import apply as apply_patches
from tasktui.doc.ready import Readiness
from tasktui.core.tasksfile import EditResult, TasksFile

if TYPE_CHECKING:
    from tasktui.core import history as history_mod

EDIT_ERRORS = (store.StoreError, edits.EditError, PatchError, OSError)
"""What an edit raises, each with one sentence for the user; the file is untouched."""

RECENT_SECONDS = 120  # how long an edit of ours is watched for being overwritten
RECENT_COUNT = 20


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
class Waiting:
    """An edit asked for while the file was loading, to be made once it is loaded:
    its task named by its line (the keys of the whole file are not known yet)."""

    op: edits.Edit | str  # or "undo" / "redo"
    line: int | None  # 0-based line of the task it names, if any
    quiet: bool
    focus: bool


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
        self.clock = clock
        self.force_read_only = read_only
        self.tasks_file: TasksFile | None = None
        self.read_only_reason: str | None = "read-only mode" if read_only else None
        self.file_missing = False
        self.running: timer_mod.RunningTimer | None = None
        self._recent: list[tuple[float, str, edits.Restore]] = []  # (when, summary, its undo) of our edits
        # while loading: the top of the file as shown, the bytes it came from, and the
        # edits made (early) or asked for (waiting) before the whole file is read
        self.partial: Document | None = None
        self.partial_data: bytes | None = None
        self.early: list[EarlyEdit] = []
        self.waiting: list[Waiting] = []
        self._lock = threading.Lock()
        self.history: history_mod.History | None = None  # the file's git history, once read
        self.history_error: str | None = None  # why there is none (not in git ...), in one sentence
        self.history_of: bytes | None = None  # the content it was read for
        self.marked: dict[TaskKey, None] = {}  # tasks marked to act on together, in the order marked

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

    def open_file(self, snapshot: store.Snapshot, doc: Document, cache: dict) -> TasksFile:
        """The TasksFile of a file just loaded (in the loading thread)."""
        return TasksFile(self.path, sync=self.settings.sync, day_hours=self.settings.day_hours,
                         snapshot=snapshot, doc=doc, cache=cache, dialect=self.dialect)

    def document(self, source, chunks) -> Document:
        """A Document of this file made of parsed ``chunks`` (the loader's)."""
        return Document(source, chunks=chunks, day_hours=self.settings.day_hours, path=str(self.path),
                        dialect=self.dialect)

    def loaded(self, tf: TasksFile) -> list[Notice]:
        """The whole file is read: the marks written meanwhile join it, with their undo
        steps (and the progress lines they change, in a second write, in the same
        step). Returns what to say."""
        self.tasks_file = tf
        self.read_only_reason = "read-only mode" if self.force_read_only else tf.read_only_reason()
        notices: list[Notice] = []
        early, self.early = self.early, []
        self.partial = self.partial_data = None
        if not early:
            return notices
        try:
            tf.reload()  # the marks written since the loader read the file
            undo = [edits.restore_for(e.before, tf.doc, e.patches, f"undid: {e.summary}") for e in early]
            if tf.sync and (tf.doc.completion or tf.doc.time_lines):
                result = tf.apply(edits.Sync(), record=False)
                if result.undo is not None:  # the progress lines go back with the last mark
                    last = undo[-1]
                    undo[-1] = edits.Restore(result.undo.items + last.items, last.summary)
        except EDIT_ERRORS as exc:
            return [self.failed(exc)]
        for u in undo:
            tf.undo_stack.append(u)
        tf.redo_stack.clear()
        return notices

    def loading(self, doc: Document, data: bytes) -> None:
        """The top of a big file is shown (``doc``, made from the file's ``data``)."""
        self.partial, self.partial_data = doc, data

    def apply_early(self, op: edits.Edit) -> tuple[EditResult, Document]:
        """Write a mark on a task of the top of the file, before the rest is read (its
        bytes are known). store.Busy when it cannot be done at once (the file changed,
        or another program holds it): then it waits for the load."""
        doc, data = self.partial, self.partial_data
        plan = edits.plan(doc, op)
        if not plan.patches:
            return EditResult(plan.summary, False, False, plan.details), doc
        reason = store.why_read_only(self.path, data) or ("read-only mode" if self.force_read_only else None)
        if reason:
            raise store.StoreError(f"{self.name} is open read-only ({reason}): nothing was written.")
        new = apply_patches(data, plan.patches)
        with store.locked(self.path, timeout=0.0), store.quiet(self.path, wait=False) as held:
            if held.snapshot.data != data:
                raise store.Busy(f"{self.name} changed on disk; the edit waits for the file to load.")
            snap = held.snapshot
            store.atomic_write(self.path, new, expect=(snap.size, snap.mtime_ns, snap.inode), checked=True, held=held)
        self.early.append(EarlyEdit(data, plan.patches, plan.summary))
        self.partial = doc.patched(plan.patches)
        self.partial_data = new
        return EditResult(plan.summary, True, False, plan.details), self.partial

    def wait_for_load(self, op: edits.Edit | str, task: Task | None, *, quiet: bool = False,
                      focus: bool = False) -> Notice:
        self.waiting.append(Waiting(op, task.line if task is not None else None, quiet, focus))
        n = len(self.waiting)
        return Notice(f"{n} edit{'s' if n != 1 else ''} waiting for the file to load.", timeout=3)

    def take_waiting(self) -> list[Waiting]:  # noqa: C901
        """The edits asked for while loading, in order, their task named by the whole
        file's key for the line it was on (an edit whose task is gone is dropped)."""
        waiting, self.waiting = self.waiting, []
        doc = self.tasks_file.doc
        out = []
        for w in waiting:
            op = w.op
            if w.line is not None and not isinstance(op, str):
                task = doc.task_at_line(w.line)
                if task is None:
                    continue
                key = doc.keys[task.index]
                op = replace(op, **{f.name: key for f in fields(op) if isinstance(getattr(op, f.name), TaskKey)})
            out.append(replace(w, op=op))
        return out

    def why_not_editable(self) -> Notice | None:
        """Why no edit can be made now, or None. While the file loads, edits wait for
        it (see wait_for_load), unless it is read-only."""
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

    def state_op(self, task: Task, state: str) -> edits.SetState:
        """``p`` / ``c``: mark ``task`` in progress / cancelled, or back to open when it already is."""
        return edits.SetState(self.key(task), "todo" if task.state == state else state)

    def key(self, task: Task) -> TaskKey:
        doc = self.tasks_file.doc if self.tasks_file is not None else self.partial
        return doc.keys[task.index]

    # -- edits (on the edit thread) -----------------------------------------------------
    def apply(self, op: edits.Edit, *, wait: bool = True) -> EditResult:
        """Plan, check and write ``op``; one of EDIT_ERRORS with nothing written.
        With ``wait=False``, store.Busy instead of waiting for a lock or a changing file."""
        return self.tasks_file.apply(op, wait=wait)

    def undo(self) -> EditResult | None:
        return self._replay(self.tasks_file.undo_stack, self.tasks_file.undo)

    def redo(self) -> EditResult | None:
        return self._replay(self.tasks_file.redo_stack, self.tasks_file.redo)

    def _replay(self, stack: list, call) -> EditResult | None:
        op = stack[-1] if stack else None
        result = call()
        if result is not None and op is not None:
            with self._lock:  # an undone edit can no longer be overwritten
                self._recent = [r for r in self._recent if r[2] is not op]
        return result

    def book(self, booking: Booking) -> EditResult:
        """Add a stopped timer's time to its task, in this file or the one it ran on."""
        if booking.timer.for_file(self.path):
            return self.apply(booking.op)
        other = TasksFile(booking.timer.file, sync=self.settings.sync, day_hours=self.settings.day_hours)
        return other.apply(booking.op)

    # -- results (on the UI thread) -------------------------------------------------------
    def edited(self, result: EditResult, *, quiet: bool = False, own_file: bool = True) -> list[Notice]:
        """Take in the result of an edit: remember it (to notice if it gets overwritten)
        and say what happened."""
        if own_file and result.changed and result.undo is not None and not result.summary.startswith("undid"):
            now = time.monotonic()
            with self._lock:
                kept = [r for r in self._recent if now - r[0] < RECENT_SECONDS][-RECENT_COUNT + 1:]
                self._recent = kept + [(now, result.summary, result.undo)]
        notices = []
        if result.replanned:
            notices.append(Notice("The file had changed on disk; the edit was applied to the new content."))
        if not quiet or not result.changed:
            notices.append(Notice(result.summary, timeout=3))
        return notices

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
    def take(self) -> tuple[bool, str | None] | None:
        """Read the file again once no other program is writing it (edit thread):
        (changed, read-only reason), or None when it is gone."""
        try:
            snap = store.read_quiet(self.path)
        except store.WriterActive:
            return False, self.read_only_reason  # still being written: the watcher looks again
        except store.StoreError:
            return None
        return self.tasks_file.adopt(snap), store.why_read_only(self.path, snap.data)

    def took(self, taken: tuple[bool, str | None] | None, before: Document | None) -> OutsideChange:
        """What ``take`` found, as the user should see it (UI thread)."""
        if taken is None:
            if self.file_missing:
                return OutsideChange(False, True, frozenset(), ())
            self.file_missing = True
            self.read_only_reason = "the file was deleted or moved away; showing its last content"
            return OutsideChange(False, True, frozenset(), (
                Notice(f"{self.name} is gone from disk. Nothing will be written until it is back.", "warning", timeout=8),))
        changed, reason = taken
        notices = []
        was_missing, self.file_missing = self.file_missing, False
        reason = reason or ("read-only mode" if self.force_read_only else None)
        if reason != self.read_only_reason:
            if reason and not was_missing:
                notices.append(Notice(f"{self.name} became read-only ({reason}): edits will be refused.", "warning"))
            elif was_missing:
                notices.append(Notice(f"{self.name} is back."))
            self.read_only_reason = reason
        if not changed:
            return OutsideChange(False, False, frozenset(), tuple(notices))
        doc = self.doc
        notices += self.overwritten(doc)
        return OutsideChange(True, False, frozenset(changed_tasks(before, doc)), tuple(notices))

    def overwritten(self, doc: Document) -> list[Notice]:
        """Our recent edits whose bytes are no longer in the file: another program overwrote them."""
        notices = []
        with self._lock:
            kept = []
            for when, summary, undo in self._recent:
                try:
                    edits.plan(doc, undo)
                except edits.EditError:
                    notices.append(Notice(f"Another program overwrote your change: {summary}", "error", "Change lost", 10))
                    continue
                kept.append((when, summary, undo))
            self._recent = kept
        return notices

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
                                    workdays=settings.workdays, clock=self.clock, progress=progress, stop=stop)
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
        """Move task up (``step`` -1) or down (+1) among its siblings: the edit, or why not."""
        notice = self.why_not_marked_or_moved(task) or self.why_not_editable()
        if notice is not None:
            return notice
        doc = self.doc
        other = edits.neighbour(doc, task, step)
        if other is None:
            where = "first" if step < 0 else "last"
            return Notice(f"L{task.line + 1} is already the {where} of its list; m moves it to another section.")
        key, other_key = doc.keys[task.index], doc.keys[other.index]
        return edits.Move(key, before=other_key) if step < 0 else edits.Move(key, after=other_key)

    def section_of(self, task: Task) -> int | None:
        """Index in ``doc.headings`` of the heading whose list ``task`` is in (None: above every heading)."""
        return edits.heading_above(self.doc, task.line)

    def renumber_op(self, heading: int | None) -> edits.Renumber | Notice:
        """Renumber the tasks under ``heading`` (an index in doc.headings), or why not."""
        notice = self.why_not_editable()
        if notice is None and self.tasks_file is None:
            notice = Notice("The file is still loading: renumbering waits until it is read.", "warning")
        if notice is not None:
            return notice
        doc = self.doc
        if not edits.numbered(doc, heading):
            name = doc.headings[heading].text if heading is not None else "the top of the file"
            return Notice(f"The tasks under {name} are not numbered: there is nothing to renumber.")
        return edits.Renumber(doc.heading_keys[heading] if heading is not None else None)

    def toggle_mark(self, task: Task | None) -> Notice | None:
        """Mark or unmark ``task``; a notice when it cannot be marked."""
        notice = self.why_not_marked_or_moved(task)
        if notice is not None:
            return notice
        key = self.doc.keys[task.index]
        if key in self.marked:
            del self.marked[key]
        else:
            self.marked[key] = None
        return None

    def mark(self, task: Task | None) -> None:
        """Mark ``task`` (shift+arrows extend the marks): headings and legend items are passed over."""
        if self.why_not_marked_or_moved(task) is None:
            self.marked[self.doc.keys[task.index]] = None

    def clear_marks(self) -> int:
        n = len(self.marked)
        self.marked.clear()
        return n

    def marked_tasks(self, doc: Document | None = None) -> list[Task]:
        """The marked tasks still in ``doc`` (the current version), in file order; the
        marks of tasks that are gone (deleted, or their text changed) are dropped."""
        doc = doc if doc is not None else self.doc
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
        doc = self.doc
        if action == "toggle":
            return edits.toggle_all(doc, tasks)
        if action == "state":  # as p / c on one task: back to open when all of them already are in that state
            state = "todo" if all(t.state == state for t in tasks) else state
            return edits.Batch(tuple(edits.SetState(doc.keys[t.index], state) for t in tasks))
        return edits.Batch(tuple(edits.DeleteTask(doc.keys[t.index]) for t in tasks))

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
        return notices, (f"A timer on “{running.label}” has been running for {timer_mod.clock_label(elapsed)}, "
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
            return Notice(f"Timer stopped: one working day ({day:g}h) booked on {running.label}."), Booking(running, day)
        return None, None

    def timer_shown(self, doc: Document | None) -> tuple[str | None, tuple[int, str] | None]:
        """What the header shows of the running timer, and (task index, clock) for the tree."""
        running = self.running
        if running is None or doc is None:
            return None, None
        clock = timer_mod.clock_label(running.elapsed(self.clock()))
        mine = running.for_file(self.path)
        where = running.label if mine else f"{running.label} ({Path(running.file).name})"
        task = doc.find(running.key) if mine else None
        return f"{clock} {where[:40]}", (task.index, clock) if task is not None else None

    def timer_pressed(self, task: Task | None) -> tuple[list[Notice], Booking | None]:
        """``s``: stop the running timer (booking its time) and, on another task, start
        one there. Returns the notices and the booking to make, if any."""
        notices: list[Notice] = []
        booking = None
        running = self.running
        if running is not None:
            doc = self.doc
            same = running.for_file(self.path) and task is not None and doc.find(running.key) == task
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
        label = task.id or task.text[:40]
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
        return Notice(f"The {timer_mod.clock_label(booking.hours * 3600)} of the previous timer on {booking.timer.label} "
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
