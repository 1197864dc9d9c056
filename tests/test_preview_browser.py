"""The preview gallery in a real headless chromium (Debian's), driven by Playwright for Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from test_server_support import LONG_TITLE, running, small_site

from syndicate.config import load_settings
from syndicate.server import create_app

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    root = small_site(tmp_path_factory.mktemp("site"))
    out = root / "public"
    assert run_cli("build", "--site", str(root), "--out", str(out)).returncode in (0, 1)
    manifest = json.loads((out / "manifest.json").read_text())
    with running(create_app(load_settings(root), out)) as base_url:
        yield base_url + "/_preview/", manifest


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url, wait_until="load")
    return page


@pytest.fixture(scope="module")
def desktop(browser, gallery):
    page = open_page(browser, gallery[0], 1280, 900)
    yield page
    page.close()


def test_every_card_loads_at_full_width_and_every_post_has_one_entry(desktop, gallery, artifacts):
    _, manifest = gallery
    page = desktop
    cards = page.eval_on_selector_all("img.card", "images => images.map(i => [i.complete, i.naturalWidth])")
    assert len(cards) == len(manifest["posts"])
    assert all(complete and width == 1200 for complete, width in cards), cards
    titles = page.eval_on_selector_all("article.post h3", "hs => hs.map(h => h.textContent)")
    assert sorted(titles) == sorted(p["title"] for p in manifest["posts"])
    page.screenshot(path=str(artifacts / "preview-gallery.png"), full_page=True)


def test_each_post_shows_six_platform_previews_built_from_its_meta_tags(desktop, gallery):
    _, manifest = gallery
    page = desktop
    for post in manifest["posts"]:
        article = page.locator(f"#post-{post['slug']}")
        platforms = article.locator("section.pv h4").all_text_contents()
        assert platforms == ["X (summary_large_image)", "Facebook", "LinkedIn", "Mastodon", "Slack", "Discord"]
        previews = article.locator("section.pv img")
        assert previews.count() == 6
        widths = previews.evaluate_all("images => images.map(i => i.naturalWidth)")
        assert widths == [1200] * 6


def test_warnings_name_a_cut_title_and_a_missing_description(desktop, gallery):
    _, manifest = gallery
    page = desktop
    slug = next(p["slug"] for p in manifest["posts"] if p["title"] == LONG_TITLE)
    warnings = page.locator(f"#post-{slug} ul.warnings li").all_text_contents()
    assert any(w.startswith("title cut by") and "X" in w and "Discord" in w for w in warnings), warnings
    assert any(w.startswith("description missing") for w in warnings), warnings
    discord_title = page.locator(f"#post-{slug} section.pv-discord .t").text_content().removesuffix(" (cut)")
    assert discord_title.endswith("...") and len(discord_title.encode()) <= 70
    x_title = page.locator(f"#post-{slug} section.pv-x .t").text_content()
    assert len(x_title.removesuffix(" (cut)")) == 70


def test_feeds_and_diagnostics_are_listed(desktop, gallery):
    _, manifest = gallery
    page = desktop
    links = page.eval_on_selector_all("#feeds tbody a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(links) == sorted("/" + f["path"] for f in manifest["feeds"])
    current = [f for f in manifest["feeds"] if not f.get("archive")]
    first_links = page.eval_on_selector_all("#feeds tbody tr td:first-child a", "as => as.map(a => a.textContent)")
    assert first_links == [f["path"] for f in current]
    counts = page.eval_on_selector_all("#feeds tbody td.num", "tds => tds.map(td => Number(td.textContent))")
    assert counts == [f["entries"] for f in current]
    assert page.locator("#diagnostics h2").text_content() == "Diagnostics of the last build"
    assert page.locator("#diagnostics li").count() == len(manifest["diagnostics"]) > 0


def test_the_page_is_accessible_by_structure(desktop):
    page = desktop
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1 and page.locator("header nav").count() == 1
    assert page.eval_on_selector("html", "h => h.lang") == "en"
    assert page.eval_on_selector_all("img", "images => images.every(i => i.hasAttribute('alt'))")
    card_alts = page.eval_on_selector_all("img.card", "images => images.map(i => i.alt)")
    assert all(alt.strip() for alt in card_alts)


def test_the_gallery_fits_a_phone_screen(browser, gallery, artifacts):
    url, _ = gallery
    page = open_page(browser, url, 390, 844)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    card_width = page.eval_on_selector("img.card", "i => i.getBoundingClientRect().width")
    assert 300 <= card_width <= 390
    page.screenshot(path=str(artifacts / "preview-gallery-phone.png"), full_page=False)
    page.close()


CONTRAST = """elements => elements.map(element => {
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


@pytest.mark.parametrize("selector", ["h1", ".summary", "nav a", "td", ".warnings li", ".ok", ".level",
                                      ".meta", ".pv h4", ".mock .site", ".mock .t", ".mock .d", ".cutmark",
                                      ".x-domain", "footer p"])
def test_text_contrast_meets_wcag_aa(desktop, selector):
    ratios = desktop.eval_on_selector_all(selector, CONTRAST)
    assert ratios, f"nothing matches {selector}"
    assert min(ratios) >= 4.5, f"{selector}: contrast {min(ratios):.2f}:1"
