"""The app on a copy of one of the sample files, for the snapshot tests.

The header shows the file's name only, so a copy in any folder renders the
same as long as its name is fixed.  Run it by hand to see what a snapshot
shows:  python tests/snapshot_apps/sample_app.py speckit-feature.md
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tasktui.ui.app import TaskTuiApp

SAMPLES = Path(__file__).resolve().parents[2] / "sample_tasks"


def make_app(name: str, folder: str | Path, clock=None) -> TaskTuiApp:
    """A TaskTuiApp on a fresh copy of sample_tasks/<name> in ``folder`` (with
    ``clock`` as its clock when given)."""
    target = Path(folder) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / name, target)
    return TaskTuiApp(target) if clock is None else TaskTuiApp(target, clock=clock)


if __name__ == "__main__":
    make_app(sys.argv[1] if len(sys.argv) > 1 else "template-project.md", tempfile.mkdtemp(prefix="tasktui-snap-")).run()
