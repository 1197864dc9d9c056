"""One build: a loaded site → cards, meta tags, feeds → the output folder and manifest.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cards import render_cards
from .dates import rfc3339
from .diagnostics import Diagnostic, Diagnostics
from .meta import meta_path, meta_tags
from .feeds import build_feeds, previous_feeds, stylesheet_file
from .output import Output, output_lock, read_manifest, remove_stale_temporaries
from .site import Site


@dataclass
class BuildResult:
    out_dir: Path
    manifest: dict[str, Any]
    diagnostics: tuple[Diagnostic, ...]
    changed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)


def build(site: Site, out_dir: Path | str | None = None) -> BuildResult:
    """Write everything the site makes into `out_dir` (default: the settings' `build.out`)."""
    settings = site.settings
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    diagnostics = Diagnostics(list(site.diagnostics))
    with output_lock(out):
        remove_stale_temporaries(out)
        output = Output(out)
        post_entries = {post.source: post_entry(post) for post in site.posts}
        # Stages add their files and manifest fields here, in pipeline order:
        # cards → meta → feeds (feeds point at cards for posts without a photo).
        cards = render_cards(site, output, diagnostics, settings.build.jobs) if settings.build.cards else {}
        for source, card in cards.items():
            post_entries[source].update(card=card.path, card_url=card.url, card_background=card.background)
        for post in site.posts:
            post_entries[post.source]["meta"] = meta_path(post)
            output.write(meta_path(post), meta_tags(post, settings, cards.get(post.source)).encode("utf-8"))
        if settings.ping.indexnow_key:  # IndexNow: the engine fetches <base_url>/<key>.txt to verify the key
            output.write(f"{settings.ping.indexnow_key}.txt", settings.ping.indexnow_key.encode())
        # feeds: documents whose inputs equal the last manifest's are kept, not rendered again
        feed_documents = build_feeds(site, cards=cards, diagnostics=diagnostics,
                                     reuse=previous_feeds(read_manifest(out), out))
        for feed in feed_documents:
            if feed.data is None:
                output.keep(feed.path, feed.sha256)
            else:
                output.write(feed.path, feed.data)
        if feed_documents:
            output.write(*stylesheet_file())
        feeds: list[dict[str, Any]] = [feed.manifest_entry() for feed in feed_documents]
        manifest = {
            "generator": f"syndicate {__version__}",
            "site": {"base_url": settings.site.base_url, "title": settings.site.title,
                     "language": settings.site.language},
            "feeds": feeds,
            "posts": list(post_entries.values()),
            "diagnostics": [d.as_json() for d in diagnostics.sorted()],
        }
        output.finish(manifest)
    return BuildResult(out, manifest, diagnostics.sorted(), output.changed)


def post_entry(post) -> dict[str, Any]:
    return {
        "source": post.source,
        "slug": post.slug,
        "url": post.url,
        "title": post.title,
        "published": rfc3339(post.published),
        "updated": rfc3339(post.updated),
        "taxonomies": {name: list(terms) for name, terms in post.taxonomies.items()},
        "sha256": post.source_sha256,
    }
