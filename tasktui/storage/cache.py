"""tasktui's private store: what it keeps for itself to open files fast, in one place.

**Where.** One sqlite3 database, ``store.sqlite3`` in ``<user cache dir>/tasktui``
(``~/.cache/tasktui`` on Linux; ``$XDG_CACHE_HOME`` is honoured), a folder that
follows tasktui's folder rule (tasktui.storage.private: 0700, the user's, never
through a link; checked before connecting and again after). sqlite3 is in the
standard library, lets several tasktui processes read and write at once (WAL;
``journal_mode=DELETE`` where WAL cannot work, as on some network folders; no
store at all where neither can), and a damaged database is deleted and made
again. ``TASKTUI_NO_CACHE=1`` or ``--no-cache`` turns it off. A folder or a
database that cannot be used means running without the store, silently: never
an error for the user's command.

**What.** Rows of one table, each a value of one *kind* for one *scope*:

- ``chunk``: the parse of one chunk of a tasks file (tasktui.doc.parse), for the
  file's path, under the chunk's own key (a digest of its text);
- ``summary``: what the overview says of a file (tasktui.core.workspace), one per file;
- ``history``: what each commit's version of a file adds up to (tasktui.core.history);
- ``document``: the kept document of a file (tasktui.doc.kept), one per file, under a
  key of its bytes and the settings that change how it reads (tasktui.core.opener).

A kind is a name and the pair of functions that turn its values into bytes and
back (``Kind``); adding one needs no change to the schema.

**Versions.** Every row carries tasktui's rules digest (``rules_digest``: the
source of the code that computes what is kept), so a value is only ever used by
the very rules that made it; rows of other versions are never read and go first
when the store is trimmed. The schema has one number (``SCHEMA``, sqlite's
``user_version``); a database of another schema is made again.

**Trust.** Values are JSON (nothing in the store can run code), decoded into
their types with every field checked (types, counts >= 0, line numbers in range);
a chunk's result is also checked against the chunk's own text before use
(tasktui.doc.parse.KeptResults), a summary against the file it describes, a
history entry against its commit. A value that fails is dropped and computed
again: never shown, never a crash.

**Size.** At most MAX_BYTES: when a write takes it past that, the scopes used
least recently go until it is at three quarters, and the freed pages are given
back (``auto_vacuum=INCREMENTAL``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from tasktui.doc.parse import ChunkResult, KeptResults, RawHeading, RawTask
from tasktui.storage import private

SCHEMA = 1
MAX_BYTES = 256 * 1024 * 1024
NAME = "store.sqlite3"
BUSY_MS = 2000  # how long a write waits for another process's write
_SIDE_FILES = ("-wal", "-shm", "-journal")
_OLD_FOLDERS = ("parse", "history")  # the JSON-lines parse cache and the history cache of earlier versions

_disabled = False


@contextmanager
def off():
    """No store while the block runs (``--no-cache``: one command, not the rest of the
    process that called it)."""
    global _disabled
    was, _disabled = _disabled, True
    try:
        yield
    finally:
        _disabled = was


def enabled() -> bool:
    return not _disabled and os.environ.get("TASKTUI_NO_CACHE", "").strip().lower() not in ("1", "true", "yes")


def base_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("tasktui"))


def location() -> Path:
    """Where the database is (or would be)."""
    return base_folder() / NAME


@functools.cache
def rules_digest() -> str:
    """A digest of the code whose results are kept: the model (tasktui/doc), what the
    app, the command line and the history share (tasktui/core), the settings that
    change how a file reads, and this module. A value made by other rules is never used."""
    here = Path(__file__).resolve().parent.parent  # tasktui/
    h = hashlib.blake2b(f"schema {SCHEMA}".encode(), digest_size=16)
    sources = sorted((here / "doc").rglob("*.py")) + sorted((here / "core").rglob("*.py"))
    for source in sources + [here / "storage" / "config.py", Path(__file__).resolve()]:
        h.update(source.relative_to(here).as_posix().encode() + b"\0")
        try:
            h.update(source.read_bytes())
        except OSError:
            h.update(os.urandom(16))  # unreadable: never reused
    return h.hexdigest()


# -------------------------------------------------------------------- the database
class _Store:
    """The open database of one location, shared by the threads of the process."""

    def __init__(self, folder: Path, db: sqlite3.Connection) -> None:
        self.folder = folder
        self.db = db
        self.lock = threading.Lock()


_open: dict[Path, _Store | None] = {}  # per location: the store, or None when it cannot be had
_open_lock = threading.Lock()


def _store() -> _Store | None:
    """The store of this location, opened (made, if need be) on first use; None when
    it is off or cannot be had."""
    if not enabled():
        return None
    path = location()
    with _open_lock:
        if path in _open:
            return _open[path]
        for other in [s for s in _open.values() if s is not None]:  # one location at a time
            with other.lock:
                other.db.close()
        _open.clear()
        try:
            found = _connect(path)
        except sqlite3.OperationalError:
            return None  # busy just now: no store this time, tried again on the next use
        except (sqlite3.Error, OSError):
            found = None
        _open[path] = found
        return found


def _regular_or_missing(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()


def _remove_database(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def _connect(path: Path) -> _Store | None:
    folder = private.private_folder(path.parent)
    if folder is None:
        return None
    before = os.lstat(folder)
    for attempt in range(2):
        # sqlite opens (and makes) the database and its side files itself, following
        # links: in the verified folder, nothing but regular files of ours may be there
        if not all(_regular_or_missing(Path(f"{path}{s}")) for s in ("", *_SIDE_FILES)):
            return None
        fresh = not os.path.exists(path)
        db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            again = private.private_folder(path.parent)
            now = os.lstat(folder) if again is not None else None
            if now is None or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino) or not _regular_or_missing(path):
                db.close()
                return None
            os.chmod(path, 0o600)  # a regular file of ours (checked just above)
            _prepare(db)
            if fresh:
                _remove_old_caches(folder)
            return _Store(folder, db)
        except sqlite3.OperationalError:
            db.close()
            raise  # busy, or no journal here: not remembered, tried again on the next use
        except sqlite3.DatabaseError:
            db.close()
            if attempt:
                return None
            _remove_database(path)  # damaged, or of another schema: made again
    return None


def _prepare(db: sqlite3.Connection) -> None:
    """Journal mode, the schema and its version, made by whichever process comes first
    (the others wait for it); DatabaseError for a database that is damaged or of another
    schema, OperationalError for one that cannot be used here."""
    if db.execute("PRAGMA user_version").fetchone()[0] == 0:
        db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # before the journal mode and the first table, or never
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError:
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]  # another process may be switching it
        if str(mode).lower() != "wal":
            mode = db.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise sqlite3.OperationalError(f"journal mode {mode}")
    db.execute("PRAGMA synchronous=NORMAL")  # a cache: a crash may lose the last writes, never the database
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA:
        return
    if version != 0:
        raise sqlite3.DatabaseError(f"schema {version}")
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == 0:  # not made by another process meanwhile
            db.execute(
                "CREATE TABLE IF NOT EXISTS entry ("
                " kind TEXT NOT NULL, scope TEXT NOT NULL, rules TEXT NOT NULL, key TEXT NOT NULL,"
                " value BLOB NOT NULL, used INTEGER NOT NULL,"
                " PRIMARY KEY (kind, scope, rules, key)) WITHOUT ROWID")
            db.execute(f"PRAGMA user_version={SCHEMA}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _remove_old_caches(folder: Path) -> None:
    """The JSON-lines parse cache and the history cache of earlier versions: their
    regular files, then their folders when empty (never through a link)."""
    for name in _OLD_FOLDERS:
        old = folder / name
        try:
            if not stat.S_ISDIR(os.lstat(old).st_mode):
                continue
            with os.scandir(old) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                        os.unlink(entry.path)
            os.rmdir(old)
        except OSError:
            continue


def _run(work: Callable[[sqlite3.Connection], object], default=None):
    """``work(db)`` under the store's lock; ``default`` when there is no store or the
    database fails (a damaged one is deleted, to be made again on the next use)."""
    store = _store()
    if store is None:
        return default
    with store.lock:
        try:
            return work(store.db)
        except sqlite3.OperationalError:
            return default  # busy or locked by another process, a full disk: no cache this time
        except sqlite3.DatabaseError:
            pass  # damaged: below, once the lock is let go
        except sqlite3.Error:
            return default  # closed meanwhile (another location was opened)
    _forget(store)
    return default


def _forget(store: _Store) -> None:
    """Close a damaged database and delete it; the next use makes a new one."""
    with _open_lock:
        for path, found in list(_open.items()):
            if found is store:
                del _open[path]
        with store.lock:
            try:
                store.db.close()
            except sqlite3.Error:
                pass
            _remove_database(store.folder / NAME)


def _now() -> int:
    return int(time.time())


# ------------------------------------------------------------------------ kinds
@dataclass(frozen=True)
class Kind:
    """One kind of value: its name in the table, and how a value becomes bytes and
    back (``decode`` raises ValueError, TypeError or KeyError for bytes that are not
    a well-formed value of this kind)."""

    name: str
    encode: Callable[[object], bytes]
    decode: Callable[[bytes], object]


def _get_all(kind: Kind, scope: str) -> dict[str, object]:
    """Every well-formed value of ``kind`` kept for ``scope`` by these rules, by key;
    the rows are marked used now."""

    def work(db):
        rows = db.execute("SELECT key, value FROM entry WHERE kind=? AND scope=? AND rules=?",
                          (kind.name, scope, rules_digest())).fetchall()
        if rows:
            _touch(db, kind, scope)
        return rows

    found = {}
    for key, value in _run(work, []):
        try:
            found[key] = kind.decode(value)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            continue  # not a value of this kind: computed again
    return found


def _get(kind: Kind, scope: str, key: str):
    def work(db):
        row = db.execute("SELECT value FROM entry WHERE kind=? AND scope=? AND rules=? AND key=?",
                         (kind.name, scope, rules_digest(), key)).fetchone()
        if row is not None:
            _touch(db, kind, scope)
        return row

    row = _run(work)
    if row is None:
        return None
    try:
        return kind.decode(row[0])
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def _touch(db: sqlite3.Connection, kind: Kind, scope: str) -> None:
    """Mark the scope's rows used now (at most once a minute: a read stays a read), if
    no other process is writing just now: a read never waits for that."""
    now = _now()
    db.execute("PRAGMA busy_timeout=20")
    try:
        db.execute("UPDATE entry SET used=? WHERE kind=? AND scope=? AND rules=? AND used<?",
                   (now, kind.name, scope, rules_digest(), now - 60))
    except sqlite3.OperationalError:
        pass  # busy: marked at the next read
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_MS}")


def _put(kind: Kind, scope: str, items: Iterable[tuple[str, object]], keep: set[str] | None = None) -> None:
    """Keep ``items`` (key, value) of ``kind`` for ``scope``; with ``keep``, the scope's
    other rows of these rules go (only the keys in ``keep`` and ``items`` stay)."""
    rows = [(kind.name, scope, rules_digest(), key, kind.encode(value), _now()) for key, value in items]

    def work(db):
        db.execute("BEGIN IMMEDIATE")
        try:
            if keep is not None:
                kept = keep | {r[3] for r in rows}
                stored = db.execute("SELECT key FROM entry WHERE kind=? AND scope=? AND rules=?",
                                    (kind.name, scope, rules_digest())).fetchall()
                db.executemany("DELETE FROM entry WHERE kind=? AND scope=? AND rules=? AND key=?",
                               [(kind.name, scope, rules_digest(), k) for (k,) in stored if k not in kept])
            db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        _bound(db)

    _run(work)


def _bound(db: sqlite3.Connection) -> None:
    """Keep the database under MAX_BYTES: past it, the scopes used least recently (rows
    of other rules first) go until it is at three quarters; the pages go back to the disk."""
    page = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
    if pages * page <= MAX_BYTES:
        return
    groups = db.execute("SELECT kind, scope, rules, max(used), sum(length(value) + length(key) + 64) FROM entry"
                        " GROUP BY kind, scope, rules").fetchall()
    mine = rules_digest()
    groups.sort(key=lambda g: (g[2] == mine, g[3]))
    total = sum(g[4] for g in groups)
    db.execute("BEGIN IMMEDIATE")
    try:
        for kind, scope, rules, _used, size in groups:
            if total <= MAX_BYTES * 3 // 4:
                break
            db.execute("DELETE FROM entry WHERE kind=? AND scope=? AND rules=?", (kind, scope, rules))
            total -= size
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("PRAGMA incremental_vacuum")


def _scope_of(path: str | os.PathLike[str]) -> str:
    """The scope of a tasks file: a digest of its resolved path."""
    real = os.path.realpath(os.fspath(path))
    return hashlib.blake2b(os.fsencode(real), digest_size=16).hexdigest()


# --------------------------------------------------------------- the store as a whole
@dataclass(frozen=True)
class Usage:
    path: Path
    bytes: int  # the database and its side files on disk
    entries: int


def usage() -> Usage | None:
    """Where the store is and how big; None when there is none (off, or its folder
    cannot be had)."""
    store = _store()
    if store is None:
        return None
    entries = _run(lambda db: db.execute("SELECT count(*) FROM entry").fetchone()[0], 0)
    size = 0
    for suffix in ("", *_SIDE_FILES):
        try:
            size += os.lstat(f"{store.folder / NAME}{suffix}").st_size
        except OSError:
            pass
    return Usage(store.folder / NAME, size, entries)


def clear() -> bool:
    """Empty the store (every kind, every version) and give its space back; False when
    there is no store or it could not be emptied."""

    def work(db):
        db.execute("DELETE FROM entry")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True

    return bool(_run(work, False))


def close() -> None:
    """Close the databases this process opened (the next use opens them again)."""
    with _open_lock:
        stores = [s for s in _open.values() if s is not None]
        _open.clear()
    for store in stores:
        with store.lock:
            try:
                store.db.close()
            except sqlite3.Error:
                pass


# ------------------------------------------------------------------------- chunks
def _pair(x, second: type) -> tuple:
    a, b = x
    if type(a) is not int or type(b) is not second:
        raise TypeError(x)
    return (a, b)


def _encode_chunk(result: ChunkResult) -> bytes:
    raw = [
        [[*t[:9], [list(x) for x in t.labels], *t[10:12], list(t.estimate) if t.estimate else None,
          list(t.actual) if t.actual else None] for t in result.tasks],
        [[h.line, h.end, h.level, h.text] for h in result.headings],
        [list(x) for x in result.labels],
        result.front_matter,
        result.too_deep,
    ]
    return json.dumps(raw, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _decode_chunk(data: bytes) -> ChunkResult:
    """The ChunkResult ``data`` holds, every field of its type (TypeError, ValueError
    otherwise); whether its numbers fit the chunk is tasktui.doc.parse.fits's to say,
    against the chunk's text, before the result is used."""
    tasks_raw, headings_raw, labels_raw, front, too_deep = json.loads(data)
    new_task = tuple.__new__
    tasks = []
    for t in tasks_raw:
        line, item, end, col, mark, optional, parent, depth, quote, labels, mark_byte, text, estimate, actual = t
        if not (type(line) is int and type(item) is int and type(end) is int and type(col) is int
                and type(mark) is str and type(optional) is bool and (parent is None or type(parent) is int)
                and type(depth) is int and type(quote) is bool and type(mark_byte) is int and type(text) is str):
            raise TypeError("not a task")
        t[9] = tuple(_pair(x, int) for x in labels) if labels else ()
        if estimate is not None:
            t[12] = _pair(estimate, str)
        if actual is not None:
            t[13] = _pair(actual, str)
        tasks.append(new_task(RawTask, t))
    headings = []
    for line, end, level, text in headings_raw:
        if not (type(line) is int and type(end) is int and type(level) is int and type(text) is str):
            raise TypeError("not a heading")
        headings.append(RawHeading(line, end, level, text))
    labels = []
    for line, end, inside in labels_raw:
        if not (type(line) is int and type(end) is int and type(inside) is bool):
            raise TypeError("not a label")
        labels.append((line, end, inside))
    if type(front) is not int or type(too_deep) is not bool:
        raise TypeError("not a chunk")
    return ChunkResult(tuple(tasks), tuple(headings), tuple(labels), front, too_deep)


