"""Settings shared by the CLI and the app, in one TOML file in the user's config folder.

    day_hours = 8        # length of a working day for durations like "2d"
    sync = true          # keep the template's Progress Tracking lines in step with each edit
    theme = "textual-dark"

``TASKTUI_CONFIG`` names another file (tests use it).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import platformdirs

APP = "tasktui"


@dataclass(frozen=True)
class Config:
    day_hours: float = 8.0
    sync: bool = True
    theme: str = "textual-dark"


class ConfigError(ValueError):
    pass


def config_path() -> Path:
    env = os.environ.get("TASKTUI_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def state_dir() -> Path:
    """Where tasktui keeps its own state (the running timer), never next to the user's file."""
    env = os.environ.get("TASKTUI_STATE_DIR")
    return Path(env) if env else Path(platformdirs.user_state_dir(APP))


def load() -> Config:
    path = config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"the config file {path} could not be read: {exc}") from None
    cfg = Config()
    values = {}
    if "day_hours" in raw:
        try:
            if isinstance(raw["day_hours"], bool):
                raise TypeError
            day = float(raw["day_hours"])
        except (TypeError, ValueError):
            raise ConfigError(f"day_hours in {path} must be a number of hours") from None
        if not 0 < day <= 24:
            raise ConfigError(f"day_hours in {path} must be between 0 and 24")
        values["day_hours"] = day
    if "sync" in raw:
        if not isinstance(raw["sync"], bool):
            raise ConfigError(f"sync in {path} must be true or false")
        values["sync"] = raw["sync"]
    if "theme" in raw:
        if not isinstance(raw["theme"], str):
            raise ConfigError(f"theme in {path} must be the name of a theme, in quotes")
        values["theme"] = raw["theme"]
    return replace(cfg, **values)


def save(cfg: Config) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for key, value in asdict(cfg).items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            number = float(value)
            lines.append(f"{key} = {int(number) if number.is_integer() else repr(number)}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
