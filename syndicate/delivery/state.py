"""What each endpoint has already received: `<state>/ping-state.json` (and `announce-state.json`
for `syndicate announce`), under a lock, written after every success.

{"version": 1, "delivered": {"websub https://hub.example/": {"https://site/feeds/atom.xml": "<sha256>"},
                             "mastodon https://social.example/": {"https://site/blog/x/": {"sha256": "…", "id": "…"}}}}
"""

from __future__ import annotations

import asyncio
import fcntl
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Mapping

from ..atomic import write_atomic
from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from .notification import Endpoint

VERSION = 1
LOCK_POLL = 0.05  # seconds between attempts to take a busy lock


class LockBusy(SyndicateError):
    """Another run held the state lock for this run's whole deadline."""


class Interrupted(Exception):
    """A signal arrived while waiting for the lock: nothing was sent."""


@dataclass(frozen=True)
class Ledger:
    """Where one command keeps its state and its lock: `ping` and `announce` each have their own."""
    state_dir: Path
    name: str = "ping"

    @property
    def path(self) -> Path:
        return self.state_dir / f"{self.name}-state.json"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / f"{self.name}.lock"


@dataclass
class DeliveryState:
    delivered: dict[str, dict[str, str]] = field(default_factory=dict)  # endpoint key → item → sha256
    receipts: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # … → Location, id, …

    def pending(self, endpoint: Endpoint, items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The (item, sha256) pairs this endpoint has not yet received in exactly this version."""
        known = self.delivered.get(endpoint.key, {})
        return [(url, digest) for url, digest in items if known.get(url) != digest]

    def known(self, endpoint: Endpoint) -> Mapping[str, str]:
        return self.delivered.get(endpoint.key, {})

    def receipt(self, endpoint: Endpoint, item: str) -> Mapping[str, str]:
        return self.receipts.get(endpoint.key, {}).get(item, {})

    def record(self, endpoint: Endpoint, deliveries: Iterable[tuple[str, str]],
               receipt: Mapping[str, str] | None = None, forgets: Iterable[str] = ()) -> None:
        delivered = self.delivered.setdefault(endpoint.key, {})
        receipts = self.receipts.setdefault(endpoint.key, {})
        for item, digest in deliveries:
            delivered[item] = digest
            if receipt:
                receipts[item] = dict(receipt)
        for item in forgets:
            delivered.pop(item, None)
            receipts.pop(item, None)

    def prune(self, live: Mapping[Endpoint, set[str] | None]) -> bool:
        """Forget endpoints no longer configured, and items no longer live (None: keep them all),
        so that either, coming back, is announced again. True if anything was forgotten."""
        keys = {endpoint.key: items for endpoint, items in live.items()}
        before = sum(len(items) for items in self.delivered.values()) + len(self.delivered)
        self.delivered = {key: {item: digest for item, digest in items.items()
                                if keys[key] is None or item in keys[key]}
                          for key, items in self.delivered.items() if key in keys}
        self.receipts = {key: {item: r for item, r in receipts.items() if item in self.delivered[key]}
                         for key, receipts in self.receipts.items() if key in self.delivered}
        return before != sum(len(items) for items in self.delivered.values()) + len(self.delivered)

    def to_json(self) -> bytes:
        def entry(key: str, item: str, digest: str) -> str | dict[str, str]:
            receipt = self.receipts.get(key, {}).get(item)
            return {"sha256": digest, **receipt} if receipt else digest
        data = {"version": VERSION, "delivered": {key: {item: entry(key, item, digest)
                                                        for item, digest in sorted(items.items())}
                                                  for key, items in sorted(self.delivered.items())}}
        # No indent: json's C encoder then does the work (indented, 25,000 URLs took 0.2 s a write).
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def read_state(path: Path, version: int, key: str, what: str, consequence: str,
               diagnostics: Diagnostics) -> dict[str, Any] | None:
    """`key`'s table of a state file (`{"version": …, key: {…}}`); None when there is no file, or,
    with a warning saying `consequence`, when it cannot be read or is of another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        diagnostics.warn(str(path), None, f"unreadable {what} ({exc}); {consequence}")
        return None
    table = data.get(key) if isinstance(data, dict) and data.get("version") == version else None
    if not isinstance(table, dict):
        diagnostics.warn(str(path), None, f"{what} of an unknown version; {consequence}")
        return None
    return table


def load_state(ledger: Ledger, diagnostics: Diagnostics) -> DeliveryState:
    delivered = read_state(ledger.path, VERSION, "delivered", f"{ledger.name} state",
                           "starting afresh, so every endpoint gets everything once more", diagnostics)
    if delivered is None:
        return DeliveryState()
    state = DeliveryState()
    for key, items in delivered.items():
        if not isinstance(items, dict):
            continue
        for item, value in items.items():
            if isinstance(value, dict) and isinstance(value.get("sha256"), str):
                receipt = {str(k): str(v) for k, v in value.items() if k != "sha256"}
                state.delivered.setdefault(str(key), {})[str(item)] = value["sha256"]
                if receipt:
                    state.receipts.setdefault(str(key), {})[str(item)] = receipt
            elif isinstance(value, str):
                state.delivered.setdefault(str(key), {})[str(item)] = value
    return state


class StateWriter:
    """Writes the state as each success is recorded (atomically, under the run's lock), in a worker
    thread so the deliveries go on meanwhile; successes that arrive during one write are written
    together by the next. A kill loses at most what arrived during the last write."""

    def __init__(self, ledger: Ledger, state: DeliveryState):
        self.ledger = ledger
        self.state = state
        self.problem = ""
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def changed(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._write_while_changed())

    async def _write_while_changed(self) -> None:
        while self._dirty and not self.problem:
            self._dirty = False
            data = self.state.to_json()  # a snapshot, taken in the event loop's thread
            try:
                await asyncio.to_thread(write_atomic, self.ledger.path, data)
            except OSError as exc:
                self.problem = f"cannot write {self.ledger.path}: {exc.strerror or exc}"

    async def close(self) -> None:
        """The last write, after everything else: awaited before the run returns, even when a
        signal ended the deliveries."""
        if self._task is not None:
            await self._task
        await self._write_while_changed()


@asynccontextmanager
async def state_lock(ledger: Ledger, remaining: Callable[[], float],
                     interrupted: Callable[[], bool] = lambda: False) -> AsyncIterator[None]:
    """One run per site and command at a time: a second run waits (within its deadline), then
    reads the state the first one wrote, and so never sends the same thing twice."""
    ledger.state_dir.mkdir(parents=True, exist_ok=True)
    with open(ledger.lock_path, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if interrupted():
                    raise Interrupted() from None
                if remaining() <= 0:
                    raise LockBusy(Diagnostic(
                        str(ledger.lock_path), None, Level.ERROR,
                        f"another `syndicate {ledger.name}` of this site held the lock for the whole deadline; "
                        "nothing was sent; run again when it has finished")) from None
                await asyncio.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
