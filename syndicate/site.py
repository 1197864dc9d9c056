"""load_site: settings → the posts sections' pages (read, interpreted, images resolved, bodies
rendered) → a Site, and what became of every other file."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from .authors import author_names
from .bodies import EMPTY as EMPTY_BODY
from .bodies import Body, BodyFiles
from .config import Settings, load_settings
from .content import Post, Translation, interpret, url_on_site
from .contenttree import HTML, MARKDOWN, ContentTree, PageFile, content_tree
from .dates import parse_date
from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from .images import ImageCheck, fallback_images, with_image
from .listpages import ListPage, list_pages, section_path
from .permalinks import PageFields, encode, page_path, sanitize
from .postcache import LoadedPost, PostCache, RefUse, RenderedPost, settings_fingerprint
from .safety import log, result_or_failure
from .sitefiles import outside_site, site_relative
from .sourcefile import parse_post, read_body
from .workers import process_pool, worker_count


@dataclass(frozen=True)
class Summary:
    """What became of the files in the posts sections, for the build summary."""
    folders: tuple[str, ...] = ()   # the posts folders
    posts_from: str = ""            # how they were chosen
    published: int = 0
    left_out: Mapping[str, int] = field(default_factory=dict)  # reason → posts: draft, future, clash, …
    unlisted: int = 0             # published, but in no feed (_build list: never/local)
    resources: int = 0
    section_pages: int = 0
    ignored: int = 0              # by ignoreFiles

    def line(self) -> str:
        parts = [f"posts from {', '.join(self.folders)} ({self.posts_from}; set [content] posts to change it)"]
        if self.left_out:
            parts.append("not published: " + ", ".join(f"{count} {reason}" for reason, count in
                                                         sorted(self.left_out.items())))
        if self.unlisted:
            parts.append(f"{self.unlisted} published but in no feed (_build list)")
        parts.append(", ".join((_count(self.resources, "resource"), _count(self.section_pages, "section page"),
                                f"{self.ignored} ignored by ignoreFiles")))
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {"folders": list(self.folders), "posts_from": self.posts_from, "published": self.published,
                "left_out": dict(sorted(self.left_out.items())), "unlisted": self.unlisted,
                "resources": self.resources, "section_pages": self.section_pages, "ignored": self.ignored}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class Site:
    settings: Settings
    posts: tuple[Post, ...]                      # what gets published, newest first
    diagnostics: tuple[Diagnostic, ...] = ()
    pages: Mapping[str, str] = field(default_factory=dict)  # ref key → URL, the whole content tree
    section_urls: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (language, section) → URL
    summary: Summary = field(default_factory=Summary)
    list_pages: tuple[ListPage, ...] = ()        # home, section and term pages: they get cards and meta too

    def post_by_slug(self, slug: str) -> Post | None:
        return next((post for post in self.posts if post.slug == slug), None)

    def post_by_name(self, name: str) -> Post | None:
        """The post whose files are named `name` (cards/<name>.jpg, meta/<name>.html)."""
        return next((post for post in self.posts if post.output_name == name), None)

    def page_by_name(self, name: str) -> Post | ListPage | None:
        """The post or list page whose files are named `name`."""
        return self.post_by_name(name) or next((page for page in self.list_pages if page.output_name == name), None)

    def section_url(self, language: str, section: str | None = None) -> str:
        section = section or self.settings.section
        return self.section_urls.get((language, section)) or self.settings.language(language).base_url


def load_site(root: Path | str = ".", overrides: Mapping[str, Mapping[str, Any]] | None = None,
              now: datetime | None = None, settings: Settings | None = None,
              use_cache: bool = False) -> Site:
    """Read and render every post of the site. Never raises for a bad post: it is reported.

    With `use_cache`, posts whose bytes (and whatever else they depend on) have not changed are
    taken from <site>/.syndicate/cache instead of being parsed and rendered again.
    """
    settings = settings or load_settings(root, overrides)
    diagnostics = Diagnostics()
    now = now or datetime.now(timezone.utc)
    if not any(folder.is_dir() for folder in settings.posts_dirs):
        # a configuration error: building on would delete the last build's files
        folder = site_relative(settings.posts_dir, settings.root)
        raise SyndicateError(Diagnostic(folder, None, Level.ERROR, f"the posts folder does not exist (taken from "
                                        f"{settings.posts_from}); set [content] posts or pass --site"))
    tree = content_tree(settings)
    diagnostics.extend(tree.diagnostics)
    sections_front_matter = _section_front_matter(tree)
    sections = section_urls(settings, sections_front_matter)
    authors = author_names(settings, diagnostics)
    cache = PostCache(settings.state_dir / "cache" / "posts.pickle" if use_cache else None,
                      settings_fingerprint(settings))
    git_dates = git_lastmod_dates(settings) if settings.content.git_info else {}
    jobs = worker_count(settings.build.jobs)
    candidates: list[Post] = []
    failed = 0
    loaded_posts, early = _load_posts(tree.pages, settings, cache, git_dates, authors, jobs)
    for loaded in loaded_posts:
        diagnostics.extend(loaded.diagnostics)
        if loaded.post is not None:
            candidates.append(loaded.post)
        else:
            failed += 1
    left_out: Counter[str] = Counter({"errors": failed} if failed else {})
    left_out.update(tree.left_out)
    published = _publishable(candidates, settings, now, diagnostics, left_out)
    published = _without_clashes(published, diagnostics, left_out)
    published = _with_translations(published, settings)
    pages = page_index(settings, published, sections)
    posts = _rendered_posts(published, settings, pages, cache, diagnostics, jobs, early)
    if len(posts) < len(published):  # a body whose rendering failed: its error is reported
        left_out["errors"] += len(published) - len(posts)
    posts.sort(key=lambda p: (p.published, p.source), reverse=True)
    diagnostics.extend(cache.save())
    summary = Summary(tuple(settings.content.posts), settings.posts_from, len(posts), dict(left_out),
                      sum(post.build_list != "always" for post in posts), tree.resources,
                      len(tree.section_pages), tree.ignored)
    listed = list_pages(settings, posts, sections_front_matter, diagnostics)
    # The settings' warnings first (as they were found), so they reach manifest.json and the gallery.
    return Site(settings, tuple(posts), (*settings.warnings, *diagnostics.sorted()), pages, sections, summary, listed)


# Below this many posts to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 300


def _in_parallel(function, chunks: list[list[Any]], *shared: Any, jobs: int) -> list[Any]:
    """Apply `function(chunk, *shared)` to each chunk, in worker processes when it pays off. A
    chunk whose worker fails is done again here, where each item is under the safety net."""
    total = sum(len(chunk) for chunk in chunks)
    if jobs <= 1 or total < PARALLEL_THRESHOLD:
        return [result for chunk in chunks for result in function(chunk, *shared)]
    results: list[Any] = []
    with process_pool(jobs) as pool:
        futures = [pool.submit(function, chunk, *shared) for chunk in chunks]
        for chunk, future in zip(chunks, futures):
            try:
                results += future.result()
            except Exception as exc:  # a worker died, or its results could not travel back (pickling)
                log.warning("a worker failed (%r); its items are handled in this process", exc)
                results += function(chunk, *shared)
    return results


def _chunks(items: list[Any], jobs: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // max(jobs * 4, 1)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _load_posts(pages: list[PageFile], settings: Settings, cache: PostCache, git_dates: Mapping[str, datetime],
                authors: Mapping[str, str], jobs: int) -> tuple[list[LoadedPost], dict[str, RenderedPost]]:
    """Every page file read; parsed only when the cache has nothing for its bytes and its place.
    A post parsed here is rendered at once if it needs no ref (which needs every page's URL):
    those renders come back too, by source."""
    results: dict[str, LoadedPost] = {}
    early: dict[str, RenderedPost] = {}
    to_parse: list[tuple[PageFile, str]] = []  # the page and its key without the sha256 of its bytes
    context = hashlib.sha256(repr(sorted(authors.items())).encode()).hexdigest()[:16]
    for page in pages:
        place = hashlib.sha256(repr(page).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        key = f":{git_dates.get(page.source)}:{place}:{context}"
        if not cache.knows(page.source):  # read once, where it is parsed
            to_parse.append((page, key))
            continue
        own = Diagnostics()
        data = read_source(page.file, page.source, settings, own)
        if data is None:
            results[page.source] = LoadedPost("", None, tuple(own.items))
            continue
        cached = cache.loaded_post(page.source, hashlib.sha256(data).hexdigest() + key)
        if cached is None:
            to_parse.append((page, key))  # read again where it is parsed: its bytes never travel
        else:
            results[page.source] = cached
    for source, loaded, rendered in _in_parallel(_parse_chunk, _chunks(to_parse, jobs), settings, git_dates,
                                                 authors, cache.bodies, jobs=jobs):
        results[source] = loaded
        if rendered is not None:
            early[source] = rendered
    for source, loaded in results.items():
        if loaded.sha256:
            cache.loaded[source] = loaded
    return [results[page.source] for page in pages], early


def read_source(file: Path, source: str, settings: Settings, diagnostics: Diagnostics) -> bytes | None:
    """The file's bytes, or None with an error (unreadable, over the size limit, or a link that
    leads out of the site)."""
    if outside_site(file, settings.root):
        diagnostics.error(source, None, "is a link to a file outside the site; it is not read. "
                          "Copy the file into the site instead")
        return None
    try:
        size = file.stat().st_size
        if size > settings.content.max_post_bytes:
            diagnostics.error(source, None, f"post is {size:,} bytes, over the limit of "
                              f"{settings.content.max_post_bytes:,} bytes ([content] max_post_bytes); "
                              "split it or raise the limit")
            return None
        return file.read_bytes()
    except OSError as exc:
        diagnostics.error(source, None, f"cannot read the file: {exc.strerror}")
        return None


def _parse_chunk(chunk: list[tuple[PageFile, str]], settings: Settings, git_dates: Mapping[str, datetime],
                 authors: Mapping[str, str],
                 bodies: BodyFiles | None) -> list[tuple[str, LoadedPost, RenderedPost | None]]:
    """Each page read under the safety net: one whose reading raises is an error for that file (not
    cached, so a fixed syndicate reads it again)."""
    from .render import site_markup  # the bodies are rendered here too, when they need no ref

    markup = site_markup(settings)
    loaded = []
    for page, key in chunk:
        result = result_or_failure(lambda: _parse(page, key, settings, git_dates, authors, markup, bodies),
                                   page.source, "reading it")
        loaded.append((page.source, LoadedPost("", None, (result,)), None) if isinstance(result, Diagnostic)
                      else (page.source, *result))
    return loaded


def _parse(page: PageFile, key: str, settings: Settings, git_dates: Mapping[str, datetime],
           authors: Mapping[str, str], markup, bodies: BodyFiles | None) -> tuple[LoadedPost, RenderedPost | None]:
    diagnostics = Diagnostics()
    data = read_source(page.file, page.source, settings, diagnostics)
    if data is None:
        return LoadedPost("", None, tuple(diagnostics.items)), None
    key = hashlib.sha256(data).hexdigest() + key
    raw = parse_post(data, page.file, page.source, diagnostics)
    post = interpret(raw, page, settings, diagnostics, git_dates, authors) if raw else None
    checks: list[ImageCheck] = []
    rendered = None
    if post is not None:
        post = with_image(post, settings, diagnostics, checks)
        rendered = _render_without_refs(post, settings, markup, bodies)
        # Read again should it be rendered later: neither the cache nor the build holds the Markdown.
        post = dataclasses.replace(post, body_markdown="", fallbacks=fallback_images(post, settings, checks))
    return LoadedPost(key, post, tuple(diagnostics.items), tuple(checks)), rendered


class _NeedsPageIndex(Exception):
    """A ref met while rendering before every page's URL is known."""


