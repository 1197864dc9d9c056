"""Worker processes for the CPU-bound stages (parsing posts, rendering cards): how many, and
how to start them without deadlocking a process that runs threads."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext


def worker_count(jobs: int) -> int:
    """`jobs`, or with 0 the cores this process may run on."""
    return jobs or len(os.sched_getaffinity(0))


def start_context() -> BaseContext:
    # fork is fastest (workers inherit loaded fonts and prepared backgrounds), but forking a
    # process that runs other threads can deadlock them (Python 3.12 warns), e.g. `serve --watch`.
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def process_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=start_context())
