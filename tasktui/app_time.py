from __future__ import annotations

"""The app's time tracking: the time-entry dialog and the running timer (a mixin of TaskTuiApp)."""

from pathlib import Path

from textual import work

from tasktui import timer as timer_mod
from tasktui.doc import edits
from tasktui.tasksfile import TasksFile


class TimeMixin:
    def action_time_entry(self) -> None:
        task = self._editable_task()
        if task is None:
            return
        key = self._key(task)

        def done(answer: tuple[str, float] | None) -> None:
            if answer is None:
                return
            kind, hours = answer
            op = edits.AddTime(key, hours) if kind == "spent" else edits.SetEstimate(key, hours)
            self.request_edit(op)

        from tasktui.screens.time_dialog import TimeDialog

        self.push_screen(TimeDialog(task, self.settings.day_hours), done)

    def _resume_timer(self) -> None:
        running, problem = timer_mod.read()
        if problem:
            self.notify(problem, severity="warning", timeout=12)
        if running is None or not running.for_file(self.path):
            self.running = running if running is not None else None
            self._start_ticking()
            return
        self.running = running
        elapsed = running.elapsed(self.clock())
        day = self.settings.day_hours * 3600
        if elapsed > day:
            message = (
                f"A timer on “{running.label}” has been running for {timer_mod.clock_label(elapsed)}, "
                f"longer than a working day ({self.settings.day_hours:g}h). What should happen to it?"
            )

            def answer(choice: str | None) -> None:
                if choice == "discard":
                    timer_mod.clear()
                    self.running = None
                    self.notify("Timer discarded; nothing was booked.")
                elif choice == "trim":
                    self.running = timer_mod.RunningTimer(**{**running.__dict__, "started": self.clock() - day})
                    timer_mod.save(self.running)
                    self.notify(f"Timer trimmed to {self.settings.day_hours:g}h.")
                self._paint_timer()

            from tasktui.screens.time_dialog import LongTimerDialog

            self.push_screen(LongTimerDialog(message), answer)
        self._start_ticking()

    def _start_ticking(self) -> None:
        if getattr(self, "_ticker", None) is None:
            self._ticker = self.set_interval(1.0, self._paint_timer)
        self._paint_timer()

    def _paint_timer(self) -> None:
        if not self._alive():
            return
        running = self.running
        doc = self.doc
        if running is None or doc is None:
            self.header.show(timer=None)
            self.tree.set_marks(timer=None) if self.tree.timer is not None else None
            return
        label = timer_mod.clock_label(running.elapsed(self.clock()))
        where = running.label if running.for_file(self.path) else f"{running.label} ({Path(running.file).name})"
        self.header.show(timer=f"{label} {where[:40]}")
        task = doc.find(running.key) if running.for_file(self.path) else None
        if task is not None:
            self.tree.timer = (task.index, label)
            self.tree.refresh_task(task.index)

    def action_timer(self) -> None:
        if not self._editable():
            return
        task = self.tree.cursor_task
        running = self.running
        if running is not None:
            same = running.for_file(self.path) and task is not None and self.doc.find(running.key) == task
            self._stop_timer(running)
            if same or task is None:
                return
        if task is None:
            self.notify("Move to a task to start a timer.", severity="warning")
            return
        self.running = timer_mod.start(self.path, self._key(task), task.id or task.text[:40], self.clock())
        self.notify(f"Timer started on {task.id or task.text[:40]}. Press s again to stop it.", timeout=3)
        self._paint_timer()

    def _stop_timer(self, running: timer_mod.RunningTimer) -> None:
        hours = timer_mod.booked_hours(running.elapsed(self.clock()))
        self.running = None
        self.tree.set_marks(timer=None)
        if hours <= 0:
            timer_mod.clear()
            self.notify("Timer stopped after less than a minute: nothing booked.")
            self._paint_timer()
            return
        self._book(running, hours)

    @work(group="edits")
    async def _book(self, running: timer_mod.RunningTimer, hours: float) -> None:
        op = edits.AddTime(running.key, hours)
        if running.for_file(self.path):
            result = await self._apply(lambda: self.tasks_file.apply(op))
        else:
            def other_file():
                cfg = self.settings
                return TasksFile(running.file, sync=cfg.sync, day_hours=cfg.day_hours).apply(op)

            result = await self._apply(other_file, own_file=False)
        if result is not None:
            timer_mod.clear_if(running)  # a timer started meanwhile stays
        elif self.running is None:
            # not booked: keep the timer running so nothing is lost
            self.running = running
            timer_mod.save(running)
        else:
            self.notify(f"The {timer_mod.clock_label(hours * 3600)} of the previous timer on {running.label} could not "
                        "be booked; add it with t when the task is back.", severity="error", timeout=15)
        self._paint_timer()

