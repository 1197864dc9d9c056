"""Share cards with Pillow: 1200×630 JPEGs in the site's look, cached by their inputs.

The stage, like the feeds: `render_cards` returns every card — its bytes when they are new to
the output folder, or None when the folder already holds them — and `build` hands them to the
one writer. The modules follow a card's way: what it shows (page.py, look.py), everything it
depends on (sources.py, spec.py), the cache (cache.py), drawing it (composition.py with
backgrounds.py, contrast.py, fonts.py, typeset.py) and drawing many (pool.py). Pillow is
imported only when a card is drawn: a rebuild with nothing changed never loads it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from ..config import Settings
from ..content import Post
from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from ..listpages import ListPage
from ..permalinks import file_url
from ..progress import Progress
from ..safety import each_post, guarded, post_failure
from ..site import Site
from ..workers import worker_count
from .cache import CardCache, problems_of
from .look import Look, look_of
from .page import CardPage, date_label, footer_line, list_backgrounds, list_card_page, plain_credit, post_page
from .sources import remembered_digests
from .spec import CardSpec, Problem, card_spec, fingerprint, look_fingerprint, warn_font_problems, warn_once

if TYPE_CHECKING:
    from .composition import Rendered  # Pillow loads only when a card is drawn

WIDTH, HEIGHT = 1200, 630
HASH_LENGTH = 8  # hex digits of the card's sha256 in its file name: a new URL for new bytes
# A card's file as card_path names it, read back by those that serve, cache and deploy it: the
# page's name (its URL path, which may hold "/") and the hash; `cards/<name>.jpg` (no hash) is
# how the server is asked for a card to draw on demand.
CARD_FILE = re.compile(rf"cards/(?P<name>.+?)(?:\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}}))?\.jpg")
# A background's kind → the front-matter keys whose line a warning about it points at.
IMAGE_LINE_KEYS = {"og-image": ("og-image", "og_image"), "imgname": ("imgname", "images")}


@dataclass(frozen=True)
class Card:
    """A rendered card as the rest of the pipeline sees it."""
    path: str             # relative to the output folder: cards/<name>.<hash8>.jpg
    url: str              # absolute URL
    length: int           # bytes
    sha256: str
    width: int = WIDTH
    height: int = HEIGHT
    mime: str = "image/jpeg"
    alt: str = ""
    background: str = ""  # which background was used: og-image, imgname, topic, default, none
    layout: str = ""      # photo, split, solid
    rendered: bool = field(default=True, compare=False)  # False: taken from the cache


@dataclass(frozen=True)
class MadeCard:
    """What the card stage hands to the writer: the card, and where its bytes are. A drawn card is
    stored in the card cache and read back only when the writer takes it, so a build of 10,000
    new cards never holds their 1.8 GB at once; in memory only where the cache could not store it."""
    card: Card
    data: bytes | None = None     # the bytes, when they are held here
    stored: Path | None = None    # else the cache file that holds them; neither: the output folder does

    @property
    def current(self) -> bool:
        """The output folder already holds exactly these bytes: nothing to write."""
        return self.data is None and self.stored is None

    def read(self) -> bytes:
        """The card's bytes, checked against its sha256 (a cache file changed since it was found
        is an error for this card, and removed so that the next build draws it again)."""
        if self.data is not None:
            return self.data
        assert self.stored is not None, "a current card has nothing to write"
        data = self.stored.read_bytes()
        if hashlib.sha256(data).hexdigest() != self.card.sha256:
            self.stored.unlink(missing_ok=True)
            raise SyndicateError(Diagnostic(str(self.stored), None, Level.ERROR,
                                            "this cached card changed during the build; the next build draws it "
                                            "again"))
        return data


IsCurrent = Callable[[str, str], bool]  # (path, sha256) → the output folder holds these bytes there


def card_path(name: str, digest: str) -> str:
    """The card's file: the page's name and the start of its bytes' sha256, so that every new
    card gets a new URL (crawlers and CDNs cache images by URL) and can be served immutable."""
    return f"cards/{name}.{digest[:HASH_LENGTH]}.jpg"


def render_card(item: Post | ListPage, settings: Settings, diagnostics: Diagnostics | None = None) -> bytes:
    """The JPEG bytes of one post's or list page's card (from the cache when it holds them),
    e.g. for serving a card on demand."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    look = look_of(settings)
    with remembered_digests(settings.state_dir):
        page = post_page(item, settings, look) if isinstance(item, Post) else \
            list_card_page(item, settings, look, list_backgrounds(settings))
        made = render_pages([page], settings, diagnostics, jobs=1, is_current=lambda path, digest: False)
    key = page.source or page.name
    if key not in made:  # the safety net caught its failure: raised here as the error it recorded
        raise SyndicateError(next(d for d in reversed(diagnostics.items) if d.file == key))
    return b"" if made[key].current else made[key].read()


