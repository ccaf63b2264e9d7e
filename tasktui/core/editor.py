"""The command line that opens a tasks file in the user's editor at a line.

``$VISUAL`` (else ``$EDITOR``) is split as a shell would (shlex), never run by
a shell. The file is passed as an absolute path, so that a name starting with
``-`` or ``+`` cannot be read as an option. Editors known to take a line number
get it in their own form, each flag once; any other editor gets just the file.
"""

from __future__ import annotations

import os
import shlex
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
