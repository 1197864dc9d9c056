"""Feeds as feed readers see them: built with the real pipeline, read back with feedparser,
checked against the W3C Feed Validation Service's rules (test_feeds_validator.validate)."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import write_site
from lxml import etree
from test_feeds_validator import problems, validate

from syndicate.build import build
from syndicate.cards import Card
from syndicate.dates import rfc3339
from syndicate.feeds import build_feeds
from syndicate.site import load_site

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "sites" / "feeds"
NO_CARDS = {"build": {"cards": False}}


class Built:
    """A site built into a folder, with the manifest and each feed document at hand."""

    def __init__(self, site_dir: Path | None, out: Path, overrides: dict | None = None, site=None, result=None):
        self.site = site or load_site(site_dir, {**NO_CARDS, **(overrides or {})})
        self.result = result or build(self.site, out)
        self.out = out
        self.manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        self.feeds = self.manifest["feeds"]

    def data(self, entry: dict) -> bytes:
        return (self.out / entry["path"]).read_bytes()

    def by_path(self, path: str) -> dict:
        return next(entry for entry in self.feeds if entry["path"] == path)

    def parsed(self, path: str):
        return feedparser.parse(self.data(self.by_path(path)))

    def xml_feeds(self) -> list[dict]:
        return [entry for entry in self.feeds if entry["format"] in ("atom", "rss")]

    def path_of(self, url: str) -> str:
        base = self.site.settings.site.base_url
        assert url.startswith(base), url
        return url[len(base):]


@pytest.fixture(scope="module")
def corpus_build(corpus_build) -> Built:  # noqa: F811 - the session's build of codefor.de, reused
    built = corpus_build("codefor.de")
    return Built(None, built.out, site=built.site, result=built.result)


@pytest.fixture(scope="module")
def embedded_build(tmp_path_factory) -> Built:
    return Built(REPO, tmp_path_factory.mktemp("embedded-out"))


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory) -> Built:
    return Built(FIXTURE, tmp_path_factory.mktemp("fixture-out"))


# ---------------------------------------------------------------- validity

def shared_timestamps(built: Built) -> set[str]:
    counts = Counter(rfc3339(post.updated) for post in built.site.posts)
    return {stamp for stamp, count in counts.items() if count > 1}


def assert_valid(built: Built) -> None:
    genuine = shared_timestamps(built)
    for entry in built.xml_feeds():
        events = validate(built.data(entry), entry["url"])
        assert problems(events, allow=("DuplicateUpdated",)) == [], entry["path"]
        for event in events:  # never an invented time: only posts that really share one
            assert event.detail in genuine, (entry["path"], str(event))


def test_every_corpus_feed_passes_the_validator_rules_except_for_genuinely_shared_timestamps(corpus_build):
    assert_valid(corpus_build)


def test_every_embedded_site_feed_passes_the_validator_rules(embedded_build):
    assert embedded_build.xml_feeds()
    assert_valid(embedded_build)


def test_the_fixture_warns_only_where_its_data_asks_for_it(fixture_build):
    """Its one post with markup in the title gets the service's ContainsHTML heuristics; nothing else."""
    for entry in fixture_build.xml_feeds():
        events = validate(fixture_build.data(entry), entry["url"])
        for event in events:
            if event.name in ("ContainsHTML", "ContainsUndeclaredHTML"):
                assert event.where.startswith("title") and event.detail == "b"
            else:
                assert event.name == "DuplicateUpdated" and event.detail in shared_timestamps(fixture_build)


@pytest.mark.parametrize("which", ["corpus_build", "embedded_build", "fixture_build"])
def test_feedparser_reads_every_feed_without_complaint(which, request):
    built: Built = request.getfixturevalue(which)
    for entry in built.xml_feeds():
        parsed = feedparser.parse(built.data(entry))
        assert parsed.bozo == 0, (entry["path"], parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if entry["format"] == "atom" else "rss20")
        assert len(parsed.entries) == entry["entries"]
    for entry in built.feeds:
        if entry["format"] == "json":
            assert_json_feed(json.loads(built.data(entry)), entry)


