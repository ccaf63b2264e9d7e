"""Helpers for the tests: where the sample, template and corpus files are, the
GFM oracle, and comparisons of parses and Documents.

``oracle_tasks`` is the same rule as ../shared/tools/check_contract.py (kept
here so the suite runs without ../shared; test_model checks that the two agree
when the tool is there): a CommonMark parser plus the GFM task-list rule, a
list item whose paragraph starts with ``[ ] ``, ``[x] `` or ``[X] ``.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import weakref
from contextlib import asynccontextmanager
from pathlib import Path

from markdown_it import MarkdownIt

from tasktui.doc import Document
from tasktui.doc.parse import parse_block, parse_chunks

_MD = MarkdownIt("commonmark", {"maxNesting": 1000})  # as check_contract.py: GitHub shows deep lists

REPO = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO / "sample_tasks"
TEMPLATE = REPO.parent / "shared" / "seed" / "tasks-template.md"
CONTRACT_TOOL = REPO.parent / "shared" / "tools" / "check_contract.py"
NO_CORPUS = "TASKTUI_CORPUS is not set: the real-file corpus tests need ../shared/corpus"


def corpus_names() -> list[str]:
    """File names in the corpus, for parametrising at collection time.

    Without a corpus this is one placeholder, so that the test is collected
    once and skips through the ``corpus_dir`` fixture, with the reason.
    """
    folder = os.environ.get("TASKTUI_CORPUS")
    if not folder or not Path(folder).is_dir():
        return ["(no corpus)"]
    return sorted(p.name for p in Path(folder).glob("*.md"))


QUICK_CORPUS_BYTES = 50_000
"""A corpus file up to this size is in the quick run of a test made for every corpus file;
the larger ones (5 of 39, more than half the corpus's bytes) wait for the full command."""


def corpus_params() -> list:
    """``corpus_names()`` for ``parametrize``: a file larger than QUICK_CORPUS_BYTES is
    marked ``slow`` (each file is still checked, by the full command)."""
    import pytest

    folder = os.environ.get("TASKTUI_CORPUS")
    out = []
    for name in corpus_names():
        path = Path(folder) / name if folder else None
        big = path is not None and path.is_file() and path.stat().st_size > QUICK_CORPUS_BYTES
        out.append(pytest.param(name, marks=pytest.mark.slow) if big else name)
    return out


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.md"))


def oracle_tasks(data: bytes, skip_lines: int = 0) -> dict[int, bool]:
    """{1-based line of the checkbox: done} for every GFM task list item.

    ``skip_lines`` blanks that many lines at the top first: front matter, which
    the model skips and plain CommonMark does not know.
    """
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    if skip_lines:
        lines = re.split(r"\r\n|\r|\n", text)
        text = "\n" * skip_lines + "\n".join(lines[skip_lines:])
    toks = _MD.parse(text)
    found = {}
    for i, tk in enumerate(toks[:-2]):
        if tk.type != "list_item_open":
            continue
        para, inline = toks[i + 1], toks[i + 2]
        if para.type != "paragraph_open" or inline.type != "inline":
            continue
        c = inline.content
        if c.startswith(("[ ] ", "[x] ", "[X] ")):
            found[_checkbox_line(text, para.map) + 1] = c[1] in "xX"
    return found


def _checkbox_line(text: str, span: list[int]) -> int:
    """The line of a task paragraph that holds its checkbox: its first line, unless
    that line has nothing but markers and whitespace CommonMark strips (a form feed)."""
    lines = re.split(r"\r\n|\r|\n", text)
    for line in range(span[0], span[1]):
        rest = lines[line].lstrip(" \t>")
        if rest[:1] in ("-", "*", "+"):
            rest = rest[1:]
        else:
            rest = re.sub(r"^\d{1,9}[.)]", "", rest)
        if "[" in rest or rest.strip(" \t\f\v>"):
            return line
    return span[0]


def model_gfm_tasks(doc: Document) -> dict[int, bool]:
    """The model's tasks that GFM also counts: non-optional, mark ' ', x or X."""
    return {t.line + 1: t.state == "done" for t in doc.tasks if t.mark in (" ", "x", "X") and not t.optional}


def _task_tuple(t, base_line: int, base_index: int):
    return (
        t.line + base_line,
        t.item_line + base_line,
        t.end + base_line,
        t.col,
        t.mark,
        t.optional,
        None if t.parent is None else t.parent + base_index,
        t.depth,
        t.quote,
        tuple((a + base_line, b + base_line) for a, b in t.labels),
    )


def whole_parse(lines) -> tuple[list, list, int]:
    """(tasks, headings, front matter lines) from one markdown-it parse of every line."""
    result, _ = parse_block(lines)
    tasks = [_task_tuple(t, 0, 0) for t in result.tasks]
    heads = [(h.line, h.end, h.level, h.text) for h in result.headings]
    return tasks, heads, result.front_matter


def chunked_parse(lines, cache=None) -> tuple[list, list, int]:
    """The same, assembled from ``parse_chunks``: line numbers and parents made absolute."""
    chunks = parse_chunks(lines, cache)
    tasks: list = []
    heads: list = []
    assert chunks, "parse_chunks returned no chunks"
    assert chunks[0][0] == 0 and chunks[-1][1] == len(lines)
    for (s1, e1, _), (s2, _e2, _) in zip(chunks, chunks[1:]):
        assert e1 == s2, "chunks must tile the document"
    for start, _end, res in chunks:
        base = len(tasks)
        tasks += [_task_tuple(t, start, base) for t in res.tasks]
        heads += [(h.line + start, h.end + start, h.level, h.text) for h in res.headings]
    return tasks, heads, chunks[0][2].front_matter


def first_diff(a: bytes, b: bytes) -> str:
    """A short description of where two byte strings part, for assertion messages."""
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"lengths {len(a)} / {len(b)}, first difference at {n}: {a[max(0, n - 20):n + 20]!r} vs {b[max(0, n - 20):n + 20]!r}"


def doc_state(doc: Document) -> dict:
    """Everything a Document tells its readers, as plain values, to compare two builds."""
    return {
        "data": doc.source.data,
        "lines": doc.source.lines,
        "starts": tuple(doc.source.starts),
        "endings": tuple(doc.source.endings),
        "tasks": [tuple(t) for t in doc.tasks],
        "headings": list(doc.headings),
        "sections": list(doc.sections),
        "labels": list(doc.labels),
        "log": list(doc.log),
        "completion": list(doc.completion),
        "time_lines": list(doc.time_lines),
        "metadata": list(doc.metadata),
        "dialect": doc.dialect,
        "title": doc.title,
        "front_matter": doc.front_matter,
        "keys": list(doc.keys),
    }


def task_key(doc: Document, ref: str):
    """The key of the task whose id is ``ref``, or whose text contains it (exactly one)."""
    hits = [i for i, t in enumerate(doc.tasks) if t.id == ref] or [i for i, t in enumerate(doc.tasks) if ref in t.text]
    assert len(hits) == 1, f"{ref!r} matches {len(hits)} tasks"
    return doc.keys[hits[0]]


def edit(data: bytes, make_op, check_undo: bool = True) -> tuple[bytes, object]:
    """Plan the op on ``data`` and apply it; check what every edit must satisfy:
    the plan's own check passes, the incremental re-parse equals a fresh parse,
    and the inverse restores the original bytes."""
    from tasktui.doc import edits as _edits
    from tasktui.doc import patch as _patch

    doc = Document(data)
    pl = _edits.plan(doc, make_op(doc))
    new = _patch.apply(data, pl.patches)
    after = Document(new)
    if pl.expect is not None:
        assert pl.expect(doc, after) is None
    assert doc_state(doc.patched(pl.patches)) == doc_state(after)
    if check_undo:
        undo = _edits.restore_for(data, after, pl.patches, "undo")
        assert _patch.apply(new, _edits.plan(after, undo).patches) == data
    return new, pl


_HOLDER = """
import sys
from tasktui.storage.store import locked
with locked(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def hold_lock(path) -> subprocess.Popen:
    """Another process holding tasktui's lock on ``path`` until its stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"locked\n"
    return proc


# --------------------------------------------------------------- the CLI, in process

def run(capsys, *argv) -> tuple[int, str, str]:
    """tasktui's command line in this process: (exit code, stdout, stderr)."""
    from tasktui.cli import commands as cli

    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, *needles: str, prefix: str = "tasktui: ") -> None:
    assert code == 1
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(prefix), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle.lower() in err.lower(), err


