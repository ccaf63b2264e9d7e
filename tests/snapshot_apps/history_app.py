"""The app on the history tests' main story (tests/support.py: history_story), in a
git repository built in a folder of the caller's, with a fixed clock (Monday
2026-11-09, 18:00 local time), for the snapshot of the `H` view in
tests/test_history.py. Commits have fixed dates, author and contents, so their ids
are the same wherever it runs. Run it by hand to see it, then press H:
python tests/snapshot_apps/history_app.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: support, when run by hand

from support import HISTORY_CLOCK, history_story  # noqa: E402
from tasktui.ui.app import TaskTuiApp  # noqa: E402


def fixed_clock() -> float:
    return HISTORY_CLOCK


def make_app(folder: str | Path) -> TaskTuiApp:
    """A TaskTuiApp on the story's file in a new repository in ``folder``."""
    _repo, path, _shas = history_story(Path(folder) / "repo")
    return TaskTuiApp(path, clock=fixed_clock)


if __name__ == "__main__":
    make_app(tempfile.mkdtemp(prefix="tasktui-snap-")).run()
