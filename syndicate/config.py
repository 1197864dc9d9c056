"""Settings, read in order (later wins): defaults → Hugo's config (as Hugo reads it, with its
HUGO_* environment variables) → [tool.syndicate] in pyproject.toml → syndicate.toml →
HUGO_BASEURL → command-line flags (--base-url beats everything)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .colors import MIN_CONTRAST, contrast, parse_color
from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from .fonts import FACES
from .hugoconfig import HUGO_CONFIG_NAMES, HugoConfig, read_config_file, read_hugo_config
from .permalinks import PathRules, from_old_syntax, pattern_problem

__all__ = ["HUGO_CONFIG_NAMES", "Settings", "load_settings"]
INDEXNOW_KEY = re.compile(r"[A-Za-z0-9-]{8,128}")
# disableKinds as Hugo before 0.73 named them: taxonomyTerm was the taxonomy's list of terms.
KIND_ALIASES = {"taxonomyterm": "taxonomy"}
# Where a blog keeps its posts when the config names no main section: the first that exists.
NAME_MAX = 255  # bytes in a file or folder name on ext4, XFS, btrfs, APFS
CONVENTIONAL_SECTIONS = ("blog", "posts", "post", "news", "articles")
BASE_URL_HELP = ("give it as baseURL in the Hugo config (or [site] base_url in syndicate.toml), as the "
                 "environment variable HUGO_BASEURL, or with --base-url")


@dataclass(frozen=True)
class SiteSettings:
    base_url: str = ""               # required: the Hugo config's baseURL, HUGO_BASEURL or --base-url
    title: str = "My Blog"
    description: str = ""
    language: str = "en"             # the default language's code (Hugo's languageCode)
    timezone: str = "UTC"
    author: str = ""
    twitter: str = ""
    icon: str = ""
    logo: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # Hugo's `params`, for {{< param >}}


@dataclass(frozen=True)
class ContentSettings:
    posts: list[str] = field(default_factory=list)  # folders of posts; empty: Hugo's main sections
    content_dir: str = "content"
    static: str = "static"
    permalink: str = ""              # for the posts; empty: Hugo's `permalinks`, else Hugo's default
    default_image: str = "blog/geoeffnet.jpg"
    # Hugo's frontmatter config: where each date comes from, first match wins. A site with a Hugo
    # config gets Hugo's defaults (":default"); one without reads the front matter's date, then the
    # file name's YYYY-MM-DD- prefix.
    date_order: list[str] = field(default_factory=lambda: ["date", "publishDate", "pubdate", "published",
                                                           ":filename"])
    lastmod_order: list[str] = field(default_factory=lambda: [":default"])
    publish_date_order: list[str] = field(default_factory=lambda: [":default"])
    expiry_date_order: list[str] = field(default_factory=lambda: [":default"])
    # Hugo's `permalinks` per section, e.g. {"labs": "/:filename"}
    section_permalinks: dict[str, str] = field(default_factory=dict)
    git_info: bool = False
    max_post_bytes: int = 2_000_000
    emoji: bool = False              # Hugo's enableEmoji
    raw_html: bool = True            # Hugo's markup.goldmark.renderer.unsafe (false when a Hugo config omits it)
    themes: list[str] = field(default_factory=list)  # Hugo's theme: where else its shortcodes live


@dataclass(frozen=True)
class FeedSettings:
    limit: int = 20
    taxonomies: list[str] = field(default_factory=lambda: ["topic"])
    formats: list[str] = field(default_factory=lambda: ["atom", "rss", "json"])


CARD_LAYOUTS = ("auto", "photo", "split", "solid")
FOOTER_ITEMS = ("site", "topic", "date", "author", "domain")
# The first bytes of the font files FreeType reads: TrueType, OpenType/CFF, Apple, collections, WOFF.
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")


@dataclass(frozen=True)
class CardSettings:
    fonts: list[str] = field(default_factory=list)
    quality: int = 85
    layout: str = "auto"           # auto: photo, split for logo-like images, solid without an image
    background: str = "#0b1a2e"    # the scrim, the split panel, the solid card
    accent: str = "#ffcc33"
    text_color: str = "#ffffff"
    logo: str = ""                 # an image under the site root, drawn in the top-left corner
    font: str = ""                 # footer and credit: a font file under the site root or a bundled face
    title_font: str = ""
    footer: list[str] = field(default_factory=lambda: list(FOOTER_ITEMS[:4]))
    credit: bool = True            # the photo's attribution in the top-right corner
    system_fonts: bool = True      # false: only the bundled faces and these settings' fonts, on every machine


@dataclass(frozen=True)
class PingSettings:
    websub: list[str] = field(default_factory=list)
    xmlrpc: list[str] = field(default_factory=list)
    indexnow: str = ""
    indexnow_key: str = ""
    timeout: float = 10.0
    deadline: float = 60.0


@dataclass(frozen=True)
class MastodonSettings:
    instance: str = ""                   # https://mastodon.social
    token_env: str = "MASTODON_TOKEN"    # the environment variable holding the access token
    visibility: str = "public"           # public, unlisted, private, direct
    template: str = "{title}\n\n{url}\n\n{tags}"
    edit: bool = False                   # edit the status when an announced post's text changes


@dataclass(frozen=True)
class BlueskySettings:
    handle: str = ""                     # example.bsky.social (or the account's DID)
    password_env: str = "BLUESKY_APP_PASSWORD"   # an app password, from the environment
    service: str = "https://bsky.social"  # the account's PDS or entryway
    template: str = "{title}\n\n{url}\n\n{tags}"


@dataclass(frozen=True)
class AnnounceSettings:
    webmention: bool = False             # a Webmention to every page a new or changed post links to
    hosts_allow: list[str] = field(default_factory=list)   # Webmention targets only on these hosts
    hosts_deny: list[str] = field(default_factory=list)    # … never on these (wins over allow)
    allow_private: list[str] = field(default_factory=list)  # hosts allowed on loopback/private addresses
    max_page_bytes: int = 1_000_000      # read of a target page, for endpoint discovery
    mastodon: MastodonSettings | None = None
    bluesky: BlueskySettings | None = None
    backfill: int = 0                    # first run: post this many newest existing posts (the rest are known)
    timeout: float = 10.0
    deadline: float = 120.0


@dataclass(frozen=True)
class BuildSettings:
    out: str = "public"
    drafts: bool = False
    future: bool = False
    expired: bool = False
    strict: bool = False
    cards: bool = True
    jobs: int = 0  # 0: one process per core
    state_dir: str = ""  # caches and ping state; default <site>/.syndicate


@dataclass(frozen=True)
class Language:
    """One of the site's languages, as Hugo's `languages` config describes it."""
    key: str                  # `de`: the file-name suffix (post.de.md) and the URL prefix (/de/)
    tag: str                  # `de-DE`: xml:lang, og:locale (languageCode, else the key)
    title: str
    description: str = ""
    author: str = ""
    content_dir: str = "content"
    base_url: str = ""        # the site's base URL, or the language's own (Hugo's multihost)
    prefix: str = ""          # "" or "de/": where its pages and feeds go below the base URL
    weight: int = 0


@dataclass(frozen=True)
class HugoSettings:
    """Hugo's site model: what only a Hugo config says (a site without one gets Hugo's defaults)."""
    config_files: tuple[str, ...] = ()
    environment: str = "production"
    languages: tuple[Language, ...] = ()       # the default language first; filled by load_settings
    default_language: str = "en"
    default_in_subdir: bool = False
    disabled_languages: tuple[str, ...] = ()
    ugly_urls: bool = False
    ugly_sections: tuple[str, ...] = ()        # uglyURLs given per section
    disable_path_to_lower: bool = False
    remove_path_accents: bool = False
    taxonomies: tuple[str, ...] = ("tags", "categories")  # the front-matter keys (plural names)
    term_permalinks: Mapping[str, str] = field(default_factory=dict)  # taxonomy (plural) → its terms' pattern
    disable_kinds: tuple[str, ...] = ()        # Hugo's disableKinds, lower case: home, section, taxonomy, term, …
    main_sections: tuple[str, ...] = ()
    ignore_files: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)  # the site's params, lower-case keys


@dataclass(frozen=True)
class DeploySettings:
    """`syndicate deploy`: the bucket, and the CDN to purge. Credentials never come from here:
    boto3 reads them from the environment or the AWS config chain; `${NAME}` in purge headers
    is read from the environment."""
    url: str = ""                  # s3://bucket/prefix
    endpoint: str = ""             # S3-compatible stores (R2, MinIO, …); path-style addressing then
    region: str = ""
    gzip: bool = False             # upload XML/JSON/HTML pre-compressed, Content-Encoding: gzip
    jobs: int = 8                  # uploads in flight
    max_deletes: int = 256         # refuse to delete more objects than this in one deploy; -1: no limit
    cloudfront: str = ""           # distribution id to invalidate
    purge_url: str = ""            # generic purge: URL template ({url} per URL) …
    purge_method: str = "POST"
    purge_headers: list[str] = field(default_factory=list)   # "Name: value", ${NAME} from the environment
    purge_body: str = ""           # … or a body template: {urls} a JSON array of at most purge_batch URLs
    purge_batch: int = 30


@dataclass(frozen=True)
class HookSettings:
    """`syndicate hook`: the post-publish webhook. Its secret comes from the environment."""
    secret_env: str = "SYNDICATE_HOOK_SECRET"
    pull: bool = False             # git pull --ff-only in the site folder before building
    max_body: int = 5_000_000      # bytes; GitHub caps payloads at 25 MB, a push is far smaller


@dataclass(frozen=True)
class ServeSettings:
    """Limits of `syndicate serve` for clients that hold connections open or send too much."""
    header_timeout: float = 10.0      # seconds a client has for a request's head (slowloris)
    keep_alive_timeout: float = 5.0   # seconds an idle connection stays open after a response
    max_connections: int = 1000       # beyond this many connections, requests get 503
    max_header_bytes: int = 16384     # an unfinished request head longer than this is refused (400)


@dataclass(frozen=True)
class Settings:
    root: Path
    site: SiteSettings = field(default_factory=SiteSettings)
    content: ContentSettings = field(default_factory=ContentSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    cards: CardSettings = field(default_factory=CardSettings)
    ping: PingSettings = field(default_factory=PingSettings)
    announce: AnnounceSettings = field(default_factory=AnnounceSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    hugo: HugoSettings = field(default_factory=HugoSettings)
    deploy: DeploySettings = field(default_factory=DeploySettings)
    hook: HookSettings = field(default_factory=HookSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    sources: tuple[str, ...] = ()  # the files the settings were read from, for watching
    warnings: tuple[Diagnostic, ...] = ()  # what loading them reported: carried on to the build's report
    posts_from: str = ""           # how the posts folders were chosen, for the build summary

    @property
    def sections(self) -> tuple[str, ...]:
        """The posts' sections, as in their URLs: `blog` for content/blog."""
        return tuple(section_of(posts, self.content.content_dir) for posts in self.content.posts)

    @property
    def section(self) -> str:
        """The first posts section (the one whose images live in static/<section>/)."""
        return self.sections[0] if self.sections else "blog"

    @property
    def posts_dir(self) -> Path:
        return self.root / (self.content.posts[0] if self.content.posts else "content/blog")

    @property
    def posts_dirs(self) -> tuple[Path, ...]:
        """Every folder that holds posts: each section in each language's content folder."""
        folders: list[Path] = []
        for posts in self.content.posts:
            section = section_of(posts, self.content.content_dir)
            for content_dir in dict.fromkeys(language.content_dir for language in self.languages):
                folder = self.root / (posts if content_dir == self.content.content_dir else
                                      PurePosixPath(content_dir) / section)
                if folder not in folders:
                    folders.append(folder)
        return tuple(folders)

    @property
    def content_dir(self) -> Path:
        return self.root / self.content.content_dir

    @property
    def static_dir(self) -> Path:
        return self.root / self.content.static

    @property
    def out_dir(self) -> Path:
        return self.root / self.build.out

    @property
    def state_dir(self) -> Path:
        """Caches and ping state. A site folder without write bits (a read-only checkout, such as
        the shared corpus) keeps its state in the user's cache folder instead of beside the posts."""
        if self.build.state_dir:
            return self.root / self.build.state_dir
        if self.root.stat().st_mode & 0o222 == 0:
            cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            return cache_home / "syndicate" / hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return self.root / ".syndicate"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def languages(self) -> tuple[Language, ...]:
        return self.hugo.languages or (default_language(self),)

    def language(self, key: str) -> Language:
        return next((language for language in self.languages if language.key == key), self.languages[0])

    @property
    def path_rules(self) -> PathRules:
        return PathRules(lower=not self.hugo.disable_path_to_lower, remove_accents=self.hugo.remove_path_accents)

    def permalink_pattern(self, section: str) -> str:
        """The pattern for a section's posts: [content] permalink for the posts, else Hugo's."""
        if self.content.permalink and section in self.sections:
            return self.content.permalink
        return self.content.section_permalinks.get(section, "")

    def ugly(self, section: str) -> bool:
        return self.hugo.ugly_urls or section in self.hugo.ugly_sections


