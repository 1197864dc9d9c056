"""The preview gallery's pages over HTTP: the index (paged, searched, filtered), a page per post keyed
by its URL path, the feeds and the diagnostics; and its warning rules on the real corpus."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import quote

import httpx
import pytest
from PIL import Image
from test_server_support import LONG_TITLE, built_and_served, corpus_served, small_site

from syndicate.server.gallery import POSTS_PER_PAGE, Gallery, Query, index_page, post_page_url
from syndicate.server.preview import WARNING_KINDS, PostPreview, PreviewWarning

ROW_TITLE = re.compile(r'<li class="row">.*?<h2><a href="([^"]+)">([^<]+)</a>', re.S)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = small_site(tmp_path_factory.mktemp("site"))
    with built_and_served(root, root / "public") as (base_url, manifest), \
            httpx.Client(base_url=base_url, timeout=30) as client:
        yield client, manifest


@pytest.fixture(scope="module")
def corpus_gallery(tmp_path_factory):
    with corpus_served(tmp_path_factory) as (base_url, manifest), \
            httpx.Client(base_url=base_url, timeout=30) as client:
        yield client, manifest


def titles(page: str) -> list[str]:
    return [html.unescape(title) for _, title in ROW_TITLE.findall(page)]


def post_path(entry: dict, base_url: str) -> str:
    return entry["url"].removeprefix(base_url)


# ---------------------------------------------------------------- the index

def test_every_post_has_a_page_keyed_by_its_url_path(small):
    client, manifest = small
    base = manifest["site"]["base_url"]
    index = client.get("/_preview/").text
    links = {html.unescape(title): href for href, title in ROW_TITLE.findall(index)}
    for entry in manifest["posts"]:
        href = "/_preview/post/" + post_path(entry, base)
        assert links[entry["title"]] == href
        page = client.get(href)
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        assert f"<h1 lang=\"de-DE\">{entry['title']}</h1>" in page.text
        assert page.text.count('<section class="pv ') == 6


def test_a_post_page_answers_with_and_without_its_trailing_slash_and_percent_encoded(small):
    client, manifest = small
    entry = next(e for e in manifest["posts"] if "%" in e["url"])
    path = post_path(entry, manifest["site"]["base_url"])
    assert "%" in path  # the manifest's URL is percent-encoded
    assert client.get("/_preview/post/" + path).status_code == 200
    moved = client.get("/_preview/post/" + path.rstrip("/"))
    assert moved.status_code == 308 and moved.headers["location"] == "/_preview/post/" + path
    assert client.get("/_preview/post/blog/no-such-post/").status_code == 404
    assert client.get("/_preview/nothing/").status_code == 404


def test_search_by_title_ignores_case_and_accents(small):
    client, _ = small
    assert titles(client.get("/_preview/", params={"q": "GRUSSE aus"}).text) == ["Grüße aus der Stadt"]
    assert titles(client.get("/_preview/", params={"q": "stadt"}).text) == ["Grüße aus der Stadt"]
    page = client.get("/_preview/", params={"q": "nirgends"}).text
    assert titles(page) == [] and "No post with “nirgends” in the title." in page


def test_filter_by_warning_kind(small):
    client, manifest = small
    page = client.get("/_preview/", params={"warning": "title-cut"}).text
    assert titles(page) == [LONG_TITLE]
    assert 'with the warning “Title cut”' in page
    everything = titles(client.get("/_preview/").text)
    warned = titles(client.get("/_preview/", params={"warning": "any"}).text)
    calm = titles(client.get("/_preview/", params={"warning": "none"}).text)
    assert sorted(warned + calm) == sorted(everything) == sorted(p["title"] for p in manifest["posts"])
    assert "Ohne Bild" in titles(client.get("/_preview/", params={"warning": "fallback-image"}).text)


def test_unknown_query_values_are_ignored(small):
    client, manifest = small
    page = client.get("/_preview/", params={"warning": "<script>", "page": "-3", "q": ""})
    assert page.status_code == 200 and "<script>" not in page.text
    assert len(titles(page.text)) == len(manifest["posts"])


def gallery_of(count: int) -> Gallery:
    kinds = list(WARNING_KINDS)
    posts = tuple(PostPreview(
        key=f"blog/beitrag-{n}/", source=f"content/blog/beitrag-{n}.md", title=f"Beitrag Nummer {n} über Daten",
        url=f"https://blog.example.org/blog/beitrag-{n}/", published="2024-01-01", card=f"/cards/beitrag-{n}.jpg",
        card_alt="", meta=f"/meta/beitrag-{n}.html", previews=(),
        warnings=(PreviewWarning(kinds[n % len(kinds)], "…"),) if n % 3 else ()) for n in range(count))
    return Gallery("Blog", "de", posts)


def test_the_index_of_10000_posts_is_paged_and_small():
    gallery = gallery_of(10_000)
    first = index_page(gallery, Query())
    assert len(first.encode()) < 60_000
    assert len(titles(first)) == POSTS_PER_PAGE
    assert 'href="/_preview/?page=200" aria-label="Page 200"' in first
    last = index_page(gallery, Query(page=200))
    assert titles(last)[-1] == "Beitrag Nummer 9999 über Daten"
    assert 'rel="next"' not in last and 'rel="prev"' in last
    beyond = index_page(gallery, Query(page=999))
    assert titles(beyond) == titles(last)  # past the end: the last page
    found = index_page(gallery, Query(text="nummer 4242"))
    assert titles(found) == ["Beitrag Nummer 4242 über Daten"]


def test_paging_keeps_the_search_and_the_filter():
    gallery = gallery_of(1_000)
    page = index_page(gallery, Query(text="daten", warning="title-cut"))
    assert 'href="/_preview/?q=daten&amp;warning=title-cut&amp;page=2"' in page


def test_post_page_urls_quote_what_needs_quoting():
    assert post_page_url("blog/grüße aus/") == "/_preview/post/blog/gr%C3%BC%C3%9Fe%20aus/"


def test_the_index_shows_cards_as_small_copies_that_follow_the_card(small):
    client, manifest = small
    entry = manifest["posts"][0]
    index = client.get("/_preview/").text
    assert f'src="/_preview/thumbnails/{quote(entry["card"])}"' in index
    thumbnail = client.get(f"/_preview/thumbnails/{quote(entry['card'])}")
    card = client.get("/" + quote(entry["card"]))
    assert thumbnail.headers["content-type"] == "image/jpeg" and thumbnail.headers["cache-control"] == "no-cache"
    assert len(thumbnail.content) * 3 < len(card.content)  # a tenth on a real photo (bench_gallery)
    assert Image.open(io.BytesIO(thumbnail.content)).size == (480, 252)
    again = client.get(f"/_preview/thumbnails/{quote(entry['card'])}", headers={"If-None-Match": thumbnail.headers["etag"]})
    assert again.status_code == 304
    for target in ("/_preview/thumbnails/meta/x.html", "/_preview/thumbnails/../manifest.json",
                   "/_preview/thumbnails/cards/none.jpg"):
        assert client.get(target).status_code == 404, target


# ---------------------------------------------------------------- feeds and diagnostics

def test_the_feeds_page_links_each_feeds_page_formats_and_archive_pages(small):
    client, manifest = small
    page = client.get("/_preview/feeds/").text
    for feed in manifest["feeds"]:
        target = feed["page"] if feed["archive"] else feed["path"]
        assert f'href="/{quote(target)}"' in page, target
    for page_path in {feed["page"] for feed in manifest["feeds"] if not feed["archive"]}:
        assert f'<a href="/{quote(page_path)}">' in page
    assert client.get("/_preview/feeds").status_code == 308


def test_the_diagnostics_page_lists_them_by_level_and_links_the_posts(small):
    client, manifest = small
    page = client.get("/_preview/diagnostics/").text
    assert page.count('<li class="warning">') + page.count('<li class="error">') == len(manifest["diagnostics"]) > 0
    missing = next(d for d in manifest["diagnostics"] if "fehlt.jpg" in d["message"])
    entry = next(e for e in manifest["posts"] if e["source"] == missing["file"])
    assert f'href="/_preview/post/{post_path(entry, manifest["site"]["base_url"])}"' in page
    errors = client.get("/_preview/diagnostics/", params={"level": "error"}).text
    assert '<li class="warning">' not in errors


# ---------------------------------------------------------------- the real corpus

def test_on_the_corpus_only_posts_without_description_or_excerpt_warn_about_it(corpus_gallery):
    client, manifest = corpus_gallery
    by_source = {entry["source"]: entry for entry in manifest["posts"]}
    assert {entry["description_source"] for entry in by_source.values()} == {"description", "excerpt", "summary"}
    page = client.get("/_preview/", params={"warning": "description-from-text"}).text
    listed = set(titles(page))
    assert listed == {e["title"] for e in by_source.values() if e["description_source"] == "summary"}
    assert 0 < len(listed) < 30  # not the 186 warnings an excerpt used to give


def test_the_corpus_index_is_small_and_every_post_is_on_one_of_its_pages(corpus_gallery):
    client, manifest = corpus_gallery
    seen, href = [], "/_preview/"
    while href:
        page = client.get(href).text
        assert len(page.encode()) < 200_000
        seen += titles(page)
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        href = found.group(1).replace("&amp;", "&") if found else None
    assert sorted(seen) == sorted(entry["title"] for entry in manifest["posts"])
