"""One build: a loaded site → cards → meta tags → feeds → the output folder and manifest.json."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ._version import __version__
from .config import Settings
from .content import Post
from .dates import rfc3339
from .diagnostics import Diagnostic, Diagnostics, Level
from .images import default_image
from .listpages import ListPage
from .meta import description_of, list_meta_tags, meta_path, meta_tags
from .output import Output, output_lock, remove_stale_temporaries
from .progress import Progress, stage
from .safety import PostFailed, each_post
from .site import Site
from .workers import worker_count

if TYPE_CHECKING:
    from .cards import Card, MadeCard
    from .feeds import FeedPlan
    from .feeds.entries import Entries
    from .feeds.feeditem import Item


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
    long stages report to `progress` when one is given.

    A post whose card, meta tags, feed entry or manifest entry cannot be made is left out of
    every output, with an error; an exception outside per-post work leaves the folder as the
    last build left it (no temporary files) and propagates."""
    settings = site.settings
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    diagnostics = Diagnostics(list(site.diagnostics))
    with output_lock(out):
        remove_stale_temporaries(out)
        output = Output(out, own_folders(settings))
        try:
            manifest = _write_site(site, output, diagnostics, progress)
        except BaseException:
            output.abandon()
            raise
    return BuildResult(out, manifest, diagnostics.sorted(), output.changed)


def _write_site(site: Site, output: Output, diagnostics: Diagnostics, progress: Progress | None) -> dict[str, Any]:
    """Each stage works post by post under the safety net; what a post fails at, it is left out of."""
    settings = site.settings
    everyone = site.posts
    cards = write_cards(site, output, diagnostics, progress)
    if settings.build.cards:
        site = _only(site, cards)
    from .feeds import feed_items

    items = feed_items(site, cards, diagnostics)
    site = _only(site, items)
    jobs = worker_count(settings.build.jobs)
    entries: dict[str, dict[str, Any]] | None = None  # each post's manifest entry
    while True:
        plan = feed_plan(site, output, items)
        try:
            with plan.entries(settings.state_dir / "cache", jobs) as feed_entries:
                if entries is None:  # while worker processes write the feeds' entries
                    entries = _meta_and_entries(site, output, cards, diagnostics)
                    if len(entries) < len(site.posts):  # a post left out: planned again without it
                        site = _only(site, entries)
                        continue
                with stage(progress, "feeds"):
                    feeds = write_feeds(plan, feed_entries(), output, jobs)
            break
        except PostFailed as failure:  # one post broke a document or a page: again without it
            if not any(post.source == failure.source for post in site.posts):
                raise  # not one of these posts' fault after all
            diagnostics.items.append(failure.diagnostic)
            for path in plan_paths(plan):
                output.withdraw(path)
            site = _only(site, {post.source: post for post in site.posts if post.source != failure.source})
    pages = write_list_pages(site, output, cards)
    write_indexnow_key(site, output)
    published = {post.source for post in site.posts}
    for post in everyone:
        if post.source not in published:  # left out: nothing of it is written, or kept from before
            output.withdraw(meta_path(post))
            if post.source in cards:
                output.withdraw(cards[post.source].path)
    manifest = {
        "generator": f"syndicate {__version__}",
        "site": {"base_url": settings.site.base_url, "title": settings.site.title,
                 "language": settings.site.language,
                 "languages": [{"key": language.key, "tag": language.tag, "title": language.title,
                                "prefix": language.prefix} for language in settings.languages]},
        "feeds": feeds,
        "posts": [entries[post.source] for post in everyone if post.source in published],
        "pages": pages,
        "diagnostics": [d.as_json() for d in diagnostics.sorted()],
    }
    output.finish(manifest)
    return manifest


def own_folders(settings: Settings) -> tuple[str, ...]:
    """The output folders only syndicate writes (design.md's layout: cards/, meta/, feeds/, and
    each language's <prefix>feeds/), where a file no manifest lists is an orphan to remove. Hugo
    writes its pages into the same public/ folder: a folder the site publishes itself (a content
    section or a static folder of that name) is not syndicate's alone, and is left alone."""
    candidates = ["cards", "meta", "feeds", *(f"{language.prefix}feeds" for language in settings.languages)]
    content_dirs = {settings.root / language.content_dir for language in settings.languages}
    return tuple(folder for folder in dict.fromkeys(candidates)
                 if not (settings.static_dir / folder).exists()
                 and not any((content / folder.rsplit("/", 1)[-1]).exists() for content in content_dirs))


def _source(post: Post) -> str:
    return post.source


def _only(site: Site, kept: Mapping[str, Any]) -> Site:
    """The site with only the posts that `kept` has a result for."""
    if all(post.source in kept for post in site.posts):
        return site
    return dataclasses.replace(site, posts=tuple(post for post in site.posts if post.source in kept))


