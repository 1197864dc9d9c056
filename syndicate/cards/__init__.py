"""Share cards with Pillow: the title over the post's photo, 1200×630 JPEG, cached by inputs.

A card is composed of a background (backgrounds.py), a scrim strong enough for WCAG contrast,
the title set to fit (typeset.py, fonts.py), a footer line and the photo's credit. Cards are
rendered in parallel processes and cached under `<site>/.syndicate/cache/cards/<key>.jpg`,
where the key hashes everything the card depends on.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from PIL import Image

from ..config import Settings
from ..content import Post, url_on_site
from ..diagnostics import Diagnostics
from ..progress import Progress, stage
from ..render import plain_inline
from ..site import Site
from ..workers import process_pool, start_context, worker_count
from .backgrounds import BackgroundSource, BadImage, background_chain, file_digest, prepare
from .fonts import BUNDLED, Face, FontStack, font_stack
from .typeset import Block, draw_block, set_block

if TYPE_CHECKING:
    from ..output import Output

WIDTH, HEIGHT = 1200, 630
RENDERER_VERSION = "2"          # bump when a change to the drawing changes the pixels
MAX_BYTES = 600_000             # WhatsApp shows no preview for larger images
MIN_CONTRAST = 4.5              # WCAG 2.x SC 1.4.3, normal text
SAFE = (72, 48, WIDTH - 72, HEIGHT - 48)  # left, top, right, bottom: the title stays inside
TITLE_SIZES = range(76, 38, -2)
TITLE_LINES = 4
FOOTER_SIZE, CREDIT_SIZE = 24, 16
FOOTER_TOP = SAFE[3] - 30
ACCENT_TOP = FOOTER_TOP - 24
TITLE_BOTTOM = ACCENT_TOP - 18
TITLE_TOP_LIMIT = SAFE[1] + 40  # room for the credit in the corner
WHITE, SOFT_WHITE = (255, 255, 255), (226, 232, 240)
SCRIM = (6, 10, 20)
ACCENT = (255, 204, 51)
SCRIM_STRENGTHS = (0.5, 0.58, 0.66, 0.74, 0.82, 0.9, 0.96, 1.0)
SCRIM_RAMP = 220                # pixels over which the scrim fades in above the title
MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
           "Aralık"),
}
Box = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class Card:
    """A rendered card as the rest of the pipeline sees it."""
    path: str             # relative to the output folder: cards/<slug>.jpg
    url: str              # absolute URL
    length: int           # bytes
    sha256: str
    width: int = WIDTH
    height: int = HEIGHT
    mime: str = "image/jpeg"
    alt: str = ""
    background: str = ""  # which background was used: og-image, imgname, topic, default, none
    rendered: bool = field(default=True, compare=False)  # False: taken from the cache


@dataclass(frozen=True)
class CardSpec:
    """Everything a card depends on; its `key` names the card in the cache."""
    source: str
    slug: str
    title: str
    footer: str
    credit: str
    language: str
    focus: tuple[float, float] | None
    backgrounds: tuple[BackgroundSource, ...]
    fonts: tuple[Path, ...]       # [cards] fonts
    quality: int
    font_digests: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        inputs = [RENDERER_VERSION, WIDTH, HEIGHT, self.title, self.footer, self.credit, self.language,
                  self.focus, self.quality, [(b.kind, b.label, b.digest) for b in self.backgrounds],
                  list(self.font_digests)]
        return sha256(json.dumps(inputs, ensure_ascii=False).encode("utf-8"))


@dataclass(frozen=True)
class Problem:
    """A background that could not be used: which one and why."""
    kind: str
    label: str
    reason: str


@dataclass(frozen=True)
class Composed:
    """A composed card before encoding, with what the tests and the contrast rule look at."""
    image: Image.Image
    backdrop: Image.Image         # background and scrim without text (with keep_backdrop; else the card)
    title: Block
    title_boxes: tuple[Box, ...]
    text_boxes: tuple[Box, ...]  # footer and credit
    background: str
    problems: tuple[Problem, ...]
    contrast: float               # the lowest measured behind the lines of text


@dataclass(frozen=True)
class Rendered:
    source: str
    data: bytes
    background: str
    problems: tuple[Problem, ...]


# ---------------------------------------------------------------- public API

def render_card(post: Post, settings: Settings, diagnostics: Diagnostics | None = None) -> bytes:
    """The JPEG bytes of one post's card (from the cache when it holds them), e.g. for serving
    a card on demand."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    spec = card_spec(post, settings, diagnostics)
    cached = _cache_read(settings, spec)
    if cached is not None:
        return cached[0]
    rendered = render_spec(spec)
    _cache_write(settings, spec, rendered)
    _report_problems(post, settings, rendered, diagnostics)
    return rendered.data


