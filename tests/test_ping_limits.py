"""Issue 10.3: an endpoint that answers with an endless body costs no more memory than the few KB
a ping answer needs (loopback servers that send 1 MiB chunks until the client hangs up)."""

from __future__ import annotations

import socket
import threading
import tracemalloc
from typing import Iterator

import pytest
from test_ping import make_site, run_ping

CHUNK = b"<" * (1 << 20)


class EndlessServer:
    """Answers every request with 200 and a body that never ends: chunked, or (`chunked=False`)
    without a length, until the connection is closed."""

    def __init__(self, chunked: bool, content_type: str = "text/xml"):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.chunked = chunked
        self.content_type = content_type
        self.sent = 0
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/RPC2"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        framing = b"Transfer-Encoding: chunked\r\n" if self.chunked else b"Connection: close\r\n"
        frame = (b"100000\r\n" + CHUNK + b"\r\n") if self.chunked else CHUNK
        with connection:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + self.content_type.encode()
                                   + b"\r\n" + framing + b"\r\n")
                while True:
                    connection.sendall(frame)
                    self.sent += len(frame)
            except OSError:
                return  # the client hung up, as it should

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def endless() -> Iterator[list[EndlessServer]]:
    servers: list[EndlessServer] = []
    yield servers
    for server in servers:
        server.close()


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "until-closed"])
def test_an_endless_answer_is_read_only_as_far_as_a_ping_answer_goes(tmp_path, endless, chunked):
    hub, service, engine = (EndlessServer(chunked, "text/html"), EndlessServer(chunked),
                            EndlessServer(chunked, "application/json"))
    endless += [hub, service, engine]
    root = make_site(tmp_path, websub=[hub.url], xmlrpc=[service.url], indexnow=engine.url,
                     timeout=2, deadline=4)

    tracemalloc.start()
    try:
        report = run_ping(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 12 * 2**20, f"peak {peak / 2**20:.0f} MiB while the endpoints sent {hub.sent + engine.sent:,} bytes"
    by_kind = {o.notification.endpoint.kind: o for o in report.outcomes}
    assert by_kind["websub"].ok and by_kind["indexnow"].ok  # 200 is their success; the body is no business of ours
    xmlrpc = by_kind["xmlrpc"]
    assert not xmlrpc.ok and "goes on past 16 KB" in xmlrpc.message and xmlrpc.attempts == 1
