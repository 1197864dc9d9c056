"""Fuzzing syndicate's build: whole generated Hugo sites (a hypothesis strategy) and mutated real
sites (the corpus), each built for real and checked against one property:

    the build never raises (a settings error is a SyndicateError naming its file); every page file
    of the posts sections is published or has a diagnostic naming it; every output parses (feeds
    as XML or JSON, feed pages as HTML5, meta tags as tags, cards as 1200×630 JPEGs, the manifest
    as JSON listing exactly the files there); `check` reports exactly the errors `build` does;
    building again changes nothing; no temporary file or journal is left.

A failure that the build's safety net caught (an "internal error" diagnostic) is a finding too:
the net kept the build alive, but the bug is there. Used by `python bench/run.py fuzz` (bounded
time) and by tests/test_fuzz.py (a short fixed-seed slice).

What the generated sites hold is what the loader reads (issue 9): a Hugo config as hugo.toml,
hugo.yaml, config.json or a config folder with an environment; one to three languages (by file
name or by content folder, default language in a subfolder or not); permalinks, uglyURLs, path
options, taxonomies, the front-matter date order, ignoreFiles; pages as files (.md, .markdown,
.mdown, .html, .htm, .adoc), translation files (post.de.md), leaf bundles with resources (cover
images, broken images, Markdown resources, nested bundles), section pages with cascade and
_target; front matter in YAML, TOML and JSON of any shape, with the keys Hugo gives meaning to
(_build, headless, expiryDate, translationKey, images, cover, authors, …).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
import re
import shutil
import string
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
# The real Hugo sites of ../shared/corpus: name → site root.
CORPUS_SITES = {"codefor.de": "codefor.de", "nats.io": "nats.io", "tidyverse.org": "tidyverse.org",
                "ropensci.org": "ropensci.org", "linkerd.io": "linkerd.io/linkerd.io"}
BASE_URL = "https://fuzz.example.org/"  # given to corpus sites as their host would (some say "/")
# Zones at the edges: +14 and -12 hours, +05:45, and Berlin (+00:53:28 before 1893).
ZONES = ("UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu")
DEEP = "\0deep"  # the nesting depth _front_matter writes as text
META_LINE = re.compile(r'<meta (property|name)="[^"<>&]*" content="[^"<>]*">'
                       r'|<link rel="alternate" hreflang="[^"<>&]*" href="[^"<>]*">')
PAGE_EXTENSIONS = {"md", "markdown", "mdown", "html", "htm", "adoc", "asciidoc", "ad", "rst", "pandoc", "pdc",
                   "org", "ipynb"}
TEXT_EXTENSIONS = (".md", ".markdown", ".mdown", ".html", ".htm")


# ---------------------------------------------------------------- the property

@dataclass(frozen=True)
class Finding:
    kind: str            # exception, internal error, unreported post, unparsable output, not deterministic, …
    where: str           # the innermost syndicate frame, or the output file
    detail: str
    source: str = ""     # the post file, when one is to blame

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two findings the same bug."""
        return self.kind, self.where, self.detail.split(":")[0]


@dataclass
class Checked:
    """What one site's check found, and how much of it got through to be checked."""
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0
    published: int = 0
    settings_error: bool = False


