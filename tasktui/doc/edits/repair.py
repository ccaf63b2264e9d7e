"""Planning the edits that rewrite a file's form, not its tasks: the mojibake repair
(see tasktui.doc.repair: only the sequences that are UTF-8 once decoded as cp1252
change) and ``tasktui fmt``'s output. No task may change with them."""

from __future__ import annotations

from tasktui.doc import patch as P
from tasktui.doc import repair
from tasktui.doc.edits.base import ConflictError, Details, Plan, same_tasks
from tasktui.doc.edits.ops import Reformat
from tasktui.doc.model import Document


def plan_repair(doc: Document) -> Plan:
    fixes = repair.find(doc.source)
    if not fixes:
        return Plan((), "no mojibake found", Details(fixed=0))

    def expect(before: Document, after: Document) -> str | None:
        if len(before.tasks) != len(after.tasks):
            return "repairing would change the number of tasks"
        for x, y in zip(before.tasks, after.tasks):
            if (x.mark, x.optional, x.line) != (y.mark, y.optional, y.line):
                return f"repairing would change the task on line {x.line + 1}"
        return None

    kinds = sorted({f"{f.old} → {f.new}" for f in fixes})
    return Plan(tuple(repair.patches(doc.source, fixes)), f"repaired {len(fixes)} mojibake sequence(s): {', '.join(kinds)}",
                Details(fixed=len(fixes), lines=tuple(sorted({f.line + 1 for f in fixes}))), expect)


def plan_reformat(doc: Document, op: Reformat) -> Plan:
    """The formatted bytes in place of the bytes they were made from, with the same tasks."""
    if doc.source.data != op.before:
        raise ConflictError("the file changed while it was being formatted: nothing was written; run fmt again")
    if op.after == op.before:
        return Plan((), "already formatted")

    def expect(before: Document, after: Document) -> str | None:
        return same_tasks(before, after)

    return Plan((P.between(op.before, op.after),), "formatted; the tasks are unchanged", Details(), expect)
