"""What one run sends: endpoints, notifications (one or more HTTP requests each), outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

Kind = str  # "websub", "xmlrpc", "indexnow"; announce adds "webmention", "mastodon", "bluesky"

# A ping answer is a status line and a message: a few KB hold any hub's or service's words, and
# reading no more keeps an endpoint that sends an endless body from filling the memory (issue 10).
ANSWER_LIMIT = 16 * 1024


@dataclass(frozen=True)
class Endpoint:
    kind: Kind
    url: str

    @property
    def key(self) -> str:
        """The endpoint's name in the state file: the same URL may serve two protocols."""
        return f"{self.kind} {self.url}"


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    content_type: str = ""
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()   # besides Content-Type; secrets already masked in a dry run
    limit: int = ANSWER_LIMIT                    # bytes of the answer read at most; the rest is never read
    note: str = ""                               # when it is sent, for people: "# if …:"
    connect: str = ""                            # the address to connect to, checked beforehand (no DNS again)
    retry: bool = True                           # False: a second attempt could act twice (it is not idempotent)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Notification:
    endpoint: Endpoint
    sent: str                                  # what is announced, for people
    requests: tuple[Request, ...]              # what it sends, in order (a fallback or later steps too)
    deliveries: tuple[tuple[str, str], ...]    # (state key, sha256) recorded as delivered on success
    forgets: tuple[str, ...] = ()              # state keys dropped on success: removals announced

    @property
    def request(self) -> Request:
        return self.requests[0]

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(url for url, _ in self.deliveries) + self.forgets


@dataclass(frozen=True)
class Verdict:
    """A protocol's reading of the answer to a notification."""
    ok: bool
    message: str
    status: int | None = None
    fault: bool = False                        # XML-RPC: a fault, so the fallback may be tried
    receipt: Mapping[str, str] | None = None   # what to keep with the delivery: a Location, a status id


@dataclass(frozen=True)
class Outcome:
    notification: Notification
    ok: bool
    status: int | None
    message: str
    attempts: int
    seconds: float
    receipt: Mapping[str, str] | None = None

    def as_json(self) -> dict[str, object]:
        data = {**notification_json(self.notification), "ok": self.ok, "status": self.status,
                "message": self.message, "attempts": self.attempts, "seconds": round(self.seconds, 3)}
        if self.receipt:
            data["receipt"] = dict(self.receipt)
        return data


def notification_json(notification: Notification) -> dict[str, object]:
    return {"endpoint": notification.endpoint.url, "kind": notification.endpoint.kind,
            "sent": notification.sent, "urls": list(notification.urls)}
