"""Running the service: uvicorn over the app, until interrupted."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

import uvicorn

from ..config import Settings
from .app import create_app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, watch: bool = False,
          out_dir: Path | None = None, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Serve the (already built) output until interrupted; with `watch`, rebuild on changes."""
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    app = create_app(settings, out, watch=watch, overrides=overrides)
    threading.Thread(target=app.state.service.warm, name="gallery", daemon=True).start()
    # Quiet: the command has said where it serves; uvicorn speaks up only for warnings and errors
    # (a port in use), and a preview server logs no line per request.
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run()
