"""Settings: defaults → Hugo config → syndicate.toml / [tool.syndicate] → flags, with clear errors."""

from __future__ import annotations

import pytest
from conftest import run_cli, write_site

from syndicate import Diagnostics, SyndicateError, load_settings

HUGO = "baseURL: https://codefor.de\ntitle: Code for Germany\nlanguageCode: de-DE\ntimeZone: Europe/Berlin\n" \
       "params:\n  author: codeforde\n  twitter_handle: '@codeforde'\nrssLimit: 10\n" \
       "permalinks:\n  labs: /:filename\n"


def test_a_hugo_site_works_with_no_syndicate_toml(tmp_path):
    (tmp_path / "config.yaml").write_text(HUGO)
    settings = load_settings(tmp_path)
    assert settings.site.base_url == "https://codefor.de/"
    assert (settings.site.title, settings.site.language, settings.site.timezone) == \
           ("Code for Germany", "de-DE", "Europe/Berlin")
    assert (settings.site.author, settings.site.twitter) == ("codeforde", "@codeforde")
    assert settings.feeds.limit == 10
    assert settings.content.section_permalinks == {"labs": "/:filename"}
    assert settings.posts_dir == tmp_path / "content" / "blog"


def test_later_layers_win_defaults_hugo_toml_flags(tmp_path):
    (tmp_path / "config.yaml").write_text(HUGO)
    (tmp_path / "syndicate.toml").write_text('[site]\ntitle = "Eigener Titel"\n[feeds]\nlimit = 15\n')
    settings = load_settings(tmp_path, {"feeds": {"limit": 5}})
    assert settings.site.title == "Eigener Titel"
    assert settings.site.base_url == "https://codefor.de/"
    assert settings.feeds.limit == 5
    assert settings.feeds.formats == ["atom", "rss", "json"]


def test_pyproject_tool_table_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.syndicate.site]\ntitle = "Aus pyproject"\n'
                                             'base_url = "https://x.org/"\n')
    assert load_settings(tmp_path).site.title == "Aus pyproject"


def test_unknown_keys_warn_with_the_closest_known_key(tmp_path):
    (tmp_path / "syndicate.toml").write_text('[site]\ntitle = "T"\nbase_ulr = "https://x.org/"\n\n[feed]\nlimit = 3\n')
    diagnostics = Diagnostics()
    load_settings(tmp_path, {"site": {"base_url": "https://x.org/"}}, diagnostics=diagnostics)
    assert [str(d) for d in diagnostics.items] == [
        "syndicate.toml:3: warning: unknown key 'base_ulr' in [site] (did you mean 'base_url'?); it is ignored",
        "syndicate.toml:5: warning: unknown section [feed] (did you mean 'feeds'?); it is ignored",
    ]


@pytest.mark.parametrize("toml, message", [
    ('[feeds]\nlimit = "zwanzig"\n', "syndicate.toml:2: error: [feeds] limit must be a whole number, got 'zwanzig'"),
    ('[feeds]\ntaxonomies = "topic"\nformats = [1]\n', "syndicate.toml:3: error: [feeds] formats must be a list of strings, got [1]"),
    ('[site]\nbase_url = "codefor.de"\n', "syndicate.toml:2: error: [site] base_url 'codefor.de' is not an absolute "
     "http(s) URL such as https://example.org/; give it as baseURL in the Hugo config (or [site] base_url in "
     "syndicate.toml), as the environment variable HUGO_BASEURL, or with --base-url"),
    ('[site]\ntimezone = "Mars/Olympus"\nbase_url = "https://x.org/"\n',
     "syndicate.toml:2: error: [site] timezone 'Mars/Olympus' is not an IANA time zone"),
    ('[ping]\nindexnow_key = "short"\n[site]\nbase_url = "https://x.org/"\n',
     "syndicate.toml:2: error: [ping] indexnow_key must be 8 to 128 characters"),
    ('[site\n', "syndicate.toml:1: error: invalid TOML"),
    ('[site]\ntitle = "T"\nbase_url = "https://x.org/"\n[ping]\nwebsub = ["https://hub.example.org/",\n  "hub.example.org"]\n',
     "syndicate.toml:5: error: [ping] websub endpoint 'hub.example.org' is not an http(s) URL"),
    ('[ping]\nxmlrpc = ["ftp://rpc.example.org/"]\n[site]\nbase_url = "https://x.org/"\n',
     "syndicate.toml:2: error: [ping] xmlrpc endpoint 'ftp://rpc.example.org/' is not an http(s) URL"),
    ('[ping]\ntimeout = 5\nindexnow = "https://api.indexnow.org/indexnow"\n[site]\nbase_url = "https://x.org/"\n',
     "syndicate.toml:3: error: [ping] indexnow is set but indexnow_key is not; choose a key of 8 to 128"),
    ('[site]\nbase_url = "https://x.org/"\n[content]\nposts = ["notes"]\n',
     "syndicate.toml:4: error: [content] posts 'notes' is not inside the content folder 'content': Hugo makes pages "
     "only of files below it; give a folder there, e.g. 'content/notes'"),
    ('[site]\nbase_url = "https://x.org/"\n[ping]\ntimeout = 5.0\n[announce]\ntimeout = -1.0\n',  # one key, two sections
     "syndicate.toml:6: error: [announce] timeout and deadline must be positive numbers of seconds"),
])
def test_wrong_settings_are_errors_naming_file_line_and_fix(tmp_path, toml, message):
    (tmp_path / "syndicate.toml").write_text(toml)
    with pytest.raises(SyndicateError) as caught:
        load_settings(tmp_path)
    assert str(caught.value.diagnostic).startswith(message)


def test_a_configuration_error_exits_2_and_writes_nothing(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": "---\ntitle: A\n---\nB\n"}, config='[feeds]\nlimit = "x"\n')
    result = run_cli("build", "--site", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "syndicate.toml:2: error: [feeds] limit must be a whole number" in result.stderr
    assert not (tmp_path / "out").exists()


def test_strict_turns_warnings_into_exit_1(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": "---\ntitle: A\nog_image: /blog/missing.jpg\n---\nB\n"})
    assert run_cli("check", "--site", str(tmp_path)).returncode == 0
    assert run_cli("check", "--site", str(tmp_path), "--strict").returncode == 1


def test_a_ping_endpoint_that_is_no_url_stops_the_build_too(tmp_path):
    # The feeds advertise the hubs as rel="hub": a broken one would be written into every feed.
    write_site(tmp_path, {"2020-01-01-a.md": "---\ntitle: A\n---\nB\n"},
               config='[site]\nbase_url = "https://blog.example.org/"\n[ping]\nwebsub = ["hub"]\n')
    result = run_cli("build", "--site", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "syndicate.toml:4: error: [ping] websub endpoint 'hub' is not an http(s) URL" in result.stderr
    assert not (tmp_path / "out").exists()


def test_json_reports_a_configuration_error_on_stdout(tmp_path):
    import json

    write_site(tmp_path, {"2020-01-01-a.md": "---\ntitle: A\n---\nB\n"}, config='[feeds]\nlimit = "x"\n')
    result = run_cli("check", "--site", str(tmp_path), "--json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["diagnostics"][0]["message"].startswith("[feeds] limit must be a whole number")
