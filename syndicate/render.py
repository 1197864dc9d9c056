"""Markdown → safe HTML with absolute URLs: Hugo shortcodes, CommonMark + Goldmark's extensions,
sanitising, summaries."""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urljoin, urlsplit

from .diagnostics import Diagnostics
from .plaintext import first_paragraph, plain_text
from .shortcodes import RefResolver, ShortcodePage, expand_shortcodes

if TYPE_CHECKING:
    from .config import Settings

IFRAME = re.compile(r"<iframe\b(?P<attrs>[^>]*)>.*?</iframe\s*>|<iframe\b(?P<attrs2>[^>]*)/?>", re.I | re.S)
ATTR_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
ATTR_TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.I)
URL_ATTRIBUTES = {"href", "src", "cite", "poster"}
DATA_URL_PLACES = {("img", "src"), ("source", "src")}  # inline images only

# Added to nh3's defaults (which keep what is safe in a feed reader's page).
EXTRA_TAGS = {"figure", "figcaption", "picture", "source", "video", "audio", "track", "details", "summary",
              "mark", "input", "section"}
EXTRA_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "track": {"src", "kind", "srclang", "label"},
    "input": {"type", "checked", "disabled"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "style", "scope"},
    "ol": {"start", "type", "reversed"},
    "details": {"open"},
}


@dataclass(frozen=True)
class RenderedBody:
    html: str
    summary: str
    links: tuple[str, ...] = ()      # absolute http(s) URLs the body links to, in document order, once each


@dataclass(frozen=True)
class Markup:
    """How the site renders Markdown, the same for every page: Hugo's `enableEmoji`,
    `markup.goldmark.renderer.unsafe`, the site's `params` and its own shortcodes' names."""
    emoji: bool = False
    unsafe: bool = True
    site_params: Mapping[str, Any] = field(default_factory=dict)
    own_shortcodes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RenderContext:
    """What rendering one post's body needs to know besides its Markdown."""
    page_url: str
    source: str
    first_line: int
    resolve_ref: RefResolver
    page_params: Mapping[str, Any] = field(default_factory=dict)
    markup: Markup = Markup()
    html: bool = False               # the body is HTML already (an .html content file): not Markdown


def site_markup(settings: Settings) -> Markup:
    """The site's Markup, from its settings and its shortcode folders."""
    folders = [settings.root / "layouts" / "shortcodes"]
    folders += [settings.root / "themes" / theme / "layouts" / "shortcodes" for theme in settings.content.themes]
    return Markup(emoji=settings.content.emoji, unsafe=settings.content.raw_html,
                  site_params=settings.site.params, own_shortcodes=own_shortcodes(folders))


def own_shortcodes(folders: list[Path]) -> frozenset[str]:
    """Shortcode names as Hugo gives them: the template's path below the folder, without suffixes
    (`layouts/shortcodes/note.html` is `note`, `…/shortcodes/blog/quote.html` is `blog/quote`)."""
    names = set()
    for folder in folders:
        if folder.is_dir():
            for template in folder.rglob("*.*"):
                if template.is_file():
                    names.add(template.relative_to(folder).as_posix().split(".", 1)[0])
    return frozenset(names)


def render_body(markdown: str, context: RenderContext, diagnostics: Diagnostics, excerpt: str = "") -> RenderedBody:
    """The post's HTML (safe, every URL absolute against the page's URL) and its plain-text summary."""
    markup = context.markup

    def render(text: str) -> str:
        return markdown_to_html(text, markup)

    page = ShortcodePage(context.source, context.first_line, context.resolve_ref, context.page_params,
                         markup.site_params, markup.own_shortcodes, render)
    expansion = expand_shortcodes(markdown, page, diagnostics)
    links: list[str] = []
    body = expansion.markdown if context.html else render(expansion.markdown)
    safe_html = sanitize(expansion.substitute(with_heading_ids(body)), context.page_url, links)
    summary = plain_text(render(excerpt)) if excerpt else first_paragraph(safe_html)
    return RenderedBody(safe_html, summary, outbound(links, context.page_url))


def outbound(hrefs: list[str], page_url: str) -> tuple[str, ...]:
    """The pages a post links to (Webmention's targets): http(s) only, not the post itself."""
    own = page_url.split("#")[0]
    found = [href for href in hrefs if (href.startswith(("https://", "http://")) or
                                        urlsplit(href).scheme in ("http", "https")) and href.split("#")[0] != own]
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------- Markdown