def assert_json_feed(feed: dict, entry: dict) -> None:
    """JSON Feed 1.1's required members and types (jsonfeed.org/version/1.1)."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == entry["url"]
    assert len(feed["items"]) == entry["entries"]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html", item.get("content_text")), str)
        for key in ("url", "image"):
            if key in item:
                assert urlsplit(item[key]).scheme in ("http", "https")
        for key in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[key]).utcoffset() is not None
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        assert all(isinstance(author["name"], str) for author in item["authors"])


class _Links(HTMLParser):
    ATTRIBUTES = {"href", "src", "poster", "cite", "action", "data", "background", "longdesc"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES and value is not None:
                self.urls.append(value)
            elif name == "srcset" and value:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]


def urls_in(fragment: str) -> list[str]:
    parser = _Links()
    parser.feed(fragment)
    return parser.urls


def test_no_relative_url_in_any_content_of_any_corpus_feed(corpus_build):
    checked = 0
    for entry in corpus_build.feeds:
        if entry["format"] == "json":
            fragments = [item.get("content_html", "") for item in json.loads(corpus_build.data(entry))["items"]]
        else:
            parsed = feedparser.parse(corpus_build.data(entry), sanitize_html=False, resolve_relative_uris=False)
            fragments = [part.value for item in parsed.entries for part in item.get("content", [])]
            fragments += [item.get("summary", "") for item in parsed.entries]
        for fragment in fragments:
            for url in urls_in(fragment):
                checked += 1
                assert urlsplit(url).scheme, (entry["path"], url)
    assert checked > 1000


# ---------------------------------------------------------------- selection and history

def chain(built: Built, current: dict) -> list[str]:
    """Every entry's link, following prev-archive (JSON: next_url) from the current document."""
    links: list[str] = []
    url, seen = current["url"], set()
    while url:
        assert url not in seen, f"archive loop at {url}"
        seen.add(url)
        data = (built.out / built.path_of(url)).read_bytes()
        if current["format"] == "json":
            feed = json.loads(data)
            links += [item["url"] for item in feed["items"]]
            url = feed.get("next_url")
        else:
            parsed = feedparser.parse(data)
            links += [item.link for item in parsed.entries]
            url = next((link.href for link in parsed.feed.links if link.rel == "prev-archive"), None)
    return links


def expected_posts(built: Built, taxonomy: str | None, term: str | None) -> Counter:
    if taxonomy is None:
        return Counter(post.url for post in built.site.posts)
    return Counter(post.url for post in built.site.posts
                   if term.casefold() in {t.casefold() for t in post.taxonomies.get(taxonomy, ())})


@pytest.mark.parametrize("which", ["corpus_build", "fixture_build"])
def test_the_archive_chain_of_every_feed_reaches_each_of_its_posts_exactly_once(which, request):
    built: Built = request.getfixturevalue(which)
    currents = [entry for entry in built.feeds if entry["archive"] is None]
    assert {entry["taxonomy"] for entry in currents} >= {None, "topic"}
    for current in currents:
        expected = expected_posts(built, current["taxonomy"], current["term"])
        assert Counter(chain(built, current)) == expected, current["path"]
        assert current["total"] == sum(expected.values())
        assert current["entries"] == min(built.site.settings.feeds.limit, current["total"])


def test_current_documents_hold_the_newest_posts_and_say_when_they_changed(fixture_build):
    newest = sorted(fixture_build.site.posts, key=lambda post: (post.published, post.source))[-3:]
    atom = fixture_build.parsed("feeds/atom.xml")
    assert [entry.link for entry in atom.entries] == [post.url for post in reversed(newest)]
    assert atom.feed.updated == max(entry.updated for entry in atom.entries)
    rss = fixture_build.parsed("feeds/rss.xml")
    assert rss.feed.updated_parsed == max(entry.published_parsed for entry in rss.entries)


def test_archive_documents_are_marked_and_link_current_and_neighbours(fixture_build):
    page = fixture_build.data(fixture_build.by_path("feeds/atom/archive/1.xml"))
    root = etree.fromstring(page)
    assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
    links = {link.get("rel"): link.get("href") for link in root.findall("{http://www.w3.org/2005/Atom}link")}
    assert links["current"] == "https://Blog.Example.org/pfad/feeds/atom.xml"
    assert links["next-archive"] == "https://Blog.Example.org/pfad/feeds/atom/archive/2.xml"
    assert "prev-archive" not in links
    rss = etree.fromstring(fixture_build.data(fixture_build.by_path("feeds/rss/archive/2.xml")))
    assert rss.find("channel/{http://purl.org/syndication/history/1.0}archive") is not None
    current = etree.fromstring(fixture_build.data(fixture_build.by_path("feeds/atom.xml")))
    assert current.find("{http://purl.org/syndication/history/1.0}archive") is None


