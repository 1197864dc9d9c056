"""The preview gallery: per post its card and the link previews six platforms would build from its
meta tags, cut the way each platform cuts; the feeds; the last build's diagnostics.

Server-rendered HTML and CSS from the output folder alone (manifest.json and meta/<slug>.html),
so what it shows is what a crawler would read."""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"


@dataclass(frozen=True)
class Platform:
    """How one platform turns meta tags into a link preview. Limits are counted in `unit`;
    None means the platform shows the whole text (wrapped or clipped only by its layout)."""
    key: str
    name: str
    title_keys: tuple[str, ...]
    description_keys: tuple[str, ...]
    image_keys: tuple[str, ...]
    title_limit: int | None
    description_limit: int | None
    shows_description: bool
    image_ratio: str              # CSS aspect-ratio of the image box: the platform crops to it
    layout: tuple[str, ...]       # the parts in the order the platform shows them
    unit: str = "characters"
    ellipsis: str = ELLIPSIS
    source: str = ""


OG_TITLE, OG_DESCRIPTION, OG_IMAGE = ("og:title",), ("og:description",), ("og:image",)
FALLBACKS = {"topic": "its topic's header image", "default": "the site's default image",
             "none": "a plain gradient (no image was found)"}

PLATFORMS: tuple[Platform, ...] = (
    # X documents twitter:title "max 70 characters" and twitter:description "maximum 200
    # characters", each falling back to its og: tag, and a 2:1 image for summary_large_image
    # (developer.x.com/en/docs/x-for-websites/cards/overview/markup and …/summary-card-with-large-image).
    # Since October 2023 the timeline shows only the image with the domain, no description.
    Platform("x", "X (summary_large_image)", ("twitter:title", "og:title"),
             ("twitter:description", "og:description"), ("twitter:image", "og:image"),
             title_limit=70, description_limit=200, shows_description=False, image_ratio="2 / 1",
             layout=("overlay", "title"),
             source="developer.x.com cards markup: title max 70, description max 200, image 2:1"),
    # Facebook documents no limit; observed feeds cut the title near 88 characters and the
    # description near 300, at 1.91:1 (breezy-tools.pages.dev/tools/open-graph-preview, and
    # euparliamentmonitor.com's notes on Facebook's ~300-character description cut).
    Platform("facebook", "Facebook", OG_TITLE, OG_DESCRIPTION, OG_IMAGE,
             title_limit=88, description_limit=300, shows_description=True, image_ratio="1.91 / 1",
             layout=("image", "site", "title", "description"),
             source="observed: title ~88, description ~300 characters, image 1.91:1"),
    # LinkedIn reads og: tags only; observed cuts near 200 (title) and 300 (description)
    # characters, image 1200×627 (techcompare.app/open-graph-viewer/linkedin-og-tags). The feed
    # shows the title and the domain under the image, not the description.
    Platform("linkedin", "LinkedIn", OG_TITLE, OG_DESCRIPTION, OG_IMAGE,
             title_limit=200, description_limit=300, shows_description=False, image_ratio="1.91 / 1",
             layout=("image", "title", "site"),
             source="observed: title ~200, description ~300 characters, image 1.91:1"),
    # Mastodon stores og:title/og:description whole (app/lib/link_details_extractor.rb); its web
    # client shows a landscape image full width with the title on one ellipsised line and no
    # description ("horizontal" cards, app/javascript/mastodon/features/status/components/card.jsx).
    Platform("mastodon", "Mastodon", OG_TITLE, OG_DESCRIPTION, OG_IMAGE,
             title_limit=None, description_limit=None, shows_description=False, image_ratio="1200 / 630",
             layout=("image", "title", "site"),
             source="mastodon card.jsx: one-line title, no description beside a landscape image"),
    # Slack shows og:site_name, the whole title and the description cut near 300 characters;
    # twitter: tags are read as well (previewog.com/slack-link-preview; ogtester.com, 2023).
    Platform("slack", "Slack", ("og:title", "twitter:title"), ("og:description", "twitter:description"),
             ("og:image", "twitter:image"), title_limit=None, description_limit=300,
             shows_description=True, image_ratio="1200 / 630", layout=("site", "title", "description", "image"),
             source="observed: whole title, description ~300 characters"),
    # Discord cuts the title at 70 and the description at 350 *bytes* of UTF-8, keeping 67 / 347
    # and appending "..." (observed, mastodawn.com/explore/tag/000abc; limits ~256/~350 in
    # opengraphplus.com/consumers/discord/tags); umlauts count twice.
    Platform("discord", "Discord", ("og:title", "twitter:title"), ("og:description", "twitter:description"),
             ("og:image", "twitter:image"), title_limit=70, description_limit=350,
             shows_description=True, image_ratio="1200 / 630", layout=("site", "title", "description", "image"),
             unit="bytes", ellipsis="...",
             source="observed: title 70 and description 350 bytes of UTF-8, cut with '...'"),
)


