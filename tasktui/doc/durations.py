"""Durations as people write them in tasks files: ``4 hours``, ``90 minutes``,
``1h30m``, ``1.5h``, ``1 hour 5 minutes``, ``2d``, ``1w``, ``2-3 hours`` (a
range counts as its midpoint). Placeholders such as ``[X hours]`` or ``TBD``
mean "not set" (``None``). tasktui writes durations exact to the minute
(``format_hours``), so booked time adds up."""

from __future__ import annotations

import math
import re

DEFAULT_DAY_HOURS = 8.0
MAX_STATED_HOURS = 1e9  # a bigger estimate in a file (a 310-digit number is inf) counts as not set

_UNITS = {
    "m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
    "d": None, "day": None, "days": None,
    "w": "week", "wk": "week", "week": "week", "weeks": "week",
}
_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = r"(?:minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)"
# "1h30m", "1 h 30 m", "2d 4h"
_COMPOUND = re.compile(rf"^\s*((?:{_NUM}\s*{_UNIT}\s*)+)(?![A-Za-z])", re.I)
_PART = re.compile(rf"({_NUM})\s*({_UNIT})", re.I)
# "2-3 hours", "2 – 3h", "2 to 3 days"
_RANGE = re.compile(rf"^\s*({_NUM})\s*(?:-|–|—|to)\s*({_NUM})\s*({_UNIT})(?![A-Za-z])", re.I)
_STRICT = re.compile(rf"^\s*(?:{_NUM}\s*{_UNIT}\s*)+$", re.I)


class DurationError(ValueError):
    pass


def _hours(value: float, unit: str, day_hours: float) -> float:
    factor = _UNITS[unit.lower()]
    if factor is None:
        return value * day_hours
    if factor == "week":
        return value * day_hours * 5
    return value * factor


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def parse_hours(text: str, day_hours: float = DEFAULT_DAY_HOURS) -> float | None:
    """Hours stated at the start of ``text`` (an estimate's value), or None when unset."""
    text = text.strip().lstrip("~≈").strip()
    if not text or text.startswith("["):
        return None
    m = _RANGE.match(text)
    if m:
        low, high = _num(m.group(1)), _num(m.group(2))
        total = _hours((low + high) / 2, m.group(3), day_hours)
    else:
        m = _COMPOUND.match(text)
        if not m:
            return None
        total = sum(_hours(_num(v), u, day_hours) for v, u in _PART.findall(m.group(1)))
    return round(total, 4) if math.isfinite(total) and total <= MAX_STATED_HOURS else None


MAX_ENTRY_HOURS = 1000
ACCEPTED = ("45m, 1.5h, 1h30m, 2d (a working day) or 1w (five working days); "
            "a plain number up to 24 is hours")


def parse_duration(text: str, day_hours: float = DEFAULT_DAY_HOURS) -> float:
    """Strict parse of a duration typed by the user, in hours, to the whole minute.

    Units: m / min / minutes, h / hr / hours, d / day / days (``day_hours`` each),
    w / wk / weeks (five working days); parts add up (``1h30m``). A plain number
    means hours, up to 24 (``90`` is refused with a hint: hours or minutes?).
    At least one minute and at most MAX_ENTRY_HOURS per entry. Raises
    DurationError with one sentence that lists the accepted forms.
    """
    cleaned = text.strip()
    if re.fullmatch(_NUM, cleaned):
        hours = _num(cleaned)
        if 24 < hours <= MAX_ENTRY_HOURS:
            raise DurationError(f"{cleaned} hours? write {cleaned}h, or {cleaned}m for minutes")
    elif _STRICT.match(cleaned):
        hours = sum(_hours(_num(v), u, day_hours) for v, u in _PART.findall(cleaned))
    else:
        shown = cleaned if len(cleaned) <= 40 else cleaned[:39] + "…"
        raise DurationError(f"{shown!r} is not a duration: use {ACCEPTED}")
    if not math.isfinite(hours) or hours > MAX_ENTRY_HOURS:  # a 310-digit number is inf, not a crash
        shown = cleaned if len(cleaned) <= 40 else cleaned[:39] + "…"
        raise DurationError(f"{shown!r} is more than one entry can hold ({MAX_ENTRY_HOURS} hours): use {ACCEPTED}")
    minutes = round(hours * 60)
    if minutes < 1:
        raise DurationError(f"a duration must be at least one minute: use {ACCEPTED}")
    return minutes / 60


def uses_minutes(text: str) -> bool:
    """Whether an estimate's value is written in minutes (``90 minutes``, ``45m``)."""
    m = _COMPOUND.match(text.strip())
    if not m:
        return False
    units = [u.lower() for _, u in _PART.findall(m.group(1))]
    return bool(units) and all(_UNITS[u] == 1 / 60 for u in units)


def _plain(value: float) -> str:
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def format_hours(hours: float, minutes: bool = False) -> str:
    """A duration as tasks files write it, exact to the minute, so that what is read
    back is what was meant: ``N hours`` when two decimals hold the value (``1.5
    hours``, ``0.05 hours``), else ``1 hour 5 minutes``; ``N minutes`` when
    ``minutes`` (the file writes its estimates in minutes). Negative values (a
    variance) carry a ``-``."""
    total = round(hours * 60)
    sign = "-" if total < 0 else ""
    total = abs(total)
    if minutes:
        return sign + _count(total, "minute")
    if (total * 100) % 60 == 0:  # two decimals of an hour are exact
        value = _plain(total / 60)
        return f"{sign}{value} hour" if value == "1" else f"{sign}{value} hours"
    whole, rest = divmod(total, 60)
    if not whole:
        return sign + _count(rest, "minute")
    return f"{sign}{_count(whole, 'hour')} {_count(rest, 'minute')}"


def short_hours(hours: float | None) -> str:
    """Compact form for the screen: ``4h``, ``1.5h``, ``45m``."""
    if hours is None:
        return "-"
    if 0 < hours < 1:
        return f"{round(hours * 60)}m"
    value = f"{round(hours, 1):.1f}".rstrip("0").rstrip(".")
    return f"{value}h"
