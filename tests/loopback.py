"""A scripted HTTP service on 127.0.0.1 for the delivery tests (ping, announce): a
ThreadingHTTPServer whose `handle(method, path, headers, body) -> Answer` is the service, every
request logged."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conftest import serve_in_thread, server_url


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False            # close the connection without answering (the answer is "lost")
    delay: float = 0.0            # seconds before answering
    raw: bytes | None = None      # bytes written instead of an HTTP response


def json_answer(status: int, data: Any, **headers: str) -> Answer:
    return Answer(status, json.dumps(data).encode(), {"Content-Type": "application/json; charset=utf-8", **headers})


class Server:
    def __init__(self) -> None:
        self.log: list[tuple[str, str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server.lock:
                    server.log.append((self.command, self.path, headers, body))
                answer = server.handle(self.command, self.path, headers, body)
                time.sleep(answer.delay)
                if answer.drop or answer.raw is not None:
                    self.close_connection = True
                try:
                    if answer.raw is not None:
                        self.wfile.write(answer.raw)
                    if answer.drop or answer.raw is not None:
                        return
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client gave up waiting, as it should

            do_GET = do_POST = do_PUT = do_PURGE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Handler))

    @property
    def url(self) -> str:
        return server_url(self.server)

    def calls(self, method: str, path_start: str = "") -> list[tuple[str, str, dict[str, str], bytes]]:
        """The requests made with `method` to paths that start with `path_start`, in order."""
        return [entry for entry in self.log if entry[0] == method and entry[1].startswith(path_start)]

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
