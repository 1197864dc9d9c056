"""`syndicate deploy`: the output folder to an S3-compatible bucket, then the CDN purged.

Public API: `deploy(settings, out_dir=None, dry_run=False, force=False) -> DeployReport`.
Modules: `objects` (what each file is as an object: key, headers, digests), `plan` (what to
upload and delete, from a listing), `bucket` (the S3 client), `purge` (CloudFront and generic
purge requests, with their state), `run` (one deploy, in its safe order), `report` and `console`."""

from .report import DeployReport, Purge, Transfer
from .run import deploy

__all__ = ["DeployReport", "Purge", "Transfer", "deploy"]
