"""Feeds: which posts go in which feed, every document of every feed in every format, which
documents the last build already wrote from the same inputs (those are kept, not rebuilt), and
each feed's HTML page for people."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterator, Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

from .._version import __version__
from ..config import Settings
from ..content import Post, url_on_site
from ..diagnostics import Diagnostics
from ..safety import each_post
from ..site import Site
from .archives import FORMATS, STYLESHEET, Document, FeedHead, documents
from .entries import Entries, culprit_of, entries_written
from .feeditem import Item, canonical_path, clean_text, entry_ids, item_digest, make_item
from .page import FeedPages, render_page

if TYPE_CHECKING:
    from ..cards import Card

# Bump when the bytes written for the same inputs change, so no stale document is kept.
RENDERING = "feeds-3"
DEFAULT_PORTS = {"http": 80, "https": 443}
SLUG_LIMIT = 100
TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe",
                                 "Ü": "ue", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o",
                                 "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th"})

# (path, inputs) → (sha256, size) of the file the last build wrote from these inputs, if still there
Reuse = Callable[[str, str], "tuple[str, int] | None"]


@dataclass(frozen=True)
class Feed:
    """One feed document, ready for the output folder."""
    path: str
    url: str
    format: str
    taxonomy: str | None
    term: str | None
    entries: int
    sha256: str
    bytes: int
    inputs: str              # sha256 of what the document is made from
    data: bytes | None       # None: the file the last build wrote is still exact, keep it
    archive: int | None = None   # RFC 5005 archive page number; None for the current document
    total: int = 0           # entries of the whole feed, current document and archives
    page: str = ""           # the HTML page for people that shows the same entries
    language: str = ""       # the language key

    def manifest_entry(self) -> dict[str, Any]:
        return {"path": self.path, "url": self.url, "format": self.format, "taxonomy": self.taxonomy,
                "term": self.term, "entries": self.entries, "sha256": self.sha256, "bytes": self.bytes,
                "archive": self.archive, "total": self.total, "inputs": self.inputs, "page": self.page,
                "language": self.language}


@dataclass(frozen=True)
class Selection:
    """The posts of one feed: one language's whole site, or one term of one taxonomy."""
    taxonomy: str | None
    term: str | None
    folder: str
    posts: tuple[Post, ...]  # newest first
    language: str = ""       # the language key; its feeds go below its URL prefix (es/feeds/…)


def build_feeds(site: Site, cards: Mapping[str, Card] | None = None, reuse: Reuse | None = None,
                diagnostics: Diagnostics | None = None) -> list[Feed]:
    """Every document of every feed, in memory (the build writes each document as it is made,
    and the feeds' pages beside them: FeedPlan and build.write_feeds). `cards` maps a post's
    source to its share card (the enclosure of a post without a photo); `reuse` finds documents
    the last build already wrote. Raises PostFailed when one post's entry breaks a document."""
    plan = plan_feeds(site, feed_items(site, cards, diagnostics), reuse)
    with plan.entries() as entries:
        return list(plan.render(entries()))


def feed_items(site: Site, cards: Mapping[str, Card] | None = None,
               diagnostics: Diagnostics | None = None) -> dict[str, Item]:
    """Each post as the feeds see it, keyed by source; a post whose item cannot be made is
    missing, with an error (safety.py)."""
    settings = site.settings
    cards = cards or {}
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    lines = {post.source: post.key_lines.get("id") for post in site.posts}
    ids = entry_ids(site.posts, settings, lambda source, message: diagnostics.warn(source, lines[source], message))
    return each_post(site.posts, diagnostics, "making its feed entry", lambda post: post.source,
                     lambda post: make_item(post, cards.get(post.source), settings, ids[post.source]))


@dataclass(frozen=True)
class Planned:
    document: Document
    selection: Selection
    total: int                       # entries of the whole feed
    inputs: str
    kept: tuple[str, int] | None     # (sha256, size) of the file the last build wrote from the same inputs


