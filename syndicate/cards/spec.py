"""A card's spec: everything its pixels depend on (the page, the look, the bytes of every image
and font it may use), hashed into the key that names it in the cache; and the warnings about
what the fonts cannot draw. Computing specs loads no image and, for text the bundled faces
cover, asks fontconfig nothing: a rebuild with nothing changed is quick."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..config import Settings
from ..diagnostics import Diagnostics
from .fonts import (
    BUNDLED_FILES,
    FontStack,
    bundled,
    debian_package,
    file_version,
    font_stack,
    needs_shaping,
    script_of,
    shaping,
    usable_font_problem,
)
from .look import Look
from .page import CardPage
from .sources import file_digest

RENDERER_VERSION = "3"          # bump when a change to the drawing changes the pixels


@dataclass(frozen=True)
class CardSpec:
    page: CardPage
    look: Look
    font_digests: tuple[str, ...]  # every face the texts use, with its file's sha256
    logo_digest: str = ""
    own_faces_only: bool = True    # the site's and the bundled faces draw every character

    @property
    def source(self) -> str:
        return self.page.source or self.page.name

    @property
    def key(self) -> str:
        page = self.page
        inputs = [RENDERER_VERSION, shaping(), *page_inputs(page), self.look.key(), list(self.font_digests),
                  self.logo_digest]
        return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """A background (or the logo) that could not be used: which one and why."""
    kind: str
    label: str
    reason: str


def card_spec(page: CardPage, look: Look, settings: Settings, diagnostics: Diagnostics) -> CardSpec:
    title_stack, text_stack = look_stacks(look, page.language)
    texts = ((page.title, title_stack, "title"), (page.footer, text_stack, "footer line"),
             (page.credit, text_stack, "credit"))
    uncovered = _warn_uncovered(page, texts, diagnostics)
    _warn_unshaped(page, texts, diagnostics)
    faces = {face for text, stack, _ in texts for face in stack.used_faces(text)}
    faces |= {title_stack.own[0], text_stack.own[0]}  # the line metrics come from the first face
    digests = tuple(sorted(f"{face.path.name}#{face.index}:{file_digest(face.path)}" for face in faces))
    own_only = not uncovered and faces <= {*title_stack.own, *text_stack.own}
    return CardSpec(page, look, digests, logo_digest(look), own_only)


def logo_digest(look: Look) -> str:
    return file_digest(look.logo) if look.logo is not None and look.logo.is_file() else ""


def fingerprint(page: CardPage, look_print: str) -> str:
    """What a card's key is made of, with the look's fingerprint (every face the site and the
    package give, instead of the faces its texts use): computed without reading a font's
    tables. Equal fingerprints give equal keys for a card whose characters all have one of
    these faces."""
    inputs = [look_print, *page_inputs(page)]
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode("utf-8")).hexdigest()


def page_inputs(page: CardPage) -> list[Any]:
    """What of a page a card shows: part of its key and of its fingerprint alike (one list, so a
    new input can never reach one and not the other)."""
    return [page.title, page.footer, page.credit, page.focus, page.language,
            [(b.kind, b.label, b.digest) for b in page.backgrounds]]


def look_fingerprint(look: Look) -> str:
    faces = [path for path in (look.title_face, look.text_face, *look.fonts, *(bundled(role) for role in BUNDLED_FILES))
             if path is not None and path.is_file()]
    inputs = [RENDERER_VERSION, shaping(), look.key(), [f"{path}:{file_digest(path)}" for path in faces],
              logo_digest(look)]
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode("utf-8")).hexdigest()


def look_stacks(look: Look, language: str) -> tuple[FontStack, FontStack]:
    """The title's and the text's font stacks (shared by every card of one look and language,
    until one of the site's font files changes)."""
    own = (look.title_face, look.text_face, *look.fonts)
    return stacks(look, language, tuple(file_version(path) for path in own if path is not None))


@lru_cache(maxsize=16)
def stacks(look: Look, language: str, versions: tuple = ()) -> tuple[FontStack, FontStack]:
    return (font_stack("title", look.fonts, language, look.title_face, look.system_fonts),
            font_stack("text", look.fonts, language, look.text_face, look.system_fonts))


# ---------------------------------------------------------------- what the fonts cannot draw

def _warn_uncovered(page: CardPage, texts, diagnostics: Diagnostics) -> bool:
    """Warn about every character no face has; True if there was one."""
    found = False
    for text, stack, where in texts:
        missing = stack.uncovered(text)
        if not missing:
            continue
        found = True
        names = ", ".join(f"U+{ord(c):04X} {c!r}" for c in missing)
        scripts = sorted({script_of(c) for c in missing} - {""})
        packages = sorted({debian_package(s) for s in scripts})
        advice = (f"install a font for {', '.join(scripts)} (on Debian: apt-get install {' '.join(packages)})"
                  if scripts else "install a font that has it")
        warn_once(diagnostics, page.source or page.name, page.key_lines.get("title") if where == "title" else None,
                  f"no font has {names} (in the card's {where}); the card shows an empty box there. "
                  f"{advice[0].upper() + advice[1:]}, or name a font file in [cards] fonts")
    return found


def _warn_unshaped(page: CardPage, texts, diagnostics: Diagnostics) -> None:
    """Right-to-left and joining scripts need Raqm; without it they are drawn letter by letter."""
    if shaping():
        return
    for text, _, where in texts:
        scripts = sorted({script_of(c) for c in text if needs_shaping(c)} - {""})
        if scripts:
            warn_once(diagnostics, page.source or page.name,
                      page.key_lines.get("title") if where == "title" else None,
                      f"the card's {where} is in {', '.join(scripts)}, which needs text shaping, and Pillow "
                      "has no Raqm layout here: the letters are drawn unjoined, left to right. Install the "
                      "system's FriBiDi library (on Debian: apt-get install libfribidi0), which Pillow's "
                      "Raqm loads")


def warn_font_problems(look: Look, settings: Settings, diagnostics: Diagnostics) -> None:
    """`[cards] fonts` that cannot be used (the site's own faces were checked with the settings)."""
    where = settings.sources[-1] if settings.sources else "settings"
    for path in look.fonts:
        problem = usable_font_problem(path)
        if problem:
            warn_once(diagnostics, where, None, f"[cards] fonts: {problem}; it is skipped")


def warn_once(diagnostics: Diagnostics, file: str, line: int | None, message: str) -> None:
    if not any(d.file == file and d.line == line and d.message == message for d in diagnostics.items):
        diagnostics.warn(file, line, message)
