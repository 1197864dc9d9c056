"""The HTTP service over the output folder: feeds and cards for readers and crawlers, exactly per
HTTP (RFC 9110 / 9111), cards rendered on demand, and the preview gallery at /_preview/."""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, unquote_to_bytes, urljoin

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from ..output import MANIFEST, read_manifest, sha256
from .preview import PostFacts, parse_meta, post_preview, render_gallery
from .watch import Live

ALLOWED_METHODS = ("GET", "HEAD")
PREVIEW = "/_preview/"
FEED_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
         ".webp": "image/webp", ".html": "text/html", ".css": "text/css", ".txt": "text/plain",
         ".xsl": "application/xslt+xml", ".xml": "application/xml", ".json": "application/json"}
FEED_MAX_AGE = 300       # readers poll every few minutes; a new post shows within five
CARD_MAX_AGE = 86_400    # crawlers come in bursts; a retitled post's card may change, so not immutable
CARD_PATH = re.compile(r"cards/(?P<slug>[^/]+)\.jpg")
# Encoded "/", "\" and NUL would smuggle separators past a check on the decoded path.
ENCODED_SEPARATOR = re.compile(rb"%(2f|5c|00)", re.IGNORECASE)
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\:]")


# ---------------------------------------------------------------- representations

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
    gzipped = None
    if not media_type.startswith("image/"):
        packed = gzip.compress(body, compresslevel=9, mtime=0)  # mtime=0: the same bytes every time
        gzipped = packed if len(packed) < len(body) else None
    return Representation(body, digest, int(modified), media_type, cache_control, gzipped, link)


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
    if media_type.startswith("image/"):
        return f"public, max-age={CARD_MAX_AGE}"
    return f"public, max-age={FEED_MAX_AGE}"


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
    return Path(target) if target.startswith(os.path.realpath(folder) + os.sep) else None


# ---------------------------------------------------------------- conditional requests

