"""Property tests: slugs, dates and front matter hold their rules for arbitrary Unicode."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from conftest import write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate import load_site
from syndicate.content import plain_title
from syndicate.dates import parse_date, split_filename_date
from syndicate.permalinks import sanitize as urlize  # Hugo's urlize with the default rules

BERLIN = ZoneInfo("Europe/Berlin")


@given(st.text())
def test_slugs_are_lower_case_without_spaces_and_stable(text):
    slug = urlize(text)
    assert not any(char.isspace() for char in slug)
    assert slug == slug.lower()
    assert urlize(slug) == slug
    # Hugo 0.111 keeps '\\' and a '%' before two hex digits (checked with `hugo list all`), nothing else of these
    assert not set(slug) & set("?&=\"'<> ")
    assert all(slug[i + 1:i + 3].isalnum() and len(slug[i + 1:i + 3]) == 2 for i, c in enumerate(slug) if c == "%")


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_rfc3339_dates_round_trip_with_their_offset(moment, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    aware = moment.replace(microsecond=0, tzinfo=zone)
    parsed = parse_date(aware.isoformat(), BERLIN)
    assert parsed == aware and parsed.utcoffset() == aware.utcoffset()


@given(st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2200, 1, 1).date()))
def test_a_zone_less_date_is_midnight_in_the_site_time_zone(day):
    parsed = parse_date(day.isoformat(), BERLIN)
    assert (parsed.hour, parsed.minute) == (0, 0)
    assert parsed.tzinfo is BERLIN and parsed.date() == day


@given(st.integers(1000, 9999), st.integers(0, 99), st.integers(0, 99), st.text(min_size=1))
def test_file_name_dates_are_real_dates_or_none(year, month, day, rest):
    stem = f"{year:04d}-{month:02d}-{day:02d}-{rest}"
    found, slug_part, problem = split_filename_date(stem, BERLIN)
    try:
        expected = datetime(year, month, day).date()
    except ValueError:
        expected = None
    assert (found.date() if found else None) == expected
    assert (problem is not None) == (expected is None)
    assert slug_part == (rest if expected else stem)


TITLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(
    lambda t: t.strip() and plain_title(t))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLE, author=st.text(max_size=50), topic=st.text(max_size=30))
def test_any_unicode_front_matter_loads_with_the_title_intact(title, author, topic):
    front = yaml.safe_dump({"title": title, "author": author, "topic": topic}, allow_unicode=True)
    root = Path(tempfile.mkdtemp())
    try:
        write_site(root, {"2020-05-05-post.md": f"---\n{front}---\nText.\n"})
        site = load_site(root)
        assert len(site.posts) == 1, [str(d) for d in site.diagnostics]
        post = site.posts[0]
        assert post.title == plain_title(title)
        assert post.published.isoformat() == "2020-05-05T00:00:00+00:00"
        assert post.slug == "post"
        assert all(term and "," not in term for term in post.topics)
    finally:
        shutil.rmtree(root)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_slug_builds_inside_the_output_folder_or_is_reported(slug):
    from syndicate import build

    root = Path(tempfile.mkdtemp())
    try:
        front = yaml.safe_dump({"title": "T", "slug": slug}, allow_unicode=True)
        write_site(root, {"2020-05-05-post.md": f"---\n{front}---\nText.\n"})
        site = load_site(root, {"build": {"cards": False}})
        result = build(site, root / "out")
        out = (root / "out").resolve()
        assert all(out in p.resolve().parents for p in out.rglob("*"))
        if site.posts:
            meta = result.manifest["posts"][0]["meta"]
            assert (out / meta).is_file() and not Path(meta).name.startswith(".")
        else:
            assert [d.level for d in site.diagnostics] == ["error"]
    finally:
        shutil.rmtree(root)
