"""The one place that writes into the output folder: atomic files, unchanged files left alone,
files of vanished posts removed, manifest.json last.

A build killed after some of its renames and before its manifest leaves files the old manifest
does not describe. So before the first rename a journal (`.syndicate-journal.json`) lists every
file the build is about to put in place, and it is removed only after the manifest is written.
The next build trusts the manifest for every other file, and for the listed ones only what it
finds on disk: it compares their bytes, renders their feeds again, and removes those it does not
make. A file that no manifest or journal lists (a manifest lost, a build of a syndicate without
the journal killed) is removed only inside syndicate's own folders (`own_folders`: cards/, meta/,
feeds/ and each language's <prefix>feeds/, unless the Hugo site publishes a folder of that name
itself): Hugo writes its pages into the same public/ folder, and those are never touched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar

import orjson

from .atomic import TEMP_MARK, fsync_dir, kill_point, replace_all, write_atomic, write_temporary
from .diagnostics import Diagnostic, Level, SyndicateError
from .workers import process_pool, start_context

T = TypeVar("T")

MANIFEST = "manifest.json"
LOCK = ".syndicate.lock"
JOURNAL = ".syndicate-journal.json"
# NAME_MAX is 255 bytes on ext4, XFS, btrfs, APFS; a temporary adds its mark and 8 hex digits.
NAME_LIMIT = 255 - len(TEMP_MARK) - 10


Data = bytes | Sequence[bytes]  # a file's bytes, or the pieces they are made of (never joined)


def sha256(data: Data) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    for piece in data:
        digest.update(piece)
    return digest.hexdigest()


def size_of(data: Data) -> int:
    return len(data) if isinstance(data, bytes) else sum(map(len, data))


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = orjson.loads((out_dir / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def require_manifest(out_dir: Path) -> dict[str, Any]:
    """The last build's manifest.json, which every command after `build` starts from; a
    SyndicateError saying what to do when there is none (nothing is sent or uploaded then)."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise SyndicateError(Diagnostic(str(out_dir / MANIFEST), None, Level.ERROR,
                                        "no readable manifest.json; run `syndicate build` first "
                                        "(or pass the --out folder it built into)"))
    return manifest


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """Indented JSON, as json.dumps(indent=2, ensure_ascii=False) writes it: orjson gives the same
    bytes, twelve times faster (0.65 s against 0.06 s for the 34 MB of 10,000 posts)."""
    try:
        return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # a value orjson does not take (an integer beyond 64 bits): json's way
        return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class Output:
    """Collects what one build writes; `finish` puts it in place and removes what the build no
    longer makes; `abandon` leaves the folder as it was."""

    def __init__(self, out_dir: Path, own_folders: tuple[str, ...] = ()):
        self.root = out_dir
        self.own_folders = own_folders  # where a file no manifest lists is syndicate's orphan
        previous = read_manifest(out_dir) or {}
        self.previous_manifest = previous
        files = previous.get("files")
        recorded: dict[str, str] = files if isinstance(files, dict) else {}
        # What an unfinished build may have replaced or added: the manifest cannot vouch for it.
        self.unfinished = read_journal(out_dir, recorded)
        self.previous_files = {rel: digest for rel, digest in recorded.items() if rel not in self.unfinished}
        self._recorded = set(recorded)
        self.files: dict[str, str] = {}      # relative path → sha256 of its bytes
        self.changed: list[str] = []
        self._pending: list[tuple[Path, Path]] = []  # (temporary file, target), renamed by finish
        self._folders: set[Path] = set()             # folders known to exist

    def _target(self, rel: str) -> Path:
        return output_target(self.root, rel)

    def write(self, rel: str, data: Data, digest: str | None = None) -> bool:
        """Write `data` at `rel` unless the file already holds exactly these bytes. True if written.
        `digest`: the data's sha256, when the caller has it already."""
        digest = digest or sha256(data)
        return self._settle(rel, digest, size_of(data), lambda target: _temporary(target, data, self._folders))

    def _settle(self, rel: str, digest: str, size: int, temporary: Callable[[Path], Path]) -> bool:
        """Claim `rel` for this build: kept when the file already holds these bytes, else
        `temporary(target)` (a temporary file with them) waits for its rename. True if written."""
        target = self._target(rel)
        self._claim(rel)
        if self._holds(target, rel, digest, size):
            self.files[rel] = digest
            return False
        self._pending.append((temporary(target), target))
        self.files[rel] = digest  # only now: a write that failed is never listed (found by the fuzzer)
        self.changed.append(rel)
        return True

    def write_many(self, items: Sequence[T], make: Callable[[T], tuple[str, Data]],
                   jobs: int) -> list[tuple[str, int]]:
        """`make(item)` → (path, bytes) for each item, written as `write` would; by `jobs` processes
        forked from this one when there are many (they inherit `items` and `make`, nothing is
        pickled but where each file went). The (sha256, size) of each file, in order."""
        if jobs <= 1 or len(items) < PARALLEL_FILES or start_context().get_start_method() != "fork":
            written = []
            for item in items:
                rel, data = make(item)
                written.append((sha256(data), size_of(data)))
                self.write(rel, data, written[-1][0])
            return written
        global _MAKING
        _MAKING = (items, make, self.root)
        try:
            with process_pool(jobs) as pool:
                made = [file for files in pool.map(_make_files, [range(start, len(items), jobs * 4)
                                                                 for start in range(jobs * 4)]) for file in files]
        finally:
            _MAKING = None
        made.sort()
        failed = []
        collision: SyndicateError | None = None  # raised once every temporary is accounted for
        for index, rel, digest, size, temp in made:  # in the items' order, as `write` would have
            if not temp:  # its making raised in the writer
                failed.append(index)
                continue
            try:
                if not self._settle(rel, digest, size, lambda _target, made=Path(temp): made):
                    Path(temp).unlink(missing_ok=True)  # the file already holds these bytes
            except SyndicateError as exc:
                Path(temp).unlink(missing_ok=True)
                collision = collision or exc
        for index in failed:  # made again here, where what it raises reaches the caller
            rel, data = make(items[index])
            self.write(rel, data)
            made[index] = (index, rel, sha256(data), size_of(data), "")
        if collision is not None:
            raise collision
        return [(digest, size) for _, _, digest, size, _ in made]

    def is_current(self, rel: str, digest: str, size: int | None = None) -> bool:
        """True if the last build's manifest vouches that `rel` holds bytes with this digest (and
        the file is there, with this size when given)."""
        if self.previous_files.get(rel) != digest:
            return False
        try:
            found = self._target(rel).stat()
        except OSError:
            return False
        return size is None or found.st_size == size

    def keep(self, rel: str, digest: str) -> None:
        """Claim an existing file as part of this build without rewriting it."""
        self._claim(rel)
        self.files[rel] = digest

    def _claim(self, rel: str) -> None:
        """One file per path per build (Pelican's writer guards the same): a second claim means two
        outputs collide, and the second would silently replace the first."""
        if rel in self.files:
            raise SyndicateError(Diagnostic(rel, None, Level.ERROR, "two outputs of this build would be written at "
                                            "this one path; the second is left out. Give one of them its own "
                                            "slug or URL"))

    def withdraw(self, rel: str) -> None:
        """Take back what this build wrote or kept at `rel` (its post was left out after all)."""
        self.files.pop(rel, None)
        target = self.root / rel  # not _target(): a path it refuses was never written
        for temp, pending_target in [entry for entry in self._pending if entry[1] == target]:
            temp.unlink(missing_ok=True)
            self._pending.remove((temp, pending_target))
        if rel in self.changed:
            self.changed.remove(rel)

    def abandon(self) -> None:
        """Remove this build's temporary files: a build that fails leaves the folder as it was."""
        for temp, _ in self._pending:
            temp.unlink(missing_ok=True)
        self._pending.clear()

    def _holds(self, target: Path, rel: str, digest: str, size: int) -> bool:
        try:
            if target.stat().st_size != size:
                return False
        except OSError:
            return False
        if self.previous_files.get(rel) == digest:
            return True
        return sha256(target.read_bytes()) == digest

    def finish(self, manifest: dict[str, Any]) -> None:
        """Put every new file in place, remove files the last build made and this one did not,
        then write the manifest. The journal covers the time the folder matches neither manifest."""
        stale = sorted((self._recorded | self.unfinished | self._found_in_own_folders()) - set(self.files))
        if self._pending or stale:
            placed = {target.relative_to(self.root).as_posix() for _, target in self._pending}
            write_atomic(self.root / JOURNAL, json.dumps({"files": sorted(self.unfinished | placed)}).encode())
        kill_point("before-renames")
        replace_all(self._pending, self.root)
        self._pending.clear()
        self._remove(stale)
        manifest["files"] = dict(sorted(self.files.items()))
        kill_point("before-manifest")
        target = self.root / MANIFEST
        if manifest != self.previous_manifest or not target.is_file():  # the same content: not even encoded
            data = manifest_bytes(manifest)
            if not (target.is_file() and target.read_bytes() == data):
                write_atomic(target, data)
        kill_point("after-manifest")
        if (self.root / JOURNAL).exists():
            (self.root / JOURNAL).unlink()
            fsync_dir(self.root)

    def _found_in_own_folders(self) -> set[str]:
        """Every visible file in syndicate's own folders (not through a link to elsewhere)."""
        found = set()
        for folder in self.own_folders:
            top = self.root / folder
            if top.is_symlink() or not top.is_dir():
                continue
            for directory, _, names in os.walk(top):
                found.update(Path(directory, name).relative_to(self.root).as_posix()
                             for name in names if not name.startswith("."))
        return found

    def _remove(self, stale: list[str]) -> None:
        folders = set()
        for count, rel in enumerate(stale, start=1):
            try:
                target = self._target(rel)
            except (ValueError, SyndicateError):
                continue  # a tampered manifest or journal never makes us delete outside the folder
            target.unlink(missing_ok=True)
            kill_point(f"removed:{count}")
            folders.add(target.parent)
            _remove_empty_parents(target.parent, self.root)
        for folder in sorted(folders):
            if folder.is_dir():
                fsync_dir(folder)


