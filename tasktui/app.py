"""The Textual app: a thin router. Widgets post intents, the app turns them into
edit operations, TasksFile applies them (lock, re-plan, check, atomic write) on
one worker thread, and the new Document is handed back to the widgets."""

from __future__ import annotations

import asyncio
import gc
import time
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from tasktui import config as config_mod
from tasktui import gcpause
from tasktui import store
from tasktui import timer as timer_mod
from tasktui.doc import edits, loader, stats
from tasktui.doc.patch import PatchError
from tasktui.doc.source import Source
from tasktui.doc.model import Document, Task
from tasktui.outline import HEADING, Outline
from tasktui.safetext import json_text, visible
from tasktui.screens.dialogs import PromptScreen
from tasktui.tasksfile import EditResult, TasksFile
from tasktui.widgets.detail_pane import DetailPane, blocked_tasks
from tasktui.widgets.log_panel import LogPanel
from tasktui.widgets.plain import plain
from tasktui.widgets.status_header import StatusHeader
from tasktui.widgets.task_tree import TaskTree
from tasktui.watch import FileWatcher
from tasktui.app_log import LogMixin
from tasktui.app_outside import FileChangedOnDisk, OutsideChangesMixin
from tasktui.app_time import TimeMixin

EDIT_ERRORS = (store.StoreError, edits.EditError, PatchError, OSError)


