"""Baseline for keypress-to-disk: a minimal Textual app that, on space, replaces the
first "[ ]" of its in-memory text with "[x]" (or the first "[x]" back) and saves
the file atomically with fsync."""

import os
import sys
import tempfile

from textual.app import App
from textual.widgets import Static


class ToggleApp(App):
    BINDINGS = [("space", "toggle", "Toggle")]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        self.done = False

    def compose(self):
        yield Static(f"Hello, world: {os.path.basename(self.path)}")

    def action_toggle(self) -> None:
        old, new = (b"[x]", b"[ ]") if self.done else (b"[ ]", b"[x]")
        self.data = self.data.replace(old, new, 1)
        self.done = not self.done
        folder = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bench-")
        with os.fdopen(fd, "wb") as f:
            f.write(self.data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


if __name__ == "__main__":
    ToggleApp(sys.argv[1]).run()
