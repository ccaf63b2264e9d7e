"""A persistent cache of parsed chunks, so that opening a file again (in the app
or on the command line) parses only what changed since.

Where: ``<user cache dir>/tasktui/parse/`` (``~/.cache/tasktui/parse`` on
Linux; ``$XDG_CACHE_HOME`` is honoured), created private to the user (0700
folders, 0600 files). ``TASKTUI_NO_CACHE=1`` or the command line's ``--no-cache`` turns it off.

What: one file per tasks file (named by a hash of its resolved path), holding
the chunks of its last versions: each chunk's result under ``chunk_key`` (a
digest of the chunk's own text and of tasktui's parser version), so an entry
is only ever used for the very text it was made from. The format is JSON
lines, each with a checksum of itself: no pickle, nothing that can run code,
and a corrupt, truncated or foreign line is skipped and parsed again. New
chunks are appended (several processes may append at once); a file whose dead
lines outweigh the live ones is rewritten (to a temporary file, renamed in).
The whole cache is kept under MAX_BYTES and MAX_FILES, oldest first out.

Beside a file's chunks, one summary may be kept (``load_summary`` /
``save_summary``): a small JSON object valid only under the key it was stored
with, written whole to a temporary file and renamed in, checksummed.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path

from tasktui.doc.parse import PARSER_VERSION, ChunkResult, RawHeading, RawTask

MAX_BYTES = 256 * 1024 * 1024
MAX_FILES = 400


_disabled = False


def disable() -> None:
    """No cache for the rest of this process (``--no-cache``)."""
    global _disabled
    _disabled = True


def enabled() -> bool:
    return not _disabled and os.environ.get("TASKTUI_NO_CACHE", "").strip().lower() not in ("1", "true", "yes")


def _folder() -> Path | None:
    """The private cache folder, created if needed; None when it cannot be had."""
    import platformdirs

    try:
        base = Path(platformdirs.user_cache_dir("tasktui")) / "parse"
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = base.stat()
        if st.st_uid != os.geteuid():
            return None
        if st.st_mode & 0o077:
            os.chmod(base, 0o700)
        return base
    except OSError:
        return None


def _file_for(path: str | os.PathLike[str]) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    real = os.path.realpath(os.fspath(path))
    name = hashlib.blake2b(os.fsencode(real), digest_size=16).hexdigest()
    return folder / f"{name}.jsonl"


# -- a summary beside the chunks ---------------------------------------------------
def load_summary(path: str | os.PathLike[str], key: str) -> dict | None:
    """The small JSON object stored for the file at ``path`` under ``key`` (what the
    workspace overview says of a file: tasktui.core.workspace), or None when there is
    none for that key, or it is damaged, or the cache is off. Never raises."""
    if not enabled():
        return None
    file = _file_for(path)
    if file is None:
        return None
    try:
        raw = file.with_suffix(".summary.json").read_bytes()
        body, _, check = raw.rpartition(b"\n")
        if hashlib.blake2b(body, digest_size=8).hexdigest().encode() != check:
            return None
        entry = json.loads(body)
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("value"), dict):
            return None
        return entry["value"]
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def save_summary(path: str | os.PathLike[str], key: str, value: dict) -> None:
    """Store ``value`` for the file at ``path`` under ``key`` (replacing what was
    there: one summary per file). Never raises."""
    if not enabled():
        return
    file = _file_for(path)
    if file is None:
        return
    target = file.with_suffix(".summary.json")
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        body = json.dumps({"key": key, "value": value}, ensure_ascii=True, separators=(",", ":")).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, body + b"\n" + hashlib.blake2b(body, digest_size=8).hexdigest().encode())
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _bound(target.parent)
    except (OSError, ValueError, TypeError):
        try:
            tmp.unlink()
        except OSError:
            pass


# -- the format -----------------------------------------------------------------------
def _encode(result: ChunkResult) -> list:
    return [
        [[*t[:9], [list(x) for x in t.labels], *t[10:12], list(t.estimate) if t.estimate else None,
          list(t.actual) if t.actual else None] for t in result.tasks],
        [[h.line, h.end, h.level, h.text] for h in result.headings],
        [list(x) for x in result.labels],
        result.front_matter,
        result.too_deep,
    ]


def _decode(raw) -> ChunkResult:
    tasks_raw, headings_raw, labels_raw, front, too_deep = raw
    tasks = tuple(RawTask(int(t[0]), int(t[1]), int(t[2]), int(t[3]), str(t[4]), bool(t[5]),
                          None if t[6] is None else int(t[6]), int(t[7]), bool(t[8]),
                          tuple((int(a), int(b)) for a, b in t[9]), int(t[10]), str(t[11]),
                          None if t[12] is None else (int(t[12][0]), str(t[12][1])),
                          None if t[13] is None else (int(t[13][0]), str(t[13][1])))
                  for t in tasks_raw)
    headings = tuple(RawHeading(int(a), int(b), int(c), str(d)) for a, b, c, d in headings_raw)
    labels = tuple((int(a), int(b), bool(c)) for a, b, c in labels_raw)
    return ChunkResult(tasks, headings, labels, int(front), bool(too_deep))


def _line(key: bytes, result: ChunkResult) -> bytes:
    payload = json.dumps([key.hex(), _encode(result)], ensure_ascii=False, separators=(",", ":"),
                         ).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(payload, digest_size=8).hexdigest().encode() + b" " + payload + b"\n"


def _read(file: Path) -> tuple[dict[bytes, ChunkResult], int]:
    """The entries of a cache file (later lines win) and how many lines it has (-1:
    a file of another parser version, or not a cache file: to be rewritten)."""
    try:
        data = file.read_bytes()
    except OSError:
        return {}, 0
    found: dict[bytes, ChunkResult] = {}
    lines = data.split(b"\n")
    if lines[0] != PARSER_VERSION.encode():
        return {}, -1  # another parser's: parsed again, and rewritten
    for line in lines[1:]:
        check, _, payload = line.partition(b" ")
        if not payload or hashlib.blake2b(payload, digest_size=8).hexdigest().encode() != check:
            continue  # truncated, corrupt or not ours: parsed again
        try:
            key_hex, raw = json.loads(payload.decode("utf-8", "surrogatepass"))
            found[bytes.fromhex(key_hex)] = _decode(raw)
        except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError, RecursionError):
            continue
    return found, len(lines)


# -- the interface ----------------------------------------------------------------------
class ChunkCache(dict):
    """The chunk results known for one tasks file (a dict: chunk_key -> ChunkResult),
    remembering which were added since it was read, for ``save``."""

    def __init__(self, known: dict | None = None, file: Path | None = None, lines: int = 0) -> None:
        super().__init__(known or {})
        self.file = file
        self.stored = set(self)
        self.lines = lines

    def fresh(self) -> list[bytes]:
        keys = list(self)  # taken at once (an edit on another thread may add some meanwhile)
        return [k for k in keys if k not in self.stored]


def load(path: str | os.PathLike[str]) -> ChunkCache:
    """What the cache knows of the file at ``path`` (an empty ChunkCache when nothing,
    or when the cache is off). Never raises."""
    if not enabled():
        return ChunkCache()
    file = _file_for(path)
    if file is None:
        return ChunkCache()
    known, lines = _read(file)
    try:
        os.utime(file)  # recently used: evicted last
    except OSError:
        pass
    return ChunkCache(known, file, lines)


def save(cache: ChunkCache, keep: list[bytes] | None = None) -> None:
    """Store what ``cache`` learnt. ``keep``: the keys of the file's current chunks
    (when many lines are dead, the file is rewritten with just those). Never raises."""
    if cache.file is None or not enabled():
        return
    fresh = cache.fresh()
    try:
        if cache.lines < 0 or keep is not None and cache.lines > 2 * len(keep) + 64:
            _rewrite(cache.file, [(k, cache[k]) for k in (keep if keep is not None else fresh) if k in cache])
            cache.lines = len(keep if keep is not None else fresh) + 1
        elif fresh:
            new = not cache.file.exists()
            fd = os.open(cache.file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                blob = (PARSER_VERSION.encode() + b"\n" if new else b"") + b"".join(_line(k, cache[k]) for k in fresh)
                os.write(fd, blob)  # one write: appends of several processes do not interleave
            finally:
                os.close(fd)
            cache.lines += len(fresh) + new
        else:
            return
        cache.stored.update(fresh)
        _bound(cache.file.parent)
    except (OSError, ValueError, TypeError, RuntimeError):
        pass  # a cache that cannot be written is no cache: the file is parsed next time


def _rewrite(file: Path, entries: list[tuple[bytes, ChunkResult]]) -> None:
    tmp = file.with_name(f".{file.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, PARSER_VERSION.encode() + b"\n" + b"".join(_line(k, r) for k, r in entries))
    finally:
        os.close(fd)
    os.replace(tmp, file)


def _bound(folder: Path) -> None:
    """Keep the cache under MAX_BYTES and MAX_FILES: the least recently used go first."""
    try:
        entries = [(e.stat().st_mtime, e.stat().st_size, Path(e.path)) for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if total <= MAX_BYTES and len(entries) <= MAX_FILES:
        return
    entries.sort()
    now = time.time()
    while entries and (total > MAX_BYTES or len(entries) > MAX_FILES):
        mtime, size, file = entries.pop(0)
        if now - mtime < 1 and len(entries) < MAX_FILES:
            break  # in use right now
        try:
            file.unlink()
        except OSError:
            pass
        total -= size
