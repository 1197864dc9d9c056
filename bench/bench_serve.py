"""Serving: 200 concurrent clients doing conditional GETs of the feeds and cards on 127.0.0.1 for a
bounded time, `syndicate serve` against `python -m http.server` over the same output folder.

    python bench/run.py serve            # 10 s per server
    python bench/run.py --quick serve    # 3 s per server, a smaller site

The load generator is a separate process: `wrk` (Debian's package) when it is installed, else an
asyncio + httpx generator in this file (about 1,000 requests/s on one core: then it, not the
server, is the limit). Every client first learns each URL's validators (asking for gzip, as feed readers do), then loops sending
If-None-Match and If-Modified-Since as a feed reader or a crawler revisiting would. http.server
knows only If-Modified-Since; both answer 304 when nothing changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from common import CORPUS, OUT, python, syndicate
from generate_site import generate

CLIENTS = 200


@dataclass(frozen=True)
class LoadResult:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- the load generator (own process)

async def _load(base_url: str, paths: list[str], seconds: float, clients: int) -> dict:
    import httpx

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        validators: dict[str, dict[str, str]] = {}
        for path in paths:
            response = await client.get(path)
            validators[path] = {name: response.headers[source] for name, source in
                                (("If-None-Match", "etag"), ("If-Modified-Since", "last-modified"))
                                if source in response.headers}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    in_flight: dict[int, float] = {}

    async def one_client(number: int) -> None:
        # Each client its own connection, as 200 separate readers and crawlers would be (one
        # shared httpx pool of 200 connections spends more time choosing a connection than the
        # server spends answering).
        nonlocal errors
        order = random.Random(number)
        async with httpx.AsyncClient(base_url=base_url, timeout=30,
                                     limits=httpx.Limits(max_connections=1)) as client:
            while True:
                path = order.choice(paths)
                in_flight[number] = start = time.perf_counter()
                try:
                    response = await client.get(path, headers=validators[path])
                except httpx.HTTPError:
                    errors += 1
                    continue
                finally:
                    in_flight.pop(number, None)
                statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
                latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    tasks = [asyncio.create_task(one_client(n)) for n in range(clients)]
    await asyncio.sleep(seconds)
    ended = time.perf_counter()
    completed = len(latencies)
    # Requests still waiting when the time is up count with the time they have waited so far:
    # leaving them out would flatter a server that lets connections queue.
    latencies += [ended - start for start in in_flight.values()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies.sort()
    return {"requests": completed, "seconds": ended - began, "statuses": statuses, "errors": errors,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
            "p99_ms": 1000 * latencies[math.ceil(len(latencies) * 0.99) - 1] if latencies else 0.0}


WRK_SCRIPT = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
requests, n, not_modified, other = {}, 0, 0, 0
init = function(args)
  -- formatted here, not at load: wrk.host (for the Host header HTTP/1.1 requires) is known now
%s
end
request = function()
  n = n %% #requests + 1
  return requests[n]
end
response = function(status, headers, body)
  if status == 304 then not_modified = not_modified + 1 else other = other + 1 end
end
done = function(summary, latency, _)
  local e, c304, rest = summary.errors, 0, 0
  for _, thread in ipairs(threads) do
    c304 = c304 + thread:get("not_modified")
    rest = rest + thread:get("other")
  end
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, "errors": %%d, '
    .. '"statuses": {"304": %%d, "other": %%d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout, c304, rest))
end
"""


