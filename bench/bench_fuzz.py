"""Fuzz the build for a bounded time: `python bench/run.py fuzz --seconds 300`.

Half the time mutates real posts of the shared corpus (byte flips, truncation, duplicated and
dropped lines, swapped or lost delimiters, interesting tokens, splices) in sites of 25; the other
half builds sites of whole generated posts (the hypothesis strategy of bench/fuzzing.py: YAML,
TOML and JSON front matter of any shape, dates at the calendar's edges, arbitrary bodies and file
names). Each site is built twice and checked (fuzzing.build_and_check). Prints what ran and every
distinct finding, with a reproduction under bench/out/fuzz/.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from pathlib import Path

from common import OUT
from fuzzing import (
    ZONES,
    Finding,
    batches,
    build_and_check,
    corpus_posts,
    generated_site,
    mutation_batch,
    post_strategy,
    write_site,
)

FINDINGS = OUT / "fuzz"
BATCH = 25


class Tally:
    def __init__(self, name: str):
        self.name, self.posts, self.sites, self.findings = name, 0, 0, 0

    def line(self, seconds: float) -> str:
        return (f"{self.name:26} {self.posts:8,} posts in {self.sites:6,} sites, {seconds:6.0f} s, "
                f"{self.posts / max(seconds, 1e-9):6.1f} posts/s, {self.findings} findings")


def main(quick: bool, seconds: float | None = None) -> None:
    seconds = seconds or (20 if quick else 120)
    shutil.rmtree(FINDINGS, ignore_errors=True)
    FINDINGS.mkdir(parents=True)
    seen: dict[tuple[str, str, str], Finding] = {}
    print(f"\n## fuzz: {seconds:.0f} s, findings saved under {FINDINGS.relative_to(OUT.parent.parent)}")
    posts = corpus_posts()
    lines = []
    if posts:
        started = time.monotonic()
        tally = mutations(posts, started + seconds / 2, seen)
        lines.append(tally.line(time.monotonic() - started))
    else:
        lines.append("mutation fuzzer: skipped, the corpus (../shared/corpus) is not present")
    started = time.monotonic()
    tally = generated(started + (seconds if not posts else seconds / 2), seen)
    lines.append(tally.line(time.monotonic() - started))
    print(f"corpus posts to mutate: {len(posts):,}")
    print("\n".join(lines))
    print(f"distinct findings: {len(seen)}")
    for finding in seen.values():
        print(f"  {finding.kind}: {finding.where}: {finding.detail}  ({finding.source or 'the whole site'})")


def mutations(posts: list[bytes], deadline: float, seen: dict) -> Tally:
    tally = Tally("mutated corpus posts")
    for number, rng in enumerate(batches(seed=int(time.time()))):
        if time.monotonic() > deadline:
            break
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            batch = mutation_batch(posts, rng, BATCH)
            zone = rng.choice(ZONES)
            site = write_site(root / "site", batch, zone, cards=number % 4 == 0)
            found = build_and_check(site, root / "out", root / "state")
            tally.posts, tally.sites = tally.posts + len(batch), tally.sites + 1
            tally.findings += record(found, site, zone, seen)
    return tally


def generated(deadline: float, seen: dict) -> Tally:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    tally = Tally("generated posts")

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(posts=st.lists(post_strategy(), min_size=1, max_size=4), zone=st.sampled_from(ZONES), cards=st.booleans())
    def one_site(posts, zone, cards):
        if time.monotonic() > deadline:
            return
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            site = generated_site(root / "site", posts, zone, cards)
            found = build_and_check(site, root / "out", root / "state")
            tally.posts, tally.sites = tally.posts + len(posts), tally.sites + 1
            tally.findings += record(found, site, zone, seen)

    while time.monotonic() < deadline:
        one_site()
    return tally


def culprit(finding: Finding, site: Path, zone: str) -> Finding:
    """The post that shows the finding when built alone, if one does."""
    cards = "cards = true" in (site / "syndicate.toml").read_text(encoding="utf-8")
    for post in sorted((site / "content" / "blog").iterdir()):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            alone = write_site(root / "site", {post.name: post.read_bytes()}, zone, cards)
            if any(found.key == finding.key for found in build_and_check(alone, root / "out", root / "state")):
                return dataclasses.replace(finding, source=post.relative_to(site).as_posix())
    return finding


def record(found: list[Finding], site: Path, zone: str, seen: dict) -> int:
    """Save each new finding: the post to blame (or the whole site) and what was found."""
    new = 0
    for finding in found:
        if finding.key in seen:
            continue
        seen[finding.key] = finding
        new += 1
        folder = FINDINGS / f"{len(seen):03d}"
        if not finding.source:
            finding = seen[finding.key] = culprit(finding, site, zone)
        if finding.source:
            (folder / "content" / "blog").mkdir(parents=True)
            shutil.copyfile(site / finding.source, folder / finding.source)
            shutil.copyfile(site / "syndicate.toml", folder / "syndicate.toml")
        else:
            shutil.copytree(site, folder)
        (folder / "finding.json").write_text(json.dumps({**finding.__dict__, "zone": zone}, indent=2,
                                                        ensure_ascii=False), encoding="utf-8")
    return new
