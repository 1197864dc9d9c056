"""One post as every feed format sees it: permanent id, clean text, categories, image and enclosure."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable, Mapping
from urllib.parse import quote, unquote, urljoin, urlsplit

from ..bodies import Body
from ..config import Settings
from ..content import Post
from ..xmltext import clean_text

if TYPE_CHECKING:
    from ..cards import Card

# RFC 3986 §2.2/§3.3: what a path segment may hold unescaped; the W3C validator compares ids
# with their canonical form (NonCanonicalURI), which is exactly this quoting of the NFC text.
PATH_SAFE = "-._~!$&'()*+,;=:@/"
ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
WarnFn = Callable[[str, str], None]  # (source, message)


@dataclass(frozen=True)
class Media:
    """An image a feed points at; `length` is the file's size in bytes when it is known."""
    url: str
    mime: str
    length: int | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Category:
    taxonomy: str
    term: str
    scheme: str          # an IRI naming the taxonomy (Atom `scheme`, RSS `domain`)


@dataclass(frozen=True)
class Item:
    source: str
    id: str
    url: str
    title: str           # plain text
    published: datetime
    updated: datetime
    author: str
    summary: str         # plain text
    body: Body           # the post's rendered body; `content_html` reads it when an entry is written
    categories: tuple[Category, ...]
    language: str
    image: Media | None      # media:content / media:thumbnail / JSON `image`: the photo, else the card
    enclosure: Media | None  # RSS enclosure: needs a real length, so a local photo or the card

    @property
    def content_html(self) -> str:
        html = self.body.html
        return html if self.body.xml_safe else clean_text(html)


def tag_uri(settings: Settings, post: Post) -> str:
    """RFC 4151 `tag:<host>,<YYYY-MM-DD>:<path>` from the day the post was published and its path
    below the base URL, so neither a move to https nor a new path prefix changes it."""
    host = (urlsplit(settings.site.base_url).hostname or "localhost").encode("idna").decode("ascii")
    return f"tag:{host.lower()},{post.published:%Y-%m-%d}:{canonical_path(post.path)}"


def canonical_path(path: str) -> str:
    return quote(unicodedata.normalize("NFC", unquote(path)), safe=PATH_SAFE)


def explicit_id(value: str) -> str | None:
    """A front-matter `id` usable as an Atom id (RFC 4287 §4.2.6: an absolute IRI), else None."""
    value = value.strip()
    return value if ABSOLUTE_URI.fullmatch(value) else None


def categories(post: Post, settings: Settings) -> tuple[Category, ...]:
    base = settings.site.base_url + settings.language(post.language).prefix  # Hugo's terms live in the language's folder
    return tuple(Category(taxonomy, clean_text(term), taxonomy_scheme(base, taxonomy))
                 for taxonomy, terms in post.taxonomies.items() for term in terms if clean_text(term))


@lru_cache(maxsize=64)
def taxonomy_scheme(base_url: str, taxonomy: str) -> str:
    return urljoin(base_url, quote(taxonomy) + "/")


def photo(post: Post) -> Media | None:
    """The post's photo with what load_site read of it: type and size from its header (its name
    may lie), length from the file."""
    image = post.image
    if image is None:
        return None
    mime = image.mime or mimetypes.guess_type(urlsplit(image.url).path)[0] or "image/jpeg"
    length = image.file.stat().st_size if image.file is not None else None
    return Media(image.url, mime, length, image.width or None, image.height or None)


def card_media(card: Card | None) -> Media | None:
    return None if card is None else Media(card.url, card.mime, card.length, card.width, card.height)


def make_item(post: Post, card: Card | None, settings: Settings, entry_id: str) -> Item:
    image = photo(post)
    card_image = card_media(card)
    summary = clean_text(post.summary or post.description)
    title = clean_text(post.title)
    if not title.strip():  # feedgen and RSS need a title; nothing printable is left of this one
        title = post.slug or post.url
    return Item(
        source=post.source,
        id=entry_id,
        url=post.url,
        title=title,
        published=feed_time(post.published),
        updated=feed_time(post.updated),
        author=clean_text(post.author or settings.site.author or settings.site.title),
        # Atom §4.1.1.1: an entry needs textual content; a post with an empty body says its title.
        summary=summary or ("" if clean_text(post.body.html).strip() else title),
        body=post.body,
        categories=categories(post, settings),
        language=post.language_tag,
        image=image or card_image,
        enclosure=image if image is not None and image.length is not None else card_image,
    )


def feed_time(moment: datetime) -> datetime:
    """Whole seconds; an offset such as +05:45 in UTC instead, since RFC 822 zones as the W3C
    validator reads them are whole or half hours (ProblematicalRFC822Date otherwise). Every
    post's dates lie in years 1–9999 in UTC (dates.representable, where they are read)."""
    moment = moment.replace(microsecond=0)
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 1800:
        return moment.astimezone(timezone.utc)
    return moment


def item_digest(item: Item) -> str:
    """Equal digests give byte-equal entries: an Item holds everything its entries are made from
    (its body by the body's sha256)."""
    return hashlib.sha256(repr(item).encode("utf-8", "surrogatepass")).hexdigest()


def entry_ids(posts: Iterable[Post], settings: Settings, warn: WarnFn) -> Mapping[str, str]:
    """Each post's permanent id: its front-matter `id` when usable, else its tag URI; oldest first,
    so a later post can never take the id an earlier one already has."""
    ids: dict[str, str] = {}
    taken: dict[str, str] = {}
    for post in sorted(posts, key=lambda p: (p.published, p.source)):
        wanted = explicit_id(post.entry_id) if post.entry_id else None
        if post.entry_id and wanted is None:
            warn(post.source, f"id '{post.entry_id}' is not an absolute URI such as tag:example.org,2024:x "
                 "or urn:uuid:…; the generated tag URI is used")
        if wanted is not None and wanted in taken:
            warn(post.source, f"id '{wanted}' is already the id of {taken[wanted]}; "
                 "the generated tag URI is used. Give this post its own id")
            wanted = None
        entry_id = wanted or tag_uri(settings, post)
        if entry_id in taken:  # a generated id equal to another post's explicit one
            entry_id = f"{entry_id}#{hashlib.sha256(post.source.encode()).hexdigest()[:8]}"
        taken[entry_id] = post.source
        ids[post.source] = entry_id
    return ids
