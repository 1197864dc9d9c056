"""Atom 1.0 and RSS 2.0 documents with feedgen, to the letter of the W3C Feed Validation Service."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .archives import FH_NAMESPACE, Document
from .feeditem import Item

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXTENSION = "syndicate"
# RSS Best Practices Profile §"Encoding": plain text in RSS elements should write & and < as
# hexadecimal character references (the validator's CharacterData warning checks for it).
RSS_PLAIN_TEXT = re.compile(rb"(<(title|category|dc:creator)(?: [^>]*)?>)([^<]*)(</\2>)")
# The channel's description is plain text too; an item's is HTML and stays as lxml wrote it.
RSS_CHANNEL_TEXT = re.compile(rb"(<(title|description|category)(?: [^>]*)?>)([^<]*)(</\2>)")


class HistoryExtension(BaseExtension):
    """Feed level: WebSub hubs, the feed's HTML page and RFC 5005 links, `fh:archive` on archive pages, and the
    namespaces the entry extension uses (feedgen takes them from feed-level extensions only)."""

    def __init__(self) -> None:
        self.document: Document | None = None

    def extend_ns(self) -> dict[str, str]:
        spaces = {"media": MEDIA_NS, "dc": DC_NS}
        if self.document is not None and self.document.archive is not None:
            spaces["fh"] = FH_NAMESPACE
        return spaces

    def links(self) -> list[dict[str, str]]:
        document = self.document
        assert document is not None
        media_type = document.format.media_type
        found = [{"rel": "hub", "href": hub} for hub in document.head.hubs]
        # The page for people who open the feed in a browser. RFC 4287 §4.2.7.2 "related": a
        # second rel="alternate" of type text/html would be a DuplicateAtomLink beside the blog's.
        found.append({"rel": "related", "href": document.page_url, "type": "text/html"})
        if document.archive is not None:  # RFC 5005 §4: archives point at the current document
            found.append({"rel": "current", "href": document.current_url, "type": media_type})
        if document.prev_archive_url:
            found.append({"rel": "prev-archive", "href": document.prev_archive_url, "type": media_type})
        if document.next_archive_url:
            found.append({"rel": "next-archive", "href": document.next_archive_url, "type": media_type})
        return found

    def extend_atom(self, feed):
        for link in self.links():
            xml_elem("link", feed, **link)
        self._mark_archive(feed)
        return feed

    def extend_rss(self, feed):
        channel = feed[0]
        for link in self.links():
            xml_elem(f"{{{ATOM_NS}}}link", channel, **link)
        self._mark_archive(channel)
        return feed

    def _mark_archive(self, parent) -> None:
        if self.document is not None and self.document.archive is not None:
            xml_elem(f"{{{FH_NAMESPACE}}}archive", parent)


class ItemExtension(BaseEntryExtension):
    """Entry level: the image as media:content and media:thumbnail, RSS `dc:creator` (RSS
    `author` must be an e-mail address), RSS `description` as HTML, an entry's own xml:lang."""

    def __init__(self) -> None:
        self.item: Item | None = None
        self.feed_language = ""

    def extend_atom(self, entry):
        item = self.item
        assert item is not None
        if item.language != self.feed_language:
            entry.set(XML_LANG, item.language)
        # feedgen 1.0 writes entry links without rel/type (it reads them back from the new
        # element), which turns the enclosure into a second alternate: DuplicateAtomLink.
        for link in entry.findall("link"):
            entry.remove(link)
        xml_elem("link", entry, rel="alternate", type="text/html", href=item.url)
        if item.enclosure is not None and item.enclosure.length is not None:
            xml_elem("link", entry, rel="enclosure", type=item.enclosure.mime,
                     length=str(item.enclosure.length), href=item.enclosure.url)
        self._media(entry)
        return entry

    def extend_rss(self, entry):
        item = self.item
        assert item is not None
        description = entry.find("description")
        if item.summary and description is not None:
            # RSS 2.0: description is HTML; feedgen would put the plain summary in as it is.
            description.text = html.escape(item.summary, quote=False)
        xml_elem(f"{{{DC_NS}}}creator", entry).text = item.author
        self._media(entry)
        return entry

    def _media(self, parent) -> None:
        image = self.item.image if self.item else None
        if image is None:
            return
        content = xml_elem(f"{{{MEDIA_NS}}}content", parent, url=image.url, type=image.mime, medium="image")
        thumbnail = xml_elem(f"{{{MEDIA_NS}}}thumbnail", parent, url=image.url)
        if image.length:
            content.set("fileSize", str(image.length))
        if image.width and image.height:
            for element in (content, thumbnail):
                element.set("width", str(image.width))
                element.set("height", str(image.height))


