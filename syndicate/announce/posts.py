"""What announce knows of each post: the manifest's entries, as the build computed them (title,
URL, description, taxonomy terms, outbound links, aliases, card). No post is read again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..config import Settings
from ..delivery.built import Built, manifest_entries, read_built
from ..diagnostics import Diagnostics
from ..output import MANIFEST


@dataclass(frozen=True)
class AnnouncedPost:
    url: str
    sha256: str
    title: str
    description: str
    published: str
    taxonomies: Mapping[str, tuple[str, ...]]
    links: tuple[str, ...]
    card: Path | None                 # the share card in the output folder
    card_url: str
    language: str = ""                # its BCP 47 tag (the build knew the post's language)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term for terms in self.taxonomies.values() for term in terms))


@dataclass(frozen=True)
class Announced:
    """The site and its posts, newest first, as the last build listed them."""
    built: Built
    posts: tuple[AnnouncedPost, ...]

    @property
    def base_url(self) -> str:
        return self.built.base_url

    @property
    def title(self) -> str:
        return self.built.title


def read_announced(out_dir: Path, settings: Settings, diagnostics: Diagnostics) -> Announced:
    built = read_built(out_dir, settings, diagnostics)
    manifest, path = built.manifest, str(out_dir / MANIFEST)
    tags = _language_tags(manifest, settings)
    posts = tuple(_post(entry, out_dir, tags) for entry in manifest_entries(manifest, "posts", path, Diagnostics()))
    return Announced(built, posts)


def _language_tags(manifest: Mapping[str, Any], settings: Settings) -> dict[str, str]:
    """Language key → BCP 47 tag, as the build wrote them; "" → the site's language."""
    site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
    tags = {"": site.get("language") if isinstance(site.get("language"), str) else settings.site.language}
    for language in site.get("languages") or ():
        if isinstance(language, dict) and isinstance(language.get("key"), str) and isinstance(language.get("tag"), str):
            tags[language["key"]] = language["tag"]
    return tags


def _post(entry: Mapping[str, Any], out_dir: Path, tags: Mapping[str, str]) -> AnnouncedPost:
    card = entry.get("card")
    card_file = out_dir / card if isinstance(card, str) and card and ".." not in Path(card).parts else None
    taxonomies = entry.get("taxonomies") if isinstance(entry.get("taxonomies"), dict) else {}
    return AnnouncedPost(
        url=entry["url"], sha256=entry["sha256"], title=_string(entry.get("title")),
        description=_string(entry.get("description")), published=_string(entry.get("published")),
        taxonomies={str(name): tuple(str(term) for term in terms) for name, terms in taxonomies.items()
                    if isinstance(terms, list)},
        links=tuple(link for link in entry.get("links") or () if isinstance(link, str)),
        card=card_file, card_url=_string(entry.get("card_url")),
        language=tags.get(_string(entry.get("language"))) or tags[""])


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
