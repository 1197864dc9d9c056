"""Where a card's background comes from (og-image → first images[] → topic image →
default_image → a gradient), and the sha256 of every file a card depends on, remembered in the
state folder so that a rebuild with nothing changed reads no image to know it."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ..atomic import write_unsynced
from ..config import Settings
from ..content import Post

GRADIENT_COUNT = 5  # backgrounds.GRADIENTS: posts without any image get one, chosen by topic


@dataclass(frozen=True)
class BackgroundSource:
    kind: str              # og-image, imgname, topic, default, none
    file: Path | None      # None: the gradient
    label: str = ""        # site-relative path, for diagnostics
    digest: str = ""       # sha256 of the file's bytes: part of the card's cache key


def background_chain(post: Post, settings: Settings) -> tuple[BackgroundSource, ...]:
    """Every background the card may use, best first; the gradient always ends the chain."""
    chain: list[BackgroundSource] = []
    if post.image is not None and post.image.file is not None:
        chain.append(image_source(_photo_kind(post), post.image.file, settings))
    for kind, image in post.fallbacks:
        chain.append(image_source(kind, image.file, settings))
    chain.append(gradient_source(post.topics[0] if post.topics else ""))
    return tuple(chain)


def gradient_source(topic: str) -> BackgroundSource:
    index = int(hashlib.sha256(topic.encode("utf-8")).hexdigest(), 16) % GRADIENT_COUNT
    return BackgroundSource("none", None, "", f"gradient-{index}")


def _photo_kind(post: Post) -> str:
    """What gave the photo, as load_site found it: og-image, imgname, images, cover, resource, …"""
    return post.image_key or "imgname"


def image_source(kind: str, file: Path, settings: Settings) -> BackgroundSource:
    return BackgroundSource(kind, file, site_label(file, settings), file_digest(file))


def site_label(file: Path, settings: Settings) -> str:
    return _label(str(file), str(settings.root))


@lru_cache(maxsize=4096)  # posts share topic and default images; resolve() is a syscall per part
def _label(file: str, root: str) -> str:
    if file.startswith(root.rstrip("/") + "/") and "/../" not in file:
        return file[len(root.rstrip("/")) + 1:]  # the site's loader resolved it already
    try:
        return Path(file).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return file


# ---------------------------------------------------------------- file digests

# path → (size, mtime_ns, ctime_ns, inode, sha256). ctime cannot be set back by `touch`, so a
# file rewritten in place with its old size and mtime still gets hashed again (as git's index does).
_KNOWN: dict[str, tuple[int, int, int, int, str]] = {}
_USED: set[str] = set()
_CHANGED = False
_DEPTH = 0


def file_digest(file: Path) -> str:
    """sha256 of a file's bytes; hashed once while the file's size and times stay the same."""
    global _CHANGED
    stat = os.stat(file)
    signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    known = _KNOWN.get(str(file))
    _USED.add(str(file))
    if known is not None and known[:4] == signature:
        return known[4]
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    _KNOWN[str(file)] = (*signature, digest.hexdigest())
    _CHANGED = True
    return digest.hexdigest()


@contextmanager
def remembered_digests(state_dir: Path) -> Iterator[None]:
    """File digests from the last build, saved again afterwards (best effort: a read-only state
    folder only costs hashing again)."""
    global _CHANGED, _DEPTH
    if _DEPTH:  # already remembering: the outer context saves
        yield
        return
    _DEPTH += 1
    store = state_dir / "cache" / "file-digests.json"
    try:
        loaded = json.loads(store.read_text(encoding="utf-8"))
        _KNOWN.update({path: tuple(entry) for path, entry in loaded.items() if isinstance(entry, list)
                       and len(entry) == 5})
    except (OSError, ValueError, AttributeError):
        pass
    try:
        yield
    finally:
        _DEPTH -= 1
        if _CHANGED or set(_KNOWN) - _USED:  # new digests, or files no card uses any more
            try:
                write_unsynced(store, json.dumps({path: _KNOWN[path] for path in sorted(_USED & set(_KNOWN))}).encode())
                _CHANGED = False
            except OSError:
                pass
