"""What each endpoint has already received: `<site>/.syndicate/ping-state.json`, under a lock.

{"version": 1, "delivered": {"websub https://hub.example/": {"https://site/feeds/atom.xml": "<sha256>"}}}
"""

from __future__ import annotations

import asyncio
import fcntl
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Callable, Iterable

from ..atomic import write_atomic
from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from .notification import Endpoint

STATE_FILE = "ping-state.json"
LOCK_FILE = "ping.lock"
VERSION = 1
LOCK_POLL = 0.05  # seconds between attempts to take a busy lock


class LockBusy(SyndicateError):
    """Another run held the state lock for this run's whole deadline."""


@dataclass
class PingState:
    delivered: dict[str, dict[str, str]] = field(default_factory=dict)  # endpoint key → URL → sha256

    def pending(self, endpoint: Endpoint, items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The (URL, sha256) pairs this endpoint has not yet received in exactly this version."""
        known = self.delivered.get(endpoint.key, {})
        return [(url, digest) for url, digest in items if known.get(url) != digest]

    def record(self, endpoint: Endpoint, deliveries: Iterable[tuple[str, str]]) -> None:
        self.delivered.setdefault(endpoint.key, {}).update(deliveries)

    def prune(self, endpoints: Iterable[Endpoint], current_urls: set[str]) -> None:
        """Forget endpoints no longer configured and URLs no longer built, so that either,
        coming back, is announced again."""
        keys = {endpoint.key for endpoint in endpoints}
        self.delivered = {key: {url: digest for url, digest in urls.items() if url in current_urls}
                          for key, urls in self.delivered.items() if key in keys}

    def to_json(self) -> bytes:
        data = {"version": VERSION, "delivered": {key: dict(sorted(urls.items()))
                                                  for key, urls in sorted(self.delivered.items())}}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def load_state(state_dir: Path, diagnostics: Diagnostics) -> PingState:
    path = state_dir / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PingState()
    except (OSError, ValueError) as exc:
        diagnostics.warn(str(path), None, f"unreadable ping state ({exc}); starting afresh, "
                         "so every endpoint gets everything once more")
        return PingState()
    delivered = data.get("delivered") if isinstance(data, dict) else None
    if not isinstance(delivered, dict) or data.get("version") != VERSION:
        diagnostics.warn(str(path), None, "ping state of an unknown version; starting afresh, "
                         "so every endpoint gets everything once more")
        return PingState()
    return PingState({str(key): {str(url): str(digest) for url, digest in urls.items()}
                      for key, urls in delivered.items() if isinstance(urls, dict)})


def save_state(state_dir: Path, state: PingState) -> None:
    write_atomic(state_dir / STATE_FILE, state.to_json())


@asynccontextmanager
async def state_lock(state_dir: Path, remaining: Callable[[], float]) -> AsyncIterator[None]:
    """One `syndicate ping` per site at a time: a second run waits (within its deadline), then
    reads the state the first one wrote, and so never sends the same thing twice."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / LOCK_FILE, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if remaining() <= 0:
                    raise LockBusy(Diagnostic(
                        str(state_dir / LOCK_FILE), None, Level.ERROR,
                        "another `syndicate ping` of this site held the lock for the whole deadline; "
                        "nothing was sent; run again when it has finished")) from None
                await asyncio.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
