"""The preview gallery and the feeds' pages in a real headless chromium (Debian's), driven by
Playwright for Python: what loads, what a keyboard and a screen reader get, contrast, phones."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_server_support import LONG_TITLE, built_and_served, corpus_served, small_site

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PLATFORMS = ["X (summary_large_image)", "Facebook", "LinkedIn", "Mastodon", "Slack", "Discord"]

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The small site with its cards, served; yields (base URL, manifest)."""
    root = small_site(tmp_path_factory.mktemp("site"))
    with built_and_served(root, root / "public") as served:
        yield served


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The whole corpus without cards (the thumbnails' loading is checked on the small site)."""
    with corpus_served(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def post_page(base_url: str, manifest: dict, title: str) -> str:
    entry = next(p for p in manifest["posts"] if p["title"] == title)
    return base_url + "/_preview/post/" + entry["url"].removeprefix(manifest["site"]["base_url"])


def load_every_image(page) -> list[tuple[bool, int]]:
    """Scroll through the page so lazy images load, then (complete, natural width) of each."""
    page.evaluate("async () => { for (const img of document.images) { img.scrollIntoView();"
                  " await new Promise(r => setTimeout(r, 20)); } }")
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=10_000)
    return [tuple(found) for found in page.eval_on_selector_all("img", "is => is.map(i => [i.complete, i.naturalWidth])")]


# ---------------------------------------------------------------- the index

def test_the_index_lists_every_post_with_a_lazy_card_that_loads(page, site, artifacts):
    base_url, manifest = site
    page.goto(base_url + "/_preview/", wait_until="load")
    titles = page.eval_on_selector_all("li.row h2 a", "as => as.map(a => a.textContent)")
    assert sorted(titles) == sorted(p["title"] for p in manifest["posts"])
    thumbs = page.eval_on_selector_all("img.thumb", "is => is.map(i => [i.loading, i.getAttribute('width')])")
    assert thumbs == [["lazy", "240"]] * len(manifest["posts"])
    assert load_every_image(page) == [(True, 480)] * len(manifest["posts"])  # twice the width shown
    page.screenshot(path=str(artifacts / "gallery-index.png"), full_page=True)


def test_the_filter_and_the_search_work_from_the_keyboard(page, site):
    base_url, manifest = site
    page.goto(base_url + "/_preview/", wait_until="load")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    page.locator("#q").focus()
    page.keyboard.type("langer titel")
    page.keyboard.press("Enter")
    page.wait_for_url("**/_preview/?q=langer+titel*")
    assert page.eval_on_selector_all("li.row h2 a", "as => as.map(a => a.textContent)") == [LONG_TITLE]
    page.goto(base_url + "/_preview/", wait_until="load")
    page.select_option("#warning", "fallback-image")
    page.locator("#warning").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show posts"
    page.keyboard.press("Enter")
    page.wait_for_url("**warning=fallback-image")
    fallbacks = [p["title"] for p in manifest["posts"] if p["card_background"] in ("topic", "default", "none")]
    assert "Ohne Bild" in fallbacks
    assert page.eval_on_selector_all("li.row h2 a", "as => as.map(a => a.textContent)") == fallbacks
    assert "with the warning “Fallback image”" in page.locator("#results").text_content()


# ---------------------------------------------------------------- a post

def test_a_post_page_shows_its_card_and_six_platform_previews_from_its_meta_tags(page, site, artifacts):
    base_url, manifest = site
    page.goto(post_page(base_url, manifest, LONG_TITLE), wait_until="load")
    assert page.locator("h1").text_content() == LONG_TITLE
    assert page.locator("section.pv h3").all_text_contents() == PLATFORMS
    assert load_every_image(page) == [(True, 1200)] * 7  # the card and the six previews
    warnings = page.locator("ul.warnings li").all_text_contents()
    assert any(w.startswith("title cut by") and "X" in w and "Discord" in w for w in warnings), warnings
    assert any(w.startswith("description missing from the front matter") for w in warnings), warnings
    discord_title = page.locator("section.pv-discord .t").text_content().removesuffix(" (cut)")
    assert discord_title.endswith("...") and len(discord_title.encode()) <= 70
    assert len(page.locator("section.pv-x .t").text_content().removesuffix(" (cut)")) == 70
    page.screenshot(path=str(artifacts / "gallery-post.png"), full_page=True)


def test_a_post_page_shows_what_the_build_said_about_its_file(page, site):
    base_url, manifest = site
    page.goto(post_page(base_url, manifest, "Ohne Bild"), wait_until="load")
    said = page.locator("#build-heading + ul li").all_text_contents()
    assert any("fehlt.jpg" in line for line in said), said


# ---------------------------------------------------------------- feeds

def test_the_feeds_page_leads_to_each_feeds_page(page, site):
    base_url, manifest = site
    page.goto(base_url + "/_preview/feeds/", wait_until="load")
    names = page.eval_on_selector_all("tbody th a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(names) == sorted({"/" + f["page"] for f in manifest["feeds"] if not f["archive"]})
    page.locator("tbody th a").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".about h2").text_content() == "Abonnieren"


def test_a_browser_opening_a_feed_address_reads_its_page(page, site, artifacts):
    base_url, manifest = site
    for feed in manifest["feeds"]:
        response = page.goto(base_url + "/" + feed["path"], wait_until="load")
        assert response.headers["content-type"] == "text/html; charset=utf-8", feed["path"]
        assert page.url == base_url + "/" + feed["path"]  # the address to copy stays in the address bar
        assert page.locator("h1").count() == 1 and page.locator(".about code").count() == 3
        assert page.locator("article").count() == feed["entries"]
    page.goto(base_url + "/feeds/atom.xml", wait_until="load")
    page.screenshot(path=str(artifacts / "feed-page.png"), full_page=True)


# ---------------------------------------------------------------- accessibility

PAGES = ["/_preview/", "/_preview/?warning=any", "/_preview/feeds/", "/_preview/diagnostics/", "post", "/feeds/atom.xml"]


def open_named(page, site, which: str) -> None:
    base_url, manifest = site
    page.goto(post_page(base_url, manifest, LONG_TITLE) if which == "post" else base_url + which, wait_until="load")


STRUCTURE = """() => {
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1]));
  const skips = levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1);
  const unlabelled = [...document.querySelectorAll('input,select,textarea')]
    .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label'));
  const navs = [...document.querySelectorAll('nav')].map(n => n.getAttribute('aria-label'));
  return {h1: document.querySelectorAll('h1').length, first: levels[0], skips: skips.length,
          main: document.querySelectorAll('main').length, lang: document.documentElement.lang,
          alt: [...document.images].every(i => i.hasAttribute('alt')), unlabelled: unlabelled.length,
          navs: navs.length === new Set(navs).size && navs.every(Boolean)};
}"""


@pytest.mark.parametrize("which", PAGES)
def test_every_page_is_accessible_by_structure(page, site, which):
    open_named(page, site, which)
    found = page.evaluate(STRUCTURE)
    assert found == {"h1": 1, "first": 1, "skips": 0, "main": 1, "lang": found["lang"], "alt": True,
                     "unlabelled": 0, "navs": True}
    assert found["lang"] in ("en", "de-DE")


@pytest.mark.parametrize("which", PAGES)
def test_every_page_fits_a_phone_screen(browser, site, which):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    open_named(page, site, which)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.close()


CONTRAST = """elements => elements.filter(e => e.getClientRects().length).map(element => {
  const rgb = value => value.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let node = element, background = null;
  while (node && !background) {
    const color = rgb(getComputedStyle(node).backgroundColor);
    if (color.length < 4 || color[3] > 0.5) background = color.slice(0, 3);
    node = node.parentElement;
  }
  const fore = luminance(rgb(getComputedStyle(element).color)), back = luminance(background || [255, 255, 255]);
  return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
})"""
TEXT = "h1, h2, h3, p, a, li, td, th, caption, label, button, option, span, code, time"


@pytest.mark.parametrize("which", PAGES)
def test_text_contrast_meets_wcag_aa_on_every_page(page, site, which):
    open_named(page, site, which)
    ratios = page.eval_on_selector_all(TEXT, CONTRAST)
    assert len(ratios) > 10
    assert min(ratios) >= 4.5, f"contrast {min(ratios):.2f}:1"


def test_the_skip_link_and_the_focus_are_visible(page, site):
    base_url, _ = site
    page.goto(base_url + "/_preview/", wait_until="load")
    page.keyboard.press("Tab")
    box = page.locator(".skip").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


# ---------------------------------------------------------------- the real corpus

def test_the_corpus_gallery_is_small_accessible_and_complete(page, corpus, artifacts):
    base_url, manifest = corpus
    response = page.goto(base_url + "/_preview/", wait_until="load")
    assert len(response.body()) < 200_000
    assert page.evaluate(STRUCTURE)["skips"] == 0
    seen = []
    while True:
        seen += page.eval_on_selector_all("li.row h2 a", "as => as.map(a => a.textContent)")
        following = page.locator("a[rel=next]")
        if not following.count():
            break
        following.click()
        page.wait_for_load_state("load")
    assert sorted(seen) == sorted(p["title"] for p in manifest["posts"])
    ratios = page.eval_on_selector_all(TEXT, CONTRAST)
    assert min(ratios) >= 4.5
    page.goto(base_url + "/_preview/diagnostics/", wait_until="load")
    assert page.locator("ul.diagnostics li").count() == len(manifest["diagnostics"])