def _refuse_ref(target: str, source: str) -> tuple[str, bool]:
    raise _NeedsPageIndex(target)


def _render_without_refs(post: Post, settings: Settings, markup, bodies: BodyFiles | None) -> RenderedPost | None:
    """The post rendered where it was parsed, its Markdown at hand — unless it has a ref (nine in
    ten posts have none): rendering stops at the first one, and the post is rendered once the page
    index is made. Saves reading, pickling and sending every post a second time. A rendering that
    fails is rendered again there, under the safety net."""
    try:
        return _render_into(post, settings, _refuse_ref, markup, bodies)
    except Exception:  # _NeedsPageIndex, or a failure reported where the post is rendered again
        return None


# ---------------------------------------------------------------- what Hugo publishes

def _publishable(posts: list[Post], settings: Settings, now: datetime, diagnostics: Diagnostics,
                 left_out: Counter[str]) -> list[Post]:
    """The posts Hugo renders as pages; each one left out gets a note saying why."""
    build = settings.build
    kept = []
    for post in posts:
        reason = _not_published(post, build.drafts, build.future, build.expired, now)
        if reason is None:
            kept.append(post)
            continue
        kind, message = reason
        left_out[kind] += 1
        diagnostics.note(post.source, None, message)
    for post in kept:
        if post.build_render == "link":
            diagnostics.note(post.source, None, "_build render: link: Hugo lists it at its URL but writes no page "
                             "there; it is in the feeds as in Hugo's lists")
        if post.build_list in ("never", "local"):
            diagnostics.note(post.source, post.key_lines.get("_build") or post.key_lines.get("build"),
                             f"_build list: {post.build_list}: Hugo keeps this page out of its lists, so it is in "
                             "no feed (its card and meta tags are made)")
    return kept


