"""A file's legend in each of its forms, and what only looks like one: crafted
fixtures in tests/legends/, each read as its author meant it (the state of every
task, the legend's items in no total), plus the states only a legend gives
(blocked, review, draft) set and passed over, and the config's ``legend_off``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasktui.ui.commands import entries
from support import run, running, wait_for
from tasktui.doc import Document
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import RollUp

HERE = Path(__file__).parent / "legends"

# fixture -> (text, state, label) of every task that is work, in file order; legend items
EXPECTED = {
    "checkbox-legend.md": (
        [("1. Add the export schema", "done", "Complete"), ("2. Write the CSV writer", "in_progress", "In Progress"),
         ("3. Upload to the billing bucket (waiting for credentials)", "blocked", "Blocked"),
         ("4. Schedule the nightly export", "todo", "Not Started"),
         ("5. Document the export format", "todo", "Not Started")],
        ["Not Started", "Complete", "In Progress", "Blocked"]),
    "code-legend.md": (
        [("Fuzzy matching of titles #T1", "draft", "Draft"), ("Index the archive #T2", "todo", "Todo"),
         ("Rank by recency #T3", "todo", "Todo"), ("Tokenizer for CJK text #T4", "in_progress", "In Progress"),
         ("Query parser #T5", "review", "Review"), ("Two storage engines #T6", "other", "Competing"),
         ("Hosted index (waiting for the vendor) #T7", "blocked", "Blocked"),
         ("Search box in the header #T8", "done", "Done")],
        []),
    "table-legend.md": (
        [("Copy the users table", "done", "Done"), ("Copy the orders table", "in_progress", "In progress"),
         ("Copy the payments table", "blocked", "Blocked"), ("Decide on the audit table", "draft", "Draft"),
         ("Drop the old tables", "todo", "To do")],
        []),
    # look-alikes: checklists whose words are not states are work, quoted or not
    "lookalike-quoted-checklist.md": (
        [("Bump the version", "done", None), ("Update the changelog", "done", None), ("Tag the release", "todo", None),
         ("Publish the packages", "todo", None), ("Tested", "todo", None), ("Reviewed", "done", None)],
        []),
    "lookalike-status-checklist.md": (
        [("Laptop ordered", "done", None), ("Accounts created", "todo", None), ("Parking permit", "cancelled", None),
         ("Book the welcome lunch", "todo", None), ("Send the first-day email", "done", None)],
        []),
    "lookalike-table.md": (
        [("Fix the login redirect", "done", None), ("Cache the avatars", "todo", None),
         ("Rewrite the mailer", "cancelled", None)],
        []),
}
# fixture -> (total, done, required, required_done, cancelled, percent) of `status --json`
TOTALS = {
    "checkbox-legend.md": (5, 1, 5, 1, 0, 20.0),
    "code-legend.md": (8, 1, 8, 1, 0, 12.5),
    "table-legend.md": (5, 1, 5, 1, 0, 20.0),
    "lookalike-quoted-checklist.md": (6, 3, 6, 3, 0, 50.0),
    "lookalike-status-checklist.md": (5, 2, 4, 2, 1, 50.0),
    "lookalike-table.md": (3, 1, 2, 1, 1, 50.0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_form_of_legend_and_each_look_alike_reads_as_meant(capsys, name):
    path = HERE / name
    tasks = json.loads(run(capsys, "list", path, "--json", "--no-cache")[1])
    work, legend_items = EXPECTED[name]
    assert [(t["text"], t["state"], t["label"]) for t in tasks if not t["legend"]] == work
    assert [t["text"] for t in tasks if t["legend"]] == legend_items
    status = json.loads(run(capsys, "status", path, "--json", "--no-cache")[1])
    assert tuple(status[k] for k in ("total", "done", "required", "required_done", "cancelled", "percent")) == TOTALS[name]
    assert status["total"] == len(work)  # the legend's own items count in no total


def test_a_legend_named_by_its_words_alone():
    # "Legend" words in a heading of a few words, and an introducing line
    for data in (b"# P\n\n### Legend\n\n- [ ] open\n- [/] doing\n- [x] done\n\n## W\n\n- [/] a\n",
                 b"# P\n\n**Markers:**\n- [ ] open\n- [/] doing\n- [x] done\n\n## W\n\n- [/] a\n"):
        doc = Document(data)
        assert [(t.text, t.legend, t.state) for t in doc.tasks][-1] == ("a", False, "in_progress")
        assert RollUp(doc).document.total == 1


def test_a_metadata_line_does_not_introduce_a_legend():
    doc = Document(b"# P\n\n**Status**: In Progress\n- [ ] Done\n- [x] Open\n")
    assert not doc.legend and [t.state for t in doc.tasks] == ["todo", "done"]


def test_a_legend_keeps_the_usual_meaning_of_the_marks_it_does_not_name():
    doc = Document(b"# P\n\n## Legend\n\n- [!] blocked\n- [?] draft\n\n## Work\n\n- [ ] a\n- [x] b\n- [!] c\n")
    assert [(t.text, t.state) for t in doc.tasks if not t.legend] == [("a", "todo"), ("b", "done"), ("c", "blocked")]


def test_blocked_review_and_draft_are_open_work_that_is_never_ready(capsys):
    path = HERE / "code-legend.md"
    doc = Document(path.read_bytes())
    readiness = Readiness(doc)
    by_text = {t.text.split(" #")[0]: t for t in doc.tasks}
    for name, word in (("Fuzzy matching of titles", "Draft"), ("Query parser", "Review"),
                       ("Hosted index (waiting for the vendor)", "Blocked")):
        assert readiness.status(by_text[name].index) == "waiting"
        assert readiness.reason(by_text[name].index).startswith(f"marked {word}")
    # they hold no one back in their phase: the next task can start
    ready = json.loads(run(capsys, "next", path, "--all", "--json", "--no-cache")[1])
    assert [t["text"] for t in ready] == ["Index the archive #T2"]
    counts = RollUp(doc).document
    assert (counts.required, counts.required_done) == (8, 1)


def test_set_writes_the_legends_mark_for_a_state_and_refuses_one_it_has_not(tmp_path, capsys):
    path = tmp_path / "tasks.md"
    path.write_bytes((HERE / "checkbox-legend.md").read_bytes())
    code, out, err = run(capsys, "set", path, "4.", "blocked")
    assert code == 0, err
    assert b"- [!] 4. Schedule the nightly export\n" in path.read_bytes()
    before = path.read_bytes()
    code, out, err = run(capsys, "set", path, "5.", "review")
    assert (code, out) == (1, "")
    assert err == "tasktui: this file's legend has no mark for review tasks\n"
    assert path.read_bytes() == before
    plain = tmp_path / "plain.md"
    plain.write_bytes(b"# P\n\n- [ ] a\n")
    code, out, err = run(capsys, "set", plain, "a", "draft")
    assert code == 1 and err == "tasktui: this file has no mark for draft tasks: only a legend in the file can give one\n"
    assert plain.read_bytes() == b"# P\n\n- [ ] a\n"


def test_the_query_knows_the_legends_states():
    from tasktui.doc import query

    doc = Document((HERE / "code-legend.md").read_bytes())
    q = query.parse("state:blocked,review")
    assert not q.problems
    found = query.select(q, query.TaskIndex(doc.tasks), doc.tasks)
    assert [doc.tasks[i].text for i in found] == ["Query parser #T5", "Hosted index (waiting for the vendor) #T7"]
    assert [doc.tasks[i].text for i in query.select(query.parse("state:draft"), query.TaskIndex(doc.tasks), doc.tasks)] == [
        "Fuzzy matching of titles #T1"]


def test_legend_off_in_the_config_reads_the_marks_as_the_dialect_does(tmp_path, capsys, _private_settings):
    path = tmp_path / "ROADMAP.md"
    path.write_bytes((HERE / "code-legend.md").read_bytes())
    states = [t["state"] for t in json.loads(run(capsys, "list", path, "--json", "--no-cache")[1])]
    assert states[3] == "in_progress"
    (_private_settings / "config.toml").write_text('legend_off = ["ROADMAP.md"]\n')
    tasks = json.loads(run(capsys, "list", path, "--json", "--no-cache")[1])
    assert [t["state"] for t in tasks][3] == "cancelled" and not any(t["label"] for t in tasks)


async def test_the_blocked_key_and_the_palettes_legend_words(tmp_path):
    path = tmp_path / "tasks.md"
    original = (HERE / "checkbox-legend.md").read_bytes()
    path.write_bytes(original)
    async with running(path) as (app, pilot, notes):
        app.main.tree.set_all_collapsed(False)
        task = next(t for t in app.session.doc.tasks if t.text.startswith("4."))
        app.main.tree.move_to_task(task.index)
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: b"- [!] 4. Schedule" in path.read_bytes(), what="the blocked mark")
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: path.read_bytes() == original, what="back to open")
        titles = [c.title for c in entries(app.main)]
        assert {"Mark Not Started", "Mark Complete", "Mark In Progress", "Mark blocked"} <= set(titles)
        assert "Mark Blocked" not in titles  # the ! key's own entry says it
        command = next(c for c in entries(app.main) if c.title == "Mark In Progress")
        command.callback()
        await wait_for(pilot, lambda: b"- [~] 4. Schedule" in path.read_bytes(), what="the legend's in-progress mark")
