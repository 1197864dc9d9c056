"""The embedded example site (content/, configured in pyproject.toml) builds and reads exactly right."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from conftest import REPO, run_cli

from syndicate import load_site

SEED = "content/blog/2020-02-26-Ko-Kreation-fuer-Veraenderungen.md"


def test_build_without_arguments_succeeds_and_writes_a_manifest(tmp_path):
    out = tmp_path / "public"
    result = run_cli("build", "--out", str(out), "--state-dir", str(tmp_path / "state"), "--no-cards")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"].startswith("syndicate ")
    assert manifest["site"]["base_url"] == "https://example.codefor.de/"
    assert SEED in [post["source"] for post in manifest["posts"]]
    assert not [d for d in manifest["diagnostics"] if d["level"] == "error"]


def test_seed_post_is_read_exactly():
    site = load_site(REPO)
    seed = next(post for post in site.posts if post.source == SEED)
    assert seed.title == "Ko-Kreation als Treiber für Veränderungen?"
    assert seed.published == datetime(2020, 2, 26, tzinfo=timezone(timedelta(hours=1)))
    assert seed.published.isoformat() == "2020-02-26T00:00:00+01:00"  # midnight in Europe/Berlin
    assert seed.topics == ("story",)
    assert seed.image is not None and seed.image.url == "https://example.codefor.de/blog/geoeffnet.jpg"
    assert seed.image.file == REPO / "content" / "static" / "blog" / "geoeffnet.jpg"
    assert seed.description.startswith("Masterarbeit zur Kollaboration zwischen OK Labs")
    assert seed.author == "Patrick Hamm"
    assert seed.slug == "ko-kreation-fuer-veraenderungen"
    assert seed.url == "https://example.codefor.de/blog/ko-kreation-fuer-veraenderungen/"
    assert "Bürger*innen" in seed.body_html and "Bürger\\*innen" not in seed.body_html
    assert seed.summary.startswith("In meiner Masterarbeit")  # the excerpt


def test_drafts_and_future_posts_stay_out_unless_asked_for():
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    default = load_site(REPO, now=now)
    assert not any(post.draft for post in default.posts)
    assert all(post.published <= now for post in default.posts)
    everything = load_site(REPO, {"build": {"drafts": True, "future": True}}, now=now)
    assert any(post.draft for post in everything.posts)
    assert any(post.published > now for post in everything.posts)


def test_every_topic_of_the_real_site_is_covered():
    site = load_site(REPO, {"build": {"drafts": True, "future": True}})
    topics = {term for post in site.posts for term in post.topics}
    assert {"community", "event", "story", "project", "toolbox", "interview"} <= topics
    assert any(not post.topics for post in site.posts)
    assert any(len(post.title) > 100 for post in site.posts)


def test_check_reports_without_writing(tmp_path):
    before = sorted(p.name for p in REPO.iterdir())
    result = run_cli("check", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["posts"] >= 9
    assert sorted(p.name for p in REPO.iterdir()) == before
