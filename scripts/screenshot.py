"""Regenerate docs/screenshot.svg: the real app on the template sample, via Textual's screenshot support.

    python scripts/screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tasktui-shot-"))
    os.environ["TASKTUI_CONFIG"] = str(tmp / "config.toml")
    os.environ["TASKTUI_STATE_DIR"] = str(tmp / "state")
    from tasktui.ui.app import TaskTuiApp

    path = tmp / "tasks.md"
    shutil.copy(ROOT / "sample_tasks" / "template-project.md", path)
    app = TaskTuiApp(path)
    async with app.run_test(size=(130, 34)) as pilot:
        for _ in range(200):
            if app.tasks_file is not None and app.tree.rows:
                break
            await pilot.pause(0.05)
        await pilot.press("n", "n")
        await pilot.pause(0.5)
        out = ROOT / "docs"
        out.mkdir(exist_ok=True)
        app.save_screenshot(filename="screenshot.svg", path=str(out))
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrote {out / 'screenshot.svg'}")


if __name__ == "__main__":
    asyncio.run(main())
