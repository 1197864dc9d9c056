"""Which files of the posts sections are pages, as Hugo decides: content formats, leaf and branch
bundles, languages by file name or content folder, ignoreFiles, cascade — and what every other
file is (a resource, a section page, ignored, or reported)."""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

from .config import Language, Settings
from .diagnostics import Diagnostic, Level
from .sitefiles import outside_site, site_relative
from .sourcefile import has_front_matter, read_front_matter

MARKDOWN = frozenset({"md", "markdown", "mdown"})
HTML = frozenset({"html", "htm"})
# Formats Hugo renders with external programs (or, for Org, its own reader) that syndicate does not.
OTHER_FORMATS = {"adoc": "AsciiDoc", "asciidoc": "AsciiDoc", "ad": "AsciiDoc", "rst": "reStructuredText",
                 "pandoc": "Pandoc", "pdc": "Pandoc", "org": "Org mode", "ipynb": "Jupyter notebook"}


@dataclass(frozen=True)
class PageFile:
    """A content file Hugo makes a page of, with what its place in the tree says about it."""
    file: Path
    source: str                    # relative to the site root
    content_path: str              # relative to its content folder: blog/2020/x/index.md
    language: str                  # language key
    markup: str                    # "markdown" or "html"
    section: str                   # first folder: blog
    sections: tuple[str, ...]      # the nested sections it is in (folders with an _index page)
    directory: str                 # the folder its default URL starts with (a bundle's parent)
    filename: str                  # file name without language and extension; a bundle's folder name
    translation_base: str          # content path without language and extension (a bundle: its folder)
    bundle: str = ""               # a leaf bundle's folder, relative to the site root
    resources: tuple[str, ...] = ()  # a bundle's other files, relative to its folder
    cascade: tuple[Mapping[str, Any], ...] = ()  # front matter cascaded from _index pages, nearest first


@dataclass(frozen=True)
class SectionPage:
    """A section's own page (its _index file): where its URL comes from, for the feeds' link."""
    language: str
    section: str
    front_matter: Mapping[str, Any]


@dataclass
class ContentTree:
    pages: list[PageFile] = field(default_factory=list)
    section_pages: list[SectionPage] = field(default_factory=list)
    resources: int = 0
    ignored: int = 0
    left_out: Counter[str] = field(default_factory=Counter)  # files that are no page: why → how many
    diagnostics: list[Diagnostic] = field(default_factory=list)


def content_tree(settings: Settings) -> ContentTree:
    """Every page file in the posts sections of every language's content folder."""
    tree = ContentTree()
    ignore = [re.compile(pattern) for pattern in settings.hugo.ignore_files]
    for content_dir, languages in _content_folders(settings).items():
        walker = _Walker(settings, tree, ignore, content_dir, languages)
        for section in dict.fromkeys(settings.sections):
            walker.section(section)
    return tree


def _content_folders(settings: Settings) -> dict[str, list[Language]]:
    """Each content folder and the languages that read it, the default one first."""
    folders: dict[str, list[Language]] = {}
    for language in settings.languages:
        folders.setdefault(language.content_dir, []).append(language)
    return folders


