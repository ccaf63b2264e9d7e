"""The Textual app: a router. It shows the workspace overview (``tasktui DIR``)
or a file's MainScreen, which opens its file (through its Session, the file's state
and rules: tasktui.core.session). The screen's intents go to the one edit thread
(tasktui.core.editthread), in the order asked for, as do the watcher's reports of
other programs' changes; each result goes back to the screen. Quitting waits for
the edits still queued. From the overview, Enter opens a file and ``o`` closes it.

One file is open at a time. Work started for a file (its loading, an edit on
the edit thread, a change seen on disk) checks, when it ends, that its Session
is still the open one, and otherwise leaves the screen alone."""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import on, work
from textual.app import App
from textual.message import Message
from textual.screen import Screen

from tasktui.core.editthread import EditThread
from tasktui.core.outline import Outline
from tasktui.core.session import Session
from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.doc import edits
from tasktui.doc.safetext import visible
from tasktui.storage import config as config_mod
from tasktui.storage import store
from tasktui.storage.watch import FileEvent
from tasktui.ui.screens.main import MainScreen
from tasktui.ui.widgets.plain import cut_lines
from tasktui.ui.widgets.task_tree import TaskTree

if TYPE_CHECKING:
    from textual.command import Provider

    from tasktui.ui.screens.history import HistoryScreen
    from tasktui.ui.screens.workspace import WorkspaceScreen


@dataclass
class FileChangedOnDisk(Message):
    """The watcher of the file at ``path`` saw it change (content, existence or writability)."""

    event: FileEvent
    path: Path


def file_commands() -> type[Provider]:
    """The palette's entries for the open file (imported when the palette first opens)."""
    from tasktui.ui.commands import FileCommands

    return FileCommands


