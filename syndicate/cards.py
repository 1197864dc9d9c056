"""Share cards with Pillow: the title over the post's photo, 1200×630 JPEG, cached by inputs.

(Contract stub: the full renderer replaces everything below the Card type.)"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 1200, 630


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
