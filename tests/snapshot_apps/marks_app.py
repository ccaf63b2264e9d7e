"""The app on a copy of sample_tasks/speckit-feature.md with a fixed clock, for the
snapshot of marked rows (tests/test_snapshots.py).

The copy keeps the sample's name (the header shows the name only) and the clock
always says 2026-03-16 09:00 local time, so the screen is the same wherever and
whenever it runs.  Run it by hand to see it, then press v and shift+down twice:
python tests/snapshot_apps/marks_app.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from tasktui.ui.app import TaskTuiApp

SAMPLES = Path(__file__).resolve().parents[2] / "sample_tasks"
NAME = "speckit-feature.md"
FIXED_NOW = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))


def fixed_clock() -> float:
    return FIXED_NOW


def make_app(folder: str | Path) -> TaskTuiApp:
    """A TaskTuiApp on a fresh copy of the spec-kit sample in ``folder``, with a fixed clock."""
    target = Path(folder) / NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / NAME, target)
    return TaskTuiApp(target, clock=fixed_clock)


if __name__ == "__main__":
    make_app(tempfile.mkdtemp(prefix="tasktui-snap-")).run()
