"""Feeds: `syndicate build --no-cards` for the real corpus and a generated site (full build with
cold caches, no-change rebuild), the feed stage alone in-process, and Hugo building the RSS of
the same posts with a minimal site of its own (Debian's `hugo`; skipped when not installed).

    python bench/run.py feeds [--quick]

Each build runs in a fresh process; wall time and peak RSS come from bench/common.measure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from common import CORPUS, OUT, REPO, Measurement, measure, print_table, python, ratio, syndicate
from generate_site import generate

STAGE = ("import sys, time; from syndicate.site import load_site; from syndicate.feeds import build_feeds; "
         "site = load_site(sys.argv[1], {'build': {'cards': False}}, use_cache=True); "
         "start = time.perf_counter(); feeds = build_feeds(site); "
         "print(f'{time.perf_counter() - start:.3f} {len(feeds)} {sum(len(f.data) for f in feeds)}')")
HUGO_BUILTIN_SHORTCODES = {"ref", "relref", "figure", "gist", "highlight", "instagram", "param", "tweet",
                           "vimeo", "youtube"}
# Built-ins that fetch from the network (getJSON of the platform's oEmbed): offline, each call waits
# for a DNS failure and the build fails. syndicate fetches nothing either: a link stands in for them.
HUGO_NETWORK_SHORTCODES = {"tweet", "twitter", "instagram", "vimeo_simple"}
SHORTCODE_NAME = re.compile(r"\{\{[<%]\s*/?\s*([\w.-]+)")
CLOSING_SHORTCODE = re.compile(r"\{\{[<%]\s*/\s*([\w.-]+)")


def syndicate_rows(label: str, site: Path) -> list[Measurement]:
    from syndicate.config import load_settings
    out, state = OUT / f"feeds-out-{site.name}", load_settings(site).state_dir
    for folder in (out, state):  # cold: no post cache, nothing built before
        shutil.rmtree(folder, ignore_errors=True)
    env = {"PYTHONPATH": str(REPO)}
    command = syndicate("build", "--no-cards", "--site", str(site), "--out", str(out), "--json")
    cold = measure(f"{label}: syndicate build, cold (no cache, empty out)", command, env=env)
    warm = measure(f"{label}: syndicate build, no change", command, env=env)
    stage = subprocess.run(python("-c", STAGE, str(site), str(state)), capture_output=True, text=True,
                           env={**os.environ, **env}, check=True).stdout.split()
    seconds, documents, size = float(stage[0]), int(stage[1]), int(stage[2])
    print(f"{label}: feed stage alone (in-process, no reuse) {seconds:.2f} s for {documents:,} documents, "
          f"{size / 1e6:,.0f} MB")
    return [cold, warm]


def hugo_site(site: Path, limit: int | None) -> Path:
    """A minimal Hugo site around the same posts: only the RSS output, empty stand-ins for the
    theme's shortcodes, refs to pages outside the copy only warned about."""
    name = f"hugo-{site.name}-{'all' if limit is None else limit}"
    root = OUT / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(site / "content" / "blog", root / "content" / "blog")
    if (site / "static" / "blog").is_dir():
        (root / "static").mkdir(parents=True)
    used, paired = set(), set()
    for post in (root / "content" / "blog").rglob("*.md"):
        text = post.read_text(encoding="utf-8", errors="replace")
        used |= set(SHORTCODE_NAME.findall(text))
        paired |= set(CLOSING_SHORTCODE.findall(text))
    shortcodes = root / "layouts" / "shortcodes"
    shortcodes.mkdir(parents=True)
    for code in sorted(used - HUGO_BUILTIN_SHORTCODES):  # Hugo wants .Inner exactly where closed
        (shortcodes / f"{code}.html").write_text("{{ .Inner }}" if code in paired else "", encoding="utf-8")
    for code in sorted(used & HUGO_NETWORK_SHORTCODES):
        (shortcodes / f"{code}.html").write_text('<a href="{{ index .Params 0 }}">{{ index .Params 0 }}</a>',
                                                 encoding="utf-8")
    (root / "config.yaml").write_text(
        "baseURL: https://bench.example.org/\ntitle: Bench\nlanguageCode: de-DE\n"
        f"rssLimit: {-1 if limit is None else limit}\n"
        "refLinksErrorLevel: WARNING\nfrontmatter:\n  date: [':filename', ':default']\n"
        "disableKinds: [taxonomy, term, sitemap, robotsTXT, 404]\n"
        "outputs:\n  home: [rss]\n  section: [rss]\n  page: []\n"
        "markup:\n  goldmark:\n    renderer:\n      unsafe: true\n", encoding="utf-8")
    return root


def hugo_row(label: str, site: Path, limit: int | None) -> Measurement | None:
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo not installed (apt-get install hugo): Hugo rows skipped")
        return None
    root = hugo_site(site, limit)
    what = "all items" if limit is None else f"{limit} items"
    row = measure(f"{label}: hugo RSS ({what})", [hugo, "--quiet", "-s", str(root), "-d", str(root / "public")])
    rss = root / "public" / "blog" / "index.xml"
    if row.returncode != 0 or not rss.is_file():
        print(f"hugo failed for {label} (exit {row.returncode}); see `hugo -s {root}`")
    return row


def main(quick: bool) -> None:
    sites = []
    if (CORPUS / "content" / "blog").is_dir():
        sites.append(("corpus", CORPUS, 10))
    size = 1_000 if quick else 10_000
    generated = OUT / f"site-{size}"
    if not (generated / "content" / "blog").is_dir():
        generate(size, generated)
    sites.append((f"generated {size:,}", generated, 20))
    rows: list[Measurement] = []
    comparisons = []
    for label, site, limit in sites:
        ours = syndicate_rows(label, site)
        warm = ours[1]
        rows += ours
        hugo_all, hugo_limited = hugo_row(label, site, None), hugo_row(label, site, limit)
        rows += [row for row in (hugo_all, hugo_limited) if row is not None]
        comparisons.append((label, ours[0], warm, hugo_all, hugo_limited))
    print_table("Feeds: full build and no-change rebuild vs Hugo's RSS (fresh process each)", rows)
    for label, cold, warm, hugo_all, hugo_limited in comparisons:
        if hugo_all is not None:
            ratio(f"{label}: no-change rebuild vs Hugo RSS of all posts", warm.seconds, hugo_all.seconds)
            ratio(f"{label}: full cold build vs Hugo RSS of all posts", cold.seconds, hugo_all.seconds)
        if hugo_limited is not None:
            ratio(f"{label}: no-change rebuild vs Hugo RSS of the newest items", warm.seconds, hugo_limited.seconds)


if __name__ == "__main__":
    main("--quick" in sys.argv)
