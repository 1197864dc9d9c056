"""`syndicate announce`: Webmention, Mastodon and Bluesky, with `syndicate ping`'s machinery.

Public API: `announce(settings, out_dir=None, dry_run=False) -> PingReport` (and `announce_async`)."""

from .run import announce, announce_async

__all__ = ["announce", "announce_async"]