def section_of(posts: str, content_dir: str) -> str:
    """`content/blog` → `blog`: the folder below the content folder (its name if outside it)."""
    path, root = PurePosixPath(posts), PurePosixPath(content_dir)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) and path != root else path.name


def default_language(settings: Settings) -> Language:
    return Language(key=settings.hugo.default_language, tag=settings.site.language, title=settings.site.title,
                    description=settings.site.description, author=settings.site.author,
                    content_dir=settings.content.content_dir, base_url=settings.site.base_url)


SECTIONS: dict[str, type] = {
    "site": SiteSettings, "content": ContentSettings, "feeds": FeedSettings,
    "cards": CardSettings, "ping": PingSettings, "announce": AnnounceSettings, "build": BuildSettings,
    "deploy": DeploySettings, "hook": HookSettings, "serve": ServeSettings,
}


@dataclass(frozen=True)
class Place:
    """Where a setting was given: file, line, and the key as the user spelled it there."""
    file: str
    line: int | None
    key: str


@dataclass(frozen=True)
class _Layer:
    source: str
    values: Mapping[str, Any]
    text: str | None = None                             # syndicate.toml's text, to find lines
    places: Mapping[str, Place] = field(default_factory=dict)  # "section.key" → where (Hugo layer)


def load_settings(root: Path | str = ".", overrides: Mapping[str, Mapping[str, Any]] | None = None,
                  diagnostics: Diagnostics | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings of the site at `root`. Raises SyndicateError on a configuration error."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise SyndicateError(Diagnostic(str(root), None, Level.ERROR,
                                        "site folder does not exist; pass --site DIR"))
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    first_warning = len(diagnostics.items)
    environ = os.environ if environ is None else environ
    hugo = read_hugo_config(root, environ)
    layers: list[_Layer] = []
    sources = [str(file) for file in hugo.files] if hugo else []
    if hugo:
        layers.append(_hugo_layer(hugo))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = read_config_file(pyproject, root)[0].get("tool", {}).get("syndicate")
        if isinstance(tool, dict):
            layers.append(_Layer("pyproject.toml", tool, _text(pyproject)))
            sources.append(str(pyproject))
    own = root / "syndicate.toml"
    if own.is_file():
        layers.append(_Layer("syndicate.toml", read_config_file(own, root)[0], _text(own)))
        sources.append(str(own))
    if environ.get("HUGO_BASEURL"):  # Hugo's environment beats every file, as in Hugo
        layers.append(_Layer("environment variable HUGO_BASEURL", {"site": {"base_url": environ["HUGO_BASEURL"]}},
                             places={"site.base_url": Place("environment variable HUGO_BASEURL", None,
                                                            "HUGO_BASEURL")}))
    if overrides:
        layers.append(_Layer("command line", {k: dict(v) for k, v in overrides.items()},
                             places={"site.base_url": Place("command line", None, "--base-url")}))

    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    places: dict[str, Place] = {}
    for layer in layers:
        for section, values in _validated(layer, diagnostics).items():
            merged[section].update(values)
            for key in values:
                name = f"{section}.{key}"
                places[name] = layer.places.get(name) or Place(layer.source, _line_of(layer.text, key), key)
    sections = {name: SECTIONS[name](**merged[name]) for name in SECTIONS}
    settings = Settings(root=root, sources=tuple(sources), **sections)
    _check_values(settings, places, hugo)
    # One trailing slash, so urljoin(base_url, "blog/x/") keeps a path prefix.
    site = dataclasses.replace(settings.site, base_url=settings.site.base_url.rstrip("/") + "/")
    settings = dataclasses.replace(settings, site=site)
    settings = dataclasses.replace(settings, hugo=_hugo_settings(hugo, settings, places))
    settings = dataclasses.replace(settings, warnings=tuple(diagnostics.items[first_warning:]))
    return _with_posts_folders(settings, hugo)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


