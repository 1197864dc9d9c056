"""syndicate announce against real HTTP on 127.0.0.1: a Webmention receiver that verifies each
mention by fetching the source back, a Mastodon instance and a Bluesky PDS (tests/announce_servers.py),
and the site itself, serving each post's page as built."""

from __future__ import annotations

import io
import json
import os
import re
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from announce_servers import Bluesky, Mastodon, Pages, WebmentionReceiver, graphemes, slice_bytes
from conftest import run_cli, write_site
from test_ping import services  # noqa: F401 (a fixture)

from syndicate.announce import announce
from syndicate.build import build
from syndicate.config import load_settings
from syndicate.delivery import DeliveryReport
from syndicate.site import load_site

TOKEN_ENV, PASSWORD_ENV = "SYNDICATE_TEST_MASTODON_TOKEN", "SYNDICATE_TEST_BLUESKY_PASSWORD"
TOKEN, PASSWORD = "mastodon-token-0123456789", "app-pass-word-0123"
FIRST, SECOND, THIRD = "2024-01-10-erster-post.md", "2024-02-20-zweiter-post.md", "2024-03-30-dritter-post.md"


def post(title: str, body: str = "Text.", **front: str) -> str:
    lines = [f"title: {json.dumps(title, ensure_ascii=False)}", *(f"{k}: {v}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body).strip() + "\n"


def make_site(root: Path, site: Pages, posts: dict[str, str], announce_config: str, cards: bool = False) -> Path:
    config = (f'[site]\nbase_url = "{site.url}"\ntitle = "Beispiel-Blog"\nlanguage = "de-DE"\n'
              f'[build]\ncards = {str(cards).lower()}\n[announce]\ntimeout = 3\ndeadline = 20\n{announce_config}\n')
    write_site(root, {}, config)
    for name, text in posts.items():
        (root / "content" / "blog" / name).write_text(text, encoding="utf-8")
    publish(root, site)
    return root


def publish(root: Path, site: Pages) -> None:
    """Build, then 'deploy': the site serves every post's page; a page no longer built is 410 Gone."""
    loaded = load_site(root)
    build(loaded)
    for answer in site.pages.values():
        answer.status, answer.body = 410, b"gone"
    for built in loaded.posts:
        site.page(urlsplit(built.url).path, f"<!doctype html><title>{built.title}</title><article>"
                                            f"{built.body_html}</article>")


def run(root: Path, dry_run: bool = False) -> DeliveryReport:
    return announce(load_settings(root), dry_run=dry_run)


def by_sent(report: DeliveryReport) -> dict[str, object]:
    return {o.notification.sent: o for o in report.outcomes}


# ---------------------------------------------------------------- Webmention

def test_webmentions_reach_every_endpoint_the_spec_describes_and_removals_follow(tmp_path, services):
    site, receiver = Pages(), WebmentionReceiver()
    services += [site, receiver]
    port = urlsplit(receiver.url).port
    header = receiver.page("/link-header", "<p>hi</p>", Link=f'<{receiver.url}webmention?via=header>; rel="webmention"')
    element = receiver.page("/html-link", '<html><head><link rel="webmention" href="/webmention?via=link&amp;x=1">')
    anchor = receiver.page("/commented", '<!-- <link rel="webmention" href="/wrong"> -->'
                                         '<p><a rel="nofollow Webmention" href="webmention?via=a">x</a></p>')
    moved = receiver.page("/old", status=301, Location="/moved/here")
    receiver.page("/moved/here", '<link rel="webmention" href="../webmention?via=redirect">')
    silent = receiver.page("/no-endpoint", "<p>nothing to see</p>")
    private = receiver.page("/private", f'<link rel="webmention" href="http://localhost:{port}/webmention">')
    denied = f"http://localhost:{port}/denied"
    posts = {FIRST: post("Erster Post", f"[1]({header}) [2]({element}) [3]({anchor}) [4]({moved})"),
             SECOND: post("Zweiter Post", f"[5]({silent}) [6]({private}) [7]({denied}) [1]({header})")}
    root = make_site(tmp_path, site, posts, 'webmention = true\nallow_private = ["127.0.0.1"]\n'
                                            'hosts_deny = ["localhost"]')
    first, second = (f"{site.url}blog/erster-post/", f"{site.url}blog/zweiter-post/")

    report = run(root)

    assert not report.failed, [(o.notification.sent, o.message) for o in report.outcomes]
    sent = [(path, parse_qs(body.decode())) for _, path, _, body in receiver.calls("POST")]
    assert sorted((path, form["source"][0], form["target"][0]) for path, form in sent) == sorted([
        ("/webmention?via=header", first, header), ("/webmention?via=link&x=1", first, element),
        ("/webmention?via=a", first, anchor), ("/webmention?via=redirect", first, moved),
        ("/webmention?via=header", second, header)])
    assert set(receiver.mentions) == {(first, header), (first, element), (first, anchor), (first, moved),
                                      (second, header)}
    outcomes = by_sent(report)
    assert "no Webmention endpoint" in outcomes[f"{second} → {silent}"].message
    assert "localhost is a loopback address" in outcomes[f"{second} → {private}"].message
    assert not [p for _, p, _, _ in receiver.calls("GET") if p == "/denied"]   # hosts_deny: never fetched
    assert all(o.receipt["location"].startswith(f"{receiver.url}mentions/") for o in report.outcomes
               if o.status == 201)
    assert {p for _, p, _, _ in site.calls("GET")} == {"/blog/erster-post/", "/blog/zweiter-post/"}  # verified
    assert not run(root).notifications

    # A link removed from a post: the receiver hears of it (and deletes the mention); the rest is re-sent.
    (root / "content/blog" / FIRST).write_text(post("Erster Post", f"[1]({header}) [3]({anchor}) [4]({moved})"))
    publish(root, site)
    report = run(root)
    assert not report.failed
    assert f"{first} → {element} (link removed)" in by_sent(report)
    assert (first, element) not in receiver.mentions and (first, header) in receiver.mentions

    # A post deleted: every mention it made is sent again against its 410 page, and then forgotten.
    (root / "content/blog" / SECOND).unlink()
    publish(root, site)
    report = run(root)
    assert not report.failed
    assert (second, header) not in receiver.mentions
    state = json.loads((root / ".syndicate" / "announce-state.json").read_text())
    assert not [item for items in state["delivered"].values() for item in items if item.startswith(second)]
    assert not run(root).notifications


def test_with_hosts_allow_only_those_hosts_are_fetched_or_mentioned(tmp_path, services):
    site, receiver = Pages(), WebmentionReceiver()
    services += [site, receiver]
    port = urlsplit(receiver.url).port
    allowed = receiver.page("/allowed", '<link rel="webmention" href="/webmention">')
    elsewhere = f"http://localhost:{port}/elsewhere"
    receiver.page("/elsewhere", '<link rel="webmention" href="/webmention">')
    root = make_site(tmp_path, site, {FIRST: post("Erster Post", f"[a]({allowed}) [b]({elsewhere})")},
                     'webmention = true\nallow_private = ["127.0.0.1", "localhost"]\nhosts_allow = ["127.0.0.1"]')

    report = run(root)

    first = f"{site.url}blog/erster-post/"
    assert not report.failed and set(receiver.mentions) == {(first, allowed)}
    assert [p for _, p, _, _ in receiver.calls("GET")] == ["/allowed"]   # localhost: never fetched


def test_target_fetching_is_bounded_and_never_leaves_http(tmp_path, services):
    site, pages = Pages(), Pages()
    services += [site, pages]
    huge = pages.page("/huge", "<p>" + "x" * 300_000 + '</p><link rel="webmention" href="/too-late">')
    loop = pages.page("/loop", status=302, Location="/loop")
    to_file = pages.page("/to-file", status=302, Location="file:///etc/passwd")
    root = make_site(tmp_path, site, {FIRST: post("Erster", f"[a]({huge}) [b]({loop}) [c]({to_file})")},
                     'webmention = true\nallow_private = ["127.0.0.1"]\nmax_page_bytes = 100000')
    outcomes = {o.notification.sent.split(" → ")[1]: o.message for o in run(root).outcomes}
    assert "read the first 100,000 bytes" in outcomes[huge]
    assert "more than 5 redirects" in outcomes[loop]
    assert "not an http(s) URL" in outcomes[to_file]
    assert len(pages.calls("GET", "/loop")) == 6


def test_without_allow_private_a_loopback_target_is_not_fetched(tmp_path, services):
    site, receiver = Pages(), WebmentionReceiver()
    services += [site, receiver]
    target = receiver.page("/page", '<link rel="webmention" href="/webmention">')
    root = make_site(tmp_path, site, {FIRST: post("Erster", f"[a]({target})")}, "webmention = true")
    (outcome,) = run(root).outcomes
    assert "127.0.0.1 is a loopback address" in outcome.message and receiver.log == []


# ---------------------------------------------------------------- Mastodon

def test_mastodon_posts_each_new_post_once_within_the_instance_limit(tmp_path, services, monkeypatch):
    site, instance = Pages(), Mastodon(TOKEN, max_characters=90)
    services += [site, instance]
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    root = make_site(tmp_path, site, {FIRST: post("Erster Post"), SECOND: post("Zweiter Post")},
                     f'mastodon = {{ instance = "{instance.url}", token_env = "{TOKEN_ENV}", edit = true }}')

    baseline = run(root)                      # a first run learns what exists and posts nothing
    assert not baseline.failed and instance.statuses == {}
    assert "2 existing posts recorded as known" in baseline.outcomes[0].notification.sent

    (root / "content/blog" / THIRD).write_text(post(
        "Ein sehr langer Titel über offene Daten, Verwaltung und Zivilgesellschaft in ganz Deutschland",
        topic="open data", tags="[Köln, 2024]"), encoding="utf-8")
    publish(root, site)
    instance.lose_next_answer = True          # the status is made, its answer lost: the retry must not post again
    (outcome,) = run(root).outcomes

    assert outcome.ok, outcome.message
    (status,) = instance.statuses.values()
    url = f"{site.url}blog/dritter-post/"
    assert url in status["text"] and status["language"] == "de" and status["visibility"] == "public"
    assert graphemes(re.sub(r"https?://\S+", "x" * 23, status["text"])) <= 90
    assert status["text"].startswith("Ein sehr langer Titel") and "…" in status["text"]
    keys = {headers["idempotency-key"] for _, _, headers, _ in instance.calls("POST")}
    assert len(keys) == 1 and len(instance.calls("POST")) == 2
    assert outcome.receipt == {"id": status["id"], "url": status["url"]}
    assert not run(root).notifications

    instance.max_characters = 500
    (root / "content/blog" / THIRD).write_text(post("Kurzer Titel", topic="open data"), encoding="utf-8")
    publish(root, site)
    (edit,) = run(root).outcomes
    assert edit.ok and "(edited)" in edit.notification.sent
    assert status["text"] == f"Kurzer Titel\n\n{url}\n\n#OpenData" and status["edited_at"]
    assert len(instance.statuses) == 1


def test_a_status_posted_by_a_run_that_died_before_saving_is_found_not_posted_again(tmp_path, services,
                                                                                     monkeypatch):
    """kill -9 after the instance made the status and before the state was written, and the next run
    more than an hour later, when the instance no longer knows the Idempotency-Key."""
    site, instance = Pages(), Mastodon(TOKEN)
    services += [site, instance]
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    root = make_site(tmp_path, site, {FIRST: post("Erster Post")},
                     f'backfill = 1\nmastodon = {{ instance = "{instance.url}", token_env = "{TOKEN_ENV}" }}')
    state_file = root / ".syndicate" / "announce-state.json"
    assert run(root).outcomes[0].ok and len(instance.statuses) == 1
    state = json.loads(state_file.read_text())
    for delivered in state["delivered"].values():
        delivered.clear()                     # as if the run died before its state write
    state_file.write_text(json.dumps(state))
    instance.keys.clear()                     # an hour later

    (outcome,) = run(root).outcomes

    (status,) = instance.statuses.values()
    assert outcome.ok and outcome.message.startswith("already posted, not again")
    assert outcome.receipt == {"id": status["id"], "url": status["url"]}
    assert len(instance.calls("POST")) == 1 and not run(root).notifications


def test_each_post_is_announced_in_its_own_language(tmp_path, services, monkeypatch):
    """A multilingual site: the status of a translation says its language, not the site's."""
    site, instance, pds = Pages(), Mastodon(TOKEN), Bluesky("blog.test", PASSWORD)
    services += [site, instance, pds]
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    root = make_site(tmp_path, site, {FIRST: post("Erster Post", date="2024-01-10"),
                                      "2024-01-10-erster-post.en.md": post("First post", date="2024-01-10")},
                     f'backfill = 2\nmastodon = {{ instance = "{instance.url}", token_env = "{TOKEN_ENV}" }}\n'
                     f'bluesky = {{ handle = "blog.test", password_env = "{PASSWORD_ENV}", service = "{pds.url}" }}')
    (root / "hugo.toml").write_text(f'baseURL = "{site.url}"\ndefaultContentLanguage = "de"\n'
                                    '[languages.de]\nlanguageCode = "de-DE"\nweight = 1\n'
                                    '[languages.en]\nlanguageCode = "en-US"\nweight = 2\n', encoding="utf-8")
    publish(root, site)

    report = run(root)

    assert not report.failed, [o.message for o in report.outcomes]
    assert sorted((s["text"].split("\n")[0], s["language"]) for s in instance.statuses.values()) == [
        ("Erster Post", "de"), ("First post", "en")]
    assert sorted((r["value"]["text"].split("\n")[0], r["value"]["langs"]) for r in pds.records.values()) == [
        ("Erster Post", ["de"]), ("First post", ["en"])]


def test_mastodon_refusals_say_what_to_fix_and_are_retried_next_run(tmp_path, services, monkeypatch):
    site, instance = Pages(), Mastodon(TOKEN)
    services += [site, instance]
    monkeypatch.setenv(TOKEN_ENV, "wrong")
    root = make_site(tmp_path, site, {FIRST: post("Erster Post")},
                     f'backfill = 1\nmastodon = {{ instance = "{instance.url}", token_env = "{TOKEN_ENV}" }}')
    (outcome,) = run(root).outcomes
    assert not outcome.ok and outcome.status == 401
    assert f"${TOKEN_ENV} was refused" in outcome.message and "write:statuses" in outcome.message
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    (outcome,) = run(root).outcomes
    assert outcome.ok and len(instance.statuses) == 1


# ---------------------------------------------------------------- Bluesky

def noise_jpeg(size: int) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (1200, 630), os.urandom(1200 * 630 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=100)
    assert buffer.tell() > size
    return buffer.getvalue()


def test_bluesky_posts_with_facets_and_the_card_as_a_thumbnail_once(tmp_path, services, monkeypatch):
    site, pds = Pages(), Bluesky("blog.test", PASSWORD, access_uses=2)
    services += [site, pds]
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    root = make_site(tmp_path, site, {FIRST: post("Erster Post"), SECOND: post("Zweiter Post")},
                     f'backfill = 1\nbluesky = {{ handle = "blog.test", password_env = "{PASSWORD_ENV}", '
                     f'service = "{pds.url.rstrip("/")}" }}', cards=True)
    manifest = json.loads((root / "public/manifest.json").read_text())
    card = root / "public" / manifest["posts"][0]["card"]
    card.write_bytes(noise_jpeg(1_000_000))   # over the lexicon's 1,000,000-byte thumbnail limit
    pds.lose_next_create = True

    report = run(root)

    assert not report.failed, [o.message for o in report.outcomes]
    (record,) = pds.records.values()
    value = record["value"]
    url = f"{site.url}blog/zweiter-post/"
    assert value["text"] == f"Zweiter Post\n\n{url}" and value["langs"] == ["de"]
    (link,) = value["facets"]
    assert slice_bytes(value["text"], link) == url and link["features"][0]["uri"] == url
    external = value["embed"]["external"]
    assert external["uri"] == url and external["title"] == "Zweiter Post"
    assert external["thumb"]["size"] <= 1_000_000 and external["thumb"]["mimeType"] == "image/jpeg"
    assert "already posted" in by_sent(report)[url].message   # the lost answer: found, not posted twice
    assert pds.sessions_created == 1

    (root / "content/blog" / THIRD).write_text(post("Über Daten – ein Ausblick 🎉", topic="Open Data",
                                                    tags="[Köln]"), encoding="utf-8")
    publish(root, site)
    pds.throttle_next_create = True           # 429 with RateLimit-Reset a second away: waited for, then posted
    (outcome,) = run(root).outcomes
    assert outcome.ok, outcome.message
    value = pds.records[outcome.receipt["uri"].rsplit("/", 1)[1]]["value"]
    tags = {slice_bytes(value["text"], f): f["features"][0] for f in value["facets"]
            if f["features"][0]["$type"].endswith("#tag")}
    assert tags == {"#OpenData": {"$type": "app.bsky.richtext.facet#tag", "tag": "OpenData"},
                    "#Köln": {"$type": "app.bsky.richtext.facet#tag", "tag": "Köln"}}
    assert len(pds.records) == 2 and not run(root).notifications
    assert pds.calls("POST", "/xrpc/com.atproto.server.refreshSession")   # the access token expired midway
    assert len(pds.calls("POST", "/xrpc/com.atproto.repo.createRecord")) == 1 + 2  # lost answer; 429, then made


def test_bluesky_wrong_password_names_the_variable(tmp_path, services, monkeypatch):
    site, pds = Pages(), Bluesky("blog.test", PASSWORD)
    services += [site, pds]
    monkeypatch.setenv(PASSWORD_ENV, "nope")
    root = make_site(tmp_path, site, {FIRST: post("Erster Post")},
                     f'backfill = 1\nbluesky = {{ handle = "blog.test", password_env = "{PASSWORD_ENV}", '
                     f'service = "{pds.url}" }}')
    (outcome,) = run(root).outcomes
    assert not outcome.ok and "Invalid identifier or password" in outcome.message and PASSWORD_ENV in outcome.message


# ---------------------------------------------------------------- the command line

def test_dry_run_prints_every_request_with_secrets_masked_and_sends_nothing(tmp_path, services):
    site, instance, pds = Pages(), Mastodon(TOKEN), Bluesky("blog.test", PASSWORD)
    services += [site, instance, pds]
    root = make_site(tmp_path, site, {FIRST: post("Erster Post", topic="story")},
                     f'backfill = 1\nmastodon = {{ instance = "{instance.url}", token_env = "{TOKEN_ENV}" }}\n'
                     f'bluesky = {{ handle = "blog.test", password_env = "{PASSWORD_ENV}", service = "{pds.url}" }}')
    env = {**os.environ, TOKEN_ENV: TOKEN, PASSWORD_ENV: PASSWORD}

    result = run_cli("announce", "--site", str(root), "--dry-run", env=env)
    listed = run_cli("announce", "--site", str(root), "--dry-run", "--json", env=env)

    assert result.returncode == 0 and listed.returncode == 0, result.stderr
    for output in (result.stdout, listed.stdout):
        assert TOKEN not in output and PASSWORD not in output
    assert f"Authorization: Bearer <${TOKEN_ENV}: set, {len(TOKEN)} characters>" in result.stdout
    assert f"POST {instance.url}api/v1/statuses" in result.stdout and "Idempotency-Key: " in result.stdout
    assert '"status": "Erster Post\\n\\n' in result.stdout and "#Story" in result.stdout
    assert f"POST {pds.url}xrpc/com.atproto.repo.createRecord" in result.stdout
    assert json.loads(listed.stdout)["dry_run"] is True
    assert instance.log == [] and pds.log == [] and not (root / ".syndicate" / "announce-state.json").exists()

    missing = run_cli("announce", "--site", str(root), env={k: v for k, v in env.items() if k != TOKEN_ENV})
    assert missing.returncode == 2 and f"{TOKEN_ENV} is not set" in missing.stderr and instance.log == []
