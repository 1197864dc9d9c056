"""The pages besides posts that people share: each language's home page, its posts sections and
its taxonomy term pages (Hugo's list pages), at the URLs Hugo gives them, with their titles and
translations, so that they get cards and meta tags as posts do.

Checked against Debian's hugo 0.111 (tests/test_hugo_partial.py): a term's URL is
`/<language prefix><taxonomy>/<urlized term>/` (`.html` with uglyURLs, or the taxonomy's
`permalinks` pattern); terms with one urlized form are one page, named as the first post (by
file path) that uses it spells it; `disableKinds` turns a kind off.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import unquote

from .config import Language, Settings
from .content import Post, Translation, output_name, plain_title
from .diagnostics import Diagnostics
from .permalinks import ClimbingURL, PageFields, encode, page_path, sanitize, url_on_site, url_path

HOME, SECTION, TERM = "home", "section", "term"  # Hugo's page kinds
HOME_NAME = "_home"  # a home page's file name below its URL path: no URL path ends in it


@dataclass(frozen=True)
class ListPage:
    kind: str                  # home, section or term
    path: str                  # URL path below the base URL, percent-encoded: /de/tags/open-data/
    url: str
    title: str                 # plain text: the language's site title, the section's, the term as written
    description: str
    language: str              # the language key
    language_tag: str          # its BCP 47 tag
    section: str = ""          # a section page's section
    taxonomy: str = ""         # a term page's taxonomy (its plural name, as in front matter: tags)
    term: str = ""             # … and the term, as written
    translations: tuple[Translation, ...] = ()

    @property
    def output_name(self) -> str:
        """The name of its files (cards/<name>.<hash8>.jpg, meta/<name>.html): its URL path, as a
        post's is (`blog`, `tags/open-data`); a home page's is `_home` below its path (`_home`,
        `de/_home`), so a Hugo partial finds every page's snippet from `.RelPermalink` alone."""
        if self.kind == HOME:
            return "/".join(part for part in (unquote(self.path).strip("/"), HOME_NAME) if part)
        return output_name(self.path)

    @property
    def key(self) -> tuple[str, str, str]:
        """What its translations share: the kind and the section, or the taxonomy and the term's URL form."""
        return self.kind, self.section or self.taxonomy, sanitize(self.term)


def list_pages(settings: Settings, posts: Iterable[Post], section_pages: Mapping[tuple[str, str], Mapping],
               diagnostics: Diagnostics) -> tuple[ListPage, ...]:
    """Every language's home page, then its posts sections and its term pages (those of the
    taxonomies Hugo's config names, used by the language's posts: Hugo 0.111 makes a term page
    for a post with `_build: {list: never}` too); none of a kind in
    `disableKinds`, and none at a post's URL (the post is what Hugo publishes there)."""
    posts = tuple(posts)
    disabled = set(settings.hugo.disable_kinds)
    found: list[ListPage] = []
    for language in settings.languages:
        own = [post for post in posts if post.language == language.key]
        if HOME not in disabled:
            found.append(_page(HOME, f"/{language.prefix}", language.title, language.description, language))
        if SECTION not in disabled:
            found += [section_page(settings, language, section, section_pages.get((language.key, section)) or {})
                      for section in settings.sections
                      if (language.key, section) in section_pages or any(p.section == section for p in own)]
        if TERM not in disabled:
            found += _term_pages(settings, language, own, diagnostics)
    taken = {post.output_name for post in posts}
    return _with_translations([page for page in found if page.output_name not in taken])


def section_page(settings: Settings, language: Language, section: str, front_matter: Mapping) -> ListPage:
    """A posts section's page: its _index's `url`, title and description, else the language's."""
    return _page(SECTION, section_path(settings, language, section, front_matter),
                 plain_title(front_matter.get("title")) or language.title,
                 plain_title(front_matter.get("description")) or language.description, language, section=section)


def section_path(settings: Settings, language: Language, section: str, front_matter: Mapping) -> str:
    """Its _index page's `url`, else /<prefix><section>/ (/<prefix><section>.html with uglyURLs)."""
    explicit = front_matter.get("url")
    try:
        if isinstance(explicit, str) and explicit.strip():
            return encode(url_path(explicit, language.prefix))
        name = "/".join(p for p in (language.prefix.strip("/"), sanitize(section, settings.path_rules)) if p)
        return encode(f"/{name}.html" if settings.ugly(section) else f"/{name}/")
    except ValueError:
        return encode(f"/{language.prefix}{section}/")


def _term_pages(settings: Settings, language: Language, posts: list[Post], diagnostics: Diagnostics) -> list[ListPage]:
    found: list[ListPage] = []
    for taxonomy in settings.hugo.taxonomies:
        spelling: dict[str, tuple[str, str]] = {}  # path → (source, term) of the first post by file path
        paths: dict[str, str | None] = {}  # term → its path, made once per spelling (10,000 posts: 32,000 terms)
        for post in posts:
            for term in post.taxonomies.get(taxonomy, ()):
                if term not in paths:
                    paths[term] = term_path(settings, language, taxonomy, term)
                path = paths[term]
                if path is None:
                    diagnostics.warn(post.source, post.key_lines.get(taxonomy),
                                     f"the {taxonomy} term {term!r} makes no usable URL ('..' or a hidden segment "
                                     f"starting with '.'); it gets no card or meta tags")
                elif path not in spelling or post.source < spelling[path][0]:
                    spelling[path] = (post.source, term)
        found += [_page(TERM, path, " ".join(term.split()), language.description, language, taxonomy=taxonomy,
                        term=term) for path, (_, term) in sorted(spelling.items(), key=lambda item: unquote(item[0]))]
    return found


def term_path(settings: Settings, language: Language, taxonomy: str, term: str) -> str | None:
    """A term page's URL path, percent-encoded, as Hugo makes it; None for a term whose path
    would climb above the site or hide a segment."""
    fields = PageFields(date=None, title=term, slug="", filename=term, section=taxonomy, sections=(taxonomy,))
    try:
        path = url_path(page_path(pattern=settings.hugo.term_permalinks.get(taxonomy, ""), directory=taxonomy,
                                  page=fields, prefix=language.prefix, ugly=settings.ugly(taxonomy),
                                  rules=settings.path_rules), "")
    except ClimbingURL:
        return None
    if not sanitize(term, settings.path_rules).strip("/") or any(p.startswith(".") for p in path.split("/")):
        return None
    return encode(path)


def _page(kind: str, path: str, title: str, description: str, language: Language, **where: str) -> ListPage:
    return ListPage(kind, path, url_on_site(language.base_url, path), title, description, language.key,
                    language.tag, **where)


def _with_translations(pages: list[ListPage]) -> tuple[ListPage, ...]:
    """Each page with the other languages' versions of it (hreflang, og:locale:alternate)."""
    versions: dict[tuple[str, str, str], list[ListPage]] = {}
    for page in pages:
        versions.setdefault(page.key, []).append(page)
    return tuple(dataclasses.replace(page, translations=tuple(
        Translation(other.language, other.language_tag, other.url) for other in versions[page.key] if other is not page))
        for page in pages)
