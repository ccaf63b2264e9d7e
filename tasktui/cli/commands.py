"""The command line: ``tasktui FILE`` opens the app; subcommands read and edit the file
for scripts and agents. Read-only commands never import Textual."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from tasktui import __version__

from tasktui.storage import config, store
from tasktui.core import actions, report
from tasktui.doc import edits
from tasktui.doc.patch import PatchError
from tasktui.doc.durations import DurationError, short_hours
from tasktui.doc.model import Document, Task
from tasktui.doc.plaintext import shown_text
from tasktui.doc.ready import Readiness
from tasktui.doc.refs import RefError
from tasktui.doc.rollup import RollUp, bar, is_open
from tasktui.doc.states import DONE, STATES, TODO
from tasktui.doc.safetext import dumps, visible

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """One line for stderr; exit 1."""


class UsageError(CliError):
    """A command line that asks for something tasktui has no word for: exit 2."""


# ------------------------------------------------------------------------ output
def emit_json(value) -> None:
    """JSON on stdout: valid UTF-8 for any bytes in the file (tasktui.doc.safetext.dumps)."""
    sys.stdout.buffer.write(dumps(value, indent=2).encode("utf-8") + b"\n")
    sys.stdout.flush()


def say(line: str = "", file=None) -> None:
    """One line of human output. Lines quote the file, so they go through the same rule
    as the screen: control characters become visible placeholders, never terminal codes."""
    print(visible(line), file=file or sys.stdout)


def _box(task: Task) -> str:
    return f"[{task.mark}]" + ("*" if task.optional else " ")


def _bar(fraction: float, width: int = 20) -> str:
    return bar(fraction, width, "#", ".")


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (CJK and emoji take two)."""
    from rich.cells import cell_len

    return cell_len(visible(text))


def _fit(text: str, width: int, pad: bool = False) -> str:
    """``text`` cut to ``width`` cells (with …), padded to them with ``pad``."""
    from rich.cells import set_cell_size

    shown = visible(text)
    if _cells(shown) > width:
        shown = set_cell_size(shown, max(0, width - 1)) + "…"
    return set_cell_size(shown, width) if pad else shown


def print_list(doc: Document, tasks: list[Task]) -> None:
    width = shutil.get_terminal_size((100, 24)).columns
    for t in tasks:
        time = ""
        if t.estimate_hours is not None or t.actual_hours is not None:
            time = f"  ({short_hours(t.actual_hours) if t.actual_hours is not None else '-'}/{short_hours(t.estimate_hours)})"
        head = f"L{t.line + 1:<5} {'  ' * t.depth}{_box(t)} "
        # the legend's word for a state the box alone does not say (Blocked, Review, Competing)
        note = "  (legend)" if t.legend else (f"  ({t.label})" if t.label and t.state not in (TODO, DONE) else "")
        room = max(10, width - len(head) - len(time) - _cells(note))
        say(f"{head}{_fit(shown_text(t.text), room)}{note}{time}")


def print_status(doc: Document, rollup: RollUp | None = None) -> None:
    rollup = rollup if rollup is not None else RollUp(doc)
    whole = rollup.document
    say(f"{doc.title or 'Tasks'}  ({doc.dialect})")
    say(f"{_bar(whole.fraction)} {whole.summary('done')}, {whole.percent:.0f}%" if whole.total else whole.summary())
    if whole.has_time:
        line = f"time: {short_hours(whole.actual_hours)} spent of {short_hours(whole.estimate_hours)} estimated"
        if whole.variance_hours is not None:
            pct = f", {whole.variance_pct:+.0f}%" if whole.variance_pct is not None else ""
            line += f" (variance {whole.variance_hours:+g}h{pct})"
        if whole.remaining_hours is not None:
            line += f", {short_hours(whole.remaining_hours)} left"
        say(line)
    shown = [(s.title, rollup.section(s.index)) for s in doc.sections if rollup.section(s.index).total]
    if doc.dialect == "kiro" and len(shown) <= 1:  # Kiro: one list of numbered tasks; its top-level tasks are the parts
        shown = [(shown_text(t.text), rollup.task(t.index)) for t in report.top_level(doc)]
    if shown:
        say()
        w = min(40, max(_cells(title) for title, _ in shown))
        for title, c in shown:
            t = _fit(title, w, pad=True)
            extra = ""
            if c.has_time:
                extra = f"  {short_hours(c.actual_hours)}/{short_hours(c.estimate_hours)}"
                if c.variance_pct is not None:
                    extra += f" ({c.variance_pct:+.0f}%)"
            done, of = c.shown
            say(f"{t}  {_bar(c.fraction, 10)} {done:>3}/{of:<3}{extra}")
    for problem in doc.problems:
        say(f"note: {problem}")
    open_blockers = doc.open_blockers
    if open_blockers:
        say()
        for b in open_blockers:
            say(f"blocker L{b.line + 1} {b.date}: {b.text}")


