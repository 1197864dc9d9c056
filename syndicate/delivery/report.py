"""The typed result of one run, and its JSON form."""

from __future__ import annotations

import signal
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Level
from .notification import Endpoint, Notification, Outcome, Request, notification_json

NOTHING_CONFIGURED = {
    "ping": "no [ping] endpoints configured (websub, xmlrpc, indexnow): nothing sent",
    "announce": "nothing configured in [announce] (webmention, mastodon, bluesky): nothing sent",
}


@dataclass(frozen=True)
class DeliveryReport:
    endpoints: tuple[Endpoint, ...]
    notifications: tuple[Notification, ...]   # what was sent, or in a dry run what would be
    outcomes: tuple[Outcome, ...]             # one per notification; empty in a dry run
    dry_run: bool
    seconds: float
    diagnostics: tuple[Diagnostic, ...] = ()
    command: str = "ping"                     # or "announce": the same report for both
    interrupted: int | None = None            # the signal (SIGINT, SIGTERM) that ended the run early

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.ok)

    @property
    def failed(self) -> bool:
        """Something that should have been delivered was not (exit code 1)."""
        return (bool(self.failures) or self.interrupted is not None
                or any(d.level is Level.ERROR for d in self.diagnostics))

    @property
    def summary(self) -> str:
        if not self.endpoints:
            return NOTHING_CONFIGURED.get(self.command, "nothing configured: nothing sent")
        stopped = (f"; interrupted by {signal.Signals(self.interrupted).name}, what was delivered is recorded"
                   if self.interrupted is not None else "")
        if not self.notifications:
            if self.failed:
                return "nothing sent" + stopped
            return f"nothing changed since the last {self.command}: nothing sent"
        if self.dry_run:
            return f"dry run: {_count(self.notifications)} would be sent; nothing sent, state unchanged"
        delivered = len(self.outcomes) - len(self.failures)
        text = f"{delivered} of {_count(self.outcomes)} delivered in {self.seconds:.2f} s"
        if self.failures:
            text += f"; {len(self.failures)} failed and will be retried by the next `syndicate {self.command}`"
        return text + stopped

    def as_json(self) -> dict[str, object]:
        if self.dry_run:
            notifications = [{**notification_json(n), "request": request_json(n)} for n in self.notifications]
        else:
            notifications = [outcome.as_json() for outcome in self.outcomes]
        return {"dry_run": self.dry_run, "ok": not self.failed, "summary": self.summary,
                "interrupted": signal.Signals(self.interrupted).name if self.interrupted is not None else None,
                "endpoints": [{"kind": e.kind, "url": e.url} for e in self.endpoints],
                "notifications": notifications, "seconds": round(self.seconds, 3)}


def _count(items: tuple[object, ...]) -> str:
    return f"{len(items)} notification{'' if len(items) == 1 else 's'}"


def request_json(notification: Notification) -> dict[str, object]:
    """The first request as it would be sent; further steps (a fallback, an upload) under "then"."""
    def one(request: Request) -> dict[str, object]:
        data: dict[str, object] = {"method": request.method, "url": request.url,
                                   "content_type": request.content_type, "body": request.text}
        if request.headers:
            data["headers"] = dict(request.headers)
        if request.note:
            data["note"] = request.note
        return data
    if not notification.requests:
        return {"method": None, "note": "nothing is sent: " + notification.sent}
    first, *rest = notification.requests
    data = one(first)
    if rest:
        data["then"] = [one(request) for request in rest]
    return data
