"""The main screen: header, phase tree, detail pane, log panel, filter box and
footer. Keys become intents (EditRequested, UndoRequested, BookingRequested ...)
posted to the app, which routes them to the edit thread and hands back each new
version to ``show``; what needs no write (the timer's clock, marks, the history's
reading, the questions asked before an edit) the screen settles with its session."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Iterable

from textual import on
from textual.actions import SkipAction
from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker
from textual.widgets import Input, Static

from tasktui.doc import edits
from tasktui.doc import query as query_mod
from tasktui.doc.links import blocked_tasks
from tasktui.doc.model import Document, Task, split_text
from tasktui.doc.rollup import RollUp
from tasktui.core.outline import HEADING, Outline
from tasktui.doc.plaintext import shown_text
from tasktui.doc.safetext import json_text
from tasktui.core.session import Booking, Notice, OutsideChange, Session
from tasktui.core.tasksfile import EditResult, TasksFile
from tasktui.storage import store
from tasktui.ui.widgets.detail_pane import DetailPane
from tasktui.ui.widgets.find_bar import FindBar
from tasktui.ui.widgets.footer import PinnedFooter
from tasktui.ui.widgets.log_panel import LogPanel
from tasktui.ui.widgets.plain import plain
from tasktui.ui.widgets.status_header import StatusHeader
from tasktui.ui.widgets.task_tree import TaskTree


class MainScreen(Screen):
    BINDINGS = [
        Binding("space", "toggle_task", "Toggle", show=True),
        Binding("n", "next_ready", "Next ready"),
        Binding("N", "previous_ready", "Prev ready", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("d", "toggle_done", "Hide done", show=False),
        Binding("g", "go_to_task", "Go to task id...", show=False),
        Binding("p", "mark_in_progress", "In progress", show=False),
        Binding("c", "mark_cancelled", "Cancel task", show=False),
        Binding("exclamation_mark", "mark_blocked", "Mark blocked", show=False),
        Binding("a", "add_after", "Add", show=False),
        Binding("A", "add_under", "Add subtask", show=False),
        Binding("r", "change_text", "Edit text", show=False),
        Binding("delete", "delete_task", "Delete", show=False),
        Binding("t", "time_entry", "Time"),
        Binding("S", "stop_timer", "Stop timer"),  # in the footer only while a timer runs (check_action)
        Binding("E", "set_estimate", "Set estimate", show=False),
        Binding("s", "timer", "Timer", show=False),
        Binding("b", "toggle_log", "Log"),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
        Binding("y", "copy_id", "Copy id", show=False),
        Binding("Y", "copy_text", "Copy text", show=False),
        Binding("e", "open_editor", "Editor", show=False),
        Binding("i", "toggle_details", "Details", show=False),
        Binding("H", "show_history", "Show progress history", show=False),
        Binding("o", "overview", "Overview"),
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
        # reordering tasks, and marks to act on several at once
        Binding("alt+up,K", "move_task_up", "Move task up", show=False),
        Binding("alt+down,J", "move_task_down", "Move task down", show=False),
        Binding("m", "move_to_section", "Move task to section...", show=False),
        Binding("v", "toggle_mark", "Mark / unmark task", show=False),
        Binding("shift+up", "extend_marks(-1)", "Extend marks up", show=False),
        Binding("shift+down", "extend_marks(1)", "Extend marks down", show=False),
        Binding("escape", "clear_marks", "Clear marks", show=False, priority=True),
    ]

    FILTER_PAUSE = 0.06  # seconds: typing a word filters once, not once per letter

    details_chosen: reactive[bool | None] = reactive(None, init=False)
    """Whether the detail pane is shown, as the user chose with ``i``; None: the width decides."""

    # -- messages to the app: intents (…Requested) and facts ----------------------------
    @dataclass
    class EditRequested(Message):
        """Make this edit; ``quiet``: say nothing when it worked; ``focus``: put the
        cursor on the line it added or changed."""

        op: edits.Edit
        quiet: bool = False
        focus: bool = False

    @dataclass
    class UndoRequested(Message):
        redo: bool = False

    @dataclass
    class BookingRequested(Message):
        """A stopped timer's time, to be written to its task."""

        booking: Booking

    @dataclass
    class Loaded(Message):
        """The whole file of ``session`` is open: its TasksFile, and the tree's rows of it."""

        session: Session
        tasks_file: TasksFile
        outline: Outline

    class EditorClosed(Message):
        """The user's editor ran on the file and is done: read it again."""

    class OverviewRequested(Message):
        """``o``: close this file and show the workspace overview again."""

    def __init__(self, session: Session, *, overview: bool = False) -> None:
        """The screen of ``session``'s file; ``overview``: there is a workspace overview to go back to (``o``)."""
        super().__init__()
        self.session = session  # the file this screen shows
        self._overview = overview
        self._filter_timer: Timer | None = None
        self.jump_after_load = False  # `n` asked for an open task below what is loaded yet
        self._partial_cursor: int | None = None  # where showing the top of a big file put the cursor
        self._detail_timer: Timer | None = None
        self._timer_shown = False  # whether a running timer is shown (S is in the footer)
        self._ticker: Timer | None = None  # repaints the running timer's clock

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="main"):
            yield TaskTree(id="tree")
            yield DetailPane(id="detail")
        yield Static("", id="empty")
        yield FindBar(id="find")
        yield PinnedFooter(compact=True)

    def on_mount(self) -> None:
        self._show_find_bar(False)
        self.query_one("#empty", Static).display = False
        self.tree.focus()
        self.header.file_name = self.session.shown_path
        self.header.notice = "Loading…"
        self.begin()

    # -- loading ------------------------------------------------------------------------
    def begin(self) -> None:
        """Read the file and, for a big one, parse its top here, before the first frame
        (16 KB: about 20 ms), so that the first frame already shows tasks; the rest is
        opened (Session.open_whole, tasktui.core.opener) on a thread while keys work."""
        session = self.session
        try:  # never a file its writer still has open
            snap = session.opener.read(wait=False)
        except store.Busy:  # read in the loading thread once the writer is done
            self.header.notice = f"waiting for another program to finish writing {session.name}"
            ready = threading.Event()
            ready.set()
            self._load(None, False, ready)
            return
        except (store.StoreError, OSError) as exc:
            self.load_failed(str(exc))
            return
        painted = threading.Event()
        head = session.opener.head(snap)
        if head is None:
            painted.set()
        else:
            session.loading(head, snap)
            self.show_partial(head, f"Loading… (the first {len(head.tasks)} tasks are shown)")
            self.call_after_refresh(painted.set)
        self._load(snap, head is not None, painted)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, snap: store.Snapshot | None, partial: bool, painted: threading.Event) -> None:
        """Open the whole file and post it (Loaded); without ``snap``, read it first, once
        no other program is writing it."""
        session, worker = self.session, get_current_worker()
        try:
            while snap is None:
                try:
                    snap = session.opener.read()
                except store.WriterActive:  # still being written: the screen says so; keep waiting
                    if worker.is_cancelled:
                        return
            store.cleanup_stale_temps(session.path)
            painted.wait(2.0)  # let the first screen paint before the heavy part takes the GIL

            def progress(fraction: float) -> None:
                self._from_thread(self.tell, f"Loading… {fraction:.0%} (the first tasks are shown)")

            opened = session.open_whole(snap, progress if partial else None, lambda: worker.is_cancelled)
        except (store.StoreError, OSError) as exc:
            self._from_thread(self._load_failed, str(exc))
            return
        if opened is not None:
            self.post_message(self.Loaded(session, *opened))

    def tell(self, notice: str | None) -> None:
        """``notice`` in the header (loading, waiting for another program ...)."""
        if self.is_attached:
            self.header.notice = notice

    def load_failed(self, message: str) -> None:
        self.session.handover(None, message)  # edits waiting for the whole file end with this sentence
        if self.is_attached:
            self.header.notice = message
            self.app.notify(message, severity="error", timeout=10)

    @property
    def tree(self) -> TaskTree:
        return self.query_one(TaskTree)

    @property
    def header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    # -- showing a version -------------------------------------------------------------
    def show(self, doc: Document, rollup: RollUp, *, focus_task: Task | None = None, outline: Outline | None = None,
             stale: bool | None = None) -> None:
        """Show ``doc`` with its numbers everywhere: tree, header (with why the file is
        read-only, if it is), log panel, empty message; ``stale``: whether its time totals
        are out of date (None: work it out). The edits keys ask for from now on name
        their tasks as ``doc`` has them."""
        self.session.shown = doc
        tree = self.tree
        tree.set_document(doc, rollup, focus_task=focus_task, outline=outline)
        tree.set_marks(blocked=blocked_tasks(doc))
        self.show_marks(doc)
        reason = self.session.read_only_reason
        if stale is None:
            stale = bool(doc.time_lines or doc.completion) and bool(edits.sync_patches(doc, rollup))
        header = self.header
        header.shown = (doc, rollup)
        header.notice, header.stale = f"READ-ONLY: {reason}" if reason else None, stale
        for log in self.query(LogPanel):
            if log.display:
                log.show(doc)
        empty = self.query_one("#empty", Static)
        if not doc.tasks and doc.complete:
            empty.update(plain(self._empty_message(doc)))
            empty.display = True
        else:
            empty.display = False
        self.paint_timer()

    def show_current(self, *, focus_task: Task | None = None) -> None:
        """Show the file's current version (while it loads: its top, with the marks written on it)."""
        tf = self.session.tasks_file or self.session.early_file
        if tf is not None and self.is_attached:
            self.show(*tf.current, focus_task=focus_task, stale=False if tf.partial else None)

    @work(thread=True, exclusive=True, group="warm")
    def warm_up(self) -> None:
        """Once the whole file is on screen, import on a thread what the first frame did not
        need and the first keys do: the first key stays fast."""
        from tasktui.doc import parse

        edits.warm()  # the planners, first: a space pressed at once needs them
        parse.warm()  # markdown-it, with which the edit's check parses what it changed
        import rich.markdown  # noqa: F401  the detail pane's renderer
        import tasktui.doc.refs  # noqa: F401  the resolver of ``g``
        import tasktui.ui.screens.dialogs  # noqa: F401

    def show_partial(self, doc: Document, notice: str) -> None:
        """The top of a big file, while the rest loads (before the first frame)."""
        outline = Outline(doc, RollUp(doc))
        first = self.session.first_task(outline.ready)
        self.show(doc, outline.rollup, focus_task=first, outline=outline, stale=False)
        self.header.notice = notice
        # if the user has not moved the cursor by the time the whole file is read, it
        # goes to the first open task of the whole file
        self._partial_cursor = None if first is not None else self.tree.cursor

    def show_loaded(self, doc: Document, rollup: RollUp, outline: Outline | None) -> None:
        """The whole file, once read: the cursor on its first task that can start (unless
        the user moved it while the top was shown); ``n`` pressed meanwhile goes on."""
        partial = self.tree.doc is not None
        untouched = self._partial_cursor == self.tree.cursor
        if outline is None or outline.doc is not doc:  # the marks written meanwhile: not the loader's version
            outline = Outline(doc, rollup)
        first = None if partial and not untouched else self.session.first_task(outline.ready)
        self.show(doc, rollup, focus_task=first, outline=outline)
        if self.jump_after_load:  # `n` pressed while only the top was shown
            self.jump_after_load = False
            if first is None:
                self.action_next_ready()
        self.resume_timer()
        self.say(self.session.opened_notices(doc, outline))

    def edited(self, result: EditResult | None, *, quiet: bool = False, focus: bool = False,
               nothing: str | None = None) -> None:
        """An edit was written: the new version, and what there is to say about it
        (``quiet``: only what went wrong; ``focus``: the cursor on the line it changed;
        ``nothing``: what to say when there was nothing to do)."""
        if result is None:
            if nothing is not None:
                self.app.notify(nothing)
            return
        notices = self.session.edited(result, quiet=quiet)
        target = self.session.focus_after(result) if focus and self.session.tasks_file is not None else None
        self.show_current(focus_task=target)
        self.say(notices)

    def edit_failed(self, exc: BaseException, op: edits.Edit | None = None) -> None:
        """An edit was refused (one of EDIT_ERRORS): the file as it is, and why; when
        another program changed the text being edited, the choice between the two."""
        self.show_current()
        if isinstance(exc, edits.TextChanged) and isinstance(op, edits.EditText):
            self.ask_text_conflict(op, exc)
        else:
            self.say([self.session.failed(exc)])

    def took(self, change: OutsideChange) -> None:
        """Another program changed the file: the version now on disk, with what changed shown for a moment."""
        self.show_current()
        self.say(change.notices)
        if change.flash:
            self.tree.set_marks(flash=set(change.flash))
            self.set_timer(1.5, lambda: self.tree.set_marks(flash=set()))

    def say(self, notices: Iterable[Notice]) -> None:
        for n in notices:
            self.app.notify(n.text, title=n.title, severity=n.severity, timeout=n.timeout)


    def _empty_message(self, doc: Document) -> str:
        name = self.session.name
        if not doc.source.data.strip():
            return f"{name} is empty. Press a to add the first task."
        if not doc.headings:
            return f"{name} has no headings and no tasks (`- [ ] ...` lines). Press a to add a task."
        return f"{name} has no tasks yet (`- [ ] ...` lines). Press a to add one."

    def paint_timer(self) -> None:
        """The running timer's clock, in the header and on its task's row."""
        if not self.is_attached:
            return
        header_text, tree_mark = self.session.timer_shown(self.tree.doc)
        self.header.timer = header_text
        if self._timer_shown != (header_text is not None):
            self._timer_shown = header_text is not None
            self.refresh_bindings()  # S (stop the timer) comes and goes in the footer
        tree = self.tree
        if tree_mark is None:
            if tree.timer is not None:
                tree.set_marks(timer=None)
        else:
            tree.timer = tree_mark
            tree.refresh_task(tree_mark[0])

    @on(TaskTree.Highlighted)
    def _highlighted(self, event: TaskTree.Highlighted) -> None:
        self._detail_soon()

    def _detail_soon(self) -> None:
        """The detail pane follows the cursor a moment later: holding a key stays smooth,
        and the first frame is painted before the pane's markdown is laid out."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.05, self.update_detail)

    def update_detail(self) -> None:
        """The detail pane shows the task (or section) under the tree's cursor; while
        the log has focus, the log entry under its cursor."""
        if not self.is_attached:
            return
        pane = self.query_one(DetailPane)
        log = self._focused_log()
        if log is not None:
            current = log.current()
            pane.show_entry(current[0] if current is not None else None)
            return
        tree = self.tree
        pane.show(tree.outline, tree.cursor_row)

    def _focused_log(self) -> LogPanel | None:
        """The log panel, when its table has focus."""
        focused = self.focused  # (asked from the focused widget: a panel just mounted has no table yet)
        panel = focused.parent if focused is not None and focused.id == "log-table" else None
        return panel if isinstance(panel, LogPanel) else None

    def _place_pane(self, at_once: bool = False) -> None:
        """Show the detail pane as the user chose with ``i``, else from 100 columns,
        and at any width while the log has focus (its entries are shown whole there);
        what it shows follows a moment later, or ``at_once``."""
        pane = self.query_one(DetailPane)
        wanted = self.details_chosen
        if wanted is None:
            wanted = self.size.width >= 100 or self._focused_log() is not None
        if pane.display != wanted:
            pane.display = wanted
        if wanted:
            self.update_detail() if at_once else self._detail_soon()

    def on_resize(self, event) -> None:
        self._place_pane()

    def on_descendant_focus(self, _event) -> None:
        self._place_pane()

    @on(LogPanel.Highlighted)
    def _entry_highlighted(self, event: LogPanel.Highlighted) -> None:
        if self._focused_log() is not None:
            self.query_one(DetailPane).show_entry(event.entry)

    # -- the task under the cursor ------------------------------------------------------
    def _editable(self) -> bool:
        reason = self.session.why_not_editable()
        if reason is not None:
            self.app.notify(reason.text, severity=reason.severity)
            return False
        return True

    def _task_or_warn(self) -> Task | None:
        task = self.tree.cursor_task
        if task is None:
            self.app.notify("Move to a task first.", severity="warning")
        return task

    def _editable_task(self) -> Task | None:
        """The task under the cursor when it may be edited (else a notice and None)."""
        if not self._editable():
            return None
        task = self._task_or_warn()
        notice = self.session.why_not_editable_task(task) if task is not None else None
        if notice is not None:
            self.app.notify(notice.text, severity=notice.severity)
            return None
        return task

    def request(self, op: edits.Edit, *, quiet: bool = False, focus: bool = False) -> None:
        self.app.post_message(self.EditRequested(op, quiet, focus))

    # -- keys: edits ----------------------------------------------------------------------
    def action_toggle_task(self) -> None:
        self.tree.action_toggle()

    def _set_state(self, state: str) -> None:
        if self.act_on_marked("state", state):
            return
        task = self._editable_task()
        if task is not None:
            self.request(self.session.state_op(task, state), quiet=True)

    def action_mark_in_progress(self) -> None:
        self._set_state("in_progress")

    def action_mark_cancelled(self) -> None:
        self._set_state("cancelled")

    def action_mark_blocked(self) -> None:
        self._set_state("blocked")

    def set_state(self, state: str) -> None:
        """The task under the cursor (or the marked ones) in ``state`` (again: back to open)."""
        self._set_state(state)

    def _ask(self, title: str, value: str, then, *, validate=None) -> None:
        from tasktui.ui.screens.dialogs import PromptScreen

        self.app.push_screen(PromptScreen(title, value, validate=validate), then)

    @staticmethod
    def _not_blank(value: str) -> str | None:
        return None if value.strip() else "Type the task's text, or press Esc to cancel."

    def action_add_after(self) -> None:
        """``a``: a new task after the highlighted one; on a section, at the section's end."""
        if not self._editable():
            return
        section = self._section_under_cursor()
        if section is not None:
            key, title = section
            self._add(f"New task (at the end of: {title[:50]})", edits.AddTask, section=key)
            return
        task = self.tree.cursor_task
        after = self.session.key(task) if task is not None else None
        where = f"after: {shown_text(task.text)[:50]}" if task else "at the end of the file"
        self._add(f"New task ({where})", edits.AddTask, after=after)

    def action_add_under(self) -> None:
        """``A``: a new subtask, last under the highlighted task; on a section, its first task."""
        section = self._section_under_cursor()
        if section is not None:
            if self._editable():
                key, title = section
                self._add(f"New task (first in: {title[:50]})", edits.AddTask, section=key, first=True)
            return
        task = self._editable_task()
        if task is None:
            return
        self._add(f"New subtask under: {shown_text(task.text)[:50]}", edits.AddTask, under=self.session.key(task))

    def _section_under_cursor(self):
        """(key, title) of the section heading under the cursor, or None on a task."""
        row = self.tree.cursor_row
        if row is None or row.kind != HEADING:
            return None
        node = self.tree.outline.headings[row.index]
        # the shown document's key: while a big file loads, the headings above are already whole
        return self.tree.doc.heading_keys[node.doc_index], node.text

    def _add(self, title: str, make, **where) -> None:
        def done(text: str | None) -> None:
            if text:
                self.request(make(text, **where), focus=True)

        self._ask(title, "", done, validate=self._not_blank)

    def action_change_text(self) -> None:
        task = self._editable_task()
        if task is None:
            return
        prefix, description, _wrapper = split_text(task.text)
        kept = f" ({prefix.strip()} stays)" if prefix.strip() else ""
        op = self.session.text_op(task, description)  # what it started from: the text on screen now

        def done(text: str | None) -> None:
            from tasktui.doc.edits.tasks import full_text

            if text is not None and full_text(task, text) != task.text:
                self.request(edits.EditText(op.key, text, expect=op.expect), focus=True)

        self._ask(f"Task text{kept}", description, done, validate=self._not_blank)

    def ask_text_conflict(self, op: edits.EditText, exc: edits.TextChanged) -> None:
        """Another program changed the text of the task being edited: both texts, and the choice."""
        from tasktui.ui.screens.text_conflict import TextConflictScreen

        def answer(choice: str | None) -> None:
            if choice == "mine":
                self.request(edits.EditText(op.key, exc.mine, expect=exc.theirs), focus=True)
            elif choice == "again" and self.is_attached:
                self.edit_text_again(op.key, exc.theirs, exc.mine)
            else:
                self.app.notify("Kept the text the other program wrote; yours was not written.", timeout=4)

        self.app.push_screen(TextConflictScreen(exc.theirs, exc.mine, exc.base), answer)

    def edit_text_again(self, key, theirs: str, mine: str) -> None:
        """``r`` once more after another program changed the task's text: the prompt holds
        the text you typed, and the edit now starts from theirs."""
        prefix, _description, _wrapper = split_text(theirs)
        kept = f" ({prefix.strip()} stays)" if prefix.strip() else ""

        def done(text: str | None) -> None:
            if text is not None:
                self.request(edits.EditText(key, text, expect=theirs), focus=True)

        self._ask(f"Task text{kept} (another program's text: {theirs[:60]})", mine, done, validate=self._not_blank)

    def action_delete_task(self) -> None:
        if self.act_on_marked("delete"):
            return
        task = self._editable_task()
        if task is not None:
            self.request(self.session.delete_op(task), focus=True)  # the cursor goes to its neighbour

    def action_undo(self) -> None:
        self._replay(redo=False)

    def action_redo(self) -> None:
        self._replay(redo=True)

    def _replay(self, redo: bool) -> None:
        """``u`` / ``ctrl+r``: in turn after the edits asked for before it (whether there is
        anything to undo is known once they are written)."""
        if self._editable():
            self.app.post_message(self.UndoRequested(redo))

    # -- keys: time -----------------------------------------------------------------------
    def action_time_entry(self) -> None:
        self._time_dialog(estimate=False)

    def action_set_estimate(self) -> None:
        """``E``: the time dialog on "Set the estimate", holding the current one."""
        self._time_dialog(estimate=True)

    def _time_dialog(self, estimate: bool) -> None:
        """``t``: time for the task under the cursor, or for the heading (a heading-level
        task carries its own estimate: ``#### Task 1: Setup``)."""
        if not self._editable():
            return
        row = self.tree.cursor_row
        if row is not None and row.kind == HEADING:
            outline = self.tree.outline
            node = outline.headings[row.index]
            key = self.tree.doc.heading_keys[node.doc_index]
            times = outline.heading_totals(row.index)
            what, est, act = node.text, times.estimate_hours, times.actual_hours
        else:
            task = self._editable_task()
            if task is None:
                return
            key = self.session.key(task)
            what, est, act = shown_text(task.text), task.estimate_hours, task.actual_hours

        def done(answer: tuple[str, float] | None) -> None:
            if answer is not None:
                kind, hours = answer
                self.request(edits.AddTime(key, hours) if kind == "spent" else edits.SetEstimate(key, hours))

        from tasktui.ui.screens.time_dialog import TimeDialog

        self.app.push_screen(TimeDialog(what, est, act, self.session.settings.day_hours, estimate=estimate), done)

    def action_timer(self) -> None:
        """``s``: stop the running timer (booking its time) or start one on the task under the cursor."""
        if self._editable():
            self._timer_pressed(self.tree.cursor_task)

    def action_stop_timer(self) -> None:
        """``S``: stop the running timer, wherever the cursor is, booking its time."""
        if self._editable():
            self._timer_pressed(None)

    def _timer_pressed(self, task: Task | None) -> None:
        notices, booking = self.session.timer_pressed(task)
        self.say(notices)
        self.paint_timer()
        if booking is not None:
            self.post_message(self.BookingRequested(booking))

    def resume_timer(self) -> None:
        """The timer left running (read once the file is shown), its clock repainted every
        second; one running longer than a working day asks what to do with it."""
        notices, question = self.session.resume_timer()
        self.say(notices)
        if question is not None:
            from tasktui.ui.screens.time_dialog import LongTimerDialog

            def answer(choice: str | None) -> None:
                notice, booking = self.session.long_timer(choice)
                self.say([notice] if notice is not None else [])
                self.paint_timer()
                if booking is not None:
                    self.post_message(self.BookingRequested(booking))

            self.app.push_screen(LongTimerDialog(question), answer)
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self.paint_timer)
        self.paint_timer()

    # -- keys: the log ---------------------------------------------------------------------
    async def action_toggle_log(self) -> None:
        found = self.query(LogPanel)
        if found:
            log = found.first()
            log.display = not log.display
        else:
            log = LogPanel(id="log")
            await self.mount(log, after=self.query_one("#main"))
        if log.display:
            if self.session.doc is not None:
                log.show(self.session.doc)
            log.table.focus()
        else:
            self.tree.focus()

    def _today(self) -> str:
        return time.strftime("%Y-%m-%d", time.localtime(self.session.clock()))

    def on_log_panel_add_requested(self, _event=None) -> None:
        if not self._editable():
            return
        task = self.tree.cursor_task
        ref = (task.id or shown_text(task.text)) if task is not None else None  # as the log names it

        def done(answer) -> None:
            if answer is not None:
                kind, text, date, task_ref = answer
                self.request(edits.AddLogEntry(kind, text, date, task_ref))

        from tasktui.ui.screens.log_dialog import LogEntryDialog

        self.app.push_screen(LogEntryDialog(ref, self._today()), done)

    def action_add_log_entry(self) -> None:
        self.on_log_panel_add_requested()

    def on_log_panel_resolve_requested(self, event: LogPanel.ResolveRequested) -> None:
        if not self._editable():
            return
        key, today = event.key, self._today()

        def done(text: str | None) -> None:
            if text:
                self.request(edits.ResolveEntry(key, text, today))

        self._ask(f"How was it resolved? ({event.entry.text[:40]})", "", done,
                  validate=lambda v: None if v.strip() else "Say how the blocker was resolved, or press Esc.")

    def on_log_panel_edit_requested(self, event: LogPanel.EditRequested) -> None:
        if not self._editable():
            return
        key = event.key

        def done(text: str | None) -> None:
            if text is not None and text.strip() != event.entry.text:
                self.request(edits.EditEntry(key, text))

        self._ask("Entry text", event.entry.text, done,
                  validate=lambda v: None if v.strip() else "An entry needs some text, or press Esc.")

    # -- keys: moving, finding, showing ---------------------------------------------------------
    def _jump_ready(self, step: int) -> None:
        doc = self.tree.doc
        if doc is None or not doc.tasks:
            return
        tree = self.tree
        row = tree.cursor_row
        if row is None:
            start = -1 if step > 0 else len(doc.tasks)
        elif row.kind == HEADING:
            node = tree.outline.headings[row.index]
            start = node.first_task - 1 if step > 0 else node.first_task
        else:
            start = row.index
        task = self.session.next_ready(tree.outline.ready, start, step, tree.outline.matcher(tree.text_filter))
        if task is not None:
            tree.move_to_task(task.index)
        elif step > 0 and self.session.tasks_file is None:  # the rest of the file is not read yet
            self.jump_after_load = True
            self.app.notify("Still loading: the next task that can start is shown once the file is read.", timeout=3)
        else:
            self.app.notify("No more tasks that can start now " + ("below." if step > 0 else "above."))

    def action_next_ready(self) -> None:
        self._jump_ready(1)

    def action_previous_ready(self) -> None:
        self._jump_ready(-1)

    def _show_find_bar(self, shown: bool) -> None:
        """Show or hide the find bar; toasts keep above it (tasktui.tcss: -finding)."""
        self.query_one(FindBar).display = shown
        self.set_class(shown, "-finding")

    def action_filter(self) -> None:
        self._show_find_bar(True)
        self.query_one(FindBar).input.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(self.FILTER_PAUSE, lambda: self._apply_filter(value))

    def _apply_filter(self, value: str) -> None:
        if self.is_attached:
            self.tree.text_filter = value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._apply_filter(event.value)
        self.tree.focus()

    def action_clear_filter(self) -> None:
        bar = self.query_one(FindBar)
        if bar.input.value or bar.display:
            if self._filter_timer is not None:
                self._filter_timer.stop()
            bar.input.value = ""
            self._show_find_bar(False)
            self._apply_filter("")
            self.tree.focus()

    @on(TaskTree.Filtered)
    def _filtered(self, event: TaskTree.Filtered) -> None:
        """What the filter finds, beside the box; a lasting word in the header while a
        filter or hide-done is on."""
        self.query_one(FindBar).show_count(event.text_filter, event.matches, event.total)
        query = query_mod.parse(event.text_filter)
        self.header.find = (event.text_filter.strip() if query else "", event.hide_done)

    def action_go_to_task(self) -> None:
        """``g``: a prompt for a task (its id, ``L40``, or a piece of its text: tasktui.doc.refs,
        as the command line reads a REF); the cursor goes there, opening what hides it
        (the filter too, with a word about it). Several tasks with it: each ``g`` the next."""
        if self.tree.doc is None:
            return
        from tasktui.doc import refs  # the one resolver, imported when first asked

        def where(value: str):
            tree = self.tree
            after = tree.cursor_task.index if tree.cursor_task is not None else -1
            found = refs.go(tree.doc, value, after)
            if isinstance(found, str) and self.session.tasks_file is None:
                found += " The rest of the file is still loading."
            return found

        def check(value: str) -> str | None:
            found = where(value)
            return found if isinstance(found, str) else None

        def done(value: str | None) -> None:
            if value is None or self.tree.doc is None:
                return
            found = where(value)
            if isinstance(found, str):
                self.app.notify(found, severity="warning")
            else:
                self.go_to(found)

        from tasktui.ui.screens.dialogs import PromptScreen

        self.app.push_screen(PromptScreen("Go to task", "", placeholder="T012, 1.2, L40 or a word of its text",
                                          hint="A task id, L and a line number, or a piece of the task's text. "
                                               "Enter goes there, Esc cancels.",
                                          validate=check), done)

    def go_to(self, task: Task) -> None:
        """Put the cursor on ``task``; when the filter or hide-done hides it, they make way."""
        tree = self.tree
        if tree.move_to_task(task.index):
            return
        said = []
        if query_mod.parse(tree.text_filter):
            self.action_clear_filter()
            said.append("the filter is cleared")
        if not tree.move_to_task(task.index) and tree.hide_done:
            tree.hide_done = False
            said.append("done tasks are shown")
            tree.move_to_task(task.index)
        if said:
            name = f"L{task.line + 1}" if task.id is None else task.id
            self.app.notify(f"{name} was hidden: {' and '.join(said)}.", timeout=4)

    def action_toggle_done(self) -> None:
        tree = self.tree
        tree.hide_done = not tree.hide_done
        self.app.notify("Done tasks hidden." if tree.hide_done else "Done tasks shown.", timeout=2)

    def action_copy_id(self) -> None:
        task = self._task_or_warn()
        if task is not None:
            value = task.id or task.text
            self.app.copy_to_clipboard(json_text(value))  # the clipboard takes UTF-8: undecodable bytes as U+FFFD
            self.app.notify(f"Copied {shown_text(value)[:60]}", timeout=2)

    def action_copy_text(self) -> None:
        task = self._task_or_warn()
        if task is not None:
            self.app.copy_to_clipboard(json_text(task.text))
            self.app.notify(f"Copied {shown_text(task.text)[:60]}", timeout=2)

    def action_toggle_details(self) -> None:
        self.details_chosen = not self.query_one(DetailPane).display

    def watch_details_chosen(self) -> None:
        self._place_pane(at_once=True)

    def action_show_history(self) -> None:
        from tasktui.ui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session))  # which asks for the history (read_history)

    # -- progress over time (the file's git history) ---------------------------------------------
    @property
    def history_running(self) -> bool:
        return any(w.group == "history" and not w.is_finished for w in self.workers)

    def read_history(self, force: bool = False) -> None:
        """Read the file's history on a thread, unless it is being read or is up to date
        (it goes on when the history screen is closed: this screen lives as long as the file)."""
        if not self.history_running and self.session.history_wanted(force):
            self._read_history()
        self._history_screen(lambda screen: screen.show_state(reading=self.history_running))

    def _history_screen(self, then) -> None:
        """``then(screen)`` when the history screen is the one shown."""
        from tasktui.ui.screens.history import HistoryScreen

        if isinstance(self.app.screen, HistoryScreen):
            then(self.app.screen)

    @work(thread=True, exclusive=True, group="history")
    def _read_history(self) -> None:
        from tasktui.core import history as history_mod

        worker = get_current_worker()
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - shown[0] >= 0.1:  # the screen need not hear of every version
                shown[0] = now
                self._from_thread(self._history_screen, lambda screen: screen.show_progress(done, total))

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
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is closing
            pass

    def _history_done(self, found, of: bytes | None, error: str | None) -> None:
        """The history is known (or why not): the detail pane says when tasks were done."""
        self.session.history_read(found, of, error)
        if not self.is_attached:
            return
        self.query_one(DetailPane).history = found
        self.update_detail()
        self._history_screen(lambda screen: screen.show_state())

    # -- mojibake -------------------------------------------------------------------------------------
    def action_repair(self) -> None:
        """Rewrite garbled characters (``â¬œ``), after showing the change."""
        from tasktui.doc import repair
        from tasktui.ui.screens.dialogs import ConfirmScreen

        reason = self.session.why_not_editable()
        if reason is not None:
            self.say([reason])
            return
        source = self.session.doc.source
        fixes = repair.find(source)
        if not fixes:
            self.app.notify("No mojibake in this file.")
            return
        lines = repair.diff(source, fixes, self.session.name).splitlines()
        shown = "\n".join(lines[:24]) + (f"\n… and {len(lines) - 24} more lines" if len(lines) > 24 else "")

        def answer(yes: bool | None) -> None:
            if yes:
                self.request(edits.Repair())

        self.app.push_screen(ConfirmScreen(f"Rewrite {len(fixes)} mojibake sequence(s)? Nothing else changes; u undoes it."
                                           f"\n\n{shown}", yes="Repair", no="Cancel"), answer)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "overview":
            return self._overview  # only when there is an overview to go back to
        if action == "stop_timer":
            return self.session.running is not None
        return True

    def action_overview(self) -> None:
        self.app.post_message(self.OverviewRequested())

    def action_help(self) -> None:
        from tasktui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_open_editor(self) -> None:
        """``e``: the file in the user's editor (``$EDITOR``) at the task's line; read again after."""
        from tasktui.core.editor import EditorError, editor_command, runnable

        task = self.tree.cursor_task
        try:  # before the terminal is given away: a setting that cannot run changes nothing
            command = runnable(editor_command(self.session.path, task.line + 1 if task else 1))
        except EditorError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        failure: OSError | None = None
        try:
            with self.app.suspend():
                try:  # caught inside: the terminal is always taken back (Textual's suspend has no finally)
                    subprocess.run(command, check=False)
                except OSError as exc:
                    failure = exc
        except SuspendNotSupported:
            self.app.notify("This terminal cannot be handed to an editor.", severity="warning")
            return
        if failure is not None:
            self.app.notify(f"Could not start {command[0]}: {failure.strerror or failure}.", severity="error")
            return
        self.app.post_message(self.EditorClosed())

    # -- keys: reordering tasks, and marks ---------------------------------------------------
    def _on_heading(self) -> bool:
        """Whether the cursor is on a heading's row (having said that headings do not move)."""
        row = self.tree.cursor_row
        if row is not None and row.kind == HEADING:
            self.say([self.session.heading_not_movable(self.tree.outline.headings[row.index].text)])
            return True
        return False

    def _move(self, step: int) -> None:
        if self.tree.cursor_row is None or self._on_heading():
            return
        op = self.session.move_op(self.tree.cursor_task, step)
        if isinstance(op, Notice):
            self.say([op])
        else:
            self.request(op, focus=True)

    def action_move_task_up(self) -> None:
        self._move(-1)

    def action_move_task_down(self) -> None:
        self._move(1)

    def action_move_to_section(self) -> None:
        if self.tree.cursor_row is None or self._on_heading():
            return
        task = self.tree.cursor_task
        notice = self.session.why_not_editable() or self.session.why_not_marked_or_moved(task)
        if notice is not None:
            self.say([notice])
            return
        from tasktui.ui.screens.section_picker import Choice, SectionPicker

        outline, doc = self.tree.outline, self.tree.doc
        here = self.session.section_of(task) if task.parent is None else None
        choices = []
        for node in outline.headings:
            depth, parent = 0, node.parent
            while parent is not None:
                depth, parent = depth + 1, outline.headings[parent].parent
            counts = outline.heading_totals(node.index)
            done, of = counts.shown
            choices.append(Choice(doc.heading_keys[node.doc_index], node.text, depth,
                                  f"{done}/{of}" if counts.total else "", node.doc_index == here))
        if not choices:
            self.app.notify("This file has no sections to move the task to: K and J move it within its list.",
                            severity="warning")
            return
        key, expect = self.session.key(task), edits.item_text(doc, task)

        def done(section) -> None:
            if section is not None:
                self.request(edits.Move(key, section=section, expect=expect), focus=True)

        self.app.push_screen(SectionPicker(f"Move “{shown_text(task.text)[:40]}” to the end of:", choices), done)

    def action_renumber_section(self) -> None:
        row = self.tree.cursor_row
        if row is None:
            return
        op = self.session.renumber_op(self._section_index_at_cursor())
        if isinstance(op, Notice):
            self.say([op])
        else:
            self.request(op)

    def _section_index_at_cursor(self) -> int | None:
        """Index in doc.headings of the section the cursor is in (its heading, or the one its task is under)."""
        row = self.tree.cursor_row
        if row is not None and row.kind == HEADING:
            return self.tree.outline.headings[row.index].doc_index
        task = self.tree.cursor_task
        return self.session.section_of(task) if task is not None else None

    def can_renumber(self) -> bool:
        """Whether the section the cursor is in has numbered tasks ("Renumber this section")."""
        doc = self.tree.doc
        return doc is not None and self.tree.cursor_row is not None and edits.numbered(doc, self._section_index_at_cursor())

    def action_toggle_mark(self) -> None:
        notice = self.session.toggle_mark(self.tree.cursor_task)
        if notice is not None:
            self.say([notice])
        self.show_marks()

    def action_extend_marks(self, step: int) -> None:
        tree = self.tree
        self.session.mark(tree.cursor_task)
        tree.action_cursor_down() if step > 0 else tree.action_cursor_up()
        self.session.mark(tree.cursor_task)
        self.show_marks()

    def action_clear_marks(self) -> None:
        if not self.session.marked:
            raise SkipAction()  # Esc goes on to clear the filter
        n = self.session.clear_marks()
        self.show_marks()
        self.app.notify(f"{n} mark{'s' if n != 1 else ''} cleared.", timeout=2)

    def show_marks(self, doc: Document | None = None) -> None:
        """The marked tasks, highlighted in the tree and counted in the header."""
        doc = doc if doc is not None else self.tree.doc
        tasks = self.session.marked_tasks(doc) if doc is not None and self.session.marked else []
        self.tree.set_marks(marked={t.index for t in tasks})
        self.header.marked = len(tasks)

    def act_on_marked(self, action: str, state: str | None = None) -> bool:
        """With tasks marked: make ``action`` (toggle, state, delete) on all of them, in one
        write and one undo step, and say True; False when nothing is marked."""
        op = self.session.marked_op(action, state)
        if op is None:
            return False
        if isinstance(op, Notice):
            self.say([op])
        else:
            self.request(op)
        return True
