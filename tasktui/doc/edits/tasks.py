"""Planning edits of tasks: their marks, their text, new tasks and deleted ones."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from tasktui.doc.edits.base import (ConflictError, Details, EditError, Plan, TextChanged, descendants, find_task,
                                    insert_lines, item_text, label, last_content_line, line_text_span,
                                    prefix_parts, same_tasks, same_tasks_except, text_bytes)
from tasktui.doc.edits.ops import AddTask, Batch, Claim, DeleteTask, EditText, SetState, Toggle, ToggleAll
from tasktui.doc.model import LABEL_LINE, Document, Task, split_id, split_text
from tasktui.doc.patch import Patch
from tasktui.doc.ready import Readiness
from tasktui.doc.rollup import RollUp
from tasktui.doc.safetext import json_text, visible
from tasktui.doc.source import encode
from tasktui.doc.states import DONE, HELD, IN_PROGRESS, NAMES, SETTABLE


def state_mark(doc: Document, state: str) -> str:
    """The mark that says ``state`` in this file: its legend's, else its dialect's."""
    if state not in SETTABLE:
        raise EditError(f"unknown state {state!r}: use {', '.join(SETTABLE[:-1])} or {SETTABLE[-1]}")
    mark = doc.mark_for(state)
    if mark is None:
        if doc.legend:
            raise EditError(f"this file's legend has no mark for {NAMES[state]} tasks")
        if state in HELD:
            raise EditError(f"this file has no mark for {NAMES[state]} tasks: only a legend in the file can give one")
        raise EditError(f"{doc.dialect} files have no mark for {NAMES[state]} tasks")
    return mark


def plan_toggle(doc: Document, op: Toggle) -> Plan:
    task = find_task(doc, op.key)
    mark = " " if task.state == DONE else doc.done_mark()
    return _plan_mark(doc, task, mark, "done" if mark != " " else "open")


def plan_set_state(doc: Document, op: SetState) -> Plan:
    task = find_task(doc, op.key)
    state = "todo" if op.back and task.state == op.state else op.state
    return _plan_mark(doc, task, state_mark(doc, state), NAMES.get(state, state))


def plan_claim(doc: Document, op: Claim, rollup: RollUp | None = None) -> Plan:
    """The first ready task of ``doc`` (or the task ``op.key``, when it is ready),
    marked in progress (the file's own mark for it)."""
    readiness = Readiness(doc, rollup)
    if op.key is None:
        task = readiness.first_ready()
        if task is None:
            raise EditError(readiness.nothing_ready())
    else:
        task = find_task(doc, op.key)
        if not readiness.is_ready(task.index):
            status, reason = readiness.status(task.index), readiness.reason(task.index)
            why = {IN_PROGRESS: "it is in progress already", None: f"it is {reason}"}.get(status, f"it is not ready ({reason})")
            raise EditError(f"{label(task)} cannot be claimed: {why}")
    why = readiness.reason(task.index)
    plan = _plan_mark(doc, task, state_mark(doc, IN_PROGRESS), NAMES[IN_PROGRESS])
    return replace(plan, summary=f"claimed {label(task)}: [{task.mark}] -> [{plan.details.mark}] ({why})",
                   details=replace(plan.details, id=task.id, reason=why))


def _plan_mark(doc: Document, task: Task, mark: str, verb: str) -> Plan:
    if task.mark == mark:
        return Plan((), f"{label(task)} is already {verb}", Details(line=task.line + 1, mark=mark))
    patch = Patch(task.mark_offset, task.mark_offset + len(encode(task.mark)), encode(mark))
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        return same_tasks(before, after, skip={index}) or (
            None if after.tasks[index].mark == mark else "the mark did not change"
        )

    return Plan((patch,), f"{label(task)}: [{task.mark}] -> [{mark}]",
                Details(line=task.line + 1, old=task.mark, mark=mark), expect)


def full_text(task: Task, description: str) -> str:
    """The task's whole text with ``description`` in place of its own: the id, the
    markers (``T001 [P] [US1]``) and the emphasis around the description stay,
    unless ``description`` gives an id (or an emphasis) of its own."""
    description = description.strip()
    if split_id(description)[0] is not None:
        return description  # the new text gives its own id and markers
    prefix, _old, wrapper = split_text(task.text)
    if wrapper and not (description.startswith(wrapper) and description.endswith(wrapper)):
        description = f"{wrapper}{description}{wrapper}"
    return prefix + description


def same_text(now: str, expected: str) -> bool:
    """Whether ``expected`` is the task text ``now``, as the file holds it, as JSON shows it
    (U+FFFD for undecodable bytes) or as the screen shows it (what a script or a person copied)."""
    return expected in (now, json_text(now), visible(now))


def plan_edit_text(doc: Document, op: EditText) -> Plan:
    task = find_task(doc, op.key)
    if not op.text.strip():
        raise EditError("a task needs some text")
    if op.expect is not None and not same_text(task.text, op.expect):
        raise TextChanged(f"the text of {label(task)} is not {op.expect!r} any more: another program changed it; "
                          "nothing was written", theirs=task.text, base=op.expect, mine=op.text)
    text = full_text(task, op.text)
    col = task.col + 3 + (1 if task.optional else 0)
    line = doc.source.lines[task.line]
    # keep the single space after the checkbox
    start_col = col + (len(line[col:]) - len(line[col:].lstrip()))
    end_col = len(line.rstrip())
    if start_col > end_col:  # no text yet: write it right after the space that follows the checkbox
        start_col = end_col = col + 1
    start, end = line_text_span(doc, task.line, start_col, end_col)
    index = task.index

    def expect(before: Document, after: Document) -> str | None:
        problem = same_tasks(before, after, skip={index})
        if problem:
            return problem
        return None if after.tasks[index].text == text else "the new text did not parse back as the task's text"

    return Plan((Patch(start, end, text_bytes(doc, text)),), f"{label(task)} -> {text}",
                Details(line=task.line + 1, text=text), expect)


def next_id(doc: Document, sibling: Task | None, parent: Task | None) -> str | None:
    """The next free id in the file's scheme, or None when tasks carry no ids."""
    if doc.dialect == "speckit" or (sibling and sibling.id and sibling.id.startswith("T")):
        nums = [t.id for t in doc.tasks if t.id and t.id.startswith("T")]
        if not nums:
            return None
        width = max(len(re.match(r"T(\d+)", i).group(1)) for i in nums)
        top = max(int(re.match(r"T(\d+)", i).group(1)) for i in nums)
        return f"T{top + 1:0{width}d}"
    if doc.dialect == "kiro" or (sibling and sibling.id):
        taken = {t.id for t in doc.tasks if t.id}
        if parent is not None and parent.id and not parent.id.startswith("T"):
            base = parent.id.rstrip(".")
            n = 1
            while f"{base}.{n}" in taken:
                n += 1
            return f"{base}.{n}"
        if sibling is not None and sibling.id and not sibling.id.startswith("T"):
            parts = sibling.id.rstrip(".").split(".")
            head = ".".join(parts[:-1])
            n = int(parts[-1]) + 1
            while (f"{head}.{n}" if head else str(n)) in taken:
                n += 1
            return f"{head}.{n}" if head else str(n)
    return None


# What a new task's estimate bullet says until an estimate is set (E): the
# template's own placeholder, which reads as no estimate.
ESTIMATE_PLACEHOLDER = "[X hours]"


def plan_add_task(doc: Document, op: AddTask) -> Plan:  # noqa: C901
    """A new task in the shape of its neighbours: their list marker and indentation,
    the next id of the file's scheme, blank lines between items where they have
    them, a bold title where theirs are bold, an estimate bullet where they carry one."""
    text = op.text.strip()
    if not text:
        raise EditError("a task needs some text")
    src = doc.source
    before: Task | None = None  # the new task goes just before this one (op.first)
    alone = False  # a new list of its own, set apart by blank lines (a section with no task)
    if op.under is not None:
        parent = find_task(doc, op.under)
        kids = doc.children(parent)
        if kids:
            ref = kids[-1]
            lead, bullet, num, delim, gap = prefix_parts(doc, ref)
            anchor_end = ref.end
        else:
            ref = None
            plead, pbullet, pnum, pdelim, pgap = prefix_parts(doc, parent)
            # the first child's marker sits where the parent's content starts, in the
            # parent's list style: a numbered parent's first child is "1." (or "1)")
            width = len(plead) + len(pbullet) + len(pgap)
            lead = re.sub(r"[^\s>]", " ", src.lines[parent.item_line][:width])
            bullet, num, delim, gap = (f"1{pdelim}" if pnum is not None else pbullet), None, None, " "
            anchor_end = parent.end
        new_id = next_id(doc, ref, parent)
        after_line = last_content_line(doc, parent.line, anchor_end)
        position = (ref.index if ref else parent.index) + 1 + len(descendants(doc, ref if ref else parent))
    elif op.section is not None:
        index = doc.find_heading(op.section)
        if index is None:
            raise ConflictError(f"the section {op.section.path[-1]!r} is no longer in the file")
        heading = doc.headings[index]
        parent = None
        tops = _top_level_tasks(doc, heading.line, _section_end(doc, index))
        if tops:
            ref = tops[0] if op.first else tops[-1]
            lead, bullet, num, delim, gap = prefix_parts(doc, ref)
            new_id = next_id(doc, tops[-1], None)
            if op.first:
                before = ref
                after_line = ref.item_line - 1
                position = ref.index
            else:
                after_line = last_content_line(doc, ref.line, ref.end)
                position = ref.index + 1 + len(descendants(doc, ref))
        else:  # a list of its own after the section's text, before any heading below it
            ref = None
            own_end = doc.headings[index + 1].line if index + 1 < len(doc.headings) else src.line_count
            after_line = last_content_line(doc, heading.line, own_end)
            lead, bullet, num, delim, gap = "", "-", None, None, " "
            new_id = next_id(doc, None, None)
            position = sum(1 for t in doc.tasks if t.line <= after_line)
            alone = True
    else:
        ref = find_task(doc, op.after) if op.after is not None else (doc.tasks[-1] if doc.tasks else None)
        if ref is not None and op.after is None:
            # append after the last top-level task of the last section
            while ref.parent is not None:
                ref = doc.tasks[ref.parent]
        parent = doc.tasks[ref.parent] if ref is not None and ref.parent is not None else None
        if ref is None:
            lead, bullet, num, delim, gap = "", "-", None, None, " "
            new_id = None
            after_line = src.line_count - 1
            position = 0
        else:
            lead, bullet, num, delim, gap = prefix_parts(doc, ref)
            new_id = next_id(doc, ref, parent)
            after_line = last_content_line(doc, ref.line, ref.end)
            position = ref.index + 1 + len(descendants(doc, ref))
    if num is not None and before is None:  # a numbered list: the number after the task it follows
        bullet = f"{int(num) + 1}{delim}"
    own_id = re.match(r"(T\d+|\d+(\.\d+)*)\b", text) is not None
    if ref is not None and not own_id and "**" not in text and _bold_title(ref):
        text = f"**{text}**"  # the neighbours' titles are bold
    body = text
    if new_id and not own_id:
        sep = ". " if doc.dialect == "kiro" and "." not in new_id and parent is None else " "
        shown = new_id
        if ref is not None and ref.id and f"**{ref.id}**" in src.lines[ref.line]:
            shown = f"**{new_id}**"  # the neighbours' ids are bold
        body = f"{shown}{sep}{text}"
    lines = [f"{lead}{bullet}{gap}[ ] {body}"]
    if ref is not None and ref.estimate_line is not None:
        m = LABEL_LINE.match(src.lines[ref.estimate_line])
        if m is not None and ref.estimate_line > ref.line:
            if ref.estimate_line > ref.line + 1 and not src.lines[ref.line + 1].strip():
                lines.append("")  # the neighbour's details sit a blank line below its title
            lines.append(src.lines[ref.estimate_line][: m.start(2)] + ESTIMATE_PLACEHOLDER)
    apart = ref is not None and _set_apart(doc, ref)
    first = ref is None and op.under is None and op.section is None  # the file has no task yet
    if first and src.line_count > 1 and not src.lines[-1]:
        # no task to follow and the file ends with a line break: append after a
        # blank line and keep the file ending with a line break
        ending = src.endings[-2]
        sep = ending if src.lines[-2].strip() else b""
        offset, data = len(src.data), sep + b"".join(text_bytes(doc, t) + ending for t in lines)
        added_line = src.line_count - 1 + (1 if sep else 0)
    elif first and src.line_count == 1 and not src.lines[0]:  # an empty file
        offset, data = len(src.data), b"".join(text_bytes(doc, t) + src.majority_ending for t in lines)
        added_line = 0
    elif before is not None:  # just before the first task of the section
        ending = src.ending_after(before.item_line)
        offset = src.starts[before.item_line]
        data = b"".join(text_bytes(doc, t) + ending for t in lines) + (ending if apart else b"")
        added_line = before.item_line
    else:
        blank_after = alone and after_line + 1 < src.line_count and src.lines[after_line + 1].strip() != ""
        blank_before = apart or (alone and src.lines[after_line].strip() != "")
        block = ([""] if blank_before else []) + lines + ([""] if blank_after else [])
        offset, data = insert_lines(doc, block, after_line)
        added_line = after_line + 1 + (1 if blank_before else 0)

    def expect(before_doc: Document, after: Document) -> str | None:
        if len(after.tasks) != len(before_doc.tasks) + 1:
            return "the new task did not parse as a task"
        new = after.tasks[position]
        if new.text != body or new.mark != " ":
            return "the new task did not parse back as written"
        rest = after.tasks[:position] + after.tasks[position + 1:]
        for x, y in zip(before_doc.tasks, rest):
            if (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
                return f"the task on line {x.line + 1} would change"
        return None

    return Plan((Patch(offset, offset, data),), f"added L{added_line + 1} {body}",
                Details(line=added_line + 1, text=body, id=new_id), expect)


def _section_end(doc: Document, index: int) -> int:
    """The line where heading ``index``'s section ends: the next heading of its level or above."""
    level = doc.headings[index].level
    return next((h.line for h in doc.headings[index + 1:] if h.level <= level), doc.source.line_count)


def _top_level_tasks(doc: Document, start: int, end: int) -> list[Task]:
    """The tasks on lines ``start`` .. ``end - 1`` that are no other task's subtask (legend items left out)."""
    first = bisect.bisect_left(doc.tasks, start, key=lambda t: t.line)
    last = bisect.bisect_left(doc.tasks, end, lo=first, key=lambda t: t.line)
    return [t for t in doc.tasks[first:last] if t.parent is None and not t.legend]


def _bold_title(task: Task) -> bool:
    """Whether ``task``'s description starts in bold (``**Title**`` or ``**Title** and more``)."""
    _prefix, description, wrapper = split_text(task.text)
    return wrapper == "**" or description.startswith("**")


def _same_heading(doc: Document, a: Task, b: Task) -> bool:
    """No heading between the two tasks."""
    lo, hi = sorted((a.line, b.line))
    at = bisect.bisect_right(doc.headings, lo, key=lambda h: h.line)
    return at >= len(doc.headings) or doc.headings[at].line > hi


def _set_apart(doc: Document, task: Task) -> bool:
    """Whether ``task``'s list has blank lines between its items (a loose list)."""
    lines = doc.source.lines
    siblings = doc.children(doc.tasks[task.parent]) if task.parent is not None else None
    if siblings is None:
        lo = bisect.bisect_left(doc.tasks, task.line, key=lambda t: t.line)
        near = [t for t in doc.tasks[max(0, lo - 64): lo + 64] if t.parent is None and t.depth == task.depth]
        siblings = near
    at = next((k for k, t in enumerate(siblings) if t.index == task.index), None)
    if at is None:
        return False
    pairs = []
    if at + 1 < len(siblings):
        pairs.append((task, siblings[at + 1]))
    if at > 0:
        pairs.append((siblings[at - 1], task))
    for a, b in pairs:
        last = last_content_line(doc, a.line, a.end)
        gap = range(last + 1, b.item_line)
        if gap and all(not lines[i].strip() for i in gap):
            return True
    return False


def own_line(doc: Document, task: Task) -> None:
    """EditError unless the task's list item starts its own line."""
    if doc.source.lines[task.item_line].lstrip(" \t>")[:1] not in "-*+0123456789":
        raise EditError("that task shares its line with another list item")


def cut_span(doc: Document, first: int, last: int) -> tuple[int, int]:
    """The bytes to take out to remove lines ``first``..``last`` (a list item, or a run
    of them) so that what is left reads as before: blank lines on both sides lose
    one; at the end of the file the blank lines before go too, and the file ends as
    it did, with a line break or without one."""
    src = doc.source
    start = src.starts[first]
    blank = lambda i: 0 <= i < src.line_count and not src.lines[i].strip()  # noqa: E731
    if all(blank(i) for i in range(last + 1, src.line_count)) and first > 0:
        keep = first - 1
        while keep > 0 and blank(keep):
            keep -= 1
        if src.endings[-1] == b"" and src.lines[-1]:  # no line break at the end
            return src.line_end(keep), len(src.data)
        # the blank lines before it go; any after it stay, as the file's own end
        return src.starts[keep + 1], src.starts[last + 1]
    if blank(first - 1) and blank(last + 1) and last + 2 < src.line_count:
        last += 1  # blank lines on both sides: take one along, so no double gap is left
    return start, (src.starts[last + 1] if last + 1 < src.line_count else len(src.data))


def unchanged(doc: Document, task: Task, expect: str | None, undone: str) -> None:
    """ConflictError when ``task``'s list item is not what the edit expects (item_text)."""
    if expect is not None and item_text(doc, task) != expect:
        raise ConflictError(f"{label(task)} changed in the file since the {undone} was asked for: nothing was written "
                            "(look at it, then ask again)")


def plan_delete(doc: Document, op: DeleteTask) -> Plan:
    task = find_task(doc, op.key)
    src = doc.source
    unchanged(doc, task, op.expect, "delete")
    own_line(doc, task)
    start, end = cut_span(doc, task.item_line, last_content_line(doc, task.item_line, task.end))
    gone = {task.index} | {t.index for t in descendants(doc, task)}

    def expect(before: Document, after: Document) -> str | None:
        return same_tasks_except(before, after, gone)

    summary = f"deleted {label(task)}" + (f" and {len(gone) - 1} subtask(s)" if len(gone) > 1 else "")
    neighbour = _neighbour(doc, task, len(gone))
    cursor = None
    if neighbour is not None:
        removed_lines = bisect.bisect_right(src.starts, end) - bisect.bisect_right(src.starts, start)
        cursor = (neighbour.line - removed_lines if neighbour.line > task.line else neighbour.line) + 1
    return Plan((Patch(start, end, b""),), summary, Details(line=task.line + 1, removed=len(gone), cursor=cursor), expect)


def _neighbour(doc: Document, task: Task, count: int) -> Task | None:
    """Where the cursor goes when ``task`` (with its ``count - 1`` subtasks) is deleted:
    its next sibling, else its previous one, else its parent, else the task after it."""
    tasks = doc.tasks
    after = tasks[task.index + count] if task.index + count < len(tasks) else None
    if after is not None and after.parent == task.parent and _same_heading(doc, task, after):
        return after
    for i in range(task.index - 1, -1, -1):
        t = tasks[i]
        if t.parent == task.parent:
            if _same_heading(doc, t, task):
                return t
            break
        if task.parent is not None and i == task.parent:
            break
    if task.parent is not None:
        return tasks[task.parent]
    return after if after is not None else (tasks[task.index - 1] if task.index else None)


# -- several tasks at once ------------------------------------------------------------
def toggle_all(doc: Document, tasks: list[Task]) -> ToggleAll:
    """Space on several tasks: all done when any is not, else all open (as lazygit stages
    a range: one rule however mixed the tasks are), decided when it is planned."""
    return ToggleAll(tuple(doc.keys[t.index] for t in tasks))


def plan_toggle_all(doc: Document, op: ToggleAll) -> Plan:
    tasks = [find_task(doc, key) for key in op.keys]
    state = "todo" if tasks and all(t.state == DONE for t in tasks) else "done"
    return _plan_marks(doc, [SetState(key, state) for key in op.keys])


def plan_batch(doc: Document, op: Batch) -> Plan:
    if not op.ops:
        raise EditError("no tasks were named")
    if all(isinstance(o, (Toggle, SetState)) for o in op.ops):
        return _plan_marks(doc, op.ops)
    if all(isinstance(o, DeleteTask) for o in op.ops):
        return _plan_deletes(doc, op.ops)
    raise EditError("only mark changes or deletions can be made to several tasks at once")


def _listed(tasks: list[Task], limit: int = 4) -> str:
    shown = ", ".join(f"L{t.line + 1}" for t in tasks[:limit])
    return shown + (f" and {len(tasks) - limit} more" if len(tasks) > limit else "")


def _plan_marks(doc: Document, ops) -> Plan:
    wanted: dict[int, str] = {}
    named = [(o, find_task(doc, o.key)) for o in ops]
    # p / c on several tasks: back to open when every one of them has that state already
    asked = [(o.state, t.state) for o, t in named if isinstance(o, SetState) and o.back]
    back = {state for state, _now in asked} - {state for state, now in asked if now != state}
    for o, task in named:
        if isinstance(o, Toggle):
            wanted[task.index] = " " if task.state == DONE else doc.done_mark()
        else:
            wanted[task.index] = state_mark(doc, "todo" if o.back and o.state in back else o.state)
    changes = [(doc.tasks[i], mark) for i, mark in sorted(wanted.items()) if doc.tasks[i].mark != mark]
    marks = set(wanted.values())
    common = next(iter(marks)) if len(marks) == 1 else None
    named = [doc.tasks[i] for i in sorted(wanted)]
    if not changes:
        what = f"[{common}]" if common is not None else "as asked"
        return Plan((), f"{len(named)} task(s) already {what}: {_listed(named)}",
                    Details(lines=tuple(t.line + 1 for t in named), mark=common))
    patches = tuple(Patch(t.mark_offset, t.mark_offset + len(encode(t.mark)), encode(mark)) for t, mark in changes)
    changed = {t.index: mark for t, mark in changes}

    def expect(before: Document, after: Document) -> str | None:
        problem = same_tasks(before, after, skip=set(changed))
        if problem:
            return problem
        bad = next((i for i, mark in changed.items() if after.tasks[i].mark != mark), None)
        return None if bad is None else f"the mark on line {before.tasks[bad].line + 1} did not change"

    moved = [t for t, _m in changes]
    to = f"[{common}]" if common is not None else "their new marks"
    return Plan(patches, f"{len(changes)} task(s) -> {to}: {_listed(moved)}",
                Details(lines=tuple(t.line + 1 for t in moved), mark=common), expect)


def _plan_deletes(doc: Document, ops) -> Plan:
    src = doc.source
    found = [(find_task(doc, o.key), o.expect) for o in ops]
    for task, expect in found:
        unchanged(doc, task, expect, "delete")
    named = sorted({task.index for task, _expect in found})
    chosen: list[Task] = []  # the named tasks that are not inside another named task
    for i in named:
        task = doc.tasks[i]
        if chosen and task.line < chosen[-1].end and _inside(doc, task, chosen[-1]):
            continue
        own_line(doc, task)
        chosen.append(task)
    # tasks with only blank lines between them go as one run, like one list item
    runs: list[list[int]] = []  # [first line, last content line]
    for task in chosen:
        first, last = task.item_line, last_content_line(doc, task.item_line, task.end)
        if runs and all(not src.lines[k].strip() for k in range(runs[-1][1] + 1, first)):
            runs[-1][1] = last
        else:
            runs.append([first, last])
    patches = tuple(Patch(*cut_span(doc, first, last), b"") for first, last in runs)
    gone = {t.index for task in chosen for t in [task, *descendants(doc, task)]}

    def expect(before: Document, after: Document) -> str | None:
        return same_tasks_except(before, after, gone)

    subtasks = len(gone) - len(chosen)
    summary = f"deleted {len(chosen)} task(s): {_listed(chosen)}" + (f" and {subtasks} subtask(s)" if subtasks else "")
    # the cursor goes as a single delete sends it: to the task after the last one deleted
    # when it is under the same heading, else to the nearest task before it that stays,
    # else to the task after; on its line once the deleted lines are gone
    last = chosen[-1]
    after = next((t for t in doc.tasks[max(gone) + 1:] if not t.legend), None)
    stay = [t for t in reversed(doc.tasks[:last.index]) if t.index not in gone and not t.legend]
    before = next((t for t in stay if t.parent == last.parent), stay[0] if stay else None)  # a sibling first
    near = after if after is not None and _same_heading(doc, last, after) else (before or after)
    cursor = None
    if near is not None:
        at = src.starts[near.line]
        starts = src.starts  # lines whose start falls inside a removed span are gone (any line ending)
        cursor = near.line + 1 - sum(bisect.bisect_left(starts, p.end) - bisect.bisect_left(starts, p.start)
                                     for p in patches if p.end <= at)
    return Plan(patches, summary, Details(lines=tuple(t.line + 1 for t in chosen), removed=len(gone), cursor=cursor),
                expect)


def _inside(doc: Document, task: Task, ancestor: Task) -> bool:
    parent = task.parent
    while parent is not None:
        if parent == ancestor.index:
            return True
        parent = doc.tasks[parent].parent
    return False
