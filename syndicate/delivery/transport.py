"""One request, retried: a timeout per request, a deadline per run, backoff with jitter, Retry-After."""

from __future__ import annotations

import asyncio
import random
import socket
import time
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Iterator

import httpx

from .notification import Request, Verdict

MAX_ATTEMPTS = 5
BACKOFF_FIRST = 0.5   # seconds before the first retry, doubling after each further failure …
BACKOFF_CAP = 8.0     # … up to this


class Clock:
    """The run's deadline, as seconds remaining."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()


@dataclass
class Progress:
    """Attempts so far; mutable, so the run can still report them when the deadline cuts a delivery off."""
    attempts: int = 0


@dataclass(frozen=True)
class Exchange:
    """How one request ended after its retries: an HTTP answer (its status and headers, and at most
    `Request.limit` bytes of its body), or the problem that prevented one."""
    response: httpx.Response | None
    problem: str = ""          # no answer: connection refused, no answer within …, …
    retryable: bool = False
    note: str = ""             # why retrying stopped early
    body: bytes = b""          # the start of the answer's body, never more than the request's limit
    truncated: bool = False    # the answer went on past the limit (and was not read further)

    def annotate(self, message: str) -> str:
        return f"{message} ({self.note})" if self.note else message


class Sender:
    def __init__(self, client: httpx.AsyncClient, timeout: float, clock: Clock):
        self.client = client
        self.timeout = timeout
        self.clock = clock
        self.not_before: dict[str, float] = {}   # origin → monotonic time its rate limit resets

    async def send(self, request: Request, progress: Progress) -> Exchange:
        while True:
            progress.attempts += 1
            exchange, asked = await self._attempt(request)
            if not exchange.retryable or not request.retry:
                return exchange
            if progress.attempts >= MAX_ATTEMPTS:
                return replace(exchange, note=f"gave up after {progress.attempts} attempts")
            wait = asked if asked is not None else backoff(progress.attempts)
            if wait >= self.clock.remaining():
                why = (f"the service asked to retry after {wait:.0f} s, past the run's deadline"
                       if asked is not None else "no time left before the run's deadline to retry")
                return replace(exchange, note=why)
            await asyncio.sleep(wait)

    async def _attempt(self, request: Request) -> tuple[Exchange, float | None]:
        origin = _origin(request.url)
        rested = self.not_before.get(origin, 0.0) - time.monotonic()
        if rested > 0:  # the service said its allowance is used up until then
            if rested >= self.clock.remaining():
                return Exchange(None, f"not sent: the service's rate limit resets in {rested:.0f} s, "
                                "past the run's deadline", retryable=False), None
            await asyncio.sleep(rested)
        budget = min(self.timeout, self.clock.remaining())
        if budget <= 0:
            return Exchange(None, "not sent: the run's deadline had passed"), None
        try:
            # httpx's timeout bounds each phase (connect, each read); this bounds the whole request,
            # so a server that trickles bytes cannot hold the run.
            url, arguments = _pinned(request)
            async with asyncio.timeout(budget):
                async with self.client.stream(request.method, url, **arguments) as response:
                    body, truncated = await read_prefix(response, request.limit)
        except (TimeoutError, httpx.TimeoutException):
            limit = "the timeout" if budget >= self.timeout else "the run's deadline"
            return Exchange(None, f"no answer within {budget:.3g} s ({limit})", retryable=True), None
        except httpx.UnsupportedProtocol as exc:
            return Exchange(None, f"cannot send: {exc}"), None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return Exchange(None, transport_problem(exc), retryable=True), None
        self._note_rate_limit(origin, response.headers)
        # RFC 9110 §15.6 and RFC 6585 §4: server errors and 429 are worth another try; other 4xx are not.
        retryable = response.status_code == 429 or response.status_code >= 500
        asked = retry_after(response.headers) if retryable else None
        return Exchange(response, retryable=retryable, body=body, truncated=truncated), asked

    def _note_rate_limit(self, origin: str, headers: httpx.Headers) -> None:
        remaining = headers.get("RateLimit-Remaining") or headers.get("X-RateLimit-Remaining")
        if remaining is not None and remaining.strip() == "0":
            reset = rate_limit_reset(headers)
            if reset:
                self.not_before[origin] = time.monotonic() + reset


def _origin(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.scheme}://{parts.netloc.decode('ascii', 'replace')}"


def _pinned(request: Request) -> tuple[httpx.URL, dict[str, object]]:
    """The URL and arguments of a request, connecting to `request.connect` when it is set: the
    address that was checked is the one used (a second DNS answer could point elsewhere), while
    Host and TLS (SNI and the certificate check) still name the host."""
    url = httpx.URL(request.url)
    arguments: dict[str, object] = {"content": request.body or None, "headers": _headers(request)}
    if request.connect:
        arguments["headers"]["Host"] = url.netloc.decode("ascii")  # type: ignore[index]
        arguments["extensions"] = {"sni_hostname": url.host}
        url = url.copy_with(host=request.connect)
    return url, arguments


def _headers(request: Request) -> dict[str, str]:
    # identity: a compressed answer could grow a thousandfold past the limit while being decoded
    headers = {"Accept-Encoding": "identity"}
    if request.content_type:
        headers["Content-Type"] = request.content_type
    headers.update(request.headers)
    return headers


async def read_prefix(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of the body; the rest is never read (the connection is closed with the
    response), so an endless or huge answer costs no more memory than the limit."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return _decoded(b"".join(chunks)[:limit], response, limit), True
    return _decoded(b"".join(chunks), response, limit), False


def _decoded(raw: bytes, response: httpx.Response, limit: int) -> bytes:
    """A server that compresses although asked not to: inflate at most `limit` bytes of it."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return raw
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    try:
        return inflate.decompress(raw, limit)
    except zlib.error:
        return raw


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter, so that many sites deployed by one CI do not retry in step
    (the AWS Architecture Blog's "Exponential Backoff And Jitter")."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def retry_after(headers: httpx.Headers) -> float | None:
    """How long a 429 or 5xx asks to wait: Retry-After, else the rate-limit reset (Bluesky and
    Mastodon send that instead)."""
    asked = retry_after_seconds(headers.get("Retry-After"))
    return asked if asked is not None else rate_limit_reset(headers)


def rate_limit_reset(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """Seconds until a rate limit resets. `RateLimit-Reset` is delta seconds in the IETF draft
    (draft-ietf-httpapi-ratelimit-headers) and Unix time at Bluesky's PDS; Mastodon's
    `X-RateLimit-Reset` is an ISO 8601 time."""
    value = (headers.get("RateLimit-Reset") or headers.get("X-RateLimit-Reset") or "").strip()
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - now).total_seconds())
    if number > 1_000_000_000:  # a Unix time, not a delay
        return max(0.0, number - now.timestamp())
    return max(0.0, number)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def transport_problem(exc: httpx.TransportError | httpx.DecodingError) -> str:
    causes = list(_causes(exc))
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return "connection refused"
        if any(isinstance(cause, socket.gaierror) for cause in causes):
            return "host not found (check the URL)"
        return f"cannot connect: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the answer is not valid HTTP: {exc}"
    return f"connection failed: {exc or type(exc).__name__}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The chain under an httpx error: the operating system's error sits a few levels down."""
    seen: BaseException | None = exc
    for _ in range(10):  # a chain can, rarely, loop back on itself
        if seen is None:
            return
        yield seen
        seen = seen.__cause__ or seen.__context__


def status_line(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


def body_excerpt(body: bytes, limit: int = 160) -> str:
    """The start of an error page, on one line: services explain their refusals there."""
    text = " ".join(body[:4 * limit].decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def refused(exchange: Exchange, who: str) -> Verdict:
    """A failure verdict for an HTTP answer that is not success, with the service's own words."""
    response = exchange.response
    assert response is not None
    excerpt = body_excerpt(exchange.body)
    message = f"{who} refused: {status_line(response)}"
    if response.is_redirect:
        message += f": it moved to {response.headers.get('Location', '?')}; configure that URL instead"
    elif excerpt:
        message += f": {excerpt}"
    return Verdict(False, exchange.annotate(message), response.status_code)
