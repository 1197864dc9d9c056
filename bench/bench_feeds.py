"""Feeds: `syndicate build --no-cards` for the real corpus and a generated site (full build with
cold caches, no-change rebuild), the feed stage alone in-process, and Hugo building the RSS of
the same posts with a minimal site of its own (Debian's `hugo`; skipped when not installed),
cold (empty public/) and again with nothing changed, in the same run.

    python bench/run.py feeds [--quick]          # the corpus (codefor.de) and 10,000 generated posts
    python bench/run.py feeds --posts 100000     # one generated site of that many posts (scale)

Each build runs in a fresh process; wall time and peak RSS (the largest process of the build:
ru_maxrss of it and its workers) come from bench/common.measure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from common import CORPUS, OUT, REPO, Measurement, measure, print_table, python, syndicate
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


def syndicate_rows(label: str, site: Path, stage: bool = True) -> list[Measurement]:
    from syndicate.config import load_settings
    out, state = OUT / f"feeds-out-{site.name}", load_settings(site).state_dir
    for folder in (out, state):  # cold: no post cache, nothing built before
        shutil.rmtree(folder, ignore_errors=True)
    env = {"PYTHONPATH": str(REPO)}
    command = syndicate("build", "--no-cards", "--site", str(site), "--out", str(out), "--json")
    cold = measure(f"{label}: syndicate build, cold (no cache, empty out)", command, env=env)
    warm = measure(f"{label}: syndicate build, no change", command, env=env)
    if stage:  # the documents in memory: 2 GB for 10,000 posts, too much for more
        feed_stage(label, site, state, env)
    return [cold, warm]


def feed_stage(label: str, site: Path, state: Path, env: dict[str, str]) -> None:
    stage = subprocess.run(python("-c", STAGE, str(site), str(state)), capture_output=True, text=True,
                           env={**os.environ, **env}, check=True).stdout.split()
    seconds, documents, size = float(stage[0]), int(stage[1]), int(stage[2])
    print(f"{label}: feed stage alone (in-process, no reuse) {seconds:.2f} s for {documents:,} documents, "
          f"{size / 1e6:,.0f} MB")


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


def hugo_rows(label: str, site: Path, limit: int | None) -> list[Measurement]:
    """Hugo's RSS build of the same posts: cold (no public/), then again with nothing changed."""
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo not installed (apt-get install hugo): Hugo rows skipped")
        return []
    root = hugo_site(site, limit)
    what = "all items" if limit is None else f"{limit} items"
    command = [hugo, "--quiet", "-s", str(root), "-d", str(root / "public")]
    rows = [measure(f"{label}: hugo RSS ({what}), cold", command),
            measure(f"{label}: hugo RSS ({what}), no change", command)]
    rss = root / "public" / "blog" / "index.xml"
    if any(row.returncode != 0 for row in rows) or not rss.is_file():
        print(f"hugo failed for {label}; see `hugo -s {root}`")
    return rows


def generated_site(posts: int) -> Path:
    site = OUT / f"site-{posts}"
    if not (site / "content" / "blog").is_dir():
        generate(posts, site)
    return site


def main(quick: bool, posts: int | None = None) -> None:
    sites = []
    if posts is None and (CORPUS / "content" / "blog").is_dir():
        sites.append(("corpus", CORPUS))
    size = posts or (1_000 if quick else 10_000)
    sites.append((f"generated {size:,}", generated_site(size)))
    rows: list[Measurement] = []
    summary = []
    for label, site in sites:
        ours = syndicate_rows(label, site, stage=posts is None)
        # Hugo's RSS of every item holds every post's content at once: 3.3 GB for 10,000 posts, more
        # than this machine has for 100,000; a scale run compares with its RSS of the newest 20.
        theirs = hugo_rows(label, site, None if posts is None else 20)
        rows += ours + theirs
        summary.append((label, ours, theirs))
    print_table("Feeds: full build and no-change rebuild vs Hugo's RSS (fresh process each)", rows)
    print_summary(summary, scale=posts is not None)


def print_summary(summary: list[tuple[str, list[Measurement], list[Measurement]]], scale: bool = False) -> None:
    """Issue 15's table: syndicate against Hugo's RSS-only build, same run, time and peak memory."""
    print("\n## syndicate build --no-cards vs Hugo 0.111 RSS-only, same run (ratio > 1: syndicate faster)")
    if scale:
        print("(Hugo builds the RSS of the newest 20 posts only: see hugo_rows)")
    print(f"{'site':20} {'build':10} {'syndicate s':>12} {'MB':>7} {'CPU s':>7} {'Hugo s':>8} {'MB':>7} "
          f"{'CPU s':>7} {'time ratio':>10}")
    for label, ours, theirs in summary:
        for index, kind in enumerate(("cold", "no change")):
            mine = ours[index]
            peer = theirs[index] if theirs else None
            print(f"{label:20} {kind:10} {mine.seconds:12.2f} {mine.peak_mb:7.0f} {mine.cpu_seconds:7.1f} "
                  + (f"{peer.seconds:8.2f} {peer.peak_mb:7.0f} {peer.cpu_seconds:7.1f} {peer.seconds / mine.seconds:9.2f}×"
                     if peer else f"{'—':>8}"))


if __name__ == "__main__":
    main("--quick" in sys.argv)
