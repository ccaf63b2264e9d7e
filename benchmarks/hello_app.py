"""Baseline: a minimal Textual app that shows one line of text."""

from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static("Hello, world")


if __name__ == "__main__":
    Hello().run()
