"""uvicorn within limits for clients that hold connections open or send too much ([serve]
settings), for every HTTP service syndicate runs (`serve`, `hook`)."""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..config import ServeSettings

REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def uvicorn_config(app: Any, limits: ServeSettings, host: str = "127.0.0.1", port: int = 8000,
                   access_log: bool = False) -> uvicorn.Config:
    # Quiet: the command has said where it serves; uvicorn speaks up only for warnings and errors
    # (a port in use), and logs a line per request only where asked (the webhook's few deliveries).
    return uvicorn.Config(
        app, host=host, port=port, log_level="info" if access_log else "warning", access_log=access_log,
        server_header=False,
        http=header_deadline_protocol(limits.header_timeout),
        timeout_keep_alive=limits.keep_alive_timeout,  # type: ignore[arg-type]  # a float works (call_later)
        limit_concurrency=limits.max_connections,  # connections or requests beyond it are answered 503
        h11_max_incomplete_event_size=limits.max_header_bytes)  # an unfinished head beyond it: 400


def header_deadline_protocol(seconds: float) -> type[H11Protocol]:
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout": seconds})


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head. uvicorn has none: its
    keep-alive timer starts only after a response and any byte cancels it, so a client that sends
    its headers a byte at a time (slowloris) would hold a connection, and a file descriptor, for
    ever. The deadline runs from the connection, or from the previous response, until a whole
    head has arrived, whatever trickles in meanwhile; then 408 (RFC 9110 §15.5.9) and close."""

    header_timeout = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._answering():
            self._cancel_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self._answering():  # a pipelined request may already be under way
            self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _answering(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _start_deadline(self) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._answering() or self.transport.is_closing():
            return
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:  # part of a head arrived
            self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()
