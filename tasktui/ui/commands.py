"""The command palette's entries for the open file (ctrl+p), as a Textual
command Provider beside the system commands (theme, keys, quit ...).

Each key of the main screen that can be used now, by its description; then what
has no key: repairing mojibake, adding a log entry, syncing the progress lines,
folding every section, renumbering the section under the cursor (where its tasks
are numbered), and "Mark <word>" for each state the file's own legend names in its
own words. Every entry runs on the main screen, as its key would. Titles and help
reach the palette as plain text: a legend's words come from the file, and the
palette reads help as markup."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, NamedTuple

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from tasktui.doc import edits
from tasktui.doc.states import SETTABLE
from tasktui.ui.screens.main import MainScreen


class Entry(NamedTuple):
    title: str
    help: str
    callback: object  # called with no argument when the entry is chosen


def entries(main: MainScreen) -> Iterator[Entry]:
    """The palette's entries for ``main``, in the order they are offered."""
    for binding in MainScreen.BINDINGS:
        if binding.action in ("app.quit",) or main.check_action(binding.action, ()) is False:
            continue  # quit is the system commands' own; an action that cannot be done now is not offered
        keys = " / ".join(main.app.get_key_display(replace(binding, key=key.strip()))
                          for key in binding.key.split(","))  # as the footer and the help name them
        yield Entry(binding.description, f"key: {keys}", lambda a=binding.action: main.run_action(a))
    yield Entry("Repair mojibake", "rewrite â¬œ-style garbled characters, after showing the change", main.action_repair)
    yield Entry("Add log entry", "a Blocker or Decision for the log", main.action_add_log_entry)
    yield Entry("Sync progress lines", "make Completion Status and Time Tracking state the truth",
                lambda: main.request(edits.Sync()))
    yield Entry("Collapse all", "fold every section", lambda: main.tree.set_all_collapsed(True))
    yield Entry("Expand all", "unfold every section", lambda: main.tree.set_all_collapsed(False))
    if main.can_renumber():
        yield Entry("Renumber this section", "put the numbers (1., 1.1, 2.1) of this section's tasks in order",
                    main.action_renumber_section)
    doc = main.session.doc
    if doc is not None and doc.legend:
        keys = {b.description.casefold() for b in MainScreen.BINDINGS}  # "Mark blocked" is the ! key's entry already
        for state, word in doc.legend.words().items():
            if state in SETTABLE and f"mark {word}".casefold() not in keys:
                yield Entry(f"Mark {word}", f"set the task's mark to the legend's mark for {word} (again: back to open)",
                            lambda s=state: main.set_state(s))


class FileCommands(Provider):
    """The open file's entries, on its main screen only."""

    def _entries(self) -> list[Entry]:
        return list(entries(self.screen)) if isinstance(self.screen, MainScreen) else []

    async def discover(self) -> Hits:
        for entry in sorted(self._entries(), key=lambda e: e.title):
            yield DiscoveryHit(Content(entry.title), entry.callback, text=entry.title, help=escape(entry.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(score, _highlighted(matcher, entry.title), entry.callback, text=entry.title,
                          help=escape(entry.help))


def _highlighted(matcher: Matcher, title: str) -> Content:
    """``title`` as plain text with the letters the query matched highlighted
    (``Matcher.highlight`` would read the title as markup)."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
