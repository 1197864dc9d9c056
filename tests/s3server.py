"""S3-compatible servers on 127.0.0.1 for deploy and hook tests (and the deploy benchmark).

- OpenStack Swift with its s3api middleware (Debian's swift packages): a real object store, with
  S3 signatures, multipart uploads, headers and metadata kept on disk. Preferred.
- moto's standalone server (moto[server], a test extra): S3 where Swift is not installed, and
  CloudFront, which no object store here speaks.

MinIO, Garage and SeaweedFS are packaged neither by Debian 12 nor on PyPI or npm (only their
clients are), and Ceph's radosgw needs a whole cluster, so Swift is the one real store at hand."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SWIFT_PROXY = "/usr/bin/swift-proxy-server"
SWIFT_SERVERS = ("account", "container", "object")
SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
             b"<Message>Please reduce your request rate.</Message></Error>")


@dataclass
class S3Server:
    name: str
    endpoint: str
    access_key: str
    secret_key: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    stop_hook: object = None

    @property
    def environment(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self, service: str = "s3"):
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                                          response_checksum_validation="when_required"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)  # Swift's graceful stop takes seconds
                process.wait()
        if callable(self.stop_hook):
            self.stop_hook()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def swift_available() -> bool:
    return Path(SWIFT_PROXY).is_file() and shutil.which("swift-ring-builder") is not None


def start_swift(folder: Path) -> S3Server:
    """A one-node Swift: rings of one device, the three storage servers and a proxy with s3api."""
    etc, devices, logs = folder / "etc", folder / "srv", folder / "log"
    for path in (etc, devices / "d1", logs):
        path.mkdir(parents=True, exist_ok=True)
    (etc / "swift.conf").write_text("[swift-hash]\nswift_hash_path_suffix = syndicate\nswift_hash_path_prefix = tests\n"
                                    "[storage-policy:0]\nname = default\ndefault = yes\n")
    ports = {name: free_port() for name in (*SWIFT_SERVERS, "proxy")}
    for name in SWIFT_SERVERS:
        builder = str(etc / f"{name}.builder")
        for args in (["create", "4", "1", "1"], ["add", f"r1z1-127.0.0.1:{ports[name]}/d1", "1"], ["rebalance"]):
            subprocess.run(["swift-ring-builder", builder, *args], check=True, capture_output=True)
        (etc / f"{name}-server.conf").write_text(textwrap.dedent(f"""\
            [DEFAULT]
            bind_ip = 127.0.0.1
            bind_port = {ports[name]}
            devices = {devices}
            mount_check = false
            swift_dir = {etc}
            workers = 0
            [pipeline:main]
            pipeline = {name}-server
            [app:{name}-server]
            use = egg:swift#{name}
            """))
    # tempauth needs a cache filter; with no memcached listening it keeps tokens nowhere, which S3
    # signatures (checked on every request) do not need.
    filters = {"catch_errors": "", "gatekeeper": "", "proxy-logging": "", "cache": "memcache_servers = 127.0.0.1:1",
               "listing_formats": "", "bulk": "", "s3api": "location = us-east-1",
               "tempauth": "user_test_tester = testing .admin", "copy": "", "slo": "", "dlo": ""}
    pipeline = " ".join([*filters, "proxy-logging", "proxy-server"])
    sections = "".join(f"[filter:{name}]\nuse = egg:swift#{'memcache' if name == 'cache' else name.replace('-', '_')}\n"
                       f"{extra}\n" for name, extra in filters.items())
    (etc / "proxy-server.conf").write_text(
        f"[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = {ports['proxy']}\nswift_dir = {etc}\nworkers = 0\n"
        f"[pipeline:main]\npipeline = {pipeline}\n[app:proxy-server]\nuse = egg:swift#proxy\n"
        f"account_autocreate = true\n{sections}")
    processes = [subprocess.Popen([f"/usr/bin/swift-{name}-server", str(etc / f"{name}-server.conf")],
                                  stdout=open(logs / f"{name}.log", "wb"), stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
                 for name in (*SWIFT_SERVERS, "proxy")]
    server = S3Server("OpenStack Swift (s3api)", f"http://127.0.0.1:{ports['proxy']}", "test:tester", "testing",
                      processes)
    _wait_until_up(server, f"{server.endpoint}/info", folder)
    return server


def start_moto() -> S3Server:
    from moto.server import ThreadedMotoServer

    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    server = S3Server("moto (standalone server)", f"http://127.0.0.1:{port}", "testing", "testing")
    server.stop_hook = moto.stop
    _wait_until_up(server, f"{server.endpoint}/moto-api/", None)
    return server


def _wait_until_up(server: S3Server, url: str, folder: Path | None, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                # The storage servers come up beside the proxy: wait until a bucket can be made.
                server.client().list_buckets()
                return
        except Exception:  # noqa: BLE001 - anything but an answer means "not yet"
            pass
        if any(p.poll() is not None for p in server.processes):
            break
        time.sleep(0.1)
    exits_before = [p.poll() for p in server.processes]
    server.stop()
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in (folder / "log").glob("*.log")) if folder else ""
    exits = list(zip([p.args[0] for p in server.processes], exits_before))
    raise RuntimeError(f"{server.name} did not start on {server.endpoint} (processes: {exits})\n{logs}")


def start_s3(folder: Path) -> S3Server:
    """Swift where installed (SYNDICATE_TEST_S3=moto forces moto), else moto."""
    if os.environ.get("SYNDICATE_TEST_S3") != "moto" and swift_available():
        return start_swift(folder)
    return start_moto()


class InterposedProxy:
    """An HTTP proxy between a client and the S3 server that decides, request by request, to pass
    it on, answer 503 SlowDown (throttling, which clients must retry), or kill the client's process
    before the request reaches the store: deterministic failure points instead of timing."""

    def __init__(self, upstream: str):
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        self.requests: list[tuple[str, str]] = []          # (method, path), in arrival order
        self.decide = lambda method, path, number: "pass"   # → "pass", "throttle" or "kill"
        self.victim: int | None = None                      # the pid "kill" kills
        self._lock = threading.Lock()
        host = urlsplit(upstream).netloc
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy._lock:
                    proxy.requests.append((self.command, self.path))
                    action = proxy.decide(self.command, self.path, len(proxy.requests))
                if action == "kill" and proxy.victim is not None:
                    os.kill(proxy.victim, signal.SIGKILL)
                    self.close_connection = True
                    return
                if action == "throttle":
                    self._reply(503, "Service Unavailable", [("Content-Type", "application/xml")], SLOW_DOWN)
                    return
                connection = http.client.HTTPConnection(host, timeout=60)
                connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                answer = connection.getresponse()
                headers = [(name, value) for name, value in answer.getheaders()
                           if name.lower() not in ("transfer-encoding", "connection", "content-length")]
                self._reply(answer.status, answer.reason, headers, answer.read())
                connection.close()

            def _reply(self, status: int, reason: str, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status, reason)
                for name, value in [*headers, ("Content-Length", str(len(data)))]:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