def render_cards(site: Site, diagnostics: Diagnostics, jobs: int = 0,
                 is_current: IsCurrent = lambda path, digest: False,
                 progress: Progress | None = None) -> dict[str, MadeCard]:
    """Every post's card, keyed by post source, and every list page's (home, sections, terms),
    keyed by its output name; cards whose inputs did not change come from the cache without
    being drawn, and as None when the output folder already holds them (those drawn are a
    stage of `progress`)."""
    settings = site.settings
    look = look_of(settings)
    with remembered_digests(settings.state_dir):
        pages = list(each_post(site.posts, diagnostics, "preparing its share card", lambda post: post.source,
                               lambda post: post_page(post, settings, look)).values())
        backgrounds = list_backgrounds(settings) if site.list_pages else ()
        pages += [list_card_page(page, settings, look, backgrounds) for page in site.list_pages]
        return render_pages(pages, settings, diagnostics, jobs, is_current, progress)


def render_pages(pages: list[CardPage], settings: Settings, diagnostics: Diagnostics, jobs: int = 0,
                 is_current: IsCurrent = lambda path, digest: False,
                 progress: Progress | None = None) -> dict[str, MadeCard]:
    """The cards of any pages (posts, and pages that are not posts), keyed by `page.source` or,
    without one, `page.name`. A page whose fingerprint is the one its last card was made from
    is found in the cache without computing its spec: a rebuild with nothing changed reads no
    font and no image."""
    look = look_of(settings)
    cache = CardCache(settings.state_dir)
    previous = cache.index()
    index: dict[str, list] = {}
    made: dict[str, MadeCard] = {}
    todo: list[CardSpec] = []
    prints: dict[str, str] = {}   # the fingerprint of each page in `todo`
    warn_font_problems(look, settings, diagnostics)
    with remembered_digests(settings.state_dir):
        look_print = look_fingerprint(look)
        for page in pages:
            source = page.source or page.name
            try:
                print_ = fingerprint(page, look_print)
                known = previous.get(page.name)
                cached = _from_cache(known[1], page, cache, settings, is_current, known[2]) \
                    if isinstance(known, list) and len(known) == 3 and known[0] == print_ else None
                if cached is not None:
                    index[page.name] = known
                else:
                    spec = card_spec(page, look, settings, diagnostics)
                    cached = _from_cache(spec.key, page, cache, settings, is_current)
                    if cached is None:
                        todo.append(spec)
                        prints[source] = print_
                        continue
                    if spec.own_faces_only:  # else its key depends on the system's fonts: computed each time
                        index[page.name] = [print_, spec.key, cached[1]]
                made[source] = cached[0]
                _report_problems(page, cached[0].card.background, problems_of(cached[1]), settings, diagnostics)
            except Exception as exc:  # the safety net (safety.py): this page gets no card, its post is left out
                diagnostics.items.append(post_failure(source, None, "preparing its share card", exc))
    if todo:
        from .pool import render_all  # Pillow loads here, only when a card is drawn

        by_source = {spec.source: spec for spec in todo}
        for rendered in render_all(todo, worker_count(jobs), progress):
            if isinstance(rendered, Diagnostic):  # its drawing failed (safety.py)
                diagnostics.items.append(rendered)
                continue
            spec = by_source[rendered.source]
            stored = guarded(diagnostics, spec.source, "storing its share card",
                             lambda: _store(spec, rendered, cache, settings, diagnostics))
            if stored is None:
                continue
            made[spec.source], sidecar = stored
            if spec.own_faces_only:
                index[spec.page.name] = [prints[spec.source], spec.key, sidecar]
    cache.save_index(index, previous)
    cache.prune({entry[1] for entry in index.values()} | {spec.key for spec in todo})
    return {source: made[source] for page in pages if (source := page.source or page.name) in made}


