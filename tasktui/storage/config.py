"""Settings shared by the CLI and the app, in one TOML file in the user's config folder.

    day_hours = 8        # length of a working day for durations like "2d"
    sync = true          # keep the template's Progress Tracking lines in step with each edit
    theme = "textual-dark"
    workdays = ["mon", "tue", "wed", "thu", "fri"]   # the working days of velocity and forecasts
    legend_off = ["ROADMAP.md"]   # files (path patterns, as in [dialects]) whose legend is not read

    [dialects]           # what a file is, by its path, where its contents do not say clearly
    "specs/*/tasks.md" = "speckit"

``TASKTUI_CONFIG`` names another file (tests use it).

Reading never blocks and never stops tasktui: only a regular file of at most
MAX_BYTES is read (opened without blocking, so a FIFO cannot hang a command);
anything else, or a file that is not UTF-8, not TOML, nested too deep for the
TOML reader or holding a value of the wrong type, gives the defaults and one
sentence for the caller to show. Such a file is moved aside (kept under a
``.bad-<time>`` suffix) only when it is tasktui's own: at the default path, and
not a symbolic link; a file the user named with ``TASKTUI_CONFIG`` is never
moved. The same rule holds for the timer's state file (``aside``).

Saving (the theme, from the app) changes only the values that differ, in the
file as it is (tomlkit): comments, order and keys tasktui does not know stay.
A config that is a symbolic link (dotfile managers make these) is read through
the link and saved to its target; the link itself stays.
"""

from __future__ import annotations

import errno
import math
import os
import stat
import time
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

from tasktui.storage import private

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


MAX_BYTES = 1024 * 1024  # a config file is a few lines; anything bigger is not one


def config_path() -> Path:
    env = os.environ.get("TASKTUI_CONFIG")
    if env:
        return Path(env)
    return default_config_path()


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def state_dir() -> Path:
    """Where tasktui keeps its own state (the running timer), never next to the user's file."""
    env = os.environ.get("TASKTUI_STATE_DIR")
    return Path(env) if env else Path(platformdirs.user_state_dir(APP))


def aside(path: Path, why: str, instead: str = "the defaults are used") -> str:
    """Move tasktui's own unusable file ``path`` out of the way (renamed, bytes kept)
    and say so in one sentence: ``why``, where it went, and what happens ``instead``."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    try:
        moved = private.move_aside(path, f"{path.name}.bad-{stamp}")
    except OSError as exc:
        return f"{why}; it could not be moved aside ({exc.strerror or exc}), so it is ignored and {instead}."
    return f"{why}; it was moved to {moved.name} and {instead}."


def read_bytes_of(path: Path, limit: int = MAX_BYTES) -> tuple[bytes | None, str | None]:
    """The bytes of the regular file ``path`` (through links), at most ``limit``, read
    without blocking on a FIFO or a device; else (None, why: a phrase that completes
    "The config file <path> ..."). A missing file is (None, None)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"could not be read ({exc.strerror or exc})"
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, "is a folder, not a file"
        if not stat.S_ISREG(st.st_mode):
            return None, "is not a regular file"
        if st.st_size > limit:
            return None, f"is larger than {_size(limit)}"
        os.set_blocking(fd, True)
        return private.read_limited(fd, limit, path), None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return None, f"is larger than {_size(limit)}"
        return None, f"could not be read ({exc.strerror or exc})"
    finally:
        os.close(fd)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def own_file(path: Path, default: Path) -> bool:
    """Whether ``path`` is tasktui's own file at its ``default`` place (not a path the
    user named, not a link to a file of theirs): only such a file is ever moved aside."""
    return path == default and not os.path.islink(path)


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
    data, why = read_bytes_of(path)
    if why is not None:  # a folder, a FIFO, a device, too big, no permission: nothing to move
        return Loaded(Config(), f"The config file {path} {why}, so the defaults are used.")
    if data is None:
        return Loaded(Config())
    import tomllib  # only when there is a file to read: most starts have none

    try:
        raw = tomllib.loads(data.decode("utf-8"))
        return Loaded(values(raw, path))
    except UnicodeDecodeError:
        problem = f"The config file {path} is not UTF-8 text"
    except tomllib.TOMLDecodeError as exc:
        problem = f"The config file {path} could not be read as TOML ({exc})"
    except RecursionError:
        problem = f"The config file {path} could not be read as TOML (it is nested too deep)"
    except ConfigError as exc:
        problem = f"In the config file, {exc}"
    if own_file(path, default_config_path()):
        return Loaded(Config(), aside(path, problem))
    return Loaded(Config(), f"{problem}, so it is ignored and the defaults are used.")


def load() -> Config:
    """The settings (defaults where the file could not be used; ``read()`` says why)."""
    return read().config


class SaveError(Exception):
    """The config could not be saved; str() is one sentence."""


def _as_toml(field: str, value):
    if field == "workdays":
        return [WEEKDAYS[d] for d in value]
    if field == "day_hours":
        return int(value) if float(value).is_integer() else float(value)
    if field == "dialects":
        return dict(value)
    if field == "legend_off":
        return list(value)
    return value


def save(cfg: Config) -> None:
    """Write the values of ``cfg`` that differ from what the file says into the file
    as it is (comments, order and unknown keys stay), through the one atomic writer;
    a link is followed and its target written. Raises SaveError with one sentence,
    writing nothing, when the file cannot be read back first or cannot be written."""
    import tomlkit

    path = config_path()
    target = Path(os.path.realpath(path))
    data, why = read_bytes_of(target)
    if why is not None:
        raise SaveError(f"The config file {path} {why}, so the settings were not saved.")
    try:
        document = tomlkit.parse(data.decode("utf-8")) if data else tomlkit.document()
    except (UnicodeDecodeError, RecursionError, tomlkit.exceptions.TOMLKitError):
        raise SaveError(f"The config file {path} could not be read as TOML, so the settings were not saved.") from None
    try:
        current = values(document.unwrap(), path)
    except ConfigError:
        current = Config()  # its values that cannot be used stay as they are, unless changed here
    defaults = Config()
    for field in ("day_hours", "sync", "theme", "workdays", "dialects", "legend_off"):
        new, old = getattr(cfg, field), getattr(current, field)
        if new == old and (field in document or new == getattr(defaults, field)):
            continue  # as the file says (or leaves to the default): untouched
        document[field] = _as_toml(field, new)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode) if data is not None else 0o644
    except OSError:
        mode = 0o644
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        private.write_file(target, tomlkit.dumps(document).encode("utf-8"), mode=mode)
    except OSError as exc:
        raise SaveError(f"The config file {path} could not be written ({exc.strerror or exc}); "
                        "the settings were not saved.") from None
