"""The Post model, and reading one page the way Hugo reads it: front matter (with cascade),
language, dates, slug, permalink, authors, build options."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote, unquote, urlsplit

from .bodies import EMPTY as EMPTY_BODY
from .bodies import Body
from .config import Settings, author_name
from .contenttree import PageFile, apply_cascade
from .dates import ImpossibleDate, UnreadableDate, parse_date, representable, split_filename_date
from .diagnostics import Diagnostics
from .permalinks import URL_SAFE, ClimbingURL, PageFields, encode, page_path, sanitize, url_on_site, url_path
from .plaintext import plain_inline, unescape_markdown
from .sourcefile import RawPost, clean, key_lines

DESCRIPTION_KEYS = ("og-description", "og_description", "description")
# Hugo's date sources (front-matter keys, lower case) for each date when its config says :default.
HUGO_DATE_DEFAULTS = {
    "date": ("date", "publishdate", "pubdate", "published", "lastmod", "modified"),
    "lastmod": (":git", "lastmod", "modified", "date", "publishdate", "pubdate", "published"),
    "publishdate": ("publishdate", "pubdate", "published", "date"),
    "expirydate": ("expirydate", "unpublishdate"),
}
BUILD_VALUES = {True: "always", False: "never"}
# A post's URL path names its files (Post.output_name): its last segment becomes a card's
# `<name>.<hash8>.jpg` and a meta file's `<name>.html`, and the writer's temporary file beside it
# adds 25 bytes more. File names hold 255 bytes (NAME_MAX on ext4, XFS, btrfs, APFS): so 217.
SEGMENT_LIMIT = 217


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
class Translation:
    """Another language's version of a post."""
    language: str            # the language key (`es`)
    tag: str                 # its BCP 47 tag (`es-ES`), for hreflang and og:locale:alternate
    url: str


@dataclass(frozen=True)
class Post:
    source: str                      # relative to the site root, POSIX separators
    slug: str
    path: str                        # URL path below the host, percent-encoded: /blog/<slug>/
    url: str                         # absolute permalink
    title: str                       # plain text
    published: datetime              # Hugo's .Date, always with an offset
    updated: datetime
    draft: bool = False
    author: str = ""                 # display name(s), never a raw key
    authors: tuple[str, ...] = ()
    twitter_handle: str = ""
    description: str = ""            # og-description / og_description / description
    excerpt: str = ""
    summary: str = ""                # plain text: excerpt, else the first paragraph
    taxonomies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    images: tuple[PostImage, ...] = ()
    image: ImageRef | None = None    # the post's photo (the share image the Hugo way)
    image_key: str = ""              # what gave it: a front-matter key, `imgname`, or `resource`
    fallbacks: tuple[tuple[str, ImageRef], ...] = ()  # (kind, image) shown when there is no photo
    body_markdown: str = ""          # as read; load_site's posts leave it out once rendered (read_body reads it again)
    body: Body = EMPTY_BODY          # the rendered body: sanitised, every URL absolute (body_html: its text)
    body_line: int = 1               # line of the file where the body starts
    body_offset: int = 0             # where the body starts in the file's text (read_body)
    markup: str = "markdown"         # or "html": the body is HTML (an .html content file)
    links: tuple[str, ...] = ()      # absolute URLs the rendered body links to (Webmention targets)
    aliases: tuple[str, ...] = ()    # absolute URLs of the post's old addresses (Hugo's `aliases`)
    entry_id: str = ""               # front matter `id`, overrides the generated feed id
    card_focus: tuple[float, float] | None = None
    source_sha256: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)  # the whole front matter, keys lower case
    key_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key → its file line
    language: str = "en"             # the language key
    language_tag: str = "en"         # its BCP 47 tag
    translation_key: str = ""        # equal for the translations of one page
    translations: tuple[Translation, ...] = ()  # the other languages' versions (set by load_site)
    section: str = ""                # `blog`
    bundle: str = ""                 # a leaf bundle's folder (relative to the site root), else ""
    resources: tuple[str, ...] = ()  # the bundle's other files, relative to its folder
    link_base: str = ""              # what relative links in the body resolve against
    publish_date: datetime | None = None
    expiry_date: datetime | None = None
    headless: bool = False
    build_list: str = "always"       # Hugo's _build options
    build_render: str = "always"
    explicit_url: bool = False       # the URL comes from front matter `url`

    @property
    def body_html(self) -> str:
        return self.body.html

    @property
    def topics(self) -> tuple[str, ...]:
        return self.taxonomies.get("topic", ())

    @cached_property
    def description_source(self) -> str:
        """Where the post's description comes from: `description` (og-description, og_description
        or description in the front matter), `excerpt` (excerpt or summary there: the author chose
        it too), `summary` (the start of the text), or "" (none). Worked out once per post, for
        its meta tags and its manifest entry alike."""
        return next((name for name in ("description", "excerpt", "summary") if plain_inline(getattr(self, name))), "")

    @cached_property
    def plain_description(self) -> str:
        """That description as plain text, whole (each place that shows it cuts it to its limit)."""
        return plain_inline(getattr(self, self.description_source)) if self.description_source else ""

    @property
    def output_name(self) -> str:
        """The name of the post's own files (cards/<name>.jpg, meta/<name>.html): its URL path,
        so that two posts at different URLs never share one (`blog/2024/05/x`)."""
        return output_name(self.path)