# ---------------------------------------------------------------------- commands
def _settings(args) -> config.Config:
    cfg, problem = actions.settings(no_sync=getattr(args, "no_sync", False))
    if problem:
        say(f"tasktui: {problem}", file=sys.stderr)
    return cfg


def _waiting(sentence: str) -> None:
    say(f"tasktui: {sentence}", file=sys.stderr)


def _open(args, cfg: config.Config):
    """The file as every command reads it (tasktui.core.actions.open_file), ``--dialect`` heard."""
    return actions.open_file(args.file, cfg, getattr(args, "dialect", None), waiting=_waiting)


def _read(args, cfg: config.Config) -> tuple[Document, RollUp]:
    """The file's Document and its RollUp (the one TasksFile already computed)."""
    tf = _open(args, cfg)
    tf.save_cache()
    return tf.doc, tf.rollup


def cmd_list(args) -> int:
    cfg = _settings(args)
    doc, _rollup = _read(args, cfg)
    tasks = doc.tasks
    if args.state:
        wanted = set(args.state.split(","))
        bad = wanted - {*STATES, "open", "legend"}
        if bad:
            raise UsageError(f"unknown state {', '.join(sorted(bad))}: use {', '.join(STATES)}, open or legend")
        tasks = [t for t in tasks if ("legend" in wanted and t.legend)
                 or not t.legend and (t.state in wanted or ("open" in wanted and is_open(t)))]
    if args.section:
        needle = args.section.casefold()
        tasks = [t for t in tasks if any(needle in p.casefold() for p in t.path)]
        if not any(needle in h.text.casefold() for h in doc.headings):
            raise CliError(f"no heading matches {args.section!r}")
    if args.json:
        emit_json([report.task_json(doc, t) for t in tasks])
    else:
        print_list(doc, tasks)
    return EXIT_OK


def cmd_status(args) -> int:
    if args.all:
        return _status_all(args)
    doc, rollup = _read(args, _settings(args))
    if args.json:
        emit_json(report.status_json(doc, rollup))
    else:
        print_status(doc, rollup)
    return EXIT_OK


def _status_all(args) -> int:
    """``status --all [DIR]``: every tasks file below DIR, one line (or one JSON object) each."""
    import time

    from tasktui.core import workspace

    root = Path(args.file or ".")
    if not root.is_dir():
        raise CliError(f"{root} is not a folder: status --all takes the folder to look in")
    cfg = _settings(args)
    found = workspace.find_tasks_files(root)
    if not found:
        raise CliError(f"no tasks files below {root} (tasks.md, TODO.md, plans with tasks; {workspace.MAX_DEPTH} "
                       "folders down)")
    files = found[:args.limit] if args.limit is not None else found
    if len(files) < len(found):
        say(f"tasktui: {len(files)} of the {len(found)} tasks files below {root} are listed (--limit {args.limit})",
            file=sys.stderr)
    summaries = report.overview(root, cfg, getattr(args, "dialect", None), files)
    if args.json:
        emit_json(report.overview_json(str(root), summaries, len(found)))
        return EXIT_OK
    now = time.time()
    width = shutil.get_terminal_size((120, 24)).columns
    where_w = min(32, max(_cells(s.where) for s in summaries))
    title_w = min(28, max(_cells(s.title or "") for s in summaries))
    for s in summaries:
        head = f"{_fit(s.where, where_w, pad=True)}  {_fit(s.title or '', title_w, pad=True)}  "
        if not s.parsed:
            say(f"{head}{_fit(s.error or '', max(10, width - _cells(head)))}")
            continue
        c = s.counts
        done, of = c.shown
        counted = f"{_bar(c.fraction, 10)} {done:>4}/{of:<4} {c.percent:3.0f}%" if c.total else f"{c.summary():<25}"
        parts = f"{(s.dialect or ''):<8} {counted}  ⚑ {s.blockers:<2}"
        spent = workspace.time_label(c)
        parts += f"  {spent:<11}" if spent else "  " + " " * 11
        changed = workspace.changed_label(s.changed, now)
        room = max(10, width - _cells(head) - _cells(parts) - len(changed) - 6)
        say(f"{head}{parts}  {_fit(workspace.next_label(s), room, pad=True)}  {changed}")
    return EXIT_OK


