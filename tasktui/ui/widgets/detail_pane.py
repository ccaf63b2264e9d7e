"""The detail pane: the highlighted task's full text and details as markdown, its
time and the log entries that mention it; for a section, its totals; while the
log has focus, the highlighted log entry, whole."""

from __future__ import annotations

import re
import textwrap

from rich.segment import Segment
from textual.containers import VerticalScroll
from textual.widgets import Static

from tasktui.doc.durations import short_hours
from tasktui.doc.links import entries_for
from tasktui.doc.model import Document, LogEntry, Task
from tasktui.doc.ready import READY, WAITING, Readiness
from tasktui.doc.states import NAMES
from tasktui.core.outline import HEADING, Outline, Row
from tasktui.doc.safetext import visible

# the only links that stay links (for the user's own click): http(s), nothing that a terminal could act on
_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+\Z", re.I)


class WebLinksOnly:
    """Renders ``renderable`` with every link that is not a plain http(s) URL turned
    into text: a file's markdown may link anywhere (``file:``, ``javascript:``,
    custom schemes a terminal would hand to a program); only web links stay."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console, options):
        for segment in console.render(self.renderable, options):
            style = segment.style
            if style is not None and style.link and not _WEB_LINK.match(style.link):
                segment = Segment(segment.text, style.update_link(None), segment.control)
            yield segment


FACT_BREAK = "  \n"
"""Between two facts of one paragraph: a hard line break (a bare newline would be a
soft break, and the facts would run on in one line)."""


def done_fact(task: Task, found) -> str | None:
    """When ``task`` was marked done, from the file's history (``found``): "done
    2026-11-20, abc1234", or None when the history does not know."""
    if found is None:
        return None
    done = found.for_task(task)
    if done is None or done.last_done is None:
        return None
    last, first = done.last_done, done.first_done
    said = f"{last.date[:10]}, {last.short}"
    if first is not None and first != last:
        said += f" (first {first.date[:10]}, {first.short})"
    return f"**Done**: {said}" if task.state == "done" else f"**Was done**: {said}, then reopened"


def task_markdown(doc: Document, task: Task, found=None, ready: Readiness | None = None) -> str:
    lines = doc.source.lines
    body = lines[task.item_line:task.end]
    body = "\n".join(body).rstrip()
    text = textwrap.dedent(body)
    state = NAMES.get(task.state, task.state) + (f" ({task.label})" if task.label and task.label.lower() != NAMES.get(task.state) else "")
    facts = [f"**State**: {state}" + (" (optional)" if task.optional else "")]
    if task.legend:
        facts = [f"**Legend**: this line says what `[{task.mark}]` means in this file; it is not a task"]
    if ready is not None:
        status = ready.status(task.index)
        if status == READY:
            facts.append(f"**Can start now**: {ready.reason(task.index).removeprefix('ready: ')}")
        elif status == WAITING:
            facts.append(f"**Waiting**: {ready.reason(task.index)}")
        for problem in ready.problems_for(task.index):
            facts.append(f"**Order problem** (line {problem.line + 1}): {problem.text}")
    if task.id:
        facts.append(f"**Id**: `{task.id}`")
    if task.markers:
        facts.append(f"**Markers**: {' '.join('`[' + m + ']`' for m in task.markers)}")
    if task.estimate_hours is not None or task.actual_hours is not None:
        facts.append(f"**Time**: {short_hours(task.actual_hours)} spent of {short_hours(task.estimate_hours)} estimated")
    done = done_fact(task, found)
    if done:
        facts.append(done)
    if task.path:
        facts.append(f"**Section**: {' › '.join(task.path)}")
    facts.append(f"**Line**: {task.line + 1}")
    parts = [text, "", "---", "", FACT_BREAK.join(facts)]
    entries = entries_for(doc, task)
    if entries:
        parts += ["", "**Log**", ""]
        for e in entries:
            status = "resolved" if e.resolved else ("open" if e.kind == "Blocker" else "")
            parts.append(f"- {e.date or ''} {e.kind}: {e.text}" + (f" ({status})" if status else ""))
    return "\n".join(parts)


TIMED_ROWS = 15
"""A section's table of timed tasks stops here (the tree shows each task's time):
Rich lays out every row of a table at each update, 2 to 3 ms a row (a 200-row table
took 0.3 s, on the UI thread)."""


