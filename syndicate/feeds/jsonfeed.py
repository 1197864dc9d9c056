"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), which feedgen does not write.

Pages link like the XML archives: `next_url` of the current document is the newest archive
page, and each page's `next_url` the next older one (JSON Feed's pagination), so following
`next_url` reaches every post once. Archive pages also carry `_history` (a JSON Feed extension
object: keys starting with `_`) naming the current document, as RFC 5005's `current` does;
`_page` names the HTML page of the feed, as the XML formats' rel="related" link does.
"""

from __future__ import annotations

import json
from typing import Any

from ..dates import rfc3339
from .archives import Document
from .feeditem import Item

VERSION = "https://jsonfeed.org/version/1.1"


def json_shell(document: Document) -> tuple[bytes, bytes]:
    """The document's bytes before its items (up to the items' `[`) and after them."""
    data = _compact(feed_object(document, with_items=False))
    assert data.endswith(b"[]}"), data[-20:]  # "items" is the last member
    return data[:-2], b"]}\n"


def item_bytes(item: Item) -> bytes:
    """One item as it stands in every document it is in (compact JSON is the same at any depth)."""
    return _compact(item_object(item))


def _compact(value: Any) -> bytes:
    # Compact: json's C encoder runs only without `indent` (five times faster on 10,000 posts).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def feed_object(document: Document, with_items: bool = True) -> dict[str, Any]:
    head = document.head
    feed: dict[str, Any] = {"version": VERSION, "title": head.title, "home_page_url": head.home_url,
                            "feed_url": document.url}
    if head.subtitle:
        feed["description"] = head.subtitle
    if document.prev_archive_url:
        feed["next_url"] = document.prev_archive_url
    if head.logo or head.icon:
        feed["icon"] = head.logo or head.icon
    if head.icon:
        feed["favicon"] = head.icon
    feed["authors"] = [{"name": head.author}]
    feed["language"] = head.language
    if head.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in head.hubs]
    feed["_page"] = {"url": document.page_url}
    if document.archive is not None:
        feed["_history"] = {"about": "https://www.rfc-editor.org/rfc/rfc5005", "archive": True,
                            "current": document.current_url}
    feed["items"] = [item_object(item) for item in document.items] if with_items else []
    return feed


def item_object(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": item.id, "url": item.url, "title": item.title}
    if item.content_html:
        entry["content_html"] = item.content_html
    else:  # JSON Feed 1.1: an item has content_html or content_text
        entry["content_text"] = item.summary
    if item.summary:
        entry["summary"] = item.summary
    if item.image is not None:
        entry["image"] = item.image.url
    entry["date_published"] = rfc3339(item.published)
    entry["date_modified"] = rfc3339(item.updated)
    entry["authors"] = [{"name": item.author}]
    tags = list(dict.fromkeys(category.term for category in item.categories))
    if tags:
        entry["tags"] = tags
    entry["language"] = item.language
    if item.enclosure is not None and item.enclosure.length is not None:
        entry["attachments"] = [{"url": item.enclosure.url, "mime_type": item.enclosure.mime,
                                 "size_in_bytes": item.enclosure.length}]
    return entry
