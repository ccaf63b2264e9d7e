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

from support import NO_CORPUS, SAMPLES_DIR, TEMPLATE


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
    return home
