"""The settings file: defaults, valid values, one clear sentence for every
broken file, save() round trips, and the CLI's one-line report of a broken
config. The autouse fixture points TASKTUI_CONFIG / TASKTUI_STATE_DIR at
temporary files."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
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


@pytest.fixture
def own_cfg(_private_settings, monkeypatch) -> Path:
    """tasktui's own config at its default place (no TASKTUI_CONFIG)."""
    monkeypatch.delenv("TASKTUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(_private_settings / "xdg-config"))
    path = _private_settings / "xdg-config" / "tasktui" / "config.toml"
    assert config.config_path() == path == config.default_config_path()
    path.parent.mkdir(parents=True)
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
def test_a_broken_file_is_moved_aside_with_one_clear_sentence(own_cfg, text, needles):
    cfg_file = own_cfg
    cfg_file.write_text(text)
    loaded = config.read()
    assert loaded.config == Config(), "the defaults are used"
    assert_one_sentence(loaded.problem, str(cfg_file), "moved to config.toml.bad-", "defaults are used", *needles)
    assert not cfg_file.exists()
    [kept] = cfg_file.parent.glob("config.toml.bad-*")
    assert kept.read_text() == text, "the user's file is kept, byte for byte"
    assert config.read() == config.Loaded(Config()), "once moved, the defaults hold without a word"


def test_a_second_broken_file_does_not_replace_the_first(own_cfg):
    cfg_file = own_cfg
    cfg_file.write_text("sync = 1\n")
    first = config.read().problem
    cfg_file.write_text("sync = 2\n")
    second = config.read().problem
    assert first != second
    assert sorted(p.read_text() for p in cfg_file.parent.glob("config.toml.bad-*")) == ["sync = 1\n", "sync = 2\n"]


def test_unreadable_config_files(own_cfg):
    cfg_file = own_cfg
    cfg_file.write_bytes(b'theme = "caf\xe9"\n')
    loaded = config.read()
    assert_one_sentence(loaded.problem, "is not UTF-8 text", "moved to")
    assert loaded.config == Config()
    cfg_file.mkdir()  # a folder where the file should be: reported, left alone
    loaded = config.read()
    assert_one_sentence(loaded.problem, "is a folder, not a file", "defaults are used")
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
    assert path.read_text() == 'theme = "b"\n'  # only what differs from the defaults
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
    assert "sync" in notice and "true or false" in notice and "ignored" in notice
    assert cfg_file.read_text() == "sync = 'no'\n"  # named by TASKTUI_CONFIG: never moved


def test_cli_uses_the_day_length(capsys, cfg_file, tmp_path):
    cfg_file.write_text("day_hours = 6\n")
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n- [ ] a\n  - **Estimated Time**: 1 hour\n")
    assert run(capsys, "time", path, "a", "1d")[0] == 0
    assert b"**Actual Time**: 6 hours" in path.read_bytes()


# ------------------------------------------------------------ files that are not a config
def test_a_file_the_user_named_is_never_moved(cfg_file, tmp_path, monkeypatch):
    """TASKTUI_CONFIG pointing at a file of the user's (a copy of /etc/passwd): it is
    not TOML, so the defaults are used, and the file stays where it is, byte for byte."""
    theirs = tmp_path / "passwd"
    theirs.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    monkeypatch.setenv("TASKTUI_CONFIG", str(theirs))
    loaded = config.read()
    assert loaded.config == Config()
    assert_one_sentence(loaded.problem, str(theirs), "could not be read as TOML", "ignored", "defaults are used")
    assert theirs.read_bytes() == b"root:x:0:0:root:/root:/bin/bash\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passwd"]


def test_a_linked_default_config_is_not_moved(own_cfg, tmp_path):
    """A dotfile manager's link at the default path: the file is the user's, so a bad
    value is reported and the link and its target stay."""
    target = tmp_path / "dotfiles-config.toml"
    target.write_text("sync = 'no'\n")
    own_cfg.symlink_to(target)
    loaded = config.read()
    assert_one_sentence(loaded.problem, "true or false", "ignored")
    assert own_cfg.is_symlink() and target.read_text() == "sync = 'no'\n"


def _hangs_if_blocking(path: Path) -> config.Loaded:
    """config.read() in a thread, failing the test rather than hanging it."""
    import threading

    found = []
    reader = threading.Thread(target=lambda: found.append(config.read()), daemon=True)
    reader.start()
    reader.join(10)
    assert found, f"reading {path} as the config blocked"
    return found[0]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
