"""The README's Hugo partial, run through Debian's hugo 0.111 on a site built by syndicate first:
every post, home, section and term page's <head> holds its own meta tags and card."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import run_cli

README = Path(__file__).parent.parent / "README.md"
HUGO = shutil.which("hugo")
needs_hugo = pytest.mark.skipif(HUGO is None, reason="Debian's hugo is not installed (apt-get install hugo)")

BASE = "https://x.org/sub/"
SITE = {
    "hugo.toml": f'''
        baseURL = "{BASE}"
        title = "Das Blog"
        defaultContentLanguage = "de"
        [params]
        description = "Geschichten aus dem Lab"
        [taxonomies]
        tag = "tags"
        topic = "topics"
        [permalinks]
        topics = "/thema/:slug/"
        [languages.de]
        languageCode = "de-DE"
        weight = 1
        [languages.en]
        languageCode = "en-US"
        title = "The Blog"
        weight = 2
        ''',
    "content/blog/_index.md": "---\ntitle: Unser Blog\n---\n",
    "content/blog/ueber.md": '''---
        title: "Über uns"
        date: 2024-03-05
        slug: "über-uns"
        tags: ["Über Alles", "C# Tipps", "Straße/Weg"]
        topics: ["Open Data"]
        ---
        Hallo.
        ''',
    "content/blog/ueber.en.md": '''---
        title: "About us"
        date: 2024-03-05
        tags: ["News"]
        topics: ["Open Data"]
        ---
        Hello.
        ''',
    # First by file path, so its spelling names the shared term page (as in Hugo).
    "content/blog/bahn.md": '''---
        title: "Straßenbahn fährt"
        date: 2024-03-06
        tags: ["über alles"]
        ---
        Tram.
        ''',
    # In no list, but Hugo still makes its term's page.
    "content/blog/nie.md": "---\ntitle: Nie gelistet\ndate: 2024-03-07\ntags: [Nur hier]\n_build: {list: never}\n---\nx\n",
    "layouts/_default/baseof.html": '''<!DOCTYPE html>
        <html><head>
        <link rel="canonical" href="{{ .Permalink }}">
        <meta name="hugo-kind" content="{{ .Kind }}">
        <meta name="hugo-title" content="{{ .Title }}">
        {{ partial "syndicate-meta.html" . }}
        </head><body>{{ block "main" . }}{{ end }}</body></html>
        ''',
    "layouts/_default/single.html": '{{ define "main" }}{{ .Content }}{{ end }}',
    "layouts/_default/list.html": '{{ define "main" }}{{ range .Pages }}{{ .Title }} {{ end }}{{ end }}',
}


def readme_partial() -> str:
    """The partial exactly as the README gives it."""
    section = README.read_text(encoding="utf-8").split("In `layouts/partials/syndicate-meta.html`", 1)[1]
    return re.search(r"```go-html-template\n(.*?)```", section, re.S)[1]


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name") or ""
            self.meta.setdefault(key, []).append(values["content"])
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values["href"]

    def one(self, key: str) -> str:
        found = self.meta.get(key, [])
        assert len(found) <= 1, (key, found)
        return found[0] if found else ""


def hugo_site(root: Path, config: str = "") -> Path:
    files = {**SITE, "hugo.toml": config + SITE["hugo.toml"], "layouts/partials/syndicate-meta.html": readme_partial()}
    for name, text in files.items():
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(re.sub(r"(?m)^        ", "", text).lstrip("\n"), encoding="utf-8")
    return root


def heads(public: Path) -> dict[str, Head]:
    """Every page Hugo wrote (not syndicate's files, not its redirects), by its path."""
    found = {}
    for page in sorted(public.rglob("*.html")):
        if page.relative_to(public).parts[0] in ("meta", "feeds"):
            continue
        head = Head()
        head.feed(page.read_text(encoding="utf-8"))
        if head.one("hugo-kind"):
            found[page.relative_to(public).as_posix()] = head
    return found


# Hugo's pretty URLs, and ugly ones with the default language in its folder and no taxonomy lists
# (Hugo 0.111 logs an error for disableKinds "taxonomy", a reminder of its 0.73 renaming).
VARIANTS = {
    "pretty": ("", {"page": 4, "home": 2, "section": 2, "taxonomy": 4, "term": 7}),
    "ugly, subfolder": ('uglyURLs = true\ndefaultContentLanguageInSubdir = true\ndisableKinds = ["taxonomy"]\n'
                        'ignoreErrors = ["error-disable-taxonomy"]\n', {"page": 4, "home": 2, "section": 2, "term": 7}),
}


@needs_hugo
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_readme_partial_gives_every_page_its_own_meta_tags_on_hugo_0_111(tmp_path, variant):
    config, expected_kinds = VARIANTS[variant]
    root = hugo_site(tmp_path / "site", config)
    built = run_cli("build", "--site", str(root), "--state-dir", str(tmp_path / "state"))
    assert built.returncode == 0, built.stderr
    hugo = subprocess.run([HUGO, "--cacheDir", str(tmp_path / "hugo-cache")], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert hugo.returncode == 0, hugo.stderr
    pages = heads(root / "public")

    kinds = Counter(head.one("hugo-kind") for head in pages.values())
    assert kinds == expected_kinds
    images = []
    for file, head in pages.items():
        kind = head.one("hugo-kind")
        if kind == "taxonomy":  # a taxonomy's list of terms has no snippet: the partial adds nothing
            assert "og:url" not in head.meta, file
            continue
        # Hugo leaves '#' bare in a term's permalink; syndicate's URL escapes it
        assert unquote(head.one("og:url")) == unquote(head.canonical.replace("#", "%23")), file
        title = head.one("hugo-title")
        if kind == "section":  # the _index's title, else the language's site title (Hugo says "Blogs")
            title = "The Blog" if "/en/" in head.canonical else "Unser Blog"
        assert head.one("og:title") == title, file
        image = head.one("og:image")
        assert image.startswith(BASE + "cards/") and (root / "public" / unquote(image[len(BASE):])).is_file(), file
        images.append(image)
    assert len(set(images)) == len(images)  # each page its own card

    by_url = {unquote(head.canonical): head for head in pages.values()}
    prefix, end = ("", "/") if variant == "pretty" else ("de/", ".html")
    term = by_url[f"{BASE}{prefix}tags/über-alles{end}"]
    assert term.one("og:title") == "über alles" == term.one("hugo-title")  # bahn.md's spelling: first by path
    assert term.one("og:locale") == "de_DE" and term.one("og:type") == "website"
    assert by_url[f"{BASE}{prefix}tags/straße/weg{end}"].one("og:image").startswith(
        f"{BASE}cards/{prefix}tags/stra%C3%9Fe/weg.")
    assert by_url[f"{BASE}en/thema/open-data{end}"].one("og:locale") == "en_US"  # the taxonomy's permalink
    home = by_url[BASE + "en/"]
    assert home.one("og:title") == "The Blog" and home.one("og:locale:alternate") == "de_DE"
    assert unquote(by_url[f"{BASE}{prefix}blog/über-uns{end}"].one("og:image")).startswith(
        f"{BASE}cards/{prefix}blog/über-uns.")
