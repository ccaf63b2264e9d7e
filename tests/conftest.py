"""Fixtures shared by the document-model, edit and CLI tests.

The real-file corpus lives outside the repository (../shared/corpus); tests
reach it only through the environment variable TASKTUI_CORPUS and skip, with a
reason, when it is unset, so users can run the suite without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO / "sample_tasks"
TEMPLATE = REPO.parent / "shared" / "seed" / "tasks-template.md"
NO_CORPUS = "TASKTUI_CORPUS is not set: the real-file corpus tests need ../shared/corpus"


def corpus_names() -> list[str]:
    """File names in the corpus, for parametrising at collection time.

    Without a corpus this is one placeholder, so that the test is collected
    once and skips through the ``corpus_dir`` fixture with the reason.
    """
    folder = os.environ.get("TASKTUI_CORPUS")
    if not folder or not Path(folder).is_dir():
        return ["(no corpus)"]
    return sorted(p.name for p in Path(folder).glob("*.md"))


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.md"))


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
def _private_settings(tmp_path_factory, monkeypatch):
    """Config, state and lock files of every test live in temporary folders,
    never in the user's own config, state or runtime directories."""
    home = tmp_path_factory.mktemp("tasktui-home")
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("TASKTUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("TASKTUI_STATE_DIR", str(home / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home
