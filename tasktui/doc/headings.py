"""What a heading is, by its own words: the one rule for the sections tasktui
reads and writes besides the work (the log, Progress Tracking, Time Tracking,
Completion Status) and for the end gates (Definition of Done, Acceptance
Criteria ...).

A heading is such a section when its words *are* the section's name, not when
the name is somewhere inside it: "Blockers & Decisions Log", "Decisions" and
"Blockers" (and a bare "Log") are the log, "Phase 5: Progress Tracking in TUI"
is a phase, and "Login", "Catalog", "Backlog" and "Change Log" are nothing of
the kind. (A "Logs" heading over tasks about logging names the log too: its
tasks say it is work, and tasktui.doc.edits.log writes no entry under it.) The words are
compared without case, emphasis, emoji, numbering (``5.2``), a note in
parentheses, ``&`` / ``and``, or a plural ``s``.
"""

from __future__ import annotations

import re
from functools import lru_cache

LOG, PROGRESS, TIME, ESTIMATES, COMPLETION = "log", "progress", "time", "estimates", "completion"

_PARTS = {
    LOG: ("log", "decision", "decision log", "blocker", "blocker log", "blocker decision", "blocker decision log",
          "decision blocker", "decision blocker log", "blocker and decision log"),
    PROGRESS: ("progress tracking",),
    TIME: ("time tracking",),
    ESTIMATES: ("time estimate", "time estimate summary"),
    COMPLETION: ("completion status",),
}
_GATES = ("definition of done", "success criterion", "acceptance criterion", "exit criterion", "completion checklist",
          "release checklist", "quality gate")

_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_WORDS = re.compile(r"[^\W\d_]+")
_DROP = {"and", "the"}


def _singular(word: str) -> str:
    if word in ("criteria",):
        return "criterion"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")) else word


@lru_cache(maxsize=4096)
def words(text: str) -> str:
    """A heading's words as compared: lower case, letters only, each singular, joined by spaces."""
    found = _WORDS.findall(_NOTE.sub(" ", text).lower())
    return " ".join(_singular(w) for w in found if w not in _DROP)


_BY_WORDS = {words(name): part for part, names in _PARTS.items() for name in names}
_GATE_WORDS = frozenset(words(name) for name in _GATES)


def part(text: str) -> str | None:
    """Which tracking section a heading is: LOG, PROGRESS, TIME, ESTIMATES or COMPLETION, else None."""
    return _BY_WORDS.get(words(text))


def is_gate(text: str) -> bool:
    """Whether a heading names an end gate: Definition of Done, Success / Acceptance /
    Exit Criteria, Completion / Release Checklist, Quality Gates."""
    return words(text) in _GATE_WORDS
