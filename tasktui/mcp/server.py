"""``tasktui mcp [ROOT]``: the tasks files below ROOT served to coding agents over
MCP (stdio), on the official SDK's ``MCPServer``.

The tools are the command line's operations (tasktui.core.actions) and answer
with its ``--json`` objects (tasktui.core.report) as structured content, plus a
short text: no third way of reading or writing a tasks file. Every edit goes
through ``TasksFile.apply`` with the same lock and lease as the app and the
command line, so a person watching the file in the app sees each claim and
each done mark land, and the agent's next call reads what the person changed.

Every failure an agent can cause is a ``ToolError`` with one sentence and
nothing written (the SDK answers it as ``isError`` and logs no traceback).

Each tasks file is a resource, ``tasktui://<path below ROOT>``. A watcher
thread (tasktui.storage.watch.FolderWatcher) reports files that changed on
disk, whoever wrote them; its reports are carried into the server's event loop
and published to both kinds of subscriber: ``subscriptions/listen`` streams
(the 2026 protocol, through the SDK's subscription bus) and clients of earlier
revisions that called ``resources/subscribe``. Tasks files that appear or go
below ROOT (it is looked through again every few seconds) are a
``notifications/resources/list_changed``."""

import functools
import sys
import textwrap
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from mcp.server import NotificationOptions
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourcesListChanged, ResourceUpdated
from mcp.shared.exceptions import MCPError
from mcp.types import (INVALID_PARAMS, CallToolResult, EmptyResult, Resource, SubscribeRequestParams, TextContent,
                       ToolAnnotations, UnsubscribeRequestParams)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from tasktui import __version__
from tasktui.core import actions, report
from tasktui.core import history as git_history
from tasktui.core.tasksfile import TasksFile
from tasktui.doc import edits
from tasktui.doc.durations import DurationError
from tasktui.doc.links import entries_for
from tasktui.doc.patch import PatchError
from tasktui.doc.plaintext import shown_text
from tasktui.doc.query import TaskIndex, select
from tasktui.doc.query import parse as parse_query
from tasktui.doc.ready import Readiness
from tasktui.doc import refs
from tasktui.doc.refs import RefError
from tasktui.doc.safetext import json_clean, visible
from tasktui.mcp import shapes
from tasktui.mcp.root import OutsideRoot, Root
from tasktui.storage import config, store
from tasktui.storage.watch import FolderWatcher

RESCAN_S = 2.0  # seconds between looks for tasks files that appeared or went below ROOT ...
RESCAN_SHARE = 0.05  # ... or more, so that looking takes at most this share of the time (a huge tree)
LISTED_LINES = 100  # tasks listed in list_tasks' text (the structured content has them all)

INSTRUCTIONS = """\
tasktui keeps markdown tasks files (spec-kit, Kiro, OpenSpec, plain checklists) and \
changes only the bytes an edit must; a person may be watching the same file live in the \
tasktui app. Use these tools instead of editing a tasks file yourself: they write the \
file's own marks, ids and progress lines, and two agents never take the same task.

The workflow:
1. overview() lists the tasks files below the root; `file` in every other tool is a \
path from that list.
2. next_tasks(file) says what can start now and why (all=true: every task that can run \
in parallel).
3. claim_task(file) takes the first task that can start (claim_task(file, ref): that \
one) and marks it in progress in one locked write. A claim has no owner and never \
expires: release a task you will not finish with set_state(file, [ref], "todo").
4. Do the work, then set_state(file, [ref], "done").
5. log_entry(file, text, "Blocker", task=ref) records what blocks you (that task then \
waits until the blocker is resolved); log_entry(..., "Decision", ...) records a \
decision; add_time(file, ref, "1h30m") records time spent.

A task reference (`ref`) is its id (T012, 1.2), L<line> (the task on that line), or a \
piece of its text that names exactly one task. Every answer is read from the file as \
it is on disk at that moment, so what a person changed in between is what you see. \
Each tasks file is also a resource, tasktui://<path>: subscribe to it to hear when \
anyone changes it."""

ANTICIPATED = (RefError, OutsideRoot, actions.ActionError, edits.EditError, store.StoreError, PatchError,
               DurationError, git_history.HistoryError)
"""Failures an agent can cause: each is one sentence, with nothing written."""

File = Annotated[str, Field(description="The tasks file: its path below the root, as overview lists it "
                                        "(for example specs/001-login/tasks.md).")]
