"""Markdown → safe HTML with absolute URLs: Hugo shortcodes, CommonMark + Goldmark's extensions,
sanitising, summaries."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable
from urllib.parse import urljoin, urlsplit

from .diagnostics import Diagnostics

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# A ref target → (absolute URL, found?)
RefResolver = Callable[[str, str], tuple[str, bool]]

SHORTCODE = re.compile(
    r"\{\{(?P<open>[<%])\s*(?P<comment>/\*)?\s*(?P<closing>/)?\s*(?P<name>[\w.-]+)(?P<args>.*?)"
    r"(?P<uncomment>\*/)?\s*[>%]\}\}",
    re.DOTALL,
)
SHORTCODE_ARG = re.compile(r'(?:(?P<key>[\w-]+)\s*=\s*)?(?:"(?P<dq>(?:[^"\\]|\\.)*)"|`(?P<bq>[^`]*)`|(?P<bare>[^\s"`]+))')
IFRAME = re.compile(r"<iframe\b(?P<attrs>[^>]*)>.*?</iframe\s*>|<iframe\b(?P<attrs2>[^>]*)/?>", re.I | re.S)
ATTR_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
ATTR_TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")
BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|br|tr|td|th|table|blockquote|figure|figcaption|pre|hr|dd|dt)\b[^>]*>", re.I)
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
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
}


@dataclass(frozen=True)
class RenderedBody:
    html: str
    summary: str
    links: tuple[str, ...] = ()      # absolute http(s) URLs the body links to, in document order, once each


# Linkify scans every text run and costs a third of all rendering (measured on 10,000 posts);
# a text without any of these has nothing to linkify.
LINKIFY_HINT = re.compile(r"://|www\.|@", re.I)


@lru_cache(maxsize=2)
def _markdown(linkify: bool = True) -> MarkdownIt:
    """CommonMark plus what codefor.de's Goldmark enables: tables, strikethrough, linkify,
    typographer, footnotes, definition lists, task lists; raw HTML passes (sanitised later)."""
    # Imported here: a rebuild that renders nothing new need not load the Markdown parser.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": linkify, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    if linkify:
        md.enable("linkify")
    return md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin)


def markdown_to_html(markdown: str) -> str:
    return _markdown(bool(LINKIFY_HINT.search(markdown))).render(markdown)


def render_body(markdown: str, page_url: str, source: str, first_line: int, resolve_ref: RefResolver,
                diagnostics: Diagnostics, excerpt: str = "") -> RenderedBody:
    """The post's HTML (safe, every URL absolute against `page_url`) and its plain-text summary."""
    expanded = expand_shortcodes(markdown, source, first_line, resolve_ref, diagnostics)
    links: list[str] = []
    safe_html = sanitize(markdown_to_html(expanded), page_url, links)
    summary = plain_text(markdown_to_html(excerpt)) if excerpt else first_paragraph(safe_html)
    return RenderedBody(safe_html, summary, outbound(links, page_url))


def outbound(hrefs: list[str], page_url: str) -> tuple[str, ...]:
    """The pages a post links to (Webmention's targets): http(s) only, not the post itself."""
    own = page_url.split("#")[0]
    found = [href for href in hrefs if urlsplit(href).scheme in ("http", "https") and href.split("#")[0] != own]
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------- shortcodes

def expand_shortcodes(markdown: str, source: str, first_line: int, resolve_ref: RefResolver,
                      diagnostics: Diagnostics) -> str:
    """Hugo shortcodes before Markdown: ref/relref → URLs, figure → <figure>, others removed."""
    def replace(match: re.Match[str]) -> str:
        line = first_line + markdown.count("\n", 0, match.start())
        if match.group("comment"):  # {{</* x */>}} is Hugo's way to write a shortcode literally
            return match.group(0).replace("/*", "", 1).replace("*/", "", 1)
        name = match.group("name")
        if match.group("closing"):
            return ""  # closing tags of unknown paired shortcodes; inner text is kept
        args = _shortcode_args(match.group("args"))
        if name in ("ref", "relref"):
            target = args.get("0") or args.get("path") or ""
            url, found = resolve_ref(target, source)
            if not found:
                diagnostics.warn(source, line, f"{{{{< {name} \"{target}\" >}}}}: no such page in the content "
                                 f"tree; the link points at the best guess {url}")
            return url
        if name == "figure":
            return _figure_html(args)
        diagnostics.warn(source, line, f"unknown shortcode '{name}' removed (syndicate knows ref, relref, figure)")
        return ""

    return SHORTCODE.sub(replace, markdown)


