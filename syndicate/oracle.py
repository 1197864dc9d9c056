"""Hugo as the judge: which posts Hugo publishes (from the CSV of `hugo list all`, e.g. made by
shared/tools/hugo-list) compared with what syndicate publishes, post by post and URL by URL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from .diagnostics import Level
from .site import Site

ZERO = "0001-01-01T00:00:00Z"


@dataclass(frozen=True)
class HugoPage:
    source: str         # relative to the site root, as hugo lists it
    url: str


@dataclass(frozen=True)
class Match:
    """syndicate against Hugo for one site's posts sections."""
    hugo: tuple[HugoPage, ...]               # what Hugo publishes (for a URL two pages share: the one it writes)
    overwritten: tuple[HugoPage, ...]        # listed by Hugo, but another page was written to its URL
    same: tuple[HugoPage, ...]               # published by syndicate at Hugo's URL
    missing: tuple[HugoPage, ...]            # Hugo publishes it, syndicate does not (at that URL)
    other: tuple[tuple[str, str], ...]       # syndicate publishes it, Hugo does not: (source, url)
    errors: int
    warnings: int
    notes: int

    @property
    def exact(self) -> bool:
        return not self.missing and not self.other

    def row(self, name: str) -> str:
        return (f"| {name} | {len(self.hugo)} | {len(self.same)} | {len(self.other)} | "
                f"{self.errors} errors, {self.warnings} warnings, {self.notes} notes |")


TABLE_HEAD = ("| site | posts Hugo publishes in the posts section | published by syndicate at the same URL | "
              "other | diagnostics |\n|---|---:|---:|---:|---|")


def hugo_pages(csv_text: str, folders: tuple[str, ...], now: datetime | None = None, drafts: bool = False,
               future: bool = False, expired: bool = False) -> tuple[list[HugoPage], list[HugoPage]]:
    """(published, overwritten): the pages of `hugo list all` under the posts folders that Hugo
    builds (not drafts, not future, not expired; a render: never page has no permalink), and those
    whose URL another page takes (Hugo writes the page later in its lower-cased content tree last)."""
    now = now or datetime.now(timezone.utc)
    listed = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        path = PurePosixPath(row["path"])
        if not row.get("permalink") or not any(path.is_relative_to(folder) for folder in folders):
            continue
        if (row.get("draft") == "true" and not drafts) or (_after(row.get("publishDate"), now) and not future):
            continue
        if row.get("expiryDate") not in (None, "", ZERO) and not _after(row["expiryDate"], now) and not expired:
            continue
        listed.append(HugoPage(row["path"], row["permalink"]))
    written: dict[str, HugoPage] = {}
    for page in sorted(listed, key=lambda p: p.source.lower()):
        written[page.url] = page
    kept = set(written.values())
    return [p for p in listed if p in kept], [p for p in listed if p not in kept]


def _after(stamp: str | None, now: datetime) -> bool:
    if not stamp or stamp == ZERO:
        return False
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) > now


def compare(site: Site, csv_text: str, now: datetime | None = None) -> Match:
    settings = site.settings
    folders = tuple(PurePosixPath(folder.relative_to(settings.root).as_posix()) for folder in settings.posts_dirs)
    published, overwritten = hugo_pages(csv_text, tuple(str(f) for f in folders), now, settings.build.drafts,
                                        settings.build.future, settings.build.expired)
    # `hugo list all` lists what Hugo's lists hold: a page built with `_build: list: never` is not in it
    ours = {(post.source, post.url) for post in site.posts if post.build_list == "always"}
    theirs = {(page.source, page.url) for page in published}
    levels = [d.level for d in site.diagnostics]
    return Match(
        hugo=tuple(published), overwritten=tuple(overwritten),
        same=tuple(page for page in published if (page.source, page.url) in ours),
        missing=tuple(page for page in published if (page.source, page.url) not in ours),
        other=tuple(sorted(pair for pair in ours if pair not in theirs)),
        errors=levels.count(Level.ERROR), warnings=levels.count(Level.WARNING), notes=levels.count(Level.NOTE))
