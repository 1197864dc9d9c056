"""Card backgrounds: which image (og-image → first images[] → topic image → default_image →
a designed gradient), decoded safely and fast, colour-normalised and cover-cropped."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, ImageOps, ImageStat, UnidentifiedImageError

from ..config import Settings
from ..content import Post

PAPER = (255, 255, 255)  # what shows through transparent images, as on the page they come from
# Pairs of gradient colours for posts without any image, chosen by topic so topics differ.
GRADIENTS = (((16, 42, 67), (38, 120, 110)), ((40, 22, 74), (150, 52, 98)), ((12, 52, 48), (70, 120, 40)),
             ((58, 24, 24), (170, 84, 36)), ((20, 30, 80), (48, 104, 170)))


@dataclass(frozen=True)
class BackgroundSource:
    kind: str              # og-image, imgname, topic, default, none
    file: Path | None      # None: the gradient
    label: str = ""        # site-relative path, for diagnostics
    digest: str = ""       # sha256 of the file's bytes: part of the card's cache key


class BadImage(Exception):
    """An image that cannot be a background; the message says why and what to do."""


# A background that would have to be enlarged more than this to cover the card is shown whole
# instead, on its edge colour, in the top CONTAIN_HEIGHT of the card.
MAX_UPSCALE = 2.0
CONTAIN_HEIGHT = 0.58


def background_chain(post: Post, settings: Settings) -> tuple[BackgroundSource, ...]:
    """Every background the card may use, best first; the gradient always ends the chain."""
    chain: list[BackgroundSource] = []
    if post.image is not None and post.image.file is not None:
        chain.append(_source(_photo_kind(post, settings), post.image.file, settings))
    for kind, image in post.fallbacks:
        chain.append(_source(kind, image.file, settings))
    chain.append(BackgroundSource("none", None, "", gradient_name(post)))
    return tuple(chain)


def _photo_kind(post: Post, settings: Settings) -> str:
    """What gave the photo, as load_site found it: og-image, imgname, images, cover, resource, …"""
    return post.image_key or "imgname"


def _source(kind: str, file: Path, settings: Settings) -> BackgroundSource:
    try:
        label = _resolved(file).relative_to(_resolved(settings.root)).as_posix()
    except ValueError:
        label = str(file)
    return BackgroundSource(kind, file, label, file_digest(file))


@lru_cache(maxsize=4096)  # posts share topic and default images; resolve() is a syscall per part
def _resolved(path: Path) -> Path:
    return path.resolve()


def file_digest(file: Path) -> str:
    """sha256 of a file's bytes, remembered per (size, mtime) so a build hashes each image
    (and font) once."""
    stat = file.stat()
    return _digest(str(file), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1024)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def gradient_name(post: Post) -> str:
    return f"gradient-{_palette_index(post.topics[0] if post.topics else '')}"


def _palette_index(topic: str) -> int:
    return int(hashlib.sha256(topic.encode("utf-8")).hexdigest(), 16) % len(GRADIENTS)


# ---------------------------------------------------------------- preparing one background

def prepare(source: BackgroundSource, size: tuple[int, int], focus: tuple[float, float] | None) -> Image.Image:
    """The background as an RGB image of exactly `size`. Raises BadImage."""
    if source.file is None:
        return gradient(size, int(source.digest.rsplit("-", 1)[-1]))
    return load_image(source.file, size, focus)


def gradient(size: tuple[int, int], index: int) -> Image.Image:
    """A diagonal two-colour gradient: a 2×2 image stretched with bilinear filtering."""
    start, end = GRADIENTS[index % len(GRADIENTS)]
    middle = tuple((a + b) // 2 for a, b in zip(start, end))
    corners = Image.new("RGB", (2, 2))
    corners.putdata([start, middle, middle, end])
    return corners.resize(size, Image.Resampling.BILINEAR, box=(0.5, 0.5, 1.5, 1.5))


def load_image(file: Path, size: tuple[int, int], focus: tuple[float, float] | None = None) -> Image.Image:
    """Decode `file` no larger than needed, upright, cover-cropped to `size`, in sRGB."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; a card never
            # needs such an image, so the warning threshold is the limit here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as opened:
                opened.draft(None, _draft_size(opened, size))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
                upright = _working_mode(ImageOps.exif_transpose(opened))
                icc = opened.info.get("icc_profile")
            if _cover_scale(upright, size) > MAX_UPSCALE:  # a logo or a badge, not a photo
                return contain(_in_srgb(upright, icc), size)
            # Colour management after the resize: a profile transform costs per pixel.
            return _in_srgb(cover(upright, size, focus), icc)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage(f"is too large to decode safely ({exc}); scale it down, "
                       f"e.g. to 2400 pixels wide") from exc
    except UnidentifiedImageError as exc:
        raise BadImage("is not an image format Pillow can read; save it as JPEG or PNG") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, ImageCms.PyCMSError) as exc:
        raise BadImage(f"cannot be decoded ({exc}); the file is damaged or truncated: "
                       "export it again") from exc


def _draft_size(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    turned = image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)  # a quarter turn
    width, height = image.size[::-1] if turned else image.size
    scale = max(size[0] / width, size[1] / height)
    request = (math.ceil(width * scale), math.ceil(height * scale))
    return request[::-1] if turned else request


def _working_mode(image: Image.Image) -> Image.Image:
    """A mode that resizes and colour-manages well: L, RGB, CMYK, or RGBA when transparent."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return _eight_bit(image)
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image if image.mode in ("L", "RGB", "CMYK") else image.convert("RGB")


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB in sRGB: the file's ICC profile applied, transparency composited over paper."""
    if icc and not (image.mode == "RGB" and _is_srgb(icc)):
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _srgb(),
                                              outputMode="RGBA" if image.mode == "RGBA" else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: the plain conversion below, as browsers do
    if image.mode == "RGBA":
        paper = Image.new("RGBA", image.size, PAPER + (255,))
        return Image.alpha_composite(paper, image).convert("RGB")
    return image.convert("RGB")


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float grey images: Pillow's convert("L") clips them; scale them instead."""
    image = image.convert("I") if image.mode != "F" else image
    top = image.getextrema()[1] or 1
    scale = 1 / 256 if top > 255 else 1.0
    if image.mode == "F" and top <= 1.0:
        scale = 255.0
    return image.point(lambda value: value * scale).convert("L")


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


def _cover_scale(image: Image.Image, size: tuple[int, int]) -> float:
    return max(size[0] / image.width, size[1] / image.height)


def contain(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A small image whole, at most MAX_UPSCALE times its size, in the upper part of the card
    (the title sits below), on a backdrop of its own edge colour: a 181-pixel logo blown up
    to cover 1200×630 is a blur of its middle (seen on 36 of the corpus's posts)."""
    canvas = Image.new("RGB", size, _edge_colour(image))
    box = (size[0] * 0.8, size[1] * CONTAIN_HEIGHT)
    scale = min(MAX_UPSCALE, box[0] / image.width, box[1] / image.height)
    placed = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                          Image.Resampling.LANCZOS)
    top = max(0, round((size[1] * CONTAIN_HEIGHT - placed.height) / 2))
    canvas.paste(placed, ((size[0] - placed.width) // 2, top))
    return canvas


def _edge_colour(image: Image.Image) -> tuple[int, int, int]:
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
