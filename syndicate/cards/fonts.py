"""The card font stack and per-character fallback, which Pillow lacks.

A stack is the site's own face (`[cards] title_font` / `font`), the bundled faces (Inter for
Latin, Greek and Cyrillic; Twemoji for colour emoji), then `[cards] fonts`, then what the system
has (in fontconfig's own fallback order, asked only when the faces before it miss a character).
Text is cut into clusters (a character with its combining marks, joiners and selectors); each
cluster takes the first font whose character map covers it.
"""

from __future__ import annotations

import bisect
import mmap
import shutil
import struct
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..fonts import FILES as BUNDLED_FILES  # the faces in the package data (the top-level fonts/ folder)

if TYPE_CHECKING:
    from PIL import ImageFont

FONTCONFIG_WEIGHT = {"title": "bold", "text": "medium"}
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

ZWJ = 0x200D


@dataclass(frozen=True)
class Face:
    """One face of a font file (a .ttc holds several). `version` (size, mtime, inode) tells a
    rewritten file from the one a cached FreeType font still maps: never mix the two."""
    path: Path
    index: int = 0
    version: tuple[int, ...] = ()

    @cached_property
    def info(self) -> _FaceInfo | None:
        return _readable_face_info(self.path, self.index, self.version)

    @property
    def strike(self) -> int | None:
        """The one pixel size a bitmap-only font draws at (Noto Color Emoji: 109), else None."""
        return self.info.strike if self.info else None

    @property
    def color(self) -> bool:
        """Colour glyphs: COLR layers (Twemoji) or colour bitmaps (CBDT, sbix)."""
        return self.info is not None and self.info.color

    def covers(self, codepoint: int) -> bool:
        return self.info is not None and self.info.covers(codepoint)


@dataclass(frozen=True)
class Run:
    """Consecutive text drawn with one face."""
    text: str
    face: Face | None  # None: no font of the stack covers it


