"""A whole repository at once, without Textual: which tasks files lie below a
folder (``find_tasks_files``), and what each one says in a line
(``summarize``): its title, dialect, roll-up numbers, open blockers, time, the
task to do next and when it last changed. The overview screen and
``tasktui status --all`` show these; their numbers come from the RollUp and
what can start from the ready rule (tasktui.doc.ready), as everywhere else.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tasktui.storage import config as config_mod
from tasktui.storage import cache as store_cache, store
from tasktui.core.tasksfile import TasksFile
from tasktui.doc.durations import short_hours
from tasktui.doc.plaintext import shown_text
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import Counts
from tasktui.doc.dialect import DIALECTS
from tasktui.doc.states import IN_PROGRESS, STATES

SKIP = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", ".tox", ".mypy_cache", ".pytest_cache",
        "target", ".next", ".cache"}
HIDDEN_KEPT = {".kiro"}  # hidden folders that hold tasks files (Kiro's specs)
TASKS_NAMES = {"tasks.md", "todo.md"}
# plans: listed when they hold a task checkbox and their folder has no tasks.md (spec-kit's
# specs/*/plan.md is the design beside its tasks.md, not a list of work)
PLAN_NAME = re.compile(r"(?i)^(?:plan|plans|roadmap|implementation[-_]plan|.+[-_]plan)\.md$")
PLAN_FOLDERS = {"plans", "plan"}
_CHECKBOX = re.compile(rb"(?m)^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\][ \t]")
MAX_DEPTH = 4
BIG_FILE = 2_000_000  # bytes: the overview leaves the numbers of bigger files until they are opened


def find_tasks_files(root: Path, max_depth: int = MAX_DEPTH) -> list[Path]:
    """Every tasks file below ``root``, in folder order: spec-kit's ``specs/*/tasks.md``,
    Kiro's ``.kiro/specs/*/tasks.md``, OpenSpec's ``openspec/changes/*/tasks.md``
    (not its archive), other ``tasks.md`` and ``TODO.md``, and plan files that hold
    tasks, at most ``max_depth`` folders down. Dependency, build and hidden folders
    (but ``.kiro``) are left out. Never cut: a caller that shows fewer says so."""
    found: list[Path] = []
    root = root.resolve()
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel = here.relative_to(root).parts
        depth = len(rel)
        dirs[:] = sorted(d for d in dirs if d not in SKIP and (not d.startswith(".") or d in HIDDEN_KEPT))
        if rel[-2:] == ("openspec", "changes"):
            dirs[:] = [d for d in dirs if d != "archive"]  # changes already applied
        if depth >= max_depth:
            dirs[:] = []
        lower = {name.lower() for name in files}
        for name in sorted(files):
            low = name.lower()
            if low in TASKS_NAMES:
                found.append(here / name)
            elif low.endswith(".md") and (PLAN_NAME.match(name) or here.name.lower() in PLAN_FOLDERS) \
                    and "tasks.md" not in lower and _holds_tasks(here / name):
                found.append(here / name)
    return found


def _holds_tasks(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return bool(_CHECKBOX.search(f.read(256 * 1024)))
    except OSError:
        return False


def place(path: Path, root: Path) -> tuple[str, str]:
    """(the file's path from ``root``, its folder from ``root``) in ``/`` form; "." for ``root`` itself."""
    rel = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
    return rel.as_posix(), rel.parent.as_posix()


@dataclass(frozen=True)
class NextTask:
    line: int  # 1-based
    id: str | None
    text: str
    state: str
    reason: str

    @property
    def in_progress(self) -> bool:
        return self.state == IN_PROGRESS


@dataclass(frozen=True)
class FileSummary:
    """One tasks file in a line. Before it is read (``parsed`` False) only where it
    is and when it changed are known."""

    path: Path  # as found (absolute)
    rel: str  # from the workspace's root
    folder: str  # the spec folder: the file's folder from the root
    mtime: float | None
    size: int | None = None
    title: str | None = None
    dialect: str | None = None
    counts: Counts | None = None
    blockers: int = 0
    next: NextTask | None = None
    ready: int = 0  # tasks that can start now
    waiting: int = 0
    in_progress: int = 0
    problems: int = 0  # cycles and missing references in what it says about order
    error: str | None = None  # why it could not be read (or was not: a big file)
    digest: str | None = None
    read_at: float = field(default=0.0, compare=False)  # time.monotonic() when it was read
    committed: float | None = None  # its last commit's time, when git has it as it is (see with_commits)

    @property
    def parsed(self) -> bool:
        return self.counts is not None

    @property
    def changed(self) -> float | None:
        """When its content last changed: its last commit, when it is unmodified in git
        (a fresh clone's files all have the time of the checkout), else its mtime."""
        return self.committed if self.committed is not None else self.mtime

    @property
    def where(self) -> str:
        """How the overview names it: the spec folder for a ``tasks.md``, else its path."""
        if self.path.name.lower() == "tasks.md" and self.folder != ".":
            return self.folder
        return self.rel

    def json(self, now: float | None = None) -> dict:
        """The object ``tasktui status --all --json`` prints for this file."""
        c = self.counts
        out: dict = {
            "path": self.rel, "folder": self.folder, "title": self.title, "dialect": self.dialect,
        }
        if c is not None:
            out.update({
                "total": c.total, "done": c.done, "required": c.required, "required_done": c.required_done,
                "optional": c.optional, "cancelled": c.cancelled, "percent": c.percent, "status": c.status,
                "estimate_hours": c.estimate_hours, "actual_hours": c.actual_hours,
            })
        out.update({
            "open_blockers": self.blockers if c is not None else None,
            "next": None if self.next is None else {
                "line": self.next.line, "id": self.next.id, "text": self.next.text,
                "plain": shown_text(self.next.text), "state": self.next.state,
                "reason": self.next.reason},
            "ready": self.ready if c is not None else None,
            "waiting": self.waiting if c is not None else None,
            "in_progress": self.in_progress if c is not None else None,
            "dependency_problems": self.problems if c is not None else None,
            "last_changed": None if self.changed is None else
            datetime.fromtimestamp(self.changed).astimezone().isoformat(timespec="seconds"),
            "error": self.error,
        })
        return out


def placeholder(path: Path, root: Path) -> FileSummary:
    """What is known before the file is read: where it is, its size and when it changed."""
    rel, folder = place(path, root)
    try:
        st = os.stat(path)
        return FileSummary(path, rel, folder, st.st_mtime, st.st_size)
    except OSError as exc:
        return FileSummary(path, rel, folder, None, error=exc.strerror or str(exc))


def summarize(path: Path, root: Path, settings: config_mod.Config | None = None, *, max_bytes: int | None = None,
              previous: FileSummary | None = None, dialect: str | None = None) -> FileSummary:
    """Read ``path`` (never while another program writes it: then StoreError Busy)
    and say what it holds. With ``previous`` of the same bytes, that is kept.
    ``max_bytes``: a bigger file is not parsed (its numbers wait until it is opened).
    ``dialect``: what the user says every file is (else the config's patterns, then the file)."""
    settings = settings or config_mod.Config()
    base = placeholder(path, root)
    stamp = time.monotonic()
    if max_bytes is not None and base.size is not None and base.size > max_bytes:
        return _replace(base, error=f"{base.size / 1e6:.0f} MB: open it to see its numbers", read_at=stamp)
    try:
        snap = store.read_quiet(path, wait=False, settle=0)
    except store.Busy:
        raise
    except (store.StoreError, OSError) as exc:
        return _replace(base, error=str(exc), read_at=stamp)
    digest = snap.digest
    if previous is not None and previous.digest == digest and previous.parsed:
        return _replace(previous, mtime=snap.mtime_ns / 1e9, size=snap.size, read_at=stamp)
    forced = dialect or settings.dialect_for(path)
    key = _summary_key(path, digest, settings, forced)
    known = _from_cache(base, store_cache.load_summary(path, key), snap.data)
    if known is not None:  # these very bytes, summed up by these very rules before
        return _replace(known, mtime=snap.mtime_ns / 1e9, size=snap.size, digest=digest, read_at=stamp)
    # read as every open reads (TasksFile): the chunks the parse cache knows (an earlier
    # open, by the app or the command line) are not parsed again, and what was parsed is kept
    tf = TasksFile(path, snapshot=snap, day_hours=settings.day_hours, dialect=forced, legend=settings.legend_for(path))
    tf.save_cache()
    doc, rollup = tf.doc, tf.rollup
    readiness = Readiness(doc, rollup)
    task = readiness.current()
    nxt = None
    if task is not None:
        nxt = NextTask(task.line + 1, task.id, task.text, task.state, readiness.reason(task.index))
    statuses = [readiness.status(t.index) for t in doc.tasks]
    summary = FileSummary(
        path, base.rel, base.folder, snap.mtime_ns / 1e9, snap.size, doc.title, doc.dialect, rollup.document,
        len(doc.open_blockers), nxt, statuses.count("ready"), statuses.count("waiting"), statuses.count(IN_PROGRESS),
        len(readiness.deps.problems), None, digest, stamp)
    store_cache.save_summary(path, key, _to_cache(summary))
    return summary


# ------------------------------------------------------------------ the summary cache
# A file's summary is kept in tasktui's store (tasktui.storage.cache, which keys it by
# tasktui's rules) under a key made of its bytes, its place and the settings that
# change how it reads: a summary is only ever reused for the very bytes and the very
# rules it was computed from, so its numbers are still the RollUp's. It is checked
# against the file before it is shown. An overview opened again reads each file, and
# parses none.
def _summary_key(path: Path, digest: str, settings: config_mod.Config, dialect: str | None) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in (str(digest), os.path.realpath(path), repr(settings.day_hours), repr(dialect),
                 repr(settings.legend_for(path))):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def _to_cache(s: FileSummary) -> dict:
    n = s.next
    return {"title": s.title, "dialect": s.dialect, "counts": list(s.counts), "blockers": s.blockers,
            "next": None if n is None else [n.line, n.id, n.text, n.state, n.reason],
            "ready": s.ready, "waiting": s.waiting, "in_progress": s.in_progress, "problems": s.problems}


def _count(x, most: int) -> int:
    if type(x) is not int or not 0 <= x <= most:
        raise ValueError(x)
    return x


def _text(x) -> str:
    if type(x) is not str:
        raise TypeError(x)
    return x


def _from_cache(base: FileSummary, value: dict | None, data: bytes) -> FileSummary | None:
    """The summary stored as ``value``, when it can be the summary of ``data`` (the
    file's bytes): every field of its type, every count between 0 and what the file
    can hold and consistent with the others, the next task on a line of the file that
    holds its text, the title in the file; None for anything else."""
    if value is None:
        return None
    try:
        most = data.count(b"[")  # every task has its box
        counts = Counts(*(_count(x, most) for x in value["counts"]))
        if not (counts.done <= counts.total and counts.cancelled <= counts.total and counts.optional <= counts.total
                and counts.optional_done <= counts.optional and counts.required_done <= counts.required <= counts.total
                and counts.in_progress <= counts.total and counts.n_est <= counts.total and counts.n_act <= counts.total):
            return None
        title = value["title"]
        if title is not None and _text(title).encode("utf-8", "surrogateescape") not in data:
            return None
        dialect = value["dialect"]
        if dialect not in DIALECTS:
            return None
        n = value["next"]
        nxt = None
        if n is not None:
            line, tid, text, state, reason = n
            _count(line, data.count(b"\n") + 1)
            if line < 1 or (tid is not None and type(tid) is not str) or state not in STATES:
                return None
            where = data.split(b"\n", line)[line - 1].decode("utf-8", "surrogateescape")
            if _text(text) not in where:
                return None
            nxt = NextTask(line, tid, text, state, _text(reason))
        ready, waiting = _count(value["ready"], counts.total), _count(value["waiting"], counts.total)
        return _replace(base, title=title, dialect=dialect, counts=counts, blockers=_count(value["blockers"], len(data)),
                        next=nxt, ready=ready, waiting=waiting,
                        in_progress=_count(value["in_progress"], counts.total),
                        problems=_count(value["problems"], len(data)), error=None)
    except (KeyError, TypeError, ValueError, IndexError, UnicodeError):
        return None


def with_commits(summaries: list[FileSummary]) -> list[FileSummary]:
    """``summaries`` with the time of their files' last commits (tasktui.core.history:
    one batched git call per repository), for those git has as they are; the others
    as they were. Runs git: call it off the UI thread."""
    from tasktui.core import history

    times = history.last_commits([s.path for s in summaries])
    return [_replace(s, committed=times.get(s.path)) for s in summaries]


def _replace(summary: FileSummary, **changes) -> FileSummary:
    from dataclasses import replace

    return replace(summary, **changes)


# ------------------------------------------------------------------ in words
def changed_label(mtime: float | None, now: float) -> str:
    """When a file last changed, as a person says it: ``just now``, ``5 min ago``,
    ``3 h ago``, ``yesterday``, ``4 days ago``, else the date."""
    if mtime is None:
        return "?"
    age = now - mtime
    if age < 60:
        return "just now"
    if age < 3600:
        return f"{int(age // 60)} min ago"
    then, today = datetime.fromtimestamp(mtime), datetime.fromtimestamp(now)
    days = (today.date() - then.date()).days
    if days == 0:
        return f"{int(age // 3600)} h ago"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    return then.strftime("%Y-%m-%d")


def time_label(counts: Counts) -> str:
    """Time spent against estimated: ``3.5h/10h`` (or "" without any time)."""
    if not counts.has_time:
        return ""
    return f"{short_hours(counts.actual_hours)}/{short_hours(counts.estimate_hours)}"


def next_label(summary: FileSummary) -> str:
    """What to do next in the file, in a few words."""
    if not summary.parsed:
        return ""
    nxt = summary.next
    if nxt is not None:
        return ("▶ " if nxt.in_progress else "") + shown_text(nxt.text)
    if not summary.counts.total:
        return "no tasks"
    if summary.counts.open == 0:
        return "all done"
    return f"nothing can start ({summary.waiting} waiting)"