# ---------------------------------------------------------------- the Hugo layer

def _hugo_layer(hugo: HugoConfig) -> _Layer:
    """The Hugo settings syndicate's own sections take, with where each was written."""
    values: dict[str, dict[str, Any]] = {"site": {}, "content": {}, "feeds": {}, "build": {}}
    places: dict[str, Place] = {}

    def take(section: str, key: str, dotted: str, value: Any) -> None:
        if value is None or value == "" or value == []:
            return
        values[section][key] = value
        origin = hugo.origin(dotted)
        if origin:
            places[f"{section}.{key}"] = Place(origin.file, origin.line, origin.key)

    take("site", "base_url", "baseurl", _string(hugo.get("baseurl")))
    take("site", "title", "title", _string(hugo.get("title")))
    take("site", "language", "languagecode", _string(hugo.get("languagecode")))
    take("site", "timezone", "timezone", _string(hugo.get("timezone")))
    take("site", "description", "params.description", _string(hugo.get("params.description")))
    twitter = hugo.get("params.twitter_handle") or hugo.get("params.social.twitter") or hugo.get("params.twitter")
    take("site", "twitter", "params.twitter_handle", _string(twitter))
    take("site", "author", "params.author", author_name(hugo.get("params.author")))
    content = values["content"]
    for key, ours in (("date", "date_order"), ("lastmod", "lastmod_order"),
                      ("publishdate", "publish_date_order"), ("expirydate", "expiry_date_order")):
        order = hugo.get(f"frontmatter.{key}")
        take("content", ours, f"frontmatter.{key}", [str(v) for v in order] if isinstance(order, list)
             else [str(order)] if isinstance(order, str) else None)
    content.setdefault("date_order", [":default"])  # Hugo's own default: no dates from file names
    permalinks = hugo_permalinks(hugo.get("permalinks"))
    take("content", "section_permalinks", "permalinks", permalinks or None)
    take("content", "content_dir", "contentdir", _string(hugo.get("contentdir")))
    static = hugo.get("staticdir")
    take("content", "static", "staticdir", _string(static[0] if isinstance(static, list) and static else static))
    images = hugo.get("params.images")
    first_image = images[0] if isinstance(images, list) and images else images
    take("content", "default_image", "params.images", _string(first_image).lstrip("/") or None)
    take("content", "git_info", "enablegitinfo", hugo.get("enablegitinfo") if isinstance(hugo.get("enablegitinfo"), bool) else None)
    limit = hugo.get("services.rss.limit") or hugo.get("rsslimit")
    take("feeds", "limit", "rsslimit", limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None)
    take("feeds", "taxonomies", "taxonomies", list(dict.fromkeys([*hugo_taxonomies(hugo), "topic"])))
    for key, ours in (("builddrafts", "drafts"), ("buildfuture", "future"), ("buildexpired", "expired")):
        value = hugo.get(key)
        take("build", ours, key, value if isinstance(value, bool) else None)
    # What rendering bodies needs: enableEmoji, Goldmark's unsafe (Hugo's default is false), the theme.
    unsafe = hugo.get("markup.goldmark.renderer.unsafe")
    values["content"]["raw_html"] = unsafe if isinstance(unsafe, bool) else False
    take("content", "emoji", "enableemoji", hugo.get("enableemoji") if isinstance(hugo.get("enableemoji"), bool) else None)
    theme = hugo.get("theme")
    take("content", "themes", "theme", [theme] if isinstance(theme, str) else
         [str(t) for t in theme] if isinstance(theme, list) else None)
    params = hugo.get("params")
    take("site", "params", "params", params if isinstance(params, dict) and params else None)
    return _Layer(hugo.files[0].name if len(hugo.files) == 1 else "Hugo config", values, places=places)


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def author_name(value: Any) -> str:
    """An author in any of Hugo's shapes: a name, a map with `name`, or a list of either."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return author_name(value.get("name") or value.get("displayname") or value.get("title"))
    if isinstance(value, list):
        return ", ".join(name for name in (author_name(item) for item in value) if name)
    return ""


def hugo_permalinks(value: Any) -> dict[str, str]:
    """Hugo's permalinks for pages: the old map {section: pattern} or the new per-kind form
    {page: {section: pattern}} (Hugo ≥ 0.120), where `page` is what posts follow."""
    if not isinstance(value, dict):
        return {}
    patterns = {str(k).strip("/"): v for k, v in value.items() if isinstance(v, str)}
    page = value.get("page")
    if isinstance(page, dict):
        patterns.update({str(k).strip("/"): v for k, v in page.items() if isinstance(v, str)})
    return patterns


def term_permalinks(value: Any, taxonomies: list[str]) -> dict[str, str]:
    """Hugo's permalinks for taxonomy terms: the old map's entries named like a taxonomy
    ({tags: /tag/:slug/}) or the per-kind form {term: {tags: …}} (Hugo ≥ 0.120)."""
    if not isinstance(value, dict):
        return {}
    patterns = {str(k).strip("/").lower(): v for k, v in value.items()
                if isinstance(v, str) and str(k).strip("/").lower() in taxonomies}
    term = value.get("term")
    if isinstance(term, dict):
        patterns.update({str(k).strip("/").lower(): v for k, v in term.items() if isinstance(v, str)})
    return patterns


def hugo_taxonomies(hugo: HugoConfig) -> list[str]:
    """The front-matter keys of the site's taxonomies: Hugo's tags and categories by default."""
    configured = hugo.get("taxonomies")
    if isinstance(configured, dict):
        return [str(plural).lower() for plural in configured.values() if isinstance(plural, str) and plural]
    return ["tags", "categories"]


def _hugo_settings(hugo: HugoConfig | None, settings: Settings, places: Mapping[str, Place]) -> HugoSettings:
    if hugo is None:
        return HugoSettings(languages=(default_language(settings),))
    ugly = hugo.get("uglyurls")
    params = hugo.get("params") if isinstance(hugo.get("params"), dict) else {}
    main = params.get("mainsections")
    ignore = hugo.get("ignorefiles")
    kinds = hugo.get("disablekinds") if isinstance(hugo.get("disablekinds"), list) else ()
    model = HugoSettings(
        config_files=tuple(file.relative_to(settings.root).as_posix() for file in hugo.files),
        environment=hugo.environment,
        default_language=_string(hugo.get("defaultcontentlanguage")).lower() or "en",
        default_in_subdir=hugo.get("defaultcontentlanguageinsubdir") is True,
        disabled_languages=tuple(str(v).lower() for v in hugo.get("disablelanguages") or ()
                                 if isinstance(v, str)),
        ugly_urls=ugly is True,
        ugly_sections=tuple(k for k, v in ugly.items() if v is True) if isinstance(ugly, dict) else (),
        disable_path_to_lower=hugo.get("disablepathtolower") is True,
        remove_path_accents=hugo.get("removepathaccents") is True,
        taxonomies=tuple(hugo_taxonomies(hugo)),
        term_permalinks=term_permalinks(hugo.get("permalinks"), hugo_taxonomies(hugo)),
        disable_kinds=tuple(KIND_ALIASES.get(kind, kind) for kind in (str(v).lower() for v in kinds)),
        main_sections=tuple(s.strip("/") for s in (main if isinstance(main, list) else [main])
                            if isinstance(s, str) and s.strip("/")),
        ignore_files=tuple(str(p) for p in (ignore if isinstance(ignore, list) else [ignore] if ignore else [])),
        params=params,
    )
    _check_ignore_files(model, hugo)
    return dataclasses.replace(model, languages=_languages(hugo, model, settings))


def _languages(hugo: HugoConfig, model: HugoSettings, settings: Settings) -> tuple[Language, ...]:
    """Every enabled language, the default first, then by weight and key (Hugo's order)."""
    configured = hugo.get("languages") if isinstance(hugo.get("languages"), dict) else {}
    keys = [str(k).lower() for k in configured] or [model.default_language]
    if model.default_language not in keys:
        keys.append(model.default_language)
    found: list[Language] = []
    for key in keys:
        own = configured.get(key) if isinstance(configured.get(key), dict) else {}
        if key in model.disabled_languages or own.get("disabled") is True:
            continue
        own_params = own.get("params") if isinstance(own.get("params"), dict) else {}
        is_default = key == model.default_language
        base = _string(own.get("baseurl"))
        found.append(Language(
            key=key,
            tag=_string(own.get("languagecode")) or (settings.site.language if is_default else key),
            title=_string(own.get("title")) or settings.site.title,
            description=_string(own_params.get("description") or own.get("description")) or settings.site.description,
            author=author_name(own_params.get("author")) or settings.site.author,
            content_dir=_string(own.get("contentdir")).strip("/") or settings.content.content_dir,
            base_url=(base.rstrip("/") + "/") if base else settings.site.base_url,
            prefix="" if base or (is_default and not model.default_in_subdir) else f"{key}/",
            weight=own.get("weight") if isinstance(own.get("weight"), int) else 0,
        ))
    found.sort(key=lambda language: (language.key != model.default_language, language.weight or 1 << 30,
                                     language.key))
    return tuple(found)


def _check_ignore_files(model: HugoSettings, hugo: HugoConfig) -> None:
    for pattern in model.ignore_files:
        try:
            re.compile(pattern)
        except re.error as exc:
            origin = hugo.origin("ignorefiles")
            raise SyndicateError(Diagnostic(origin.file if origin else "Hugo config", origin.line if origin else None,
                                            Level.ERROR, f"ignoreFiles: {pattern!r} is not a regular expression "
                                            f"({exc})")) from exc


# ---------------------------------------------------------------- the posts folders

def _with_posts_folders(settings: Settings, hugo: HugoConfig | None) -> Settings:
    """[content] posts if given; else Hugo's main sections (params.mainSections); else the first
    conventional blog folder that exists. Each is said in the build summary."""
    content_dir = settings.content.content_dir.strip("/")
    if settings.content.posts:
        posts, how = settings.content.posts, "[content] posts"
    elif settings.hugo.main_sections:
        posts = [f"{content_dir}/{section}" for section in settings.hugo.main_sections]
        how = "the Hugo config's params.mainSections"
    else:
        found = [name for name in CONVENTIONAL_SECTIONS
                 if any((settings.root / language.content_dir / name).is_dir() for language in settings.languages)]
        posts = [f"{content_dir}/{found[0] if found else 'blog'}"]
        how = (f"the first usual blog folder there is of {', '.join(CONVENTIONAL_SECTIONS)}"
               if found else "the default")
    posts = [PurePosixPath(p.strip("/")).as_posix() for p in posts]
    content = dataclasses.replace(settings.content, posts=posts)
    settings = dataclasses.replace(settings, content=content, posts_from=how)
    for folder in settings.posts_dirs:  # found by the fuzzer: a name no file system holds crashed the build
        rel = folder.relative_to(settings.root).as_posix()
        if "\0" in rel or any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in folder.parts):
            origin = hugo.files[0].relative_to(settings.root).as_posix() if hugo else "syndicate.toml"
            raise SyndicateError(Diagnostic(origin, None, Level.ERROR, f"the posts folder {rel[:80]!r} (from {how}, "
                                            "and the languages' contentDir) is no name a file system can hold; "
                                            "set [content] posts"))
    return settings


