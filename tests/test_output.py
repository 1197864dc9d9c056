"""The output folder: atomic, deterministic, unchanged files untouched, vanished posts removed,
and a build killed at any moment leaves every file whole (old or new)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, write_site

from syndicate import SyndicateError, build, load_site
from syndicate.atomic import TEMP_MARK
from syndicate.build import BuildResult
from syndicate.output import JOURNAL, LOCK, PARALLEL_FILES, Output

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


def test_files_no_manifest_lists_are_removed_only_from_syndicates_own_folders(tmp_path):
    """Item 2 of issue 10: orphans (here: the manifest was lost) go, but Hugo writes its pages into
    the same public/ folder, so only cards/, meta/ and feeds/ are swept, and not a folder the site
    publishes itself (a content section named meta)."""
    site = write_site(tmp_path / "site", POSTS)
    (site / "content" / "meta").mkdir()
    (site / "content" / "meta" / "_index.md").write_text("---\ntitle: About this site\n---\n")
    out = tmp_path / "out"
    build(load_site(site), out)
    clean = _every_file(out)
    (out / "manifest.json").unlink()
    orphans = ["cards/blog/gone.jpg", "feeds/topic/gone/atom.xml", "feeds/topic/gone/index.html"]
    hugo = ["index.html", "blog/eins/index.html", "meta/index.html", "meta/blog/hugo-meta.html", "feeds/.htaccess",
            "cards.css"]
    for rel in orphans + hugo:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel)
    build(load_site(site), out)
    assert not [rel for rel in orphans if (out / rel).exists()]
    assert not (out / "feeds" / "topic" / "gone").exists()
    assert _every_file(out) == {**clean, **{rel: hashlib.sha256(rel.encode()).hexdigest() for rel in hugo}}


def test_manifest_lists_every_file_it_points_at(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    result = build(load_site(site), out)
    files = snapshot(out)
    for rel, digest in result.manifest["files"].items():
        assert files[rel] == digest


def _with_translations(root: Path) -> None:
    """A second language: English versions of three posts, with their own feeds (en/feeds/…) and
    files named by their URL paths (meta/en/blog/…)."""
    (root / "hugo.toml").write_text('defaultContentLanguage = "de"\n[languages.de]\nweight = 1\n'
                                    '[languages.en]\nweight = 2\ntitle = "Bench in English"\n', encoding="utf-8")
    for number, post in enumerate(sorted((root / "content" / "blog").glob("*.md"))[:3], start=1):
        post.with_name(f"{post.stem}.en.md").write_text(
            f"---\ntitle: English {number}\ndate: 2024-02-0{number}\ntopic: story\n---\nEnglish text.\n",
            encoding="utf-8")


def _site_version(root: Path) -> None:
    """Version B of a generated site renames half the titles, deletes some posts and adds others,
    in both languages."""
    blog = root / "content" / "blog"
    english = sorted(blog.glob("*.en.md"))
    english[0].write_text(english[0].read_text(encoding="utf-8").replace("English 1", "Changed"), encoding="utf-8")
    english[1].unlink()
    for index, post in enumerate(sorted(p for p in blog.glob("*.md") if not p.name.endswith(".en.md"))):
        text = post.read_text(encoding="utf-8")
        if index % 2:
            post.write_text(text.replace("title: \"", "title: \"Neu: ", 1), encoding="utf-8")
        if index % 4 == 0:
            post.unlink()
    for extra in range(3):
        (blog / f"2024-01-0{extra + 1}-extra-{extra}.md").write_text(
            f"---\ntitle: Extra {extra}\ntopic: story\n---\nNeu.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Any]:
    """Sites A and B sharing one state folder (so cards come from its cache), each built once
    into an empty folder: the clean builds every interrupted one is compared with."""
    root = tmp_path_factory.mktemp("versions")
    site_a = generate(8, root / "site-a", seed=7)
    _with_translations(site_a)
    site_b = root / "site-b"
    shutil.copytree(site_a, site_b)
    _site_version(site_b)
    state = root / "state"
    for name, site in (("a", site_a), ("b", site_b)):
        _build(site, root / f"clean-{name}", state)
    shutil.copytree(root / "clean-a", root / "b-over-a")
    renames = len(_build(site_b, root / "b-over-a", state).changed)
    return {"site-a": site_a, "site-b": site_b, "state": state, "clean-a": root / "clean-a",
            "clean-b": root / "clean-b", "renames": renames}


def _build(site: Path, out: Path, state: Path) -> BuildResult:
    return build(load_site(site, {"build": {"state_dir": str(state), "jobs": 1}}), out)


def _killed_build(site: Path, out: Path, state: Path, point: str, how: str = "SIGKILL") -> int:
    """The real CLI, sent `how` by its own test hook at `point` of putting files in place."""
    process = subprocess.run([sys.executable, "-m", "syndicate", "build", "--site", str(site), "--out", str(out),
                              "--state-dir", str(state), "--jobs", "1"], capture_output=True, text=True,
                             env={**os.environ, "SYNDICATE_TEST_KILL_AT": f"{point}@{how}"}, timeout=120)
    if how == "SIGKILL":
        assert process.returncode == -signal.SIGKILL, f"the build never reached {point}: {process.stderr}"
    return process.returncode


def _every_file(folder: Path) -> dict[str, str]:
    """Every file, hidden ones too, but the lock: a journal or a temporary left over counts."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK}


