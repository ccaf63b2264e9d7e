from __future__ import annotations

"""The app's Blockers & Decisions log: the panel and its dialogs (a mixin of TaskTuiApp)."""

import time

from tasktui.doc import edits
from tasktui.widgets.log_panel import LogPanel


class LogMixin:
    async def action_toggle_log(self) -> None:
        found = self.query(LogPanel)
        if found:
            log = found.first()
            log.display = not log.display
        else:
            log = LogPanel(id="log")
            await self.mount(log, after=self.query_one("#main"))
        if log.display:
            if self.doc is not None:
                log.show(self.doc)
            log.table.focus()
        else:
            self.tree.focus()

    def on_log_panel_add_requested(self, _event=None) -> None:
        if not self._editable():
            return
        task = self.tree.cursor_task
        ref = (task.id or task.text) if task is not None else None
        today = time.strftime("%Y-%m-%d", time.localtime(self.clock()))

        def done(answer) -> None:
            if answer is not None:
                kind, text, date, task_ref = answer
                self.request_edit(edits.AddLogEntry(kind, text, date, task_ref))

        from tasktui.screens.log_dialog import LogEntryDialog

        self.push_screen(LogEntryDialog(ref, today), done)

    def action_add_log_entry(self) -> None:
        self.on_log_panel_add_requested()

    def on_log_panel_resolve_requested(self, event: LogPanel.ResolveRequested) -> None:
        if not self._editable():
            return
        key = event.key
        today = time.strftime("%Y-%m-%d", time.localtime(self.clock()))

        def done(text: str | None) -> None:
            if text:
                self.request_edit(edits.ResolveEntry(key, text, today))

        self._ask(f"How was it resolved? ({event.entry.text[:40]})", "", done,
                  validate=lambda v: None if v.strip() else "Say how the blocker was resolved, or press Esc.")

    def on_log_panel_edit_requested(self, event: LogPanel.EditRequested) -> None:
        if not self._editable():
            return
        key = event.key

        def done(text: str | None) -> None:
            if text is not None and text.strip() != event.entry.text:
                self.request_edit(edits.EditEntry(key, text))

        self._ask("Entry text", event.entry.text, done,
                  validate=lambda v: None if v.strip() else "An entry needs some text, or press Esc.")

