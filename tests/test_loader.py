"""Loading big files: the head parsed first (parse_head_bytes / parse_head), the
rest in worker processes (parse_rest), with the same chunks as one
parse_chunks of the whole file, in-thread fallbacks when workers cannot run,
progress up to 1.0, and the worker process's own frame protocol.

Generated files (benchmarks/generate.py) are sized from loader.HEAD_BYTES so
that they take the big-file path; PARALLEL_MIN_LINES is lowered so that they
also take the parallel path while the test stays fast.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from support import SIZE, quiesce, record_notifications, wait_for
from tasktui.ui.app import TaskTuiApp
from tasktui.ui.screens.main import MainScreen
from tasktui.doc import Document
from tasktui.core import loader, pool
from tasktui.doc.parse import chunk_key, cut_points, parse_chunks, parse_one
from tasktui.doc.source import Source

pytestmark = pytest.mark.xdist_group("timing")  # timing-sensitive: run apart from each other, in one worker

REPO = Path(__file__).resolve().parents[1]
generate = runpy.run_path(str(REPO / "benchmarks" / "generate.py"))["generate"]

# Not a heading and not a list item: they sit inside an HTML block, so the line
# scan proposes cuts there that markdown-it does not confirm (chunks must merge).
HTML_TRAP = "<details>\n# Not a heading: HTML block\n- [ ] not a task either\n</details>\n\n"


@lru_cache(maxsize=None)
def big_text(shape: str) -> str:
    """A generated file of ``shape`` a little over twice HEAD_BYTES, with HTML traps in it."""
    n = 100
    while True:
        text = generate(shape, n)
        if len(text.encode()) > 2 * loader.HEAD_BYTES + 8192:
            break
        n *= 2
    lines = text.split("\n")
    for at in (len(lines) // 3, 2 * len(lines) // 3):
        while not (lines[at].startswith(("- ", "#")) and lines[at - 1] == ""):
            at += 1
        lines.insert(at, HTML_TRAP.rstrip("\n"))
    return "\n".join(lines)


SHAPES = ["template", "kiro", "speckit"]


@lru_cache(maxsize=None)
def reference(shape: str) -> tuple[tuple, list]:
    lines = Source(big_text(shape).encode()).lines
    return lines, parse_chunks(lines)


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(loader, "PARALLEL_MIN_LINES", 50)


def test_the_generated_files_take_the_big_file_paths():
    for shape in SHAPES:
        lines, chunks = reference(shape)
        data = big_text(shape).encode()
        assert len(data) > 2 * loader.HEAD_BYTES
        assert len(chunks) >= 3
        cuts = cut_points(lines)
        assert len(cuts) > len(chunks), "some proposed cuts are not confirmed (the HTML traps)"


# ----------------------------------------------------------------- parse_rest
@pytest.mark.parametrize("shape", SHAPES)
def test_parallel_parse_equals_parse_chunks(shape, parallel):
    lines, expected = reference(shape)
    seen: list[float] = []
    chunks = loader.parse_rest(lines, cut_points(lines), 0, None, workers=2, progress=seen.append)
    assert chunks == expected
    assert seen and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 1


@pytest.mark.parametrize("shape", ["template", "kiro"])
def test_sequential_parse_equals_parse_chunks(shape):
    lines, expected = reference(shape)
    seen: list[float] = []
    assert loader.parse_rest(lines, cut_points(lines), 0, None, progress=seen.append) == expected  # too small for workers
    assert seen == [1.0]
    assert loader.parse_rest(lines, cut_points(lines), 0, None, workers=1) == expected


def test_parallel_parse_fills_the_cache(parallel):
    lines, expected = reference("template")
    cache: dict = {}
    assert loader.parse_rest(lines, cut_points(lines), 0, cache, workers=2) == expected
    assert len(cache) >= len(expected)
    assert all(cache[chunk_key("\n".join(lines[a:b]), lines[b] if b < len(lines) else None)] == res for a, b, res in expected)
    doc = Document(Source("\n".join(lines).encode()), cache=cache)
    assert list(doc.chunks) == expected


def test_head_then_rest_equals_parse_chunks(parallel):
    lines, expected = reference("speckit")
    cuts = cut_points(lines)
    head, k = loader.parse_head(lines, cuts, None, min_lines=200)
    assert head == expected[: len(head)] and head[-1][1] >= 200 and cuts[k - 1] == head[-1][1]
    assert head + loader.parse_rest(lines, cuts, k, None, workers=2) == expected
    assert loader.parse_rest(lines, cuts, len(cuts), None) == []
    assert loader.parse_head((), [0], None) == ([], 0)


# ------------------------------------------------------------------ fallbacks
def test_workers_that_cannot_start_fall_back_to_this_thread(parallel, monkeypatch):
    lines, expected = reference("kiro")
    started = []

    def no_processes(*args, **kwargs):
        started.append(args)
        raise pool.PoolError("no processes here")

    monkeypatch.setattr(pool, "submit", no_processes)
    assert loader.parse_rest(lines, cut_points(lines), 0, None, workers=2) == expected
    assert started, "the parallel path was taken"


def test_a_worker_that_dies_falls_back_to_this_thread(parallel, monkeypatch):
    """A worker process ends in the middle of the work (killed, out of memory): the
    pool breaks, the rest is parsed here, and the next use gets a new pool."""
    lines, expected = reference("template")
    real = pool.submit
    monkeypatch.setattr(pool, "submit", lambda fn, *args: real(os._exit, 3))
    assert loader.parse_rest(lines, cut_points(lines), 0, {}, workers=2) == expected
    assert real(os.getpid).result(timeout=60) != os.getpid()


def test_progress_reaches_one_in_the_fallback(parallel, monkeypatch):
    lines, _ = reference("kiro")

    def no_processes(*args, **kwargs):
        raise pool.PoolError("no processes here")

    monkeypatch.setattr(pool, "submit", no_processes)
    seen: list[float] = []
    loader.parse_rest(lines, cut_points(lines), 0, None, workers=2, progress=seen.append)
    assert seen and seen[-1] == 1.0


# ------------------------------------------------------------ parse_head_bytes
@pytest.mark.parametrize(
    "shape,ending",
    [("template", "\n"), ("kiro", "\n"), ("speckit", "\n"), ("template", "\r\n"), ("kiro", "\r")],
    ids=["template-lf", "kiro-lf", "speckit-lf", "template-crlf", "kiro-cr"],
)
def test_head_bytes_gives_confirmed_chunks_of_the_first_tasks(shape, ending):
    data = big_text(shape).replace("\n", ending).encode()
    full = Document(data)
    head = loader.parse_head_bytes(data)
    assert head is not None
    src, chunks = head
    assert data.startswith(src.data) and len(src.data) <= loader.HEAD_BYTES + len(ending)
    assert chunks[0][0] == 0
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:])), "the chunks tile the head"
    assert chunks[-1][1] < src.line_count
    for start, end, result in chunks:
        assert parse_one(full.source.lines, start, end) == result, "each chunk is confirmed in the whole file too"
    partial = Document(src, chunks=chunks)
    assert not partial.complete
    assert partial.tasks, "the head shows some tasks"
    assert partial.tasks == full.tasks[: len(partial.tasks)]
    assert [t.line for t in full.tasks if t.line < chunks[-1][1]] == [t.line for t in partial.tasks]


@pytest.mark.parametrize("item", [
    "- [ ] Task number {i} with a few words to make the line as long as real ones are\n",
    "{i}. [ ] Task number {i}, in a numbered list\n   with a second line\n",
    "* [x] Task {i}\n\n  Its details, in a paragraph of their own.\n\n",
], ids=["tight", "numbered", "loose"])
def test_a_first_list_longer_than_the_head_shows_its_items(item):
    """A flat TODO list of hundreds of items, the file's first and only list (100 KB and
    more): the head is cut between its top-level items, so the first frame shows the
    items read, each as the whole file has it."""
    data = ("# TODO\n\n" + "".join(item.format(i=i) for i in range(1, 3000))).encode()
    assert len(data) > 100_000
    full = Document(data)
    head = loader.parse_head_bytes(data)
    assert head is not None, "the head of a long list is shown"
    src, chunks = head
    partial = Document(src, chunks=chunks)
    assert len(partial.tasks) >= 100, "the head shows more tasks than a screen holds"
    assert partial.tasks == full.tasks[: len(partial.tasks)]
    for start, end, result in chunks:
        assert parse_one(full.source.lines, start, end) == result


def test_head_bytes_is_none_for_small_files_and_for_no_line_break():
    assert loader.parse_head_bytes(b"- [ ] a\n" * 100) is None
    assert loader.parse_head_bytes(b"x" * (3 * loader.HEAD_BYTES)) is None
    assert loader.parse_head_bytes(b"\n" + b"x" * (3 * loader.HEAD_BYTES)) is None  # the only break is at 0


# ------------------------------------------------------------- the worker process
def test_the_pool_parses_each_batch_with_parse_one():
    """A batch handed to the worker pool comes back as parse_one makes it, from a
    worker process (not this one)."""
    lines, expected = reference("kiro")
    futures = [pool.submit(loader._parse_batch, list(lines[a:b + 1]), [(0, b - a)]) for a, b, _ in expected[:3]]
    assert [f.result(timeout=120) for f in futures] == [[res] for _, _, res in expected[:3]]
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()


def test_work_no_one_waits_for_is_ended():
    """The caller stops waiting (the app is closing): the worker doing the work is
    ended at once, not waited for, and the next use gets new workers."""
    import time

    busy = pool.submit(time.sleep, 60)
    while not busy.running():
        time.sleep(0.01)
    started = time.monotonic()
    assert list(pool.results([busy], stop=lambda: True)) == []
    assert time.monotonic() - started < 5
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()


def test_importing_the_main_module_starts_nothing():
    """A worker process may import the program's main module: tasktui/__main__.py must
    not start the program then."""
    done = subprocess.run([sys.executable, "-c", "import runpy; runpy.run_module('tasktui', run_name='__mp_main__')"],
                          capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout == b"" and done.stderr == b""


# ---------------------------------------------------------------------- the app
async def test_the_app_shows_the_top_first_then_the_whole_file(tmp_path, parallel, monkeypatch):
    path = tmp_path / "tasks.md"
    path.write_bytes(big_text("template").encode())
    expected = Document(path.read_bytes())
    partial_sizes: list[int] = []
    real = MainScreen.show_partial

    def spy(self, doc, notice):
        partial_sizes.append(len(doc.tasks))
        return real(self, doc, notice)

    monkeypatch.setattr(MainScreen, "show_partial", spy)
    app = TaskTuiApp(path)
    async with app.run_test(size=SIZE) as pilot:
        # taken in on the edit thread, then shown: wait for both
        await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc,
                       timeout=20, what="the whole file to be shown")
        assert app.tasks_file.doc.chunks == expected.chunks
        assert app.main.tree.doc.tasks == expected.tasks
        assert "Loading" not in app.main.header.content.plain
        await quiesce(app, pilot)
    assert partial_sizes and 0 < partial_sizes[0] < len(expected.tasks)
    assert path.read_bytes() == big_text("template").encode()


@pytest.fixture
def slow_load(monkeypatch):
    """The rest of the file is parsed only once the test says so."""
    import threading

    go = threading.Event()
    real = loader.parse_all

    def held(*args, **kwargs):
        go.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "parse_all", held)
    return go


def first_open_line(data: bytes) -> bytes:
    doc = Document(data)
    task = next(t for t in doc.tasks if t.state == "todo")
    return doc.source.lines[task.line].encode()


async def test_a_key_pressed_before_the_file_is_loaded_acts(tmp_path, slow_load):
    """Space on a task already shown writes its mark at once; an edit that needs the
    whole file waits and is made once it is read, in order; one undo takes back
    the mark and the progress lines it changed."""
    data = big_text("template").encode()
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    app = TaskTuiApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main.tree.doc is not None, what="the top of the file")
        assert app.tasks_file is None, "still loading"
        task = app.main.tree.doc.tasks[3]  # the generated file starts with done phases
        assert app.main.tree.move_to_task(task.index)
        await pilot.pause()
        line = app.main.tree.doc.source.lines[task.line].encode()
        await pilot.press("space")
        await wait_for(pilot, lambda: path.read_bytes() != data, what="the mark on disk")
        toggled = path.read_bytes()
        assert toggled == data.replace(line, line.replace(b"[x]", b"[ ]", 1), 1), "one byte, before the load"
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PromptScreen", what="the add prompt")
        await pilot.press(*"Early bird", "enter")
        await wait_for(pilot, lambda: "waiting for the file to load" in app.main.header.content.plain, what="the notice")
        assert path.read_bytes() == toggled, "adding waits for the whole file"
        slow_load.set()
        await wait_for(pilot, lambda: b"Early bird" in path.read_bytes(), timeout=20, what="the waiting edit")
        added = path.read_bytes()
        assert Document(added).tasks[task.index].state == "todo"
        await app.workers.wait_for_complete()
        await pilot.press("u", "u")
        await wait_for(pilot, lambda: path.read_bytes() == data, timeout=10, what="both undone")
        await quiesce(app, pilot)


async def test_next_open_pressed_while_loading_goes_there_once_loaded(tmp_path, slow_load):
    """`n` with no open task in the top of the file says the file is still loading
    (not "no more open tasks") and lands on the next open task once it is read."""
    data = big_text("template").encode()
    path = tmp_path / "tasks.md"
    path.write_bytes(data)
    app = TaskTuiApp(path)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.main.tree.doc is not None, what="the top of the file")
        assert all(t.state == "done" for t in app.main.tree.doc.tasks), "the generated top is all done"
        await pilot.press("down", "n")
        await wait_for(pilot, lambda: app.main.jump_after_load, what="the jump to wait")
        said = [message for message, _title, _severity in notes]
        assert any("Still loading" in m for m in said) and not any("No more open" in m for m in said)
        slow_load.set()
        await wait_for(pilot, lambda: app.tasks_file is not None, timeout=20, what="the load")
        await pilot.pause()
        task = app.main.tree.cursor_task
        assert task is not None and task.state == "todo"
        assert task.index == app.tasks_file.rollup.first_open().index
        assert not app.main.jump_after_load
        await quiesce(app, pilot)
    assert path.read_bytes() == data
