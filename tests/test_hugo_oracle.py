"""Hugo as the judge (issue 9): every corpus site, zero-config, publishes exactly the posts Hugo
publishes in its posts section at Hugo's URLs; and small sites of every shape are checked against
Debian's hugo itself (`hugo list all`), live. (That no shortcode or emoji code is left in any
corpus body is tests/test_corpus_render.py's.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from conftest import CORPUS_SITES
from lxml import etree
from test_feeds_validator import problems, validate

from syndicate import build, load_site
from syndicate.cards import look_of, post_page
from syndicate.cards.composition import render_spec
from syndicate.cards.spec import card_spec
from syndicate.config import load_settings
from syndicate.contenttree import HTML, MARKDOWN, OTHER_FORMATS
from syndicate.diagnostics import Diagnostics
from syndicate.oracle import compare

HUGO = shutil.which("hugo")
needs_hugo = pytest.mark.skipif(HUGO is None, reason="Debian's hugo is not installed (apt-get install hugo)")
# Two warnings come from render.py, which another change of issue 9 (item 8) rewrites: `controls` on
# <video> (embeds are to become links) and an empty Markdown link `[text]()` kept as href="". They
# are the only ones allowed here; every other rule must pass.
RENDER_ISSUES = {("SecurityRiskAttr", "video controls"), ("ContainsRelRef", "")}


# ---------------------------------------------------------------- the corpus, zero-config

@pytest.mark.parametrize("name", CORPUS_SITES)
def test_zero_config_publishes_exactly_what_hugo_publishes_at_hugos_urls(corpus_build, name):
    built = corpus_build(name)
    match = compare(built.site, built.hugo_list)
    assert match.missing == () and match.other == ()
    assert len(match.same) == len(match.hugo) == len(built.site.posts) > 100


@pytest.mark.parametrize("name", CORPUS_SITES)
def test_every_corpus_feed_passes_the_validator_rules_and_feedparser(corpus_build, name):
    """Each language's current site-wide documents through the validator's rules and feedparser;
    every other document (archive pages, term feeds) parsed as XML or JSON. (The rules cost ~0.2 s
    per long entry; tests/test_feeds.py runs them on every codefor.de document.)"""
    built = corpus_build(name)
    shared = Counter(post.updated.replace(microsecond=0).isoformat() for post in built.site.posts)
    languages = set()
    for entry in built.result.manifest["feeds"]:
        data = (built.out / entry["path"]).read_bytes()
        if entry["format"] == "json":
            assert isinstance(json.loads(data)["items"], list), entry["path"]
        elif entry["taxonomy"] is not None or entry["archive"] is not None:
            etree.fromstring(data)
        else:
            events = [e for e in validate(data, entry["url"]) if (e.name, e.detail) not in RENDER_ISSUES]
            assert problems(events, allow=("DuplicateUpdated",)) == [], entry["path"]
            assert all(shared[event.detail] > 1 for event in events), entry["path"]  # genuinely shared times
            parsed = feedparser.parse(data)
            assert parsed.bozo == 0, (entry["path"], parsed.get("bozo_exception"))
            languages.add(entry["language"])
    assert languages == {post.language for post in built.site.posts}


def test_bundles_with_a_photo_get_photo_cards(corpus_build):
    built = corpus_build("linkerd.io")
    settings = built.site.settings
    with_photo = [post for post in built.site.posts if post.bundle and post.image and post.image.file]
    assert len(with_photo) >= 140  # a cover.* or a social image beside (almost) every post
    look = look_of(settings)
    for post in with_photo:
        assert post.image.file.parent == settings.root / post.bundle
        page = post_page(post, settings, look)
        assert page.backgrounds[0].kind == post.image_key in ("resource", "images", "thumbnail"), post.source
    post = with_photo[0]
    spec = card_spec(post_page(post, settings, look), look, settings, Diagnostics())
    assert render_spec(spec).background == post.image_key


@pytest.mark.parametrize("name", CORPUS_SITES)
def test_every_file_of_the_posts_section_is_published_a_resource_a_section_page_or_explained(corpus_build, name):
    site = corpus_build(name).site
    root = site.settings.root
    ignore = [re.compile(p) for p in site.settings.hugo.ignore_files]
    published = {post.source for post in site.posts}
    explained = {d.file for d in site.diagnostics}
    unexplained = []
    for folder in site.settings.posts_dirs:
        for file in (p for p in folder.rglob("*") if p.is_file()):
            source = file.relative_to(root).as_posix()
            ext = file.suffix.lstrip(".").lower()
            in_bundle = any((parent / name).exists() for parent in file.parents if folder in parent.parents
                            or parent == folder for name in ("index.md", "index.markdown", "index.html"))
            if (source in published or source in explained or file.stem.split(".")[0] == "_index"
                    or ext not in MARKDOWN | HTML | set(OTHER_FORMATS) or any(p.search(str(file)) for p in ignore)
                    or (in_bundle and file.stem.split(".")[0] != "index")):
                continue
            if ext in HTML and not file.read_bytes().lstrip().startswith((b"---", b"+++", b"{")):
                continue  # an .html file without front matter is no page to Hugo
            unexplained.append(source)
    assert unexplained == []
    assert site.summary.published == len(site.posts)


# ---------------------------------------------------------------- small sites against live hugo

def fm(title: str, extra: str = "", date: str = "2021-03-07") -> str:
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n" + (f"date: {date}\n" if date else "") + \
        extra + "---\nBody of the post.\n"


SHAPES = {
    "front matter and formats": ('baseURL = "https://example.org/"\ntimeZone = "Europe/Berlin"\n', {
        "content/blog/yaml.md": fm("YAML"),
        "content/blog/toml.md": '+++\ntitle = "TOML"\ndate = 2021-03-07T10:00:00+01:00\n+++\nBody\n',
        "content/blog/json.md": '{\n  "title": "JSON",\n  "date": "2021-03-08"\n}\nBody\n',
        "content/blog/blank-first.md": "\n\n" + fm("Blank line first"),
        "content/blog/long.markdown": fm("Long suffix"),
        "content/blog/m.mdown": fm("Mdown"),
        "content/blog/page.html": fm("HTML page"),
        "content/blog/page2.htm": fm("HTM page"),
        "content/blog/plain.html": "<!DOCTYPE html>\n<p>no front matter: no page</p>\n",
        "content/blog/no-front-matter.md": "Just text.\n",
        "content/blog/untitled.md": "---\ndate: 2021-01-01\n---\nx\n",
        "content/blog/undated.md": fm("Undated", date=""),
        "content/blog/bad-date.md": fm("Bad date", date="'next tuesday'"),
        "content/blog/no-seconds.md": fm("No seconds", date="'2021-03-07 10:30'"),
        "content/blog/Upper Case File.md": fm("Upper"),
        "content/blog/Ünïcödé Näme.md": fm("Unicode"),
        "content/blog/slugged.md": fm("Slugged", "slug: 'My Own Slug ÄÖ!'\n"),
        "content/blog/moved.md": fm("Moved", "url: /Somewhere/Else\n"),
        "content/blog/dotted.md": fm("Dotted", "url: /a/./b/../c/page.html\n"),
    }),
    "config folder with an environment": (None, {
        "config/_default/hugo.toml": 'baseURL = "/"\ntitle = "Default"\n',
        "config/_default/permalinks.toml": 'blog = "/:year/:slug/"\n',
        "config/staging/permalinks.toml": 'blog = "/staging/:slug/"\n',
        "config/production/hugo.yaml": "title: Production\n",
        "content/posts/first.md": fm("First"),
        "content/posts/second.md": fm("Second Post"),
    }),
    "languages by file name": ('''
        baseURL = "https://example.org/"
        defaultContentLanguage = "de"
        disableLanguages = ["fr"]
        [languages.de]
        title = "Deutsch"
        weight = 1
        [languages.en]
        title = "English"
        languageCode = "en-GB"
        weight = 2
        [languages.fr]
        weight = 3
        [permalinks]
        blog = "/blog/:year/:slug/"
        ''', {
        "content/blog/post.md": fm("Beitrag"),
        "content/blog/post.en.md": fm("Post"),
        "content/blog/post.fr.md": fm("Billet"),
        "content/blog/only.en.md": fm("Only English", "slug: only\n"),
        "content/blog/2021-01-01-launch.de.md": fm("Start"),
        "content/blog/unknown.xx.md": fm("Unknown suffix"),
        "content/blog/b/index.md": fm("Bündel"),
        "content/blog/b/index.en.md": fm("Bundle"),
        "content/blog/tk.md": fm("Schlüssel", "translationKey: shared\n"),
        "content/blog/tk-other.en.md": fm("Key", "translationKey: shared\n"),
        "content/blog/abs.en.md": fm("Absolute", "url: /custom/en/\n"),
        "content/blog/rel.en.md": fm("Relative", "url: relative/path/\n"),
    }),
    "languages by folder in subdirectories": ('''
        baseURL = "https://example.org/"
        defaultContentLanguage = "en"
        defaultContentLanguageInSubdir = true
        [languages.en]
        contentDir = "content/english"
        weight = 1
        [languages.es]
        contentDir = "content/spanish"
        weight = 2
        ''', {
        "content/english/news/hello.md": fm("Hello"),
        "content/english/news/bundle/index.md": fm("Bundle"),
        "content/spanish/news/hello.md": fm("Hola"),
        "content/spanish/news/solo.md": fm("Solo en español"),
    }),
    "bundles and sections": ('baseURL = "https://example.org/"\n[frontmatter]\ndate = [":filename", ":default"]\n', {
        "content/posts/_index.md": "---\ntitle: Posts\n---\n",
        "content/posts/leaf/index.md": fm("Leaf"),
        "content/posts/leaf/notes.md": fm("A resource, not a page"),
        "content/posts/leaf/deeper/index.md": fm("Also a resource"),
        "content/posts/2020-05-06-dated-bundle/index.md": fm("Dated bundle", date=""),
        "content/posts/2020-05-07-dated-file.md": fm("Dated file", date=""),
        "content/posts/slugged/index.md": fm("Slugged bundle", "slug: elsewhere\n"),
        "content/posts/both/index.md": fm("Both: md"),
        "content/posts/both/index.html": fm("Both: html (first by name)"),
        "content/posts/doc/index.md": fm("Doc md"),
        "content/posts/doc/index.html": "<!DOCTYPE html>\n<html><body>quarto output</body></html>\n",
        "content/posts/headless/index.md": fm("Headless", "headless: true\n"),
        "content/posts/branch/_index.md": "---\ntitle: Branch\nheadless: true\n---\n",
        "content/posts/branch/child.md": fm("Child of a branch"),
        "content/posts/branch/leafy/index.md": fm("Leaf in a branch"),
        "content/posts/plain/folder/page.md": fm("In a plain folder"),
    }),
    "every permalink token": ('''
        baseURL = "https://example.org/sub/"
        [permalinks]
        posts = "/:year/:month/:monthname/:day/:weekday/:weekdayname/:yearday/:section/:sections/:title/:slug/:filename/:slugorfilename/"
        news = "/n/:2006/:06/:Jan/:January/:02/:_2/:Mon/:Monday/:sections[1:]/:sections[last]/:slug/"
        ''', {
        "content/posts/one.md": fm("Héllo, Wörld: C++ & Go! 100% (really?) a - b  c__d ~x @me", date="2021-03-07T23:30:00-05:00"),
        "content/posts/two.md": fm("Two", "slug: Custom Slug\n"),
        "content/posts/bund/index.md": fm("Bundle Title"),
        "content/posts/sec/_index.md": "---\ntitle: Sec\n---\n",
        "content/posts/sec/inner/_index.md": "---\ntitle: Inner\n---\n",
        "content/posts/sec/inner/deep.md": fm("Deep Page"),
        "content/posts/nosec/p.md": fm("Not a section"),
        "content/posts/undated.md": fm("Undated", date=""),
        "content/news/a/_index.md": "---\ntitle: A\n---\n",
        "content/news/a/b/_index.md": "---\ntitle: B\n---\n",
        "content/news/a/b/item.md": fm("News Item", "slug: 'S+l ug'\n", date="2020-02-29"),
    }),
    "ugly URLs, case and accents": ('''
        baseURL = "https://example.org/"
        uglyURLs = true
        disablePathToLower = true
        removePathAccents = true
        [permalinks]
        news = "/News Items/:slug/:filename/"
        ''', {
        "content/blog/C++ Notes.md": fm("C++ Notes"),
        "content/blog/Ünï Bundle/index.md": fm("Bundle"),
        "content/blog/Sub Dir/X Y.md": fm("Sub"),
        "content/blog/kept.md": fm("Kept", "url: /A b/C+D/\n"),
        "content/news/Ünï News.md": fm("T+itle"),
    }),
    "drafts, dates, build options and cascade": ('baseURL = "https://example.org/"\n', {
        "content/_index.md": "---\ntitle: Home\ncascade:\n  lastmod: 2021-05-05\n---\n",
        "content/blog/draft.md": fm("Draft", "draft: true\n"),
        "content/blog/future.md": fm("Future", date="2999-01-01"),
        "content/blog/publish-later.md": fm("Publish later", "publishDate: 2999-01-01\n"),
        "content/blog/expired.md": fm("Expired", "expiryDate: 2021-04-01\n"),
        "content/blog/unpublished.md": fm("Unpublished", "unpublishdate: 2021-04-01\n"),
        "content/blog/list-never.md": fm("List never", "_build:\n  list: never\n"),
        "content/blog/list-local.md": fm("List local", "_build:\n  list: local\n"),
        "content/blog/render-never.md": fm("Render never", "_build:\n  render: never\n"),
        "content/blog/render-false.md": fm("Render false", "_build:\n  render: false\n"),
        "content/blog/render-link.md": fm("Render link", "_build:\n  render: link\n"),
        "content/blog/cascaded/_index.md": "---\ntitle: C\ncascade:\n  draft: true\n---\n",
        "content/blog/cascaded/kid.md": fm("Cascaded draft"),
        "content/blog/cascaded/free.md": fm("Not a draft", "draft: false\n"),
        "content/blog/targets/_index.md": "---\ntitle: T\ncascade:\n  - _target:\n      path: '/blog/targets/a*'\n"
                                          "    slug: targeted\n---\n",
        "content/blog/targets/abc.md": fm("Targeted"),
        "content/blog/targets/xyz.md": fm("Not targeted"),
    }),
    "ignored and hidden files": ('baseURL = "https://example.org/"\nignoreFiles = ["\\\\.Rmd$", "drafty-"]\n', {
        "content/blog/kept.md": fm("Kept"),
        "content/blog/drafty-notes.md": fm("Ignored by ignoreFiles"),
        "content/blog/source.Rmd": "x",
        "content/blog/.hidden.md": fm("Hidden"),
        "content/blog/.folder/in.md": fm("In a hidden folder"),
        "content/blog/#autosave#.md": fm("Autosave"),
        "content/blog/backup.md~": fm("Backup"),
        "content/blog/_underscore.md": fm("Underscore"),
        "content/blog/picture.png": "not an image, a resource",
    }),
}


def make_site(root: Path, config: str | None, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "hugo.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def hugo_list(root: Path, environ: dict[str, str]) -> str:
    result = subprocess.run([HUGO, "list", "all"], cwd=root, env=environ, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


ENVIRONMENTS = {"config folder with an environment": {"HUGO_ENVIRONMENT": "staging",
                                                      "HUGO_BASEURL": "https://staging.example.org/"}}


@needs_hugo
@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_publishes_what_live_hugo_publishes_at_its_urls(tmp_path, shape):
    config, files = SHAPES[shape]
    root = make_site(tmp_path / "site", config, files)
    environ = {**os.environ, **ENVIRONMENTS.get(shape, {})}
    expected = hugo_list(root, environ)
    settings = load_settings(root, {"build": {"state_dir": str(tmp_path / "state")}}, environ=environ)
    site = load_site(settings=settings)
    match = compare(site, expected)
    assert (match.missing, match.other) == ((), ())
    assert match.same


@needs_hugo
def test_of_two_pages_at_one_url_hugo_keeps_the_later_one_in_its_content_tree_and_so_do_we(tmp_path):
    """The issue said "the later-dated post"; Debian's hugo says: the later file (its content tree
    is sorted by lower-cased path, and the page rendered last is the one left in the file). Hugo
    renders with one worker per core, so on a machine with many cores the file it leaves is a
    race (CI saw the earlier one); HUGO_NUMWORKERMULTIPLIER=1 gives its order without the race,
    the order syndicate follows every time."""
    filler = {f"content/blog/m{i:03d}.md": fm(f"Filler {i}") for i in range(40)}
    root = make_site(tmp_path / "site", 'baseURL = "https://example.org/"\n', {
        **filler,
        "content/blog/aa.md": fm("Earlier file, later date", "slug: x\n", date="2021-02-01"),
        "content/blog/zz.md": fm("Later file, earlier date", "slug: x\n", date="2021-01-01"),
    })
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "layouts" / "_default" / "single.html").write_text("{{ .File.Path }}")
    (root / "layouts" / "_default" / "list.html").write_text("list")
    subprocess.run([HUGO, "--quiet", "-d", str(tmp_path / "public")], cwd=root, check=True, timeout=60,
                   env={**os.environ, "HUGO_NUMWORKERMULTIPLIER": "1"})
    written = (tmp_path / "public" / "blog" / "x" / "index.html").read_text()
    site = load_site(root, {"build": {"state_dir": str(tmp_path / "state")}})
    ours = next(post for post in site.posts if post.path == "/blog/x/")
    assert written == "blog/zz.md" and ours.source == "content/blog/zz.md"
    error, = (d for d in site.diagnostics if d.level == "error")
    assert error.file == "content/blog/aa.md" and "content/blog/zz.md" in error.message


@pytest.mark.parametrize("shape", [s for s in SHAPES if s != "config folder with an environment"])
def test_each_shape_builds_valid_feeds(tmp_path, shape):
    config, files = SHAPES[shape]
    root = make_site(tmp_path / "site", config, files)
    site = load_site(root, {"build": {"cards": False, "state_dir": str(tmp_path / "state")}})
    result = build(site, tmp_path / "out")
    for entry in result.manifest["feeds"]:
        if entry["format"] != "json":
            data = (tmp_path / "out" / entry["path"]).read_bytes()
            assert problems(validate(data, entry["url"]), allow=("DuplicateUpdated",)) == [], entry["path"]
