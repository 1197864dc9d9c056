"""The preview gallery's pages, for sites of any size: an index of the posts (paged, searchable by
title, filtered by warning kind, cards loaded lazily), a page per post with its link previews, the
feeds, and the last build's diagnostics.

Plain server-rendered HTML and CSS with forms and links (no script): every page works with a
keyboard and a screen reader, and the index stays small however many posts the site has."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib.resources import files
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlencode

from ..feeds.archives import FORMATS
from .preview import WARNING_KINDS, LinkPreview, PostPreview

ROOT = "/_preview/"
POSTS_PER_PAGE = 50
DIAGNOSTICS_PER_PAGE = 200
PAGES = {"posts": (ROOT, "Posts"), "feeds": (ROOT + "feeds/", "Feeds"),
         "diagnostics": (ROOT + "diagnostics/", "Diagnostics")}
LEVELS = {"error": "Errors", "warning": "Warnings"}
CURRENT = ' aria-current="page"'
SELECTED = " selected"


def post_page_url(key: str) -> str:
    """The gallery page of the post whose URL path (below the base URL) is `key`."""
    return ROOT + "post/" + quote(key, safe="/")


def thumbnail_url(card: str) -> str:
    """A card this server has (a local path) at the index's size; another site's card as it is."""
    return ROOT + "thumbnails" + card if card.startswith("/") else card


@dataclass(frozen=True)
class Gallery:
    """What the gallery shows, read from the last build's output."""
    site_title: str
    language: str
    posts: tuple[PostPreview, ...]                     # as the manifest lists them: newest first
    feeds: tuple[Mapping[str, Any], ...] = ()
    diagnostics: tuple[Mapping[str, Any], ...] = ()

    @cached_property
    def by_key(self) -> dict[str, int]:
        return {post.key: number for number, post in enumerate(self.posts)}

    @cached_property
    def by_source(self) -> dict[str, PostPreview]:
        return {post.source: post for post in self.posts}

    @cached_property
    def folded_titles(self) -> tuple[str, ...]:
        return tuple(fold(post.title) for post in self.posts)

    def counts(self) -> dict[str, int]:
        return {"posts": len(self.posts), "feeds": len(grouped(current_feeds(self.feeds))),
                "diagnostics": len(self.diagnostics)}


# ---------------------------------------------------------------- finding posts

@dataclass(frozen=True)
class Query:
    """What the index shows: posts whose title holds every word of `text`, with a warning of kind
    `warning` ("any": some warning, "none": no warning, "": all posts), page `page`."""
    text: str = ""
    warning: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Query:
        warning = params.get("warning", "")
        return cls(text=" ".join(params.get("q", "").split())[:200],
                   warning=warning if warning in WARNING_KINDS or warning in ("any", "none") else "",
                   page=page_number(params))

    def href(self, **changes: Any) -> str:
        query = replace(self, **changes)
        params = {"q": query.text, "warning": query.warning, "page": query.page if query.page > 1 else ""}
        encoded = urlencode({key: value for key, value in params.items() if value})
        return ROOT + ("?" + encoded if encoded else "")

    def matches(self, gallery: Gallery) -> list[PostPreview]:
        words = fold(self.text).split()
        found = []
        for post, title in zip(gallery.posts, gallery.folded_titles):
            if words and not all(word in title for word in words):
                continue
            if self.warning == "any" and not post.warnings or self.warning == "none" and post.warnings:
                continue
            if self.warning in WARNING_KINDS and self.warning not in post.warning_kinds:
                continue
            found.append(post)
        return found


def page_number(params: Mapping[str, str]) -> int:
    """`?page=` as a page number; anything else is the first page (past the last: the last)."""
    page = params.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1