def output_name(path: str) -> str:
    name = unquote(path).strip("/")
    name = name[:-5] if name.endswith(".html") else name
    return name or "index"


# ---------------------------------------------------------------- interpreting one page

def interpret(raw: RawPost, page: PageFile, settings: Settings, diagnostics: Diagnostics,
              git_dates: Mapping[str, datetime] | None = None,
              author_names: Mapping[str, str] | None = None) -> Post | None:
    """RawPost → Post, or None when an error keeps it out (the error is recorded)."""
    meta = apply_cascade(raw.metadata, page.cascade)
    lines = key_lines(raw)
    language = settings.language(page.language)
    title = plain_title(meta.get("title"))
    if not raw.has_front_matter and not raw.body.strip():
        diagnostics.warn(raw.source, None, "empty file: Hugo publishes it as an empty page without a title; "
                         f"it is shown as '{page.filename}'. Add front matter with a title and a body, or delete it")
        title = page.filename
    elif not raw.has_front_matter:
        diagnostics.warn(raw.source, 1, "no front matter: Hugo publishes this page without a title or a date; "
                         f"it is shown as '{page.filename}'. Start the file with '---', 'title: …', "
                         "'date: …', '---'")
        title = page.filename
    elif not title:
        diagnostics.warn(raw.source, lines.get("title") or 2, "no title: Hugo publishes this page untitled; "
                         f"it is shown as '{page.filename}'. Add 'title: …' to the front matter")
        title = page.filename
    try:
        dates = _Dates(raw, meta, page, settings, git_dates or {}, diagnostics, lines)
    except ImpossibleDate as exc:
        key = getattr(exc, "key", "date")
        diagnostics.error(raw.source, lines.get(key), f"'{key}': {exc}; fix the date")
        return None
    slug = _text(meta.get("slug")) or dates.filename_slug
    explicit = _text(meta.get("url"))
    if not explicit and not sanitize(slug or page.filename, settings.path_rules):
        # Hugo would put it at its section's own URL, over the section's page
        diagnostics.error(raw.source, lines.get("slug"), f"the slug '{slug or page.filename}' is empty once made a "
                          "URL (no letters or digits); this post is left out. Set 'slug:' to letters, digits and '-'")
        return None
    path = _path(explicit, slug, title, dates.date, page, settings, language.prefix, raw, diagnostics, lines)
    if path is None:
        return None
    names = _authors(meta, author_names or {})
    return Post(
        source=raw.source,
        slug=sanitize(slug or page.filename, settings.path_rules),
        path=path,
        url=url_on_site(language.base_url, path),
        title=title,
        published=dates.published,
        updated=dates.updated,
        draft=_truthy(meta.get("draft")),
        author=", ".join(names) or language.author,
        authors=names,
        twitter_handle=_text(meta.get("twitter_handle")),
        description=_first_text(meta, DESCRIPTION_KEYS),
        excerpt=_text(meta.get("excerpt")) or _text(meta.get("summary")),
        taxonomies=_taxonomies(meta, settings),
        images=_images(meta.get("images")),
        body_markdown=raw.body,
        body_line=raw.body_line,
        body_offset=raw.body_offset,
        markup=page.markup,
        aliases=alias_urls(meta.get("aliases"), path, language.base_url),
        entry_id=_text(meta.get("id")),
        card_focus=_focus(meta.get("card_focus"), raw, diagnostics, lines),
        source_sha256=raw.sha256,
        params=meta,
        key_lines=lines,
        language=language.key,
        language_tag=language.tag,
        translation_key=_text(meta.get("translationkey")) or page.translation_base,
        section=page.section,
        bundle=page.bundle,
        resources=page.resources,
        link_base=_link_base(language.base_url, path, bool(page.bundle)),
        publish_date=dates.publish,
        expiry_date=dates.expiry,
        headless=meta.get("headless") is True and bool(page.bundle),
        build_list=_build_option(meta, "list"),
        build_render=_build_option(meta, "render"),
        explicit_url=bool(explicit),
    )


