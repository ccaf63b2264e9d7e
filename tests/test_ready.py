"""The ready rule and the dependencies it reads (tasktui.doc.ready), without the
app: one crafted file per form a file can state an order in, cycles and
references to what is not there, Kiro's order, the log's open blockers, and
the promise that a file without any of it gets today's first open task."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc.patch import apply
from tasktui.doc.ready import READY, WAITING, Readiness
from tasktui.doc.rollup import RollUp
from tasktui.doc.states import IN_PROGRESS


def ready_ids(data: bytes, **kwargs) -> list[str]:
    r = Readiness(Document(data, **kwargs))
    return [t.id or t.text for t in r.ready()]


def by_id(r: Readiness, ident: str) -> int:
    return next(t.index for t in r.doc.tasks if t.id == ident)


def reason(data: bytes, ident: str) -> str:
    r = Readiness(Document(data))
    return r.reason(by_id(r, ident))


SPECKIT_HEAD = b"# Tasks: X\n\n"


# ----------------------------------------------------------------- phases and [P]
PHASES = SPECKIT_HEAD + b"""## Phase 1: Setup

- [x] T001 Create the project
- [ ] T002 Add the linter

## Phase 2: Foundational

- [ ] T003 Models
- [ ] T004 [P] Enums
"""


def test_a_phase_waits_for_the_required_tasks_of_the_phases_before_it():
    assert ready_ids(PHASES) == ["T002"]
    assert reason(PHASES, "T003") == "waits for Phase 1 (1 open)"
    assert reason(PHASES, "T004") == "waits for Phase 1 (1 open)", "[P] does not jump the phase order"
    assert reason(PHASES, "T002") == "ready: the first open task in Phase 1"
    done = PHASES.replace(b"- [ ] T002", b"- [x] T002")
    assert ready_ids(done) == ["T003", "T004"]
    assert reason(done, "T004") == "ready: the phases before it are done; [P] in Phase 2"


def test_optional_and_cancelled_tasks_do_not_hold_a_phase_back():
    data = PHASES.replace(b"- [ ] T002", b"- [-] T002")
    assert ready_ids(data) == ["T003", "T004"]


PARALLEL = SPECKIT_HEAD + b"""## Phase 1: Setup

- [ ] T001 Create the project
- [ ] T002 [P] Configure ruff
- [ ] T003 [P] Configure mypy
- [ ] T004 Write the README
- [ ] T005 [P] Add CI
"""


def test_tasks_with_P_run_beside_the_others_and_the_rest_go_in_order():
    assert ready_ids(PARALLEL) == ["T001", "T002", "T003", "T005"]
    assert reason(PARALLEL, "T004") == "waits for T001, the open task before it"
    assert reason(PARALLEL, "T003") == "ready: [P]"
    started = PARALLEL.replace(b"- [ ] T001", b"- [/] T001")
    r = Readiness(Document(started))
    assert [t.id for t in r.ready()] == ["T002", "T003", "T005"]
    assert r.status(by_id(r, "T001")) == IN_PROGRESS and r.current().id == "T001"
    assert r.status(by_id(r, "T004")) == WAITING, "a task in progress still holds back the ones after it"


# ------------------------------------------------------------------- task text
TEXT_FORMS = SPECKIT_HEAD + b"""## Phase 1: Build

- [ ] T001 [P] Schema
- [ ] T002 [P] Service (depends on T001)
- [ ] T003 [P] Endpoint, after T002
- [ ] T004 [P] Docs, blocked by T003 and T001
- [ ] T005 [P] Release (requires T010-T012)
- [ ] T010 [P] a
- [ ] T011 [P] b
- [ ] T012 [P] c
- [ ] T013 [P] Retry after 5 seconds; requires authentication
"""


def test_dependencies_written_in_a_tasks_text():
    r = Readiness(Document(TEXT_FORMS))
    assert [t.id for t in r.ready()] == ["T001", "T010", "T011", "T012", "T013"]
    assert r.reason(by_id(r, "T002")) == "waits for T001"
    assert r.reason(by_id(r, "T003")) == "waits for T002"
    assert r.reason(by_id(r, "T004")) == "waits for T003, T001"
    assert r.reason(by_id(r, "T005")) == "waits for T010, T011, T012"
    assert r.deps.problems == []
    data = TEXT_FORMS
    for ident in (b"T001", b"T010", b"T011", b"T012"):
        data = data.replace(b"- [ ] " + ident, b"- [x] " + ident)
    r = Readiness(Document(data))
    assert [t.id for t in r.ready()] == ["T002", "T005", "T013"]
    assert r.reason(by_id(r, "T005")) == "ready: T010, T011, T012 done; [P]"
    cancelled = data.replace(b"- [ ] T002", b"- [-] T002")
    assert "T003" in [t.id for t in Readiness(Document(cancelled)).ready()], "a cancelled dependency is out of the way"


KIRO = b"""# Implementation Plan

