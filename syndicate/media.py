"""What each output file is on the wire, wherever it is published (`syndicate serve`, `syndicate
deploy`): its exact content type, how long caches may keep it, and its gzip form. One set of rules,
so a file served from a bucket behind a CDN carries the headers the server would send."""

from __future__ import annotations

import gzip
import os
import re
from typing import Any, Mapping

from .output import MANIFEST

FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
         ".webp": "image/webp", ".html": "text/html", ".css": "text/css", ".txt": "text/plain",
         ".xsl": "application/xslt+xml", ".xml": "application/xml", ".json": "application/json"}
FEED_MAX_AGE = 300       # readers poll every few minutes; a new post shows within five
CARD_MAX_AGE = 86_400    # crawlers come in bursts; a retitled post's card may change, so not immutable
IMMUTABLE_MAX_AGE = 31_536_000  # RFC 8246: a year, the longest caches honour
# A card named by its content (cards/<name>.<hash8>.jpg) never changes at its URL.
HASHED_NAME = re.compile(r"cards/[^/]+\.[0-9a-f]{8}\.jpg")


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


def cache_control_of(rel: str, media_type: str) -> str:
    if rel == MANIFEST:
        return "no-cache"
    if HASHED_NAME.fullmatch(rel):
        return f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
    if media_type.startswith("image/"):
        return f"public, max-age={CARD_MAX_AGE}"
    return f"public, max-age={FEED_MAX_AGE}"


def gzip_form(body: bytes, media_type: str) -> bytes | None:
    """The gzip bytes worth sending instead of `body`, or None: images are compressed already, and
    a form no smaller is not worth a second representation. mtime=0: the same bytes every time."""
    if media_type.startswith("image/"):
        return None
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return packed if len(packed) < len(body) else None
