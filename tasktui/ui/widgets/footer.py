"""The footer: Textual's, with help and quit (and, while a timer runs, its stop
key) kept at its right end, beside the palette's key, so that they are never the
keys that drop off a narrow screen (at 80 columns, with the overview's `o` or the
log's keys shown); a key that does not fit whole before them is left out, never
shown cut."""

from __future__ import annotations

from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED = ("stop_timer", "help", "app.quit")
"""Actions whose keys stay in view at the right end, in this order, before the palette's."""


class PinnedFooter(Footer):
    DEFAULT_CSS = """
    PinnedFooter .footer-pinned { dock: right; width: auto; height: 1; padding-left: 1;
                                  background: $footer-background; }
    PinnedFooter .footer-pinned FooterKey.-command-palette { dock: none; }
    """

    def compose(self):
        pinned: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (widget.action in PINNED or widget.has_class("-command-palette")):
                pinned.append(widget)
            else:
                yield widget
        if pinned:
            pinned.sort(key=lambda w: PINNED.index(w.action) if w.action in PINNED else len(PINNED))
            yield HorizontalGroup(*pinned, classes="footer-pinned")

    async def recompose(self) -> None:
        await super().recompose()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show the keys, in order, that fit whole before the pinned ones; leave out the rest.
        Widths from the keys' own content and CSS, so that it holds before any layout."""
        pinned = self.query_children(".footer-pinned")
        if not pinned:
            return
        group = pinned.first()
        room = (self.size.width or self.app.size.width) - group.styles.gutter.width - sum(
            self._width(key) for key in group.query_children(FooterKey))
        for key in self.query_children(FooterKey):
            room -= self._width(key)
            key.display = room >= 0

    @staticmethod
    def _width(key: FooterKey) -> int:
        """The cells ``key`` takes: its text, padding, border and margin."""
        styles = key.styles
        return key.render().cell_len + styles.gutter.width + styles.margin.width