@lru_cache(maxsize=2)
def _comrak_options(unsafe: bool):
    """CommonMark plus the Goldmark extensions Hugo enables by default: tables, strikethrough,
    linkify, typographer, footnotes, definition lists, task lists (bench/bench_markdown.py
    compares this with markdown-it-py and Hugo itself on every corpus post)."""
    import comrak

    extension = comrak.ExtensionOptions()
    for name in ("table", "strikethrough", "autolink", "tasklist", "footnotes", "description_lists"):
        setattr(extension, name, True)
    parse = comrak.ParseOptions()
    parse.smart = True
    render = comrak.RenderOptions()
    render.unsafe_ = unsafe  # Goldmark too writes <!-- raw HTML omitted --> without it
    return extension, parse, render


# Goldmark writes a column's alignment as a style; nh3 keeps text-align.
TABLE_ALIGN = re.compile(r'<(th|td) align="(left|right|center)">')
# Goldmark's linkify gives a bare www. address https://, comrak http://.
WWW_AUTOLINK = re.compile(r'<a href="http://(www\.[^"]*)">(www\.[^<]*)</a>')


def markdown_to_html(markdown: str, markup: Markup = Markup()) -> str:
    if not markdown.strip():
        return ""
    import comrak

    extension, parse, render = _comrak_options(markup.unsafe)
    rendered = comrak.render_markdown(markdown, extension_options=extension, parse_options=parse,
                                      render_options=render)
    rendered = WWW_AUTOLINK.sub(_https_autolink, TABLE_ALIGN.sub(r'<\1 style="text-align:\2">', rendered))
    return emojify(rendered) if markup.emoji else rendered


def _https_autolink(match: re.Match[str]) -> str:
    if html.unescape(match.group(1)) != html.unescape(match.group(2)):
        return match.group(0)
    return f'<a href="https://{match.group(1)}">{match.group(2)}</a>'


# ---------------------------------------------------------------- heading ids

HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
# Goldmark's attribute syntax at a heading's end: ## Title {#id .class}
HEADING_ATTRIBUTES = re.compile(r"\s*\{((?:\s*(?:#[\w-]+|\.[\w-]+|[\w-]+=(?:\"[^\"]*\"|\S+)))+)\s*\}\s*$")


