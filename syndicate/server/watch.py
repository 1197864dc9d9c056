"""Live serving: rebuild when posts, images, settings or fonts change (watchfiles), and render a
card that is missing or stale on request with the build's own renderer and cache."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Mapping

import click
from watchfiles import Change, DefaultFilter, awatch

from ..build import build
from ..config import Settings, load_settings
from ..diagnostics import Diagnostic, SyndicateError, difference
from ..hugoconfig import HUGO_CONFIG_NAMES
from ..output import read_manifest
from ..progress import Progress
from ..safety import internal_error, result_or_failure
from ..site import Site, load_site

SETTINGS_NAMES = frozenset({*HUGO_CONFIG_NAMES, "pyproject.toml", "syndicate.toml"})


def font_files(settings: Settings) -> set[Path]:
    """The card files the settings name outside the content: fonts, the site's faces, the logo."""
    cards = settings.cards
    named = [*cards.fonts, cards.title_font, cards.font, cards.logo]
    return {(settings.root / name).resolve() for name in named if name and (settings.root / name).is_file()}


def watched_folders(settings: Settings, out_dir: Path) -> tuple[list[Path], list[Path]]:
    """(folders watched with their subfolders, folders watched alone): content and static trees;
    the site root for its settings files and the font folders, without descending into the output."""
    trees: list[Path] = []
    folders = {settings.content_dir.resolve(), *(d.resolve() for d in settings.posts_dirs),
               (settings.root / "config").resolve(),
               *((settings.root / language.content_dir).resolve() for language in settings.languages),
               settings.static_dir.resolve()}
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        if folder.is_dir() and not any(folder == t or t in folder.parents for t in trees):
            trees.append(folder)
    alone = {settings.root.resolve(), *(font.parent for font in font_files(settings) if font.parent.is_dir())}
    return trees, sorted(folder for folder in alone if not any(folder == t or t in folder.parents for t in trees))


class SiteFilter(DefaultFilter):
    """What a rebuild depends on; never the output folder, the state folder or editors' temp files."""

    def __init__(self, settings: Settings, out_dir: Path, trees: Iterable[Path]):
        super().__init__()
        self.trees = tuple(trees)
        self.ignored = (out_dir.resolve(), settings.state_dir.resolve())
        self.settings_files = {settings.root.resolve() / name for name in SETTINGS_NAMES}
        self.fonts = font_files(settings)

    def __call__(self, change: Change, path: str) -> bool:
        file = Path(path)
        if any(file == folder or folder in file.parents for folder in self.ignored):
            return False
        if not super().__call__(change, path) or file.name.startswith("."):
            return False
        return (file in self.settings_files or file in self.fonts
                or any(tree in file.parents for tree in self.trees))


def rebuild_report(before: list[Diagnostic], after: list[Diagnostic], changed: list[str], seconds: float) -> str:
    """Only what a rebuild changed: diagnostics that are new or resolved (the same problem on
    another line is neither), then one summary line; the full list is in the gallery."""
    new = difference(after, before, key=lambda d: d.problem)
    resolved = difference(before, after, key=lambda d: d.problem)
    lines = [str(d) for d in new] + [f"resolved: {d}" for d in resolved]
    files = f": {', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}" if changed else ""
    news = f"; {len(new)} new and {len(resolved)} resolved diagnostics" if new or resolved else ""
    listed = f" ({len(after)} diagnostics in all: /_preview/diagnostics/)" if after else ""
    lines.append(f"rebuilt in {seconds:.2f}s: {len(changed)} files changed{files}{news}{listed}")
    return "\n".join(lines)


