"""Fuzz the build for a bounded time: `python bench/run.py fuzz --seconds 600`.

Half the time mutates the real corpus sites: a copy of one site's config with 25 of its pages
(files or whole bundles), most content files mutated (byte flips, truncation, duplicated and dropped
lines, swapped or lost delimiters, interesting tokens, splices), some renamed (dates at the edges,
language suffixes, other formats), now and then the config or a section page mutated too. The
other half builds whole generated Hugo sites (the hypothesis strategy of bench/fuzzing.py: config
files and folders, languages, bundles, cascade, YAML/TOML/JSON front matter of any shape, dates at
the calendar's edges, arbitrary bodies and file names). Each site is checked, built twice and
checked against the property (fuzzing.build_and_check). Prints what ran and every distinct
finding, with a reproduction under bench/out/fuzz/ (the page to blame alone where one is).
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
    BASE_URL,
    Checked,
    Finding,
    batches,
    build_and_check,
    content_files,
    corpus_sites,
    mutated_corpus_site,
    site_strategy,
)

FINDINGS = OUT / "fuzz"
BATCH = 25


class Tally:
    def __init__(self, name: str):
        self.name, self.pages, self.published, self.sites, self.refused, self.findings = name, 0, 0, 0, 0, 0

    def add(self, checked: Checked) -> None:
        self.sites += 1
        self.pages += checked.pages
        self.published += checked.published
        self.refused += checked.settings_error

    def line(self, seconds: float) -> str:
        return (f"{self.name:22} {self.pages:7,} pages ({self.published:,} published) in {self.sites:5,} sites "
                f"({self.refused:,} refused for a settings error), {seconds:4.0f} s, "
                f"{self.pages / max(seconds, 1e-9):5.1f} pages/s, {self.findings} findings")


def main(quick: bool, seconds: float | None = None) -> None:
    seconds = seconds or (20 if quick else 120)
    shutil.rmtree(FINDINGS, ignore_errors=True)
    FINDINGS.mkdir(parents=True)
    seen: dict[tuple[str, str, str], Finding] = {}
    print(f"\n## fuzz: {seconds:.0f} s, findings saved under {FINDINGS.relative_to(OUT.parent.parent)}")
    sites = corpus_sites()
    lines = []
    if sites:
        started = time.monotonic()
        tally = mutations(started + seconds / 2, seen)
        lines.append(tally.line(time.monotonic() - started))
    else:
        lines.append("mutation fuzzer: skipped, the corpus (../shared/corpus) is not present")
    started = time.monotonic()
    tally = generated(started + (seconds if not sites else seconds / 2), seen)
    lines.append(tally.line(time.monotonic() - started))
    print(f"corpus sites to mutate: {', '.join(sites) or 'none'}")
    print("\n".join(lines))
    print(f"distinct findings: {len(seen)}")
    for finding in seen.values():
        print(f"  {finding.kind}: {finding.where}: {finding.detail}  ({finding.source or 'the whole site'})")


def mutations(deadline: float, seen: dict) -> Tally:
    tally = Tally("mutated corpus sites")
    for number, rng in enumerate(batches(seed=int(time.time()))):
        if time.monotonic() > deadline:
            break
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            site, _ = mutated_corpus_site(rng, root / "site", BATCH)
            cards = number % 4 == 0
            checked = build_and_check(site, root / "out", root / "state", cards, BASE_URL)
            tally.add(checked)
            tally.findings += record(checked.findings, site, cards, BASE_URL, seen)
    return tally


def generated(deadline: float, seen: dict) -> Tally:
    from hypothesis import HealthCheck, Phase, given, settings

    tally = Tally("generated Hugo sites")

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(generated_site=site_strategy())
    def one_site(generated_site):
        if time.monotonic() > deadline:
            return
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            site = generated_site.write(root / "site")
            checked = build_and_check(site, root / "out", root / "state", generated_site.cards)
            tally.add(checked)
            tally.findings += record(checked.findings, site, generated_site.cards, None, seen)

    while time.monotonic() < deadline:
        one_site()
    return tally


def culprit(finding: Finding, site: Path, cards: bool, base_url: str | None) -> Finding:
    """The page that shows the finding when it is the site's only one, if one does."""
    pages = content_files(site)
    for page in pages:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            alone = shutil.copytree(site, root / "site", symlinks=True)
            for other in pages:
                if other != page:
                    (alone / other.relative_to(site)).unlink()
            found = build_and_check(alone, root / "out", root / "state", cards, base_url).findings
            if any(each.key == finding.key for each in found):
                return dataclasses.replace(finding, source=page.relative_to(site).as_posix())
    return finding


def record(found: list[Finding], site: Path, cards: bool, base_url: str | None, seen: dict) -> int:
    """Save each new finding with the site that shows it (reduced to the page to blame where one
    alone does) and what was found."""
    new = 0
    for finding in found:
        if finding.key in seen:
            continue
        new += 1
        folder = FINDINGS / f"{len(seen) + 1:03d}"
        isolated = not finding.source and (finding := culprit(finding, site, cards, base_url)).source
        seen[finding.key] = finding
        shutil.copytree(site, folder, symlinks=True)
        if isolated:  # the page alone shows it: the reproduction is that page (a named one may need others)
            for other in content_files(folder):
                if other.relative_to(folder).as_posix() != finding.source:
                    other.unlink()
        (folder / "finding.json").write_text(json.dumps({**finding.__dict__, "cards": cards, "base_url": base_url},
                                                        indent=2, ensure_ascii=False), encoding="utf-8")
    return new
