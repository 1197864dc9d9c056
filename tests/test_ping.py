"""syndicate ping against real services on 127.0.0.1: a WebSub hub, an XML-RPC update service
(the standard library's xmlrpc.server) and an IndexNow endpoint, each answering as scripted."""

from __future__ import annotations

import json
import socket
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs
from xmlrpc.server import SimpleXMLRPCServer

import pytest
from conftest import run_cli, write_site
from loopback import Answer, Server

from syndicate import __version__
from syndicate.build import build
from syndicate.config import load_settings
from syndicate.delivery import DeliveryReport
from syndicate.delivery.transport import retry_after_seconds
from syndicate.ping import ping
from syndicate.site import load_site

BASE = "https://blog.example.org/"
KEY = "0123456789abcdef"
POSTS = {
    "2024-01-10-erster-post.md": """
        ---
        title: Erster Post
        topic: story
        ---
        Der erste Text.
        """,
    "2024-02-20-zweiter-post.md": """
        ---
        title: Zweiter Post
        topic: event
        ---
        Der zweite Text.
        """,
    "2024-03-30-dritter-post.md": """
        ---
        title: Dritter Post
        topic: story
        ---
        Der dritte Text.
        """,
}


# ---------------------------------------------------------------- real services on loopback

@dataclass
class Reply(Answer):
    """A scripted reply: 204 unless told otherwise."""
    status: int = 204


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("ascii"))

    def json(self) -> Any:
        return json.loads(self.body)


class Service(Server):
    """Scripted replies in turn (the last one repeats), each request received kept with its time."""

    def __init__(self, *replies: Reply):
        super().__init__()
        self.replies = list(replies) or [Reply()]
        self.requests: list[Received] = []

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.requests.append(Received(path, headers, body, time.monotonic()))
            return self.replies[min(len(self.requests), len(self.replies)) - 1]


class PingService:
    """A weblogUpdates service on the standard library's XML-RPC server."""

    def __init__(self, extended: bool = True, flerror: bool = False, message: str = "Thanks for the ping."):
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
        answer = {"flerror": flerror, "message": message}

        def handler(method: str):
            def called(*params: str) -> dict[str, Any]:
                self.calls.append((method, params))
                return answer
            return called

        if extended:  # without it, the server answers extendedPing with a fault, as old services do
            self.server.register_function(handler("weblogUpdates.extendedPing"), "weblogUpdates.extendedPing")
        self.server.register_function(handler("weblogUpdates.ping"), "weblogUpdates.ping")
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/RPC2"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services() -> Iterator[list]:
    """Every service a test starts, closed afterwards."""
    started: list = []
    yield started
    for service in started:
        service.close()


def refused_url() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------- a small real site

FEEDS = [
    {"path": "feeds/atom.xml", "url": f"{BASE}feeds/atom.xml", "format": "atom", "taxonomy": None,
     "term": None, "entries": 3, "sha256": "a" * 64},
    {"path": "feeds/topic/story/atom.xml", "url": f"{BASE}feeds/topic/story/atom.xml", "format": "atom",
     "taxonomy": "topic", "term": "story", "entries": 2, "sha256": "b" * 64},
    {"path": "feeds/atom/archive/1.xml", "url": f"{BASE}feeds/atom/archive/1.xml", "format": "atom",
     "taxonomy": None, "term": None, "entries": 20, "archive": 1, "sha256": "c" * 64},
]