def test_taxonomy_terms_are_merged_by_case_slugified_and_counted_for_each_comma_separated_term(fixture_build):
    paths = {entry["path"] for entry in fixture_build.feeds if entry["archive"] is None}
    assert {"feeds/lab/berlin/atom.xml", "feeds/tags/uemlaute/rss.xml", "feeds/topic/story/feed.json",
            "feeds/tags/karten/atom.xml"} <= paths
    berlin = fixture_build.by_path("feeds/lab/berlin/atom.xml")
    assert (berlin["term"], berlin["total"]) == ("berlin", 2)  # "berlin" and "Berlin"
    story = fixture_build.by_path("feeds/topic/story/atom.xml")
    assert story["total"] == 3  # "Story" and "story"
    event = [entry.title for entry in fixture_build.parsed("feeds/topic/event/atom.xml").entries]
    community = [entry.title for entry in fixture_build.parsed("feeds/topic/community/atom.xml").entries]
    assert "Zweiter Beitrag" in event and "Zweiter Beitrag" in community
    assert fixture_build.parsed("feeds/topic/story/atom.xml").feed.title == "Beispiel & Co – topic: story"


def test_drafts_and_future_posts_stay_out_unless_asked_for(fixture_build, tmp_path):
    titles = {entry.title for entry in chain_entries(fixture_build, "feeds/atom.xml")}
    assert "Entwurf" not in titles and "Aus der Zukunft" not in titles
    asked = Built(FIXTURE, tmp_path, {"build": {"cards": False, "drafts": True, "future": True}})
    titles = {entry.title for entry in chain_entries(asked, "feeds/atom.xml")}
    assert {"Entwurf", "Aus der Zukunft"} <= titles


def chain_entries(built: Built, path: str) -> list:
    entries, url = [], built.by_path(path)["url"]
    while url:
        parsed = feedparser.parse((built.out / built.path_of(url)).read_bytes())
        entries += parsed.entries
        url = next((link.href for link in parsed.feed.links if link.rel == "prev-archive"), None)
    return entries


# ---------------------------------------------------------------- every field, read back

def entry_titled(built: Built, path: str, title: str):
    return next(entry for entry in chain_entries(built, path) if entry.title == title)


@pytest.mark.parametrize("path", ["feeds/atom.xml", "feeds/rss.xml"])
def test_ids_are_tag_uris_unless_the_front_matter_gives_a_usable_one(fixture_build, path):
    assert entry_titled(fixture_build, path, "Erster Beitrag").id == \
        "tag:blog.example.org,2021-01-10:/blog/erster-beitrag/"
    assert entry_titled(fixture_build, path, "Zweiter Beitrag").id == "urn:uuid:0b3a6a0e-5e43-4d6a-9a55-1f2d6c0e8a11"
    assert entry_titled(fixture_build, path, "Schlechte id").id == "tag:blog.example.org,2021-07-16:/blog/schlechte-id/"


def test_an_unusable_id_is_reported_where_it_is_written(fixture_build):
    warnings = [d for d in fixture_build.result.diagnostics if d.file.endswith("2021-07-16-schlechte-id.md")]
    assert [(d.level, d.line) for d in warnings] == [("warning", 3)]
    assert "not an absolute URI" in warnings[0].message


def test_dates_keep_their_zone_rfc3339_in_atom_and_rfc822_in_rss(fixture_build):
    atom = entry_titled(fixture_build, "feeds/atom.xml", "Zweiter Beitrag")
    assert (atom.published, atom.updated) == ("2021-02-11T00:00:00+01:00", "2021-03-01T09:30:00+01:00")
    rss = entry_titled(fixture_build, "feeds/rss.xml", "Zweiter Beitrag")
    assert rss.published == "Thu, 11 Feb 2021 00:00:00 +0100"
    # +05:45 is no RFC 822 zone the validator accepts: the same moment, in UTC
    nepal = entry_titled(fixture_build, "feeds/rss.xml", "Grüße aus Kathmandu")
    assert nepal.published == "Fri, 14 May 2021 04:15:00 +0000"
    assert entry_titled(fixture_build, "feeds/atom.xml", "Grüße aus Kathmandu").published == "2021-05-14T04:15:00+00:00"


