"""Hugo as the judge, on the five corpus sites: what syndicate publishes zero-config against what
Hugo publishes (hugo-list.csv), and the time each takes to read the site.

    python bench/run.py hugo

syndicate: `load_site` with no settings (a fresh process, no cache: front matter, URLs and every
body rendered). Hugo: shared/tools/hugo-list (Debian's hugo 0.111 `hugo list all` on a patched
copy of the site; the copy is part of its time), when hugo is installed; its CSV is also compared
with the stored hugo-list.csv.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, measure, python

SHARED = REPO.parent / "shared"
SITES = {"codefor.de": "codefor.de", "nats.io": "nats.io", "tidyverse.org": "tidyverse.org",
         "ropensci.org": "ropensci.org", "linkerd.io": "linkerd.io/linkerd.io"}
LOAD = ("import sys; from syndicate import load_site; "
        "s = load_site(sys.argv[1], {'build': {'state_dir': sys.argv[2], 'cards': False}}); print(len(s.posts))")


def main(quick: bool) -> None:
    sys.path.insert(0, str(REPO))
    from syndicate import load_site
    from syndicate.oracle import TABLE_HEAD, compare

    if not SHARED.is_dir():
        print("\n## Hugo as the judge\n(../shared/corpus is not present: nothing to compare)")
        return
    hugo = shutil.which("hugo")
    rows, timings, notes = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-hugo-") as scratch:
        for name, folder in SITES.items():
            root, stored = SHARED / "corpus" / folder, SHARED / "corpus" / name / "hugo-list.csv"
            if not stored.is_file():
                continue
            state = Path(scratch) / name
            site = load_site(root, {"build": {"state_dir": str(state), "cards": False}})
            match = compare(site, stored.read_text(encoding="utf-8"))
            rows.append(match.row(name))
            notes += [f"{name}: Hugo only: {page.source} → {page.url}" for page in match.missing]
            notes += [f"{name}: syndicate only: {source} → {url}" for source, url in match.other]
            notes += [f"{name}: {page.source} is listed by Hugo at {page.url}, where Hugo writes the later page"
                      for page in match.overwritten]
            ours = measure(f"{name}: syndicate load_site", python("-c", LOAD, str(root), str(state / "cold")))
            theirs_seconds, same_csv = _hugo_list(hugo, root, stored) if hugo and not quick else (None, None)
            timings.append((name, ours.seconds, ours.peak_mb, theirs_seconds, same_csv))
    print("\n## Hugo as the judge: zero-config against `hugo list all` (hugo-list.csv)\n")
    print(TABLE_HEAD)
    print("\n".join(rows))
    for note in notes:
        print(f"- {note}")
    print(f"\n{'site':15} {'syndicate s':>12} {'peak MB':>8} {'hugo-list s':>12} {'ratio':>7}  live CSV = stored")
    for name, ours, peak, theirs, same in timings:
        ratio = f"{theirs / ours:.2f}×" if theirs else "–"
        print(f"{name:15} {ours:12.2f} {peak:8.0f} {theirs if theirs is not None else float('nan'):12.2f} "
              f"{ratio:>7}  {same if same is not None else '–'}")
    print("(ratio: Hugo's time / syndicate's; above 1, syndicate read the site faster. 2 shared cores: ±20%)")


def _hugo_list(hugo: str, root: Path, stored: Path) -> tuple[float, bool]:
    start = time.perf_counter()
    result = subprocess.run([str(SHARED / "tools" / "hugo-list"), str(root)], capture_output=True, text=True,
                            timeout=600)
    seconds = time.perf_counter() - start
    return seconds, result.returncode == 0 and result.stdout == stored.read_text(encoding="utf-8")
