"""`syndicate announce`: Webmention, Mastodon and Bluesky, on the same delivery machinery as
`syndicate ping` (`syndicate.delivery`).

Public API: `announce(settings, out_dir=None, dry_run=False) -> DeliveryReport` (and `announce_async`)."""

from .run import announce, announce_async

__all__ = ["announce", "announce_async"]
