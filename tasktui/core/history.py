"""Progress over time, from the tasks file's own git history. No Textual.

The file says what is done, not when; its git history does. ``compute`` reads
it and returns a ``History``:

- **Which versions.** The commits of the current branch that changed the
  file, following first parents from HEAD (a merge counts as one change, at
  its own date), each at its author date. The file is followed through
  renames of *this* file only: where a commit adds the path, that commit's
  diff against its first parent must show a rename (``R``, git's rename
  detection, without copies) whose new side is this path, and the walk goes
  on with the old path from the parent. ``git log --follow`` is not used: it
  also follows copies, and so jumps to another spec's ``tasks.md`` that the
  file was copied from. In a shallow clone the walk ends at the clone's
  boundary, and ``History.shallow`` says which commit that is.
- **What each version adds up to.** Every number comes from the roll-up
  (tasktui.doc.rollup): required tasks done, required tasks and cancelled
  tasks, for the file and for each section. Versions are parsed oldest
  first, each from the one before by the single patch between them
  (``patch.between`` and ``Document.patched``, as ``TasksFile.adopt`` does),
  sharing one chunk cache, so only the chunks a commit changed are parsed.
- **When each task was done.** A task is followed from version to version:
  an unchanged line (id and text) is the same task; else the same id; else
  the same description (the text without its id); else a task with similar
  text in the same place between tasks already matched. So reordering, text
  edits and renamed ids keep a task's history. A task's ``first_done`` is the
  first version that shows it done, ``last_done`` the latest version that
  marked it done again (after it had been reopened), or the same.
- **Uncommitted changes** in the working copy are one more version, ``now``,
  with no commit.
- **Velocity and forecast**: see ``velocity`` and ``forecast``.

Reading is fast: one ``git log`` per name the file had, and every blob read
through one long-lived ``git cat-file --batch`` process. What each commit
adds up to is kept in tasktui's store (``HistoryCache``), so a second run
parses only the current version.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import math
import os
import statistics
import subprocess
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from tasktui.doc import patch as P
from tasktui.doc.durations import DEFAULT_DAY_HOURS
from tasktui.core import pool
from tasktui.storage import cache as store_cache
from tasktui.doc.model import Document, Task, split_text
from tasktui.doc.rollup import RollUp
from tasktui.doc.source import Source
from tasktui.doc.states import DONE

WINDOW_DAYS = 14  # velocity: required tasks done per working day over this many calendar days, up to today
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_WORKDAYS = (0, 1, 2, 3, 4)


class HistoryError(Exception):
    """Why there is no history to read, in one sentence."""


class Stopped(Exception):
    """The caller asked ``compute`` to stop (the app is closing)."""


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class SectionTally:
    title: str
    line: int | None  # 1-based line of the section's heading (None: tasks above the first heading)
    done: int  # required tasks done
    required: int
    cancelled: int


@dataclass(frozen=True)
class Tally:
    """What one version adds up to (from its RollUp)."""

    done: int  # required tasks done
    required: int
    cancelled: int
    sections: tuple[SectionTally, ...]


@dataclass(frozen=True)
class Version:
    commit: str | None  # None: the uncommitted working copy ("now")
    date: str  # ISO 8601: the commit's author date, or the time it was read for "now"
    path: str  # the file's path in the repository then
    tally: Tally

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date[:10])

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else "now"


@dataclass(frozen=True)
class Mark:
    """Where a task was marked done: a commit (None: not committed yet) and its date."""

    commit: str | None
    date: str

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else "not committed"

    def as_json(self) -> dict:
        return {"commit": self.commit, "date": self.date}


@dataclass(frozen=True)
class TaskHistory:
    index: int  # in the current version
    id: str | None
    text: str
    line: int  # 1-based
    first_done: Mark | None
    last_done: Mark | None


@dataclass(frozen=True)
class Velocity:
    """Required tasks done per working day over the window (``per_day`` None: no working day in it)."""

    per_day: float | None
    done: int  # required tasks done over the window (net: reopened ones count back)
    start: date
    end: date
    paces: tuple[int, ...]  # required tasks done on each working day of the window
    workdays: tuple[int, ...]

    @property
    def working_days(self) -> int:
        return len(self.paces)


@dataclass(frozen=True)
class Forecast:
    """When the required tasks left would be done at the velocity's pace (``date``), and
    at its fast and slow ends (``earliest``, ``latest``: None when the pace gives no date)."""

    remaining: int
    date: date | None
    earliest: date | None
    latest: date | None
    fast: float | None  # tasks per working day at each end of the range
    slow: float | None


@dataclass(frozen=True)
class History:
    file: Path
    root: Path  # the repository's top folder
    versions: tuple[Version, ...]  # the commits that changed the file, oldest first
    now: Version | None  # the uncommitted working copy, when it differs from the last commit
    tasks: tuple[TaskHistory, ...]  # the tasks of the current version (the file's legend left out)
    renames: tuple[tuple[str, str, str], ...]  # (commit, old path, new path), newest first
    shallow: Mark | None  # a shallow clone's boundary, when the walk reached it
    velocity: Velocity
    forecast: Forecast
    from_cache: int = field(default=0, compare=False)  # versions that came from the cache (the rest were parsed)
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)
    _by_text: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids: dict[str, list[TaskHistory]] = defaultdict(list)
        texts: dict[str, list[TaskHistory]] = defaultdict(list)
        for t in self.tasks:
            if t.id:
                ids[t.id].append(t)
            texts[t.text].append(t)
        self._by_id.update({k: v[0] for k, v in ids.items() if len(v) == 1})
        self._by_text.update({k: v[0] for k, v in texts.items() if len(v) == 1})

    @property
    def latest(self) -> Version | None:
        return self.now or (self.versions[-1] if self.versions else None)

    def for_task(self, task: Task) -> TaskHistory | None:
        """The history of ``task`` (of any later version of the file): by id, then by text."""
        found = self._by_id.get(task.id) if task.id else None
        return found if found is not None else self._by_text.get(task.text)

    def series(self) -> list[tuple[date, int, int]]:
        """(day, required, required done) after each version, oldest first, ``now`` last."""
        out = [(v.day, v.tally.required, v.tally.done) for v in self.versions]
        if self.now is not None:
            out.append((self.now.day, self.now.tally.required, self.now.tally.done))
        return out

    def as_json(self) -> dict:
        def version(v: Version) -> dict:
            t = v.tally
            return {"commit": v.commit, "date": v.date, "done": t.done, "required": t.required,
                    "cancelled": t.cancelled,
                    "sections": [{"title": s.title, "line": s.line, "done": s.done, "required": s.required,
                                  "cancelled": s.cancelled} for s in t.sections]}

        vel, fc = self.velocity, self.forecast
        return {
            "commits": [version(v) for v in self.versions],
            "tasks": [{"id": t.id, "text": t.text, "line": t.line,
                       "first_done": t.first_done.as_json() if t.first_done else None,
                       "last_done": t.last_done.as_json() if t.last_done else None} for t in self.tasks],
            "now": version(self.now) if self.now is not None else None,
            "velocity": {"per_day": None if vel.per_day is None else round(vel.per_day, 2), "done": vel.done,
                         "working_days": vel.working_days, "from": vel.start.isoformat(), "to": vel.end.isoformat(),
                         "workdays": [WEEKDAY_NAMES[d].lower() for d in vel.workdays]},
            "forecast": {"remaining": fc.remaining, "date": _iso(fc.date), "earliest": _iso(fc.earliest),
                         "latest": _iso(fc.latest)},
            "shallow": self.shallow.as_json() if self.shallow else None,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# -------------------------------------------------------------------------- git
def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # the file's own repository, not one the caller points at
        env.pop(name, None)
    return env


class Git:
    """git, run on one repository folder (``git -C``), never through a shell."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name  # the file's name, for the sentences
        self.env = _git_env()

    def command(self, *args: str) -> list[str]:
        return ["git", "-C", str(self.folder), "--literal-pathspecs", "-c", "log.showSignature=false",
                "-c", "core.quotePath=false", *args]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run(self.command(*args), capture_output=True, env=self.env, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise HistoryError(f"git was not found, so the history of {self.name} cannot be read.") from None
        except OSError as exc:
            raise HistoryError(f"git could not be run ({exc.strerror or exc}), so the history of {self.name} "
                               "cannot be read.") from None
        if check and done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = said[0].removeprefix("fatal: ").rstrip(".") if said else f"exit status {done.returncode}"
            raise HistoryError(f"git could not read the history of {self.name} ({reason}).")
        return done

    def out(self, *args: str) -> bytes:
        return self.run(*args).stdout


class Blobs:
    """File contents by blob id, read through one ``git cat-file --batch`` process."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.proc: subprocess.Popen | None = None

    def read(self, blob: str) -> bytes:
        if self.proc is None:
            try:
                self.proc = subprocess.Popen(self.git.command("cat-file", "--batch"), stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.git.env)
            except OSError as exc:
                raise HistoryError(f"git could not be run ({exc.strerror or exc}), so the history of "
                                   f"{self.git.name} cannot be read.") from None
        proc = self.proc
        try:
            proc.stdin.write(blob.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise HistoryError(f"git could not read a version of {self.git.name} ({blob[:12]} is missing).")
            size = int(header[2])
            data = proc.stdout.read(size + 1)
        except (OSError, ValueError):
            raise HistoryError(f"git stopped while reading the history of {self.git.name}.") from None
        if len(data) != size + 1:
            raise HistoryError(f"git stopped while reading the history of {self.git.name}.")
        return data[:size]

    def close(self) -> None:
        """End git: close its input, wait up to 5 s, then kill it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def __enter__(self) -> "Blobs":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Step:
    """A commit that changed the file: the file's path then, and its content's blob id."""

    commit: str
    date: str
    path: str
    blob: str


@dataclass(frozen=True)
class Walk:
    steps: tuple[Step, ...]  # oldest first
    renames: tuple[tuple[str, str, str], ...]  # (commit, old path, new path), newest first
    shallow: Step | None  # the clone's boundary commit, when the walk ended there


def _raw_entries(body: bytes) -> list[tuple[str, str, str, list[bytes]]]:
    """(status, old blob, new blob, paths) of the ``--raw -z`` entries in ``body``."""
    out = []
    tokens = body.lstrip(b"\n").split(b"\0")
    k = 0
    while k < len(tokens):
        meta = tokens[k]
        if not meta.startswith(b":"):
            k += 1
            continue
        fields = meta[1:].split()
        if len(fields) < 5:
            k += 1
            continue
        status = fields[4].decode("ascii", "replace")
        n = 2 if status[:1] in ("R", "C") else 1
        out.append((status, fields[2].decode("ascii"), fields[3].decode("ascii"), tokens[k + 1:k + 1 + n]))
        k += 1 + n
    return out


def _log(git: Git, rev: str, path: bytes) -> list[tuple[str, list[str], str, tuple[str, str, str] | None]]:
    """The first-parent commits from ``rev`` that changed ``path``, newest first:
    (commit, parents, author date, (status, old blob, new blob) of ``path``)."""
    out = git.out("log", "--first-parent", "--diff-merges=first-parent", "--root", "--no-renames", "--raw", "--no-abbrev",
                  "-z", "--format=%x1e%H%x1f%P%x1f%aI", rev, "--", os.fsdecode(path))
    commits = []
    for record in out.split(b"\x1e")[1:]:
        header, _, body = record.partition(b"\0")
        parts = header.decode("ascii", "replace").split("\x1f")
        if len(parts) != 3:
            continue
        sha, parents, when = parts
        entry = next(((s, a, b) for s, a, b, paths in _raw_entries(body) if paths and paths[0] == path), None)
        commits.append((sha, parents.split(), when.strip(), entry))
    return commits


def _renamed_from(git: Git, parent: str, commit: str, path: bytes) -> bytes | None:
    """The path this file had in ``parent`` when ``commit`` renamed it to ``path``
    (git's rename detection between the two; copies are not renames), else None."""
    out = git.out("diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", "--no-ext-diff", parent, commit)
    for status, _old, _new, paths in _raw_entries(out):
        if status.startswith("R") and len(paths) == 2 and paths[1] == path:
            return paths[0]
    return None


def _shallow_commits(git: Git) -> set[str]:
    where = git.run("rev-parse", "--git-path", "shallow", check=False).stdout.strip()
    if not where:
        return set()
    shallow_file = Path(os.fsdecode(where))
    if not shallow_file.is_absolute():
        shallow_file = git.folder / shallow_file
    try:
        return set(shallow_file.read_text("ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def walk(git: Git, path: bytes, rev: str = "HEAD") -> Walk:
    """The commits that changed the file at ``path`` (as of ``rev``), oldest first,
    following its renames (see the module's docstring)."""
    steps: list[Step] = []
    renames: list[tuple[str, str, str]] = []
    shallow: Step | None = None
    seen: set[tuple[str, bytes]] = set()
    while (rev, path) not in seen:
        seen.add((rev, path))
        next_rev = None
        for sha, parents, when, entry in _log(git, rev, path):
            if entry is None:
                continue
            status, _old_blob, new_blob = entry
            if status.startswith("D"):
                break  # deleted here: what came before was another file at this path
            step = Step(sha, when, os.fsdecode(path), new_blob)
            steps.append(step)
            if status.startswith("A"):
                if not parents:
                    if sha in _shallow_commits(git):
                        shallow = step
                    break
                source = _renamed_from(git, parents[0], sha, path)
                if source is not None:
                    renames.append((sha, os.fsdecode(source), os.fsdecode(path)))
                    path, next_rev = source, parents[0]
                break
        else:
            # the log ran out without the commit that added the file: a shallow clone's edge
            if steps and steps[-1].commit in _shallow_commits(git):
                shallow = steps[-1]
        if next_rev is None:
            break
        rev = next_rev
    steps.reverse()
    return Walk(tuple(steps), tuple(renames), shallow)


def _blob_id(data: bytes, length: int) -> str:
    """git's id of a blob holding ``data`` (SHA-1, or SHA-256 in repositories that use it)."""
    algo = hashlib.sha1 if length == 40 else hashlib.sha256
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


# ------------------------------------------------------------- following tasks
def _done(task: Task) -> bool:
    return task.state == DONE and not task.legend


def match_tasks(old: Document, new: Document, region: tuple[int, int, int] | None = None) -> list[int]:
    """For each task of ``new``, the index of the same task in ``old`` (or -1 for a new one).

    The same line (id and text), preferring the same headings; else the same id; else the
    same description without the id; else similar text in the same place. ``region``
    (first line changed, its last line in ``old``, in ``new``) says where the versions
    differ: a task outside it, on its line (shifted below the change) with its text, is
    the same task without further search."""
    if new is old or new.changed_since(old) is not None:
        return list(range(len(new.tasks)))
    ot, nt = old.tasks, new.tasks
    m = [-1] * len(nt)
    taken = [False] * len(ot)
    if region is not None:
        first, old_last, new_last = region
        shift = new_last - old_last
        for i, t in enumerate(nt):
            line = t.line if t.line < first else t.line - shift if t.line > new_last else None
            o = old.task_at_line(line) if line is not None else None
            if o is not None and o.text == t.text and not taken[o.index]:
                m[i] = o.index
                taken[o.index] = True
    new_left = [i for i in range(len(nt)) if m[i] < 0]
    if not new_left:
        return m
    old_left = [j for j in range(len(ot)) if not taken[j]]

    def pair(key_of, only_unique: bool = False) -> None:
        nonlocal new_left, old_left
        index: dict = defaultdict(deque)
        for j in old_left:
            key = key_of(ot[j])
            if key is not None:
                index[key].append(j)
        wanted: dict = defaultdict(int)
        if only_unique:
            for i in new_left:
                key = key_of(nt[i])
                if key is not None:
                    wanted[key] += 1
        for i in new_left:
            key = key_of(nt[i])
            queue = index.get(key) if key is not None else None
            if not queue or (only_unique and (len(queue) != 1 or wanted[key] != 1)):
                continue
            j = queue.popleft()
            m[i] = j
            taken[j] = True
        new_left = [i for i in new_left if m[i] < 0]
        old_left = [j for j in old_left if not taken[j]]

    pair(lambda t: (t.path, t.text))
    pair(lambda t: t.text)
    pair(lambda t: t.id, only_unique=True)
    pair(lambda t: split_text(t.text)[1] or None, only_unique=True)
    if new_left and old_left:
        _pair_in_place(ot, nt, m, taken)
    return m


def _pair_in_place(ot, nt, m: list[int], taken: list[bool]) -> None:
    """Pair what is left: a new task and an old one between the same matched neighbours,
    with similar text (an edited task without an id)."""
    i = 0
    n = len(nt)
    while i < n:
        if m[i] >= 0:
            i += 1
            continue
        start = i
        while i < n and m[i] < 0:
            i += 1
        lo = m[start - 1] + 1 if start > 0 else 0
        hi = m[i] if i < n else len(ot)
        if lo >= hi:
            continue
        pos = lo
        for k in range(start, i):
            text = nt[k].text
            for j in range(pos, hi):
                if taken[j]:
                    continue
                matcher = difflib.SequenceMatcher(None, ot[j].text, text, autojunk=False)
                if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 and matcher.ratio() >= 0.6:
                    m[k] = j
                    taken[j] = True
                    pos = j + 1
                    break


def _runs(m: list[int]) -> list[int]:
    """``m`` as flat runs (new start, old start or -1, length)."""
    if m and m[0] == 0 and m[-1] == len(m) - 1 and m == list(range(len(m))):
        return [0, 0, len(m)]
    out: list[int] = []
    for i, j in enumerate(m):
        if out and (j == out[-2] + out[-1] if j >= 0 and out[-2] >= 0 else j < 0 and out[-2] < 0) \
                and out[-3] + out[-1] == i:
            out[-1] += 1
        else:
            out += [i, j if j >= 0 else -1, 1]
    return out


def _unruns(runs: list[int], n: int) -> list[int]:
    m = [-1] * n
    for k in range(0, len(runs), 3):
        start, old, length = runs[k:k + 3]
        if old >= 0:
            m[start:start + length] = range(old, old + length)
    return m


def _tally(doc: Document, rollup: RollUp) -> Tally:
    whole = rollup.document
    sections = tuple(SectionTally(s.title, None if s.line is None else s.line + 1, c.required_done, c.required,
                                  c.cancelled)
                     for s in doc.sections for c in (rollup.section(s.index),))
    return Tally(whole.required_done, whole.required, whole.cancelled, sections)


# ------------------------------------------------------------------------ cache
def _valid_int(x) -> bool:
    return type(x) is int and 0 <= x < 10**9


def _valid_entry(e, blob: str, prev: str | None, prev_n: int) -> bool:
    """Whether ``e`` (read from the cache) is a well-formed entry for a version with
    content ``blob`` whose predecessor (with ``prev_n`` tasks) had content ``prev``."""
    try:
        if not isinstance(e, dict) or e.get("blob") != blob or e.get("prev") != prev:
            return False
        n = e["n"]
        tally = e["tally"]
        if not _valid_int(n) or not isinstance(tally, list) or len(tally) != 3 or not all(map(_valid_int, tally)):
            return False
        sections = e["sections"]
        if not isinstance(sections, list):
            return False
        for s in sections:
            if not (isinstance(s, list) and len(s) == 5 and isinstance(s[0], str)
                    and (s[1] is None or _valid_int(s[1])) and all(map(_valid_int, s[2:]))):
                return False
        runs = e["runs"]
        if not isinstance(runs, list) or len(runs) % 3 or not all(type(x) is int for x in runs):
            return False
        at = 0
        for k in range(0, len(runs), 3):
            start, old, length = runs[k:k + 3]
            if start != at or length < 1 or (old != -1 and not (0 <= old and old + length <= prev_n)):
                return False
            at += length
        if at != n:
            return False
        became = e["became"]
        if not isinstance(became, list) or not all(type(x) is int and 0 <= x < n for x in became):
            return False
        return became == sorted(set(became))
    except (KeyError, TypeError):
        return False


class HistoryCache:
    """What each commit's version of one file adds up to, by ``commit:path``, kept in
    tasktui's store (tasktui.storage.cache, under tasktui's rules and a scope of the
    repository, the file's path, its dialect and the day's length); each entry is
    checked against its commit before use (``get``: anything of the wrong shape is
    computed again)."""

    def __init__(self, key: list | None) -> None:
        self.scope = store_cache.history_scope(*key) if key is not None else None
        self.entries: dict = {}
        self.changed: set[str] = set()

    @staticmethod
    def entry_key(step: Step) -> str:
        return f"{step.commit}:{step.path}"

    def load(self) -> None:
        if self.scope is not None:
            self.entries = store_cache.load_history(self.scope)

    def has(self, step: Step, prev: str | None) -> bool:
        """Whether an entry for ``step`` (after a version with content ``prev``) is there."""
        e = self.entries.get(self.entry_key(step))
        return isinstance(e, dict) and e.get("blob") == step.blob and e.get("prev") == prev

    def get(self, step: Step, prev: str | None, prev_n: int) -> dict | None:
        e = self.entries.get(self.entry_key(step))
        return e if _valid_entry(e, step.blob, prev, prev_n) else None

    def put(self, key: str, entry: dict) -> None:
        self.entries[key] = entry
        self.changed.add(key)

    def save(self) -> None:
        """Keep the entries added or changed since ``load``."""
        if self.scope is not None and self.changed:
            store_cache.save_history(self.scope, {k: self.entries[k] for k in self.changed})
            self.changed = set()


# ---------------------------------------------------------------- velocity
def velocity(series: list[tuple[date, int, int]], today: date, workdays=DEFAULT_WORKDAYS,
             window: int = WINDOW_DAYS) -> Velocity:
    """Required tasks done per working day over the ``window`` days up to and including
    ``today`` (from the file's first version, when that is later).

    ``series`` is (day, required, required done) after each version, oldest first. The
    change of each day is its last version's count minus the day before's (before the
    file's first version: that version's count, so what a file starts with is not
    counted as work). A day off's change goes to the next working day of the window
    (to the last one before it at the window's end). ``paces`` are the changes of the
    working days; ``per_day`` is their mean."""
    workdays = tuple(sorted(set(workdays)))
    start = today - timedelta(days=window - 1)
    if series:
        start = max(start, series[0][0])
    days = [start + timedelta(days=k) for k in range((today - start).days + 1)] if start <= today else []
    days_done = [d for d, _r, _done in series]

    def count_at(day: date) -> int | None:
        k = bisect.bisect_right(days_done, day)
        return series[k - 1][2] if k else None

    base = count_at(start - timedelta(days=1)) if series else None
    if base is None:
        base = series[0][2] if series else 0
    changes = []
    before = base
    for day in days:
        now = count_at(day)
        now = before if now is None else now
        changes.append(now - before)
        before = now
    working = [i for i, d in enumerate(days) if d.weekday() in workdays]
    paces = [0] * len(working)
    for i, change in enumerate(changes):
        if not change or not working:
            continue
        k = bisect.bisect_left(working, i)  # the next working day, or the last one
        paces[k if k < len(working) else len(working) - 1] += change
    done = sum(changes)
    per_day = done / len(paces) if paces else None
    return Velocity(per_day, done, start, today, tuple(paces), workdays)


def add_workdays(start: date, count: int, workdays) -> date | None:
    """The ``count``-th working day after ``start`` (None beyond ten years)."""
    if count <= 0:
        return start
    per_week = len(workdays)
    if not per_week or count > per_week * 52 * 10:
        return None
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() in workdays:
            count -= 1
    return day


def forecast(remaining: int, vel: Velocity, today: date) -> Forecast:
    """When ``remaining`` required tasks would be done from ``today`` on, at the pace
    ``vel.per_day`` (rounded up to whole working days). The range: the pace plus and
    minus its standard error (the standard deviation of the daily paces over the square
    root of their number); no latest date when the slow end is not above zero."""
    if remaining <= 0:
        return Forecast(0, today, today, today, vel.per_day, vel.per_day)
    pace = vel.per_day
    if pace is None or pace <= 0:
        return Forecast(remaining, None, None, None, None, None)
    spread = statistics.stdev(vel.paces) / math.sqrt(len(vel.paces)) if len(vel.paces) > 1 else 0.0
    fast, slow = pace + spread, pace - spread

    def finish(rate: float) -> date | None:
        return add_workdays(today, math.ceil(remaining / rate - 1e-9), vel.workdays) if rate > 0 else None

    return Forecast(remaining, finish(pace), finish(fast), finish(slow), fast, slow if slow > 0 else None)


def weekdays_phrase(workdays) -> str:
    """``Mon–Fri`` for a run of three or more days, else ``Mon, Wed, Fri``."""
    days = sorted(set(workdays))
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAY_NAMES[days[0]]}–{WEEKDAY_NAMES[days[-1]]}"
    return ", ".join(WEEKDAY_NAMES[d] for d in days)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe(found: "History") -> list[str]:
    """Velocity and forecast in words (four short lines), as the command line and the app say them."""
    vel, fc = found.velocity, found.forecast
    days = weekdays_phrase(vel.workdays)
    if vel.per_day is None:
        pace = [f"velocity: none: no working day ({days}) from {vel.start} to {vel.end}"]
    else:
        pace = [f"velocity: {vel.per_day:.1f} required tasks a working day",
                f"  {vel.done} done in the {_plural(vel.working_days, 'working day')} ({days}) "
                f"from {vel.start} to {vel.end}"]
    if fc.remaining <= 0:
        end = ["forecast: every required task is done"]
    elif fc.date is None:
        end = [f"forecast: {fc.remaining} left; no finish date at this pace"]
    else:
        end = [f"forecast: {fc.remaining} left, done on {fc.date} at this pace",
               f"  between {fc.earliest} and {fc.latest} (the pace ± its standard error)" if fc.latest is not None
               else f"  not before {fc.earliest}; never at the pace less its standard error (zero or less)"]
    return pace + end


# ------------------------------------------------------------------ computing
def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock()).astimezone().isoformat(timespec="seconds")


class _Parser:
    """Versions of one file as Documents, each patched from the one before (the
    chunks a commit did not change come from the shared cache)."""

    def __init__(self, path: Path, day_hours: float, dialect: str | None, legend: bool = True) -> None:
        self.path = str(path)
        self.day_hours = day_hours
        self.dialect = dialect
        self.legend = legend  # False: the config's legend_off names the file
        self.cache: dict = {}

    def parse(self, data: bytes) -> Document:
        if len(self.cache) > 20000:
            self.cache.clear()
        return Document(Source(data), cache=self.cache, day_hours=self.day_hours, path=self.path,
                        dialect=self.dialect, legend=self.legend)

    def next(self, prev: Document | None, data: bytes) -> tuple[Document, Document | None, tuple[int, int, int] | None]:
        """(the Document of ``data``, the version it was patched from, the lines that
        differ: first line, its last line in that version, in the new one).

        The version it was patched from is ``prev``, or ``prev`` with the lines a commit
        changed in place (ticked marks, edited texts) when it also added or removed
        lines: patched in two steps, only the lines added and removed are parsed with
        the chunks around them. Either has ``prev``'s tasks at the same indexes."""
        if prev is None:
            return self.parse(data), None, None
        old = prev.source.data
        if old == data:
            return prev, prev, None
        base = prev
        lines_differ = old.count(b"\n") != data.count(b"\n") or old.count(b"\r") != data.count(b"\r")
        patches = None if lines_differ else P.line_patches(old, data)
        if patches is None or _breaks(old, patches):  # lines added, removed or moved
            first = P.in_place_part(old, data)
            if first:
                mid = prev.patched(first, self.cache, reparse_marks=False)
                if mid.changed_since(prev) is not None:
                    base = mid
            patches = P.line_patches(base.source.data, data)
        doc = base.patched(patches, self.cache, reparse_marks=False)
        if doc.source.data != data:  # cannot happen; never trust a shortcut
            return self.parse(data), None, None
        start, end = patches[0].start, patches[-1].end
        first_line = bisect.bisect_right(base.source.starts, start) - 1
        old_last = bisect.bisect_right(base.source.starts, end) - 1
        new_last = bisect.bisect_right(doc.source.starts, end + len(data) - len(base.source.data)) - 1
        return doc, base, (first_line, old_last, new_last)


def _breaks(data: bytes, patches) -> bool:
    """Whether ``patches`` (on ``data``) add or remove line breaks."""
    return any(b"\n" in p.data or b"\r" in p.data or b"\n" in data[p.start:p.end] or b"\r" in data[p.start:p.end]
               for p in patches)


def _repository(file: Path) -> tuple[Git, Path, bytes]:
    """(git on the file's repository, its top folder, the file's path in it)."""
    name = file.name
    real = Path(os.path.realpath(file))
    git = Git(real.parent, name)
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in said:
            raise HistoryError(f"{name} is not in a git repository, so it has no history to read.")
        first = said.strip().splitlines()[0].removeprefix("fatal: ").rstrip(".") if said.strip() else "unknown error"
        raise HistoryError(f"git could not read the history of {name} ({first}).")
    root = Path(os.path.realpath(os.fsdecode(done.stdout.rstrip(b"\n"))))
    try:
        rel = real.relative_to(root)
    except ValueError:
        raise HistoryError(f"{name} is not in a git repository, so it has no history to read.") from None
    return Git(root, name), root, os.fsencode(rel.as_posix())


def last_commits(paths, timeout: float = 10.0) -> dict[Path, float]:
    """When each of ``paths`` last changed in git, for the overview's "Changed": the
    time of its last commit, for a file tracked and unmodified (a file modified,
    untracked or ignored, or outside git, is left out: its own time of change says
    it). One ``git status`` and one batched ``git log`` per repository, stopped as
    soon as every file is found; nothing at all when git is missing or fails."""
    by_root: dict[Path, dict[str, Path]] = {}
    tops: dict[Path, Path | None] = {}
    for path in paths:
        real = Path(os.path.realpath(path))
        root = _top_folder(real.parent, tops)
        if root is not None:
            by_root.setdefault(root, {})[real.relative_to(root).as_posix()] = path
    found: dict[Path, float] = {}
    deadline = time.monotonic() + timeout
    for root, files in by_root.items():
        try:
            found.update(_last_commits(Git(root, "the tasks files"), files, deadline))
        except (HistoryError, OSError, ValueError):
            continue
    return found


def _top_folder(folder: Path, known: dict[Path, Path | None]) -> Path | None:
    """The folder at or above ``folder`` that holds ``.git`` (a repository's top), or None."""
    seen = []
    here: Path | None = folder
    while here is not None and here not in known:
        seen.append(here)
        try:
            if (here / ".git").exists():
                known[here] = here
                break
        except OSError:
            known[here] = None
            break
        here = here.parent if here.parent != here else None
    top = known.get(here) if here is not None else None
    for s in seen:
        known[s] = top
    return top


def _last_commits(git: Git, files: dict[str, Path], deadline: float) -> dict[Path, float]:
    status = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *files,
                     check=False)
    if status.returncode != 0:
        return {}
    entries = status.stdout.split(b"\0")
    changed, k = set(), 0
    while k < len(entries):
        entry = entries[k]
        if len(entry) > 3:
            changed.add(os.fsdecode(entry[3:]))
            if entry[:1] in b"RC" or entry[1:2] in b"RC":
                k += 1  # a rename's or copy's other path follows
        k += 1
    wanted = {rel: path for rel, path in files.items() if rel not in changed}
    if not wanted:
        return {}
    proc = subprocess.Popen(git.command("log", "--format=%x01%ct", "--name-only", "-z", "--no-renames", "--", *wanted),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=git.env)
    found: dict[Path, float] = {}
    when, rest = None, b""
    try:
        while len(found) < len(wanted) and time.monotonic() < deadline:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            *tokens, rest = (rest + chunk).split(b"\0")
            for token in tokens:
                token = token.strip(b"\n")
                if token.startswith(b"\x01"):
                    when = float(token[1:])
                elif token and when is not None:
                    path = wanted.get(os.fsdecode(token))
                    if path is not None and path not in found:
                        found[path] = when
    finally:  # all found (or out of time): the rest of the history is not needed
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.wait()
    return found