def manifest_site(root: Path, feeds: list[dict[str, Any]], posts: list[dict[str, Any]] = (),
                  **ping_settings: Any) -> Path:
    """A site whose manifest.json is written by hand, for exact control over what changed."""
    (root / "public").mkdir(parents=True, exist_ok=True)
    (root / "syndicate.toml").write_text(f'[site]\nbase_url = "{BASE}"\ntitle = "Beispiel-Blog"\n'
                                         + ping_config(**ping_settings), encoding="utf-8")
    data = {"site": {"base_url": BASE, "title": "Beispiel-Blog"}, "feeds": feeds, "posts": list(posts)}
    (root / "public" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (root / "public" / f"{KEY}.txt").write_text(KEY, encoding="utf-8")
    return root


def ping_config(websub: list[str] = (), xmlrpc: list[str] = (), indexnow: str = "", key: str = KEY,
                timeout: float = 1.0, deadline: float = 5.0) -> str:
    lines = ["[ping]", f"websub = {json.dumps(list(websub))}", f"xmlrpc = {json.dumps(list(xmlrpc))}",
             f"timeout = {timeout}", f"deadline = {deadline}"]
    if indexnow:
        lines += [f"indexnow = {json.dumps(indexnow)}", f"indexnow_key = {json.dumps(key)}"]
    return "\n".join(lines) + "\n"


def make_site(root: Path, feeds: str = "", **ping_settings: Any) -> Path:
    config = (f'[site]\nbase_url = "{BASE}"\ntitle = "Beispiel-Blog"\n'
              f'[build]\ncards = false\n[feeds]\n{feeds}\n' + ping_config(**ping_settings))
    write_site(root, POSTS, config)
    rebuild(root)
    return root


def reconfigure(root: Path, **ping_settings: Any) -> None:
    config = (root / "syndicate.toml").read_text(encoding="utf-8")
    head = config[:config.index("[ping]")]
    (root / "syndicate.toml").write_text(head + ping_config(**ping_settings), encoding="utf-8")


def rebuild(root: Path) -> dict[str, Any]:
    result = build(load_site(root))
    return result.manifest


def run_ping(root: Path, dry_run: bool = False) -> DeliveryReport:
    return ping(load_settings(root), dry_run=dry_run)


def manifest(root: Path) -> dict[str, Any]:
    return json.loads((root / "public" / "manifest.json").read_text(encoding="utf-8"))


def announceable(root: Path) -> list[str]:
    data = manifest(root)
    return [p["url"] for p in data["posts"]] + [f["url"] for f in data["feeds"]]


def topics(feeds: list[dict[str, Any]]) -> list[str]:
    return [f["url"] for f in feeds if "/archive/" not in f["path"]]


def only(report: DeliveryReport):
    assert len(report.outcomes) == 1, report.outcomes
    return report.outcomes[0]


# ---------------------------------------------------------------- the three protocols

def test_first_run_announces_everything_once_to_every_kind_of_endpoint(tmp_path, services):
    hub, service, engine = Service(Reply(204)), PingService(), Service(Reply(202))
    services += [hub, service, engine]
    root = make_site(tmp_path, websub=[hub.url], xmlrpc=[service.url], indexnow=engine.url)

    report = run_ping(root)

    assert not report.failed, report.outcomes
    feeds = manifest(root)["feeds"]
    published = sorted((r.form()["hub.mode"], r.form()["hub.url"], r.form()["hub.topic"]) for r in hub.requests)
    assert published == sorted((["publish"], [url], [url]) for url in topics(feeds))
    assert all(r.headers["content-type"] == "application/x-www-form-urlencoded" for r in hub.requests)
    (submission,) = [r.json() for r in engine.requests]
    assert submission == {"host": "blog.example.org", "key": KEY, "keyLocation": f"{BASE}{KEY}.txt",
                          "urlList": announceable(root)}
    newest = f"{BASE}blog/dritter-post/"
    if feeds:
        rss = next(f["url"] for f in feeds if f["format"] == "rss" and f["taxonomy"] is None)
        assert service.calls == [("weblogUpdates.extendedPing", ("Beispiel-Blog", BASE, newest, rss))]
    else:
        assert service.calls == [("weblogUpdates.ping", ("Beispiel-Blog", BASE))]
    assert {r.headers["user-agent"] for r in hub.requests + engine.requests} <= {f"syndicate/{__version__} (+{BASE})"}


def test_a_second_run_without_changes_sends_nothing(tmp_path, services):
    hub, service, engine = Service(Reply(204)), PingService(), Service(Reply(200))
    services += [hub, service, engine]
    root = make_site(tmp_path, websub=[hub.url], xmlrpc=[service.url], indexnow=engine.url)
    run_ping(root)
    sent = (len(hub.requests), len(service.calls), len(engine.requests))

    rebuild(root)
    report = run_ping(root)

    assert report.notifications == () and not report.failed
    assert report.summary.startswith("nothing changed since the last ping")
    assert (len(hub.requests), len(service.calls), len(engine.requests)) == sent


def test_any_2xx_from_a_hub_is_success_and_archive_pages_are_not_published(tmp_path, services):
    google, superfeedr, chatty = Service(Reply(204)), Service(Reply(202)), Service(Reply(200, b"<html>ok</html>"))
    services += [google, superfeedr, chatty]
    root = manifest_site(tmp_path, FEEDS, websub=[google.url, superfeedr.url, chatty.url])
    report = run_ping(root)
    assert len(report.outcomes) == 3 * 2 and all(o.ok for o in report.outcomes)
    for hub in (google, superfeedr, chatty):
        assert sorted(r.form()["hub.topic"][0] for r in hub.requests) == [f"{BASE}feeds/atom.xml",
                                                                         f"{BASE}feeds/topic/story/atom.xml"]


def test_a_hub_that_refuses_is_reported_with_its_reason(tmp_path, services):
    hub = Service(Reply(400, b"hub.topic is not a valid URL"))
    services.append(hub)
    root = manifest_site(tmp_path, FEEDS[:1], websub=[hub.url])
    outcome = only(run_ping(root))
    assert not outcome.ok and outcome.status == 400
    assert outcome.message == "hub refused: 400 Bad Request: hub.topic is not a valid URL"


def test_xmlrpc_fault_for_extended_ping_falls_back_to_ping(tmp_path, services):
    service = PingService(extended=False)
    services.append(service)
    root = make_site(tmp_path, xmlrpc=[service.url])
    outcome = only(run_ping(root))
    assert outcome.ok, outcome
    assert service.calls == [("weblogUpdates.ping", ("Beispiel-Blog", BASE))]
    assert "Thanks for the ping." in outcome.message
    if manifest(root)["feeds"]:
        assert "extendedPing: fault" in outcome.message


def test_xmlrpc_flerror_true_is_a_failure_carrying_the_service_message(tmp_path, services):
    service = PingService(flerror=True, message="Ping rejected: site is blacklisted")
    services.append(service)
    root = make_site(tmp_path, xmlrpc=[service.url])
    outcome = only(run_ping(root))
    assert not outcome.ok
    assert "Ping rejected: site is blacklisted" in outcome.message
    assert len(service.calls) == 1  # a refusal is an answer: neither retried nor sent to the fallback


def test_xmlrpc_answer_without_flerror_or_in_html_is_a_failure(tmp_path, services):
    page = Service(Reply(200, b"<html><body>Welcome to our ping service</body></html>",
                         {"Content-Type": "text/html"}))
    fine_but_vague = Service(Reply(200, xmlrpc.client.dumps(({"message": "ok?"},), methodresponse=True).encode()))
    services += [page, fine_but_vague]
    root = make_site(tmp_path, xmlrpc=[page.url, fine_but_vague.url])
    report = run_ping(root)
    by_url = {o.notification.endpoint.url: o for o in report.outcomes}
    assert not by_url[page.url].ok and "not an XML-RPC answer" in by_url[page.url].message
    assert not by_url[fine_but_vague.url].ok and "no flerror" in by_url[fine_but_vague.url].message


def test_indexnow_403_and_422_are_failures_that_say_what_they_mean(tmp_path, services):
    engine = Service(Reply(403))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    outcome = only(run_ping(root))
    assert not outcome.ok and outcome.status == 403
    assert f"{BASE}{KEY}.txt must be reachable and hold the key" in outcome.message
    assert len(engine.requests) == 1  # a 4xx is not retried

    engine.replies = [Reply(422)]
    outcome = only(run_ping(root))
    assert not outcome.ok and outcome.status == 422
    assert "not on blog.example.org" in outcome.message


def test_indexnow_splits_submissions_at_ten_thousand_urls(tmp_path, services):
    engine = Service(Reply(200))
    services.append(engine)
    posts = [{"url": f"{BASE}blog/p{n}/", "sha256": f"{n:064x}"} for n in range(20_001)]
    root = manifest_site(tmp_path, [], posts, indexnow=engine.url)

    report = run_ping(root)

    assert not report.failed
    lists = sorted((r.json()["urlList"] for r in engine.requests), key=len, reverse=True)
    assert [len(urls) for urls in lists] == [10_000, 10_000, 1]
    assert sorted(url for urls in lists for url in urls) == sorted(p["url"] for p in posts)


def test_build_writes_the_indexnow_key_file_only_when_a_key_is_set(tmp_path, services):
    root = make_site(tmp_path / "with", indexnow="http://127.0.0.1:9/")
    assert (root / "public" / f"{KEY}.txt").read_text(encoding="utf-8") == KEY
    assert f"{KEY}.txt" in manifest(root)["files"]
    bare = make_site(tmp_path / "without")
    assert not list((bare / "public").glob("*.txt"))


# ---------------------------------------------------------------- failures, retries, time limits

def test_429_with_retry_after_is_retried_after_the_delay_the_service_asked_for(tmp_path, services):
    engine = Service(Reply(429, headers={"Retry-After": "1"}), Reply(202))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    outcome = only(run_ping(root))
    assert outcome.ok and outcome.attempts == 2
    first, second = engine.requests
    assert second.at - first.at >= 0.95


def test_retry_after_as_an_http_date_is_honoured():
    now = datetime(2024, 5, 31, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds("Fri, 31 May 2024 11:00:00 GMT", now) == 0
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("soon", now) is None


def test_retry_after_beyond_the_deadline_gives_up_at_once_and_retries_next_run(tmp_path, services):
    engine = Service(Reply(429, headers={"Retry-After": "3600"}))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url, deadline=3)
    outcome = only(run_ping(root))
    assert not outcome.ok and len(engine.requests) == 1
    assert "asked to retry after 3600 s, past the run's deadline" in outcome.message

    engine.replies = [Reply(200)]
    assert only(run_ping(root)).ok
    assert engine.requests[-1].json()["urlList"] == announceable(root)


def test_503_then_success_is_delivered_on_a_later_attempt(tmp_path, services):
    engine = Service(Reply(503), Reply(200))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    outcome = only(run_ping(root))
    assert outcome.ok and outcome.attempts == 2 and len(engine.requests) == 2


def test_other_4xx_are_not_retried(tmp_path, services):
    engine = Service(Reply(400))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    outcome = only(run_ping(root))
    assert not outcome.ok and outcome.attempts == 1 and "bad request" in outcome.message


def test_a_service_that_does_not_answer_is_cut_off_by_the_timeout(tmp_path, services):
    engine = Service(Reply(200, delay=3))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url, timeout=0.3, deadline=1.5)
    outcome = only(run_ping(root))
    assert not outcome.ok and "no answer within" in outcome.message
    assert outcome.attempts >= 2          # a timeout is worth another try …
    assert outcome.seconds < 1.5 + 0.6    # … within the run's deadline


