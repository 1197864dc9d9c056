"""`syndicate serve` (and `syndicate hook`) under clients that hold connections open or send too
much: the real CLI on 127.0.0.1, real sockets, the limits of [serve] in syndicate.toml."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from conftest import REPO, run_cli, write_site

POSTS = {"2020-01-01-eins.md": "---\ntitle: Eins\n---\nErster Beitrag.\n"}
HEAD_START = b"GET /manifest.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LIMITS = "header_timeout = 1.0\nkeep_alive_timeout = 30\nmax_header_bytes = 4096\nmax_connections = 60"


@pytest.fixture(scope="module")
def port(tmp_path_factory) -> Iterator[int]:
    """One server for the module, with short limits."""
    with serving(tmp_path_factory.mktemp("serve"), LIMITS) as port:
        yield port


@contextmanager
def serving(tmp_path: Path, serve_settings: str, command: str = "serve", env: dict[str, str] | None = None,
            ready: str = "/manifest.json") -> Iterator[int]:
    site = write_site(tmp_path / "site", POSTS, config='[site]\nbase_url = "https://blog.example.org/"\n'
                      f'[build]\ncards = false\n[serve]\n{serve_settings}\n')
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "syndicate", command, "--site", str(site), "--state-dir",
                                str(tmp_path / "state"), "--port", str(port)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"syndicate {command} did not start: {process.stderr.read().decode()}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def slow_client(port: int, head: bytes = HEAD_START) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    if head:
        connection.sendall(head)
    return connection


def closed_by_server(connection: socket.socket) -> bytes | None:
    """What the server sent before closing, or None while the connection is still open."""
    connection.settimeout(0.01)
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def test_slow_header_clients_are_dropped_while_others_are_served(port):
    started = time.monotonic()
    slow = [slow_client(port) for _ in range(40)] + [slow_client(port, head=b"") for _ in range(10)]
    dropped: dict[int, float] = {}
    while len(dropped) < len(slow) and time.monotonic() - started < 6:
        for number, connection in enumerate(slow):
            if number in dropped:
                continue
            if number < 40:  # slowloris: one more header line now and then, never the blank line
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass
            answer = closed_by_server(connection)
            if answer is not None:
                dropped[number] = time.monotonic() - started
                if number < 40:
                    assert answer.startswith(b"HTTP/1.1 408 ")
        response = httpx.get(f"http://127.0.0.1:{port}/manifest.json", timeout=2)
        assert response.status_code == 200  # the others are served meanwhile
        time.sleep(0.1)
    assert len(dropped) == len(slow), f"{len(slow) - len(dropped)} slow clients still connected after 6 s"
    assert min(dropped.values()) >= 0.9  # the deadline, not some other limit, dropped them
    for connection in slow:
        connection.close()


def test_a_connection_that_trickles_its_next_request_after_a_response_is_dropped(port):
    connection = slow_client(port, HEAD_START + b"\r\n")
    assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")
    started = time.monotonic()
    while (answer := closed_by_server(connection)) is None and time.monotonic() - started < 5:
        connection.sendall(b"G")  # each byte would restart uvicorn's keep-alive timer
        time.sleep(0.2)
    assert answer is not None and 0.9 <= time.monotonic() - started < 5
    connection.close()


def test_a_head_growing_past_max_header_bytes_is_refused_at_once(port):
    with slow_client(port, HEAD_START + b"X-Big: " + b"a" * 5000) as connection:  # and more to come
        assert connection.recv(65536).startswith(b"HTTP/1.1 400 ")
    with slow_client(port, HEAD_START + b"X-Small: " + b"a" * 2000 + b"\r\n\r\n") as small:
        assert small.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_requests_beyond_max_connections_are_answered_503(port):
    held = [slow_client(port) for _ in range(60)]
    time.sleep(0.1)
    assert httpx.get(f"http://127.0.0.1:{port}/manifest.json", timeout=2).status_code == 503
    for connection in held:
        connection.close()
    time.sleep(0.3)
    assert httpx.get(f"http://127.0.0.1:{port}/manifest.json", timeout=2).status_code == 200


def test_the_webhook_service_keeps_the_same_limits(tmp_path):
    """`syndicate hook` faces the internet (behind a proxy at best): a slowloris client is dropped
    at [serve] header_timeout there too."""
    with serving(tmp_path, LIMITS, "hook", {"SYNDICATE_HOOK_SECRET": "s3cret"}, "/_hooks/status") as port:
        started = time.monotonic()
        connection = slow_client(port, b"POST /_hooks/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while (answer := closed_by_server(connection)) is None and time.monotonic() - started < 5:
            connection.sendall(b"X-Slow: 1\r\n")
            time.sleep(0.2)
        assert answer is not None and answer.startswith(b"HTTP/1.1 408 ")
        assert 0.9 <= time.monotonic() - started < 5
        connection.close()


@pytest.mark.parametrize("line, message", [
    ("header_timeout = 0", "[serve] header_timeout must be a positive number of seconds"),
    ('max_connections = "many"', "[serve] max_connections must be a whole number"),
    ("max_header_bytes = 100", "[serve] max_header_bytes must be at least 1024"),
])
def test_serve_limits_are_checked_when_settings_load(tmp_path, line, message):
    site = write_site(tmp_path / "site", POSTS, config=f'[site]\nbase_url = "https://blog.example.org/"\n'
                      f'[serve]\n{line}\n')
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 2
    assert f"syndicate.toml:4: error: {message}" in result.stderr