def fold(text: str) -> str:
    """For matching: case and accents ignored (`Grüße` is found as `grusse`)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def warning_counts(posts: Iterable[PostPreview]) -> dict[str, int]:
    counts = dict.fromkeys(WARNING_KINDS, 0)
    for post in posts:
        for kind in post.warning_kinds:
            counts[kind] += 1
    return counts


# ---------------------------------------------------------------- the pages

def gallery_page(gallery: Gallery, route: str, params: Mapping[str, str]) -> str | None:
    """The page at /_preview/<route>, or None when there is none."""
    if route == "":
        return index_page(gallery, Query.parse(params))
    if route == "feeds/":
        return feeds_page(gallery)
    if route == "diagnostics/":
        return diagnostics_page(gallery, params.get("level", "") if params.get("level") in LEVELS else "",
                                page_number(params))
    if route.startswith("post/"):
        return post_page(gallery, route.removeprefix("post/"))
    return None


def index_page(gallery: Gallery, query: Query) -> str:
    posts = query.matches(gallery)
    pages = max(1, -(-len(posts) // POSTS_PER_PAGE))
    page = min(query.page, pages)
    shown = posts[(page - 1) * POSTS_PER_PAGE: page * POSTS_PER_PAGE]
    warned = sum(1 for post in gallery.posts if post.warnings)
    counts = gallery.counts()
    summary = (f'<p class="summary">{counts["posts"]} posts · {counts["feeds"]} feeds · '
               f'{counts["diagnostics"]} diagnostics · {warned} posts with warnings</p>')
    if shown:
        status = (f"Posts {(page - 1) * POSTS_PER_PAGE + 1}–{(page - 1) * POSTS_PER_PAGE + len(shown)} "
                  f"of {len(posts)}{describe(query)}, newest first.")
    else:
        status = f"No post{describe(query)}."
    rows = "".join(post_row(post) for post in shown)
    body = (f"<h1>Preview of {_e(gallery.site_title)}</h1>{summary}{search_form(gallery, query)}"
            f'<p id="results" role="status">{_e(status)}</p>'
            + (f'<ol class="rows" lang="{_e(gallery.language)}" aria-labelledby="results">{rows}</ol>' if rows else "")
            + pager(pages, page, lambda number: query.href(page=number)))
    return layout(gallery, "posts", f"Preview · {gallery.site_title}", body)


def describe(query: Query) -> str:
    parts = []
    if query.text:
        parts.append(f" with “{query.text}” in the title")
    if query.warning == "any":
        parts.append(" with warnings")
    elif query.warning == "none":
        parts.append(" without warnings")
    elif query.warning:
        parts.append(f" with the warning “{WARNING_KINDS[query.warning]}”")
    return "".join(parts)


def search_form(gallery: Gallery, query: Query) -> str:
    counts = warning_counts(gallery.posts)
    warned = sum(1 for post in gallery.posts if post.warnings)
    choices = [("", f"All posts ({len(gallery.posts)})"), ("any", f"Any warning ({warned})"),
               ("none", f"No warning ({len(gallery.posts) - warned})"),
               *((kind, f"{label} ({counts[kind]})") for kind, label in WARNING_KINDS.items() if counts[kind])]
    if query.warning and query.warning not in dict(choices):
        choices.append((query.warning, f"{WARNING_KINDS[query.warning]} (0)"))
    options = "".join(f'<option value="{_e(value)}"{SELECTED if value == query.warning else ""}>{_e(label)}</option>'
                      for value, label in choices)
    return (f'<form class="search" role="search" action="{ROOT}" method="get" aria-label="Find posts">'
            f'<div><label for="q">Title contains</label>'
            f'<input id="q" name="q" type="search" value="{_e(query.text)}" autocomplete="off"></div>'
            f'<div><label for="warning">Warning</label><select id="warning" name="warning">{options}</select></div>'
            f'<div><button type="submit">Show posts</button>'
            + (f' <a href="{ROOT}">Clear</a>' if query.text or query.warning else "")
            + "</div></form>")


def post_row(post: PostPreview) -> str:
    kinds = "".join(f"<li>{_e(WARNING_KINDS[kind])}</li>" for kind in WARNING_KINDS if kind in post.warning_kinds)
    warnings = (f'<ul class="kinds" aria-label="Warnings" lang="en">{kinds}</ul>' if kinds
                else '<p class="ok" lang="en">No warnings</p>')
    count = f' · {len(post.warnings)} warning{"" if len(post.warnings) == 1 else "s"}' if post.warnings else ""
    # The card is decorative here: the title beside it says the same, and the post's page shows it
    # with its alt text. Lazy, with its size given, so a page of 50 rows loads what is in view.
    card = (f'<img class="thumb" src="{_e(thumbnail_url(post.card))}" width="240" height="126" loading="lazy" '
            'decoding="async" alt="">' if post.card else '<div class="thumb nocard" lang="en">no card</div>')
    return (f'<li class="row">{card}<div><h2><a href="{_e(post_page_url(post.key))}">{_e(post.title)}</a></h2>'
            f'<p class="meta" lang="en"><time datetime="{_e(post.published)}">{_e(post.published)}</time>'
            f"{count}</p>{warnings}</div></li>")


def pager(pages: int, page: int, href) -> str:
    """Previous, the first, the last and the pages around this one, and next."""
    if pages <= 1:
        return ""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items, last = [], 0
    if page > 1:
        items.append(f'<li><a href="{_e(href(page - 1))}" rel="prev">Previous</a></li>')
    for number in wanted:
        if number > last + 1:
            items.append('<li aria-hidden="true">…</li>')
        items.append(f'<li><a href="{_e(href(number))}" aria-current="page">{number}</a></li>' if number == page
                     else f'<li><a href="{_e(href(number))}" aria-label="Page {number}">{number}</a></li>')
        last = number
    if page < pages:
        items.append(f'<li><a href="{_e(href(page + 1))}" rel="next">Next</a></li>')
    return f'<nav class="pager" aria-label="Pages"><ul>{"".join(items)}</ul></nav>'


def post_page(gallery: Gallery, key: str) -> str | None:
    number = gallery.by_key.get(key)
    if number is None:
        return None
    post = gallery.posts[number]
    links = [f'<a href="{_e(post.url)}">the post</a>']
    links += [f'<a href="{_e(post.card)}">card</a>'] if post.card else []
    links += [f'<a href="{_e(post.meta)}">meta tags</a>'] if post.meta else []
    warnings = ("<ul class=\"warnings\">" + "".join(f"<li>{_e(w.text)}</li>" for w in post.warnings) + "</ul>"
                if post.warnings else '<p class="ok">No warnings.</p>')
    diagnostics = [d for d in gallery.diagnostics if d.get("file") == post.source]
    build = (f'<section aria-labelledby="build-heading"><h2 id="build-heading">From the last build</h2>'
             f'<ul class="diagnostics">{"".join(diagnostic_item(d, gallery, link=False) for d in diagnostics)}</ul>'
             f"</section>" if diagnostics else "")
    card = (f'<img class="card" src="{_e(post.card)}" width="1200" height="630" alt="{_e(post.card_alt)}">'
            if post.card else '<p class="nocard">No share card was built for this post.</p>')
    previews = "".join(preview_block(p) for p in post.previews)
    neighbours = [(label, gallery.posts[n]) for label, n in (("Newer", number - 1), ("Older", number + 1))
                  if 0 <= n < len(gallery.posts)]
    more = "".join(f'<li>{label}: <a href="{_e(post_page_url(other.key))}" lang="{_e(gallery.language)}">'
                   f"{_e(other.title)}</a></li>" for label, other in neighbours)
    body = (f'<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="{ROOT}">Posts</a></li>'
            f'<li><a href="{_e(post_page_url(post.key))}" aria-current="page" lang="{_e(gallery.language)}">'
            f"{_e(post.title)}</a></li></ol></nav>"
            f'<h1 lang="{_e(gallery.language)}">{_e(post.title)}</h1>'
            f'<p class="meta"><time datetime="{_e(post.published)}">{_e(post.published)}</time> · {" · ".join(links)}'
            f" · <code>{_e(post.source)}</code></p>"
            f'<div class="layout"><div class="primary">{card}</div><div>'
            f'<section aria-labelledby="warnings-heading"><h2 id="warnings-heading">Warnings</h2>{warnings}</section>'
            f"{build}</div></div>"
            f'<section aria-labelledby="previews-heading"><h2 id="previews-heading">Link previews</h2>'
            f'<div class="previews">{previews}</div></section>'
            + (f'<nav class="more" aria-label="More posts"><ul>{more}</ul></nav>' if more else ""))
    return layout(gallery, "", f"{post.title} · Preview", body)


def preview_block(preview: LinkPreview) -> str:
    platform = preview.platform
    image = (f'<img src="{_e(preview.image)}" alt="" loading="lazy" decoding="async" width="1200" height="630" '
             f'style="aspect-ratio:{platform.image_ratio}">' if preview.image else '<div class="noimage">no image</div>')
    cut_mark = ' <span class="cutmark">(cut)</span>' if preview.title_cut else ""
    parts = {
        "image": image,
        "overlay": f'<div class="overlay">{image}<p class="x-domain">{_e(preview.site)}</p></div>',
        "site": f'<p class="site">{_e(preview.site)}</p>',
        "title": f'<p class="t">{_e(preview.title) if preview.title else "<em>no title</em>"}{cut_mark}</p>',
        "description": (f'<p class="d">{_e(preview.description)}</p>'
                        if platform.shows_description and preview.description else ""),
    }
    inner, text = [], []
    for part in platform.layout:
        if part in ("image", "overlay"):
            inner += [f'<div class="text">{"".join(text)}</div>'] if text else []
            inner.append(parts[part])
            text = []
        else:
            text.append(parts[part])
    inner += [f'<div class="text">{"".join(text)}</div>'] if text else []
    return (f'<section class="pv pv-{platform.key}" aria-labelledby="pv-{platform.key}">'
            f'<h3 id="pv-{platform.key}">{_e(platform.name)}</h3>'
            f'<div class="mock" title="{_e(platform.source)}">{"".join(inner)}</div></section>')


def feeds_page(gallery: Gallery) -> str:
    """One row per feed (the whole site, or one term): its page, its formats, its archive pages."""
    current = current_feeds(gallery.feeds)
    archives: dict[tuple[Any, ...], dict[int, Mapping[str, Any]]] = {}
    for feed in gallery.feeds:
        if feed.get("archive"):
            archives.setdefault(_selection(feed), {}).setdefault(int(feed["archive"]), feed)
    rows = []
    for selection, documents in grouped(current).items():
        first = documents[0]
        name = " / ".join(str(x) for x in selection if x) or "all posts"
        page = first.get("page")
        title = f'<a href="{_e(local(page))}">{_e(name)}</a>' if page else _e(name)
        formats = " · ".join(f'<a href="{_e(local(d.get("path")))}">'
                             f'{_e(FORMATS[d["format"]].label if d.get("format") in FORMATS else d.get("format"))}</a>' for d in documents)
        pages = archives.get(selection, {})
        archive_links = " ".join(
            f'<a href="{_e(local(pages[n].get("page") or pages[n].get("path")))}" '
            f'aria-label="archive page {n}, {_e(pages[n].get("entries", ""))} entries">{n}</a>' for n in sorted(pages))
        rows.append(f'<tr><th scope="row">{title}</th><td class="num">{_e(first.get("total") or first.get("entries", ""))}'
                    f"</td><td>{formats}</td><td>{archive_links}</td></tr>")
    documents = len(gallery.feeds)
    caption = f"{len(rows)} feeds in {documents} documents"
    table = (f'<div class="scroll"><table><caption>{caption}; a feed\'s name opens its page for people, '
             f'which browsers also get at the feed\'s own address</caption><thead><tr>'
             f'<th scope="col">Feed</th><th scope="col" class="num">Entries</th><th scope="col">Formats</th>'
             f'<th scope="col">Archive pages</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
             if rows else "<p>No feeds were built.</p>")
    return layout(gallery, "feeds", f"Feeds · Preview · {gallery.site_title}", f"<h1>Feeds</h1>{table}")


def current_feeds(feeds: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [feed for feed in feeds if not feed.get("archive")]


def grouped(feeds: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, ...], list[Mapping[str, Any]]]:
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for feed in feeds:
        groups.setdefault(_selection(feed), []).append(feed)
    return groups


def _selection(feed: Mapping[str, Any]) -> tuple[Any, ...]:
    return feed.get("taxonomy"), feed.get("term")


def local(path: Any) -> str:
    """A file of the output folder, as this server serves it."""
    return "/" + quote(str(path))


def diagnostics_page(gallery: Gallery, level: str, page: int) -> str:
    found = [d for d in gallery.diagnostics if not level or d.get("level") == level]
    pages = max(1, -(-len(found) // DIAGNOSTICS_PER_PAGE))
    page = min(page, pages)
    shown = found[(page - 1) * DIAGNOSTICS_PER_PAGE: page * DIAGNOSTICS_PER_PAGE]
    counts = {name: sum(1 for d in gallery.diagnostics if d.get("level") == name) for name in LEVELS}
    files = len({d.get("file") for d in gallery.diagnostics})

    def href(number: int, wanted: str = level) -> str:
        params = urlencode({key: value for key, value in (("level", wanted), ("page", number if number > 1 else ""))
                            if value})
        return PAGES["diagnostics"][0] + ("?" + params if params else "")

    filters = "".join(
        f'<li><a href="{_e(href(1, value))}"{CURRENT if value == level else ""}>{_e(label)}</a></li>'
        for value, label in (("", f"All ({len(gallery.diagnostics)})"),
                             *((name, f"{LEVELS[name]} ({counts[name]})") for name in LEVELS)))
    items = "".join(diagnostic_item(d, gallery) for d in shown)
    body = (f"<h1>Diagnostics of the last build</h1>"
            f'<p class="summary">{counts["error"]} errors and {counts["warning"]} warnings in {files} files</p>'
            f'<nav aria-label="Levels"><ul class="filters">{filters}</ul></nav>'
            + (f'<ul class="diagnostics">{items}</ul>' if items else "<p>The last build reported nothing.</p>")
            + pager(pages, page, href))
    return layout(gallery, "diagnostics", f"Diagnostics · Preview · {gallery.site_title}", body)


def diagnostic_item(diagnostic: Mapping[str, Any], gallery: Gallery, link: bool = True) -> str:
    file = str(diagnostic.get("file", ""))
    where = _e(file) + (":" + _e(diagnostic["line"]) if diagnostic.get("line") else "")
    post = gallery.by_source.get(file) if link else None
    place = f'<a href="{_e(post_page_url(post.key))}"><code>{where}</code></a>' if post else f"<code>{where}</code>"
    level = str(diagnostic.get("level", ""))
    return (f'<li class="{_e(level)}"><span class="level">{_e(level)}</span> {place} '
            f'{_e(diagnostic.get("message", ""))}</li>')


def layout(gallery: Gallery, active: str, title: str, body: str) -> str:
    counts = gallery.counts()
    links = "".join(f'<li><a href="{href}"{CURRENT if key == active else ""}>{label} '
                    f'<span class="count">({counts[key]})</span></a></li>' for key, (href, label) in PAGES.items())
    return "\n".join([
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{style()}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Skip to the content</a>',
        "<header>",
        f'<p class="site">Preview of <span lang="{_e(gallery.language)}">{_e(gallery.site_title)}</span></p>',
        f'<nav aria-label="Gallery"><ul>{links}</ul></nav>',
        "</header>",
        f'<main id="main">{body}</main>',
        "<footer><p>Previews follow each platform's documented or observed rules; "
        "the platforms change them without notice. Served by <code>syndicate serve</code>.</p></footer>",
        "</body>",
        "</html>",
    ]) + "\n"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


@cache
def style() -> str:
    """The gallery's CSS, package data beside this module (inlined: each page is one request)."""
    return (files(__package__) / "gallery.css").read_text(encoding="utf-8")
