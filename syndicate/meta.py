"""Open Graph and Twitter meta tags for a post (`meta/<URL path>.html`) and for a home, section or
term page (`meta/<URL path>.html`, the home page's `meta/<prefix>_home.html`), ready to paste into <head>."""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import Settings
from .content import ImageRef, Post
from .dates import rfc3339
from .listpages import ListPage
from .plaintext import plain_inline

if TYPE_CHECKING:
    from .cards import Card

DESCRIPTION_LIMIT = 200
ELLIPSIS = "…"
TWITTER_URL = re.compile(r"^https?://(?:www\.)?(?:twitter|x)\.com/@?(?P<name>\w+)/?$", re.I)
# Open Graph wants ll_CC; a bare language gets its most common country.
DEFAULT_REGIONS = {"en": "US", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL",
                   "pt": "PT", "pl": "PL", "sv": "SE", "da": "DK", "cs": "CZ", "el": "GR",
                   "ja": "JP", "zh": "CN", "ko": "KR", "ar": "AR", "he": "IL", "uk": "UA", "ru": "RU"}


def meta_path(page: Post | ListPage) -> str:
    """Where the snippet goes, relative to the output folder: named by the page's URL path
    (meta/blog/2024/05/x.html, meta/tags/open-data.html, meta/_home.html), so pages with one
    slug at different URLs never share one."""
    return f"meta/{page.output_name}.html"


def meta_tags(post: Post, settings: Settings, card: Card | None = None) -> str:
    """One `<meta>` per line; `property=` for og:/article: (Open Graph), `name=` for twitter:;
    then, for a post with translations, a `<link rel="alternate" hreflang>` per language."""
    return snippet(meta_properties(post, settings, card), alternate_links(post))


def list_meta_tags(page: ListPage, settings: Settings, card: Card | None = None,
                   image: ImageRef | None = None) -> str:
    """The snippet of a home, section or term page: a `website` in its language, shown with its
    card (else `image`, the site's default image)."""
    return snippet(list_meta_properties(page, settings, card, image), alternate_links(page))


def snippet(pairs: list[tuple[str, str]], alternates: list[tuple[str, str]]) -> str:
    lines = []
    for key, value in pairs:
        attribute = "name" if key.startswith("twitter:") else "property"
        lines.append(f'<meta {attribute}="{key}" content="{html.escape(value, quote=True)}">')
    for hreflang, url in alternates:
        lines.append(f'<link rel="alternate" hreflang="{html.escape(hreflang, quote=True)}" '
                     f'href="{html.escape(url, quote=True)}">')
    return "\n".join(lines) + "\n"


def alternate_links(page: Post | ListPage) -> list[tuple[str, str]]:
    """(hreflang, URL) of every language version, the page's own included (Google asks each
    version to list itself and all others); none for a page in one language only."""
    if not page.translations:
        return []
    return [(page.language_tag, page.url), *((t.tag, t.url) for t in page.translations)]


def list_meta_properties(page: ListPage, settings: Settings, card: Card | None = None,
                         image_file: ImageRef | None = None) -> list[tuple[str, str]]:
    image = (_card_image(card, page.title) if card is not None
             else _image_file(image_file, page.title) if image_file is not None else ShareImage("", ""))
    description = cut_at_word(plain_description(page.description), DESCRIPTION_LIMIT)
    pairs = [
        ("og:title", page.title),
        ("og:description", description),
        ("og:url", page.url),
        ("og:type", "website"),
        ("og:site_name", settings.language(page.language).title),
        ("og:locale", og_locale(page.language_tag)),
        *(("og:locale:alternate", og_locale(t.tag)) for t in page.translations),
        *image.og_pairs(),
        ("twitter:card", "summary_large_image" if image.url else "summary"),
        ("twitter:site", twitter_handle(settings.site.twitter)),
        ("twitter:title", page.title),
        ("twitter:description", description),
        ("twitter:image", image.url),
        ("twitter:image:alt", image.alt),
    ]
    return [(key, _one_line(value)) for key, value in pairs if _one_line(value)]


