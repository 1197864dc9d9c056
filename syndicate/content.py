"""The Post model and loading posts the way Hugo reads them: front matter, dates, slugs, permalinks."""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlsplit

from .config import Settings
from .dates import UnreadableDate, parse_date, split_filename_date
from .diagnostics import Diagnostics

DEFAULT_DATE_KEYS = ("date", "publishDate", "pubdate", "published")  # Hugo's ":default"
DESCRIPTION_KEYS = ("og-description", "og_description", "description")
IMAGE_KEYS = ("og-image", "og_image")
URL_SAFE = "/:@!$&'()*+,;=-._~%"
KEY = re.compile(r"""^\s*-?\s*['"]?([\w-]+)['"]?\s*[:=]""")  # `key:` in YAML, `key =` in TOML


def url_on_site(base_url: str, path: str) -> str:
    """The absolute URL of a path on the site, percent-encoded (`#` and `?` included), always
    below the base URL: a path is never read as a scheme or another host, as urljoin would."""
    return base_url + quote(path.lstrip("/"), safe=URL_SAFE)


@dataclass(frozen=True)
class PostImage:
    """One entry of the front matter's `images:` list."""
    name: str
    attribution: str = ""
    caption: str = ""


@dataclass(frozen=True)
class ImageRef:
    """An image the post points at, resolved: its absolute URL and, when local, its file and
    what its header says (0 / "" where unknown)."""
    url: str
    file: Path | None
    attribution: str = ""
    alt: str = ""
    width: int = 0
    height: int = 0
    mime: str = ""


@dataclass(frozen=True)
class Post:
    source: str                      # relative to the site root, POSIX separators
    slug: str
    path: str                        # URL path, percent-encoded: /blog/<slug>/
    url: str                         # absolute permalink
    title: str                       # plain text
    published: datetime              # always with an offset
    updated: datetime
    draft: bool = False
    author: str = ""
    twitter_handle: str = ""
    description: str = ""            # og-description / og_description / description
    excerpt: str = ""
    summary: str = ""                # plain text: excerpt, else the first paragraph
    taxonomies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    images: tuple[PostImage, ...] = ()
    image: ImageRef | None = None    # the post's photo: og-image, else the first existing images[]
    fallbacks: tuple[tuple[str, ImageRef], ...] = ()  # (kind, image) shown when there is no photo
    body_markdown: str = ""
    body_html: str = ""              # sanitised, every URL absolute
    body_line: int = 1               # line of the file where the body starts
    links: tuple[str, ...] = ()      # absolute URLs the rendered body links to (Webmention targets)
    aliases: tuple[str, ...] = ()    # absolute URLs of the post's old addresses (Hugo's `aliases`)
    entry_id: str = ""               # front matter `id`, overrides the generated feed id
    card_focus: tuple[float, float] | None = None
    source_sha256: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)  # the whole front matter
    key_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → its file line

    @property
    def topics(self) -> tuple[str, ...]:
        return self.taxonomies.get("topic", ())


# ---------------------------------------------------------------- reading one file

@dataclass(frozen=True)
class RawPost:
    """A post file split into front matter and body, before interpretation."""
    file: Path
    source: str
    metadata: Mapping[str, Any]
    body: str
    body_line: int
    front_text: str
    sha256: str


def read_source(file: Path, source: str, settings: Settings, diagnostics: Diagnostics) -> bytes | None:
    """The file's bytes, or None with an error (unreadable, or over the size limit)."""
    try:
        size = file.stat().st_size
        if size > settings.content.max_post_bytes:
            diagnostics.error(source, None, f"post is {size:,} bytes, over the limit of "
                              f"{settings.content.max_post_bytes:,} bytes ([content] max_post_bytes); "
                              "split it or raise the limit")
            return None
        return file.read_bytes()
    except OSError as exc:
        diagnostics.error(source, None, f"cannot read the file: {exc.strerror}")
        return None