@pytest.mark.parametrize("path", ["feeds/atom.xml", "feeds/rss.xml"])
def test_links_authors_categories_and_content_round_trip(fixture_build, path):
    entry = entry_titled(fixture_build, path, "Erster Beitrag")
    assert entry.link == "https://Blog.Example.org/pfad/blog/erster-beitrag/"
    assert [link.href for link in entry.links if link.rel == "alternate"] == [entry.link]
    assert entry.author == "Ada"
    assert {(tag.term, tag.scheme) for tag in entry.tags} == {
        ("community", "https://Blog.Example.org/pfad/topic/"), ("berlin", "https://Blog.Example.org/pfad/lab/"),
        ("daten", "https://Blog.Example.org/pfad/tags/"), ("Karten", "https://Blog.Example.org/pfad/tags/")}
    content = entry.content[0].value
    assert 'href="https://Blog.Example.org/pfad/blog/zweiter/"' in content
    assert 'src="https://Blog.Example.org/blog/foto.jpg"' in content  # site-absolute, as a browser reads it
    assert entry.summary.startswith("Der erste Beitrag mit einem relativen Link")
    assert entry_titled(fixture_build, path, "Ohne Bild").author == "Redaktion"


@pytest.mark.parametrize("path", ["feeds/atom.xml", "feeds/rss.xml"])
def test_the_photo_is_enclosure_and_media_with_its_real_length_and_type(fixture_build, path):
    entry = entry_titled(fixture_build, path, "Erster Beitrag")
    size = (FIXTURE / "static" / "blog" / "foto.jpg").stat().st_size
    [enclosure] = entry.enclosures
    # foto.jpg holds PNG bytes: the type comes from the bytes, not the name
    assert (enclosure.href, int(enclosure.length), enclosure.type) == (
        "https://Blog.Example.org/pfad/blog/foto.jpg", size, "image/png")
    assert entry.media_thumbnail[0]["url"] == enclosure.href
    assert (entry.media_content[0]["url"], entry.media_content[0]["type"]) == (enclosure.href, "image/png")
    second = entry_titled(fixture_build, path, "Zweiter Beitrag")
    assert second.enclosures[0].type == "image/jpeg"


def test_a_post_without_photo_gets_its_card_as_enclosure_and_thumbnail(fixture_build):
    post = next(post for post in fixture_build.site.posts if post.title == "Ohne Bild")
    card = Card(path="cards/ohne-bild.jpg", url="https://Blog.Example.org/pfad/cards/ohne-bild.jpg",
                length=54321, sha256="0" * 64)
    feeds = build_feeds(fixture_build.site, {post.source: card})
    for name in ("feeds/atom/archive/1.xml", "feeds/rss/archive/1.xml"):
        document = next(feed for feed in feeds if feed.path == name)
        entry = next(e for e in feedparser.parse(document.data).entries if e.title == "Ohne Bild")
        assert (entry.enclosures[0].href, entry.enclosures[0].length, entry.enclosures[0].type) == (
            card.url, "54321", "image/jpeg")
        assert entry.media_thumbnail[0] == {"url": card.url, "width": "1200", "height": "630"}
        assert validate(document.data, document.url) == []
    assert "Ohne Bild" not in {e.title for e in fixture_build.parsed("feeds/atom/archive/1.xml").entries
                               if e.get("enclosures")}


