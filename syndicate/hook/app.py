"""The webhook's HTTP side (Starlette): `POST /_hooks/publish` and `GET /_hooks/status`.

Nothing is done for a request that is not authenticated: no delivery id recorded, no run, no log."""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..config import Settings
from ..diagnostics import Diagnostic, Level, SyndicateError
from ..publish import PULL, STEPS, Context
from .auth import Refusal, authenticate, bearer_ok
from .deliveries import Deliveries
from .runner import Runner


class TooLarge(Exception):
    pass


def secret_of(settings: Settings) -> bytes:
    secret = os.environ.get(settings.hook.secret_env, "")
    if not secret:
        raise SyndicateError(Diagnostic("settings", None, Level.ERROR,
                                        f"the webhook's secret is not set: put it in the environment variable "
                                        f"{settings.hook.secret_env} (the one given to GitHub, GitLab or Gitea)"))
    return secret.encode()


def create_app(settings: Settings, overrides: dict[str, Any] | None = None) -> Starlette:
    """The webhook app for the site of `settings`; `overrides` are passed on to every run's settings."""
    secret = secret_of(settings)
    steps = (PULL, *STEPS) if settings.hook.pull else STEPS
    runner = Runner(lambda: Context(settings.root, overrides or {}), steps, settings.state_dir)
    deliveries = Deliveries(settings.state_dir)
    limit = settings.hook.max_body

    async def publish(request: Request) -> JSONResponse:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return JSONResponse({"error": f"body larger than {limit} bytes"}, status_code=413)
        try:
            body = await _read(request, limit)
        except TooLarge:
            return JSONResponse({"error": f"body larger than {limit} bytes"}, status_code=413)
        sender = authenticate(request.headers, body, secret)
        if isinstance(sender, Refusal):
            headers = {"WWW-Authenticate": 'Bearer realm="syndicate hook"'} if sender.status == 401 else None
            return JSONResponse({"error": sender.reason}, status_code=sender.status, headers=headers)
        if request.headers.get("x-github-event") == "ping":
            return JSONResponse({"status": "pong"})  # GitHub's test delivery when a hook is created
        if sender.delivery and not deliveries.first_time(f"{sender.scheme} {sender.delivery}"):
            return JSONResponse({"status": "duplicate", "delivery": sender.delivery})
        outcome = runner.request(f"{sender.scheme} {sender.delivery or ''}".strip())
        return JSONResponse({"status": outcome, "delivery": sender.delivery}, status_code=202)

    async def status(request: Request) -> JSONResponse:
        if not bearer_ok(request.headers, secret):
            return JSONResponse({"error": "send Authorization: Bearer <the hook secret>"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="syndicate hook"'})
        return JSONResponse(runner.status(), headers={"Cache-Control": "no-store"})

    app = Starlette(routes=[Route("/_hooks/publish", publish, methods=["POST"]),
                            Route("/_hooks/status", status, methods=["GET"])])
    app.state.runner = runner
    return app


async def _read(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8001,
          overrides: dict[str, Any] | None = None) -> None:
    """Serve the webhook until interrupted, within the same [serve] limits as `syndicate serve`
    (a header deadline against slow clients, connection and head-size caps)."""
    import uvicorn

    from ..server.limits import uvicorn_config

    app = create_app(settings, overrides)
    uvicorn.Server(uvicorn_config(app, settings.serve, host, port, access_log=True)).run()