# ---------------------------------------------------------------- reading meta tags

class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.properties: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if key and values.get("content") is not None:
            self.properties.setdefault(key, values["content"] or "")  # crawlers take the first


def parse_meta(text: str) -> dict[str, str]:
    parser = _MetaParser()
    parser.feed(text)
    parser.close()
    return parser.properties


def first(properties: Mapping[str, str], keys: Iterable[str]) -> str:
    return next((properties[key].strip() for key in keys if properties.get(key, "").strip()), "")


# ---------------------------------------------------------------- cutting

def cut(text: str, limit: int | None, unit: str = "characters", ellipsis: str = ELLIPSIS) -> tuple[str, bool]:
    """`text` as the platform shows it, and whether it was cut."""
    if limit is None or measure(text, unit) <= limit:
        return text, False
    if unit == "bytes":
        keep = text.encode("utf-8")[: limit - len(ellipsis.encode())]
        return keep.decode("utf-8", errors="ignore") + ellipsis, True
    return text[: limit - len(ellipsis)].rstrip() + ellipsis, True


def measure(text: str, unit: str) -> int:
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


# ---------------------------------------------------------------- one post

@dataclass(frozen=True)
class LinkPreview:
    platform: Platform
    title: str
    title_cut: bool
    description: str
    description_cut: bool
    image: str
    site: str


@dataclass(frozen=True)
class PostPreview:
    slug: str
    title: str
    url: str
    published: str
    card: str                   # local URL of the card, "" when none was built
    card_alt: str
    previews: tuple[LinkPreview, ...]
    warnings: tuple[str, ...]


def link_preview(platform: Platform, properties: Mapping[str, str], local: Callable[[str], str],
                 host: str) -> LinkPreview:
    title, title_cut = cut(first(properties, platform.title_keys), platform.title_limit,
                           platform.unit, platform.ellipsis)
    description, description_cut = cut(first(properties, platform.description_keys),
                                       platform.description_limit, platform.unit, platform.ellipsis)
    image = first(properties, platform.image_keys)
    site = properties.get("og:site_name", "") if platform.key in ("slack", "discord", "mastodon") else ""
    return LinkPreview(platform, title, title_cut, description, description_cut,
                       local(image) if image else "", site or host)


@dataclass(frozen=True)
class PostFacts:
    """What the gallery knows of a post beyond its meta tags (None: not known)."""
    card_background: str = ""            # og-image, imgname, topic, default, none
    card_bytes: int | None = None
    own_description: bool | None = None  # the front matter gives a description


def post_preview(entry: Mapping[str, Any], properties: Mapping[str, str], local: Callable[[str], str],
                 facts: PostFacts = PostFacts()) -> PostPreview:
    host = urlsplit(properties.get("og:url") or str(entry.get("url", ""))).hostname or ""
    previews = tuple(link_preview(p, properties, local, host) for p in PLATFORMS)
    card_url = str(entry.get("card_url") or "")
    card = local(card_url) if entry.get("card") else ""
    return PostPreview(
        slug=str(entry.get("slug", "")), title=str(entry.get("title", "")), url=str(entry.get("url", "")),
        published=str(entry.get("published", ""))[:10], card=card,
        card_alt=properties.get("og:image:alt") or properties.get("twitter:image:alt") or str(entry.get("title", "")),
        previews=previews, warnings=tuple(warnings_of(entry, properties, previews, facts)))


