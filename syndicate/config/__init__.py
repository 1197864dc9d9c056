"""The settings: what they are (schema.py), and reading them (loading.py) from their layers
(layers.py: syndicate's own files, the environment, the command line; hugo.py: the Hugo config
mapped onto them), checked (checks.py), with the posts folders chosen (sections.py).

Public: `load_settings(root, overrides) -> Settings` and the settings' dataclasses."""

from .hugo import author_name
from .loading import load_settings
from .schema import (
                     AnnounceSettings,
                     BlueskySettings,
                     BuildSettings,
                     CardSettings,
                     ContentSettings,
                     DeploySettings,
                     FeedSettings,
                     HookSettings,
                     HugoSettings,
                     Language,
                     MastodonSettings,
                     PingSettings,
                     PublishSettings,
                     ServeSettings,
                     Settings,
                     SiteSettings,
)

__all__ = ["AnnounceSettings", "BlueskySettings", "BuildSettings", "CardSettings", "ContentSettings",
           "DeploySettings", "FeedSettings", "HookSettings", "HugoSettings", "Language", "MastodonSettings",
           "PingSettings", "PublishSettings", "ServeSettings", "Settings", "SiteSettings", "author_name", "load_settings"]
