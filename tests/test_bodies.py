"""Time and estimate edits on every body shape real files use: detail bullets,
a blockquote (with fenced code inside), numbered details, bullets with fenced
code. The fixture tests/bodies/kiro-blockquote-body.md is a Kiro plan whose task
2 keeps its details in a quote, `> **Estimated Time:** 15 minutes` among them:
booking time on it used to stop with a traceback. Each case asserts the whole
file after the edit, and that the value reads back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support import run

FIXTURE = Path(__file__).parent / "bodies" / "kiro-blockquote-body.md"
ORIGINAL = FIXTURE.read_bytes()

# (command, task, what the file says after `tasktui COMMAND FILE TASK 1h`): the lines replaced
CASES = {
    # a quoted body: the value beside the quoted estimate, a paragraph of its own in the same quote
    ("time", "2"): (b"  > **Estimated Time:** 15 minutes\n",
                    b"  > **Estimated Time:** 15 minutes\n  >\n  > **Actual Time:** 60 minutes\n"),
    ("estimate", "2"): (b"  > **Estimated Time:** 15 minutes\n", b"  > **Estimated Time:** 60 minutes\n"),
    # a quoted body with a bullet after it and no estimate: a detail bullet, after the last one
    ("time", "3"): (b"  - _Requirements: 1.3_\n", b"  - _Requirements: 1.3_\n  - **Actual Time**: 1 hour\n"),
    # numbered details: the estimate's own form
    ("time", "4"): (b"  1. **Estimated Time**: 2 hours\n",
                    b"  1. **Estimated Time**: 2 hours\n  1. **Actual Time**: 1 hour\n"),
    ("estimate", "4"): (b"  1. **Estimated Time**: 2 hours\n", b"  1. **Estimated Time**: 1 hour\n"),
    # a quote with fenced code and nothing else: a paragraph at the end of the quote
    ("time", "5"): (b"  > # Schema\n  > ```\n", b"  > # Schema\n  > ```\n  >\n  > **Actual Time**: 1 hour\n"),
    ("estimate", "5"): (b"  > # Schema\n  > ```\n", b"  > # Schema\n  > ```\n  >\n  > **Estimated Time**: 1 hour\n"),
    # bullets with fenced code: beside the estimate bullet, or after the fence
    ("time", "6"): (b"  - **Estimated Time**: 30 minutes\n",
                    b"  - **Estimated Time**: 30 minutes\n  - **Actual Time**: 60 minutes\n"),
    ("estimate", "7"): (b"    curl -f https://staging.example.com/health\n    ```\n",
                        b"    curl -f https://staging.example.com/health\n    ```\n  - **Estimated Time**: 1 hour\n"),
}


@pytest.mark.parametrize("command, ref", sorted(CASES), ids=[f"{c}-{r}" for c, r in sorted(CASES)])
def test_time_and_estimate_on_every_body_shape(tmp_path, capsys, command, ref):
    path = tmp_path / "tasks.md"
    shutil.copyfile(FIXTURE, path)
    old, new = CASES[command, ref]
    assert ORIGINAL.count(old) == 1
    code, out, err = run(capsys, command, path, ref, "1h")
    assert code == 0 and "Traceback" not in err, err
    assert path.read_bytes() == ORIGINAL.replace(old, new)
    task = next(t for t in json.loads(run(capsys, "list", path, "--json")[1]) if t["id"] == ref)
    assert task["actual_hours" if command == "time" else "estimate_hours"] == 1.0


def test_the_quoted_estimate_reads_and_adds_up(tmp_path, capsys):
    path = tmp_path / "tasks.md"
    shutil.copyfile(FIXTURE, path)
    assert run(capsys, "time", path, "2", "20m")[0] == 0
    assert run(capsys, "time", path, "2", "25m")[0] == 0  # added to the quoted Actual Time in place
    assert path.read_bytes() == ORIGINAL.replace(
        b"  > **Estimated Time:** 15 minutes\n", b"  > **Estimated Time:** 15 minutes\n  >\n  > **Actual Time:** 45 minutes\n")
    status = json.loads(run(capsys, "status", path, "--json")[1])
    # 45 minutes on an open task estimated at 15: an overrun of 30 minutes, at once
    assert (status["variance_hours"], status["variance_pct"]) == (0.5, 200.0)