# ---------------------------------------------------------------- syndicate.toml checks

def _validated(layer: _Layer, diagnostics: Diagnostics) -> dict[str, dict[str, Any]]:
    """Check a layer against the schema: unknown keys warn, wrong types are errors."""
    result: dict[str, dict[str, Any]] = {}
    source, text = layer.source, layer.text
    for section, values in layer.values.items():
        if section not in SECTIONS:
            diagnostics.warn(source, _line_of(text, section, header=True),
                             f"unknown section [{section}]{_did_you_mean(section, SECTIONS)}; it is ignored")
            continue
        if not isinstance(values, Mapping):
            raise SyndicateError(Diagnostic(source, _line_of(text, section), Level.ERROR,
                                            f"[{section}] must be a table of settings"))
        known = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
        result[section] = {}
        for key, value in values.items():
            if key not in known:
                diagnostics.warn(source, _line_of(text, key),
                                 f"unknown key '{key}' in [{section}]{_did_you_mean(key, known)}; it is ignored")
                continue
            hint = typing.get_type_hints(SECTIONS[section])[key]
            place = layer.places.get(f"{section}.{key}") or Place(source, _line_of(text, key), key)
            result[section][key] = _coerce(value, hint, section, key, place)
            if (section, key) == ("content", "permalink"):
                result[section][key] = _permalink(result[section][key], place)
    return result