def _committed_path(git: Git, rel: bytes) -> bytes | None:
    """Where the file is in HEAD: its own path, or where a staged rename moved it from;
    None when HEAD has no such file (or there is no commit yet)."""
    if git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).returncode != 0:
        return None
    if git.run("cat-file", "-e", f"HEAD:{os.fsdecode(rel)}", check=False).returncode == 0:
        return rel
    out = git.run("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "HEAD", check=False).stdout
    for status, _old, _new, paths in _raw_entries(out):
        if status.startswith("R") and len(paths) == 2 and paths[1] == rel:
            return paths[0]
    return None


def compute(path: str | Path, *, data: bytes | None = None, current: Document | None = None,
            day_hours: float = DEFAULT_DAY_HOURS, dialect: str | None = None, legend: bool = True,
            workdays=DEFAULT_WORKDAYS,
            clock: Callable[[], float] = time.time, progress: Callable[[int, int], None] | None = None,
            stop: Callable[[], bool] | None = None, use_cache: bool = True) -> History:
    """The history of the tasks file at ``path`` (see the module's docstring).

    ``data`` is the file's content now (read from disk when not given); ``current``, its
    Document when the caller has one. ``progress(done, total)`` is called as versions
    are read; ``stop()`` returning True ends the work (Stopped). Versions that are not
    in the cache are parsed here, or, when there are PARALLEL_MIN or more of them, in
    the worker pool (tasktui.core.pool).
    Raises HistoryError, with one sentence, when the file is not in a git repository
    or git fails."""
    file = Path(path)
    if data is None:
        from tasktui.storage import store

        data = current.source.data if current is not None else store.read_quiet(file).data
    git, root, rel = _repository(file)
    start = _committed_path(git, rel)
    the_walk = walk(git, start) if start is not None else Walk((), (), None)
    steps = the_walk.steps
    parser = _Parser(file.resolve(), day_hours, dialect, legend)
    cache = HistoryCache([str(root), os.fsdecode(rel), dialect, day_hours] + ([] if legend else ["legend off"])
                         if use_cache else None)
    cache.load()
    shown = _Progress(progress, len(steps))
    missing = [k for k, step in enumerate(steps) if not cache.has(step, steps[k - 1].blob if k else None)]
    if len(missing) >= PARALLEL_MIN:
        _in_workers(root, parser, steps, missing, cache, shown, stop)

    versions: list[Version] = []
    events: list[list[int]] = []  # per task lineage: the versions that marked it done
    lineage: list[int] = []
    marks: list[Mark] = []
    prev_doc: Document | None = None
    prev_rollup: RollUp | None = None
    prev_blob: str | None = None
    from_cache = 0

    def follow(m: list[int], became: list[int], mark_index: int) -> None:
        nonlocal lineage
        if not (len(m) == len(lineage) and all(i == j for i, j in enumerate(m))):
            new = []
            for j in m:
                if j >= 0:
                    new.append(lineage[j])
                else:
                    new.append(len(events))
                    events.append([])
            lineage = new
        for i in became:
            events[lineage[i]].append(mark_index)

    with Blobs(git) as blobs:
        for k, step in enumerate(steps):
            if stop is not None and stop():
                raise Stopped()
            shown(k)
            entry = cache.get(step, prev_blob, len(lineage))
            if entry is not None:
                from_cache += 1
                tally = Tally(*entry["tally"], tuple(SectionTally(*s) for s in entry["sections"]))
                m = _unruns(entry["runs"], entry["n"])
                became = entry["became"]
                prev_doc = prev_rollup = None
            else:
                if prev_doc is None and prev_blob is not None:
                    prev_doc = parser.parse(blobs.read(prev_blob))
                    prev_rollup = None
                doc, rollup, m, became = _advance(parser, prev_doc, prev_rollup, blobs.read(step.blob))
                entry = _entry(step, prev_blob, doc, rollup, m, became)
                cache.put(HistoryCache.entry_key(step), entry)
                tally = Tally(*entry["tally"], tuple(SectionTally(*s) for s in entry["sections"]))
                prev_doc, prev_rollup = doc, rollup
            marks.append(Mark(step.commit, step.date))
            follow(m, became, len(marks) - 1)
            versions.append(Version(step.commit, step.date, step.path, tally))
            prev_blob = step.blob
        shown(len(steps))

        now: Version | None = None
        if prev_blob is not None and _blob_id(data, len(prev_blob)) == prev_blob:
            # the file as last committed: its tasks, from a Document at hand, else from the cache
            last = cache.entries[HistoryCache.entry_key(steps[-1])]
            final = current if current is not None else prev_doc
            rows = _rows(final) if final is not None else _valid_rows(last.get("tasks"), last["n"])
            if rows is None:
                rows = _rows(parser.parse(data))
            if last.get("tasks") != rows:
                last["tasks"] = rows  # the next run need not parse the file at all
                cache.put(HistoryCache.entry_key(steps[-1]), last)
        else:
            if prev_doc is None and prev_blob is not None:
                prev_doc = parser.parse(blobs.read(prev_blob))
                prev_rollup = None
            final, rollup, m, became = _advance(parser, prev_doc, prev_rollup, data, current)
            marks.append(Mark(None, _now_iso(clock)))
            follow(m, became, len(marks) - 1)
            now = Version(None, marks[-1].date, os.fsdecode(rel), _tally(final, rollup))
            rows = _rows(final)
    cache.save()

    tasks = []
    for i, (tid, text, line, legend) in enumerate(rows):
        if legend:
            continue
        ev = events[lineage[i]] if i < len(lineage) else []
        tasks.append(TaskHistory(i, tid, text, line, marks[ev[0]] if ev else None, marks[ev[-1]] if ev else None))
    today = datetime.fromtimestamp(clock()).date()
    series = [(v.day, v.tally.required, v.tally.done) for v in versions]
    if now is not None:
        series.append((today, now.tally.required, now.tally.done))
    vel = velocity(series, today, workdays)
    latest = now or (versions[-1] if versions else None)
    remaining = latest.tally.required - latest.tally.done if latest is not None else 0
    shallow = Mark(the_walk.shallow.commit, the_walk.shallow.date) if the_walk.shallow else None
    return History(file, root, tuple(versions), now, tuple(tasks), the_walk.renames, shallow, vel,
                   forecast(remaining, vel, today), from_cache)


def _rows(doc: Document) -> list[list]:
    """[id, text, 1-based line, legend] of each task of ``doc`` (what the cache keeps of
    the last committed version, so that reading the history again parses nothing)."""
    return [[t.id, t.text, t.line + 1, t.legend] for t in doc.tasks]


def _valid_rows(rows, n: int) -> list[list] | None:
    """``rows`` when they are well-formed rows of ``n`` tasks (from the cache), else None."""
    if not isinstance(rows, list) or len(rows) != n:
        return None
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and (row[0] is None or isinstance(row[0], str))
                and isinstance(row[1], str) and _valid_int(row[2]) and row[2] >= 1 and type(row[3]) is bool):
            return None
    return rows


