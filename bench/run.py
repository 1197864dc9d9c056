"""Run every benchmark: `python bench/run.py [--quick] [name ...]` (names: load, feeds, cards, gallery, ping, serve, deploy, …).

Each bench/bench_<name>.py has `main(quick: bool) -> None` and prints its own table and ratios.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(available())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    options = parser.parse_args()
    for name in options.names or available():
        importlib.import_module(f"bench_{name}").main(options.quick)


if __name__ == "__main__":
    main()