class Live:
    """The site as it is on disk now: rebuilt on change, and the source of on-demand cards."""

    def __init__(self, settings: Settings, out_dir: Path, watching: bool = False,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None):
        self.settings = settings
        self.out_dir = Path(out_dir).resolve()
        # The command line's settings (--state-dir, --no-cards, …) still win when the files change.
        self.overrides = {**(overrides or {}), "build": {**(overrides or {}).get("build", {}), "out": str(self.out_dir)}}
        self.watching = watching
        self.stale_cards: set[str] = set()   # output names of posts changed on disk and not yet rebuilt
        self.progress = Progress() if watching else None  # a rebuild of many cards shows its progress
        self.service: Any = None             # the server's Service, told about new settings
        self._site: Site | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ on-demand cards

    def site(self) -> Site:
        with self._lock:
            site = self._site
        if site is None:  # loaded outside the lock: it takes seconds, and the event loop takes the lock
            loaded = load_site(settings=self.settings, use_cache=True)
            with self._lock:
                self._site = site = self._site or loaded
        return site

    def output_changed(self) -> None:
        """Someone else rebuilt the output: the sources may have moved on, read them again."""
        if not self.watching:
            with self._lock:
                self._site = None

    def render_card(self, name: str) -> tuple[bytes, float] | None:
        """The card of the post or list page with this output name, from the current sources;
        None if there is no such page."""
        page = self.site().page_by_name(name)
        if page is None:
            return None
        from ..cards import render_card  # the renderer is heavy; only a request for a card needs it
        source = getattr(page, "source", "") or page.url  # a post's file, or a list page's address
        card = result_or_failure(lambda: render_card(page, self.settings), source, "drawing its share card")
        if isinstance(card, Diagnostic):  # the safety net: a 404 and the error said once, never a traceback
            click.echo(str(card), err=True)
            return None
        return card, time.time()

    # ------------------------------------------------------------ rebuilds

    def reload(self, changed: set[Path]) -> set[str] | None:
        """Read the sources again; the posts whose cards may now differ from the output's are
        marked stale (served rendered on demand until the build is done). None: unusable settings."""
        config_folder = self.settings.root / "config"  # Hugo's config/_default/, config/<environment>/
        settings_changed = any((path.name in SETTINGS_NAMES and path.parent == self.settings.root)
                               or config_folder in path.parents for path in changed)
        if settings_changed:
            try:
                self.settings = load_settings(self.settings.root, self.overrides)
            except SyndicateError as exc:
                click.echo(f"{exc.diagnostic} (still serving the last build)", err=True)
                return None
            if self.service is not None:
                self.service.use_settings(self.settings)
        try:
            site = load_site(settings=self.settings, use_cache=True)
        except SyndicateError as exc:  # e.g. the posts folder is gone
            click.echo(f"{exc.diagnostic} (still serving the last build)", err=True)
            return None
        with self._lock:
            previous = {post.output_name: post.source_sha256 for post in (self._site.posts if self._site else ())}
            stale = {post.output_name for post in site.posts if previous.get(post.output_name) != post.source_sha256}
            if settings_changed or any(path.suffix != ".md" for path in changed):
                # an image, font or setting can touch any card, the home, section and term pages' too
                stale = {page.output_name for page in (*site.posts, *site.list_pages)}
            self._site = site
            self.stale_cards |= stale
        return stale

    def rebuild(self, changed: set[Path]) -> None:
        """Reload, then build; the build itself skips every output whose inputs did not change."""
        if self.reload(changed) is None:
            return
        with self._lock:
            building = set(self.stale_cards)  # all made current by a build of the site read just now
        started = time.monotonic()
        before = self.last_diagnostics()
        try:
            result = build(self.site(), self.out_dir, progress=self.progress)
        except SyndicateError as exc:
            click.echo(f"{exc.diagnostic} (still serving the last build)", err=True)
            return
        except Exception as exc:  # a half-saved file must not end the watch; say what broke
            click.echo(f"{internal_error(exc)} (still serving it)", err=True)
            return
        with self._lock:
            self.stale_cards -= building
        click.echo(rebuild_report(before, list(result.diagnostics), result.changed, time.monotonic() - started),
                   err=True)

    def last_diagnostics(self) -> list[Diagnostic]:
        """What the build now being served reported (its manifest), to tell news from repetition."""
        manifest = read_manifest(self.out_dir) or {}
        found = (Diagnostic.from_json(d) for d in manifest.get("diagnostics") or [] if isinstance(d, dict))
        return [diagnostic for diagnostic in found if diagnostic is not None]

    async def watch(self, stop: asyncio.Event) -> None:
        trees, alone = watched_folders(self.settings, self.out_dir)
        watch_filter = SiteFilter(self.settings, self.out_dir, trees)
        queue: asyncio.Queue[set[Path]] = asyncio.Queue()

        async def feed(paths: list[Path], recursive: bool) -> None:
            if not paths:
                return
            async for changes in awatch(*paths, watch_filter=watch_filter, recursive=recursive,
                                        stop_event=stop, debounce=400, step=50):
                queue.put_nowait({Path(path) for _, path in changes})

        feeders = [asyncio.create_task(feed(trees, True)), asyncio.create_task(feed(alone, False))]
        try:
            while not stop.is_set():
                changed = await queue.get()
                while not queue.empty():  # changes that came in during the last build: one build for all
                    changed |= queue.get_nowait()
                await asyncio.to_thread(self.rebuild, changed)
        finally:
            for task in feeders:
                task.cancel()

    @asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:
        stop = asyncio.Event()
        await asyncio.to_thread(self.site)  # the sources as built: what the first change is compared with
        task = asyncio.create_task(self.watch(stop))
        try:
            yield
        finally:
            stop.set()
            task.cancel()
