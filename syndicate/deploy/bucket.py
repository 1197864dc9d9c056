"""The bucket, through boto3: list, upload (multipart when large), read an object's sha256,
delete in batches. Credentials come from boto3's chain (environment, shared config and
credentials files, SSO, instance roles), never from syndicate's settings. Retries are botocore's
"standard" mode: 5xx, throttling (429, SlowDown) and connection errors, with exponential backoff
and jitter."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from typing import Any, Iterable

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError, NoCredentialsError

from ..config import DeploySettings
from .objects import PART_SIZE, SHA256_KEY, LocalObject, Target
from .plan import RemoteObject

ATTEMPTS = 5           # per request, the first included
RETRIES = {"mode": "standard", "max_attempts": ATTEMPTS}
DELETE_BATCH = 1000    # DeleteObjects takes at most 1,000 keys


def describe(exc: BaseException) -> str:
    if isinstance(exc, NoCredentialsError):
        return ("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
                "for a profile of ~/.aws/credentials")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        text = f"{status} {error.get('Code', '')}: {error.get('Message', '')}".strip()
        return text + (f" (after {attempts + 1} attempts)" if attempts else "")
    return str(exc) or type(exc).__name__


class Bucket:
    """One deploy's view of the bucket; thread-safe (boto3 clients are), counting its requests."""

    def __init__(self, settings: DeploySettings, target: Target, jobs: int, part_size: int = PART_SIZE):
        self.target = target
        self.session = boto3.session.Session()
        config = Config(
            retries=RETRIES,
            max_pool_connections=jobs + 2,
            # S3-compatible stores behind their own host name rarely serve bucket sub-domains.
            s3={"addressing_style": "path" if settings.endpoint else "auto"},
            # botocore ≥ 1.36 sends CRC32 checksums by default, which older stores (MinIO before
            # 2024, Ceph RGW, OpenStack Swift's s3api) reject; checksums only where S3 requires them.
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
        )
        self.client = self.session.client("s3", endpoint_url=settings.endpoint or None,
                                          region_name=settings.region or None, config=config)
        self.client.meta.events.register("before-sign.s3.DeleteObjects", _content_md5)
        self.client.meta.events.register("before-send", self._count)
        self.transfer = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size,
                                       use_threads=False)  # objects go up in parallel, not their parts
        self.requests = 0
        self._lock = threading.Lock()

    def _count(self, **_: Any) -> None:
        with self._lock:
            self.requests += 1

    def list(self) -> dict[str, RemoteObject]:
        found: dict[str, RemoteObject] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.target.bucket,
                                                                        Prefix=self.target.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                found[item["Key"]] = RemoteObject(item["Key"], item["ETag"], item["Size"])
        return found

    def sha256(self, key: str) -> str | None:
        head = self.client.head_object(Bucket=self.target.bucket, Key=key)
        return head.get("Metadata", {}).get(SHA256_KEY)

    def put(self, obj: LocalObject) -> None:
        body = obj.body()
        key = self.target.key(obj.rel)
        if len(body) >= self.transfer.multipart_threshold:
            self.client.upload_fileobj(io.BytesIO(body), self.target.bucket, key, ExtraArgs=obj.headers(),
                                       Config=self.transfer)
        else:  # Content-MD5: the store refuses bytes that changed on the way (or on disk since the plan)
            self.client.put_object(Bucket=self.target.bucket, Key=key, Body=body, ContentMD5=obj.content_md5,
                                   **obj.headers())

    def delete(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """Delete in batches; the keys that could not be deleted, with the reason."""
        keys = list(keys)
        failed: list[tuple[str, str]] = []
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start:start + DELETE_BATCH]
            answer = self.client.delete_objects(Bucket=self.target.bucket, Delete={
                "Objects": [{"Key": key} for key in batch], "Quiet": True})
            failed += [(error["Key"], f"{error.get('Code', '')}: {error.get('Message', '')}")
                       for error in answer.get("Errors", [])]
        return failed


def _content_md5(request: Any, **_: Any) -> None:
    """DeleteObjects must carry a checksum; stores older than S3's CRC32 checksums want Content-MD5."""
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    if "Content-MD5" not in request.headers:
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
