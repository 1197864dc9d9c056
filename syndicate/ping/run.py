"""One run: plan under the state lock, deliver everything concurrently within the deadline, record."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import ModuleType

import httpx

from .._version import __version__
from ..config import Settings
from ..diagnostics import Diagnostics
from . import indexnow, weblogs, websub
from .notification import Endpoint, Notification, Outcome, Request
from .plan import Built, configured_endpoints, plan, read_built
from .report import PingReport
from .state import LockBusy, load_state, save_state, state_lock
from .transport import Clock, Exchange, Progress, Sender

PROTOCOLS: dict[str, ModuleType] = {"websub": websub, "xmlrpc": weblogs, "indexnow": indexnow}
PER_ENDPOINT = 4   # requests in flight to one endpoint: a hub gets every changed feed, politely
GRACE = 0.5        # seconds past the deadline before unfinished deliveries are cut off


def ping(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> PingReport:
    """Tell the configured hubs, ping services and IndexNow what changed since the last run.

    Raises SyndicateError for a settings problem or a missing manifest (nothing is sent)."""
    return asyncio.run(ping_async(settings, out_dir, dry_run))


async def ping_async(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> PingReport:
    started = time.monotonic()
    clock = Clock(settings.ping.deadline)
    endpoints = configured_endpoints(settings)
    if not endpoints:
        return PingReport((), (), (), dry_run, 0.0)
    diagnostics = Diagnostics()
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    built = read_built(out, settings, diagnostics)
    _check_key_file(settings, out, diagnostics)
    if dry_run:  # reads the state without the lock: it is replaced atomically, and nothing is written
        notifications = plan(built, endpoints, load_state(settings.state_dir, diagnostics), settings)
        return PingReport(endpoints, tuple(notifications), (), True, time.monotonic() - started,
                          diagnostics.sorted())
    try:
        async with state_lock(settings.state_dir, clock.remaining):
            notifications, outcomes = await _deliver_and_record(settings, built, endpoints, clock, diagnostics)
    except LockBusy as busy:
        diagnostics.extend([busy.diagnostic])
        notifications, outcomes = [], []
    return PingReport(endpoints, tuple(notifications), tuple(outcomes), False, time.monotonic() - started,
                      diagnostics.sorted())


async def _deliver_and_record(settings: Settings, built: Built, endpoints: tuple[Endpoint, ...], clock: Clock,
                              diagnostics: Diagnostics) -> tuple[list[Notification], list[Outcome]]:
    state = load_state(settings.state_dir, diagnostics)
    before = state.to_json()
    notifications = plan(built, endpoints, state, settings)
    outcomes = await deliver_all(notifications, settings, built.base_url, clock) if notifications else []
    for outcome in outcomes:
        if outcome.ok:
            state.record(outcome.notification.endpoint, outcome.notification.deliveries)
    state.prune(endpoints, {url for url, _ in built.items})
    if state.to_json() != before:
        save_state(settings.state_dir, state)
    return notifications, outcomes


def _check_key_file(settings: Settings, out: Path, diagnostics: Diagnostics) -> None:
    key = settings.ping.indexnow_key
    if settings.ping.indexnow and not (out / f"{key}.txt").is_file():
        diagnostics.warn(str(out / f"{key}.txt"), None,
                         "the IndexNow key file is not in the output; run `syndicate build` (it writes it) "
                         "and deploy it, or IndexNow answers 403")


async def deliver_all(notifications: list[Notification], settings: Settings, site_url: str,
                      clock: Clock) -> list[Outcome]:
    """Every notification at once (at most PER_ENDPOINT per endpoint), all over one client."""
    headers = {"User-Agent": f"syndicate/{__version__} (+{site_url})"}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    # Redirects are not followed: httpx (like browsers) turns a POST into a GET on 301/302, which
    # no ping service understands; the refusal names the new location instead.
    async with httpx.AsyncClient(headers=headers, timeout=settings.ping.timeout, limits=limits,
                                 follow_redirects=False) as client:
        sender = Sender(client, settings.ping.timeout, clock)
        gates = {n.endpoint: asyncio.Semaphore(PER_ENDPOINT) for n in notifications}
        progress = [Progress() for _ in notifications]
        tasks = [asyncio.create_task(_deliver(sender, n, gates[n.endpoint], p))
                 for n, p in zip(notifications, progress)]
        started = time.monotonic()
        done, pending = await asyncio.wait(tasks, timeout=max(0.0, clock.remaining()) + GRACE)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        cut_off = time.monotonic() - started
    return [task.result() if task in done else
            Outcome(n, False, None, f"not finished within the run's deadline of {clock.seconds:g} s",
                    p.attempts, cut_off)
            for n, p, task in zip(notifications, progress, tasks)]


async def _deliver(sender: Sender, notification: Notification, gate: asyncio.Semaphore,
                   progress: Progress) -> Outcome:
    async with gate:
        started = time.monotonic()

        async def send(request: Request) -> Exchange:
            return await sender.post(notification.endpoint.url, request, progress)

        verdict = await PROTOCOLS[notification.endpoint.kind].deliver(notification, send)
        return Outcome(notification, verdict.ok, verdict.status, verdict.message, progress.attempts,
                       time.monotonic() - started)