def alias_urls(value: object, path: str, base_url: str) -> tuple[str, ...]:
    """Hugo's `aliases` as absolute URLs: a path from the site root, or (without a leading '/')
    relative to the post's own folder, as Hugo resolves them; never off the site."""
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    urls = []
    for alias in (_text(a) for a in as_list(value)):
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


class _Dates:
    """A page's dates by Hugo's frontmatter config: .Date (and the undated fallback), lastmod,
    publishDate, expiryDate, and the slug the :filename handler gives when it gives the date."""

    def __init__(self, raw: RawPost, meta: Mapping[str, Any], page: PageFile, settings: Settings,
                 git_dates: Mapping[str, datetime], diagnostics: Diagnostics, lines: Mapping[str, int]):
        self.raw, self.meta, self.lines, self.diagnostics = raw, meta, lines, diagnostics
        self.zone = settings.tz
        self.git = git_dates.get(raw.source)
        content = settings.content
        self.from_name, self.name_rest, problem = split_filename_date(page.filename, self.zone)
        self.filename_slug = ""
        uses_filename = any(":filename" in order for order in (content.date_order, content.publish_date_order))
        if problem and uses_filename:
            diagnostics.warn(raw.source, None, f"{problem}; the next date source is used, as Hugo does. "
                             "Rename the file to fix it")
        self.warned: set[str] = set()
        self.date = self._first(content.date_order, "date")
        if self.from_name and settings.hugo.config_files == () and uses_filename:
            self.filename_slug = self.name_rest  # without a Hugo config the date prefix is never in the slug
        updated = self._first(content.lastmod_order if content.git_info else
                              [k for k in content.lastmod_order if k != ":git"], "lastmod")
        self.publish = self._first(content.publish_date_order, "publishdate")
        self.expiry = self._first(content.expiry_date_order, "expirydate")
        if self.date is None:
            self.published = _file_mtime(raw.file, self.zone)
            diagnostics.warn(raw.source, lines.get("date") or 2, "no date Hugo reads in the front matter or the "
                             "file name: Hugo shows the page undated (year 1); the feeds use the file's "
                             "modification time. Add 'date: YYYY-MM-DD'")
        else:
            self.published = self.date
        self.updated = updated if updated is not None and updated >= self.published else self.published

    def _first(self, order: Iterable[str], field_name: str) -> datetime | None:
        for token in order:
            token = token.lower()
            if token == ":default":
                found = self._first(HUGO_DATE_DEFAULTS[field_name], field_name)
            elif token == ":filename":
                found = self.from_name
                if found is not None:  # Hugo: the handler that gives the date also gives the slug
                    self.filename_slug = self.name_rest
            elif token == ":git":
                found = self.git
            elif token == ":filemodtime":
                found = _file_mtime(self.raw.file, self.zone)
            else:
                found = self._front(token)
            if found is not None:
                return found
        return None

    def _front(self, key: str) -> datetime | None:
        value = self.meta.get(key)
        # `published: true` is Jekyll's "not a draft", not a date; Hugo skips it too.
        if value is None or value == "" or isinstance(value, bool):
            return None
        try:
            return parse_date(value, self.zone)
        except ImpossibleDate as exc:
            exc.key = key  # type: ignore[attr-defined]
            raise
        except UnreadableDate as exc:
            if key not in self.warned:
                self.warned.add(key)
                self.diagnostics.warn(self.raw.source, self.lines.get(key),
                                      f"'{key}': {exc}. Hugo ignores it and takes the next date source")
            return None