def accepts_gzip(accept_encoding: str) -> bool:
    """RFC 9110 §12.5.3, q-values honoured: `gzip;q=0` refuses gzip, `*` stands for it if unnamed."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, *params = [p.strip() for p in item.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            qualities[name.lower()] = quality
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


def respond(request: Request, representation: Representation) -> Response:
    """200 or 304, identity or gzip, with every header a cache needs to get it right."""
    use_gzip = representation.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = representation.gzip_etag if use_gzip else representation.etag
    headers = {"ETag": etag, "Cache-Control": representation.cache_control}
    if representation.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
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


# ---------------------------------------------------------------- the output folder

@dataclass
class OutputIndex:
    """What the last build made, from manifest.json: the files and their sha256, the feeds."""
    signature: tuple[int, int, int] | None
    files: dict[str, str] = field(default_factory=dict)
    feed_formats: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def cache_key(index: OutputIndex, rel: str) -> str | None:
    """What a cached representation of `rel` must match: its sha256 in the manifest (the
    manifest itself, which lists no hash of its own, by its file signature)."""
    return str(index.signature) if rel == MANIFEST else index.files.get(rel)


def file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def load_index(out_dir: Path) -> OutputIndex:
    signature = file_signature(out_dir / MANIFEST)
    manifest = read_manifest(out_dir) or {}
    files = manifest.get("files")
    files = {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    feeds = manifest.get("feeds") if isinstance(manifest.get("feeds"), list) else []
    formats = {f["path"]: f["format"] for f in feeds
               if isinstance(f, dict) and f.get("format") in FEED_TYPES and isinstance(f.get("path"), str)}
    return OutputIndex(signature, files, formats, manifest)


class Service:
    """The state behind the app: the output index (reloaded when manifest.json changes), the
    representations read from disk, and a renderer for cards missing or stale on request."""

    def __init__(self, settings: Settings, out_dir: Path, live: Live):
        self.settings = settings
        self.out_dir = Path(out_dir).resolve()
        self.live = live
        self.index = load_index(self.out_dir)
        self.cache: dict[str, tuple[str, Representation]] = {}
        self._gallery: tuple[Any, Representation] | None = None

    def use_settings(self, settings: Settings) -> None:
        """New settings (hubs, base URL) change headers of files whose bytes did not change."""
        self.settings = settings
        self.cache.clear()
        self._gallery = None

    def refresh(self) -> OutputIndex:
        if file_signature(self.out_dir / MANIFEST) != self.index.signature:
            self.index = load_index(self.out_dir)
            self.live.output_changed()
        return self.index

    def cached(self, rel: str) -> Representation | None:
        """The fast path: the representation when memory holds it and it is current (one stat)."""
        index = self.refresh()
        hit = self.cache.get(rel)
        if hit is None or hit[0] != cache_key(index, rel):
            return None
        card = CARD_PATH.fullmatch(rel)
        return None if card and card["slug"] in self.live.stale_cards else hit[1]

    def representation(self, rel: str) -> Representation | None:
        """Read from disk or render a card: blocking, so the app calls it in a worker thread."""
        hit = self.cached(rel)
        if hit is not None:
            return hit
        index = self.index
        card = CARD_PATH.fullmatch(rel)
        if card and (card["slug"] in self.live.stale_cards or rel not in index.files):
            return self.card_on_demand(rel, card["slug"])
        key = cache_key(index, rel)
        if key is None:
            return None
        representation = self.read(rel)
        if representation is None:
            return self.card_on_demand(rel, card["slug"]) if card else None
        self.cache[rel] = (key, representation)
        return representation

    def read(self, rel: str) -> Representation | None:
        path = inside(self.out_dir, rel)
        if path is None:
            return None
        try:
            body = path.read_bytes()
            modified = path.stat().st_mtime
        except OSError:
            return None
        media_type = media_type_of(rel, self.index.feed_formats)
        link = ""
        if media_type.split(";")[0] in FEED_TYPES.values():
            link = link_header(urljoin(self.settings.site.base_url, quote(rel)), self.settings.ping.websub)
        # The tag is the sha256 of the bytes sent: the manifest's own, except while a build is
        # between writing a file and writing the manifest, when it must still name these bytes.
        return make_representation(body, sha256(body), modified, media_type, cache_control_of(rel, media_type), link)

    def gallery(self) -> Representation:
        index = self.refresh()
        key = index.signature
        if self._gallery is None or self._gallery[0] != key:
            body = self.gallery_html(index).encode("utf-8")
            modified = index.signature[1] / 1e9 if index.signature else 0
            self._gallery = (key, make_representation(body, sha256(body), modified,
                                                      "text/html; charset=utf-8", "no-cache"))
        return self._gallery[1]

    def gallery_html(self, index: OutputIndex) -> str:
        base = self.settings.site.base_url

        def local(url: str) -> str:
            """A URL of the site that this server has → its local path, so the gallery works offline."""
            rel = unquote(url[len(base):]) if url.startswith(base) else ""
            return "/" + quote(rel) if rel in index.files or CARD_PATH.fullmatch(rel) else url

        own_descriptions = {post.slug: bool(post.description) for post in self.live.site().posts}
        posts = []
        for entry in index.manifest.get("posts", []):
            if not isinstance(entry, dict):
                continue
            meta = str(entry.get("meta") or "")
            path = inside(self.out_dir, meta) if meta in index.files else None
            try:
                properties = parse_meta(path.read_text(encoding="utf-8")) if path else {}
            except OSError:
                properties = {}
            card = str(entry.get("card") or "")
            card_file = inside(self.out_dir, card) if card in index.files else None
            facts = PostFacts(card_background=str(entry.get("card_background") or ""),
                              card_bytes=card_file.stat().st_size if card_file and card_file.is_file() else None,
                              own_description=own_descriptions.get(str(entry.get("slug"))))
            posts.append(post_preview(entry, properties, local, facts))
        return render_gallery(index.manifest, posts)

    def card_on_demand(self, rel: str, slug: str) -> Representation | None:
        rendered = self.live.render_card(slug)
        if rendered is None:
            return None
        body, modified = rendered
        return make_representation(body, sha256(body), modified, "image/jpeg",
                                   cache_control_of(rel, "image/jpeg"))


# ---------------------------------------------------------------- the ASGI app

class AllowedMethods:
    """405 with Allow for anything but GET and HEAD, before routing (RFC 9110 §15.5.6)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ALLOWED_METHODS:
            response = PlainTextResponse("Method Not Allowed\n", status_code=405,
                                         headers={"Allow": ", ".join(ALLOWED_METHODS)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def not_found() -> Response:
    return PlainTextResponse("Not Found\n", status_code=404)


def create_app(settings: Settings, out_dir: Path | str, live: Live | None = None, watch: bool = False) -> Starlette:
    """The service over `out_dir` (a built output folder) as an ASGI app; with `watch`, its
    lifespan rebuilds the output whenever the site's sources change."""
    live = live or Live(settings, Path(out_dir), watching=watch)
    service = Service(settings, Path(out_dir), live)
    live.service = service

    async def output_file(request: Request) -> Response:
        rel = output_path(request.scope.get("raw_path") or request.url.path.encode())
        if rel is None:
            return not_found()
        representation = service.cached(rel) or await run_in_threadpool(service.representation, rel)
        return respond(request, representation) if representation else not_found()

    async def gallery(request: Request) -> Response:
        return respond(request, await run_in_threadpool(service.gallery))

    async def to_gallery(request: Request) -> Response:
        return RedirectResponse(PREVIEW, status_code=307)

    app = Starlette(routes=[Route("/", to_gallery), Route("/_preview", to_gallery),
                            Route(PREVIEW, gallery), Route("/{path:path}", output_file)],
                    lifespan=live.lifespan if watch else None)
    app.state.service = service
    app.add_middleware(AllowedMethods)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, watch: bool = False,
          out_dir: Path | None = None) -> None:
    """Serve the (already built) output until interrupted; with `watch`, rebuild on changes."""
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    app = create_app(settings, out, watch=watch)
    config = uvicorn.Config(app, host=host, port=port, log_level="info", server_header=False)
    uvicorn.Server(config).run()
