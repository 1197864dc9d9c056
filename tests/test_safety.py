"""One post's failure stays that post's: it is an error naming the post and the post is left out
of every output, the others are built (exit 1). A failure outside per-post work is one short
internal error (exit 1); `--json` always prints its report; no temporary file is left behind."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli, write_site

from syndicate import build, load_site
from syndicate.atomic import TEMP_MARK
from syndicate.cli import main

POSTS = {
    "2020-01-01-eins.md": "---\ntitle: Eins\ntopic: story\n---\nErster Beitrag.\n",
    "2020-01-02-zwei.md": "---\ntitle: Zwei\ntopic: story\n---\nZweiter Beitrag.\n",
    "2020-01-03-drei.md": "---\ntitle: Drei\ntopic: event\n---\nDritter Beitrag.\n",
}
VICTIM = "content/blog/2020-01-02-zwei.md"

# Where an unforeseen bug could strike one post: (module, function, how the error names the stage)
STAGES = [
    ("syndicate.site", "interpret", "reading it"),
    ("syndicate.render", "render_body", "rendering its body"),
    ("syndicate.cards", "card_spec", "preparing its share card"),
    ("syndicate.cards.composition", "compose", "drawing its share card"),
    ("syndicate.build", "meta_tags", "writing its meta tags"),
    ("syndicate.feeds", "make_item", "making its feed entry"),
    ("syndicate.feeds.feedxml", "feed_entry", "writing its feed entry"),
    ("syndicate.feeds.jsonfeed", "item_object", "writing its feed entry"),
    ("syndicate.feeds.page", "entry_html", "writing its entry on a feed's page"),
    ("syndicate.build", "post_digest", "listing it in the manifest"),
]


def inject_bug(monkeypatch, module_name: str, function: str) -> None:
    """`function` raises for the victim post only, as a bug triggered by one post's data would."""
    module = importlib.import_module(module_name)
    original = getattr(module, function)

    def broken(*args, **kwargs):
        if any(getattr(arg, "source", None) == VICTIM or arg == VICTIM for arg in args):
            raise RuntimeError("injected")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, function, broken)


def everything(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("module, function, stage", STAGES, ids=[f"{m}.{f}" for m, f, _ in STAGES])
def test_a_bug_in_one_posts_handling_leaves_out_that_post_only(tmp_path, monkeypatch, module, function, stage):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "jobs": 1}}), out)
    assert any(rel.startswith("cards/blog/zwei.") for rel in everything(out))  # a good build first

    shutil.rmtree(out / "feeds")  # so the feeds are written again, not kept
    inject_bug(monkeypatch, module, function)  # and a build with no card cache, so cards are drawn
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "fresh"), "jobs": 1}}), out)

    errors = [d for d in result.diagnostics if d.level == "error"]
    assert [(d.file, d.message.split(";")[0]) for d in errors] == [
        (VICTIM, f"internal error while {stage}: RuntimeError: injected")]
    assert result.failed
    files = everything(out)
    assert not [rel for rel in files if "zwei" in rel]  # its card and meta tags are gone, as for a deleted post
    assert not [rel for rel, data in files.items() if rel.startswith("feeds/") and b"Zwei" in data]
    assert {"meta/blog/eins.html", "meta/blog/drei.html"} <= set(files)
    assert {rel.split(".")[0] for rel in files if rel.startswith("cards/blog/")} == {"cards/blog/eins", "cards/blog/drei"}
    assert all(b"Eins" in files[f"feeds/{name}"] for name in ("atom.xml", "rss.xml", "feed.json"))
    manifest = json.loads(files["manifest.json"])
    assert [post["slug"] for post in manifest["posts"]] == ["drei", "eins"]
    assert set(manifest["files"]) == set(files) - {"manifest.json", ".syndicate.lock"}


WORKER_STAGES = [stage for stage in STAGES if stage[1] in ("feed_entry", "item_object", "entry_html", "render_body")]


