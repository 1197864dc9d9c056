"""WCAG contrast measured on the pixels: how light and dark the pixels behind a box are, and how
strong a backing (the scrim, the credit's plate) must be for text to reach 4.5:1 against each."""

from __future__ import annotations

import math

from PIL import Image

from ..colors import LUMINANCE_WEIGHTS, MIN_CONTRAST, RGB, contrast_of, linear, luminance

Box = tuple[int, int, int, int]  # left, top, right, bottom
STRENGTHS = (0.5, 0.58, 0.66, 0.74, 0.82, 0.9, 0.96, 1.0)

# Linear light per channel, rounded up: a measured luminance errs by at most 2/255, and the
# bounds below widen by that, so a measurement never flatters the image.
_TO_LINEAR = [min(255, math.ceil(linear(v) * 255)) for v in range(256)] * 3
_WEIGHTS = (*LUMINANCE_WEIGHTS, 0)


def luminance_range(image: Image.Image, box: Box | None = None) -> tuple[float, float]:
    """The lowest and highest relative luminance among the pixels (of `box`), widened by the
    rounding of 8-bit arithmetic."""
    region = image.crop(box) if box else image
    if region.width == 0 or region.height == 0:
        return 0.0, 0.0
    low, high = region.point(_TO_LINEAR).convert("L", _WEIGHTS).getextrema()
    if low == high:
        bands = region.getextrema()
        if all(first == last for first, last in bands):  # one colour (a panel, a full scrim): exactly
            exact = luminance(tuple(first for first, _ in bands))  # type: ignore[arg-type]
            return exact, exact
    return max(0.0, (low - 2) / 255), min(1.0, (high + 1) / 255)  # convert() rounds to nearest


def worst_contrast(color: RGB, image: Image.Image, box: Box | None = None) -> float:
    """The lowest contrast of text in `color` against any pixel of `box`: 1 when some pixel may
    be as light as the text itself."""
    text = luminance(color)
    low, high = luminance_range(image, box)
    if high <= text:
        return contrast_of(text, high)
    if low >= text:
        return contrast_of(text, low)
    return 1.0


def backing_strength(regions: list[tuple[Image.Image, RGB]], backing: RGB) -> float:
    """The lightest blend towards `backing` under which every region's text colour reaches
    MIN_CONTRAST (the settings guarantee the text passes on `backing` itself)."""
    for strength in STRENGTHS:
        if all(worst_contrast(color, blend(region, backing, strength)) >= MIN_CONTRAST for region, color in regions):
            return strength
    return STRENGTHS[-1]


def blend(region: Image.Image, color: RGB, strength: float) -> Image.Image:
    return Image.blend(region, Image.new("RGB", region.size, color), strength)


def union(boxes: list[Box]) -> Box:
    """The rectangle around the boxes: one region to measure (the gaps between lines count too,
    which errs on the side of a stronger backing)."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
