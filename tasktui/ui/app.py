"""The Textual app: a router. It shows the workspace overview (``tasktui DIR``)
or a file; for the open file it loads it, shows a MainScreen and routes the
screen's intents to that file's Session (tasktui.core.session), whose rules need no
Textual: edits run on one edit thread (or, for a mark that need not wait, on
the key's own turn), changes made by other programs come from the watcher, and
each new version goes back to the screen. From the overview, Enter opens a file
(a MainScreen pushed over it) and ``o`` closes it again.

One file is open at a time. Work started for a file (its loading, an edit on
the edit thread, a change seen on disk) checks, when it ends, that its Session
is still the open one, and otherwise leaves the screen alone."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.message import Message
from textual.screen import Screen

from tasktui.storage import config as config_mod
from tasktui.core import gcpause
from tasktui.storage import cache as store_cache, store
from tasktui.doc import edits
from tasktui.core import loader
from tasktui.doc.model import Document, Task
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source
from tasktui.core.outline import Outline
from tasktui.doc.safetext import visible
from tasktui.ui.screens.main import MainScreen
from tasktui.ui.screens.workspace import WorkspaceScreen
from tasktui.core.session import EDIT_ERRORS, Booking, Notice, Session
from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.storage.watch import FileEvent, FileWatcher
from tasktui.ui.widgets.status_header import StatusHeader
from tasktui.ui.widgets.task_tree import TaskTree


class FileChangedOnDisk(Message):
    """The watcher saw the file change (content, existence or writability)."""

    def __init__(self, event: FileEvent, path: Path) -> None:
        super().__init__()
        self.event = event
        self.path = path


class TaskTuiApp(App[int]):
    CSS_PATH = "tasktui.tcss"
    TITLE = "tasktui"
    ENABLE_COMMAND_PALETTE = True

    # Edits applied on the key's own turn of the event loop: a mark changes, one byte,
    # never a re-parse. Others (adding a line re-reads the chunk structure: 1.3 s for
    # a 50k-task file) go to the edit thread, where the screen keeps answering.
    INSTANT_EDITS = (edits.Toggle, edits.SetState)

    def __init__(self, path: str | Path | None = None, *, workspace: str | Path | None = None,
                 files: Iterable[Path] = (), settings: config_mod.Config | None = None, read_only: bool = False,
                 sync: bool | None = None, clock=time.time, notices: Iterable[str] = (),
                 dialect: str | None = None) -> None:
        """The app on the file ``path``, or on the overview of ``files`` below the
        folder ``workspace``."""
        super().__init__()
        if path is None and workspace is None:
            raise ValueError("TaskTuiApp needs a file or a workspace")
        store.enable_leases()  # the app runs in the main thread: the lease-break signal gets its handler
        settings = settings or config_mod.Config()
        if sync is not None:
            settings = replace(settings, sync=sync)
        self._settings = settings
        self._read_only = read_only
        self._clock = clock
        self._startup_notices = list(notices)  # e.g. a config file that was moved aside
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-edit")
        self.watcher: FileWatcher | None = None
        self.watch_file = True
        self._partial_cursor: int | None = None
        self._ticker = None
        self.workspace = Path(workspace) if workspace is not None else None
        self._overview = WorkspaceScreen(self.workspace, list(files), settings, clock) if workspace is not None else None
        self._main: MainScreen | None = MainScreen(self._session_for(path, dialect)) if path is not None else None
        if settings.theme in self.available_themes:
            self.theme = settings.theme

    def _session_for(self, path: str | Path, dialect: str | None = None) -> Session:
        return Session(path, self._settings, read_only=self._read_only, clock=self._clock, dialect=dialect)

    # -- what tests and the palette reach for ---------------------------------------------
    @property
    def main(self) -> MainScreen | None:
        """The screen of the open file (None on the overview, before a file is opened)."""
        return self._main

    @property
    def overview(self) -> WorkspaceScreen | None:
        return self._overview

    @property
    def session(self) -> Session | None:
        """The open file's Session."""
        return self._main.session if self._main is not None else None

    @property
    def tree(self) -> TaskTree:
        return self.main.tree

    @property
    def header(self) -> StatusHeader:
        return self.main.header

    @property
    def path(self) -> Path:
        return self.session.path

    @property
    def settings(self) -> config_mod.Config:
        return self._settings

    @property
    def tasks_file(self) -> TasksFile | None:
        return self.session.tasks_file if self.session is not None else None

    @property
    def read_only_reason(self) -> str | None:
        return self.session.read_only_reason

    @property
    def running(self):
        return self.session.running

    @property
    def doc(self) -> Document | None:
        return self.tree.doc

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text: messages quote tasks, log entries and
        file names, which are data (see tasktui.doc.safetext), never markup."""
        super().notify(visible(str(message), multiline=True), title=visible(str(title)), severity=severity,
                       timeout=timeout, markup=False)

    def say(self, notices: Iterable[Notice]) -> None:
        for n in notices:
            self.notify(n.text, title=n.title, severity=n.severity, timeout=n.timeout)

    def _alive(self, session: Session | None = None) -> bool:
        """Whether the open file's screen is there (not while the app is closing, or
        after the file was closed); with ``session``: and that file is still the one open."""
        main = self._main
        return self.is_running and main is not None and main.is_attached and (session is None or main.session is session)

    def _header(self, session: Session, **what) -> None:
        """Show ``what`` in the header of ``session``'s file, if it is still open."""
        if self._alive(session):
            self.header.show(**what)

    def get_default_screen(self) -> Screen:
        return self._overview if self._overview is not None else self._main

    def on_mount(self) -> None:
        for notice in self._startup_notices:
            self.notify(notice, severity="warning", timeout=12)

    # -- the overview and the open file --------------------------------------------------------
    @on(WorkspaceScreen.OpenRequested)
    def _open_requested(self, event: WorkspaceScreen.OpenRequested) -> None:
        """Enter on the overview: the file on a MainScreen of its own, over the overview."""
        if self._main is not None:
            return
        self._main = MainScreen(self._session_for(event.path))
        self.push_screen(self._main)

    @on(MainScreen.OverviewRequested)
    def _overview_requested(self, _event: MainScreen.OverviewRequested) -> None:
        """``o``: close the file (after what is running for it) and show the overview again."""
        main = self._main
        if self._overview is None or main is None or self.screen is not main:
            return
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        for worker in self.workers:
            if worker.group == "load":
                worker.cancel()
        self._main = None
        self._partial_cursor = None
        if main.session.tasks_file is not None:  # what edits parsed, for the next open (after them)
            self._executor.submit(main.session.tasks_file.save_cache)
        self.pop_screen()
        gc.unfreeze()  # what was frozen for the file may be collected once it is let go
        self._overview.reread(main.session.path)
        self._overview.table.select_path(main.session.path)

    # -- loading ---------------------------------------------------------------------------
    def begin(self) -> None:
        """The main screen is composed (its on_mount, before the first frame): start loading."""
        self.header.show(file_name=self.session.shown_path, notice="Loading…")
        self._start_loading()

    def _start_loading(self) -> None:
        """Read the file and, for a big one, parse its top here, before the first frame
        (16 KB: about 20 ms), so that the first frame already shows tasks;
        the rest is parsed in a worker while the app answers keys."""
        session = self.session
        try:  # never a file its writer still has open
            snap = store.read_quiet(session.path, wait=False)
        except store.Busy:  # read in the loading thread once the writer is done
            self.header.show(notice=f"waiting for another program to finish writing {session.name}")
            ready = threading.Event()
            ready.set()
            self.load_file(session, None, {}, False, ready)
            return
        except (store.StoreError, OSError) as exc:
            self._load_failed(session, str(exc))
            return
        cache: dict = {}
        painted = threading.Event()
        loader.warm_for(snap.data)
        head = loader.parse_head_bytes(snap.data, cache)
        if head is None:
            painted.set()
        else:
            partial = session.document(head[0], head[1])
            self._show_partial(partial, snap.data)
            self.call_after_refresh(painted.set)
        self.load_file(session, snap, cache, head is not None, painted)

    @work(thread=True, exclusive=True, group="load")
    def load_file(self, session: Session, snap: store.Snapshot | None, cache: dict, partial: bool,
                  painted: threading.Event) -> None:
        """Parse the whole file (a big one in worker processes) and hand it to the app;
        without ``snap``, read it first, once no other program is writing it."""
        try:
            while snap is None:
                try:
                    snap = store.read_quiet(session.path)
                except store.WriterActive:  # still being written: the screen says so; keep waiting
                    if get_current_worker().is_cancelled:
                        return
            store.cleanup_stale_temps(session.path)
            painted.wait(2.0)  # let the first screen paint before the heavy part takes the GIL
            source = Source(snap.data)
            known = store_cache.load(session.path)  # what earlier opens parsed
            known.update(cache)  # and the top of the file, parsed for the first frame

            def progress(fraction: float) -> None:
                self.call_from_thread(self._header, session, notice=f"Loading… {fraction:.0%} (the first tasks are shown)")

            chunks = loader.parse_all(source.lines, known, progress=progress if partial else None)
            cache = known
            if get_current_worker().is_cancelled:
                return
            with gcpause.paused():
                doc = session.document(source, chunks)
                tf = session.open_file(snap, doc, cache)
                # what the first edit and the tree need, built here rather than on the UI
                # thread (a 50k-task file: ~0.3 s); then the garbage collector is told that
                # the document lives as long as the app, so it stops walking it
                _ = doc.keys
                tf.rollup.warm()
                outline = Outline(doc, tf.rollup)
                _ = outline.index  # what the filter reads (casefolded texts): not on the first key
                outline.ready.first_ready()  # what the file says about order, read here too
                gc.freeze()
        except (store.StoreError, OSError) as exc:
            self.call_from_thread(self._load_failed, session, str(exc))
            return
        self.call_from_thread(self._loaded, session, tf, outline)
        self._executor.submit(tf.save_cache)  # for the next open: on the edit thread, after the screen has its rows

    def _show_partial(self, doc: Document, data: bytes) -> None:
        self.session.loading(doc, data)
        outline = Outline(doc, RollUp(doc))
        first = self.session.first_task(outline.ready)
        self.main.show(doc, outline.rollup, focus_task=first, outline=outline,
                       notice=f"Loading… (the first {len(doc.tasks)} tasks are shown)", stale=False)
        # where the partial view put the cursor: if the user has not moved it by the
        # time the whole file is read, it goes to the first open task of the whole file
        self._partial_cursor = None if first is not None else self.tree.cursor

    def _load_failed(self, session: Session, message: str) -> None:
        if self._alive(session):
            self.header.show(notice=message)
            self.notify(message, severity="error", timeout=10)

    def _loaded(self, session: Session, tf: TasksFile, outline: Outline | None = None) -> None:
        if not self._alive(session):
            return  # closed (back to the overview) while it loaded
        early = bool(session.early)
        self.say(session.loaded(tf))
        if early:
            outline = None  # the file has the marks written meanwhile: not the loader's version
        partial = self.tree.doc is not None
        untouched = self._partial_cursor == self.tree.cursor
        if outline is None or outline.doc is not tf.doc:
            outline = Outline(tf.doc, tf.rollup)
        first = None if partial and not untouched else session.first_task(outline.ready)
        self.main.show(tf.doc, tf.rollup, focus_task=first, outline=outline)
        if self.main.jump_after_load:  # `n` pressed while only the top was shown
            self.main.jump_after_load = False
            if first is None:
                self.main.action_next_ready()
        # The document, its rows and the widgets live as long as the app: keep the
        # cyclic garbage collector from walking them again on every full collection
        # (150 ms and more for a 50k-task file, in the middle of a key press).
        gc.freeze()
        self._resume_timer()
        for problem in tf.doc.problems:
            self.notify(problem, severity="warning", timeout=12)
        self._tell_order_problems(outline.ready.deps.problems)
        self._offer_repair(tf.doc)
        # an edit that must wait for another program to finish writing says so (on the edit thread)
        tf.waiting = lambda sentence: self.call_from_thread(self._header, session, notice=sentence)
        if self.watch_file:
            path = session.path
            self.watcher = FileWatcher(path, lambda ev: self.post_message(FileChangedOnDisk(ev, path)))
            tf.written = self.watcher.set_known
            self.watcher.start(tf.snapshot.digest, tf.read_only_reason())
        for w in session.take_waiting():  # what was asked for while loading, in order
            if w.op == "undo" or w.op == "redo":
                self._run_edit(session.redo if w.op == "redo" else session.undo, focus_line=True, session=session)
            else:
                self.request_edit(w.op, quiet=w.quiet, focus_line=w.focus)
        # the git history is read only when asked for (H, the palette): on a long history its
        # first read is seconds of CPU, which would compete with the keys of a file just opened

    def _tell_order_problems(self, problems) -> None:
        """Cycles and missing references in what the file says about order: said once, on load."""
        if not problems:
            return
        first = min(problems, key=lambda p: p.line)
        many = f"{len(problems)} problems" if len(problems) > 1 else "A problem"
        self.notify(f"{many} with the order this file states. Line {first.line + 1}: {first.text}. "
                    f"`tasktui check {self.session.name}` lists them; the detail pane shows them on their tasks.",
                    severity="warning", timeout=12)

    def show_current(self, *, focus_task: Task | None = None) -> None:
        tf = self.tasks_file
        if tf is not None and self._alive():
            self.main.show(tf.doc, tf.rollup, focus_task=focus_task)
            self._paint_timer()

    # -- edits -------------------------------------------------------------------------------
    @on(MainScreen.EditRequested)
    def _edit_requested(self, event: MainScreen.EditRequested) -> None:
        self.request_edit(event.op, quiet=event.quiet, focus_line=event.focus)

    @on(TaskTree.ToggleRequested)
    def _toggle_requested(self, event: TaskTree.ToggleRequested) -> None:
        """Space on a task (the tree posts it straight here: no hops through the screen)."""
        if self.main.act_on_marked("toggle"):  # with tasks marked, space toggles them all
            return
        notice = self.session.why_not_editable_task(event.task)
        if notice is None:
            self.request_edit(edits.Toggle(self.session.key(event.task)), quiet=True)
        else:
            self.say([notice])

    def request_edit(self, op: edits.Edit, *, quiet: bool = False, focus_line: bool = False) -> None:
        """Apply a mark change right away when nothing is queued on the edit thread and
        it need not wait (the keypress's bytes reach the disk without a thread hop);
        else queue ``op`` on the edit thread, behind what came before. While the file
        is still loading, a mark on a task already shown is written at once, and any
        other edit waits for the load, in order."""
        session = self.session
        reason = session.why_not_editable()
        if reason is not None:
            self.say([reason])
            return
        if session.tasks_file is None:
            self._edit_while_loading(op, quiet, focus_line)
            return
        if isinstance(op, self.INSTANT_EDITS) and not self._edit_thread_busy():
            try:
                result = session.apply(op, wait=False)
            except store.Busy:
                pass  # the lock is held or the file is changing: wait on the edit thread
            except EDIT_ERRORS as exc:
                self._edit_failed(exc, session)
                return
            else:
                self._edit_done(result, quiet, focus_line, session=session)
                return
        self._run_edit(lambda: session.apply(op), quiet, focus_line, session=session)

    def _edit_while_loading(self, op: edits.Edit, quiet: bool, focus_line: bool) -> None:
        session = self.session
        partial = session.partial
        key = getattr(op, "key", None) or getattr(op, "after", None) or getattr(op, "under", None)
        task = partial.find(key) if partial is not None and key is not None else None
        if isinstance(op, self.INSTANT_EDITS) and task is not None and not session.waiting:
            try:
                result, doc = session.apply_early(op)
            except store.Busy:
                pass  # it waits for the load, below
            except EDIT_ERRORS as exc:
                self.say([session.failed(exc)])
                return
            else:
                self.main.show(doc, RollUp(doc), notice=False, stale=False)
                if not quiet or not result.changed:
                    self.notify(result.summary, timeout=3)
                return
        notice = session.wait_for_load(op, task, quiet=quiet, focus=focus_line)
        self.header.show(notice=notice.text)

    def _edit_thread_busy(self) -> bool:
        """Whether an edit, undo, booking or reload is queued or running on the edit thread."""
        return any(w.group == "edits" and not w.is_finished for w in self.workers)

    @work(group="edits")
    async def _run_edit(self, call, quiet: bool = False, focus_line: bool = False, session: Session | None = None) -> None:
        await self._apply(call, quiet, focus_line, session=session)

    async def _apply(self, call, quiet: bool = False, focus_line: bool = False, own_file: bool = True,
                     session: Session | None = None) -> EditResult | None:
        """Run ``call`` (an edit of ``session``'s file) on the edit thread and show its result."""
        session = session or self.session
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except EDIT_ERRORS as exc:
            self._edit_failed(exc, session)
            return None
        return self._edit_done(result, quiet, focus_line, own_file, session=session)

    def _edit_failed(self, exc: BaseException, session: Session) -> None:
        if self._alive(session):
            self.say([session.failed(exc)])
            self.show_current()
        else:
            self.notify(str(exc), title=f"Not written to {session.name}", severity="error", timeout=8)

    def _edit_done(self, result: EditResult | None, quiet: bool = False, focus_line: bool = False,
                   own_file: bool = True, *, session: Session) -> EditResult | None:
        if result is None:
            return None
        notices = session.edited(result, quiet=quiet, own_file=own_file)
        if self._alive(session):  # else written, but its file was closed meanwhile
            self.show_current(focus_task=session.focus_after(result) if focus_line else None)
            self.say(notices)
        return result

    @on(MainScreen.UndoRequested)
    def _undo_requested(self, event: MainScreen.UndoRequested) -> None:
        session = self.session
        if session.tasks_file is None:  # still loading: in its turn, once loaded
            self.header.show(notice=session.wait_for_load("redo" if event.redo else "undo", None).text)
            return
        self._run_edit(session.redo if event.redo else session.undo, focus_line=True, session=session)

    # -- changes made by other programs -----------------------------------------------------------
    def on_file_changed_on_disk(self, message: FileChangedOnDisk) -> None:
        if self.session is not None and message.path == self.session.path:  # not the watcher of a file closed since
            self._take_outside_change(message.event)

    @work(group="edits")
    async def _take_outside_change(self, event: FileEvent) -> None:
        session = self.session
        if session is None or session.tasks_file is None:
            return
        if event.writing:  # the file is shown as it was until its writer is done
            self._header(session, notice=f"waiting for another program to finish writing {session.name}")
            return
        before = self.doc
        # the event only says "look again": read what is on disk now, after any write
        # of ours that was queued before this, so nothing older wins
        taken = await asyncio.get_running_loop().run_in_executor(self._executor, session.take) \
            if event.snapshot is not None else None
        change = session.took(taken, before)
        if not self._alive(session):
            return
        self.show_current()
        self.say(change.notices)
        if change.flash:
            self.tree.set_marks(flash=set(change.flash))
            self.set_timer(1.5, self._clear_flash)

    def _clear_flash(self) -> None:
        if self._alive():
            self.tree.set_marks(flash=set())

    @on(MainScreen.EditorRequested)
    def _open_editor(self, event: MainScreen.EditorRequested) -> None:
        from tasktui.core.editor import EditorError, editor_command, runnable

        try:  # before the terminal is given away: a setting that cannot run changes nothing
            command = runnable(editor_command(self.path, event.line))
        except EditorError as exc:
            self.notify(str(exc), severity="warning")
            return
        failure: OSError | None = None
        try:
            with self.suspend():
                try:  # caught inside: the terminal is always taken back (Textual's suspend has no finally)
                    subprocess.run(command, check=False)
                except OSError as exc:
                    failure = exc
        except SuspendNotSupported:
            self.notify("This terminal cannot be handed to an editor.", severity="warning")
            return
        if failure is not None:
            self.notify(f"Could not start {command[0]}: {failure.strerror or failure}.", severity="error")
            return
        self.reload_from_disk()

    @work(group="edits")
    async def reload_from_disk(self) -> None:
        session = self.session
        tf = session.tasks_file if session is not None else None
        if tf is None:
            return
        try:  # on the edit thread, like every change to the tasks file
            changed = await asyncio.get_running_loop().run_in_executor(self._executor, tf.reload)
        except store.StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        if changed and self._alive(session):
            self.show_current()

    # -- the timer ---------------------------------------------------------------------------------
    def _resume_timer(self) -> None:
        notices, question = self.session.resume_timer()
        self.say(notices)
        if question is not None:
            from tasktui.ui.screens.time_dialog import LongTimerDialog

            def answer(choice: str | None) -> None:
                notice = self.session.long_timer(choice)
                if notice is not None:
                    self.say([notice])
                self._paint_timer()

            self.push_screen(LongTimerDialog(question), answer)
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._paint_timer)
        self._paint_timer()

    def _paint_timer(self) -> None:
        if self._alive():
            self.main.show_timer(*self.session.timer_shown(self.doc))

    @on(MainScreen.TimerRequested)
    def _timer_requested(self, event: MainScreen.TimerRequested) -> None:
        notices, booking = self.session.timer_pressed(event.task)
        self.say(notices)
        self._paint_timer()
        if booking is not None:
            self._book(booking)

    @work(group="edits")
    async def _book(self, booking: Booking) -> None:
        session = self.session
        mine = booking.timer.for_file(session.path)
        result = await self._apply(lambda: session.book(booking), own_file=mine, session=session)
        notice = session.booked(booking, result is not None)
        if notice is not None:
            self.say([notice])
        self._paint_timer()

    # -- progress over time (the file's git history) ---------------------------------------------
    @property
    def history_running(self) -> bool:
        return any(w.group == "history" and not w.is_finished for w in self.workers)

    def start_history(self, force: bool = False) -> None:
        """Read the file's history on a thread, unless it is being read or is up to date."""
        if not self.history_running and self.session.history_wanted(force):
            self._read_history()

    @work(thread=True, exclusive=True, group="history")
    def _read_history(self) -> None:
        from tasktui.core import history as history_mod

        worker = get_current_worker()
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - shown[0] >= 0.1:  # the screen need not hear of every version
                shown[0] = now
                self._from_thread(self._history_progress, done, total)

        try:
            found, of = self.session.read_history(progress, lambda: worker.is_cancelled)
        except history_mod.Stopped:
            return
        except (history_mod.HistoryError, store.StoreError) as exc:
            self._from_thread(self._history_done, None, None, str(exc))
            return
        self._from_thread(self._history_done, found, of, None)

    def _from_thread(self, callback, *args) -> None:
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:  # the app is closing
            pass

    def _history_progress(self, done: int, total: int) -> None:
        from tasktui.ui.screens.history import HistoryScreen

        if isinstance(self.screen, HistoryScreen):
            self.screen.show_progress(done, total)

    def _history_done(self, found, of: bytes | None, error: str | None) -> None:
        from tasktui.ui.screens.history import HistoryScreen

        self.session.history_read(found, of, error)
        if not self._alive():
            return
        self.main.set_history(found)
        screen = self.screen
        if isinstance(screen, HistoryScreen):
            screen.show_state()

    # -- settings and palette ---------------------------------------------------------------------
    def watch_theme(self, theme: str) -> None:
        if theme != self._settings.theme:
            self._settings = replace(self._settings, theme=theme)
            if self.session is not None:
                self.session.settings = replace(self.session.settings, theme=theme)
            try:
                config_mod.save(replace(config_mod.load(), theme=theme))
            except config_mod.SaveError as exc:
                self.notify(str(exc), severity="warning")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        if main is None or screen is not main:
            return
        for binding in MainScreen.BINDINGS:
            if binding.action in ("app.quit",):
                continue
            yield SystemCommand(binding.description, f"key: {binding.key}",
                                lambda a=binding.action: main.run_action(a))
        yield SystemCommand("Repair mojibake", "rewrite â¬œ-style garbled characters, after showing the change", self.action_repair)
        yield SystemCommand("Add log entry", "a Blocker or Decision for the log", main.action_add_log_entry)
        yield SystemCommand("Sync progress lines", "make Completion Status and Time Tracking state the truth",
                            lambda: self.request_edit(edits.Sync()))
        yield SystemCommand("Collapse all", "fold every section", lambda: self.tree.set_all_collapsed(True))
        yield SystemCommand("Expand all", "unfold every section", lambda: self.tree.set_all_collapsed(False))
        yield from main.reorder_commands()

    # -- mojibake -------------------------------------------------------------------------------------
    def _offer_repair(self, doc: Document) -> None:
        from tasktui.doc import repair

        fixes = repair.find(doc.source)
        if fixes and not self.read_only_reason:
            sample = ", ".join(sorted({f"{f.old}→{f.new}" for f in fixes})[:3])
            self.notify(f"{len(fixes)} garbled characters (mojibake: {sample}). "
                        "ctrl+p “Repair mojibake” shows the change and fixes them.", timeout=8)

    def action_repair(self) -> None:
        from tasktui.doc import repair
        from tasktui.ui.screens.dialogs import ConfirmScreen

        reason = self.session.why_not_editable()
        if reason is not None:
            self.say([reason])
            return
        source = self.session.doc.source
        fixes = repair.find(source)
        if not fixes:
            self.notify("No mojibake in this file.")
            return
        lines = repair.diff(source, fixes, self.path.name).splitlines()
        shown = "\n".join(lines[:24]) + (f"\n… and {len(lines) - 24} more lines" if len(lines) > 24 else "")

        def answer(yes: bool | None) -> None:
            if yes:
                self.request_edit(edits.Repair())

        self.push_screen(ConfirmScreen(f"Rewrite {len(fixes)} mojibake sequence(s)? Nothing else changes; u undoes it.\n\n{shown}",
                                       yes="Repair", no="Cancel"), answer)

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self._executor.shutdown(wait=True)
        if self.tasks_file is not None:
            self.tasks_file.save_cache()  # what edits parsed, for the next open
        gc.unfreeze()  # what the app froze may be collected again (the app's end need not be the process's)

