"""The command line: ``tasktui FILE`` opens the app; subcommands read and edit the
file for scripts and agents (tasktui.cli.commands)."""

from tasktui.cli.commands import main

__all__ = ["main"]
