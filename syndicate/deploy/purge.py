"""CDN purges after a deploy: a CloudFront invalidation (through boto3, like the uploads) and a
generic purge request (a URL template, a method, headers, a body template: Cloudflare's, Fastly's
or anyone's API). What each purger still owes is kept in `<state>/deploy-state.json`, recorded
before the uploads and cleared as each purge succeeds, so a failed or interrupted purge is sent
again by the next deploy, together with anything newer."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .._version import __version__
from ..atomic import write_atomic
from ..config import DeploySettings
from ..delivery.state import read_state
from ..delivery.transport import backoff, body_excerpt, retry_after, status_line, transport_problem
from ..diagnostics import Diagnostics
from .bucket import ATTEMPTS, RETRIES, describe
from .report import Purge

STATE_FILE = "deploy-state.json"
VERSION = 1
# CloudFront bills each invalidated path past 1,000 a month, and a wildcard counts as one.
CLOUDFRONT_MAX_PATHS = 100
TIMEOUT = 10.0          # seconds per purge request
RETRY_AFTER_CAP = 30.0  # seconds: a longer wait is left to the next deploy
ENVIRONMENT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class PurgeState:
    pending: dict[str, set[str]] = field(default_factory=dict)   # purger name → URLs it still owes

    def add(self, names: Iterable[str], urls: Iterable[str]) -> None:
        urls = set(urls)
        for name in names:
            self.pending.setdefault(name, set()).update(urls)

    def done(self, name: str, urls: Iterable[str]) -> None:
        self.pending[name] = self.pending.get(name, set()) - set(urls)

    def prune(self, names: Iterable[str]) -> None:
        """Forget purgers no longer configured, and those that owe nothing."""
        keep = set(names)
        self.pending = {name: urls for name, urls in self.pending.items() if name in keep and urls}

    def to_json(self) -> bytes:
        data = {"version": VERSION, "pending_purges": {name: sorted(urls) for name, urls in sorted(self.pending.items())}}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def load_state(state_dir: Path, diagnostics: Diagnostics) -> PurgeState:
    pending = read_state(state_dir / STATE_FILE, VERSION, "pending_purges", "deploy state",
                         "purges it owed are forgotten", diagnostics)
    return PurgeState({str(name): {str(url) for url in urls} for name, urls in (pending or {}).items()
                       if isinstance(urls, list)})


def save_state(state_dir: Path, state: PurgeState) -> None:
    write_atomic(state_dir / STATE_FILE, state.to_json())


def purger_names(settings: DeploySettings) -> list[str]:
    names = []
    if settings.cloudfront:
        names.append(f"cloudfront {settings.cloudfront}")
    if settings.purge_url:
        names.append(f"purge {settings.purge_url}")
    return names


def purge(name: str, urls: list[str], settings: DeploySettings, session: Any) -> Purge:
    started = time.monotonic()
    if name.startswith("cloudfront "):
        ok, message, requests = cloudfront_invalidate(session, settings.cloudfront, urls)
    else:
        ok, message, requests = generic_purge(settings, urls)
    return Purge(name, len(urls), ok, message, requests, time.monotonic() - started)


def cloudfront_paths(urls: list[str]) -> list[str]:
    paths = sorted({urlsplit(url).path or "/" for url in urls})
    if len(paths) > CLOUDFRONT_MAX_PATHS:
        common = os.path.commonpath(paths) if all(p.startswith("/") for p in paths) else "/"
        return [common.rstrip("/") + "/*"]
    return paths


def cloudfront_invalidate(session: Any, distribution: str, urls: list[str]) -> tuple[bool, str, int]:
    client = session.client("cloudfront", config=Config(retries=RETRIES))
    paths = cloudfront_paths(urls)
    try:
        answer = client.create_invalidation(DistributionId=distribution, InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"syndicate-{uuid.uuid4()}"})
    except (BotoCoreError, ClientError) as exc:
        return False, describe(exc), 1
    invalidation = answer.get("Invalidation", {})
    return True, f"invalidation {invalidation.get('Id', '?')} of {len(paths)} path(s) {invalidation.get('Status', '')}".strip(), 1


def generic_purge(settings: DeploySettings, urls: list[str]) -> tuple[bool, str, int]:
    try:
        headers = {"User-Agent": f"syndicate/{__version__}", **_headers(settings.purge_headers)}
    except KeyError as missing:
        return False, f"the environment variable {missing.args[0]} named in [deploy] purge_headers is not set", 0
    requests = 0
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for url, body in _requests(settings, urls):
            if body is not None:
                headers.setdefault("Content-Type", "application/json")
            ok, message, attempts = _send(client, settings.purge_method, url, headers, body)
            requests += attempts
            if not ok:
                return False, message, requests
    return True, f"{requests} request(s) answered 2xx", requests


def _headers(lines: list[str]) -> dict[str, str]:
    """'Name: value' lines, ${NAME} read from the environment (KeyError names a missing one)."""
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip()] = ENVIRONMENT.sub(lambda match: os.environ[match.group(1)], value.strip())
    return headers


def _requests(settings: DeploySettings, urls: list[str]) -> list[tuple[str, bytes | None]]:
    """One request per URL when the URL template names {url}; else batches in a body's {urls}."""
    if "{url}" in settings.purge_url:
        return [(settings.purge_url.replace("{url}", url),
                 settings.purge_body.replace("{url}", json.dumps(url)).encode() if settings.purge_body else None)
                for url in urls]
    batches = [urls[start:start + settings.purge_batch] for start in range(0, len(urls), settings.purge_batch)]
    body = settings.purge_body or '{"files": {urls}}'
    return [(settings.purge_url, body.replace("{urls}", json.dumps(batch)).encode()) for batch in batches]


def _send(client: httpx.Client, method: str, url: str, headers: dict[str, str],
          body: bytes | None) -> tuple[bool, str, int]:
    for attempt in range(1, ATTEMPTS + 1):
        wait: float | None = None
        try:
            response = client.request(method, url, headers=headers, content=body)
        except httpx.TransportError as exc:
            message = transport_problem(exc)
        else:
            if response.is_success:
                return True, status_line(response), attempt
            message = f"{status_line(response)}: {body_excerpt(response.content)}".rstrip(": ")
            if response.status_code != 429 and response.status_code < 500:
                return False, message, attempt
            wait = retry_after(response.headers)
        if attempt == ATTEMPTS or (wait is not None and wait > RETRY_AFTER_CAP):
            return False, f"{message} (gave up after {attempt} attempts)", attempt
        time.sleep(wait if wait is not None else backoff(attempt))
    raise AssertionError("unreachable")