# --------------------------------------------------------------------- hypothesis
# How many examples a property test runs: an ordinary one takes the profile's count
# (conftest loads "quick", or "full" with TASKTUI_HYPOTHESIS=full); one whose every
# example runs the command line many times, or drives the whole app, takes its tier.
_TIERS = {"quick": {"commands": 4, "app": 1}, "full": {"commands": 20, "app": 3}}


def examples(tier: str):
    """Hypothesis settings for a property test of the ``tier`` ("commands" or "app")."""
    from hypothesis import settings

    return settings(max_examples=_TIERS[os.environ.get("TASKTUI_HYPOTHESIS", "quick")][tier])


# ---------------------------------------------------------------- the app (Pilot)
SIZE = (120, 36)


def copy_sample(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(SAMPLES_DIR / name, target)
    return target


async def wait_for(pilot, predicate, timeout: float = 5.0, what: str = "the condition") -> None:
    """Poll ``predicate`` (letting the app run between polls) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.05)


def record_notifications(app) -> list[tuple[str, str, str]]:
    """(message, title, severity) of every notification, in order; the real notify still runs."""
    seen: list[tuple[str, str, str]] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append((str(message), str(kwargs.get("title", "")), str(kwargs.get("severity", "information"))))
        return original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


_TIMERS: "weakref.WeakKeyDictionary[object, list]" = weakref.WeakKeyDictionary()


def record_timers(app) -> list:
    """Every timer the app and its file's main screen set (``set_timer``, ``set_interval``:
    the flash of a change, the clock's tick), in order, as they set them; ``stop_timers``
    stops them. The real methods still run."""
    made = _TIMERS.setdefault(app, [])
    for node in (app, app.main) if app.main is not None else (app,):
        for name in ("set_timer", "set_interval"):
            def recording(*args, _original=getattr(node, name), **kwargs):
                timer = _original(*args, **kwargs)
                made.append(timer)
                return timer

            setattr(node, name, recording)
    return made


def stop_timers(app) -> None:
    """Stop the timers ``record_timers`` saw set (the flash, the clock's tick):
    a picture of the screen stays as it is, and a test ends in the same state every time."""
    for timer in _TIMERS.get(app, ()):
        timer.stop()


def edits_queued(app) -> int:
    """How many edits (undos, bookings, reloads) are queued or running on the app's edit
    thread: its workers of the group "edits" not finished yet."""
    return sum(1 for w in app.workers if w.group == "edits" and not w.is_finished)


async def quiesce(app, pilot) -> None:
    """Let running edits finish, then stop the app's timers (see ``record_timers``) so
    that tests end in the same state every time; the app's own callbacks also ignore
    a closing app."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    stop_timers(app)


def watch_threads() -> set[threading.Thread]:
    """The file watchers' threads alive now."""
    return {t for t in threading.enumerate() if t.name == "tasktui-watch"}


async def cursor_to_row(pilot, row: int) -> None:
    """Put the tree's cursor on ``row`` as a user does: ↓ or ↑, once a row."""
    tree = pilot.app.main.tree
    key = "down" if row > tree.cursor else "up"
    await pilot.press(*[key] * abs(row - tree.cursor))
    await wait_for(pilot, lambda: tree.cursor == row, what=f"the cursor on row {row}")


def first_command(app) -> str | None:
    """The first command the command palette offers now (its first line), or None."""
    found = app.screen.query("CommandList")
    if not found or not found.first().option_count:
        return None
    prompt = found.first().get_option_at_index(0).prompt
    return getattr(prompt, "plain", str(prompt)).split("\n")[0].strip()


def wait_open(proc: subprocess.Popen, path: Path, timeout: float = 10) -> None:
    """Wait until ``proc`` has ``path`` open (Linux: a link in /proc/PID/fd names it)."""
    target = str(Path(path).resolve())
    fds = Path(f"/proc/{proc.pid}/fd")

    def opened() -> bool:
        assert proc.poll() is None, f"the process ended (status {proc.returncode}) before it opened {path}"
        try:
            links = [os.readlink(fd) for fd in fds.iterdir()]
        except (FileNotFoundError, ProcessLookupError):  # a descriptor closed while listed
            return False
        return target in links

    poll(opened, timeout, f"process {proc.pid} to open {Path(path).name}")


@asynccontextmanager
async def running(path: Path, size: tuple[int, int] = SIZE, notifications: bool = False, **kwargs):
    """The app on ``path`` (``kwargs`` go to TaskTuiApp), loaded, with its notifications recorded
    (and shown on screen with ``notifications``)."""
    from tasktui.ui.app import TaskTuiApp

    app = TaskTuiApp(path, **kwargs)
    notes = record_notifications(app)
    record_timers(app)
    watchers = watch_threads()
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await wait_for(
            pilot,
            lambda: app.tasks_file is not None and not app.edit_thread.pending()
            and (bool(app.main.tree.rows) or not app.tasks_file.doc.tasks),
            what="the file to load",
        )
        try:
            yield app, pilot, notes
        finally:
            await quiesce(app, pilot)
    poll(lambda: not watch_threads() - watchers, 5, "the app's file watcher to stop")


def replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, f"{old!r} should occur exactly once in the sample"
    return data.replace(old, new)


def mark_at(data: bytes, line_start: bytes, mark: bytes) -> bytes:
    """``data`` with the checkbox mark of the unique line starting ``line_start`` set to ``mark``."""
    at = data.index(line_start)
    assert data.count(line_start) == 1
    box = data.index(b"[", at) + 1
    return data[:box] + mark + data[box + 1:]


async def wait_file(pilot, path: Path, expected: bytes, timeout: float = 5.0) -> None:
    try:
        await wait_for(pilot, lambda: path.read_bytes() == expected, timeout, f"{path.name} to hold the expected bytes")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; expected -> actual:\n{byte_diff(expected, path.read_bytes())}") from None


def byte_diff(a: bytes, b: bytes) -> str:
    lines = difflib.unified_diff(a.decode("utf-8", "replace").splitlines(True),
                                 b.decode("utf-8", "replace").splitlines(True), "expected", "actual", n=1)
    return "".join(lines) or "(same text, different bytes)"


def differing_bytes(a: bytes, b: bytes) -> list[int]:
    assert len(a) == len(b)
    return [i for i in range(len(a)) if a[i] != b[i]]


def row_text(tree, row_index: int) -> str:
    strip = tree.render_line(row_index - tree.scroll_offset.y)
    return "".join(seg.text for seg in strip)


def found_in_row(tree, row_index: int) -> list[str]:
    """The pieces of a tree row drawn as found by the filter (the match style: bold, underlined)."""
    strip = tree.render_line(row_index - tree.scroll_offset.y)
    return [seg.text for seg in strip if seg.style is not None and seg.style.underline and seg.style.bold]


async def find(pilot, text: str, *, typed: bool = True, submit: bool = True) -> None:
    """``/``, then ``text`` into the filter box (pressed key by key, or set at once with
    ``typed=False``: any text), Enter with ``submit``; returns once the tree shows it
    (control characters in ``text`` as their pictures, as the box keeps them)."""
    from tasktui.doc.safetext import one_line

    app = pilot.app
    await pilot.press("slash")
    box = app.screen.query_one("#filter")
    await wait_for(pilot, lambda: app.focused is box, what="the filter box to have focus")
    box.value = ""
    if typed:
        await pilot.press(*["space" if ch == " " else ch for ch in text])
    else:
        box.value = text
    if submit:
        await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.tree.text_filter == one_line(text), what=f"the filter {text!r} to apply")
    await pilot.pause()


def static_text(widget) -> str:
    """What a Static shows, as plain text."""
    return str(widget.render())


def header_lines(app) -> list[str]:
    """The header's two lines as the screen shows them."""
    return screen_text(app).splitlines()[:2]


# ------------------------------------------------------------ hostile file text
# Every string a file, the state folder or the config can hold reaches the screen
# and the terminal only through tasktui.doc.safetext. These pieces are what breaks a
# display path that forgets it: markup tags and stray brackets, click actions,
# terminal escapes (title, clear screen), C0/C1/DEL controls, bidi overrides,
# undecodable bytes, combining marks, emoji, CJK, right-to-left text.
MARKUP_SENTINEL = "QZXJ"  # in every hostile string; never in tasktui's own text
HOSTILE_PIECES = [
    "[/health]", "[/b]", "[b]bold[/b]", "[@click=app.quit]x[/]", "[link=file:///etc/passwd]l[/link]", "[P] [US1]",
    "[Model1]", "[x]", "[", "]", "[red", "\\[not]", "$var", "${x}",
    "\x1b]0;PWNED\x07", "\x1b[2J", "\x1b[31m", "\x1bc", "\x07", "\x08", "\x0b", "\x0c", "\x7f", "\x85", "\x9b2J",
    "\u202eevil\u202c", "\u2066iso\u2069", "\u200f", "\u2028", "\udce9", "\udcff\udcfe",
    "e\u0301\u0301", "🙂👍🏽", "漢字テキスト", "שלום עולם", "مرحبا", "\t", "**bold** `code`", "<!-- x", "|",
]
CONTROL_OUTPUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def hostile_strategy():
    """Hypothesis: one line of hostile text that always carries MARKUP_SENTINEL."""
    from hypothesis import strategies as st

    piece = st.sampled_from(HOSTILE_PIECES)
    char = st.characters(blacklist_characters="\n\r\x00", blacklist_categories=("Cs",))
    parts = st.lists(st.one_of(piece, st.text(char, max_size=6)), min_size=1, max_size=6)
    return parts.map(lambda ps: f"{MARKUP_SENTINEL} " + "".join(ps))


def hostile_bytes(text: str) -> bytes:
    """A line of the file: undecodable bytes stand for themselves (surrogateescape)."""
    return text.encode("utf-8", "surrogateescape")


def hostile_file(text: str) -> bytes:
    """A tasks file with ``text`` in its title, a section, tasks, details and a log entry."""
    t = hostile_bytes(text)
    return b"".join([
        b"# Title ", t, b"\n\n## Phase 1 ", t, b"\n\n",
        b"- [ ] T001 ", t, b"\n  - **Estimated Time**: 2 hours\n  - detail ", t, b"\n",
        b"- [ ] T002 second ", t, b"\n",
        b"- [x] T003 done ", t, b"\n\n",
        b"## Blockers & Decisions Log\n\n",
        b"**2026-11-20** - Blocker: ", t, b" (task T001)\n",
    ])


def screen_text(app) -> str:
    """Everything the app's screen shows now (every layer, toasts included), as the
    terminal would receive it, without styles."""
    import io

    from rich.console import Console

    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def assert_no_control_output(text: str, where: str = "the screen") -> None:
    bad = CONTROL_OUTPUT.search(text)
    assert bad is None, f"{where} holds the control character {bad.group()!r}: {text[max(0, bad.start() - 40):bad.end() + 40]!r}"


# ------------------------------------------------------------- the real program (tmux)
def poll(predicate, timeout: float, what: str, describe=lambda: ""):
    """Wait for ``predicate()`` to return something true (and return it)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{describe()}")
        time.sleep(0.05)


class TmuxProgram:
    """``python -m tasktui ARGS`` in a detached session of a private tmux server (a
    user's own sessions are never touched), with config and state in ``home``;
    the exit status lands in ``home/exit-status``."""

    def __init__(self, home: Path, cwd: Path, args: list[str], size: tuple[int, int] = (120, 36),
                 env: dict[str, str] | None = None) -> None:
        import shlex
        import uuid

        self.home = home
        (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
        self.rc_file = home / "exit-status"
        self.socket = f"tasktui-test-{uuid.uuid4().hex[:12]}"
        self.session = "e2e"
        env = {"TERM": "xterm-256color", "TASKTUI_CONFIG": str(home / "config.toml"),
               "TASKTUI_STATE_DIR": str(home / "state"), "XDG_RUNTIME_DIR": str(home / "runtime"),
               "XDG_CACHE_HOME": str(home / "cache"), **(env or {})}
        quoted = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "tasktui", *args])
        program = f"{quoted}; echo $? > {shlex.quote(str(self.rc_file))}"
        command = ["new-session", "-d", "-s", self.session, "-x", str(size[0]), "-y", str(size[1])]
        for name, value in env.items():
            command += ["-e", f"{name}={value}"]
        self.tmux(*command, "-c", str(cwd), f"sh -c {shlex.quote(program)}")

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=15, check=check)

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout if result.returncode == 0 else ""

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_title}", check=False).stdout.strip()

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_screen(self, predicate, what: str, timeout: float = 20) -> str:
        return poll(lambda: predicate(self.screen()) and self.screen(), timeout, what, self.screen)

    def quit(self) -> str:
        """Press q; the program's exit status."""
        self.keys("q")
        poll(lambda: self.tmux("has-session", "-t", self.session, check=False).returncode != 0, 10,
             "the program to quit", self.screen)
        poll(lambda: self.rc_file.exists() and self.rc_file.read_text().strip() != "", 5, "the exit status")
        return self.rc_file.read_text().strip()

    def close(self) -> None:
        self.tmux("kill-session", "-t", self.session, check=False)
        self.tmux("kill-server", check=False)


# --------------------------------------------------------------- git repositories
class GitRepo:
    """A git repository made by a test, with its own user and fixed dates: commits
    (and so their ids) are the same on every run."""

    def __init__(self, path: Path, *, init: bool = True) -> None:
        """A new repository at ``path``; with ``init=False``, the one already there
        (a copy of another, see ``copy``)."""
        self.path = Path(path)
        if not init:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        for key, value in (("user.name", "Test Author"), ("user.email", "author@example.com"),
                           ("commit.gpgsign", "false"), ("core.autocrlf", "false")):
            self.git("config", key, value)

    def env(self, when: str | None = None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        if when is not None:
            env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        return env

    def git(self, *args: str, when: str | None = None) -> str:
        done = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, env=self.env(when),
                              timeout=60)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout.decode().strip()

    def write(self, name: str, data: bytes | str) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return target

    def copy(self, target: Path) -> "GitRepo":
        """This repository, its history and its working copy, copied to ``target``:
        the same commit ids, for a test that changes it."""
        shutil.copytree(self.path, target, symlinks=True)
        return GitRepo(target, init=False)

    def commit(self, message: str, when: str) -> str:
        """Commit everything in the folder at ``when`` (ISO 8601, author and committer date); its id."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")


# the history tests' main story
_STORY_V1 = """# Plan

## Setup

- [ ] T001 Create the repo
- [ ] T002 Add CI

## Build

- [ ] Write the parser
- [ ] Write the docs
- [-] Drop the old tool
"""
_STORY_V2 = _STORY_V1.replace("[ ] T001", "[x] T001")
_STORY_V3 = """# Plan

## Setup

- [x] T001 Create the repo
- [ ] T002 Add CI on every push

## Build

- [ ] Write the docs
- [x] Write the parser
- [-] Drop the old tool
- [ ] Release
"""
_STORY_V4 = _STORY_V3.replace("- [ ] Write the docs", "- [x] Write the user docs")
_STORY_V5 = _STORY_V4.replace("[x] T001", "[ ] T001")
_STORY_V6 = _STORY_V4
_STORY_NOW = _STORY_V6.replace("[ ] T002", "[x] T002")
HISTORY_DATES = ["2026-11-02T10:00:00+01:00", "2026-11-03T10:00:00+01:00", "2026-11-04T10:00:00+01:00",
                 "2026-11-05T10:00:00+01:00", "2026-11-06T10:00:00+01:00", "2026-11-09T10:00:00+01:00"]
HISTORY_CLOCK = time.mktime((2026, 11, 9, 18, 0, 0, 0, 0, -1))  # Monday 2026-11-09, 18:00 local time


def history_story(folder: Path, *, now: bool = True) -> tuple[GitRepo, Path, list[str]]:
    """The history tests' main story (tests/test_history.py): a file with two sections,
    committed on six days (ticked, reordered, edited, moved with ``git mv``, a task
    reopened and ticked again), with one more task ticked in the working copy (``now``);
    (repo, the file as it is now, commit ids oldest first)."""
    repo = GitRepo(folder)
    shas = []
    for k, text in enumerate([_STORY_V1, _STORY_V2, _STORY_V3, _STORY_V4, _STORY_V5, _STORY_V6]):
        if k == 3:
            (repo.path / "docs").mkdir()
            repo.git("mv", "tasks.md", "docs/plan.md")
        repo.write("tasks.md" if k < 3 else "docs/plan.md", text)
        shas.append(repo.commit(f"version {k + 1}", HISTORY_DATES[k]))
    if now:
        repo.write("docs/plan.md", _STORY_NOW)
    return repo, repo.path / "docs" / "plan.md", shas


# ------------------------------------------------------- edits planned on bytes
def key_of(doc: Document, ref: str):
    """The key of the task whose id or text is ``ref``, else whose text contains it (exactly one)."""
    hits = ([i for i, t in enumerate(doc.tasks) if ref in (t.id, t.text)]
            or [i for i, t in enumerate(doc.tasks) if ref in t.text])
    assert len(hits) == 1, f"{ref!r} matches {len(hits)} tasks"
    return doc.keys[hits[0]]


def heading_key(doc: Document, text: str):
    """The HeadingKey of the one heading whose text is ``text``."""
    hits = [k for h, k in zip(doc.headings, doc.heading_keys) if h.text == text]
    assert len(hits) == 1, f"{text!r} names {len(hits)} headings"
    return hits[0]


def open_session(path: Path, **kwargs):
    """A Session on ``path`` (``kwargs`` go to Session), loaded as the app loads it."""
    from tasktui.storage import config, store
    from tasktui.core.session import Session

    s = Session(path, kwargs.pop("settings", None) or config.Config(), **kwargs)
    snap = store.read(path)
    s.loaded(s.open_file(snap, Document(snap.data), {}))
    return s


# ------------------------------------------------------------- the MCP server (stdio)
TASKTUI = Path(sys.executable).with_name("tasktui")  # the installed command, as an agent's client starts it


@asynccontextmanager
async def mcp_client(root: Path, errlog: Path, mode: str = "auto", args: tuple[str, ...] = (), **kwargs):
    """The MCP SDK's own client on ``tasktui mcp ROOT``, a real process over stdio, with
    this test's settings and private folders (its environment); the server's stderr
    goes to ``errlog``. ``mode="legacy"``: a client of the 2025 protocol revisions."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(TASKTUI), args=["mcp", str(root), *args], env=dict(os.environ))
    with open(errlog, "a", encoding="utf-8") as err:
        async with Client(stdio_client(params, errlog=err), mode=mode, read_timeout_seconds=60, **kwargs) as client:
            yield client


async def call(client, tool: str, **arguments):
    """A tool's result that must succeed: (its structured content, its text)."""
    result = await client.call_tool(tool, arguments)
    text = "".join(block.text for block in result.content)
    assert not result.is_error, f"{tool} failed: {text}"
    return result.structured_content, text


async def refused(client, tool: str, **arguments) -> str:
    """The text of a tool's result that must be an error."""
    result = await client.call_tool(tool, arguments)
    text = "".join(block.text for block in result.content)
    assert result.is_error, f"{tool} should have been refused: {text}"
    assert result.structured_content is None
    return text
