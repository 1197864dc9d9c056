"""The HTML page of a feed, for people who open a feed's address in a browser: what the feed is,
how to subscribe, and its entries — what feed.xsl shows, without depending on XSLT (Chromium
shows `application/atom+xml` as text and is removing XSLT).

One page per feed and per archive page, shared by the feed's formats; links between pages are
relative, so a page reads the same on the site, under `syndicate serve` and from the folder."""

from __future__ import annotations

import html
from posixpath import dirname, relpath
from typing import Iterable

from .archives import Document
from .feeditem import Item

TEXTS = {
    "en": {
        "about": "This is a web feed. Copy its address into your feed reader to subscribe to new posts:",
        "archive": "This page is an archive of older posts; subscribe to the feed to get new ones.",
        "subscribe": "Subscribe", "newest": "Newest posts", "newer": "← Newer", "older": "Older →", "entries": "Entries",
        "pages": "Pages of this feed", "empty": "No entries yet.", "made": "Made by syndicate from",
        "by": "by",
    },
    "de": {
        "about": "Dies ist ein Web-Feed. Kopiere seine Adresse in deinen Feed-Reader, um neue Beiträge "
                 "zu abonnieren:",
        "archive": "Diese Seite ist ein Archiv älterer Beiträge; abonniere den Feed, um neue zu erhalten.",
        "subscribe": "Abonnieren", "newest": "Neueste Beiträge", "newer": "← Neuere", "older": "Ältere →", "entries": "Beiträge",
        "pages": "Seiten dieses Feeds", "empty": "Noch keine Beiträge.", "made": "Von syndicate erzeugt aus",
        "by": "von",
    },
}


class FeedPages:
    """The pages of every feed: one for the documents (of any format) that share a page."""

    def __init__(self, documents: Iterable[Document]):
        self.groups: dict[str, list[Document]] = {}
        for document in documents:
            self.groups.setdefault(document.page_path, []).append(document)
        self.pages_of = {document.url: document.page_path for group in self.groups.values() for document in group}

    def page(self, path: str) -> bytes:
        """The page at `path`, ready for the output folder."""
        return render_page(self.groups[path], self.pages_of).encode("utf-8")


def render_page(group: list[Document], pages_of: dict[str, str]) -> str:
    """`group`: the documents of one feed page, one per format, all holding the same entries."""
    first = group[0]
    head = first.head
    texts = TEXTS["de" if head.language.lower().startswith("de") else "en"]
    here = dirname(first.page_path)

    def link(url: str | None) -> str | None:
        """A feed document's URL → a relative link to its page."""
        return relpath(pages_of[url], here) if url in pages_of else None

    addresses = "".join(
        f'<li><span class="format">{_e(d.format.label)}</span> '
        f'<a href="{_e(relpath(d.current_path, here))}"><code>{_e(d.current_url)}</code></a></li>'
        for d in group)
    alternates = "".join(f'<link rel="alternate" type="{_e(d.format.media_type)}" title="{_e(head.title)} '
                         f'({_e(d.format.label)})" href="{_e(d.current_url)}">'
                         for d in group)
    navigation = [(texts["newest"], link(first.current_url) if first.archive is not None else None),
                  (texts["newer"], link(first.next_archive_url)), (texts["older"], link(first.prev_archive_url))]
    nav_links = "".join(f'<li><a href="{_e(href)}">{_e(label)}</a></li>' for label, href in navigation if href)
    nav = f'<nav aria-label="{_e(texts["pages"])}"><ul>{nav_links}</ul></nav>' if nav_links else ""
    archive_note = f'<p>{_e(texts["archive"])}</p>' if first.archive is not None else ""
    entries = "".join(entry_html(item, texts, head.language) for item in first.items) or f'<p>{_e(texts["empty"])}</p>'
    subtitle = f'<p class="subtitle">{_e(head.subtitle)}</p>' if head.subtitle else ""
    return "\n".join(line for line in [
        "<!doctype html>",
        f'<html lang="{_e(head.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(head.title)}</title>",
        alternates,
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1><a href="{_e(head.home_url)}">{_e(head.title)}</a></h1>',
        subtitle,
        "</header>",
        "<main>",
        f'<section class="about" aria-labelledby="subscribe"><h2 id="subscribe">{_e(texts["subscribe"])}</h2>'
        f'<p>{_e(texts["about"])}</p><ul>{addresses}</ul>{archive_note}</section>',
        nav,
        f'<section aria-labelledby="entries"><h2 id="entries">{_e(texts["entries"])}</h2>{entries}</section>',
        "</main>",
        f'<footer><p>{_e(texts["made"])} <a href="{_e(head.home_url)}">{_e(head.home_url)}</a></p></footer>',
        "</body>",
        "</html>",
    ] if line) + "\n"


def entry_html(item: Item, texts: dict[str, str], page_language: str) -> str:
    date = item.published.date().isoformat()
    tags = "".join(f"<li>{_e(term)}</li>" for term in dict.fromkeys(c.term for c in item.categories))
    language = f' lang="{_e(item.language)}"' if item.language and item.language != page_language else ""
    summary = f"<p>{_e(item.summary)}</p>" if item.summary else ""
    author = f" · {_e(texts['by'])} {_e(item.author)}" if item.author else ""
    tag_list = f'<ul class="tags">{tags}</ul>' if tags else ""
    return (f'<article{language}><h3><a href="{_e(item.url)}">{_e(item.title)}</a></h3>'
            f'<p class="meta"><time datetime="{_e(item.published.isoformat())}">{date}</time>{author}</p>'
            f'{summary}{tag_list}</article>')


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


# Colours checked for WCAG 2.1 AA contrast (4.5:1) against their backgrounds (tests/test_feed_pages_browser.py).
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
a{color:#0b57d0}
h1{margin-bottom:.25rem}
.subtitle{color:#4a5260;margin-top:0}
.about{background:#fff4d6;color:#3d2900;border-left:4px solid #b07d00;padding:.5rem 1rem;margin:1rem 0}
.about ul{list-style:none;padding:0;margin:.5rem 0}
.about li{margin:.25rem 0;overflow-wrap:anywhere}
.about a{color:#083f99}
.format{display:inline-block;min-width:6rem;font-weight:600}
nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}
article{border-top:1px solid #d0d5dc;padding:.75rem 0}
article h3{font-size:1.15rem;margin:0}
.meta{color:#4a5260;font-size:.9rem;margin:.25rem 0}
.tags{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;padding:0;margin:.25rem 0}
.tags li{background:#e8ecf7;color:#1b1f24;border-radius:3px;padding:0 .3rem;font-size:.85rem}
footer{border-top:1px solid #d0d5dc;color:#4a5260;font-size:.9rem;margin-top:1rem}
h2{font-size:1.2rem;margin:1rem 0 .25rem}
.about h2{margin-top:0}
"""
