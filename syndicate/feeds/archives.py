"""RFC 5005 archived feeds: how one feed splits into documents, where they live, how they link.

The current document holds the newest `limit` entries. Older entries go to archive pages of
`limit` entries counted from the oldest post, so page 1 holds the first `limit` posts ever
published, and a page that is full keeps its entries however many posts come after it (its
bytes change once more: RFC 5005 §4 wants a `next-archive` link once the following page exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from posixpath import relpath
from urllib.parse import urljoin

from .feeditem import Item

FH_NAMESPACE = "http://purl.org/syndication/history/1.0"
STYLESHEET = "feeds/feed.xsl"


@dataclass(frozen=True)
class Format:
    name: str
    filename: str        # of the current document
    suffix: str          # of archive pages
    media_type: str
    label: str           # for people


FORMATS = {
    "atom": Format("atom", "atom.xml", ".xml", "application/atom+xml", "Atom"),
    "rss": Format("rss", "rss.xml", ".xml", "application/rss+xml", "RSS"),
    "json": Format("json", "feed.json", ".json", "application/feed+json", "JSON Feed"),
}


@dataclass(frozen=True)
class FeedHead:
    """What every document of one feed shares."""
    id: str              # the current document's URL (Atom §4.2.6: the feed's permanent id)
    title: str
    subtitle: str
    home_url: str        # the HTML page the feed stands for
    language: str
    author: str
    icon: str
    logo: str
    hubs: tuple[str, ...]
    generator_version: str


@dataclass(frozen=True)
class Span:
    """Which entries one document holds: items[start:stop] of the feed ordered oldest first."""
    archive: int | None  # page number, 1 = oldest; None for the current document
    start: int
    stop: int


@dataclass(frozen=True)
class Document:
    format: Format
    folder: str          # of the feed: `feeds`, `feeds/topic/story`
    path: str            # relative to the output folder
    url: str
    head: FeedHead
    items: tuple[Item, ...]  # newest first
    archive: int | None
    current_url: str
    prev_archive_url: str | None  # the next older page
    next_archive_url: str | None  # the next newer page (archive pages only)
    stylesheet: str      # href of the XSL, relative to the document
    page_path: str       # the HTML page for people that shows this document's entries
    page_url: str

    @property
    def current_path(self) -> str:
        return document_path(self.folder, self.format, None)

    @property
    def updated(self) -> datetime | None:
        """The newest entry's `updated`: a feed changes when an entry does, never on a rebuild."""
        return max((item.updated for item in self.items), default=None)


def spans(count: int, limit: int) -> list[Span]:
    """The current span first, then the archive pages from the oldest."""
    archived = max(0, count - limit)
    if 2 <= archived <= limit:
        # The W3C validator warns about an archive document without a neighbour (ArchiveIncomplete),
        # so entries that would fit on one page are spread over two, the older half first. Neither
        # page is full, so both may still change; page 1 fills up once the archive outgrows a page.
        half = -(-archived // 2)
        return [Span(None, archived, count), Span(1, 0, half), Span(2, half, archived)]
    pages = -(-archived // limit)
    return [Span(None, archived, count)] + [
        Span(number, (number - 1) * limit, min(number * limit, archived)) for number in range(1, pages + 1)]


def document_path(folder: str, fmt: Format, archive: int | None) -> str:
    if archive is None:
        return f"{folder}/{fmt.filename}"
    return f"{folder}/{fmt.name}/archive/{archive}{fmt.suffix}"


def page_path(folder: str, archive: int | None) -> str:
    """One HTML page per feed (and per archive page), shared by its formats: `index.html` by name,
    since object storage serves no folder indexes."""
    return f"{folder}/index.html" if archive is None else f"{folder}/archive/{archive}.html"


def documents(folder: str, fmt: Format, head: FeedHead, items_oldest_first: list[Item], limit: int,
              base_url: str) -> list[Document]:
    """Every document of one feed in one format, current first."""
    all_spans = spans(len(items_oldest_first), limit)
    last_page = len(all_spans) - 1

    def url(archive: int | None) -> str:
        return urljoin(base_url, document_path(folder, fmt, archive))

    result = []
    for span in all_spans:
        path = document_path(folder, fmt, span.archive)
        if span.archive is None:
            older, newer = (last_page or None), None
        else:
            older = span.archive - 1 or None
            newer = span.archive + 1 if span.archive < last_page else None
        result.append(Document(
            format=fmt, folder=folder, path=path, url=url(span.archive), head=head,
            items=tuple(reversed(items_oldest_first[span.start:span.stop])), archive=span.archive,
            current_url=url(None),
            prev_archive_url=url(older) if older else None,
            next_archive_url=url(newer) if newer else None,
            stylesheet=relpath(STYLESHEET, path.rsplit("/", 1)[0]),
            page_path=page_path(folder, span.archive),
            page_url=urljoin(base_url, page_path(folder, span.archive))))
    return result