def meta_properties(post: Post, settings: Settings, card: Card | None = None) -> list[tuple[str, str]]:
    """The ordered (property, value) pairs; values are plain text, not yet escaped."""
    title = post.title
    description = description_of(post)
    image = share_image(post, settings, card)
    site_handle = twitter_handle(settings.site.twitter)
    pairs = [
        ("og:title", title),
        ("og:description", description),
        ("og:url", post.url),
        ("og:type", "article"),
        ("og:site_name", settings.language(post.language).title),
        ("og:locale", og_locale(post.language_tag)),
        *(("og:locale:alternate", og_locale(t.tag)) for t in post.translations),
        *image.og_pairs(),
        ("article:published_time", rfc3339(post.published)),
        ("article:modified_time", rfc3339(post.updated)),
        ("article:author", post.author),
        ("article:section", post.topics[0] if post.topics else ""),
        *(("article:tag", term) for term in article_tags(post)),
        ("twitter:card", "summary_large_image"),
        ("twitter:site", site_handle),
        ("twitter:creator", twitter_handle(post.twitter_handle) or site_handle),
        ("twitter:title", title),
        ("twitter:description", description),
        ("twitter:image", image.url),
        ("twitter:image:alt", image.alt),
    ]
    return [(key, _one_line(value)) for key, value in pairs if _one_line(value)]


# ---------------------------------------------------------------- texts

def description_of(post: Post, limit: int = DESCRIPTION_LIMIT) -> str:
    """og-description/og_description → excerpt → summary (Post.description_source), as plain
    text, cut at a word."""
    return cut_at_word(post.plain_description, limit)


def plain_description(text: str) -> str:
    """Front-matter text as a crawler should show it (`Bürger\\*innen` → `Bürger*innen`)."""
    return plain_inline(text)


def cut_at_word(text: str, limit: int) -> str:
    """At most `limit` characters; a longer text ends at a word boundary with "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS) + 1]  # one extra: a space there means a clean cut
    cut = head.rfind(" ")
    head = head[:cut] if cut > 0 else head[:-1]
    return head.rstrip(" ,;:–—-") + ELLIPSIS


def article_tags(post: Post) -> list[str]:
    """Every term of every taxonomy (tags, lab, topic, …), each once, in front-matter order."""
    found: list[str] = []
    for name in ("tags", "lab", "topic", *post.taxonomies):
        for term in post.taxonomies.get(name, ()):
            if term not in found:
                found.append(term)
    return found


def og_locale(language: str) -> str:
    """`de-DE` → `de_DE` (Open Graph's ll_CC form); `de` → `de_DE` as a best effort."""
    parts = [p for p in re.split(r"[-_]", language.strip()) if p]
    if not parts:
        return ""
    lang = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    region = region or DEFAULT_REGIONS.get(lang) or lang.upper()
    return f"{lang}_{region}"


def twitter_handle(value: str) -> str:
    """`@name` from `@name`, `name` or a twitter.com / x.com profile URL."""
    value = value.strip()
    match = TWITTER_URL.match(value)
    if match:
        return "@" + match.group("name")
    if not value or "/" in value or " " in value:
        return ""
    return value if value.startswith("@") else "@" + value


def _one_line(value: str) -> str:
    return " ".join(value.split())


# ---------------------------------------------------------------- the image

@dataclass(frozen=True)
class ShareImage:
    """The image a crawler shows: the card when there is one, else the post's own picture."""
    url: str
    alt: str
    mime: str = ""
    width: int = 0
    height: int = 0

    def og_pairs(self) -> list[tuple[str, str]]:
        if not self.url:
            return []
        pairs = [("og:image", self.url)]
        if self.url.startswith("https://"):  # Open Graph: secure_url is the https variant
            pairs.append(("og:image:secure_url", self.url))
        pairs += [("og:image:type", self.mime),
                  ("og:image:width", str(self.width) if self.width else ""),
                  ("og:image:height", str(self.height) if self.height else ""),
                  ("og:image:alt", self.alt)]
        return pairs


def _card_image(card: Card, title: str) -> ShareImage:
    return ShareImage(card.url, card.alt or title, card.mime, card.width, card.height)


def share_image(post: Post, settings: Settings, card: Card | None) -> ShareImage:
    if card is not None:
        return _card_image(card, post.title)
    if post.image is not None:
        return _image_file(post.image, post.image.alt or post.title)
    for _, image in post.fallbacks:  # as the card's background is chosen
        return _image_file(image, post.title)
    return ShareImage("", "")


def _image_file(image: ImageRef, alt: str) -> ShareImage:
    mime = image.mime or mimetypes.guess_type(image.url.split("?")[0])[0] or ""
    return ShareImage(image.url, alt, mime, image.width, image.height)
