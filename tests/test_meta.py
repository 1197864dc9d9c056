"""Meta tags: built with the real API, parsed back with an HTML parser, checked against the post."""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from syndicate.build import build
from syndicate.cards import Card
from syndicate.meta import cut_at_word, meta_tags, og_locale, twitter_handle
from syndicate.site import load_site

REPO = Path(__file__).resolve().parents[1]
META_SITE = Path(__file__).resolve().parent / "sites" / "meta"
SEED_SLUG = "ko-kreation-fuer-veraenderungen"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "codefor.de"


class MetaParser(HTMLParser):
    """Collects (attribute, key, content) of every <meta> and anything else it meets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, str]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            self.other.append(tag)
            return
        values = dict(attrs)
        attribute = "property" if "property" in values else "name"
        self.tags.append((attribute, values[attribute] or "", values["content"] or ""))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.other.append(data)


def parse(snippet: str) -> MetaParser:
    parser = MetaParser()
    parser.feed(snippet)
    parser.close()
    return parser


def values(snippet: str, key: str) -> list[str]:
    return [content for _, name, content in parse(snippet).tags if name == key]


def one(snippet: str, key: str) -> str:
    found = values(snippet, key)
    assert len(found) == 1, f"{key}: {found}"
    return found[0]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The embedded example site, built once into a temporary folder (without cards, so
    og:image is the post's own picture; tests/test_cards.py checks og:image = the card)."""
    site = load_site(REPO, overrides={"build": {"cards": False}})
    result = build(site, tmp_path_factory.mktemp("example"))
    return site, result


@pytest.fixture(scope="module")
def meta_site(tmp_path_factory):
    site = load_site(META_SITE, overrides={"build": {"cards": False}})
    result = build(site, tmp_path_factory.mktemp("meta"))
    return site, result


def snippet_of(result, slug: str) -> str:
    """The snippet of the post at /blog/<slug>/ (meta files are named by the URL path)."""
    return (result.out_dir / "meta" / "blog" / f"{slug}.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the embedded site

def test_every_post_gets_a_meta_file_listed_in_the_manifest(example):
    site, result = example
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["posts"]) == len(site.posts) > 0
    for entry in manifest["posts"]:
        assert entry["meta"] == f"meta/blog/{entry['slug']}.html"
        assert (result.out_dir / entry["meta"]).is_file()
        assert entry["meta"] in manifest["files"]


def test_snippet_is_nothing_but_one_meta_element_per_line(example):
    site, result = example
    for post in site.posts:
        snippet = snippet_of(result, post.slug)
        lines = snippet.splitlines()
        assert snippet.endswith("\n")
        assert all(line.startswith("<meta ") and line.endswith(">") for line in lines)
        parsed = parse(snippet)
        assert parsed.other == []
        assert len(parsed.tags) == len(lines)


def test_seed_post_tags_match_the_post(example):
    site, result = example
    post = site.post_by_slug(SEED_SLUG)
    snippet = snippet_of(result, SEED_SLUG)
    assert one(snippet, "og:title") == "Ko-Kreation als Treiber für Veränderungen?"
    assert one(snippet, "og:description") == (
        "Masterarbeit zur Kollaboration zwischen OK Labs und Stadtverwaltungen. Wie wirkt sich "
        "diese Zusammenarbeit auf den Umgang mit Offenen Daten aus?")
    assert one(snippet, "og:url") == "https://example.codefor.de/blog/ko-kreation-fuer-veraenderungen/"
    assert one(snippet, "og:type") == "article"
    assert one(snippet, "og:site_name") == "Code for Example"
    assert one(snippet, "og:locale") == "de_DE"
    assert one(snippet, "og:image") == "https://example.codefor.de/blog/geoeffnet.jpg"
    assert one(snippet, "og:image:secure_url") == one(snippet, "og:image")
    assert one(snippet, "og:image:type") == "image/jpeg"
    assert (one(snippet, "og:image:width"), one(snippet, "og:image:height")) == ("3000", "2000")
    assert one(snippet, "og:image:alt") == post.title
    assert one(snippet, "article:published_time") == "2020-02-26T00:00:00+01:00"
    assert one(snippet, "article:modified_time") == "2020-02-26T00:00:00+01:00"
    assert one(snippet, "article:author") == "Patrick Hamm"
    assert one(snippet, "article:section") == "story"
    assert values(snippet, "article:tag") == ["story"]
    assert one(snippet, "twitter:card") == "summary_large_image"
    assert one(snippet, "twitter:site") == "@codeforexample"
    assert one(snippet, "twitter:creator") == "@codeforexample"
    assert one(snippet, "twitter:title") == post.title
    assert one(snippet, "twitter:description") == one(snippet, "og:description")
    assert one(snippet, "twitter:image") == one(snippet, "og:image")
    assert one(snippet, "twitter:image:alt") == post.title