def _shortcode_args(text: str) -> dict[str, str]:
    args: dict[str, str] = {}
    position = 0
    for match in SHORTCODE_ARG.finditer(text.strip()):
        value = match.group("dq")
        value = value.replace('\\"', '"') if value is not None else (match.group("bq") or match.group("bare") or "")
        if match.group("key"):
            args[match.group("key")] = value
        else:
            args[str(position)] = value
            position += 1
    return args


def _figure_html(args: dict[str, str]) -> str:
    src = args.get("src") or args.get("0") or ""
    alt = args.get("alt") or args.get("caption") or args.get("title") or ""
    img = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    if args.get("link"):
        img = f'<a href="{html.escape(args["link"])}">{img}</a>'
    caption_parts = [f"<strong>{html.escape(args['title'])}</strong>"] if args.get("title") else []
    if args.get("caption"):
        caption_parts.append(html.escape(args["caption"]))
    if args.get("attr"):
        caption_parts.append(html.escape(args["attr"]))
    caption = f"<figcaption>{' '.join(caption_parts)}</figcaption>" if caption_parts else ""
    # Blank lines around make it an HTML block, not text inside a paragraph.
    return f"\n\n<figure>{img}{caption}</figure>\n\n"


# ---------------------------------------------------------------- sanitising and URLs

def sanitize(raw_html: str, page_url: str, links: list[str] | None = None) -> str:
    """A real sanitiser (nh3/ammonia): scripts and styles dropped with their content, iframes
    turned into links, every relative href/src/srcset made absolute against the page; the hrefs of
    links are collected into `links`, absolute, as they are met."""
    # <noscript> content is raw text to an HTML parser; unwrapped it is the fallback markup
    # meant for readers without scripts, which is exactly what a feed reader is.
    linked = NOSCRIPT.sub("", IFRAME.sub(_iframe_as_link, raw_html))

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES:
            if value.strip().lower().startswith("data:") and (tag, attribute) not in DATA_URL_PLACES:
                return None  # a data: link can carry a whole HTML page with scripts
            url = absolute_url(value, page_url)
            if tag == "a" and attribute == "href" and links is not None:
                links.append(url)
            return url
        if attribute == "srcset":
            return absolute_srcset(value, page_url)
        return value

    import nh3

    tags = nh3.ALLOWED_TAGS | EXTRA_TAGS
    attributes = {**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}, **EXTRA_ATTRIBUTES}
    return nh3.clean(linked, tags=tags, attributes=attributes, filter_style_properties={"text-align"},
                     attribute_filter=absolute, link_rel=None,
                     url_schemes={"http", "https", "mailto", "tel", "ftp", "data"}).strip()


def _iframe_as_link(match: re.Match[str]) -> str:
    attrs = match.group("attrs") or match.group("attrs2") or ""
    src = next((g for g in (ATTR_SRC.search(attrs) or re.match("()()()", "")).groups() if g), "")
    if not src:
        return ""
    title = next((g for g in (ATTR_TITLE.search(attrs) or re.match("()()", "")).groups() if g), "")
    label = html.escape(html.unescape(title) or src.lstrip("/"))
    return f'<p><a href="{html.escape(src)}">{label}</a></p>'


def absolute_url(value: str, base: str) -> str:
    value = value.strip()
    if not value or urlsplit(value).scheme in ("mailto", "tel", "data"):
        return value
    return urljoin(base, value)


def absolute_srcset(value: str, base: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = absolute_url(parts[0], base)
            candidates.append(" ".join(parts))
    return ", ".join(candidates)


# ---------------------------------------------------------------- plain text

MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(?<![\w\\])(\*\*|__|\*|_|`)(.+?)\1(?!\w)")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain_inline(text: str) -> str:
    """One line of Markdown and HTML (a description, a photo credit) as plain words: links become
    their text, emphasis and tags go, backslash escapes and entities are resolved."""
    return plain_text(ESCAPE.sub(r"\1", EMPHASIS.sub(r"\2", MARKDOWN_LINK.sub(r"\1", text))))


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed, entities resolved, whitespace collapsed."""
    spaced = BLOCK_TAG.sub(" ", fragment)
    return " ".join(html.unescape(TAG.sub("", spaced)).split())


def first_paragraph(fragment: str) -> str:
    for match in PARAGRAPH.finditer(fragment):
        text = plain_text(match.group(1))
        if text:
            return text
    return plain_text(fragment)[:500]
