"""Hugo sites in general (issue 9): configuration as Hugo reads it, languages, the posts section,
permalinks in syndicate.toml, the share image and the authors the Hugo way, and every file
accounted for."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import feedparser
import pytest
from conftest import run_cli

from syndicate import SyndicateError, build, load_settings, load_site
from syndicate.cards import footer_line, look_of, post_page
from syndicate.meta import meta_tags

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + bytes.fromhex(
    "ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc4"
    "00b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c115"
    "52d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465"
    "666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9"
    "bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00"
    "fbd3ffd9")


def site_with(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def post(title: str, extra: str = "", date: str = "2024-05-01") -> str:
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ndate: {date}\n{extra}---\nText of {title}.\n"


def no_env(**values: str) -> dict[str, str]:
    """The process environment without HUGO_* variables, plus these."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("HUGO")}, **values}


# ---------------------------------------------------------------- 1. configuration as Hugo reads it

def test_the_config_folder_overrides_the_root_file_and_the_environment_folder_overrides_both(tmp_path):
    site_with(tmp_path, {
        "hugo.toml": 'baseurl = "https://root.example.org/"\ntitle = "Root"\n[Params]\nAuthor = "Root"\n',
        "config.toml": 'title = "never read: hugo.toml comes first"\n',
        "config/_default/hugo.yaml": "Title: Default folder\n",
        "config/_default/params.toml": 'description = "from params.toml"\nauthor = "Params"\n',
        "config/_default/languages.toml": '[en]\ntitle = "English title"\n',
        "config/production/params.yaml": "description: production\n",
        "config/staging/params.yaml": "description: staging\n",
    })
    settings = load_settings(tmp_path, environ=no_env())
    assert (settings.site.base_url, settings.site.title) == ("https://root.example.org/", "Default folder")
    assert (settings.site.description, settings.site.author) == ("production", "Params")
    assert settings.languages[0].title == "English title"
    staging = load_settings(tmp_path, environ=no_env(HUGO_ENVIRONMENT="staging"))
    assert staging.site.description == "staging" and staging.hugo.environment == "staging"


