"""load_site: settings → posts (read, interpreted, images resolved, bodies rendered) → a Site."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Mapping
from urllib.parse import urlsplit

from .config import Settings, load_settings
from .content import (
    ImageRef,
    Post,
    RawPost,
    interpret,
    key_line,
    parse_post,
    read_source,
    section_page_url,
    url_on_site,
    urlize,
)
from .dates import parse_date
from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from .postcache import ImageCheck, LoadedPost, PostCache, RefUse, RenderedPost, settings_fingerprint
from .workers import process_pool, worker_count


@dataclass(frozen=True)
class Site:
    settings: Settings
    posts: tuple[Post, ...]                      # what gets published, newest first
    diagnostics: tuple[Diagnostic, ...] = ()
    pages: Mapping[str, str] = field(default_factory=dict)  # ref key → URL, the whole content tree

    def post_by_slug(self, slug: str) -> Post | None:
        return next((post for post in self.posts if post.slug == slug), None)


def load_site(root: Path | str = ".", overrides: Mapping[str, Mapping[str, Any]] | None = None,
              now: datetime | None = None, settings: Settings | None = None,
              use_cache: bool = False) -> Site:
    """Read and render every post of the site. Never raises for a bad post: it is reported.

    With `use_cache`, posts whose bytes (and whatever else they depend on) have not changed are
    taken from <site>/.syndicate/cache instead of being parsed and rendered again.
    """
    diagnostics = Diagnostics()
    settings = settings or load_settings(root, overrides, diagnostics)
    now = now or datetime.now(timezone.utc)
    posts_dir = settings.posts_dir
    if not posts_dir.is_dir():  # a configuration error: building on would delete the last build's files
        raise SyndicateError(Diagnostic(_relative(posts_dir, settings.root), None, Level.ERROR,
                                        "the posts folder does not exist; set [content] posts or pass --site"))

    cache = PostCache(settings.state_dir / "cache" / "posts.pickle" if use_cache else None,
                      settings_fingerprint(settings))
    git_dates = git_lastmod_dates(settings) if settings.content.git_info else {}
    jobs = worker_count(settings.build.jobs)
    candidates: list[Post] = []
    for loaded in _load_posts(post_files(posts_dir), settings, cache, git_dates, jobs):
        diagnostics.extend(loaded.diagnostics)
        if loaded.post is not None:
            candidates.append(loaded.post)

    candidates = _without_duplicate_permalinks(candidates, diagnostics)
    pages = page_index(settings, candidates)
    published = [post for post in candidates if _is_published(post, settings, now)]
    posts = _rendered_posts(published, settings, pages, cache, diagnostics, jobs)
    posts.sort(key=lambda p: (p.published, p.source), reverse=True)
    cache.save()
    return Site(settings, tuple(posts), diagnostics.sorted(), pages)


# Below this many posts to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 300


def _in_parallel(function, chunks: list[list[Any]], *shared: Any, jobs: int) -> list[Any]:
    """Apply `function(chunk, *shared)` to each chunk, in worker processes when it pays off."""
    total = sum(len(chunk) for chunk in chunks)
    if jobs <= 1 or total < PARALLEL_THRESHOLD:
        return [result for chunk in chunks for result in function(chunk, *shared)]
    with process_pool(jobs) as pool:
        return [result for results in pool.map(function, chunks, *([value] * len(chunks) for value in shared))
                for result in results]


def _chunks(items: list[Any], jobs: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // max(jobs * 4, 1)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _load_posts(files: list[Path], settings: Settings, cache: PostCache,
                git_dates: Mapping[str, datetime], jobs: int) -> list[LoadedPost]:
    """Every file read; parsed only when the cache has nothing for its bytes."""
    results: dict[str, LoadedPost] = {}
    to_parse: list[tuple[Path, str, bytes, str]] = []
    for file in files:
        source = _relative(file, settings.root)
        own = Diagnostics()
        data = read_source(file, source, settings, own)
        if data is None:
            results[source] = LoadedPost("", None, tuple(own.items))
            continue
        key = f"{hashlib.sha256(data).hexdigest()}:{git_dates.get(source)}"
        cached = cache.loaded_post(source, key)
        if cached is None:
            to_parse.append((file, source, data, key))
        else:
            results[source] = cached
    for source, loaded in _in_parallel(_parse_chunk, _chunks(to_parse, jobs), settings, git_dates, jobs=jobs):
        results[source] = loaded
    for source, loaded in results.items():
        if loaded.sha256:
            cache.loaded[source] = loaded
    return [results[_relative(file, settings.root)] for file in files]


def _parse_chunk(chunk: list[tuple[Path, str, bytes, str]], settings: Settings,
                 git_dates: Mapping[str, datetime]) -> list[tuple[str, LoadedPost]]:
    loaded = []
    for file, source, data, key in chunk:
        diagnostics = Diagnostics()
        raw = parse_post(data, file, source, diagnostics)
        post = interpret(raw, settings, diagnostics, git_dates) if raw else None
        checks: list[ImageCheck] = []
        if post is not None and raw is not None:
            post = _with_image(post, raw, settings, diagnostics, checks)
            post = dataclasses.replace(post, fallbacks=fallback_images(post, settings, checks))
        loaded.append((source, LoadedPost(key, post, tuple(diagnostics.items), tuple(checks))))
    return loaded


def post_files(posts_dir: Path) -> list[Path]:
    """Every Markdown post under the folder; `_index.md` is a section page, not a post."""
    return sorted(p for p in posts_dir.rglob("*.md")
                  if p.name != "_index.md" and p.is_file() and not _hidden(p, posts_dir))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def _is_published(post: Post, settings: Settings, now: datetime) -> bool:
    if post.draft and not settings.build.drafts:
        return False
    if post.published > now and not settings.build.future:
        return False
    return True


def _rendered_posts(posts: list[Post], settings: Settings, pages: Mapping[str, str], cache: PostCache,
                    diagnostics: Diagnostics, jobs: int) -> list[Post]:
    """Bodies rendered, or taken from the cache while their URL and every ref they used still hold."""
    resolve = _ref_resolver(settings, pages)
    rendered = {post.source: cache.rendered_post(post.source, post.source_sha256, post.url, resolve)
                for post in posts}
    to_render = [post for post in posts if rendered[post.source] is None]
    for fresh in _in_parallel(_render_chunk, _chunks(to_render, jobs), settings, pages, jobs=jobs):
        rendered[fresh.source] = fresh
    result = []
    for post in posts:
        body = rendered[post.source]
        cache.rendered[post.source] = body
        diagnostics.extend(body.diagnostics)
        result.append(dataclasses.replace(post, body_html=body.body_html, summary=body.summary, links=body.links))
    return result


def _render_chunk(posts: list[Post], settings: Settings, pages: Mapping[str, str]) -> list[RenderedPost]:
    from .render import site_markup  # Markdown and the sanitiser load only when a post changed

    resolve, markup = _ref_resolver(settings, pages), site_markup(settings)
    return [_render(post, resolve, markup) for post in posts]


def _render(post: Post, resolve, markup) -> RenderedPost:
    uses: list[RefUse] = []

    def recording_resolve(target: str, source: str) -> tuple[str, bool]:
        url, found = resolve(target, source)
        uses.append(RefUse(target, url, found))
        return url, found

    own = Diagnostics()
    from .render import RenderContext, render_body

    context = RenderContext(post.url, post.source, post.body_line, recording_resolve, post.params, markup)
    body = render_body(post.body_markdown, context, own, post.excerpt)
    return RenderedPost(post.source, post.source_sha256, post.url, body.html, body.summary,
                        tuple(uses), tuple(own.items), body.links)


def _without_duplicate_permalinks(posts: list[Post], diagnostics: Diagnostics) -> list[Post]:
    """Two posts with one permalink: the earlier keeps it, the later stays out until fixed
    (Hugo would silently publish only one of them)."""
    by_path: dict[str, Post] = {}
    by_slug: dict[str, Post] = {}  # cards/<slug>.jpg and meta/<slug>.html are named by the slug
    for post in sorted(posts, key=lambda p: (p.published, p.source)):
        first = by_path.get(post.path) or by_slug.get(post.slug)
        if first is None:
            by_path[post.path] = by_slug[post.slug] = post
            continue
        same = (f"permalink {post.path}" if first.path == post.path
                else f"slug '{post.slug}' (which names its card and meta tags)")
        diagnostics.error(post.source, None, f"same {same} as {first.source}; this post is left out. "
                          "Give one of them a 'slug:' or 'url:' in its front matter")
    kept = set(id(p) for p in by_path.values())
    return [p for p in posts if id(p) in kept]


# ---------------------------------------------------------------- images

def _with_image(post: Post, raw: RawPost, settings: Settings, diagnostics: Diagnostics,
                checks: list[ImageCheck]) -> Post:
    """The post's photo: og-image / og_image, else the first images[].imgname that exists."""
    candidates: list[tuple[str, str, str]] = []  # (key, reference, attribution)
    for key in ("og-image", "og_image"):
        value = post.params.get(key)
        if isinstance(value, str) and value.strip():
            candidates.append((key, value.strip(), post.images[0].attribution if post.images else ""))
    candidates += [("imgname", image.name, image.attribution) for image in post.images]
    section = settings.section
    for key, reference, attribution in candidates:
        image = resolve_image(reference, section, settings, diagnostics, post.source, key_line(raw, key), checks)
        if image is not None:
            alt = next((i.caption for i in post.images if i.name == reference and i.caption), "")
            return dataclasses.replace(post, image=dataclasses.replace(image, attribution=attribution,
                                                                       alt=alt or post.title))
    return post