def _not_published(post: Post, drafts: bool, future: bool, expired: bool, now: datetime) -> tuple[str, str] | None:
    if post.draft and not drafts:
        return "drafts", "a draft: not published, as in Hugo; --drafts includes it"
    publish = post.publish_date or post.published
    if publish > now and not future:
        return "future", f"dated {publish.isoformat()}, in the future: not published yet; --future includes it"
    if post.expiry_date is not None and post.expiry_date <= now and not expired:
        return "expired", f"expired on {post.expiry_date.isoformat()}: not published, as in Hugo; --expired keeps it"
    if post.headless:
        return "headless", "a headless bundle: Hugo publishes no page for it"
    if post.build_render == "never":
        return "build options", "_build render: never: Hugo writes no page for it, so it is not published"
    return None


def _without_clashes(posts: list[Post], diagnostics: Diagnostics, left_out: Counter[str]) -> list[Post]:
    """Two posts at one URL (or with one output name): Hugo writes both pages to one file and the
    one written last stays — the later in its content tree (lower-cased paths), which renders
    later. Checked with Debian's hugo: on codefor.de's four pairs it is the later file name, not
    the later date (Hugo's render workers race on many cores; with one worker that order holds).
    That one is kept, every time; the other is an error naming both, with the fix."""
    winners: dict[str, Post] = {}
    for post in sorted(posts, key=lambda p: p.source.lower()):
        winners[post.output_name] = post  # later in Hugo's order wins
    kept_ids = {id(post) for post in winners.values()}
    for post in posts:
        if id(post) in kept_ids:
            continue
        winner = winners[post.output_name]
        same = f"permalink {post.path}" if winner.path == post.path else f"file name {post.output_name} for its card"
        fix = ("give it a different 'url:'" if post.explicit_url else "give it its own 'slug:' (or 'url:')")
        diagnostics.error(post.source, post.key_lines.get("url") if post.explicit_url else None,
                          f"same {same} as {winner.source}, which Hugo publishes there (it writes the page that "
                          f"comes later in the content tree); this post is left out. To publish both, {fix}")
        left_out["clashes"] += 1
    return [post for post in posts if id(post) in kept_ids]


