"""tasktui: work through a markdown tasks file in the terminal."""

__version__ = "0.1.0"