def test_the_deadline_ends_the_run_and_records_the_unfinished_as_failed(tmp_path, services):
    slow, fast = Service(Reply(204, delay=4)), Service(Reply(204))
    services += [slow, fast]
    root = make_site(tmp_path, xmlrpc=[], websub=[fast.url], indexnow=slow.url, timeout=10, deadline=1)
    report = run_ping(root)
    by_kind = {o.notification.endpoint.kind: o for o in report.outcomes}
    assert not by_kind["indexnow"].ok and "deadline" in by_kind["indexnow"].message
    assert report.seconds < 1 + 1.0
    assert all(o.ok for o in report.outcomes if o.notification.endpoint.kind == "websub")
    assert report.failed


def test_connection_refused_is_reported_after_retries(tmp_path, services):
    root = make_site(tmp_path, indexnow=refused_url(), deadline=1.5)
    outcome = only(run_ping(root))
    assert not outcome.ok and "connection refused" in outcome.message and outcome.attempts >= 2


def test_an_answer_that_is_not_http_is_a_failure(tmp_path, services):
    engine = Service(Reply(raw=b"\x00\x01garbage, not HTTP at all\r\n\r\n"))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url, deadline=1.5)
    outcome = only(run_ping(root))
    assert not outcome.ok and "not valid HTTP" in outcome.message


