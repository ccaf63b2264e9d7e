"""Moving a task with its whole list item (details and subtasks), and renumbering
the numbered tasks under a heading.

A move is two patches: the item's lines are cut from where they were and put
where they go; no other byte changes. Blank lines between items stay where they
are (an item moved between two neighbours separated by one blank line is
separated by the same), the file keeps its final line break or its absence, and
the item's indentation changes only when it lands at another depth. Numbers
(``1.``, ``1.1``) move with their tasks as written; ``Renumber`` puts them in
order afterwards, changing only the digits.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from tasktui.doc.edits.base import (
    ITEM_PREFIX,
    ConflictError,
    Details,
    EditError,
    Plan,
    descendants,
    find_task,
    label,
    last_content_line,
    prefix_parts,
)
from tasktui.doc.edits.ops import Move, Renumber
from tasktui.doc.edits.tasks import cut_span, own_line, unchanged
from tasktui.doc.model import Document, Task
from tasktui.doc.patch import Patch
from tasktui.doc.source import _EOL_BYTES, encode

_NUMBER_ID = re.compile(r"\d+(?:\.\d+)*")


# -- where tasks are ----------------------------------------------------------------------
def heading_above(doc: Document, line: int) -> int | None:
    """Index in ``doc.headings`` of the last heading above ``line``, or None."""
    i = bisect.bisect_right(doc.headings, line, key=lambda h: h.line) - 1
    return i if i >= 0 else None


def list_under(doc: Document, heading: int | None) -> list[Task]:
    """The top-level tasks written directly under heading ``heading`` (before the next
    heading of any level), or before the first heading when None, in file order."""
    heads = doc.headings
    start = heads[heading].end if heading is not None else 0
    nxt = (heading + 1) if heading is not None else 0
    end = heads[nxt].line if nxt < len(heads) else doc.source.line_count
    lo = bisect.bisect_left(doc.tasks, start, key=lambda t: t.line)
    hi = bisect.bisect_left(doc.tasks, end, key=lambda t: t.line)
    return [t for t in doc.tasks[lo:hi] if t.parent is None]


def siblings(doc: Document, task: Task) -> list[Task]:
    """The tasks of the same list level as ``task``: its parent's subtasks, or the
    top-level tasks under its heading."""
    if task.parent is not None:
        return doc.children(doc.tasks[task.parent])
    return list_under(doc, heading_above(doc, task.line))


def neighbour(doc: Document, task: Task, step: int) -> Task | None:
    """The sibling just above (``step`` -1) or below (+1) ``task``, or None. Walks
    only as far as that sibling (a key press: never the whole list)."""
    tasks, parent = doc.tasks, task.parent
    if parent is not None:
        first, end = tasks[parent].line, tasks[parent].end
    else:
        h = heading_above(doc, task.line)
        heads = doc.headings
        first = heads[h].line if h is not None else -1
        end = heads[h + 1].line if h is not None and h + 1 < len(heads) else (
            heads[0].line if h is None and heads else doc.source.line_count)
    i = task.index + step
    while 0 <= i < len(tasks) and first < tasks[i].line < end:
        if tasks[i].parent == parent:
            return tasks[i]
        i += step
    return None


def _content_end(doc: Document, task: Task) -> int:
    return last_content_line(doc, task.item_line, task.end)


def _gap(doc: Document, upper: Task, lower: Task) -> tuple[int, int] | None:
    """The blank lines [first, end) between two neighbouring items, or None when
    anything else (a paragraph, a heading) sits between them."""
    first, end = _content_end(doc, upper) + 1, lower.item_line
    lines = doc.source.lines
    return (first, end) if all(not lines[k].strip() for k in range(first, end)) else None


def _run_neighbours(doc: Document, task: Task) -> tuple[Task | None, Task | None, tuple | None, tuple | None]:
    """The siblings right above and below ``task`` in the same run of items (only
    blank lines between), with the gaps to them."""
    sibs = siblings(doc, task)
    i = next(k for k, t in enumerate(sibs) if t.index == task.index)
    prev = sibs[i - 1] if i > 0 else None
    nxt = sibs[i + 1] if i + 1 < len(sibs) else None
    gap_prev = _gap(doc, prev, task) if prev is not None else None
    gap_next = _gap(doc, task, nxt) if nxt is not None else None
    return (prev if gap_prev else None), (nxt if gap_next else None), gap_prev, gap_next


# -- moving -------------------------------------------------------------------------------
def plan_move(doc: Document, op: Move) -> Plan:
    if sum(x is not None for x in (op.before, op.after, op.section)) + (op.step != 0) != 1:
        raise EditError("say where the task goes: before a task, after a task, up or down, or to a section")
    task = find_task(doc, op.key)
    src = doc.source
    if task.legend:
        raise EditError(f"L{task.line + 1} is part of the file's legend, which says what [{task.mark}] means: "
                        "it is not a task, and tasktui does not move it")
    unchanged(doc, task, op.expect, "move")
    if op.step:  # past the sibling above or below it in this version (keys pressed in a row: one place each)
        other = neighbour(doc, task, -1 if op.step < 0 else 1)
        if other is None:
            where = "first" if op.step < 0 else "last"
            return Plan((), f"{label(task)} is already the {where} of its list; m moves it to another section",
                        Details(line=task.line + 1, text=task.text, id=task.id))
        key = doc.keys[other.index]
        op = Move(op.key, before=key) if op.step < 0 else Move(op.key, after=key)
    own_line(doc, task)
    block = [task, *descendants(doc, task)]
    moved = {t.index for t in block}
    m0, m1 = task.item_line, _content_end(doc, task)
    prev, nxt, gap_prev, gap_next = _run_neighbours(doc, task)

    # where it goes: a task to go before or after (which gives the depth), or the end
    # of a heading's list (its top level)
    target: Task | None = None
    empty_heading: int | None = None
    if op.section is not None:
        h = doc.find_heading(op.section)
        if h is None:
            raise ConflictError(f"the heading {op.section.path[-1]!r} is no longer in the file")
        heading_text = doc.headings[h].text
        tops = list_under(doc, h)
        if tops and tops[-1].index == task.index:
            return Plan((), f"{label(task)} is already the last task under {heading_text}",
                        Details(line=task.line + 1, text=task.text, id=task.id))
        if tops:
            target, after = tops[-1], True
        else:
            empty_heading, after = h, True
        where = f"to the end of {heading_text}"
        new_parent, new_path = None, op.section.path
    else:
        after = op.after is not None
        target = find_task(doc, op.after if after else op.before)
        if target.index in moved:
            raise EditError("a task cannot move next to itself or into its own subtasks")
        if target.legend:
            raise EditError(f"L{target.line + 1} is part of the file's legend: tasks do not move into it")
        own_line(doc, target)
        sibs = siblings(doc, task)
        i = next(k for k, t in enumerate(sibs) if t.index == task.index)
        if (after and i > 0 and sibs[i - 1].index == target.index) or (
                not after and i + 1 < len(sibs) and sibs[i + 1].index == target.index):
            return Plan((), f"{label(task)} is already {'after' if after else 'before'} {label(target)}",
                        Details(line=task.line + 1, text=task.text, id=task.id))
        where = f"{'after' if after else 'before'} {label(target)}"
        new_parent, new_path = target.parent, target.path

    # the line it goes before (the line count: after the last line, which has no line break)
    ending = src.majority_ending
    if target is None:  # a heading without tasks: after its last line of text, a blank line before
        heads = doc.headings
        h_end = heads[empty_heading + 1].line if empty_heading + 1 < len(heads) else src.line_count
        c = last_content_line(doc, heads[empty_heading].line, h_end)
        ending = src.ending_after(c)
        ins_line = c + 1
    else:
        ins_line = _content_end(doc, target) + 1 if after else target.item_line
    later = ins_line > m0

    # what is cut: the item and the gap on the side it leaves from
    removed_gap = None
    if nxt is not None and (later or prev is None):
        cut = (src.starts[m0], src.starts[nxt.item_line])
        removed_gap = gap_next
    elif prev is not None:
        pc = _content_end(doc, prev)
        if m1 + 1 >= src.line_count:  # the item ends the file without a line break: so does its neighbour now
            cut = (src.line_end(pc), len(src.data))
        else:
            cut = (src.starts[pc + 1], src.starts[m1 + 1])
        removed_gap = gap_prev
    else:
        cut = cut_span(doc, m0, m1)

    # the blank lines it takes along: those its new neighbours have between them
    gap_bytes = b""
    if target is not None:
        _tp, _tn, t_gap_prev, t_gap_next = _run_neighbours(doc, target)
        choice = (t_gap_prev or t_gap_next) if after else (t_gap_next or t_gap_prev)
        choice = choice or removed_gap
        if choice is not None:
            gap_bytes = src.data[src.starts[choice[0]]:src.starts[choice[1]]]

    # the item's lines, at their new depth and in the list style they join
    texts = _restyled(doc, task, target, m0, m1, after)
    endings = [src.endings[k] or ending for k in range(m0, m1 + 1)]
    item = b"".join(encode(t) + e for t, e in zip(texts, endings))

    if target is None:
        nxt_line = ins_line if ins_line < src.line_count else None
        tail = ending if nxt_line is not None and src.lines[nxt_line].strip() else b""
        body = ending + item + tail
        a_at = len(ending)
    elif after:
        body = gap_bytes + item
        a_at = len(gap_bytes)
    else:
        body = item + gap_bytes
        a_at = 0
    if ins_line < src.line_count:
        ins = src.starts[ins_line]
    else:  # after the last line, which has no line break: give it one, and take the item's last one
        ins = len(src.data)
        last_ending = endings[-1]
        body = last_ending + body[:len(body) - len(last_ending)]
        a_at += len(last_ending)
    if cut[0] < ins < cut[1]:
        raise EditError("cannot work out where the task goes")
    patches = (Patch(cut[0], cut[1], b""), Patch(ins, ins, body))

    # where the task is afterwards, and what every task must look like then
    def eols(data: bytes) -> int:
        return len(_EOL_BYTES.findall(data))

    new_item_line = bisect.bisect_right(src.starts, ins) - 1 + eols(body[:a_at])
    if cut[1] <= ins:
        new_item_line -= eols(src.data[cut[0]:cut[1]])
    new_line = new_item_line + (task.line - task.item_line)
    rest = [t.index for t in doc.tasks if t.index not in moved]
    at = sum(1 for i in rest if src.starts[doc.tasks[i].item_line] < ins)
    order = rest[:at] + [t.index for t in block] + rest[at:]
    new_index = {old: new for new, old in enumerate(order)}
    first = task.index
    parent_after = None if new_parent is None else new_index[new_parent]

    def expect(before: Document, after_doc: Document) -> str | None:
        if len(after_doc.tasks) != len(before.tasks):
            return "the moved lines would not read as the same tasks there"
        for new, old in enumerate(order):
            x, y = before.tasks[old], after_doc.tasks[new]
            if (x.mark, x.text, x.optional) != (y.mark, y.text, y.optional):
                return "the moved lines would not read as the same tasks there"
            if old == first:
                if y.parent != parent_after or y.path != new_path or y.line != new_line:
                    return "the task would not land where it was asked to go"
            elif (None if x.parent is None else new_index[x.parent]) != y.parent:
                return f"the task on line {x.line + 1} would change its place in the outline"
            elif old not in moved and y.path != x.path:
                return f"the task on line {x.line + 1} would change its section"
        return None

    extra = f" with {len(block) - 1} subtask(s)" if len(block) > 1 else ""
    return Plan(patches, f"moved {label(task)}{extra} {where}",
                Details(line=new_line + 1, text=task.text, id=task.id), expect)


def _same_run(doc: Document, a: Task, b: Task) -> bool:
    """Whether two tasks are items of one list: siblings with only blank lines between
    each item from one to the other."""
    if a.parent != b.parent:
        return False
    sibs = siblings(doc, a)
    at = {t.index: k for k, t in enumerate(sibs)}
    if b.index not in at:
        return False
    lo, hi = sorted((at[a.index], at[b.index]))
    return all(_gap(doc, sibs[k], sibs[k + 1]) is not None for k in range(lo, hi))


def _restyled(doc: Document, task: Task, target: Task | None, m0: int, m1: int, after: bool) -> list[str]:
    """The item's lines where it goes: indented like ``target`` (the top level of an
    empty heading's list: no indent). Among the items of its own list it keeps its
    marker as written; joining another list it takes that list's bullet (or number
    delimiter), and a list of the other kind (bullets, numbers) gives it a marker of
    that kind."""
    lines = [doc.source.lines[k] for k in range(m0, m1 + 1)]
    lead, bullet, num, _delim, _gap = prefix_parts(doc, task)
    new_lead, new_bullet = "", bullet
    if target is not None:
        new_lead, t_bullet, t_num, t_delim, _t_gap = prefix_parts(doc, target)
        if (num is None) != (t_num is None):
            new_bullet = t_bullet if t_num is None else f"{int(t_num) + (1 if after else 0)}{t_delim}"
        elif not _same_run(doc, task, target):
            new_bullet = t_bullet if t_num is None else f"{num}{t_delim}"
    if new_lead == lead and new_bullet == bullet:
        return lines
    shift = len(new_bullet) - len(bullet)
    out = [new_lead + new_bullet + lines[0][len(lead) + len(bullet):]]
    quoted = ">" in lead
    for line in lines[1:]:
        if not line.strip():
            out.append(line)
            continue
        if not line.startswith(lead):
            if quoted:
                raise EditError("cannot move that task out of or into a quote: its lines are not marked alike")
            out.append(line)  # a lazy continuation line: it reads the same at any depth
            continue
        rest = line[len(lead):]
        if shift > 0:
            rest = " " * shift + rest
        elif shift < 0:
            spaces = len(rest) - len(rest.lstrip(" "))
            rest = rest[min(spaces, -shift):]
        out.append(new_lead + rest)
    return out


# -- renumbering --------------------------------------------------------------------------
def _id_span(doc: Document, task: Task) -> tuple[int, int] | None:
    """Columns of the task's id on its checkbox line (plain or bold), or None."""
    line = doc.source.lines[task.line]
    col = task.col + 3 + (1 if task.optional else 0)
    start = col + (len(line[col:]) - len(line[col:].lstrip()))
    for skip in (0, 2):
        if line.startswith(task.id, start + skip) and (skip == 0 or line[start:start + 2] in ("**", "__")):
            return start + skip, start + skip + len(task.id)
    return None


