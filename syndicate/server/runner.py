"""Running the service: uvicorn over the app, until interrupted, within the [serve] limits
(limits.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

import uvicorn

from ..config import Settings
from .app import create_app
from .limits import uvicorn_config


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, watch: bool = False,
          out_dir: Path | None = None, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Serve the (already built) output until interrupted; with `watch`, rebuild on changes."""
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    app = create_app(settings, out, watch=watch, overrides=overrides)
    threading.Thread(target=app.state.service.warm, name="gallery", daemon=True).start()
    uvicorn.Server(uvicorn_config(app, settings.serve, host, port)).run()