def test_feed_level_links_hubs_language_generator_and_images(fixture_build):
    for path, media_type in (("feeds/atom.xml", "application/atom+xml"), ("feeds/rss.xml", "application/rss+xml")):
        feed = fixture_build.parsed(path).feed
        rels = [(link.rel, link.href) for link in feed.links]
        assert ("self", f"https://Blog.Example.org/pfad/{path}") in rels
        assert ("alternate", "https://Blog.Example.org/pfad/blog/") in rels
        assert [href for rel, href in rels if rel == "hub"] == [
            "https://hub.example.net/", "https://pubsubhubbub.example.com/"]
        assert feed.language == "de-DE"
        assert feed.title == "Beispiel & Co"
        if path.endswith("atom.xml"):  # feedparser reads an RSS description as HTML; it is plain text
            assert feed.subtitle == "Ein Blog über <Daten> & Städte"
        assert feed.generator == "syndicate"
    atom = fixture_build.parsed("feeds/atom.xml").feed
    assert atom.icon == "https://Blog.Example.org/pfad/favicon.png"
    assert atom.logo == "https://Blog.Example.org/pfad/logo.png"
    assert fixture_build.parsed("feeds/rss.xml").feed.image.href == "https://Blog.Example.org/pfad/logo.png"
    assert atom.id == "https://blog.example.org/pfad/feeds/atom.xml"
    json_feed = json.loads(fixture_build.data(fixture_build.by_path("feeds/feed.json")))
    assert json_feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"},
                                 {"type": "WebSub", "url": "https://pubsubhubbub.example.com/"}]
    assert json_feed["next_url"] == "https://Blog.Example.org/pfad/feeds/json/archive/2.json"


def test_markup_emoji_rtl_and_cdata_ends_survive_as_plain_text(fixture_build):
    title = 'Sonderzeichen 😀 שלום <b>fett</b> ]]> & "Zitat" Glocke'  # the bell character is gone
    atom = entry_titled(fixture_build, "feeds/atom.xml", title)
    assert atom.title_detail.type == "text/plain"
    rss = etree.fromstring(fixture_build.data(fixture_build.by_path("feeds/rss/archive/2.xml")))
    assert title in [item.findtext("title") for item in rss.iter("item")]
    assert b"&#x3C;b&gt;fett&#x3C;/b&gt; ]]&gt; &#x26;" in fixture_build.data(
        fixture_build.by_path("feeds/rss/archive/2.xml"))
    items = json.loads(fixture_build.data(fixture_build.by_path("feeds/json/archive/2.json")))["items"]
    item = next(item for item in items if item["title"] == title)
    assert "🎉" in item["content_html"] and "مرحبا" in item["content_html"] and "]]&gt;" in item["content_html"]
    assert "<script" not in item["content_html"]


def test_json_feed_items_carry_every_field(fixture_build):
    items = json.loads(fixture_build.data(fixture_build.by_path("feeds/json/archive/1.json")))["items"]
    first = next(item for item in items if item["title"] == "Erster Beitrag")
    assert first == {
        "id": "tag:blog.example.org,2021-01-10:/blog/erster-beitrag/",
        "url": "https://Blog.Example.org/pfad/blog/erster-beitrag/",
        "title": "Erster Beitrag",
        "content_html": first["content_html"],
        "summary": first["summary"],
        "image": "https://Blog.Example.org/pfad/blog/foto.jpg",
        "date_published": "2021-01-10T00:00:00+01:00",
        "date_modified": "2021-01-10T00:00:00+01:00",
        "authors": [{"name": "Ada"}],
        "tags": ["community", "berlin", "daten", "Karten"],
        "language": "de-DE",
        "attachments": [{"url": "https://Blog.Example.org/pfad/blog/foto.jpg", "mime_type": "image/png",
                         "size_in_bytes": (FIXTURE / "static" / "blog" / "foto.jpg").stat().st_size}],
    }


# ---------------------------------------------------------------- output

def test_the_stylesheet_is_written_and_turns_every_feed_into_a_page(fixture_build):
    xsl_path = fixture_build.out / "feeds" / "feed.xsl"
    transform = etree.XSLT(etree.parse(str(xsl_path)))
    for path in ("feeds/atom.xml", "feeds/rss.xml", "feeds/topic/story/atom.xml", "feeds/atom/archive/1.xml",
                 "feeds/rss/archive/1.xml"):
        data = fixture_build.data(fixture_build.by_path(path))
        href = re.search(rb'<\?xml-stylesheet type="text/xsl" href="([^"]+)"\?>', data).group(1).decode()
        assert (fixture_build.out / path).parent.joinpath(href).resolve() == xsl_path.resolve()
        page = etree.HTML(str(transform(etree.fromstring(data))))
        headings = ["".join(h2.itertext()) for h2 in page.iter("h2")]
        assert headings == [entry.title for entry in feedparser.parse(data).entries]
        assert "Web-Feed" in "".join(page.itertext())  # the site's language is German
    archive = str(transform(etree.fromstring(fixture_build.data(fixture_build.by_path("feeds/rss/archive/1.xml")))))
    assert "Archiv" in archive and 'href="https://Blog.Example.org/pfad/feeds/rss.xml"' in archive