Ref = Annotated[str, Field(description="A task: its id (T012, 1.2), L<line>, or a piece of its text that names "
                                       "exactly one task.")]
Duration = Annotated[str, Field(description="45m, 1.5h, 1h30m, 2d (working days of the user's day_hours), 1w; "
                                            "a plain number up to 24 means hours.")]

READS = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
SETS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def answer(text: str, data: dict) -> CallToolResult:
    """A tool's result: ``data`` as structured content (valid JSON whatever bytes the file
    holds) and ``text`` for the model to read (control characters shown, never sent raw)."""
    return CallToolResult(content=[TextContent(type="text", text=visible(text, multiline=True))],
                          structured_content=json_clean(data))


def refusals(tool):
    """``tool`` with every anticipated failure turned into the SDK's ToolError (its one sentence)."""

    @functools.wraps(tool)
    def guarded(*args, **kwargs):
        try:
            return tool(*args, **kwargs)
        except ANTICIPATED as exc:
            raise ToolError(str(exc)) from None
        except OSError as exc:  # what the layers below did not put into words
            where = f" ({exc.filename})" if exc.filename else ""
            raise ToolError(f"{exc.strerror or exc}{where}") from None

    return guarded


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


def _task_line(text: str) -> str:
    """A task's text in a tool's words: without its markdown (tasktui.doc.plaintext), on one line."""
    return _one_line(shown_text(text))


class OpenFiles:
    """The tasks files the tools have opened, each read again at every call (only the
    part that changed is parsed again), one call at a time per file."""

    def __init__(self, root: Root, settings: config.Config) -> None:
        self.root = root
        self.settings = settings
        self._files: dict[Path, TasksFile] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()
        self.on_open = None  # told of each file opened for the first time (to watch it)

    @contextmanager
    def using(self, name: str) -> Iterator[tuple[str, TasksFile]]:
        """The file ``name`` names (by the root's rule), as it is on disk now, with its name below the root."""
        path = self.root.file(name)
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            tf = self._files.get(path)
            try:
                if tf is None:
                    tf = actions.open_file(path, self.settings)
                    tf.save_cache()
                    self._files[path] = tf
                    if self.on_open is not None:
                        self.on_open(path)
                else:
                    tf.reload()
            except store.StoreError:
                self._files.pop(path, None)
                raise
            yield self.root.rel(path), tf

    def served(self) -> set[Path]:
        with self._guard:
            return set(self._files)