def test_og_properties_use_property_and_twitter_ones_use_name(example):
    site, result = example
    for post in site.posts:
        for attribute, key, _ in parse(snippet_of(result, post.slug)).tags:
            assert attribute == ("name" if key.startswith("twitter:") else "property"), key


def test_every_post_has_the_required_tags_with_absolute_image(example):
    site, result = example
    required = ["og:title", "og:description", "og:url", "og:type", "og:site_name", "og:locale",
                "og:image", "og:image:type", "og:image:alt", "article:published_time",
                "article:modified_time", "twitter:card", "twitter:title", "twitter:description",
                "twitter:image", "twitter:image:alt"]
    for post in site.posts:
        snippet = snippet_of(result, post.slug)
        for key in required:
            assert one(snippet, key), (post.slug, key)
        assert one(snippet, "og:image").startswith("https://example.codefor.de/")
        assert one(snippet, "og:url") == post.url


def test_twitter_creator_is_the_posts_handle(example):
    site, result = example
    snippet = snippet_of(result, "interview-datenstelle")
    assert one(snippet, "twitter:creator") == "@lea_fragt"
    assert one(snippet, "twitter:site") == "@codeforexample"


def test_every_taxonomy_term_is_an_article_tag_and_the_first_topic_the_section(example):
    site, result = example
    post = site.post_by_slug("feinstaub-karte")
    snippet = snippet_of(result, post.slug)
    assert one(snippet, "article:section") == "project"
    assert values(snippet, "article:tag") == ["feinstaub", "sensoren", "karten", "berlin",
                                              "project", "toolbox"]


def test_og_description_spelled_with_underscore_wins_over_the_excerpt(example):
    site, result = example
    snippet = snippet_of(result, "feinstaub-karte")
    assert one(snippet, "og:description").startswith("Eine Karte mit über 90 selbstgebauten")


def test_modified_time_comes_from_lastmod(example):
    site, result = example
    snippet = snippet_of(result, "werkzeugkiste-offene-daten")
    assert one(snippet, "article:published_time") == "2022-11-03T00:00:00+01:00"
    assert one(snippet, "article:modified_time") == "2023-01-20T00:00:00+01:00"


def test_post_without_a_picture_points_at_its_topic_image(example):
    site, result = example
    snippet = snippet_of(result, "willkommen-neue-labs")
    assert one(snippet, "og:image") == "https://example.codefor.de/blog/header_images/community.png"
    assert one(snippet, "og:image:type") == "image/png"


def test_a_card_replaces_the_photo_in_every_image_tag(example):
    site, _ = example
    post = site.post_by_slug(SEED_SLUG)
    card = Card(path=f"cards/blog/{post.slug}.jpg", url=f"https://example.codefor.de/cards/blog/{post.slug}.jpg",
                length=1000, sha256="0" * 64, alt="Karte: Ko-Kreation")
    snippet = meta_tags(post, site.settings, card)
    assert one(snippet, "og:image") == card.url
    assert one(snippet, "og:image:secure_url") == card.url
    assert one(snippet, "twitter:image") == card.url
    assert one(snippet, "og:image:type") == "image/jpeg"
    assert (one(snippet, "og:image:width"), one(snippet, "og:image:height")) == ("1200", "630")
    assert one(snippet, "og:image:alt") == one(snippet, "twitter:image:alt") == "Karte: Ko-Kreation"


def test_meta_files_are_rewritten_only_when_they_change(example, tmp_path):
    site, _ = example
    first = build(site, tmp_path)
    second = build(site, tmp_path)
    assert any(path.startswith("meta/") for path in first.changed)
    assert not any(path.startswith("meta/") for path in second.changed)


# ---------------------------------------------------------------- the fixture site

def test_title_with_quotes_angle_brackets_and_ampersand_is_escaped(meta_site):
    site, result = meta_site
    snippet = snippet_of(result, "sonderzeichen")
    title = 'Wir sagen "Hallo" & <Welt> – Bürger*innen'
    assert '&quot;Hallo&quot; &amp; &lt;Welt&gt;' in snippet
    assert "<Welt>" not in snippet
    assert one(snippet, "og:title") == one(snippet, "twitter:title") == title
    assert one(snippet, "og:site_name") == "Meta & <Friends>"
    assert values(snippet, "article:tag") == ["a&b", "<tag>", "community"]


def test_description_is_plain_text(meta_site):
    site, result = meta_site
    snippet = snippet_of(result, "sonderzeichen")
    assert one(snippet, "og:description") == (
        'Beschreibung mit "Zitat", Tag & Bürger*innen und einem Link.')


def test_long_description_is_cut_at_a_word_with_an_ellipsis(meta_site):
    site, result = meta_site
    post = site.post_by_slug("lange-beschreibung")
    description = one(snippet_of(result, post.slug), "og:description")
    assert len(post.excerpt) > 200
    assert len(description) <= 200
    assert description.endswith("…")
    kept = description.removesuffix("…")
    assert post.excerpt.startswith(kept)
    assert post.excerpt[len(kept)] == " "  # the cut falls between two words


