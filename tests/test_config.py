"""The settings file: defaults, valid values, one clear sentence for every
broken file, save() round trips, and the CLI's one-line report of a broken
config. The autouse fixture points TASKTUI_CONFIG / TASKTUI_STATE_DIR at
temporary files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import run
from tasktui.storage import config
from tasktui.storage.config import Config


@pytest.fixture
def cfg_file(_private_settings) -> Path:
    path = _private_settings / "config.toml"
    assert config.config_path() == path
    return path


def assert_one_sentence(text: str | None, *needles: str) -> None:
    assert text
    assert "\n" not in text and "Traceback" not in text
    for needle in needles:
        assert needle in text, text


def test_paths_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TASKTUI_CONFIG", str(tmp_path / "c.toml"))
    monkeypatch.setenv("TASKTUI_STATE_DIR", str(tmp_path / "state"))
    assert config.config_path() == tmp_path / "c.toml"
    assert config.state_dir() == tmp_path / "state"
    monkeypatch.delenv("TASKTUI_CONFIG")
    monkeypatch.delenv("TASKTUI_STATE_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert config.config_path() == tmp_path / "xdg-config" / "tasktui" / "config.toml"
    assert config.state_dir() == tmp_path / "xdg-state" / "tasktui"


def test_defaults_without_a_file(cfg_file):
    assert not cfg_file.exists()
    assert config.load() == Config(day_hours=8.0, sync=True, theme="textual-dark")


def test_an_empty_file_gives_the_defaults(cfg_file):
    cfg_file.write_text("# nothing set\n")
    assert config.load() == Config()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("day_hours = 7.5\n", Config(day_hours=7.5)),
        ("day_hours = 24\n", Config(day_hours=24.0)),
        ("sync = false\n", Config(sync=False)),
        ('theme = "nord"\n', Config(theme="nord")),
        ('day_hours = 6\nsync = false\ntheme = "gruvbox"\nunknown = 1\n', Config(6.0, False, "gruvbox")),
        ('workdays = ["sun", "Monday", "TUE"]\n', Config(workdays=(0, 1, 6))),
        ("workdays = [1, 2, 3, 4]\n", Config(workdays=(0, 1, 2, 3))),
        ('workdays = ["sat", 6, "saturday"]\n', Config(workdays=(5,))),
        ('legend_off = ["ROADMAP.md", "docs/*/plan.md"]\n', Config(legend_off=("ROADMAP.md", "docs/*/plan.md"))),
    ],
)
def test_valid_values(cfg_file, text, expected):
    cfg_file.write_text(text)
    assert config.load() == expected


@pytest.mark.parametrize(
    "text,needles",
    [
        ("day_hours = \n", ["could not be read as TOML"]),
        ("[[broken\n", ["could not be read as TOML"]),
        ('day_hours = "eight"\n', ["day_hours", "must be a number of hours"]),
        ("day_hours = [8]\n", ["day_hours", "must be a number of hours"]),
        ("day_hours = true\n", ["day_hours", "must be a number of hours"]),
        ("day_hours = 0\n", ["day_hours", "between 0 and 24"]),
        ("day_hours = -1\n", ["day_hours", "between 0 and 24"]),
        ("day_hours = 24.5\n", ["day_hours", "between 0 and 24"]),
        ("day_hours = nan\n", ["day_hours", "between 0 and 24"]),
        ("day_hours = inf\n", ["day_hours", "between 0 and 24"]),
        ('sync = "yes"\n', ["sync", "true or false"]),
        ("sync = 1\n", ["sync", "true or false"]),
        ("theme = 5\n", ["theme", "name of a theme"]),
        ('theme = "a\\u001b[2Jb"\n', ["theme", "name of a theme"]),
        ('theme = ""\n', ["theme", "name of a theme"]),
        ("workdays = []\n", ["workdays", "list of weekdays"]),
        ('workdays = "mon"\n', ["workdays", "list of weekdays"]),
        ('workdays = ["mon", "funday"]\n', ["workdays", "list of weekdays"]),
        ("workdays = [0]\n", ["workdays", "Monday 1 to Sunday 7"]),
        ("workdays = [8]\n", ["workdays", "list of weekdays"]),
        ("workdays = [true]\n", ["workdays", "list of weekdays"]),
        ("workdays = [1.5]\n", ["workdays", "list of weekdays"]),
        ('legend_off = "ROADMAP.md"\n', ["legend_off", "list of path patterns"]),
        ('legend_off = [""]\n', ["legend_off", "list of path patterns"]),
    ],
)
def test_a_broken_file_is_moved_aside_with_one_clear_sentence(cfg_file, text, needles):
    cfg_file.write_text(text)
    loaded = config.read()
    assert loaded.config == Config(), "the defaults are used"
    assert_one_sentence(loaded.problem, str(cfg_file), "moved to config.toml.bad-", "defaults are used", *needles)
    assert not cfg_file.exists()
    [kept] = cfg_file.parent.glob("config.toml.bad-*")
    assert kept.read_text() == text, "the user's file is kept, byte for byte"
    assert config.read() == config.Loaded(Config()), "once moved, the defaults hold without a word"


def test_a_second_broken_file_does_not_replace_the_first(cfg_file):
    cfg_file.write_text("sync = 1\n")
    first = config.read().problem
    cfg_file.write_text("sync = 2\n")
    second = config.read().problem
    assert first != second
    assert sorted(p.read_text() for p in cfg_file.parent.glob("config.toml.bad-*")) == ["sync = 1\n", "sync = 2\n"]


def test_unreadable_config_files(cfg_file):
    cfg_file.write_bytes(b'theme = "caf\xe9"\n')
    loaded = config.read()
    assert_one_sentence(loaded.problem, "is not UTF-8 text", "moved to")
    assert loaded.config == Config()
    cfg_file.mkdir()  # a folder where the file should be: reported, left alone
    loaded = config.read()
    assert_one_sentence(loaded.problem, "could not be read", "directory", "defaults are used")
    assert cfg_file.is_dir()


def test_load_never_raises(cfg_file):
    cfg_file.write_text("[[broken\n")
    assert config.load() == Config()


@pytest.mark.parametrize(
    "value",
    [Config(), Config(7.5, False, "nord"), Config(0.5, True, 'odd "quoted" \\ theme'), Config(24.0, False, "ünïcode"),
     Config(workdays=(0, 2, 6)), Config(legend_off=("ROADMAP.md", "docs/*/pl\"an.md"))],
)
def test_save_round_trips(cfg_file, value):
    config.save(value)
    assert config.load() == value
    assert not list(cfg_file.parent.glob("*.tmp"))


def test_save_creates_the_folder_and_replaces_the_file(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "er" / "config.toml"
    monkeypatch.setenv("TASKTUI_CONFIG", str(path))
    config.save(Config(theme="a"))
    inode = os.stat(path).st_ino
    config.save(Config(theme="b"))
    assert config.load().theme == "b"
    assert path.read_text() == 'day_hours = 8\nsync = true\ntheme = "b"\n'
    assert os.stat(path).st_ino != inode  # written beside and renamed over, never in place


def test_save_keeps_the_day_length_exactly(cfg_file):
    config.save(Config(day_hours=7.1234567))
    assert config.load().day_hours == 7.1234567


# ------------------------------------------------------------------------ CLI
@pytest.mark.parametrize(
    "text,needle",
    [("day_hours = 99\n", "between 0 and 24"), ("sync = 'no'\n", "true or false"), ("= broken\n", "could not be read")],
)
@pytest.mark.parametrize("argv", [["list", "{f}"], ["status", "{f}", "--json"], ["toggle", "{f}", "a"]],
                         ids=["list", "status", "toggle"])
def test_cli_reports_a_broken_config_in_one_line_and_goes_on(capsys, cfg_file, tmp_path, text, needle, argv):
    cfg_file.write_text(text)
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    code, out, err = run(capsys, *[a.format(f=path) for a in argv])
    assert code == 0 and out
    assert len(err.splitlines()) == 1 and needle in err and str(cfg_file) in err, err
    assert path.read_bytes() == (b"- [x] a\n" if argv[0] == "toggle" else b"- [ ] a\n")


def test_the_app_starts_with_a_broken_config_and_says_why(capsys, cfg_file, tmp_path, monkeypatch):
    from tasktui.ui.app import TaskTuiApp

    started = []
    monkeypatch.setattr(TaskTuiApp, "run", lambda self: started.append((self.settings, self._startup_notices)))
    cfg_file.write_text("sync = 'no'\n")
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    code, out, err = run(capsys, str(path))
    assert code == 0 and not err
    [(settings, notices)] = started
    assert settings == Config()
    [notice] = notices
    assert "sync" in notice and "true or false" in notice and "moved to" in notice


def test_cli_uses_the_day_length(capsys, cfg_file, tmp_path):
    cfg_file.write_text("day_hours = 6\n")
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n- [ ] a\n  - **Estimated Time**: 1 hour\n")
    assert run(capsys, "time", path, "a", "1d")[0] == 0
    assert b"**Actual Time**: 6 hours" in path.read_bytes()
