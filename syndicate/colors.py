"""Colours as settings write them (`#1a2b3c`) and WCAG 2.x contrast between them: used where the
settings are checked (config.py) and where cards are drawn (cards/contrast.py)."""

from __future__ import annotations

import re

RGB = tuple[int, int, int]
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
MIN_CONTRAST = 4.5        # WCAG 2.x SC 1.4.3: normal text
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 2.x SC 1.4.11: graphical objects (the logo against what is behind it)


def parse_color(value: str) -> RGB:
    """`#rgb` or `#rrggbb` → (r, g, b). Raises ValueError for anything else."""
    if not HEX_COLOR.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a colour such as #1a2b3c")
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def linear(channel: int) -> float:
    """WCAG 2.x relative luminance: the sRGB transfer function undone."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


LUMINANCE_WEIGHTS = (0.2126, 0.7152, 0.0722)  # WCAG 2.x: red, green and blue's share of luminance


def luminance(rgb: RGB) -> float:
    return sum(weight * linear(c) for weight, c in zip(LUMINANCE_WEIGHTS, rgb))


def contrast_of(a: float, b: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def contrast(text: RGB, behind: RGB) -> float:
    return contrast_of(luminance(text), luminance(behind))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` towards `b`."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]
