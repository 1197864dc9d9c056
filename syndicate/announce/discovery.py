"""Webmention endpoint discovery, W3C Recommendation 12 January 2017, §3.1.2: the first HTTP `Link`
header with rel="webmention", else the first `<link>` or `<a>` element with rel="webmention" in
document order (an empty href is the page itself), resolved against the page's URL."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Iterable
from urllib.parse import urljoin

HTML_TYPES = ("text/html", "application/xhtml+xml")
# RFC 8288 §3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ); values may be quoted.
LINK_VALUE = re.compile(r"""<([^>]*)>((?:\s*;\s*[^;,="\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)""")
LINK_PARAM = re.compile(r""";\s*([^;,="\s]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?""")


def is_webmention_rel(rel: str | None) -> bool:
    """rel is a space-separated list of link types, compared without regard to ASCII case."""
    return rel is not None and "webmention" in rel.lower().split()


def from_link_headers(values: Iterable[str]) -> str | None:
    """The first rel="webmention" target among the Link headers, in order, or None."""
    for value in values:
        for match in LINK_VALUE.finditer(value):
            for name, raw in LINK_PARAM.findall(match.group(2)):
                if name.lower() == "rel":
                    rel = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw.strip()
                    if is_webmention_rel(rel):
                        return match.group(1).strip()
    return None


class _Found(Exception):
    pass


class _FirstWebmentionElement(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        first: dict[str, str | None] = {}
        for name, value in attrs:  # HTML: of repeated attributes the first counts
            first.setdefault(name, value)
        if is_webmention_rel(first.get("rel")) and "href" in first:
            self.href = first["href"] or ""
            raise _Found

    handle_startendtag = handle_starttag


def from_html(text: str) -> str | None:
    """The href of the first `<link>` or `<a>` with rel="webmention" and an href, in document order
    (commented-out markup, scripts and elements without href do not count)."""
    parser = _FirstWebmentionElement()
    try:
        parser.feed(text)
        parser.close()
    except _Found:
        return parser.href
    return None


def discover(page_url: str, link_headers: Iterable[str], content_type: str, body: bytes) -> str | None:
    """The endpoint a fetched page advertises, absolute (query string kept), or None."""
    href = from_link_headers(link_headers)
    if href is None and content_type.split(";")[0].strip().lower() in HTML_TYPES:
        href = from_html(body.decode(_charset(content_type), "replace"))
    return None if href is None else urljoin(page_url, href)


def _charset(content_type: str) -> str:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if match:
        try:
            "".encode(match.group(1))
            return match.group(1)
        except LookupError:
            pass
    return "utf-8"