def with_heading_ids(rendered: str) -> str:
    """Hugo's autoHeadingID (type github): the heading's text lower-cased, spaces and hyphens
    to '-', other punctuation dropped, '-1', '-2' … for repeats; `{#id}` names it explicitly."""
    taken: set[str] = set()

    def identify(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        explicit, css = "", ""
        attributes = HEADING_ATTRIBUTES.search(inner)
        if attributes:
            inner = inner[:attributes.start()]
            for token in attributes.group(1).split():
                if token.startswith("#"):
                    explicit = token[1:]
                elif token.startswith("."):
                    css = f"{css} {token[1:]}".strip()
        anchor = explicit or _anchor(plain_text(inner), taken)
        taken.add(anchor)
        classes = f' class="{css}"' if css else ""
        return f'<h{level} id="{html.escape(anchor)}"{classes}>{inner}</h{level}>'

    return HEADING.sub(identify, rendered)


def _anchor(text: str, taken: set[str]) -> str:
    anchor = "".join("-" if c in " -" else c.lower() if c == "_" or c.isalnum() else "" for c in text)
    anchor = anchor or "heading"
    unique, number = anchor, 0
    while unique in taken:
        number += 1
        unique = f"{anchor}-{number}"
    return unique


# ---------------------------------------------------------------- emoji

EMOJI_CODE = re.compile(r":[\w+-]+:")
CODE_OR_TAG = re.compile(r"(<(?:pre|code)\b.*?</(?:pre|code)>|<[^>]*>)", re.S | re.I)


def emojify(rendered: str) -> str:
    """Hugo's enableEmoji: `:rocket:` → 🚀 with GitHub's names (the emoji package's aliases), in
    text only: code, tags and attribute values keep their colons (as Goldmark's emoji extension)."""
    if ":" not in rendered:
        return rendered
    parts = CODE_OR_TAG.split(rendered)
    for index in range(0, len(parts), 2):  # even parts are text between tags and code
        if ":" in parts[index]:
            parts[index] = EMOJI_CODE.sub(_emoji, parts[index])
    return "".join(parts)


@lru_cache(maxsize=4096)
def _emoji_for(code: str) -> str:
    import emoji

    return emoji.emojize(code, language="alias")


def _emoji(match: re.Match[str]) -> str:
    return _emoji_for(match.group(0))


# ---------------------------------------------------------------- sanitising and URLs

def sanitize(raw_html: str, page_url: str, links: list[str] | None = None) -> str:
    """A real sanitiser (nh3/ammonia): scripts and styles dropped with their content, iframes
    turned into links, every relative href/src/srcset made absolute against the page; the hrefs of
    links are collected into `links`, absolute, as they are met."""
    # <noscript> content is raw text to an HTML parser; unwrapped it is the fallback markup
    # meant for readers without scripts, which is exactly what a feed reader is.
    linked = NOSCRIPT.sub("", IFRAME.sub(_iframe_as_link, raw_html))
    state = _sanitiser()
    state.page_url, state.links = page_url, links
    try:
        return state.cleaner.clean(linked).strip()
    finally:
        state.links = None


class _Sanitiser(threading.local):
    """nh3's Cleaner, built once per thread (building one converts the whole allow-list: a fifth
    of the time of cleaning a post), and the page its attribute filter makes URLs absolute against."""

    def __init__(self) -> None:
        import nh3

        self.page_url = ""
        self.links: list[str] | None = None
        tags = nh3.ALLOWED_TAGS | EXTRA_TAGS
        attributes = {**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}, **EXTRA_ATTRIBUTES}
        self.cleaner = nh3.Cleaner(tags=tags, attributes=attributes, filter_style_properties={"text-align"},
                                   attribute_filter=self.absolute, link_rel=None,
                                   url_schemes={"http", "https", "mailto", "tel", "ftp", "data"})

    def absolute(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES:
            if value.strip().lower().startswith("data:") and (tag, attribute) not in DATA_URL_PLACES:
                return None  # a data: link can carry a whole HTML page with scripts
            url = absolute_url(value, self.page_url)
            if tag == "a" and attribute == "href" and self.links is not None:
                self.links.append(url)
            return url
        if attribute == "srcset":
            return absolute_srcset(value, self.page_url)
        return value


_SANITISER: _Sanitiser | None = None


def _sanitiser() -> _Sanitiser:
    global _SANITISER
    if _SANITISER is None:
        _SANITISER = _Sanitiser()
    return _SANITISER


def _iframe_as_link(match: re.Match[str]) -> str:
    attrs = match.group("attrs") or match.group("attrs2") or ""
    src = next((g for g in (ATTR_SRC.search(attrs) or re.match("()()()", "")).groups() if g), "")
    if not src:
        return ""
    title = next((g for g in (ATTR_TITLE.search(attrs) or re.match("()()", "")).groups() if g), "")
    label = html.escape(html.unescape(title) or src.lstrip("/"))
    return f'<p><a href="{html.escape(src)}">{label}</a></p>'


# An absolute http(s) URL that urljoin gives back unchanged (lower-case scheme, a plain host, no
# ';' parameters, no empty query or fragment, no whitespace): 9 in 10 URLs of the corpus, which
# then skip urljoin, half the time of rendering a post (tests/test_render.py compares the two).
SIMPLE_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\s?#;]*)?(?:\?[^\s#]+)?(?:#\S+)?")
FRAGMENT = re.compile(r"#\S+")


def absolute_url(value: str, base: str) -> str:
    value = value.strip()
    if SIMPLE_ABSOLUTE.fullmatch(value):
        return value
    if FRAGMENT.fullmatch(value):  # a footnote's or heading's anchor: the page's URL without its own fragment
        return _page_without_fragment(base) + value
    if not value or urlsplit(value).scheme in ("mailto", "tel", "data"):
        return value
    return urljoin(base, value)


@lru_cache(maxsize=256)
def _page_without_fragment(base: str) -> str:
    return urljoin(base, "#")


def absolute_srcset(value: str, base: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = absolute_url(parts[0], base)
            candidates.append(" ".join(parts))
    return ", ".join(candidates)
