"""The states a task can be in: the one list of them, what they are called, and
which checkbox marks mean which state in each dialect."""

from __future__ import annotations

TODO, DONE, IN_PROGRESS, QUEUED, CANCELLED, OTHER = "todo", "done", "in_progress", "queued", "cancelled", "other"
BLOCKED, REVIEW, DRAFT = "blocked", "review", "draft"

STATES = (TODO, DONE, IN_PROGRESS, QUEUED, BLOCKED, REVIEW, DRAFT, CANCELLED, OTHER)
"""Every state, in the order people read them."""

SETTABLE = (TODO, DONE, IN_PROGRESS, QUEUED, BLOCKED, REVIEW, DRAFT, CANCELLED)
"""The states an edit can set (``other`` is only ever read from a file)."""

HELD = frozenset((BLOCKED, REVIEW, DRAFT))
"""Open required work that cannot be taken up now (only a file's legend has marks
for them): never ready, and never what holds the tasks after it in its phase."""

NAMES = {TODO: "to do", DONE: "done", IN_PROGRESS: "in progress", QUEUED: "queued", BLOCKED: "blocked",
         REVIEW: "review", DRAFT: "draft", CANCELLED: "cancelled", OTHER: "other"}
"""How each state is called on screen and in messages."""

MARKS = {" ": TODO, "x": DONE, "X": DONE, "/": IN_PROGRESS, "-": CANCELLED, "~": QUEUED}
KIRO_MARKS = {" ": TODO, "x": DONE, "X": DONE, "-": IN_PROGRESS, "~": QUEUED}


def marks_for(dialect: str) -> dict[str, str]:
    """Mark -> state for a dialect, when the file has no legend of its own; a mark
    not in it is ``other``."""
    return KIRO_MARKS if dialect == "kiro" else MARKS
