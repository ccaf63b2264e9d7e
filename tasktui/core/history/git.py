"""git, as the history reads it: the commits of the current branch that changed
the file, followed through its renames, and each version's bytes.

Which versions: the commits of the current branch that changed the file,
following first parents from HEAD (a merge counts as one change, at its own
date), each at its author date. The file is followed through renames of
*this* file only: where a commit adds the path, that commit's diff against its
first parent must show a rename (``R``, git's rename detection, without
copies) whose new side is this path, and the walk goes on with the old path
from the parent. ``git log --follow`` is not used: it also follows copies, and
so jumps to another spec's ``tasks.md`` that the file was copied from. In a
shallow clone the walk ends at the clone's boundary (``Walk.shallow``).

One ``git log`` per name the file had; every blob read through one
long-lived ``git cat-file --batch`` process (``Blobs``). git runs on one
repository folder (``git -C``), never through a shell, and every failure is
one sentence (``HistoryError``). ``last_commits`` answers the overview's
"Changed" column from the same plumbing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class HistoryError(Exception):
    """Why there is no history to read, in one sentence."""


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # the file's own repository, not one the caller points at
        env.pop(name, None)
    return env


class Git:
    """git, run on one repository folder (``git -C``), never through a shell."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name  # the file's name, for the sentences
        self.env = _git_env()

    def command(self, *args: str) -> list[str]:
        return ["git", "-C", str(self.folder), "--literal-pathspecs", "-c", "log.showSignature=false",
                "-c", "core.quotePath=false", *args]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run(self.command(*args), capture_output=True, env=self.env, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise HistoryError(f"git was not found, so the history of {self.name} cannot be read.") from None
        except OSError as exc:
            raise HistoryError(f"git could not be run ({exc.strerror or exc}), so the history of {self.name} "
                               "cannot be read.") from None
        if check and done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = said[0].removeprefix("fatal: ").rstrip(".") if said else f"exit status {done.returncode}"
            raise HistoryError(f"git could not read the history of {self.name} ({reason}).")
        return done

    def out(self, *args: str) -> bytes:
        return self.run(*args).stdout


class Blobs:
    """File contents by blob id, read through one ``git cat-file --batch`` process."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.proc: subprocess.Popen | None = None

    def read(self, blob: str) -> bytes:
        if self.proc is None:
            try:
                self.proc = subprocess.Popen(self.git.command("cat-file", "--batch"), stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.git.env)
            except OSError as exc:
                raise HistoryError(f"git could not be run ({exc.strerror or exc}), so the history of "
                                   f"{self.git.name} cannot be read.") from None
        proc = self.proc
        try:
            proc.stdin.write(blob.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise HistoryError(f"git could not read a version of {self.git.name} ({blob[:12]} is missing).")
            size = int(header[2])
            data = proc.stdout.read(size + 1)
        except (OSError, ValueError):
            raise HistoryError(f"git stopped while reading the history of {self.git.name}.") from None
        if len(data) != size + 1:
            raise HistoryError(f"git stopped while reading the history of {self.git.name}.")
        return data[:size]

    def close(self) -> None:
        """End git: close its input, wait up to 5 s, then kill it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def __enter__(self) -> "Blobs":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Step:
    """A commit that changed the file: the file's path then, and its content's blob id."""

    commit: str
    date: str
    path: str
    blob: str


@dataclass(frozen=True)
class Walk:
    steps: tuple[Step, ...]  # oldest first
    renames: tuple[tuple[str, str, str], ...]  # (commit, old path, new path), newest first
    shallow: Step | None  # the clone's boundary commit, when the walk ended there


def _raw_entries(body: bytes) -> list[tuple[str, str, str, list[bytes]]]:
    """(status, old blob, new blob, paths) of the ``--raw -z`` entries in ``body``."""
    out = []
    tokens = body.lstrip(b"\n").split(b"\0")
    k = 0
    while k < len(tokens):
        meta = tokens[k]
        if not meta.startswith(b":"):
            k += 1
            continue
        fields = meta[1:].split()
        if len(fields) < 5:
            k += 1
            continue
        status = fields[4].decode("ascii", "replace")
        n = 2 if status[:1] in ("R", "C") else 1
        out.append((status, fields[2].decode("ascii"), fields[3].decode("ascii"), tokens[k + 1:k + 1 + n]))
        k += 1 + n
    return out


def _log(git: Git, rev: str, path: bytes) -> list[tuple[str, list[str], str, tuple[str, str, str] | None]]:
    """The first-parent commits from ``rev`` that changed ``path``, newest first:
    (commit, parents, author date, (status, old blob, new blob) of ``path``)."""
    out = git.out("log", "--first-parent", "--diff-merges=first-parent", "--root", "--no-renames", "--raw", "--no-abbrev",
                  "-z", "--format=%x1e%H%x1f%P%x1f%aI", rev, "--", os.fsdecode(path))
    commits = []
    for record in out.split(b"\x1e")[1:]:
        header, _, body = record.partition(b"\0")
        parts = header.decode("ascii", "replace").split("\x1f")
        if len(parts) != 3:
            continue
        sha, parents, when = parts
        entry = next(((s, a, b) for s, a, b, paths in _raw_entries(body) if paths and paths[0] == path), None)
        commits.append((sha, parents.split(), when.strip(), entry))
    return commits


def _renamed_from(git: Git, parent: str, commit: str, path: bytes) -> bytes | None:
    """The path this file had in ``parent`` when ``commit`` renamed it to ``path``
    (git's rename detection between the two; copies are not renames), else None."""
    out = git.out("diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", "--no-ext-diff", parent, commit)
    for status, _old, _new, paths in _raw_entries(out):
        if status.startswith("R") and len(paths) == 2 and paths[1] == path:
            return paths[0]
    return None


def _shallow_commits(git: Git) -> set[str]:
    where = git.run("rev-parse", "--git-path", "shallow", check=False).stdout.strip()
    if not where:
        return set()
    shallow_file = Path(os.fsdecode(where))
    if not shallow_file.is_absolute():
        shallow_file = git.folder / shallow_file
    try:
        return set(shallow_file.read_text("ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def walk(git: Git, path: bytes, rev: str = "HEAD") -> Walk:
    """The commits that changed the file at ``path`` (as of ``rev``), oldest first,
    following its renames (see the module's docstring)."""
    steps: list[Step] = []
    renames: list[tuple[str, str, str]] = []
    shallow: Step | None = None
    seen: set[tuple[str, bytes]] = set()
    while (rev, path) not in seen:
        seen.add((rev, path))
        next_rev = None
        for sha, parents, when, entry in _log(git, rev, path):
            if entry is None:
                continue
            status, _old_blob, new_blob = entry
            if status.startswith("D"):
                break  # deleted here: what came before was another file at this path
            step = Step(sha, when, os.fsdecode(path), new_blob)
            steps.append(step)
            if status.startswith("A"):
                if not parents:
                    if sha in _shallow_commits(git):
                        shallow = step
                    break
                source = _renamed_from(git, parents[0], sha, path)
                if source is not None:
                    renames.append((sha, os.fsdecode(source), os.fsdecode(path)))
                    path, next_rev = source, parents[0]
                break
        else:
            # the log ran out without the commit that added the file: a shallow clone's edge
            if steps and steps[-1].commit in _shallow_commits(git):
                shallow = steps[-1]
        if next_rev is None:
            break
        rev = next_rev
    steps.reverse()
    return Walk(tuple(steps), tuple(renames), shallow)


def blob_id(data: bytes, length: int) -> str:
    """git's id of a blob holding ``data`` (SHA-1, or SHA-256 in repositories that use it)."""
    algo = hashlib.sha1 if length == 40 else hashlib.sha256
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def repository(file: Path) -> tuple[Git, Path, bytes]:
    """(git on the file's repository, its top folder, the file's path in it)."""
    name = file.name
    real = Path(os.path.realpath(file))
    git = Git(real.parent, name)
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in said:
            raise HistoryError(f"{name} is not in a git repository, so it has no history to read.")
        first = said.strip().splitlines()[0].removeprefix("fatal: ").rstrip(".") if said.strip() else "unknown error"
        raise HistoryError(f"git could not read the history of {name} ({first}).")
    root = Path(os.path.realpath(os.fsdecode(done.stdout.rstrip(b"\n"))))
    try:
        rel = real.relative_to(root)
    except ValueError:
        raise HistoryError(f"{name} is not in a git repository, so it has no history to read.") from None
    return Git(root, name), root, os.fsencode(rel.as_posix())


def last_commits(paths, timeout: float = 10.0) -> dict[Path, float]:
    """When each of ``paths`` last changed in git, for the overview's "Changed": the
    time of its last commit, for a file tracked and unmodified (a file modified,
    untracked or ignored, or outside git, is left out: its own time of change says
    it). One ``git status`` and one batched ``git log`` per repository, stopped as
    soon as every file is found; nothing at all when git is missing or fails."""
    by_root: dict[Path, dict[str, Path]] = {}
    tops: dict[Path, Path | None] = {}
    for path in paths:
        real = Path(os.path.realpath(path))
        root = _top_folder(real.parent, tops)
        if root is not None:
            by_root.setdefault(root, {})[real.relative_to(root).as_posix()] = path
    found: dict[Path, float] = {}
    deadline = time.monotonic() + timeout
    for root, files in by_root.items():
        try:
            found.update(_last_commits(Git(root, "the tasks files"), files, deadline))
        except (HistoryError, OSError, ValueError):
            continue
    return found


def _top_folder(folder: Path, known: dict[Path, Path | None]) -> Path | None:
    """The folder at or above ``folder`` that holds ``.git`` (a repository's top), or None."""
    seen = []
    here: Path | None = folder
    while here is not None and here not in known:
        seen.append(here)
        try:
            if (here / ".git").exists():
                known[here] = here
                break
        except OSError:
            known[here] = None
            break
        here = here.parent if here.parent != here else None
    top = known.get(here) if here is not None else None
    for s in seen:
        known[s] = top
    return top


def _last_commits(git: Git, files: dict[str, Path], deadline: float) -> dict[Path, float]:
    status = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *files,
                     check=False)
    if status.returncode != 0:
        return {}
    entries = status.stdout.split(b"\0")
    changed, k = set(), 0
    while k < len(entries):
        entry = entries[k]
        if len(entry) > 3:
            changed.add(os.fsdecode(entry[3:]))
            if entry[:1] in b"RC" or entry[1:2] in b"RC":
                k += 1  # a rename's or copy's other path follows
        k += 1
    wanted = {rel: path for rel, path in files.items() if rel not in changed}
    if not wanted:
        return {}
    proc = subprocess.Popen(git.command("log", "--format=%x01%ct", "--name-only", "-z", "--no-renames", "--", *wanted),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=git.env)
    found: dict[Path, float] = {}
    when, rest = None, b""
    try:
        while len(found) < len(wanted) and time.monotonic() < deadline:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            *tokens, rest = (rest + chunk).split(b"\0")
            for token in tokens:
                token = token.strip(b"\n")
                if token.startswith(b"\x01"):
                    when = float(token[1:])
                elif token and when is not None:
                    path = wanted.get(os.fsdecode(token))
                    if path is not None and path not in found:
                        found[path] = when
    finally:  # all found (or out of time): the rest of the history is not needed
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.wait()
    return found


def committed_path(git: Git, rel: bytes) -> bytes | None:
    """Where the file is in HEAD: its own path, or where a staged rename moved it from;
    None when HEAD has no such file (or there is no commit yet)."""
    if git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).returncode != 0:
        return None
    if git.run("cat-file", "-e", f"HEAD:{os.fsdecode(rel)}", check=False).returncode == 0:
        return rel
    out = git.run("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "HEAD", check=False).stdout
    for status, _old, _new, paths in _raw_entries(out):
        if status.startswith("R") and len(paths) == 2 and paths[1] == rel:
            return paths[0]
    return None