def write_cards(site: Site, output: Output, diagnostics: Diagnostics,
                progress: Progress | None = None) -> dict[str, Card]:
    """Every card the stage made, written (or kept), keyed by post source or list page name; a
    post whose card cannot be written is missing, with an error."""
    if not site.settings.build.cards:
        return {}
    from .cards import render_cards  # Pillow and the fonts load only when cards are made

    made = render_cards(site, diagnostics, site.settings.build.jobs, output.is_current, progress)
    return each_post(made.items(), diagnostics, "writing its share card", lambda pair: pair[0],
                     lambda pair: _write_card(output, pair[1]))


def _write_card(output: Output, made: MadeCard) -> Card:
    if made.current:
        output.keep(made.card.path, made.card.sha256)
    else:
        output.write(made.card.path, made.read(), made.card.sha256)
    return made.card


def write_meta(post: Post, settings: Settings, output: Output, card: Card | None) -> str:
    path = meta_path(post)
    output.write(path, meta_tags(post, settings, card).encode("utf-8"))
    return path


def write_list_pages(site: Site, output: Output, cards: Mapping[str, Card]) -> list[dict[str, Any]]:
    """The home, section and term pages' snippets and manifest entries; without cards they show
    the site's default image."""
    image = default_image(site.settings) if site.list_pages and not cards else None
    entries = []
    for page in site.list_pages:
        card = cards.get(page.output_name)
        output.write(meta_path(page), list_meta_tags(page, site.settings, card, image).encode("utf-8"))
        entries.append({**list_page_entry(page), **_card_fields(card), "meta": meta_path(page)})
    return entries


def write_indexnow_key(site: Site, output: Output) -> None:
    key = site.settings.ping.indexnow_key
    if key:  # IndexNow: the engine fetches <base_url>/<key>.txt to verify the key
        output.write(f"{key}.txt", key.encode())


def _meta_and_entries(site: Site, output: Output, cards: Mapping[str, Card],
                      diagnostics: Diagnostics) -> dict[str, dict[str, Any]]:
    """Each post's meta tags written and its manifest entry made, under the safety net: a post
    that fails either has no entry."""
    settings = site.settings
    site = _only(site, each_post(site.posts, diagnostics, "writing its meta tags", _source,
                                 lambda post: write_meta(post, settings, output, cards.get(post.source))))
    return each_post(site.posts, diagnostics, "listing it in the manifest", _source,
                     lambda post: manifest_entry(post, cards.get(post.source)))


def manifest_entry(post: Post, card: Card | None) -> dict[str, Any]:
    entry = {**post_entry(post), **_card_fields(card), "meta": meta_path(post)}
    entry["sha256"] = post_digest(post, entry, card)
    return entry


def _card_fields(card: Card | None) -> dict[str, str]:
    if card is None:
        return {}
    return {"card": card.path, "card_url": card.url, "card_background": card.background, "card_layout": card.layout}


def feed_plan(site: Site, output: Output, items: Mapping[str, Item]) -> FeedPlan:
    """Every feed document; those whose inputs equal the last manifest's are kept, not rendered again."""
    from .feeds import plan_feeds, previous_feeds

    return plan_feeds(site, items, previous_feeds(output.previous_manifest, output.is_current))


def plan_paths(plan: FeedPlan) -> set[str]:
    """Every file the plan's documents and their pages are written to."""
    return {path for document in plan.documents for path in (document.path, document.page_path)}


def write_feeds(plan: FeedPlan, entries: Entries, output: Output, jobs: int) -> list[dict[str, Any]]:
    """The documents not kept, and the feeds' pages but those whose every document was kept,
    made and written by `jobs` processes (10,000 posts make 2 GB of feeds: composing, hashing and
    creating 13,000 files is most of the stage). Raises PostFailed when one post's entry breaks a
    feed's page."""
    from .feeds import page_bytes, stylesheet_file
    from .feeds.page import FeedPages

    pages = FeedPages(plan.documents)
    unchanged_pages = set()
    for path in plan.unchanged_pages():
        digest = output.previous_files.get(path)
        if digest is not None and output.is_current(path, digest):
            output.keep(path, digest)
            unchanged_pages.add(path)
    fresh = plan.fresh()
    todo: list[Any] = [*fresh, *(path for path in pages.groups if path not in unchanged_pages)]

    def make(item: Any) -> tuple[str, list[bytes] | bytes]:
        if isinstance(item, str):
            return item, page_bytes(pages, item)
        return item.document.path, entries.pieces(item.document)

    for planned in plan.planned:
        if planned.kept is not None:
            output.keep(planned.document.path, planned.kept[0])
    made = output.write_many(todo, make, jobs)
    feeds = plan.described({planned.document.path: written for planned, written in zip(fresh, made)})
    if feeds:
        output.write(*stylesheet_file())
    return [feed.manifest_entry() for feed in feeds]


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
        "description_source": post.description_source or None,
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
    digest.update(post.source_sha256.encode("utf-8") + b"\0")
    digest.update(post.body.utf8() + b"\0")  # read from its body file, never held for every post
    for part in (post.summary, card.sha256 if card else "", json.dumps(fields, ensure_ascii=False, sort_keys=True)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()
