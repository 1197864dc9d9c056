"""The preview gallery and a feed's page in Debian's chromium (Playwright, never `playwright install`):
page sizes and render times against the issue's aims (index under 200 KB and under 2 s), on the
codefor.de corpus with its cards and on a generated 10,000-post site (no cards: rendering 10,000
of them takes minutes and the index shows 50 thumbnails at most).

    python bench/run.py gallery            # both sites; screenshots in bench/out/gallery/
    python bench/run.py --quick gallery    # the corpus, or 300 generated posts without it

Render time is the navigation's load event (the HTML, its CSS and the lazy images in view
decoded): on a first visit with an empty browser cache, and the median of five visits more. The
first request's server time, when the gallery reads every post's meta tags, is shown on its own.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import time
from pathlib import Path

import httpx
from bench_serve import free_port, serving, stop
from common import CORPUS, OUT, syndicate
from generate_site import generate

CHROMIUM = "/usr/bin/chromium"
AIM_BYTES, AIM_SECONDS = 200_000, 2.0
LOADS = 5
IN_VIEW = "[...document.images].filter(i => i.getBoundingClientRect().top < innerHeight)"
# Lazy images do not hold up the load event: "shown" is when every image in view has arrived.
SHOWN = f"{IN_VIEW}.every(i => i.complete)"
TIMING = f"""() => {{
  const n = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {{html: n.decodedBodySize, wire: n.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
          load: n.loadEventEnd, shown: Math.max(n.loadEventEnd, performance.now()),
          images: {IN_VIEW}.filter(i => i.complete && i.naturalWidth).length}};
}}"""


def pages(manifest: dict, base_url: str) -> list[tuple[str, str]]:
    """The pages measured; the post shown is the newest with a warning (else the middle one)."""
    warned = re.search(r'<li class="row">.*?<a href="(/_preview/post/[^"]+)"',
                       httpx.get(base_url + "/_preview/?warning=any", timeout=60).text, re.S)
    base = manifest["site"]["base_url"]
    post = (warned.group(1) if warned
            else "/_preview/post/" + manifest["posts"][len(manifest["posts"]) // 2]["url"].removeprefix(base))
    return [("index", "/_preview/"), ("index, page 2", "/_preview/?page=2"),
            ("index, filtered (any warning)", "/_preview/?warning=any"),
            ("index, search", "/_preview/?q=daten"),
            ("one post", post), ("feeds", "/_preview/feeds/"),
            ("diagnostics", "/_preview/diagnostics/"), ("a feed's page (feeds/atom.xml)", "/feeds/atom.xml")]


def visit(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    page.wait_for_function(SHOWN, timeout=60_000)
    return page.evaluate(TIMING)


def measure_site(label: str, site: Path, out: Path, state: Path, cards: bool, shots: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    flags = [] if cards else ["--no-cards"]
    subprocess.run(syndicate("build", "--site", str(site), "--out", str(out), "--state-dir", str(state), *flags),
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = serving(syndicate("serve", "--site", str(site), "--out", str(out), "--state-dir", str(state),
                               "--port", str(port), *flags), base_url + "/manifest.json")
    try:
        started = time.perf_counter()
        httpx.get(base_url + "/_preview/", timeout=300)
        first = time.perf_counter() - started
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for name, path in pages(manifest, base_url):
                context = browser.new_context(viewport={"width": 1280, "height": 900})  # an empty cache
                page = context.new_page()
                cold = visit(page, base_url + path)
                warm = [visit(page, base_url + path) for _ in range(LOADS)]
                if shots is not None and name in SCREENSHOTS:
                    page.screenshot(path=str(shots / SCREENSHOTS[name]), full_page=name == "one post")
                context.close()
                rows.append((name, cold["html"], cold["wire"], cold["load"] / 1000, cold["shown"] / 1000,
                             statistics.median(f["shown"] for f in warm) / 1000, cold["images"]))
            browser.close()
    finally:
        stop(server)
    print(f"\n## Gallery in chromium, {label}: {len(manifest['posts'])} posts, {len(manifest['feeds'])} feed "
          f"documents, {len(manifest['diagnostics'])} diagnostics")
    print(f"first gallery request once the server answers (it reads every post's meta tags, starting "
          f"when the server starts): {first:.2f} s")
    print(f"{'page':34} {'HTML KB':>8} {'sent KB':>8} {'load s':>7} {'shown s':>8} {'again s':>8} {'images':>7}")
    for name, html, wire, load, shown, again, images in rows:
        print(f"{name:34} {html / 1000:8.1f} {wire / 1000:8.1f} {load:7.3f} {shown:8.3f} {again:8.3f} {images:7d}")
    index = rows[0]
    print(f"index against the aims: {index[1] / AIM_BYTES:.2f}× the 200 KB size, {index[4] / AIM_SECONDS:.2f}× "
          f"the 2 s render time on a first visit (lower is better)")
    print("(first visit, empty browser cache: HTML KB the page itself, sent KB everything transferred with the "
          "images in view, load s its load event, shown s when the images in view had arrived too; again s: "
          "shown s, the median of five more visits; images: in view, shown)")


SCREENSHOTS = {"index": "gallery-index.png", "index, filtered (any warning)": "gallery-filter.png",
               "one post": "gallery-post.png", "a feed's page (feeds/atom.xml)": "feed-page.png"}


def main(quick: bool) -> None:
    if not Path(CHROMIUM).exists():
        print("\n## Gallery: skipped (Debian's chromium is not installed)")
        return
    folder = OUT / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    if (CORPUS / "content" / "blog").is_dir():
        measure_site("the codefor.de corpus with its cards", CORPUS, folder / "corpus-out", folder / "corpus-state",
                     cards=True, shots=folder)
    size = 300 if quick else 10_000
    site = OUT / f"site-{size}"
    if not (site / "content" / "blog").is_dir():
        generate(size, site)
    measure_site(f"a generated site of {size:,} posts, no cards", site, folder / f"out-{size}",
                 folder / f"state-{size}", cards=False, shots=None)
    print(f"(screenshots of the corpus in {folder})")
