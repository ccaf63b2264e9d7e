"""Settings shared by the CLI and the app, in one TOML file in the user's config folder.

    day_hours = 8        # length of a working day for durations like "2d"
    sync = true          # keep the template's Progress Tracking lines in step with each edit
    theme = "textual-dark"
    workdays = ["mon", "tue", "wed", "thu", "fri"]   # the working days of velocity and forecasts
    legend_off = ["ROADMAP.md"]   # files (path patterns, as in [dialects]) whose legend is not read

    [dialects]           # what a file is, by its path, where its contents do not say clearly
    "specs/*/tasks.md" = "speckit"

``TASKTUI_CONFIG`` names another file (tests use it).

A file that cannot be used (not TOML, not UTF-8, a value of the wrong type or
out of range) never stops tasktui: it is moved aside, kept under a
``.bad-<time>`` suffix, the defaults are used, and ``read()`` says so in one
sentence for the caller to show. The same rule holds for the state files
(``aside``).
"""

from __future__ import annotations

import math
import os
import time
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import platformdirs

from tasktui.doc.dialect import DIALECTS  # one list, in the model

APP = "tasktui"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = Python's weekday() (Monday 0)
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_number(value) -> int | None:
    """Python's weekday number (Monday 0) of a weekday as the config may write it: a
    name (``"mon"``, ``"Monday"``) or an ISO number (Monday 1 ... Sunday 7); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value - 1 if 1 <= value <= 7 else None
    if isinstance(value, str):
        name = value.strip().lower()
        for names in (WEEKDAYS, _FULL_WEEKDAYS):
            if name in names:
                return names.index(name)
    return None


@dataclass(frozen=True)
class Config:
    day_hours: float = 8.0
    sync: bool = True
    theme: str = "textual-dark"
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # working days, Monday 0 (velocity and forecasts)
    dialects: tuple[tuple[str, str], ...] = ()  # (path pattern, dialect), in the file's order
    legend_off: tuple[str, ...] = ()  # path patterns of files whose legend is not read

    def dialect_for(self, path: str | os.PathLike[str]) -> str | None:
        """The dialect the config sets for ``path``: the first pattern that matches the
        end of its path (``*`` stays within one folder name), or None."""
        for pattern, dialect in self.dialects:
            if _matches(path, pattern):
                return dialect
        return None

    def legend_for(self, path: str | os.PathLike[str]) -> bool:
        """Whether a legend in the file at ``path`` is read: not when a ``legend_off``
        pattern matches the end of its path (as ``dialect_for`` matches)."""
        return not any(_matches(path, pattern) for pattern in self.legend_off)


def _matches(path: str | os.PathLike[str], pattern: str) -> bool:
    """Whether ``pattern`` matches the end of ``path`` (absolute, or as given)."""
    from pathlib import PurePath

    return any(c.match(pattern) for c in (PurePath(os.path.abspath(path)), PurePath(path)))


@dataclass(frozen=True)
class Loaded:
    config: Config
    problem: str | None = None  # one sentence when the file could not be used


class ConfigError(ValueError):
    """A value in the config file that cannot be used; str() is one sentence."""


def config_path() -> Path:
    env = os.environ.get("TASKTUI_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def state_dir() -> Path:
    """Where tasktui keeps its own state (the running timer), never next to the user's file."""
    env = os.environ.get("TASKTUI_STATE_DIR")
    return Path(env) if env else Path(platformdirs.user_state_dir(APP))


