"""Fuzzing syndicate's build: whole generated posts (a hypothesis strategy) and mutated real posts
(the corpus), each built for real and checked against one property:

    the build never raises; every post file is published or has an error or warning naming it;
    every output parses (feeds as XML or JSON, meta tags as tags, cards as 1200×630 JPEGs, the
    manifest as JSON listing exactly the files there); building again changes nothing.

A failure that the build's safety net caught (an "internal error" diagnostic) is a finding too:
the net kept the build alive, but the bug is there. Used by `python bench/run.py fuzz` (bounded
time) and by tests/test_fuzz.py (a short fixed-seed slice).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
import re
import string
import traceback
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SITE_CONFIG = ('[site]\nbase_url = "https://fuzz.example.org/blog/"\ntitle = "Fuzz"\ntimezone = "{zone}"\n'
               '[content]\ndefault_image = ""\n[build]\ncards = {cards}\n')
# Zones at the edges: +14 and -12 hours, +05:45, and Berlin (+00:53:28 before 1893).
ZONES = ("UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu")
DEEP = "\0deep"  # the nesting depth _post writes as text
META_LINE = re.compile(r'<meta (property|name)="[^"<>&]*" content="[^"<>]*">')


# ---------------------------------------------------------------- the property

@dataclass(frozen=True)
class Finding:
    kind: str            # exception, internal error, unreported post, unparsable output, not deterministic
    where: str           # the innermost syndicate frame, or the output file
    detail: str
    source: str = ""     # the post file, when one is to blame

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two findings the same bug."""
        return self.kind, self.where, self.detail.split(":")[0]


class _Tracebacks(logging.Handler):
    """The tracebacks the safety net logs, by post source."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_source: dict[str, BaseException] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.args:
            self.by_source[str(record.args[-1])] = record.exc_info[1]


def build_and_check(site: Path, out: Path, state: Path) -> list[Finding]:
    """Build the site twice (the second from the post cache) and check the property."""
    from syndicate import build, load_site
    from syndicate.site import post_files

    overrides = {"build": {"state_dir": str(state), "jobs": 1, "drafts": True, "future": True}}
    tracebacks = _Tracebacks()
    logger = logging.getLogger("syndicate")
    logger.addHandler(tracebacks)
    try:
        result = build(load_site(site, overrides, use_cache=True), out)
        again = build(load_site(site, overrides, use_cache=True), out)
    except Exception as exc:
        return [Finding("exception", innermost(exc), describe(exc))]
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
    posts_dir = site / "content" / "blog"
    for file in post_files(posts_dir):
        source = file.relative_to(site).as_posix()
        if source not in published and source not in named:
            findings.append(Finding("unreported post", "load_site", "neither published nor named by a diagnostic",
                                    source))
    findings += check_outputs(out)
    if again.changed:
        findings.append(Finding("not deterministic", again.changed[0], f"a second build rewrote {again.changed}"))
    return findings


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


def write_site(root: Path, posts: dict[str, bytes], zone: str = "UTC", cards: bool = False) -> Path:
    blog = root / "content" / "blog"
    blog.mkdir(parents=True, exist_ok=True)
    (root / "static").mkdir(exist_ok=True)
    (root / "syndicate.toml").write_text(SITE_CONFIG.format(zone=zone, cards=str(cards).lower()), encoding="utf-8")
    for name, data in posts.items():
        (blog / name).write_bytes(data)
    return root


# ---------------------------------------------------------------- mutations of real posts

def corpus_posts() -> list[bytes]:
    """Every post of the shared corpus, as bytes (empty when the corpus is absent)."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".md", ".markdown") and "content" in p.parts
                   and p.is_file()) if CORPUS.is_dir() else []
    return [p.read_bytes() for p in files]


INTERESTING = [b"---", b"+++", b"{{< ref \"", b"{{% ", b">}}", b"&a ", b"*a", b"<<: *a", b": ", b"\t", b"\"", b"'",
               b"[", b"{", b"\x00", b"\xe2\x80\xae", b"\xff\xfe", b"\r", b"9999-12-31T23:59:59-00:20", b"0001-01-01",
               b"1e400", b"-0", b"!!binary aGk=", b"!!python/object:os.system", b"<script>", b"]]>", b"\\",
               b"date: ", b"slug: ", b"url: /../../x", b"title: ", b"topic: ", b"\xf0\x9f\x8e\x89", b"\xcc\x81" * 50,
               b"\nlastmod: 9999-12-31T23:59:59-00:20\n", b"\ndate: 0001-01-01\n", b"\nx: " + b"[" * 700 + b"]" * 700 + b"\n",
               b"\nslug: " + b"s" * 240 + b"\n", b"\ntopic: " + b"t " * 200 + b"\n", b"\na: &a [1, 2]\nb: [*a, *a, *a]\n"]


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


def mutated_name(rng: random.Random, index: int) -> str:
    prefix = rng.choice(["2020-01-01-", "2021-02-30-", "0001-01-01-", "9999-12-31-", "", "2019-13-01-"])
    stem = rng.choice(["post", "Ümlaut Titel", "a" * 200, "x.y", "emoji-🎉", "%2e%2e", "-", "ĳ"])
    return f"{prefix}{stem}-{index}.md"


def mutation_batch(posts: list[bytes], rng: random.Random, size: int) -> dict[str, bytes]:
    return {mutated_name(rng, index): mutate(rng.choice(posts), rng, rng.choice(posts)) for index in range(size)}


# ---------------------------------------------------------------- whole generated posts (hypothesis)

