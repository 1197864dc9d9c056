"""Small copies of the share cards for the gallery's index: a page of 50 posts sent 1.5 MB of
full-size cards to show them 240 pixels wide (bench_gallery); at twice that width, for screens
with two pixels to the point, a card is about a tenth of the bytes."""

from __future__ import annotations

import io

from PIL import Image

WIDTH = 480       # the index shows cards 240 CSS pixels wide
QUALITY = 80


def thumbnail(jpeg: bytes, width: int = WIDTH) -> bytes:
    with Image.open(io.BytesIO(jpeg)) as image:
        height = round(image.height * width / image.width)
        image.draft("RGB", (width, height))  # JPEG decodes at 1/2 scale straight away: 600×315
        small = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
