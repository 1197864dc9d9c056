"""What the last build made, as its manifest.json says (the feeds and posts with their sha256): what
every delivery command plans from. No post is read again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..diagnostics import Diagnostics
from ..output import MANIFEST, require_manifest

FEED_PREFERENCE = ("rss", "atom", "json")  # the feed named to XML-RPC services: RSS is what they read


@dataclass(frozen=True)
class BuiltFeed:
    url: str
    sha256: str
    format: str
    taxonomy: str | None
    archive: bool


@dataclass(frozen=True)
class BuiltPost:
    url: str
    sha256: str
    published: str
    aliases: tuple[str, ...] = ()     # absolute URLs that redirect to the post (Hugo's `aliases`)


@dataclass(frozen=True)
class Built:
    """What manifest.json says the last build made."""
    base_url: str
    title: str
    feeds: tuple[BuiltFeed, ...]
    posts: tuple[BuiltPost, ...]
    manifest: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def items(self) -> list[tuple[str, str]]:
        """Every announceable (URL, sha256): posts newest first, then feeds."""
        return [(p.url, p.sha256) for p in self.posts] + [(f.url, f.sha256) for f in self.feeds]

    @property
    def redirects(self) -> list[tuple[str, str]]:
        """Each alias URL (a page that now redirects to its post), with a digest that changes when
        it starts pointing elsewhere: announced to search engines once, like a moved page."""
        own = {p.url for p in self.posts}
        return [(alias, _alias_digest(alias, p.url)) for p in self.posts for alias in p.aliases if alias not in own]

    @property
    def main_feed(self) -> str | None:
        site_wide = [f for f in self.feeds if f.taxonomy is None and not f.archive]
        for wanted in FEED_PREFERENCE:
            for feed in site_wide:
                if feed.format == wanted:
                    return feed.url
        return site_wide[0].url if site_wide else None


def _alias_digest(alias: str, target: str) -> str:
    return hashlib.sha256(f"alias {alias} -> {target}".encode("utf-8")).hexdigest()


def read_built(out_dir: Path, settings: Settings, diagnostics: Diagnostics) -> Built:
    manifest = require_manifest(out_dir)
    path = str(out_dir / MANIFEST)
    site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
    base_url = site.get("base_url") if isinstance(site.get("base_url"), str) else settings.site.base_url
    title = site.get("title") if isinstance(site.get("title"), str) else settings.site.title
    feeds = [BuiltFeed(entry["url"], entry["sha256"], str(entry.get("format", "")), entry.get("taxonomy"),
                       _is_archive(entry))
             for entry in manifest_entries(manifest, "feeds", path, diagnostics)]
    posts = [BuiltPost(entry["url"], entry["sha256"], str(entry.get("published", "")), _strings(entry.get("aliases")))
             for entry in manifest_entries(manifest, "posts", path, diagnostics)]
    return Built(base_url, title, tuple(feeds), tuple(posts), manifest)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _is_archive(entry: dict[str, Any]) -> bool:
    """An RFC 5005 archive page: `archive` holds its number (None for a current feed)."""
    return entry.get("archive") is not None


def manifest_entries(manifest: dict[str, Any], section: str, path: str, diagnostics: Diagnostics) -> list[dict[str, Any]]:
    entries = manifest.get(section)
    if not isinstance(entries, list):
        diagnostics.warn(path, None, f"manifest.json has no \"{section}\" list; none announced")
        return []
    usable = [e for e in entries if isinstance(e, dict)
              and isinstance(e.get("url"), str) and isinstance(e.get("sha256"), str)]
    if len(usable) < len(entries):
        diagnostics.warn(path, None, f"{len(entries) - len(usable)} of the {section} in manifest.json lack "
                         "a url or sha256 and are not announced; rebuild with `syndicate build`")
    return usable