def test_first_paragraph_is_the_description_when_nothing_else_is_given(meta_site):
    site, result = meta_site
    assert one(snippet_of(result, "ohne-alles"), "og:description") == (
        "Der erste Absatz wird zur Beschreibung, wenn weder og-description noch excerpt gesetzt sind.")


def test_twitter_creator_from_the_post_else_the_site(meta_site):
    site, result = meta_site
    assert one(snippet_of(result, "sonderzeichen"), "twitter:creator") == "@notknut"
    assert one(snippet_of(result, "lange-beschreibung"), "twitter:creator") == "@metafriends"
    assert one(snippet_of(result, "lange-beschreibung"), "twitter:site") == "@metafriends"


def test_secure_url_only_for_https_images(meta_site):
    site, result = meta_site
    remote = snippet_of(result, "lange-beschreibung")
    local = snippet_of(result, "ohne-alles")
    assert one(remote, "og:image") == "https://images.example.org/photo.jpg"
    assert one(remote, "og:image:secure_url") == "https://images.example.org/photo.jpg"
    assert one(local, "og:image") == "http://meta.example/blog/standard.png"
    assert values(local, "og:image:secure_url") == []


def test_remote_image_has_no_invented_size(meta_site):
    site, result = meta_site
    remote = snippet_of(result, "lange-beschreibung")
    assert values(remote, "og:image:width") == values(remote, "og:image:height") == []
    assert one(snippet_of(result, "ohne-alles"), "og:image:width") == "120"


def test_times_carry_the_offset_of_the_front_matter(meta_site):
    site, result = meta_site
    snippet = snippet_of(result, "lange-beschreibung")
    assert one(snippet, "article:published_time") == "2024-03-02T18:30:00+01:00"
    assert one(snippet, "article:modified_time") == "2024-04-05T09:15:00+02:00"


def test_bare_language_gets_a_region_for_og_locale(meta_site):
    site, result = meta_site
    assert site.settings.site.language == "de"
    assert one(snippet_of(result, "ohne-alles"), "og:locale") == "de_DE"


def test_post_without_topic_has_no_section_and_no_tags(meta_site):
    site, result = meta_site
    snippet = snippet_of(result, "ohne-alles")
    assert values(snippet, "article:section") == values(snippet, "article:tag") == []


# ---------------------------------------------------------------- the real site

def test_every_real_post_gets_complete_parseable_tags():
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not present at {CORPUS}")
    site = load_site(CORPUS)
    assert len(site.posts) > 100
    for post in site.posts:
        snippet = meta_tags(post, site.settings, None)
        parsed = parse(snippet)
        assert parsed.other == [] and len(parsed.tags) == len(snippet.splitlines())
        assert one(snippet, "og:title") == post.title
        assert 0 < len(one(snippet, "og:description")) <= 200
        assert one(snippet, "og:image").startswith("https://codefor.de/")
        assert one(snippet, "og:locale") == "de_DE"
        assert one(snippet, "twitter:creator").startswith("@")


# ---------------------------------------------------------------- the rules on their own

@pytest.mark.parametrize("language, locale", [
    ("de-DE", "de_DE"), ("de", "de_DE"), ("en", "en_US"), ("en-gb", "en_GB"),
    ("pt_BR", "pt_BR"), ("zh-Hans-CN", "zh_CN"), ("fy", "fy_FY"), ("", ""),
])
def test_og_locale_is_language_underscore_region(language, locale):
    assert og_locale(language) == locale


@pytest.mark.parametrize("value, handle", [
    ("@codeforde", "@codeforde"), ("notknut", "@notknut"), ("https://twitter.com/codeforde", "@codeforde"),
    ("https://x.com/codeforde/", "@codeforde"), ("", ""), ("https://example.org/me", ""),
])
def test_twitter_handles_are_normalised_to_at_name(value, handle):
    assert twitter_handle(value) == handle


def test_one_word_longer_than_the_limit_is_cut_hard():
    assert cut_at_word("x" * 300, 200) == "x" * 199 + "…"


@hypothesis_settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_cut_never_exceeds_the_limit_and_keeps_a_prefix(text):
    cut = cut_at_word(text, 200)
    assert len(cut) <= 200
    if len(text) <= 200:
        assert cut == text
    else:
        assert cut.endswith("…") and text.startswith(cut.removesuffix("…").rstrip())


@hypothesis_settings(max_examples=60, deadline=None)
@given(title=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120))
def test_any_title_survives_the_round_trip_through_an_html_parser(example, title):
    site, _ = example
    post = dataclasses.replace(site.post_by_slug(SEED_SLUG), title=title)
    snippet = meta_tags(post, site.settings, None)
    parsed = parse(snippet)
    assert parsed.other == []
    expected = " ".join(title.split())
    assert values(snippet, "og:title") == ([expected] if expected else [])