def test_hugo_environment_variables_win_and_the_base_url_flag_beats_them_all(tmp_path):
    site_with(tmp_path, {"hugo.yaml": "baseURL: https://config.example.org/\nparams:\n  author: Config\n  count: 3\n",
                         "syndicate.toml": '[site]\nbase_url = "https://toml.example.org/"\n',
                         "content/blog/a.md": post("A")})
    environ = no_env(HUGO_BASEURL="https://env.example.org/", HUGO_PARAMS_AUTHOR="Env Author",
                     HUGOxPARAMSxCOUNT="7")
    settings = load_settings(tmp_path, environ=environ)
    assert settings.site.base_url == "https://env.example.org/"
    assert settings.site.author == "Env Author" and settings.hugo.params["count"] == 7
    flagged = load_settings(tmp_path, {"site": {"base_url": "https://flag.example.org/"}}, environ=environ)
    assert flagged.site.base_url == "https://flag.example.org/"
    result = run_cli("check", "--site", str(tmp_path), "-b", "https://cli.example.org/", "--json")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("config, expected", [
    ("title: No base URL\n", "hugo.yaml: error: the site has no base URL; give it as baseURL in the Hugo config "
     "(or [site] base_url in syndicate.toml), as the environment variable HUGO_BASEURL, or with --base-url"),
    ("title: Relative\nBaseURL: /\n", "hugo.yaml:2: error: BaseURL '/' is not an absolute http(s) URL such as "
     "https://example.org/; give it as baseURL in the Hugo config (or [site] base_url in syndicate.toml), as "
     "the environment variable HUGO_BASEURL, or with --base-url"),
    ("baseurl: https://x.org/\nparams:\n  x: 1\ntimeZone: Mars/Olympus\n",
     "hugo.yaml:4: error: timeZone 'Mars/Olympus' is not an IANA time zone such as Europe/Berlin"),
])
def test_a_bad_or_missing_base_url_is_an_error_naming_the_key_as_written_and_the_three_ways(tmp_path, config,
                                                                                          expected):
    site_with(tmp_path, {"hugo.yaml": config, "content/blog/a.md": post("A")})
    with pytest.raises(SyndicateError) as caught:
        load_settings(tmp_path, environ=no_env())
    assert str(caught.value.diagnostic) == expected
    result = run_cli("build", "--site", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and expected in result.stderr and not (tmp_path / "out").exists()


def test_an_error_in_the_config_folder_names_that_file_and_line(tmp_path):
    site_with(tmp_path, {"config/_default/hugo.toml": 'baseURL = "https://x.org/"\n',
                         "config/_default/permalinks.toml": '[page]\nblog = "/:year/:nonsense/"\n'})
    with pytest.raises(SyndicateError) as caught:
        load_settings(tmp_path, environ=no_env())
    assert str(caught.value.diagnostic).startswith("config/_default/permalinks.toml:2: error: permalinks for "
                                                   "'blog': '/:year/:nonsense/' has the unknown token ':nonsense'")


def test_an_ignorefiles_entry_that_is_no_regular_expression_is_an_error(tmp_path):
    site_with(tmp_path, {"hugo.toml": 'baseURL = "https://x.org/"\nignoreFiles = ["(unclosed"]\n'})
    with pytest.raises(SyndicateError, match=r"hugo.toml:2: error: ignoreFiles: '\(unclosed'"):
        load_settings(tmp_path, environ=no_env())


# ---------------------------------------------------------------- 5. [content] permalink

@pytest.mark.parametrize("pattern", ["/blog/:year/:slug/", "/blog/{year}/{slug}/"])
def test_the_permalink_setting_takes_hugos_tokens_and_the_old_braces(tmp_path, pattern):
    site_with(tmp_path, {"syndicate.toml": f'[site]\nbase_url = "https://x.org/"\n[content]\npermalink = "{pattern}"\n',
                         "content/blog/2024-05-01-first.md": "---\ntitle: First\n---\nx\n"})
    post_, = load_site(tmp_path).posts
    assert post_.url == "https://x.org/blog/2024/first/"


def test_an_unknown_permalink_token_exits_2_with_file_and_line(tmp_path):
    site_with(tmp_path, {"syndicate.toml": '[site]\nbase_url = "https://x.org/"\n\n[content]\npermalink = "/:yaer/:slug/"\n',
                         "content/blog/a.md": post("A")})
    result = run_cli("build", "--site", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "syndicate.toml:5: error: [content] permalink '/:yaer/:slug/' has the unknown token ':yaer'" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_style_permalinks_for_pages_give_the_same_urls_as_the_old_map(tmp_path):
    old = site_with(tmp_path / "old", {"hugo.toml": 'baseURL = "https://x.org/"\n[permalinks]\nblog = "/:year/:month/:slug/"\n',
                                       "content/blog/a.md": post("Some Title")})
    new = site_with(tmp_path / "new", {"hugo.toml": 'baseURL = "https://x.org/"\n[permalinks.page]\nblog = "/:year/:month/:slug/"\n'
                                                    '[permalinks.section]\nblog = "/section-only/"\n',
                                       "content/blog/a.md": post("Some Title")})
    urls = [[p.url for p in load_site(root).posts] for root in (old, new)]
    assert urls[0] == urls[1] == ["https://x.org/2024/05/some-title/"]


# ---------------------------------------------------------------- 4. the posts section

def test_main_sections_give_the_posts_and_the_summary_says_how(tmp_path):
    site_with(tmp_path, {"hugo.toml": 'baseURL = "https://x.org/"\n[params]\nmainSections = ["news", "notes"]\n',
                         "content/news/a.md": post("News"), "content/notes/b.md": post("Note"),
                         "content/blog/c.md": post("Not a main section"),
                         "content/news/_index.md": "---\ntitle: News\nurl: /aktuelles/\n---\n"})
    site = load_site(tmp_path, {"build": {"cards": False}})
    assert sorted(p.title for p in site.posts) == ["News", "Note"]
    assert "posts from content/news, content/notes (the Hugo config's params.mainSections" in site.summary.line()
    result = build(site, tmp_path / "out")
    atom = feedparser.parse((tmp_path / "out" / "feeds" / "atom.xml").read_bytes())
    assert atom.feed.link == "https://x.org/aktuelles/"  # the section's own page, moved by its _index
    assert result.manifest["feeds"]


@pytest.mark.parametrize("folder", ["posts", "post", "news", "articles"])
def test_without_main_sections_the_usual_blog_folder_that_exists_is_taken(tmp_path, folder):
    site_with(tmp_path, {"hugo.toml": 'baseURL = "https://x.org/"\n', f"content/{folder}/a.md": post("A"),
                         "content/about/me.md": post("About")})
    site = load_site(tmp_path)
    assert [p.url for p in site.posts] == [f"https://x.org/{folder}/a/"]
    assert site.settings.posts_from.startswith("the first usual blog folder there is")


# ---------------------------------------------------------------- 3. languages

MULTILINGUAL = {
    "hugo.toml": '''
        baseURL = "https://x.org/"
        defaultContentLanguage = "en"
        languageCode = "en-US"
        [taxonomies]
        tag = "tags"
        [languages.en]
        title = "The Blog"
        weight = 1
        [languages.de]
        title = "Das Blog"
        languageCode = "de-DE"
        weight = 2
        ''',
    "content/blog/hello.md": post("Hello", "tags: [news]\n", date="2024-03-05"),
    "content/blog/hello.de.md": post("Hallo", "tags: [news]\n", date="2024-03-05"),
    "content/blog/only.md": post("Only in English"),
}


def test_each_language_gets_its_own_feeds_in_its_folder_with_its_title_and_xml_lang(tmp_path):
    site = load_site(site_with(tmp_path / "site", MULTILINGUAL), {"build": {"cards": False}})
    build(site, tmp_path / "out")
    english = feedparser.parse((tmp_path / "out" / "feeds" / "atom.xml").read_bytes())
    german = feedparser.parse((tmp_path / "out" / "de" / "feeds" / "atom.xml").read_bytes())
    assert [e.title for e in english.entries] == ["Only in English", "Hello"]
    assert [e.title for e in german.entries] == ["Hallo"]
    assert (english.feed.title, english.feed.language) == ("The Blog", "en-US")
    assert (german.feed.title, german.feed.language) == ("Das Blog", "de-DE")
    assert german.feed.link == "https://x.org/de/blog/"
    assert german.entries[0].link == "https://x.org/de/blog/hello/"
    de_terms = feedparser.parse((tmp_path / "out" / "de" / "feeds" / "tags" / "news" / "atom.xml").read_bytes())
    assert [e.title for e in de_terms.entries] == ["Hallo"] and de_terms.feed.title == "Das Blog – tags: news"


def test_meta_tags_name_the_locale_its_alternates_and_every_translation(tmp_path):
    site = load_site(site_with(tmp_path, MULTILINGUAL))
    german = next(p for p in site.posts if p.language == "de")
    snippet = meta_tags(german, site.settings)
    assert '<meta property="og:locale" content="de_DE">' in snippet
    assert '<meta property="og:locale:alternate" content="en_US">' in snippet
    assert '<meta property="og:site_name" content="Das Blog">' in snippet
    assert '<link rel="alternate" hreflang="de-DE" href="https://x.org/de/blog/hello/">' in snippet
    assert '<link rel="alternate" hreflang="en-US" href="https://x.org/blog/hello/">' in snippet
    only = next(p for p in site.posts if p.title == "Only in English")
    assert "hreflang" not in meta_tags(only, site.settings)


def test_cards_show_the_date_in_the_posts_language_and_its_sites_title(tmp_path):
    site = load_site(site_with(tmp_path, MULTILINGUAL))
    german = next(p for p in site.posts if p.language == "de")
    english = next(p for p in site.posts if p.title == "Hello")
    assert footer_line(german, site.settings) == "Das Blog  ·  5. März 2024"
    assert footer_line(english, site.settings) == "The Blog  ·  5 March 2024"
    assert post_page(german, site.settings, look_of(site.settings)).language == "de-DE"


# ---------------------------------------------------------------- 7. the share image

def test_the_share_image_comes_from_hugos_keys_then_the_bundles_feature_cover_or_thumbnail(tmp_path):
    site = load_site(site_with(tmp_path, {
        "hugo.toml": 'baseURL = "https://x.org/"\nuglyURLs = true\n',
        "content/blog/named/index.md": post("Named", "images: [social.jpg]\n"),
        "content/blog/named/social.jpg": JPEG,
        "content/blog/named/cover.jpg": JPEG,
        "content/blog/cover/index.md": post("Cover", "") + "\n![diagram](diagram.png)\n",
        "content/blog/cover/the-cover.jpg": JPEG,
        "content/blog/featured/index.md": post("Featured"),
        "content/blog/featured/thumbnail.jpg": JPEG,
        "content/blog/featured/featured-image.jpg": JPEG,
        "content/blog/papermod/index.md": post("PaperMod", "cover:\n  image: pic.jpg\n  alt: A picture\n"),
        "content/blog/papermod/pic.jpg": JPEG,
        "content/blog/static.md": post("Static", "featured_image: /images/x.jpg\n"),
        "static/images/x.jpg": JPEG,
        "content/blog/own-url/index.md": post("Own URL", "image: /blog/own-url/cover.jpg\n"),
        "content/blog/own-url/cover.jpg": JPEG,
    }))
    by_title = {p.title: p for p in site.posts}
    assert (by_title["Named"].image.url, by_title["Named"].image_key) == ("https://x.org/blog/named/social.jpg", "images")
    assert (by_title["Cover"].image.url, by_title["Cover"].image_key) == ("https://x.org/blog/cover/the-cover.jpg",
                                                                        "resource")
    assert by_title["Featured"].image.url.endswith("/featured/featured-image.jpg")  # *feature* before thumbnail
    assert (by_title["PaperMod"].image.url, by_title["PaperMod"].image.alt) == ("https://x.org/blog/papermod/pic.jpg",
                                                                              "A picture")
    assert by_title["Static"].image.url == "https://x.org/images/x.jpg"
    assert by_title["Own URL"].image.file == tmp_path / "content/blog/own-url/cover.jpg"
    # an ugly URL (/blog/cover.html) still publishes the bundle's files in /blog/cover/
    assert by_title["Cover"].url == "https://x.org/blog/cover.html"
    assert 'src="https://x.org/blog/cover/diagram.png"' in by_title["Cover"].body_html
    for post_ in by_title.values():
        assert post_page(post_, site.settings, look_of(site.settings)).backgrounds[0].kind == post_.image_key


# ---------------------------------------------------------------- 9. authors

def test_authors_are_display_names_in_any_of_hugos_shapes(tmp_path):
    root = site_with(tmp_path / "site", {
        "hugo.toml": 'baseURL = "https://x.org/"\n[params.author]\nname = "Site Author"\nemail = "a@x.org"\n',
        "content/authors/jdoe/_index.md": "---\ntitle: Jane Doe\n---\n",
        "data/authors/mm.yaml": "name: Max Mustermann\n",
        "content/blog/string.md": post("String", "author: Ada Lovelace\n"),
        "content/blog/list.md": post("List", "author: [Ada Lovelace, Grace Hopper]\n"),
        "content/blog/map.md": post("Map", "author:\n  name: Grace Hopper\n  avatar: g.png\n"),
        "content/blog/taxonomy.md": post("Taxonomy", "authors: [jdoe, mm]\n"),
        "content/blog/page-params.md": post("Page params", "params:\n  author:\n    name: Linus T\n"),
        "content/blog/none.md": post("None"),
    })
    site = load_site(root, {"build": {"cards": False}})
    authors = {p.title: p.author for p in site.posts}
    assert authors == {"String": "Ada Lovelace", "List": "Ada Lovelace, Grace Hopper", "Map": "Grace Hopper",
                       "Taxonomy": "Jane Doe, Max Mustermann", "Page params": "Linus T", "None": "Site Author"}
    taxonomy = next(p for p in site.posts if p.title == "Taxonomy")
    assert '<meta property="article:author" content="Jane Doe, Max Mustermann">' in meta_tags(taxonomy, site.settings)
    assert "Jane Doe, Max Mustermann" in footer_line(taxonomy, site.settings)
    build(site, tmp_path / "out")
    rss = (tmp_path / "out" / "feeds" / "rss.xml").read_text(encoding="utf-8")
    assert "<dc:creator>Jane Doe, Max Mustermann</dc:creator>" in rss and "jdoe" not in rss


# ---------------------------------------------------------------- 2 and 10. content, hidden surprises visible

def test_every_file_not_published_is_a_resource_a_section_page_or_says_why(tmp_path):
    root = site_with(tmp_path, {
        "hugo.toml": 'baseURL = "https://x.org/"\nignoreFiles = ["\\\\.Rmd$"]\n',
        "content/blog/_index.md": "---\ntitle: Blog\n---\n",
        "content/blog/ok.md": post("OK"),
        "content/blog/draft.md": post("Draft", "draft: true\n"),
        "content/blog/future.md": post("Future", date="2999-01-01"),
        "content/blog/expired.md": post("Expired", "expiryDate: 2020-01-01\n", date="2019-01-01"),
        "content/blog/never.md": post("Never rendered", "_build:\n  render: never\n"),
        "content/blog/unlisted.md": post("Unlisted", "_build:\n  list: never\n"),
        "content/blog/doc.adoc": post("AsciiDoc"),
        "content/blog/notes.rst": "Title\n=====\n",
        "content/blog/source.Rmd": "x",
        "content/blog/b/index.md": post("Bundle"),
        "content/blog/b/photo.jpg": JPEG,
        "content/blog/b/extra.md": post("A bundle's resource"),
        "content/blog/hl/index.md": post("Headless", "headless: true\n"),
    })
    site = load_site(root, {"build": {"cards": False}})
    said = {Path(d.file).name: (str(d.level), d.message) for d in site.diagnostics}
    assert sorted(p.title for p in site.posts) == ["Bundle", "OK", "Unlisted"]
    assert said["draft.md"][0] == "note" and "--drafts" in said["draft.md"][1]
    assert "--future" in said["future.md"][1] and "--expired" in said["expired.md"][1]
    assert "render: never" in said["never.md"][1] and "list: never" in said["unlisted.md"][1]
    assert said["doc.adoc"][0] == "warning" and "AsciiDoc" in said["doc.adoc"][1]
    assert "reStructuredText" in said["notes.rst"][1]
    assert "headless" in said["index.md"][1]
    summary = site.summary
    assert summary.left_out == {"drafts": 1, "future": 1, "expired": 1, "build options": 1, "other formats": 2,
                                "headless": 1}
    assert (summary.resources, summary.section_pages, summary.ignored, summary.unlisted) == (2, 1, 1, 1)
    build(site, tmp_path / "out")
    feed = (tmp_path / "out" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "Unlisted" not in feed and "OK" in feed  # Hugo keeps `list: never` out of its lists
    assert load_site(root, {"build": {"expired": True, "drafts": True}}).summary.left_out["future"] == 1
    result = run_cli("check", "--site", str(root))
    assert "not published: 1 build options, 1 drafts, 1 expired, 1 future, 1 headless, 2 other formats" in result.stderr
    assert result.returncode == 0  # notes and warnings: nothing failed


def test_toml_and_json_front_matter_and_html_content(tmp_path):
    site = load_site(site_with(tmp_path, {
        "hugo.toml": 'baseURL = "https://x.org/"\n',
        "content/posts/t.md": '+++\ntitle = "TOML"\ndate = 2024-01-02T03:04:05Z\ntags = ["a", "b"]\n+++\n*Body*\n',
        "content/posts/j.md": '{\n  "title": "JSON",\n  "date": "2024-01-03",\n  "params": {"x": {"y": 1}}\n}\n\nBody\n',
        "content/posts/h.html": "---\ntitle: HTML\ndate: 2024-01-04\n---\n<p>Already <em>HTML</em><script>x()</script></p>\n",
    }))
    by_title = {p.title: p for p in site.posts}
    assert by_title["TOML"].taxonomies["tags"] == ("a", "b") and "<em>Body</em>" in by_title["TOML"].body_html
    assert by_title["JSON"].published.isoformat() == "2024-01-03T00:00:00+00:00"
    assert by_title["HTML"].body_html == "<p>Already <em>HTML</em></p>"  # as-is, sanitised like raw HTML


def test_a_folder_with_no_config_at_all_is_asked_whether_it_is_the_sites(tmp_path):
    """`--site` one folder too high (a repository whose Hugo site is a subfolder, as linkerd.io's):
    the error names that folder and asks, instead of blaming a syndicate.toml that is not there."""
    site_with(tmp_path / "site", {"hugo.yaml": "baseURL: https://x.org/\n", "content/blog/a.md": post("A")})
    with pytest.raises(SyndicateError) as caught:
        load_settings(tmp_path, environ=no_env())
    assert caught.value.diagnostic.file == str(tmp_path)
    assert "holds no Hugo config" in caught.value.diagnostic.message
    assert "is it the site's folder? Give --site the folder that holds them" in caught.value.diagnostic.message
