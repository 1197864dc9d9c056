"""Sequences of builds and pings: each endpoint gets exactly what it has not yet received, once."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import REPO
from test_ping import (
    BASE,
    FEEDS,
    PingService,
    Reply,
    Service,
    announceable,
    make_site,
    manifest,
    manifest_site,  # noqa: F401 (fixture)
    rebuild,
    reconfigure,
    run_ping,
    services,  # noqa: F401 (a fixture)
)

FIRST = "content/blog/2024-01-10-erster-post.md"
SECOND = "content/blog/2024-02-20-zweiter-post.md"


def edit(root: Path, source: str, text: str) -> None:
    path = root / source
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def submitted(engine: Service, since: int = 0) -> list[str]:
    return [url for request in engine.requests[since:] for url in request.json()["urlList"]]


def changed_feeds(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old = {feed["url"]: feed["sha256"] for feed in before["feeds"]}
    return [feed for feed in after["feeds"] if old.get(feed["url"]) != feed["sha256"]]


def post_url(slug: str) -> str:
    return f"{BASE}blog/{slug}/"


def test_changing_one_post_sends_only_its_url_and_only_the_feeds_that_contain_it(tmp_path, services):
    hub, service, engine = Service(), PingService(), Service(Reply(200))
    services += [hub, service, engine]
    root = make_site(tmp_path, websub=[hub.url], xmlrpc=[service.url], indexnow=engine.url)
    assert not run_ping(root).failed
    before, hub_seen, engine_seen = manifest(root), len(hub.requests), len(engine.requests)

    edit(root, FIRST, "Ein Nachtrag.")
    after = rebuild(root)
    report = run_ping(root)

    assert not report.failed
    changed = changed_feeds(before, after)
    # The post is about "story": the site-wide feeds and the story feeds hold it, the event feeds do not.
    assert all(f["taxonomy"] is None or (f["taxonomy"], f["term"]) == ("topic", "story") for f in changed)
    assert {f["url"] for f in changed} >= {f["url"] for f in after["feeds"]
                                          if f["taxonomy"] is None and "/archive/" not in f["path"]}
    assert sorted(submitted(engine, engine_seen)) == sorted([post_url("erster-post")] + [f["url"] for f in changed])
    assert sorted(r.form()["hub.topic"][0] for r in hub.requests[hub_seen:]) == sorted(
        f["url"] for f in changed if "/archive/" not in f["path"])
    method, params = service.calls[-1]
    assert len(service.calls) == 2 and params[:2] == ("Beispiel-Blog", BASE)
    if method == "weblogUpdates.extendedPing":
        assert params[2] == post_url("erster-post")  # the changed post, not the newest one


def test_a_change_to_an_archived_post_goes_to_hubs_only_through_the_current_feeds_that_hold_it(tmp_path, services):
    hub, engine = Service(), Service(Reply(200))
    services += [hub, engine]
    root = make_site(tmp_path, feeds="limit = 2", websub=[hub.url], indexnow=engine.url)
    run_ping(root)
    before, hub_seen = manifest(root), len(hub.requests)

    edit(root, FIRST, "Ein Nachtrag zum ältesten Post.")  # the oldest: archived site-wide, current in "story"
    after = rebuild(root)
    run_ping(root)

    changed = changed_feeds(before, after)
    assert any(f["archive"] is not None for f in changed)  # the site-wide archive page holds it
    published = sorted(r.form()["hub.topic"][0] for r in hub.requests[hub_seen:])
    assert published == sorted(f["url"] for f in changed if f["archive"] is None)
    assert all("/feeds/topic/story/" in url for url in published) and published
    assert sorted(submitted(engine, 1)) == sorted([post_url("erster-post")] + [f["url"] for f in changed])


def test_with_exact_manifests_only_changed_feeds_and_posts_go_out(tmp_path, services):
    hub, engine = Service(), Service(Reply(200))
    services += [hub, engine]
    posts = [{"url": post_url("a"), "sha256": "1" * 64, "published": "2024-01-01T00:00:00+00:00"},
             {"url": post_url("b"), "sha256": "2" * 64, "published": "2024-02-01T00:00:00+00:00"}]
    root = manifest_site(tmp_path, FEEDS, posts, websub=[hub.url], indexnow=engine.url)
    run_ping(root)

    feeds = [dict(FEEDS[0]), {**FEEDS[1], "sha256": "d" * 64}, {**FEEDS[2], "sha256": "e" * 64}]
    posts[0] = {**posts[0], "sha256": "3" * 64}
    manifest_site(root, feeds, posts, websub=[hub.url], indexnow=engine.url)
    report = run_ping(root)

    assert [o.notification.sent for o in report.outcomes if o.notification.endpoint.kind == "websub"] == [
        f"{BASE}feeds/topic/story/atom.xml"]  # the archive page changed too, but is no topic
    assert submitted(engine, 1) == [post_url("a"), f"{BASE}feeds/topic/story/atom.xml", f"{BASE}feeds/atom/archive/1.xml"]


def test_a_failed_endpoint_gets_its_whole_backlog_on_the_next_run(tmp_path, services):
    hub, engine = Service(), Service(Reply(200))
    services += [hub, engine]
    root = make_site(tmp_path, websub=[hub.url], indexnow=engine.url, deadline=1.5)
    run_ping(root)
    delivered = manifest(root)

    edit(root, FIRST, "Erste Änderung.")
    middle = rebuild(root)
    engine.replies = [Reply(503)]
    outcome = next(o for o in run_ping(root).outcomes if o.notification.endpoint.kind == "indexnow")
    assert not outcome.ok and "503" in outcome.message
    hub_seen = len(hub.requests)

    edit(root, SECOND, "Zweite Änderung.")
    after = rebuild(root)
    engine.replies = [Reply(200)]
    seen = len(engine.requests)
    report = run_ping(root)

    assert not report.failed
    backlog = [post_url("erster-post"), post_url("zweiter-post")] + [f["url"] for f in changed_feeds(delivered, after)]
    assert sorted(submitted(engine, seen)) == sorted(backlog)
    # the hub had its share of the first change already: it gets only what the second one changed
    assert sorted(r.form()["hub.topic"][0] for r in hub.requests[hub_seen:]) == sorted(
        f["url"] for f in changed_feeds(middle, after) if "/archive/" not in f["path"])


def test_two_concurrent_ping_processes_send_each_notification_once(tmp_path, services):
    engine, service = Service(Reply(200, delay=2.0)), PingService()
    services += [engine, service]
    root = make_site(tmp_path, xmlrpc=[service.url], indexnow=engine.url, timeout=5, deadline=20)

    command = [sys.executable, "-m", "syndicate", "ping", "--site", str(root), "--json"]
    runs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=60), json.loads(run.stdout.read())) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()

    assert [code for code, _ in results] == [0, 0]
    assert len(engine.requests) == 1 and submitted(engine) == announceable(root)
    assert len(service.calls) == 1
    summaries = sorted(report["summary"] for _, report in results)
    assert summaries[1].startswith("nothing changed since the last ping")


def test_a_run_that_cannot_get_the_lock_within_its_deadline_sends_nothing_and_fails(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url, deadline=0.5)
    (root / ".syndicate").mkdir(exist_ok=True)
    with open(root / ".syndicate" / "ping.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        report = run_ping(root)
    assert report.failed and engine.requests == []
    assert "another `syndicate ping`" in report.diagnostics[0].message
    assert not run_ping(root).failed and len(engine.requests) == 1


def test_state_records_per_endpoint_what_was_delivered(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    run_ping(root)
    state = json.loads((root / ".syndicate" / "ping-state.json").read_text(encoding="utf-8"))
    built = manifest(root)
    expected = {p["url"]: p["sha256"] for p in built["posts"]} | {f["url"]: f["sha256"] for f in built["feeds"]}
    assert state == {"version": 1, "delivered": {f"indexnow {engine.url}": expected}}


def test_an_unreadable_state_file_is_reported_and_everything_is_sent_once_more(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    run_ping(root)
    (root / ".syndicate" / "ping-state.json").write_text("{ half a file", encoding="utf-8")

    report = run_ping(root)

    assert "unreadable ping state" in report.diagnostics[0].message
    assert submitted(engine, 1) == announceable(root)
    assert not run_ping(root).notifications


def test_an_endpoint_removed_and_added_again_is_treated_as_new(tmp_path, services):
    engine, service = Service(Reply(200)), PingService()
    services += [engine, service]
    root = make_site(tmp_path, indexnow=engine.url, xmlrpc=[service.url])
    run_ping(root)
    reconfigure(root, xmlrpc=[service.url])
    run_ping(root)
    reconfigure(root, indexnow=engine.url, xmlrpc=[service.url])

    report = run_ping(root)

    assert [o.notification.endpoint.kind for o in report.outcomes] == ["indexnow"]
    assert submitted(engine, 1) == announceable(root)


def test_indexnow_hears_once_of_a_deleted_post_and_of_a_moved_post_with_its_alias(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    run_ping(root)
    old_second = post_url("zweiter-post")

    (root / FIRST).unlink()                                          # deleted
    moved = root / SECOND                                            # moved, with its old address as alias
    moved.write_text("---\ntitle: Zweiter Post\ntopic: event\nslug: zweiter-beitrag\n"
                     "aliases: [zweiter-post]\n---\nDer zweite Text.\n", encoding="utf-8")
    rebuild(root)
    seen = len(engine.requests)
    assert not run_ping(root).failed

    sent = submitted(engine, seen)
    assert post_url("erster-post") in sent                           # gone: the engine should drop it
    assert old_second in sent and post_url("zweiter-beitrag") in sent  # the alias now redirects; the new URL
    assert len(sent) == len(set(sent))
    assert manifest(root)["posts"][1]["aliases"] == [old_second]

    seen = len(engine.requests)
    assert not run_ping(root).notifications                         # announced once, not on every run
    state = json.loads((root / ".syndicate" / "ping-state.json").read_text(encoding="utf-8"))
    assert post_url("erster-post") not in state["delivered"][f"indexnow {engine.url}"]
    assert len(engine.requests) == seen


def test_a_failed_removal_is_announced_again_by_the_next_run(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url, deadline=1)
    run_ping(root)
    (root / FIRST).unlink()
    rebuild(root)
    engine.replies = [Reply(403)]
    assert run_ping(root).failed
    engine.replies = [Reply(200)]
    seen = len(engine.requests)
    assert not run_ping(root).failed
    assert post_url("erster-post") in submitted(engine, seen)


def test_a_term_named_archive_is_a_current_feed_that_hubs_hear_of(tmp_path):
    """The manifest says which feed is an RFC 5005 archive page; a path with /archive/ in it may
    be the current feed of a term called 'archive'."""
    from conftest import write_site

    from syndicate import build, load_site
    from syndicate.config import load_settings
    from syndicate.delivery.built import read_built
    from syndicate.diagnostics import Diagnostics

    site = write_site(tmp_path / "site", {"2024-01-01-a.md": "---\ntitle: A\ntopic: archive\n---\nText.\n"})
    settings = load_settings(site, {"build": {"cards": False}})
    build(load_site(settings=settings))
    built = read_built(settings.out_dir, settings, Diagnostics())
    term = [feed for feed in built.feeds if "/topic/archive/" in feed.url]
    assert term and not any(feed.archive for feed in term)
