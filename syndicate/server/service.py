"""The state behind the app: what the last build made (manifest.json), the representations
read from disk, the gallery, and cards rendered on request when missing or stale."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit

from ..cards import CARD_FILE
from ..config import Settings
from ..media import FEED_TYPES, cache_control_of, feed_formats_of, media_type_of
from ..output import MANIFEST, read_manifest, sha256
from ..permalinks import file_url
from .gallery import Gallery, gallery_page
from .http import Representation, inside, link_header, make_representation
from .preview import PostFacts, PostPreview, parse_meta, post_preview
from .watch import Live

MAX_CACHED_PAGES = 256   # gallery pages kept rendered per build (queries and pages of the index)
MAX_THUMBNAILS = 2_000   # ~15 KB each


@dataclass
class OutputIndex:
    """What the last build made, from manifest.json: the files and their sha256, the feeds."""
    signature: tuple[int, int, int] | None
    files: dict[str, str] = field(default_factory=dict)
    feed_formats: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    feed_pages: dict[str, str] = field(default_factory=dict)  # feed document → its HTML page


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
    feeds = [f for f in feeds if isinstance(f, dict) and isinstance(f.get("path"), str)]
    formats = feed_formats_of(manifest)
    pages = {f["path"]: f["page"] for f in feeds if isinstance(f.get("page"), str) and f["page"] in files}
    return OutputIndex(signature, files, formats, manifest, pages)


class Previews:
    """The gallery's view of the output: every post's link previews, read from its meta tags;
    a post whose meta tags, card and manifest entry are unchanged is not read again."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.posts: dict[str, tuple[str, PostPreview]] = {}   # key → (what it was read from, preview)
        self._gallery: tuple[tuple[int, int, int] | None, str, Gallery] | None = None
        self._lock = threading.Lock()

    def read(self, index: OutputIndex, base_url: str) -> Gallery:
        with self._lock:  # one reading at a time: the start-up's, then a request's, finds it done
            if self._gallery is None or self._gallery[:2] != (index.signature, base_url):
                self._gallery = (index.signature, base_url, self._read(index, base_url))
            return self._gallery[2]

    def _read(self, index: OutputIndex, base_url: str) -> Gallery:
        manifest = index.manifest
        site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
        entries = [entry for entry in manifest.get("posts") or [] if isinstance(entry, dict)]
        fresh = {}
        for entry in entries:
            key = post_key(str(entry.get("url", "")), base_url)
            inputs = json.dumps([entry, index.files.get(str(entry.get("meta"))), index.files.get(str(entry.get("card")))],
                                sort_keys=True, default=str)
            cached = self.posts.get(key)
            fresh[key] = cached if cached and cached[0] == inputs else (inputs, self.preview(index, entry, key, base_url))
        self.posts = fresh
        feeds = tuple(feed for feed in manifest.get("feeds") or [] if isinstance(feed, dict))
        diagnostics = tuple(d for d in manifest.get("diagnostics") or [] if isinstance(d, dict))
        return Gallery(str(site.get("title") or "syndicate"), str(site.get("language") or "en"),
                       tuple(preview for _, preview in fresh.values()), feeds, diagnostics)

    def preview(self, index: OutputIndex, entry: Mapping[str, Any], key: str, base_url: str) -> PostPreview:
        def local(url: str) -> str:
            """A URL of the site that this server has → its local path, so the gallery works offline."""
            rel = unquote(url[len(base_url):]) if url.startswith(base_url) else ""
            return "/" + quote(rel) if rel in index.files or CARD_FILE.fullmatch(rel) else url

        meta = str(entry.get("meta") or "")
        path = inside(self.out_dir, meta) if meta in index.files else None
        try:
            properties = parse_meta(path.read_text(encoding="utf-8")) if path else {}
        except OSError:
            properties = {}
        card = str(entry.get("card") or "")
        card_file = inside(self.out_dir, card) if card in index.files else None
        try:
            card_bytes = card_file.stat().st_size if card_file else None
        except OSError:
            card_bytes = None
        facts = PostFacts(card_background=str(entry.get("card_background") or ""), card_bytes=card_bytes,
                          description_source=str(entry.get("description_source") or ""))
        return post_preview(entry, properties, local, facts, key)


