"""Composing a card: the layout (photo, split, solid), the background in its region, the logo,
the title set to fit, the footer and the credit, each line of text on pixels measured to reach
WCAG's 4.5:1; then the JPEG."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageStat

from ..colors import MIN_GRAPHIC_CONTRAST, RGB, contrast
from .backgrounds import CARD, BadImage, Decoded, decode, edge_colour, fit, gradient_of, load_logo, two_colour
from .contrast import Box, backing_strength, blend, union, worst_contrast
from .look import Look
from .spec import CardSpec, Problem, look_stacks
from .typeset import Block, draw_block, paragraph_is_rtl, set_block

WIDTH, HEIGHT = CARD
MAX_BYTES = 600_000             # WhatsApp shows no preview for larger images
SAFE = (72, 48, WIDTH - 72, HEIGHT - 48)  # left, top, right, bottom: the text stays inside
TITLE_SIZES = tuple(range(76, 38, -2))
TITLE_LINES = 4
CENTRED_TITLE_LINES = 5         # split and solid: the title has the height of the card
FOOTER_SIZES, CREDIT_SIZE = (24, 22, 20), 16
FOOTER_TOP = SAFE[3] - 30
ACCENT_TOP = FOOTER_TOP - 24
TITLE_BOTTOM = ACCENT_TOP - 18
TITLE_TOP_LIMIT = SAFE[1] + 40  # room for the credit in the corner
LOGO_BOX = (240, 64)            # the logo fits this, in the top-left corner of the text's side
LOGO_GAP = 28
SCRIM_RAMP = 220                # pixels over which the scrim fades in above the title
SPLIT_PANEL = 540               # the image's side of a split card; the text has the rest
PHOTO_LOGO_HEIGHT = 0.58        # photo layout, logo-like image: shown whole in the top 58%
WHITE, BLACK = (255, 255, 255), (17, 17, 17)


@dataclass(frozen=True)
class Frame:
    """Where a layout puts things."""
    layout: str
    text_left: int
    text_right: int
    image_box: Box | None        # the background's region; None: the solid colour only
    centred: bool                # the title centred in its space (else it sits on the footer)
    rtl: bool


@dataclass(frozen=True)
class Composed:
    """A composed card before encoding, with what the tests and the contrast rule look at."""
    image: Image.Image
    backdrop: Image.Image         # everything but the text (with keep_backdrop; else the card)
    title: Block
    title_boxes: tuple[Box, ...]
    text_boxes: tuple[Box, ...]   # footer and credit
    background: str               # og-image, imgname, topic, default, none
    layout: str
    problems: tuple[Problem, ...]
    contrast: float               # the lowest measured behind the lines of text
    logo_box: Box | None = None
    logo_plate: bool = False


@dataclass(frozen=True)
class Rendered:
    source: str
    data: bytes
    background: str
    layout: str
    problems: tuple[Problem, ...]


def render_spec(spec: CardSpec) -> Rendered:
    composed = compose(spec)
    return Rendered(spec.source, encode(composed.image, spec.look.quality), composed.background, composed.layout,
                    composed.problems)


def compose(spec: CardSpec, keep_backdrop: bool = False) -> Composed:
    look, page = spec.look, spec.page
    layout, background, kind, problems = resolve_background(spec)
    frame = frame_of(layout, paragraph_is_rtl(page.title))
    card = _canvas(frame, background, look)
    logo_box, plate = _place_logo(card, spec, frame, problems)
    title_stack, text_stack = look_stacks(look, page.language)
    width = frame.text_right - frame.text_left
    top_limit = logo_box[3] + LOGO_GAP if logo_box else TITLE_TOP_LIMIT
    title = set_block(page.title, title_stack, width, TITLE_BOTTOM - top_limit, TITLE_SIZES,
                      CENTRED_TITLE_LINES if frame.centred else TITLE_LINES, page.language)
    title_top = (top_limit + (TITLE_BOTTOM - top_limit - title.height) // 2) if frame.centred \
        else TITLE_BOTTOM - title.height
    footer = set_block(page.footer, text_stack, width, 40, FOOTER_SIZES, 1, page.language)
    title_layout = layout_boxes(title, frame.text_left, title_top, width)
    footer_layout = layout_boxes(footer, frame.text_left, FOOTER_TOP, width)
    if frame.layout == "photo":
        _scrim(card, look, title_top, title_layout, footer_layout)
    credit_block, credit_boxes = None, []
    if page.credit and kind != "none":
        credit_block = set_block(page.credit, text_stack, 560, 24, (CREDIT_SIZE,), 1, page.language)
        credit_boxes = [_credit_backing(card, credit_block, frame, look)]
    backdrop = card.copy() if keep_backdrop else card  # only the tests look at it afterwards
    measured = min([worst_contrast(look.text, card, box) for box in title_layout] +
                   [worst_contrast(look.soft_text, card, box) for box in footer_layout + credit_boxes])
    accent_left = frame.text_right - 64 if frame.rtl else frame.text_left
    accent_top = title_top - 26 if frame.centred else ACCENT_TOP
    card.paste(look.accent, (accent_left, accent_top, accent_left + 64, accent_top + 5))
    ink = keep_backdrop  # the tests look at where the ink went; a build needs no second layout for it
    drawn_title = draw_block(card, title, frame.text_left, title_top, width, look.text, page.language, ink)
    drawn_footer = draw_block(card, footer, frame.text_left, FOOTER_TOP, width, look.soft_text, page.language, ink)
    drawn_credit = draw_block(card, credit_block, *_credit_origin(credit_block, frame), credit_block.lines[0].width,
                              look.soft_text, page.language, ink) if credit_block else []
    return Composed(card, backdrop, title, tuple(drawn_title), tuple(drawn_footer + drawn_credit), kind, layout,
                    tuple(problems), measured, logo_box, plate)


def encode(image: Image.Image, quality: int) -> bytes:
    """Baseline JPEG; lower quality only if a busy photo would pass the size limit. Measured on
    cards (1200×630, q85): progressive with optimised Huffman tables is 9% smaller but 4.5× slower
    to encode (36 ms against 8 ms), optimised tables alone 5% smaller and 1.9× slower; crawlers
    fetch a card whole and re-encode it, and the card stays far below the 600 KB limit."""
    for attempt in (quality, *range(quality - 10, 9, -10)):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=attempt)
        if buffer.tell() <= MAX_BYTES:
            break
    return buffer.getvalue()


# ---------------------------------------------------------------- layouts

def frame_of(layout: str, rtl: bool) -> Frame:
    """A split card puts the image on the side where a line of the title ends: right for
    left-to-right titles, left for right-to-left ones."""
    if layout == "split":
        text_width = WIDTH - SPLIT_PANEL
        if rtl:
            return Frame(layout, SPLIT_PANEL + 48, WIDTH - 64, (0, 0, SPLIT_PANEL, HEIGHT), True, rtl)
        return Frame(layout, 64, text_width - 48, (text_width, 0, WIDTH, HEIGHT), True, rtl)
    if layout == "solid":
        return Frame(layout, SAFE[0], SAFE[2], None, True, rtl)
    return Frame("photo", SAFE[0], SAFE[2], (0, 0, WIDTH, HEIGHT), False, rtl)


def _canvas(frame: Frame, background: Image.Image | None, look: Look) -> Image.Image:
    if frame.layout == "photo" and background is not None:
        return background.copy()
    card = _solid(look.background, look.text).copy()
    if background is not None and frame.image_box is not None:
        card.paste(background, frame.image_box[:2])
    return card


@lru_cache(maxsize=4)
def _solid(background: RGB, text: RGB) -> Image.Image:
    """The brand colour with a faint diagonal light (towards the text colour), as far as the
    text keeps its contrast on it."""
    for share in (0.07, 0.04, 0.0):
        tinted = tuple(round(b + (t - b) * share) for b, t in zip(background, text))
        if contrast(text, tinted) >= 4.6:
            return two_colour(CARD, background, tinted)
    return Image.new("RGB", CARD, background)


# Backgrounds shared by several cards are prepared once per process; under fork the build's
# parent prepares them before the workers start, so each is decoded once per build.
_FITTED: dict[tuple, tuple[str, Image.Image]] = {}


def resolve_background(spec: CardSpec) -> tuple[str, Image.Image | None, str, list[Problem]]:
    """(layout, the background fitted to its region or None, its kind, what could not be used):
    the first background that decodes; `auto` makes logo-like images split and no image solid."""
    look, page = spec.look, spec.page
    problems: list[Problem] = []
    if look.layout == "solid":
        return "solid", None, "none", problems
    for source in page.backgrounds:
        if source.file is None:
            layout = "solid" if look.layout == "auto" else look.layout
            image = None if layout == "solid" else gradient_of(source, _region(layout))
            return layout, image, "none", problems
        key = (source.digest, page.focus, look.layout)
        if key not in _FITTED:
            try:
                decoded = decode(source.file, source.label)
            except BadImage as exc:
                problems.append(Problem(source.kind, source.label, str(exc)))
                continue
            layout = look.layout if look.layout != "auto" else "split" if decoded.logo_like else "photo"
            _remember(key, (layout, _fitted(layout, decoded, page.focus)))
        layout, image = _FITTED[key]
        return layout, image, source.kind, problems
    raise AssertionError("the gradient ends every background chain")  # pragma: no cover


def _region(layout: str) -> tuple[int, int]:
    return (SPLIT_PANEL, HEIGHT) if layout == "split" else CARD


def _fitted(layout: str, decoded: Decoded, focus: tuple[float, float] | None) -> Image.Image:
    if layout == "split":
        return fit(decoded, _region(layout), focus, whole=decoded.logo_like)
    if decoded.small:  # the photo layout keeps a small image whole above the title
        image = fit(decoded, (WIDTH, round(HEIGHT * PHOTO_LOGO_HEIGHT)), None, whole=True)
        canvas = Image.new("RGB", CARD, image.getpixel((0, 0)))
        canvas.paste(image, (0, 0))
        return canvas
    return fit(decoded, CARD, focus, whole=False)


def _remember(key: tuple, value: tuple[str, Image.Image]) -> None:
    if len(_FITTED) >= 16:
        _FITTED.pop(next(iter(_FITTED)))
    _FITTED[key] = value


# ---------------------------------------------------------------- text geometry and backing

def layout_boxes(block: Block, left: int, top: int, width: int) -> list[Box]:
    """Where the block's lines will stand, as whole line heights: the pixels the text covers."""
    boxes = []
    for number, line in enumerate(block.lines):
        x = left + (width - line.width if block.rtl else 0)
        baseline = top + block.ascent + number * block.line_height
        boxes.append((int(x), baseline - block.ascent, int(x + line.width) + 1, baseline + round(block.size * 0.28)))
    return boxes


