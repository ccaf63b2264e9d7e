"""The folder the MCP server serves, and the one rule for the files an agent may name.

An agent names a file by its path relative to the root (as ``overview`` lists
it); whatever that path resolves to (``..``, a symlink) must lie below the
root, or it is refused. A resource names the same file as
``tasktui://<that path>``, percent-encoded. The root itself may not be ``/``
or the home folder: an agent has no business with every file of the machine."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote

from tasktui.core import workspace

SCHEME = "tasktui://"


class RootError(Exception):
    """The folder cannot be served: one sentence."""


class OutsideRoot(ValueError):
    """A file an agent named that is not a file below the root: one sentence."""


class Root:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        shown = os.fspath(folder)
        real = Path(os.path.realpath(Path(folder).expanduser()))
        if not real.is_dir():
            raise RootError(f"{shown} is not a folder: tasktui mcp serves the tasks files below a folder")
        if real == Path(real.anchor) or real == Path(os.path.realpath(Path.home())):
            raise RootError(f"tasktui mcp does not serve {real} itself: give it the project's folder "
                            "(tasktui mcp PROJECT, or run it from there)")
        self.path = real

    def file(self, name: str) -> Path:
        """The file ``name`` (relative to the root) names, resolved; OutsideRoot unless it
        is a file below the root."""
        if not name.strip():
            raise OutsideRoot("name a tasks file by its path below the root, as overview lists it")
        if os.path.isabs(name) or name.startswith("~"):
            raise OutsideRoot(f"{name!r} is not a path relative to the root: give the file's path below "
                              f"{self.path}, as overview lists it")
        try:
            real = Path(os.path.realpath(self.path / name))
        except (OSError, ValueError):
            raise OutsideRoot(f"{name!r} is not a path tasktui can read") from None
        if not real.is_relative_to(self.path) or real == self.path:
            raise OutsideRoot(f"{name!r} is outside the root {self.path}: only the files below it are served")
        if not real.is_file():
            raise OutsideRoot(f"there is no file {name!r} below the root")
        return real

    def rel(self, path: Path) -> str:
        """``path`` (below the root) as an agent names it."""
        return path.relative_to(self.path).as_posix()

    def uri(self, path: Path) -> str:
        return SCHEME + quote(self.rel(path), safe="/", errors="surrogateescape")

    def from_uri(self, uri: str) -> Path:
        """The file a ``tasktui://`` URI names, by the same rule as ``file``."""
        if not uri.startswith(SCHEME):
            raise OutsideRoot(f"{uri!r} is not a tasktui resource (they start with {SCHEME})")
        return self.file(unquote(uri[len(SCHEME):], errors="surrogateescape"))

    def tasks_files(self) -> list[Path]:
        """The tasks files below the root, by the overview's rule (tasktui.core.workspace)."""
        found = (Path(os.path.realpath(p)) for p in workspace.find_tasks_files(self.path))
        return [p for p in found if p.is_relative_to(self.path)]