def render_cards(site: Site, output: Output, diagnostics: Diagnostics, jobs: int = 0,
                 progress: Progress | None = None) -> dict[str, Card]:
    """Every post's card into `cards/<slug>.jpg`; cards whose inputs did not change come from
    the cache without rendering (those that do are a stage of `progress`). Keyed by post source."""
    settings = site.settings
    posts = {post.source: post for post in site.posts}
    specs = {source: card_spec(post, settings, diagnostics) for source, post in posts.items()}
    cards: dict[str, Card] = {}
    todo: list[CardSpec] = []
    for source, spec in specs.items():
        card = _cached_card(settings, spec, posts[source], output, diagnostics)
        if card is None:
            todo.append(spec)
        else:
            cards[source] = card
    for rendered in _render_all(todo, worker_count(jobs), progress):
        spec, post = specs[rendered.source], posts[rendered.source]
        _cache_write(settings, spec, rendered)
        _report_problems(post, settings, rendered, diagnostics)
        output.write(card_path(post), rendered.data)
        cards[spec.source] = _card(post, settings, rendered.data, rendered.background, rendered=True)
    _prune_cache(settings, {spec.key for spec in specs.values()})
    return {source: cards[source] for source in specs}


def card_path(post: Post) -> str:
    """Named by the post's URL path (Post.output_name), so two posts with one slug never share."""
    return f"cards/{post.output_name}.jpg"


# ---------------------------------------------------------------- what a card shows

def card_spec(post: Post, settings: Settings, diagnostics: Diagnostics) -> CardSpec:
    fonts = tuple(settings.root / f for f in settings.cards.fonts)
    title_stack, text_stack = stacks(fonts, post.language_tag)
    _warn_font_problems(title_stack, settings, diagnostics)
    credit = plain_credit(post.image.attribution if post.image else "")
    footer = footer_line(post, settings)
    texts = ((post.title, title_stack, "title"), (footer, text_stack, "footer line"), (credit, text_stack, "credit"))
    _warn_uncovered(post, settings, texts, diagnostics)
    used = {BUNDLED["title"], BUNDLED["text"], *fonts}
    faces = {run.face for text, stack, _ in texts for run in stack.runs(text) if run.face is not None}
    digests = tuple(sorted(f"{face.path}#{face.index}:{file_digest(face.path)}"
                           for face in {Face(p) for p in used if p.is_file()} | faces))
    return CardSpec(post.source, post.slug, post.title, footer, credit, post.language_tag, post.card_focus,
                    background_chain(post, settings), fonts, settings.cards.quality, digests)


@lru_cache(maxsize=8)
def stacks(fonts: tuple[Path, ...], language: str) -> tuple[FontStack, FontStack]:
    return font_stack("title", fonts, language), font_stack("text", fonts, language)


def footer_line(post: Post, settings: Settings) -> str:
    """Site name · topic · date · author."""
    topic = post.topics[0] if post.topics else ""
    topic = topic[:1].upper() + topic[1:] if topic.islower() else topic
    site_title = settings.language(post.language).title
    author = post.author or settings.site.author
    parts = [site_title, topic, date_label(post.published.date(), post.language_tag),
             author if author != site_title else ""]
    return "  ·  ".join(part for part in parts if part)


def date_label(day: date, language: str) -> str:
    months = MONTHS.get(language.split("-")[0].lower())
    if months is None:
        return day.isoformat()
    if language.lower().startswith("de"):
        return f"{day.day}. {months[day.month - 1]} {day.year}"
    if language.lower().startswith(("es", "pt")):
        return f"{day.day} de {months[day.month - 1]} de {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def plain_credit(attribution: str) -> str:
    """An attribution's Markdown and HTML reduced to its words: `[Foto](…) von <a …>X</a>` →
    `Foto von X`."""
    return plain_inline(attribution)


# ---------------------------------------------------------------- composing and encoding

def render_spec(spec: CardSpec) -> Rendered:
    composed = compose(spec)
    return Rendered(spec.source, encode(composed.image, spec.quality), composed.background, composed.problems)