def resolve_image(reference: str, section: str, settings: Settings, diagnostics: Diagnostics,
                  source: str, line: int | None, checks: list[ImageCheck] | None = None) -> ImageRef | None:
    """An image reference from front matter → ImageRef; None (with a diagnostic) if unusable.

    `/blog/x.jpg` is site-absolute (static/blog/x.jpg); a bare `x.jpg` is in the section's
    image folder (static/blog/x.jpg), as codefor.de's theme reads `images[].imgname`.
    """
    parts = urlsplit(reference)
    if parts.scheme in ("http", "https"):
        return ImageRef(url=reference, file=None)
    if parts.scheme or "\0" in reference or "\\" in reference:
        diagnostics.error(source, line, f"image '{reference}' is not a path inside the site; "
                          "use a path under the static folder such as /blog/photo.jpg")
        return None
    static = settings.static_dir.resolve()
    site_path = reference if reference.startswith("/") else f"/{section}/{reference}"
    file = (static / site_path.lstrip("/")).resolve()
    if static not in file.parents:
        diagnostics.error(source, line, f"image '{reference}' leaves the site's static folder; "
                          "use a path under it such as /blog/photo.jpg")
        return None
    exists = file.is_file()
    if checks is not None:
        checks.append(ImageCheck(str(file), exists))
    if not exists and site_path.startswith("/static/"):
        # Hugo serves static/ at the site root: '/static/blog/x.png' is a broken link on the site.
        fixed = site_path.removeprefix("/static")
        if (static / fixed.lstrip("/")).is_file():
            diagnostics.warn(source, line, f"image '{reference}' includes the static folder in its path; "
                             f"the site serves it as '{fixed}', so write that")
            return resolve_image(fixed, section, settings, Diagnostics(), source, line, checks)
    if not exists:
        if reference.startswith("/") and os.path.isfile(reference):
            diagnostics.error(source, line, f"image '{reference}' is an absolute file path outside the "
                              "site; copy the image into the static folder and use /blog/<name>")
            return None
        diagnostics.warn(source, line, f"image '{reference}' not found at "
                         f"{_relative(file, settings.root)}; a fallback image is used instead")
        return None
    url = url_on_site(settings.site.base_url, site_path)
    return ImageRef(url, file, *(("", "") + image_header(file)))