def _number_id(task: Task) -> str | None:
    return task.id if task.id and not task.legend and _NUMBER_ID.fullmatch(task.id) else None


def numbered(doc: Document, heading: int | None) -> bool:
    """Whether the tasks under heading ``heading`` carry numbers Renumber puts in order."""
    for top in list_under(doc, heading):
        for t in (top, *descendants(doc, top)):
            if _number_id(t) or prefix_parts_safe(doc, t)[2] is not None:
                return True
    return False


def prefix_parts_safe(doc: Document, task: Task):
    m = ITEM_PREFIX.match(doc.source.lines[task.item_line])
    return (None, None, None, None) if m is None else (m.group(1), m.group(2), m.group(3), m.group(4))


def plan_renumber(doc: Document, op: Renumber) -> Plan:
    if op.section is None:
        h = None
        name = "the top of the file"
    else:
        h = doc.find_heading(op.section)
        if h is None:
            raise ConflictError(f"the heading {op.section.path[-1]!r} is no longer in the file")
        name = doc.headings[h].text
    tops = list_under(doc, h)
    if not numbered(doc, h):
        raise EditError(f"the tasks under {name} are not numbered: there is nothing to renumber")
    src = doc.source
    new_text: dict[int, str] = {}  # task index -> its text with the new id
    new_id: dict[int, str] = {}
    patches: list[Patch] = []

    def renumber_markers(group: list[Task]) -> None:
        run: list[tuple[Task, int]] = []

        def flush() -> None:
            if run:
                start = min(n for _t, n in run)
                for k, (t, n) in enumerate(run):
                    if n != start + k:
                        m = ITEM_PREFIX.match(src.lines[t.item_line])
                        patches.append(Patch(src.offset(t.item_line, m.start(3)), src.offset(t.item_line, m.end(3)),
                                             encode(str(start + k))))
                run.clear()

        last = None
        for t in group:
            _lead, _bullet, num, delim = prefix_parts_safe(doc, t)
            joined = last is not None and num is not None and last[1] == delim and _gap(doc, last[0], t) is not None
            if not joined:
                flush()
            if num is not None:
                run.append((t, int(num)))
                last = (t, delim)
            else:
                last = None
        flush()

    def renumber_ids(group: list[Task], parent_id: str | None) -> None:
        numbered_ = [t for t in group if _number_id(t)]
        if not numbered_:
            return
        depth = Counter(t.id.count(".") for t in numbered_).most_common(1)[0][0]
        numbered_ = [t for t in numbered_ if t.id.count(".") == depth]
        if parent_id is not None and parent_id.count(".") + 1 == depth:
            prefix, start = parent_id, 1
        elif depth == 0:
            prefix, start = "", _first_top_number(doc, tops) if parent_id is None and group is tops else 1
        else:
            heading_number = re.match(r"(\d+(?:\.\d+)*)\.?\s", doc.headings[h].text) if h is not None else None
            if heading_number and heading_number.group(1).count(".") + 1 == depth:
                prefix = heading_number.group(1)
            else:
                prefix = Counter(t.id.rsplit(".", 1)[0] for t in numbered_).most_common(1)[0][0]
            start = 1
        for k, t in enumerate(numbered_):
            new = f"{prefix}.{start + k}" if prefix else str(start + k)
            if new != t.id:
                span = _id_span(doc, t)
                if span is None:
                    continue
                patches.append(Patch(src.offset(t.line, span[0]), src.offset(t.line, span[1]), encode(new)))
                new_text[t.index] = t.text.replace(t.id, new, 1)
                new_id[t.index] = new

    def walk(group: list[Task], parent_id: str | None) -> None:
        renumber_markers(group)
        renumber_ids(group, parent_id)
        for t in group:
            kids = doc.children(t)
            if kids:
                walk(kids, new_id.get(t.index, _number_id(t)))

    walk(tops, None)
    if not patches:
        return Plan((), f"the numbers under {name} are already in order")

    def expect(before: Document, after: Document) -> str | None:
        if len(after.tasks) != len(before.tasks):
            return "renumbering would change the tasks"
        for x, y in zip(before.tasks, after.tasks):
            if (x.mark, new_text.get(x.index, x.text), x.optional, x.parent) != (y.mark, y.text, y.optional, y.parent):
                return f"renumbering would change how line {x.line + 1} reads (a wider number moves its subtasks)"
        return None

    return Plan(tuple(patches), f"renumbered {len(patches)} number(s) under {name}",
                Details(changed_lines=len(patches)), expect)


def _first_top_number(doc: Document, tops: list[Task]) -> int:
    """Where a list of top-level numbers starts: 1 in files whose lists each start
    again at 1, else one after the last number of the lists above."""
    lists_with_one = set()
    for t in doc.tasks:
        if t.parent is None and t.id == "1" and not t.legend:
            lists_with_one.add(heading_above(doc, t.line))
    if len(lists_with_one) > 1 or not tops:
        return 1
    above = [int(t.id) for t in doc.tasks[:tops[0].index]
             if t.parent is None and not t.legend and t.id and t.id.isdigit()]
    return (max(above) + 1) if above else 1
