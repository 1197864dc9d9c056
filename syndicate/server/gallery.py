"""The preview gallery's pages, for sites of any size: an index of the posts (paged, searchable by
title, filtered by warning kind, cards loaded lazily), a page per post with its link previews, the
feeds, and the last build's diagnostics.

Plain server-rendered HTML and CSS with forms and links (no script): every page works with a
keyboard and a screen reader, and the index stays small however many posts the site has."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlencode

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
                             f'{_e(FORMAT_LABELS.get(str(d.get("format")), d.get("format")))}</a>' for d in documents)
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


FORMAT_LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


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
        f"<style>{STYLE}</style>",
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


# Colours checked for WCAG 2.1 AA contrast (4.5:1) against their backgrounds
# (tests/test_preview_browser.py measures them in chromium).
STYLE = """
:root{--fg:#1b1f24;--muted:#4a5260;--bg:#fff;--line:#d0d5dc;--warn-bg:#fff4d6;--warn-fg:#5c3d00;
--ok:#1d6b35;--link:#0b57d0;--error:#a1131f;--focus:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main,footer{max-width:1280px;margin:0 auto;padding:0 1rem}
header{padding-top:.75rem;border-bottom:1px solid var(--line)}
header .site{margin:0;color:var(--muted)}
header nav ul{display:flex;flex-wrap:wrap;gap:1.25rem;list-style:none;padding:0;margin:.25rem 0 .75rem}
header nav a[aria-current]{font-weight:700;color:var(--fg)}
.count{color:var(--muted);font-weight:400}
h1{font-size:1.6rem;margin:1rem 0 .5rem}
h2{font-size:1.2rem;margin:1.25rem 0 .5rem}
h3{font-size:.8rem;margin:0 0 .25rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.summary,.meta{color:var(--muted);margin:.25rem 0}
.search{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:end;margin:1rem 0;padding:.75rem;
background:#f3f5f8;border-radius:6px}
.search label{display:block;font-size:.85rem;font-weight:600}
.search input,.search select,.search button{font:inherit;padding:.3rem .5rem;border:1px solid #767d88;border-radius:4px;
background:#fff;color:var(--fg)}
.search input{width:min(22rem,80vw)}
.search button{background:var(--link);color:#fff;border-color:var(--link);cursor:pointer}
.rows{list-style:none;padding:0;margin:0}
.row{display:flex;gap:1rem;padding:.75rem 0;border-top:1px solid var(--line);align-items:flex-start}
.row h2{font-size:1.05rem;margin:0 0 .15rem}
.thumb{flex:none;width:240px;height:126px;border:1px solid var(--line);border-radius:4px;object-fit:cover;background:#eef0f3}
.kinds{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;padding:0;margin:.35rem 0 0}
.kinds li{background:var(--warn-bg);color:var(--warn-fg);border-radius:3px;padding:0 .4rem;font-size:.85rem}
.ok{color:var(--ok);font-size:.9rem;margin:.35rem 0 0}
.pager ul,.filters,.more ul,.crumbs ol{display:flex;flex-wrap:wrap;gap:.5rem 1rem;list-style:none;padding:0;margin:1rem 0}
.pager a[aria-current],.filters a[aria-current]{font-weight:700;color:var(--fg)}
.crumbs li+li::before{content:"›";margin-right:1rem;color:var(--muted)}
.crumbs{font-size:.9rem}.crumbs ol{margin:.75rem 0 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
tbody th{font-weight:400;overflow-wrap:anywhere}
.num{text-align:right}
.diagnostics{list-style:none;padding:0;font-size:.9rem}
.diagnostics li{padding:.3rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.level{font-weight:700;text-transform:uppercase;font-size:.75rem;padding:.1rem .35rem;border-radius:3px;
background:var(--warn-bg);color:var(--warn-fg)}
.error .level{background:#fde7e9;color:var(--error)}
.layout{display:grid;gap:1rem;grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
.layout h2{margin-top:0}
.card{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
.warnings{background:var(--warn-bg);color:var(--warn-fg);border-radius:6px;padding:.5rem .75rem .5rem 2rem;
margin:0 0 .75rem;font-size:.9rem}
.warnings li::marker{content:"⚠ "}
.nocard,.noimage{background:#eef0f3;color:var(--muted);padding:1rem;text-align:center;border-radius:6px}
.previews{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,260px),1fr))}
.pv{min-width:0}
.mock{border:1px solid var(--line);border-radius:8px;overflow:hidden;font-size:.85rem;background:#fff}
.mock img{display:block;width:100%;height:auto;object-fit:cover}
.mock .text{padding:.4rem .6rem}
.mock p{margin:.1rem 0;overflow-wrap:anywhere}
.mock .site{color:var(--muted);font-size:.75rem}
.mock .t{font-weight:700}
.mock .d{color:var(--muted)}
.cutmark{font-weight:400;color:var(--warn-fg);font-size:.75rem}
.pv-x .mock{border-radius:14px}
.pv-x .overlay{position:relative}
.pv-x .x-domain{position:absolute;left:.5rem;bottom:.5rem;margin:0;background:rgba(0,0,0,.77);color:#fff;
padding:0 .35rem;border-radius:4px;font-size:.75rem}
.pv-x .t{font-weight:400}
.pv-facebook .mock{border-radius:0;background:#f0f2f5}
.pv-facebook .site{text-transform:uppercase}
.pv-facebook .d{display:-webkit-box;-webkit-line-clamp:1;-webkit-box-orient:vertical;overflow:hidden}
.pv-linkedin .t{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.pv-mastodon .t{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pv-slack .mock{border:0;border-left:4px solid #c9cdd2;border-radius:0}
.pv-slack .t a,.pv-slack .t{color:#0b57d0}
.pv-slack img{max-width:360px;border-radius:6px;margin:.25rem .6rem .5rem}
.pv-discord .mock{background:#2b2d31;color:#dbdee1;border:0;border-left:4px solid #1e1f22}
.pv-discord .site,.pv-discord .d{color:#dbdee1}
.pv-discord .t{color:#00a8fc}
.pv-discord .cutmark{color:#f0b232}
.pv-discord img{border-radius:4px;margin:0 .6rem .6rem;width:calc(100% - 1.2rem)}
footer{color:var(--muted);font-size:.85rem;padding:2rem 1rem}
@media (max-width:760px){.layout{grid-template-columns:minmax(0,1fr)}h1{font-size:1.3rem}
.thumb{width:120px;height:63px}}
"""
