"""Shared by the server tests: a small site with photos, a real uvicorn server on 127.0.0.1 in a
thread, and raw HTTP requests that send a target exactly as written (clients normalise paths)."""

from __future__ import annotations

import io
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import uvicorn
from conftest import write_site
from PIL import Image

HUB = "https://hub.example.org/"
SITE_CONFIG = f"""
[site]
base_url = "https://blog.example.org/"
title = "Lab Notes"
language = "de-DE"
twitter = "@labnotes"

[feeds]
limit = 2

[ping]
websub = ["{HUB}", "https://second-hub.example.net/"]
"""
LONG_TITLE = ("Ein sehr langer Titel über Bürgerbeteiligung, offene Daten und Verwaltung, "
              "der auf keiner Plattform in eine Zeile passt")


def photo(color: tuple[int, int, int], size: tuple[int, int] = (1600, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def small_site(root: Path) -> Path:
    """Four posts: one with a photo and a description, one with a long title and no description,
    one whose photo is missing (a warning; its card falls back to the default image), and one whose
    slug is not ASCII."""
    return write_site(root, {
        "2024-03-01-feinstaub.md": """
            ---
            title: "Feinstaub messen"
            description: "Wie wir mit Sensoren die Luft in der Stadt messen."
            topic: ["projekt"]
            images:
              - imgname: feinstaub.jpg
                caption: Ein Sensor am Fenster
            ---
            Sensoren am Fenster.
            """,
        "2024-02-01-lang.md": f"""
            ---
            title: "{LONG_TITLE}"
            topic: ["story"]
            images:
              - imgname: rathaus.jpg
            ---
            Ein Text ohne Beschreibung im Kopf.
            """,
        "2024-01-01-ohne-bild.md": """
            ---
            title: "Ohne Bild"
            topic: ["story"]
            images:
              - imgname: fehlt.jpg
            ---
            Kein Bild.
            """,
        "2023-12-01-grüße-aus-der-stadt.md": """
            ---
            title: "Grüße aus der Stadt"
            description: "Ein Pfad mit Umlauten."
            ---
            Grüße.
            """,
    }, config=SITE_CONFIG, images={"feinstaub.jpg": photo((40, 90, 160)), "rathaus.jpg": photo((160, 60, 40)),
                                   "geoeffnet.jpg": photo((60, 140, 60))})


def retitle(post: Path, old: str, new: str) -> None:
    """Edit a post's title on disk, as an author would."""
    post.write_text(post.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@contextmanager
def running(app) -> Iterator[str]:
    """Serve `app` with uvicorn on an ephemeral port of 127.0.0.1; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def raw_request(base_url: str, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send the request line byte for byte; return the status and the whole response."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " + host.encode() +
                           b"\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response
