"""The workspace overview: every tasks file below a folder, one row each (its
title, spec folder, dialect, progress, open blockers, time, the task to do next
and when it last changed). Enter opens a file; the app shows it on a
MainScreen and ``o`` there comes back here.

The first frame shows a row per file straight away (where it is, when it
changed); the files are read and summed up in a worker (tasktui.core.workspace),
their rows filled in as they arrive. One thread watches the folders of all the
files (tasktui.storage.watch.FolderWatcher) and a file that changes is read again."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from tasktui.storage import config as config_mod
from tasktui.storage import store
from tasktui.core import workspace
from tasktui.doc.plaintext import shown_text
from tasktui.storage.watch import FolderWatcher
from tasktui.ui.widgets.file_table import FileTable
from tasktui.ui.widgets.footer import PinnedFooter
from tasktui.ui.widgets.plain import plain, plain_text


class WorkspaceScreen(Screen):
    BINDINGS = [
        Binding("enter", "open_file", "Open"),
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]
    DEFAULT_CSS = """
    WorkspaceScreen #ws-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    WorkspaceScreen #ws-columns { height: 1; padding: 0 1; color: $text-muted; text-style: bold; }
    WorkspaceScreen FileTable { height: 1fr; padding: 0 1; }
    WorkspaceScreen #ws-detail { height: 3; padding: 0 1; background: $panel; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BATCH_SECONDS = 0.05  # rows read in a worker reach the screen together, at most this often
    BUSY_RETRY = 0.25  # seconds between looks at a file another program is writing
    BUSY_LIMIT = 10.0

    @dataclass
    class OpenRequested(Message):
        """Open this tasks file (posted to the app)."""

        path: Path

    class SummariesRead(Message):
        """A batch of files read in the worker (posted: the worker reads on meanwhile)."""

        def __init__(self, summaries: list[workspace.FileSummary]) -> None:
            super().__init__()
            self.summaries = summaries

    class FilesChanged(Message):
        """The folder watcher saw these files change."""

        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    def __init__(self, root: Path, files: list[Path], settings: config_mod.Config | None = None,
                 clock=time.time) -> None:
        super().__init__()
        self.root = root
        self.files = list(files)
        self.settings = settings or config_mod.Config()
        self.clock = clock
        self.watcher: FolderWatcher | None = None
        self._known: dict[Path, workspace.FileSummary] = {}  # the last summary read of each file

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="ws-title")
        yield Static("", id="ws-columns")
        yield FileTable(id="files", clock=self.clock)
        yield Static("", id="ws-detail")
        yield PinnedFooter(compact=True)

    @property
    def table(self) -> FileTable:
        return self.query_one(FileTable)

    def on_mount(self) -> None:
        n = len(self.files)
        name = self.root.resolve().name or str(self.root)
        self.query_one("#ws-title", Static).update(plain(f"{n} tasks file{'s' if n != 1 else ''} in {name}/"))
        self.table.set_rows([workspace.placeholder(p, self.root) for p in self.files])
        self.table.focus()
        self._show_columns()
        self.read_files(list(self.files))  # in a worker, beside the first frame
        self.call_after_refresh(self._watch)

    def _watch(self) -> None:
        """After the first frame: watch the folders of every file (a file that changed
        meanwhile is read again: its row is compared with what is on disk once the
        watcher runs)."""
        self.watcher = FolderWatcher(self.files, lambda paths: self.post_message(self.FilesChanged(paths)))
        self.watcher.start()
        self._look_again_once_watched()

    @work(thread=True, group="summaries")
    def _look_again_once_watched(self) -> None:
        """Once the watcher runs, what each file is on disk (its size and time of change),
        for ``_changed_before_watched``: a file changed after it was read but before it
        was watched is read again."""
        watcher = self.watcher
        if watcher is None or not watcher.ready.wait(10):
            return
        seen: dict[Path, tuple[float, int] | None] = {}
        for path in self.files:
            try:
                st = os.stat(path)
                seen[path] = (st.st_mtime_ns / 1e9, st.st_size)
            except OSError:
                seen[path] = None
        self.app.call_from_thread(self._changed_before_watched, seen)

    def _changed_before_watched(self, seen: dict[Path, tuple[float, int] | None]) -> None:
        stale = []
        for path, now in seen.items():
            known = self._known.get(path)
            if known is not None and now != ((known.mtime, known.size) if known.mtime is not None else None):
                stale.append(path)
        if stale:
            self.read_files(stale)

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def on_resize(self, _event) -> None:
        self._show_columns()

    def _show_columns(self) -> None:
        table = self.table
        width = table.scrollable_content_region.width or max(0, self.size.width - 2)
        self.query_one("#ws-columns", Static).update(table.heading(width))

    # -- reading ----------------------------------------------------------------------------
    @work(thread=True, group="summaries")
    def read_files(self, paths: list[Path]) -> None:
        """Read and sum up ``paths`` (in this order), handing the rows to the screen in batches."""
        worker = get_current_worker()
        batch: list[workspace.FileSummary] = []
        read: list[workspace.FileSummary] = []  # every file read here, for the times of their last commits
        flushed = time.monotonic()
        waiting: dict[Path, float] = {}
        queue = list(paths)
        while queue:
            if worker.is_cancelled:
                return
            path = queue.pop(0)
            try:
                summary = workspace.summarize(path, self.root, self.settings, max_bytes=workspace.BIG_FILE,
                                              previous=self._known.get(path))
            except store.Busy:  # another program is writing it: look again in a moment
                first = waiting.setdefault(path, time.monotonic())
                if time.monotonic() - first < self.BUSY_LIMIT:
                    queue.append(path)
                    if len(queue) == 1:
                        time.sleep(self.BUSY_RETRY)
                    continue
                summary = workspace.placeholder(path, self.root)
                summary = workspace.FileSummary(summary.path, summary.rel, summary.folder, summary.mtime, summary.size,
                                                error="another program keeps it open for writing",
                                                read_at=time.monotonic())
            batch.append(summary)
            read.append(summary)
            if time.monotonic() - flushed >= self.BATCH_SECONDS:
                self.post_message(self.SummariesRead(batch))
                batch, flushed = [], time.monotonic()
        if batch:
            self.post_message(self.SummariesRead(batch))
        # then "Changed" from git (a clone's files all changed "just now"), once every row has its numbers
        if read and not worker.is_cancelled:
            committed = [s for s in workspace.with_commits(read) if s.committed is not None]
            if committed:
                self.post_message(self.SummariesRead(committed))

    @on(SummariesRead)
    def _take(self, event: SummariesRead) -> None:
        summaries = event.summaries
        for s in summaries:
            known = self._known.get(s.path)
            if known is None or s.read_at >= known.read_at:
                self._known[s.path] = s
        if self.is_attached and self.table.take(summaries):
            self._show_columns()

    @on(FilesChanged)
    def _files_changed(self, event: FilesChanged) -> None:
        self.read_files(event.paths)

    def reread(self, path: Path) -> None:
        """Read ``path`` again (a file just closed in the app)."""
        if path in self._known or path in self.files:
            self.read_files([path])

    # -- what the cursor is on -----------------------------------------------------------------
    @on(FileTable.Highlighted)
    def _highlighted(self, event: FileTable.Highlighted) -> None:
        s = event.summary
        detail = self.query_one("#ws-detail", Static)
        if s is None:
            detail.update("")
            return
        lines = [s.rel + (f"  ·  {s.title}" if s.title else "")]
        if s.parsed:
            c = s.counts
            second = f"{s.dialect}  ·  {c.summary('done')}"
            spent = workspace.time_label(c)
            if spent:
                second += f"  ·  {spent} spent/estimated"
            second += f"  ·  {s.blockers} open blocker{'s' if s.blockers != 1 else ''}"
            second += f"  ·  {s.ready} can start, {s.waiting} waiting"
            if s.problems:
                second += f"  ·  {s.problems} problem{'s' if s.problems != 1 else ''} with the order it states"
            lines.append(second)
        if s.error:
            lines.append(s.error)
        elif s.next is not None:
            lines.append(f"next: L{s.next.line} {shown_text(s.next.text)} — {s.next.reason}")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for k, line in enumerate(lines):
            if k:
                text.append("\n")
            text.append_text(plain_text(line))
        detail.update(text)

    @on(FileTable.Chosen)
    def _chosen(self, event: FileTable.Chosen) -> None:
        self.app.post_message(self.OpenRequested(event.summary.path))

    def action_open_file(self) -> None:
        s = self.table.cursor_summary
        if s is not None:
            self.app.post_message(self.OpenRequested(s.path))

    def action_help(self) -> None:
        from tasktui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())
