"""The user's files and tasktui's own, without Textual: reading, locking and
atomically writing the tasks file (store), watching it (watch), and what tasktui
keeps for itself (config, the running timer, the parse cache)."""
