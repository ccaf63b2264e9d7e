"""End gates: the checklists under Definition of Done, Acceptance / Success /
Exit Criteria, Completion / Release Checklist and Quality Gates are required
work that waits for the phases' work (or, inside a phase or a story, for that
section's work), and never hold a phase back."""

from __future__ import annotations

import json
import shutil

import pytest

from support import SAMPLES_DIR, TEMPLATE, run, running, wait_for
from tasktui.doc import Document
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import RollUp

TOP_GATE = b"""# Search

## Overview

### Definition of Done
- [ ] All acceptance criteria validated
- [ ] Deployed to staging

## Phase 1: Index

- [ ] Build the index
- [ ] Fill the index

## Phase 2: Query

- [ ] Parse the query

## Quality Gates

- [ ] Load test passed
"""

STORY_GATES = b"""# Tasks: Profiles

## Phase 3: User Story 1 - Edit the profile

- [ ] T010 [US1] Profile form
- [ ] T011 [US1] Save the profile

### Acceptance Criteria

- [ ] AC1 a saved profile shows after a reload

## Phase 4: User Story 2 - Avatar

- [ ] T020 [US2] Upload an avatar

### Acceptance Criteria

- [ ] AC2 the avatar shows in the header
"""


def by_text(doc: Document, text: str):
    return next(t for t in doc.tasks if t.text.startswith(text))


def test_gates_wait_for_the_phases_work_and_hold_no_phase_back(tmp_path, capsys):
    doc = Document(TOP_GATE)
    readiness = Readiness(doc)
    dod = by_text(doc, "All acceptance")
    assert readiness.status(dod.index) == "waiting"
    assert readiness.reason(dod.index) == "waits for the phases' work (3 open)"
    assert readiness.reason(by_text(doc, "Load test").index) == "waits for the phases' work (3 open)"
    assert [t.text for t in readiness.ready()] == ["Build the index"]
    assert readiness.reason(by_text(doc, "Parse").index).startswith("waits for Phase 1 (2 open)")
    assert readiness.deps.problems == []  # no cycle through the gate near the top
    counts = RollUp(doc).document
    assert (counts.required, counts.required_done) == (6, 0)  # gates are required work in the numbers
    path = tmp_path / "tasks.md"
    path.write_bytes(TOP_GATE)
    assert run(capsys, "check", path)[0] == 0
    claimed = json.loads(run(capsys, "next", path, "--claim", "--json")[1])
    assert claimed["text"] == "Build the index"


def test_gates_are_ready_once_the_work_they_wait_for_is_done():
    done = TOP_GATE.replace(b"- [ ] Build", b"- [x] Build").replace(b"- [ ] Fill", b"- [x] Fill") \
        .replace(b"- [ ] Parse", b"- [x] Parse")
    readiness = Readiness(Document(done))
    assert [t.text for t in readiness.ready()] == ["All acceptance criteria validated", "Deployed to staging",
                                                   "Load test passed"]
    assert readiness.reason(readiness.ready()[0].index) == "ready: the phases' work is done"


def test_a_gate_in_a_story_waits_for_that_storys_work():
    doc = Document(STORY_GATES)
    readiness = Readiness(doc)
    assert readiness.reason(by_text(doc, "AC1").index) == "waits for the work of “Phase 3: User Story 1 - Edit…” (2 open)"
    second = STORY_GATES.replace(b"- [ ] T010", b"- [x] T010").replace(b"- [ ] T011", b"- [x] T011")
    readiness = Readiness(Document(second))
    assert [t.text for t in readiness.ready()] == ["AC1 a saved profile shows after a reload",
                                                   "T020 [US2] Upload an avatar"]


@pytest.mark.parametrize("source", ["sample", "seed"])
def test_next_on_the_template_offers_phase_work(tmp_path, capsys, source):
    original = SAMPLES_DIR / "template-project.md" if source == "sample" else TEMPLATE
    if not original.is_file():
        pytest.skip(f"{original} is missing")
    path = tmp_path / "tasks.md"
    shutil.copyfile(original, path)
    found = json.loads(run(capsys, "next", path, "--json")[1])
    assert "Phase" in " > ".join(found["path"]) and "Definition of Done" not in found["path"]
    assert "Definition of Done" not in json.dumps(json.loads(run(capsys, "next", path, "--all", "--json")[1]))
    claimed = json.loads(run(capsys, "next", path, "--claim", "--json")[1])
    assert claimed["line"] == found["line"]


async def test_the_app_starts_on_phase_work_and_says_what_a_gate_waits_for(tmp_path):
    path = tmp_path / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "template-project.md", path)
    async with running(path) as (app, pilot, notes):
        start = app.main.tree.cursor_task
        assert start is not None and start.text.startswith("**Add domain events**")
        gate = next(t for t in app.session.doc.tasks if t.text.startswith("All acceptance criteria"))
        app.main.tree.move_to_task(gate.index)
        await pilot.press("n")  # from the gate near the top, n goes to phase work
        await wait_for(pilot, lambda: app.main.tree.cursor_task == start, what="n to reach the phase work")
        app.main.tree.move_to_task(gate.index)
        await wait_for(pilot, lambda: "**Waiting**: waits for the phases' work" in app.query_one("#detail").source,
                       what="the detail pane to say what the gate waits for")
