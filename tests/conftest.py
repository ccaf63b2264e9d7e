"""Fixtures shared by the document-model, edit and CLI tests.

The real-file corpus lives outside the repository (../shared/corpus); tests
reach it only through the environment variable TASKTUI_CORPUS and skip, with a
reason, when it is unset, so users can run the suite without it. Paths and the
helpers the tests import live in support.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: the profile says how many examples an ordinary property test runs;
# TASKTUI_HYPOTHESIS=full (the README's full command) runs more than the quick
# default. Tests whose every example drives the app or runs commands take a
# named tier of it (support.examples), never a number of their own.
for _name, _count in (("quick", 30), ("full", 150)):
    settings.register_profile(_name, max_examples=_count, deadline=None, suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("TASKTUI_HYPOTHESIS", "quick"))

from support import NO_CORPUS, SAMPLES_DIR, TEMPLATE  # noqa: E402  (after the profile: support reads it)


def pytest_xdist_auto_num_workers(config) -> int | None:
    """``-n auto``: two workers a core. Most of an app test's time is spent waiting
    (Textual's timers, a frame, a file event), not computing: on two cores, two workers
    kept them busy about half the time, four bring the quick run down by about a third.
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own rule reads it
    return 2 * len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2 * (os.cpu_count() or 1)


def pytest_addoption(parser) -> None:
    parser.addoption("--soak-seconds", default="45", help="how long test_soak races writers and tasktui (45 s)")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    folder = os.environ.get("TASKTUI_CORPUS")
    if not folder:
        pytest.skip(NO_CORPUS)
    path = Path(folder)
    if not path.is_dir():
        pytest.skip(f"TASKTUI_CORPUS={folder} is not a folder")
    return path


@pytest.fixture(scope="session")
def sample_files() -> list[Path]:
    files = sorted(SAMPLES_DIR.glob("*.md"))
    assert len(files) >= 3, "sample_tasks/ should hold at least three files"
    return files


@pytest.fixture(scope="session")
def template_path() -> Path:
    if not TEMPLATE.is_file():
        pytest.skip(f"the template {TEMPLATE} is missing (it lives in ../shared/seed)")
    return TEMPLATE


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory, monkeypatch) -> Path:
    """Config, state and lock files of every test live in temporary folders,
    never in the user's own config, state, cache or runtime directories."""
    home = tmp_path_factory.mktemp("tasktui-home")
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("TASKTUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("TASKTUI_STATE_DIR", str(home / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    # The terminal an in-process app believes it has: its colours (and the contrast
    # rule's adjustments, which depend on them) are the same whatever terminal the
    # tests are run from, so snapshots and colour checks do not change with it.
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("COLORTERM", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def parses(monkeypatch) -> list:
    """The chunks markdown-it is asked to parse (what a cache saves shows as fewer)."""
    from tasktui.doc import parse as parse_mod

    seen = []
    real = parse_mod._parse

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(parse_mod, "_parse", counting)
    return seen


@pytest.fixture
def markup_guard(monkeypatch):
    """Fail the test when text carrying support.MARKUP_SENTINEL (text from a file)
    reaches a markup parser: Textual's content markup, Rich's markup, or Rich's
    console string rendering. The parser raises, so the app stops at once and the
    test sees it; the offending strings are also collected."""
    import rich.console
    import rich.markup
    import textual.markup

    from support import MARKUP_SENTINEL

    seen: list[str] = []

    def guarded(parse):
        def parse_markup(markup, *args, **kwargs):
            if isinstance(markup, str) and MARKUP_SENTINEL in markup:
                seen.append(markup)
                raise AssertionError(f"file text was parsed as markup: {markup!r}")
            return parse(markup, *args, **kwargs)

        return parse_markup

    monkeypatch.setattr(textual.markup, "to_content", guarded(textual.markup.to_content))
    monkeypatch.setattr(rich.markup, "render", guarded(rich.markup.render))
    monkeypatch.setattr(rich.console, "render_markup", guarded(rich.console.render_markup))
    yield seen
    assert seen == [], f"file text reached a markup parser: {seen[:3]}"


@pytest.fixture(scope="session", autouse=True)
def _leases() -> None:
    """Tests run tasktui in this process, from the main thread as the command line
    and the app do: the lease-break signal has its handler."""
    from tasktui.storage import store

    store.enable_leases()