@dataclass(frozen=True)
class FeedPlan:
    """Every document of every feed, and which of them the last build already wrote."""
    planned: list[Planned]

    @property
    def documents(self) -> list[Document]:
        return [plan.document for plan in self.planned]

    def unchanged_pages(self) -> set[str]:
        """The feed pages all of whose documents were kept: the page the last build wrote is exact."""
        changed = {plan.document.page_path for plan in self.planned if plan.kept is None}
        return {plan.document.page_path for plan in self.planned} - changed

    def entries(self, scratch: Path | None = None, jobs: int = 1) -> ContextManager[Callable[[], Entries]]:
        """The entries of the documents to render, written once (entries.py): when there are many,
        by `jobs` worker processes into scratch files under `scratch`, which start at once. Waiting
        for them raises PostFailed when one post's entry cannot be written."""
        return entries_written([plan.document for plan in self.planned if plan.kept is None], scratch, jobs)

    def render(self, entries: Entries) -> Iterator[Feed]:
        """Each document in turn, with its bytes unless kept, put together from its entries when
        its turn comes: no more than one is held at a time."""
        for plan in self.planned:
            yield _feed(plan, plan.kept or entries.document(plan.document))

    def fresh(self) -> list[Planned]:
        """The documents to render (not kept)."""
        return [plan for plan in self.planned if plan.kept is None]

    def described(self, made: Mapping[str, tuple[str, int]]) -> list[Feed]:
        """Every document, without its bytes: kept ones as the last build wrote them, the others
        as `made` says ((sha256, size) by path)."""
        return [_feed(plan, plan.kept or made[plan.document.path]) for plan in self.planned]


def plan_feeds(site: Site, items: Mapping[str, Item] | None = None, reuse: Reuse | None = None) -> FeedPlan:
    """Every document of every feed of the site's posts that have an item (feed_items)."""
    settings = site.settings
    if items is None:
        items = feed_items(site)
    posts = tuple(post for post in site.posts if post.source in items)
    if not posts:
        return FeedPlan([])
    if len(posts) < len(site.posts):
        site = dataclasses.replace(site, posts=posts)
    reuse = reuse or (lambda path, inputs: None)
    digests = {post.source: item_digest(items[post.source]) for post in posts}
    planned = []
    for selection in selections(site):
        oldest_first = [items[post.source] for post in reversed(selection.posts)]
        for name in settings.feeds.formats:
            head = feed_head(site, selection, document_url(settings, selection, name))
            for document in documents(selection.folder, FORMATS[name], head, oldest_first,
                                      settings.feeds.limit, settings.site.base_url):
                inputs = document_inputs(document, digests)
                planned.append(Planned(document, selection, len(oldest_first), inputs, reuse(document.path, inputs)))
    return FeedPlan(planned)


def page_bytes(pages: FeedPages, path: str) -> bytes:
    """The feed page's bytes; raises PostFailed when one post's entry breaks the page."""
    try:
        return pages.page(path)
    except Exception:
        for document in pages.groups[path]:
            culprit = culprit_of(document, lambda one: render_page([one], {}), "writing its entry on a feed's page")
            if culprit is not None:
                raise culprit from None
        raise  # not one post's fault: an internal error of the build


def _feed(plan: Planned, content: tuple[str, int] | bytes) -> Feed:
    if isinstance(content, bytes):
        data, digest, size = content, hashlib.sha256(content).hexdigest(), len(content)
    else:
        data, (digest, size) = None, content
    document, selection = plan.document, plan.selection
    return Feed(path=document.path, url=document.url, format=document.format.name,
                taxonomy=selection.taxonomy, term=selection.term, entries=len(document.items),
                sha256=digest, bytes=size, inputs=plan.inputs, data=data,
                archive=document.archive, total=plan.total, page=document.page_path,
                language=selection.language)


