"""Branches of tasktui/cli/main.py that tests/test_cli.py leaves out: time columns in
`list`, open blockers in `status`, log entries by L<line>, Ctrl-C, a closed
pipe, an stdout without reconfigure(), and argv taken from sys.argv."""

from __future__ import annotations

import io
import json
import shutil
import sys

import pytest

from support import SAMPLES_DIR
from support import assert_one_line_error, run
from tasktui.cli import commands as cli
from tasktui.storage import store
from tasktui.doc import Document


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "template-project.md", path)
    return path


def test_list_shows_spent_and_estimated_time(capsys, template):
    code, out, err = run(capsys, "list", template)
    assert code == 0
    doc = Document(template.read_bytes())
    both = next(t for t in doc.tasks if "delivery_channels schema" in t.text)
    only_estimate = next(t for t in doc.tasks if "test-delivery" in t.text)
    rows = {int(line.split()[0][1:]): line for line in out.splitlines()}
    assert rows[both.line + 1].endswith("  (1.5h/2h)")
    assert rows[only_estimate.line + 1].endswith("  (-/2.5h)")
    assert not rows[doc.tasks[0].line + 1].endswith(")")


def test_status_lists_open_blockers_and_resolve_takes_a_line(capsys, template):
    code, out, err = run(capsys, "log", template, "API keys missing", "--date", "2026-03-01", "--json")
    entry_line = json.loads(out)["line"]
    code, out, err = run(capsys, "status", template)
    assert code == 0
    assert out.splitlines()[-1] == f"blocker L{entry_line} 2026-03-01: API keys missing"

    assert_one_line_error(*run(capsys, "resolve", template, "L1", "x"), "no log entry on line 1")
    code, out, err = run(capsys, "resolve", template, f"L{entry_line}", "keys arrived", "--date", "2026-03-02")
    assert (code, err) == (0, "")
    entry = next(e for e in Document(template.read_bytes()).log if e.line == entry_line - 1)
    assert (entry.text, entry.resolved, entry.resolved_date, entry.resolution) == ("API keys missing", True, "2026-03-02", "keys arrived")
    assert "blocker L" not in run(capsys, "status", template)[1]


def test_ctrl_c_exits_130_and_writes_nothing(capsys, template, monkeypatch):
    data = template.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "read_quiet", interrupted)
    assert run(capsys, "toggle", template, "T001")[0] == 130
    monkeypatch.undo()
    assert template.read_bytes() == data


def test_a_closed_pipe_is_not_an_error(template, monkeypatch):
    """`tasktui list x.md | head`: the reader went away; exit 0, no traceback."""
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)

    def closed_pipe(doc, tasks):
        raise BrokenPipeError

    monkeypatch.setattr(cli, "print_list", closed_pipe)
    assert cli.main(["list", str(template)]) == 0
    assert err.closed


def test_an_stdout_without_reconfigure_and_argv_from_sys_argv(template, monkeypatch):
    out = io.StringIO()
    assert not hasattr(out, "reconfigure")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "argv", ["tasktui", "next", str(template)])
    assert cli.main() == 0
    assert out.getvalue().startswith("L120 Add domain events for:")