class _Walker:
    def __init__(self, settings: Settings, tree: ContentTree, ignore: list[re.Pattern[str]], content_dir: str,
                 languages: list[Language]):
        self.settings, self.tree, self.ignore = settings, tree, ignore
        self.root = settings.root / content_dir
        self.languages = {language.key for language in settings.languages}
        self.disabled = set(settings.hugo.disabled_languages)
        self.own_language = languages[0].key  # files without a language suffix
        self.seen: set[str] = set()
        self.disabled_pages: set[Path] = set()  # index files in a disabled language: no page, no resource
        self.folders: set[Path] = set()  # the entries met that are folders

    def section(self, section: str) -> None:
        folder = self.root / section
        if not folder.is_dir():
            return
        cascade = self._cascades_above(PurePosixPath(section))
        self._folder(folder, cascade, ())

    # ------------------------------------------------------------ walking

    def _cascades_above(self, section: PurePosixPath) -> list[tuple[str, Mapping[str, Any]]]:
        """Cascades of the home page and of the folders above the section, nearest last."""
        found: list[tuple[str, Mapping[str, Any]]] = []
        for folder in [self.root, *(self.root / parent for parent in reversed(section.parents[:-1]))]:
            for name, front in self._index_front_matters(folder):
                found += [(name, entry) for entry in _cascade_entries(front.get("cascade"))]
        return found

    def _index_front_matters(self, folder: Path) -> list[tuple[str, Mapping[str, Any]]]:
        result = []
        for entry in sorted(folder.glob("_index.*")) if folder.is_dir() else []:
            stem, language, ext = self._split_name(entry.name)
            if stem == "_index" and ext in MARKDOWN | HTML and language not in self.disabled:
                result.append((language, read_front_matter(entry)))
        return result

    def _folder(self, folder: Path, cascade: list[tuple[str, Mapping[str, Any]]], sections: tuple[str, ...]) -> None:
        real = os.path.realpath(folder)
        if real in self.seen:  # a link loop
            return
        self.seen.add(real)
        entries = self._entries(folder)
        files = [entry for entry in entries if entry not in self.folders]
        index_files = self._index_files(files, "index")
        if index_files:
            self._leaf_bundle(folder, index_files, entries, cascade, sections)
            return
        section_files = self._index_files(files, "_index")
        rel = site_relative(folder, self.root)
        if section_files or not sections:  # a top folder is a section; deeper ones need an _index
            sections = (*sections, folder.name)
        for index in section_files:
            _, language, _ = self._split_name(index.name)
            front = read_front_matter(index)
            self.tree.section_pages.append(SectionPage(language, rel, front))
            cascade = cascade + [(language, entry) for entry in _cascade_entries(front.get("cascade"))]
        for entry in files:
            if entry in section_files or entry in self.disabled_pages:  # the latter noted already
                continue
            self._file(entry, cascade, sections)
        for entry in entries:
            if entry in self.folders:
                self._folder(entry, cascade, sections)

    def _entries(self, folder: Path) -> list[Path]:
        """The folder's files and folders Hugo looks at: no hidden or editor files, nothing
        ignoreFiles names, no link that leaves the site (that one is an error naming it). Which
        are folders goes into `self.folders` (os.scandir knows without a stat per entry)."""
        kept = []
        with os.scandir(folder) as scan:
            found = sorted(scan, key=lambda e: e.name)
        for found_entry in found:
            name = found_entry.name
            if name.startswith((".", "#")) or name.endswith("~"):
                continue
            entry = Path(found_entry.path)
            if any(pattern.search(found_entry.path) for pattern in self.ignore):
                self.tree.ignored += 1
                continue
            if found_entry.is_symlink() and outside_site(entry, self.settings.root):
                self.tree.left_out["links out of the site"] += 1
                self.tree.diagnostics.append(Diagnostic(
                    site_relative(entry, self.settings.root), None, Level.ERROR,
                    f"is a link to {os.path.realpath(entry)}, outside the site; it is not read. "
                    "Copy the file into the site instead"))
                continue
            if found_entry.is_file():
                kept.append(entry)
            elif found_entry.is_dir():
                kept.append(entry)
                self.folders.add(entry)
        return kept

    def _index_files(self, files: list[Path], stem_wanted: str) -> list[Path]:
        """The folder's index (or _index) content files that make pages, per language the first
        by name (Hugo takes index.en.md before index.md; an .html without front matter is none)."""
        chosen: dict[str, Path] = {}
        for file in files:
            stem, language, ext = self._split_name(file.name)
            if stem != stem_wanted:
                continue
            if ext in MARKDOWN or ext in OTHER_FORMATS or (ext in HTML and has_front_matter(file)):
                if language in self.disabled:  # found by the fuzzer: a bundle's was a resource without a word
                    if stem_wanted == "index":
                        self.disabled_pages.add(file)
                        self._disabled(site_relative(file, self.settings.root), language)
                    continue
                if language in chosen:  # found by the fuzzer: silently a resource until then
                    what = "bundle's page" if stem_wanted == "index" else "section's page"
                    self._note(site_relative(file, self.settings.root),
                               f"is not published: {chosen[language].name} is this {what} in its language (Hugo "
                               "takes the first by name); this file is a resource of it")
                    continue
                chosen[language] = file
        return list(chosen.values())

    def _split_name(self, name: str) -> tuple[str, str, str]:
        """`post.de.md` → ("post", "de", "md"); an unknown or disabled suffix stays in the name
        (disabled languages are reported by the caller)."""
        stem, _, ext = name.rpartition(".")
        if not stem:
            return name, self.own_language, ""
        base, _, suffix = stem.rpartition(".")
        if base and suffix.lower() in self.languages | self.disabled:
            return base, suffix.lower(), ext.lower()
        return stem, self.own_language, ext.lower()

    # ------------------------------------------------------------ pages

    def _file(self, file: Path, cascade: list[tuple[str, Mapping[str, Any]]], sections: tuple[str, ...]) -> None:
        stem, language, ext = self._split_name(file.name)
        source = site_relative(file, self.settings.root)
        if language in self.disabled:
            self._disabled(source, language)
            return
        if ext in OTHER_FORMATS:
            self._skip_format(source, ext)
            return
        if ext not in MARKDOWN | HTML or (ext in HTML and not has_front_matter(file)):
            self.tree.resources += 1  # images, data, .Rmd sources: files of the section, not pages
            return
        content_path = site_relative(file, self.root)
        directory = PurePosixPath(content_path).parent.as_posix()
        self._add(file, content_path, language, ext, sections, directory, stem,
                  f"{directory}/{stem}", "", (), cascade)

    def _leaf_bundle(self, folder: Path, index_files: list[Path], entries: list[Path],
                     cascade: list[tuple[str, Mapping[str, Any]]], sections: tuple[str, ...]) -> None:
        resources = tuple(sorted(site_relative(path, folder) for path in _all_files(entries)
                                 if path not in index_files and path not in self.disabled_pages))
        self.tree.resources += len(resources)
        bundle_rel = site_relative(folder, self.root)
        for index in index_files:
            _, language, ext = self._split_name(index.name)
            source = site_relative(index, self.settings.root)
            if ext in OTHER_FORMATS:
                self._skip_format(source, ext)
                continue
            self._add(index, site_relative(index, self.root), language, ext, sections,
                      PurePosixPath(bundle_rel).parent.as_posix(), folder.name, bundle_rel,
                      site_relative(folder, self.settings.root), resources, cascade)

    def _add(self, file: Path, content_path: str, language: str, ext: str, sections: tuple[str, ...],
             directory: str, filename: str, translation_base: str, bundle: str, resources: tuple[str, ...],
             cascade: list[tuple[str, Mapping[str, Any]]]) -> None:
        path_for_targets = "/" + content_path
        applicable = tuple(entry for entry_language, entry in reversed(cascade)
                           if entry_language == language and _targets(entry, path_for_targets, language,
                                                                       self.settings.hugo.environment))
        self.tree.pages.append(PageFile(
            file=file, source=site_relative(file, self.settings.root), content_path=content_path,
            language=language, markup="html" if ext in HTML else "markdown",
            section=PurePosixPath(content_path).parts[0], sections=sections, directory=directory,
            filename=filename, translation_base=translation_base, bundle=bundle, resources=resources,
            cascade=applicable))

    def _skip_format(self, source: str, ext: str) -> None:
        self.tree.left_out["other formats"] += 1
        self.tree.diagnostics.append(Diagnostic(
            source, None, Level.WARNING,
            f"is {OTHER_FORMATS[ext]} (.{ext}), which Hugo renders with its own or an external tool and "
            "syndicate does not read; it is in no feed. Convert it to Markdown (.md) to publish it here"))

    def _disabled(self, source: str, language: str) -> None:
        self.tree.left_out["disabled languages"] += 1
        self._note(source, f"is in the disabled language '{language}' (disableLanguages); Hugo publishes nothing "
                   "of it")

    def _note(self, source: str, message: str) -> None:
        self.tree.diagnostics.append(Diagnostic(source, None, Level.NOTE, message))