def parse_post(data: bytes, file: Path, source: str, diagnostics: Diagnostics) -> RawPost | None:
    """Bytes → front matter + body, or None with an error naming what to fix."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        diagnostics.error(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
                          "save the file as UTF-8")
        return None
    if not text.strip():
        diagnostics.error(source, None, "empty file; add front matter with a title and a body, or delete it")
        return None
    import frontmatter  # a rebuild that parses nothing need not load the YAML parser
    import yaml

    handler = frontmatter.detect_format(text, frontmatter.handlers)  # YAML (---) or TOML (+++)
    if handler is None:
        diagnostics.error(source, 1, "no front matter; start the file with a '---' line, "
                          "'title: …', and another '---' line")
        return None
    try:
        front_text, body = handler.split(text)
        metadata = handler.load(front_text) or {}
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed '['), which is
        # where the fix goes; the problem mark is often the end of the front matter.
        mark = exc.context_mark or exc.problem_mark
        # The front-matter text starts right after the opening '---', on that same line.
        line = mark.line + 1 if mark else None
        diagnostics.error(source, line, f"front matter is not valid YAML: {exc.problem or exc}; "
                          "check quotes and indentation (values with ':' need quotes)")
        return None
    except Exception as exc:  # TOML errors and YAML errors without a position
        diagnostics.error(source, None, f"front matter cannot be read: {exc}")
        return None
    if not isinstance(metadata, dict):
        diagnostics.error(source, 2, "front matter must be a mapping of keys to values, like 'title: …'")
        return None
    body_line = text[: text.find(body)].count("\n") + 1 if body else front_text.count("\n") + 3
    return RawPost(file, source, metadata, body, body_line, front_text,
                   hashlib.sha256(data).hexdigest())


def key_line(raw: RawPost, key: str) -> int | None:
    """The file line where a front-matter key is written, for diagnostics."""
    return key_lines(raw).get(key)


def key_lines(raw: RawPost) -> dict[str, int]:
    """Every front-matter key (nested ones too) and the first file line it is written on."""
    lines: dict[str, int] = {}
    for number, line in enumerate(raw.front_text.splitlines(), start=1):
        match = KEY.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


# ---------------------------------------------------------------- interpreting it

def interpret(raw: RawPost, settings: Settings, diagnostics: Diagnostics,
              git_dates: Mapping[str, datetime] | None = None) -> Post | None:
    """RawPost → Post, or None when an error keeps it out (the error is recorded)."""
    meta = raw.metadata
    title = plain_title(meta.get("title"))
    if not title:
        diagnostics.error(raw.source, key_line(raw, "title") or 2,
                          "missing title; add 'title: …' to the front matter")
        return None
    zone = settings.tz
    stem = PurePosixPath(raw.source).stem
    filename_date, slug_from_name, name_problem = split_filename_date(stem, zone)
    uses_filename = ":filename" in settings.content.date_order
    if name_problem and uses_filename:
        diagnostics.warn(raw.source, None, f"{name_problem}; the next date source is used, as Hugo does. "
                         "Rename the file to fix it")
    try:
        published = _first_date(raw, settings.content.date_order, zone, filename_date, git_dates)
        updated = _first_date(raw, settings.content.lastmod_order if settings.content.git_info
                              else [k for k in settings.content.lastmod_order if k != ":git"],
                              zone, None, git_dates)
    except _DateProblem as problem:
        diagnostics.error(raw.source, key_line(raw, problem.key), f"'{problem.key}': {problem.reason}")
        return None
    if published is None:
        published = _file_mtime(raw.file, zone)
        diagnostics.warn(raw.source, 2, "no date in the front matter or the file name; the file's "
                         "modification time is used. Add 'date: YYYY-MM-DD'")
    if updated is None or updated < published:
        updated = published

    slug = urlize(_front_slug(meta) or (slug_from_name if uses_filename else stem))
    problem = unsafe_slug(slug)
    if problem:
        diagnostics.error(raw.source, key_line(raw, "slug"), f"{problem}; set 'slug:' to letters, digits and '-'")
        return None
    path = _permalink_path(meta, slug, published, settings, raw, diagnostics)
    taxonomies = {name: terms(meta.get(name)) for name in _taxonomy_names(settings, meta)}
    return Post(
        source=raw.source,
        slug=slug,
        path=path,
        url=url_on_site(settings.site.base_url, path),
        title=title,
        published=published,
        updated=updated,
        draft=meta.get("draft") is True or str(meta.get("draft")).lower() == "true",
        author=_text(meta.get("author")) or settings.site.author,
        twitter_handle=_text(meta.get("twitter_handle")),
        description=_first_text(meta, DESCRIPTION_KEYS),
        excerpt=_text(meta.get("excerpt")) or _text(meta.get("summary")),
        taxonomies={k: v for k, v in taxonomies.items() if v},
        images=_images(meta.get("images")),
        body_markdown=raw.body,
        body_line=raw.body_line,
        aliases=alias_urls(meta.get("aliases"), path, settings.site.base_url),
        entry_id=_text(meta.get("id")),
        card_focus=_focus(meta.get("card_focus"), raw, diagnostics),
        source_sha256=raw.sha256,
        params=dict(meta),
        key_lines=key_lines(raw),
    )


def alias_urls(value: object, path: str, base_url: str) -> tuple[str, ...]:
    """Hugo's `aliases` as absolute URLs: a path from the site root, or (without a leading '/')
    relative to the post's own folder, as Hugo resolves them; never off the site."""
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    urls = []
    for alias in (_text(a) for a in _as_list(value)):
        parts = urlsplit(alias)
        if not alias or parts.scheme or parts.netloc:
            continue
        absolute = alias if alias.startswith("/") else posixpath.join(posixpath.dirname(folder.rstrip("/")), alias)
        normal = posixpath.normpath(absolute)
        if "." not in posixpath.basename(normal):  # Hugo writes <alias>/index.html: the URL ends in '/'
            normal = normal.rstrip("/") + "/"
        if normal.startswith("/") and not normal.startswith("//"):
            urls.append(url_on_site(base_url, quote(normal, safe=URL_SAFE)))
    return tuple(dict.fromkeys(urls))


