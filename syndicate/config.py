"""Settings, read in order (later wins): defaults → Hugo config → syndicate.toml / [tool.syndicate] → flags."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError

HUGO_CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
                     "config.toml", "config.yaml", "config.yml", "config.json")
INDEXNOW_KEY = re.compile(r"[A-Za-z0-9-]{8,128}")


@dataclass(frozen=True)
class SiteSettings:
    base_url: str = "http://localhost:8000/"
    title: str = "My Blog"
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    author: str = ""
    twitter: str = ""
    icon: str = ""
    logo: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # Hugo's `params`, for {{< param >}}


@dataclass(frozen=True)
class ContentSettings:
    posts: str = "content/blog"
    content_dir: str = "content"
    static: str = "static"
    permalink: str = "/blog/{slug}/"
    default_image: str = "blog/geoeffnet.jpg"
    # Hugo's frontmatter.date: where a post's date comes from, first match wins.
    date_order: list[str] = field(default_factory=lambda: [":default", ":filename"])
    lastmod_order: list[str] = field(default_factory=lambda: [":git", "lastmod", "modified", ":default"])
    # Hugo's `permalinks` per section, e.g. {"labs": "/:filename"}; used to resolve refs.
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


@dataclass(frozen=True)
class CardSettings:
    fonts: list[str] = field(default_factory=list)
    quality: int = 85


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
    strict: bool = False
    cards: bool = True
    jobs: int = 0  # 0: one process per core
    state_dir: str = ""  # caches and ping state; default <site>/.syndicate


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
    sources: tuple[str, ...] = ()  # the files the settings were read from, for watching

    @property
    def section(self) -> str:
        """The posts' section, as in their URLs and image folders: `blog` for content/blog."""
        return PurePosixPath(self.content.posts).name

    @property
    def posts_dir(self) -> Path:
        return self.root / self.content.posts

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


SECTIONS: dict[str, type] = {
    "site": SiteSettings, "content": ContentSettings, "feeds": FeedSettings,
    "cards": CardSettings, "ping": PingSettings, "announce": AnnounceSettings, "build": BuildSettings,
}


def load_settings(root: Path | str = ".", overrides: Mapping[str, Mapping[str, Any]] | None = None,
                  diagnostics: Diagnostics | None = None) -> Settings:
    """Read the settings of the site at `root`. Raises SyndicateError on a configuration error."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise SyndicateError(Diagnostic(str(root), None, Level.ERROR,
                                        "site folder does not exist; pass --site DIR"))
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    layers: list[tuple[str, dict[str, dict[str, Any]], str | None]] = []
    sources: list[str] = []
    hugo = _find_hugo_config(root)
    if hugo:
        layers.append((hugo.name, _from_hugo(_read_mapping(hugo)), None))
        sources.append(str(hugo))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_mapping(pyproject).get("tool", {}).get("syndicate")
        if isinstance(tool, dict):
            layers.append(("pyproject.toml", tool, _text(pyproject)))
            sources.append(str(pyproject))
    own = root / "syndicate.toml"
    if own.is_file():
        layers.append(("syndicate.toml", _read_mapping(own), _text(own)))
        sources.append(str(own))
    if overrides:
        layers.append(("command line", {k: dict(v) for k, v in overrides.items()}, None))

    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    origins: dict[str, tuple[str, int | None]] = {}  # "section.key" → where it was last set
    for source, layer, text in layers:
        for section, values in _validated(source, layer, text, diagnostics).items():
            merged[section].update(values)
            origins.update({f"{section}.{key}": (source, _line_of(text, key)) for key in values})
    sections = {name: SECTIONS[name](**merged[name]) for name in SECTIONS}
    settings = Settings(root=root, sources=tuple(sources), **sections)
    _check_values(settings, origins)
    # One trailing slash, so urljoin(base_url, "blog/x/") keeps a path prefix.
    site = dataclasses.replace(settings.site, base_url=settings.site.base_url.rstrip("/") + "/")
    return dataclasses.replace(settings, site=site)


def _find_hugo_config(root: Path) -> Path | None:
    for name in HUGO_CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return None


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _read_mapping(path: Path) -> dict[str, Any]:
    text, name = _text(path), path.name
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise SyndicateError(Diagnostic(name, line, Level.ERROR, f"invalid TOML: {exc}")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SyndicateError(Diagnostic(name, mark.line + 1 if mark else None, Level.ERROR,
                                        f"invalid YAML: {exc}")) from exc
    except json.JSONDecodeError as exc:
        raise SyndicateError(Diagnostic(name, exc.lineno, Level.ERROR, f"invalid JSON: {exc.msg}")) from exc
    if not isinstance(data, dict):
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, "expected a table of settings"))
    return data


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _from_hugo(hugo: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The few Hugo settings syndicate understands, mapped to its own sections."""
    params = hugo.get("params") if isinstance(hugo.get("params"), dict) else {}
    site: dict[str, Any] = {}
    for ours, value in (("base_url", hugo.get("baseURL")), ("title", hugo.get("title")),
                        ("language", hugo.get("languageCode")), ("timezone", hugo.get("timeZone")),
                        ("description", params.get("description")),
                        ("twitter", params.get("twitter_handle"))):
        if isinstance(value, str) and value:
            site[ours] = value
    author = params.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if isinstance(author, str) and author:
        site["author"] = author
    content: dict[str, Any] = {}
    front = hugo.get("frontmatter")
    if isinstance(front, dict):
        for key, ours in (("date", "date_order"), ("lastmod", "lastmod_order")):
            if isinstance(front.get(key), list):
                content[ours] = [str(v) for v in front[key]]
    if isinstance(hugo.get("permalinks"), dict):
        content["section_permalinks"] = {str(k): str(v) for k, v in hugo["permalinks"].items()
                                         if isinstance(v, str)}
    if isinstance(hugo.get("contentDir"), str):
        content["content_dir"] = hugo["contentDir"]
        content["posts"] = hugo["contentDir"].rstrip("/") + "/blog"
    if isinstance(hugo.get("staticDir"), str):
        content["static"] = hugo["staticDir"]
    if isinstance(hugo.get("enableGitInfo"), bool):
        content["git_info"] = hugo["enableGitInfo"]
    content.update(_markup_from_hugo(hugo))
    if isinstance(params, dict) and params:
        site["params"] = params
    feeds: dict[str, Any] = {}
    if isinstance(hugo.get("rssLimit"), int) and hugo["rssLimit"] > 0:
        feeds["limit"] = hugo["rssLimit"]
    return {"site": site, "content": content, "feeds": feeds}


