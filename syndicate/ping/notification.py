"""What one run sends: endpoints, notifications (one HTTP request each, plus a fallback), outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["websub", "xmlrpc", "indexnow"]


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
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True)
class Notification:
    endpoint: Endpoint
    sent: str                                  # what is announced, for people
    request: Request
    deliveries: tuple[tuple[str, str], ...]    # (URL, sha256) recorded as delivered on success
    fallback: Request | None = None            # XML-RPC: weblogUpdates.ping after a fault
    key_location: str = ""                     # IndexNow: where the engine fetches the key

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(url for url, _ in self.deliveries)


@dataclass(frozen=True)
class Verdict:
    """A protocol's reading of the answer to a notification."""
    ok: bool
    message: str
    status: int | None = None
    fault: bool = False                        # XML-RPC: a fault, so the fallback may be tried


@dataclass(frozen=True)
class Outcome:
    notification: Notification
    ok: bool
    status: int | None
    message: str
    attempts: int
    seconds: float

    def as_json(self) -> dict[str, object]:
        return {**notification_json(self.notification), "ok": self.ok, "status": self.status,
                "message": self.message, "attempts": self.attempts, "seconds": round(self.seconds, 3)}


def notification_json(notification: Notification) -> dict[str, object]:
    return {"endpoint": notification.endpoint.url, "kind": notification.endpoint.kind,
            "sent": notification.sent, "urls": list(notification.urls)}