def _permalink(pattern: str, place: Place) -> str:
    """[content] permalink in Hugo's `:token` syntax; the first syntax (`{slug}`) still works."""
    pattern = from_old_syntax(pattern)
    problem = pattern_problem(pattern) if pattern else ""
    if problem:
        raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR, f"[content] permalink {problem}"))
    return pattern


def _did_you_mean(word: str, choices: Mapping[str, Any] | list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _line_of(text: str | None, key: str, header: bool = False) -> int | None:
    if text is None:
        return None
    pattern = rf"^\s*\[(tool\.syndicate\.)?{re.escape(key)}\]" if header else rf"^\s*\"?{re.escape(key)}\"?\s*="
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(pattern, line):
            return number
    return None


def _coerce(value: Any, hint: Any, section: str, key: str, place: Place) -> Any:
    def wrong(expected: str) -> SyndicateError:
        name = f"[{section}] {key}" if place.key == key else place.key
        return SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                         f"{name} must be {expected}, got {value!r}"))
    origin = typing.get_origin(hint)
    table = _table_type(hint)
    if table is not None:
        return _coerce_table(value, table, section, key, place)
    if hint is bool:
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("a whole number")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong("a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise wrong("a string")
        return value
    if origin is list:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong("a list of strings")
        return list(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise wrong("a table")
        if typing.get_args(hint)[1] is Any:  # nested as written (Hugo's params)
            return {str(k): v for k, v in value.items()}
        return {str(k): str(v) for k, v in value.items()}
    raise TypeError(f"no coercion for {hint}")  # a schema mistake, not a user error


def _table_type(hint: Any) -> type | None:
    """The settings class of a sub-table (`mastodon = { … }`), also when optional."""
    if isinstance(hint, types.UnionType):
        classes = [arg for arg in hint.__args__ if arg is not type(None)]
        hint = classes[0] if len(classes) == 1 else None
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def _coerce_table(value: Any, table: type, section: str, key: str, place: Place) -> Any:
    if not isinstance(value, Mapping):
        raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                        f"[{section}] {key} must be a table such as {{ key = \"value\" }}"))
    hints = typing.get_type_hints(table)
    for name in value:
        if name not in hints:
            raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                            f"[{section}] {key} has no key '{name}'{_did_you_mean(name, hints)}"))
    return table(**{name: _coerce(item, hints[name], section, f"{key}.{name}", place)
                    for name, item in value.items()})


