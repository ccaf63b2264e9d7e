"""Durations as people write them in tasks files: ``4 hours``, ``90 minutes``,
``1h30m``, ``1.5h``, ``2d``, ``2-3 hours`` (a range counts as its midpoint).
Placeholders such as ``[X hours]`` or ``TBD`` mean "not set" (``None``)."""

from __future__ import annotations

import re

DEFAULT_DAY_HOURS = 8.0

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
        return round(_hours((low + high) / 2, m.group(3), day_hours), 4)
    m = _COMPOUND.match(text)
    if m:
        total = sum(_hours(_num(v), u, day_hours) for v, u in _PART.findall(m.group(1)))
        return round(total, 4)
    return None


def parse_duration(text: str, day_hours: float = DEFAULT_DAY_HOURS) -> float:
    """Strict parse of a duration typed by the user (``45m``, ``1.5h``, ``1h30m``, ``2d``).

    A bare number means hours. Raises DurationError with a message saying what is accepted.
    """
    cleaned = text.strip()
    if re.fullmatch(_NUM, cleaned):
        hours = _num(cleaned)
    elif _STRICT.match(cleaned):
        hours = sum(_hours(_num(v), u, day_hours) for v, u in _PART.findall(cleaned))
    else:
        raise DurationError(
            f"{text.strip()!r} is not a duration: use forms like 45m, 1.5h, 1h30m or 2d"
        )
    if hours <= 0:
        raise DurationError("a duration must be more than zero")
    return round(hours, 4)


def uses_minutes(text: str) -> bool:
    """Whether an estimate's value is written in minutes (``90 minutes``, ``45m``)."""
    m = _COMPOUND.match(text.strip())
    if not m:
        return False
    units = [u.lower() for _, u in _PART.findall(m.group(1))]
    return bool(units) and all(_UNITS[u] == 1 / 60 for u in units)


def format_hours(hours: float, minutes: bool = False) -> str:
    """``N hours`` with up to two decimals, or ``N minutes`` when ``minutes``."""
    if minutes:
        mins = round(hours * 60)
        return f"{mins} minute" if mins == 1 else f"{mins} minutes"
    value = f"{round(hours, 2):.2f}".rstrip("0").rstrip(".")
    return f"{value} hour" if value == "1" else f"{value} hours"


def short_hours(hours: float | None) -> str:
    """Compact form for the screen: ``4h``, ``1.5h``, ``45m``."""
    if hours is None:
        return "-"
    if 0 < hours < 1:
        return f"{round(hours * 60)}m"
    value = f"{round(hours, 1):.1f}".rstrip("0").rstrip(".")
    return f"{value}h"
