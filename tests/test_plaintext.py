"""A task's text without its markdown (tasktui.doc.plaintext): markdown-it's
reading of emphasis, code, links, images, escapes and entities, and nothing else;
where the command line and the app show it; how a new log entry names a task,
and that old and new entries both still link to it."""

from __future__ import annotations

import json

import pytest

from support import HOSTILE_PIECES, run
from tasktui.doc import Document
from tasktui.doc.links import entries_for
from tasktui.doc.plaintext import shown_text


@pytest.mark.parametrize("text, shown", [
    ("**Add domain events** for:", "Add domain events for:"),
    ("Use `uv` and [the docs](https://docs.example.com)", "Use uv and the docs"),
    ("T001 [P] [US1] Create **the** repo", "T001 [P] [US1] Create the repo"),
    ("![diagram](d.png) redraw", "diagram redraw"),
    ("~~old~~ new", "old new"),
    ("<https://example.com> docs", "https://example.com docs"),
    (r"a \* b \[x\]", "a * b [x]"),
    ("&amp; &lt;b&gt; &#65;", "& <b> A"),
    ("snake_case_name and 2 * 3", "snake_case_name and 2 * 3"),
    ("2*3*4", "234"),  # as markdown reads it: *3* is emphasis
    ("[/b] [@click=app.quit]x[/] [Model1]", "[/b] [@click=app.quit]x[/] [Model1]"),
    ("plain words", "plain words"),
])
def test_the_text_as_a_markdown_view_reads_it(text, shown):
    assert shown_text(text) == shown


@pytest.mark.parametrize("piece", HOSTILE_PIECES)
def test_control_and_undecodable_characters_are_kept_for_safetext(piece):
    # what tasktui.doc.safetext turns into pictures is left where it is
    for ch in piece:
        if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000:
            assert ch in shown_text(f"**a** {piece}")


TEMPLATE_LIKE = b"""# Sprint

## Phase 1

- [ ] **Add domain events** for:
  - **Estimated Time**: 3 hours
- [ ] T002 Wire `auth` middleware

## Blockers & Decisions Log

**2026-01-05** - Blocker: raw link, as tasktui wrote it before (task **Add domain events** for:)
"""


def test_a_new_entry_names_a_task_by_its_plain_text_and_both_forms_link(tmp_path, capsys):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEMPLATE_LIKE)
    code, out, err = run(capsys, "log", path, "Waiting for the schema", "--task", "domain events", "--date", "2026-01-06")
    assert code == 0, err
    assert out == "logged Blocker: Waiting for the schema\n"
    assert path.read_bytes() == TEMPLATE_LIKE + (
        b"**2026-01-06** - Blocker: Waiting for the schema (task Add domain events for:)\n")
    code, out, err = run(capsys, "log", path, "Pick a broker", "--task", "T002", "--date", "2026-01-06")
    assert path.read_bytes().endswith(b"(task T002)\n")  # an id when it has one
    doc = Document(path.read_bytes())
    linked = entries_for(doc, doc.tasks[0])
    assert [e.text for e in linked] == ["raw link, as tasktui wrote it before", "Waiting for the schema"]


def test_the_command_lines_text_output_shows_plain_text_and_json_keeps_both(tmp_path, capsys):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEMPLATE_LIKE)
    code, out, err = run(capsys, "list", path)
    assert "L5     [ ]  Add domain events for:" in out and "**" not in out and "`" not in out
    # the first task is held by the log's open blocker, which names it as written; the reason names it plainly
    assert run(capsys, "next", path)[2] == (f"tasktui: {path}: nothing can start now: 2 open tasks wait (L5 “Add "
                                            "domain events for:” blocked by an open blocker in the log (L11))\n")
    listed = json.loads(run(capsys, "list", path, "--json")[1])
    assert [(t["text"], t["plain"]) for t in listed] == [("**Add domain events** for:", "Add domain events for:"),
                                                         ("T002 Wire `auth` middleware", "T002 Wire auth middleware")]
    code, out, err = run(capsys, "time", path, "L5", "1h")
    assert out == "L5 Add domain events for:: Actual Time 1 hour\n"
