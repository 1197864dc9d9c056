"""What loading each post produced last time, keyed by the file's bytes, so a rebuild parses and
renders only the posts that changed (the YAML and Markdown parsers are 90% of a cold load). The
rendered bodies themselves are in body files beside it (bodies.py); the cache holds where."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from ._version import __version__
from .atomic import write_atomic
from .bodies import BodyFiles
from .config import Settings
from .content import Body, Post
from .diagnostics import Diagnostic, Level
from .images import ImageCheck
from .safety import describe

CACHE_FORMAT = 8


@dataclass(frozen=True)
class RefUse:
    target: str
    url: str
    found: bool


@dataclass(frozen=True)
class LoadedPost:
    """One file, read and interpreted: the post (or None) and what was said about it."""
    sha256: str
    post: Post | None
    diagnostics: tuple[Diagnostic, ...]
    image_checks: tuple[ImageCheck, ...] = ()


@dataclass(frozen=True)
class RenderedPost:
    """One post's rendered body, valid while its URL and the refs it used resolve the same."""
    source: str
    sha256: str
    page_url: str
    body: Body
    summary: str
    refs: tuple[RefUse, ...]
    diagnostics: tuple[Diagnostic, ...]
    links: tuple[str, ...] = ()


def settings_fingerprint(settings: Settings) -> str:
    """Everything but the build options, the announcements, the server's limits, deploying and the
    cards' look can change how a post is read or rendered."""
    relevant = {key: value for key, value in asdict(settings).items()
                if key not in ("build", "sources", "announce", "serve", "deploy", "hook", "cards", "warnings")}
    return hashlib.sha256(f"{__version__}{CACHE_FORMAT}{relevant!r}".encode()).hexdigest()


class PostCache:
    def __init__(self, path: Path | None, fingerprint: str):
        self.path, self.fingerprint = path, fingerprint
        # Without a cache file the bodies stay in memory (load_site without use_cache: tests, `check`).
        self.bodies = BodyFiles(path.parent / "bodies") if path is not None else None
        self.loaded: dict[str, LoadedPost] = {}
        self.rendered: dict[str, RenderedPost] = {}
        self._old_loaded: dict[str, LoadedPost] = {}
        self._old_rendered: dict[str, RenderedPost] = {}
        if path is not None:
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            signed = path.read_bytes()
            seal, data = signed[:SEAL_BYTES], signed[SEAL_BYTES:]
            if not hmac.compare_digest(seal, _seal(data)):
                return  # not written by this user's syndicate (or damaged): never unpickled
            fingerprint, loaded, rendered = pickle.loads(data)
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
            return  # no cache, or one from another version: everything is parsed afresh
        if fingerprint == self.fingerprint:
            self._old_loaded, self._old_rendered = loaded, rendered

    def knows(self, source: str) -> bool:
        """Whether the last build loaded this file (else there is nothing to compare its bytes with)."""
        return source in self._old_loaded

    def loaded_post(self, source: str, sha256: str) -> LoadedPost | None:
        entry = self._old_loaded.get(source)
        if entry and entry.sha256 == sha256 and all(c.still_holds() for c in entry.image_checks):
            return entry
        return None

    def rendered_post(self, source: str, sha256: str, page_url: str, resolve) -> RenderedPost | None:
        entry = self._old_rendered.get(source)
        if (entry and entry.sha256 == sha256 and entry.page_url == page_url and self.bodies is not None
                and self.bodies.holds(entry.body)
                and all(resolve(ref.target, source) == (ref.url, ref.found) for ref in entry.refs)):
            return entry
        return None

    def save(self) -> list[Diagnostic]:
        """Write the cache. It is only a cache: what keeps it from being written is a warning,
        never a failed build."""
        unchanged = (self.loaded.keys() == self._old_loaded.keys() and self.rendered.keys() == self._old_rendered.keys()
                     and all(self._old_loaded[k] is v for k, v in self.loaded.items())
                     and all(self._old_rendered[k] is v for k, v in self.rendered.items()))
        if self.path is None or unchanged:
            return []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            bodies = [rendered.body for rendered in self.rendered.values()]
            assert self.bodies is not None
            self.bodies.sync(bodies)
            data = pickle.dumps((self.fingerprint, self.loaded, self.rendered), protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, (_seal(data), data))  # not joined: the pickle of 10,000 posts is 37 MB
            self.bodies.prune(bodies)
        except Exception as exc:  # a full disk, a read-only state folder; reported, and the build goes on
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else describe(exc)
            return [Diagnostic(str(self.path), None, Level.WARNING,
                               f"the post cache cannot be written ({reason}); every post is read again next build")]
        return []


# The cache lives in the site's folder, where a pull request could plant one, and unpickling
# runs code: so it is sealed with a key that never leaves this user's own cache folder.
SEAL_BYTES = 32


def _seal(data: bytes) -> bytes:
    return hmac.new(_seal_key(), data, hashlib.sha256).digest()


@lru_cache(maxsize=1)
def _seal_key() -> bytes:
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "syndicate"
    key_file = folder / "cache-key"
    try:
        return key_file.read_bytes()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another build made it first
            return key_file.read_bytes()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return key_file.read_bytes()
