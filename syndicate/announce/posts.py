"""What announce knows of each post: the manifest's entries, as the build computed them (title,
URL, description, taxonomy terms, outbound links, aliases, card). No post is read again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..config import Settings
from ..delivery.built import Built, manifest_entries, read_built
from ..diagnostics import Diagnostics


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

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term for terms in self.taxonomies.values() for term in terms))


@dataclass(frozen=True)
class Announced:
    """The site and its posts, newest first, as the last build listed them."""
    built: Built
    language: str
    posts: tuple[AnnouncedPost, ...]

    @property
    def base_url(self) -> str:
        return self.built.base_url

    @property
    def title(self) -> str:
        return self.built.title


def read_announced(out_dir: Path, settings: Settings, diagnostics: Diagnostics) -> Announced:
    built = read_built(out_dir, settings, diagnostics)
    manifest, path = built.manifest, str(out_dir / "manifest.json")
    site = manifest.get("site") if isinstance(manifest.get("site"), dict) else {}
    language = site.get("language") if isinstance(site.get("language"), str) else settings.site.language
    posts = tuple(_post(entry, out_dir) for entry in manifest_entries(manifest, "posts", path, Diagnostics()))
    return Announced(built, language, posts)


def _post(entry: Mapping[str, Any], out_dir: Path) -> AnnouncedPost:
    card = entry.get("card")
    card_file = out_dir / card if isinstance(card, str) and card and ".." not in Path(card).parts else None
    taxonomies = entry.get("taxonomies") if isinstance(entry.get("taxonomies"), dict) else {}
    return AnnouncedPost(
        url=entry["url"], sha256=entry["sha256"], title=_string(entry.get("title")),
        description=_string(entry.get("description")), published=_string(entry.get("published")),
        taxonomies={str(name): tuple(str(term) for term in terms) for name, terms in taxonomies.items()
                    if isinstance(terms, list)},
        links=tuple(link for link in entry.get("links") or () if isinstance(link, str)),
        card=card_file, card_url=_string(entry.get("card_url")))


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