def validators_of(base_url: str, paths: list[str]) -> dict[str, dict[str, str]]:
    import httpx
    found = {}
    with httpx.Client(base_url=base_url, headers={"Accept-Encoding": "gzip"}) as client:
        for path in paths:
            headers = client.get(path).headers
            found[path] = {name: headers[source] for name, source in
                           (("If-None-Match", "etag"), ("If-Modified-Since", "last-modified")) if source in headers}
    return found


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base_url: str, paths: list[str], seconds: float) -> dict:
    lines = []
    for index, (path, headers) in enumerate(validators_of(base_url, paths).items(), start=1):
        table = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in {**headers}.items())
        lines.append(f'  requests[{index}] = wrk.format("GET", {lua_string(path)}, {{["Host"] = wrk.host, ["Accept-Encoding"] = "gzip", {table}}})')
    script = OUT / "serve" / "conditional.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(WRK_SCRIPT % "\n".join(lines), encoding="utf-8")
    done = subprocess.run(["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds:.0f}s", "--timeout", "30s",
                           "-s", str(script), base_url], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["statuses"] = {code: count for code, count in data["statuses"].items() if count}
    return data


def run_load(label: str, base_url: str, paths: list[str], seconds: float) -> LoadResult:
    if shutil.which("wrk"):
        data = run_wrk(base_url, paths, seconds)
    else:
        command = python(__file__, "--load", base_url, "--seconds", str(seconds), "--clients", str(CLIENTS), *paths)
        done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent, check=True)
        data = json.loads(done.stdout)
    return LoadResult(label, data["requests"], data["seconds"], data["p50_ms"], data["p99_ms"],
                      data["statuses"], data["errors"])


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def serving(command: list[str], probe: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    wait_until_up(probe, process)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and nothing else
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def targets(out: Path) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    feeds = ["/" + quote(f["path"]) for f in manifest["feeds"]]
    cards = ["/" + quote(p["card"]) for p in manifest["posts"] if p.get("card")]
    return feeds + cards


def site_for(quick: bool) -> tuple[str, Path]:
    if not quick and (CORPUS / "content" / "blog").is_dir():
        return "codefor.de corpus", CORPUS
    size = 30 if quick else 150
    site = OUT / f"site-serve-{size}"
    if not (site / "content" / "blog").is_dir():
        generate(size, site)
    return f"generated site ({size} posts)", site


def main(quick: bool) -> None:
    seconds = 3.0 if quick else 10.0
    label, site = site_for(quick)
    out = OUT / "serve" / site.name
    subprocess.run(syndicate("build", "--site", str(site), "--out", str(out)), check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    paths = targets(out)
    results = []
    port = free_port()
    ours = serving(syndicate("serve", "--site", str(site), "--out", str(out), "--port", str(port)),
                   f"http://127.0.0.1:{port}/manifest.json")
    try:
        results.append(run_load("syndicate serve (uvicorn)", f"http://127.0.0.1:{port}", paths, seconds))
    finally:
        stop(ours)
    port = free_port()
    peer = serving(python("-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(out)),
                   f"http://127.0.0.1:{port}/manifest.json")
    try:
        results.append(run_load("python -m http.server", f"http://127.0.0.1:{port}", paths, seconds))
    finally:
        stop(peer)

    generator = "wrk" if shutil.which("wrk") else "httpx (install wrk for figures not limited by the client)"
    print(f"\n## Conditional GETs, {CLIENTS} concurrent clients, {seconds:.0f} s each, {label}: "
          f"{len(paths)} URLs (feeds and cards); load from {generator}")
    print(f"{'server':28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}  statuses")
    for row in results:
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(row.statuses.items()))
        print(f"{row.label:28} {row.per_second:9.0f} {row.p50_ms:9.1f} {row.p99_ms:9.1f} {row.errors:7d}  {statuses}")
    if generator == "wrk":
        print("(wrk times a request from its first byte written: a reconnect is not counted, and "
              "http.server closes every connection, HTTP/1.0)")
    ours_row, peer_row = results
    if peer_row.per_second:
        print(f"throughput: {ours_row.per_second / peer_row.per_second:.2f}× http.server's")
    if ours_row.p99_ms:
        print(f"p99 latency: {peer_row.p99_ms / ours_row.p99_ms:.2f}× lower than http.server's")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", required=True, help="base URL to load")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args()
    print(json.dumps(asyncio.run(_load(options.load, options.paths, options.seconds, options.clients))))