def test_a_redirect_is_not_followed_and_names_the_new_location(tmp_path, services):
    engine = Service(Reply(301, headers={"Location": "https://elsewhere.example/indexnow"}))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    outcome = only(run_ping(root))
    assert not outcome.ok and "https://elsewhere.example/indexnow" in outcome.message
    assert len(engine.requests) == 1


# ---------------------------------------------------------------- the command line

def test_no_endpoints_configured_sends_nothing_and_says_so(tmp_path):
    root = make_site(tmp_path)
    result = run_cli("ping", "--site", str(root))
    assert result.returncode == 0, result.stderr
    assert "no [ping] endpoints configured" in result.stdout


def test_dry_run_prints_exactly_what_would_be_sent_and_changes_no_state(tmp_path, services):
    hub, engine = Service(), Service(Reply(200))
    services += [hub, engine]
    root = make_site(tmp_path, websub=[hub.url], indexnow=engine.url)
    state = root / ".syndicate" / "ping-state.json"

    result = run_cli("ping", "--site", str(root), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert hub.requests == [] and engine.requests == [] and not state.exists()
    assert f"POST {engine.url}" in result.stdout and '"keyLocation"' in result.stdout
    for url in announceable(root):
        assert url in result.stdout
    listed = json.loads(run_cli("ping", "--site", str(root), "--dry-run", "--json").stdout)
    (submission,) = [n for n in listed["notifications"] if n["kind"] == "indexnow"]
    assert json.loads(submission["request"]["body"])["urlList"] == announceable(root)

    run_ping(root)
    before = state.read_bytes()
    (root / "content" / "blog" / "2024-01-10-erster-post.md").write_text("---\ntitle: Neu\n---\nNeu.\n")
    rebuild(root)
    dry = json.loads(run_cli("ping", "--site", str(root), "--dry-run", "--json").stdout)
    assert state.read_bytes() == before
    (submission,) = [n for n in dry["notifications"] if n["kind"] == "indexnow"]
    assert f"{BASE}blog/erster-post/" in submission["urls"]


def test_exit_code_is_1_when_a_notification_failed_and_0_with_soft(tmp_path, services):
    engine = Service(Reply(403))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)

    failed = run_cli("ping", "--site", str(root))
    assert failed.returncode == 1
    assert "failed" in failed.stdout and "403" in failed.stdout
    soft = run_cli("ping", "--site", str(root), "--soft", "--json")
    assert soft.returncode == 0
    report = json.loads(soft.stdout)
    assert report["ok"] is False and report["notifications"][0]["status"] == 403


