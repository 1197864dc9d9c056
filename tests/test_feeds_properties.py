"""Whatever a post's title and body hold, every feed document stays well-formed and readable."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicate.bodies import Body
from syndicate.config import FeedSettings, Settings, SiteSettings
from syndicate.content import Post
from syndicate.feeds import build_feeds
from syndicate.feeds.feeditem import clean_text
from syndicate.site import Site

NASTY = ["]]>", "<![CDATA[", "-->", "</title>", "<b>fett</b>", "&amp;", "&", "<", ">", "\"'",
         "\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\ud800",
         "\udfff", "\r\n", "\r", "\u202e", "\u200f", "שלום", "مرحبا", "😀", "👩‍👩‍👧", "\U0010ffff", "\U0001fffe"]
any_character = st.characters(blacklist_categories=())  # every code point, surrogates included
pieces = st.one_of(st.text(alphabet=any_character, max_size=40), st.sampled_from(NASTY))
texts = st.lists(pieces, max_size=12).map("".join)
long_texts = st.sampled_from(NASTY + ["ä", "x"]).map(lambda piece: (piece * 10_000)[:10_000])


def post(index: int, title: str, body: str, summary: str, term: str) -> Post:
    moment = datetime(2024, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=index)
    return Post(source=f"content/blog/p{index}.md", slug=f"p{index}", path=f"/blog/p{index}/",
                url=f"https://example.org/blog/p{index}/", title=title, published=moment, updated=moment,
                author=summary[:20], summary=summary, body=Body.of(body), taxonomies={"topic": (term,)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.one_of(texts, long_texts), body=st.one_of(texts, long_texts), summary=texts, term=texts)
def test_arbitrary_titles_and_bodies_always_give_well_formed_feeds(title, body, summary, term):
    site_settings = Settings(root=Path("."), site=SiteSettings(base_url="https://example.org/", title="Blog"),
                             feeds=FeedSettings(limit=1))
    posts = (post(2, title, body, summary, term), post(1, "Gewöhnlich", "<p>Text</p>", "Text", term))
    feeds = build_feeds(Site(site_settings, posts))
    assert {feed.format for feed in feeds} == {"atom", "rss", "json"}
    for feed in feeds:
        if feed.format == "json":
            document = json.loads(feed.data)
            titles = [item["title"] for item in document["items"]]
        else:
            assert feedparser.parse(feed.data).bozo == 0, feed.path
            root = etree.fromstring(feed.data)
            titles = ([node.text or "" for node in root.iter("{http://www.w3.org/2005/Atom}entry")
                       for node in node.iter("{http://www.w3.org/2005/Atom}title")]
                      if feed.format == "atom" else [item.findtext("title") or "" for item in root.iter("item")])
        if feed.archive is None and feed.taxonomy is None:  # the newest post, its title intact
            assert titles == [clean_text(title) if clean_text(title).strip() else "p2"]