@pytest.mark.parametrize("module, function, stage", WORKER_STAGES, ids=[f"{m}.{f}" for m, f, _ in WORKER_STAGES])
def test_a_bug_in_one_posts_handling_in_a_worker_process_leaves_out_that_post_only(tmp_path, monkeypatch, module,
                                                                                     function, stage):
    """The same where the work is shared out to forked processes (as for a large site): a body
    rendered where it is parsed, a batch of feed entries, a feed page made by a forked writer."""
    monkeypatch.setattr("syndicate.feeds.entries.PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr("syndicate.output.PARALLEL_FILES", 0)
    monkeypatch.setattr("syndicate.workers.start_context", lambda: multiprocessing.get_context("fork"))
    inject_bug(monkeypatch, module, function)  # before the workers fork: they have it too
    site = write_site(tmp_path / "site", POSTS)
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "jobs": 2, "cards": False}}),
                   tmp_path / "out")
    errors = [d for d in result.diagnostics if d.level == "error"]
    assert [(d.file, d.message.split(";")[0]) for d in errors] == [
        (VICTIM, f"internal error while {stage}: RuntimeError: injected")]
    files = everything(tmp_path / "out")
    assert not [rel for rel, data in files.items() if b"Zwei" in data]
    assert all(b"Eins" in files[f"feeds/{name}"] and b"Drei" in files[f"feeds/{name}"]
               for name in ("atom.xml", "rss.xml", "feed.json"))
    assert set(json.loads(files["manifest.json"])["files"]) == set(files) - {"manifest.json", ".syndicate.lock"}
    assert not list((tmp_path / "state" / "cache").glob("feed-entries-*"))  # the scratch files are gone


@pytest.mark.parametrize("front", [f"slug: {'s' * 240}", f"slug: {'ü' * 120}", f"url: /blog/{'u' * 218}/"])
def test_a_url_segment_too_long_for_a_file_name_is_an_error_when_the_post_is_read(tmp_path, front):
    """Found by the mutation fuzzer: the card's name was refused only when it was written (so
    `check` passed the site), and taking back the post's meta tags then escaped the safety net."""
    site = write_site(tmp_path / "site", {**POSTS, "2020-01-04-lang.md": f"---\ntitle: Lang\n{front}\n---\nText.\n"})
    checked = load_site(site)
    error, = checked.diagnostics
    assert (error.file, error.line, error.level) == ("content/blog/2020-01-04-lang.md", 3, "error")
    assert "bytes, longer than the 217 its card's and meta tags' file names can take" in error.message
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state")}}), tmp_path / "out")
    assert [str(d) for d in result.diagnostics] == [str(error)]
    assert [post["slug"] for post in result.manifest["posts"]] == ["drei", "zwei", "eins"]


def test_a_worker_process_that_dies_while_reading_loses_no_post(tmp_path, monkeypatch):
    """A worker killed mid-chunk (out of memory, a crash in a C extension) breaks the whole pool:
    every chunk is read again in the build's own process, where each post is under the net."""
    import syndicate.site

    posts = {f"2020-01-01-post-{n:03d}.md": f"---\ntitle: Post {n}\n---\nText {n}.\n" for n in range(310)}
    site = write_site(tmp_path / "site", posts)
    parent, parse = os.getpid(), syndicate.site._parse

    def dies_in_a_worker(page, *args):
        if os.getpid() != parent and page.source.endswith("post-123.md"):
            os._exit(9)
        return parse(page, *args)

    monkeypatch.setattr(syndicate.site, "_parse", dies_in_a_worker)
    monkeypatch.setattr("syndicate.workers.start_context", lambda: multiprocessing.get_context("fork"))
    loaded = load_site(site, {"build": {"jobs": 2, "cards": False}})
    assert len(loaded.posts) == 310 and not loaded.diagnostics


