"""What a card shows, for any page: a post, the home page, a section or a term page (a title, a
name for the file, the texts of the footer in the page's language, the backgrounds to try)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping
from urllib.parse import urlsplit

from ..config import Settings
from ..content import Post
from ..images import IMAGE_KEYS, default_image_file
from ..listpages import ListPage
from ..plaintext import plain_inline
from .look import Look
from .sources import BackgroundSource, background_chain, gradient_source, image_source

MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
           "Aralık"),
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
    language: str = "en"                       # BCP 47 tag: shaping, and the system fonts asked for


def post_page(post: Post, settings: Settings, look: Look) -> CardPage:
    credit = plain_credit(post.image.attribution if post.image and look.credit else "")
    return CardPage(post.output_name, post.title, footer_line(post, settings, look.footer), credit, post.card_focus,
                    background_chain(post, settings), post.source,
                    {k: v for k, v in post.key_lines.items() if k in ("title", "imgname") or k in IMAGE_KEYS}, post.language_tag)


def list_card_page(page: ListPage, settings: Settings, look: Look,
                   backgrounds: tuple[BackgroundSource, ...] = ()) -> CardPage:
    """A home, section or term page's card: its title (the site's, the section's, the term as
    written) in the site's look, on `backgrounds` (list_backgrounds: the site's default image)."""
    return CardPage(page.output_name, page.title, list_footer(page, settings, look.footer),
                    backgrounds=(*backgrounds, gradient_source(page.term or page.section)), language=page.language_tag)


def list_backgrounds(settings: Settings) -> tuple[BackgroundSource, ...]:
    """What list pages' cards are drawn on, before the gradient: the site's default image
    (Hugo's params.images, what its opengraph template shows for pages without images)."""
    file = default_image_file(settings)
    return (image_source("default", file, settings),) if file is not None else ()


def list_footer(page: ListPage, settings: Settings, items: tuple[str, ...]) -> str:
    """The footer's items that a list page has: the site (unless it is the title), what the page
    lists (the taxonomy, the section), the site's author, the domain; the domain when none is left."""
    language = settings.language(page.language)
    listed = page.taxonomy or (page.section if page.title == language.title else "")
    domain = urlsplit(language.base_url).hostname or ""
    texts = {
        "site": language.title if page.title != language.title else "",
        "topic": listed[:1].upper() + listed[1:],
        "author": language.author if language.author not in (language.title, page.title) else "",
        "domain": domain,
    }
    return FOOTER_SEPARATOR.join(texts[item] for item in items if texts.get(item)) or domain


def footer_line(post: Post, settings: Settings, items: tuple[str, ...] = ("site", "topic", "date", "author")) -> str:
    """The footer's items in the order `[cards] footer` names them: site · topic · date · author."""
    topic = post.topics[0] if post.topics else ""
    author = post.author or settings.site.author
    site_title = settings.language(post.language).title
    texts = {
        "site": site_title,
        "topic": topic[:1].upper() + topic[1:] if topic.islower() else topic,
        "date": date_label(post.published.date(), post.language_tag),
        "author": author if author != site_title or "site" not in items else "",
        "domain": urlsplit(settings.site.base_url).hostname or "",
    }
    return FOOTER_SEPARATOR.join(texts[item] for item in items if texts.get(item))


def date_label(day: date, language: str) -> str:
    months = MONTHS.get(language.split("-")[0].lower())
    if months is None:
        return day.isoformat()
    if language.lower().startswith("de"):
        return f"{day.day}. {months[day.month - 1]} {day.year}"
    if language.lower().startswith(("es", "pt")):
        return f"{day.day} de {months[day.month - 1]} de {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def plain_credit(attribution: str) -> str:
    """An attribution's Markdown and HTML reduced to its words: `[Foto](…) von <a …>X</a>` →
    `Foto von X`."""
    return plain_inline(attribution)