def heading_markdown(outline: Outline, index: int) -> str:
    node = outline.headings[index]
    tot = outline.heading_totals(index)
    progress = f"{tot.summary()} done ({tot.percent:.0f}%)" if tot.total else tot.summary()  # empty is not done
    facts = [f"**Progress**: {progress}"]
    if tot.has_time:
        var = f", variance {tot.variance_pct:+.0f}%" if tot.variance_pct is not None else ""
        facts.append(f"**Time**: {short_hours(tot.actual_hours)} spent of {short_hours(tot.estimate_hours)} estimated{var}")
    lines = [f"## {node.text}", "", FACT_BREAK.join(facts)]
    if node.children:
        lines += ["", "| Subsection | Done | Progress | Time |", "|---|---|---|---|"]
        for c in node.children:
            ct = outline.heading_totals(c)
            if not ct.total:
                continue
            time = f"{short_hours(ct.actual_hours)}/{short_hours(ct.estimate_hours)}" if ct.has_time else ""
            done, of = ct.shown
            lines.append(f"| {outline.headings[c].text} | {done}/{of} | {ct.percent:.0f}% | {time} |")
    tasks = [outline.doc.tasks[i] for i in range(node.first_task, node.end_task)]
    timed = [t for t in tasks if t.estimate_hours is not None or t.actual_hours is not None]
    if timed:
        lines += ["", "| Task | Estimate | Actual |", "|---|---|---|"]
        for t in timed[:TIMED_ROWS]:
            name = t.text.replace("|", "\\|")
            name = name if len(name) <= 60 else name[:57] + "…"
            lines.append(f"| {name} | {short_hours(t.estimate_hours)} | {short_hours(t.actual_hours)} |")
        if len(timed) > TIMED_ROWS:
            lines += ["", f"… and {len(timed) - TIMED_ROWS} more timed tasks (the tree shows each one's time)."]
    return "\n".join(lines)


def entry_markdown(entry: LogEntry) -> str:
    """A log entry whole: what its table row cuts to the width."""
    status = ("resolved" if entry.resolved else "open") if entry.kind == "Blocker" else ""
    facts = [f"**{entry.kind}**" + (f" ({status})" if status else "")]
    if entry.date:
        facts.append(f"**Date**: {entry.date}")
    if entry.task:
        facts.append(f"**Task**: {entry.task}")
    if entry.resolved:
        facts.append("**Resolved**" + (f": {entry.resolved_date}" if entry.resolved_date else ""))
    facts.append(f"**Line**: {entry.line + 1}")
    parts = [entry.text]
    if entry.resolution:
        parts += ["", f"→ {entry.resolution}"]
    return "\n".join([*parts, "", "---", "", FACT_BREAK.join(facts)])


class DetailPane(VerticalScroll):
    DEFAULT_CSS = """
    DetailPane { width: 40%; min-width: 30; border-left: solid $panel-lighten-2; padding: 0 1; }
    DetailPane #detail-text { margin: 0; padding: 0; }
    """

    source = ""
    """The markdown now shown."""

    history = None
    """The file's history (tasktui.core.history.History), once read: when tasks were done."""

    def compose(self):
        yield Static("", id="detail-text")

    def _set_markdown(self, text: str) -> None:
        """Show ``text`` as markdown. Rich's renderer in one Static: Textual's Markdown
        widget mounts a widget per block, which costs tens of milliseconds per update
        and delayed key presses while it ran."""
        from rich.markdown import Markdown

        self.source = text
        shown = visible(text, multiline=True)  # file text: no control character reaches the terminal
        self.query_one("#detail-text", Static).update(WebLinksOnly(Markdown(shown)) if text else "")

    def show_entry(self, entry: LogEntry | None) -> None:
        """The log entry the log's cursor is on (None: nothing)."""
        if self.display:
            self._set_markdown(entry_markdown(entry) if entry is not None else "")
            self.scroll_home(animate=False)

    def show(self, outline: Outline | None, row: Row | None) -> None:
        if not self.display:
            return
        if outline is None or row is None:
            self._set_markdown("")
            return
        if not outline.doc.complete:  # the top of a big file: its totals and order are not known yet
            self.source = ""
            self.query_one("#detail-text", Static).update("Details once the whole file is read…")
            return
        if row.kind == HEADING:
            self._set_markdown(heading_markdown(outline, row.index))
        else:
            self._set_markdown(task_markdown(outline.doc, outline.doc.tasks[row.index], self.history, outline.ready))
        self.scroll_home(animate=False)