class _DateProblem(Exception):
    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key, self.reason = key, reason


def _first_date(raw: RawPost, order: Iterable[str], zone: tzinfo, filename_date: datetime | None,
                git_dates: Mapping[str, datetime] | None) -> datetime | None:
    for token in order:
        if token == ":filename":
            found = filename_date
        elif token == ":git":
            found = (git_dates or {}).get(raw.source)
        elif token == ":fileModTime":
            found = _file_mtime(raw.file, zone)
        elif token == ":default":
            found = _first_date(raw, DEFAULT_DATE_KEYS, zone, None, None)
        else:
            found = _front_date(raw, token, zone)
        if found is not None:
            return found
    return None


def _front_date(raw: RawPost, key: str, zone: tzinfo) -> datetime | None:
    value = raw.metadata.get(key)
    # `published: true` is Jekyll's "not a draft", not a date; Hugo skips it too.
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return parse_date(value, zone)
    except UnreadableDate as exc:
        raise _DateProblem(key, str(exc)) from exc


def _file_mtime(file: Path, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(int(file.stat().st_mtime), tz=zone)


def plain_title(value: object) -> str:
    """A title as plain text: Markdown backslash escapes resolved (`Bürger\\*innen` → `Bürger*innen`)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = " ".join(str(value).split())
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _text(value: object) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return " ".join(str(value).split())


def _first_text(meta: Mapping[str, Any], keys: Iterable[str]) -> str:
    for key in keys:
        if _text(meta.get(key)):
            return _text(meta.get(key))
    return ""


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def terms(value: object) -> tuple[str, ...]:
    """Taxonomy terms from a list or a string; a string may hold several, comma-separated."""
    found: list[str] = []
    for item in _as_list(value):
        for term in str(item).split(",") if not isinstance(item, (dict, list)) else []:
            term = " ".join(term.split())
            if term and term not in found:
                found.append(term)
    return tuple(found)


def _taxonomy_names(settings: Settings, meta: Mapping[str, Any]) -> list[str]:
    names = list(dict.fromkeys(["topic", "lab", "tags", *settings.feeds.taxonomies]))
    return [name for name in names if name in meta]


def _images(value: object) -> tuple[PostImage, ...]:
    images = []
    for item in _as_list(value):
        if isinstance(item, dict) and _text(item.get("imgname")):
            images.append(PostImage(_text(item.get("imgname")), _text(item.get("attribution")),
                                    _text(item.get("sub")) or _text(item.get("caption"))))
        elif isinstance(item, str) and item.strip():
            images.append(PostImage(item.strip()))
    return tuple(images)


def _focus(value: object, raw: RawPost, diagnostics: Diagnostics) -> tuple[float, float] | None:
    if value is None:
        return None
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)):
        return float(value[0]), float(value[1])
    diagnostics.warn(raw.source, key_line(raw, "card_focus"),
                     "card_focus must be [x, y] with numbers from 0 to 1; the card is centred")
    return None


# ---------------------------------------------------------------- slugs and permalinks

def urlize(text: str) -> str:
    """Hugo's path sanitising (helpers.UnicodeSanitize + lower case): letters, digits, marks and
    `./_-#+~` stay, spaces become '-', everything else goes."""
    kept = []
    for char in unicodedata.normalize("NFC", text.strip()):
        if char.isspace():
            kept.append("-")
        elif char.isalnum() or unicodedata.category(char).startswith("M") or char in "./_-#+~":
            kept.append(char)
    return "".join(kept).lower()


def _front_slug(meta: Mapping[str, Any]) -> str:
    return _text(meta.get("slug"))


def unsafe_slug(slug: str) -> str:
    """Why a slug cannot name the post's files (cards/<slug>.jpg, meta/<slug>.html), or ""."""
    if not slug:
        return "the slug is empty (the file name has no letters or digits)"
    if "/" in slug or slug.startswith("."):
        return f"the slug '{slug}' would put the post's card and meta tags in another or a hidden folder"
    return ""


def _permalink_path(meta: Mapping[str, Any], slug: str, published: datetime, settings: Settings,
                    raw: RawPost, diagnostics: Diagnostics) -> str:
    explicit = _text(meta.get("url"))
    parts = urlsplit(explicit)
    if explicit and (parts.scheme or parts.netloc):
        diagnostics.error(raw.source, key_line(raw, "url"), f"url '{explicit}' is not a path on this site; "
                          "write a path such as /ueber-uns/ (it is ignored)")
        explicit = ""
    if explicit:  # Hugo: `url` replaces the whole path, kept as written
        path = explicit if explicit.startswith("/") else "/" + explicit
    else:
        path = settings.content.permalink.format(
            slug=slug, year=f"{published.year:04d}", month=f"{published.month:02d}",
            day=f"{published.day:02d}", section=settings.section)
    return quote(path, safe=URL_SAFE)


def section_page_url(source: Path, content_dir: Path, settings: Settings) -> str:
    """Permalink of any page of the content tree, by Hugo's rules and `permalinks` config."""
    rel = source.relative_to(content_dir)
    parts = rel.with_suffix("").parts
    if rel.name in ("_index.md", "index.md"):
        path = "/" + "/".join(urlize(p) for p in parts[:-1])
        return url_on_site(settings.site.base_url, path.strip("/") + "/" if len(parts) > 1 else "")
    section = parts[0] if len(parts) > 1 else ""
    stem = parts[-1]
    pattern = settings.content.section_permalinks.get(section)
    filename = stem
    if pattern:
        path = (pattern.replace(":filename", urlize(filename)).replace(":slug", urlize(filename))
                .replace(":section", urlize(section)))
        path = path if path.endswith("/") else path + "/"
    else:
        path = "/" + "/".join(urlize(p) for p in parts) + "/"
    return url_on_site(settings.site.base_url, path)
