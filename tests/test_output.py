"""The output folder: atomic, deterministic, unchanged files untouched, vanished posts removed,
and a build killed at any moment leaves every file whole (old or new)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, write_site

from syndicate import build, load_site
from syndicate.atomic import TEMP_MARK

sys.path.insert(0, str(REPO / "bench"))
from generate_site import generate  # noqa: E402

POSTS = {
    "2020-01-01-eins.md": "---\ntitle: Eins\ntopic: story\n---\nErster Beitrag.\n",
    "2020-01-02-zwei.md": "---\ntitle: Zwei\ntopic: event\n---\nZweiter Beitrag.\n",
}


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_two_builds_give_byte_identical_output(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    build(load_site(site), tmp_path / "a")
    build(load_site(site), tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_unchanged_files_are_not_rewritten(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    build(load_site(site), out)
    inodes = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    result = build(load_site(site), out)
    assert result.changed == []
    assert {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()} == inodes


def test_files_of_a_deleted_post_are_removed(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    build(load_site(site), out)
    owned_by_zwei = [rel for rel in snapshot(out) if "zwei" in rel]
    (site / "content" / "blog" / "2020-01-02-zwei.md").unlink()
    build(load_site(site), out)
    assert owned_by_zwei and not [rel for rel in snapshot(out) if "zwei" in rel]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [post["slug"] for post in manifest["posts"]] == ["eins"]
    assert set(manifest["files"]) == set(snapshot(out)) - {"manifest.json"}


def test_manifest_lists_every_file_it_points_at(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    result = build(load_site(site), out)
    files = snapshot(out)
    for rel, digest in result.manifest["files"].items():
        assert files[rel] == digest


def _site_version(root: Path, version: str) -> None:
    """Version B renames half the titles, deletes some posts and adds others."""
    blog = root / "content" / "blog"
    for index, post in enumerate(sorted(blog.glob("*.md"))):
        text = post.read_text(encoding="utf-8")
        if version == "B" and index % 2:
            post.write_text(text.replace("title: \"", "title: \"Neu: ", 1), encoding="utf-8")
        if version == "B" and index % 7 == 0:
            post.unlink()
    if version == "B":
        for extra in range(5):
            (blog / f"2024-01-0{extra + 1}-extra-{extra}.md").write_text(
                f"---\ntitle: Extra {extra}\ntopic: story\n---\nNeu.\n", encoding="utf-8")


def _build_cli(site: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "syndicate", "build", "--site", str(site), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_build_killed_at_random_moments_leaves_old_or_new_files_never_partial(tmp_path):
    """SIGKILL real builds at random moments; every visible file must equal version A's or B's."""
    site_a = generate(120, tmp_path / "site-a", seed=7)
    (site_a / "syndicate.toml").write_text((site_a / "syndicate.toml").read_text()
                                           + '\n[build]\nstate_dir = ".state"\njobs = 1\n')
    out_a = tmp_path / "out-a"
    assert _build_cli(site_a, out_a).wait() in (0, 1)
    site_b = tmp_path / "site-b"
    shutil.copytree(site_a, site_b)
    _site_version(site_b, "B")
    out_b = tmp_path / "out-b"
    shutil.copytree(out_a, out_b)
    started = time.perf_counter()
    assert _build_cli(site_b, out_b).wait() in (0, 1)
    duration = time.perf_counter() - started
    files_a, files_b = snapshot(out_a), snapshot(out_b)
    assert files_a != files_b

    rng = random.Random(2020)
    for trial in range(8):
        site, out = tmp_path / f"trial-site-{trial}", tmp_path / f"trial-out-{trial}"
        shutil.copytree(site_b, site)
        shutil.rmtree(site / ".state")
        shutil.copytree(site_a / ".state", site / ".state")
        shutil.copytree(out_a, out)
        process = _build_cli(site, out)
        time.sleep(rng.uniform(0.05, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for rel, digest in snapshot(out).items():
            assert digest in (files_a.get(rel), files_b.get(rel)), f"trial {trial}: {rel} is neither old nor new"
        manifest = json.loads((out / "manifest.json").read_text())
        for rel, digest in manifest["files"].items():
            assert snapshot(out).get(rel) == digest or digest in (files_a.get(rel), files_b.get(rel))
        # The next build recovers completely: exactly version B, no temporary files left.
        assert _build_cli(site, out).wait() in (0, 1)
        assert snapshot(out) == files_b
        assert not [p for p in out.rglob("*") if TEMP_MARK in p.name]
        shutil.rmtree(site)
        shutil.rmtree(out)
    assert os.path.exists(out_b / "manifest.json")
