"""The app on a copy of sample_tasks/template-project.md with a clock the test
moves, for the 80x24 snapshots of tests/test_small_screen.py.

The copy keeps the sample's name (the header shows the name only). The clock
says 2026-03-16 09:00 local time until a test moves it. A timer can be running
on "Add domain events" from before the app starts. Run it by hand to see it:
python tests/snapshot_apps/small_screen_app.py [--timer SECONDS]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tasktui.storage import timer
from tasktui.ui.app import TaskTuiApp
from tasktui.doc import Document

SAMPLES = Path(__file__).resolve().parents[2] / "sample_tasks"
NAME = "template-project.md"
T0 = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))
TIMED = "**Add domain events**"


class Clock:
    """Epoch seconds that move only when told."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_app(folder: str | Path, *, timer_seconds: float | None = None, clock: Clock | None = None) -> TaskTuiApp:
    """A TaskTuiApp on a fresh copy of the template sample in ``folder``; with
    ``timer_seconds``, a timer started that long before the clock's now."""
    target = Path(folder) / NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / NAME, target)
    clock = clock or Clock()
    if timer_seconds is not None:
        doc = Document(target.read_bytes())
        task = next(t for t in doc.tasks if t.text.startswith(TIMED))
        timer.start(target, doc.keys[task.index], "**Add domain events** for:", clock.now - timer_seconds)
    return TaskTuiApp(target, clock=clock)


if __name__ == "__main__":
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--timer" else None
    make_app(tempfile.mkdtemp(prefix="tasktui-snap-"), timer_seconds=seconds).run()
