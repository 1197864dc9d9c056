"""Checks of values, not types (layers.py checks those): what would make a build, a ping, a deploy
or the server meaningless. Every check runs when the settings load, for every command, so a
mistake is an error at the file and line where the key was written (exit 2), never a surprise
later (a misspelt hub would otherwise be advertised in every feed as rel="hub")."""

from __future__ import annotations

import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..colors import MIN_CONTRAST, contrast, parse_color
from ..diagnostics import Diagnostic, Level, SyndicateError
from ..fonts import FACES
from ..hugoconfig import HugoConfig
from ..permalinks import pattern_problem
from ..sitefiles import outside_site
from .layers import Place
from .schema import (
    CARD_LAYOUTS,
    FOOTER_ITEMS,
    AnnounceSettings,
    DeploySettings,
    HookSettings,
    PingSettings,
    PublishSettings,
    ServeSettings,
    Settings,
)

BASE_URL_HELP = ("give it as baseURL in the Hugo config (or [site] base_url in syndicate.toml), as the "
                 "environment variable HUGO_BASEURL, or with --base-url")
INDEXNOW_KEY = re.compile(r"[A-Za-z0-9-]{8,128}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEMPLATE_FIELDS = ("title", "url", "tags", "description", "site")
VISIBILITIES = ("public", "unlisted", "private", "direct")  # Mastodon's POST /api/v1/statuses
HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")     # RFC 9110 §5.6.2: a header field's name
# The first bytes of the font files FreeType reads: TrueType, OpenType/CFF, Apple, collections, WOFF.
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")

Fail = Callable[[str, str], NoReturn]   # (key, message) → the error, at the place the key was set


class Problem:
    """Raises a settings error at the file and line where `[section] key` was set (the first
    Hugo config file, or syndicate.toml, where it was not set at all). In a message, `{name}`
    stands for the key as the user wrote it (`baseURL` in a Hugo config, `[site] base_url` here)."""

    def __init__(self, places: Mapping[str, Place], hugo: HugoConfig | None):
        self.places, self.hugo = places, hugo

    def fail(self, section: str, key: str, message: str) -> NoReturn:
        place = self.places.get(f"{section}.{key}")
        name = f"[{section}] {key}" if place is None or place.key == key else place.key
        file = place.file if place else (self.hugo.files[0].name if self.hugo else "syndicate.toml")
        raise SyndicateError(Diagnostic(file, place.line if place else None, Level.ERROR,
                                        message.replace("{name}", name)))

    def in_section(self, section: str) -> Fail:
        return lambda key, message: self.fail(section, key, message)


def check_values(settings: Settings, places: Mapping[str, Place], hugo: HugoConfig | None) -> None:
    problem = Problem(places, hugo)
    _check_site(settings, problem.in_section("site"))
    _check_permalinks(settings, problem.in_section("content"), hugo)
    _check_posts_folders(settings, problem.in_section("content"))
    _check_feeds(settings, problem.in_section("feeds"))
    _check_ping(settings.ping, problem.in_section("ping"))
    _check_card_look(settings, problem.in_section("cards"), places)
    if settings.build.jobs < 0:
        problem.fail("build", "jobs", "{name} must be 0 (one per core) or more")
    _check_announce(settings.announce, problem.in_section("announce"))
    _check_deploy(settings.deploy, problem.in_section("deploy"))
    _check_publish(settings.publish, problem.in_section("publish"))
    _check_hook(settings.hook, problem.in_section("hook"))
    _check_serve(settings.serve, problem.in_section("serve"))


def _check_posts_folders(settings: Settings, fail: Fail) -> None:
    """Posts are pages of the content tree: a folder outside the content folder would be read by
    no one (the posts check found it there, the content tree walked the content folder)."""
    content = PurePosixPath(settings.content.content_dir.strip("/"))
    for posts in settings.content.posts:
        folder = PurePosixPath(posts.strip("/"))
        if not folder.is_relative_to(content):
            fail("posts", f"[content] posts {posts!r} is not inside the content folder {content.as_posix()!r}: Hugo "
                          f"makes pages only of files below it; give a folder there, e.g. "
                          f"'{(content / folder.name).as_posix()}'")


def _check_site(settings: Settings, fail: Fail) -> None:
    base_url = settings.site.base_url
    if not base_url.strip() and not settings.sources:  # nothing read at all: most likely the wrong folder
        raise SyndicateError(Diagnostic(str(settings.root), None, Level.ERROR, (
            "this folder holds no Hugo config (hugo.toml/yaml/json, config.*, config/_default/) and no "
            "syndicate.toml, so the site has no base URL: is it the site's folder? Give --site the folder that "
            f"holds them; else {BASE_URL_HELP}")))
    if not base_url.strip():
        fail("base_url", f"the site has no base URL; {BASE_URL_HELP}")
    url = urlsplit(base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        fail("base_url", f"{{name}} {base_url!r} is not an absolute http(s) URL such as https://example.org/; "
                         f"{BASE_URL_HELP}")
    try:
        ZoneInfo(settings.site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"{{name}} {settings.site.timezone!r} is not an IANA time zone such as Europe/Berlin")


def _check_permalinks(settings: Settings, fail: Fail, hugo: HugoConfig | None) -> None:
    """Hugo's `permalinks` per section: an error where the Hugo config wrote the pattern."""
    for section, pattern in settings.content.section_permalinks.items():
        problem = pattern_problem(pattern)
        if not problem:
            continue
        origin = hugo and (hugo.origin(f"permalinks.page.{section}") or hugo.origin(f"permalinks.{section}"))
        if origin:
            raise SyndicateError(Diagnostic(origin.file, origin.line, Level.ERROR,
                                            f"permalinks for '{section}': {problem}"))
        fail("section_permalinks", f"permalinks for '{section}': {problem}")


def _check_feeds(settings: Settings, fail: Fail) -> None:
    if settings.feeds.limit < 1:
        fail("limit", "{name} must be at least 1")
    unknown_formats = set(settings.feeds.formats) - {"atom", "rss", "json"}
    if unknown_formats:
        fail("formats", f"{{name}} may hold atom, rss and json, not {sorted(unknown_formats)}")


def _check_card_look(settings: Settings, fail: Fail, places: Mapping[str, Place]) -> None:
    """A card's look: known layouts and footer items, colours, files that exist and are what they
    should be, and text that keeps WCAG's 4.5:1 against the background it stands on."""
    cards = settings.cards
    if not 1 <= cards.quality <= 95:
        fail("quality", "{name} must be between 1 and 95")
    if cards.layout not in CARD_LAYOUTS:
        fail("layout", f"[cards] layout must be one of {', '.join(CARD_LAYOUTS)}, got {cards.layout!r}")
    for key in ("background", "accent", "text_color"):
        try:
            parse_color(getattr(cards, key))
        except ValueError as exc:
            fail(key, f"[cards] {key}: {exc}")
    ratio = contrast(parse_color(cards.text_color), parse_color(cards.background))
    if ratio < MIN_CONTRAST:
        # Named by the colour the settings set last, so the line points at the one just changed.
        first = "text_color" if "cards.text_color" in places else "background"
        fail(first, f"[cards] {first}: text_color {cards.text_color} on background {cards.background} has a "
                    f"contrast of {ratio:.2f}:1, below WCAG's {MIN_CONTRAST}:1; choose a lighter text or a darker "
                    "background (or the other way round)")
    unknown = [item for item in cards.footer if item not in FOOTER_ITEMS]
    if unknown:
        fail("footer", f"[cards] footer may hold {', '.join(FOOTER_ITEMS)}, not {', '.join(map(repr, unknown))}")
    if cards.logo and outside_site(settings.root / cards.logo, settings.root):
        fail("logo", f"[cards] logo {cards.logo!r} lies outside the site folder {settings.root} (a link or a path "
                     f"out of it is never read): copy the image into the site, e.g. static/logo.png")
    if cards.logo and not (settings.root / cards.logo).is_file():
        fail("logo", f"[cards] logo {cards.logo!r} is not a file under the site folder {settings.root}")
    for key in ("font", "title_font"):
        value = getattr(cards, key)
        if value and value not in FACES:
            problem = _font_file_problem(settings.root / value)
            if problem:
                fail(key, f"[cards] {key} {value!r} {problem}; give a .ttf/.otf file under the site folder "
                          f"or a bundled face ({', '.join(FACES)})")


def _font_file_problem(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError:
        return "is not a readable file"
    return "" if magic in FONT_MAGIC else "is not a font file"


def _check_ping(ping: PingSettings, fail: Fail) -> None:
    """[ping] endpoints are checked here, not at ping time: a build advertises the hubs."""
    endpoints = [("websub", url) for url in ping.websub] + [("xmlrpc", url) for url in ping.xmlrpc]
    endpoints += [("indexnow", ping.indexnow)] if ping.indexnow else []
    for kind, url in endpoints:
        if not _is_http_url(url):
            fail(kind, f"[ping] {kind} endpoint {url!r} is not an http(s) URL")
    if ping.indexnow and not ping.indexnow_key:
        fail("indexnow", "[ping] indexnow is set but indexnow_key is not; choose a key of 8 to 128 "
                         "characters of A-Z, a-z, 0-9 and '-' (e.g. from `uuidgen`)")
    if ping.indexnow_key and not INDEXNOW_KEY.fullmatch(ping.indexnow_key):
        fail("indexnow_key", "[ping] indexnow_key must be 8 to 128 characters of A-Z, a-z, 0-9 and '-'")
    for key in ("timeout", "deadline"):
        if getattr(ping, key) <= 0:
            fail(key, "{name} must be a positive number of seconds")


def _check_announce(announce: AnnounceSettings, fail: Fail) -> None:
    if announce.timeout <= 0 or announce.deadline <= 0:
        fail("timeout", "[announce] timeout and deadline must be positive numbers of seconds")
    if announce.max_page_bytes < 1024:
        fail("max_page_bytes", "[announce] max_page_bytes must be at least 1024")
    if announce.backfill < 0:
        fail("backfill", "[announce] backfill must be 0 or more")
    for name, social, url, secret in (
            ("mastodon", announce.mastodon, "instance", "token_env"),
            ("bluesky", announce.bluesky, "service", "password_env")):
        if social is None:
            continue
        if not _is_http_url(getattr(social, url)):
            fail(name, f"[announce] {name} needs {url} = an http(s) URL such as "
                       f"{'https://mastodon.social' if name == 'mastodon' else 'https://bsky.social'}")
        if not ENV_NAME.fullmatch(getattr(social, secret)):
            fail(name, f"[announce] {name} {secret} must name an environment variable (the secret itself "
                       "never goes into a settings file)")
        try:
            social.template.format(**{field: "" for field in TEMPLATE_FIELDS})
        except (KeyError, IndexError, ValueError) as exc:
            fail(name, f"[announce] {name} template may use {{{'}, {'.join(TEMPLATE_FIELDS)}}} only: {exc!r}")
    if announce.mastodon is not None and announce.mastodon.visibility not in VISIBILITIES:
        fail("mastodon", f"[announce] mastodon visibility must be one of {', '.join(VISIBILITIES)}")
    if announce.bluesky is not None and not announce.bluesky.handle:
        fail("bluesky", "[announce] bluesky needs handle = the account's handle, e.g. example.bsky.social")


def _check_deploy(deploy: DeploySettings, fail: Fail) -> None:
    bucket = urlsplit(deploy.url)
    if deploy.url and (bucket.scheme != "s3" or not bucket.netloc or bucket.query or bucket.fragment):
        fail("url", f"[deploy] url must be s3://bucket or s3://bucket/prefix, got {deploy.url!r}")
    for key in ("endpoint", "purge_url"):
        value = getattr(deploy, key)
        if value and urlsplit(value.replace("{url}", "")).scheme not in ("http", "https") and value != "{url}":
            fail(key, f"[deploy] {key} must be an http(s) URL, got {value!r}")
    if deploy.jobs < 1:
        fail("jobs", "[deploy] jobs must be at least 1")
    if deploy.max_deletes < -1:
        fail("max_deletes", "[deploy] max_deletes must be -1 (no limit), 0 or more")
    if not re.fullmatch(r"[A-Z]+", deploy.purge_method):
        fail("purge_method", f"[deploy] purge_method must be an HTTP method such as POST or PURGE, "
                             f"got {deploy.purge_method!r}")
    if deploy.purge_batch < 1:
        fail("purge_batch", "[deploy] purge_batch must be at least 1")
    if (deploy.purge_body or deploy.purge_headers) and not deploy.purge_url:
        fail("purge_headers", "[deploy] purge_headers and purge_body need a purge_url")
    for header in deploy.purge_headers:
        name, colon, value = header.partition(":")
        if not colon or not HTTP_TOKEN.fullmatch(name.strip()):
            fail("purge_headers", f"[deploy] purge_headers must be 'Name: value' lines, got {header!r}")
        if re.search(r"auth|key|token|secret", name, re.IGNORECASE) and "${" not in value:
            fail("purge_headers", f"[deploy] purge_headers: {name.strip()} is a credential; keep it out of settings "
                                  f"files and name an environment variable instead, e.g. "
                                  f"'{name.strip()}: Bearer ${{CDN_API_TOKEN}}'")


def _check_publish(publish: PublishSettings, fail: Fail) -> None:
    try:
        shlex.split(publish.command)
    except ValueError as exc:
        fail("command", f"[publish] command cannot be split into words ({exc}): check its quotes")
    if publish.timeout <= 0:
        fail("timeout", "{name} must be a positive number of seconds")


def _check_hook(hook: HookSettings, fail: Fail) -> None:
    if not ENV_NAME.fullmatch(hook.secret_env):
        fail("secret_env", f"[hook] secret_env must name an environment variable, got {hook.secret_env!r}")
    if hook.max_body < 1:
        fail("max_body", "[hook] max_body must be a positive number of bytes")


def _check_serve(serve: ServeSettings, fail: Fail) -> None:
    for key in ("header_timeout", "keep_alive_timeout"):
        if getattr(serve, key) <= 0:
            fail(key, "{name} must be a positive number of seconds")
    if serve.max_connections < 1:
        fail("max_connections", "{name} must be at least 1")
    if serve.max_header_bytes < 1024:
        fail("max_header_bytes", "{name} must be at least 1024")


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