# Every phase of putting a build in place: before the first rename, between renames, after the
# last rename (before the files of deleted posts go), between deletions and the manifest, after
# the manifest (before the journal goes).
KILL_POINTS = ["before-renames", "renamed:1", "renamed:last", "removed:1", "after-manifest"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_at_any_phase_is_healed_by_the_next_whatever_it_builds(versions, tmp_path, point):
    """Version A is built; a build of version B is killed at `point`. The next build, of B or of
    A again (a reverted edit), gives exactly the folder a clean build gives, byte for byte:
    nothing stale, no orphan of B, no temporary file, no journal."""
    assert versions["renames"] > 4
    point = point.replace("last", str(versions["renames"]))
    killed = tmp_path / "killed"
    shutil.copytree(versions["clean-a"], killed)
    _killed_build(versions["site-b"], killed, versions["state"], point)

    files_a, files_b = snapshot(versions["clean-a"]), snapshot(versions["clean-b"])
    for rel, digest in snapshot(killed).items():  # meanwhile every file is whole: A's or B's
        assert digest in (files_a.get(rel), files_b.get(rel)), f"{rel} is neither A's nor B's"
    for version in ("a", "b"):
        healed = tmp_path / f"healed-{version}"
        shutil.copytree(killed, healed)
        _build(versions[f"site-{version}"], healed, versions["state"])
        assert _every_file(healed) == _every_file(versions[f"clean-{version}"]), f"killed at {point}, rebuilt {version}"


def test_a_build_terminated_between_renames_removes_its_temporary_files_and_exits_143(versions, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(versions["clean-a"], out)
    assert _killed_build(versions["site-b"], out, versions["state"], "renamed:1", "SIGTERM") == 143
    left = set(_every_file(out))
    assert not [rel for rel in left if TEMP_MARK in rel]
    assert JOURNAL in left  # the next build knows which files to check
    _build(versions["site-b"], out, versions["state"])
    assert _every_file(out) == _every_file(versions["clean-b"])


def test_files_written_by_forked_writers_are_those_written_one_by_one(tmp_path):
    from syndicate.output import PARALLEL_FILES, Output

    items = list(range(PARALLEL_FILES + 50))

    def make(number: int) -> tuple[str, list[bytes]]:
        return f"many/{number % 7}/{number}.txt", [b"piece %d " % number, b"and %d\n" % (number * number)]

    results = {}
    for jobs in (1, 2):
        output = Output(tmp_path / f"jobs-{jobs}")
        made = output.write_many(items, make, jobs)
        output.finish({})
        results[jobs] = (made, output.changed, snapshot(tmp_path / f"jobs-{jobs}"))
    assert results[1] == results[2]
    assert results[2][2]["many/3/10.txt"] == hashlib.sha256(b"piece 10 and 100\n").hexdigest()
    again = Output(tmp_path / "jobs-2")  # the same files again: nothing written, no temporary file left
    again.write_many(items, make, 2)
    again.finish({})
    assert again.changed == [] and not list((tmp_path / "jobs-2").rglob(f"*{TEMP_MARK}*"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_writer_refuses_to_write_one_path_twice_in_a_build(tmp_path, jobs):
    """Two outputs at one path would silently leave only the second: the writer refuses the second
    claim (by `write`, `keep` or the forked writers of `write_many`) and keeps the first."""
    output = Output(tmp_path / "out")
    output.write("meta/a.html", b"first")
    with pytest.raises(SyndicateError) as caught:
        output.write("meta/a.html", b"second")
    assert caught.value.diagnostic.file == "meta/a.html" and "at this one path" in caught.value.diagnostic.message
    with pytest.raises(SyndicateError):
        output.keep("meta/a.html", "0" * 64)
    items = ["feeds/7.xml"] + [f"feeds/{n}.xml" for n in range(PARALLEL_FILES)]
    with pytest.raises(SyndicateError):
        output.write_many(items, lambda rel: (rel, rel.encode()), jobs)
    output.finish({"files": {}})
    assert (tmp_path / "out" / "meta" / "a.html").read_bytes() == b"first"
    assert not [p for p in (tmp_path / "out").rglob(f"*{TEMP_MARK}*")]