- [x] 1. Set up
  - [x] 1.1 Layout
  - [x] 1.2 Interfaces
- [ ] 2. Models
  - [x] 2.1 Dataclass
  - [ ] 2.2 Validation
  - [ ]* 2.3 Unit tests
- [ ] 3. Storage
  - [ ] 3.1 SQLite store (requires 2.2)
  - [ ] 3.2 Tombstones
- [ ] 4. Sync, after 1.5 seconds of quiet
"""


def test_kiro_order_a_parent_after_its_subtasks_and_requires_a_dotted_id():
    r = Readiness(Document(KIRO))
    assert r.deps.kiro
    assert [t.id for t in r.ready()] == ["2.2"]
    assert r.reason(by_id(r, "2")) == "waits for its subtasks (2.2)"
    assert r.reason(by_id(r, "3.1")) == "waits for 2.2"
    assert r.reason(by_id(r, "4")) == "waits for 2.2, the open task before it"
    assert r.deps.problems == [], "1.5 seconds is a number, not a missing task"
    step = KIRO.replace(b"- [ ] 2.2", b"- [x] 2.2")
    assert ready_ids(step) == ["2"], "its subtasks done, the parent is the work (2.3 is optional)"
    step = step.replace(b"- [ ] 2. Models", b"- [x] 2. Models")
    assert ready_ids(step) == ["3.1"]


OPENSPEC = b"""## 1. Implementation

- [ ] 1.1 Add the table
- [ ] 1.2 Write the migration
- [ ] 1.3 Backfill, requires 1.1 and 1.2

## 2. Tests

- [ ] 2.1 Cover the migration (depends on tasks 1.2-1.3)
- [ ] 2.2 Something after task 9.9
"""


def test_dotted_ids_lists_and_ranges_and_a_missing_one_said_with_task():
    r = Readiness(Document(OPENSPEC, path="openspec/changes/x/tasks.md"))
    assert r.reason(by_id(r, "1.3")) == "waits for 1.1, 1.2"
    assert r.reason(by_id(r, "2.1")).startswith("waits for 1.2, 1.3")
    assert [p.text for p in r.deps.problems] == ["9.9 is not in this file (named by 2.2)"]
    assert r.deps.problems[0].line == 9


# ------------------------------------------------------------ dependencies section
SECTION = SPECKIT_HEAD + b"""## Phase 1: Setup

- [x] T001 Create
- [ ] T002 Lint

## Phase 2: Core

- [ ] T003 [P] Models
- [ ] T004 [P] Services
- [ ] T005 [P] Endpoints
- [ ] T010 [P] Repo a
- [ ] T011 [P] Repo b
- [ ] T012 [P] Repo c
- [ ] T020 [P] Wire repos

## Phase 3: Docs

- [ ] T030 Write docs

## Dependencies & Execution Order

- Phase 2 depends on Phase 1
- Phase 3 depends on nothing: no dependencies
- T004 blocks T005
- T010-T012 before T020
- T004 must wait for T003

```text
T030 blocks T003
```
"""


def test_a_dependencies_section_in_every_form():
    r = Readiness(Document(SECTION))
    assert [t.id for t in r.ready()] == ["T002", "T030"], "Phase 3 waits for nothing; Phase 2 for Phase 1"
    done = SECTION.replace(b"- [ ] T002", b"- [x] T002")
    r = Readiness(Document(done))
    assert [t.id for t in r.ready()] == ["T003", "T010", "T011", "T012", "T030"]
    assert r.reason(by_id(r, "T005")) == "waits for T004"
    assert r.reason(by_id(r, "T004")) == "waits for T003"
    assert r.reason(by_id(r, "T020")) == "waits for T010, T011, T012"
    assert r.deps.problems == [], "what is in a code block is not read"


SPECKIT_SECTION = SPECKIT_HEAD + b"""## Phase 1: Setup (Shared Infrastructure)

- [x] T001 Create

## Phase 2: Foundational (Blocking Prerequisites)

- [x] T002 Base

## Phase 3: User Story 1 - Invite (Priority: P1)

- [ ] T003 [US1] Invite service
- [ ] T004 [US1] Invite endpoint

## Phase 4: User Story 2 - Accept (Priority: P2)

- [ ] T005 [US2] Accept service

## Phase 5: User Story 3 - Manage (Priority: P3)

- [ ] T006 [US3] Manage service

## Phase 6: Polish & Cross-Cutting Concerns

- [ ] T007 Docs

## Dependencies & Execution Order

### Phase Dependencies

