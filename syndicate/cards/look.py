"""A site's card look from `[cards]`: the layout, the colours, the logo, the faces, the footer.
The settings were checked when they were loaded (config.py): here they are only read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..colors import MIN_CONTRAST, RGB, contrast, mix, parse_color
from ..config import Settings
from ..fonts import FACES
from .fonts import bundled


@dataclass(frozen=True)
class Look:
    layout: str                  # auto, photo, split, solid
    background: RGB              # the scrim, the split panel, the solid card
    accent: RGB
    text: RGB                    # the title
    soft_text: RGB               # the footer and the credit: a little towards the background
    logo: Path | None
    logo_label: str
    title_face: Path | None      # the site's own faces, before the bundled ones
    text_face: Path | None
    fonts: tuple[Path, ...]      # [cards] fonts
    footer: tuple[str, ...]
    credit: bool
    quality: int
    system_fonts: bool = True

    def key(self) -> list:
        """What of the look changes pixels (file contents are hashed by the card spec)."""
        return [self.layout, self.background, self.accent, self.text, self.soft_text, self.logo_label,
                self.footer, self.credit, self.quality, self.system_fonts]


def look_of(settings: Settings) -> Look:
    cards = settings.cards
    background, text = parse_color(cards.background), parse_color(cards.text_color)
    return Look(cards.layout, background, parse_color(cards.accent), text, _soft(text, background),
                settings.root / cards.logo if cards.logo else None, cards.logo,
                _face(settings, cards.title_font), _face(settings, cards.font),
                tuple(settings.root / f for f in cards.fonts), tuple(cards.footer), cards.credit,
                cards.quality, cards.system_fonts)


def _soft(text: RGB, background: RGB) -> RGB:
    """The footer's colour: 12% towards the background while it keeps 4.5:1 with a margin."""
    for share in (0.12, 0.08, 0.04):
        soft = mix(text, background, share)
        if contrast(soft, background) >= MIN_CONTRAST + 0.3:
            return soft
    return text


def _face(settings: Settings, value: str) -> Path | None:
    if not value:
        return None
    if value in FACES:
        return bundled(FACES[value])
    return settings.root / value
