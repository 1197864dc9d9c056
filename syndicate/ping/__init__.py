"""`syndicate ping`: tell WebSub hubs, XML-RPC update services and IndexNow what changed.

Public API: `ping(settings, out_dir=None, dry_run=False) -> DeliveryReport` (and `ping_async`).
Modules: the three protocols (`websub`, `weblogs`, `indexnow`), `plan` (what to send them),
`run` (the job); the machinery they run on is `syndicate.delivery`'s."""

from .run import ping, ping_async

__all__ = ["ping", "ping_async"]
