"""What a history read finds (``History``), as plain frozen values: what each
version adds up to, when each task was done, the velocity and the forecast.

Every number comes from the roll-up (tasktui.doc.rollup): required tasks done,
required tasks and cancelled tasks, for the file and for each section
(``Tally.of``). A task's ``first_done`` is the first version that shows it
done, ``last_done`` the latest version that marked it done again (after it had
been reopened), or the same. Uncommitted changes in the working copy are one
more version, ``now``, with no commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tasktui.core.history.forecast import WEEKDAY_NAMES, Forecast, Velocity

if TYPE_CHECKING:
    from tasktui.doc.model import Document, Task
    from tasktui.doc.rollup import RollUp


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

    @classmethod
    def of(cls, doc: Document, rollup: RollUp) -> Tally:
        """What ``doc`` adds up to, by its ``rollup``: the whole file and each section."""
        whole = rollup.document
        sections = tuple(SectionTally(s.title, None if s.line is None else s.line + 1, c.required_done, c.required,
                                      c.cancelled)
                         for s in doc.sections for c in (rollup.section(s.index),))
        return cls(whole.required_done, whole.required, whole.cancelled, sections)


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