def _file_mtime(file: Path, zone: tzinfo) -> datetime:
    return representable(datetime.fromtimestamp(int(file.stat().st_mtime), tz=zone))


def _path(explicit: str, slug: str, title: str, date: datetime | None, page: PageFile, settings: Settings,
          prefix: str, raw: RawPost, diagnostics: Diagnostics, lines: Mapping[str, int]) -> str | None:
    """The post's URL path (percent-encoded), or None with an error."""
    if explicit:
        parts = urlsplit(explicit)
        if parts.scheme or parts.netloc:
            diagnostics.error(raw.source, lines.get("url"), f"url '{explicit}' is not a path on this site; "
                              "write a path such as /ueber-uns/ (it is ignored)")
            explicit = ""
    try:
        if explicit:  # Hugo: `url` replaces the whole path, kept as written
            path = url_path(explicit, prefix)
        else:
            fields = PageFields(date=date, title=title, slug=slug, filename=page.filename, section=page.section,
                                sections=page.sections)
            path = page_path(pattern=settings.permalink_pattern(page.section), directory=page.directory,
                             page=fields, prefix=prefix, ugly=settings.ugly(page.section), rules=settings.path_rules)
            path = url_path(path, "")  # a slug of '..' must not climb either
    except ClimbingURL:
        what = f"url '{explicit}'" if explicit else "the permalink"
        diagnostics.error(raw.source, lines.get("url") or lines.get("slug"),
                          f"{what} climbs above the site's root with '..'; this post is left out. "
                          "Write a path inside the site")
        return None
    problem = _file_name_problem(output_name(encode(path)), path)
    if problem:
        diagnostics.error(raw.source, lines.get("url") or lines.get("slug") or lines.get("title"),
                          f"the URL {path if len(path) < 80 else path[:60] + '…'} {problem}; this post is left "
                          "out. Set 'slug:' or 'url:' to letters, digits and '-'")
        return None
    return encode(path)


def _file_name_problem(name: str, path: str) -> str | None:
    """Why the post's output name (its URL path, percent-decoded) cannot name its card and meta
    files, if it cannot. Decoded, since browsers read /%2e%2e/ as /../ (WHATWG URL): the fuzzer's
    file `%2e%2e.md` was a post at a URL that climbs, its files hidden as `...jpg`."""
    for part in name.split("/"):
        size = len(part.encode("utf-8", "surrogatepass"))
        if part.startswith("."):
            return (f"has the segment '{part}', a dot segment to browsers" if part in (".", "..") else
                    f"has the hidden segment '{part}', which would hide the post's card and meta tags")
        if clean(part) != part:
            return f"has the segment {part!r} with a control character in it"
        if size > SEGMENT_LIMIT:
            return (f"has a segment of {size} bytes, longer than the {SEGMENT_LIMIT} its card's and meta tags' "
                    "file names can take (file systems allow 255)")
    return None


