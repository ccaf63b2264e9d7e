"""A chart of required tasks and required tasks done over time, drawn with block
characters: a column per day (per few days when the history is longer than the
chart is wide), done as full and eighth blocks (``▁``…``█``) from the bottom,
the required tasks still to do as ``░`` above them, a scale on the left and
dates below, every ten cells or so. The chart spans the versions' days (and
today only when it is near): a file idle for a year is drawn over its active
weeks, and the legend says since when nothing changed. It reads without
colour, in any terminal font, at 80x24 and up; the text is numbers and dates
only (nothing from the file).

Why block characters: textual-plotext draws with Textual 8 but pins plotext
below 6 and has had no release since 2024 (a dependency to carry for one
chart); Textual's Sparkline shows one series with no scale or dates, where this
chart needs two (required and done) and a readable axis. A few dozen lines of
block characters do both, with nothing to install."""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, timedelta

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"
TO_DO = "░"
DONE_STYLE = Style(color="green")
TO_DO_STYLE = Style(dim=True)
AXIS_STYLE = Style(dim=True)


NEAR = 0.1
"""Today is on the axis when it is this near the last version (a share of the span)."""
LABEL_EVERY = 9  # cells between the starts of two dates along the axis, at least (a column's start)


def days_shown(series: list[tuple[date, int, int]], today: date) -> tuple[date, date]:
    """The first and last day the chart spans: the span of the versions, and up to
    today when today is near its end (within NEAR of the span, or a day): a file
    last changed a year ago gets its active weeks drawn, not the idle year."""
    first, last = series[0][0], series[-1][0]
    if today <= last:
        return first, last
    near = max(1, round(NEAR * (last - first).days))
    return first, (today if (today - last).days <= near else last)


def idle_since(series: list[tuple[date, int, int]], today: date) -> date | None:
    """The last day the file changed, when the chart ends there, before today."""
    if not series:
        return None
    _first, last = days_shown(series, today)
    return last if last < today else None


def columns(series: list[tuple[date, int, int]], today: date, width: int) -> tuple[list[tuple[int, int] | None], int, int]:
    """(required, done) at the end of each column's days (None before the first version),
    the number of days a column covers, and how many cells wide each column is:
    a day per column, drawn up to twelve cells wide, when the days fit; else
    ``ceil(days / width)`` days per one-cell column."""
    if not series or width < 1:
        return [], 1, 1
    first, last = days_shown(series, today)
    days = (last - first).days + 1
    if days <= width:
        per, cell, count = 1, max(1, min(12, width // days)), days
    else:
        per = math.ceil(days / width)
        cell, count = 1, math.ceil(days / per)
    when = [d for d, _r, _done in series]
    out: list[tuple[int, int] | None] = []
    for k in range(count):
        end = first + timedelta(days=(k + 1) * per - 1)
        i = bisect_right(when, end)
        out.append((series[i - 1][1], series[i - 1][2]) if i else None)
    return out, per, cell


def axis(first: date, last: date, per: int, cell: int, count: int, today: date) -> str:
    """The dates below the plot: the first day's at its left, then one every
    LABEL_EVERY cells or so (where a column starts), and the last day's at the right
    end (``today`` when the chart reaches today). Month and day (``11-02``) when the
    chart is within today's year, else the whole date."""
    fmt = "%m-%d" if first.year == last.year == today.year else "%Y-%m-%d"

    def label(day: date) -> str:
        return "today" if day == today else day.strftime(fmt)

    used = count * cell
    line = [" "] * used
    end_label = label(last)
    end_at = used - len(end_label)
    taken, started = -2, -LABEL_EVERY  # the last cell a label covers; where it starts
    for k in range(count):
        x, day = k * cell, first + timedelta(days=k * per)
        text = label(day)
        if x > taken + 1 and x - started >= LABEL_EVERY and x + len(text) + 1 < end_at and day < last:
            line[x:x + len(text)] = text
            taken, started = x + len(text), x
    if end_at > taken and end_at >= 0:
        line[end_at:] = end_label
    return "".join(line)


def chart(series: list[tuple[date, int, int]], today: date, width: int, height: int) -> Text:
    """The chart in ``width`` x ``height`` cells (see the module's docstring)."""
    out = Text(no_wrap=True, overflow="crop")
    if not series or width < 8 or height < 3:
        out.append("no history to draw", AXIS_STYLE)
        return out
    top = max(1, max(max(r, d) for _day, r, d in series))
    label = len(str(top))
    plot_w = width - label - 1
    rows = height - 1
    cols, per, cell = columns(series, today, plot_w)
    marks = {0: str(top), rows - 1: "0"}
    if rows >= 5:
        marks[(rows - 1) // 2] = str(round(top * (rows - 1 - (rows - 1) // 2) / (rows - 1)))
    for r in range(rows):
        level = rows - 1 - r  # 0 at the bottom
        out.append(marks.get(r, "").rjust(label), AXIS_STYLE)
        out.append("┤" if r in marks else "│", AXIS_STYLE)
        for value in cols:
            if value is None:
                out.append(" " * cell)
                continue
            required, done = value
            filled = done * rows * 8 / top
            to_do = round(max(required, done) * rows / top)
            part = min(8, max(0, math.floor(filled - level * 8 + 0.5)))
            if part:
                out.append(EIGHTHS[part] * cell, DONE_STYLE)
            elif level < to_do:
                out.append(TO_DO * cell, TO_DO_STYLE)
            else:
                out.append(" " * cell)
        out.append("\n")
    first, last = days_shown(series, today)
    out.append((" " * (label + 1) + axis(first, last, per, cell, len(cols), today))[:width], AXIS_STYLE)
    return out


def legend(idle: date | None = None) -> Text:
    """What the chart's blocks mean; with ``idle``, that nothing changed since that day
    (the chart ends there, not today)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("█", DONE_STYLE)
    out.append(" required tasks done  ")
    out.append(TO_DO, TO_DO_STYLE)
    out.append(" required tasks to do")
    if idle is not None:
        out.append(f"  ·  no change since {idle.isoformat()}", AXIS_STYLE)
    return out


class BurndownChart(Widget):
    """The chart of a file's history; ``show`` gives it the points to draw."""

    DEFAULT_CSS = """
    BurndownChart { height: 1fr; min-height: 5; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: list[tuple[date, int, int]] = []
        self.today: date | None = None

    def show(self, series: list[tuple[date, int, int]], today: date) -> None:
        self.series = list(series)
        self.today = today
        self.refresh()

    def render(self) -> Text:
        if self.today is None:
            return Text("")
        return chart(self.series, self.today, self.size.width, self.size.height)
