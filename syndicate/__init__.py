"""syndicate: feeds, share cards and aggregator pings for Markdown blogs."""

from ._version import __version__
from .build import BuildResult, build
from .config import Settings, load_settings
from .content import Post
from .diagnostics import Diagnostic, Diagnostics, SyndicateError
from .site import Site, load_site

__all__ = ["BuildResult", "Diagnostic", "Diagnostics", "Post", "Settings", "Site", "SyndicateError",
           "__version__", "build", "load_settings", "load_site"]