def _all_files(entries: Iterable[Path]) -> Iterable[Path]:
    for entry in entries:
        if entry.is_dir():
            yield from (p for p in entry.rglob("*") if p.is_file())
        else:
            yield entry


# ---------------------------------------------------------------- cascade

def _cascade_entries(value: Any) -> list[Mapping[str, Any]]:
    """A cascade is a map or a list of maps (each may have a `_target`)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, dict)]
    return []


def _targets(entry: Mapping[str, Any], path: str, language: str, environment: str) -> bool:
    """Whether a cascade entry's `_target` (path, kind, lang, environment globs) takes this page.
    The path is matched with and without its extension (Hugo changed which in 0.123)."""
    target = entry.get("_target")
    if not isinstance(target, dict):
        return True
    checks = ((target.get("path"), (path, path.rsplit(".", 1)[0])), (target.get("kind"), ("page",)),
              (target.get("lang"), (language,)), (target.get("environment"), (environment,)))
    return all(not isinstance(pattern, str) or not pattern or any(_glob(pattern).fullmatch(v) for v in values)
               for pattern, values in checks)


def _glob(pattern: str) -> re.Pattern[str]:
    """Hugo's globs: `**` crosses folders, `*` does not, `{a,b}` is either."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "{":
            end = pattern.find("}", index)
            if end > index:
                out.append("(?:" + "|".join(fnmatch.translate(p)[4:-3] for p in pattern[index + 1:end].split(",")) + ")")
                index = end + 1
                continue
            out.append(re.escape(char))
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out), re.IGNORECASE)


def apply_cascade(metadata: Mapping[str, Any], cascade: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The page's front matter with cascaded keys it does not set itself (the nearest wins)."""
    result = dict(metadata)
    for entry in cascade:
        for key, value in entry.items():
            if key != "_target":
                result.setdefault(key, value)
    return result