def _scrim(card: Image.Image, look: Look, title_top: int, title_boxes: list[Box], footer_boxes: list[Box]) -> None:
    """The background colour fading in above the title, as strong as the text's contrast needs.
    The text stands where the scrim is at full strength, so a blend of the regions behind it is
    exact."""
    regions = [(card.crop(union(title_boxes)), look.text), (card.crop(union(footer_boxes)), look.soft_text)]
    strength = backing_strength(regions, look.background)
    clear_above = max(0, title_top - 12 - SCRIM_RAMP)
    card.paste(look.background, (0, clear_above, WIDTH, HEIGHT),
               _scrim_mask(title_top, strength).crop((0, clear_above, WIDTH, HEIGHT)))


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


def _credit_origin(block: Block, frame: Frame) -> tuple[int, int]:
    right = frame.image_box[2] if frame.image_box else WIDTH
    return right - 28 - int(block.lines[0].width), 22


def _credit_backing(card: Image.Image, block: Block, frame: Frame, look: Look) -> Box:
    """A translucent plate behind the credit, as strong as its contrast needs."""
    left, top = _credit_origin(block, frame)
    box = (left - 10, top - 4, left + int(block.lines[0].width) + 10, top + block.height + 2)
    region = card.crop(box)
    strength = backing_strength([(region, look.soft_text)], look.background)
    card.paste(blend(region, look.background, strength), box[:2])
    return box


