"""The Textual app: a router. It shows the workspace overview (``tasktui DIR``)
or a file; for the open file it loads it, shows a MainScreen and routes the
screen's intents to that file's Session (tasktui.core.session), whose rules need no
Textual: every edit is queued, in the order asked for, for the one edit thread
(a key handler never touches the file), changes made by other programs come
from the watcher, and each new version goes back to the screen. Quitting waits
for the edits still queued. From the overview, Enter opens a file (a MainScreen
pushed over it) and ``o`` closes it again.

One file is open at a time. Work started for a file (its loading, an edit on
the edit thread, a change seen on disk) checks, when it ends, that its Session
is still the open one, and otherwise leaves the screen alone."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import signal
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.message import Message
from textual.screen import Screen

from tasktui.storage import config as config_mod
from tasktui.core import gcpause
from tasktui.storage import cache as store_cache, store
from tasktui.doc import edits
from tasktui.doc.model import Document, Task
from tasktui.doc.rollup import RollUp
from tasktui.core.outline import Outline
from tasktui.doc.safetext import visible
from tasktui.ui.screens.main import MainScreen
from tasktui.core.session import EDIT_ERRORS, Booking, Notice, Session
from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.storage.watch import FileEvent, FileWatcher
from tasktui.ui.widgets.status_header import StatusHeader
from tasktui.ui.widgets.task_tree import TaskTree

if TYPE_CHECKING:
    from tasktui.ui.screens.workspace import WorkspaceScreen


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

    QUIT_NOTICE_AFTER = 1.0  # seconds: quitting with edits still being written says so after this

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
        # the one edit thread: every read and write of the open file, in the order asked for
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-edit")
        # what is kept for the next open (tasktui.core.opener): written beside the edit
        # thread, so that the first key after loading never waits for it
        self._keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-keep")
        self._pending: list[Future] = []  # what was queued on it and is not done yet
        self._signals: list[int] = []  # the signals whose handlers on_mount set (on_unmount takes them away)
        self.watcher: FileWatcher | None = None
        self.watch_file = True
        self._partial_cursor: int | None = None
        self._ticker = None
        self.workspace = Path(workspace) if workspace is not None else None
        self._overview: WorkspaceScreen | None = None
        if workspace is not None:
            from tasktui.ui.screens.workspace import WorkspaceScreen

            self._overview = WorkspaceScreen(self.workspace, list(files), settings, clock)
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

    TOAST_SECONDS = {"information": 3.0, "warning": 5.0, "error": 8.0}
    """How long a toast stays, at most, by severity (a click closes it sooner)."""
    TOAST_LINES = 2  # a toast's height at most, its title included

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text: messages quote tasks, log entries and
        file names, which are data (see tasktui.doc.safetext), never markup.

        Toasts stay small (they cover the tree): at most TOAST_LINES lines at the
        width they get (a title leads the message on its first line; what does not
        fit ends in "…"), for at most TOAST_SECONDS."""
        text = visible(str(message), multiline=True)
        if title:
            text = f"{visible(str(title))}: {text}"
        cap = self.TOAST_SECONDS.get(severity, self.TOAST_SECONDS["error"])
        super().notify(self._toast_text(text), severity=severity,
                       timeout=cap if timeout is None else min(timeout, cap), markup=False)

    def _toast_text(self, text: str) -> str:
        """``text`` cut to the lines a toast has at this width (see tasktui.tcss: Toast)."""
        from rich.text import Text

        # its max-width (90% of the rack, less the rack's scrollbar), less its border and padding
        room = max(20, int((self.size.width - 2) * 0.9) - 3)
        lines = Text(text).wrap(self.console, room, overflow="fold")
        if len(lines) <= self.TOAST_LINES:
            return text
        kept = lines[: self.TOAST_LINES]
        last = kept[-1]
        last.rstrip()
        last.truncate(room - 1)
        last.append("…")
        return "\n".join(line.plain for line in kept)

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
        # told to end (SIGTERM, or SIGHUP: its terminal closed): quit as `q` does, so the
        # edits asked for are written and what is kept for the next open is kept
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.action_quit)
                self._signals.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not where signals can be had (another thread, another platform)

    # -- the overview and the open file --------------------------------------------------------
    def on_workspace_screen_open_requested(self, event: WorkspaceScreen.OpenRequested) -> None:
        """Enter on the overview: the file on a MainScreen of its own, over the overview
        (a handler by name: the overview's screen is imported only for ``tasktui DIR``)."""
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
        main.session.handover(None, f"{main.session.name} was closed before it was read; nothing was written.")
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
        (16 KB: about 20 ms), so that the first frame already shows tasks; the rest is
        opened (tasktui.core.opener) in a worker while the app answers keys."""
        session = self.session
        try:  # never a file its writer still has open
            snap = session.opener.read(wait=False)
        except store.Busy:  # read in the loading thread once the writer is done
            self.header.show(notice=f"waiting for another program to finish writing {session.name}")
            ready = threading.Event()
            ready.set()
            self.load_file(session, None, False, ready)
            return
        except (store.StoreError, OSError) as exc:
            self._load_failed(session, str(exc))
            return
        painted = threading.Event()
        head = session.opener.head(snap)
        if head is None:
            painted.set()
        else:
            self._show_partial(head, snap)
            self.call_after_refresh(painted.set)
        self.load_file(session, snap, head is not None, painted)

    @work(thread=True, exclusive=True, group="load")
    def load_file(self, session: Session, snap: store.Snapshot | None, partial: bool, painted: threading.Event) -> None:
        """Open the whole file (tasktui.core.opener) and hand it to the app; without
        ``snap``, read it first, once no other program is writing it."""
        try:
            while snap is None:
                try:
                    snap = session.opener.read()
                except store.WriterActive:  # still being written: the screen says so; keep waiting
                    if get_current_worker().is_cancelled:
                        return
            store.cleanup_stale_temps(session.path)
            painted.wait(2.0)  # let the first screen paint before the heavy part takes the GIL

            def progress(fraction: float) -> None:
                self.call_from_thread(self._header, session, notice=f"Loading… {fraction:.0%} (the first tasks are shown)")

            opened = session.opener.whole(snap, progress=progress if partial else None)
            if get_current_worker().is_cancelled:
                return
            with gcpause.paused():
                doc = opened.doc
                tf = session.open_file(opened.snapshot, doc, session.opener.cache, opened.rollup)
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
        self._keeper.submit(session.opener.keep, doc)  # for the next open, even one after a kill

    def _show_partial(self, doc: Document, snapshot: store.Snapshot) -> None:
        self.session.loading(doc, snapshot)
        outline = Outline(doc, RollUp(doc))
        first = self.session.first_task(outline.ready)
        self.main.show(doc, outline.rollup, focus_task=first, outline=outline,
                       notice=f"Loading… (the first {len(doc.tasks)} tasks are shown)", stale=False)
        # where the partial view put the cursor: if the user has not moved it by the
        # time the whole file is read, it goes to the first open task of the whole file
        self._partial_cursor = None if first is not None else self.tree.cursor

    def _load_failed(self, session: Session, message: str) -> None:
        session.handover(None, message)  # edits waiting for the whole file end with this sentence
        if self._alive(session):
            self.header.show(notice=message)
            self.notify(message, severity="error", timeout=10)

    def _loaded(self, session: Session, tf: TasksFile, outline: Outline | None = None) -> None:
        """The loader read the whole file: it is taken in on the edit thread, after the
        edits asked for while it loaded (and before any asked for from now on)."""
        if not self._alive(session):
            session.handover(None, f"{session.name} was closed before it was read; nothing was written.")
            return  # closed (back to the overview) while it loaded
        # an edit that must wait for another program to finish writing says so (on the edit thread)
        tf.waiting = lambda sentence: self._from_thread(lambda: self._header(session, notice=sentence))
        if self.watch_file:
            path = session.path
            self.watcher = FileWatcher(path, lambda ev: self.post_message(FileChangedOnDisk(ev, path)))
            tf.written = self.watcher.set_known
            self.watcher.start(tf.snapshot.digest, tf.read_only_reason())
        session.handover(tf)

        def done(notices: list[Notice] | None, error: BaseException | None) -> None:
            if error is not None:
                self._load_failed(session, str(error))
            elif self._alive(session):
                self._show_loaded(session, tf, outline, notices)

        self._on_edit_thread(session.integrate, done)

    def _show_loaded(self, session: Session, tf: TasksFile, outline: Outline | None, notices: list[Notice]) -> None:
        self.say(notices)
        partial = self.tree.doc is not None
        untouched = self._partial_cursor == self.tree.cursor
        doc, rollup = tf.current  # one version, with its numbers (the edit thread may be making the next)
        if outline is None or outline.doc is not doc:  # the marks written meanwhile: not the loader's version
            outline = Outline(doc, rollup)
        first = None if partial and not untouched else session.first_task(outline.ready)
        self.main.show(doc, rollup, focus_task=first, outline=outline)
        if self.main.jump_after_load:  # `n` pressed while only the top was shown
            self.main.jump_after_load = False
            if first is None:
                self.main.action_next_ready()
        # The document, its rows and the widgets live as long as the app: keep the
        # cyclic garbage collector from walking them again on every full collection
        # (150 ms and more for a 50k-task file, in the middle of a key press).
        gc.freeze()
        self._resume_timer()
        for problem in doc.problems:
            self.notify(problem, severity="warning", timeout=12)
        self._tell_order_problems(outline.ready.deps.problems)
        self._offer_repair(doc)
        if self.WARM_UP:
            self.call_after_refresh(self._warm_up)
        # the git history is read only when asked for (H, the palette): on a long history its
        # first read is seconds of CPU, which would compete with the keys of a file just opened

    WARM_UP = True
    """Once the whole file is on screen, import on a thread what the first frame did not
    need and the first keys do (the edit planners, markdown for the detail pane and for
    parsing an edit, the dialogs, the resolver of ``g``): the first key stays fast."""

    @work(thread=True, exclusive=True, group="warm")
    def _warm_up(self) -> None:
        from tasktui.doc import parse

        edits.warm()  # the planners, first: a space pressed at once needs them
        parse.warm()  # markdown-it, with which the edit's check parses what it changed
        import rich.markdown  # noqa: F401  the detail pane's renderer
        import tasktui.doc.refs  # noqa: F401
        import tasktui.ui.screens.dialogs  # noqa: F401

    def _tell_order_problems(self, problems) -> None:
        """Cycles and missing references in what the file says about order: said once, on load."""
        if not problems:
            return
        first = min(problems, key=lambda p: p.line)
        many = f"{len(problems)} problems" if len(problems) > 1 else "A problem"
        self.notify(f"{many} with the order this file states; line {first.line + 1}: {first.text}. "
                    f"`tasktui check {self.session.shown_path}` lists them.", severity="warning")

    def show_current(self, *, focus_task: Task | None = None) -> None:
        """Show the open file's current version (while it loads: its top, with the marks written on it)."""
        session = self.session
        if session is None or not self._alive():
            return
        tf = session.tasks_file or session.early_file
        if tf is None:
            return
        doc, rollup = tf.current
        self.main.show(doc, rollup, focus_task=focus_task, stale=False if tf.partial else None)
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
            self.request_edit(self.session.toggle_op(event.task), quiet=True)
        else:
            self.say([notice])

    def request_edit(self, op: edits.Edit, *, quiet: bool = False, focus_line: bool = False) -> None:
        """Queue ``op`` for the edit thread, behind every edit asked for before it: keys are
        written in the order they came, each planned on the result of the one before,
        and the key's own turn never touches the file. While the file loads, a mark on a
        task shown is written at once on the bytes read; other edits wait for the whole file."""
        session = self.session
        reason = session.why_not_editable()
        if reason is not None:
            self.say([reason])
            return

        def waiting() -> None:  # on the edit thread: this edit waits for the whole file
            self._from_thread(self._say_waiting, session)

        def done(result: EditResult | None, error: BaseException | None) -> None:
            if error is not None:
                self._edit_failed(error, session, op)
            else:
                self._edit_done(result, quiet, focus_line, session=session)

        self._on_edit_thread(lambda: session.run(op, waiting), done)

    def _say_waiting(self, session: Session) -> None:
        n = sum(1 for f in self._pending if not f.done())
        self._header(session, notice=f"{n} edit{'s' if n != 1 else ''} waiting for the file to load.")

    def _on_edit_thread(self, call, done) -> None:
        """Run ``call`` on the edit thread after everything queued there before it, then
        ``done(result, None)``, or ``done(None, error)`` for one of EDIT_ERRORS, here."""
        future = self._executor.submit(call)
        self._pending.append(future)
        self._finish(future, done)

    @work(group="edits")
    async def _finish(self, future: Future, done) -> None:
        try:
            try:
                result = await asyncio.wrap_future(future)
            except EDIT_ERRORS as exc:
                done(None, exc)
            else:
                done(result, None)
        finally:
            self._pending.remove(future)

    def edits_pending(self) -> int:
        """How many edits (or other work on the file) are queued or running on the edit
        thread, or done there and not yet shown."""
        return len(self._pending)

    def _edit_failed(self, exc: BaseException, session: Session, op: edits.Edit | None = None) -> None:
        if not self._alive(session):
            self.notify(str(exc), title=f"Not written to {session.shown_path}", severity="error", timeout=8)
            return
        self.show_current()
        if isinstance(exc, edits.TextChanged) and isinstance(op, edits.EditText):
            self._ask_text_conflict(session, op, exc)
            return
        self.say([session.failed(exc)])

    def _ask_text_conflict(self, session: Session, op: edits.EditText, exc: edits.TextChanged) -> None:
        """Another program changed the text of the task being edited: both texts, and the choice."""
        from tasktui.ui.screens.text_conflict import TextConflictScreen

        def answer(choice: str | None) -> None:
            if choice == "mine":
                self.request_edit(edits.EditText(op.key, exc.mine, expect=exc.theirs), focus_line=True)
            elif choice == "again" and self._alive(session):
                self.main.edit_text_again(op.key, exc.theirs, exc.mine)
            else:
                self.notify("Kept the text the other program wrote; yours was not written.", timeout=4)

        self.push_screen(TextConflictScreen(exc.theirs, exc.mine, exc.base), answer)

    def _edit_done(self, result: EditResult | None, quiet: bool = False, focus_line: bool = False, *,
                   session: Session) -> EditResult | None:
        if result is None:
            return None
        notices = session.edited(result, quiet=quiet)
        if self._alive(session):  # else written, but its file was closed meanwhile
            focus = session.focus_after(result) if focus_line and session.tasks_file is not None else None
            self.show_current(focus_task=focus)
            self.say(notices)
        return result

    @on(MainScreen.UndoRequested)
    def _undo_requested(self, event: MainScreen.UndoRequested) -> None:
        session = self.session

        def done(result: EditResult | None, error: BaseException | None) -> None:
            if error is not None:
                self._edit_failed(error, session)
            elif result is None:
                self.notify("Nothing to redo." if event.redo else "Nothing to undo.")
            else:
                self._edit_done(result, focus_line=True, session=session)

        self._on_edit_thread(session.redo if event.redo else session.undo, done)

    # -- changes made by other programs -----------------------------------------------------------
    def on_file_changed_on_disk(self, message: FileChangedOnDisk) -> None:
        if self.session is not None and message.path == self.session.path:  # not the watcher of a file closed since
            self._take_outside_change(message.event)

    @work(group="edits")
    async def _take_outside_change(self, event: FileEvent) -> None:
        session = self.session
        if session is None:
            return
        if event.writing:  # the file is shown as it was until its writer is done
            self._header(session, notice=f"waiting for another program to finish writing {session.name}")
            return
        before = self.doc
        # the event only says "look again": read what is on disk now, on the edit thread,
        # after any write of ours that was queued before this, so nothing older wins
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
        def reload() -> bool:  # what you changed in your editor is yours: nothing of it is "lost"
            changed = tf.reload()
            tf.take_lost()
            return changed

        try:  # on the edit thread, like every change to the tasks file
            changed = await asyncio.get_running_loop().run_in_executor(self._executor, reload)
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
                notice, booking = self.session.long_timer(choice)
                if notice is not None:
                    self.say([notice])
                self._paint_timer()
                if booking is not None:
                    self._book(booking)

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

    def _book(self, booking: Booking) -> None:
        session = self.session

        def done(result: EditResult | None, error: BaseException | None) -> None:
            if error is not None:
                self._edit_failed(error, session)
            else:
                self._edit_done(result, session=session)
            notice = session.booked(booking, error is None)
            if notice is not None:
                self.say([notice])
            self._paint_timer()

        self._on_edit_thread(lambda: session.book(booking), done)

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
            if binding.action in ("app.quit",) or main.check_action(binding.action, ()) is False:
                continue  # quit is the palette's own; an action that cannot be done now is not offered
            yield SystemCommand(binding.description, f"key: {binding.key}",
                                lambda a=binding.action: main.run_action(a))
        yield SystemCommand("Repair mojibake", "rewrite â¬œ-style garbled characters, after showing the change", self.action_repair)
        yield SystemCommand("Add log entry", "a Blocker or Decision for the log", main.action_add_log_entry)
        yield SystemCommand("Sync progress lines", "make Completion Status and Time Tracking state the truth",
                            lambda: self.request_edit(edits.Sync()))
        yield SystemCommand("Collapse all", "fold every section", lambda: self.tree.set_all_collapsed(True))
        yield SystemCommand("Expand all", "unfold every section", lambda: self.tree.set_all_collapsed(False))
        yield from main.reorder_commands()
        yield from main.state_commands()

    # -- mojibake -------------------------------------------------------------------------------------
    def _offer_repair(self, doc: Document) -> None:
        from tasktui.doc import repair

        fixes = repair.find(doc.source)
        if fixes and not self.read_only_reason:
            sample = ", ".join(sorted({f"{f.old}→{f.new}" for f in fixes})[:3])
            if first_time(self.path, "mojibake " + " ".join(sorted({f.old for f in fixes}))):
                self.notify(f"{len(fixes)} garbled characters ({sample}): ctrl+p “Repair mojibake” fixes them.")

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

    def action_quit(self) -> None:
        """Quit once the edits asked for are written: none is dropped (after a second of
        waiting, a notice says what it waits for)."""
        pending = [f for f in self._pending if not f.done()]
        if pending:
            self._quit_when_written(pending)
        else:
            self.exit()

    @work(group="quit", exclusive=True)
    async def _quit_when_written(self, pending: list[Future]) -> None:
        n = len(pending)
        timer = self.set_timer(self.QUIT_NOTICE_AFTER, lambda: self.notify(
            f"Writing {n} edit{'s' if n != 1 else ''} before quitting…", timeout=10))
        waited = [asyncio.wrap_future(f) for f in pending]
        await asyncio.wait(waited)
        for w in waited:
            w.exception()  # each failure was said where the edit was shown (_finish)
        timer.stop()
        self.exit()

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        session = self.session
        if session is not None:  # edits waiting for a file never read end, rather than wait forever
            session.handover(None, f"tasktui quit before {session.name} was read; nothing was written.")
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)
        self._executor.shutdown(wait=True)
        self._keeper.shutdown(wait=True)
        if self.tasks_file is not None:
            self.tasks_file.save_cache()  # what edits parsed, and the version now on disk, for the next open
        gc.unfreeze()  # what the app froze may be collected again (the app's end need not be the process's)


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
