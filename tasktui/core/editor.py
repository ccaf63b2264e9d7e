"""The command line that opens a tasks file in the user's editor at a line.

``$VISUAL`` (else ``$EDITOR``) is split as a shell would (shlex), never run by
a shell; ``runnable`` checks, before the app gives the terminal away, that its
program is there and can be run, so a setting that names none (a typo, or
shell syntax such as ``vim; touch X``, ``$(...)`` or backticks, which no shell
will ever see) is one sentence and the app goes on as it was. The file is passed as an absolute path, so that a name starting with
``-`` or ``+`` cannot be read as an option. Editors known to take a line number
get it in their own form, each flag once; any other editor gets just the file.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path


class EditorError(ValueError):
    """The editor setting cannot be used; str() is one sentence."""


# editors that open FILE at LINE with "+LINE FILE"
_PLUS_LINE = {"vi", "vim", "nvim", "gvim", "mvim", "view", "nano", "pico", "emacs", "emacsclient", "micro", "kak",
              "joe", "jed", "ne", "mg", "mcedit", "gedit", "vis", "amp"}
# editors that take "--goto FILE:LINE" and need "--wait" to block until the file is closed
_GOTO = {"code", "code-insiders", "codium", "vscodium", "cursor", "windsurf", "positron"}
# editors that take "FILE:LINE" (and a wait flag, when they have one)
_COLON = {"subl": "-w", "sublime_text": "-w", "zed": "--wait", "hx": None, "helix": None}


def editor_command(path: str | os.PathLike[str], line: int, env: Mapping[str, str] | None = None) -> list[str]:
    """The argv that opens ``path`` at 1-based ``line``; EditorError when no usable editor is set."""
    env = os.environ if env is None else env
    name = "VISUAL" if env.get("VISUAL", "").strip() else "EDITOR"
    setting = env.get(name, "")
    if not setting.strip():
        raise EditorError("Set $VISUAL or $EDITOR to choose an editor.")
    try:
        command = shlex.split(setting)
    except ValueError as exc:
        raise EditorError(f"${name} cannot be read as a command ({exc}): fix its quotes.") from None
    if not command:
        raise EditorError(f"${name} names no program.")
    file = str(Path(path).absolute())
    program = Path(command[0]).name
    line = max(1, int(line))
    if program in _PLUS_LINE:
        return [*command, f"+{line}", file]
    if program in _GOTO:
        extra = [] if {"--wait", "-w"} & set(command[1:]) else ["--wait"]
        if "--goto" in command[1:] or "-g" in command[1:]:
            command = [c for c in command if c not in ("--goto", "-g")]
        return [*command, *extra, "--goto", f"{file}:{line}"]
    if program in _COLON:
        wait = _COLON[program]
        extra = [wait] if wait and wait not in command[1:] else []
        return [*command, *extra, f"{file}:{line}"]
    return [*command, file]


_SHELL_SYNTAX = (";", "|", "&", "$(", "`", ">", "<")


def runnable(command: list[str], env: Mapping[str, str] | None = None) -> list[str]:
    """``command`` with its program as the path that will run; EditorError, in one
    sentence, when there is no such program or it cannot be run."""
    env = os.environ if env is None else env
    name = "VISUAL" if env.get("VISUAL", "").strip() else "EDITOR"
    program = command[0]
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if found is None or not _executable_file(found):
        shown = program if len(program) <= 60 else program[:59] + "…"
        setting = env.get(name, "")
        if any(mark in setting for mark in _SHELL_SYNTAX):
            raise EditorError(f"${name} is shell syntax, which tasktui does not run through a shell: "
                              f"set it to an editor program (and its options), such as vim or code --wait.")
        raise EditorError(f"${name} names {shown!r}, which is not a program that can be run here.")
    return [found, *command[1:]]


def _executable_file(path: str) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and os.access(path, os.X_OK) and bool(st.st_mode & 0o111)