class TaskTuiApp(TimeMixin, LogMixin, OutsideChangesMixin, App[int]):
    CSS_PATH = "tasktui.tcss"
    TITLE = "tasktui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("space", "toggle_task", "Toggle", show=True),
        Binding("n", "next_open", "Next"),
        Binding("N", "previous_open", "Prev open", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("d", "toggle_done", "Hide done", show=False),
        Binding("p", "mark_in_progress", "In progress", show=False),
        Binding("c", "mark_cancelled", "Cancel task", show=False),
        Binding("a", "add_after", "Add", show=False),
        Binding("A", "add_under", "Add subtask", show=False),
        Binding("r", "change_text", "Edit text", show=False),
        Binding("delete", "delete_task", "Delete", show=False),
        Binding("t", "time_entry", "Time"),
        Binding("s", "timer", "Timer", show=False),
        Binding("b", "toggle_log", "Log"),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
        Binding("y", "copy_id", "Copy id", show=False),
        Binding("Y", "copy_text", "Copy text", show=False),
        Binding("e", "open_editor", "Editor", show=False),
        Binding("i", "toggle_details", "Details", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, path: str | Path, *, settings: config_mod.Config | None = None, read_only: bool = False,
                 sync: bool | None = None, clock=time.time, notices: Iterable[str] = ()) -> None:
        super().__init__()
        self._startup_notices = list(notices)  # e.g. a config file that was moved aside
        self.clock = clock
        self.running: timer_mod.RunningTimer | None = None
        self.path = Path(path)
        self.settings = settings or config_mod.Config()
        if sync is not None:
            self.settings = replace(self.settings, sync=sync)
        self.force_read_only = read_only
        self.tasks_file: TasksFile | None = None
        self.read_only_reason: str | None = "read-only mode" if read_only else None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasktui-edit")
        self._filter_timer: Timer | None = None
        self.watcher: FileWatcher | None = None
        self.watch_file = True
        self.file_missing = False
        self._recent: list[tuple[float, str, edits.Restore]] = []  # our edits, to notice when they get overwritten
        self._detail_timer: Timer | None = None
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text: messages quote tasks, log entries and
        file names, which are data (see tasktui.safetext), never markup."""
        super().notify(visible(str(message), multiline=True), title=visible(str(title)), severity=severity,
                       timeout=timeout, markup=False)

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="main"):
            yield TaskTree(id="tree")
            yield DetailPane(id="detail")
        yield Static("", id="empty")
        yield Input(placeholder="filter tasks (Esc clears)", id="filter")
        yield Footer(compact=True)

    @property
    def tree(self) -> TaskTree:
        return self.query_one(TaskTree)

    @property
    def header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    @property
    def doc(self) -> Document | None:
        return self.tree.doc

    def on_mount(self) -> None:
        self.header.show(file_name=self.path.name, notice="Loading…")
        self.query_one("#filter", Input).display = False
        self.query_one("#empty", Static).display = False
        self.tree.focus()
        for notice in self._startup_notices:
            self.notify(notice, severity="warning", timeout=12)
        self._start_loading()

    def _start_loading(self) -> None:
        """Read the file and, for a big one, parse its top here, before the first frame
        (16 KB: about 20 ms), so that the first frame already shows tasks;
        the rest is parsed in a worker while the app answers keys."""
        try:
            snap = store.read(self.path)
        except (store.StoreError, OSError) as exc:
            self._load_failed(str(exc))
            return
        cache: dict = {}
        painted = threading.Event()
        head = loader.parse_head_bytes(snap.data, cache)
        if head is None:
            painted.set()
        else:
            partial = Document(head[0], chunks=head[1], day_hours=self.settings.day_hours)
            self._show_partial(partial)
            self.call_after_refresh(painted.set)
        self.load_file(snap, cache, head is not None, painted)

    @work(thread=True, exclusive=True, group="load")
    def load_file(self, snap: store.Snapshot, cache: dict, partial: bool, painted: threading.Event) -> None:
        """Parse the whole file (a big one in worker processes) and hand it to the app."""
        try:
            store.cleanup_stale_temps(self.path)
            painted.wait(2.0)  # let the first screen paint before the heavy part takes the GIL
            source = Source(snap.data)
            cuts = loader.cut_points(source.lines)

            def progress(fraction: float) -> None:
                self.call_from_thread(self.header.show, notice=f"Loading… {fraction:.0%} (the first tasks are shown)")

            chunks = loader.parse_rest(source.lines, cuts, 0, cache, progress=progress if partial else None)
            with gcpause.paused():
                doc = Document(source, chunks=chunks, day_hours=self.settings.day_hours)
                tf = TasksFile(self.path, sync=self.settings.sync, day_hours=self.settings.day_hours,
                               snapshot=snap, doc=doc, cache=cache)
                # what the first edit and the tree need, built here rather than on the UI
                # thread (a 50k-task file: ~0.3 s); then the garbage collector is told that
                # the document lives as long as the app, so it stops walking it
                _ = doc.keys  # cached on the document
                stats.warm(doc)
                outline = Outline(doc)
                gc.freeze()
        except (store.StoreError, OSError) as exc:
            self.call_from_thread(self._load_failed, str(exc))
            return
        self.call_from_thread(self._loaded, tf, outline)

    def _show_partial(self, doc: Document) -> None:
        first = next((t for t in doc.tasks if t.is_open), None)
        self.tree.set_document(doc, focus_task=first)
        # where the partial view put the cursor: if the user has not moved it by the
        # time the whole file is read, it goes to the first open task of the whole file
        self._partial_cursor = None if first is not None else self.tree.cursor
        self.header.show(doc, notice=f"Loading… (the first {len(doc.tasks)} tasks are shown)")

    def _load_failed(self, message: str) -> None:
        self.header.show(notice=message)
        self.notify(message, severity="error", timeout=10)

    def _loaded(self, tf: TasksFile, outline: Outline | None = None) -> None:
        self.tasks_file = tf
        reason = tf.read_only_reason()
        if self.force_read_only:
            reason = "read-only mode"
        self.read_only_reason = reason
        partial = self.tree.doc is not None
        untouched = getattr(self, "_partial_cursor", None) == self.tree.cursor
        first = None if partial and not untouched else next((t for t in tf.doc.tasks if t.is_open), None)
        self._show(tf.doc, focus_task=first, outline=outline)
        # The document, its rows and the widgets live as long as the app: keep the
        # cyclic garbage collector from walking them again on every full collection
        # (150 ms and more for a 50k-task file, in the middle of a key press).
        gc.freeze()
        self._resume_timer()
        for problem in tf.doc.problems:
            self.notify(problem, severity="warning", timeout=12)
        self._offer_repair(tf.doc)
        if self.watch_file:
            self.watcher = FileWatcher(self.path, lambda ev: self.post_message(FileChangedOnDisk(ev)))
            tf.written = self.watcher.set_known
            self.watcher.start(tf.snapshot.digest, tf.read_only_reason())

    # -- showing the document ---------------------------------------------------------
    def _show(self, doc: Document, *, focus_task: Task | None = None, outline: Outline | None = None) -> None:
        tree = self.tree
        tree.set_document(doc, focus_task=focus_task, outline=outline)
        tree.set_marks(blocked=self._blocked_tasks(doc))
        notice = f"READ-ONLY: {self.read_only_reason}" if self.read_only_reason else None
        stale = bool(doc.time_lines or doc.completion) and bool(edits.sync_patches(doc))
        self.header.show(doc, notice=notice, stale=stale)
        for log in self.query(LogPanel):
            if log.display:
                log.show(doc)
        self._paint_timer()
        empty = self.query_one("#empty", Static)
        if not doc.tasks:
            empty.update(plain(self._empty_message(doc)))
            empty.display = True
        else:
            empty.display = False

    def _empty_message(self, doc: Document) -> str:
        if not doc.source.data.strip():
            return f"{self.path.name} is empty. Press a to add the first task."
        if not doc.headings:
            return f"{self.path.name} has no headings and no tasks (`- [ ] ...` lines). Press a to add a task."
        return f"{self.path.name} has no tasks yet (`- [ ] ...` lines). Press a to add one."

    @staticmethod
    def _blocked_tasks(doc: Document) -> set[int]:
        return blocked_tasks(doc)

    @on(TaskTree.Highlighted)
    def _highlighted(self, event: TaskTree.Highlighted) -> None:
        # the detail pane follows the cursor, a moment later so that holding a key stays smooth
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.05, self._update_detail)

    def _alive(self) -> bool:
        """False while the app is closing (timers may still fire then)."""
        return self.is_running and bool(self.screen.query(TaskTree))

    def _update_detail(self) -> None:
        if not self._alive():
            return
        tree = self.tree
        self.query_one(DetailPane).show(tree.outline, tree.cursor_row)

    # -- edits ------------------------------------------------------------------------
    def _editable(self) -> bool:
        if self.tasks_file is None:
            self.notify("The file is still loading.", severity="warning")
            return False
        if self.read_only_reason:
            self.notify(f"{self.path.name} is open read-only ({self.read_only_reason}): nothing was written.", severity="warning")
            return False
        return True

    def _task_or_warn(self) -> Task | None:
        task = self.tree.cursor_task
        if task is None:
            self.notify("Move to a task first.", severity="warning")
        return task

    def _editable_task(self) -> Task | None:
        """The task under the cursor when the file may be edited (else a notice and None)."""
        return self._task_or_warn() if self._editable() else None

    def _key(self, task: Task):
        return self.doc.keys[task.index]

    # Edits applied on the key's own turn of the event loop: a mark changes, one byte,
    # never a re-parse. Others (adding a line re-reads the chunk structure: 1.3 s for
    # a 50k-task file) go to the edit thread, where the screen keeps answering.
    INSTANT_EDITS = (edits.Toggle, edits.SetState)

    def request_edit(self, op, *, quiet: bool = False, focus_line: bool = False) -> None:
        """Apply a mark change right away when nothing is queued on the edit thread and
        it need not wait (the keypress's bytes reach the disk without a thread hop);
        else queue ``op`` on the edit thread, behind what came before."""
        if not self._editable():
            return
        if isinstance(op, self.INSTANT_EDITS) and not self._edit_thread_busy():
            try:
                result = self.tasks_file.apply(op, wait=False)
            except store.Busy:
                pass  # the lock is held or the file is changing: wait on the edit thread
            except EDIT_ERRORS as exc:
                self._edit_failed(exc)
                return
            else:
                self._edit_done(result, quiet, focus_line)
                return
        self._run_edit(op, quiet, focus_line)

    def _edit_thread_busy(self) -> bool:
        """Whether an edit, undo, booking or reload is queued or running on the edit thread."""
        return any(w.group == "edits" and not w.is_finished for w in self.workers)

    @work(group="edits")
    async def _run_edit(self, op, quiet: bool, focus_line: bool) -> None:
        await self._apply(lambda: self.tasks_file.apply(op), quiet, focus_line)

    async def _apply(self, call, quiet: bool = False, focus_line: bool = False, own_file: bool = True) -> EditResult | None:
        """Run ``call`` (an edit) on the edit thread and show its result."""
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._executor, call)
        except EDIT_ERRORS as exc:
            self._edit_failed(exc)
            return None
        return self._edit_done(result, quiet, focus_line, own_file)

    def _edit_failed(self, exc: BaseException) -> None:
        self.notify(str(exc), title="Not written", severity="error", timeout=8)
        if self.tasks_file is not None:
            self._show(self.tasks_file.doc)

    def _edit_done(self, result: EditResult | None, quiet: bool = False, focus_line: bool = False,
                   own_file: bool = True) -> EditResult | None:
        if result is None:
            return None
        if own_file and result.changed and result.undo is not None and not result.summary.startswith(("undid", "redid")):
            self._remember(result.summary, result.undo)
        doc = self.tasks_file.doc
        focus = None
        if focus_line and result.details.get("line"):
            focus = doc.task_at_line(result.details["line"] - 1)
        self._show(doc, focus_task=focus)
        if result.replanned:
            self.notify("The file had changed on disk; the edit was applied to the new content.", severity="information")
        if not quiet or not result.changed:
            self.notify(result.summary, timeout=3)
        return result

    @on(TaskTree.ToggleRequested)
    def _toggle_requested(self, event: TaskTree.ToggleRequested) -> None:
        self.request_edit(edits.Toggle(self._key(event.task)), quiet=True)

    def action_toggle_task(self) -> None:
        self.tree.action_toggle()

    def _set_state(self, state: str) -> None:
        task = self._task_or_warn()
        if task is not None:
            self.request_edit(edits.SetState(self._key(task), state), quiet=True)

    def action_mark_in_progress(self) -> None:
        self._set_state("in_progress")

    def action_mark_cancelled(self) -> None:
        self._set_state("cancelled")

    def _ask(self, title: str, value: str, then, *, hint: str = "", validate=None) -> None:
        self.push_screen(PromptScreen(title, value, hint=hint, validate=validate), then)

    @staticmethod
    def _not_blank(value: str) -> str | None:
        return None if value.strip() else "Type the task's text, or press Esc to cancel."

    def action_add_after(self) -> None:
        if not self._editable():
            return
        task = self.tree.cursor_task
        after = self._key(task) if task is not None else None

        def done(text: str | None) -> None:
            if text:
                self.request_edit(edits.AddTask(text, after=after), focus_line=True)

        where = f"after: {task.text[:50]}" if task else "at the end"
        self._ask(f"New task ({where})", "", done, validate=self._not_blank)

    def action_add_under(self) -> None:
        task = self._editable_task()
        if task is None:
            return
        under = self._key(task)

        def done(text: str | None) -> None:
            if text:
                self.request_edit(edits.AddTask(text, under=under), focus_line=True)

        self._ask(f"New subtask under: {task.text[:50]}", "", done, validate=self._not_blank)

    def action_change_text(self) -> None:
        task = self._editable_task()
        if task is None:
            return
        key = self._key(task)

        def done(text: str | None) -> None:
            if text is not None and text.strip() != task.text:
                self.request_edit(edits.EditText(key, text), focus_line=True)

        self._ask("Task text", task.text, done, validate=self._not_blank)

    def action_delete_task(self) -> None:
        task = self._task_or_warn()
        if task is not None:
            self.request_edit(edits.DeleteTask(self._key(task)))

    def action_undo(self) -> None:
        if self._editable():
            if not self.tasks_file.undo_stack:
                self.notify("Nothing to undo.")
                return
            self._run_call(self.tasks_file.undo)

    def action_redo(self) -> None:
        if self._editable():
            if not self.tasks_file.redo_stack:
                self.notify("Nothing to redo.")
                return
            self._run_call(self.tasks_file.redo)

    @work(group="edits")
    async def _run_call(self, call) -> None:
        await self._apply(call)

    # -- navigation -------------------------------------------------------------------
    def _jump_open(self, step: int) -> None:
        doc = self.doc
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
        i = start + step
        while 0 <= i < len(doc.tasks):
            t = doc.tasks[i]
            if t.is_open and (not tree.text_filter or tree.text_filter.casefold() in t.text.casefold()):
                tree.move_to_task(i)
                return
            i += step
        self.notify("No more open tasks " + ("below." if step > 0 else "above."))

    def action_next_open(self) -> None:
        self._jump_open(1)

    def action_previous_open(self) -> None:
        self._jump_open(-1)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    FILTER_PAUSE = 0.06  # seconds

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        # a short pause first, so that typing a word filters once, not once per letter
        self._filter_timer = self.set_timer(self.FILTER_PAUSE, lambda: self._apply_filter(value))

    def _apply_filter(self, value: str) -> None:
        if not self._alive():
            return
        tree = self.tree
        if tree.text_filter != value:
            tree.text_filter = value
            tree.rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._apply_filter(event.value)
        self.tree.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self._apply_filter("")
            self.tree.focus()

    def action_toggle_done(self) -> None:
        tree = self.tree
        tree.hide_done = not tree.hide_done
        tree.rebuild()
        self.notify("Done tasks hidden." if tree.hide_done else "Done tasks shown.", timeout=2)

    def action_copy_id(self) -> None:
        task = self._task_or_warn()
        if task is not None:
            value = task.id or task.text
            self.copy_to_clipboard(json_text(value))  # the clipboard takes UTF-8: undecodable bytes as U+FFFD
            self.notify(f"Copied {value[:60]}", timeout=2)

    def action_copy_text(self) -> None:
        task = self._task_or_warn()
        if task is not None:
            self.copy_to_clipboard(json_text(task.text))
            self.notify(f"Copied {task.text[:60]}", timeout=2)

    def action_toggle_details(self) -> None:
        pane = self.query_one(DetailPane)
        pane.display = not pane.display
        self._details_chosen = pane.display
        if pane.display:
            self._update_detail()

    def on_resize(self, event) -> None:
        if getattr(self, "_details_chosen", None) is None:
            pane = self.query_one(DetailPane)
            wide = event.size.width >= 100
            if pane.display != wide:
                pane.display = wide
                if wide:
                    self._update_detail()

    def action_help(self) -> None:
        from tasktui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_open_editor(self) -> None:
        from tasktui.editor import EditorError, editor_command

        task = self.tree.cursor_task
        try:
            command = editor_command(self.path, task.line + 1 if task else 1)
        except EditorError as exc:
            self.notify(str(exc), severity="warning")
            return
        try:
            with self.suspend():
                subprocess.run(command, check=False)
        except OSError as exc:
            self.notify(f"Could not start {command[0]}: {exc.strerror or exc}.", severity="error")
            return
        self.reload_from_disk()

    @work(group="edits")
    async def reload_from_disk(self) -> None:
        tf = self.tasks_file
        if tf is None:
            return
        try:  # on the edit thread, like every change to tasks_file
            changed = await asyncio.get_running_loop().run_in_executor(self._executor, tf.reload)
        except store.StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        if changed:
            self._show(tf.doc)

    # -- settings and palette ---------------------------------------------------------
    def watch_theme(self, theme: str) -> None:
        if theme != self.settings.theme:
            self.settings = replace(self.settings, theme=theme)
            try:
                config_mod.save(replace(config_mod.load(), theme=theme))
            except OSError:
                pass

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action in ("quit",):
                continue
            yield SystemCommand(binding.description, f"key: {binding.key}", lambda a=binding.action: self.run_action(a))
        yield SystemCommand("Repair mojibake", "rewrite â¬œ-style garbled characters, after showing the change", self.action_repair)
        yield SystemCommand("Add log entry", "a Blocker or Decision for the log", self.action_add_log_entry)
        yield SystemCommand("Sync progress lines", "make Completion Status and Time Tracking state the truth", lambda: self.request_edit(edits.Sync()))
        yield SystemCommand("Collapse all", "fold every section", lambda: self.tree.set_all_collapsed(True))
        yield SystemCommand("Expand all", "unfold every section", lambda: self.tree.set_all_collapsed(False))

    # -- mojibake ----------------------------------------------------------------------
    def _offer_repair(self, doc: Document) -> None:
        from tasktui import repair

        fixes = repair.find(doc.source)
        if fixes and not self.read_only_reason:
            sample = ", ".join(sorted({f"{f.old}→{f.new}" for f in fixes})[:3])
            self.notify(f"{len(fixes)} garbled characters (mojibake: {sample}). "
                        "ctrl+p “Repair mojibake” shows the change and fixes them.", timeout=8)

    def action_repair(self) -> None:
        from tasktui import repair
        from tasktui.screens.dialogs import ConfirmScreen

        if not self._editable():
            return
        fixes = repair.find(self.doc.source)
        if not fixes:
            self.notify("No mojibake in this file.")
            return
        diff = repair.diff(self.doc.source, fixes, self.path.name)
        lines = diff.splitlines()
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
        gc.unfreeze()  # what the app froze may be collected again (the app's end need not be the process's)
