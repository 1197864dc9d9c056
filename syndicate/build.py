"""One build: a loaded site → cards → meta tags → feeds → the output folder and manifest.json."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ._version import __version__
from .content import Post
from .dates import rfc3339
from .diagnostics import Diagnostic, Diagnostics, Level
from .images import default_image
from .listpages import ListPage
from .meta import description_of, description_source, list_meta_tags, meta_path, meta_tags
from .output import Output, output_lock, read_manifest, remove_stale_temporaries
from .progress import Progress, stage
from .site import Site

if TYPE_CHECKING:
    from .cards import Card

PostEntries = dict[str, dict[str, Any]]  # post.source (a list page's output name) → its manifest entry


@dataclass
class BuildResult:
    out_dir: Path
    manifest: dict[str, Any]
    diagnostics: tuple[Diagnostic, ...]
    changed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)


def build(site: Site, out_dir: Path | str | None = None, progress: Progress | None = None) -> BuildResult:
    """Write everything the site makes into `out_dir` (default: the settings' `build.out`); the
    long stages report to `progress` when one is given."""
    settings = site.settings
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    diagnostics = Diagnostics(list(site.diagnostics))
    with output_lock(out):
        remove_stale_temporaries(out)
        output = Output(out)
        entries = {post.source: post_entry(post) for post in site.posts}
        page_entries = {page.output_name: list_page_entry(page) for page in site.list_pages}
        cards = write_cards(site, output, {**entries, **page_entries}, diagnostics, progress)
        write_meta(site, output, entries, cards)
        write_list_meta(site, output, page_entries, cards)
        write_indexnow_key(site, output)
        with stage(progress, "feeds"):
            feeds = write_feeds(site, output, cards, diagnostics)
        for post in site.posts:
            entries[post.source]["sha256"] = post_digest(post, entries[post.source], cards.get(post.source))
        manifest = {
            "generator": f"syndicate {__version__}",
            "site": {"base_url": settings.site.base_url, "title": settings.site.title,
                     "language": settings.site.language,
                     "languages": [{"key": language.key, "tag": language.tag, "title": language.title,
                                    "prefix": language.prefix} for language in settings.languages]},
            "feeds": feeds,
            "posts": list(entries.values()),
            "pages": list(page_entries.values()),
            "diagnostics": [d.as_json() for d in diagnostics.sorted()],
        }
        output.finish(manifest)
    return BuildResult(out, manifest, diagnostics.sorted(), output.changed)


def write_cards(site: Site, output: Output, entries: PostEntries, diagnostics: Diagnostics,
                progress: Progress | None = None) -> dict[str, Card]:
    if not site.settings.build.cards:
        return {}
    from .cards import render_cards  # Pillow and the fonts load only when cards are made

    made = render_cards(site, diagnostics, site.settings.build.jobs, output.is_current, progress)
    for source, item in made.items():
        if item.data is None:
            output.keep(item.card.path, item.card.sha256)
        else:
            output.write(item.card.path, item.data)
        entries[source].update(card=item.card.path, card_url=item.card.url, card_background=item.card.background,
                               card_layout=item.card.layout)
    return {source: item.card for source, item in made.items()}


def write_meta(site: Site, output: Output, entries: PostEntries, cards: Mapping[str, Card]) -> None:
    for post in site.posts:
        entries[post.source]["meta"] = meta_path(post)
        output.write(meta_path(post), meta_tags(post, site.settings, cards.get(post.source)).encode("utf-8"))


def write_list_meta(site: Site, output: Output, entries: PostEntries, cards: Mapping[str, Card]) -> None:
    """The home, section and term pages' snippets; without cards they show the site's default image."""
    image = default_image(site.settings) if site.list_pages and not cards else None
    for page in site.list_pages:
        entries[page.output_name]["meta"] = meta_path(page)
        output.write(meta_path(page), list_meta_tags(page, site.settings, cards.get(page.output_name),
                                                     image).encode("utf-8"))


def write_indexnow_key(site: Site, output: Output) -> None:
    key = site.settings.ping.indexnow_key
    if key:  # IndexNow: the engine fetches <base_url>/<key>.txt to verify the key
        output.write(f"{key}.txt", key.encode())


def write_feeds(site: Site, output: Output, cards: Mapping[str, Card],
                diagnostics: Diagnostics) -> list[dict[str, Any]]:
    """Feed documents whose inputs equal the last manifest's are kept, not rendered again; the
    feeds' pages are cheap and always rendered (the writer leaves unchanged bytes alone)."""
    from .feeds import previous_feeds, render_feeds, stylesheet_file

    feeds = render_feeds(site, cards=cards, diagnostics=diagnostics,
                         reuse=previous_feeds(read_manifest(output.root), output.root))
    for feed in feeds.documents:
        if feed.data is None:
            output.keep(feed.path, feed.sha256)
        else:
            output.write(feed.path, feed.data)
    for page in feeds.pages:
        output.write(page.path, page.data)
    if feeds.documents:
        output.write(*stylesheet_file())
    return [feed.manifest_entry() for feed in feeds.documents]


def post_entry(post: Post) -> dict[str, Any]:
    return {
        "source": post.source,
        "slug": post.slug,
        "url": post.url,
        "title": post.title,
        "language": post.language,
        "published": rfc3339(post.published),
        "updated": rfc3339(post.updated),
        "taxonomies": {name: list(terms) for name, terms in post.taxonomies.items()},
        # What announcing a post needs, known here and nowhere later: announce reads no post again.
        "description": description_of(post),
        "aliases": list(post.aliases),
        "links": list(post.links),
        "description_source": description_source(post) or None,
    }


def list_page_entry(page: ListPage) -> dict[str, Any]:
    where = {"section": page.section} if page.kind == "section" else \
        {"taxonomy": page.taxonomy, "term": page.term} if page.kind == "term" else {}
    return {"kind": page.kind, "name": page.output_name, "url": page.url, "title": page.title,
            "language": page.language, **where}


def post_digest(post: Post, entry: Mapping[str, Any], card: Card | None) -> str:
    """design.md: a post's sha256 is over what its outputs depend on — so a ping re-announces a
    post whose page changed (its body, its card), not one whose file was merely touched."""
    digest = hashlib.sha256()
    # description_source follows from the source's bytes, already hashed; leaving it out keeps
    # the digests of manifests written before it, so no post is announced again for nothing.
    fields = {key: value for key, value in entry.items() if key not in ("sha256", "description_source")}
    for part in (post.source_sha256, post.body_html, post.summary, card.sha256 if card else "",
                 json.dumps(fields, ensure_ascii=False, sort_keys=True)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()