def test_a_failure_outside_per_post_work_is_one_error_and_leaves_the_last_build(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    state = str(tmp_path / "state")
    assert run_cli("build", "--site", str(site), "--out", str(out), "--state-dir", state).returncode == 0
    before = everything(out)
    # A new topic needs a new feed folder, where something else already stands.
    (site / "content" / "blog" / "2020-01-04-vier.md").write_text("---\ntitle: Vier\ntopic: neu\n---\nText.\n")
    (out / "feeds" / "topic" / "neu").write_text("not a folder")
    result = run_cli("build", "--site", str(site), "--out", str(out), "--state-dir", state, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["diagnostics"][-1]["file"].endswith("feeds/topic/neu")
    assert "nothing was published" in report["diagnostics"][-1]["message"]
    assert "Traceback" not in result.stderr
    after = everything(out)
    del after["feeds/topic/neu"]
    assert after == before  # no temporary file, nothing half-replaced


def test_an_unforeseen_exception_in_a_command_is_a_short_internal_error(monkeypatch, tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    monkeypatch.setattr("syndicate.cli.load_site", lambda **kwargs: 1 / 0)
    for as_json in (True, False):
        result = CliRunner().invoke(main, ["check", "--site", str(site), *(["--json"] if as_json else [])])
        assert result.exit_code == 1
        output = result.stdout if as_json else result.stderr
        assert "internal error: ZeroDivisionError: division by zero. This is a bug in syndicate" in output
        assert "Traceback" not in result.output
        if as_json:
            assert json.loads(result.stdout)["diagnostics"][0]["file"] == "syndicate"


@pytest.mark.parametrize("args, message", [
    (["build", "--jobs", "-1"], "Invalid value for '--jobs': -1 is not in the range x>=0."),
    (["build", "--no-such-flag"], "No such option '--no-such-flag'."),
    (["ping", "--port", "1"], "No such option '--port'. (Did you mean one of: '--out', '--soft'?)"),
])
def test_usage_errors_under_json_are_a_json_report(args, message):
    result = run_cli(*args, "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["diagnostics"] == [{"file": "command line", "line": None, "level": "error", "message": message}]
    assert report["usage"].startswith("Usage: ")
    plain = run_cli(*args)
    assert plain.returncode == 2 and plain.stdout == "" and message in plain.stderr


def test_no_temporary_file_survives_a_build(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    build(load_site(site, {"build": {"state_dir": str(tmp_path / "state")}}), tmp_path / "out")
    assert not [p for p in (tmp_path / "out").rglob("*") if TEMP_MARK in p.name]


def test_a_post_cache_that_cannot_be_written_is_a_warning_and_the_build_goes_on(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    state = tmp_path / "state"
    state.mkdir()
    (state / "cache").write_text("a file where the cache's folder belongs")
    result = run_cli("build", "--site", str(site), "--state-dir", str(state), "--no-cards", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    warning, = report["diagnostics"]
    assert warning["level"] == "warning" and warning["file"] == str(state / "cache" / "posts.pickle")
    assert warning["message"].startswith("the post cache cannot be written (")
    assert report["posts"] == 3


# ---------------------------------------------------------------- found by the fuzzers

@pytest.mark.parametrize("config", [
    'baseURL = "https://blog.example.org/"\ntitle = "\\u0095"\n',      # a C1 control only: cleaned away
    'baseURL = "https://blog.example.org/"\ntitle = "\\uffff"\n',      # a noncharacter only
])
def test_a_site_title_of_control_characters_only_gives_feeds_titled_by_the_host(tmp_path, config):
    """Found by the fuzzer: the feed writer refused an empty title, and the culprit search blamed
    the first post for it (alone, it broke the document too)."""
    site = write_site(tmp_path / "site", POSTS)
    (site / "syndicate.toml").unlink()
    (site / "hugo.toml").write_text(config, encoding="utf-8")
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "cards": False}}),
                   tmp_path / "out")
    assert not [d for d in result.diagnostics if d.level == "error"]
    assert len(result.manifest["posts"]) == 3
    assert b"<title>My Blog</title>" in (tmp_path / "out" / "feeds" / "rss.xml").read_bytes()


def test_an_empty_site_title_in_syndicate_toml_gives_feeds_titled_by_the_host(tmp_path):
    site = write_site(tmp_path / "site", POSTS, config='[site]\nbase_url = "https://blog.example.org/"\ntitle = ""\n')
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "cards": False}}),
                   tmp_path / "out")
    assert not [d for d in result.diagnostics if d.level == "error"]
    atom = (tmp_path / "out" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "<title>blog.example.org</title>" in atom and "<name>blog.example.org</name>" in atom


def test_control_characters_in_the_settings_are_cleaned_where_they_are_read(tmp_path):
    site = write_site(tmp_path / "site", POSTS)
    (site / "syndicate.toml").unlink()
    (site / "hugo.toml").write_text('baseURL = "https://blog.example.org/"\ntitle = "Ti\\u0000tel \\u001b[31mrot"\n'
                                    '[params]\nauthor = "Au\\u0085tor"\n', encoding="utf-8")
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "cards": False}}),
                   tmp_path / "out")
    assert result.manifest["site"]["title"] == "Titel rot"
    meta = (tmp_path / "out" / result.manifest["posts"][0]["meta"]).read_text(encoding="utf-8")
    assert 'property="og:site_name" content="Titel rot"' in meta and 'content="Autor"' in meta


def test_main_sections_that_are_no_folder_names_are_ignored_or_a_settings_error(tmp_path):
    """Found by the fuzzer: params.mainSections of maps became folder names, and one longer than a
    file system holds crashed the build (ENAMETOOLONG) instead of a settings error."""
    site = write_site(tmp_path / "site", POSTS)
    (site / "syndicate.toml").unlink()
    (site / "hugo.yaml").write_text("baseURL: https://blog.example.org/\nparams:\n  mainSections: [{a: 1}, 7]\n")
    assert load_site(site).settings.posts_from.startswith("the first usual blog folder")
    (site / "hugo.yaml").write_text(f"baseURL: https://blog.example.org/\nparams:\n  mainSections: [{'x' * 300}]\n")
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "hugo.yaml: error: the posts folder 'content/xxx" in result.stderr
    assert "is no name a file system can hold; set [content] posts" in result.stderr