def _link_base(base_url: str, path: str, bundle: bool) -> str:
    """A bundle's resources are published beside its page: with ugly URLs (/blog/x.html) in
    /blog/x/, so relative links in its body resolve against that folder."""
    if bundle and not path.endswith("/"):
        path = path.rsplit(".", 1)[0] + "/"
    return url_on_site(base_url, path)


def _build_option(meta: Mapping[str, Any], name: str) -> str:
    """Hugo's `_build` (and, since Hugo 0.123, `build`) options: always, never, local, link."""
    for key in ("_build", "build"):
        options = meta.get(key)
        if isinstance(options, dict) and name in options:
            value = options[name]
            return BUILD_VALUES.get(value, str(value).lower()) if isinstance(value, bool) else str(value).lower()
    return "always"


def _authors(meta: Mapping[str, Any], names: Mapping[str, str]) -> tuple[str, ...]:
    """Display names: `author` (a name, a list, a map with name), else `authors` (ids of Hugo's
    authors taxonomy, named by content/authors/<id>/_index.md or data/authors), else the page
    params' `author` (Hugo ≥ 0.123 reads page params from `params:`)."""
    for value in (meta.get("author"), meta.get("authors"), (meta.get("params") or {}).get("author")
                  if isinstance(meta.get("params"), dict) else None):
        found = []
        for item in as_list(value):
            name = author_name(item)
            if name:
                found.append(names.get(sanitize(name)) or names.get(name.lower()) or name)
        if found:
            return tuple(dict.fromkeys(found))
    return ()


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true") or value == 1


def _taxonomies(meta: Mapping[str, Any], settings: Settings) -> dict[str, tuple[str, ...]]:
    names = dict.fromkeys(["topic", "lab", "tags", *settings.hugo.taxonomies,
                           *(name.lower() for name in settings.feeds.taxonomies)])
    found = {name: terms(meta.get(name)) for name in names if name in meta}
    return {name: values for name, values in found.items() if values}


def plain_title(value: object) -> str:
    """A title as plain text: Markdown backslash escapes resolved (`Bürger\\*innen` → `Bürger*innen`)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return unescape_markdown(" ".join(str(value).split()))


def _text(value: object) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return " ".join(str(value).split())


def _first_text(meta: Mapping[str, Any], keys: Iterable[str]) -> str:
    for key in keys:
        if _text(meta.get(key)):
            return _text(meta.get(key))
    return ""


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def terms(value: object) -> tuple[str, ...]:
    """Taxonomy terms from a list or a string; a string may hold several, comma-separated."""
    found: list[str] = []
    for item in as_list(value):
        for term in str(item).split(",") if not isinstance(item, (dict, list)) else []:
            term = " ".join(term.split())
            if term and term not in found:
                found.append(term)
    return tuple(found)


def _images(value: object) -> tuple[PostImage, ...]:
    images = []
    for item in as_list(value):
        if isinstance(item, dict) and _text(item.get("imgname")):
            images.append(PostImage(_text(item.get("imgname")), _text(item.get("attribution")),
                                    _text(item.get("sub")) or _text(item.get("caption"))))
        elif isinstance(item, str) and item.strip():
            images.append(PostImage(item.strip()))
    return tuple(images)


def _focus(value: object, raw: RawPost, diagnostics: Diagnostics,
           lines: Mapping[str, int]) -> tuple[float, float] | None:
    if value is None:
        return None
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)):
        return float(value[0]), float(value[1])
    diagnostics.warn(raw.source, lines.get("card_focus"),
                     "card_focus must be [x, y] with numbers from 0 to 1; the card is centred")
    return None