@pytest.mark.parametrize("where", ["named", "own"])
def test_a_config_that_is_not_a_regular_file(kind, where, cfg_file, tmp_path, monkeypatch, request):
    path = cfg_file if where == "named" else request.getfixturevalue("own_cfg")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        if where == "named":
            monkeypatch.setenv("TASKTUI_CONFIG", "/dev/zero")
            path = Path("/dev/zero")
        else:
            path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    loaded = _hangs_if_blocking(path)
    assert loaded.config == Config()
    assert_one_sentence(loaded.problem, str(path), "defaults are used")
    assert ("is a folder, not a file" if kind == "folder" else "is not a regular file") in loaded.problem
    assert os.path.lexists(path), "nothing is moved"


@pytest.mark.parametrize("where", ["named", "own"])
def test_a_config_over_a_megabyte(where, cfg_file, request):
    path = cfg_file if where == "named" else request.getfixturevalue("own_cfg")
    path.write_bytes(b"# padding\n" * 110_000)
    loaded = config.read()
    assert loaded.config == Config()
    assert_one_sentence(loaded.problem, "larger than 1 MB", "defaults are used")


@pytest.mark.parametrize("where", ["named", "own"])
def test_a_config_nested_too_deep(where, cfg_file, request):
    """Arrays nested 600 deep: Python's TOML reader runs out of recursion."""
    path = cfg_file if where == "named" else request.getfixturevalue("own_cfg")
    text = "x = " + "[" * 600 + "]" * 600 + "\n"
    path.write_text(text)
    loaded = config.read()
    assert loaded.config == Config()
    assert_one_sentence(loaded.problem, "could not be read as TOML", "defaults are used")
    if where == "named":
        assert path.read_text() == text
    else:
        assert not path.exists() and "moved to" in loaded.problem


def test_the_cli_goes_on_with_a_fifo_as_its_config(capsys, cfg_file, tmp_path):
    os.mkfifo(cfg_file)
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    code, out, err = run(capsys, "list", path)
    assert code == 0 and "a" in out
    assert len(err.splitlines()) == 1 and "not a regular file" in err


# ------------------------------------------------------------------------ saving
def test_save_keeps_comments_order_and_unknown_keys(cfg_file):
    text = ('# my settings\nday_hours = 6  # a short day\nfuture_key = "kept"\ntheme = "nord"\n\n'
            '[dialects]\n"specs/*/tasks.md" = "speckit"  # ours\n\n[plugin]\nx = 1\n')
    cfg_file.write_text(text)
    config.save(replace(config.load(), theme="gruvbox"))
    assert cfg_file.read_text() == text.replace('theme = "nord"', 'theme = "gruvbox"')
    config.save(replace(config.load(), sync=False))
    assert cfg_file.read_text() == text.replace('theme = "nord"', 'theme = "gruvbox"\nsync = false')


def test_save_through_a_link_writes_its_target(cfg_file, tmp_path):
    target = tmp_path / "dotfiles" / "tasktui.toml"
    target.parent.mkdir()
    target.write_text("# managed\ntheme = \"nord\"\n")
    os.chmod(target, 0o640)
    cfg_file.symlink_to(target)
    config.save(Config(theme="gruvbox"))
    assert cfg_file.is_symlink() and os.readlink(cfg_file) == str(target)
    assert target.read_text() == "# managed\ntheme = \"gruvbox\"\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["tasktui.toml"]


def test_save_refuses_a_file_it_cannot_read_as_toml(cfg_file):
    cfg_file.write_text("root:x:0:0\n")
    with pytest.raises(config.SaveError) as info:
        config.save(Config(theme="gruvbox"))
    assert_one_sentence(str(info.value), "could not be read as TOML", "not saved")
    assert cfg_file.read_text() == "root:x:0:0\n"


def test_save_where_the_folder_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TASKTUI_CONFIG", str(blocker / "config.toml"))
    with pytest.raises(config.SaveError) as info:
        config.save(Config(theme="gruvbox"))
    assert_one_sentence(str(info.value), "could not", "not saved")
    assert blocker.read_text() == "x"


def test_two_saves_at_once_never_share_a_temporary_file(cfg_file):
    """Each save has its own temporary name: two instances changing the theme at the
    same moment leave one of the two whole files, never a mix or an error."""
    import threading

    cfg_file.write_text('theme = "nord"\n')
    errors = []

    def save(theme):
        try:
            for _ in range(30):
                config.save(Config(theme=theme))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(t,)) for t in ("aaa", "bbb")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cfg_file.read_text() in ('theme = "aaa"\n', 'theme = "bbb"\n')
    assert not [p for p in cfg_file.parent.iterdir() if p.name.endswith(".tmp")]
