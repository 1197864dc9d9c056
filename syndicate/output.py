"""The one place that writes into the output folder: atomic files, unchanged files left alone,
files of vanished posts removed, manifest.json last."""

from __future__ import annotations

import fcntl
import hashlib
import json
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Mapping

from .atomic import TEMP_MARK, replace_all, write_atomic, write_temporary
from .diagnostics import Diagnostic, Level, SyndicateError

MANIFEST = "manifest.json"
LOCK = ".syndicate.lock"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class Output:
    """Collects what one build writes; `finish` removes what the build no longer makes."""

    def __init__(self, out_dir: Path):
        self.root = out_dir
        previous = read_manifest(out_dir) or {}
        self.previous_manifest = previous
        files = previous.get("files")
        self.previous_files: dict[str, str] = files if isinstance(files, dict) else {}
        self.files: dict[str, str] = {}      # relative path → sha256 of its bytes
        self.changed: list[str] = []
        self._pending: list[tuple[Path, Path]] = []  # (temporary file, target), renamed by finish

    def _target(self, rel: str) -> Path:
        clean = PurePosixPath(rel)
        if clean.is_absolute() or ".." in clean.parts or not clean.parts:
            raise ValueError(f"output path {rel!r} would leave the output folder")
        return self.root / clean

    def write(self, rel: str, data: bytes) -> bool:
        """Write `data` at `rel` unless the file already holds exactly these bytes. True if written."""
        digest = sha256(data)
        self.files[rel] = digest
        target = self._target(rel)
        if self._holds(target, rel, digest, len(data)):
            return False
        self._pending.append((write_temporary(target, data), target))
        self.changed.append(rel)
        return True

    def is_current(self, rel: str, digest: str) -> bool:
        """True if the file at `rel` is known to hold bytes with this digest."""
        target = self._target(rel)
        return self.previous_files.get(rel) == digest and target.is_file()

    def keep(self, rel: str, digest: str) -> None:
        """Claim an existing file as part of this build without rewriting it."""
        self.files[rel] = digest

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
        then write the manifest."""
        replace_all(self._pending, self.root)
        self._pending.clear()
        for rel in sorted(set(self.previous_files) - set(self.files)):
            try:
                target = self._target(rel)
            except ValueError:
                continue  # a tampered manifest never makes us delete outside the folder
            target.unlink(missing_ok=True)
            _remove_empty_parents(target.parent, self.root)
        manifest["files"] = dict(sorted(self.files.items()))
        if manifest == self.previous_manifest and (self.root / MANIFEST).is_file():
            return  # the same content: not even encoded again
        data = manifest_bytes(manifest)
        target = self.root / MANIFEST
        if not (target.is_file() and target.read_bytes() == data):
            write_atomic(target, data)


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
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output folder."""
    with exclusive_lock(out_dir / LOCK, str(out_dir), "another build is writing this output folder; wait for it"):
        yield


@contextmanager
def exclusive_lock(path: Path, where: str, busy: str) -> Iterator[None]:
    """An flock on `path`, or at once a SyndicateError saying `busy` when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyndicateError(Diagnostic(where, None, Level.ERROR, busy)) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
