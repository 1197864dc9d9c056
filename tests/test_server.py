"""syndicate serve, over a real uvicorn server on 127.0.0.1 and a real HTTP client (httpx)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import run_cli
from test_server_support import HUB, raw_request, retitle, running, small_site

from syndicate.config import load_settings
from syndicate.server import create_app

SECRET = "top secret, outside the output folder"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = small_site(tmp_path_factory.mktemp("site"))
    result = run_cli("build", "--site", str(root), "--out", str(root / "public"))
    assert result.returncode in (0, 1), result.stderr
    (root / "secret.txt").write_text(SECRET)
    return root


@pytest.fixture(scope="module")
def manifest(built) -> dict:
    return json.loads((built / "public" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def server(built) -> str:
    settings = load_settings(built)
    with running(create_app(settings, built / "public")) as base_url:
        yield base_url


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


def feed_paths(manifest: dict, fmt: str) -> list[str]:
    return [f["path"] for f in manifest["feeds"] if f["format"] == fmt]


def test_every_feed_format_is_served_with_its_registered_type_and_utf8(client, manifest):
    expected = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8",
                "json": "application/feed+json; charset=utf-8"}
    assert any(f["archive"] for f in manifest["feeds"])  # archive pages are served by the same rule
    for fmt, content_type in expected.items():
        paths = feed_paths(manifest, fmt)
        assert paths, f"the build made no {fmt} feed"
        for path in paths:
            response = client.get("/" + path)
            assert response.status_code == 200
            assert response.headers["content-type"] == content_type


def test_cards_named_by_their_hash_are_immutable_and_feeds_cached_five_minutes(client, manifest):
    card = manifest["posts"][0]["card"]
    response = client.get("/" + card)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    assert card.split(".")[-2] == hashlib.sha256(response.content).hexdigest()[:8]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    feed = client.get("/feeds/atom.xml")
    assert feed.headers["cache-control"] == "public, max-age=300"


def test_meta_snippets_are_html_and_the_manifest_is_revalidated_each_time(client, manifest):
    meta = client.get("/" + manifest["posts"][0]["meta"])
    assert meta.headers["content-type"] == "text/html; charset=utf-8"
    assert 'property="og:title"' in meta.text
    listing = client.get("/manifest.json")
    assert listing.headers["content-type"] == "application/json; charset=utf-8"
    assert listing.headers["cache-control"] == "no-cache"


def test_the_etag_is_the_manifest_sha256_of_the_bytes(client, manifest):
    for rel, digest in manifest["files"].items():
        response = client.get("/" + rel, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert response.headers["etag"] == f'"{digest}"'


def test_if_none_match_with_the_etag_gives_304_without_a_body(client):
    first = client.get("/feeds/atom.xml", headers={"Accept-Encoding": "identity"})
    again = client.get("/feeds/atom.xml", headers={"Accept-Encoding": "identity",
                                                    "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]


def test_if_none_match_accepts_lists_weak_tags_and_star(client):
    etag = client.get("/feeds/rss.xml", headers={"Accept-Encoding": "identity"}).headers["etag"]
    for header in (f'"other", {etag}', f"W/{etag}", "*"):
        response = client.get("/feeds/rss.xml", headers={"Accept-Encoding": "identity", "If-None-Match": header})
        assert response.status_code == 304, header
    changed = client.get("/feeds/rss.xml", headers={"Accept-Encoding": "identity", "If-None-Match": '"nope"'})
    assert changed.status_code == 200


def test_last_modified_round_trip(client, built):
    first = client.get("/feeds/feed.json")
    last_modified = first.headers["last-modified"]
    mtime = int(os.stat(built / "public" / "feeds" / "feed.json").st_mtime)
    assert parsedate_to_datetime(last_modified).timestamp() == mtime
    assert client.get("/feeds/feed.json", headers={"If-Modified-Since": last_modified}).status_code == 304
    later = formatdate(mtime + 3600, usegmt=True)
    assert client.get("/feeds/feed.json", headers={"If-Modified-Since": later}).status_code == 304
    earlier = formatdate(mtime - 1, usegmt=True)
    assert client.get("/feeds/feed.json", headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get("/feeds/feed.json", headers={"If-Modified-Since": "not a date"}).status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client):
    last_modified = client.get("/feeds/atom.xml").headers["last-modified"]
    response = client.get("/feeds/atom.xml", headers={"If-None-Match": '"stale"',
                                                      "If-Modified-Since": last_modified})
    assert response.status_code == 200


def test_head_answers_the_headers_of_get_without_the_body(client, manifest):
    card = manifest["posts"][0]["card"]
    for path in ("/feeds/atom.xml", "/" + card):
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == 200
        assert head.content == b""
        for name in ("content-type", "content-length", "etag", "last-modified", "cache-control"):
            assert head.headers[name] == get.headers[name], name


def test_gzip_when_accepted_with_vary_and_a_distinct_etag(client):
    plain = client.get("/feeds/atom.xml", headers={"Accept-Encoding": "identity"})
    packed = client.get("/feeds/atom.xml", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes; the bytes are the same feed
    assert packed.headers["vary"] == "Accept, Accept-Encoding"  # a feed's page for browsers, below
    assert plain.headers["vary"] == "Accept, Accept-Encoding"
    assert "content-encoding" not in plain.headers
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert int(packed.headers["content-length"]) < int(plain.headers["content-length"])
    revalidated = client.get("/feeds/atom.xml", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": packed.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["etag"] == packed.headers["etag"]


def test_gzip_honours_q_values(server):
    with httpx.Client(base_url=server) as raw:
        for header, expect_gzip in (("gzip;q=0", False), ("gzip;q=0.5, identity", True), ("*", True),
                                    ("*;q=0", False), ("br", False), ("gzip;q=0, *;q=1", False),
                                    ("GZIP;Q=1.0", True)):
            response = raw.get("/feeds/atom.xml", headers={"Accept-Encoding": header})
            assert (response.headers.get("content-encoding") == "gzip") is expect_gzip, header


def test_gzip_bytes_are_a_valid_gzip_stream(server):
    host, port = server.removeprefix("http://").split(":")
    with httpx.Client(base_url=server) as plain:
        expected = plain.get("/feeds/rss.xml", headers={"Accept-Encoding": "identity"}).content
    with httpx.stream("GET", server + "/feeds/rss.xml", headers={"Accept-Encoding": "gzip"}) as response:
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == expected


def test_jpeg_cards_are_not_gzipped(client, manifest):
    response = client.get("/" + manifest["posts"][0]["card"], headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers


def test_every_feed_advertises_its_hubs_and_itself(client, manifest):
    for feed in manifest["feeds"]:
        response = client.get("/" + feed["path"])
        link = response.headers["link"]
        assert f'<{HUB}>; rel="hub"' in link
        assert '<https://second-hub.example.net/>; rel="hub"' in link
        assert f'<{feed["url"]}>; rel="self"' in link
        assert client.head("/" + feed["path"]).headers["link"] == link
    assert "link" not in client.get("/" + manifest["posts"][0]["card"]).headers


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_opening_a_feed_gets_its_page_at_the_feed_address(client, manifest, built):
    for feed in manifest["feeds"]:
        response = client.get("/" + feed["path"], headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.content == (built / "public" / feed["page"]).read_bytes()
        assert response.headers["content-location"] == "/" + feed["page"]
        assert response.headers["vary"] == "Accept, Accept-Encoding"
        assert response.headers["etag"] == f'"{manifest["files"][feed["page"]]}-gzip"'  # httpx asks for gzip
        again = client.get("/" + feed["path"], headers={"Accept": BROWSER_ACCEPT,
                                                         "If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.headers["vary"] == "Accept, Accept-Encoding"
    archive = next(f for f in manifest["feeds"] if f["archive"])
    assert archive["page"].endswith(f"/archive/{archive['archive']}.html")


@pytest.mark.parametrize("accept", [
    "", "*/*", "application/atom+xml", "application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1",
    "text/html, application/atom+xml", "application/xml, text/html", "text/html;q=0, */*",
    "application/feed+json, text/html;q=0.5"])
def test_feed_readers_keep_getting_the_feed(client, manifest, accept):
    feed = next(f for f in manifest["feeds"] if f["path"] == "feeds/atom.xml")
    response = client.get("/feeds/atom.xml", headers={"Accept": accept} if accept else {})
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["etag"] == f'"{feed["sha256"]}-gzip"'
    assert response.headers["vary"] == "Accept, Accept-Encoding"
    assert "content-location" not in response.headers


def test_pages_and_other_files_are_not_negotiated(client, manifest):
    feed = manifest["feeds"][0]
    page = client.get("/" + feed["page"], headers={"Accept": BROWSER_ACCEPT})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "public, max-age=300"
    assert page.headers["vary"] == "Accept-Encoding" and "content-location" not in page.headers
    meta = client.get("/" + manifest["posts"][0]["meta"], headers={"Accept": BROWSER_ACCEPT})
    assert "Accept," not in meta.headers.get("vary", "")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
def test_other_methods_get_405_with_allow(client, method):
    for path in ("/feeds/atom.xml", "/nowhere", "/_preview/"):
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/nowhere.xml", "/feeds/", "/feeds", "/cards/", "/meta", "/feeds/nope/atom.xml",
                                  "/cards/no-such-post.jpg", "/blog/", "/feeds/atom.xml/"])
def test_unknown_paths_and_folders_get_a_plain_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Not Found\n"


TRAVERSALS = [
    b"/../secret.txt", b"/feeds/../../secret.txt", b"/%2e%2e/secret.txt", b"/%2E%2E/secret.txt",
    b"/feeds/%2e%2e/%2e%2e/secret.txt", b"/..%2fsecret.txt", b"/feeds%2f..%2f..%2fsecret.txt",
    b"/%2e%2e%2fsecret.txt", b"/..%5csecret.txt", b"/..\\secret.txt", b"/feeds\\..\\..\\secret.txt",
    b"/%252e%252e/secret.txt", b"//secret.txt", b"/etc/passwd", b"//etc/passwd",
    b"http://127.0.0.1/../secret.txt", b"secret.txt", b"*", b"/%2fetc%2fpasswd", b"/feeds/atom.xml%00.jpg", b"/%00", b"/secret.txt%00",
    b"/.syndicate.lock", b"/.hidden", b"/feeds/.atom.xml.tmp", b"/./manifest.json", b"/cards/./../secret.txt",
    b"/C:/secret.txt", b"/%c0%ae%c0%ae/secret.txt", b"/feeds/%2e/atom.xml",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t.decode("latin-1") for t in TRAVERSALS])
def test_no_request_path_escapes_the_output_folder(server, built, target):
    (built / "public" / ".hidden").write_text(SECRET)
    status, response = raw_request(server, target)
    assert status in (400, 404), response[:200]
    assert SECRET.encode() not in response
    assert b"root:" not in response


def test_a_listed_file_replaced_by_a_link_out_of_the_folder_is_not_served(tmp_path):
    root = small_site(tmp_path / "site")
    assert run_cli("build", "--site", str(root), "--out", str(root / "out")).returncode in (0, 1)
    (tmp_path / "outside.html").write_text(SECRET)
    meta = next((root / "out" / "meta").rglob("*.html"))
    meta.unlink()
    meta.symlink_to(tmp_path / "outside.html")
    with running(create_app(load_settings(root), root / "out")) as base_url:
        response = httpx.get(f"{base_url}/{meta.relative_to(root / 'out').as_posix()}")
    assert response.status_code == 404
    assert SECRET not in response.text


def test_paths_beyond_ascii_are_served_percent_encoded(client, manifest):
    card = next(p["card"] for p in manifest["posts"] if not p["card"].isascii())
    response = client.get("/" + quote(card))
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{manifest["files"][card]}"'


def test_the_root_leads_to_the_gallery(client):
    response = client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/_preview/"
    assert client.get("/_preview", follow_redirects=True).url.path == "/_preview/"


def test_the_gallery_is_html_revalidated_and_conditional(client):
    first = client.get("/_preview/")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.headers["cache-control"] == "no-cache"
    assert client.get("/_preview/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_a_rebuild_is_served_without_restarting(tmp_path):
    root = small_site(tmp_path / "site")
    out = root / "public"
    assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
    with running(create_app(load_settings(root), out)) as base_url, httpx.Client(base_url=base_url) as client:
        before = client.get("/feeds/atom.xml")
        retitle(root / "content" / "blog" / "2024-03-01-feinstaub.md", "Feinstaub messen", "Jetzt neu betitelt")
        assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
        after = client.get("/feeds/atom.xml", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert "Jetzt neu betitelt" in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_a_missing_card_is_rendered_on_demand(tmp_path):
    root = small_site(tmp_path / "site")
    out = root / "public"
    assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
    manifest = json.loads((out / "manifest.json").read_text())
    card = manifest["posts"][0]["card"]
    built_bytes = (out / card).read_bytes()
    (out / card).unlink()
    with running(create_app(load_settings(root), out)) as base_url:
        response = httpx.get(f"{base_url}/{card}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == built_bytes  # the same renderer, the same inputs, the same bytes


def test_a_card_on_demand_that_cannot_be_drawn_is_a_404_and_one_error_line_never_a_traceback(
        tmp_path, monkeypatch, capsys):
    root = small_site(tmp_path / "site")
    out = root / "public"
    assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
    post = json.loads((out / "manifest.json").read_text())["posts"][0]
    (out / post["card"]).unlink()
    import syndicate.cards

    def broken(victim, *args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(syndicate.cards, "fingerprint", broken)
    with running(create_app(load_settings(root), out)) as base_url:
        response = httpx.get(f"{base_url}/{post['card']}")
        still = httpx.get(f"{base_url}/feeds/atom.xml")
    assert response.status_code == 404 and still.status_code == 200
    printed = capsys.readouterr().err
    assert f"{post['source']}: error: internal error while preparing its share card: RuntimeError: injected" in printed
    assert "Traceback" not in printed