def document_inputs(document: Document, digests: Mapping[str, str]) -> str:
    """sha256 of everything the document's bytes are made of."""
    digest = hashlib.sha256(repr((RENDERING, __version__, document.format, document.path, document.url,
                                  document.head, document.archive, document.current_url,
                                  document.prev_archive_url, document.next_archive_url,
                                  document.stylesheet, document.page_url)).encode("utf-8", "surrogatepass"))
    for item in document.items:
        digest.update(digests[item.source].encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- which posts, which feeds

def selections(site: Site) -> list[Selection]:
    """For each language (the default first; another only if it has posts): its site-wide feed,
    then one feed per term of every configured taxonomy. Posts Hugo keeps out of lists (`_build
    list`) are in none. Terms that differ only in case or spacing are one term (as in Hugo); its
    name is the spelling used most, lower case on a tie."""
    found: list[Selection] = []
    for index, language in enumerate(site.settings.languages):
        posts = tuple(post for post in site.posts if post.language == language.key and post.build_list == "always")
        if posts or index == 0:
            found += _language_selections(site, language.key, f"{language.prefix}feeds", posts)
    return found


def _language_selections(site: Site, language: str, folder: str, posts: tuple[Post, ...]) -> list[Selection]:
    found = [Selection(None, None, folder, posts, language)]
    for taxonomy in dict.fromkeys(site.settings.feeds.taxonomies):
        groups: dict[str, list[Post]] = {}
        spellings: dict[str, Counter[str]] = {}
        for post in posts:
            for term in map(clean_text, post.taxonomies.get(taxonomy, ())):
                key = unicodedata.normalize("NFC", " ".join(term.split())).casefold()
                if not key:
                    continue
                members = groups.setdefault(key, [])
                if not members or members[-1] is not post:
                    members.append(post)
                spellings.setdefault(key, Counter())[term] += 1
        used: set[str] = set()
        for key in sorted(groups, key=lambda k: (slug(k), k)):
            name = min(spellings[key].items(), key=lambda pair: (-pair[1], pair[0] != pair[0].lower(), pair[0]))[0]
            term_slug = _unused(slug(name), used)
            found.append(Selection(taxonomy, name, f"{folder}/{slug(taxonomy)}/{term_slug}", tuple(groups[key]),
                                   language))
    return found


def slug(text: str) -> str:
    """Lower-case ASCII with '-' (design.md: terms in paths); German letters spelled out."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(TRANSLITERATION)).encode("ascii", "ignore")
    found = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if len(found) > SLUG_LIMIT:  # a folder name must fit the file system's 255 bytes
        return found[:SLUG_LIMIT - 9].rstrip("-") + "-" + digest
    return found or "term-" + digest


def _unused(candidate: str, used: set[str]) -> str:
    name, number = candidate, 2
    while name in used:
        name, number = f"{candidate}-{number}", number + 1
    used.add(name)
    return name


# ---------------------------------------------------------------- feed-level data

def document_url(settings: Settings, selection: Selection, format_name: str) -> str:
    return urljoin(settings.site.base_url, f"{selection.folder}/{FORMATS[format_name].filename}")


def feed_head(site: Site, selection: Selection, current_url: str) -> FeedHead:
    """The feed's own data, in its language: that language's title, description and tag; the
    alternate link is the posts section's own page (its _index may move it with `url:`)."""
    settings = site.settings
    language = settings.language(selection.language or settings.languages[0].key)
    # A feed needs a title (RFC 4287 §4.1.1, RSS 2.0): a site titled "" gets its host name.
    name = clean_text(language.title).strip() or urlsplit(language.base_url or settings.site.base_url).netloc
    title = name if selection.term is None else f"{name} – {selection.taxonomy}: {selection.term}"
    return FeedHead(
        id=canonical_url(current_url),
        title=clean_text(title),
        subtitle=clean_text(language.description),
        home_url=site.section_url(language.key),
        language=language.tag,
        author=clean_text(language.author).strip() or name,
        icon=site_url(settings.site.base_url, settings.site.icon),
        logo=site_url(settings.site.base_url, settings.site.logo),
        hubs=tuple(settings.ping.websub),
        generator_version=__version__,
    )


def site_url(base_url: str, reference: str) -> str:
    """A setting's path below the base URL ('/logo.png' as the static files are served), or a URL."""
    if not reference or urlsplit(reference).scheme:
        return reference
    return url_on_site(base_url, reference)


def canonical_url(url: str) -> str:
    """RFC 3986 §6.2.2 normal form (the W3C validator warns about ids in any other: NonCanonicalURI)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    return urlunsplit((scheme, host, canonical_path(parts.path or "/"), parts.query, parts.fragment))


# ---------------------------------------------------------------- build integration

def previous_feeds(manifest: Mapping[str, Any] | None, is_current: Callable[[str, str, int], bool]) -> Reuse:
    """Reuse from the last build's manifest: a document whose recorded inputs equal this build's,
    and which the output vouches is still there as recorded (`Output.is_current`: the manifest
    lists it, no unfinished build touched it since, the size matches), needs no rendering."""
    recorded = {}
    for entry in (manifest or {}).get("feeds") or []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            recorded[entry["path"]] = (entry.get("inputs"), entry.get("sha256"), entry.get("bytes"))

    def reuse(path: str, inputs: str) -> tuple[str, int] | None:
        previous_inputs, digest, size = recorded.get(path, (None, None, None))
        if previous_inputs != inputs or not isinstance(digest, str) or not isinstance(size, int):
            return None
        return (digest, size) if is_current(path, digest, size) else None

    return reuse


def stylesheet_file() -> tuple[str, bytes]:
    """The XSL that turns a feed into a readable page in a browser, and where it goes."""
    return STYLESHEET, (Path(__file__).parent / "feed.xsl").read_bytes()  # package data, beside this module
