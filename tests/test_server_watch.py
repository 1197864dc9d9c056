"""syndicate serve --watch as a user runs it: a subprocess on a temporary site, edited on disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import run_cli
from test_server_support import retitle, running, small_site

from syndicate.cards import CARD_FILE
from syndicate.config import load_settings
from syndicate.output import sha256
from syndicate.server import create_app
from syndicate.server.watch import Live

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60    # the first build renders every card, on a machine the whole team shares
CHANGE_TIMEOUT = 20     # "within a few seconds", with room for a loaded machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout} s")


@pytest.fixture
def watching(tmp_path):
    root = small_site(tmp_path / "site")
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "serve", "--watch", "--site", str(root), "--out", str(root / "public"),
         "--port", str(port)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base_url = f"http://127.0.0.1:{port}"

    def up():
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"syndicate serve exited with {process.returncode}:\n{log.read()}")
        try:
            return httpx.get(base_url + "/feeds/atom.xml", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, STARTUP_TIMEOUT, "the server start")
        yield root, base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_retitled_post_changes_the_feed_and_the_card(watching):
    root, base_url = watching
    with httpx.Client(base_url=base_url, timeout=5) as client:
        manifest = client.get("/manifest.json").json()
        entry = next(p for p in manifest["posts"] if p["title"] == "Feinstaub messen")
        card_before = client.get("/" + entry["card"])
        feed_before = client.get("/feeds/atom.xml")
        assert "Feinstaub messen" in feed_before.text

        post = root / entry["source"]
        retitle(post, "Feinstaub messen", "Stickoxide messen")

        feed = wait_for(lambda: (r := client.get("/feeds/atom.xml")).status_code == 200
                        and "Stickoxide messen" in r.text and r, CHANGE_TIMEOUT, "the feed change")
        assert "Feinstaub messen" not in feed.text
        assert feed.headers["etag"] != feed_before.headers["etag"]
        card = wait_for(lambda: (r := client.get("/" + entry["card"],
                                                 headers={"If-None-Match": card_before.headers["etag"]}))
                        .status_code == 200 and r, CHANGE_TIMEOUT, "the card change")
        assert card.headers["content-type"] == "image/jpeg"
        assert card.content != card_before.content


def test_a_new_post_appears_and_unrelated_outputs_keep_their_etags(watching):
    root, base_url = watching
    with httpx.Client(base_url=base_url, timeout=5) as client:
        manifest = client.get("/manifest.json").json()
        other = next(p for p in manifest["posts"] if p["title"] == "Ohne Bild")
        card_before = client.get("/" + other["card"])
        (root / "content" / "blog" / "2024-04-01-neu.md").write_text(
            "---\ntitle: \"Ganz neu\"\ndescription: \"Frisch geschrieben.\"\n---\nHallo.\n", encoding="utf-8")
        wait_for(lambda: "Ganz neu" in client.get("/feeds/atom.xml").text, CHANGE_TIMEOUT, "the new post in the feed")
        entry = wait_for(lambda: next((p for p in client.get("/manifest.json").json()["posts"]
                                       if p["url"].endswith("/blog/neu/") and p.get("card")), None),
                         CHANGE_TIMEOUT, "the new card in the manifest")
        files = client.get("/manifest.json").json()["files"]
        assert client.get("/" + entry["card"]).headers["etag"] == f'"{files[entry["card"]]}"'
        unchanged = client.get("/" + other["card"], headers={"If-None-Match": card_before.headers["etag"]})
        assert unchanged.status_code == 304  # rebuilt only what changed


def test_a_card_stale_after_an_edit_is_rendered_from_the_new_sources_until_the_rebuild(tmp_path):
    root = small_site(tmp_path / "site")
    out = root / "public"
    assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
    settings = load_settings(root)
    live = Live(settings, out, watching=True)
    live.site()  # the sources as built
    with running(create_app(settings, out, live=live)) as base_url, httpx.Client(base_url=base_url) as client:
        manifest = client.get("/manifest.json").json()
        entry = next(p for p in manifest["posts"] if p["title"] == "Feinstaub messen")
        before = client.get("/" + entry["card"])
        post = root / entry["source"]
        retitle(post, "Feinstaub messen", "Stickoxide messen")

        assert live.reload({post}) == {CARD_FILE.fullmatch(entry["card"])["name"]} == {"blog/feinstaub"}
        during = client.get("/" + entry["card"])
        assert during.status_code == 200 and during.content != before.content
        assert (out / entry["card"]).read_bytes() == before.content  # rendered on demand, output untouched
        assert during.headers["etag"] == f'"{sha256(during.content)}"'
        assert during.headers["cache-control"] == "no-cache"  # its name no longer says its bytes

        live.rebuild(set())
        manifest = client.get("/manifest.json").json()
        rebuilt = next(p for p in manifest["posts"] if p["slug"] == entry["slug"])
        assert rebuilt["card"] != entry["card"]  # new bytes, new URL
        after = client.get("/" + rebuilt["card"])
        assert after.content == during.content  # the build wrote what the request was given
        assert after.headers["etag"] == f'"{manifest["files"][rebuilt["card"]]}"'
        assert "immutable" in after.headers["cache-control"]


def test_the_log_says_the_first_builds_diagnostics_once_and_then_only_news(watching, tmp_path):
    root, base_url = watching
    log = tmp_path / "serve.log"
    first = log.read_text(encoding="utf-8")
    assert first.count("warning: image 'fehlt.jpg' not found") == 1
    assert f"serving on {base_url}/" in first and "INFO" not in first  # no uvicorn chatter, no request log
    post = root / "content" / "blog" / "2024-01-01-ohne-bild.md"
    post.write_text(post.read_text(encoding="utf-8").replace("fehlt.jpg", "rathaus.jpg"), encoding="utf-8")
    fixed = wait_for(lambda: "rebuilt in" in (text := log.read_text(encoding="utf-8")) and text,
                     CHANGE_TIMEOUT, "the rebuild")[len(first):]
    assert fixed.splitlines()[0].startswith("resolved: content/blog/2024-01-01-ohne-bild.md:")
    assert "; 0 new and 1 resolved diagnostics" in fixed
    retitle(root / "content" / "blog" / "2024-03-01-feinstaub.md", "Feinstaub messen", "Stickoxide messen")
    again = wait_for(lambda: (text := log.read_text(encoding="utf-8")).count("rebuilt in") == 2 and text,
                     CHANGE_TIMEOUT, "the second rebuild")[len(first) + len(fixed):]
    assert again.startswith("rebuilt in") and "warning" not in again and "resolved" not in again