def read_journal(out_dir: Path, recorded: Mapping[str, str]) -> set[str]:
    """The files an unfinished build may have put in place: none when it finished (no journal);
    every recorded file too when the journal cannot be read."""
    try:
        text = (out_dir / JOURNAL).read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    except OSError:
        return set(recorded)
    try:
        files = json.loads(text)["files"]
    except (ValueError, KeyError, TypeError):
        return set(recorded)
    if not isinstance(files, list):
        return set(recorded)
    return {rel for rel in files if isinstance(rel, str)}


def output_target(root: Path, rel: str) -> Path:
    clean = PurePosixPath(rel)
    if clean.is_absolute() or ".." in clean.parts or not clean.parts:
        raise ValueError(f"output path {rel!r} would leave the output folder")
    if "\0" in rel:
        raise ValueError(f"output path {rel!r} holds a NUL character, which no file name can")
    if any(len(part.encode("utf-8", "surrogateescape")) > NAME_LIMIT for part in clean.parts):
        raise SyndicateError(Diagnostic(rel, None, Level.ERROR, f"a file name in the output path is longer than "
                                        f"the {NAME_LIMIT} bytes file systems allow; shorten the slug or term"))
    return root / clean


def _temporary(target: Path, data: Data, folders: set[Path]) -> Path:
    """write_temporary, creating the folder only the first time it is met (a mkdir per file cost
    0.7 s for 10,000 posts' 13,000 feed files)."""
    if target.parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        folders.add(target.parent)
    return write_temporary(target, data, make_folder=False)


