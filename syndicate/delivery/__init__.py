"""The machinery of every command that tells other services about the build (`syndicate ping`,
`syndicate announce`), and the HTTP helpers `syndicate deploy`'s purges share: what one run sends
(`notification`: endpoints, requests, outcomes), what the build made (`built`, from manifest.json),
sending with retries within a deadline (`transport`), what each endpoint already has (`state`,
written after every success under a lock), one run (`run`), and its report (`report`, `console`).

The commands add only their protocols and their plan: `syndicate.ping`, `syndicate.announce`."""

from .notification import Endpoint, Notification, Outcome, Request
from .report import DeliveryReport

__all__ = ["DeliveryReport", "Endpoint", "Notification", "Outcome", "Request"]
