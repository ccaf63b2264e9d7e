"""The running timer: one per user, kept in tasktui's state folder (never in the
tasks file) so that it survives quitting, restarting and crashes. Stopping it
books the elapsed time, rounded to the minute, into the task's Actual Time."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from tasktui.storage import config, store
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


def _checked(raw) -> RunningTimer:
    """The RunningTimer ``raw`` (parsed JSON) describes; ValueError naming the first bad field."""
    if not isinstance(raw, dict):
        raise ValueError("it is not a JSON object")

    def text(name: str, *, optional: bool = False, limit: int = 4096) -> str | None:
        value = raw.get(name)
        if value is None and optional and name in raw:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"its {name} is not a text")
        return value

    file = text("file")
    if not os.path.isabs(file) or "\0" in file:
        raise ValueError("its file is not an absolute path")
    path = raw.get("key_path")
    if not isinstance(path, list) or len(path) > 64 or not all(isinstance(p, str) and len(p) <= 4096 for p in path):
        raise ValueError("its key_path is not a list of headings")
    occurrence = raw.get("key_occurrence")
    if isinstance(occurrence, bool) or not isinstance(occurrence, int) or not 0 <= occurrence < 10**9:
        raise ValueError("its key_occurrence is not a count")
    started = raw.get("started")
    if isinstance(started, bool) or not isinstance(started, (int, float)) or not math.isfinite(started):
        raise ValueError("its started is not a time")
    if not 0 < started < 2**40:
        raise ValueError("its started time is out of range")
    return RunningTimer(file, text("key_id", optional=True), tuple(path), text("key_text"), occurrence,
                        text("label", limit=400), float(started))


def read() -> tuple[RunningTimer | None, str | None]:
    """The running timer, if any, and a sentence when the state file could not be used
    (it is then moved aside, kept, and no timer is running)."""
    path = state_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"The timer state {path} could not be read ({exc.strerror or exc}), so no timer is running."
    try:
        return _checked(json.loads(data.decode("utf-8"))), None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = "it is not JSON" if isinstance(exc, (UnicodeDecodeError, json.JSONDecodeError, RecursionError)) else str(exc)
        return None, config.aside(path, f"The timer state {path} could not be used ({why})", "no timer is running")


def load() -> RunningTimer | None:
    """The running timer, or None (also for a state file that cannot be used; ``read()`` says why)."""
    return read()[0]


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
