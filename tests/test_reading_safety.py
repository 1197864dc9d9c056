"""Issue 10's reading defects, fixed where posts are read: links out of the site, control
characters, URLs that climb above the root, front matter too deep to pickle, dates no feed can
carry. Each is one post's error (or cleaned text), never a crash and never in an output."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli, write_site
from hypothesis import given
from hypothesis import strategies as st

from syndicate import build, load_site
from syndicate.permalinks import ClimbingURL, normalise_url_path

GOOD = "---\ntitle: Gut\ndate: 2024-01-01\n---\nText.\n"


def build_json(root, *extra: str):
    result = run_cli("build", "--site", str(root), "--out", str(root / "out"), "--state-dir",
                     str(root / "state"), "--no-cards", "--json", *extra)
    return result, json.loads(result.stdout)


def test_a_post_that_links_to_a_file_outside_the_site_is_an_error_naming_the_link(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Geheim\n---\nDas Passwort ist hunter2.\n")
    root = write_site(tmp_path / "site", {"2024-01-01-gut.md": GOOD, "2024-01-03-inside-target.md": GOOD})
    (root / "content" / "blog" / "2024-01-02-leak.md").symlink_to(secret)
    (root / "content" / "blog" / "2024-01-04-inside.md").symlink_to(root / "content" / "blog" / "2024-01-03-inside-target.md")
    result, report = build_json(root)
    assert result.returncode == 1
    error, = (d for d in report["diagnostics"] if d["level"] == "error")
    assert error["file"] == "content/blog/2024-01-02-leak.md"
    assert error["message"].startswith(f"is a link to {secret}, outside the site; it is not read")
    everything = "".join(p.read_text(errors="replace") for p in (root / "out").rglob("*") if p.is_file())
    assert "hunter2" not in everything and "Geheim" not in everything
    assert report["posts"] == 3  # a link inside the site is read like any file


def test_a_settings_file_that_links_out_of_the_site_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('baseURL = "https://x.org/"\n')
    root = write_site(tmp_path / "site", {"a.md": GOOD})
    (root / "syndicate.toml").unlink()
    (root / "hugo.toml").symlink_to(outside)
    result = run_cli("check", "--site", str(root))
    assert result.returncode == 2
    assert "hugo.toml: error: is a link to a file outside the site" in result.stderr


def test_control_characters_are_cleaned_where_front_matter_is_read_so_no_output_has_them(tmp_path):
    dirty = "Ti\x00tel \x1b[31mrot\x1b[0m\x07 \x85C1"
    root = write_site(tmp_path, {
        "2024-01-01-dirty.md": f'---\ntitle: "{dirty}"\nauthor: "Au\\x1bthor\\x00"\ntopic: "to\\x07pic"\n'
                               f'description: "Be\\u009bschreibung"\n---\nBody \x00with NUL.\n'})
    result, _ = build_json(root)
    assert result.returncode == 0
    post, = json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))["posts"]
    assert post["title"] == "Titel rot C1" and post["taxonomies"] == {"topic": ["topic"]}
    control = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]]
    for file in (root / "out").rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            assert not any(c in text for c in control), file
            assert "\\u001b" not in text and "\\u0000" not in text, file
    meta = (root / "out" / post["meta"]).read_text(encoding="utf-8")
    assert 'content="Titel rot C1"' in meta and 'content="Author"' in meta and 'content="Beschreibung"' in meta


@pytest.mark.parametrize("url", ["/../../../etc/x", "../../x/", "/a/../../b/"])
def test_a_url_that_climbs_above_the_site_root_is_an_error_and_left_out(tmp_path, url):
    root = write_site(tmp_path, {"2024-01-01-up.md": f"---\ntitle: Up\nurl: '{url}'\n---\nB\n",
                                 "2024-01-02-gut.md": GOOD})
    site = load_site(root)
    assert [p.title for p in site.posts] == ["Gut"]
    error, = map(str, site.diagnostics)
    assert error.startswith(f"content/blog/2024-01-01-up.md:3: error: url '{url}' climbs above the site's root")


def test_dot_segments_are_removed_as_rfc_3986_says():
    assert normalise_url_path("/a/./b/../c/") == "/a/c/"
    assert normalise_url_path("/a/b/..") == "/a/"
    assert normalise_url_path("/a/./") == "/a/"
    assert normalise_url_path("/a//b/") == "/a/b/"
    with pytest.raises(ClimbingURL):
        normalise_url_path("/a/../../b")


def test_front_matter_nested_600_deep_is_an_error_for_that_post_not_a_crash_of_the_cache(tmp_path):
    deep = "x: " + "[" * 600 + "a" + "]" * 600 + "\n"
    root = write_site(tmp_path, {"2024-01-01-deep.md": f"---\ntitle: Tief\n{deep}---\nB\n",
                                 "2024-01-02-gut.md": GOOD})
    result, report = build_json(root)
    assert result.returncode == 1 and report["posts"] == 1
    error, = report["diagnostics"]
    assert error["file"] == "content/blog/2024-01-01-deep.md"
    assert "nested more than 64 levels deep" in error["message"]
    again, _ = build_json(root)  # the post cache was written and is read back
    assert again.returncode == 1


def test_recursive_yaml_aliases_are_an_error_not_a_hang(tmp_path):
    root = write_site(tmp_path, {"2024-01-01-loop.md": "---\ntitle: Loop\nx: &a [*a]\n---\nB\n",
                                 "2024-01-02-laughs.md": "---\ntitle: Laughs\na: &a [1,1,1,1,1,1,1,1,1,1]\n"
                                 + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
                                           for i in range(6)) + "---\nB\n",
                                 "2024-01-03-gut.md": GOOD})
    site = load_site(root)
    assert [p.title for p in site.posts] == ["Gut"]
    assert sorted(d.file.rsplit("-", 1)[1] for d in site.diagnostics if d.level == "error") == ["laughs.md", "loop.md"]


@pytest.mark.parametrize("front, timezone, key", [
    ("lastmod: 9999-12-31T23:59:59-00:20", "UTC", "lastmod"),
    ("date: 0001-01-01", "Europe/Berlin", "date"),
    ("date: '9999-12-31T23:30:00-01:00'", "UTC", "date"),
])
def test_a_date_that_leaves_the_years_1_to_9999_in_utc_is_an_error_at_read_time(tmp_path, front, timezone, key):
    root = write_site(tmp_path, {"2024-01-01-edge.md": f"---\ntitle: Rand\n{front}\n---\nB\n",
                                 "2024-01-02-gut.md": GOOD},
                      config=f'[site]\nbase_url = "https://x.org/"\ntimezone = "{timezone}"\n')
    site = load_site(root)
    assert [p.title for p in site.posts] == ["Gut"]
    error, = map(str, site.diagnostics)
    assert error.startswith(f"content/blog/2024-01-01-edge.md:3: error: '{key}': ")
    assert "outside the years 1–9999 in UTC" in error
    result = build(site, tmp_path / "out")  # and nothing downstream overflows
    assert result.manifest["posts"][0]["title"] == "Gut"


def test_a_zone_offset_with_seconds_is_written_in_utc_since_rfc_3339_offsets_have_none(tmp_path):
    """`date: 1850-01-01` in Europe/Berlin is +00:53:28 local mean time: no RFC 3339 offset."""
    root = write_site(tmp_path, {"1850-01-01-alt.md": "---\ntitle: Alt\ndate: 1850-01-01\n---\nB\n"},
                      config='[site]\nbase_url = "https://x.org/"\ntimezone = "Europe/Berlin"\n')
    result, report = build_json(root)
    assert result.returncode == 0, result.stderr
    post, = json.loads((root / "out" / "manifest.json").read_text())["posts"]
    assert post["published"] == post["updated"] == "1849-12-31T23:06:32+00:00"
    meta = (root / "out" / post["meta"]).read_text()
    assert 'content="1849-12-31T23:06:32+00:00"' in meta and "+00:53" not in meta
    entry, = json.loads((root / "out" / "feeds" / "feed.json").read_text())["items"]
    assert entry["date_published"] == "1849-12-31T23:06:32+00:00"


@given(st.lists(st.sampled_from(["a", "ü", "“", "\x00", "\x1b[31m", "\x1b", "\x7f", "\x85", "\x9f", "\xa0", "\t", "\r\n",
                                 "😀", "\ufeff", "\u2028",
                                 "\ufdd0", "\ufdef", "\ufdf0", "\ufffe", "\uffff", "\ufffd"]), max_size=12).map("".join))
def test_control_characters_found_in_the_bytes_are_those_found_in_the_text(text):
    from syndicate.sourcefile import clean, decoded_text

    data = text.encode("utf-8")
    assert decoded_text(data) == clean(data.decode("utf-8-sig"))
    assert decoded_text(b"\xef\xbb\xbf" + data) == clean(data.decode("utf-8"))