CHUNK = Kind("chunk", _encode_chunk, _decode_chunk)


class ChunkCache(KeptResults):
    """The chunk results known for one tasks file (chunk_key -> ChunkResult), each
    checked against its chunk's text before use; remembers which were added since it
    was read, for ``save``."""

    def __init__(self, known: dict | None = None, scope: str | None = None) -> None:
        super().__init__(known)
        self.scope = scope
        self.stored = set(self)

    def result_for(self, key: bytes, lines, start: int, end: int) -> ChunkResult | None:
        result = super().result_for(key, lines, start, end)
        if result is None:
            self.stored.discard(key)  # dropped (it did not fit): the result parsed now is saved over it
        return result

    def fresh(self) -> list[bytes]:
        keys = list(self)  # taken at once (an edit on another thread may add some meanwhile)
        return [k for k in keys if k not in self.stored]


def load(path: str | os.PathLike[str]) -> ChunkCache:
    """What the store knows of the file at ``path`` (an empty ChunkCache when nothing,
    or when the store is off). Never raises."""
    if not enabled():
        return ChunkCache()
    scope = _scope_of(path)
    known = {bytes.fromhex(k): v for k, v in _get_all(CHUNK, scope).items() if len(k) == 40}
    return ChunkCache(known, scope)


def for_file(path: str | os.PathLike[str], known: dict | None = None) -> ChunkCache:
    """A ChunkCache of the file at ``path`` holding only ``known`` (none of the store's
    chunks are read); what it learns is added to the store's by ``save``."""
    cache = ChunkCache(None, _scope_of(path) if enabled() else None)
    cache.update(known or {})
    return cache


