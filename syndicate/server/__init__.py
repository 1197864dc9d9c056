"""The HTTP service over the output folder: feeds and cards for readers and crawlers, exactly per
HTTP (RFC 9110 / 9111), cards rendered on demand, and the preview gallery at /_preview/.

Modules: `http` (the HTTP rules), `service` (what is served, from the manifest), `app` (the ASGI
app), `runner` (uvicorn), `preview` (the gallery), `watch` (rebuilds under --watch)."""

from .app import create_app
from .runner import serve

__all__ = ["create_app", "serve"]