- **Setup (Phase 1)**: No dependencies - can start immediately
- **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories
- **User Stories (Phase 3+)**: All depend on Foundational phase completion
  - User stories can then proceed in parallel (if staffed)
- **Polish (Final Phase)**: Depends on all desired user stories being complete

### User Story Dependencies

- **User Story 1 (P1)**: Can start after Foundational (Phase 2) - No dependencies on other stories
- **User Story 2 (P2)**: Can start after Foundational (Phase 2) - May integrate with US1 but should be independently testable
- **US3 (P3)**: Depends on US1 (needs the service)
"""


def test_spec_kits_phase_and_user_story_dependency_lines():
    r = Readiness(Document(SPECKIT_SECTION))
    assert [t.id for t in r.ready()] == ["T003", "T005"]
    assert r.reason(by_id(r, "T005")) == "ready: Phase 2 done; the first open task in Phase 4"
    assert r.reason(by_id(r, "T006")) == "waits for Phase 3 (2 open)"
    assert r.reason(by_id(r, "T007")).startswith("waits for Phase 3 (2 open), Phase 4 (1 open), Phase 5 (1 open)")
    assert r.deps.problems == []


PHASE_LABELS = b"""# Implementation Tasks: X

## Phase 1: Foundation
**Dependencies**: None

- [ ] **Schema**

## Phase 2: Services
**Dependencies**: [Any prerequisite tasks or external dependencies]

- [ ] **Service**

## Phase 3: API
**Dependencies**: Phase 1 complete

- [ ] **Endpoint**
"""


def test_a_dependencies_line_under_a_phase_heading():
    assert ready_ids(PHASE_LABELS) == ["**Schema**"]
    done = PHASE_LABELS.replace(b"- [ ] **Schema**", b"- [x] **Schema**")
    assert ready_ids(done) == ["**Service**", "**Endpoint**"], "Phase 3 waits for Phase 1 only; the placeholder says nothing"


PARALLEL_WITH = SPECKIT_HEAD + b"""## Phase 1: Core

- [x] T001 a

## Phase 2: User Story 1 - UI (Priority: P1)

- [ ] T002 [US1] b

## Phase 3: User Story 2 - Interrupts (Priority: P1)

- [ ] T003 [US2] c

## Dependencies

- **US2 Interrupts (Phase 3)**: Can run in parallel with US1
- US3 depends on US1
"""


def test_in_parallel_with_and_a_story_that_is_not_there():
    r = Readiness(Document(PARALLEL_WITH))
    assert [t.id for t in r.ready()] == ["T002", "T003"]
    assert [p.text for p in r.deps.problems] == ["user story 3 is not in this file (named in the dependencies)"]


def test_open_blockers_in_the_log_hold_their_task():
    data = PARALLEL + b"""
## Blockers & Decisions Log

**2026-03-01** - Blocker: waiting for the CI account (task T002)
**2026-03-02** - Blocker: T003 needs a licence key - Resolved 2026-03-03: bought
"""
    r = Readiness(Document(data))
    assert [t.id for t in r.ready()] == ["T001", "T003", "T005"]
    assert r.status(by_id(r, "T002")) == WAITING
    assert r.reason(by_id(r, "T002")) == "blocked by an open blocker in the log (L13)"


# ------------------------------------------------------------------------ problems
CYCLES = SPECKIT_HEAD + b"""## Phase 1: One

- [ ] T001 [P] a (depends on T002)
- [ ] T002 [P] b (depends on T001)
- [ ] T003 [P] c (depends on T003)
- [ ] T004 d (after T005)
- [ ] T005 e

## Phase 2: Two

- [ ] T006 [P] f

## Dependencies

