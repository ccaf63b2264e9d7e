"""The running timer: one per user, kept in tasktui's state folder (never in the
tasks file) so that it survives quitting, restarting and crashes. Stopping it
books the elapsed time, rounded to the minute, into the task's Actual Time."""

from __future__ import annotations

import errno
import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from tasktui.storage import config, private, store
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


MAX_BYTES = 64 * 1024  # a timer's state is a few hundred bytes


def read() -> tuple[RunningTimer | None, str | None]:
    """The running timer, if any, and a sentence when the state file could not be used
    (it is then moved aside, kept, and no timer is running). The state folder follows
    tasktui's folder rule (tasktui.storage.private) and the file is read only when it
    is a regular file of the user's, not a link."""
    path = state_file()
    if not os.path.lexists(path):
        return None, None
    if private.private_folder(path.parent) is None:
        return None, f"The timer state folder {path.parent} is not a private folder of yours, so no timer is running."
    try:
        data = private.read_private(path, MAX_BYTES)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return None, config.aside(path, f"The timer state {path} could not be used (it is larger than "
                                            f"{MAX_BYTES // 1024} KB)", "no timer is running")
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
    """Keep ``timer`` in the state folder (private, through the one atomic writer);
    OSError when that folder cannot be had."""
    path = state_file()
    if private.private_folder(path.parent) is None:
        raise OSError(errno.EPERM, f"{path.parent} is not a private folder of yours")
    data = asdict(timer)
    data["key_path"] = list(timer.key_path)
    private.write_file(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


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