class _Progress:
    """``progress(done, total)``, never going back."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = -1

    def __call__(self, done: int) -> None:
        if self.progress is not None and done > self.done:
            self.done = done
            self.progress(done, self.total)


def _entry(step: Step, prev_blob: str | None, doc: Document, rollup: RollUp, m: list[int],
           became: list[int]) -> dict:
    """What the cache keeps of one version (see HistoryCache)."""
    tally = _tally(doc, rollup)
    return {"blob": step.blob, "prev": prev_blob, "n": len(doc.tasks),
            "tally": [tally.done, tally.required, tally.cancelled],
            "sections": [[s.title, s.line, s.done, s.required, s.cancelled] for s in tally.sections],
            "runs": _runs(m), "became": became}


def _compute_run(parser: _Parser, blobs: Blobs, base: str | None, steps, stop=None):
    """(step, cache entry) for each of ``steps``, consecutive versions that follow the one
    with content ``base`` (None: the first version)."""
    prev_doc = parser.parse(blobs.read(base)) if base is not None else None
    prev_rollup = None
    for step in steps:
        if stop is not None and stop():
            raise Stopped()
        doc, rollup, m, became = _advance(parser, prev_doc, prev_rollup, blobs.read(step.blob))
        yield step, _entry(step, base, doc, rollup, m, became)
        prev_doc, prev_rollup, base = doc, rollup, step.blob


# ------------------------------------------------------------ worker processes
PARALLEL_MIN = 120  # versions to parse before the worker pool pays for itself


def _in_workers(root: Path, parser: _Parser, steps, missing: list[int], cache: "HistoryCache", shown: _Progress,
                stop) -> None:
    """Parse the ``missing`` versions in the worker pool (tasktui.core.pool), one
    contiguous share per worker, each starting from the version before it (parsed
    once per share); their entries go into ``cache``, and the workers' counters into
    ``shown`` as they go. A share that fails is left to the caller, which parses what
    is still missing itself."""
    count = min(pool.size(), len(missing) // (PARALLEL_MIN // 2))
    if count < 2:
        return
    shares = [missing[len(missing) * w // count:len(missing) * (w + 1) // count] for w in range(count)]
    done_before = len(steps) - len(missing)
    counters: list[pool.Progress] = []
    try:
        futures = []
        for share in shares:
            runs = []
            for k in share:
                if not runs or runs[-1][1][-1] != k - 1:
                    runs.append((steps[k - 1].blob if k else None, []))
                runs[-1][1].append(k)
            job = (str(root), parser.path, parser.day_hours, parser.dialect, parser.legend,
                   [(base, [(steps[k].commit, steps[k].path, steps[k].blob) for k in ks]) for base, ks in runs])
            pool.executor()
            counters.append(pool.Progress())
            futures.append(pool.submit(_parse_versions, job, counters[-1].slot))

        def tick() -> None:
            shown(done_before + sum(c.done for c in counters))

        for _future, entries in pool.results(futures, stop, tick=tick):
            for key, entry in entries:
                cache.put(key, entry)
            tick()
    except pool.PoolError:
        pass  # what the pool could not do is parsed here
    finally:
        for c in counters:
            c.close()
    if stop is not None and stop():
        raise Stopped()


def _parse_versions(job, slot: int | None) -> list[tuple[str, dict]]:
    """In a worker process: (cache key, entry) of each version of ``job``'s runs,
    advancing the counter ``slot`` as each is parsed."""
    root, file, day_hours, dialect, legend, runs = job
    parser = _Parser(Path(file), day_hours, dialect, legend)
    out = []
    with Blobs(Git(Path(root), Path(file).name)) as blobs:
        for base, steps in runs:
            for step, entry in _compute_run(parser, blobs, base, [Step(c, "", p, b) for c, p, b in steps]):
                out.append((HistoryCache.entry_key(step), entry))
                pool.advance(slot)
    return out


def _advance(parser: _Parser, prev: Document | None, prev_rollup: RollUp | None, data: bytes,
             doc: Document | None = None) -> tuple[Document, RollUp, list[int], list[int]]:
    """The next version (of ``data``, or the given ``doc``): its Document and RollUp, the
    index in ``prev`` of each of its tasks (-1: new), and the tasks marked done in it."""
    if doc is not None:
        base, region = prev, None
    else:
        doc, base, region = parser.next(prev, data)
    if prev is None:
        return doc, RollUp(doc), [-1] * len(doc.tasks), _became(None, doc, [])
    if base is None:  # parsed afresh
        base, region = prev, None
    rollup = _rollup(doc, _rollup(base, prev_rollup))
    m = match_tasks(base, doc, region)  # base has prev's tasks at prev's indexes
    return doc, rollup, m, _became(prev, doc, m)


def _rollup(doc: Document, prev: RollUp | None) -> RollUp:
    """The RollUp of ``doc``, adjusted from the one before when ``doc`` was patched from it."""
    if prev is None:
        return RollUp(doc)
    return prev if prev.doc is doc else prev.advance(doc)


def _became(prev: Document | None, doc: Document, m: list[int]) -> list[int]:
    """Tasks of ``doc`` marked done in it and not in ``prev`` (or new in it), in order."""
    if prev is None:
        return [i for i, t in enumerate(doc.tasks) if _done(t)]
    old, tasks = prev.tasks, doc.tasks
    changed = doc.changed_since(prev)
    candidates = changed if changed is not None else range(len(tasks))
    return [i for i in candidates if _done(tasks[i]) and (m[i] < 0 or not _done(old[m[i]]))]
