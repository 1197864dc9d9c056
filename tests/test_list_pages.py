"""Cards and meta tags for the pages people share besides posts (issue 11, item 4): each
language's home page, its posts sections and its taxonomy term pages. That the URLs are Hugo's
and the README's partial finds every snippet is checked against live hugo in test_hugo_partial."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx
from PIL import Image
from test_hugo_sites import JPEG, post, site_with
from test_server_support import running

from syndicate import build, load_site
from syndicate.cards import render_cards
from syndicate.config import load_settings
from syndicate.diagnostics import Diagnostics
from syndicate.server import create_app

HUGO = 'baseURL = "https://x.org/"\ntitle = "Das Blog"\nlanguageCode = "de-DE"\n'
PARAMS = '[params]\ndescription = "Geschichten aus dem Lab"\nimages = ["site.jpg"]\n'


def blog(tmp_path: Path, config: str = "", **files: str | bytes) -> Path:
    return site_with(tmp_path / "site", {
        "hugo.toml": HUGO + textwrap.dedent(config) + PARAMS,
        "static/site.jpg": JPEG,
        "content/blog/eins.md": post("Eins", 'tags: ["Open Data", "Über uns"]\ncategories: [Labs]\n'),
        "content/blog/zwei.md": post("Zwei", 'tags: ["open data", Unlisted]\n_build: {list: never}\n',
                                     date="2024-05-02"),
        **files,
    })


def site_of(root: Path, **build_settings):
    return load_site(root, {"build": {"state_dir": str(root.parent / "state"), **build_settings}})


def test_the_home_page_the_posts_section_and_each_term_get_a_card_and_meta_tags_in_the_manifest(tmp_path):
    root = blog(tmp_path)
    out = tmp_path / "out"
    manifest = build(site_of(root), out).manifest
    pages = {entry["name"]: entry for entry in manifest["pages"]}
    # a post in no list still makes its terms' pages (as Hugo 0.111 does); eins.md spells "Open Data" first
    assert list(pages) == ["_home", "blog", "tags/open-data", "tags/unlisted", "tags/über-uns", "categories/labs"]
    assert pages["tags/über-uns"]["url"] == "https://x.org/tags/%C3%BCber-uns/"
    assert (pages["tags/open-data"]["kind"], pages["tags/open-data"]["taxonomy"], pages["tags/open-data"]["term"]) \
        == ("term", "tags", "Open Data")
    for name, entry in pages.items():
        assert entry["meta"] == f"meta/{name}.html"
        assert entry["card"].startswith(f"cards/{name}.") and manifest["files"][entry["card"]]
        with Image.open(out / entry["card"]) as card:
            assert card.size == (1200, 630)
        meta = (out / entry["meta"]).read_text(encoding="utf-8")
        assert f'<meta property="og:url" content="{entry["url"]}">' in meta
        assert f'<meta property="og:image" content="{entry["card_url"]}">' in meta
        assert '<meta property="og:type" content="website">' in meta
    home = (out / "meta/_home.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="Das Blog">' in home
    assert '<meta property="og:description" content="Geschichten aus dem Lab">' in home
    assert pages["_home"]["card_background"] == "default"  # the site's image (Hugo's params.images)


def test_hugos_disable_kinds_and_taxonomies_decide_which_pages_get_them(tmp_path):
    root = blog(tmp_path, 'disableKinds = ["home", "term"]\n')
    assert [(p.kind, p.output_name) for p in site_of(root).list_pages] == [("section", "blog")]
    root = blog(tmp_path / "b", "[taxonomies]\nlab = \"labs\"\n",
                **{"content/blog/drei.md": post("Drei", "labs: [Berlin]\ntags: [Ignored]\n")})
    assert [p.output_name for p in site_of(root).list_pages] == ["_home", "blog", "labs/berlin"]


def test_ugly_urls_and_a_section_url_shape_the_names(tmp_path):
    root = blog(tmp_path, "uglyURLs = true\n", **{"content/blog/_index.md": "---\ntitle: Neuigkeiten\n---\n"})
    pages = {p.output_name: p for p in site_of(root).list_pages}
    assert pages["blog"].url == "https://x.org/blog.html" and pages["blog"].title == "Neuigkeiten"
    assert pages["tags/open-data"].url == "https://x.org/tags/open-data.html"
    root = blog(tmp_path / "b", **{"content/blog/_index.md": "---\nurl: /news/\n---\n"})
    assert "news" in {p.output_name for p in site_of(root).list_pages}


def test_each_language_has_its_own_home_section_and_terms_with_hreflang_links(tmp_path):
    root = blog(tmp_path, '''
        defaultContentLanguage = "de"
        [languages.de]
        weight = 1
        [languages.en]
        languageCode = "en-US"
        title = "The Blog"
        weight = 2
        ''', **{"content/blog/eins.en.md": post("One", 'tags: ["Open Data"]\n')})
    out = tmp_path / "out"
    pages = {entry["name"]: entry for entry in build(site_of(root), out).manifest["pages"]}
    assert set(pages) == {"_home", "blog", "categories/labs", "tags/open-data", "tags/unlisted", "tags/über-uns",
                          "en/_home", "en/blog", "en/tags/open-data"}
    english = (out / "meta/en/_home.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="The Blog">' in english
    assert '<meta property="og:locale" content="en_US">' in english
    assert '<meta property="og:locale:alternate" content="de_DE">' in english
    assert '<link rel="alternate" hreflang="de-DE" href="https://x.org/">' in english
    term = (out / "meta/en/tags/open-data.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="de-DE" href="https://x.org/tags/open-data/">' in term


def test_without_cards_the_pages_show_the_sites_image(tmp_path):
    out = tmp_path / "out"
    build(site_of(blog(tmp_path), cards=False), out)
    assert '<meta property="og:image" content="https://x.org/site.jpg">' in \
        (out / "meta/tags/open-data.html").read_text(encoding="utf-8")


def test_a_rebuild_draws_no_page_card_again_and_a_new_site_title_redraws_home(tmp_path):
    root = blog(tmp_path)
    first = render_cards(site_of(root), Diagnostics(), jobs=1)
    assert render_cards(site_of(root), Diagnostics(), jobs=1)["_home"].card.rendered is False
    (root / "hugo.toml").write_text((root / "hugo.toml").read_text().replace("Das Blog", "Unser Blog"))
    again = render_cards(site_of(root), Diagnostics(), jobs=1)
    assert again["_home"].card.rendered and again["_home"].card.path != first["_home"].card.path


def test_a_term_with_a_hidden_segment_is_a_warning_and_gets_nothing(tmp_path):
    root = blog(tmp_path, **{"content/blog/drei.md": post("Drei", 'tags: [".NET"]\n')})
    site = site_of(root)
    assert "tags/.net" not in {p.output_name for p in site.list_pages}
    warning, = (d for d in site.diagnostics if ".NET" in d.message)
    assert warning.file == "content/blog/drei.md" and warning.line == 4


def test_a_page_card_is_served_on_demand_by_its_name(tmp_path):
    root = blog(tmp_path)
    out = tmp_path / "out"
    manifest = build(site_of(root, cards=False), out).manifest
    assert all("card" not in entry for entry in manifest["pages"])
    settings = load_settings(root, {"build": {"state_dir": str(tmp_path / "state")}})
    with running(create_app(settings, out)) as base_url:
        response = httpx.get(f"{base_url}/cards/tags/%C3%BCber-uns.jpg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert json.loads((out / "manifest.json").read_text())["pages"][0]["name"] == "_home"
