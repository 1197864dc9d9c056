"""The real codefor.de blog (../shared/corpus, skipped when absent): every post loaded or reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syndicate.dates import FILENAME_DATE

HREF_OR_SRC = re.compile(r'\s(?:href|src)="([^"]*)"')
SRCSET = re.compile(r'\ssrcset="([^"]*)"')


@pytest.fixture(scope="module")
def site(corpus_build):
    return corpus_build("codefor.de").site


def test_every_post_is_loaded_or_reported(site):
    files = {p.relative_to(site.settings.root).as_posix()
             for p in (site.settings.posts_dir).glob("*.md") if p.name != "_index.md"}
    loaded = {post.source for post in site.posts}
    reported = {d.file for d in site.diagnostics if d.level == "error"}
    drafts_or_future = files - loaded - reported
    assert loaded | reported | drafts_or_future == files
    assert len(loaded) >= 140
    assert not drafts_or_future - {f for f in files if "draft: true" in (site.settings.root / f).read_text()}


def test_the_four_duplicate_permalinks_are_errors_and_the_post_hugo_writes_wins(site):
    # Issue 9 item 6 changed this (the earlier post used to win): Hugo's page at each URL is the
    # later file of the pair (tests/test_hugo_oracle.py checks the rule against Debian's hugo).
    errors = sorted(d.file for d in site.diagnostics if "same permalink" in d.message)
    assert errors == ["content/blog/2014-10-06-codeweek-eu.md", "content/blog/2015-01-16-neue-labs.md",
                      "content/blog/2015-10-06-tech-for-refugees.md", "content/blog/2017-02-15-open-data-day.md"]
    sources = {post.source for post in site.posts}
    assert {"content/blog/2014-10-31-codeweek-eu.md", "content/blog/2016-01-18-neue-labs.md",
            "content/blog/2016-05-12-tech-for-refugees.md", "content/blog/2018-03-01-open-data-day.md"} <= sources


def test_known_faults_give_their_diagnostics(site):
    messages = [str(d) for d in site.diagnostics]
    assert any(m.startswith("content/blog/2021-09-31-out-in-the-open-september-2021.md: warning: the file "
                            "name's date 2021-09-31 is not on the calendar") for m in messages)
    assert any("2022-12-21-open-soure-in-der-berliner-verwaltung.md" in m and "oss-verwaltung-berlin.jpg' not found"
               in m for m in messages)
    assert any('{{< ref "/muenchen" >}}: no such page' in m for m in messages)
    assert not [d for d in site.diagnostics if d.level == "error" and "same permalink" not in d.message]


def test_permalinks_follow_hugos_rule(site):
    for post in site.posts:
        stem = Path(post.source).stem.removesuffix(".de")  # the default language's file-name suffix
        match = FILENAME_DATE.match(stem)
        expected = match.group(4) if match and post.slug != stem.lower() else stem
        assert post.slug == expected.lower().replace(" ", "-"), post.source
        assert post.path == f"/blog/{post.slug}/".replace("ä", "%C3%A4") or "%" in post.path
        assert post.url.startswith("https://codefor.de/blog/")
    seed = next(p for p in site.posts if p.source.endswith("2020-02-26-Ko-Kreation-fuer-Veraenderungen.md"))
    assert seed.url == "https://codefor.de/blog/ko-kreation-fuer-veraenderungen/"
    assert seed.published.isoformat() == "2020-02-26T00:00:00+00:00"  # the corpus sets no timeZone


def test_no_shortcode_text_and_no_relative_url_survive_rendering(site):
    for post in site.posts:
        assert "{{<" not in post.body_html and "{{%" not in post.body_html, post.source
        assert "{{&lt;" not in post.body_html, post.source
        urls = HREF_OR_SRC.findall(post.body_html)
        urls += [c.split()[0] for s in SRCSET.findall(post.body_html) for c in s.split(",") if c.strip()]
        for url in urls:
            assert re.match(r"^(https?:|mailto:|tel:|data:)", url), (post.source, url)
