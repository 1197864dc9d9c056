"""`syndicate ping`: WebSub, XML-RPC and IndexNow as a delivery job (delivery/run.py runs it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ..config import Settings
from ..delivery.built import read_built
from ..delivery.report import DeliveryReport
from ..delivery.run import Deliverer, Job, run
from ..diagnostics import Diagnostics
from . import indexnow, weblogs, websub
from .plan import configured_endpoints, plan

PROTOCOLS: dict[str, Deliverer] = {"websub": websub, "xmlrpc": weblogs, "indexnow": indexnow}  # type: ignore[dict-item]


def ping(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> DeliveryReport:
    """Tell the configured hubs, ping services and IndexNow what changed since the last run.

    Raises SyndicateError for a settings problem or a missing manifest (nothing is sent)."""
    return asyncio.run(ping_async(settings, out_dir, dry_run))


async def ping_async(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> DeliveryReport:
    endpoints = configured_endpoints(settings)
    if not endpoints:
        return DeliveryReport((), (), (), dry_run, 0.0)
    diagnostics = Diagnostics()
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    built = read_built(out, settings, diagnostics)
    _check_key_file(settings, out, diagnostics)
    job = Job("ping", endpoints, lambda state: plan(built, endpoints, state, settings), PROTOCOLS,
              built.base_url, settings.ping.timeout, settings.ping.deadline)
    return await run(job, settings.state_dir, dry_run, diagnostics)


def _check_key_file(settings: Settings, out: Path, diagnostics: Diagnostics) -> None:
    key = settings.ping.indexnow_key
    if settings.ping.indexnow and not (out / f"{key}.txt").is_file():
        diagnostics.warn(str(out / f"{key}.txt"), None,
                         "the IndexNow key file is not in the output; run `syndicate build` (it writes it) "
                         "and deploy it, or IndexNow answers 403")
