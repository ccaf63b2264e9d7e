"""Velocity and forecast: how fast required tasks get done, and when the rest
would be, from the counts after each version (``History.series``).

Velocity is required tasks done per working day over the last WINDOW_DAYS
calendar days (``velocity``); the forecast counts working days at that pace
from today, with a range of the pace plus and minus its standard error
(``forecast``). ``describe`` says both in words, as the command line, the MCP
server and the app show them.
"""

from __future__ import annotations

import bisect
import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasktui.core.history.values import History

WINDOW_DAYS = 14  # velocity: required tasks done per working day over this many calendar days, up to today
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_WORKDAYS = (0, 1, 2, 3, 4)


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


def describe(found: History) -> list[str]:
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