def warnings_of(entry: Mapping[str, Any], properties: Mapping[str, str], previews: Iterable[LinkPreview],
                facts: PostFacts) -> list[str]:
    if not properties:
        return [f"no meta tags were built ({entry.get('meta') or 'meta/<slug>.html'} is missing); "
                "crawlers fall back to the page's <title>"]
    return [*text_warnings(properties, list(previews), facts), *limits_exceeded(properties, facts.card_bytes),
            *image_warnings(entry, properties, facts)]


def text_warnings(properties: Mapping[str, str], previews: list[LinkPreview], facts: PostFacts) -> list[str]:
    found: list[str] = []
    cut_titles = [p for p in previews if p.title_cut]
    if cut_titles:
        found.append("title cut by " + ", ".join(f"{p.platform.name.split(' ')[0]} "
                                                 f"(at {p.platform.title_limit} {p.platform.unit})"
                                                 for p in cut_titles))
    if not first(properties, ("og:description", "twitter:description")):
        found.append("description missing: add `description:` to the front matter; "
                     "Facebook, Slack and Discord show none")
    elif facts.own_description is False:
        found.append("description missing from the front matter: previews show the start of the text "
                     "instead; add `description:` to choose what they say")
    cut_descriptions = [p for p in previews if p.description_cut and p.platform.shows_description]
    if cut_descriptions:
        found.append("description cut by " + ", ".join(f"{p.platform.name} (at {p.platform.description_limit} "
                                                       f"{p.platform.unit})" for p in cut_descriptions))
    return found


def image_warnings(entry: Mapping[str, Any], properties: Mapping[str, str], facts: PostFacts) -> list[str]:
    found: list[str] = []
    image = first(properties, ("og:image", "twitter:image"))
    if not image:
        found.append("no image: every platform shows a text-only preview")
    elif facts.card_background in FALLBACKS:
        found.append(f"fallback image: the card shows {FALLBACKS[facts.card_background]}, not a photo of "
                     "this post; add `og-image:` or `images:` to the front matter")
    elif image and entry.get("card_url") and image != entry.get("card_url"):
        found.append("fallback image: og:image is not this post's share card")
    if image and not first(properties, ("og:image:alt", "twitter:image:alt")):
        found.append("image without alt text (og:image:alt / twitter:image:alt)")
    return found


def limits_exceeded(properties: Mapping[str, str], image_bytes: int | None) -> list[str]:
    """Hard limits, as opposed to display cuts: beyond them a platform drops the field or the
    whole preview."""
    found = []
    # X's card markup reference: description max 200 characters, image alt max 420 characters,
    # images under 5 MB and at least 300×157 for summary_large_image.
    for key, limit in (("twitter:description", 200), ("twitter:image:alt", 420)):
        value = properties.get(key, "")
        if len(value) > limit:
            found.append(f"{key} has {len(value)} characters; X allows {limit} (limit exceeded)")
    if image_bytes is not None and image_bytes >= 5_000_000:
        found.append(f"the image has {image_bytes:,} bytes; X takes images under 5 MB (limit exceeded)")
    width, height = _int(properties.get("og:image:width")), _int(properties.get("og:image:height"))
    if width and height and (width < 300 or height < 157):
        found.append(f"the image is {width}×{height}; X needs at least 300×157 for a large image (limit exceeded)")
    # Discord shows no embed at all when og:site_name is longer than 253 bytes (observed,
    # mastodawn.com/explore/tag/000abc).
    if measure(properties.get("og:site_name", ""), "bytes") > 253:
        found.append("og:site_name is longer than 253 bytes; Discord then shows no embed (limit exceeded)")
    return found


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


# ---------------------------------------------------------------- the page

