"""Atomic file replacement: a reader, or a crash, sees the old bytes or the new, never a mix."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_MARK = ".tmp-syndicate-"


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename over the target, fsync the folder:
    after a crash at any moment the path holds either the old or the new bytes, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}{TEMP_MARK}{secrets.token_hex(4)}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
