"""What the history keeps in tasktui's store (tasktui.storage.cache): what each
commit's version of the file adds up to, so that a second read parses only the
current version.

An entry, by ``commit:path``: the version's blob and its predecessor's (``blob``,
``prev``), its number of tasks (``n``), its tally (``tally``, ``sections``), which
task of the version before each task is (``runs``: the matching as runs), the
tasks it marked done (``became``) and, for the last commit, its tasks' ids,
texts and lines (``tasks``). Every entry is checked before use: anything of the
wrong shape, or of another blob, is computed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tasktui.core.history.values import Tally
from tasktui.storage import cache as store_cache

if TYPE_CHECKING:
    from tasktui.core.history.git import Step
    from tasktui.doc.model import Document
    from tasktui.doc.rollup import RollUp


def _runs(m: list[int]) -> list[int]:
    """``m`` as flat runs (new start, old start or -1, length)."""
    if m and m[0] == 0 and m[-1] == len(m) - 1 and m == list(range(len(m))):
        return [0, 0, len(m)]
    out: list[int] = []
    for i, j in enumerate(m):
        if out and (j == out[-2] + out[-1] if j >= 0 and out[-2] >= 0 else j < 0 and out[-2] < 0) \
                and out[-3] + out[-1] == i:
            out[-1] += 1
        else:
            out += [i, j if j >= 0 else -1, 1]
    return out


def unruns(runs: list[int], n: int) -> list[int]:
    """The matching of ``n`` tasks (each one's index in the version before, -1: new) from its runs."""
    m = [-1] * n
    for k in range(0, len(runs), 3):
        start, old, length = runs[k:k + 3]
        if old >= 0:
            m[start:start + length] = range(old, old + length)
    return m


def _valid_int(x) -> bool:
    return type(x) is int and 0 <= x < 10**9


def _valid_entry(e, blob: str, prev: str | None, prev_n: int) -> bool:
    """Whether ``e`` (read from the cache) is a well-formed entry for a version with
    content ``blob`` whose predecessor (with ``prev_n`` tasks) had content ``prev``."""
    try:
        if not isinstance(e, dict) or e.get("blob") != blob or e.get("prev") != prev:
            return False
        n = e["n"]
        tally = e["tally"]
        if not _valid_int(n) or not isinstance(tally, list) or len(tally) != 3 or not all(map(_valid_int, tally)):
            return False
        sections = e["sections"]
        if not isinstance(sections, list):
            return False
        for s in sections:
            if not (isinstance(s, list) and len(s) == 5 and isinstance(s[0], str)
                    and (s[1] is None or _valid_int(s[1])) and all(map(_valid_int, s[2:]))):
                return False
        runs = e["runs"]
        if not isinstance(runs, list) or len(runs) % 3 or not all(type(x) is int for x in runs):
            return False
        at = 0
        for k in range(0, len(runs), 3):
            start, old, length = runs[k:k + 3]
            if start != at or length < 1 or (old != -1 and not (0 <= old and old + length <= prev_n)):
                return False
            at += length
        if at != n:
            return False
        became = e["became"]
        if not isinstance(became, list) or not all(type(x) is int and 0 <= x < n for x in became):
            return False
        return became == sorted(set(became))
    except (KeyError, TypeError):
        return False


class HistoryCache:
    """What each commit's version of one file adds up to, by ``commit:path``, kept in
    tasktui's store (tasktui.storage.cache, under tasktui's rules and a scope of the
    repository, the file's path, its dialect and the day's length); each entry is
    checked against its commit before use (``get``: anything of the wrong shape is
    computed again)."""

    def __init__(self, key: list | None) -> None:
        self.scope = store_cache.history_scope(*key) if key is not None else None
        self.entries: dict = {}
        self.changed: set[str] = set()

    @staticmethod
    def entry_key(step: Step) -> str:
        return f"{step.commit}:{step.path}"

    def load(self) -> None:
        if self.scope is not None:
            self.entries = store_cache.load_history(self.scope)

    def has(self, step: Step, prev: str | None) -> bool:
        """Whether an entry for ``step`` (after a version with content ``prev``) is there."""
        e = self.entries.get(self.entry_key(step))
        return isinstance(e, dict) and e.get("blob") == step.blob and e.get("prev") == prev

    def get(self, step: Step, prev: str | None, prev_n: int) -> dict | None:
        e = self.entries.get(self.entry_key(step))
        return e if _valid_entry(e, step.blob, prev, prev_n) else None

    def put(self, key: str, entry: dict) -> None:
        self.entries[key] = entry
        self.changed.add(key)

    def save(self) -> None:
        """Keep the entries added or changed since ``load``."""
        if self.scope is not None and self.changed:
            store_cache.save_history(self.scope, {k: self.entries[k] for k in self.changed})
            self.changed = set()


def rows_of(doc: Document) -> list[list]:
    """[id, text, 1-based line, legend] of each task of ``doc`` (what the cache keeps of
    the last committed version, so that reading the history again parses nothing)."""
    return [[t.id, t.text, t.line + 1, t.legend] for t in doc.tasks]


def valid_rows(rows, n: int) -> list[list] | None:
    """``rows`` when they are well-formed rows of ``n`` tasks (from the cache), else None."""
    if not isinstance(rows, list) or len(rows) != n:
        return None
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and (row[0] is None or isinstance(row[0], str))
                and isinstance(row[1], str) and _valid_int(row[2]) and row[2] >= 1 and type(row[3]) is bool):
            return None
    return rows


def make_entry(step: Step, prev_blob: str | None, doc: Document, rollup: RollUp, m: list[int],
               became: list[int]) -> dict:
    """What the cache keeps of one version (see HistoryCache)."""
    tally = Tally.of(doc, rollup)
    return {"blob": step.blob, "prev": prev_blob, "n": len(doc.tasks),
            "tally": [tally.done, tally.required, tally.cancelled],
            "sections": [[s.title, s.line, s.done, s.required, s.cancelled] for s in tally.sections],
            "runs": _runs(m), "became": became}