def save(cache: ChunkCache, keep: list[bytes] | None = None) -> None:
    """Store what ``cache`` learnt. ``keep``: the keys of the file's current chunks
    (the file's other chunks go once they outnumber these). Never raises."""
    if cache.scope is None or not enabled():
        return
    fresh = cache.fresh()
    if not fresh:
        return
    items = [(k.hex(), cache[k]) for k in fresh if k in cache]
    stale = keep is not None and len(cache) > 2 * len(keep) + 64
    _put(CHUNK, cache.scope, items, keep={k.hex() for k in keep} if stale else None)
    cache.stored.update(fresh)


# -------------------------------------------------------------------- summaries
def _encode_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _decode_object(data: bytes) -> dict:
    value = json.loads(data)
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return value


SUMMARY = Kind("summary", _encode_json, _decode_object)


def load_summary(path: str | os.PathLike[str], key: str) -> dict | None:
    """The JSON object stored for the file at ``path`` under ``key`` (what the overview
    says of a file: tasktui.core.workspace, which checks it), or None. Never raises."""
    if not enabled():
        return None
    found = _get(SUMMARY, _scope_of(path), "summary")
    if not isinstance(found, dict) or found.get("key") != key or not isinstance(found.get("value"), dict):
        return None
    return found["value"]