class _Tracebacks(logging.Handler):
    """The tracebacks the safety net logs, by post source."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_source: dict[str, BaseException] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.args:
            self.by_source[str(record.args[-1])] = record.exc_info[1]


def build_and_check(site: Path, out: Path, state: Path, cards: bool = False,
                    base_url: str | None = None) -> Checked:
    """Check the site (`syndicate check`'s API), build it twice (the second from the post cache)
    and check the property."""
    from syndicate import SyndicateError, build, load_site

    overrides: dict[str, dict[str, Any]] = {
        "build": {"state_dir": str(state), "jobs": 1, "drafts": True, "future": True, "cards": cards}}
    if base_url:
        overrides["site"] = {"base_url": base_url}
    tracebacks = _Tracebacks()
    logger = logging.getLogger("syndicate")
    logger.addHandler(tracebacks)
    try:
        checked = load_site(site, overrides)
        result = build(load_site(site, overrides, use_cache=True), out)
        again = build(load_site(site, overrides, use_cache=True), out)
    except SyndicateError as exc:  # a settings error: exit 2 with the file named, as promised
        if not exc.diagnostic.file:
            return Checked([Finding("settings error without a file", "load_settings", str(exc))])
        return Checked(settings_error=True)
    except Exception as exc:
        return Checked([Finding("exception", innermost(exc), describe(exc))])
    finally:
        logger.removeHandler(tracebacks)
    findings = []
    for diagnostic in result.diagnostics:
        if diagnostic.message.startswith("internal error"):
            caught = tracebacks.by_source.get(diagnostic.file)
            where = innermost(caught) if caught else "?"
            findings.append(Finding("internal error", where, diagnostic.message.split("; this post")[0],
                                    diagnostic.file))
    published = {post["source"] for post in result.manifest["posts"]}
    named = {d.file for d in result.diagnostics}
    pages = page_files(result.manifest, checked.settings)
    for source in sorted(pages - published - named):
        findings.append(Finding("unreported post", "load_site", "neither published nor named by a diagnostic",
                                source))
    findings += _check_reports_what_build_does(checked.diagnostics, result.diagnostics)
    findings += check_outputs(out)
    if again.changed:
        findings.append(Finding("not deterministic", again.changed[0], f"a second build rewrote {again.changed}"))
    return Checked(findings, len(pages), len(published))


def _check_reports_what_build_does(checked, built) -> list[Finding]:
    """`syndicate check` promises the errors `build` would report (a build adds its own only for
    what it writes: cards and internal errors, which are findings of their own)."""
    def errors(diagnostics) -> set[tuple[str, str]]:
        return {(d.file, d.message) for d in diagnostics if d.level == "error"
                and not d.message.startswith("internal error")}

    missed = sorted(errors(built) - errors(checked))
    return [Finding("check misses an error", "load_site", message.split(":")[0][:60], file)
            for file, message in missed]


def page_files(manifest: dict[str, Any], settings: Any) -> set[str]:
    """Every file of the posts folders that Hugo would make a page of, found here independently of
    the loader: content files but section pages (_index), hidden and ignored files, and the files
    inside a leaf bundle other than its index (index.xx.md, with xx no language, is a resource:
    checked with Debian's hugo)."""
    ignore = [re.compile(pattern) for pattern in settings.hugo.ignore_files]
    languages = {language.key for language in settings.languages} | set(settings.hugo.disabled_languages)
    pages = set()
    for folder in settings.posts_dirs:
        pages |= _pages_in(folder, settings.root, ignore, languages)
    return pages


def _pages_in(folder: Path, root: Path, ignore: list[re.Pattern[str]], languages: set[str]) -> set[str]:
    if not folder.is_dir() or folder.is_symlink():
        return set()
    entries = sorted(folder.iterdir())
    visible = [e for e in entries if not e.name.startswith((".", "#")) and not e.name.endswith("~")
               and not any(pattern.search(str(e)) for pattern in ignore)]
    pages = {e for e in visible if e.is_file() and _is_page_file(e)}
    indexes = {e for e in pages if _stem(e.name, languages) == "index"}
    if indexes:  # a leaf bundle: only its index files are pages
        return {e.relative_to(root).as_posix() for e in indexes}
    found = {e.relative_to(root).as_posix() for e in pages if _stem(e.name, languages) != "_index"}
    for entry in visible:
        if entry.is_dir():
            found |= _pages_in(entry, root, ignore, languages)
    return found


def _stem(name: str, languages: set[str]) -> str:
    """`post.de.md` → `post` when de is a language; `post.xx.md` → `post.xx`."""
    stem = name.rsplit(".", 1)[0]
    base, _, suffix = stem.rpartition(".")
    return base if base and suffix.lower() in languages else stem


def _is_page_file(file: Path) -> bool:
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in PAGE_EXTENSIONS:
        return False
    if extension in ("html", "htm"):  # Hugo makes a page of an .html file only with front matter
        head = file.read_bytes()[:512].lstrip(b"\xef\xbb\xbf").lstrip()
        return head.startswith((b"---", b"+++", b"{"))
    return True


def check_outputs(out: Path) -> list[Finding]:
    """Every file the manifest lists is there with its sha256 and parses as what it is."""
    import html5lib
    from lxml import etree
    from PIL import Image

    findings = []
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [Finding("unparsable output", "manifest.json", describe(exc))]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
    left = [p.name for p in out.rglob(".*") if p.name != ".syndicate.lock"]
    if left:  # a temporary file or the journal of a build that did finish
        findings.append(Finding("unparsable output", "output folder", f"left behind: {left[:3]}"))
    if set(manifest["files"]) != on_disk - {"manifest.json"}:
        findings.append(Finding("unparsable output", "manifest.json", "files listed differ from files on disk: "
                                f"{sorted(set(manifest['files']) ^ (on_disk - {'manifest.json'}))[:5]}"))
    for rel, digest in manifest["files"].items():
        if not (out / rel).is_file():
            continue  # reported above
        data = (out / rel).read_bytes()
        try:
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError("sha256 differs from the manifest's")
            if rel.endswith((".xml", ".xsl")):
                etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            elif rel.endswith(".json"):
                json.loads(data)
            elif rel.startswith("meta/"):
                bad = [line for line in data.decode("utf-8").splitlines() if not META_LINE.fullmatch(line)]
                if bad:
                    raise ValueError(f"not a meta tag: {bad[0][:120]!r}")
            elif rel.endswith(".html"):  # a page: HTML5 without a parse error
                html5lib.HTMLParser(strict=True).parse(data.decode("utf-8"))
            elif rel.endswith(".jpg"):
                with Image.open(io.BytesIO(data)) as image:
                    if image.format != "JPEG" or image.size != (1200, 630):
                        raise ValueError(f"{image.format} {image.size}")
                    image.load()
        except Exception as exc:  # the finding records it
            findings.append(Finding("unparsable output", rel.split("/")[0], describe(exc)))
    return findings


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def innermost(exc: BaseException) -> str:
    """The innermost frame of syndicate's own code: where the bug is."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if "/syndicate/" in frame.filename]
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{frame.filename.split('/syndicate/', 1)[1]}:{frame.lineno} in {frame.name}"


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "content").mkdir(parents=True, exist_ok=True)
    return root


def content_files(site: Path) -> list[Path]:
    """The site's content files that could be pages (for isolating the one behind a finding)."""
    return sorted(p for p in (site / "content").rglob("*") if p.is_file() and p.name.split(".")[0] != "_index"
                  and "." in p.name and p.name.rsplit(".", 1)[1].lower() in PAGE_EXTENSIONS)


# ---------------------------------------------------------------- mutations of real sites

def corpus_sites() -> dict[str, Path]:
    """The corpus sites present (none when ../shared/corpus is absent)."""
    return {name: CORPUS / root for name, root in CORPUS_SITES.items() if (CORPUS / root / "content").is_dir()}


@lru_cache(maxsize=None)
def _units(site_root: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """A corpus site's pages as units to sample (a file, or a bundle folder) and its section pages."""
    units, sections = [], []
    for section in sorted(p for p in (site_root / "content").iterdir() if p.is_dir()):
        for entry in sorted(section.iterdir()):
            (sections if entry.name.startswith("_index.") else units).append(entry)
    return tuple(units), tuple(sections)


@lru_cache(maxsize=None)
def _texts(site_root: Path) -> tuple[bytes, ...]:
    """Some of the site's content files, as bytes: what a splice takes from."""
    units, _ = _units(site_root)
    files = [p for unit in units[::7] for p in ([unit] if unit.is_file() else unit.rglob("*"))
             if p.is_file() and p.suffix in TEXT_EXTENSIONS]
    return tuple(p.read_bytes() for p in files[:120])


def mutated_corpus_site(rng: random.Random, dest: Path, size: int) -> tuple[Path, str]:
    """A copy of a random corpus site's config with `size` of its pages (files or whole bundles),
    most of their content files mutated, some renamed; now and then its config or section pages
    mutated too. Returns the site and the corpus site's name."""
    name, source = rng.choice(sorted(corpus_sites().items()))
    dest.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_file() and entry.suffix in (".toml", ".yaml", ".yml", ".json"):
            shutil.copyfile(entry, dest / entry.name)
        elif entry.name == "config" and entry.is_dir():
            shutil.copytree(entry, dest / "config")
    units, sections = _units(source)
    texts = _texts(source)
    chosen = rng.sample(units, min(size, len(units)))
    for unit in [*sections, *chosen]:
        files = [unit] if unit.is_file() else [p for p in unit.rglob("*") if p.is_file() and p.stat().st_size < 2 ** 20]
        for file in files:
            target = dest / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = file.read_bytes()
            mutable = file.suffix in TEXT_EXTENSIONS and (unit in chosen or rng.random() < 0.1)
            if mutable and rng.random() < 0.8:
                data = mutate(data, rng, rng.choice(texts) if texts else b"")
            if unit in chosen and file.suffix in TEXT_EXTENSIONS and rng.random() < 0.15:
                target = target.with_name(mutated_name(rng, target.name))
            target.write_bytes(data)
    if rng.random() < 0.1:
        configs = [p for p in dest.rglob("*") if p.is_file() and p.suffix in (".toml", ".yaml", ".yml", ".json")
                   and "content" not in p.relative_to(dest).parts]
        if configs:
            config = rng.choice(configs)
            config.write_bytes(mutate(config.read_bytes(), rng))
    return dest, name


INTERESTING = [b"---", b"+++", b"{{< ref \"", b"{{% ", b">}}", b"&a ", b"*a", b"<<: *a", b": ", b"\t", b"\"", b"'",
               b"[", b"{", b"\x00", b"\xe2\x80\xae", b"\xff\xfe", b"\r", b"9999-12-31T23:59:59-00:20", b"0001-01-01",
               b"1850-01-01", b"1e400", b"-0", b"!!binary aGk=", b"!!python/object:os.system", b"<script>", b"]]>",
               b"\\", b"date: ", b"slug: ", b"url: /../../x", b"title: ", b"topic: ", b"\xf0\x9f\x8e\x89",
               b"\xcc\x81" * 50, b"\nlastmod: 9999-12-31T23:59:59-00:20\n", b"\ndate: 0001-01-01\n",
               b"\ndate: 1850-01-01\n", b"\nx: " + b"[" * 700 + b"]" * 700 + b"\n",
               b"\nslug: " + b"s" * 240 + b"\n", b"\nslug: " + "ü".encode() * 130 + b"\n",
               b"\nurl: /" + b"u" * 300 + b"/\n", b"\ntopic: " + b"t " * 200 + b"\n",
               b"\ntags: [" + b"x" * 300 + b"]\n", b"\na: &a [1, 2]\nb: [*a, *a, *a]\n",
               b"\n_build:\n  list: never\n", b"\nheadless: true\n", b"\nexpiryDate: 2000-01-01\n",
               b"\ncascade:\n  draft: true\n", b"\ntranslationKey: k\n", b"\nimages: [../../../etc/passwd]\n",
               b"\nauthors: [a, b]\n", b"\ncover:\n  image: cover.jpg\n", b"{{< youtube ", b"{{< figure src=\"",
               b":rocket:", b"<!--more-->", b"\nurl: /\n", b"\nurl: index.html\n", b"\nslug: .\n",
               b"\nslug: ..\n", b"\nurl: //evil.example/x\n", b"\nurl: feeds/atom.xml\n",
               b"\nurl: /cards/\n", b"\nurl: /manifest.json\n"]


def mutate(data: bytes, rng: random.Random, other: bytes = b"") -> bytes:
    """One to three of: byte flips, truncation, duplicated or dropped lines, swapped or lost
    front-matter delimiters, interesting tokens, a splice with another post."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(10)
        if not data:
            data = other or b"---\n"
        position = rng.randrange(len(data) + 1)
        if kind == 0:  # byte flips
            buffer = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                if buffer:
                    buffer[rng.randrange(len(buffer))] = rng.randrange(256)
            data = bytes(buffer)
        elif kind == 1:  # truncation
            data = data[:position]
        elif kind in (2, 3):  # a line (or block) duplicated or dropped
            lines = data.splitlines(keepends=True)
            if lines:
                start = rng.randrange(len(lines))
                block = lines[start:start + rng.randint(1, 4)]
                lines[start:start] = block * rng.randint(1, 50) if kind == 2 else []
                if kind == 3:
                    del lines[start:start + len(block)]
                data = b"".join(lines)
        elif kind == 4:  # delimiters swapped, lost or doubled
            data = rng.choice([data.replace(b"---", b"+++", 2), data.replace(b"+++", b"---", 2),
                               data.replace(b"---", b"", 1), data.replace(b"---\n", b"---\n---\n", 1),
                               data.replace(b"\n---", b"\n", 1)])
        elif kind == 5:  # an interesting token
            data = data[:position] + rng.choice(INTERESTING) + data[position:]
        elif kind == 6 and other:  # splice
            data = data[:position] + other[rng.randrange(len(other) + 1):]
        elif kind == 7:  # line endings
            data = data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))
        elif kind == 8:  # one front-matter value replaced
            keys = list(re.finditer(rb"^(\w+)[:=] .*$", data, flags=re.M))
            if keys:
                line = rng.choice(keys)
                data = data[:line.start()] + line.group(1) + b": " + rng.choice(INTERESTING) + data[line.end():]
        else:  # the head cut off
            data = data[position:]
    return data


def mutated_name(rng: random.Random, name: str) -> str:
    """Another name for a content file: dates at the edges, language suffixes known and unknown,
    other formats, long, odd and empty stems."""
    stem, _, extension = name.rpartition(".")
    return rng.choice([
        f"{rng.choice(['2020-01-01-', '2021-02-30-', '0001-01-01-', '9999-12-31-', '2019-13-01-'])}{stem}.{extension}",
        f"{stem}.{rng.choice(['en', 'de', 'es', 'fr', 'xx', 'EN'])}.{extension}",
        f"{stem}.{rng.choice(['markdown', 'mdown', 'html', 'htm', 'adoc', 'rst', 'txt'])}",
        f"{'a' * 200}.{extension}", f"Ümlaut Titel {stem}.{extension}", f"emoji-🎉.{extension}", f"%2e%2e.{extension}",
        f"-.{extension}", f"_index.{extension}", f"index.{extension}", f".hidden.{extension}", f"{stem}.{extension}~",
    ])


def batches(seed: int) -> Iterator[random.Random]:
    rng = random.Random(seed)
    while True:
        yield random.Random(rng.getrandbits(64))


# ---------------------------------------------------------------- whole generated sites (hypothesis)

@dataclass(frozen=True)
class GeneratedSite:
    files: dict[str, bytes]
    cards: bool

    def write(self, root: Path) -> Path:
        return write_files(root, self.files)


LANGUAGE_SETS = [("en",), ("en",), ("de", "en"), ("en", "de", "fr")]
PERMALINKS = ["/:year/:month/:slug/", "/blog/:slug/", "/:section/:title/", "/:filename/", "/:year/:yearday/:slug",
              "/:slugorfilename/", "/:sections[1:]/:slug/", "/:2006/:Jan/:_2/:contentbasename/", "/:weekdayname/:title",
              "/x/:nonsense/", "", ":slug", "/:monthname/:title/:slug/:filename/"]
DATE_ORDERS = [[":filename", ":default"], ["lastmod", "date"], [":git", ":fileModTime"], ["publishDate"], [":default"]]
IMAGE_REFERENCES = ["cover.jpg", "feature.png", "thumbnail.jpg", "/blog/missing.png", "../escape.jpg",
                    "../../../etc/passwd", "https://ext.example/x.jpg", "%2e%2e/x.jpg", "", "sub/deeper/pic.jpg",
                    "data:image/png;base64,AAAA", "//cdn.example/x.png", "cover.jpg#frag?q"]
RESOURCES = ["cover.jpg", "feature.png", "thumbnail.jpg", "notes.md", "sub/deeper/index.md", "photo.webp",
             "data.json", "index.xx.md", "cover.de.jpg"]


def site_strategy() -> Any:
    """A whole Hugo site: its config, its pages and section pages, and whether cards are drawn."""
    from hypothesis import strategies as st

    return st.sampled_from(LANGUAGE_SETS).flatmap(lambda languages: st.builds(
        _site, st.just(languages), _config_strategy(languages),
        st.lists(_page_strategy(languages), min_size=1, max_size=5),
        st.lists(_section_page_strategy(languages), max_size=3), st.booleans()))


def _site(languages: tuple[str, ...], config: tuple[str, dict[str, Any], dict[str, str]],
          pages: list[list[tuple[str, bytes]]], sections: list[tuple[str, bytes]], cards: bool) -> GeneratedSite:
    layout, hugo, content_dirs = config
    files: dict[str, bytes] = _config_files(layout, hugo)
    for page in [*sections, *(file for page in pages for file in page)]:
        path, data = page
        language = path.split(".")[-2] if path.count(".") >= 2 else languages[0]
        folder = content_dirs.get(language, "content")
        if folder != "content":  # a language with its own content folder: no suffix there
            path = path.replace(f".{language}.", ".")
        target = f"{folder}/{path}"
        while target in files:
            target = target.replace("/", "/x", 1) if "/" in target else "x" + target
        files[target] = data
    return GeneratedSite(files, cards)


def _config_strategy(languages: tuple[str, ...]) -> Any:
    """(layout, Hugo config as a dict, language → content folder)."""
    from hypothesis import strategies as st

    values = _values()
    text = st.text(max_size=40)
    optional = {
        "uglyURLs": st.one_of(st.booleans(), st.fixed_dictionaries({"blog": st.booleans()})),
        "disablePathToLower": st.booleans(), "removePathAccents": st.booleans(),
        "permalinks": st.one_of(st.fixed_dictionaries({"blog": st.sampled_from(PERMALINKS)}),
                                st.fixed_dictionaries({"page": st.fixed_dictionaries({"blog": st.sampled_from(PERMALINKS)})})),
        "taxonomies": st.one_of(st.sampled_from([{"tag": "tags", "category": "categories"}, {"topic": "topic"}, {},
                                                 {"author": "authors", "tag": "tags"}]), values),
        "frontmatter": st.fixed_dictionaries({"date": st.sampled_from(DATE_ORDERS)}),
        "params": st.dictionaries(st.sampled_from(["author", "description", "images", "mainSections", "social",
                                                   "title", "twitter"]), st.one_of(text, values), max_size=4),
        "enableEmoji": st.booleans(), "enableGitInfo": st.booleans(),
        "ignoreFiles": st.sampled_from([["\\.Rmd$"], ["ignored-"], [], ["ignored-", "\\.Rmd$"], ["(unclosed"]]),
        "mainSections": st.sampled_from([["blog"], ["blog", "news"], "blog", ["nothing"]]),
        "languageCode": st.sampled_from(["de-DE", "en-GB", "", "not a tag!"]),
        "author": st.one_of(text, st.fixed_dictionaries({"name": text}), values),
        "description": st.one_of(text, values),
    }
    if len(languages) > 1:
        optional["defaultContentLanguageInSubdir"] = st.booleans()
        optional["disableLanguages"] = st.sampled_from([[], [languages[-1]], [languages[0]]])
    hugo = st.fixed_dictionaries({
        "baseURL": st.sampled_from(["https://fuzz.example.org/", "https://fuzz.example.org/sub/dir/",
                                    "http://xn--fzz-ooa.example/", "https://fuzz.example.org"] * 3 + ["/"]),
        "title": st.one_of(text, text, text, values),
        "timeZone": st.sampled_from(ZONES),
    }, optional=optional)
    language_entries = st.tuples(*(st.fixed_dictionaries({"weight": st.just(index + 1)}, optional={
        "title": st.one_of(text, values), "languageCode": st.sampled_from(["de-DE", "en-GB", "fr", "", "x y"]),
        "languageName": text, "params": st.dictionaries(st.sampled_from(["author", "description"]), text, max_size=2),
        "contentDir": st.just(f"content/{language}") if index else st.sampled_from(["content"]),
    }) for index, language in enumerate(languages)))

    def assemble(parts: tuple[str, dict[str, Any], tuple[dict[str, Any], ...]]) -> tuple[str, dict, dict]:
        layout, config, entries = parts
        content_dirs = {}
        if len(languages) > 1:
            config = {**config, "defaultContentLanguage": languages[0],
                      "languages": dict(zip(languages, entries))}
            content_dirs = {language: entry.get("contentDir", "content") for language, entry in zip(languages, entries)}
            if any(folder != "content" for folder in content_dirs.values()):  # Hugo: all or none by folder
                content_dirs = {language: f"content/{language}" for language in languages}
                for language, entry in config["languages"].items():
                    entry["contentDir"] = content_dirs[language]
        return layout, config, content_dirs

    layouts = st.sampled_from(["hugo.toml", "hugo.yaml", "config.json", "folder", "config.toml"])
    return st.tuples(layouts, hugo, language_entries).map(assemble)


def _config_files(layout: str, hugo: dict[str, Any]) -> dict[str, bytes]:
    if layout != "folder":
        return {layout: _serialise(layout.rsplit(".", 1)[1], hugo)}
    parts = {"languages": hugo.pop("languages", None), "params": hugo.pop("params", None),
             "permalinks": hugo.pop("permalinks", None)}
    files = {"config/_default/hugo.toml": _serialise("toml", hugo),
             "config/production/params.yaml": _serialise("yaml", {"description": "production"})}
    for name, part in parts.items():
        if part is not None:
            files[f"config/_default/{name}.{'yaml' if name == 'params' else 'toml'}"] = _serialise(
                "yaml" if name == "params" else "toml", part)
    return files


def _serialise(form: str, data: dict[str, Any]) -> bytes:
    if form == "toml":
        return _toml_document(data).encode("utf-8", "surrogatepass")
    if form == "json":
        return json.dumps(data, default=str, indent=2).encode()
    import yaml
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, ValueError):
        return b"title: unrepresentable\n"


def _toml_document(data: dict[str, Any]) -> str:
    """Top-level values first, then a table per map (inner maps inline)."""
    lines = [f"{_toml_key(k)} = {_toml(v)}" for k, v in data.items() if v is not None and not isinstance(v, dict)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{_toml_key(key)}]")
            lines += [f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines) + "\n"


def _page_strategy(languages: tuple[str, ...]) -> Any:
    """The files of one page, under the content folder: a file, a translation, a bundle (with
    resources and maybe a translation), or a page in a nested folder."""
    from hypothesis import strategies as st

    others = [*languages[1:], "xx"]
    return st.builds(
        _page_files, st.sampled_from(["file", "file", "translation", "bundle", "bundle", "nested"]),
        _names(), _post_bytes(), _post_bytes(), st.sampled_from(others),
        st.sampled_from(["md", "md", "md", "markdown", "mdown", "html", "htm", "adoc"]),
        st.lists(st.sampled_from(RESOURCES), max_size=3, unique=True),
        st.sampled_from(["nested/", "deep/er/", "nested/"]), st.sampled_from(["blog", "blog", "blog", "news"]))


def _page_files(kind: str, name: str, post: bytes, translation: bytes, language: str, extension: str,
                resources: list[str], folder: str, section: str) -> list[tuple[str, bytes]]:
    if kind == "file":
        return [(f"{section}/{name}.{extension}", post)]
    if kind == "translation":
        return [(f"{section}/{name}.md", post), (f"{section}/{name}.{language}.md", translation)]
    if kind == "nested":
        return [(f"{section}/{folder}{name}.{extension}", post)]
    files = [(f"{section}/{name}/index.md", post), (f"{section}/{name}/index.{language}.md", translation)]
    return files + [(f"{section}/{name}/{resource}", _resource(resource)) for resource in resources]


def _resource(name: str) -> bytes:
    if name.endswith(".md"):
        return b"---\ntitle: a resource, not a page\n---\nText.\n"
    if name in ("cover.jpg", "feature.png", "cover.de.jpg", "sub/deeper/pic.jpg"):
        return _image("PNG" if name.endswith(".png") else "JPEG")
    return b"\x89PNG not really" if name != "data.json" else b'{"x": 1}'


@lru_cache(maxsize=None)
def _image(kind: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 90)).save(buffer, kind)
    return buffer.getvalue()


def _section_page_strategy(languages: tuple[str, ...]) -> Any:
    """An _index page with a cascade (a map or a list of maps with _target) for the home page, the
    posts section or a folder in it."""
    from hypothesis import strategies as st

    values = _values()
    target = st.fixed_dictionaries({}, optional={
        "path": st.sampled_from(["/blog/**", "/blog/n*", "{/blog/a*,/news/**}", "[", "**", "/blog/nested/*"]),
        "lang": st.sampled_from([*languages, "*", "x"]), "kind": st.sampled_from(["page", "section", "{page,home}"]),
        "environment": st.sampled_from(["production", "development", "{production,staging}"])})
    entry = st.fixed_dictionaries({}, optional={
        "draft": st.one_of(st.booleans(), values), "slug": st.text(max_size=20), "_build": _build_options(),
        "images": st.lists(st.sampled_from(IMAGE_REFERENCES), max_size=2), "date": _date_text(),
        "url": st.sampled_from(["/cascaded/", "/../x/", "relative/"]), "_target": target, "headless": st.booleans(),
        "extra": values})
    front = st.fixed_dictionaries({"title": st.one_of(st.text(max_size=20), values)}, optional={
        "cascade": st.one_of(entry, st.lists(entry, max_size=3), values), "url": st.sampled_from(["/posts/", "/",
                                                                                                 "/../x/"]),
        "headless": st.booleans()})
    places = st.sampled_from(["_index.md", "blog/_index.md", "blog/nested/_index.md", "news/_index.md",
                              f"blog/_index.{languages[-1]}.md", "blog/deep/_index.md"])
    return st.builds(lambda place, data, form: (place, _front_matter(form, data, 0) + b"Section text.\n"),
                     places, front, st.sampled_from(["yaml", "toml", "json"]))


def _build_options() -> Any:
    from hypothesis import strategies as st

    return st.one_of(st.fixed_dictionaries({}, optional={
        "list": st.sampled_from(["always", "never", "local", True, False, "bogus"]),
        "render": st.sampled_from(["always", "never", "link", True, False, "x"]),
        "publishResources": st.booleans()}), _values())


def _date_text() -> Any:
    from hypothesis import strategies as st

    return st.one_of(_moments().map(lambda m: m.isoformat()), _days().map(str), st.sampled_from([
        "2023-11-02T8:00:00+02:00", "2021-02-30", "0000-01-01", "10000-01-01", "2020-01-01 25:00",
        "2020-01-01T00:00:00+24:00", "2020-1-1", "9999-12-31T23:59:59-23:59", "yesterday", "", "1850-01-01",
        "Mon, 02 Jan 2006 15:04:05 MST", "02 Jan 06 15:04 -0700", "2006-01-02 15:04:05.999999999 -0700 MST"]))


def _days() -> Any:
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from([date(1, 1, 1), date(1, 1, 2), date(9999, 12, 31), date(9999, 12, 30),
                                      date(1970, 1, 1), date(2000, 2, 29), date(1893, 3, 31), date(1850, 1, 1)]),
                     st.dates())


def _moments() -> Any:
    from hypothesis import strategies as st

    offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
    return st.one_of(st.builds(lambda d, t, z: datetime.combine(d, t, tzinfo=z), _days(), st.times(),
                               st.one_of(st.none(), offsets)), st.datetimes())


@lru_cache(maxsize=None)
def _values() -> Any:
    """Front-matter values of any shape: every scalar type, nested lists and maps."""
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(), st.booleans(),
        st.integers(), st.sampled_from([10 ** 400, -(10 ** 400), 2 ** 63, -(2 ** 63) - 1, 0]),
        st.floats(), st.sampled_from([5e-324, 1.7976931348623157e308, -0.0]),
        st.text(max_size=40), st.text(string.printable, max_size=40), _days(), _moments(), _date_text(),
        st.sampled_from(["\ud800", "x\udfffy", "\x00", "\x1b[31m", "\u202e", "\ufeff", "]]>", "&amp;"]))
    return st.recursive(scalars, _containers, max_leaves=20)


def _containers(inner: Any) -> Any:
    from hypothesis import strategies as st

    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4))


def _post_bytes() -> Any:
    """A whole content file: front matter as YAML, TOML or JSON of arbitrary structure and every
    scalar type, with the keys Hugo and syndicate give meaning to, then an arbitrary body."""
    from hypothesis import strategies as st

    values = _values()
    titles = st.text(min_size=1, max_size=300)
    text = st.text(max_size=40)
    dates = st.one_of(_days(), _moments(), _date_text(), values)
    image = st.one_of(st.sampled_from(IMAGE_REFERENCES), values)
    known = st.fixed_dictionaries({"title": st.one_of(titles, titles, titles, values)}, optional={
        "date": dates, "lastmod": st.one_of(_moments(), _date_text()), "publishDate": st.one_of(_days(), _date_text()),
        "expiryDate": dates, "slug": st.one_of(st.text(max_size=80), st.sampled_from([".", "..", "a/b", "s" * 240]),
                                               values),
        "url": st.one_of(st.text(max_size=60), st.sampled_from(["/", "/feeds/", "/cards/x.jpg", "//x.org/", "x.html",
                                                                "/a/../../b/", "/" + "u" * 300 + "/"]), values),
        "topic": st.one_of(st.text(max_size=150), st.lists(st.text(max_size=30), max_size=4), values),
        "tags": values, "categories": values, "lab": values, "draft": values, "author": st.one_of(
            text, st.fixed_dictionaries({"name": text}), st.lists(text, max_size=3), values),
        "authors": st.one_of(st.lists(text, max_size=3), values), "excerpt": values, "og-image": image,
        "images": st.one_of(st.lists(image, max_size=3), image), "image": image,
        "cover": st.one_of(st.fixed_dictionaries({"image": image}), image), "featured_image": image,
        "thumbnail": image, "aliases": values, "id": values, "card_focus": values, "summary": values,
        "description": values, "language": values, "_build": _build_options(), "build": _build_options(),
        "headless": st.one_of(st.booleans(), values), "translationKey": st.one_of(text, values),
        "markup": st.one_of(st.sampled_from(["md", "html", "markdown", "pandoc", "goldmark"]), values),
        "params": values, "weight": values, "keywords": values, "isCJKLanguage": values, "outputs": values,
        "cascade": values})
    front = st.tuples(known, st.dictionaries(st.text(max_size=12), values, max_size=5), st.integers(0, 2),
                      st.sampled_from([0, 0, 0, 30, 70, 700])).map(_assemble)
    bodies = st.one_of(st.text(max_size=500), st.lists(st.sampled_from(MARKDOWN), max_size=12).map("\n".join))
    return st.builds(_post, st.sampled_from(["yaml", "yaml", "toml", "json"]), front, bodies,
                     st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())


MARKDOWN = ["# Heading", "text *em* **strong** `code`", "[link](../other/)", "![img](/blog/missing.png)",
            "![bundle](cover.jpg)", "{{< ref \"nowhere.md\" >}}", "{{< relref \"../other\" >}}",
            "{{< figure src=\"x.jpg\" >}}", "{{< youtube id=\"\" >}}", "{{< youtube \"abc\" >}}", "{{< param \"title\" >}}",
            "{{< highlight go >}}x{{< /highlight >}}", "{{< gist user >}}", "{{< x user=\"a\" id=\"1\" >}}",
            "{{% unknown %}}inner{{% /unknown %}}", "{{< details summary=\"s\" >}}d{{< /details >}}", "{{< unclosed",
            ":rocket: :not_an_emoji: :+1:", "<script>alert(1)</script>", "<iframe src=\"https://x.org\"></iframe>",
            "| a | b |\n|---|---|\n| 1 | 2 |", "- [ ] task", "[^1]\n\n[^1]: note", "term\n: definition",
            "```\ncode\n```", "<!--more-->", "]]>", "\x00\x1b[31m", "&amp; &#0; &#xD800;", "> " * 60 + "deep",
            "* " * 300 + "x", "[" * 500, "<https://x.org/a b>", "[x](javascript:alert(1))"]


def _assemble(parts: tuple[dict[str, Any], dict[str, Any], int, int]) -> dict[str, Any]:
    known, extra, shared, depth = parts
    data = {**extra, **known}
    if shared and data:  # one object in two places: YAML writes an anchor and an alias
        first = next(iter(data.values()))
        data["copy"] = first if shared == 1 else {"nested": [first, first]}
    if depth:  # written as text by _front_matter: the serialisers themselves recurse
        data[DEEP] = depth
    return data


def _names() -> Any:
    from hypothesis import strategies as st

    return st.tuples(st.sampled_from(["", "2020-01-01-", "2021-02-30-", "0001-01-01-", "9999-12-31-", "ignored-"]),
                     st.text(st.characters(blacklist_characters="/\0.", blacklist_categories=("Cs",)),
                             min_size=1, max_size=60)).map(lambda parts: _file_name(*parts))


def _file_name(prefix: str, stem: str) -> str:
    stem = stem.strip() or "x"
    name = f"{prefix}{stem}"
    while len(name.encode("utf-8")) > 200:
        name = name[:-1]
    return "index-like" if name in ("_index", "index") else name


def _post(form: str, front: dict[str, Any], body: str, newline: str, bom: bool, escaped: bool) -> bytes:
    """`escaped`: JSON written with \\uXXXX escapes, so lone surrogates reach the reader too."""
    depth = front.pop(DEEP, 0)
    text = _front_matter(form, front, depth, escaped).decode("utf-8", "surrogatepass")
    data = (text + body).replace("\n", newline).encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _front_matter(form: str, front: dict[str, Any], depth: int, escaped: bool = False) -> bytes:
    nested = "[" * depth + "1" + "]" * depth
    if form == "yaml":
        import yaml
        try:
            text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False) if front else ""
        except (yaml.YAMLError, RecursionError, ValueError):
            text = "title: unrepresentable\n"
        text = "---\n" + text + (f"deep: {nested}\n" if depth else "") + "---\n"
    elif form == "toml":
        try:
            text = "".join(f"{_toml_key(k)} = {_toml(v)}\n" for k, v in front.items() if v is not None)
        except RecursionError:
            text = ""
        text = "+++\n" + text + (f"deep = {nested}\n" if depth else "") + "+++\n"
    else:
        try:
            text = json.dumps(front, default=str, ensure_ascii=escaped, indent=2) + "\n"
        except (ValueError, RecursionError):
            text = "{\n}\n"
        if depth:
            text = text.replace("{", '{\n  "deep": ' + nested + ("," if front else ""), 1)
    return text.encode("utf-8", "surrogatepass")


def _toml_key(key: str) -> str:
    return key if key and re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml(value: Any) -> str:
    """TOML 1.0, inline forms only; what TOML cannot hold (null, 65-bit integers) stays in as
    written, so the reader has to reject it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items() if v is not None) + "}"
    return "null"
