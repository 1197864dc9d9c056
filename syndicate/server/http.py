"""HTTP rules for serving files, exactly per RFC 9110 / 9111: representations with their
validators, content types and caching, safe request paths, content negotiation (a feed's page for
browsers), conditional requests, gzip. Free of the app, so a deploy can apply the same rules."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import Response

from ..media import FEED_TYPES, gzip_form

FEED_MEDIA_TYPES = frozenset(FEED_TYPES.values())
# Encoded "/", "\" and NUL would smuggle separators past a check on the decoded path.
ENCODED_SEPARATOR = re.compile(rb"%(2f|5c|00)", re.IGNORECASE)
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\:]")


@dataclass(frozen=True)
class Representation:
    """One servable resource, ready for the wire: the bytes, their gzip form, the validators."""
    body: bytes
    sha256: str
    modified: int                        # seconds since the epoch, whole (HTTP dates have no fractions)
    media_type: str
    cache_control: str
    gzipped: bytes | None = None         # None: not worth compressing (JPEG) or no smaller
    link: str = ""

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def gzip_etag(self) -> str:
        # RFC 9110 §8.8.3: a different content coding is a different representation, so it needs
        # its own strong tag, or a cache could answer a gzip request with identity bytes.
        return f'"{self.sha256}-gzip"'

    @property
    def last_modified(self) -> str:
        return formatdate(self.modified, usegmt=True)


def make_representation(body: bytes, digest: str, modified: float, media_type: str, cache_control: str,
                        link: str = "") -> Representation:
    return Representation(body, digest, int(modified), media_type, cache_control, gzip_form(body, media_type), link)


def link_header(feed_url: str, hubs: list[str]) -> str:
    """WebSub §4: discovery by HTTP Link header, a rel="hub" per hub and the topic as rel="self"."""
    return ", ".join([*(f'<{hub}>; rel="hub"' for hub in hubs), f'<{feed_url}>; rel="self"'])


# ---------------------------------------------------------------- request paths

def output_path(raw_path: bytes) -> str | None:
    """The request's path → a path relative to the output folder, or None when it is not one
    (parent segments, encoded separators, backslashes, NUL, absolute forms, dot files)."""
    if not raw_path.startswith(b"/") or ENCODED_SEPARATOR.search(raw_path):
        return None
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    rel = path[1:]
    if not rel or UNSAFE_CHARACTERS.search(rel):
        return None
    if any(part == "" or part.startswith(".") for part in rel.split("/")):
        return None
    return rel


def inside(folder: Path, rel: str) -> Path | None:
    """The file, if after resolving links it is still inside `folder`."""
    target = os.path.realpath(folder / rel)
    return Path(target) if target.startswith(_real(folder) + os.sep) else None


@lru_cache(maxsize=16)
def _real(folder: Path) -> str:
    return os.path.realpath(folder)  # the output folder: resolved once, not for every file


# ---------------------------------------------------------------- content negotiation

def media_ranges(accept: str) -> list[tuple[str, float]]:
    """RFC 9110 §12.5.1: the media ranges of an Accept field in the order listed, with their q."""
    ranges = []
    for item in accept.split(","):
        media_range, *params = [part.strip() for part in item.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_range:
            ranges.append((media_range.lower(), quality))
    return ranges


def wants_feed_page(accept: str) -> bool:
    """A browser opening a feed's address, not a feed reader: its Accept lists `text/html` first
    and names no feed type. Browsers send `text/html,application/xhtml+xml,…,*/*;q=0.8`; readers
    name the feed types, or send `*/*` or no Accept at all — they keep getting the feed."""
    ranges = [(media_range, q) for media_range, q in media_ranges(accept) if q > 0]
    if not ranges or ranges[0][0] != "text/html":
        return False
    return not any(media_range in FEED_MEDIA_TYPES for media_range, _ in ranges)


# ---------------------------------------------------------------- conditional requests

def accepts_gzip(accept_encoding: str) -> bool:
    """RFC 9110 §12.5.3, q-values honoured: `gzip;q=0` refuses gzip, `*` stands for it if unnamed."""
    qualities = dict(media_ranges(accept_encoding))  # the same syntax: names with q-values
    for name in ("gzip", "x-gzip"):
        if name in qualities:
            return qualities[name] > 0
    return qualities.get("*", 0) > 0


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: If-None-Match uses the weak comparison (W/ prefixes ignored)."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def not_modified_since(if_modified_since: str, modified: int) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # RFC 9110 §13.1.3: an invalid date is ignored
    if since is None or since.tzinfo is None:
        return False
    return modified <= since.timestamp()


def is_not_modified(headers: Mapping[str, str], etag: str, modified: int) -> bool:
    # RFC 9110 §13.2.2: If-None-Match is evaluated first; when present, If-Modified-Since is ignored.
    if "if-none-match" in headers:
        return etag_matches(headers["if-none-match"], etag)
    if "if-modified-since" in headers:
        return not_modified_since(headers["if-modified-since"], modified)
    return False


def respond(request: Request, representation: Representation, negotiated: bool = False,
            content_location: str = "") -> Response:
    """200 or 304, identity or gzip, with every header a cache needs to get it right. `negotiated`:
    the URL answers browsers and feed readers differently (by Accept); `content_location` names the
    URL of the representation sent when it has one of its own (RFC 9110 §8.7)."""
    use_gzip = representation.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = representation.gzip_etag if use_gzip else representation.etag
    headers = {"ETag": etag, "Cache-Control": representation.cache_control}
    vary = [name for name, varies in (("Accept", negotiated), ("Accept-Encoding", representation.gzipped is not None))
            if varies]
    if vary:
        headers["Vary"] = ", ".join(vary)
    if content_location:
        headers["Content-Location"] = content_location
    if is_not_modified(request.headers, etag, representation.modified):
        # RFC 9110 §15.4.5: a 304 carries the validators and caching fields a 200 would have.
        return Response(status_code=304, headers=headers)
    headers["Last-Modified"] = representation.last_modified
    if representation.link:
        headers["Link"] = representation.link
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    body = representation.gzipped if use_gzip else representation.body
    return Response(body, headers=headers, media_type=representation.media_type)
