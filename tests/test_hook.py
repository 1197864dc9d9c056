"""syndicate hook over real HTTP on 127.0.0.1: real signatures, a real git repository as the site
(a bare remote and the server's checkout), and the S3 server the deploy tests use."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
from test_deploy import make_site, post, remote
from test_server_support import running

from syndicate.config import load_settings
from syndicate.hook import create_app
from syndicate.output import MANIFEST

SECRET = "It's a Secret to Everybody"
GIT = ["git", "-c", "user.name=Author", "-c", "user.email=author@example.org", "-c", "init.defaultBranch=main"]


def git(folder: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path, s3_server, s3_bucket, monkeypatch):
    """The author's clone, the bare remote and the server's checkout of one site."""
    author = make_site(tmp_path / "author", s3_bucket, s3_server, "\n[hook]\npull = true\n")
    (author / ".gitignore").write_text("public/\nstate/\n")
    subprocess.run([*GIT, "init", "-q", str(author)], check=True)
    git(author, "add", "-A")
    git(author, "commit", "-qm", "first posts")
    subprocess.run([*GIT, "clone", "-q", "--bare", str(author), str(tmp_path / "remote.git")], check=True)
    git(author, "remote", "add", "origin", str(tmp_path / "remote.git"))
    git(author, "fetch", "-q", "origin")
    git(author, "branch", "-q", "--set-upstream-to=origin/main")
    subprocess.run([*GIT, "clone", "-q", str(tmp_path / "remote.git"), str(tmp_path / "checkout")], check=True)
    monkeypatch.setenv("SYNDICATE_HOOK_SECRET", SECRET)
    return author, tmp_path / "checkout"


@pytest.fixture
def hook(repository):
    with running(create_app(load_settings(repository[1]))) as base_url:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            yield client


def github(body: bytes, delivery: str | None = None) -> dict[str, str]:
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={signature}", "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()), "Content-Type": "application/json"}


def gitea(body: bytes) -> dict[str, str]:
    return {"X-Gitea-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
            "X-Gitea-Delivery": str(uuid.uuid4())}


def status(client: httpx.Client) -> dict:
    answer = client.get("/_hooks/status", headers={"Authorization": f"Bearer {SECRET}"})
    assert answer.status_code == 200
    return answer.json()


def settled(client: httpx.Client, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = status(client)
        if state["running"] is None and state["queued"] is None:
            return state
        time.sleep(0.1)
    raise AssertionError(f"the hook's runs did not finish: {state}")


def steps(run: dict) -> dict[str, str]:
    return {step["step"]: step["status"] for step in run["steps"]}


def push_post(author: Path, name: str, title: str) -> None:
    (author / "content/blog" / name).write_text(post(title), encoding="utf-8")
    git(author, "add", "-A")
    git(author, "commit", "-qm", f"add {title}")
    git(author, "push", "-q", "origin", "main")


def test_requests_without_the_secret_are_refused_and_do_nothing(hook, repository):
    body = b'{"ref": "refs/heads/main"}'
    forged = hmac.new(b"wrong secret", body, hashlib.sha256).hexdigest()
    refusals = [
        (hook.post("/_hooks/publish", content=body), 401),
        (hook.post("/_hooks/publish", content=body, headers={"X-Hub-Signature-256": f"sha256={forged}"}), 403),
        (hook.post("/_hooks/publish", content=body + b" ", headers=github(body)), 403),  # body altered
        (hook.post("/_hooks/publish", content=body, headers={"X-Gitea-Signature": forged}), 403),
        (hook.post("/_hooks/publish", content=body, headers={"X-Gitlab-Token": SECRET + "x"}), 403),
        (hook.post("/_hooks/publish", content=body, headers={"Authorization": "Bearer guess"}), 403),
        (hook.post("/_hooks/publish", content=b"x" * 5_000_001, headers=github(b"x" * 5_000_001)), 413),
        (hook.get("/_hooks/status"), 401),
        (hook.get("/_hooks/status", headers={"Authorization": "Bearer guess"}), 401),
        (hook.get("/_hooks/publish"), 405),
    ]
    assert [answer.status_code for answer, _ in refusals] == [expected for _, expected in refusals]
    assert status(hook)["runs"] == []
    state = repository[1] / "state"
    assert not (state / "hook.log").exists() and not (state / "hook-deliveries.json").exists()
    assert not (repository[1] / "public").exists()


def test_a_signed_push_pulls_builds_and_deploys_and_a_replay_is_ignored(hook, repository, s3_server, s3_bucket):
    author, checkout = repository
    push_post(author, "2024-06-16-neu.md", "Ganz neu")
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    headers = github(body)
    answer = hook.post("/_hooks/publish", content=body, headers=headers)
    assert answer.status_code == 202 and answer.json()["status"] == "started"
    run = settled(hook)["runs"][0]
    assert steps(run) == {"pull": "ok", "site": "skipped", "build": "ok", "deploy": "ok", "ping": "skipped",
                          "announce": "skipped"}, run
    assert run["ok"] and run["trigger"].startswith("github ")
    assert "meta/blog/neu.html" in remote(s3_server, s3_bucket)
    replay = hook.post("/_hooks/publish", content=body, headers=headers)
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    assert len(settled(hook)["runs"]) == 1
    log = [json.loads(line) for line in (checkout / "state" / "hook.log").read_text().splitlines()]
    assert [entry["event"] for entry in log] == ["start", *["step"] * 6, "end"]
    assert hook.post("/_hooks/publish", content=b"{}", headers={**github(b"{}"), "X-GitHub-Event": "ping"}).json() == {
        "status": "pong"}


def test_deliveries_during_a_run_queue_exactly_one_more(hook, repository, s3_server, s3_bucket):
    author, _ = repository
    body = b"{}"
    answers = [hook.post("/_hooks/publish", content=body, headers=gitea(body)),
               hook.post("/_hooks/publish", content=body, headers={"X-Gitlab-Token": SECRET,
                                                                   "X-Gitlab-Event-UUID": str(uuid.uuid4())}),
               hook.post("/_hooks/publish", content=body, headers={"Authorization": f"Bearer {SECRET}"})]
    assert [a.json()["status"] for a in answers] == ["started", "queued", "joined"]
    runs = settled(hook)["runs"]
    assert len(runs) == 2 and all(run["ok"] for run in runs)
    second, first = runs
    assert second["started"] >= first["finished"] and "gitlab" in second["trigger"] and "bearer" in second["trigger"]


def test_a_failed_step_stops_the_chain_and_nothing_is_published(hook, repository, s3_server, s3_bucket):
    author, checkout = repository
    push_post(author, "2024-06-16-neu.md", "Ganz neu")
    body = b"{}"
    hook.post("/_hooks/publish", content=body, headers=github(body))
    assert settled(hook)["runs"][0]["ok"]
    published = remote(s3_server, s3_bucket)[MANIFEST]["body"]
    (author / "syndicate.toml").write_text((author / "syndicate.toml").read_text() + "\n[feeds]\nlimit = 0\n")
    push_post(author, "2024-07-17-noch-einer.md", "Noch einer")
    hook.post("/_hooks/publish", content=body, headers=github(body))
    run = settled(hook)["runs"][0]
    assert steps(run) == {"pull": "ok", "site": "skipped", "build": "failed", "deploy": "skipped", "ping": "skipped",
                          "announce": "skipped"}
    assert "limit must be at least 1" in run["summary"] and run["ok"] is False
    assert remote(s3_server, s3_bucket)[MANIFEST]["body"] == published
    # A checkout that diverged from the remote is never merged: the chain stops at the pull.
    (checkout / "local.txt").write_text("x")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "a local change")
    (author / "syndicate.toml").write_text((author / "syndicate.toml").read_text().replace("limit = 0", "limit = 5"))
    git(author, "commit", "-qam", "fix the limit")
    git(author, "push", "-q", "origin", "main")
    hook.post("/_hooks/publish", content=body, headers=github(body))
    run = settled(hook)["runs"][0]
    assert steps(run) == {"pull": "failed", "site": "skipped", "build": "skipped", "deploy": "skipped", "ping": "skipped",
                          "announce": "skipped"}
    assert remote(s3_server, s3_bucket)[MANIFEST]["body"] == published


def test_the_service_refuses_to_start_without_its_secret(repository, monkeypatch):
    from syndicate.diagnostics import SyndicateError

    monkeypatch.delenv("SYNDICATE_HOOK_SECRET")
    with pytest.raises(SyndicateError, match="SYNDICATE_HOOK_SECRET"):
        create_app(load_settings(repository[1]))
