"""One run of a delivery command (`syndicate ping`, `syndicate announce`): plan under the state
lock, deliver everything concurrently within the deadline, record each success as it happens;
SIGINT/SIGTERM end the deliveries, never the recording. A command is a `Job`: its endpoints, its
planner and a deliverer per endpoint kind."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Iterator, Mapping, Protocol

import httpx

from .._version import __version__
from ..diagnostics import Diagnostics
from .notification import Endpoint, Notification, Outcome, Request, Verdict
from .report import DeliveryReport
from .state import DeliveryState, Interrupted, Ledger, LockBusy, StateWriter, load_state, state_lock
from .transport import Clock, Exchange, Progress, Sender

PER_ENDPOINT = 4   # requests in flight to one endpoint: a hub gets every changed feed, politely
GRACE = 0.5        # seconds past the deadline before unfinished deliveries are cut off
SIGNALS = (signal.SIGINT, signal.SIGTERM)

Send = Callable[[Request], Awaitable[Exchange]]


class Deliverer(Protocol):
    async def deliver(self, notification: Notification, send: Send) -> Verdict: ...


# What to send, given what the endpoints already have: the notifications, and per endpoint the
# state items still worth keeping (None: all of them).
Planner = Callable[[DeliveryState], tuple[list[Notification], Mapping[Endpoint, "set[str] | None"]]]


@dataclass(frozen=True)
class Job:
    """What one run delivers; `ping` and `announce` differ only in this."""
    command: str                          # "ping" or "announce": names the state file and the lock
    endpoints: tuple[Endpoint, ...]
    plan: Planner
    protocols: Mapping[str, Deliverer]    # endpoint kind → module with `deliver`
    site_url: str                         # named in the User-Agent
    timeout: float
    deadline: float
    per_endpoint: int = PER_ENDPOINT


async def run(job: Job, state_dir: Path, dry_run: bool, diagnostics: Diagnostics) -> DeliveryReport:
    """Plan, deliver and record one job. In a dry run: plan only, from the state as it is."""
    started = time.monotonic()
    ledger = Ledger(state_dir, job.command)
    if dry_run:  # reads the state without the lock: it is replaced atomically, and nothing is written
        notifications, _ = job.plan(load_state(ledger, diagnostics))
        return DeliveryReport(job.endpoints, tuple(notifications), (), True, time.monotonic() - started,
                              diagnostics.sorted(), command=job.command)
    clock = Clock(job.deadline)
    stop = Stop()
    notifications: list[Notification] = []
    outcomes: list[Outcome] = []
    with stopped_by_signals(stop):
        try:
            async with state_lock(ledger, clock.remaining, stop.is_set):
                state = load_state(ledger, diagnostics)
                notifications, live = job.plan(state)
                writer = StateWriter(ledger, state)

                def record(outcome: Outcome) -> None:
                    if outcome.ok:
                        state.record(outcome.notification.endpoint, outcome.notification.deliveries,
                                     outcome.receipt, outcome.notification.forgets)
                        writer.changed()

                try:
                    if notifications:
                        outcomes = await deliver_all(job, notifications, clock, stop, record)
                finally:
                    if state.prune(live):
                        writer.changed()
                    await writer.close()
                if writer.problem:
                    diagnostics.error(str(ledger.path), None, writer.problem + "; what was delivered will be "
                                      "sent again by the next run")
        except LockBusy as busy:
            diagnostics.extend([busy.diagnostic])
        except Interrupted:
            pass
    return DeliveryReport(job.endpoints, tuple(notifications), tuple(outcomes), False, time.monotonic() - started,
                          diagnostics.sorted(), command=job.command, interrupted=stop.signal)


class Stop:
    """The signal that ended the run early, if one did."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.event = asyncio.Event()

    def set(self, signum: int) -> None:
        if self.signal is None:
            self.signal = signum
        self.event.set()

    def is_set(self) -> bool:
        return self.event.is_set()


@contextmanager
def stopped_by_signals(stop: Stop) -> Iterator[None]:
    """SIGINT and SIGTERM end the deliveries; the run then records what was delivered and returns
    (the CLI exits 130 or 143). Only the main thread can receive signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        loop.add_signal_handler(signum, stop.set, signum)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, handler)


def user_agent(site_url: str) -> str:
    return f"syndicate/{__version__} (+{site_url})"


async def deliver_all(job: Job, notifications: list[Notification], clock: Clock, stop: Stop | None = None,
                      record: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Every notification at once (at most `per_endpoint` per endpoint), all over one client;
    each outcome is handed to `record` as soon as it is known."""
    stop = stop or Stop()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    # Redirects are not followed: httpx (like browsers) turns a POST into a GET on 301/302, which
    # no ping service understands; the refusal names the new location instead.
    async with httpx.AsyncClient(headers={"User-Agent": user_agent(job.site_url)}, timeout=job.timeout,
                                 limits=limits, follow_redirects=False) as client:
        sender = Sender(client, job.timeout, clock)
        gates = {n.endpoint: asyncio.Semaphore(job.per_endpoint) for n in notifications}
        progress = [Progress() for _ in notifications]

        async def one(notification: Notification, progress: Progress) -> Outcome:
            outcome = await _deliver(job, sender, notification, gates[notification.endpoint], progress)
            record(outcome)
            return outcome

        tasks = [asyncio.create_task(one(n, p)) for n, p in zip(notifications, progress)]
        started = time.monotonic()
        everything = asyncio.ensure_future(asyncio.wait(tasks))
        stopped = asyncio.ensure_future(stop.event.wait())
        await asyncio.wait({everything, stopped}, timeout=max(0.0, clock.remaining()) + GRACE,
                           return_when=asyncio.FIRST_COMPLETED)
        for waiter in (everything, stopped):
            waiter.cancel()
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        cut_off = time.monotonic() - started
    if stop.signal is not None:
        why = (f"interrupted by {signal.Signals(stop.signal).name} before an answer; "
               f"sent again by the next `syndicate {job.command}`")
    else:
        why = f"not finished within the run's deadline of {clock.seconds:g} s"
    return [task.result() if task.done() and not task.cancelled() else
            Outcome(n, False, None, why, p.attempts, cut_off)
            for n, p, task in zip(notifications, progress, tasks)]


async def _deliver(job: Job, sender: Sender, notification: Notification, gate: asyncio.Semaphore,
                   progress: Progress) -> Outcome:
    async with gate:
        started = time.monotonic()
        if not notification.requests:  # bookkeeping only (a first run's baseline): nothing to send
            return Outcome(notification, True, None, "recorded; nothing sent", 0, 0.0)

        async def send(request: Request) -> Exchange:
            return await sender.send(request, progress)

        verdict = await job.protocols[notification.endpoint.kind].deliver(notification, send)
        return Outcome(notification, verdict.ok, verdict.status, verdict.message, progress.attempts,
                       time.monotonic() - started, verdict.receipt)