def test_every_feed_document_links_its_page_for_people(fixture_build):
    for entry in fixture_build.feeds:
        page_url = fixture_build.site.settings.site.base_url + entry["page"]
        data = fixture_build.data(entry)
        if entry["format"] == "json":
            assert json.loads(data)["_page"] == {"url": page_url}
            continue
        related = [link for link in fixture_build.parsed(entry["path"]).feed.links if link.rel == "related"]
        assert [(link.href, link.type) for link in related] == [(page_url, "text/html")], entry["path"]
        assert (fixture_build.out / entry["page"]).is_file()


def test_a_feed_page_shows_what_the_xsl_shows_without_xslt(fixture_build):
    for entry in fixture_build.feeds:
        page = etree.HTML((fixture_build.out / entry["page"]).read_bytes())
        text = "".join(page.itertext())
        titles = ["".join(h3.itertext()) for h3 in page.iter("h3")]
        data = fixture_build.data(entry)
        in_feed = ([item["title"] for item in json.loads(data)["items"]] if entry["format"] == "json"
                   else [e.title for e in feedparser.parse(data).entries])
        assert titles == in_feed, entry["page"]
        assert page.get("lang") == "de-DE" and "Web-Feed" in text
        addresses = [code.text for code in page.iterfind(".//section[@class='about']//code")]
        current = [e for e in fixture_build.feeds if e["taxonomy"] == entry["taxonomy"]
                   and e["term"] == entry["term"] and e["archive"] is None]
        assert addresses == [e["url"] for e in current]
        links = [posixpath.normpath(posixpath.join(posixpath.dirname(entry["page"]), link.get("href")))
                 for link in page.iterfind(".//section[@class='about']//a")]
        assert links == [e["path"] for e in current]  # relative: they work on the site and under serve
        assert ("Archiv" in text) == (entry["archive"] is not None)
    archive = etree.HTML((fixture_build.out / "feeds/archive/1.html").read_bytes())
    newest = archive.find(".//nav//a")
    assert newest.text == "Neueste Beiträge" and newest.get("href") == "../index.html"


def test_manifest_lists_every_feed_document_with_entries_and_sha256(fixture_build):
    import hashlib
    for entry in fixture_build.feeds:
        data = fixture_build.data(entry)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["url"] == fixture_build.site.settings.site.base_url + entry["path"]
        assert set(entry) >= {"path", "url", "format", "taxonomy", "term", "entries", "sha256", "archive", "total"}
    on_disk = {p.relative_to(fixture_build.out).as_posix() for p in (fixture_build.out / "feeds").rglob("*")
               if p.is_file() and p.suffix != ".xsl"}
    pages = {entry["page"] for entry in fixture_build.feeds}
    assert on_disk == {entry["path"] for entry in fixture_build.feeds} | pages
    assert pages <= set(fixture_build.result.manifest["files"])


def test_two_builds_are_byte_identical_and_a_rebuild_rewrites_no_feed(tmp_path):
    first, second = Built(FIXTURE, tmp_path / "a"), Built(FIXTURE, tmp_path / "b")
    for entry in first.feeds:
        assert first.data(entry) == second.data(entry), entry["path"]
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "a" / "feeds").rglob("*") if p.is_file()}
    again = Built(FIXTURE, tmp_path / "a")
    assert not [path for path in again.result.changed if path.startswith("feeds/")]
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "a" / "feeds").rglob("*") if p.is_file()} == before
    assert again.feeds == first.feeds


def test_a_kept_document_is_rendered_again_when_its_file_was_changed_behind_our_back(tmp_path):
    Built(FIXTURE, tmp_path)
    (tmp_path / "feeds" / "atom.xml").write_bytes(b"tampered")
    again = Built(FIXTURE, tmp_path)
    assert "feeds/atom.xml" in again.result.changed
    assert feedparser.parse(again.data(again.by_path("feeds/atom.xml"))).bozo == 0


def posts_for(count: int, start: int = 0) -> dict[str, str]:
    return {f"2022-01-{day:02d}-post-{day}.md": f"---\ntitle: Post {day}\ntopic: story\n---\n\nText {day}.\n"
            for day in range(start + 1, start + count + 1)}


