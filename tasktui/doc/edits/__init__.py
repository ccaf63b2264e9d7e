"""Edit operations planned into patches on one version of a document.

An operation (tasktui.doc.edits.ops) is a value naming its task by identity, so
it can be planned again on a newer version of the file. ``plan`` turns it into
a Plan: the patches, a one-line summary, what it did (Details) and the check the
new version must pass. The planners live by kind: tasks (marks, text, add,
delete), hours (time spent, estimates), log, sync (progress lines), undo
(Restore) and repair (mojibake, and ``tasktui fmt``'s output).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Where each name of the package lives. The package imports a module when one of its
# names is first used (PEP 562): opening a file needs none of the planners, and their
# frozen dataclasses cost some 40 ms to define; an app warms them after its first frame.
_WHERE = {
    **dict.fromkeys(("Check", "ConflictError", "Details", "EditError", "Plan", "TextChanged", "item_text", "same_tasks"),
                    "base"),
    **dict.fromkeys(("plan_add_time", "plan_set_estimate", "plan_set_time"), "hours"),
    **dict.fromkeys(("KINDS", "entry_keys", "find_entry", "format_entry", "plan_add_entry", "plan_edit_entry",
                     "plan_resolve", "today"), "log"),
    **dict.fromkeys(("heading_above", "list_under", "neighbour", "numbered", "plan_move", "plan_renumber"), "move"),
    **dict.fromkeys(("AddLogEntry", "AddTask", "AddTime", "Batch", "Claim", "DeleteTask", "Edit", "EditEntry", "EditText",
                     "EntryKey", "Move", "Reformat", "Renumber", "Repair", "ResolveEntry", "Restore", "RestoreItem",
                     "SetEstimate", "SetState", "SetTime", "Sync", "Toggle", "ToggleAll"), "ops"),
    **dict.fromkeys(("plan_reformat", "plan_repair"), "repair"),
    **dict.fromkeys(("completion_value", "sync_patches", "plan_sync"), "sync"),
    **dict.fromkeys(("plan_add_task", "plan_batch", "plan_claim", "plan_delete", "plan_edit_text", "plan_set_state",
                     "plan_toggle", "plan_toggle_all", "state_mark", "toggle_all"), "tasks"),
    **dict.fromkeys(("plan_restore", "replayed", "restore_for"), "undo"),
}

__all__ = [
    "AddLogEntry", "AddTask", "AddTime", "Batch", "Check", "Claim", "ConflictError", "DeleteTask", "Details", "Edit",
    "EditEntry", "EditError", "EditText", "EntryKey", "KINDS", "Move", "Plan", "Reformat", "Renumber", "Repair",
    "ResolveEntry", "Restore", "RestoreItem", "SetEstimate", "SetState", "SetTime", "Sync", "TextChanged", "Toggle",
    "ToggleAll", "completion_value", "entry_keys", "find_entry", "format_entry", "heading_above", "item_text",
    "list_under", "neighbour", "numbered", "plan", "replayed", "restore_for", "same_tasks", "state_mark",
    "sync_patches", "today", "toggle_all",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


def warm() -> None:
    """Import every planner now (on a thread, before the first edit needs them)."""
    for module in sorted(set(_WHERE.values())):
        importlib.import_module(f"{__name__}.{module}")


if TYPE_CHECKING:
    from tasktui.doc.edits.base import Plan
    from tasktui.doc.edits.ops import Edit
    from tasktui.doc.model import Document
    from tasktui.doc.rollup import RollUp


def plan(doc: Document, op: Edit, rollup: RollUp | None = None) -> Plan:
    """Plan ``op`` on ``doc``; EditError (ConflictError) with one sentence when it cannot be.
    ``rollup`` is ``doc``'s RollUp, for the progress sync (built when not given)."""
    from tasktui.doc.edits.base import EditError
    from tasktui.doc.edits.hours import plan_add_time, plan_set_estimate, plan_set_time
    from tasktui.doc.edits.log import plan_add_entry, plan_edit_entry, plan_resolve
    from tasktui.doc.edits.move import plan_move, plan_renumber
    from tasktui.doc.edits.ops import (AddLogEntry, AddTask, AddTime, Batch, Claim, DeleteTask, EditEntry, EditText, Move,
                                       Reformat, Renumber, Repair, ResolveEntry, Restore, SetEstimate, SetState, SetTime,
                                       Sync, Toggle, ToggleAll)
    from tasktui.doc.edits.repair import plan_reformat, plan_repair
    from tasktui.doc.edits.sync import plan_sync
    from tasktui.doc.edits.tasks import (plan_add_task, plan_batch, plan_claim, plan_delete, plan_edit_text,
                                         plan_set_state, plan_toggle, plan_toggle_all)
    from tasktui.doc.edits.undo import plan_restore
    from tasktui.doc.rollup import RollUp

    if doc.source.has_nul:
        raise EditError("the file contains NUL bytes, so tasktui never edits it")
    match op:
        case Toggle():
            return plan_toggle(doc, op)
        case SetState():
            return plan_set_state(doc, op)
        case ToggleAll():
            return plan_toggle_all(doc, op)
        case Claim():
            return plan_claim(doc, op, rollup if rollup is not None and rollup.doc is doc else None)
        case EditText():
            return plan_edit_text(doc, op)
        case AddTask():
            return plan_add_task(doc, op)
        case DeleteTask():
            return plan_delete(doc, op)
        case Move():
            return plan_move(doc, op)
        case Renumber():
            return plan_renumber(doc, op)
        case Batch():
            return plan_batch(doc, op)
        case AddTime():
            return plan_add_time(doc, op)
        case SetTime():
            return plan_set_time(doc, op)
        case SetEstimate():
            return plan_set_estimate(doc, op)
        case AddLogEntry():
            return plan_add_entry(doc, op)
        case ResolveEntry():
            return plan_resolve(doc, op)
        case EditEntry():
            return plan_edit_entry(doc, op)
        case Sync():
            return plan_sync(doc, rollup if rollup is not None and rollup.doc is doc else RollUp(doc))
        case Restore():
            return plan_restore(doc, op)
        case Repair():
            return plan_repair(doc)
        case Reformat():
            return plan_reformat(doc, op)
    raise TypeError(f"not an edit operation: {op!r}")
