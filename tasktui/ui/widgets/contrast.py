"""Text that stays readable on its background, in every theme.

A theme's muted colours (``$text-disabled`` for waiting tasks, ``$text-muted``)
and the backgrounds of marked and cursor rows were chosen apart from each
other: on some themes dimmed text on a marked row came out at 1:1 (242 on 241
in a 256-colour terminal). ``readable`` moves a text colour towards white or
black, the least that is needed, until it reaches the WCAG contrast ratio
asked for, as the terminal shows it: its own values in a truecolor terminal,
the nearest of the 256 colours in a 256-colour one. Colours a theme leaves to
the terminal (ANSI colours), and terminals of 16 colours, are left alone:
their values are the terminal's to choose."""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style

MINIMUM = 4.5
"""WCAG's contrast ratio for normal text (AA)."""

_OWN = (ColorType.TRUECOLOR, ColorType.EIGHT_BIT)  # colours with values of their own


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT}
"""The terminals' colour systems whose colours have values of their own (rich's names)."""


def shown(color: Color, system: str) -> tuple[int, int, int]:
    """The colour a terminal of ``system`` (``truecolor``, ``256``) shows for ``color``."""
    return tuple(color.downgrade(SYSTEMS[system]).get_truecolor())


@lru_cache(maxsize=4096)
def readable_color(fg: Color, bg: Color, system: str, minimum: float = MINIMUM) -> Color:
    """``fg``, or the colour nearest to it on its way to white or black (whichever
    stands out more from ``bg``) that has ``minimum`` contrast with ``bg`` as a
    terminal of ``system`` shows them."""
    if system not in SYSTEMS or fg.type not in _OWN or bg.type not in _OWN:
        return fg
    back = shown(bg, system)
    if ratio(shown(fg, system), back) >= minimum:
        return fg
    white, black = (255, 255, 255), (0, 0, 0)
    target = white if ratio(white, back) >= ratio(black, back) else black
    r, g, b = fg.get_truecolor()
    for step in range(1, 21):
        t = step / 20
        moved = Color.from_triplet(ColorTriplet(round(r + (target[0] - r) * t), round(g + (target[1] - g) * t),
                                                round(b + (target[2] - b) * t)))
        if ratio(shown(moved, system), back) >= minimum:
            return moved
    return Color.from_triplet(ColorTriplet(*target))


@lru_cache(maxsize=4096)
def readable(style: Style, system: str, minimum: float = MINIMUM) -> Style:
    """``style`` with its text colour made readable on its background in a terminal
    of ``system`` (see the module)."""
    if style.color is None or style.bgcolor is None:
        return style
    color = readable_color(style.color, style.bgcolor, system, minimum)
    return style if color is style.color else style + Style(color=color)