def cmd_next(args) -> int:
    """The task in progress, else the first ready one (``--all``: every task that
    can start now; ``--claim``: the first ready one, marked in progress)."""
    if args.claim:
        if args.all:
            raise UsageError("--claim takes one task: use it without --all")
        return _claim(args)
    doc, rollup = _read(args, _settings(args))
    readiness = Readiness(doc, rollup)
    name = args.file  # as the user gave it: many spec folders each hold a tasks.md
    if args.all:
        tasks = readiness.ready()
        if not tasks:
            say(f"tasktui: {name}: {readiness.nothing_ready()}", file=sys.stderr)
            return EXIT_ERROR
        if args.json:
            emit_json(report.ready_json(doc, readiness, tasks))
        else:
            width = shutil.get_terminal_size((100, 24)).columns
            for t in tasks:
                head = f"L{t.line + 1:<5} "
                why = readiness.reason(t.index)
                room = max(20, width - len(head) - _cells(why) - 4)
                say(f"{head}{_fit(shown_text(t.text), room)}  ({why})")
        return EXIT_OK
    task = readiness.current()
    if task is None:
        say(f"tasktui: {name}: {readiness.nothing_ready()}", file=sys.stderr)
        return EXIT_ERROR
    found = report.next_json(doc, rollup, readiness, task, lambda ref: f"`tasktui toggle {args.file} {ref}`")
    if args.json:
        emit_json(found)
    else:
        say(f"L{task.line + 1} {shown_text(task.text)}" + (f"  ({' > '.join(task.path)})" if task.path else ""))
        if found["note"]:
            say(f"  {found['note']}")
        say(f"  {found['reason']}")
    return EXIT_OK


def _claim(args) -> int:
    """``next --claim``: the first ready task, marked in progress in one locked write
    (the task is chosen under the lock, on the file as it is then)."""
    tf = _open(args, _settings(args))
    try:
        result = actions.claim(tf)
    except edits.ConflictError:
        raise
    except edits.EditError as exc:
        raise CliError(f"{args.file}: {exc}") from None
    claimed = report.claimed_json(tf.doc, result)
    if args.json:
        emit_json(claimed)
    else:
        task = tf.doc.task_at_line(result.details.line - 1)
        say(f"claimed L{task.line + 1} {shown_text(task.text)}" + (f"  ({' > '.join(task.path)})" if task.path else ""))
        say(f"  {result.details.reason}")
    return EXIT_OK


def cmd_check(args) -> int:
    """Cycles and references to what is not in the file, one line each; exit 1 when there are any."""
    doc, rollup = _read(args, _settings(args))
    deps, problems = report.dependency_problems(doc, rollup)
    name = args.file  # as the user gave it, as compilers do: specs/002-b/tasks.md:14
    if args.json:
        emit_json(report.check_json(str(args.file), deps, problems))
    elif problems:
        for p in problems:
            say(f"{name}:{p.line + 1}: {p.kind}: {p.text}")
    else:
        said = f"{deps.statements} statement{'s' if deps.statements != 1 else ''} of order read"
        say(f"{name}: no cycles and no missing references ({said})")
    return EXIT_ERROR if problems else EXIT_OK


def _edit(args, action) -> int:
    """Run ``action(tf, cfg)`` (a tasktui.core.actions operation) on the file and say what changed."""
    cfg = _settings(args)
    tf = _open(args, cfg)
    result = action(tf, cfg)
    tf.save_cache()
    if getattr(args, "json", False):
        emit_json(report.edit_json(str(args.file), result))
    else:
        say(result.summary)
    return EXIT_OK


def _duration(text: str, cfg: config.Config) -> float:
    try:
        return actions.duration(text, cfg)
    except DurationError as exc:
        raise CliError(str(exc)) from None


def cmd_toggle(args) -> int:
    return _edit(args, lambda tf, cfg: actions.toggle(tf, args.ref))


def cmd_set(args) -> int:
    try:
        state = actions.settable_state(args.state)
    except actions.ActionError as exc:
        raise UsageError(str(exc)) from None
    return _edit(args, lambda tf, cfg: actions.set_state(tf, args.ref, state))


