"""The app on the overview of a small workspace, for the snapshot tests: copies of
the samples where spec-kit, Kiro, OpenSpec and a TODO list keep them, each with a
fixed time of last change, and a clock that always says 2026-03-16 09:00, so the
screen is the same wherever and whenever it runs.  Run it by hand to see it:
python tests/snapshot_apps/workspace_app.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from tasktui.ui.app import TaskTuiApp
from tasktui.core.workspace import find_tasks_files

SAMPLES = Path(__file__).resolve().parents[2] / "sample_tasks"
FIXED_NOW = time.mktime((2026, 3, 16, 9, 0, 0, 0, 0, -1))
OPENSPEC = b"""## 1. Implementation

- [x] 1.1 Add the export table
- [ ] 1.2 Write the CSV writer
- [ ] 1.3 Stream large exports (depends on 1.2)

## 2. Tests

- [ ] 2.1 Cover the writer
"""
# where each file goes, what it holds, and how long before FIXED_NOW it last changed
LAYOUT = [
    ("specs/001-team-invitations/tasks.md", SAMPLES / "speckit-feature.md", 40 * 60),
    ("specs/002-notification-preferences/tasks.md", SAMPLES / "template-project.md", 3 * 86400),
    (".kiro/specs/bookmark-sync/tasks.md", SAMPLES / "kiro-spec.md", 5 * 3600),
    ("openspec/changes/add-export/tasks.md", OPENSPEC, 20 * 86400),
    ("docs/TODO.md", SAMPLES / "plain-todo.md", 30),
]


def fixed_clock() -> float:
    return FIXED_NOW


def make_workspace(folder: str | Path) -> Path:
    root = Path(folder) / "repo"
    for rel, source, age in LAYOUT:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            target.write_bytes(source)
        os.utime(target, (FIXED_NOW - age, FIXED_NOW - age))
    return root


def make_app(folder: str | Path) -> TaskTuiApp:
    """A TaskTuiApp on the overview of a fresh workspace in ``folder``, with a fixed clock."""
    root = make_workspace(folder)
    return TaskTuiApp(workspace=root, files=find_tasks_files(root), clock=fixed_clock)


if __name__ == "__main__":
    make_app(tempfile.mkdtemp(prefix="tasktui-snap-")).run()
