"""Planning the mojibake repair (see tasktui.doc.repair): only the sequences
that are UTF-8 once decoded as cp1252 change, and no task may change with them."""

from __future__ import annotations

from tasktui.doc import repair
from tasktui.doc.edits.base import Details, Plan
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