# Below this many files, forking writers costs more than it saves.
PARALLEL_FILES = 300
_MAKING: tuple[Sequence[Any], Callable[[Any], tuple[str, Data]], Path] | None = None  # for forked writers


def _make_files(indices: range) -> list[tuple[int, str, str, int, str]]:
    """In a forked writer: the items' files made and written as temporary files beside their
    targets; (index, path, sha256, size, temporary file) of each (no temporary file: it raised)."""
    assert _MAKING is not None
    items, make, root = _MAKING
    folders: set[Path] = set()
    made = []
    for index in indices:
        try:
            rel, data = make(items[index])
            temp = _temporary(output_target(root, rel), data, folders)
        except Exception:  # made again by the parent, which raises it where the build can catch it
            made.append((index, "", "", 0, ""))
            continue
        made.append((index, rel, sha256(data), size_of(data), str(temp)))
    return made


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files left by a build that was killed; never seen by readers (they have dot names)."""
    if not out_dir.is_dir():
        return
    for temp in out_dir.rglob(f".*{TEMP_MARK}*"):
        temp.unlink(missing_ok=True)


@contextmanager
def output_lock(out_dir: Path, reading: bool = False) -> Iterator[None]:
    """One build at a time per output folder, and none while deploys read it (`reading`: the
    shared lock a deploy takes, so that it never uploads a folder half old and half new)."""
    if reading:
        busy = "a build is writing this output folder; deploy when it has finished"
    else:
        busy = "another build or a deploy is using this output folder; wait for it"
    with exclusive_lock(out_dir / LOCK, str(out_dir), busy, shared=reading):
        yield


@contextmanager
def exclusive_lock(path: Path, where: str, busy: str, shared: bool = False) -> Iterator[None]:
    """An flock on `path` (exclusive, or `shared` with other shared holders), or at once a
    SyndicateError saying `busy` when another process holds it the other way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:  # never truncated: a shared holder may have it open
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyndicateError(Diagnostic(where, None, Level.ERROR, busy)) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
