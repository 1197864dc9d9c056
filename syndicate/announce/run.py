"""One `syndicate announce`: Webmention, Mastodon and Bluesky over the delivery machinery (one client,
retries, deadline, the state written per success under a lock, the same report and table)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ..config import Settings
from ..delivery.notification import Endpoint, Notification
from ..delivery.report import DeliveryReport
from ..delivery.run import Job, run
from ..delivery.state import DeliveryState
from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from . import bluesky, mastodon, webmention
from .guard import Guard
from .posts import Announced, read_announced

WEBMENTION = Endpoint("webmention", "every page a post links to")


def announce(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> DeliveryReport:
    """Send Webmentions for the links of new and changed posts, and post new posts to Mastodon
    and Bluesky, as configured in [announce]. Raises SyndicateError for a settings problem, a
    missing secret or a missing manifest (nothing is sent)."""
    return asyncio.run(announce_async(settings, out_dir, dry_run))


async def announce_async(settings: Settings, out_dir: Path | None = None, dry_run: bool = False) -> DeliveryReport:
    config = settings.announce
    endpoints = configured_endpoints(settings)
    if not endpoints:
        return DeliveryReport((), (), (), dry_run, 0.0, command="announce")
    diagnostics = Diagnostics()
    announced = read_announced(Path(out_dir) if out_dir is not None else settings.out_dir, settings, diagnostics)
    token = _secret(config.mastodon.token_env, "mastodon", dry_run) if config.mastodon else None
    password = _secret(config.bluesky.password_env, "bluesky", dry_run) if config.bluesky else None
    guard = Guard.of(config)
    protocols = {"webmention": webmention.Webmention(guard, config.max_page_bytes, config.timeout)}
    if config.mastodon:
        protocols["mastodon"] = mastodon.Mastodon(config.mastodon, token, announced.title)
    if config.bluesky:
        protocols["bluesky"] = bluesky.Bluesky(config.bluesky, password, announced.title)

    def plan(state: DeliveryState) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
        return plan_all(announced, settings, state, guard, token, password)

    job = Job("announce", endpoints, plan, protocols, announced.base_url, config.timeout, config.deadline)
    return await run(job, settings.state_dir, dry_run, diagnostics)


def configured_endpoints(settings: Settings) -> tuple[Endpoint, ...]:
    config = settings.announce
    endpoints = [WEBMENTION] if config.webmention else []
    if config.mastodon:
        endpoints.append(mastodon.endpoint_of(config.mastodon))
    if config.bluesky:
        endpoints.append(bluesky.endpoint_of(config.bluesky))
    return tuple(endpoints)


def plan_all(announced: Announced, settings: Settings, state: DeliveryState, guard: Guard, token: str | None,
             password: str | None) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
    config = settings.announce
    notifications: list[Notification] = []
    live: dict[Endpoint, set[str] | None] = {}
    parts = []
    if config.webmention:
        parts.append(webmention.plan(announced.posts, state, guard, config.max_page_bytes))
    if config.mastodon:
        parts.append(mastodon.plan(announced, config.mastodon, state, config.backfill, token))
    if config.bluesky:
        parts.append(bluesky.plan(announced, config.bluesky, state, config.backfill, password))
    for found, keep in parts:
        notifications += found
        live.update(keep)
    return notifications, live


def _secret(env: str, service: str, dry_run: bool) -> str | None:
    """Secrets come only from the environment. A dry run shows whether they are set; a real run
    without them sends nothing."""
    value = os.environ.get(env) or None
    if value is None and not dry_run:
        raise SyndicateError(Diagnostic("settings", None, Level.ERROR,
                                        f"[announce] {service}: the environment variable {env} is not set; "
                                        "export it (in CI: a secret) and run again. Nothing was sent"))
    return value
