"""Marked, dimmed (waiting), cursor and cursor+marked rows are readable in every
built-in theme (but the ANSI ones, whose colours are the terminal's): each piece
of text on them has a WCAG contrast ratio of at least 4.5:1 with its background,
computed from the styles the tree renders, as a truecolor and as a 256-colour
terminal shows them. A marked task has a mark in the gutter."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorSystem
from textual.app import App

from support import copy_sample, running, wait_for
from tasktui.doc.ready import WAITING
from tasktui.ui.widgets.contrast import readable_color
from tasktui.ui.widgets.task_tree import MARK

THEMES = sorted(name for name in App().available_themes if not name.startswith("ansi"))
SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT}


def luminance(rgb) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])


def contrast(fg, bg, system: str) -> float:
    """The WCAG ratio of two rich Colors as a terminal of ``system`` shows them."""
    a, b = (luminance(c.downgrade(SYSTEMS[system]).get_truecolor()) for c in (fg, bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def worst(strip, system: str) -> tuple[float, str]:
    """The lowest contrast of any text on a rendered row, and that text."""
    found = []
    for segment in strip:
        style = segment.style
        if segment.text.strip() and style is not None:
            assert style.color is not None and style.bgcolor is not None, segment
            found.append((contrast(style.color, style.bgcolor, system), segment.text))
    return min(found)


def test_the_themes_are_found():
    assert len(THEMES) >= 15 and "textual-dark" in THEMES and "textual-light" in THEMES


@pytest.mark.parametrize("system", [pytest.param("truecolor", marks=pytest.mark.slow),
                                    "256"])  # the quick run: 256 colours, each colour moved to the nearest of them
async def test_marked_dimmed_and_cursor_rows_are_readable_in_every_theme(tmp_path, system):
    path = copy_sample(tmp_path, "speckit-feature.md")
    async with running(path, size=(100, 40)) as (app, pilot, _notes):
        tree = app.main.tree
        ready = tree.outline.ready
        waiting = [y for y, row in enumerate(tree.rows)
                   if row.kind == "task" and ready.status(row.index) == WAITING][:4]
        assert len(waiting) == 4
        # rows: a waiting row; a marked one; the cursor on a waiting, then on a marked row
        plain, marked, cursor, both = waiting
        tree.set_marks(marked={tree.rows[marked].index, tree.rows[both].index})
        app.console._color_system = SYSTEMS[system]  # what the terminal takes (TERM, COLORTERM)
        assert app.console.color_system == system
        problems = []
        for theme in THEMES:
            app.theme = theme
            surface = Color.parse(app.theme_variables["surface"]).get_truecolor()
            await wait_for(pilot, lambda: tree.rich_style.bgcolor.get_truecolor() == surface, what=f"{theme}'s styles")
            for name, y, at in (("waiting", plain, cursor), ("marked", marked, cursor), ("cursor", cursor, cursor),
                                ("cursor+marked", both, both)):
                tree._set_cursor(at)
                await pilot.pause()
                assert tree.has_focus
                strip = tree.render_line(y - tree.scroll_offset.y)
                ratio, text = worst(strip, system)
                if ratio < 4.5:
                    problems.append(f"{theme} {name}: {text!r} at {ratio:.2f}:1")
                glyph = strip.text[0]
                assert glyph == (MARK if name in ("marked", "cursor+marked") else " "), (theme, name, strip.text)
        assert not problems, "\n".join(problems)


def test_colours_a_theme_leaves_to_the_terminal_are_left_alone():
    grey, near = Color.parse("#444444"), Color.parse("#464646")
    assert readable_color(grey, near, "truecolor") != grey  # 1:1 made readable
    ansi = Color.parse("bright_black")
    assert readable_color(ansi, near, "truecolor") is ansi
    assert readable_color(grey, near, "standard") is grey  # 16 colours: the terminal's to choose
