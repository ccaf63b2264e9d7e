"""The App is a router: small, and reached by messages. Screens and widgets use only
Textual's own App API (``self.app.notify``, ``push_screen`` ...), never a method or
attribute of tasktui's App; intents are messages ending in ``Requested``, facts are
in the past tense. The edit thread (tasktui.core.editthread) keeps the order edits
were asked in, without Textual. The header shows what its reactives hold."""

from __future__ import annotations

import ast
import asyncio
import re
import threading
from pathlib import Path

import pytest
from textual.app import App

from support import REPO, copy_sample, running, screen_text, wait_for
from tasktui.core.editthread import EditThread
from tasktui.storage import store

UI = REPO / "tasktui" / "ui"
APP_LINES = 350
VIEWS = sorted([*(UI / "screens").glob("*.py"), *(UI / "widgets").glob("*.py")])
TEXTUAL_APP_API = set(dir(App())) - {"__dict__"}
"""What Textual's own App has: its methods, properties and the attributes every App sets
(``console`` ...); tasktui's App adds to it only what screens must not call."""


def test_the_app_stays_a_router():
    lines = (UI / "app.py").read_text(encoding="utf-8").count("\n")
    assert lines <= APP_LINES, f"tasktui/ui/app.py has {lines} lines: what is not routing belongs elsewhere"