def post_strategy() -> Any:
    """(file name, bytes) of one whole post: front matter as YAML, TOML or JSON of arbitrary
    structure and every scalar type, then an arbitrary body."""
    from hypothesis import strategies as st

    offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
    edge_days = st.sampled_from([date(1, 1, 1), date(1, 1, 2), date(9999, 12, 31), date(9999, 12, 30),
                                 date(1970, 1, 1), date(2000, 2, 29), date(1893, 3, 31)])
    days = st.one_of(edge_days, st.dates())
    moments = st.one_of(
        st.builds(lambda d, t, z: datetime.combine(d, t, tzinfo=z), days, st.times(), st.one_of(st.none(), offsets)),
        st.datetimes())
    date_text = st.one_of(
        moments.map(lambda m: m.isoformat()), days.map(str),
        st.sampled_from(["2023-11-02T8:00:00+02:00", "2021-02-30", "0000-01-01", "10000-01-01", "2020-01-01 25:00",
                         "2020-01-01T00:00:00+24:00", "2020-1-1", "9999-12-31T23:59:59-23:59", "yesterday", ""]))
    scalars = st.one_of(
        st.none(), st.booleans(),
        st.integers(), st.sampled_from([10 ** 400, -(10 ** 400), 2 ** 63, -(2 ** 63) - 1, 0]),
        st.floats(), st.sampled_from([5e-324, 1.7976931348623157e308, -0.0]),
        st.text(max_size=40), st.text(string.printable, max_size=40), days, moments, date_text,
        st.sampled_from(["\ud800", "x\udfffy", "\x00", "\x1b[31m", "\u202e", "\ufeff", "]]>", "&amp;"]))
    def containers(inner: Any) -> Any:
        return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4))

    values = st.recursive(scalars, containers, max_leaves=20)
    titles = st.text(min_size=1, max_size=300)
    known = st.fixed_dictionaries({"title": st.one_of(titles, titles, titles, values)}, optional={
        "date": st.one_of(days, moments, date_text, values),
        "lastmod": st.one_of(moments, date_text), "publishDate": st.one_of(days, date_text),
        "slug": st.one_of(st.text(max_size=80), values), "url": st.one_of(st.text(max_size=60), values),
        "topic": st.one_of(st.text(max_size=150), st.lists(st.text(max_size=30), max_size=4), values),
        "tags": values, "lab": values, "draft": values, "author": values, "excerpt": values,
        "og-image": st.one_of(st.text(max_size=40), values), "images": values, "aliases": values, "id": values,
        "card_focus": values, "summary": values, "description": values, "language": values})
    front = st.tuples(known, st.dictionaries(st.text(max_size=12), values, max_size=5), st.integers(0, 2),
                      st.sampled_from([0, 0, 0, 30, 700])).map(_assemble)
    names = st.tuples(st.sampled_from(["", "2020-01-01-", "2021-02-30-", "0001-01-01-", "9999-12-31-"]),
                      st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
                              min_size=1, max_size=60)).map(lambda parts: _file_name(*parts))
    bodies = st.one_of(st.text(max_size=500), st.lists(st.sampled_from(MARKDOWN), max_size=12).map("\n".join))
    return st.builds(_post, names, st.sampled_from(["yaml", "yaml", "toml", "json"]), front, bodies,
                     st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())


MARKDOWN = ["# Heading", "text *em* **strong** `code`", "[link](../other/)", "![img](/blog/missing.png)",
            "{{< ref \"nowhere.md\" >}}", "{{< figure src=\"x.jpg\" >}}", "{{% unknown %}}inner{{% /unknown %}}",
            "<script>alert(1)</script>", "<iframe src=\"https://x.org\"></iframe>", "| a | b |\n|---|---|\n| 1 | 2 |",
            "- [ ] task", "[^1]\n\n[^1]: note", "term\n: definition", "```\ncode\n```", "<!--more-->", "]]>",
            "\x00\x1b[31m", "&amp; &#0; &#xD800;", "> " * 60 + "deep", "* " * 300 + "x", "[" * 500]


def _assemble(parts: tuple[dict[str, Any], dict[str, Any], int, int]) -> dict[str, Any]:
    known, extra, shared, depth = parts
    data = {**extra, **known}
    if shared and data:  # one object in two places: YAML writes an anchor and an alias
        first = next(iter(data.values()))
        data["copy"] = first if shared == 1 else {"nested": [first, first]}
    if depth:  # written as text by _post: the serialisers themselves recurse
        data[DEEP] = depth
    return data


def _file_name(prefix: str, stem: str) -> str:
    stem = stem.lstrip(".") or "x"
    name = f"{prefix}{stem}"
    while len(name.encode("utf-8")) > 240:
        name = name[:-1]
    return "index-like.md" if name == "_index" else f"{name}.md"


def _post(name: str, form: str, front: dict[str, Any], body: str, newline: str, bom: bool,
          escaped: bool) -> tuple[str, bytes]:
    """`escaped`: JSON written with \\uXXXX escapes, so lone surrogates reach the reader too."""
    depth = front.pop(DEEP, 0)
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
    data = (text + body).replace("\n", newline).encode("utf-8", "surrogatepass")
    return name, (b"\xef\xbb\xbf" if bom else b"") + data


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


def generated_site(root: Path, posts: list[tuple[str, bytes]], zone: str, cards: bool) -> Path:
    unique: dict[str, bytes] = {}
    for name, data in posts:
        while name in unique:
            name = "x" + name
        unique[name] = data
    return write_site(root, unique, zone, cards)


def batches(seed: int) -> Iterator[random.Random]:
    rng = random.Random(seed)
    while True:
        yield random.Random(rng.getrandbits(64))
