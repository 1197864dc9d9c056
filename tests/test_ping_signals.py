"""Issue 10.4: an interrupted `syndicate ping` keeps every success. A real process, real signals,
real services on 127.0.0.1: what was delivered is recorded as it happens and never sent again;
what was not is sent by the next run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO
from test_ping import Reply, Service, announceable, make_site, manifest, run_ping, services  # noqa: F401

STATE = ".syndicate/ping-state.json"


def wait_for(condition, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def delivered_to(root, endpoint_key: str) -> dict[str, str]:
    try:
        state = json.loads((root / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state["delivered"].get(endpoint_key, {})


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_keeps_every_success_and_forgets_nothing_undelivered(tmp_path, services, signum, code):
    hub, engine = Service(Reply(204)), Service(Reply(200, delay=30))   # the engine hangs: in flight at the signal
    services += [hub, engine]
    root = make_site(tmp_path, websub=[hub.url], indexnow=engine.url, timeout=60, deadline=120)
    topics = [f["url"] for f in manifest(root)["feeds"] if f["archive"] is None]

    run = subprocess.Popen([sys.executable, "-m", "syndicate", "ping", "--site", str(root), "--json"], cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Every success is on disk while the run is still going (and the engine still has the request).
        wait_for(lambda: len(delivered_to(root, f"websub {hub.url}")) == len(topics) and engine.requests)
        assert run.poll() is None
        run.send_signal(signum)
        out, err = run.communicate(timeout=20)
    finally:
        run.kill()
        run.wait()

    assert run.returncode == code, err
    report = json.loads(out)
    assert report["interrupted"] == signal.Signals(signum).name and report["ok"] is False
    (unfinished,) = [n for n in report["notifications"] if n["kind"] == "indexnow"]
    assert not unfinished["ok"] and "interrupted by" in unfinished["message"]
    assert sorted(delivered_to(root, f"websub {hub.url}")) == sorted(topics)
    assert delivered_to(root, f"indexnow {engine.url}") == {}
    assert not [p for p in (root / ".syndicate").iterdir() if "tmp-syndicate" in p.name]

    # The next run: nothing delivered is sent twice, nothing undelivered is forgotten.
    hub_seen, engine.replies = len(hub.requests), [Reply(200)]
    report = run_ping(root)
    assert not report.failed, report.outcomes
    assert len(hub.requests) == hub_seen == len(topics)
    assert engine.requests[-1].json()["urlList"] == announceable(root)
    assert not run_ping(root).notifications