- Phase 1 depends on Phase 2
- T006 blocks T099
"""


def test_cycles_and_missing_references_are_reported_never_a_crash():
    r = Readiness(Document(CYCLES))
    texts = sorted(p.text for p in r.deps.problems)
    assert "T099 is not in this file (named in the dependencies)" in texts
    cycles = [p for p in r.deps.problems if p.kind == "cycle"]
    shown = " | ".join(p.text for p in cycles)
    assert "T001 → T002 → T001" in shown or "T002 → T001 → T002" in shown
    assert "T003 waits for itself" in shown
    assert "T004 → T005 → T004" in shown and "tasks without [P] wait for the open tasks before them" in shown
    assert "Phase 2" in shown and "a phase waits for the phases before it unless the file says otherwise" in shown
    assert r.ready() == [] and r.current() is None
    assert r.nothing_ready().startswith("nothing can start now: 6 open tasks wait")
    assert {r.doc.tasks[i].id for p in cycles for i in p.tasks} >= {"T001", "T002", "T003", "T004", "T005", "T006"}


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=60),
                max_size=8),
       st.lists(st.sampled_from(["T001", "T002", "T0", "1.2", "Phase 1", "Phase 9", "US1", "all", "Setup", "-",
                                 "depends on", "blocks", "before", "after", "in parallel with", ":", "**", "no dependencies"]),
                max_size=10))
def test_any_text_in_a_dependencies_section_is_read_without_a_crash(lines, words):
    body = "\n".join(f"- {line}" for line in lines) + "\n- " + " ".join(words) + "\n"
    data = (SPECKIT_HEAD.decode() + "## Phase 1: Setup\n\n- [ ] T001 a\n- [ ] T002 [P] b (after " + " ".join(words)
            + ")\n\n## Dependencies\n\n" + body).encode()
    r = Readiness(Document(data))
    for t in r.doc.tasks:
        assert r.status(t.index) in (READY, WAITING, IN_PROGRESS, None)
        assert r.reason(t.index)
    r.ready()
    r.nothing_ready()


# ------------------------------------------------------- no dependency information
@st.composite
def plain_documents(draw) -> bytes:
    kiro = draw(st.booleans())
    lines = ["# Plan", ""]
    for p in range(1, draw(st.integers(1, 3)) + 1):
        if draw(st.booleans()):
            lines += [f"## Phase {p}: Part {p}" if draw(st.booleans()) else f"## Part {p}", ""]
        for k in range(1, draw(st.integers(0, 4)) + 1):
            mark = draw(st.sampled_from([" ", " ", "x", "-", "~", "/"]))
            star = "*" if draw(st.integers(0, 4)) == 0 else ""
            lines.append(f"- [{mark}]{star} {f'{p}.{k} ' if kiro else ''}Task {p} {k}")
            for j in range(draw(st.integers(0, 2))):
                sub = draw(st.sampled_from([" ", "x", "x", "/"]))
                lines.append(f"  - [{sub}] {f'{p}.{k}.{j + 1} ' if kiro else ''}sub {p} {k} {j}")
        lines.append("")
    return ("\n".join(lines) + "\n").encode()


@given(plain_documents())
def test_without_dependency_information_the_first_open_task_as_today(data):
    doc = Document(data)
    rollup = RollUp(doc)
    r = Readiness(doc, rollup)
    first = rollup.first_open()
    ready = r.ready()
    assert len(ready) <= 1
    if first is not None and first.state != IN_PROGRESS:
        assert ready == [first], (ready, first)
    if not any(t.state == IN_PROGRESS for t in doc.tasks):
        assert r.current() == first


@given(st.sampled_from([PARALLEL, TEXT_FORMS, KIRO, SECTION, SPECKIT_SECTION, CYCLES, PHASE_LABELS]),
       st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["toggle", "in_progress", "cancelled", "queued"])),
                min_size=1, max_size=6))
def test_a_version_patched_in_place_reads_as_a_fresh_one(data, steps):
    """Readiness.following reuses the dependencies and the first open tasks it can;
    whatever it reuses, the answers are those of a fresh build."""
    doc = Document(data)
    r = Readiness(doc)
    for i in range(len(doc.tasks)):  # fill the per-phase caches
        r.status(i)
    for n, what in steps:
        if not doc.tasks:
            break
        task = doc.tasks[n % len(doc.tasks)]
        op = E.Toggle(doc.keys[task.index]) if what == "toggle" else E.SetState(doc.keys[task.index], what)
        try:
            plan = E.plan(doc, op)
        except E.EditError:
            continue
        new = doc.patched(list(plan.patches))
        assert new.source.data == apply(doc.source.data, plan.patches)
        r = Readiness.following(r, new)
        fresh = Readiness(Document(new.source.data))
        assert [(r.status(i), r.reason(i)) for i in range(len(new.tasks))] == \
            [(fresh.status(i), fresh.reason(i)) for i in range(len(new.tasks))]
        assert r.deps.problems == fresh.deps.problems
        doc = new


NOT_READ = SPECKIT_HEAD + b"""## Phase 1: Setup

- [x] T001 Create the project

## Phase 2: Core

- [ ] T004 [P] Model, after the T001 scaffold
- [ ] T005 [P] Service, needs T004
- [ ] T006 [P] API once T005 is in
- [ ] T007 [P] Client (see the Service task)

## Dependencies

```
T004 blocks T007
```
"""


def test_what_is_not_read_holds_nothing_back():
    """The forms the README lists as not read: a reference not right after the words,
    other verbs, a task named by its text, an order written in a code block."""
    r = Readiness(Document(NOT_READ))
    assert [t.id for t in r.ready()] == ["T004", "T005", "T006", "T007"]
    assert r.deps.statements == 0 and r.deps.problems == []
