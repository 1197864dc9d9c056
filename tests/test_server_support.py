"""Shared by the server tests: a small site with photos, a real uvicorn server on 127.0.0.1 in a
thread, and raw HTTP requests that send a target exactly as written (clients normalise paths)."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn
from conftest import CORPUS, run_cli, write_site
from PIL import Image

from syndicate.config import load_settings
from syndicate.server import create_app

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


@contextmanager
def built_and_served(site: Path, out: Path, state: Path | None = None, *flags: str) -> Iterator[tuple[str, dict]]:
    """`site` built with the real CLI into `out` (with `state` as its state folder), then served on
    127.0.0.1; yields the base URL and the manifest."""
    state_flags = ("--state-dir", str(state)) if state else ()
    result = run_cli("build", "--site", str(site), "--out", str(out), *state_flags, *flags)
    assert result.returncode in (0, 1), result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    settings = load_settings(site, {"build": {"state_dir": str(state)}} if state else None)
    with running(create_app(settings, out)) as base_url:
        yield base_url, manifest


def corpus_served(tmp_path_factory) -> AbstractContextManager[tuple[str, dict]]:
    """The whole codefor.de corpus, built without cards (they take a minute and change no
    warning: fallback images come from the manifest's card_background), served."""
    if not (CORPUS / "content" / "blog").is_dir():
        pytest.skip("the real corpus (../shared/corpus/codefor.de) is not present")
    return built_and_served(CORPUS, tmp_path_factory.mktemp("corpus-out"), tmp_path_factory.mktemp("corpus-state"),
                            "--no-cards")


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
