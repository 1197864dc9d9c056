"""Run every benchmark: `python bench/run.py [--quick] [name ...]` (names: load, feeds, cards, gallery, ping, serve, deploy, …).

Each bench/bench_<name>.py has `main(quick: bool) -> None` and prints its own table and ratios.
`python bench/run.py fuzz --seconds 300` fuzzes the build for that long (not part of the default
run: it measures robustness, not speed). `python bench/run.py feeds --posts 100000` measures a
generated site of that many posts instead of the corpus and 10,000 posts (issue 15's scale test).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


NOT_BY_DEFAULT = {"fuzz"}


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = [name for name in available() if name not in NOT_BY_DEFAULT]
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: {', '.join(default)}; also: fuzz)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--seconds", type=float, default=None, help="how long to fuzz (fuzz only)")
    parser.add_argument("--posts", type=int, default=None, help="feeds only: one generated site of this many posts")
    options = parser.parse_args()
    for name in options.names or default:
        main_function = importlib.import_module(f"bench_{name}").main
        accepted = inspect.signature(main_function).parameters
        extra = {name: getattr(options, name) for name in ("seconds", "posts") if name in accepted}
        main_function(options.quick, **extra)


if __name__ == "__main__":
    main()
