"""A chart of required tasks and required tasks done over time, drawn with block
characters: a column per day (per few days when the history is longer than the
chart is wide), done as full and eighth blocks (``▁``…``█``) from the bottom,
the required tasks still to do as ``░`` above them, a scale on the left and the
first and last day below. It reads without colour, in any terminal font, at
80x24 and up; the text is numbers and dates only (nothing from the file).

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


def columns(series: list[tuple[date, int, int]], today: date, width: int) -> tuple[list[tuple[int, int] | None], int, int]:
    """(required, done) at the end of each column's days (None before the first version),
    the number of days a column covers, and how many cells wide each column is:
    a day per column, drawn up to twelve cells wide, when the days fit; else
    ``ceil(days / width)`` days per one-cell column."""
    if not series or width < 1:
        return [], 1, 1
    first = series[0][0]
    last = max(today, series[-1][0])
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
    first = series[0][0]
    last = first + timedelta(days=len(cols) * per - 1)
    left, right = first.strftime("%m-%d"), ("today" if last >= today else last.strftime("%m-%d"))
    used = len(cols) * cell
    gap = max(1, used - len(left) - len(right))
    axis = " " * (label + 1) + left + (" " * gap + right if used >= len(left) + len(right) + 1 else "")
    out.append(axis[:width], AXIS_STYLE)
    return out


def legend() -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("█", DONE_STYLE)
    out.append(" required tasks done  ")
    out.append(TO_DO, TO_DO_STYLE)
    out.append(" required tasks to do")
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