def fallback_images(post: Post, settings: Settings,
                    checks: list[ImageCheck] | None = None) -> tuple[tuple[str, ImageRef], ...]:
    """What a post without a photo is shown with, best first: its topic's header image
    (static/blog/header_images/<topic>.png, as codefor.de's theme has them), then `default_image`."""
    section = settings.section
    candidates = [("topic", f"{section}/header_images/{post.topics[0]}.png")] if post.topics else []
    if settings.content.default_image:
        candidates.append(("default", settings.content.default_image.lstrip("/")))
    static = os.path.normpath(settings.static_dir)
    found = []
    for kind, site_path in candidates:
        file = os.path.normpath(os.path.join(static, site_path))
        if not file.startswith(static + os.sep):  # a topic may hold "../"
            continue
        exists = os.path.isfile(file)
        if checks is not None:
            checks.append(ImageCheck(file, exists))
        if exists:
            url = url_on_site(settings.site.base_url, site_path)
            found.append((kind, ImageRef(url, Path(file), "", "", *image_header(Path(file)))))
    return tuple(found)


def image_header(file: Path) -> tuple[int, int, str]:
    """(width, height, MIME type) from the image's header, or (0, 0, "") if it is no image."""
    stat = file.stat()
    return _image_header(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)  # many posts share an image; the key changes when the file does