@dataclass(frozen=True)
class FontStack:
    own: tuple[Face, ...]           # the site's face, the bundled ones, [cards] fonts
    problems: tuple[str, ...] = ()  # configured fonts that could not be used, for a warning
    system: tuple[str, str] | None = None  # (weight, language) for fontconfig, asked on the first miss
    _chosen: dict[str, Face | None] = field(default_factory=dict, compare=False, repr=False)
    _covered: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    _all: list[tuple[Face, ...]] = field(default_factory=list, compare=False, repr=False)
    _runs: dict[str, list[Run]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def faces(self) -> tuple[Face, ...]:
        """Every face, the system's included (runs fontconfig once per weight and language)."""
        if self.system is None:
            return self.own
        if not self._all:
            own = {(face.path, face.index) for face in self.own}
            self._all.append(self.own + tuple(face for face in system_faces(*self.system)
                                              if (face.path, face.index) not in own))
        return self._all[0]

    def runs(self, text: str) -> list[Run]:
        """`text` cut where the covering face changes; neutral characters (spaces, punctuation)
        stay with the (outline) face before them when it has them, so runs are not cut needlessly.
        Remembered: fitting a title measures the same words at many sizes."""
        if text not in self._runs:
            if len(self._runs) > 4096:
                self._runs.clear()
            self._runs[text] = self._cut(text)
        return self._runs[text]

    def _cut(self, text: str) -> list[Run]:
        runs: list[Run] = []
        for cluster in clusters(text):
            face = self.face_for(cluster)
            before = runs[-1].face if runs else None
            if before is not None and not before.strike and _is_neutral(cluster) and before.covers(ord(cluster[0])):
                face = before  # not after emoji: a bitmap font's space is as wide as an emoji
            if runs and runs[-1].face == face:
                runs[-1] = Run(runs[-1].text + cluster, face)
            else:
                runs.append(Run(cluster, face))
        return runs

    def face_for(self, cluster: str) -> Face | None:
        if cluster not in self._chosen:
            self._chosen[cluster] = self._first_covering(cluster)
        return self._chosen[cluster]

    def _first_covering(self, cluster: str) -> Face | None:
        needed = [ord(c) for c in cluster if not _is_ignorable(ord(c))] or [ord(cluster[0])]
        emoji = _wants_emoji_presentation(cluster)
        for faces in self._own_then_all():  # the system's faces only when ours miss
            if emoji:
                faces = tuple(f for f in faces if f.color) + tuple(f for f in faces if not f.color)
            found = next((face for face in faces if all(face.covers(c) for c in needed)), None)
            if found is not None:
                return found
        return next((face for face in self.faces if face.covers(needed[0])), None)

    def _own_then_all(self):
        yield self.own
        yield self.faces

    def uncovered(self, text: str) -> list[str]:
        """Characters no face of the stack has, in order of first appearance."""
        missing: dict[str, None] = {}
        for char in text:
            if char not in self._covered:
                code = ord(char)
                self._covered[char] = (_is_ignorable(code) or any(f.covers(code) for f in self.own)
                                       or any(f.covers(code) for f in self.faces))
            if not self._covered[char]:
                missing.setdefault(char)
        return list(missing)

    def used_faces(self, text: str) -> set[Face]:
        return {run.face for run in self.runs(text) if run.face is not None}


@cache
def bundled(name: str) -> Path:
    """The path of a bundled face ("title", "text", "emoji") in the installed package data."""
    from importlib.resources import files

    return Path(str(files("syndicate.fonts") / BUNDLED_FILES[name]))



def font_stack(role: str, configured: tuple[Path, ...] = (), language: str = "",
               own_face: Path | None = None, system: bool = True) -> FontStack:
    """The stack for `role` ("title": bold, "text": medium): the site's face → bundled (role,
    emoji) → configured → system."""
    faces: list[Face] = []
    problems: list[str] = []
    chosen = (own_face,) if own_face is not None else ()
    for path in (*chosen, bundled(role), bundled("emoji"), *configured):
        problem = usable_font_problem(path)
        face = Face(path, 0, file_version(path)) if not problem else None
        if problem:
            problems.append(problem)
        elif face not in faces:
            faces.append(face)
    return FontStack(tuple(faces), tuple(problems), (FONTCONFIG_WEIGHT[role], language) if system else None)


def file_version(path: Path) -> tuple[int, ...]:
    try:
        stat = path.stat()
    except OSError:
        return ()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def usable_font_problem(path: Path) -> str:
    if not path.is_file():
        return f"font {path} not found"
    try:
        _face_info(path, 0, file_version(path))
    except (OSError, ValueError, struct.error) as exc:
        return f"font {path} cannot be read ({exc})"
    return ""


@lru_cache(maxsize=8)
def system_faces(weight: str, language: str = "") -> tuple[Face, ...]:
    """System fonts in fontconfig's fallback order for a sans-serif of this weight: `fc-match -s`
    lists only the fonts that add coverage, best first. Without fontconfig: the usual folders."""
    pattern = f"sans-serif:weight={weight}" + (f":lang={language.split('-')[0].lower()}" if language else "")
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            # Exit 1 and nothing listed: "No fonts installed on the system", which is an answer.
            listing = subprocess.run([fc_match, "-s", "-f", "%{file}\t%{index}\n", pattern],
                                     capture_output=True, text=True, timeout=30).stdout
            faces = [Face(Path(file), int(index or 0)) for file, _, index in
                     (line.partition("\t") for line in listing.splitlines()) if file]
            return tuple(face for face in faces if face.path.suffix.lower() in FONT_SUFFIXES)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass  # no usable fontconfig: fall back to the folders below
    files = sorted(p for folder in SYSTEM_FONT_DIRS if folder.is_dir()
                   for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)
    preferred = sorted(files, key=lambda p: ("Sans" not in p.name, weight.capitalize() not in p.name, p.name))
    return tuple(Face(p) for p in preferred)


@lru_cache(maxsize=1)
def shaping() -> bool:
    """Whether Pillow can shape text with Raqm (right-to-left order, Arabic joining, Indic marks).
    Pillow's wheels carry libraqm but load FriBiDi from the system (Debian: libfribidi0), so a
    bare machine has only the basic layout: enough for Latin, Greek, Cyrillic and emoji."""
    from PIL import features

    return bool(features.check_feature("raqm"))


def layout_options(direction: str | None, language: str) -> dict[str, str | None]:
    """Pillow's shaping arguments; the basic layout refuses them (KeyError), so none there."""
    return {"direction": direction, "language": language or None} if shaping() else {}


@lru_cache(maxsize=256)
def load_font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font with Raqm shaping (bidi, Arabic joining, mark positioning) where it is available."""
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if shaping() else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(face.path), size, index=face.index, layout_engine=engine)


def needs_shaping(char: str) -> bool:
    """A character drawn wrongly without Raqm: right-to-left letters, or marks that attach to
    their base (Devanagari, Thai…; combining accents on Latin letters come precomposed)."""
    return unicodedata.bidirectional(char) in ("R", "AL") or (
        unicodedata.category(char) in ("Mn", "Mc") and unicodedata.name(char, "").split(" ")[0] not in
        ("COMBINING", "VARIATION", "ZERO"))


# ---------------------------------------------------------------- where to get a missing script

# Debian's packages by what they hold (checked against the installed packages by
# tests/test_cards_fonts.py): fonts-noto-core has every modern script but CJK and emoji.
CJK_NAMES = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH", "KANBUN")
DEBIAN_PACKAGES = {"CJK": "fonts-noto-cjk", "emoji": "fonts-noto-color-emoji"}
DEFAULT_PACKAGE = "fonts-noto-core"


def script_of(char: str) -> str:
    """A readable script name for the warning: "Arabic", "CJK", "emoji", "Devanagari"…; "" if unknown."""
    if _wants_emoji_presentation(char) or 0x2600 <= ord(char) <= 0x27BF:
        return "emoji"
    first = unicodedata.name(char, "").split(" ")[0]
    if first in CJK_NAMES:
        return "CJK"
    return first.capitalize() if first and unicodedata.category(char)[0] in ("L", "M", "N") else ""


def debian_package(script: str) -> str:
    return DEBIAN_PACKAGES.get(script, DEFAULT_PACKAGE) if script else ""


# ---------------------------------------------------------------- clusters

def clusters(text: str) -> list[str]:
    """Characters with what must be drawn with them: combining marks, variation selectors,
    emoji modifiers and tags, ZWJ sequences, flag pairs (a simplification of UAX #29)."""
    result: list[str] = []
    for char in text:
        code = ord(char)
        previous = result[-1] if result else ""
        joins = previous and (_is_extender(code) or ord(previous[-1]) == ZWJ
                              or (_is_regional_indicator(code) and len(previous) == 1
                                  and _is_regional_indicator(ord(previous))))
        if joins:
            result[-1] += char
        else:
            result.append(char)
    return result


def _is_extender(code: int) -> bool:
    return (unicodedata.category(chr(code)) in ("Mn", "Mc", "Me") or code == ZWJ
            or _is_ignorable(code) or 0x1F3FB <= code <= 0x1F3FF)


def _is_ignorable(code: int) -> bool:
    """Default-ignorable code points a font need not have: joiners, variation selectors, tags."""
    return (code in (0x200C, ZWJ, 0x200E, 0x200F) or 0xFE00 <= code <= 0xFE0F
            or 0xE0020 <= code <= 0xE007F or 0xE0100 <= code <= 0xE01EF)


def _is_regional_indicator(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def _wants_emoji_presentation(cluster: str) -> bool:
    """Unicode's Emoji_Presentation, approximated by the emoji blocks, or an explicit VS16:
    those are drawn in colour, as browsers do, even where a text font also has the character."""
    return "\ufe0f" in cluster or 0x1F000 <= ord(cluster[0]) <= 0x1FAFF


def _is_neutral(cluster: str) -> bool:
    return unicodedata.category(cluster[0])[0] in ("Z", "P")


# ---------------------------------------------------------------- the font file (OpenType 'cmap', 'CBLC')

@dataclass(frozen=True)
class _FaceInfo:
    starts: tuple[int, ...]   # covered code points as sorted, disjoint ranges [start, end]
    ends: tuple[int, ...]
    strike: int | None
    color: bool = False

    def covers(self, codepoint: int) -> bool:
        at = bisect.bisect_right(self.starts, codepoint) - 1
        return at >= 0 and codepoint <= self.ends[at]


def _readable_face_info(path: Path, index: int, version: tuple[int, ...] = ()) -> _FaceInfo | None:
    """A system font that cannot be read covers nothing (configured ones are checked up front)."""
    try:
        return _face_info(path, index, version)
    except (OSError, ValueError, struct.error):
        return None


@lru_cache(maxsize=512)
def _face_info(path: Path, index: int, version: tuple[int, ...] = ()) -> _FaceInfo:
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        tables = _table_directory(data, index)
        if "cmap" not in tables:
            raise ValueError("no character map")
        ranges = _merged(_cmap_ranges(data, tables["cmap"]))
        bitmap_only = "CBDT" in tables and "glyf" not in tables and "CFF " not in tables
        strike = _largest_strike(data, tables["CBLC"]) if bitmap_only and "CBLC" in tables else None
        color = ("COLR" in tables and "CPAL" in tables) or "CBDT" in tables or "sbix" in tables
    return _FaceInfo(tuple(r[0] for r in ranges), tuple(r[1] for r in ranges), strike, color)


def _table_directory(data, index: int) -> dict[str, int]:
    offset = 0
    if data[:4] == b"ttcf":
        count = struct.unpack_from(">I", data, 8)[0]
        if not 0 <= index < count:
            raise ValueError(f"no face {index} in the collection")
        offset = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    num_tables = struct.unpack_from(">H", data, offset + 4)[0]
    tables = {}
    for i in range(num_tables):
        tag, _checksum, table_offset, _length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        tables[tag.decode("latin-1")] = table_offset
    return tables


# OpenType 'cmap': prefer a full-Unicode subtable (format 12), else the BMP one (format 4).
_CMAP_PREFERENCE = {(3, 10): 0, (0, 6): 1, (0, 4): 2, (3, 1): 3, (0, 3): 4, (0, 2): 5, (0, 1): 6, (0, 0): 7}


def _cmap_ranges(data, cmap: int) -> list[tuple[int, int]]:
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    candidates = []
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtable = cmap + offset
        kind = struct.unpack_from(">H", data, subtable)[0]
        if (platform, encoding) in _CMAP_PREFERENCE and kind in (4, 12):
            candidates.append((_CMAP_PREFERENCE[(platform, encoding)], kind != 12, subtable, kind))
    if not candidates:
        raise ValueError("no Unicode character map (format 4 or 12)")
    _, _, subtable, kind = min(candidates)
    return _format12(data, subtable) if kind == 12 else _format4(data, subtable)


def _format12(data, at: int) -> list[tuple[int, int]]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    ranges = []
    for start, end, glyph in struct.iter_unpack(">III", data[at + 16: at + 16 + 12 * groups]):
        if glyph == 0:
            start += 1  # a group starting at glyph 0 maps its first code point to .notdef
        if start <= end:
            ranges.append((start, end))
    return ranges


def _format4(data, at: int) -> list[tuple[int, int]]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    range_offsets_at = at + 16 + 6 * segments
    range_offsets = struct.unpack_from(f">{segments}H", data, range_offsets_at)
    ranges: list[tuple[int, int]] = []
    for i, (start, end, delta, range_offset) in enumerate(zip(starts, ends, deltas, range_offsets)):
        if start == 0xFFFF:
            continue
        if range_offset == 0:
            hole = (-delta) & 0xFFFF  # the one code point that maps to glyph 0
            ranges += [(a, b) for a, b in ((start, min(end, hole - 1)), (max(start, hole + 1), end)) if a <= b] \
                if start <= hole <= end else [(start, end)]
            continue
        glyph_at = range_offsets_at + 2 * i + range_offset
        glyphs = struct.unpack_from(f">{end - start + 1}H", data, glyph_at)
        ranges += [(start + k, start + k) for k, glyph in enumerate(glyphs) if glyph]
    return ranges


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _largest_strike(data, cblc: int) -> int | None:
    """OpenType 'CBLC': BitmapSize records (48 bytes each, ppemY at byte 45) after an 8-byte header."""
    count = struct.unpack_from(">I", data, cblc + 4)[0]
    sizes = [data[cblc + 8 + 48 * i + 45] for i in range(count)]
    return max(sizes) if sizes else None
