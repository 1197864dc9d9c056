"""The ASGI app: the output folder's files, the preview gallery, GET and HEAD only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from .http import Representation, output_path, respond, wants_feed_page
from .service import Service
from .watch import Live

ALLOWED_METHODS = ("GET", "HEAD")
PREVIEW = "/_preview/"
THUMBNAILS = "thumbnails/"  # /_preview/thumbnails/cards/<URL path>.jpg: a card at the index's size


class AllowedMethods:
    """405 with Allow for anything but GET and HEAD, before routing (RFC 9110 §15.5.6)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ALLOWED_METHODS:
            response = PlainTextResponse("Method Not Allowed\n", status_code=405,
                                         headers={"Allow": ", ".join(ALLOWED_METHODS)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def not_found() -> Response:
    return PlainTextResponse("Not Found\n", status_code=404)


def create_app(settings: Settings, out_dir: Path | str, live: Live | None = None, watch: bool = False,
               overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Starlette:
    """The service over `out_dir` (a built output folder) as an ASGI app; with `watch`, its
    lifespan rebuilds the output whenever the site's sources change (reading the settings again
    with `overrides`, the command line's, on top)."""
    live = live or Live(settings, Path(out_dir), watching=watch, overrides=overrides)
    service = Service(settings, Path(out_dir), live)
    live.service = service

    async def file_representation(rel: str) -> Representation | None:
        return service.cached(rel) or await run_in_threadpool(service.representation, rel)

    async def output_file(request: Request) -> Response:
        rel = output_path(request.scope.get("raw_path") or request.url.path.encode())
        if rel is None:
            return not_found()
        page = service.refresh().feed_pages.get(rel)
        if page is not None and wants_feed_page(request.headers.get("accept", "")):
            # A browser gets the feed's page at the feed's own address, so the address bar shows
            # what to copy into a reader; Content-Location names the page's own URL.
            representation = await file_representation(page)
            if representation is not None:
                return respond(request, representation, negotiated=True, content_location="/" + quote(page))
        representation = await file_representation(rel)
        return respond(request, representation, negotiated=page is not None) if representation else not_found()

    async def gallery(request: Request) -> Response:
        route, params = request.path_params["route"], dict(request.query_params)
        if route.startswith(THUMBNAILS):
            raw = request.scope.get("raw_path") or request.url.path.encode()
            rel = output_path(raw[len(PREVIEW + THUMBNAILS) - 1:])
            thumbnail = await run_in_threadpool(service.thumbnail, rel) if rel else None
            return respond(request, thumbnail) if thumbnail else not_found()
        page = await run_in_threadpool(service.gallery, route, params)
        if page is not None:
            return respond(request, page)
        if not route.endswith("/") and await run_in_threadpool(service.gallery, route + "/", {}) is not None:
            return RedirectResponse(PREVIEW + quote(route + "/"), status_code=308)
        return not_found()

    async def to_gallery(request: Request) -> Response:
        return RedirectResponse(PREVIEW, status_code=307)

    app = Starlette(routes=[Route("/", to_gallery), Route("/_preview", to_gallery),
                            Route(PREVIEW + "{route:path}", gallery), Route("/{path:path}", output_file)],
                    lifespan=live.lifespan if watch else None)
    app.state.service = service
    app.add_middleware(AllowedMethods)
    return app
