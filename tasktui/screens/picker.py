"""The file picker shown by a bare `tasktui` when there is no ./tasks.md but
tasks files lie below the current folder."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tasktui.safetext import one_line
from tasktui.widgets.plain import plain

SKIP = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", ".tox", ".mypy_cache", ".pytest_cache"}
NAMES = {"tasks.md", "todo.md"}


def find_tasks_files(root: Path, max_depth: int = 4, limit: int = 200) -> list[Path]:
    """spec-kit's specs/*/tasks.md, Kiro's .kiro/specs/*/tasks.md and other tasks.md / TODO.md a few levels down."""
    found: list[Path] = []
    root = root.resolve()
    for folder, dirs, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIP and (not d.startswith(".") or d == ".kiro"))
        if depth >= max_depth:
            dirs[:] = []
        for name in sorted(files):
            if name.lower() in NAMES:
                found.append(Path(folder) / name)
                if len(found) >= limit:
                    return found
    return found


def describe(path: Path, name: str | None = None) -> Text:
    """The path with its progress: `specs/001/tasks.md  12/40 ███░░░░░░░ 30%`."""
    from tasktui.doc.model import Document
    from tasktui.doc.rollup import RollUp, bar

    label = Text(one_line(name or str(path)), style="bold")
    try:
        if path.stat().st_size > 2_000_000:
            label.append("  (large file)", "dim")
            return label
        prog = RollUp(Document(path.read_bytes())).document
    except (OSError, ValueError):
        label.append("  (unreadable)", "red")
        return label
    label.append(f"  {prog.summary()} ", "green" if prog.status == "complete" else "")
    label.append(bar(prog.fraction, 10), "dim")
    label.append(f" {prog.percent:.0f}%")
    return label


class PickerApp(App[Path | None]):
    TITLE = "tasktui"
    BINDINGS = [Binding("q,escape", "quit_picker", "Quit")]
    CSS = """
    Static#intro { padding: 1 2; }
    OptionList { height: 1fr; margin: 0 2; }
    """

    def __init__(self, root: Path, files: list[Path]) -> None:
        super().__init__()
        self.root = root
        self.files = files

    def compose(self) -> ComposeResult:
        yield Static(plain(f"No tasks.md in {self.root}. Tasks files below it — pick one (Enter):"), id="intro")
        yield OptionList(*[Option(self._label(p), id=str(i)) for i, p in enumerate(self.files)])
        yield Footer()

    def _label(self, path: Path) -> Text:
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        return describe(path, str(rel))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(self.files[int(event.option.id)])

    def action_quit_picker(self) -> None:
        self.exit(None)