def _with_translations(posts: list[Post], settings: Settings) -> list[Post]:
    """Each post with the other languages' versions of it (one translation key)."""
    order = {language.key: index for index, language in enumerate(settings.languages)}
    groups: dict[str, list[Post]] = {}
    for post in posts:
        groups.setdefault(post.translation_key, []).append(post)
    result = []
    for post in posts:
        others = {}
        for other in sorted(groups[post.translation_key], key=lambda p: order.get(p.language, 99)):
            if other.language != post.language:
                others.setdefault(other.language, Translation(other.language, other.language_tag, other.url))
        result.append(dataclasses.replace(post, translations=tuple(others.values())) if others else post)
    return result


def section_urls(settings: Settings, own: Mapping[tuple[str, str], Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """Each language's URL of each posts section: its _index page's `url` (`own`: the _index pages'
    front matter), else /<prefix><section>/."""
    return {(language.key, section): url_on_site(language.base_url, section_path(settings, language, section,
                                                                                 own.get((language.key, section), {})))
            for language in settings.languages for section in settings.sections}


def _section_front_matter(tree: ContentTree) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(language, section) → the front matter of the section's _index page."""
    return {(page.language, page.section): page.front_matter for page in tree.section_pages}


# ---------------------------------------------------------------- rendering

def _rendered_posts(posts: list[Post], settings: Settings, pages: Mapping[str, str], cache: PostCache,
                    diagnostics: Diagnostics, jobs: int, early: Mapping[str, RenderedPost]) -> list[Post]:
    """Bodies rendered, or taken from where they were parsed (`early`), or from the cache while
    their URL and every ref they used still hold."""
    resolve = _ref_resolver(settings, pages)
    rendered = {post.source: early.get(post.source) or
                cache.rendered_post(post.source, post.source_sha256, post.link_base, resolve) for post in posts}
    to_render = [post for post in posts if rendered[post.source] is None]
    for fresh in _in_parallel(_render_chunk, _chunks(to_render, jobs), settings, pages, cache.bodies, jobs=jobs):
        rendered[fresh.source] = fresh
    result = []
    for post in posts:
        body = rendered[post.source]
        if not body.sha256:  # its rendering failed: left out, with the error
            diagnostics.extend(body.diagnostics)
            continue
        cache.rendered[post.source] = body
        diagnostics.extend(body.diagnostics)
        result.append(dataclasses.replace(post, body=body.body, summary=body.summary, links=body.links))
    return result


def _render_chunk(posts: list[Post], settings: Settings, pages: Mapping[str, str],
                  bodies: BodyFiles | None) -> list[RenderedPost]:
    """The chunk's bodies rendered, each written to a body file when there is a cache (only where
    it lies travels back), else kept as text."""
    from .render import site_markup  # Markdown and the sanitiser load only when a post changed

    resolve, markup = _ref_resolver(settings, pages), site_markup(settings)
    rendered = []
    for post in posts:
        result = result_or_failure(lambda: _render_into(post, settings, resolve, markup, bodies), post.source,
                                   "rendering its body", post.body_line)
        if isinstance(result, Diagnostic):  # a RenderedPost without sha256, holding the error
            result = RenderedPost(post.source, "", post.link_base, EMPTY_BODY, "", (), (result,))
        rendered.append(result)
    return rendered


def _render_into(post: Post, settings: Settings, resolve, markup, bodies: BodyFiles | None) -> RenderedPost:
    """The post rendered, its body written to a body file when there is a cache (only where it lies
    travels back), else kept as text."""
    html, fresh = _render(post, settings, resolve, markup)
    return dataclasses.replace(fresh, body=bodies.put(html) if bodies is not None else Body.of(html))


def _render(post: Post, settings: Settings, resolve, markup) -> tuple[str, RenderedPost]:
    uses: list[RefUse] = []

    def recording_resolve(target: str, source: str) -> tuple[str, bool]:
        url, found = resolve(target, source)
        uses.append(RefUse(target, url, found))
        return url, found

    own = Diagnostics()
    from .render import RenderContext, render_body

    # A bundle's images are published beside its page: relative links resolve against its folder.
    context = RenderContext(post.link_base, post.source, post.body_line, recording_resolve, post.params, markup,
                            html=post.markup == "html")
    body = render_body(_markdown(post, settings, own), context, own, post.excerpt)
    return body.html, RenderedPost(post.source, post.source_sha256, post.link_base, EMPTY_BODY, body.summary,
                                   tuple(uses), tuple(own.items), body.links)


def _markdown(post: Post, settings: Settings, diagnostics: Diagnostics) -> str:
    """The post's body as written: read again from its file (load_site's posts do not carry it)."""
    if post.body_markdown:
        return post.body_markdown
    found = read_body(settings.root / post.source, post.source_sha256, post.body_offset)
    if found is not None:
        return found
    # Changed (or removed) since it was read a moment ago: its new body, with the front matter read before.
    data = read_source(settings.root / post.source, post.source, settings, diagnostics)
    raw = parse_post(data, settings.root / post.source, post.source, diagnostics) if data is not None else None
    return raw.body if raw is not None else ""


# ---------------------------------------------------------------- ref / relref

def page_index(settings: Settings, posts: list[Post], sections: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """Every page of the content tree under the keys Hugo's `ref` accepts: the path from the
    content root with and without its extension, and the bare file name. `sections`: the posts
    sections' URLs (section_urls), which their _index pages may have moved."""
    index: dict[str, str] = {}
    content_dir = settings.content_dir
    post_urls = {post.source: post.url for post in posts}
    for file in _content_files(content_dir):
        rel = site_relative(file, content_dir)
        url = post_urls.get(site_relative(file, settings.root)) or section_page_url(file, content_dir, settings,
                                                                                    sections)
        name = rel.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        keys = [rel, rel.rsplit(".", 1)[0]]
        if stem in ("_index", "index"):
            keys.append(str(PurePosixPath(rel).parent))
        else:
            keys += [name, stem]
        for key in keys:
            index.setdefault("/" + key.strip("/"), url)
            index.setdefault(key.strip("/").lower() + "\0name", url)
    for post in posts:  # a post's slug finds it too, after every file name
        index.setdefault(post.slug + "\0name", post.url)
    return index


def _content_files(content_dir: Path) -> list[Path]:
    """The content tree's Markdown and HTML files, in path order (os.walk: a tenth of the time of
    Path.rglob and a stat of each path over a tree of 10,000 files)."""
    found = []
    for folder, _, names in os.walk(content_dir, followlinks=True):
        for name in names:
            dot = name.rfind(".")
            if 0 < dot < len(name) - 1 and name[dot + 1:].lower() in MARKDOWN | HTML:
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    found.append(path)
    found.sort(key=lambda path: path.split(os.sep))
    return [Path(path) for path in found]


def section_page_url(source: Path, content_dir: Path, settings: Settings,
                     sections: Mapping[tuple[str, str], str]) -> str:
    """Permalink of a page that is not a post (another section, a section page), by Hugo's rules."""
    rel = PurePosixPath(source.relative_to(content_dir).as_posix())
    parts = rel.with_suffix("").parts
    language = settings.languages[0]
    if rel.stem == "_index" and (language.key, "/".join(parts[:-1])) in sections:  # a posts section
        return sections[(language.key, "/".join(parts[:-1]))]
    if rel.stem in ("_index", "index"):
        path = "/" + "/".join(sanitize(p, settings.path_rules) for p in parts[:-1])
        return url_on_site(language.base_url, path.rstrip("/") + "/")
    section = parts[0] if len(parts) > 1 else ""
    fields = PageFields(date=None, title=parts[-1], slug="", filename=parts[-1], section=section,
                        sections=(section,) if section else ())
    path = page_path(pattern=settings.content.section_permalinks.get(section, ""), directory="/".join(parts[:-1]),
                     page=fields, prefix=language.prefix, ugly=settings.ugly(section), rules=settings.path_rules)
    return url_on_site(language.base_url, path)


def _ref_resolver(settings: Settings, pages: Mapping[str, str]):
    content_root = settings.content.content_dir.strip("/")

    def resolve(target: str, source: str) -> tuple[str, bool]:
        path, _, anchor = target.partition("#")
        suffix = f"#{anchor}" if anchor else ""
        if not path:
            return suffix, True
        if not path.strip("/"):  # "/" is the home page
            return settings.site.base_url + suffix, True
        here = PurePosixPath(source).parent.as_posix()
        here = here[len(content_root):].lstrip("/") if here.startswith(content_root) else here
        keys = ["/" + path.strip("/")] if path.startswith("/") else [
            "/" + f"{here}/{path}".strip("/"), "/" + path.strip("/")]
        keys += [PurePosixPath(path).name.lower() + "\0name", PurePosixPath(path).stem.lower() + "\0name"]
        for key in keys:
            if key in pages:
                return pages[key] + suffix, True
        guess_path = encode(sanitize(path.strip("/").rsplit(".", 1)[0] if path.endswith(".md") else path.strip("/")))
        return url_on_site(settings.site.base_url, guess_path + "/") + suffix, False

    return resolve


# ---------------------------------------------------------------- git

def git_lastmod_dates(settings: Settings) -> dict[str, datetime]:
    """Last commit date of every post, as Hugo's enableGitInfo gives `lastmod`; {} outside git."""
    try:
        commits = subprocess.run(
            # core.quotePath=false: names with umlauts come back as written, not as "\303\244";
            # %aI: Hugo's lastmod from git is the author date (GitInfo.AuthorDate)
            ["git", "-C", str(settings.root), "-c", "core.quotePath=false", "log", "--format=%x00%aI",
             "--name-only", "--", *(site_relative(folder, settings.root) for folder in settings.posts_dirs)],
            capture_output=True, text=True, timeout=60, check=True).stdout
        top = subprocess.run(["git", "-C", str(settings.root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    prefix = site_relative(settings.root.resolve(), Path(top).resolve())
    prefix = "" if prefix in (".", "") else prefix + "/"
    dates: dict[str, datetime] = {}
    for commit in commits.split("\0")[1:]:
        stamp, *names = commit.strip().splitlines()
        moment = parse_date(stamp.strip(), timezone.utc)
        for name in names:
            name = name.strip()
            if name:
                dates.setdefault(name.removeprefix(prefix), moment)
    return dates
