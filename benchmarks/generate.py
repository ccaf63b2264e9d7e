#!/usr/bin/env python3
"""Generate large, realistic tasks.md files for benchmarking tasktui.

Usage::

    python benchmarks/generate.py --shape template --tasks 10000 -o big.md
    python benchmarks/generate.py --shape speckit --tasks 1000 > tasks.md
    python benchmarks/generate.py --shape kiro --tasks 500

Shapes:

* ``template`` - the "Implementation Tasks" template (see sample_tasks/template-project.md):
  ``## Phase N`` sections of ~50 tasks grouped in ``###`` subsections, each task with
  three detail bullets and an ``**Estimated Time**`` bullet (done tasks also carry
  ``**Actual Time**``), fenced bash blocks, and a Progress Tracking section.
  Roughly 230 bytes per task.
* ``speckit`` - GitHub spec-kit ``tasks.md``: phases of ~40 ``- [ ] T0001 [P] [US3] ...``
  tasks (4-digit ids once N >= 1000).
* ``kiro`` - Kiro ``tasks.md``: numbered top-level tasks with 3-5 numbered subtasks,
  ``_Requirements: ..._`` bullets, optional ``- [ ]*`` tasks, no headings but the title.

The output is deterministic for a given (shape, tasks, seed) and contains exactly
``tasks`` lines matching :data:`TASK_LINE_RE`.

Stdlib only.  To use from Python without installing anything::

    import runpy
    generate = runpy.run_path("benchmarks/generate.py")["generate"]
    text = generate("template", 10_000)
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys

__all__ = ["SHAPES", "TASK_LINE_RE", "count_tasks", "generate"]

SHAPES = ("template", "speckit", "kiro")

#: A line that counts as a checkbox task for the "exactly N tasks" guarantee.
TASK_LINE_RE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+\[[ xX-]\]", re.MULTILINE)

# Mojibake status markers exactly as they appear in the users' template
# (UTF-8 emoji mis-decoded as cp1252 and re-encoded as UTF-8).
NOT_STARTED = "\u00e2\u00ac\u0153 Not Started"  # "â¬œ Not Started"
IN_PROGRESS = "\u00f0\u0178\u0178\u00a1 In Progress"  # "ðŸŸ¡ In Progress"
COMPLETE = "\u00e2\u0153\u2026 Complete"  # "âœ… Complete"
GE = "\u00e2\u2030\u00a5"  # "â‰¥"
ARROW = "\u00e2\u2020\u2019"  # "â†’"

ENTITIES = [
    "User", "Order", "Invoice", "Payment", "Shipment", "Product", "Cart", "Coupon",
    "Review", "Notification", "Session", "Report", "Webhook", "Subscription",
    "AuditLog", "Tenant", "Team", "Project", "Comment", "Attachment", "Warehouse",
    "Supplier", "Refund", "Address", "Invitation", "ApiKey", "Export", "Schedule",
]

AREAS = [
    "Foundation & Database Layer", "Business Logic & Service Layer", "API Layer & Endpoints",
    "Comprehensive Testing & Quality Assurance", "Documentation & Deployment",
    "Billing Integration", "Search & Indexing", "Reporting & Analytics",
    "Access Control", "Background Jobs", "Admin Console", "Data Migration",
]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _hours(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"


# ---------------------------------------------------------------------------
# template shape
# ---------------------------------------------------------------------------

# (estimate text, hours counted in totals -- ranges count at their upper bound)
_ESTIMATES = [
    ("1 hour", 1.0), ("2 hours", 2.0), ("2 hours", 2.0), ("3 hours", 3.0), ("3 hours", 3.0),
    ("4 hours", 4.0), ("6 hours", 6.0), ("90 minutes", 1.5), ("45 minutes", 0.75),
    ("2-3 hours", 3.0), ("1.5 hours", 1.5),
]

# (title, suffix, detail bullet pool) -- {E} entity, {e} snake_case entity
_TEMPLATE_TASKS = [
    ("Design {E} schema", " with core fields", [
        "Add unique constraint on ({e}_id, tenant_id)",
        "Index created_at for the list queries",
        "Include soft delete and audit fields",
        "Foreign key to tenants.id ON DELETE CASCADE",
    ]),
    ("Create {e} migration", "", [
        "Forward migration with schema creation",
        "Rollback migration for safe reversion",
        "Seed data for the {e} test fixtures",
        "Backfill existing rows in batches of 1000",
    ]),
    ("Implement {E}Repository", " with methods:", [
        "`create(data)` - insert with validation",
        "`find_by_id(id)` - raise NotFound when missing",
        "`update(id, data)` - partial updates only",
        "`soft_delete(id)` - mark as deleted, keep the row",
    ]),
    ("Implement {E}Service", " handling:", [
        "Validation of {e} state transitions",
        "Publish `{E}Changed` after commit",
        "Retry external calls with backoff",
        "Detailed logging with correlation ids",
    ]),
    ("Implement `GET /api/v1/{e}s/:id`", " endpoint", [
        "Authorization check (owner or admin)",
        "404 for soft-deleted {e}s",
        "ETag header from updated_at",
        "Include related data as in feature.md",
    ]),
    ("Implement `POST /api/v1/{e}s`", " endpoint", [
        "Request validation with the {E}Create schema",
        "Rate limit: 30 requests per minute per user",
        "Return 201 with a Location header",
        "Idempotency key support for retries",
    ]),
    ("Create {e} unit tests", " (Target: 90% coverage)", [
        "Happy path with valid {e} data",
        "Edge cases: empty strings, null values",
        "Mock the repository for isolated tests",
        "Error paths raise the custom exceptions",
    ]),
    ("Add {e} integration tests", "", [
        "Run against the real test database",
        "Test transaction rollback scenarios",
        "Test concurrent updates to one {e}",
        "Verify outbox rows are written",
    ]),
    ("Load test {e} endpoints", " with target metrics:", [
        "200 concurrent users for 10 minutes",
        "p95 response time under 150 ms",
        "Connection pool does not saturate",
        "Record results in docs/perf/{e}.md",
    ]),
    ("Update {E} API documentation", "", [
        "OpenAPI examples for every {e} endpoint",
        "Error codes with troubleshooting notes",
        "Changelog entry for the {e} resource",
        "Link the runbook from the README",
    ]),
    ("Add {e} monitoring and alerting", "", [
        "Error rate alert above 1% for 5 minutes",
        "Dashboard panel for {e} throughput",
        "Slow query log for {e} tables",
        "Page the on-call only during business hours",
    ]),
]

_SUBSECTIONS = [
    "Database Schema & Models", "Repository Layer Implementation", "Core Service Implementation",
    "Domain Logic & Business Rules", "REST API Implementation", "Middleware & Cross-cutting Concerns",
    "Service Layer Testing", "API Testing", "Performance Testing", "Documentation",
    "Deployment Preparation", "Monitoring",
]

_BLOCKERS = [
    ("Blocker", "Staging database still on the previous major version, migrations fail",
     "platform team upgraded staging"),
    ("Decision", "Keep soft deletes for all customer-facing tables; hard delete only audit rows after 2 years", None),
    ("Blocker", "Payment sandbox credentials expired", "new credentials issued by finance"),
    ("Decision", "Use cursor pagination instead of offsets for every list endpoint", None),
    ("Blocker", "Load test environment shared with another team, results noisy", None),
    ("Decision", "Feature flags default to off in production until sign-off", None),
]


def _gen_template(n: int, rng: random.Random, done: float = 0.35) -> str:
    out: list[str] = []
    w = out.append
    w("# Implementation Tasks: Multi-Tenant Commerce Platform\n\n")
    w("**Project**: COMM-2024 - Multi-Tenant Commerce Platform\n")
    w("**Estimated Duration**: 9 months (approved in the Q1 planning review)\n")
    w("**Engineer Assigned**: Platform team (8 engineers)  \n")
    w("**Context7 Validated**: 2026-01-02 - FastAPI 0.115.6, SQLAlchemy 2.0.36, PostgreSQL 16.4, Redis 7.4\n")
    w("**Status**: In Progress\n\n---\n\n")
    w("## Required Technology Versions\n\n")
    w("**CRITICAL**: Use ONLY these exact versions as specified in feature.md Technology Stack table.\n\n")
    w("### Installation Requirements\n```bash\n")
    w("# Copied from feature.md Technology Stack section\n")
    w("uv add fastapi==0.115.6 \"sqlalchemy[asyncio]==2.0.36\" alembic==1.14.0\n")
    w("uv add redis==5.2.1 pydantic==2.10.4 asyncpg==0.30.0\n")
    w("# Dev tooling\n")
    w("uv add --dev pytest==8.3.4 pytest-asyncio==0.25.0 locust==2.32.5\n```\n\n")
    w("**Version Verification**: Before starting implementation, verify current versions:\n")
    w("```bash\n# every line must match feature.md\nuv pip list | grep -Ei 'fastapi|sqlalchemy|alembic'\n```\n\n---\n\n")
    w("## Overview & Success Criteria\n\n### Key Success Metrics\n")
    w("- **Performance**: p95 under 150 ms for reads at 200 rps\n")
    w(f"- **Quality**: unit test coverage {GE} 85%, every PR reviewed  \n\n---\n\n")

    n_phases = max(1, math.ceil(n / 50))
    base, extra = divmod(n, n_phases)
    sizes = [base + (1 if i < extra else 0) for i in range(n_phases)]
    done_limit = int(n * done)

    idx = 0
    est_total = act_total = done_est = 0.0
    phase_status: list[str] = []
    for p, size in enumerate(sizes, 1):
        area = AREAS[(p - 1) % len(AREAS)]
        w(f"## Phase {p}: {area}\n")
        w(f"**Estimated Duration**: {rng.randint(3, 10)} days\n")
        w("**Dependencies**: " + ("None\n\n" if p == 1 else f"Phase {p - 1} complete\n\n"))
        done_in_phase = 0
        remaining = size
        sub_i = rng.randrange(len(_SUBSECTIONS))
        while remaining:
            k = min(remaining, rng.randint(4, 8))
            if 0 < remaining - k < 3:
                k = remaining
            w(f"### {_SUBSECTIONS[sub_i % len(_SUBSECTIONS)]}\n")
            sub_i += 1
            for _ in range(k):
                ent = rng.choice(ENTITIES)
                title, suffix, pool = rng.choice(_TEMPLATE_TASKS)
                fmt = {"E": ent, "e": _snake(ent)}
                # Work lands roughly in order: everything before the frontier is
                # done, plus a few tasks picked up early in the phase after it.
                done = idx < done_limit or (0 < done_limit and idx < done_limit + 50 and rng.random() < 0.1)
                est_text, est_h = rng.choice(_ESTIMATES)
                w(f"- [{'x' if done else ' '}] **{title.format(**fmt)}**{suffix}\n")
                for detail in rng.sample(pool, 3):
                    w(f"  - {detail.format(**fmt)}\n")
                w(f"  - **Estimated Time**: {est_text}\n")
                est_total += est_h
                if done:
                    act_h = max(0.5, round(est_h * rng.choice((0.75, 1.0, 1.0, 1.25, 1.5)) * 2) / 2)
                    w(f"  - **Actual Time**: {_hours(act_h)}\n")
                    act_total += act_h
                    done_est += est_h
                    done_in_phase += 1
                w("\n")
                idx += 1
            remaining -= k
        if p % 4 == 0:
            w("**Deployment check**:\n```bash\n# run from the repo root\n")
            w(f"make migrate ENV=staging\n# expect: phase {p} migrations applied\n```\n\n")
        w("---\n\n")
        if done_in_phase == size:
            phase_status.append(COMPLETE)
        elif done_in_phase:
            phase_status.append(IN_PROGRESS)
        else:
            phase_status.append(NOT_STARTED)

    w("## Risk Mitigation & Contingency Plans\n\n### High-Risk Tasks\n")
    w("1. **Database Migration in Production**\n")
    w("   - **Risk**: Data corruption or extended downtime\n")
    w("   - **Mitigation**: Rehearse every migration on a copy of production data\n\n")
    w("---\n\n## Progress Tracking\n\n### Completion Status\n")
    for p, status in enumerate(phase_status, 1):
        w(f"**Phase {p}**: {status}  \n")
    variance = act_total - done_est
    pct = round(100 * variance / done_est) if done_est else 0
    w("\n### Time Tracking\n")
    w(f"- **Estimated Total**: {_hours(est_total)}\n")
    w(f"- **Actual Time**: {_hours(act_total)}  \n")
    w(f"- **Variance**: {_hours(abs(variance))} ({'+' if variance >= 0 else '-'}{abs(pct)}%)\n\n")
    w("### Blockers & Decisions Log\n")
    for day, (kind, text, resolution) in enumerate(_BLOCKERS, 5):
        line = f"**2026-01-{day:02d}** - {kind}: {text}"
        if resolution:
            line += f" \u2014 Resolved 2026-01-{day + 2:02d}: {resolution}"
        w(line + "\n")
    w("\n---\n\n## Notes & Learnings\n")
    w(f"- Migration rehearsal {ARROW} staging {ARROW} production worked well; keep it.\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# speckit shape
# ---------------------------------------------------------------------------

_SPECKIT_TESTS = [
    "Contract test for POST /api/v1/{e}s in tests/contract/test_{e}_create.py",
    "Contract test for GET /api/v1/{e}s/{{id}} in tests/contract/test_{e}_get.py",
    "Integration test for {e} lifecycle in tests/integration/test_{e}_flow.py",
    "Unit tests for {E}Service validation in tests/unit/test_{e}_service.py",
]
_SPECKIT_IMPL = [
    "Create {E} model in src/models/{e}.py",
    "Implement {E}Repository in src/repositories/{e}_repository.py",
    "Implement {E}Service in src/services/{e}_service.py",
    "Implement {e} endpoints in src/api/{e}s.py",
    "Add validation and error handling for {e} payloads in src/api/{e}s.py",
    "Add structured logging for {e} operations in src/services/{e}_service.py",
    "Create {e} list view in frontend/src/pages/{E}List.tsx",
    "Add {E} type definitions in frontend/src/types/{e}.ts",
]
_SPECKIT_SETUP = [
    "Create project structure per implementation plan in src/{e}/",
    "Configure linting and formatting for src/{e}/ in pyproject.toml",
    "Add database migration framework entry for {e} in migrations/env.py",
    "Set up environment configuration for {e} in src/config.py",
    "Register {e} router in src/api/__init__.py",
]
_STORY_TITLES = [
    "Manage {e}s", "Search {e}s", "Export {e}s to CSV", "Bulk edit {e}s", "Archive {e}s",
    "Share {e}s with a team", "Audit {e} changes", "Import {e}s",
]


def _gen_speckit(n: int, rng: random.Random, done: float = 0.35) -> str:
    width = max(3, len(str(n)))
    out: list[str] = []
    w = out.append
    w("# Tasks: Commerce Platform Rewrite\n\n")
    w("**Input**: Design documents from `/specs/012-commerce-rewrite/`\n")
    w("**Prerequisites**: plan.md (required), spec.md (required for user stories), research.md, data-model.md, contracts/\n\n")
    w("**Tests**: Contract and integration tests requested in the specification.\n\n")
    w("**Organization**: Tasks are grouped by user story to enable independent implementation and testing of each story.\n\n")
    w("## Format: `[ID] [P?] [Story] Description`\n\n")
    w("- **[P]**: Can run in parallel (different files, no dependencies)\n")
    w("- **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)\n")
    w("- Include exact file paths in descriptions\n\n---\n\n")

    n_phases = max(1, math.ceil(n / 40))
    base, extra = divmod(n, n_phases)
    sizes = [base + (1 if i < extra else 0) for i in range(n_phases)]
    done_limit = int(n * done)
    tid = 0
    story = 0
    for p, size in enumerate(sizes, 1):
        if p == 1:
            kind = "setup"
            w("## Phase 1: Setup (Shared Infrastructure)\n\n**Purpose**: Project initialization and basic structure\n\n")
        elif p == 2:
            kind = "foundational"
            w("## Phase 2: Foundational (Blocking Prerequisites)\n\n")
            w("**Purpose**: Core infrastructure that MUST be complete before ANY user story can be implemented\n\n")
            w("**\u26a0\ufe0f CRITICAL**: No user story work can begin until this phase is complete\n\n")
        elif p == n_phases and n_phases >= 4:
            kind = "polish"
            w(f"## Phase {p}: Polish & Cross-Cutting Concerns\n\n**Purpose**: Improvements that affect multiple user stories\n\n")
        else:
            kind = "story"
            story += 1
            ent = rng.choice(ENTITIES)
            title = rng.choice(_STORY_TITLES).format(e=_snake(ent).replace("_", " "))
            prio = min(3, 1 + (story - 1) // 3)
            mvp = " \U0001f3af MVP" if story == 1 else ""
            w(f"## Phase {p}: User Story {story} - {title[0].upper() + title[1:]} (Priority: P{prio}){mvp}\n\n")
            w(f"**Goal**: Users can {title.lower()} from the dashboard and the API\n\n")
            w(f"**Independent Test**: Exercise the {_snake(ent)} endpoints end to end with a fresh tenant\n\n")

        def task(desc: str, tag: str, parallel: bool) -> None:
            nonlocal tid
            tid += 1
            done = tid <= done_limit
            p_mark = " [P]" if parallel else ""
            w(f"- [{'X' if done else ' '}] T{tid:0{width}d}{p_mark}{tag} {desc}\n")

        if kind == "story":
            n_tests = min(size, rng.randint(2, 4))
            w(f"### Tests for User Story {story} \u26a0\ufe0f\n\n")
            w("> **NOTE: Write these tests FIRST, ensure they FAIL before implementation**\n\n")
            for _ in range(n_tests):
                e = rng.choice(ENTITIES)
                task(rng.choice(_SPECKIT_TESTS).format(E=e, e=_snake(e)), f" [US{story}]", True)
            if size > n_tests:
                w(f"\n### Implementation for User Story {story}\n\n")
            for _ in range(size - n_tests):
                e = rng.choice(ENTITIES)
                task(rng.choice(_SPECKIT_IMPL).format(E=e, e=_snake(e)), f" [US{story}]", rng.random() < 0.4)
            w(f"\n**Checkpoint**: At this point, User Story {story} should be fully functional and testable independently\n\n---\n\n")
        else:
            pool = _SPECKIT_SETUP if kind == "setup" else _SPECKIT_IMPL
            for _ in range(size):
                e = rng.choice(ENTITIES)
                task(rng.choice(pool).format(E=e, e=_snake(e)), "", rng.random() < 0.4)
            if kind == "foundational":
                w("\n**Checkpoint**: Foundation ready - user story implementation can now begin in parallel\n\n---\n\n")
            else:
                w("\n---\n\n")

    w("## Dependencies & Execution Order\n\n### Phase Dependencies\n\n")
    w("- **Setup (Phase 1)**: No dependencies - can start immediately\n")
    w("- **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories\n")
    w("- **User Stories**: All depend on Foundational phase completion, then proceed in priority order\n")
    w("- **Polish**: Depends on all desired user stories being complete\n\n")
    w("### Parallel Opportunities\n\n- All tasks marked [P] within a phase can run in parallel\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# kiro shape
# ---------------------------------------------------------------------------

_KIRO_TOP = [
    "Set up {e} module structure and interfaces", "Implement {e} data models and validation",
    "Implement {e} storage layer", "Implement {e} service logic", "Build {e} API endpoints",
    "Build {e} UI components", "Implement {e} background jobs", "Integrate {e} with notifications",
]
_KIRO_SUB = [
    ("Create {E} interface and types", ["Define `{E}` and `{E}Input` types in `src/types/{e}.ts`",
                                        "Export shared validation schema"]),
    ("Implement {E} repository", ["Write CRUD methods with soft delete",
                                  "Add cursor pagination for list queries"]),
    ("Implement {E} service", ["Validate state transitions before saving",
                               "Emit `{e}.changed` events after commit"]),
    ("Create {E} REST handlers", ["Wire handlers into the router",
                                  "Return 404 for missing or deleted records"]),
    ("Build {E} form component", ["Inline validation messages",
                                  "Disable submit while saving"]),
    ("Add {E} caching", ["Cache reads for 60 seconds",
                         "Invalidate on every write"]),
]


def _gen_kiro(n: int, rng: random.Random, done: float = 0.35) -> str:
    out: list[str] = ["# Implementation Plan\n\n"]
    w = out.append
    done_limit = int(n * done)
    count = 0
    top = 0
    in_progress_used = False
    while count < n:
        remaining = n - count
        top += 1
        ent = rng.choice(ENTITIES)
        fmt = {"E": ent, "e": _snake(ent)}
        if remaining <= 6:
            k = remaining - 1
        elif top % 9 == 0:
            k = 0
        else:
            k = rng.randint(3, 5)
        first = count + 1
        last = count + 1 + k
        if last <= done_limit:
            mark = "x"
        elif first <= done_limit and not in_progress_used:
            mark = "-"
            in_progress_used = True
        else:
            mark = " "
        if k == 0:
            title = "Final checkpoint" if remaining == 1 else "Checkpoint"
            w(f"- [{mark}] {top}. {title} - Ensure all tests pass, ask the user if questions arise.\n\n")
            count += 1
            continue
        w(f"- [{mark}] {top}. {rng.choice(_KIRO_TOP).format(**fmt)}\n")
        count += 1
        subs = rng.sample(_KIRO_SUB, k)
        for s in range(1, k + 1):
            count += 1
            optional = s == k and k >= 3 and rng.random() < 0.6
            sub_done = count <= done_limit
            box = "x" if sub_done else " "
            if optional:  # optional tasks are normally skipped, so they stay unticked
                w(f"  - [ ]* {top}.{s} Write unit tests for {ent} {rng.choice(('service', 'repository', 'handlers'))}\n")
                w(f"    - Test happy path and validation errors for {ent}\n")
                w("    - Test concurrent updates keep the latest version\n")
            else:
                title, details = subs[s - 1]
                w(f"  - [{box}] {top}.{s} {title.format(**fmt)}\n")
                for d in details:
                    w(f"    - {d.format(**fmt)}\n")
            reqs = sorted({f"{rng.randint(1, 12)}.{rng.randint(1, 6)}" for _ in range(rng.randint(1, 3))},
                          key=lambda r: tuple(map(int, r.split("."))))
            w(f"    - _Requirements: {', '.join(reqs)}_\n\n")
    return "".join(out)


# ---------------------------------------------------------------------------

_GENERATORS = {"template": _gen_template, "speckit": _gen_speckit, "kiro": _gen_kiro}


def count_tasks(text: str) -> int:
    """Number of lines matching :data:`TASK_LINE_RE`."""
    return len(TASK_LINE_RE.findall(text))


def generate(shape: str, tasks: int, seed: int = 0, done: float = 0.35) -> str:
    """Return a tasks.md document of the given shape with exactly ``tasks`` checkbox
    tasks, the first ``done`` of them (a fraction) done: 0 for a plan not yet begun."""
    if shape not in _GENERATORS:
        raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
    if tasks < 1:
        raise ValueError("tasks must be >= 1")
    text = _GENERATORS[shape](tasks, random.Random(f"{shape}:{seed}"), done)
    found = count_tasks(text)
    if found != tasks:  # pragma: no cover - generator bug
        raise RuntimeError(f"generated {found} task lines, expected {tasks}")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=SHAPES, required=True)
    parser.add_argument("--tasks", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--done", type=float, default=0.35, help="the fraction of tasks done (default 0.35)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    args = parser.parse_args(argv)
    if args.tasks < 1:
        parser.error("--tasks must be >= 1")
    text = generate(args.shape, args.tasks, args.seed, args.done)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        with open(args.output, encoding="utf-8", newline="") as fh:
            found = count_tasks(fh.read())
        if found != args.tasks:
            print(f"error: {args.output} has {found} task lines, expected {args.tasks}", file=sys.stderr)
            return 1
    else:
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[union-attr]
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
