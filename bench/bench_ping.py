"""syndicate ping against slow and large targets on 127.0.0.1.

1. 50 endpoints (40 WebSub hubs, 9 XML-RPC services, 1 IndexNow) that each answer after 1 s:
   one run, against one-at-a-time delivery (a sequential httpx loop, measured on a subset).
2. 25,000 changed URLs to one IndexNow endpoint: split into requests of at most 10,000.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from common import OUT, Measurement, measure, print_table, ratio, syndicate

from syndicate.config import load_settings
from syndicate.ping import ping

BASE = "https://bench.example.org/"
KEY = "bench-key-0123456789"
DELAY = 1.0
XMLRPC_OK = xmlrpc.client.dumps(({"flerror": False, "message": "Thanks for the ping."},),
                                methodresponse=True).encode()


class SlowEndpoint:
    """A real HTTP server that answers every POST after `delay` seconds: 204 to a hub, 202 to an
    IndexNow submission (whose URLs it counts), an XML-RPC success on /RPC2."""

    def __init__(self, delay: float):
        self.requests = 0
        self.urls = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.requests += 1
                indexnow = self.headers.get("Content-Type", "").startswith("application/json")
                if indexnow:
                    endpoint.urls += len(json.loads(body)["urlList"])
                time.sleep(delay)
                reply = XMLRPC_OK if self.path == "/RPC2" else b""
                self.send_response(202 if indexnow else 200 if reply else 204)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def site(root: Path, posts: int, websub: list[str], xmlrpc: list[str], indexnow: str) -> Path:
    """A built site as `syndicate ping` sees it: settings and a manifest.json, nothing pinged yet."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "public").mkdir(parents=True)
    (root / "syndicate.toml").write_text(
        f'[site]\nbase_url = "{BASE}"\ntitle = "Bench"\n[ping]\nwebsub = {json.dumps(websub)}\n'
        f'xmlrpc = {json.dumps(xmlrpc)}\nindexnow = "{indexnow}"\nindexnow_key = "{KEY}"\n'
        'timeout = 10\ndeadline = 60\n', encoding="utf-8")
    manifest = {"site": {"base_url": BASE, "title": "Bench"},
                "feeds": [{"path": "feeds/atom.xml", "url": f"{BASE}feeds/atom.xml", "format": "atom",
                           "taxonomy": None, "term": None, "entries": 20, "sha256": "f" * 64}],
                "posts": [{"url": f"{BASE}blog/post-{n:05d}/", "sha256": f"{n:064x}",
                           "published": "2024-01-01T00:00:00+00:00"} for n in range(posts)]}
    (root / "public" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / "public" / f"{KEY}.txt").write_text(KEY, encoding="utf-8")
    return root


def sequential_seconds(urls: list[str]) -> float:
    """One-at-a-time delivery, as a plain loop of blocking httpx requests would do it."""
    started = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        for url in urls:
            client.post(url, content=b"hub.mode=publish", headers={"Content-Type": "application/x-www-form-urlencoded"})
    return time.perf_counter() - started


def fifty_slow_endpoints(quick: bool) -> None:
    endpoints = [SlowEndpoint(DELAY) for _ in range(50)]
    try:
        hubs = [e.url for e in endpoints[:40]]
        services = [e.url + "RPC2" for e in endpoints[40:49]]
        root = site(OUT / "ping-fifty", 10, hubs, services, endpoints[49].url)
        started = time.perf_counter()
        report = ping(load_settings(root))
        in_process = time.perf_counter() - started
        assert not report.failed and len(report.outcomes) == 50, report.summary
        shutil.rmtree(root / ".syndicate")
        cli = measure("syndicate ping (CLI, 50 endpoints, incl. start-up)", syndicate("ping", "--site", str(root)))
        subset = 3 if quick else 5
        sequential = sequential_seconds(hubs[:subset]) * 50 / subset
    finally:
        for endpoint in endpoints:
            endpoint.close()
    print_table(f"ping: 50 endpoints on 127.0.0.1, each answering after {DELAY:g} s", [
        Measurement("ping() in process, one run", in_process, 0.0, 0),
        cli,
        Measurement(f"one at a time (httpx loop on {subset}, × 50/{subset})", sequential, 0.0, 0),
    ])
    print("(peak MB is measured for child processes only)")
    print(f"aim: ≤ 1.5 s; theoretical one-at-a-time: 50 × {DELAY:g} s = {50 * DELAY:g} s")
    ratio("ping() against one-at-a-time", in_process, sequential)


def many_urls(quick: bool) -> None:
    engine = SlowEndpoint(0.0)
    try:
        root = site(OUT / "ping-indexnow", 25_000 - 1, [], [], engine.url)  # + 1 feed = 25,000 URLs
        started = time.perf_counter()
        report = ping(load_settings(root))
        seconds = time.perf_counter() - started
        assert not report.failed, report.summary
        shutil.rmtree(root / ".syndicate")
        cli = measure("syndicate ping (CLI, incl. start-up)", syndicate("ping", "--site", str(root)))
    finally:
        engine.close()
    print_table("ping: 25,000 changed URLs to one IndexNow endpoint", [
        Measurement("ping() in process, one run", seconds, 0.0, 0), cli])
    sizes = [len(o.notification.urls) for o in report.outcomes]
    print(f"requests: {len(sizes)} ({' + '.join(f'{n:,}' for n in sizes)} URLs); "
          f"the endpoint received {engine.urls // 2:,} URLs per run")


def main(quick: bool) -> None:
    fifty_slow_endpoints(quick)
    many_urls(quick)


if __name__ == "__main__":
    main(quick=False)
