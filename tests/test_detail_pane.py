"""The detail pane's text: every fact on a line of its own, as it is drawn."""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from rich.markdown import Markdown

from tasktui.core.outline import Outline
from tasktui.doc.model import Document
from tasktui.doc.rollup import RollUp
from tasktui.ui.widgets.detail_pane import heading_markdown, task_markdown

SPECKIT = b"""# Tasks

## Phase 1: Setup

- [ ] T068 [P] [US7] Add 409 Conflict if tool cannot be deleted
  - **Estimated Time**: 2h
  - **Actual Time**: 1h
"""


def drawn(markdown: str, width: int) -> list[str]:
    """The lines the pane draws for ``markdown`` at ``width`` cells."""
    console = Console(width=width, record=True, color_system=None)
    console.print(Markdown(markdown))
    return [line.rstrip() for line in console.export_text().splitlines()]


def labels(markdown: str) -> list[str]:
    """The bold labels of the facts below the rule (``**Id**:``), as they read once drawn (``Id:``)."""
    facts = markdown.rpartition("\n---\n")[2]
    return [m.group(1) + ":" for m in re.finditer(r"\*\*([^*]+)\*\*:", facts)]


@pytest.mark.parametrize("width", [40, 64, 100])
def test_each_fact_of_a_task_starts_a_line(width):
    doc = Document(SPECKIT)
    text = task_markdown(doc, doc.tasks[0])
    lines = drawn(text, width)
    facts = labels(text)
    assert {"Id:", "Markers:", "Time:", "Line:"} <= set(facts)
    for label in facts:
        assert any(line.startswith(label) for line in lines), (label, lines)
    assert "Id: T068" in lines
    assert "Markers: [P] [US7]" in lines


@pytest.mark.parametrize("width", [40, 100])
def test_a_sections_progress_and_time_are_two_lines(width):
    doc = Document(SPECKIT)
    outline = Outline(doc, RollUp(doc))
    phase = next(n.index for n in outline.headings if n.text == "Phase 1: Setup")
    text = heading_markdown(outline, phase)
    lines = drawn(text, width)
    assert any(line.startswith("Progress: 0/1 done") for line in lines), lines
    assert any(line.startswith("Time: 1h spent of 2h estimated") for line in lines), lines
