"""Link previews: per post the previews six platforms would build from its meta tags, cut the way
each platform cuts, and what to warn the author about. Read from the output folder alone
(manifest.json and the meta tags snippets), so what it shows is what a crawler would read; the
gallery (gallery.py) shows them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
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
             "none": "no image (the site's colours; no image was found)"}

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

# Meta tags as crawlers read them: `property=` or `name=`, the content with its character
# references resolved, the first of two equal keys. A regular expression instead of HTMLParser:
# reading 10,000 posts' tags took 13 of 25 s with it (bench_gallery).
META_TAG = re.compile(r"<meta\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([^\s"'=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


# The form syndicate writes (meta.py): one attribute order, double quotes. Read directly when
# every tag has it, which halves the time again.
OWN_META_TAG = re.compile(r'<meta (?:property|name)="([^"&<]*)" content="([^"]*)">')


def parse_meta(text: str) -> dict[str, str]:
    own = OWN_META_TAG.findall(text)
    if len(own) == text.count("<meta"):
        properties: dict[str, str] = {}
        for key, content in own:
            properties.setdefault(key, html.unescape(content) if "&" in content else content)
        return properties
    return parse_any_meta(text)


def parse_any_meta(text: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    for tag in META_TAG.finditer(text):
        values = {name.lower(): html.unescape(a if a is not None else b if b is not None else c)
                  for name, a, b, c in (m.groups() for m in ATTRIBUTE.finditer(tag.group(1)))}
        key = values.get("property") or values.get("name")
        if key and "content" in values:
            properties.setdefault(key, values["content"])
    return properties


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

# The kinds of warning, in the order the gallery's filter lists them, with their labels there.
WARNING_KINDS = {
    "no-meta": "No meta tags",
    "title-cut": "Title cut",
    "no-description": "No description",
    "description-from-text": "Description from the text",
    "description-cut": "Description cut",
    "no-image": "No image",
    "fallback-image": "Fallback image",
    "no-alt": "Image without alt text",
    "limit-exceeded": "Platform limit exceeded",
}


@dataclass(frozen=True)
class PreviewWarning:
    kind: str       # a key of WARNING_KINDS
    text: str

    def __str__(self) -> str:
        return self.text


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
    key: str                    # the post's URL path below the base URL: names its gallery page
    source: str                 # the post's file, as the build's diagnostics name it
    title: str
    url: str
    published: str
    card: str                   # local URL of the card, "" when none was built
    card_alt: str
    meta: str                   # local URL of the meta tags snippet, "" when none was built
    previews: tuple[LinkPreview, ...]
    warnings: tuple[PreviewWarning, ...]

    @property
    def warning_kinds(self) -> frozenset[str]:
        return frozenset(warning.kind for warning in self.warnings)


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
    """What the gallery knows of a post beyond its meta tags ("" or None: not known)."""
    card_background: str = ""            # og-image, imgname, topic, default, none
    card_bytes: int | None = None
    description_source: str = ""         # description, excerpt, summary (the text) — the manifest's


def post_preview(entry: Mapping[str, Any], properties: Mapping[str, str], local: Callable[[str], str],
                 facts: PostFacts = PostFacts(), key: str = "") -> PostPreview:
    host = urlsplit(properties.get("og:url") or str(entry.get("url", ""))).hostname or ""
    previews = tuple(link_preview(p, properties, local, host) for p in PLATFORMS)
    card_url = str(entry.get("card_url") or "")
    card = local(card_url) if entry.get("card") else ""
    return PostPreview(
        key=key, source=str(entry.get("source", "")), title=str(entry.get("title", "")),
        url=str(entry.get("url", "")), published=str(entry.get("published", ""))[:10], card=card,
        card_alt=properties.get("og:image:alt") or properties.get("twitter:image:alt") or str(entry.get("title", "")),
        meta="/" + quote(str(entry["meta"])) if properties and entry.get("meta") else "",
        previews=previews, warnings=tuple(warnings_of(entry, properties, previews, facts)))


def warnings_of(entry: Mapping[str, Any], properties: Mapping[str, str], previews: Iterable[LinkPreview],
                facts: PostFacts) -> list[PreviewWarning]:
    if not properties:
        return [PreviewWarning("no-meta", f"no meta tags were built ({entry.get('meta') or 'meta/<slug>.html'} "
                                          "is missing); crawlers fall back to the page's <title>")]
    return [*text_warnings(properties, list(previews), facts), *limits_exceeded(properties, facts.card_bytes),
            *image_warnings(entry, properties, facts)]


def text_warnings(properties: Mapping[str, str], previews: list[LinkPreview],
                  facts: PostFacts) -> list[PreviewWarning]:
    found: list[PreviewWarning] = []
    cut_titles = [p for p in previews if p.title_cut]
    if cut_titles:
        found.append(PreviewWarning("title-cut", "title cut by " + ", ".join(
            f"{p.platform.name.split(' ')[0]} (at {p.platform.title_limit} {p.platform.unit})" for p in cut_titles)))
    if not first(properties, ("og:description", "twitter:description")):
        found.append(PreviewWarning("no-description", "description missing: add `description:` to the front "
                                                      "matter; Facebook, Slack and Discord show none"))
    elif facts.description_source == "summary":
        # An `excerpt:` is the author's choice as much as a `description:` (meta.description_of).
        found.append(PreviewWarning("description-from-text", "description missing from the front matter: "
                                    "previews show the start of the text instead; add `description:` "
                                    "(or `excerpt:`) to choose what they say"))
    cut_descriptions = [p for p in previews if p.description_cut and p.platform.shows_description]
    if cut_descriptions:
        found.append(PreviewWarning("description-cut", "description cut by " + ", ".join(
            f"{p.platform.name} (at {p.platform.description_limit} {p.platform.unit})" for p in cut_descriptions)))
    return found


def image_warnings(entry: Mapping[str, Any], properties: Mapping[str, str],
                   facts: PostFacts) -> list[PreviewWarning]:
    found: list[PreviewWarning] = []
    image = first(properties, ("og:image", "twitter:image"))
    if not image:
        found.append(PreviewWarning("no-image", "no image: every platform shows a text-only preview"))
    elif facts.card_background in FALLBACKS:
        found.append(PreviewWarning("fallback-image", f"fallback image: the card shows "
                                    f"{FALLBACKS[facts.card_background]}, not a photo of this post; add "
                                    "`og-image:` or `images:` to the front matter"))
    elif image and entry.get("card_url") and image != entry.get("card_url"):
        found.append(PreviewWarning("fallback-image", "fallback image: og:image is not this post's share card"))
    if image and not first(properties, ("og:image:alt", "twitter:image:alt")):
        found.append(PreviewWarning("no-alt", "image without alt text (og:image:alt / twitter:image:alt)"))
    return found


def limits_exceeded(properties: Mapping[str, str], image_bytes: int | None) -> list[PreviewWarning]:
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
    return [PreviewWarning("limit-exceeded", text) for text in found]


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


