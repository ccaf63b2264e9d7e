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
from tasktui.doc import edits
from tasktui.doc.patch import PatchError
from tasktui.doc.durations import DurationError, parse_duration, short_hours
from tasktui.doc.model import Document, HeadingKey, Task
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import Counts, RollUp, bar, is_open
from tasktui.doc.states import SETTABLE, STATES
from tasktui.doc.safetext import dumps, json_text, visible

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """One line for stderr; exit 1."""


class UsageError(CliError):
    """A command line that asks for something tasktui has no word for: exit 2."""


# ------------------------------------------------------------------- references
def resolve_ref(doc: Document, ref: str) -> Task:
    """A task by id (``T001``, ``1.1``), ``L42`` (the task on line 42) or a unique text substring."""
    ref = ref.strip()
    m = re.fullmatch(r"[Ll](\d+)", ref)
    if m:
        line = int(m.group(1)) - 1
        task = doc.task_at_line(line)
        if task is None:
            task = next((t for t in doc.tasks if t.item_line == line), None)
        if task is None:
            raise CliError(f"there is no task on line {m.group(1)}")
        if task.legend:  # named by its line on purpose: done, with a word about it
            say(f"tasktui: note: L{task.line + 1} is part of the file's legend, which says what each mark means",
                file=sys.stderr)
        return task
    work = [t for t in doc.tasks if not t.legend]  # an id or a piece of text never means the legend
    by_id = [t for t in work if t.id is not None and (t.id == ref or t.id.rstrip(".") == ref.rstrip("."))]
    if len(by_id) == 1:
        return by_id[0]
    if len(by_id) > 1:
        raise CliError(_ambiguous(ref, by_id))
    hits = [t for t in work if _mentions(t.text, ref)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise CliError(f"no task matches {ref!r}: use an id, L<line> or part of the task's text")
    raise CliError(_ambiguous(ref, hits))


def _mentions(text: str, ref: str) -> bool:
    """Whether ``ref`` is a piece of ``text`` as the file holds it, as JSON shows it
    (U+FFFD for undecodable bytes) or as the screen shows it (visible placeholders)."""
    needle = ref.casefold()
    return any(needle in form.casefold() for form in {text, json_text(text), visible(text)})


def _ambiguous(ref: str, tasks: list[Task]) -> str:
    shown = "; ".join(f"L{t.line + 1} {t.text[:40]}" for t in tasks[:5])
    more = f" and {len(tasks) - 5} more" if len(tasks) > 5 else ""
    return f"{ref!r} matches {len(tasks)} tasks ({shown}{more}): be more specific or use L<line>"


def resolve_entry(doc: Document, ref: str) -> edits.EntryKey:
    keys = edits.entry_keys(doc)
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m:
        line = int(m.group(1)) - 1
        for e, k in zip(doc.log, keys):
            if e.line == line:
                return k
        raise CliError(f"there is no log entry on line {m.group(1)}")
    hits = [(e, k) for e, k in zip(doc.log, keys) if _mentions(doc.source.lines[e.line], ref)]
    if len(hits) == 1:
        return hits[0][1]
    if not hits:
        raise CliError(f"no log entry matches {ref!r}")
    shown = "; ".join(f"L{e.line + 1} {e.text[:40]}" for e, _ in hits[:5])
    raise CliError(f"{ref!r} matches {len(hits)} log entries ({shown}): be more specific or use L<line>")


def task_link(task: Task) -> str:
    return task.id or task.text


# ------------------------------------------------------------------------ output
def task_json(doc: Document, task: Task) -> dict:
    return {
        "line": task.line + 1,
        "state": task.state,
        "mark": task.mark,
        "optional": task.optional,
        "id": task.id,
        "markers": list(task.markers),
        "text": task.text,
        "path": list(task.path),
        "parent_line": None if task.parent is None else doc.tasks[task.parent].line + 1,
        "estimate_hours": task.estimate_hours,
        "actual_hours": task.actual_hours,
        "legend": task.legend,
        "label": task.label,
    }


def _numbers(c: Counts) -> dict:
    return {
        "total": c.total, "done": c.done, "required": c.required, "required_done": c.required_done,
        "optional": c.optional, "cancelled": c.cancelled, "percent": c.percent, "status": c.status,
        "estimate_hours": c.estimate_hours, "actual_hours": c.actual_hours,
        "variance_hours": c.variance_hours, "variance_pct": c.variance_pct,
    }


def _top_level(doc: Document) -> list[Task]:
    """The top-level tasks (Kiro's parts), legend items left out."""
    return [t for t in doc.tasks if t.parent is None and not t.legend]


def status_json(doc: Document, rollup: RollUp | None = None) -> dict:
    rollup = rollup if rollup is not None else RollUp(doc)
    whole = _numbers(rollup.document)
    del whole["status"]
    sections = [{"title": s.title, "line": None if s.line is None else s.line + 1, **_numbers(rollup.section(s.index))}
                for s in doc.sections]
    top_level = [{"line": t.line + 1, "id": t.id, "text": t.text, "state": t.state, **_numbers(rollup.task(t.index))}
                 for t in _top_level(doc)]
    return {
        "title": doc.title,
        **{k: whole[k] for k in ("total", "done", "required", "required_done", "optional", "cancelled", "percent")},
        "dialect": doc.dialect,
        "dialect_signals": list(doc.dialect_signals),
        **{k: whole[k] for k in ("estimate_hours", "actual_hours", "variance_hours", "variance_pct")},
        "sections": sections,
        "top_level": top_level,
        "problems": doc.problems,
        "blockers": [
            {
                "line": e.line + 1,
                "date": e.date,
                "kind": e.kind,
                "text": e.text,
                "task": e.task,
                "resolved": e.resolved,
            }
            for e in doc.log
            if not e.placeholder
        ],
    }


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
        note = "  (legend)" if t.legend else (f"  ({t.label})" if t.label and t.state == "other" else "")
        room = max(10, width - len(head) - len(time) - _cells(note))
        say(f"{head}{_fit(t.text, room)}{note}{time}")


def print_status(doc: Document, rollup: RollUp | None = None) -> None:
    rollup = rollup if rollup is not None else RollUp(doc)
    whole = rollup.document
    say(f"{doc.title or 'Tasks'}  ({doc.dialect})")
    say(f"{_bar(whole.fraction)} {whole.summary('done')}, {whole.percent:.0f}%")
    if whole.has_time:
        line = f"time: {short_hours(whole.actual_hours)} spent of {short_hours(whole.estimate_hours)} estimated"
        if whole.variance_pct is not None:
            line += f" (variance {whole.variance_hours:+g}h, {whole.variance_pct:+.0f}%)"
        say(line)
    shown = [(s.title, rollup.section(s.index)) for s in doc.sections if rollup.section(s.index).total]
    if doc.dialect == "kiro" and len(shown) <= 1:  # Kiro: one list of numbered tasks; its top-level tasks are the parts
        shown = [(t.text, rollup.task(t.index)) for t in _top_level(doc)]
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
    loaded = config.read()
    if loaded.problem:
        say(f"tasktui: {loaded.problem}", file=sys.stderr)
    cfg = loaded.config
    if getattr(args, "no_sync", False):
        cfg = replace(cfg, sync=False)
    return cfg


def _dialect(args, cfg: config.Config) -> str | None:
    """What the user says the file is: --dialect, else the config's pattern for its path."""
    return getattr(args, "dialect", None) or cfg.dialect_for(args.file)


def _waiting(sentence: str) -> None:
    say(f"tasktui: {sentence}", file=sys.stderr)


def _read(args, cfg: config.Config) -> tuple[Document, RollUp]:
    """The file's Document and its RollUp (the one TasksFile already computed)."""
    from tasktui.core.tasksfile import TasksFile

    tf = TasksFile(args.file, sync=cfg.sync, day_hours=cfg.day_hours, waiting=_waiting, dialect=_dialect(args, cfg))
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
        emit_json([task_json(doc, t) for t in tasks])
    else:
        print_list(doc, tasks)
    return EXIT_OK


def cmd_status(args) -> int:
    if args.all:
        return _status_all(args)
    doc, rollup = _read(args, _settings(args))
    if args.json:
        emit_json(status_json(doc, rollup))
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
    files = workspace.find_tasks_files(root)
    if not files:
        raise CliError(f"no tasks files below {root} (tasks.md, TODO.md, plans with tasks; {workspace.MAX_DEPTH} "
                       "folders down)")
    summaries = []
    for path in files:
        try:
            summaries.append(workspace.summarize(path, root, cfg, dialect=getattr(args, "dialect", None)))
        except store.Busy:
            summaries.append(replace(workspace.placeholder(path, root), error="another program is writing it"))
    summaries = workspace.with_commits(summaries)
    if args.json:
        emit_json({"root": str(root), "files": [s.json() for s in summaries]})
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
        parts = f"{(s.dialect or ''):<8} {_bar(c.fraction, 10)} {done:>4}/{of:<4} {c.percent:3.0f}%  ⚑ {s.blockers:<2}"
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
            emit_json([{**task_json(doc, t), "reason": readiness.reason(t.index)} for t in tasks])
        else:
            width = shutil.get_terminal_size((100, 24)).columns
            for t in tasks:
                head = f"L{t.line + 1:<5} "
                why = readiness.reason(t.index)
                room = max(20, width - len(head) - _cells(why) - 4)
                say(f"{head}{_fit(t.text, room)}  ({why})")
        return EXIT_OK
    task = readiness.current()
    if task is None:
        say(f"tasktui: {name}: {readiness.nothing_ready()}", file=sys.stderr)
        return EXIT_ERROR
    note = None
    if doc.dialect == "kiro" and rollup.task(task.index).total > 1:  # subtasks all done: offered, not changed
        ref = task.id.rstrip(".") if task.id else f"L{task.line + 1}"
        note = f"all its subtasks are done: mark it done with `tasktui toggle {args.file} {ref}`"
    reason = readiness.reason(task.index)
    if args.json:
        emit_json({**task_json(doc, task), "note": note, "reason": reason})
    else:
        say(f"L{task.line + 1} {task.text}" + (f"  ({' > '.join(task.path)})" if task.path else ""))
        if note:
            say(f"  {note}")
        say(f"  {reason}")
    return EXIT_OK


def _claim(args) -> int:
    """``next --claim``: the first ready task, marked in progress in one locked write
    (the task is chosen under the lock, on the file as it is then)."""
    from tasktui.core.tasksfile import TasksFile

    cfg = _settings(args)
    tf = TasksFile(args.file, sync=cfg.sync, day_hours=cfg.day_hours, waiting=_waiting, dialect=_dialect(args, cfg))
    try:
        result = tf.apply(edits.Claim())
    except edits.ConflictError:
        raise
    except edits.EditError as exc:
        raise CliError(f"{args.file}: {exc}") from None
    doc = tf.doc
    task = doc.task_at_line(result.details.line - 1)
    if args.json:
        emit_json({**task_json(doc, task), "note": None, "reason": result.details.reason, "claimed": True})
    else:
        say(f"claimed L{task.line + 1} {task.text}" + (f"  ({' > '.join(task.path)})" if task.path else ""))
        say(f"  {result.details.reason}")
    return EXIT_OK


def cmd_check(args) -> int:
    """Cycles and references to what is not in the file, one line each; exit 1 when there are any."""
    doc, rollup = _read(args, _settings(args))
    deps = Readiness(doc, rollup).deps
    problems = sorted(deps.problems, key=lambda p: (p.line, p.kind, p.text))
    name = args.file  # as the user gave it, as compilers do: specs/002-b/tasks.md:14
    if args.json:
        emit_json({"file": str(args.file), "statements": deps.statements, "problems": [
            {"kind": p.kind, "line": p.line + 1, "text": p.text, "tasks": [deps.task_name(i) for i in p.tasks]}
            for p in problems]})
    elif problems:
        for p in problems:
            say(f"{name}:{p.line + 1}: {p.kind}: {p.text}")
    else:
        said = f"{deps.statements} statement{'s' if deps.statements != 1 else ''} of order read"
        say(f"{name}: no cycles and no missing references ({said})")
    return EXIT_ERROR if problems else EXIT_OK


def _edit(args, make_op) -> int:
    from tasktui.core.tasksfile import TasksFile

    cfg = _settings(args)
    tf = TasksFile(args.file, sync=cfg.sync, day_hours=cfg.day_hours, waiting=_waiting, dialect=_dialect(args, cfg))
    op = make_op(tf.doc, cfg)
    result = tf.apply(op)
    tf.save_cache()
    if getattr(args, "json", False):
        emit_json({"file": str(args.file), "changed": result.changed, "summary": result.summary,
                   "replanned": result.replanned, **result.details.as_dict()})
    else:
        say(result.summary)
    return EXIT_OK


def _duration(text: str, cfg: config.Config) -> float:
    try:
        return parse_duration(text, cfg.day_hours)
    except DurationError as exc:
        raise CliError(str(exc)) from None


def resolve_refs(doc: Document, refs: list[str]) -> list[Task]:
    """Every REF's task, in file order, each once; CliError naming the first that does not resolve."""
    found = {task.index: task for task in (resolve_ref(doc, ref) for ref in refs)}
    return [found[i] for i in sorted(found)]


def cmd_toggle(args) -> int:
    def op(doc, cfg):
        tasks = resolve_refs(doc, args.ref)
        return edits.Toggle(doc.keys[tasks[0].index]) if len(tasks) == 1 else edits.toggle_all(doc, tasks)

    return _edit(args, op)


def cmd_set(args) -> int:
    state = args.state.replace("-", "_")
    if state not in SETTABLE:
        raise UsageError(f"unknown state {args.state!r}: use {', '.join(SETTABLE)}")

    def op(doc, cfg):
        ops = tuple(edits.SetState(doc.keys[t.index], state) for t in resolve_refs(doc, args.ref))
        return ops[0] if len(ops) == 1 else edits.Batch(ops)

    return _edit(args, op)


def cmd_add(args) -> int:
    def op(doc, cfg):
        after = doc.keys[resolve_ref(doc, args.after).index] if args.after else None
        under = doc.keys[resolve_ref(doc, args.under).index] if args.under else None
        return edits.AddTask(args.text, after=after, under=under)

    return _edit(args, op)


def cmd_edit(args) -> int:
    return _edit(args, lambda doc, cfg: edits.EditText(doc.keys[resolve_ref(doc, args.ref).index], args.text))


def cmd_delete(args) -> int:
    def op(doc, cfg):
        ops = tuple(edits.DeleteTask(doc.keys[t.index]) for t in resolve_refs(doc, args.ref))
        return ops[0] if len(ops) == 1 else edits.Batch(ops)

    return _edit(args, op)


def resolve_heading(doc: Document, title: str) -> HeadingKey:
    """A heading by its text: the one written so (case aside), else the one holding it."""
    needle = title.strip().casefold()
    if not needle:
        raise CliError("name a heading: --section takes part of its text")
    exact = [i for i, h in enumerate(doc.headings) if h.text.casefold() == needle]
    hits = exact or [i for i, h in enumerate(doc.headings) if _mentions(h.text, title.strip())]
    if len(hits) == 1:
        return doc.heading_keys[hits[0]]
    if not hits:
        raise CliError(f"no heading matches {title!r}")
    shown = "; ".join(f"L{doc.headings[i].line + 1} {doc.headings[i].text[:40]}" for i in hits[:5])
    raise CliError(f"{title!r} matches {len(hits)} headings ({shown}): be more specific")


def _movable(doc: Document, ref: str) -> Task:
    """The task REF names; a heading's line gets its own sentence (a heading-level task moves with its section)."""
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m and doc.task_at_line(int(m.group(1)) - 1) is None:
        line = int(m.group(1)) - 1
        if any(h.line <= line < h.end for h in doc.headings):
            raise CliError(f"line {m.group(1)} is a heading: a heading-level task moves with its section, "
                           "which tasktui leaves to your editor")
    return resolve_ref(doc, ref)


def cmd_move(args) -> int:
    def op(doc, cfg):
        key = doc.keys[_movable(doc, args.ref).index]
        if args.section is not None:
            return edits.Move(key, section=resolve_heading(doc, args.section))
        other = doc.keys[_movable(doc, args.before if args.before is not None else args.after).index]
        return edits.Move(key, before=other) if args.before is not None else edits.Move(key, after=other)

    return _edit(args, op)


def cmd_renumber(args) -> int:
    return _edit(args, lambda doc, cfg: edits.Renumber(resolve_heading(doc, args.section)))


def _time_key(doc: Document, ref: str):
    """What `time` and `estimate` book on: a task (any REF), or a heading named by
    its line (``L12``), as `t` on a section row does: a heading-level task such as
    ``#### Task 1: Setup`` carries its own estimate."""
    m = re.fullmatch(r"[Ll](\d+)", ref.strip())
    if m:
        line = int(m.group(1)) - 1
        index = next((i for i, h in enumerate(doc.headings) if h.line == line), None)
        if index is not None:
            return doc.heading_keys[index]
    return doc.keys[resolve_ref(doc, ref).index]


def cmd_time(args) -> int:
    """Add time spent (``DURATION``), or set it (``--set DURATION``: a correction)."""
    if (args.duration is None) == (args.set is None):
        raise UsageError("give the time to add (tasktui time FILE REF 1h30m) or, to correct what is booked, "
                         "--set DURATION")
    if args.set is not None:
        return _edit(args, lambda doc, cfg: edits.SetTime(_time_key(doc, args.ref), _set_duration(args.set, cfg)))
    return _edit(args, lambda doc, cfg: edits.AddTime(_time_key(doc, args.ref), _duration(args.duration, cfg)))


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
    return _edit(args, lambda doc, cfg: edits.SetEstimate(_time_key(doc, args.ref), _duration(args.duration, cfg)))


def cmd_log(args) -> int:
    def op(doc, cfg):
        task = task_link(resolve_ref(doc, args.task)) if args.task else None
        return edits.AddLogEntry(args.kind, args.text, args.date or edits.today(), task)

    return _edit(args, op)


def cmd_resolve(args) -> int:
    return _edit(args, lambda doc, cfg: edits.ResolveEntry(resolve_entry(doc, args.entry), args.text, args.date or edits.today()))


def cmd_sync(args) -> int:
    args.no_sync = False
    return _edit(args, lambda doc, cfg: edits.Sync())


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

    path = Path(args.file)
    waiting = lambda sentence: say(f"tasktui: {sentence}", file=sys.stderr)  # noqa: E731
    snap = store.read_quiet(path, on_wait=waiting)
    try:
        new = fmt.format_bytes(snap.data)
    except fmt.FormatError as exc:
        raise CliError(f"{path} was not formatted: {exc}") from None
    if new == snap.data:
        say(f"{path} is already formatted")
        return EXIT_OK
    if args.check:
        old_lines, new_lines = snap.data.count(b"\n"), new.count(b"\n")
        say(f"{path} would be reformatted ({old_lines} -> {new_lines} lines); the tasks would stay the same")
        return EXIT_ERROR
    reason = store.why_read_only(path, snap.data)
    if reason:
        raise CliError(f"cannot write {path}: {reason}; nothing was written")
    with store.locked(path), store.quiet(path, on_wait=waiting) as held:
        current = held.snapshot
        if current.data != snap.data:
            raise CliError(f"{path} changed while it was being formatted: nothing was written; run fmt again")
        store.atomic_write(path, new, expect=(current.size, current.mtime_ns, current.inode), held=held)
    say(f"formatted {path}; the tasks are unchanged")
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
    return _edit(args, lambda doc, cfg: edits.Repair())


def cmd_history(args) -> int:
    from tasktui.core import history

    cfg = _settings(args)
    try:
        found = history.compute(args.file, day_hours=cfg.day_hours, dialect=_dialect(args, cfg), workdays=cfg.workdays)
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


def cmd_open(args) -> int:
    from tasktui.cli.launch import open_app

    return open_app(args)


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
    "completion": (cmd_completion, "print a completion script for bash, zsh or fish (commands, options, file names)",
                   "tasktui completion bash >> ~/.bashrc"),
}


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
        "\n\nREF is a task id (T001, 1.1), L<line>, or part of the task's text. Exit codes: 0 ok, 1 error, 2 usage."
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
        else:
            p.add_argument("file", metavar="FILE")
        if name not in ("new",):
            p.add_argument("--no-cache", action="store_true",
                           help="neither use nor keep the parse cache (also TASKTUI_NO_CACHE=1)")
            p.add_argument("--dialect", choices=config.DIALECTS,
                           help="read the file as this dialect (else its contents, its path and the config decide)")
        return p

    p = add("open")
    p.add_argument("--read-only", action="store_true", help="never write the file")
    p.add_argument("--no-sync", action="store_true", help="do not update the Progress Tracking lines")
    p = add("list")
    p.add_argument("--json", action="store_true")
    p.add_argument("--state", help="comma-separated: todo, done, in_progress, queued, cancelled, other, open")
    p.add_argument("--section", help="only tasks under a heading containing this text")
    p = add("status")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="every tasks file below FILE, a folder (default: here)")
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
    p.add_argument("state", metavar="STATE", help="todo, done, in_progress, queued or cancelled")
    p = edit_parser("add")
    p.add_argument("text", metavar="TEXT")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--after", metavar="REF")
    g.add_argument("--under", metavar="REF")
    p = edit_parser("edit")
    p.add_argument("ref", metavar="REF")
    p.add_argument("text", metavar="TEXT")
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
    p.add_argument("--kind", default="", help="Blocker (the default, unless TEXT starts with \"Decision:\") or Decision")
    p.add_argument("--date", help="YYYY-MM-DD (default today)")
    p.add_argument("--task", metavar="REF", help="link the entry to a task")
    p = edit_parser("resolve")
    p.add_argument("entry", metavar="ENTRY", help="L<line> or part of the entry's text")
    p.add_argument("text", metavar="TEXT", help="how it was resolved")
    p.add_argument("--date", help="YYYY-MM-DD (default today)")
    edit_parser("sync")
    add("new").add_argument("--title", help="the feature's name (default: from the file name)")
    add("fmt").add_argument("--check", action="store_true", help="only report; exit 1 when it would change something")
    add("history").add_argument("--json", action="store_true",
                                help="every commit, with its counts per section, and when each task was done")
    p = edit_parser("repair")
    p.add_argument("--check", action="store_true", help="only show the diff; exit 1 when something would change")
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
    if getattr(args, "no_cache", False):
        from tasktui.storage import parsecache

        parsecache.disable()
    try:
        return args.func(args)
    except UsageError as exc:
        say(f"tasktui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CliError, store.StoreError, edits.EditError, PatchError) as exc:
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
