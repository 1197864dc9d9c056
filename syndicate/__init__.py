"""syndicate: feeds, share cards and aggregator pings for Markdown blogs."""

__version__ = "0.1.0"
