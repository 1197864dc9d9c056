"""What the settings are: one frozen dataclass per section of syndicate.toml (`[site]`, `[content]`,
…), each field with its default, and `Settings`, the whole, with the facts derived from it (the
posts folders, the languages, the state folder). Reading them is loading.py's work."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..diagnostics import Diagnostic
from ..permalinks import PathRules


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
class PublishSettings:
    """`syndicate publish` and `syndicate hook`: the command that builds the site's own pages first
    (e.g. "hugo --minify"), so that a deploy uploads the whole site, not feeds and cards alone."""
    command: str = ""              # split as a shell would, run without a shell in the site folder
    timeout: float = 900.0         # seconds the command may take


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
    publish: PublishSettings = field(default_factory=PublishSettings)
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


# The sections a settings file may hold: every section of Settings (one list to extend), but
# [hugo], which comes from the site's Hugo config only.
SECTIONS: dict[str, type] = {f.name: f.default_factory for f in dataclasses.fields(Settings)  # type: ignore[misc]
                             if f.default_factory is not dataclasses.MISSING and f.name != "hugo"}
