"""`syndicate ping`: tell WebSub hubs, XML-RPC update services and IndexNow what changed.

Public API: `ping(settings, out_dir=None, dry_run=False) -> PingReport` (and `ping_async`)."""

from .notification import Endpoint, Kind, Notification, Outcome, Request
from .report import PingReport
from .run import ping, ping_async

__all__ = ["Endpoint", "Kind", "Notification", "Outcome", "PingReport", "Request", "ping", "ping_async"]