# ---------------------------------------------------------------- the logo

def _place_logo(card: Image.Image, spec: CardSpec, frame: Frame, problems: list[Problem]) -> tuple[Box | None, bool]:
    """The site's logo in the top corner of the text's side. Its own rule (WCAG 1.4.11 for
    graphics): its ink keeps 3:1 against every pixel behind it, else it stands on a plate of the
    background colour, the text colour, white or black, whichever contrasts most with it."""
    look = spec.look
    if look.logo is None:
        return None, False
    try:
        logo = _logo(str(look.logo), look.logo_label, spec.logo_digest)
    except BadImage as exc:
        problems.append(Problem("logo", look.logo_label, str(exc)))
        return None, False
    left = frame.text_right - logo.width if frame.rtl else frame.text_left
    box = (left, SAFE[1], left + logo.width, SAFE[1] + logo.height)
    ink = _ink(logo)
    plate = worst_contrast(ink, card, box) < MIN_GRAPHIC_CONTRAST
    if plate:
        colour = max((look.background, look.text, WHITE, BLACK), key=lambda c: contrast(ink, c))
        pad = 10
        ImageDraw.Draw(card).rounded_rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), 8, colour)
    card.paste(logo, box[:2], logo)
    return box, plate


@lru_cache(maxsize=4)
def _logo(path: str, label: str, digest: str) -> Image.Image:
    return load_logo(Path(path), label, LOGO_BOX)


def _ink(logo: Image.Image) -> RGB:
    """The logo's colour where it is opaque (its edge colour when it has no transparency)."""
    alpha = logo.getchannel("A")
    if alpha.getextrema()[0] == 255:
        return edge_colour(logo.convert("RGB"))
    mask = alpha.point(lambda a: 255 if a >= 128 else 0)
    mean = ImageStat.Stat(logo.convert("RGB"), mask).mean
    return tuple(round(v) for v in mean)  # type: ignore[return-value]

