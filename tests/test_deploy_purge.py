"""CDN purges after a deploy: CloudFront invalidations (moto's CloudFront on 127.0.0.1) and the
generic purge request (a real HTTP server on 127.0.0.1), retried by the next deploy on failure."""

from __future__ import annotations

import json

import httpx
import pytest
from loopback import Answer, Server
from test_deploy import built, make_site, post

from syndicate import build, load_settings, load_site
from syndicate.deploy import deploy
from syndicate.deploy.purge import STATE_FILE, cloudfront_paths


@pytest.fixture(scope="module")
def moto_server():
    from s3server import start_moto

    server = start_moto()
    yield server
    server.stop()


class PurgeAPI(Server):
    """A CDN's purge API: records each request; answers `failures` 500s first, then 200."""

    def __init__(self, failures: int = 0):
        super().__init__()
        self.failures = failures

    @property
    def url(self) -> str:
        return super().url.rstrip("/")

    @property
    def requests(self) -> list[dict]:
        return [{"method": method, "path": path, "body": body, "headers": httpx.Headers(headers)}
                for method, path, headers, body in self.log]

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.failures -= 1
            return Answer(500 if self.failures >= 0 else 200, b"{}")


def change_two_posts(site) -> None:
    (site / "content/blog/2024-01-11-post-1.md").write_text(post("Post 1, retitled"), encoding="utf-8")
    (site / "content/blog/2024-04-14-post-4.md").unlink()


def test_cloudfront_invalidates_the_paths_of_overwritten_and_deleted_objects(
        tmp_path, s3_server, s3_bucket, moto_server, monkeypatch):
    cloudfront = moto_server.client("cloudfront")
    distribution = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "test", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "bucket.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}}})["Distribution"]["Id"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", moto_server.endpoint)
    site = make_site(tmp_path / "site", s3_bucket, s3_server, f'cloudfront = "{distribution}"\n')
    first = deploy(built(site))
    assert first.purges == ()  # a first deploy overwrites nothing any CDN could hold
    change_two_posts(site)
    report = deploy(built(site))
    assert [p.ok for p in report.purges] == [True], report.purges
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=listed[0]["Id"])[
        "Invalidation"]["InvalidationBatch"]["Paths"]["Items"]
    assert "/meta/blog/post-1.html" in paths and "/meta/blog/post-4.html" in paths and "/manifest.json" in paths
    assert "/meta/blog/post-2.html" not in paths
    assert not (site / "state" / STATE_FILE).exists() or "post-1" not in (site / "state" / STATE_FILE).read_text()


def test_a_failed_generic_purge_is_sent_again_by_the_next_deploy(tmp_path, s3_server, s3_bucket, monkeypatch):
    api = PurgeAPI(failures=5)  # every attempt of the first deploy fails
    monkeypatch.setenv("CDN_TOKEN", "sekrit")
    monkeypatch.setattr("syndicate.deploy.purge.backoff", lambda attempt: 0.01)
    try:
        site = make_site(tmp_path / "site", s3_bucket, s3_server,
                         f'purge_url = "{api.url}/zones/z/purge_cache"\n'
                         'purge_headers = ["Authorization: Bearer ${CDN_TOKEN}"]\npurge_batch = 2\n')
        deploy(built(site))
        change_two_posts(site)
        failed = deploy(built(site))
        assert failed.failed and not failed.purges[0].ok
        assert "gave up after 5 attempts" in failed.purges[0].message
        owed = json.loads((site / "state" / STATE_FILE).read_text())["pending_purges"]
        assert "https://blog.example.org/meta/blog/post-1.html" in next(iter(owed.values()))
        retried = deploy(built(site))  # nothing changed in the output: only the purge owed
        assert retried.uploaded == [] and [p.ok for p in retried.purges] == [True]
    finally:
        api.close()
    sent = api.requests[5:]
    assert all(r["headers"]["Authorization"] == "Bearer sekrit" for r in api.requests)
    urls = [url for r in sent for url in json.loads(r["body"])["files"]]
    assert sorted(urls) == sorted(set(failed.purge_urls)) and all(len(json.loads(r["body"])["files"]) <= 2 for r in sent)
    assert json.loads((site / "state" / STATE_FILE).read_text())["pending_purges"] == {}
    assert deploy(built(site)).purges == ()


def test_a_purge_per_url_with_the_method_the_cdn_wants(tmp_path, s3_server, s3_bucket):
    api = PurgeAPI()
    try:
        site = make_site(tmp_path / "site", s3_bucket, s3_server,
                         f'purge_url = "{api.url}/purge/{{url}}"\npurge_method = "PURGE"\n')
        deploy(built(site))
        change_two_posts(site)
        report = deploy(built(site))
    finally:
        api.close()
    assert report.purges[0].ok and {r["method"] for r in api.requests} == {"PURGE"}
    assert sorted(r["path"] for r in api.requests) == sorted(f"/purge/{url}" for url in report.purge_urls)


def test_the_urls_purged_are_the_urls_the_build_published(tmp_path, s3_server, s3_bucket):
    """A CDN caches what crawlers asked for: an old card's URL exactly as og:image and the manifest
    named it ('+' kept, as Hugo keeps it in a slug), not another encoding of the same path."""
    site = make_site(tmp_path / "site", s3_bucket, s3_server, posts={"2024-01-11-c++.md": post("C++")})
    settings = load_settings(site, {"build": {"cards": True}})
    (before,) = build(load_site(settings=settings)).manifest["posts"]
    deploy(settings)
    (site / "content/blog/2024-01-11-c++.md").write_text(post("C++, retitled"), encoding="utf-8")
    build(load_site(settings=settings))
    report = deploy(settings, dry_run=True)
    assert "+" in before["card_url"] and before["card_url"] in report.purge_urls


def test_many_changed_paths_become_one_wildcard():
    urls = [f"https://blog.example.org/blog/feeds/{n}.xml" for n in range(150)]
    assert cloudfront_paths(urls) == ["/blog/feeds/*"]
    assert cloudfront_paths(urls[:3]) == ["/blog/feeds/0.xml", "/blog/feeds/1.xml", "/blog/feeds/2.xml"]


def test_the_urls_purged_are_on_the_host_the_output_was_built_for(tmp_path, s3_server, s3_bucket):
    """`build -b https://staging…` then `deploy` (which takes no -b): the CDN is told of the URLs
    the manifest's output has, not of the settings' host it was never built for."""
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    staging = {"site": {"base_url": "https://staging.example.org/"}}
    build(load_site(settings=load_settings(site, staging)))
    deploy(load_settings(site))
    (site / "content/blog/2024-01-11-post-1.md").write_text(post("Post 1, retitled"), encoding="utf-8")
    build(load_site(settings=load_settings(site, staging)))
    report = deploy(load_settings(site), dry_run=True)
    assert report.purge_urls and all(url.startswith("https://staging.example.org/") for url in report.purge_urls)