def app_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) for each ``self.app.<name>`` and ``getattr(self.app, "<name>")`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _is_self_app(node.value):
            found.append((node.lineno, node.attr))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
              and node.args and _is_self_app(node.args[0])):
            name = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else "?"
            found.append((node.lineno, str(name)))
    return found


def _is_self_app(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "app" and isinstance(node.value, ast.Name)
            and node.value.id == "self")


@pytest.mark.parametrize("path", VIEWS, ids=[p.relative_to(UI).as_posix() for p in VIEWS])
def test_screens_and_widgets_use_only_textuals_app_api(path: Path):
    foreign = [(line, name) for line, name in app_uses(path.read_text(encoding="utf-8")) if name not in TEXTUAL_APP_API]
    assert not foreign, f"{path.name} reaches tasktui's App by its own names (post a message instead): {foreign}"


def test_the_app_api_rule_can_fail():
    source = ("class S:\n    def on_mount(self):\n        self.app.notify('x')\n        self.app.begin()\n"
              "        getattr(self.app, 'workspace', None)\n        self.app.session.doc\n")
    uses = sorted(app_uses(source))
    assert uses == [(3, "notify"), (4, "begin"), (5, "workspace"), (6, "session")]
    assert [name for _, name in uses if name not in TEXTUAL_APP_API] == ["begin", "workspace", "session"]


INTENT = re.compile(r"[A-Z][a-z]*Requested$")
FACT_WORDS = re.compile(r"(?:[A-Z][a-z]*ed|Read|Chosen)(?=[A-Z]|$)")  # past tense: Loaded, FilesChanged, SummariesRead


def message_names(path: Path) -> list[str]:
    """The Message classes defined in a module (at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id == "Message" for b in node.bases)]


@pytest.mark.parametrize("path", [UI / "app.py", *VIEWS], ids=["app.py", *(p.relative_to(UI).as_posix() for p in VIEWS)])
def test_messages_are_intents_or_facts(path: Path):
    for name in message_names(path):
        assert INTENT.search(name) or FACT_WORDS.search(name), \
            f"{path.name}: {name} is neither an intent (…Requested) nor a fact (past tense)"


def test_the_message_rule_can_fail():
    assert not (INTENT.search("LoadFile") or FACT_WORDS.search("LoadFile"))
    assert FACT_WORDS.search("Loaded") and FACT_WORDS.search("FileChangedOnDisk") and INTENT.search("UndoRequested")


# ------------------------------------------------------------------ the edit thread, without Textual
def test_the_edit_thread_runs_in_order_and_hands_each_outcome_over():
    thread = EditThread()
    order: list[str] = []
    gate = threading.Event()
    outcomes: list[tuple[object, object]] = []

    def first() -> str:
        gate.wait(5)
        order.append("first")
        return "one"

    def second() -> str:
        order.append("second")
        raise store.StoreError("The disk is full; nothing was written.")

    async def main() -> None:
        a, b = thread.submit(first), thread.submit(second)
        assert thread.pending() == 2 and thread.unfinished() == 2
        gate.set()
        await thread.finish(a, lambda result, error: outcomes.append((result, error)))
        await thread.finish(b, lambda result, error: outcomes.append((result, str(error))))
        assert thread.pending() == 0
        assert await thread.run(lambda: "after") == "after"

    try:
        asyncio.run(main())
    finally:
        thread.shutdown()
    assert order == ["first", "second"]
    assert outcomes == [("one", None), (None, "The disk is full; nothing was written.")]


def test_draining_waits_for_what_was_queued():
    thread = EditThread()
    gate = threading.Event()
    done: list[str] = []
    queued = thread.submit(lambda: (gate.wait(5), done.append("written")))

    async def main() -> None:
        drained = asyncio.ensure_future(thread.drain())
        await asyncio.sleep(0)
        assert not drained.done()
        gate.set()
        await asyncio.wait_for(drained, 5)

    try:
        asyncio.run(main())
    finally:
        thread.shutdown()
    assert done == ["written"] and queued.done()


# ------------------------------------------------------------------ the header's reactives
async def test_the_header_shows_what_its_reactives_hold(tmp_path):
    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, size=(100, 24)) as (app, pilot, notes):
        header = app.main.header
        assert header.doc is app.main.tree.doc and header.file_name == "template-project.md"
        header.notice = "[b]not markup[/b]"
        header.marked = 3
        header.find = ("US1", True)
        text = header.content.plain
        assert "[b]not markup[/b]" in text and "3 marked" in text and "filter: US1 · done hidden" in text
        header.notice = None
        header.marked = 0
        await wait_for(pilot, lambda: "not markup" not in header.content.plain and "marked" not in header.content.plain,
                       what="the header to follow")
    assert path.read_bytes() == original


async def test_i_chooses_the_detail_pane_whatever_the_width(tmp_path):
    """``i`` is the user's choice (the main screen's ``details_chosen``): the pane shows at
    once at 80 columns, and stays hidden at 120 once hidden there."""
    from tasktui.doc.plaintext import shown_text
    from tasktui.ui.widgets.detail_pane import DetailPane

    path = copy_sample(tmp_path, "template-project.md")
    original = path.read_bytes()
    async with running(path, size=(80, 24)) as (app, pilot, notes):
        pane = app.main.query_one(DetailPane)
        assert not pane.display and app.main.details_chosen is None  # the width decides: too narrow
        await pilot.press("i")
        assert pane.display and app.main.details_chosen is True
        shown = f"• [ ] {shown_text(app.main.tree.cursor_task.text)[:15]}"
        await wait_for(pilot, lambda: shown in screen_text(app), what="the task's details")
        await pilot.press("i")
        assert not pane.display and app.main.details_chosen is False
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert not pane.display, "the user's choice outlasts a wider terminal"
    assert path.read_bytes() == original


# ------------------------------------------------------------------ the palette's entries
async def test_the_palette_names_keys_as_the_footer_does(tmp_path):
    """An entry's help names its key as the footer shows it (``!``, ``space``), never by
    Textual's internal name (``exclamation_mark``)."""
    from tasktui.ui.commands import entries

    path = copy_sample(tmp_path, "speckit-feature.md")
    async with running(path, size=(100, 24)) as (app, pilot, notes):
        helps = {c.title: c.help for c in entries(app.main)}
        assert helps["Mark blocked"] == "key: !", helps
        assert helps["Help"] == "key: ? / f1", helps
        keys = [h for h in helps.values() if h.startswith("key: ")]
        assert not any("_" in k for k in keys), keys