def save_summary(path: str | os.PathLike[str], key: str, value: dict) -> None:
    """Store ``value`` for the file at ``path`` under ``key`` (one per file). Never raises."""
    if not enabled():
        return
    try:
        _put(SUMMARY, _scope_of(path), [("summary", {"key": key, "value": value})])
    except (TypeError, ValueError):
        pass  # not JSON: nothing kept


# ----------------------------------------------------------------------- history
HISTORY = Kind("history", _encode_json, _decode_object)


def history_scope(*parts: str | float | None) -> str:
    """The scope of one file's history: a digest of what it depends on besides the
    commits (the repository, the path, the dialect, the day's length)."""
    return hashlib.blake2b(json.dumps(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def load_history(scope: str) -> dict[str, dict]:
    """The entries kept for a history (by ``commit:path``; tasktui.core.history checks
    each against its commit). Never raises."""
    if not enabled():
        return {}
    return _get_all(HISTORY, scope)


def save_history(scope: str, entries: dict[str, dict]) -> None:
    """Keep ``entries`` (new or changed) of a history. Never raises."""
    if enabled() and entries:
        _put(HISTORY, scope, entries.items())


# ----------------------------------------------------------------------- documents
DOCUMENT = Kind("document", _encode_json, _decode_object)


def load_document(path: str | os.PathLike[str], key: str) -> dict | None:
    """The record kept for the file at ``path`` under ``key`` (tasktui.doc.kept checks
    it against the file before use), or None. Never raises."""
    if not enabled():
        return None
    found = _get(DOCUMENT, _scope_of(path), key)
    return found if isinstance(found, dict) else None


def has_document(path: str | os.PathLike[str], key: str) -> bool:
    """Whether a record is kept for the file at ``path`` under ``key`` (not read, not
    checked: whether an open may do without parsing). Never raises."""
    if not enabled():
        return False
    row = _run(lambda db: db.execute("SELECT 1 FROM entry WHERE kind=? AND scope=? AND rules=? AND key=?",
                                     (DOCUMENT.name, _scope_of(path), rules_digest(), key)).fetchone())
    return row is not None


def save_document(path: str | os.PathLike[str], key: str, record: dict) -> None:
    """Keep ``record`` for the file at ``path`` under ``key``: the only one of the file
    (its records of other bytes go). Never raises."""
    if not enabled():
        return
    try:
        _put(DOCUMENT, _scope_of(path), [(key, record)], keep=set())
    except (TypeError, ValueError):
        pass  # not JSON: nothing kept