def _image_header(file: Path, mtime_ns: int, size: int) -> tuple[int, int, str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:  # reads the header only, not the pixels
            return image.size[0], image.size[1], Image.MIME.get(image.format or "", "")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return 0, 0, ""  # the card stage reports images it cannot use


# ---------------------------------------------------------------- ref / relref

def page_index(settings: Settings, posts: list[Post]) -> dict[str, str]:
    """Every page of the content tree under the keys Hugo's `ref` accepts: the path from the
    content root with and without `.md`, and the bare file name."""
    index: dict[str, str] = {}
    content_dir = settings.content_dir
    post_urls = {post.source: post.url for post in posts}
    files = sorted(content_dir.rglob("*.md")) if content_dir.is_dir() else []
    for file in files:
        source = _relative(file, settings.root)
        url = post_urls.get(source) or section_page_url(file, content_dir, settings)
        rel = file.relative_to(content_dir).as_posix()
        keys = [rel, rel[:-3]]
        if file.name in ("_index.md", "index.md"):
            keys.append(str(PurePosixPath(rel).parent))
        else:
            keys += [file.name, file.stem]
        for key in keys:
            index.setdefault("/" + key.strip("/"), url)
            index.setdefault(key.strip("/").lower() + "\0name", url)
    for post in posts:  # a post's slug finds it too, after every file name
        index.setdefault(post.slug + "\0name", post.url)
    return index


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
        guess_path = urlize(path.strip("/").removesuffix(".md")) + "/"
        return url_on_site(settings.site.base_url, guess_path) + suffix, False

    return resolve


# ---------------------------------------------------------------- git

def git_lastmod_dates(settings: Settings) -> dict[str, datetime]:
    """Last commit date of every post, as Hugo's enableGitInfo gives `lastmod`; {} outside git."""
    try:
        log = subprocess.run(
            # core.quotePath=false: names with umlauts come back as written, not as "\303\244";
            # %aI: Hugo's lastmod from git is the author date (GitInfo.AuthorDate)
            ["git", "-C", str(settings.root), "-c", "core.quotePath=false", "log", "--format=%x00%aI",
             "--name-only", "--", settings.content.posts],
            capture_output=True, text=True, timeout=60, check=True).stdout
        top = subprocess.run(["git", "-C", str(settings.root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    prefix = _relative(settings.root.resolve(), Path(top).resolve())
    prefix = "" if prefix in (".", "") else prefix + "/"
    dates: dict[str, datetime] = {}
    for commit in log.split("\0")[1:]:
        stamp, *names = commit.strip().splitlines()
        moment = parse_date(stamp.strip(), timezone.utc)
        for name in names:
            name = name.strip()
            if name:
                dates.setdefault(name.removeprefix(prefix), moment)
    return dates
