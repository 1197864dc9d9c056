"""One deploy, in the order that keeps the bucket consistent for its readers:

1. list the bucket once; plan from the ETags (objects.py): upload what differs, delete what is gone;
2. record what the CDN purges will owe (so a deploy killed from here on still purges next time);
3. upload every changed object but manifest.json, in parallel (bounded, retried by botocore);
4. only when all of them are up, manifest.json — a reader never sees a manifest naming a missing
   object or one not yet uploaded;
5. then delete the objects the new manifest no longer names (the previous manifest needed them
   until step 4);
6. purge the CDN, clearing each purger's debt as it succeeds.

A deploy killed anywhere leaves the previous manifest served with everything it names; the next
deploy finds the objects already up by their ETags and completes the rest."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, ContextManager

from botocore.exceptions import BotoCoreError, ClientError

from ..config import Settings
from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from ..output import JOURNAL, exclusive_lock, output_lock, require_manifest
from ..permalinks import file_url
from .bucket import Bucket, describe
from .objects import PART_SIZE, LocalObject, Target, local_objects
from .plan import Plan, make_plan
from .purge import load_state, purge, purger_names, save_state
from .report import DeployReport, Purge, Transfer

LOCK_FILE = "deploy.lock"
Progress = Callable[[int, int, str], None]   # (objects done, objects to upload, the last one's path)


def deploy(settings: Settings, out_dir: Path | None = None, dry_run: bool = False, force: bool = False,
           progress: Progress | None = None, part_size: int = PART_SIZE) -> DeployReport:
    """Upload the output folder to `[deploy] url` and purge the CDN. Raises SyndicateError when
    nothing could be done (no url configured, no manifest, the bucket cannot be listed)."""
    started = time.monotonic()
    if not settings.deploy.url:
        raise SyndicateError(Diagnostic("settings", None, Level.ERROR,
                                        "no [deploy] url configured: add url = \"s3://bucket/prefix\" to "
                                        "[deploy] in syndicate.toml (see the README's Deploy section)"))
    out = Path(out_dir) if out_dir is not None else settings.out_dir
    require_manifest(out)  # before the lock: a folder that is not there gets this error, not a lock file
    target = Target.parse(settings.deploy.url)
    diagnostics = Diagnostics()
    with output_lock(out, reading=True), deploy_lock(settings.state_dir):  # no build changes the folder meanwhile
        manifest = require_manifest(out)
        if (out / JOURNAL).exists():  # the folder matches neither manifest: deploying it would publish that
            raise SyndicateError(Diagnostic(str(out / JOURNAL), None, Level.ERROR,
                                            "the last build into this folder did not finish (killed or crashed); run "
                                            "`syndicate build` first, which completes it; nothing was uploaded"))
        bucket = Bucket(settings.deploy, target, settings.deploy.jobs, part_size)
        local = local_objects(out, manifest, settings.deploy.gzip, part_size)
        try:
            plan = make_plan(local, bucket.list(), target.key, force)
            _settle_checks(plan, bucket)
        except (BotoCoreError, ClientError) as exc:
            raise SyndicateError(Diagnostic(target.url, None, Level.ERROR,
                                            f"cannot read the bucket: {describe(exc)}")) from exc
        built_site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
        base_url = str(built_site.get("base_url") or settings.site.base_url)  # what the output was built for
        prefix_len = len(target.prefix)
        stale = sorted(plan.overwritten) + [key[prefix_len:] for key in plan.delete]
        purge_urls = tuple(file_url(base_url, rel) for rel in stale)
        if dry_run:
            transfers = [Transfer("upload", o.rel, o.size) for o in plan.uploads]
            transfers += [Transfer("delete", key[prefix_len:]) for key in plan.delete]
            return DeployReport(target.url, True, tuple(transfers), plan.unchanged, (), bucket.requests,
                                time.monotonic() - started, (), purge_urls)
        names = purger_names(settings.deploy)
        state = load_state(settings.state_dir, diagnostics)
        before = state.to_json()
        state.add(names, purge_urls)
        if state.to_json() != before:
            save_state(settings.state_dir, state)
        transfers = _upload_all(bucket, plan.upload, settings.deploy.jobs, progress)
        complete = all(t.ok for t in transfers)
        if complete and plan.manifest is not None:
            transfers.append(_upload(bucket, plan.manifest))
            complete = transfers[-1].ok
        if complete:
            transfers += _delete(bucket, plan, target, settings.deploy.max_deletes, diagnostics)
        purges = _purge_all(settings, names, state, bucket) if complete else []
    return DeployReport(target.url, False, tuple(transfers), plan.unchanged, tuple(purges), bucket.requests,
                        time.monotonic() - started, diagnostics.sorted(), purge_urls)


def _settle_checks(plan: Plan, bucket: Bucket) -> None:
    """Objects of the same size under another ETag: their sha256 metadata says whether they differ."""
    for obj in plan.check:
        if bucket.sha256(bucket.target.key(obj.rel)) == obj.sha256:
            plan.unchanged += 1
            plan.overwritten.discard(obj.rel)
        else:
            plan.upload.append(obj)
    plan.check.clear()


def _upload(bucket: Bucket, obj: LocalObject) -> Transfer:
    try:
        bucket.put(obj)
    except (BotoCoreError, ClientError, OSError) as exc:
        return Transfer("upload", obj.rel, obj.size, False, describe(exc))
    return Transfer("upload", obj.rel, obj.size)


def _upload_all(bucket: Bucket, objects: list[LocalObject], jobs: int, progress: Progress | None) -> list[Transfer]:
    transfers: list[Transfer] = []
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="deploy")
    try:
        futures = [pool.submit(_upload, bucket, obj) for obj in objects]
        for future in as_completed(futures):
            transfers.append(future.result())
            if progress is not None:
                progress(len(transfers), len(objects), transfers[-1].rel)
    finally:
        # Interrupted (Ctrl-C): the uploads in flight finish, the queued ones never start.
        pool.shutdown(wait=True, cancel_futures=True)
    return sorted(transfers, key=lambda t: t.rel)


def _delete(bucket: Bucket, plan: Plan, target: Target, max_deletes: int, diagnostics: Diagnostics) -> list[Transfer]:
    rels = {key: key[len(target.prefix):] for key in plan.delete}
    if 0 <= max_deletes < len(rels):
        diagnostics.error(target.url, None, f"{len(rels)} objects are no longer in the output, more than "
                          f"[deploy] max_deletes = {max_deletes}; none deleted. Check [deploy] url and --out, "
                          "then raise max_deletes (-1: no limit) if this is meant")
        return []
    try:
        failed = dict(bucket.delete(rels))
    except (BotoCoreError, ClientError) as exc:
        failed = dict.fromkeys(rels, describe(exc))
    return [Transfer("delete", rel, 0, key not in failed, failed.get(key, "")) for key, rel in rels.items()]


def _purge_all(settings: Settings, names: list[str], state, bucket: Bucket) -> list[Purge]:
    purges = []
    for name in names:
        urls = sorted(state.pending.get(name, ()))
        if not urls:
            continue
        outcome = purge(name, urls, settings.deploy, bucket.session)
        purges.append(outcome)
        if outcome.ok:
            state.done(name, urls)
            save_state(settings.state_dir, state)
    before = state.to_json()
    state.prune(names)
    if state.to_json() != before:
        save_state(settings.state_dir, state)
    return purges


def deploy_lock(state_dir: Path) -> ContextManager[None]:
    """One deploy per site at a time: two would race on the bucket and on the purge state."""
    return exclusive_lock(state_dir / LOCK_FILE, str(state_dir / LOCK_FILE),
                          "another `syndicate deploy` of this site is running; run again when it has finished")
