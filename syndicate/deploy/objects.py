"""What each file of the output folder is as an object: its key, the headers `syndicate serve`
would send with it (syndicate/media.py), the sha256 it is known by, and the ETag the store will
give the exact bytes uploaded — which is what makes a listing enough to see what changed."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from ..media import cache_control_of, feed_formats_of, gzip_form, media_type_of
from ..output import MANIFEST

PART_SIZE = 8 * 1024 * 1024   # boto3's default multipart threshold and part size
SHA256_KEY = "sha256"          # x-amz-meta-sha256: the file's sha256 (before any gzip)


@dataclass(frozen=True)
class Target:
    """Where a deploy goes: s3://bucket/prefix."""
    bucket: str
    prefix: str   # "" or ending in "/"

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        return cls(parts.netloc, f"{prefix}/" if prefix else "")

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, rel: str) -> str:
        return self.prefix + rel


@dataclass(frozen=True)
class LocalObject:
    rel: str                       # path in the output folder, / separated
    path: Path
    sha256: str                    # of the file's bytes, from manifest.json where it lists the file
    size: int                      # of the bytes uploaded (the gzip form when compressed)
    etag: str                      # what the store's listing will show for those bytes
    content_md5: str               # base64, sent so the store checks the bytes it received
    content_type: str
    cache_control: str
    gzipped: bool

    def body(self) -> bytes:
        data = self.path.read_bytes()
        packed = gzip_form(data, self.content_type) if self.gzipped else None
        return data if packed is None else packed

    def headers(self) -> dict[str, Any]:
        """boto3's names for the object's headers and metadata."""
        extra: dict[str, Any] = {"ContentType": self.content_type, "CacheControl": self.cache_control,
                                 "Metadata": {SHA256_KEY: self.sha256}}
        if self.gzipped:
            extra["ContentEncoding"] = "gzip"
        return extra


def local_objects(out_dir: Path, manifest: Mapping[str, Any], gzip: bool,
                  part_size: int = PART_SIZE) -> list[LocalObject]:
    """Every file of the output folder but dot files (the build's lock, temporaries), sorted."""
    files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    formats = feed_formats_of(manifest)
    objects = []
    for path in sorted(_files(out_dir)):
        rel = path.relative_to(out_dir).as_posix()
        data = path.read_bytes()
        known = files.get(rel)
        digest = known if isinstance(known, str) and rel != MANIFEST else hashlib.sha256(data).hexdigest()
        content_type = media_type_of(rel, formats)
        packed = gzip_form(data, content_type) if gzip else None
        body = packed if packed is not None else data
        md5 = hashlib.md5(body).digest()
        objects.append(LocalObject(rel, path, digest, len(body), store_etag(body, part_size, md5),
                                   base64.b64encode(md5).decode(), content_type,
                                   cache_control_of(rel, content_type, digest), packed is not None))
    return objects


def _files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder, name) for name in names if not name.startswith(".")]
    return found


def store_etag(body: bytes, part_size: int, md5: bytes | None = None) -> str:
    """S3's ETag: the MD5 of the bytes; of a multipart upload, the MD5 of the parts' MD5s and the
    number of parts. Stores that encrypt with their own keys (SSE-KMS) give other ETags: then the
    sha256 in the object's metadata decides (one HEAD per such object)."""
    if len(body) < part_size:
        return f'"{(md5 or hashlib.md5(body).digest()).hex()}"'
    parts = [hashlib.md5(body[start:start + part_size]).digest() for start in range(0, len(body), part_size)]
    return f'"{hashlib.md5(b"".join(parts)).hexdigest()}-{len(parts)}"'


