"""syndicate deploy of the real corpus output to a local S3 server (tests/s3server.py: OpenStack
Swift's s3api where installed, else moto; SYNDICATE_TEST_S3=moto forces moto).

1. cold, no-change and one-post-changed deploys (objects uploaded, deleted, purged; requests),
   against an `aws s3 sync`-style upload of everything (what a CI run with fresh file times does);
2. the S3 clients weighed for the job (boto3 threads, obstore, aiobotocore): the same cold upload,
   and each one's import time (each client is skipped when not installed).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import CORPUS, REPO

sys.path.insert(0, str(REPO / "tests"))
from loopback import Answer, Server  # noqa: E402
from s3server import start_s3  # noqa: E402

from syndicate.build import build  # noqa: E402
from syndicate.config import load_settings  # noqa: E402
from syndicate.deploy import deploy  # noqa: E402
from syndicate.deploy.objects import LocalObject, local_objects  # noqa: E402
from syndicate.output import read_manifest  # noqa: E402
from syndicate.site import load_site  # noqa: E402

JOBS = 8
POST = "content/blog/2020-02-26-Ko-Kreation-fuer-Veraenderungen.md"


class PurgeCounter(Server):
    """A CDN purge API on 127.0.0.1 that counts the URLs it is asked to purge."""

    def __init__(self) -> None:
        super().__init__()
        self.urls = 0

    @property
    def url(self) -> str:
        return super().url + "purge"

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.urls += len(json.loads(body)["files"])
        return Answer(200)


def upload_everything(server, bucket: str, objects: list[LocalObject]) -> tuple[float, int]:
    """`aws s3 sync` after a fresh checkout and build: every file's time is new, so every file goes up."""
    client = server.client()
    client.create_bucket(Bucket=bucket)
    started = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(lambda o: client.put_object(Bucket=bucket, Key=o.rel, Body=o.body(), **o.headers()), objects))
    return time.perf_counter() - started, len(objects) + 1  # and its listing


def with_obstore(server, bucket: str, objects: list[LocalObject]) -> float:
    import obstore
    from obstore.store import S3Store

    server.client().create_bucket(Bucket=bucket)
    store = S3Store(bucket, endpoint=server.endpoint, region="us-east-1", access_key_id=server.access_key,
                    secret_access_key=server.secret_key, client_options={"allow_http": True},
                    virtual_hosted_style_request=False)

    async def run() -> None:
        gate = asyncio.Semaphore(JOBS)

        async def one(obj: LocalObject) -> None:
            async with gate:
                await obstore.put_async(store, obj.rel, obj.body(), attributes={
                    "Content-Type": obj.content_type, "Cache-Control": obj.cache_control, "sha256": obj.sha256})

        await asyncio.gather(*(one(o) for o in objects))

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def with_aiobotocore(server, bucket: str, objects: list[LocalObject]) -> float:
    from aiobotocore.session import get_session
    from botocore.config import Config

    server.client().create_bucket(Bucket=bucket)

    async def run() -> None:
        config = Config(s3={"addressing_style": "path"}, max_pool_connections=JOBS,
                        request_checksum_calculation="when_required")
        async with get_session().create_client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                                               aws_access_key_id=server.access_key,
                                               aws_secret_access_key=server.secret_key, config=config) as client:
            gate = asyncio.Semaphore(JOBS)

            async def one(obj: LocalObject) -> None:
                async with gate:
                    await client.put_object(Bucket=bucket, Key=obj.rel, Body=obj.body(), **obj.headers())

            await asyncio.gather(*(one(o) for o in objects))

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def import_seconds(module: str) -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        runs.append(time.perf_counter() - started)
    return min(runs)


def row(label: str, seconds: float, uploaded: int | str, deleted: int | str, purged: int | str,
        requests: int | str) -> None:
    print(f"{label:44} {seconds:8.2f} {uploaded!s:>9} {deleted!s:>8} {purged!s:>7} {requests!s:>9}")


def main(quick: bool) -> None:
    if not (CORPUS / "content" / "blog").is_dir():
        print("deploy: skipped (no ../shared/corpus/codefor.de)")
        return
    work = Path(tempfile.mkdtemp(prefix="syndicate-bench-deploy-"))
    server = start_s3(work / "s3")
    purges = PurgeCounter()
    try:
        site = work / "site"
        shutil.copytree(CORPUS, site)
        os.environ.update(server.environment)
        server.client().create_bucket(Bucket="bench")
        overrides = {"build": {"out": str(work / "out"), "state_dir": str(work / "state")},
                     "deploy": {"url": "s3://bench/", "endpoint": server.endpoint, "region": "us-east-1",
                                "jobs": JOBS, "purge_url": purges.url}}
        settings = load_settings(site, overrides)
        build(load_site(settings=settings, use_cache=True))
        objects = local_objects(settings.out_dir, read_manifest(settings.out_dir) or {}, False)
        print(f"\n## deploy: the codefor.de corpus output, {len(objects)} objects "
              f"({sum(o.size for o in objects) / 1e6:.1f} MB), to {server.name} on 127.0.0.1, {JOBS} in flight")
        print(f"{'what':44} {'seconds':>8} {'uploaded':>9} {'deleted':>8} {'purged':>7} {'requests':>9}")

        def measured(label: str) -> float:
            before = purges.urls
            report = deploy(settings)
            assert not report.failed, report.summary
            row(label, report.seconds, len(report.uploaded), len(report.deleted), purges.urls - before,
                report.requests)
            return report.seconds

        cold = measured("syndicate deploy, cold (empty bucket)")
        measured("syndicate deploy, nothing changed")
        post = site / POST
        post.write_text(post.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
        build(load_site(settings=settings, use_cache=True))
        one = measured("syndicate deploy, one post edited")
        objects = local_objects(settings.out_dir, read_manifest(settings.out_dir) or {}, False)
        everything, requests = upload_everything(server, "bench-sync", objects)
        row("upload everything (aws s3 sync, fresh times)", everything, len(objects), 0, "-", requests)
        print(f"one post changed: syndicate {one:.2f} s against upload-everything {everything:.2f} s "
              f"({everything / one:.1f}×); cold {cold:.2f} s against {everything:.2f} s")

        print("\n## S3 clients: the same cold upload, and the import each costs a deploy's start")
        print(f"{'client':44} {'upload s':>8} {'import s':>9}")
        print(f"{'boto3 (threads, what syndicate uses)':44} {everything:8.2f} {import_seconds('boto3'):9.2f}")
        for label, function, module in (("obstore (Rust object_store, async)", with_obstore, "obstore"),
                                         ("aiobotocore (async botocore)", with_aiobotocore, "aiobotocore.session")):
            try:
                __import__(module)
            except ImportError:
                print(f"{label:44} {'not installed':>18}")
                continue
            seconds = function(server, f"bench-{module.split('.')[0]}", objects)
            print(f"{label:44} {seconds:8.2f} {import_seconds(module):9.2f}")
    finally:
        server.stop()
        purges.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