def cmd_add(args) -> int:
    return _edit(args, lambda tf, cfg: actions.add(tf, args.text, after=args.after, under=args.under))


def cmd_edit(args) -> int:
    return _edit(args, lambda tf, cfg: actions.edit_text(tf, args.ref, args.text, args.expect))


def cmd_delete(args) -> int:
    return _edit(args, lambda tf, cfg: actions.delete(tf, args.ref))


def cmd_move(args) -> int:
    return _edit(args, lambda tf, cfg: actions.move(tf, args.ref, before=args.before, after=args.after,
                                                    section=args.section))


def cmd_renumber(args) -> int:
    return _edit(args, lambda tf, cfg: actions.renumber(tf, args.section))


def cmd_time(args) -> int:
    """Add time spent (``DURATION``), or set it (``--set DURATION``: a correction)."""
    if (args.duration is None) == (args.set is None):
        raise UsageError("give the time to add (tasktui time FILE REF 1h30m) or, to correct what is booked, "
                         "--set DURATION")
    if args.set is not None:
        return _edit(args, lambda tf, cfg: actions.set_time(tf, args.ref, _set_duration(args.set, cfg)))
    return _edit(args, lambda tf, cfg: actions.add_time(tf, args.ref, _duration(args.duration, cfg)))


_ZERO = re.compile(r"\s*0+(?:[.,]0+)?\s*(?:minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)?\s*", re.I)


def _set_duration(text: str, cfg: config.Config) -> float:
    """``--set``'s DURATION: any duration ``time`` takes, or zero (nothing spent, after all)."""
    return 0.0 if _ZERO.fullmatch(text) else _duration(text, cfg)


def _unknown_command(word: str | None) -> str | None:
    """The sentence for a mistyped command (``chekc``: did you mean ``check``?); None
    for a command, a file or folder that is there, or a word that looks like a path."""
    import difflib
    import os

    if word is None or word in COMMANDS or "." in word or "/" in word or os.path.exists(word):
        return None
    close = difflib.get_close_matches(word, list(COMMANDS), n=1)
    return f"unknown command {word!r}; did you mean {close[0]!r}?" if close else None


_NEGATIVE = re.compile(r"-\d")


