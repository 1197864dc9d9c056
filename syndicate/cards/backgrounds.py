"""Card backgrounds as pixels: decoded safely (bounded memory, damaged files refused), fast (JPEG
drafts), upright and in sRGB; judged photo or logo-like; fitted to the region a layout gives them."""

from __future__ import annotations

import io
import math
import struct
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, ImageOps, ImageStat, UnidentifiedImageError

from . import HEIGHT, WIDTH
from .sources import BackgroundSource

PAPER = (255, 255, 255)  # what shows through transparent images, as on the page they come from
# Pairs of gradient colours for posts without any image, chosen by topic so topics differ.
GRADIENTS = (((16, 42, 67), (38, 120, 110)), ((40, 22, 74), (150, 52, 98)), ((12, 52, 48), (70, 120, 40)),
             ((58, 24, 24), (170, 84, 36)), ((20, 30, 80), (48, 104, 170)))
CARD = (WIDTH, HEIGHT)
# A background that would have to be enlarged more than this to cover the card is logo-like:
# shown whole, on its edge colour, never blown up to a blur of its middle.
MAX_UPSCALE = 2.0
# Flat images (a wordmark on white, a diagram): this share of the pixels in one colour.
FLAT_SHARE = 0.35
# Memory for one decode: a 16-bit 9400×9400 PNG of 194 KB (under Pillow's bomb limit) takes
# 1.1 GB to decode and convert; two card processes on two such images would exhaust a small
# CI machine. Pillow keeps most modes in 4 bytes a pixel, 16-bit grey in 2, 1-bit and 8-bit in 1.
DECODE_BUDGET = 256 * 2**20
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
PEAK_FACTOR = {"I;16": 3, "I;16L": 3, "I;16B": 3, "I;16N": 3}  # the 8-bit copy made from it; else 2


class BadImage(Exception):
    """An image that cannot be a background; the message says why and what to do."""


@dataclass(frozen=True)
class Decoded:
    """An upright image no larger than a card needs, in a mode that resizes well, with its ICC
    profile still to apply (after resizing: a profile transform costs per pixel)."""
    image: Image.Image
    icc: bytes | None
    small: bool          # more than MAX_UPSCALE would be needed to cover a card
    flat: bool           # mostly one colour: a wordmark, a diagram

    @property
    def logo_like(self) -> bool:
        return self.small or self.flat


def gradient(size: tuple[int, int], index: int) -> Image.Image:
    """A diagonal two-colour gradient: a 2×2 image stretched with bilinear filtering."""
    start, end = GRADIENTS[index % len(GRADIENTS)]
    return two_colour(size, start, end)