def compose(spec: CardSpec, keep_backdrop: bool = False) -> Composed:
    background, kind, problems = _first_background(spec)
    title_stack, text_stack = stacks(spec.fonts, spec.language)
    width = SAFE[2] - SAFE[0]
    title = set_block(spec.title, title_stack, width, TITLE_BOTTOM - TITLE_TOP_LIMIT, TITLE_SIZES,
                      TITLE_LINES, spec.language)
    title_top = TITLE_BOTTOM - title.height
    footer = set_block(spec.footer, text_stack, width, 40, (FOOTER_SIZE,), 1, spec.language)
    card = background.copy()
    title_layout = _layout_boxes(title, SAFE[0], title_top, width)
    footer_layout = _layout_boxes(footer, SAFE[0], FOOTER_TOP, width)
    strength = _scrim_strength(card, title_layout, footer_layout)
    clear_above = max(0, title_top - 12 - SCRIM_RAMP)
    card.paste(SCRIM, (0, clear_above, WIDTH, HEIGHT),
               _scrim_mask(title_top, strength).crop((0, clear_above, WIDTH, HEIGHT)))
    credit_boxes: list[Box] = []
    credit_block = None
    if spec.credit:
        credit_block = set_block(spec.credit, text_stack, 560, 24, (CREDIT_SIZE,), 1, spec.language)
        credit_boxes = _credit_backing(card, credit_block)
    backdrop = card.copy() if keep_backdrop else card  # only the tests look at it afterwards
    measured = min([contrast(WHITE, max_luminance(card, box)) for box in title_layout] +
                   [contrast(SOFT_WHITE, max_luminance(card, box)) for box in footer_layout + credit_boxes])
    card.paste(ACCENT, (SAFE[0], ACCENT_TOP, SAFE[0] + 64, ACCENT_TOP + 5))
    drawn_title = draw_block(card, title, SAFE[0], title_top, width, WHITE, spec.language)
    drawn_footer = draw_block(card, footer, SAFE[0], FOOTER_TOP, width, SOFT_WHITE, spec.language)
    drawn_credit = draw_block(card, credit_block, *_credit_origin(credit_block), credit_block.lines[0].width,
                              SOFT_WHITE, spec.language) if credit_block else []
    return Composed(card, backdrop, title, tuple(drawn_title), tuple(drawn_footer + drawn_credit), kind,
                    tuple(problems), measured)


def encode(image: Image.Image, quality: int) -> bytes:
    """Progressive JPEG; lower quality only if a busy photo would pass the size limit."""
    for attempt in (quality, *range(quality - 10, 9, -10)):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=attempt, progressive=True, optimize=True)
        if buffer.tell() <= MAX_BYTES:
            break
    return buffer.getvalue()


# Backgrounds shared by several cards are prepared once per process; under fork the build's
# parent prepares them before the workers start, so each is decoded once per build.
_PREPARED: dict[tuple[str, tuple[float, float] | None], Image.Image] = {}


def _first_background(spec: CardSpec) -> tuple[Image.Image, str, list[Problem]]:
    problems: list[Problem] = []
    for source in spec.backgrounds:
        key = (f"{source.kind}:{source.label}:{source.digest}", spec.focus)
        if key in _PREPARED:
            return _PREPARED[key], source.kind, problems
        try:
            image = prepare(source, (WIDTH, HEIGHT), spec.focus)
        except BadImage as exc:
            problems.append(Problem(source.kind, source.label, str(exc)))
            continue
        _remember(key, image)
        return image, source.kind, problems
    raise AssertionError("the gradient ends every background chain")  # pragma: no cover


def _remember(key, image: Image.Image) -> None:
    if len(_PREPARED) >= 16:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[key] = image


def _layout_boxes(block: Block, left: int, top: int, width: int) -> list[Box]:
    """Where the block's lines will stand, as whole line heights: the pixels the text covers."""
    boxes = []
    for number, line in enumerate(block.lines):
        x = left + (width - line.width if block.rtl else 0)
        baseline = top + block.ascent + number * block.line_height
        boxes.append((int(x), baseline - block.ascent, int(x + line.width) + 1, baseline + round(block.size * 0.28)))
    return boxes


@lru_cache(maxsize=64)
def _scrim_mask(title_top: int, strength: float) -> Image.Image:
    """Opacity by row: clear at the top, easing in over SCRIM_RAMP rows, full from just above
    the title down."""
    full_from = title_top - 12
    rows = []
    for y in range(HEIGHT):
        t = min(1.0, max(0.0, (y - (full_from - SCRIM_RAMP)) / SCRIM_RAMP))
        rows.append(round(255 * strength * t * t * (3 - 2 * t)))
    column = Image.new("L", (1, HEIGHT))
    column.putdata(rows)
    return column.resize((WIDTH, HEIGHT), Image.Resampling.NEAREST)


