"""syndicate deploy against a real S3-compatible server on 127.0.0.1 (tests/s3server.py: OpenStack
Swift's s3api where installed, else moto): the headers `syndicate serve` sends, incremental
uploads by ETag and sha256, deletions after the manifest, retries, kills at chosen requests."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, write_site
from starlette.testclient import TestClient

from syndicate.build import build
from syndicate.config import load_settings
from syndicate.deploy import deploy
from syndicate.diagnostics import SyndicateError
from syndicate.output import MANIFEST, output_lock
from syndicate.site import load_site

BASE = "https://blog.example.org/"


def post(title: str, topic: str = "story", text: str = "Der Text.") -> str:
    return f"---\ntitle: {title}\ntopic: {topic}\n---\n{text}\n"


POSTS = {f"2024-0{n}-1{n}-post-{n}.md": post(f"Post {n}", "story" if n % 2 else "event") for n in range(1, 5)}


def make_site(root: Path, bucket: str, server, extra: str = "", posts: dict[str, str] | None = None) -> Path:
    config = (f'[site]\nbase_url = "{BASE}"\ntitle = "Test"\n\n[build]\ncards = false\nstate_dir = "state"\n\n'
              f'[deploy]\nurl = "s3://{bucket}/site"\nendpoint = "{server.endpoint}"\nregion = "us-east-1"\n{extra}')
    return write_site(root, posts if posts is not None else POSTS, config)


def built(site: Path, **overrides: object):
    settings = load_settings(site, {"deploy": overrides} if overrides else None)
    build(load_site(settings=settings))
    return settings


def remote(server, bucket: str, prefix: str = "site/") -> dict[str, dict]:
    """Every object under the prefix: its headers, metadata and (decoded) bytes."""
    client = server.client()
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            answer = client.get_object(Bucket=bucket, Key=item["Key"])
            body = answer["Body"].read()
            if answer.get("ContentEncoding") == "gzip":
                body = gzip.decompress(body)
            objects[item["Key"][len(prefix):]] = {
                "type": answer["ContentType"], "cache": answer.get("CacheControl"),
                "encoding": answer.get("ContentEncoding"), "sha256": answer["Metadata"].get("sha256"),
                "body": body}
    return objects


def local_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)}


def test_every_object_carries_the_headers_serve_sends(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    settings = built(site)
    report = deploy(settings)
    assert not report.failed, report.summary
    objects = remote(s3_server, s3_bucket)
    out = settings.out_dir
    assert {rel: o["body"] for rel, o in objects.items()} == local_files(out)
    from syndicate.server import create_app

    with TestClient(create_app(settings, out)) as client:
        for rel, obj in objects.items():
            served = client.get("/" + rel, headers={"Accept-Encoding": "identity"})
            assert served.status_code == 200, rel
            assert obj["type"] == served.headers["content-type"], rel
            assert obj["cache"] == served.headers["cache-control"], rel
            assert obj["sha256"] == hashlib.sha256(obj["body"]).hexdigest(), rel
            assert obj["encoding"] is None
    assert objects["feeds/atom.xml"]["type"] == "application/atom+xml; charset=utf-8"
    assert objects[MANIFEST]["cache"] == "no-cache"


def test_gzip_setting_uploads_text_precompressed_and_images_as_they_are(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server, "gzip = true\n")
    settings = built(site)
    (settings.out_dir / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    assert not deploy(settings).failed
    objects = remote(s3_server, s3_bucket)
    assert objects["feeds/rss.xml"]["encoding"] == "gzip"
    assert objects["meta/blog/post-1.html"]["encoding"] == "gzip"
    assert objects[MANIFEST]["encoding"] == "gzip"
    assert objects["logo.png"]["encoding"] is None
    assert {rel: o["body"] for rel, o in objects.items()} == local_files(settings.out_dir)
    again = deploy(settings)
    assert (len(again.uploaded), again.unchanged) == (0, len(objects))


def test_a_deploy_uploads_only_what_changed_and_deletes_after_the_manifest(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    settings = built(site)
    first = deploy(settings)
    total = len(local_files(settings.out_dir))
    assert (len(first.uploaded), first.unchanged, len(first.deleted)) == (total, 0, 0)

    nothing = deploy(settings)
    assert (len(nothing.uploaded), len(nothing.deleted), nothing.unchanged) == (0, 0, total)
    assert nothing.requests == 1  # one listing

    (site / "content/blog/2024-01-11-post-1.md").write_text(post("Post 1, retitled"), encoding="utf-8")
    (site / "content/blog/2024-04-14-post-4.md").unlink()
    settings = built(site)
    changed = deploy(settings)
    uploaded = [t.rel for t in changed.uploaded]
    assert "meta/blog/post-1.html" in uploaded and uploaded[-1] != MANIFEST or MANIFEST in uploaded
    assert "meta/blog/post-2.html" not in uploaded
    assert [t.rel for t in changed.deleted] == ["meta/blog/post-4.html"]
    assert "https://blog.example.org/meta/blog/post-4.html" in changed.purge_urls
    assert "https://blog.example.org/meta/blog/post-1.html" in changed.purge_urls
    assert {rel: o["body"] for rel, o in remote(s3_server, s3_bucket).items()} == local_files(settings.out_dir)


def test_dry_run_changes_nothing_and_force_uploads_everything(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    settings = built(site)
    dry = deploy(settings, dry_run=True)
    assert dry.dry_run and len(dry.uploaded) == len(local_files(settings.out_dir))
    assert remote(s3_server, s3_bucket) == {}
    deploy(settings)
    forced = deploy(settings, force=True)
    assert (len(forced.uploaded), forced.unchanged) == (len(local_files(settings.out_dir)), 0)


def test_large_files_go_up_in_parts_and_are_recognised_afterwards(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    settings = built(site)
    large = os.urandom(11 * 1024 * 1024)
    (settings.out_dir / "video.bin").write_bytes(large)
    part = 5 * 1024 * 1024
    assert not deploy(settings, part_size=part).failed
    head = s3_server.client().head_object(Bucket=s3_bucket, Key="site/video.bin")
    assert head["ETag"].endswith('-3"') and head["ContentLength"] == len(large)
    again = deploy(settings, part_size=part)
    assert len(again.uploaded) == 0


def test_more_deletions_than_allowed_are_refused(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server, "max_deletes = 1\n")
    settings = built(site)
    deploy(settings)
    for name in ("2024-03-13-post-3.md", "2024-04-14-post-4.md"):
        (site / "content/blog" / name).unlink()
    settings = built(site)
    report = deploy(settings)
    assert report.failed and not report.deleted
    assert "max_deletes = 1" in report.diagnostics[0].message
    assert "meta/blog/post-4.html" in remote(s3_server, s3_bucket)


def test_throttling_is_retried_with_backoff(tmp_path, s3_server, s3_bucket):
    from s3server import InterposedProxy

    proxy = InterposedProxy(s3_server.endpoint)
    seen: set[str] = set()

    def throttle_first_put(method: str, path: str, number: int) -> str:
        if method == "PUT" and path not in seen:
            seen.add(path)
            return "throttle"
        return "pass"

    proxy.decide = throttle_first_put
    try:
        site = make_site(tmp_path / "site", s3_bucket, s3_server)
        settings = built(site, endpoint=proxy.endpoint)
        report = deploy(settings)
    finally:
        proxy.close()
    assert not report.failed, report.summary
    puts = [path for method, path in proxy.requests if method == "PUT"]
    assert len(puts) == 2 * len(report.uploaded)
    assert {rel: o["body"] for rel, o in remote(s3_server, s3_bucket).items()} == local_files(settings.out_dir)


def test_missing_settings_and_manifest_are_reported(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    with pytest.raises(SyndicateError, match="manifest.json"):
        deploy(load_settings(site))
    bare = write_site(tmp_path / "bare", POSTS)
    with pytest.raises(SyndicateError, match=r"no \[deploy\] url"):
        deploy(load_settings(bare))
    settings = built(site, url="s3://no-such-bucket-here/x")
    with pytest.raises(SyndicateError, match="cannot read the bucket"):
        deploy(settings)


def run_deploy(site: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "syndicate", "deploy", "--site", str(site), *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def consistent(objects: dict[str, dict], manifests: list[dict]) -> bool:
    """The manifest in the bucket is one of ours, and every file it names is there in the bytes of
    that manifest or of the one being deployed (a feed is rewritten at its own URL)."""
    if MANIFEST not in objects:
        return True  # nothing published yet
    served = json.loads(objects[MANIFEST]["body"])
    assert served in manifests
    for rel, digest in served["files"].items():
        assert rel in objects, f"{rel} named by the served manifest is missing"
        actual = hashlib.sha256(objects[rel]["body"]).hexdigest()
        assert actual in {m["files"].get(rel) for m in manifests}, rel
    return True


def test_a_deploy_killed_at_any_request_leaves_a_consistent_bucket_and_the_next_completes_it(
        tmp_path, s3_server, s3_bucket):
    from s3server import InterposedProxy

    proxy = InterposedProxy(s3_server.endpoint)
    site = make_site(tmp_path / "site", s3_bucket, s3_server, "jobs = 1\n")
    settings = built(site, endpoint=proxy.endpoint)
    (site / "syndicate.toml").write_text((site / "syndicate.toml").read_text().replace(
        s3_server.endpoint, proxy.endpoint))
    env = {**os.environ, **s3_server.environment}
    old = json.loads((settings.out_dir / MANIFEST).read_text())
    assert run_deploy(site, env).wait(timeout=120) == 0
    # The next version: one post retitled, one gone, one new.
    (site / "content/blog/2024-01-11-post-1.md").write_text(post("Post 1, retitled"), encoding="utf-8")
    (site / "content/blog/2024-04-14-post-4.md").unlink()
    (site / "content/blog/2024-05-15-post-5.md").write_text(post("Post 5"), encoding="utf-8")
    settings = built(site)
    new = json.loads((settings.out_dir / MANIFEST).read_text())
    try:
        # Kill points by request number (jobs = 1 makes the order fixed): a listing, one PUT per
        # object with manifest.json the last, then one POST of the deletions. Each killed run
        # leaves its uploads in place, so the next plan is made afresh.
        for point in ("first upload", "middle upload", "manifest", "deletions"):
            plan = deploy(settings, dry_run=True)
            uploads = len(plan.uploaded)
            kill_at = {"first upload": 2, "middle upload": 1 + max(1, uploads // 2), "manifest": 1 + uploads,
                       "deletions": 2 + uploads}[point]
            proxy.requests.clear()
            proxy.decide = lambda method, path, number, kill_at=kill_at: "kill" if number == kill_at else "pass"
            process = run_deploy(site, env)
            proxy.victim = process.pid
            assert process.wait(timeout=120) == -9, (point, proxy.requests, process.stderr.read())
            assert consistent(remote(s3_server, s3_bucket), [old, new]), point
        proxy.decide = lambda method, path, number: "pass"
        finished = run_deploy(site, env, "--json")
        output, errors = finished.communicate(timeout=120)
        assert finished.returncode == 0, errors
        report = json.loads(output)
        assert report["uploaded"] == [] and report["deleted"] == ["meta/blog/post-4.html"]  # the rest was up
    finally:
        proxy.close()
    assert {rel: o["body"] for rel, o in remote(s3_server, s3_bucket).items()} == local_files(settings.out_dir)


def test_cli_reports_as_json_and_exits_by_outcome(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    env = {**os.environ, **s3_server.environment}
    built(site)
    done = subprocess.run([sys.executable, "-m", "syndicate", "deploy", "--site", str(site), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and MANIFEST in report["uploaded"] and report["deleted"] == []
    plain = subprocess.run([sys.executable, "-m", "syndicate", "deploy", "--site", str(site)],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and "uploaded 0 object(s)" in plain.stdout
    no_keys = {k: v for k, v in env.items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")}
    refused = subprocess.run([sys.executable, "-m", "syndicate", "deploy", "--site", str(site)],
                             cwd=REPO, env=no_keys, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "no AWS credentials" in refused.stderr
    shutil.rmtree(site / "public")
    missing = subprocess.run([sys.executable, "-m", "syndicate", "deploy", "--site", str(site)],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "run `syndicate build` first" in missing.stderr


@pytest.mark.parametrize("setting, message", [
    ('url = "https://bucket/x"', "[deploy] url must be s3://bucket"),
    ('purge_url = "https://api.example/purge"\npurge_headers = ["Authorization: Bearer abc"]',
     "[deploy] purge_headers: Authorization is a credential"),
    ('purge_headers = ["Fastly-Key: ${TOKEN}"]', "purge_headers and purge_body need a purge_url"),
    ("jobs = 0", "[deploy] jobs must be at least 1"),
])
def test_deploy_settings_are_checked_at_load_with_file_and_line(tmp_path, setting, message):
    site = write_site(tmp_path / "site", POSTS, f'[site]\nbase_url = "{BASE}"\n\n[deploy]\n{setting}\n')
    with pytest.raises(SyndicateError) as error:
        load_settings(site)
    assert error.value.diagnostic.file == "syndicate.toml" and error.value.diagnostic.line in (5, 6)
    assert message in error.value.diagnostic.message


def test_an_object_of_the_same_size_in_other_bytes_is_told_apart_by_its_sha256(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    settings = built(site)
    deploy(settings)
    local = (settings.out_dir / "meta/blog/post-1.html").read_bytes()
    tampered = bytes(reversed(local))
    s3_server.client().put_object(Bucket=s3_bucket, Key="site/meta/blog/post-1.html", Body=tampered)
    report = deploy(settings)
    assert [t.rel for t in report.uploaded] == ["meta/blog/post-1.html"]
    assert report.requests == 3  # the listing, one HEAD for the sha256, one PUT
    assert remote(s3_server, s3_bucket)["meta/blog/post-1.html"]["body"] == local


def test_a_folder_whose_last_build_did_not_finish_is_not_deployed(tmp_path):
    """Issue 10, item 2: a build killed between its renames and its manifest leaves files that
    neither manifest describes; deploying them would publish that state. The bucket is never
    contacted (nothing listens at its endpoint)."""
    site = write_site(tmp_path / "site", POSTS, f'[site]\nbase_url = "{BASE}"\n[build]\ncards = false\n'
                      '[deploy]\nurl = "s3://bucket/site"\nendpoint = "http://127.0.0.1:9"\n')
    settings = load_settings(site)
    build(load_site(settings=settings))
    (settings.out_dir / ".syndicate-journal.json").write_text('{"files": ["feeds/atom.xml"]}')
    with pytest.raises(SyndicateError, match="the last build into this folder did not finish"):
        deploy(settings)
    build(load_site(settings=settings))  # which completes it
    assert not (settings.out_dir / ".syndicate-journal.json").exists()


def test_a_deploy_and_a_build_never_use_one_output_folder_at_once(tmp_path):
    """A deploy holds the output folder's lock shared while it reads and uploads: a build started
    meanwhile stops at once (exit 2 in the CLI) instead of renaming files under it, and a deploy
    started during a build does not upload a folder half old, half new. The bucket is never
    contacted (nothing listens at its endpoint)."""
    site = write_site(tmp_path / "site", POSTS, f'[site]\nbase_url = "{BASE}"\n[build]\ncards = false\n'
                      '[deploy]\nurl = "s3://bucket/site"\nendpoint = "http://127.0.0.1:9"\n')
    settings = load_settings(site)
    build(load_site(settings=settings))
    before = local_files(settings.out_dir)
    with output_lock(settings.out_dir, reading=True):            # a deploy reading the folder
        (site / "content/blog" / next(iter(POSTS))).write_text(post("Neuer Titel"))
        with pytest.raises(SyndicateError, match="another build or a deploy is using this output folder"):
            build(load_site(settings=settings))
        with output_lock(settings.out_dir, reading=True):        # reading along with it is fine
            pass
    assert local_files(settings.out_dir) == before
    with output_lock(settings.out_dir):                          # a build writing the folder
        with pytest.raises(SyndicateError, match="a build is writing this output folder"):
            deploy(settings)
