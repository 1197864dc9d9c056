"""Small card sites on disk for the card tests: posts, generated photos, and the calls they share."""

from __future__ import annotations

import dataclasses
import io
import random
from pathlib import Path

from conftest import write_site
from PIL import Image

from syndicate.cards import CardSpec, card_spec, look_of, post_page
from syndicate.cards.composition import Composed, compose
from syndicate.diagnostics import Diagnostics
from syndicate.site import Site, load_site

CONFIG = """\
[site]
base_url = "https://cards.example.org/"
title = "Karten-Blog"
language = "de-DE"
author = "Redaktion"

[content]
posts = "content/blog"
static = "static"
default_image = "blog/default.jpg"

[build]
state_dir = ".state"

[cards]
layout = "photo"
"""  # [cards] last: a test adds its own card settings by appending lines


def post(title: str, slug: str = "", date: str = "2024-03-01", extra: str = "") -> str:
    lines = ["---", f"title: {title!r}" if "'" not in title else f'title: "{title}"', f"date: {date}",
             "author: Ada Muster", "topic: story"]
    if slug:
        lines.append(f"slug: {slug}")
    return "\n".join(lines) + ("\n" + extra.strip("\n") if extra else "") + "\n---\nText.\n"


def jpeg(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def solid(color, size=(1600, 900), mode="RGB") -> Image.Image:
    return Image.new(mode, size, color)


def busy(size=(1600, 900), seed: int = 7) -> Image.Image:
    """Bright and dark, coloured and grey, in small patches: the hardest background for text."""
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    for y in range(0, size[1], 30):
        for x in range(0, size[0], 30):
            bright = rng.random() < 0.5
            color = tuple(rng.randint(200, 255) if bright else rng.randint(0, 60) for _ in range(3))
            image.paste(color, (x, y, x + 30, y + 30))
    return image


def noise(size=(1200, 630)) -> Image.Image:
    """Random pixels: what JPEG compresses worst."""
    rng = random.Random(3)
    return Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))


def card_site(root: Path, posts: dict[str, str], images: dict[str, bytes] | None = None,
              config: str = CONFIG) -> Path:
    """A site whose default image and topic image exist unless `images` says otherwise."""
    standard = {"default.jpg": jpeg(solid((40, 90, 160))),
                "header_images/story.png": png(solid((160, 60, 40), (1000, 275)))}
    return write_site(root, posts, config, {**standard, **(images or {})})


def site_of(root: Path) -> Site:
    return load_site(root)


def spec_for(site: Site, title: str | None = None, diagnostics: Diagnostics | None = None) -> CardSpec:
    first = site.posts[0]
    if title is not None:
        first = dataclasses.replace(first, title=title)
    look = look_of(site.settings)
    return card_spec(post_page(first, site.settings, look), look, site.settings,
                     diagnostics if diagnostics is not None else Diagnostics())


def composed(site: Site, title: str | None = None, diagnostics: Diagnostics | None = None) -> Composed:
    return compose(spec_for(site, title, diagnostics), keep_backdrop=True)


def exact_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance, computed here independently of the renderer."""
    def linear(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def worst_contrast(text: tuple[int, int, int], backdrop: Image.Image, boxes) -> float:
    """The lowest contrast of `text` against any pixel of `backdrop` inside `boxes`."""
    text_l = exact_luminance(text)
    worst = 21.0
    for box in boxes:
        colors = backdrop.crop(box).getcolors(maxcolors=1 << 24) or []
        brightest = max(exact_luminance(color) for _, color in colors)
        worst = min(worst, (max(text_l, brightest) + 0.05) / (min(text_l, brightest) + 0.05))
    return worst
