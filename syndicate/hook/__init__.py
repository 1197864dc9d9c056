"""`syndicate hook`: the post-publish webhook as a small service of its own.

`POST /_hooks/publish`, authenticated as GitHub, GitLab, Gitea/Forgejo or a bearer token sign
their deliveries, runs the publish chain (`git pull --ff-only` when configured, then build →
deploy → ping), one run at a time; `GET /_hooks/status` shows the runs. Modules: `auth` (the
signatures), `deliveries` (replayed delivery ids), `runner` (one run at a time, its log), `app`."""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