def _store(spec: CardSpec, rendered: Rendered, cache: CardCache, settings: Settings,
           diagnostics: Diagnostics) -> tuple[MadeCard, dict]:
    """A drawn card into the cache: the card handed on, and its sidecar for the index."""
    stored, sidecar = cache.write(spec.key, rendered)
    _report_problems(spec.page, rendered.background, rendered.problems, settings, diagnostics)
    card = _card(spec.page, settings, sidecar, rendered=True)
    return (MadeCard(card, stored=stored) if stored is not None else MadeCard(card, data=rendered.data)), sidecar


def _from_cache(key: str, page: CardPage, cache: CardCache, settings: Settings,
                is_current: IsCurrent, sidecar: dict | None = None) -> tuple[MadeCard, dict] | None:
    """The card from the cache; `sidecar` as the index remembers it, saving a read per card."""
    if not (isinstance(sidecar, dict) and isinstance(sidecar.get("sha256"), str)
            and isinstance(sidecar.get("length"), int)):
        sidecar = cache.sidecar(key)
    if sidecar is None:
        return None
    card = _card(page, settings, sidecar, rendered=False)
    stored = None
    if not is_current(card.path, card.sha256):
        stored = cache.stored(key, sidecar)  # its bytes are read when written, and checked then
        if stored is None:
            return None
    return MadeCard(card, stored=stored), sidecar


def _card(page: CardPage, settings: Settings, sidecar: Mapping[str, Any], rendered: bool) -> Card:
    """The card its sidecar describes (its bytes' sha256 and length, background, layout)."""
    path = card_path(page.name, sidecar["sha256"])
    return Card(path, file_url(settings.site.base_url, path), sidecar["length"], sidecar["sha256"], alt=page.title,
                background=str(sidecar.get("background", "")), layout=str(sidecar.get("layout", "")),
                rendered=rendered)


# ---------------------------------------------------------------- diagnostics

def _report_problems(page: CardPage, background: str, problems: Iterable[Problem], settings: Settings,
                     diagnostics: Diagnostics) -> None:
    fallback = {"topic": "the topic image", "default": "the default image",
                "none": "no image"}.get(background, "the next image")
    for problem in problems:
        if problem.kind == "logo":
            where = settings.sources[-1] if settings.sources else "settings"
            warn_once(diagnostics, where, None, f"[cards] logo {problem.label} {problem.reason}; cards show no logo")
            continue
        message = f"image {problem.label} {problem.reason}; the card uses {fallback} instead"
        if problem.kind not in ("topic", "default", "resource") and page.source:  # a front-matter key named it
            keys = IMAGE_LINE_KEYS.get(problem.kind, (problem.kind,))
            line = next((page.key_lines[key] for key in keys if key in page.key_lines), None)
            warn_once(diagnostics, page.source, line, message)
        else:
            warn_once(diagnostics, problem.label, None, message.replace("the card uses", "cards use"))


__all__ = ["CARD_FILE", "Card", "CardPage", "CardSpec", "Look", "MadeCard", "card_path", "card_spec",
           "date_label", "footer_line", "list_backgrounds", "list_card_page", "look_of", "plain_credit", "post_page",
           "render_card", "render_cards", "render_pages"]