def aside(path: Path, why: str, instead: str = "the defaults are used") -> str:
    """Move the unusable file ``path`` out of the way (renamed, bytes kept) and say so
    in one sentence: ``why``, where it went, and what happens ``instead``."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for n in range(100):
        target = path.with_name(f"{path.name}.bad-{stamp}" + (f"-{n}" if n else ""))
        if not os.path.lexists(target):
            break
    try:
        os.replace(path, target)
    except OSError as exc:
        return f"{why}; it could not be moved aside ({exc.strerror or exc}), so it is ignored and {instead}."
    return f"{why}; it was moved to {target.name} and {instead}."


def values(raw: dict, path: Path) -> Config:
    """The Config a parsed file states; ConfigError for a value of the wrong type or range.
    Unknown keys are ignored (a newer tasktui may have written them)."""
    out = {}
    if "day_hours" in raw:
        day = raw["day_hours"]
        if isinstance(day, bool) or not isinstance(day, (int, float)):
            raise ConfigError(f"day_hours in {path} must be a number of hours")
        if not (math.isfinite(day) and 0 < day <= 24):
            raise ConfigError(f"day_hours in {path} must be between 0 and 24")
        out["day_hours"] = float(day)
    if "sync" in raw:
        if not isinstance(raw["sync"], bool):
            raise ConfigError(f"sync in {path} must be true or false")
        out["sync"] = raw["sync"]
    if "theme" in raw:
        theme = raw["theme"]
        if not isinstance(theme, str) or not theme.strip() or len(theme) > 100 or not theme.isprintable():
            raise ConfigError(f"theme in {path} must be the name of a theme, in quotes")
        out["theme"] = theme
    if "workdays" in raw:
        days = raw["workdays"]
        numbers = [weekday_number(d) for d in days] if isinstance(days, list) else [None]
        if not days or None in numbers:
            raise ConfigError(f"workdays in {path} must be a list of weekdays, such as [\"mon\", \"tue\", \"wed\", "
                              f"\"thu\", \"fri\"] (or ISO numbers, Monday 1 to Sunday 7)")
        out["workdays"] = tuple(sorted(set(numbers)))
    if "dialects" in raw:
        table = raw["dialects"]
        if not isinstance(table, dict) or not all(isinstance(k, str) and k.strip() for k in table):
            raise ConfigError(f"dialects in {path} must be a table of path patterns, such as \"specs/*/tasks.md\" = \"speckit\"")
        for pattern, dialect in table.items():
            if dialect not in DIALECTS:
                raise ConfigError(f"the dialect for {pattern!r} in {path} must be one of {', '.join(DIALECTS)}")
        out["dialects"] = tuple(table.items())
    if "legend_off" in raw:
        patterns = raw["legend_off"]
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
            raise ConfigError(f"legend_off in {path} must be a list of path patterns, such as [\"docs/*/ROADMAP.md\"]")
        out["legend_off"] = tuple(patterns)
    return replace(Config(), **out)


def read() -> Loaded:
    """The settings, and a sentence when the file could not be used. Never raises."""
    path = config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Loaded(Config())
    except OSError as exc:  # a folder, no permission: nothing to move, nothing to use
        return Loaded(Config(), f"The config file {path} could not be read ({exc.strerror or exc}), so the defaults are used.")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Loaded(Config(), aside(path, f"The config file {path} is not UTF-8 text"))
    except tomllib.TOMLDecodeError as exc:
        return Loaded(Config(), aside(path, f"The config file {path} could not be read as TOML ({exc})"))
    try:
        return Loaded(values(raw, path))
    except ConfigError as exc:
        return Loaded(Config(), aside(path, f"In the config file, {exc}"))


def load() -> Config:
    """The settings (defaults where the file could not be used; ``read()`` says why)."""
    return read().config


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(cfg: Config) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for key, value in asdict(cfg).items():
        if key == "dialects":
            continue
        if key == "legend_off":  # written only when set, as workdays
            if value:
                lines.append(f"legend_off = [{', '.join(_toml_string(p) for p in value)}]")
            continue
        if key == "workdays":  # written only when set: the files of earlier versions stay as they were
            if value != Config.workdays:
                lines.append(f"workdays = [{', '.join(_toml_string(WEEKDAYS[d]) for d in value)}]")
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            number = float(value)
            lines.append(f"{key} = {int(number) if number.is_integer() else repr(number)}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    if cfg.dialects:
        lines += ["", "[dialects]"] + [f"{_toml_string(p)} = {_toml_string(d)}" for p, d in cfg.dialects]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