class Changes:
    """Who hears about changes on disk, and the watcher that tells. The watcher calls
    back on its own thread; everything else here runs in the server's event loop."""

    def __init__(self, root: Root, bus: InMemorySubscriptionBus, files: OpenFiles) -> None:
        self.root = root
        self.bus = bus
        self.files = files
        self.listed: list[Path] = []  # the tasks files below the root, as resources/list gives them
        self.legacy_uris: set[str] = set()  # resources/subscribe (protocol revisions before 2026)
        self.legacy_session = None  # the connection of a client of those revisions
        self._watcher: FolderWatcher | None = None
        self._watched: set[Path] = set()
        self._token = None
        self._wake: anyio.Event | None = None

    async def run(self, *, task_status=anyio.TASK_STATUS_IGNORED) -> None:
        """Look through the root now and every RESCAN_S seconds (less often in a tree so
        big that looking takes longer than RESCAN_SHARE of the time; at once when a
        watched file went), keeping the watcher on every listed or served file."""
        self._token = anyio.lowlevel.current_token()
        self._wake = anyio.Event()
        self.files.on_open = self._opened
        try:
            took = await self._rescan(announce=False)
            task_status.started()
            while True:
                with anyio.move_on_after(max(RESCAN_S, took / RESCAN_SHARE)):
                    await self._wake.wait()
                self._wake = anyio.Event()
                took = await self._rescan(announce=True)
        finally:
            if self._watcher is not None:
                self._watcher.stop()

    async def _rescan(self, announce: bool) -> float:
        """The tasks files below the root looked for again; the seconds that took."""
        start = time.monotonic()
        found = await anyio.to_thread.run_sync(self.root.tasks_files)
        took = time.monotonic() - start
        changed = found != self.listed
        self.listed = found
        self._watch()  # before clients hear of a new file: they may change it at once
        if changed and announce:
            await self._publish_list_changed()
        return took

    def _watch(self) -> None:
        wanted = set(self.listed) | self.files.served()
        if wanted == self._watched:
            return
        if self._watcher is not None:
            self._watcher.stop()
        self._watched = wanted
        self._watcher = FolderWatcher(sorted(wanted), self._changed_on_disk) if wanted else None
        if self._watcher is not None:
            self._watcher.start()

    def _opened(self, _path: Path) -> None:
        """A tool opened a file (in a worker thread): watch it from now on."""
        try:
            anyio.from_thread.run_sync(self._watch, token=self._token)
        except anyio.RunFinishedError:
            pass

    def _changed_on_disk(self, paths: list[Path]) -> None:
        """The watcher's report (on its thread), carried into the event loop."""
        try:
            anyio.from_thread.run(self._publish_updates, paths, token=self._token)
        except anyio.RunFinishedError:
            pass  # the server is ending

    async def _publish_updates(self, paths: list[Path]) -> None:
        for path in paths:
            uri = self.root.uri(path)
            await self.bus.publish(ResourceUpdated(uri=uri))
            if uri in self.legacy_uris:
                await self._tell_legacy(lambda session: session.send_resource_updated(uri))
            if not path.exists() and self._wake is not None:
                self._wake.set()  # gone: look through the root again now

    async def _publish_list_changed(self) -> None:
        await self.bus.publish(ResourcesListChanged())
        await self._tell_legacy(lambda session: session.send_resource_list_changed())

    async def _tell_legacy(self, send) -> None:
        session = self.legacy_session
        if session is None:
            return
        try:
            await send(session)
        except Exception:  # the client went away: nobody left to tell
            self.legacy_session = None

    # -- the requests of clients before 2026 (resources/subscribe) --------------------------
    async def subscribe(self, ctx, params: SubscribeRequestParams) -> EmptyResult:
        self._check(params.uri)
        self.legacy_session = ctx.session
        self.legacy_uris.add(params.uri)
        return EmptyResult()

    async def unsubscribe(self, ctx, params: UnsubscribeRequestParams) -> EmptyResult:
        self.legacy_uris.discard(params.uri)
        return EmptyResult()

    def _check(self, uri: str) -> None:
        try:
            self.root.from_uri(uri)
        except OutsideRoot as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc), data={"uri": uri}) from None

    async def remember_legacy(self, ctx, call_next):
        """Middleware: the connection of a client of an earlier revision, for list_changed."""
        if ctx.method != "initialize" and ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            self.legacy_session = ctx.session
        return await call_next(ctx)


class TasksServer(MCPServer):
    """MCPServer with tasktui's resources: one per tasks file below the root, listed as
    they are now, read as they are on disk, subscribable by both protocol eras."""

    def __init__(self, root: Root, settings: config.Config) -> None:
        self.root = root
        self.bus = InMemorySubscriptionBus()
        self.files = OpenFiles(root, settings)
        self.changes = Changes(root, self.bus, self.files)

        @asynccontextmanager
        async def lifespan(_server):
            async with anyio.create_task_group() as group:
                await group.start(self.changes.run)
                try:
                    yield {}
                finally:
                    group.cancel_scope.cancel()

        super().__init__("tasktui", title="tasktui", version=__version__, instructions=INSTRUCTIONS,
                         log_level="WARNING", subscriptions=self.bus, lifespan=lifespan,
                         middleware=[self.changes.remember_legacy])
        # resources/subscribe: the 2025 revisions' way to hear about one resource. MCPServer
        # has no public hook for it yet; its migration guide registers the handler on the
        # low-level server like this.
        low = self._lowlevel_server
        low.add_request_handler("resources/subscribe", SubscribeRequestParams, self.changes.subscribe)
        low.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, self.changes.unsubscribe)

    async def list_resources(self) -> list[Resource]:
        return [Resource(uri=self.root.uri(path), name=json_clean(self.root.rel(path)), mime_type="text/markdown",
                         description="a tasks file below the root, as it is on disk")
                for path in self.changes.listed]

    async def read_resource(self, uri, context=None) -> Iterable[ReadResourceContents]:
        try:
            path = self.root.from_uri(str(uri))
        except OutsideRoot as exc:
            raise ResourceNotFoundError(str(exc)) from None
        try:
            snap = await anyio.to_thread.run_sync(functools.partial(store.read_quiet, path))
        except store.StoreError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        return [ReadResourceContents(content=snap.data.decode("utf-8", "replace"), mime_type="text/markdown")]

    async def run_stdio_async(self) -> None:
        """Serve stdio, telling clients of the earlier revisions that the list of resources changes too."""
        low = self._lowlevel_server
        async with stdio_server() as (read_stream, write_stream):
            await low.run(read_stream, write_stream,
                          low.create_initialization_options(NotificationOptions(resources_changed=True)))