def _check_card_look(settings: Settings, fail: typing.Callable[[str], None],
                     places: Mapping[str, Place]) -> None:
    """A card's look: known layouts and footer items, colours, files that exist and are what they
    should be, and text that keeps WCAG's 4.5:1 against the background it stands on."""
    cards = settings.cards
    if cards.layout not in CARD_LAYOUTS:
        fail(f"[cards] layout must be one of {', '.join(CARD_LAYOUTS)}, got {cards.layout!r}")
    for key in ("background", "accent", "text_color"):
        try:
            parse_color(getattr(cards, key))
        except ValueError as exc:
            fail(f"[cards] {key}: {exc}")
    ratio = contrast(parse_color(cards.text_color), parse_color(cards.background))
    if ratio < MIN_CONTRAST:
        # Named by the colour the settings set last, so the line points at the one just changed.
        first = "text_color" if "cards.text_color" in places else "background"
        fail(f"[cards] {first}: text_color {cards.text_color} on background {cards.background} has a contrast of "
             f"{ratio:.2f}:1, below WCAG's {MIN_CONTRAST}:1; choose a lighter text or a darker background "
             f"(or the other way round)")
    unknown = [item for item in cards.footer if item not in FOOTER_ITEMS]
    if unknown:
        fail(f"[cards] footer may hold {', '.join(FOOTER_ITEMS)}, not {', '.join(map(repr, unknown))}")
    if cards.logo and not (settings.root / cards.logo).is_file():
        fail(f"[cards] logo {cards.logo!r} is not a file under the site folder {settings.root}")
    for key in ("font", "title_font"):
        value = getattr(cards, key)
        if value and value not in FACES:
            problem = _font_file_problem(settings.root / value)
            if problem:
                fail(f"[cards] {key} {value!r} {problem}; give a .ttf/.otf file under the site folder "
                     f"or a bundled face ({', '.join(FACES)})")


