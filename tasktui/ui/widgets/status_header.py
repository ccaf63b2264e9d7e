"""The header: where the file is, its title, overall progress, time, open blockers,
the running timer and any notice (read-only, loading, deleted...).

It is laid out for the width it has. When the parts do not fit on its second
line, the separators tighten, then the parts give way in this order: the note
that the file's time totals are out of date shortens; the time shortens
(``21.5h/61.5h +8%``); the progress bar goes; the timer's task name shortens;
the blocker count shortens (``⚑ 2``); the note on time totals goes; the
timer's task name goes; the time goes; a zero blocker count goes. The timer's
clock is never cut, and neither is a notice: one that does not fit moves to a
line of its own below (and wraps there). On the first line, at the right while
a filter or hide-done is on, the find indicator (``filter: US4 delete · done
hidden``); there the title gives way first, then the filter's query shortens
(to 8 cells), then the file's path loses its leading folders, then the query
shortens further. The indicator's words are never cut.

What it shows is its reactives, set by the main screen: the version shown with
its numbers (``shown``), ``file_name``, ``notice``, ``timer``, ``stale``,
``marked`` and ``find``; each change lays the header out again.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tasktui.doc.durations import short_hours
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp, bar
from tasktui.doc.safetext import one_line

SEP = "  │  "
SEP_TIGHT = " │ "


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { height: auto; min-height: 2; background: $panel; color: $text; padding: 0 1; }
    """

    # the version shown and its numbers (never compared: a new version is always shown)
    shown: reactive[tuple[Document, RollUp] | None] = reactive(None, always_update=True, init=False)
    file_name: reactive[str] = reactive("", init=False)
    notice: reactive[str | None] = reactive(None, init=False)  # read-only reason, deleted file, loading…
    timer: reactive[str | None] = reactive(None, init=False)  # "0:12 task name": the clock first
    stale: reactive[bool] = reactive(False, init=False)  # the file's time totals are out of date
    marked: reactive[int] = reactive(0, init=False)  # tasks marked to act on together
    find: reactive[tuple[str, bool]] = reactive(("", False), init=False)  # the filter's query; done tasks hidden

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)

    def validate_shown(self, shown: tuple[Document, RollUp | None] | None) -> tuple[Document, RollUp] | None:
        if shown is None:
            return None
        doc, rollup = shown
        return doc, rollup if rollup is not None and rollup.doc is doc else RollUp(doc)

    @property
    def doc(self) -> Document | None:
        return self.shown[0] if self.shown is not None else None

    @property
    def rollup(self) -> RollUp | None:
        return self.shown[1] if self.shown is not None else None

    def _lay_out(self) -> None:
        """Show what the reactives hold, laid out for the width there is (at once: what the
        header says is what it holds)."""
        self.update(self._render_text())

    # every change lays the header out again
    watch_shown = watch_file_name = watch_notice = watch_timer = watch_stale = watch_marked = watch_find = _lay_out

    def on_resize(self) -> None:
        self._lay_out()

    # -- layout -----------------------------------------------------------------------
    def _width(self) -> int | None:
        """The cells there are for text, or None before the header has a size (then nothing gives way)."""
        width = self.content_size.width if self.is_mounted else 0
        return width if width > 0 else None

    def _render_text(self) -> Text:
        width = self._width()
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append_text(self._first_line(width))
        out.append("\n")
        doc = self.doc
        if doc is None:
            notice = Text(one_line(self.notice or "Loading…"), "dim")
            line, own_line = self._fit([], notice, width)
        else:
            line, own_line = self._fit(self._parts(doc), self._notice_text(), width)
        out.append_text(line)
        if own_line is not None:
            out.append("\n")
            out.append_text(own_line)
        return out

    def _find_text(self, query_room: int | None = None) -> Text:
        """``filter: US4 delete · done hidden`` while a filter or hide-done is on (the
        query cut to ``query_room`` cells); empty when neither is."""
        query, hide_done = self.find
        out = Text(no_wrap=True, end="")
        if query:
            shown = Text(one_line(query), "bold", no_wrap=True, end="")
            if query_room is not None and shown.cell_len > query_room:
                shown.truncate(max(1, query_room), overflow="ellipsis")
            out.append("filter: ", "dim")
            out.append_text(shown)
        if hide_done:
            if query:
                out.append(" · ", "dim")
            out.append("done hidden", "bold")
        return out

    def _first_line(self, width: int | None) -> Text:
        name = one_line(self.file_name)
        title = one_line(self.doc.title) if self.doc is not None and self.doc.title else ""
        find = self._find_text()
        if width is not None and find.plain:
            query_len = cell_len(one_line(self.find[0]))
            fixed = find.cell_len - query_len  # the indicator's words
            room = query_len
            if cell_len(name) + 2 + fixed + room > width:  # the query shortens first
                room = max(min(query_len, 8), width - 2 - fixed - cell_len(name))
            if cell_len(name) + 2 + fixed + room > width:  # then the path
                name = _cut_left(name, max(12, width - 2 - fixed - room))
            if cell_len(name) + 2 + fixed + room > width:  # then the query again
                room = max(1, width - 2 - fixed - cell_len(name))
            find = self._find_text(room)
        elif width is not None and cell_len(name) > width:
            name = _cut_left(name, width)
        line = Text(name, "bold", no_wrap=True, overflow="ellipsis")
        gap = 2 if find.plain else 0  # between the title and the indicator
        if title and (width is None or cell_len(name) + 2 + min(cell_len(title), 8) + gap + find.cell_len <= width):
            line.append("  ")
            line.append(title, "italic")
            if width is not None:
                line.truncate(width - gap - find.cell_len, overflow="ellipsis")
        if find.plain:
            pad = 2 if width is None else max(2, width - line.cell_len - find.cell_len)
            line.append(" " * pad)
            line.append_text(find)
        return line

    def _notice_text(self) -> Text | None:
        if not self.notice:
            return None
        return Text(one_line(self.notice), "bold reverse")

    def _parts(self, doc: Document) -> list[list[Text | None]]:
        """Each part of the second line as the forms it can take, widest first (None:
        left out). ``_fit`` takes, step by step in the order of GIVE_WAY, the next form."""
        prog = self.rollup.document
        done_style = "green" if prog.status == "complete" else ""
        full = Text(f"{prog.summary()} ", done_style)
        full.append(bar(prog.fraction, 10), done_style or "dim")
        full.append(f" {prog.percent:.0f}%")
        progress = [full, Text(f"{prog.summary()} {prog.percent:.0f}%", done_style)]
        if not prog.total:  # nothing to count: no bar, no percentage, never "done"
            progress = [Text(prog.summary(), "dim")]

        time_forms: list[Text | None] = [None]
        stale_forms: list[Text | None] = [None]
        if prog.has_time:
            over = prog.variance_pct is not None and prog.variance_pct > 0
            wide = Text(f"{short_hours(prog.actual_hours)} spent / {short_hours(prog.estimate_hours)} est")
            narrow = Text(f"{short_hours(prog.actual_hours)}/{short_hours(prog.estimate_hours)}")
            if prog.variance_pct is not None:
                wide.append(f" ({prog.variance_pct:+.0f}%)", "red" if over else "green")
                narrow.append(f" {prog.variance_pct:+.0f}%", "red" if over else "green")
            time_forms = [wide, narrow, None]
            if self.stale:
                stale_forms = [Text("time totals in file out of date", "yellow"), Text("totals out of date", "yellow"), None]

        blockers = len(doc.open_blockers)
        style = "bold red" if blockers else "dim"
        blocker_forms: list[Text | None] = [Text(f"⚑ {blockers} open blocker{'s' if blockers != 1 else ''}", style),
                                            Text(f"⚑ {blockers}", style)]
        if not blockers:
            blocker_forms.append(None)

        # the count of marked tasks never gives way: it says what space, p, c and delete act on
        marked_forms: list[Text | None] = [Text(f"{self.marked} marked", "bold reverse") if self.marked else None]

        timer_forms: list[Text | None] = [None]
        if self.timer:
            clock, _, label = one_line(self.timer).partition(" ")
            timer_forms = [Text(f"⏱ {clock} {label}".rstrip(), "bold yellow")]
            for keep in (24, 12):
                if cell_len(label) > keep:
                    timer_forms.append(Text(f"⏱ {clock} {_cut_right(label, keep)}", "bold yellow"))
            timer_forms.append(Text(f"⏱ {clock}", "bold yellow"))
        return [progress, time_forms, stale_forms, blocker_forms, marked_forms, timer_forms]

    # which part takes its next (narrower) form, step by step: indexes into _parts
    PROGRESS, TIME, STALE, BLOCKERS, MARKED, TIMER = range(6)
    GIVE_WAY = (STALE, TIME, PROGRESS, TIMER, BLOCKERS, STALE, TIMER, TIMER, TIME, BLOCKERS)

    def _fit(self, parts: list[list[Text | None]], notice: Text | None, width: int | None) -> tuple[Text, Text | None]:
        """The second line, and the notice on a line of its own when it does not fit beside the rest."""
        chosen = [0] * len(parts)

        def line(with_notice: bool, sep: str) -> Text:
            pieces = [forms[k] for forms, k in zip(parts, chosen) if forms[k] is not None]
            if with_notice and notice is not None:
                pieces.append(notice)
            out = Text(no_wrap=True, overflow="ellipsis")
            for i, piece in enumerate(pieces):
                if i:
                    out.append(sep, "dim")
                out.append_text(piece)
            return out

        if width is None:
            return line(True, SEP), None
        for with_notice in (True, False):
            chosen = [0] * len(parts)
            steps = iter(self.GIVE_WAY)
            sep = SEP
            while True:
                text = line(with_notice, sep)
                if text.cell_len <= width:
                    if with_notice or notice is None:
                        return text, None
                    own = notice.copy()
                    own.no_wrap, own.overflow = False, "fold"
                    return text, own
                if sep == SEP:  # first the separators tighten
                    sep = SEP_TIGHT
                    continue
                part = next((p for p in steps if p < len(parts) and chosen[p] + 1 < len(parts[p])), None)
                if part is None:
                    break
                chosen[part] += 1
        # nothing gives way any more: the clock and the notice keep their cells, the rest is cut
        text = line(False, SEP_TIGHT)
        if notice is not None:
            own = notice.copy()
            own.no_wrap, own.overflow = False, "fold"
            return _keep_tail(text, width, parts, chosen), own
        return _keep_tail(text, width, parts, chosen), None


def _keep_tail(text: Text, width: int, parts, chosen) -> Text:
    """``text`` cut to ``width``, the timer's clock kept at its end."""
    timer = parts[StatusHeader.TIMER][chosen[StatusHeader.TIMER]] if len(parts) > StatusHeader.TIMER else None
    if timer is None or text.cell_len <= width:
        text.truncate(width, overflow="ellipsis")
        return text
    head = text[: max(0, len(text) - len(timer) - len(SEP_TIGHT))]
    head.truncate(max(0, width - timer.cell_len - len(SEP_TIGHT)), overflow="ellipsis")
    head.append(SEP_TIGHT, "dim")
    head.append_text(timer)
    return head


def _cut_left(text: str, width: int) -> str:
    """``text`` without its start, to fit ``width`` cells: "…/004-invoice/tasks.md"."""
    while text and cell_len(text) > width - 1:
        text = text[1:]
    return "…" + text


def _cut_right(text: str, width: int) -> str:
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text + "…"