def build(root: Root, settings: config.Config) -> TasksServer:
    """The server, with its tools."""
    server = TasksServer(root, settings)
    files = server.files

    def tool(annotations: ToolAnnotations):
        def register(fn):
            server.add_tool(refusals(fn), annotations=annotations, structured_output=True)
            return fn
        return register

    @tool(READS)
    def overview() -> Annotated[CallToolResult, shapes.Overview]:
        """Every tasks file below the root, one row each: its path (the `file` the other tools
        take), title, dialect, required tasks done of required, open blockers and the task to do
        next. Start here to find the file you work from."""
        summaries = report.overview(root.path, settings)
        lines = []
        for s in summaries:
            if not s.parsed:
                lines.append(f"{s.rel}: {s.error}")
                continue
            done, of = s.counts.shown
            nxt = f"; next: L{s.next.line} {_task_line(s.next.text)}" if s.next is not None else ""
            lines.append(f"{s.rel}: {done}/{of} done, {s.blockers} open blockers{nxt}")
        head = f"{len(summaries)} tasks files below {root.path}" if summaries else f"no tasks files below {root.path}"
        return answer("\n".join([head, *lines]), report.overview_json(str(root.path), summaries))

    @tool(READS)
    def status(file: File) -> Annotated[CallToolResult, shapes.Status]:
        """Where one tasks file stands: counts for the file, each section and each top-level
        task (required work done of required; optional and cancelled apart), time estimated
        and spent, and its Blockers & Decisions log."""
        with files.using(file) as (name, tf):
            whole = tf.rollup.document
            blockers = len(tf.doc.open_blockers)
            counted = f"{whole.summary('done')}, {whole.percent:.0f}%" if whole.total else whole.summary()
            text = f"{tf.doc.title or name}: {counted}; {blockers} open blocker{'s' if blockers != 1 else ''}"
            return answer(text, {"file": name, **report.status_json(tf.doc, tf.rollup)})

    @tool(READS)
    def list_tasks(file: File, query: Annotated[str | None, Field(description=(
            "Only the tasks this matches, in tasktui's find language: words (all must occur), "
            "\"an exact phrase\", state:open (work not done), "
            "state:done|todo|in_progress|queued|blocked|review|draft|cancelled, "
            "an id (T012), a marker ([US1], [P]), -term to leave out."))] = None,
                   ) -> Annotated[CallToolResult, shapes.TaskList]:
        """The tasks of a file in file order, each with its line, state, mark, id, text and the
        headings above it; `query` narrows them (for example `state:open [US1]`)."""
        with files.using(file) as (name, tf):
            doc = tf.doc
            tasks = doc.tasks
            problems: list[str] = []
            if query:
                parsed = parse_query(query)
                problems = list(parsed.problems)
                tasks = [doc.tasks[i] for i in select(parsed, TaskIndex(doc.tasks), doc.tasks)]
            lines = [f"L{t.line + 1} {'  ' * t.depth}[{t.mark}] {_task_line(t.text)}" for t in tasks[:LISTED_LINES]]
            if len(tasks) > LISTED_LINES:
                lines.append(f"... and {len(tasks) - LISTED_LINES} more (all are in the structured content; "
                             "a query narrows them)")
            head = f"{len(tasks)} task{'s' if len(tasks) != 1 else ''} in {name}" + (
                f" matching {query!r}" if query else "") + "".join(f"; {p}" for p in problems)
            return answer("\n".join([head, *lines]), {
                "file": name, "query": query, "query_problems": problems,
                "tasks": [report.task_json(doc, t) for t in tasks]})

    @tool(READS)
    def get_task(file: File, ref: Ref) -> Annotated[CallToolResult, shapes.TaskDetail]:
        """One task in full: its fields, whether it can start now and why (or what it waits
        for), its list item as written (details and subtasks, markdown) and the log entries
        that name it."""
        with files.using(file) as (name, tf):
            doc = tf.doc
            task = refs.task(doc, ref)
            readiness = Readiness(doc, tf.rollup)
            reason = readiness.reason(task.index)
            markdown = textwrap.dedent("\n".join(doc.source.lines[task.item_line:task.end]).rstrip())
            log = [{"line": e.line + 1, "date": e.date, "kind": e.kind, "text": e.text, "task": e.task,
                    "resolved": e.resolved} for e in entries_for(doc, task)]
            return answer(f"L{task.line + 1} [{task.mark}] {_task_line(task.text)}\n{reason}", {
                **report.task_json(doc, task), "file": name, "ready": readiness.is_ready(task.index),
                "reason": reason, "markdown": markdown,
                "subtasks": [report.task_json(doc, t) for t in doc.children(task)], "log": log})

    @tool(READS)
    def next_tasks(file: File, all: Annotated[bool, Field(description=(
            "Every task that can start now (what several agents can take in parallel) instead of "
            "the one to do next."))] = False) -> Annotated[CallToolResult, shapes.NextTasks]:
        """What to work on: the task in progress, else the first task that can start now by the
        file's order and dependencies, with the reason; with all=true every task that can start
        now. It changes nothing: claim_task takes a task."""
        with files.using(file) as (name, tf):
            doc, rollup = tf.doc, tf.rollup
            readiness = Readiness(doc, rollup)
            if all:
                found = readiness.ready()
                tasks = report.ready_json(doc, readiness, found)
            else:
                current = readiness.current()
                found = [current] if current is not None else []
                tasks = [report.next_json(doc, rollup, readiness, t,
                                          lambda ref: f"set_state with refs [{ref!r}] and state 'done'")
                         for t in found]
            nothing = None if found else readiness.nothing_ready()
            lines = [f"L{t['line']} {_task_line(t['text'])} ({t['reason']})" for t in tasks]
            return answer("\n".join(lines) or nothing, {"file": name, "tasks": tasks, "nothing_ready": nothing})

    @tool(WRITES)
    def claim_task(file: File, ref: Annotated[str | None, Field(description=(
            "The task to take (its id, L<line> or a piece of its text); without it, the first task "
            "that can start now."))] = None) -> Annotated[CallToolResult, shapes.ClaimedTask]:
        """Take a task to work on: it is marked in progress in one locked write, so two agents
        never take the same task. Without ref: the first task that can start now; with ref: that
        task, refused when it is in progress, done or waiting. Returns the claimed task (its id,
        line and text). Release a claim with set_state todo."""
        with files.using(file) as (name, tf):
            result = actions.claim(tf, ref)
            claimed = report.claimed_json(tf.doc, result)
            return answer(f"claimed L{claimed['line']} {_task_line(claimed['text'])} ({claimed['reason']})",
                          {**claimed, "file": name})

    @tool(SETS)
    def set_state(file: File, refs: Annotated[list[str] | str, Field(description=(
            "One task reference, or several (one write for all of them)."))],
                  state: Annotated[str, Field(description=(
                      "todo, done, in_progress, queued, blocked, review, draft or cancelled (checked against "
                      "the file: its legend or dialect must have a mark for it; blocked, review and draft only "
                      "a legend gives)."))]) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Put one or more tasks in a state, written with the mark the file itself uses for it
        (its legend's, else its dialect's). Use done when a task is finished, todo to release a
        claim. Returns what changed."""
        with files.using(file) as (name, tf):
            result = actions.set_state(tf, _refs(refs), state)
            return answer(result.summary, report.edit_json(name, result))

    @tool(WRITES)
    def add_task(file: File, text: Annotated[str, Field(description="The task's text (an id is added when "
                                                                     "the file numbers its tasks).")],
                 section: Annotated[str | None, Field(description=(
                     "Put it at the end of the tasks under this heading (its text, or a piece of it)."))] = None,
                 after: Annotated[str | None, Field(description="Put it right after this task (and its subtasks), "
                                                                "at its depth.")] = None,
                 ) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Add an open task in its neighbours' style (list marker, indentation, the next free
        id): after the task `after`, or at the end of the heading `section`'s tasks; with
        neither, at the end of the file. Returns the line it is on."""
        with files.using(file) as (name, tf):
            result = actions.add(tf, text, after=after, section=section)
            return answer(result.summary, report.edit_json(name, result))

    @tool(SETS)
    def edit_task(file: File, ref: Ref, text: Annotated[str, Field(description=(
            "The new description; the task's id, markers and emphasis stay."))],
                  expected_text: Annotated[str | None, Field(description=(
                      "The task's text as you last read it (`text` of list_tasks or get_task): the edit is "
                      "refused if it reads otherwise now."))] = None) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Change a task's description; its id, markers and emphasis stay. Give expected_text
        so a change someone made since you read it is never overwritten."""
        with files.using(file) as (name, tf):
            result = actions.edit_text(tf, ref, text, expected_text)
            return answer(result.summary, report.edit_json(name, result))

    @tool(WRITES)
    def move_task(file: File, ref: Ref,
                  before: Annotated[str | None, Field(description="Put it just above this task, at its depth.")] = None,
                  after: Annotated[str | None, Field(description="Put it just below this task and its subtasks, "
                                                                 "at its depth.")] = None,
                  section: Annotated[str | None, Field(description="Put it at the end of the tasks under this "
                                                                   "heading.")] = None,
                  ) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Move a task with its details and subtasks: before or after another task, or to the
        end of a heading's tasks (exactly one of before, after, section)."""
        with files.using(file) as (name, tf):
            result = actions.move(tf, ref, before=before, after=after, section=section)
            return answer(result.summary, report.edit_json(name, result))

    @tool(WRITES)
    def log_entry(file: File, text: Annotated[str, Field(description="What blocks, or what was decided.")],
                  kind: Annotated[str, Field(description="Blocker or Decision.")],
                  task: Annotated[str | None, Field(description="The task it concerns (a reference).")] = None,
                  ) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Record a Blocker or a Decision in the file's Blockers & Decisions log, dated today,
        naming the task it concerns. A task an open blocker names waits until it is resolved."""
        with files.using(file) as (name, tf):
            result = actions.log(tf, text, kind, task=task)
            return answer(result.summary, report.edit_json(name, result))

    @tool(WRITES)
    def add_time(file: File, ref: Ref, duration: Duration) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Add time spent on a task to its Actual Time (a heading's, for L<line> of a heading).
        Returns the new total."""
        with files.using(file) as (name, tf):
            result = actions.add_time(tf, ref, actions.duration(duration, settings))
            return answer(result.summary, report.edit_json(name, result))

    @tool(SETS)
    def set_estimate(file: File, ref: Ref, duration: Duration) -> Annotated[CallToolResult, shapes.EditOutcome]:
        """Set a task's Estimated Time, replacing the one it has (a heading's own, for L<line> of
        a heading). The file's totals and progress lines follow in the same write."""
        with files.using(file) as (name, tf):
            result = actions.set_estimate(tf, ref, actions.duration(duration, settings))
            return answer(result.summary, report.edit_json(name, result))

    @tool(READS)
    def check(file: File) -> Annotated[CallToolResult, shapes.Check]:
        """Check the order the file states: dependency cycles and references to tasks or phases
        that are not in the file, each with its line. Run it after adding or moving tasks."""
        with files.using(file) as (name, tf):
            deps, problems = report.dependency_problems(tf.doc, tf.rollup)
            lines = [f"{name}:{p.line + 1}: {p.kind}: {_one_line(p.text)}" for p in problems]
            said = f"{name}: no cycles and no missing references ({deps.statements} statements of order read)"
            return answer("\n".join(lines) or said, report.check_json(name, deps, problems))

    @tool(READS)
    def history(file: File) -> Annotated[CallToolResult, shapes.History]:
        """Progress over time from the file's git history: required tasks done after each
        commit, when each task was done, the velocity (tasks a working day) and a forecast."""
        with files.using(file) as (name, tf):
            found = git_history.compute(tf.path, data=tf.snapshot.data, current=tf.doc, day_hours=settings.day_hours,
                                        workdays=settings.workdays, dialect=tf.dialect, legend=tf.legend)
            return answer("\n".join(git_history.describe(found)), {"file": name, **found.as_json()})

    return server


def _refs(refs: list[str] | str) -> list[str]:
    refs = [refs] if isinstance(refs, str) else list(refs)
    if not refs:
        raise actions.ActionError("name at least one task in refs")
    return refs


def serve(folder: str) -> None:
    """Serve the tasks files below ``folder`` on stdin/stdout until the client goes.
    tasktui.mcp.root.RootError (one sentence) for a folder that cannot be served."""
    root = Root(folder)
    store.enable_leases()  # on the main thread, before the loop: a lease broken by SIGIO
    settings, problem = actions.settings()
    if problem:
        print(f"tasktui: {visible(problem)}", file=sys.stderr)
    anyio.run(build(root, settings).run_stdio_async)