def render_gallery(manifest: Mapping[str, Any], posts: list[PostPreview]) -> str:
    site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
    title = str(site.get("title") or "syndicate")
    language = str(site.get("language") or "en")
    feeds = [f for f in manifest.get("feeds", []) if isinstance(f, dict)]
    diagnostics = [d for d in manifest.get("diagnostics", []) if isinstance(d, dict)]
    warned = sum(1 for p in posts if p.warnings)
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Preview · {_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#posts">Skip to the posts</a>',
        "<header>",
        f"<h1>Preview of {_e(title)}</h1>",
        f'<p class="summary">{len(posts)} posts · {len(feeds)} feeds · {len(diagnostics)} diagnostics · '
        f"{warned} posts with warnings</p>",
        '<nav aria-label="Sections"><ul>'
        '<li><a href="#feeds">Feeds</a></li><li><a href="#diagnostics">Diagnostics</a></li>'
        '<li><a href="#posts">Posts</a></li></ul></nav>',
        "</header>",
        "<main>",
        feeds_section(feeds),
        diagnostics_section(diagnostics),
        f'<section id="posts" aria-labelledby="posts-heading" lang="{_e(language)}">',
        '<h2 id="posts-heading" lang="en">Posts</h2>',
        *(post_article(post) for post in posts),
        "</section>",
        "</main>",
        "<footer><p>Previews follow each platform's documented or observed rules; "
        "the platforms change them without notice. Served by <code>syndicate serve</code>.</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def feeds_section(feeds: list[Mapping[str, Any]]) -> str:
    """One row per current feed; its RFC 5005 archive pages as links in the row."""
    current = [f for f in feeds if not f.get("archive")]
    archives: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for feed in feeds:
        if feed.get("archive"):
            archives.setdefault(_feed_key(feed), []).append(feed)
    rows = "".join(
        f'<tr><td><a href="/{_e(quote(str(f.get("path", ""))))}">{_e(f.get("path", ""))}</a></td>'
        f'<td class="format">{_e(f.get("format", ""))}</td>'
        f'<td>{_e(" / ".join(str(x) for x in (f.get("taxonomy"), f.get("term")) if x) or "all posts")}</td>'
        f'<td class="num">{_e(f.get("entries", ""))}</td>'
        f'<td>{archive_links(archives.get(_feed_key(f), []))}</td></tr>'
        for f in current)
    pages = len(feeds) - len(current)
    caption = f"{len(current)} feeds" + (f" and {pages} archive pages" if pages else "")
    body = (f"<table><caption>{caption}</caption><thead><tr><th scope=\"col\">Feed</th>"
            f"<th scope=\"col\" class=\"format\">Format</th><th scope=\"col\">Selection</th>"
            f"<th scope=\"col\" class=\"num\">Entries</th><th scope=\"col\">Archive pages</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>" if feeds else "<p>No feeds were built.</p>")
    return (f'<section id="feeds" aria-labelledby="feeds-heading"><h2 id="feeds-heading">Feeds</h2>'
            f'<div class="scroll">{body}</div></section>')


def _feed_key(feed: Mapping[str, Any]) -> tuple[Any, ...]:
    return feed.get("taxonomy"), feed.get("term"), feed.get("format")


def archive_links(pages: list[Mapping[str, Any]]) -> str:
    return " ".join(f'<a href="/{_e(quote(str(p.get("path", ""))))}" aria-label="archive page {_e(p.get("archive"))}, '
                    f'{_e(p.get("entries", ""))} entries">{_e(p.get("archive"))}</a>'
                    for p in sorted(pages, key=lambda p: int(p.get("archive") or 0)))


def diagnostics_section(diagnostics: list[Mapping[str, Any]]) -> str:
    items = "".join(
        f'<li class="{_e(d.get("level", ""))}"><span class="level">{_e(d.get("level", ""))}</span> '
        f'<code>{_e(d.get("file", ""))}{":" + _e(d["line"]) if d.get("line") else ""}</code> '
        f'{_e(d.get("message", ""))}</li>'
        for d in diagnostics)
    body = f'<ul class="diagnostics">{items}</ul>' if diagnostics else "<p>The last build reported nothing.</p>"
    return (f'<section id="diagnostics" aria-labelledby="diagnostics-heading">'
            f'<h2 id="diagnostics-heading">Diagnostics of the last build</h2>{body}</section>')


def post_article(post: PostPreview) -> str:
    heading = f"post-{post.slug}"
    warnings = "".join(f"<li>{_e(w)}</li>" for w in post.warnings)
    warning_list = (f'<ul class="warnings" aria-label="Warnings for {_e(post.title)}">{warnings}</ul>'
                    if warnings else '<p class="ok">No warnings.</p>')
    card = (f'<img class="card" src="{_e(post.card)}" width="1200" height="630" alt="{_e(post.card_alt)}">'
            if post.card else '<p class="nocard">No share card was built for this post.</p>')
    previews = "".join(preview_block(p, heading) for p in post.previews)
    return (f'<article class="post" id="{_e(heading)}" aria-labelledby="{_e(heading)}-title">'
            f'<h3 id="{_e(heading)}-title"><a href="{_e(post.url)}">{_e(post.title)}</a></h3>'
            f'<p class="meta" lang="en"><time datetime="{_e(post.published)}">{_e(post.published)}</time>'
            f' · <a href="{_e(post.card)}">card</a> · <a href="/meta/{_e(quote(post.slug))}.html">meta tags</a></p>'
            f'<div class="layout"><div class="primary">{card}{warning_list}</div>'
            f'<div class="previews" lang="en">{previews}</div></div></article>')


def preview_block(preview: LinkPreview, post_id: str) -> str:
    platform = preview.platform
    image = (f'<img src="{_e(preview.image)}" alt="" style="aspect-ratio:{platform.image_ratio}">'
             if preview.image else '<div class="noimage">no image</div>')
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
    return (f'<section class="pv pv-{platform.key}" aria-labelledby="{_e(post_id)}-{platform.key}">'
            f'<h4 id="{_e(post_id)}-{platform.key}">{_e(platform.name)}</h4>'
            f'<div class="mock" title="{_e(platform.source)}">{"".join(inner)}</div></section>')


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


# Colours checked for WCAG 2.1 AA contrast (4.5:1) against their backgrounds.
STYLE = """
:root{--fg:#1b1f24;--muted:#4a5260;--bg:#fff;--line:#d0d5dc;--warn-bg:#fff4d6;--warn-fg:#5c3d00;
--ok:#1d6b35;--link:#0b57d0;--error:#a1131f}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main,footer{max-width:1280px;margin:0 auto;padding:0 1rem}
header{padding-top:1rem;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
h3{font-size:1.15rem;margin:0 0 .25rem}
h4{font-size:.8rem;margin:0 0 .25rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:.5rem 0 1rem}
.summary,.meta{color:var(--muted);margin:.25rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
td:first-child{overflow-wrap:anywhere}
.num{text-align:right}
.diagnostics{list-style:none;padding:0;font-size:.9rem}
.diagnostics li{padding:.3rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.level{font-weight:700;text-transform:uppercase;font-size:.75rem;padding:.1rem .35rem;border-radius:3px;
background:var(--warn-bg);color:var(--warn-fg)}
.error .level{background:#fde7e9;color:var(--error)}
.post{border-top:2px solid var(--line);padding:1.25rem 0}
.layout{display:grid;gap:1rem;grid-template-columns:minmax(0,2fr) minmax(0,3fr)}
.card{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
.warnings{background:var(--warn-bg);color:var(--warn-fg);border-radius:6px;padding:.5rem .75rem .5rem 2rem;
margin:.75rem 0;font-size:.9rem}
.warnings li::marker{content:"⚠ "}
.ok{color:var(--ok);font-size:.9rem}
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
@media (max-width:760px){.layout{grid-template-columns:minmax(0,1fr)}h1{font-size:1.3rem}}
@media (max-width:480px){.format{display:none}th,td{padding:.3rem .25rem}}
"""
