"""What each output file is on the wire, wherever it is published (`syndicate serve`, `syndicate
deploy`): its exact content type, how long caches may keep it, and its gzip form. One set of rules,
so a file served from a bucket behind a CDN carries the headers the server would send."""

from __future__ import annotations

import gzip
import os
from typing import Any, Mapping

from .cards import CARD_FILE
from .feeds.archives import FORMATS
from .output import MANIFEST

FEED_TYPES = {name: feed_format.media_type for name, feed_format in FORMATS.items()}
TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
         ".webp": "image/webp", ".html": "text/html", ".css": "text/css", ".txt": "text/plain",
         ".xsl": "application/xslt+xml", ".xml": "application/xml", ".json": "application/json"}
FEED_MAX_AGE = 300       # readers poll every few minutes; a new post shows within five
IMAGE_MAX_AGE = 86_400   # an image whose name does not say its bytes may change at its URL
IMMUTABLE_MAX_AGE = 31_536_000  # RFC 8246: a year, the longest caches honour


def feed_formats_of(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Feed path → format (atom, rss, json), archive pages included, as the manifest lists them."""
    feeds = manifest.get("feeds") if isinstance(manifest.get("feeds"), list) else []
    return {f["path"]: f["format"] for f in feeds
            if isinstance(f, dict) and f.get("format") in FEED_TYPES and isinstance(f.get("path"), str)}


def media_type_of(rel: str, feed_formats: Mapping[str, str]) -> str:
    """The exact type: feeds (archive pages too) by their format in the manifest, else by suffix."""
    kind = feed_formats.get(rel)
    media_type = FEED_TYPES[kind] if kind else TYPES.get(os.path.splitext(rel)[1].lower(), "application/octet-stream")
    if media_type.startswith("text/") or media_type.endswith(("+xml", "/xml", "json")):
        media_type += "; charset=utf-8"
    return media_type


def cache_control_of(rel: str, media_type: str, sha256: str | None = None) -> str:
    """The one rule for Cache-Control, for serve and deploy. A card named by its bytes' hash is
    immutable when `sha256` (the bytes sent) starts with it: a card rendered on demand whose name
    no longer matches its bytes is never pinned (no-cache). Without a digest the name is trusted."""
    if rel == MANIFEST:
        return "no-cache"
    # A card's name carries the start of its sha256 (cards/<name>.<hash8>.jpg): new bytes get a new
    # URL, so the bytes at a URL never change and caches may keep them a year without asking again.
    card = CARD_FILE.fullmatch(rel)
    hashed = card is not None and card["hash"] is not None
    if hashed and (sha256 is None or sha256.startswith(card["hash"])):
        return f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
    if media_type.startswith("image/"):
        return "no-cache" if hashed else f"public, max-age={IMAGE_MAX_AGE}"
    return f"public, max-age={FEED_MAX_AGE}"


def gzip_form(body: bytes, media_type: str) -> bytes | None:
    """The gzip bytes worth sending instead of `body`, or None: images are compressed already, and
    a form no smaller is not worth a second representation. mtime=0: the same bytes every time."""
    if media_type.startswith("image/"):
        return None
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return packed if len(packed) < len(body) else None