def _negative_duration(argv: list[str]) -> str | None:
    """For ``time`` and ``estimate``, the sentence for a negative duration (argparse
    would read ``-5h`` as an option it does not know); None for any other command line."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in ("time", "estimate"):
        return None
    found = next((a for a in argv if _NEGATIVE.match(a)), None)
    if found is None:
        return None
    if command == "estimate":
        return f"an estimate cannot be negative ({found}): set it with `tasktui estimate FILE REF 4h`"
    return (f"time spent cannot be negative ({found}): to correct what is booked, set it with "
            "`tasktui time FILE REF --set 2h`")


def cmd_estimate(args) -> int:
    return _edit(args, lambda tf, cfg: actions.set_estimate(tf, args.ref, _duration(args.duration, cfg)))


def cmd_log(args) -> int:
    return _edit(args, lambda tf, cfg: actions.log(tf, args.text, args.kind, date=args.date, task=args.task))


def cmd_resolve(args) -> int:
    return _edit(args, lambda tf, cfg: actions.resolve(tf, args.entry, args.text, date=args.date))


def cmd_sync(args) -> int:
    args.no_sync = False
    return _edit(args, lambda tf, cfg: actions.sync(tf))


def cmd_new(args) -> int:
    path = Path(args.file)
    try:
        if path.exists() or path.is_symlink():
            raise CliError(f"{path} already exists: tasktui new never overwrites a file")
        if not path.parent.is_dir():
            raise CliError(f"the folder {path.parent} does not exist")
    except OSError as exc:
        raise CliError(f"could not create {path}: {exc.strerror}") from None
    title = (args.title or path.stem.replace("-", " ").replace("_", " ").strip().title() or "New Feature").strip()
    if "\n" in title or "\r" in title:
        raise CliError("the title must be one line")
    template = (Path(__file__).parent.parent / "data" / "new.md").read_text(encoding="utf-8")
    data = template.replace("{title}", title).encode("utf-8")
    try:
        with open(path, "xb") as f:  # exclusive create: never overwrite, even in a race
            f.write(data)
    except FileExistsError:
        raise CliError(f"{path} already exists: tasktui new never overwrites a file") from None
    except OSError as exc:
        raise CliError(f"could not create {path}: {exc.strerror}") from None
    say(f"created {path} ({title}); open it with: tasktui {path}")
    return EXIT_OK


def cmd_fmt(args) -> int:
    from tasktui.core import fmt

    tf = _open(args, replace(_settings(args), sync=False))  # fmt changes no progress line
    name = args.file  # as the user gave it
    data = tf.snapshot.data
    try:
        new = fmt.format_bytes(data)
    except fmt.FormatError as exc:
        raise CliError(f"{name} was not formatted: {exc}") from None
    if new == data:
        say(f"{name} is already formatted")
        return EXIT_OK
    if args.check:
        old_lines, new_lines = data.count(b"\n"), new.count(b"\n")
        say(f"{name} would be reformatted ({old_lines} -> {new_lines} lines); the tasks would stay the same")
        return EXIT_ERROR
    tf.apply(edits.Reformat(data, new))  # the one edit path; refused if the file changed meanwhile
    say(f"formatted {name}; the tasks are unchanged")
    return EXIT_OK


def cmd_repair(args) -> int:
    from tasktui.doc import repair

    path = Path(args.file)
    snap = store.read_quiet(path, on_wait=lambda sentence: say(f"tasktui: {sentence}", file=sys.stderr))
    source = Document(snap.data).source
    fixes = repair.find(source)
    if not fixes:
        say(f"{path}: no mojibake found")
        return EXIT_OK
    if not getattr(args, "json", False):
        for line in repair.diff(source, fixes, str(path)).split("\n"):
            say(line)
    if args.check:
        say(f"{path}: {len(fixes)} mojibake sequence(s) would be repaired")
        return EXIT_ERROR
    return _edit(args, lambda tf, cfg: actions.repair(tf))


def cmd_history(args) -> int:
    from tasktui.core import history

    cfg = _settings(args)
    try:
        found = history.compute(args.file, day_hours=cfg.day_hours, workdays=cfg.workdays,
                                dialect=getattr(args, "dialect", None) or cfg.dialect_for(args.file),
                                legend=cfg.legend_for(args.file))
    except history.HistoryError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        emit_json(found.as_json())
    else:
        print_history(found, args.file)
    return EXIT_OK


HISTORY_DAYS = 20  # days shown by `tasktui history` (the JSON has every commit)


def print_history(found, name: str) -> None:
    """A row per day with commits (its last commit), the uncommitted version, velocity
    and forecast, under a line naming the file (``name``: as the user gave it)."""
    from tasktui.core import history

    versions = found.versions
    if versions:
        span = f"{versions[0].day.isoformat()} to {versions[-1].day.isoformat()}"
        say(f"{name}: {len(versions)} commit{'s' if len(versions) != 1 else ''} on this branch, {span}")
    else:
        say(f"{name}: no commit of this file on this branch yet")
    for commit, old, new in found.renames:
        say(f"  renamed from {old} to {new} in {commit[:7]}")
    if found.shallow is not None:
        say(f"  a shallow clone: its history starts at {found.shallow.date[:10]} ({found.shallow.short}); "
            "`git fetch --unshallow` fetches the rest")
    last_of_day: dict = {}
    for v in versions:
        last_of_day[v.day] = v
    rows = list(last_of_day.values())
    if found.now is not None:
        rows.append(found.now)
    if rows:
        say()
        say(f"{'day':<10}  {'commit':<7}  {'done/required':>13}  {'':20}  cancelled")
        if len(rows) > HISTORY_DAYS:
            hidden = len(rows) - HISTORY_DAYS
            say(f"... {hidden} earlier day{'s' if hidden != 1 else ''} (--json has every commit)")
            rows = rows[-HISTORY_DAYS:]
        for v in rows:
            t = v.tally
            day = "now" if v.commit is None else v.day.isoformat()
            fraction = t.done / t.required if t.required else 0.0
            commit = v.short if v.commit is not None else "-"
            say(f"{day:<10}  {commit:<7}  {f'{t.done}/{t.required}':>13}  {_bar(fraction)}  {t.cancelled or ''}")
    say()
    for line in history.describe(found):
        say(line)
    return None


def cmd_completion(args) -> int:
    from tasktui.cli.completion import script

    sys.stdout.write(script(args.shell, build_parser()))
    return EXIT_OK


def cmd_cache(args) -> int:
    """Where tasktui's private store is and how big (``--clear``: empty it)."""
    from tasktui.storage import cache

    where = cache.location()
    if not cache.enabled():
        say(f"The cache is off (TASKTUI_NO_CACHE or --no-cache); it is kept in {where}.")
        return EXIT_OK
    found = cache.usage()
    if found is None:
        raise CliError(f"tasktui keeps no cache: {where.parent} is not a private folder of yours (or cannot be made)")
    if args.clear:
        if not cache.clear():
            raise CliError(f"the cache in {found.path} could not be emptied (another tasktui may be writing it)")
        after = cache.usage()
        say(f"The cache in {found.path} was emptied: {_megabytes(after.bytes if after else 0)} MB left.")
        return EXIT_OK
    say(f"The cache is kept in {found.path}: {_megabytes(found.bytes)} MB, {found.entries} entries.")
    return EXIT_OK


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}"


