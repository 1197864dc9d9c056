"""Shared bench helpers: run a command in a fresh process, measure wall time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


# A child's ru_maxrss starts at its parent's resident size (Linux folds the memory a process had
# before exec into it), and the bench's own process grows to hundreds of MB over a run: every
# measured command would seem to need at least that. So a small launcher forks the command,
# waits for it and reports that grandchild's own time, peak and CPU.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_maxrss,
                  usage.ru_utime + usage.ru_stime]))
"""


def measure(label: str, command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measurement:
    """Wall time, peak RSS and CPU of one command in a fresh process (see LAUNCHER)."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], cwd=cwd, capture_output=True, text=True,
                          env={**installed_python(), **(env or {})}, check=True)
    seconds, returncode, peak_kb, cpu = json.loads(done.stdout)
    return Measurement(label, seconds, peak_kb / 1024, returncode, cpu)


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
