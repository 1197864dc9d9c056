"""What a card shows, for any page: a post, and later the home page, a section or a term page
(a title, a name for the file, the texts of the footer, the backgrounds to try)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping
from urllib.parse import urlsplit

from ..config import Settings
from ..content import Post
from ..render import plain_inline
from .look import Look
from .sources import BackgroundSource, background_chain, gradient_source

MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
FOOTER_SEPARATOR = "  ·  "


@dataclass(frozen=True)
class CardPage:
    name: str                                  # names the card's file (card_path adds the hash)
    title: str
    footer: str                                # the footer line, items joined
    credit: str = ""                           # the photo's attribution, plain text
    focus: tuple[float, float] | None = None
    backgrounds: tuple[BackgroundSource, ...] = (gradient_source(""),)
    source: str = ""                           # the file diagnostics name: the post's, or ""
    key_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → line, for diagnostics


def post_page(post: Post, settings: Settings, look: Look) -> CardPage:
    credit = plain_credit(post.image.attribution if post.image and look.credit else "")
    return CardPage(post.output_name, post.title, footer_line(post, settings, look.footer), credit, post.card_focus,
                    background_chain(post, settings), post.source,
                    {k: v for k, v in post.key_lines.items() if k in ("title", "og-image", "og_image", "imgname")})


def footer_line(post: Post, settings: Settings, items: tuple[str, ...] = ("site", "topic", "date", "author")) -> str:
    """The footer's items in the order `[cards] footer` names them: site · topic · date · author."""
    topic = post.topics[0] if post.topics else ""
    author = post.author or settings.site.author
    texts = {
        "site": settings.site.title,
        "topic": topic[:1].upper() + topic[1:] if topic.islower() else topic,
        "date": date_label(post.published.date(), settings.site.language),
        "author": author if author != settings.site.title or "site" not in items else "",
        "domain": urlsplit(settings.site.base_url).hostname or "",
    }
    return FOOTER_SEPARATOR.join(texts[item] for item in items if texts.get(item))


def date_label(day: date, language: str) -> str:
    months = MONTHS.get(language.split("-")[0].lower())
    if months is None:
        return day.isoformat()
    if language.lower().startswith("de"):
        return f"{day.day}. {months[day.month - 1]} {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def plain_credit(attribution: str) -> str:
    """An attribution's Markdown and HTML reduced to its words: `[Foto](…) von <a …>X</a>` →
    `Foto von X`."""
    return plain_inline(attribution)