def feed_entry(item: Item, feed_language: str) -> FeedEntry:
    """One feedgen entry (rendered once, whatever the documents it is in: entries.py)."""
    entry = FeedEntry()
    entry.register_extension(EXTENSION, ItemExtension, atom=True, rss=True)
    extension: ItemExtension = getattr(entry, EXTENSION)
    extension.item, extension.feed_language = item, feed_language
    entry.id(item.id)  # also the RSS guid, isPermaLink="false": a tag URI is no address
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate", type="text/html")
    entry.published(item.published)
    entry.updated(item.updated)
    entry.author({"name": item.author})
    if item.content_html:
        entry.content(item.content_html, type="html")
    if item.summary:
        entry.summary(item.summary, type="text")
    for category in item.categories:
        entry.category(term=category.term, scheme=category.scheme, label=category.term)
    if item.enclosure is not None and item.enclosure.length is not None:
        entry.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.mime)
    return entry


def generator(document: Document, entries: list[FeedEntry]) -> FeedGenerator:
    head = document.head
    feed = FeedGenerator()
    feed.register_extension(EXTENSION, HistoryExtension, ItemExtension, atom=True, rss=True)
    getattr(feed, EXTENSION).document = document
    feed.id(head.id)
    feed.title(head.title)
    feed.description(head.subtitle or head.title)  # RSS requires one; Atom gets it as subtitle
    if head.subtitle:
        feed.subtitle(head.subtitle)
    feed.link(href=document.url, rel="self", type=document.format.media_type)
    feed.link(href=head.home_url, rel="alternate", type="text/html")
    feed.language(head.language)
    feed.author({"name": head.author})
    feed.generator("syndicate", version=head.generator_version)
    if head.icon:
        feed.icon(head.icon)
    if head.logo:
        feed.logo(head.logo)
    # Atom §4.2.15 / RSS lastBuildDate: when the content last changed, never the build time.
    feed.updated(document.updated or datetime(2000, 1, 1, tzinfo=timezone.utc))
    feed.entry(entries)
    return feed


def atom_bytes(document: Document, entries: list[FeedEntry]) -> bytes:
    return with_stylesheet(generator(document, entries).atom_str(pretty=True), document.stylesheet)


def rss_bytes(document: Document, entries: list[FeedEntry]) -> bytes:
    data = generator(document, entries).rss_str(pretty=True)
    head, item, items = data.partition(b"<item>")
    data = RSS_CHANNEL_TEXT.sub(_hex_references, head) + item + RSS_PLAIN_TEXT.sub(_hex_references, items)
    return with_stylesheet(data, document.stylesheet)


def atom_entries(document: Document, entries: list[FeedEntry]) -> list[bytes]:
    """Each entry of the document (`entries`: feed_entry of each of its items) as its bytes stand
    in it (the feed's last children, at depth 1)."""
    return cut(generator(document, entries).atom_str(pretty=True), b"  <entry", b"</entry>\n")


def rss_entries(document: Document, entries: list[FeedEntry]) -> list[bytes]:
    """Each item of the document as its bytes stand in it (the channel's last children, at depth 2);
    one feed_entry serves both formats."""
    items = cut(generator(document, entries).rss_str(pretty=True), b"    <item>", b"</item>\n")
    return [RSS_PLAIN_TEXT.sub(_hex_references, item) for item in items]


def cut(document: bytes, start: bytes, end: bytes) -> list[bytes]:
    """The document's last children, each from its line's `start` to its `end` (an end tag can be
    nowhere else: markup in text and attributes is escaped)."""
    pieces = []
    position = document.index(b"\n" + start) + 1 if start in document else len(document)
    while document.startswith(start, position):
        stop = document.index(end, position) + len(end)
        pieces.append(document[position:stop])
        position = stop
    return pieces


def _hex_references(match: re.Match[bytes]) -> bytes:
    text = match.group(3).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return match.group(1) + text + match.group(4)


def with_stylesheet(data: bytes, href: str) -> bytes:
    """An `<?xml-stylesheet?>` after the XML declaration, so a browser shows a readable page."""
    declaration, _, rest = data.partition(b"\n")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{html.escape(href)}"?>'.encode()
    return declaration + b"\n" + instruction + b"\n" + rest
