"""Loading + rendering: the real corpus and a generated 10,000-post site, cold and with the post cache.

    python bench/run.py load
"""

from __future__ import annotations

import shutil

from common import CORPUS, OUT, Measurement, measure, print_table, python
from generate_site import generate

LOAD = "import sys; from syndicate import load_site; s = load_site(sys.argv[1], {{'build': {{'state_dir': sys.argv[2]}}}}, use_cache={cache}); print(len(s.posts))"


def _load(label: str, site: str, state: str, cache: bool) -> Measurement:
    return measure(label, python("-c", LOAD.format(cache=cache), site, state))


def main(quick: bool) -> None:
    rows: list[Measurement] = []
    sites = []
    if (CORPUS / "content" / "blog").is_dir():
        sites.append(("codefor.de corpus (152 files)", CORPUS))
    size = 1_000 if quick else 10_000
    generated = OUT / f"site-{size}"
    if not (generated / "content" / "blog").is_dir():
        generate(size, generated)
    sites.append((f"generated site ({size:,} posts)", generated))
    for label, site in sites:
        state = OUT / "state-load" / site.name
        shutil.rmtree(state, ignore_errors=True)
        rows.append(_load(f"{label}: load + render, no cache", str(site), str(state), False))
        rows.append(_load(f"{label}: load + render, cold cache", str(site), str(state), True))
        rows.append(_load(f"{label}: load + render, warm cache", str(site), str(state), True))
    print_table("Loading and rendering posts (one process each)", rows)