def cmd_open(args) -> int:
    from tasktui.cli.launch import open_app

    return open_app(args)


def cmd_mcp(args) -> int:
    """``tasktui mcp [ROOT]``: the MCP server for coding agents (tasktui.mcp), imported only
    here: it needs the optional MCP SDK, which the app and the other commands never load."""
    try:
        from tasktui.mcp import server
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types"):
            raise
        raise CliError("tasktui mcp needs the MCP SDK, which is not installed: pip install 'tasktui[mcp]'") from None
    from tasktui.mcp.root import RootError

    try:
        server.serve(args.file or ".")
    except RootError as exc:
        raise CliError(str(exc)) from None
    return EXIT_OK


# ------------------------------------------------------------------------ parser
COMMANDS = {
    "open": (cmd_open, "open FILE in the app", "tasktui open tasks.md"),
    "list": (cmd_list, "list tasks", "tasktui list tasks.md --state todo --json"),
    "status": (cmd_status, "progress, time and blockers per section (--all [DIR]: every tasks file below DIR)",
               "tasktui status --all . --json"),
    "next": (cmd_next, "the task in progress, else the first that can start (--all: every one; --claim: take it)",
             "tasktui next tasks.md --claim --json"),
    "check": (cmd_check, "report dependency cycles and references to what is not in the file", "tasktui check tasks.md"),
    "toggle": (cmd_toggle, "toggle tasks done / not done (several: all done, or all open when all are done)",
               "tasktui toggle tasks.md T001 T002"),
    "set": (cmd_set, "set tasks' state", "tasktui set tasks.md 1.2 1.3 in_progress"),
    "add": (cmd_add, "add a task", 'tasktui add tasks.md "Write docs" --after T004'),
    "edit": (cmd_edit, "change a task's text", 'tasktui edit tasks.md L12 "New text"'),
    "delete": (cmd_delete, "delete tasks with their details", "tasktui delete tasks.md L12 L20"),
    "move": (cmd_move, "move a task with its details and subtasks", 'tasktui move tasks.md T007 --section "Phase 2"'),
    "renumber": (cmd_renumber, "put the numbers under a heading in order", 'tasktui renumber tasks.md "Phase 2"'),
    "time": (cmd_time, "add time spent to a task (--set: set it, to correct it)", "tasktui time tasks.md T001 1h30m"),
    "estimate": (cmd_estimate, "set a task's estimate", "tasktui estimate tasks.md T001 4h"),
    "log": (cmd_log, "add a Blocker or Decision to the log", 'tasktui log tasks.md "API keys missing" --kind Blocker --task T003'),
    "resolve": (cmd_resolve, "resolve a blocker", 'tasktui resolve tasks.md "API keys" "keys arrived"'),
    "sync": (cmd_sync, "bring the Progress Tracking lines up to date", "tasktui sync tasks.md"),
    "new": (cmd_new, "write a fresh tasks file from the built-in template", 'tasktui new tasks.md --title "Search"'),
    "fmt": (cmd_fmt, "reformat the file with mdformat, keeping every task intact", "tasktui fmt tasks.md --check"),
    "history": (cmd_history, "progress over time, from the file's git history", "tasktui history tasks.md --json"),
    "repair": (cmd_repair, "rewrite mojibake (â¬œ → ⬜) after showing the diff", "tasktui repair tasks.md --check"),
    "cache": (cmd_cache, "where tasktui's private cache is and how big; --clear empties it", "tasktui cache --clear"),
    "mcp": (cmd_mcp, "serve the tasks files below ROOT (default: here) to coding agents over MCP on stdio",
            "tasktui mcp ~/src/my-project"),
    "completion": (cmd_completion, "print a completion script for bash, zsh or fish (commands, options, file names)",
                   "tasktui completion bash >> ~/.bashrc"),
}