class TaskTuiApp(App[int]):
    CSS_PATH = "tasktui.tcss"
    TITLE = "tasktui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {file_commands}

    QUIT_NOTICE_AFTER = 1.0  # seconds: quitting with edits still being written says so after this
    TOAST_SECONDS = {"information": 3.0, "warning": 5.0, "error": 8.0}
    """How long a toast stays, at most, by severity (a click closes it sooner)."""
    TOAST_LINES = 2  # a toast's height at most, its title included
    WARM_UP = True  # once the whole file is shown, import what the first keys need (MainScreen.warm_up)

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
        self.settings = settings if sync is None else replace(settings, sync=sync)
        self._read_only = read_only
        self._clock = clock
        self._startup_notices = list(notices)  # e.g. a config file that was moved aside
        self.edit_thread = EditThread()  # every read and write of the open file, in the order asked for
        self._signals: list[int] = []  # the signals whose handlers on_mount set (on_unmount takes them away)
        self.workspace = Path(workspace) if workspace is not None else None
        self.overview: WorkspaceScreen | None = None  # the workspace overview (``tasktui DIR``)
        if workspace is not None:
            from tasktui.ui.screens.workspace import WorkspaceScreen

            self.overview = WorkspaceScreen(self.workspace, list(files), self.settings, clock)
        # the screen of the open file (None on the overview, before a file is opened)
        self.main: MainScreen | None = None if path is None else MainScreen(
            Session(path, self.settings, read_only=read_only, clock=clock, dialect=dialect))
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme

    # -- what is open ----------------------------------------------------------------------
    @property
    def session(self) -> Session | None:
        """The open file's Session."""
        return self.main.session if self.main is not None else None

    @property
    def tasks_file(self) -> TasksFile | None:
        return self.session.tasks_file if self.session is not None else None

    def _alive(self, session: Session | None = None) -> bool:
        """Whether the open file's screen is there (the app not closing); with ``session``: its file's."""
        main = self.main
        return self.is_running and main is not None and main.is_attached and (session is None or main.session is session)

    def _notice(self, session: Session, sentence: str | None) -> None:
        """``sentence`` in the header of ``session``'s file, if it is still open."""
        if self._alive(session):
            self.main.tell(sentence)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text (it quotes file text: tasktui.doc.safetext), and
        small (toasts cover the tree): at most TOAST_LINES lines, for at most TOAST_SECONDS."""
        text = visible(str(message), multiline=True)
        if title:
            text = f"{visible(str(title))}: {text}"
        # a toast's max-width (90% of the rack, less the rack's scrollbar), less its border and padding
        text = cut_lines(text, max(20, int((self.size.width - 2) * 0.9) - 3), self.TOAST_LINES, self.console)
        cap = self.TOAST_SECONDS.get(severity, self.TOAST_SECONDS["error"])
        super().notify(text, severity=severity, timeout=cap if timeout is None else min(timeout, cap), markup=False)

    def get_default_screen(self) -> Screen:
        return self.overview if self.overview is not None else self.main

    def on_mount(self) -> None:
        for notice in self._startup_notices:
            self.notify(notice, severity="warning", timeout=12)
        # told to end (SIGTERM, or SIGHUP: its terminal closed): quit as `q` does, so the
        # edits asked for are written and what is kept for the next open is kept
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with suppress(NotImplementedError, RuntimeError, ValueError):  # not where signals can be had
                loop.add_signal_handler(sig, self.action_quit)
                self._signals.append(sig)

    # -- the overview and the open file --------------------------------------------------------
    def on_workspace_screen_open_requested(self, event: WorkspaceScreen.OpenRequested) -> None:
        """Enter on the overview: the file on a MainScreen of its own, over the overview
        (a handler by name: the overview's screen is imported only for ``tasktui DIR``)."""
        if self.main is None:
            session = Session(event.path, self.settings, read_only=self._read_only, clock=self._clock)
            self.main = MainScreen(session, overview=True)
            self.push_screen(self.main)

    @on(MainScreen.OverviewRequested)
    def _overview_requested(self, _event: MainScreen.OverviewRequested) -> None:
        """``o``: close the file (after what is running for it) and show the overview again."""
        main = self.main
        if self.overview is None or main is None or self.screen is not main:
            return
        for worker in self.workers:
            if worker.group == "load":
                worker.cancel()
        main.session.close(f"{main.session.name} was closed before it was read; nothing was written.")
        self.main = None
        if main.session.tasks_file is not None:  # what edits parsed, for the next open (after them)
            self.edit_thread.submit(main.session.tasks_file.save_cache)
        self.pop_screen()
        gc.unfreeze()  # what was frozen for the file may be collected once it is let go
        self.overview.reread(main.session.path)
        self.overview.table.select_path(main.session.path)

    # -- loading ---------------------------------------------------------------------------
    @on(MainScreen.Loaded)
    def _loaded(self, event: MainScreen.Loaded) -> None:
        """The main screen opened the whole file: taken in on the edit thread after the edits asked
        for while it loaded (before any asked for from now on), watched, kept for the next open."""
        session, tf, outline = event.session, event.tasks_file, event.outline
        if self._alive(session):  # else closed while it loaded (Session.close ended what waited for it)
            # an edit that must wait for another program to finish writing says so (on the edit thread)
            tf.waiting = lambda sentence: self._from_thread(self._notice, session, sentence)
            session.watch(tf, lambda event: self.post_message(FileChangedOnDisk(event, session.path)))
            session.handover(tf)

            def done(notices, error: BaseException | None) -> None:
                if error is not None:
                    self.main.load_failed(str(error))
                elif self._alive(session):
                    self._show_loaded(tf, outline, notices)

            self._on_edit_thread(session.integrate, done)
        self.edit_thread.keep(session.opener.keep, tf.doc)  # for the next open, even one after a kill

    def _show_loaded(self, tf: TasksFile, outline: Outline, notices) -> None:
        self.main.say(notices)
        self.main.show_loaded(*tf.current, outline)  # one version, with its numbers
        # what is shown lives as long as the file is open: the garbage collector stops walking
        # it on every full collection (150 ms and more for a 50k-task file, during a key press)
        gc.freeze()
        if self.WARM_UP:
            self.call_after_refresh(self.main.warm_up)

    def _from_thread(self, callback, *args) -> None:
        with suppress(RuntimeError):  # the app is closing
            self.call_from_thread(callback, *args)

    # -- edits -------------------------------------------------------------------------------
    @on(TaskTree.ToggleRequested)
    def _toggle_requested(self, event: TaskTree.ToggleRequested) -> None:
        """Space on a task (the tree posts it straight here: no hops through the screen)."""
        if self.main.act_on_marked("toggle"):  # with tasks marked, space toggles them all
            return
        notice = self.session.why_not_editable_task(event.task)
        if notice is None:
            self._edit_requested(MainScreen.EditRequested(self.session.toggle_op(event.task), quiet=True))
        else:
            self.main.say([notice])

    @on(MainScreen.EditRequested)
    def _edit_requested(self, event: MainScreen.EditRequested) -> None:
        """Queue the edit behind every edit asked for before it: each is planned on the result
        of the one before, and the key's own turn never touches the file. While the file loads,
        a mark on a task shown is written at once on the bytes read; others wait for the whole file."""
        session, op = self.session, event.op
        reason = session.why_not_editable()
        if reason is not None:
            self.main.say([reason])
            return

        def waiting() -> None:  # on the edit thread: this edit waits for the whole file
            n = self.edit_thread.unfinished()
            self._from_thread(self._notice, session, f"{n} edit{'s' if n != 1 else ''} waiting for the file to load.")

        self._on_edit_thread(lambda: session.run(op, waiting), self._shown(
            session, lambda result: self.main.edited(result, quiet=event.quiet, focus=event.focus), op))

    @on(MainScreen.UndoRequested)
    def _undo_requested(self, event: MainScreen.UndoRequested) -> None:
        session, nothing = self.session, "Nothing to redo." if event.redo else "Nothing to undo."
        self._on_edit_thread(session.redo if event.redo else session.undo, self._shown(
            session, lambda result: self.main.edited(result, focus=True, nothing=nothing)))

    @on(MainScreen.BookingRequested)
    def _booking_requested(self, event: MainScreen.BookingRequested) -> None:
        """A stopped timer's time, written to its task; if it cannot be, the timer runs on."""
        session, booking = self.session, event.booking
        shown = self._shown(session, lambda result: self.main.edited(result))

        def done(result: EditResult | None, error: BaseException | None) -> None:
            notice = session.booked(booking, error is None)  # first: the version shown shows the timer as it is
            shown(result, error)
            if notice is not None:
                self.notify(notice.text, severity=notice.severity, timeout=notice.timeout)

        self._on_edit_thread(lambda: session.book(booking), done)

    def _on_edit_thread(self, call, done) -> None:
        """``call`` on the edit thread after what was queued before it; then ``done`` here (EditThread.finish)."""
        self.run_worker(self.edit_thread.finish(self.edit_thread.submit(call), done), group="edits")

    def _shown(self, session: Session, show, op: edits.Edit | None = None):
        """A ``done``: the result to ``show`` on the file's screen, a failure said (there, while it is open)."""
        def done(result, error: BaseException | None) -> None:
            if self._alive(session):
                self.main.edit_failed(error, op) if error is not None else show(result)
            elif error is not None:
                self.notify(str(error), title=f"Not written to {session.shown_path}", severity="error", timeout=8)
        return done

    # -- changes made by other programs, and by the user's editor ---------------------------------
    @work(group="edits")
    async def on_file_changed_on_disk(self, message: FileChangedOnDisk) -> None:
        session, event = self.session, message.event
        if session is None or message.path != session.path:  # the watcher of a file closed since
            return
        if event.writing:  # the file is shown as it was until its writer is done
            self._notice(session, f"waiting for another program to finish writing {session.name}")
            return
        before = session.shown  # the version on screen
        # the event only says "look again": read what is on disk now, on the edit thread,
        # after any write of ours that was queued before this, so nothing older wins
        taken = await self.edit_thread.run(session.take) if event.snapshot is not None else None
        change = session.took(taken, before)
        if self._alive(session):
            self.main.took(change)

    @on(MainScreen.EditorClosed)
    @work(group="edits")
    async def _editor_closed(self, _event: MainScreen.EditorClosed) -> None:
        session = self.session
        if session is None or session.tasks_file is None:
            return
        try:  # on the edit thread, like every change to the tasks file
            changed = await self.edit_thread.run(session.reread)
        except store.StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        if changed and self._alive(session):
            self.main.show_current()

    def on_history_screen_read_requested(self, event: HistoryScreen.ReadRequested) -> None:
        """Its main screen reads the file's history (a handler by name: imported only when shown)."""
        if self._alive():
            self.main.read_history(event.force)

    # -- settings, quitting ------------------------------------------------------------------------
    def watch_theme(self, theme: str) -> None:
        if theme != self.settings.theme:
            self.settings = replace(self.settings, theme=theme)
            if self.session is not None:
                self.session.settings = replace(self.session.settings, theme=theme)
            try:
                config_mod.save(replace(config_mod.load(), theme=theme))
            except config_mod.SaveError as exc:
                self.notify(str(exc), severity="warning")

    def action_quit(self) -> None:
        """Quit once the edits asked for are written: none is dropped (after a second of
        waiting, a notice says what it waits for)."""
        if self.edit_thread.unfinished():
            self._quit_when_written(self.edit_thread.unfinished())
        else:
            self.exit()

    @work(group="quit", exclusive=True)
    async def _quit_when_written(self, n: int) -> None:
        timer = self.set_timer(self.QUIT_NOTICE_AFTER, lambda: self.notify(
            f"Writing {n} edit{'s' if n != 1 else ''} before quitting…", timeout=10))
        await self.edit_thread.drain()
        timer.stop()
        self.exit()

    def on_unmount(self) -> None:
        session = self.session
        if session is not None:  # edits waiting for a file never read end, rather than wait forever
            session.close(f"tasktui quit before {session.name} was read; nothing was written.")
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)
        self.edit_thread.shutdown()
        if self.tasks_file is not None:
            self.tasks_file.save_cache()  # what edits parsed, and the version now on disk, for the next open
        gc.unfreeze()  # what the app froze may be collected again (the app's end need not be the process's)
