"""A post's status text from a template, cut to a service's limit the way that service counts,
with its hashtags; and Bluesky's facets (link and tag spans as UTF-8 byte offsets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import regex

from .posts import AnnouncedPost

ELLIPSIS = "…"
URL = regex.compile(r"https?://[^\s<>\"]+")
WORD = regex.compile(r"[\p{L}\p{M}\p{N}_]+")


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, UAX #29): Mastodon counts
    `each_grapheme_cluster` (StatusLengthValidator), Bluesky's post lexicon `maxGraphemes`."""
    return len(regex.findall(r"\X", text))


def mastodon_length(text: str, per_url: int = 23) -> int:
    """Mastodon's count: every URL as `characters_reserved_per_url`, the rest in graphemes."""
    return graphemes(URL.sub("x" * per_url, text))


def hashtag(term: str) -> str:
    """A taxonomy term as a hashtag: words joined in CamelCase ("open data" → "OpenData"), letters
    of every script kept; "" when nothing is left or only digits (no service links those)."""
    words = WORD.findall(term)
    tag = "".join(word if any(c.isupper() for c in word) else word[:1].upper() + word[1:] for word in words)
    return "" if not tag or tag.isdigit() else tag


def hashtags(post: AnnouncedPost) -> list[str]:
    tags: dict[str, str] = {}
    for term in post.terms:
        tag = hashtag(term)
        if tag:
            tags.setdefault(tag.casefold(), tag)  # services match hashtags without regard to case
    return list(tags.values())


@dataclass(frozen=True)
class Composed:
    text: str
    tags: tuple[str, ...]          # the hashtags the text holds, without '#'


def compose(template: str, post: AnnouncedPost, site: str, limit: int,
            length: Callable[[str], int] = graphemes) -> Composed:
    """The template filled in, within `limit` as `length` counts: hashtags are dropped from the
    last, then the description is cut, then the title; the URL is never cut."""
    tags = hashtags(post)
    title, description = post.title, post.description

    def fill() -> str:
        text = template.format(title=title, url=post.url, tags=" ".join(f"#{tag}" for tag in tags),
                               description=description, site=site)
        return "\n".join(line.rstrip() for line in text.strip().splitlines()).replace("\n\n\n", "\n\n")

    while length(fill()) > limit and tags:
        tags.pop()
    while length(fill()) > limit and description:
        description = _shorter(description)
    while length(fill()) > limit and title:
        title = _shorter(title)
    return Composed(fill(), tuple(tags))


def _shorter(text: str) -> str:
    """One word less (or one character, for a single long word), ending in an ellipsis."""
    body = text.removesuffix(ELLIPSIS).rstrip()
    cut = body.rsplit(" ", 1)[0] if " " in body else body[:-1]
    return cut.rstrip(" ,.;:–-") + ELLIPSIS if cut else ""


def facets(text: str, url: str, tags: tuple[str, ...]) -> list[dict[str, object]]:
    """app.bsky.richtext.facet for the link and each hashtag: byteStart/byteEnd count UTF-8 bytes
    (the lexicon's `byteSlice`), end exclusive."""
    data = text.encode("utf-8")
    found: list[dict[str, object]] = []
    at = data.find(url.encode("utf-8"))
    if url and at >= 0:
        found.append(_facet(at, at + len(url.encode("utf-8")), {"$type": "app.bsky.richtext.facet#link", "uri": url}))
    for tag in tags:
        match = regex.search(rf"(?<![\p{{L}}\p{{N}}_#])#{regex.escape(tag)}(?![\p{{L}}\p{{N}}_])", text)
        if match:
            start = len(text[:match.start()].encode("utf-8"))
            end = start + len(match.group(0).encode("utf-8"))
            found.append(_facet(start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag}))
    return sorted(found, key=lambda facet: facet["index"]["byteStart"])  # type: ignore[index]


def _facet(start: int, end: int, feature: dict[str, str]) -> dict[str, object]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}