def test_the_table_never_cuts_a_url_when_not_on_a_terminal(tmp_path, services):
    hub = Service(Reply(204))
    services.append(hub)
    long_hub = hub.url.rstrip("/") + "/a-hub-path-long-enough-that-no-eighty-column-table-could-hold-it/"
    root = make_site(tmp_path, websub=[long_hub])
    result = run_cli("ping", "--site", str(root))  # stdout is a pipe: no terminal, no width
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"websub {long_hub}" in result.stdout
    for feed in ("feeds/atom.xml", "feeds/topic/story/atom.xml"):
        assert f"{BASE}{feed}" in result.stdout


def test_json_report_lists_each_notification_with_its_result(tmp_path, services):
    engine = Service(Reply(202))
    services.append(engine)
    root = make_site(tmp_path, indexnow=engine.url)
    result = run_cli("ping", "--site", str(root), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["diagnostics"] == []
    (entry,) = report["notifications"]
    assert entry["endpoint"] == engine.url and entry["kind"] == "indexnow"
    assert entry["status"] == 202 and entry["attempts"] == 1 and entry["ok"] is True
    assert entry["urls"] == announceable(root) and set(entry) >= {"sent", "message", "seconds"}


def test_a_missing_manifest_or_key_is_a_usage_error(tmp_path):
    root = write_site(tmp_path / "unbuilt", POSTS, f'[site]\nbase_url = "{BASE}"\n'
                      + ping_config(websub=["http://127.0.0.1:9/"]))
    result = run_cli("ping", "--site", str(root))
    assert result.returncode == 2 and "run `syndicate build` first" in result.stderr

    keyless = tmp_path / "keyless"
    write_site(keyless, POSTS, f'[site]\nbase_url = "{BASE}"\n[ping]\nindexnow = "http://127.0.0.1:9/"\n')
    result = run_cli("ping", "--site", str(keyless))
    assert result.returncode == 2 and "indexnow_key" in result.stderr
