"""Shared bench helpers: run a command in a fresh process, measure wall time and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"                      # scratch space, git-ignored
CORPUS = REPO.parent / "shared" / "corpus" / "codefor.de"


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_mb: float
    returncode: int
    cpu_seconds: float = 0.0  # user + system of the process and the children it waited for


def measure(label: str, command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measurement:
    """Wall time and peak RSS of one child process (os.wait4 gives that child's own rusage)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**installed_python(), **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    returncode = os.waitstatus_to_exitcode(status)
    return Measurement(label, seconds, usage.ru_maxrss / 1024, returncode, usage.ru_utime + usage.ru_stime)


def installed_python() -> dict[str, str]:
    """The environment with Python's bytecode cached, as for an installed package (pip compiles
    it): where PYTHONDONTWRITEBYTECODE is set (as on the team's machines) every run would compile
    syndicate's modules again, 60–90 ms of a 0.3 s rebuild. The cache goes to bench/out."""
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environ, "PYTHONPYCACHEPREFIX": str(OUT / "pycache")}


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def syndicate(*args: str) -> list[str]:
    return python("-m", "syndicate", *args)


def print_table(title: str, rows: list[Measurement]) -> None:
    print(f"\n## {title}")
    print(f"{'what':58} {'seconds':>9} {'peak MB':>9} {'exit':>5}")
    for row in rows:
        print(f"{row.label:58} {row.seconds:9.3f} {row.peak_mb:9.1f} {row.returncode:5d}")


def ratio(label: str, ours: float, theirs: float) -> None:
    if ours > 0:
        print(f"{label}: {theirs / ours:.2f}× ({'faster' if theirs > ours else 'slower'} than the peer)")
