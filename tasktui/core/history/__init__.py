"""Progress over time, from the tasks file's own git history. No Textual.

The file says what is done, not when; its git history does. ``compute`` reads
it and returns a ``History``: the commits that changed the file (followed
through its renames), what each version adds up to, when each task was done,
the uncommitted changes as one more version, and the velocity and forecast.

One module per job:

- ``git``: the commits that changed the file and their bytes (``git log``, one
  ``git cat-file --batch``), and ``last_commits`` for the overview;
- ``versions``: each version as a Document patched from the one before;
- ``matching``: which task of one version is which of the next;
- ``cache``: what each commit adds up to, kept in tasktui's store;
- ``forecast``: velocity and forecast, and ``describe`` in words;
- ``values``: the frozen values ``compute`` returns;
- ``reading``: ``compute``, which puts them together (in the worker pool for
  many versions).

The app, the command line and the MCP server use the names below.
"""

from tasktui.core.history.forecast import describe
from tasktui.core.history.git import HistoryError, last_commits
from tasktui.core.history.reading import Stopped, compute
from tasktui.core.history.values import History

__all__ = ["History", "HistoryError", "Stopped", "compute", "describe", "last_commits"]
