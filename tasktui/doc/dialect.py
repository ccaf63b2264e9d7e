"""Which workflow wrote a tasks file, from the strongest evidence it gives.

In order: what the user said (``--dialect``, or a config pattern for the path);
where the file lives (``.kiro/specs/``, ``openspec/``, spec-kit's
``specs/NNN-name/``); then what it holds:

- spec-kit: most tasks start with a ``T001``-style id;
- Kiro: numbered tasks (``1.``, ``1.1``) with ``_Requirements: ..._`` lines,
  or numbered top-level tasks with numbered subtasks;
- OpenSpec: numbered headings (``## 1. Implementation``) over ``1.1``-style
  tasks, without Kiro's requirement lines;
- the template: at least two of its parts (``## Phase N`` headings, Completion
  Status lines, Time Tracking lines, a Progress Tracking, Time Tracking, Time
  Estimates or (Blockers &) Decisions Log heading, by the heading's own words as
  tasktui.doc.headings reads them, several ``**Estimated Time**`` lines). One
  label alone, such as an estimate in a Notes section, never decides.

``detect`` returns the dialect and the signals that decided it, in words.
"""

from __future__ import annotations

import re

from tasktui.doc import headings as heading_rule

DIALECTS = ("template", "speckit", "kiro", "openspec", "generic")

_REQUIREMENTS = re.compile(
    r"^\s*(?:[-*+]\s+)?_(?:Requirements?|Req|需求|要件|要求|Требования|Requisitos|Exigences|Anforderungen)\s*[:：]", re.I)
_NUMBERED_HEADING = re.compile(r"^(\d+)[.)]\s+\S")
_KIRO_TOP = re.compile(r"\d+\.\s")
_SPECKIT_PATH = re.compile(r"(^|/)specs/\d{3}[-_][^/]+/")
_TRACKING_HEADINGS = ((heading_rule.PROGRESS, "a Progress Tracking heading"),
                      (heading_rule.TIME, "a Time Tracking heading"),
                      (heading_rule.ESTIMATES, "a Time Estimates heading"),
                      (heading_rule.LOG, "a Decisions Log heading"),
                      (heading_rule.COMPLETION, "a Completion Status heading"))
_PHASE = re.compile(r"phase\s+\d+", re.I)


def from_path(path: str | None) -> tuple[str, str] | None:
    """(dialect, signal) that the file's place says, if any."""
    if not path:
        return None
    where = path.replace("\\", "/")
    if "/.kiro/specs/" in where or where.startswith(".kiro/specs/"):
        return "kiro", "its path is under .kiro/specs/"
    if "/openspec/" in where or where.startswith("openspec/"):
        return "openspec", "its path is under openspec/"
    if _SPECKIT_PATH.search(where):
        return "speckit", "its path is specs/NNN-name/ (spec-kit)"
    return None


def detect(lines, tasks, ids, headings, estimates: int, completion: int, time_lines: int,
           path: str | None = None) -> tuple[str, tuple[str, ...]]:
    """(dialect, signals). ``tasks``: (text, depth) per task; ``ids``: (id, markers) per
    task; ``headings``: (level, text); ``estimates``: ``**Estimated Time**`` labels
    (on tasks and under headings); ``completion`` / ``time_lines``: template tracking
    lines found."""
    placed = from_path(path)
    if placed is not None:
        return placed[0], (placed[1],)
    n = len(tasks)
    speckit = sum(1 for tid, _ in ids if tid and tid.startswith("T"))
    if n and speckit * 2 >= n:
        return "speckit", (f"{speckit} of {n} tasks have T001-style ids",)
    numbered = sum(1 for tid, _ in ids if tid and not tid.startswith("T"))
    template_parts = _template_parts(headings, estimates, completion, time_lines)
    if n and numbered * 2 >= n:
        requirements = sum(1 for line in lines if "_" in line and _REQUIREMENTS.match(line))
        top_numbered = sum(1 for text, depth in tasks if depth == 0 and _KIRO_TOP.match(text))
        numbered_headings = sum(1 for level, text in headings if level >= 2 and _NUMBERED_HEADING.match(text))
        if requirements:
            return "kiro", (f"{numbered} of {n} tasks are numbered", f"{requirements} _Requirements_ lines")
        if top_numbered and numbered_headings == 0:
            return "kiro", (f"{numbered} of {n} tasks are numbered", f"{top_numbered} numbered top-level tasks")
        if numbered_headings and not top_numbered and len(template_parts) < 2:
            return "openspec", (f"{numbered_headings} numbered headings", f"{numbered} of {n} tasks are numbered 1.1-style")
    if len(template_parts) >= 2:
        return "template", tuple(template_parts)
    return "generic", ("no dialect's evidence",) if n else ("no tasks",)


def _template_parts(headings, estimates: int, completion: int, time_lines: int) -> list[str]:
    parts = []
    named = {heading_rule.part(text) for _level, text in headings}  # by each heading's own words
    phases = sum(1 for level, text in headings if level >= 2 and _PHASE.match(text))
    if phases >= 2:
        parts.append(f"{phases} Phase N headings")
    for part, said in _TRACKING_HEADINGS:
        if part in named:
            parts.append(said)
    if completion:
        parts.append(f"{completion} Completion Status lines")
    if time_lines:
        parts.append(f"{time_lines} Time Tracking lines")
    if estimates >= 2:
        parts.append(f"{estimates} **Estimated Time** lines")
    return parts