def _scrim_strength(card: Image.Image, title_boxes: list[Box], footer_boxes: list[Box]) -> float:
    """The lightest scrim under which every line of text reaches MIN_CONTRAST. The text stands
    where the scrim is at full strength, so a blend of the regions behind it is exact."""
    regions = [(card.crop(_union(title_boxes)), WHITE), (card.crop(_union(footer_boxes)), SOFT_WHITE)]
    for strength in SCRIM_STRENGTHS:
        if all(_darkened_contrast(region, color, strength) >= MIN_CONTRAST for region, color in regions):
            return strength
    return SCRIM_STRENGTHS[-1]


def _union(boxes: list[Box]) -> Box:
    """The rectangle around the lines: one region to measure (the gaps between lines count too,
    which errs on the side of a darker scrim)."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _darkened_contrast(region: Image.Image, color: tuple[int, int, int], strength: float) -> float:
    return contrast(color, max_luminance(Image.blend(region, Image.new("RGB", region.size, SCRIM), strength)))


def _credit_origin(block: Block) -> tuple[int, int]:
    return WIDTH - 28 - int(block.lines[0].width), 22


def _credit_backing(card: Image.Image, block: Block) -> list[Box]:
    """A translucent plate behind the credit, as dark as its contrast needs."""
    left, top = _credit_origin(block)
    box = (left - 10, top - 4, WIDTH - 18, top + block.height + 2)
    region = card.crop(box)
    strength = next((s for s in SCRIM_STRENGTHS if _darkened_contrast(region, SOFT_WHITE, s) >= MIN_CONTRAST),
                    SCRIM_STRENGTHS[-1])
    card.paste(Image.blend(region, Image.new("RGB", region.size, SCRIM), strength), box[:2])
    return [box]


# ---------------------------------------------------------------- WCAG contrast

def _linear(channel: int) -> float:
    """WCAG 2.x relative luminance: the sRGB transfer function undone."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text: tuple[int, int, int], behind: float) -> float:
    lighter, darker = sorted((luminance(text), behind), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Linear light per channel, rounded up so a measured luminance never flatters the image.
_TO_LINEAR = [min(255, -int(-_linear(v) * 255 // 1)) for v in range(256)] * 3


def max_luminance(image: Image.Image, box: Box | None = None) -> float:
    """The highest relative luminance among the pixels (of `box`), to within 2/255."""
    region = image.crop(box) if box else image
    if region.width == 0 or region.height == 0:
        return 0.0
    linear = region.point(_TO_LINEAR).convert("L", (0.2126, 0.7152, 0.0722, 0))
    return min(1.0, (linear.getextrema()[1] + 1) / 255)  # +1: convert() rounds to nearest


# ---------------------------------------------------------------- rendering many, in parallel

def _render_all(todo: list[CardSpec], jobs: int, progress: Progress | None = None) -> Iterator[Rendered]:
    if not todo:
        return
    with stage(progress, "share cards", len(todo)) as advance:
        if jobs <= 1 or len(todo) <= 2:
            for spec in todo:
                yield render_spec(spec)
                advance(1)
            return
        _prepare_shared(todo)
        with process_pool(jobs) as pool:
            futures = [pool.submit(_render_batch, batch) for batch in _batches(todo, jobs)]
            for future in as_completed(futures):
                results = future.result()
                yield from results
                advance(len(results))


def _render_batch(batch: list[CardSpec]) -> list[Rendered]:
    return [render_spec(spec) for spec in batch]


def _batches(todo: list[CardSpec], jobs: int) -> list[list[CardSpec]]:
    """Cards grouped by background, so a worker reuses what it prepared; groups cut so that
    every worker gets several batches to balance the load."""
    ordered = sorted(todo, key=lambda spec: (spec.backgrounds[0].digest, spec.slug))
    size = max(1, min(16, len(ordered) // (jobs * 4)))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def _prepare_shared(todo: list[CardSpec]) -> None:
    """Prepare in the parent what several cards share, before the workers fork from it."""
    if start_context().get_start_method() != "fork":
        return
    counts: dict[tuple[str, tuple[float, float] | None], int] = {}
    for spec in todo:
        first = spec.backgrounds[0]
        key = (first.digest, spec.focus)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] == 2:
            _first_background(spec)


# ---------------------------------------------------------------- cache

def _cache_dir(settings: Settings) -> Path:
    return settings.state_dir / "cache" / "cards"


def _cache_read(settings: Settings, spec: CardSpec) -> tuple[bytes, dict] | None:
    folder = _cache_dir(settings)
    try:
        sidecar = json.loads((folder / f"{spec.key}.json").read_text(encoding="utf-8"))
        data = (folder / f"{spec.key}.jpg").read_bytes()
    except (OSError, ValueError):
        return None
    return (data, sidecar) if sha256(data) == sidecar.get("sha256") else None


def _cache_write(settings: Settings, spec: CardSpec, rendered: Rendered) -> None:
    folder = _cache_dir(settings)
    sidecar = {"sha256": sha256(rendered.data), "length": len(rendered.data), "background": rendered.background,
               "problems": [[p.kind, p.label, p.reason] for p in rendered.problems]}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _replace(folder / f"{spec.key}.jpg", rendered.data)
        _replace(folder / f"{spec.key}.json", json.dumps(sidecar).encode("utf-8"))
    except OSError:
        pass  # a read-only site still builds; the next build renders again


def _replace(path: Path, data: bytes) -> None:
    """Rename into place without fsync: after a crash a cache entry may be missing, never
    half-written (and the sidecar's sha256 catches a mismatch); losing one costs a render."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _cached_card(settings: Settings, spec: CardSpec, post: Post, output: Output,
                 diagnostics: Diagnostics) -> Card | None:
    """The card from the cache: kept as it is when the output already holds it."""
    folder = _cache_dir(settings)
    try:
        sidecar = json.loads((folder / f"{spec.key}.json").read_text(encoding="utf-8"))
        digest, length = sidecar["sha256"], sidecar["length"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    path = card_path(post)
    if output.is_current(path, digest):
        output.keep(path, digest)
    else:
        cached = _cache_read(settings, spec)
        if cached is None:
            return None
        output.write(path, cached[0])
    problems = tuple(Problem(*p) for p in sidecar.get("problems", []))
    _report_problems(post, settings, Rendered(post.source, b"", sidecar["background"], problems), diagnostics)
    return Card(path, url_on_site(settings.site.base_url, path), length, digest, alt=post.title,
                background=sidecar["background"], rendered=False)


def _prune_cache(settings: Settings, keep: set[str], spare: int = 256) -> None:
    """Drop the oldest entries no post uses any more, beyond a few spare for undoing an edit."""
    folder = _cache_dir(settings)
    if not folder.is_dir():
        return
    unused = [p for p in folder.glob("*.jpg") if p.stem not in keep]
    unused.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in unused[spare:]:
        stale.unlink(missing_ok=True)
        stale.with_suffix(".json").unlink(missing_ok=True)


def _card(post: Post, settings: Settings, data: bytes, background: str, rendered: bool) -> Card:
    path = card_path(post)
    return Card(path, url_on_site(settings.site.base_url, path), len(data), sha256(data), alt=post.title,
                background=background, rendered=rendered)


# ---------------------------------------------------------------- diagnostics

def _report_problems(post: Post, settings: Settings, rendered: Rendered, diagnostics: Diagnostics) -> None:
    fallback = {"topic": "the topic image", "default": "the default image",
                "none": "a plain gradient"}.get(rendered.background, "the next image")
    for problem in rendered.problems:
        message = f"image {problem.label} {problem.reason}; the card uses {fallback} instead"
        if problem.kind in ("og-image", "imgname"):
            keys = ("og-image", "og_image") if problem.kind == "og-image" else ("imgname",)
            _warn_once(diagnostics, post.source, _front_matter_line(post, keys), message)
        else:
            _warn_once(diagnostics, problem.label, None, message.replace("the card uses", "cards use"))


def _warn_uncovered(post: Post, settings: Settings, texts: Iterable[tuple[str, FontStack, str]],
                    diagnostics: Diagnostics) -> None:
    for text, stack, where in texts:
        missing = stack.uncovered(text)
        if missing:
            names = ", ".join(f"U+{ord(c):04X} {c!r}" for c in missing)
            _warn_once(diagnostics, post.source, _front_matter_line(post, ("title",)) if where == "title" else None,
                       f"no installed font has {names} (in the card's {where}); the card shows an empty box "
                       "there. Install a font that has it (e.g. Debian's fonts-noto-core) or name one in "
                       "[cards] fonts")


def _warn_font_problems(stack: FontStack, settings: Settings, diagnostics: Diagnostics) -> None:
    where = settings.sources[-1] if settings.sources else "settings"
    for problem in stack.problems:
        _warn_once(diagnostics, where, None, f"[cards] fonts: {problem}; it is skipped")


def _warn_once(diagnostics: Diagnostics, file: str, line: int | None, message: str) -> None:
    if not any(d.file == file and d.line == line and d.message == message for d in diagnostics.items):
        diagnostics.warn(file, line, message)


def _front_matter_line(post: Post, keys: tuple[str, ...]) -> int | None:
    return next((post.key_lines[key] for key in keys if key in post.key_lines), None)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