def _font_file_problem(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError:
        return "is not a readable file"
    return "" if magic in FONT_MAGIC else "is not a font file"


def _check_values(settings: Settings, places: Mapping[str, Place], hugo: HugoConfig | None) -> None:
    """Checks of values, not types: what would make a build meaningless."""
    def fail(section: str, key: str, message: str) -> None:
        place = places.get(f"{section}.{key}")
        name = f"[{section}] {key}" if place is None or place.key == key else place.key
        file = place.file if place else (hugo.files[0].name if hugo else "syndicate.toml")
        raise SyndicateError(Diagnostic(file, place.line if place else None, Level.ERROR,
                                        message.replace("{name}", name)))

    base_url = settings.site.base_url
    if not base_url.strip():
        fail("site", "base_url", f"the site has no base URL; {BASE_URL_HELP}")
    url = urlsplit(base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        fail("site", "base_url", f"{{name}} {base_url!r} is not an absolute http(s) URL such as "
             f"https://example.org/; {BASE_URL_HELP}")
    try:
        ZoneInfo(settings.site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("site", "timezone", f"{{name}} {settings.site.timezone!r} is not an IANA time zone such as Europe/Berlin")
    for section, pattern in settings.content.section_permalinks.items():
        problem = pattern_problem(pattern)
        origin = hugo and (hugo.origin(f"permalinks.page.{section}") or hugo.origin(f"permalinks.{section}"))
        if problem and origin:
            raise SyndicateError(Diagnostic(origin.file, origin.line, Level.ERROR,
                                            f"permalinks for '{section}': {problem}"))
        if problem:
            fail("content", "section_permalinks", f"permalinks for '{section}': {problem}")
    if settings.feeds.limit < 1:
        fail("feeds", "limit", "{name} must be at least 1")
    unknown_formats = set(settings.feeds.formats) - {"atom", "rss", "json"}
    if unknown_formats:
        fail("feeds", "formats", f"{{name}} may hold atom, rss and json, not {sorted(unknown_formats)}")
    if not 1 <= settings.cards.quality <= 95:
        fail("cards", "quality", "{name} must be between 1 and 95")
    _check_ping(settings.ping, _keyed(fail, "ping"))
    _check_card_look(settings, _keyed(fail, "cards"), places)
    if settings.ping.timeout <= 0:
        fail("ping", "timeout", "{name} must be a positive number of seconds")
    if settings.ping.deadline <= 0:
        fail("ping", "deadline", "{name} must be a positive number of seconds")
    if settings.build.jobs < 0:
        fail("build", "jobs", "{name} must be 0 (one per core) or more")
    _check_announce(settings.announce, _keyed(fail, "announce"))
    _check_deploy(settings.deploy, settings.hook,
                  lambda message: fail(*re.match(r"\[(\w+)\] (\w+)", message).groups(), message))
    _check_serve(settings.serve, fail)


def _keyed(fail: Callable[[str, str, str], None], section: str) -> Callable[[str], None]:
    """`fail` for checks whose messages name their key (`[cards] logo …`): the key gives the place."""
    return lambda message: fail(section, (re.match(rf"\[{section}\] (\w+)", message) or re.match("()", "")).group(1),
                                message)


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEMPLATE_FIELDS = ("title", "url", "tags", "description", "site")
VISIBILITIES = ("public", "unlisted", "private", "direct")  # Mastodon's POST /api/v1/statuses


def _check_announce(announce: AnnounceSettings, fail: Any) -> None:
    if announce.timeout <= 0 or announce.deadline <= 0:
        fail("[announce] timeout and deadline must be positive numbers of seconds")
    if announce.max_page_bytes < 1024:
        fail("[announce] max_page_bytes must be at least 1024")
    if announce.backfill < 0:
        fail("[announce] backfill must be 0 or more")
    for name, social, url, secret in (
            ("mastodon", announce.mastodon, "instance", "token_env"),
            ("bluesky", announce.bluesky, "service", "password_env")):
        if social is None:
            continue
        address = urlsplit(getattr(social, url))
        if address.scheme not in ("http", "https") or not address.netloc:
            fail(f"[announce] {name} needs {url} = an http(s) URL such as "
                 f"{'https://mastodon.social' if name == 'mastodon' else 'https://bsky.social'}")
        if not ENV_NAME.fullmatch(getattr(social, secret)):
            fail(f"[announce] {name} {secret} must name an environment variable (the secret itself "
                 "never goes into a settings file)")
        try:
            social.template.format(**{field: "" for field in TEMPLATE_FIELDS})
        except (KeyError, IndexError, ValueError) as exc:
            fail(f"[announce] {name} template may use {{{'}, {'.join(TEMPLATE_FIELDS)}}} only: {exc!r}")
    if announce.mastodon is not None and announce.mastodon.visibility not in VISIBILITIES:
        fail(f"[announce] mastodon visibility must be one of {', '.join(VISIBILITIES)}")
    if announce.bluesky is not None and not announce.bluesky.handle:
        fail("[announce] bluesky needs handle = the account's handle, e.g. example.bsky.social")


def _check_ping(ping: PingSettings, fail: Callable[[str], None]) -> None:
    """[ping] endpoints are checked here, when the settings load, so a mistake names its file and
    line (and stops a build, whose feeds advertise the hubs) instead of surfacing at ping time."""
    endpoints = [("websub", url) for url in ping.websub] + [("xmlrpc", url) for url in ping.xmlrpc]
    endpoints += [("indexnow", ping.indexnow)] if ping.indexnow else []
    for kind, url in endpoints:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail(f"[ping] {kind} endpoint {url!r} is not an http(s) URL")
    if ping.indexnow and not ping.indexnow_key:
        fail("[ping] indexnow is set but indexnow_key is not; choose a key of 8 to 128 "
             "characters of A-Z, a-z, 0-9 and '-' (e.g. from `uuidgen`)")
    if ping.indexnow_key and not INDEXNOW_KEY.fullmatch(ping.indexnow_key):
        fail("[ping] indexnow_key must be 8 to 128 characters of A-Z, a-z, 0-9 and '-'")


def _check_deploy(deploy: DeploySettings, hook: HookSettings, fail: Callable[[str], None]) -> None:
    bucket = urlsplit(deploy.url)
    if deploy.url and (bucket.scheme != "s3" or not bucket.netloc or bucket.query or bucket.fragment):
        fail(f"[deploy] url must be s3://bucket or s3://bucket/prefix, got {deploy.url!r}")
    for key in ("endpoint", "purge_url"):
        value = getattr(deploy, key)
        if value and urlsplit(value.replace("{url}", "")).scheme not in ("http", "https") and value != "{url}":
            fail(f"[deploy] {key} must be an http(s) URL, got {value!r}")
    if deploy.jobs < 1:
        fail("[deploy] jobs must be at least 1")
    if deploy.max_deletes < -1:
        fail("[deploy] max_deletes must be -1 (no limit), 0 or more")
    if not re.fullmatch(r"[A-Z]+", deploy.purge_method):
        fail(f"[deploy] purge_method must be an HTTP method such as POST or PURGE, got {deploy.purge_method!r}")
    if deploy.purge_batch < 1:
        fail("[deploy] purge_batch must be at least 1")
    if (deploy.purge_body or deploy.purge_headers) and not deploy.purge_url:
        fail("[deploy] purge_headers and purge_body need a purge_url")
    for header in deploy.purge_headers:
        name, colon, value = header.partition(":")
        if not colon or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name.strip()):
            fail(f"[deploy] purge_headers must be 'Name: value' lines, got {header!r}")
        if re.search(r"auth|key|token|secret", name, re.IGNORECASE) and "${" not in value:
            fail(f"[deploy] purge_headers: {name.strip()} is a credential; keep it out of settings files and "
                 f"name an environment variable instead, e.g. '{name.strip()}: Bearer ${{CDN_API_TOKEN}}'")
    if not ENV_NAME.fullmatch(hook.secret_env):
        fail(f"[hook] secret_env must name an environment variable, got {hook.secret_env!r}")
    if hook.max_body < 1:
        fail("[hook] max_body must be a positive number of bytes")

def _check_serve(serve: ServeSettings, fail: Callable[[str, str, str], None]) -> None:
    for key in ("header_timeout", "keep_alive_timeout"):
        if getattr(serve, key) <= 0:
            fail("serve", key, "{name} must be a positive number of seconds")
    if serve.max_connections < 1:
        fail("serve", "max_connections", "{name} must be at least 1")
    if serve.max_header_bytes < 1024:
        fail("serve", "max_header_bytes", "{name} must be at least 1024")
