"""Authors' display names for the ids of Hugo's `authors` taxonomy: the title of
content/authors/<id>/_index.md, or `name` in data/authors/<id>.{toml,yaml,json} (or in one
data/authors file mapping ids to entries)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .config import Settings, author_name
from .diagnostics import Diagnostics, SyndicateError
from .hugoconfig import EXTENSIONS, read_config_file
from .permalinks import sanitize
from .sitefiles import outside_site
from .sourcefile import read_front_matter


def author_names(settings: Settings, diagnostics: Diagnostics) -> dict[str, str]:
    """id (as written, lower case, and urlized) → display name."""
    names: dict[str, str] = {}
    for content_dir in dict.fromkeys(language.content_dir for language in settings.languages):
        folder = settings.root / content_dir / "authors"
        for index in sorted(folder.glob("*/_index.*")) if folder.is_dir() else []:
            if outside_site(index, settings.root):
                continue
            title = author_name(read_front_matter(index).get("title"))
            if title:
                _add(names, index.parent.name, title)
    data = settings.root / "data"
    files = sorted(p for p in (data / "authors").glob("*") if p.suffix in EXTENSIONS) \
        if (data / "authors").is_dir() else []
    for file in files:
        entry = _read(file, settings.root, diagnostics)
        if entry:
            _add(names, file.stem, author_name(entry) or author_name(entry.get("name")))
    for file in (data / f"authors{ext}" for ext in EXTENSIONS):
        if file.is_file():
            for key, entry in _read(file, settings.root, diagnostics).items():
                _add(names, str(key), author_name(entry))
    return names


def _read(file: Path, root: Path, diagnostics: Diagnostics) -> Mapping[str, Any]:
    try:
        return read_config_file(file, root)[0]
    except SyndicateError as exc:  # an author file that cannot be read names no author
        diagnostics.warn(exc.diagnostic.file, exc.diagnostic.line, f"{exc.diagnostic.message}; its authors keep "
                         "their ids as names")
        return {}


def _add(names: dict[str, str], key: str, name: str) -> None:
    if name:
        for spelling in (key, key.lower(), sanitize(key)):
            names.setdefault(spelling, name)