def _markup_from_hugo(hugo: dict[str, Any]) -> dict[str, Any]:
    """What rendering bodies needs: enableEmoji, Goldmark's unsafe (Hugo's default is false), the theme."""
    def key(mapping: Any, name: str) -> Any:  # Hugo's keys are case-insensitive
        if not isinstance(mapping, dict):
            return None
        return next((value for k, value in mapping.items() if str(k).lower() == name.lower()), None)

    unsafe = key(key(key(key(hugo, "markup"), "goldmark"), "renderer"), "unsafe")
    content: dict[str, Any] = {"raw_html": unsafe if isinstance(unsafe, bool) else False}
    if isinstance(key(hugo, "enableEmoji"), bool):
        content["emoji"] = key(hugo, "enableEmoji")
    theme = key(hugo, "theme")
    if isinstance(theme, (str, list)):
        content["themes"] = [theme] if isinstance(theme, str) else [str(t) for t in theme]
    return content


def _validated(source: str, layer: Mapping[str, Any], text: str | None,
               diagnostics: Diagnostics) -> dict[str, dict[str, Any]]:
    """Check a layer against the schema: unknown keys warn, wrong types are errors."""
    result: dict[str, dict[str, Any]] = {}
    for section, values in layer.items():
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
            result[section][key] = _coerce(value, hint, source, section, key, text)
    return result


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


def _coerce(value: Any, hint: Any, source: str, section: str, key: str, text: str | None) -> Any:
    def wrong(expected: str) -> SyndicateError:
        return SyndicateError(Diagnostic(source, _line_of(text, key), Level.ERROR,
                                         f"[{section}] {key} must be {expected}, got {value!r}"))
    origin = typing.get_origin(hint)
    table = _table_type(hint)
    if table is not None:
        return _coerce_table(value, table, source, section, key, text)
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
    if isinstance(hint, types.UnionType):  # pragma: no cover - no such fields yet
        return value
    raise TypeError(f"no coercion for {hint}")  # a schema mistake, not a user error


def _table_type(hint: Any) -> type | None:
    """The settings class of a sub-table (`mastodon = { … }`), also when optional."""
    if isinstance(hint, types.UnionType):
        classes = [arg for arg in hint.__args__ if arg is not type(None)]
        hint = classes[0] if len(classes) == 1 else None
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def _coerce_table(value: Any, table: type, source: str, section: str, key: str, text: str | None) -> Any:
    if not isinstance(value, Mapping):
        raise SyndicateError(Diagnostic(source, _line_of(text, key), Level.ERROR,
                                        f"[{section}] {key} must be a table such as {{ key = \"value\" }}"))
    hints = typing.get_type_hints(table)
    for name in value:
        if name not in hints:
            raise SyndicateError(Diagnostic(source, _line_of(text, key) or _line_of(text, name), Level.ERROR,
                                            f"[{section}] {key} has no key '{name}'{_did_you_mean(name, hints)}"))
    return table(**{name: _coerce(item, hints[name], source, section, f"{key}.{name}", text)
                    for name, item in value.items()})


def _check_values(settings: Settings, origins: Mapping[str, tuple[str, int | None]]) -> None:
    """Checks of values, not types: what would make a build meaningless."""
    def fail(message: str) -> None:
        key = re.match(r"\[(\w+)\] (\w+)", message)
        source, line = origins.get(f"{key.group(1)}.{key.group(2)}", ("settings", None)) if key else ("settings", None)
        raise SyndicateError(Diagnostic(source, line, Level.ERROR, message))

    url = urlsplit(settings.site.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        fail(f"[site] base_url must be an absolute http(s) URL such as https://example.org/, "
             f"got {settings.site.base_url!r}")
    try:
        ZoneInfo(settings.site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"[site] timezone {settings.site.timezone!r} is not an IANA time zone such as Europe/Berlin")
    if settings.feeds.limit < 1:
        fail("[feeds] limit must be at least 1")
    unknown_formats = set(settings.feeds.formats) - {"atom", "rss", "json"}
    if unknown_formats:
        fail(f"[feeds] formats may hold atom, rss and json, not {sorted(unknown_formats)}")
    if not 1 <= settings.cards.quality <= 95:
        fail("[cards] quality must be between 1 and 95")
    _check_ping(settings.ping, fail)
    if settings.ping.timeout <= 0:
        fail("[ping] timeout must be a positive number of seconds")
    if settings.ping.deadline <= 0:
        fail("[ping] deadline must be a positive number of seconds")
    if settings.build.jobs < 0:
        fail("[build] jobs must be 0 (one per core) or more")
    _check_announce(settings.announce, fail)


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