def test_a_second_index_file_of_a_bundle_in_one_language_is_named_by_a_note(tmp_path):
    """Found by the fuzzer: index.EN.md and index.md are both English; Hugo publishes the first by
    name and keeps the other as a resource, which syndicate did without a word."""
    dated = "---\ntitle: {}\ndate: 2020-01-01\n---\nText.\n"
    site = write_site(tmp_path / "site", {"x/index.md": dated.format("Eins"), "x/index.EN.md": dated.format("Zwei")})
    loaded = load_site(site)
    assert [post.source for post in loaded.posts] == ["content/blog/x/index.EN.md"]
    note, = loaded.diagnostics
    assert (note.file, note.level) == ("content/blog/x/index.md", "note")
    assert note.message.startswith("is not published: index.EN.md is this bundle's page in its language")


def test_a_file_that_cannot_be_written_is_an_error_for_its_post_and_never_listed_in_the_manifest(tmp_path):
    """Found by the fuzzer: a card whose write failed stayed in the manifest's files (the writer
    listed it before writing), so the manifest claimed a file that was not there."""
    site = write_site(tmp_path / "site", POSTS)
    out = tmp_path / "out"
    (out / "cards").mkdir(parents=True)
    (out / "cards" / "blog").write_text("a file where the cards' folder belongs")
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state"), "jobs": 1}}), out)
    errors = [d for d in result.diagnostics if d.level == "error"]
    assert sorted(d.file for d in errors) == sorted(f"content/blog/{name}" for name in POSTS)
    assert all(d.message.startswith(f"writing its share card: {out / 'cards' / 'blog'}: ") for d in errors)
    assert "bug" not in errors[0].message
    assert result.manifest["posts"] == []
    assert set(result.manifest["files"]) == set(everything(out)) - {"manifest.json", ".syndicate.lock"}


@pytest.mark.parametrize("name, front, problem", [
    ("%2e%2e.md", "", "has the segment '..', a dot segment to browsers"),
    ("x.md", "url: /x/%2e%2e/%2e%2e/y/\n", "has the segment '..', a dot segment to browsers"),
    ("x.md", "slug: '%2ewell-known'\n", "has the hidden segment '.well-known'"),
    ("x.md", "slug: 'a%00b'\n", "has the segment 'a\\x00b' with a control character in it"),
])
def test_a_url_whose_decoded_segments_cannot_name_files_is_an_error_when_read(tmp_path, name, front, problem):
    """Found by the fuzzer: the file `%2e%2e.md` is at /blog/%2e%2e/, which browsers read as
    /blog/../; its card and meta files were hidden as `...jpg`, and `a%00b` crashed their writing."""
    site = write_site(tmp_path / "site", {**POSTS, name: f"---\ntitle: X\n{front}---\nText.\n"})
    error, = (d for d in load_site(site).diagnostics if d.level == "error")
    assert error.file == f"content/blog/{name}" and problem in error.message
    result = build(load_site(site, {"build": {"state_dir": str(tmp_path / "state")}}), tmp_path / "out")
    assert len(result.manifest["posts"]) == 3 and not [d for d in result.diagnostics if "internal" in d.message]


@pytest.mark.parametrize("files", [["x/index.md", "x/index.fr.md"], ["y/index.fr.md"]])
def test_a_bundle_page_in_a_disabled_language_is_named_by_a_note_once(tmp_path, files):
    """Found by the fuzzer: index.fr.md of a bundle, with fr in disableLanguages, was counted a
    resource without a word (a file outside bundles had its note)."""
    site = write_site(tmp_path / "site", {name: POSTS["2020-01-01-eins.md"] for name in files})
    (site / "syndicate.toml").unlink()
    (site / "hugo.toml").write_text('baseURL = "https://blog.example.org/"\ndisableLanguages = ["fr"]\n'
                                    '[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n')
    loaded = load_site(site)
    notes = [(d.file, d.message) for d in loaded.diagnostics if d.level == "note"]
    assert notes == [(f"content/blog/{files[-1]}", "is in the disabled language 'fr' (disableLanguages); Hugo "
                      "publishes nothing of it")]
    assert loaded.summary.left_out == {"disabled languages": 1} and loaded.summary.resources == 0
