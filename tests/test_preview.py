"""The gallery's platform rules: how each platform cuts, and what the warnings say."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.server.preview import PLATFORMS, PostFacts, cut, parse_meta, post_preview

DISCORD = next(p for p in PLATFORMS if p.key == "discord")
X = next(p for p in PLATFORMS if p.key == "x")
ENTRY = {"slug": "s", "title": "T", "url": "https://blog.example.org/blog/s/", "card": "cards/s.jpg",
         "card_url": "https://blog.example.org/cards/s.jpg", "meta": "meta/s.html"}


def meta(**properties: str) -> dict[str, str]:
    return {key.replace("_", ":"): value for key, value in properties.items()}


def test_a_text_at_the_limit_is_not_cut():
    assert cut("a" * 70, 70) == ("a" * 70, False)


def test_x_cuts_a_title_to_70_characters_with_the_ellipsis():
    shown, was_cut = cut("b" * 71, X.title_limit, X.unit, X.ellipsis)
    assert was_cut and len(shown) == 70 and shown.endswith("…")


def test_discord_counts_bytes_so_umlauts_count_twice():
    title = "ü" * 36  # 36 characters, 72 bytes
    shown, was_cut = cut(title, DISCORD.title_limit, DISCORD.unit, DISCORD.ellipsis)
    assert was_cut
    assert shown == "ü" * 33 + "..."  # 67 bytes keep 33 whole characters, never half of one


@settings(max_examples=80)
@given(st.text(min_size=0, max_size=400), st.sampled_from(PLATFORMS))
def test_a_cut_text_never_exceeds_the_platform_limit(text, platform):
    shown, was_cut = cut(text, platform.title_limit, platform.unit, platform.ellipsis)
    if platform.title_limit is None:
        assert (shown, was_cut) == (text, False)
        return
    size = len(shown.encode()) if platform.unit == "bytes" else len(shown)
    assert size <= platform.title_limit
    assert was_cut or shown == text


def test_meta_tags_in_any_form_are_read_like_a_crawler_reads_them():
    properties = parse_meta("<META content='Tom &amp; Jerry' property=og:title>\n"
                            '<meta name="twitter:card" content=summary_large_image />\n'
                            '<meta property="og:title" content="second">\n<meta charset="utf-8">\n')
    assert properties == {"og:title": "Tom & Jerry", "twitter:card": "summary_large_image"}


def test_meta_tags_are_read_like_a_crawler_reads_them():
    properties = parse_meta('<meta property="og:title" content="Tom &amp; Jerry">\n'
                            '<meta property="og:title" content="second">\n'
                            '<meta name="twitter:card" content="summary_large_image">\n')
    assert properties == {"og:title": "Tom & Jerry", "twitter:card": "summary_large_image"}


def test_twitter_tags_fall_back_to_open_graph():
    preview = post_preview(ENTRY, meta(og_title="Only OG", og_image=ENTRY["card_url"]), lambda url: url)
    x = next(p for p in preview.previews if p.platform.key == "x")
    assert x.title == "Only OG" and x.image == ENTRY["card_url"]


def test_warnings_for_a_fallback_background_a_missing_alt_and_a_long_x_description():
    properties = meta(og_title="T", og_description="d", og_image=ENTRY["card_url"],
                      twitter_description="x" * 201)
    warnings = post_preview(ENTRY, properties, lambda url: url,
                            PostFacts(card_background="default", description_source="description")).warnings
    texts = {w.kind: w.text for w in warnings}
    assert texts["fallback-image"].startswith("fallback image: the card shows the site's default image")
    assert texts["no-alt"].startswith("image without alt text")
    assert texts["limit-exceeded"].startswith("twitter:description has 201 characters; X allows 200")


def test_a_post_without_meta_tags_says_so():
    (warning,) = post_preview(ENTRY, {}, lambda url: url).warnings
    assert warning.kind == "no-meta"
    assert warning.text == "no meta tags were built (meta/s.html is missing); crawlers fall back to the page's <title>"


def test_a_photo_background_and_complete_tags_give_no_warnings():
    properties = meta(og_title="Kurz", og_description="Beschreibung", og_image=ENTRY["card_url"],
                      og_image_alt="Kurz")
    preview = post_preview(ENTRY, properties, lambda url: url,
                           PostFacts(card_background="imgname", card_bytes=120_000, description_source="description"))
    assert preview.warnings == ()


@pytest.mark.parametrize("source, warned", [("description", False), ("excerpt", False), ("summary", True),
                                            ("", False)])
def test_only_a_description_taken_from_the_text_warns_an_excerpt_is_the_authors_choice(source, warned):
    properties = meta(og_title="Kurz", og_description="Beschreibung", og_image=ENTRY["card_url"],
                      og_image_alt="Kurz")
    preview = post_preview(ENTRY, properties, lambda url: url,
                           PostFacts(card_background="imgname", description_source=source))
    assert ("description-from-text" in preview.warning_kinds) is warned