def _kind(text: str) -> str:
    """--kind: Blocker or Decision, in any case (anything else is a usage error: exit 2)."""
    if text.strip() and text.strip().capitalize() not in edits.KINDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a kind of entry: use Blocker or Decision")
    return text


def _date(text: str) -> str:
    """--date: a real date as YYYY-MM-DD (anything else is a usage error: exit 2)."""
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date: use YYYY-MM-DD") from None


def _count(text: str) -> int:
    """--limit: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of files: use a whole number of at least 1")
    return int(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        say(f"tasktui: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    epilog = "commands:\n" + "\n".join(f"  {name:<9} {help_}\n            e.g. {example}" for name, (_, help_, example) in COMMANDS.items())
    epilog += (
        "\n\n  tasktui FILE   open FILE in the app      tasktui DIR   the overview of every tasks file below DIR"
        "\n  tasktui   open ./tasks.md, else the overview of the tasks files below here"
        "\n  tasktui --demo   a scratch copy of a sample"
        "\n\nREF names a task: L<line> (the task whose item starts there, or holds it), its id (T001, #T001, 1.1),"
        "\nor part of its text; several tasks with it: an error naming their lines. Exit codes: 0 ok, 1 error, 2 usage."
    )
    parser = _Parser(
        prog="tasktui",
        description="Work through a markdown tasks file in the terminal. `tasktui FILE` opens the app.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tasktui {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the app on a scratch copy of a sample")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                help="one of the commands below; `tasktui COMMAND --help` for its options")

    def add(name, *args_fn):
        func, help_, example = COMMANDS[name]
        # no help= here: the epilog lists each command once, with an example
        p = sub.add_parser(name, description=f"{help_}.  Example: {example}")
        p.set_defaults(func=func, subparser=p)
        if name == "status":  # `status --all` takes a folder, or none (here)
            p.add_argument("file", metavar="FILE", nargs="?")
        elif name == "mcp":  # the folder to serve, or none (here)
            p.add_argument("file", metavar="ROOT", nargs="?")
        elif name == "cache":  # about tasktui's own files: no FILE
            return p
        else:
            p.add_argument("file", metavar="FILE")
        if name not in ("new", "mcp"):
            p.add_argument("--no-cache", action="store_true",
                           help="neither use nor keep tasktui's cache (also TASKTUI_NO_CACHE=1)")
            p.add_argument("--dialect", choices=config.DIALECTS,
                           help="read the file as this dialect (else its contents, its path and the config decide)")
        return p

    p = add("open")
    p.add_argument("--read-only", action="store_true", help="never write the file")
    p.add_argument("--no-sync", action="store_true", help="do not update the Progress Tracking lines")
    p = add("list")
    p.add_argument("--json", action="store_true")
    p.add_argument("--state", help="comma-separated: todo, done, in_progress, queued, blocked, review, draft, "
                                   "cancelled, other, open, legend")
    p.add_argument("--section", help="only tasks under a heading containing this text")
    p = add("status")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="every tasks file below FILE, a folder (default: here)")
    p.add_argument("--limit", type=_count, metavar="N",
                   help="with --all: only the first N files (the output says how many there are)")
    p = add("next")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="every task that can start now")
    p.add_argument("--claim", action="store_true",
                   help="mark the task in progress in the same locked write (never one another claim took)")
    p.add_argument("--no-sync", action="store_true", help="do not update the Progress Tracking lines (--claim)")
    add("check").add_argument("--json", action="store_true")

    def edit_parser(name):
        p = add(name)
        p.add_argument("--json", action="store_true", help="print what changed as a JSON object")
        p.add_argument("--no-sync", action="store_true", help="do not update the Progress Tracking lines")
        return p

    edit_parser("toggle").add_argument("ref", metavar="REF", nargs="+", help="one or more tasks: one write")
    p = edit_parser("set")
    p.add_argument("ref", metavar="REF", nargs="+", help="one or more tasks: one write")
    p.add_argument("state", metavar="STATE", help="todo, done, in_progress, queued, blocked, review, draft or cancelled "
                                                  "(blocked, review and draft where the file's legend has a mark for them)")
    p = edit_parser("add")
    p.add_argument("text", metavar="TEXT")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--after", metavar="REF")
    g.add_argument("--under", metavar="REF")
    p = edit_parser("edit")
    p.add_argument("ref", metavar="REF")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--expect", metavar="TEXT",
                   help="the task's text as you last read it (`list` shows it): refused if it is different now")
    edit_parser("delete").add_argument("ref", metavar="REF", nargs="+", help="one or more tasks: one write")
    p = edit_parser("move")
    p.add_argument("ref", metavar="REF")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--before", metavar="REF", help="put it just above this task, at its depth")
    g.add_argument("--after", metavar="REF", help="put it just below this task (and its subtasks), at its depth")
    g.add_argument("--section", metavar="TITLE", help="put it at the end of the tasks under this heading")
    edit_parser("renumber").add_argument("section", metavar="TITLE", help="the heading whose tasks to renumber")
    for name in ("time", "estimate"):
        p = edit_parser(name)
        p.add_argument("ref", metavar="REF")
        p.add_argument("duration", metavar="DURATION", nargs="?" if name == "time" else None,
                       help="45m, 1.5h, 1h30m, 2d (a working day), 1w (five); a plain number up to 24 is hours")
        if name == "time":
            p.add_argument("--set", metavar="DURATION",
                           help="set the time spent instead of adding to it (a correction; 0 clears it)")
    p = edit_parser("log")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--kind", default="", type=_kind,
                   help="Blocker (the default, unless TEXT starts with \"Decision:\") or Decision")
    p.add_argument("--date", type=_date, help="YYYY-MM-DD (default today)")
    p.add_argument("--task", metavar="REF", help="link the entry to a task")
    p = edit_parser("resolve")
    p.add_argument("entry", metavar="ENTRY", help="L<line> or part of the entry's text")
    p.add_argument("text", metavar="TEXT", help="how it was resolved")
    p.add_argument("--date", type=_date, help="YYYY-MM-DD (default today)")
    edit_parser("sync")
    add("new").add_argument("--title", help="the feature's name (default: from the file name)")
    add("fmt").add_argument("--check", action="store_true", help="only report; exit 1 when it would change something")
    add("history").add_argument("--json", action="store_true",
                                help="every commit, with its counts per section, and when each task was done")
    add("cache").add_argument("--clear", action="store_true", help="empty the cache (it is filled again as files open)")
    p = edit_parser("repair")
    p.add_argument("--check", action="store_true", help="only show the diff; exit 1 when something would change")
    add("mcp")
    func, help_, example = COMMANDS["completion"]
    p = sub.add_parser("completion", description=f"{help_}.  Example: {example}")
    p.set_defaults(func=func, subparser=p)
    p.add_argument("shell", metavar="SHELL", choices=completion_shells(), help="bash, zsh or fish")
    return parser


def completion_shells() -> tuple[str, ...]:
    from tasktui.cli.completion import SHELLS

    return SHELLS


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except AttributeError:
        pass
    store.enable_leases()
    parser = build_parser()
    # `tasktui FILE` means `tasktui open FILE`; subcommand names win over file names
    first = next((a for a in argv if not a.startswith("-")), None)
    mistake = _unknown_command(first) or _negative_duration(argv)
    if mistake:
        say(f"tasktui: {mistake}", file=sys.stderr)
        return EXIT_USAGE
    if first is None or first not in COMMANDS:
        if not any(a in ("-h", "--help", "--version") for a in argv):
            argv = ["open", *argv] if first is not None else argv
    if not argv or argv == ["open"] or (first is None and not any(a in ("-h", "--help", "--version") for a in argv)):
        from tasktui.cli.launch import open_default

        return open_default(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    if args.func is cmd_status and args.file is None and not args.all:  # FILE is optional only with --all
        args.subparser.error("status needs a FILE (or --all [DIR] for every tasks file below DIR)")
    if args.func is cmd_status and args.limit is not None and not args.all:
        args.subparser.error("--limit counts files: use it with --all")
    try:
        if getattr(args, "no_cache", False):
            from tasktui.storage import cache

            with cache.off():
                return args.func(args)
        return args.func(args)
    except UsageError as exc:
        say(f"tasktui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CliError, store.StoreError, edits.EditError, PatchError, RefError, actions.ActionError) as exc:
        say(f"tasktui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tasktui list x.md | head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # anything the layers above did not put into words
        where = f" ({exc.filename})" if exc.filename else ""
        say(f"tasktui: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
