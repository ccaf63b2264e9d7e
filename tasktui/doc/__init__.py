"""The document model: no Textual, no I/O."""

from tasktui.doc.model import Document, LogEntry, Section, Task, TaskKey
from tasktui.doc.source import Source

__all__ = ["Document", "LogEntry", "Section", "Source", "Task", "TaskKey"]