def two_colour(size: tuple[int, int], start, end) -> Image.Image:
    middle = tuple((a + b) // 2 for a, b in zip(start, end))
    corners = Image.new("RGB", (2, 2))
    corners.putdata([start, middle, middle, end])
    return corners.resize(size, Image.Resampling.BILINEAR, box=(0.5, 0.5, 1.5, 1.5))


def gradient_of(source: BackgroundSource, size: tuple[int, int]) -> Image.Image:
    return gradient(size, int(source.digest.rsplit("-", 1)[-1]))


# ---------------------------------------------------------------- decoding

def decode(file: Path, label: str = "", keep_alpha: bool = False) -> Decoded:
    """Decode `file` no larger than a card needs, upright, bounded in memory. Raises BadImage."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; a card never
            # needs such an image, so the warning threshold is the limit here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as opened:
                if opened.format != "JPEG":  # before reading its EXIF: Pillow loads a whole PNG for that
                    _check_budget(opened, label or file.name)
                opened.draft(None, _draft_size(opened, CARD))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
                _check_budget(opened, label or file.name)
                small = _cover_scale(_upright_size(opened), CARD) > MAX_UPSCALE
                upright = _working_mode(ImageOps.exif_transpose(opened), keep_alpha)
                icc = opened.info.get("icc_profile")
            return Decoded(upright, icc, small, is_flat(upright))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage(f"is too large to decode safely ({exc}); scale it down, "
                       f"e.g. to 2400 pixels wide") from exc
    except UnidentifiedImageError as exc:
        raise BadImage("is not an image format Pillow can read; save it as JPEG or PNG") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, ImageCms.PyCMSError) as exc:
        raise BadImage(f"cannot be decoded ({exc}); the file is damaged or truncated: "
                       "export it again") from exc


def decode_cost(mode: str, size: tuple[int, int]) -> int:
    """Bytes at the peak of decoding and converting an image of this mode and (drafted) size."""
    return size[0] * size[1] * BYTES_PER_PIXEL.get(mode, 4) * PEAK_FACTOR.get(mode, 2)


def _check_budget(opened: Image.Image, label: str) -> None:
    """Refuse before decoding what would take more than DECODE_BUDGET: the header tells the
    size and mode, and JPEG's draft has already reduced the size it will decode at."""
    cost = decode_cost(opened.mode, opened.size)
    if cost > DECODE_BUDGET:
        width, height = opened.size
        raise BadImage(f"is {width}×{height} pixels in mode {opened.mode} ({width * height / 1e6:.0f} megapixels): "
                       f"decoding it would take about {cost / 2**20:.0f} MB, over the {DECODE_BUDGET // 2**20} MB "
                       f"a card allows for one image, so it was not decoded; save it smaller (2400 pixels wide "
                       f"is plenty for a card) or as JPEG, which is reduced while decoding")


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once EXIF-rotated, without rotating."""
    turned = image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)  # a quarter turn
    return image.size[::-1] if turned else image.size


def _draft_size(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    width, height = _upright_size(image)
    scale = max(size[0] / width, size[1] / height)
    request = (math.ceil(width * scale), math.ceil(height * scale))
    return request[::-1] if _upright_size(image) != image.size else request


def _working_mode(image: Image.Image, keep_alpha: bool = False) -> Image.Image:
    """A mode that resizes and colour-manages well: L, RGB, CMYK, or RGBA when transparent."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return _eight_bit(image)
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image if image.mode in ("L", "RGB", "CMYK") else image.convert("RGB")


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float grey images: Pillow's convert("L") clips them; scale them instead.
    16-bit ones take their high byte (or the low one when no value passes 255) straight from
    the raw bytes: no 32-bit copy of the whole image."""
    top = image.getextrema()[1] or 1
    if image.mode.startswith("I;16"):
        raw = image.tobytes("raw", "I;16")  # little-endian: low byte, high byte
        return Image.frombytes("L", image.size, raw[1::2] if top > 255 else raw[0::2])
    scale = 1 / 256 if top > 255 else 1.0
    if image.mode == "F" and top <= 1.0:
        scale = 255.0
    return image.point(lambda value: value * scale).convert("L")


_QUANTISE = [value & 0xF0 for value in range(256)] * 3


def is_flat(image: Image.Image) -> bool:
    """A logo, a wordmark or a diagram rather than a photo: one colour (4 bits a channel) covers
    FLAT_SHARE of a small copy of it."""
    small = image.reduce(max(1, min(image.size) // 64)).convert("RGB")  # reduce first: no full-size copy
    quantised = small.point(_QUANTISE)
    colours = quantised.getcolors(small.width * small.height) or []
    return bool(colours) and max(count for count, _ in colours) >= FLAT_SHARE * small.width * small.height


def _cover_scale(size: tuple[int, int], target: tuple[int, int]) -> float:
    return max(target[0] / size[0], target[1] / size[1])


# ---------------------------------------------------------------- colour

def in_srgb(image: Image.Image, icc: bytes | None, keep_alpha: bool = False) -> Image.Image:
    """RGB in sRGB: the file's ICC profile applied, transparency composited over paper (or kept)."""
    if icc and not (image.mode == "RGB" and _is_srgb(icc)):
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _srgb(),
                                              outputMode="RGBA" if image.mode == "RGBA" else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: the plain conversion below, as browsers do
    if image.mode == "RGBA":
        if keep_alpha:
            return image
        paper = Image.new("RGBA", image.size, PAPER + (255,))
        return Image.alpha_composite(paper, image).convert("RGB")
    return image.convert("RGBA" if keep_alpha else "RGB")


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=64)
def _is_srgb(icc: bytes) -> bool:
    """An RGB profile with sRGB's primaries (GIMP's, Facebook's "c2", IEC 61966-2.1): converting
    would change nothing visible, and most photos on the web carry one (33 of 133 in the corpus,
    of which 30 are sRGB), so the transform is skipped."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
        reference = _srgb().profile
        return profile.xcolor_space.strip() == "RGB" and all(
            abs(a - b) < 0.001 for ours, theirs in ((profile.red_colorant, reference.red_colorant),
                                                    (profile.green_colorant, reference.green_colorant),
                                                    (profile.blue_colorant, reference.blue_colorant))
            for a, b in zip(ours[0], theirs[0]))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return False


# ---------------------------------------------------------------- fitting into a region

def fit(decoded: Decoded, size: tuple[int, int], focus: tuple[float, float] | None, whole: bool) -> Image.Image:
    """The image as RGB of exactly `size`: cover-cropped around `focus`, or (`whole`) shown whole
    on its edge colour."""
    if whole:
        return contain(in_srgb(decoded.image, decoded.icc), size)
    return in_srgb(cover(decoded.image, size, focus), decoded.icc)


def contain(image: Image.Image, size: tuple[int, int], box: tuple[float, float] = (0.8, 0.8)) -> Image.Image:
    """An image whole, at most MAX_UPSCALE times its size and `box` of the region, centred on a
    backdrop of its own edge colour: a 181-pixel logo blown up to cover 1200×630 is a blur of
    its middle (seen on 36 of the corpus's posts)."""
    canvas = Image.new("RGB", size, edge_colour(image))
    scale = min(MAX_UPSCALE, size[0] * box[0] / image.width, size[1] * box[1] / image.height)
    placed = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                          Image.Resampling.LANCZOS)
    canvas.paste(placed, ((size[0] - placed.width) // 2, (size[1] - placed.height) // 2))
    return canvas


def edge_colour(image: Image.Image) -> tuple[int, int, int]:
    """The mean colour of the image's outermost pixels, so the backdrop continues its margin."""
    width, height = image.size
    strips = [image.crop(box) for box in ((0, 0, width, 1), (0, height - 1, width, height),
                                          (0, 0, 1, height), (width - 1, 0, width, height))]
    stats = [ImageStat.Stat(strip) for strip in strips]
    count = sum(stat.count[0] for stat in stats)
    return tuple(round(sum(stat.sum[band] for stat in stats) / count) for band in range(3))  # type: ignore[return-value]


def cover(image: Image.Image, size: tuple[int, int], focus: tuple[float, float] | None) -> Image.Image:
    """Scale to fill `size` and crop the rest, keeping the focal point (x, y in 0–1) in view."""
    width, height = image.size
    scale = max(size[0] / width, size[1] / height)
    crop_w, crop_h = min(width, size[0] / scale), min(height, size[1] / scale)
    fx, fy = focus or (0.5, 0.5)
    left = max(0.0, min(fx * width - crop_w / 2, width - crop_w))
    top = max(0.0, min(fy * height - crop_h / 2, height - crop_h))
    # Bicubic: most photos are scaled by less than 2× after drafting (many upwards), where
    # Lanczos looks the same under a scrim and costs a third more (measured on the corpus).
    return image.resize(size, Image.Resampling.BICUBIC, box=(left, top, left + crop_w, top + crop_h),
                        reducing_gap=2.0)


def load_logo(file: Path, label: str, box: tuple[int, int]) -> Image.Image:
    """The site's logo as RGBA, scaled to fit `box` (never more than MAX_UPSCALE). Raises BadImage."""
    decoded = decode(file, label, keep_alpha=True)
    image = in_srgb(decoded.image, decoded.icc, keep_alpha=True)
    scale = min(MAX_UPSCALE, box[0] / image.width, box[1] / image.height)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.Resampling.LANCZOS)
