"""Hugo's configuration mapped onto syndicate's: the keys of a Hugo config that syndicate's own
sections take (baseURL → [site] base_url, …, as the first layer of the settings), and Hugo's site
model that only a Hugo config describes (languages, URL rules, taxonomies, main sections)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..diagnostics import Diagnostic, Level, SyndicateError
from ..hugoconfig import HugoConfig
from .layers import Layer, Place
from .schema import HugoSettings, Language, Settings, default_language

# disableKinds as Hugo before 0.73 named them: taxonomyTerm was the taxonomy's list of terms.
KIND_ALIASES = {"taxonomyterm": "taxonomy"}


def hugo_layer(hugo: HugoConfig) -> Layer:
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
    return Layer(hugo.files[0].name if len(hugo.files) == 1 else "Hugo config", values, places=places)


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


def hugo_settings(hugo: HugoConfig | None, settings: Settings) -> HugoSettings:
    """Hugo's site model from its config (Hugo's defaults for a site without one); the languages
    take their titles, descriptions and authors from `settings` where they set none of their own."""
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