def post_key(url: str, base_url: str) -> str:
    """A post's URL path below the base URL, decoded: `blog/grüße/` (what names its gallery page)."""
    path = url[len(base_url):] if url.startswith(base_url) else urlsplit(url).path.lstrip("/")
    return unquote(path)


class Service:
    """The state behind the app: the output index (reloaded when manifest.json changes), the
    representations read from disk, and a renderer for cards missing or stale on request."""

    def __init__(self, settings: Settings, out_dir: Path, live: Live):
        self.settings = settings
        self.out_dir = Path(out_dir).resolve()
        self.live = live
        self.index = load_index(self.out_dir)
        self.cache: dict[str, tuple[str, Representation]] = {}
        self.previews = Previews(self.out_dir)
        self._pages: dict[tuple[str, tuple[tuple[str, str], ...]], Representation] = {}
        self._pages_of: tuple[int, int, int] | None = None   # the manifest the cached pages show
        self._thumbnails: dict[str, tuple[str, Representation]] = {}  # card → (its sha256, thumbnail)

    def use_settings(self, settings: Settings) -> None:
        """New settings (hubs, base URL) change headers of files whose bytes did not change."""
        self.settings = settings
        self.cache.clear()
        self._pages_of = None

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
        card = CARD_FILE.fullmatch(rel)
        return None if card and card["name"] in self.live.stale_cards else hit[1]

    def representation(self, rel: str) -> Representation | None:
        """Read from disk or render a card: blocking, so the app calls it in a worker thread."""
        hit = self.cached(rel)
        if hit is not None:
            return hit
        index = self.index
        card = CARD_FILE.fullmatch(rel)
        if card and (card["name"] in self.live.stale_cards or rel not in index.files):
            return self.card_on_demand(rel, card["name"])
        key = cache_key(index, rel)
        if key is None:
            return None
        representation = self.read(rel)
        if representation is None:
            return self.card_on_demand(rel, card["name"]) if card else None
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
            link = link_header(file_url(self.settings.site.base_url, rel), self.settings.ping.websub)
        # The tag is the sha256 of the bytes sent: the manifest's own, except while a build is
        # between writing a file and writing the manifest, when it must still name these bytes.
        digest = sha256(body)
        return make_representation(body, digest, modified, media_type, cache_control_of(rel, media_type, digest), link)

    def gallery(self, route: str, params: Mapping[str, str]) -> Representation | None:
        """A page of the gallery (`route` below /_preview/), or None when there is no such page."""
        index = self.refresh()
        key = (route, tuple(sorted(params.items())))
        if self._pages_of != index.signature:
            self._pages, self._pages_of = {}, index.signature
        if key not in self._pages:
            text = gallery_page(self.previews.read(index, self.settings.site.base_url), route, params)
            if text is None:
                return None
            body = text.encode("utf-8")
            modified = index.signature[1] / 1e9 if index.signature else 0
            if len(self._pages) >= MAX_CACHED_PAGES:
                self._pages.pop(next(iter(self._pages)))
            self._pages[key] = make_representation(body, sha256(body), modified, "text/html; charset=utf-8",
                                                   "no-cache")
        return self._pages[key]

    def warm(self) -> None:
        """Read every post's previews ahead of the first visit (10,000 posts take seconds)."""
        self.previews.read(self.refresh(), self.settings.site.base_url)

    def thumbnail(self, rel: str) -> Representation | None:
        """A card at the width the gallery's index shows it, made from the card being served."""
        card = self.representation(rel) if CARD_FILE.fullmatch(rel) else None
        if card is None:
            return None
        hit = self._thumbnails.get(rel)
        if hit is None or hit[0] != card.sha256:
            from .thumbnails import thumbnail  # Pillow loads only when the gallery shows cards

            body = thumbnail(card.body)
            if len(self._thumbnails) >= MAX_THUMBNAILS:
                self._thumbnails.pop(next(iter(self._thumbnails)))
            hit = self._thumbnails[rel] = (card.sha256, make_representation(body, sha256(body), card.modified,
                                                                             "image/jpeg", "no-cache"))
        return hit[1]

    def card_on_demand(self, rel: str, name: str) -> Representation | None:
        rendered = self.live.render_card(name)
        if rendered is None:
            return None
        body, modified = rendered
        digest = sha256(body)
        return make_representation(body, digest, modified, "image/jpeg", cache_control_of(rel, "image/jpeg", digest))