def test_full_archive_pages_keep_their_entries_when_new_posts_arrive(tmp_path):
    site = write_site(tmp_path / "site", posts_for(9),
                      '[site]\nbase_url = "https://example.org/"\ntitle = "T"\n[feeds]\nlimit = 2\n')
    out = tmp_path / "out"
    before = Built(site, out)
    pages = {entry["path"]: before.data(entry) for entry in before.feeds
             if entry["archive"] is not None and entry["entries"] == 2}
    for name, text in posts_for(5, start=9).items():  # five more posts
        (site / "content" / "blog" / name).write_text(text, encoding="utf-8")
    after = Built(site, out)
    for path, data in pages.items():
        old = [e.id for e in feedparser.parse(data).entries]
        assert [e.id for e in after.parsed(path).entries] == old, path
        has_successor = b'rel="next-archive"' in data or b"<link rel=\"next-archive\"" in data
        if has_successor:  # RFC 5005 §4: only the page that gained a successor gains a link
            assert after.data(after.by_path(path)) == data, path


def test_git_history_gives_lastmod_where_the_site_is_a_checkout(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    site = write_site(tmp_path, {"2020-01-01-alt.md": "---\ntitle: Alt\n---\n\nText.\n",
                                 "2020-02-01-mehr-äpfel.md": "---\ntitle: Mehr\n---\n\nText.\n"},
                      '[site]\nbase_url = "https://example.org/"\ntitle = "T"\n')
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def git(*args: str, when: str | None = None) -> None:
        # Hugo's lastmod is the author date; a rebase or cherry-pick moves only the committer date
        extra = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": "2022-01-01T00:00:00+00:00"} if when else {}
        subprocess.run(["git", *args], cwd=site, env={**env, **extra}, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "first", when="2020-03-01T12:00:00+01:00")
    (site / "content" / "blog" / "2020-01-01-alt.md").write_text("---\ntitle: Alt\n---\n\nNeuer Text.\n")
    git("commit", "-q", "-am", "edit", when="2021-06-02T08:15:00+02:00")
    plain = Built(site, tmp_path / "out-plain")
    assert {e.title: e.updated for e in plain.parsed("feeds/atom.xml").entries} == {
        "Alt": "2020-01-01T00:00:00+00:00", "Mehr": "2020-02-01T00:00:00+00:00"}
    with_git = Built(site, tmp_path / "out-git", {"build": {"cards": False}, "content": {"git_info": True}})
    updated = {e.title: e.updated for e in with_git.parsed("feeds/atom.xml").entries}
    assert datetime.fromisoformat(updated["Alt"]) == datetime.fromisoformat("2021-06-02T08:15:00+02:00")
    assert datetime.fromisoformat(updated["Mehr"]) == datetime.fromisoformat("2020-03-01T12:00:00+01:00")
    assert problems(validate(with_git.data(with_git.by_path("feeds/atom.xml")))) == []


def feedgen_document(document) -> bytes:
    """The document as feedgen writes it whole (no entries cut out of batches): the reference."""
    from syndicate.feeds.feedxml import atom_bytes, feed_entry, rss_bytes
    from syndicate.feeds.jsonfeed import feed_object

    if document.format.name == "json":
        return (json.dumps(feed_object(document), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    entries = [feed_entry(item, document.head.language) for item in document.items]
    return (atom_bytes if document.format.name == "atom" else rss_bytes)(document, entries)


@pytest.mark.parametrize("which", ["corpus_build", "fixture_build"])
def test_documents_put_together_from_entries_are_feedgens_own_byte_for_byte(which, request, tmp_path, monkeypatch):
    from syndicate.feeds import entries as entries_module
    from syndicate.feeds import plan_feeds

    built = request.getfixturevalue(which)
    plan = plan_feeds(built.site)
    # In memory, and in scratch files written by two worker processes (the build's way for many entries).
    monkeypatch.setattr(entries_module, "PARALLEL_THRESHOLD", 0)
    for scratch, jobs in ((None, 1), (tmp_path / "scratch", 2)):
        with plan.entries(scratch, jobs) as entries:
            made = entries()
            for document in plan.documents:
                assert made.document(document) == feedgen_document(document), document.path
    assert not list((tmp_path / "scratch").iterdir())  # the scratch files are gone with the block
