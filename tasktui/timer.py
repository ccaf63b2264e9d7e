"""The running timer: one per user, kept in tasktui's state folder (never in the
tasks file) so that it survives quitting, restarting and crashes. Stopping it
books the elapsed time, rounded to the minute, into the task's Actual Time."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from tasktui import config, store
from tasktui.doc.model import TaskKey


@dataclass(frozen=True)
class RunningTimer:
    file: str  # resolved path of the tasks file
    key_id: str | None
    key_path: tuple[str, ...]
    key_text: str
    key_occurrence: int
    label: str  # what to call the task on screen
    started: float  # epoch seconds

    @property
    def key(self) -> TaskKey:
        return TaskKey(self.key_id, tuple(self.key_path), self.key_text, self.key_occurrence)

    def elapsed(self, now: float) -> float:
        return max(0.0, now - self.started)

    def for_file(self, path: str | Path) -> bool:
        return self.file == str(store.resolve(path))


def state_file() -> Path:
    return config.state_dir() / "timer.json"


def load() -> RunningTimer | None:
    try:
        raw = json.loads(state_file().read_text(encoding="utf-8"))
        raw["key_path"] = tuple(raw["key_path"])
        return RunningTimer(**raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return None  # a damaged state file is not a running timer


def save(timer: RunningTimer) -> None:
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".timer.{os.getpid()}.tmp")
    data = asdict(timer)
    data["key_path"] = list(timer.key_path)
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def clear_if(timer: RunningTimer) -> None:
    """Forget ``timer`` unless another one has been started since."""
    if load() == timer:
        clear()


def clear() -> None:
    try:
        state_file().unlink()
    except FileNotFoundError:
        pass


def start(path: str | Path, key: TaskKey, label: str, now: float) -> RunningTimer:
    timer = RunningTimer(str(store.resolve(path)), key.id, tuple(key.path), key.text, key.occurrence, label, now)
    save(timer)
    return timer


def booked_hours(seconds: float) -> float:
    """Elapsed time rounded to the minute (half a minute and more rounds up), in hours."""
    return math.floor(seconds / 60 + 0.5) / 60


def clock_label(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
