"""Setting a text block: line breaks, balanced lines, shrink-to-fit, ellipsis, bidi order of the
font runs, and drawing them with Pillow (Raqm shapes each run; this module orders the runs)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

from .contrast import union
from .fonts import Face, FontStack, clusters, layout_options, load_font

ELLIPSIS = "…"
LINE_SPACING = 1.12


@dataclass(frozen=True)
class Piece:
    """A run of one face and one direction, placed on its line."""
    text: str
    face: Face
    rtl: bool
    x: float        # from the line's left edge
    width: float


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    width: float


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    size: int
    line_height: int
    ascent: int
    rtl: bool           # paragraph direction: right-aligned
    ellipsized: bool

    @property
    def height(self) -> int:
        return _height(self.size, len(self.lines))

    @property
    def text(self) -> str:
        return "\n".join("".join(p.text for p in line.pieces) for line in self.lines)


@dataclass(frozen=True)
class Token:
    """An unbreakable piece of text and whether a space follows it."""
    text: str
    space: bool
    fresh: bool = False  # the first piece of a word cut into pieces: it starts a line


# ---------------------------------------------------------------- fitting

def set_block(text: str, stack: FontStack, width: int, height: int, sizes: range | tuple[int, ...],
              max_lines: int, language: str = "") -> Block:
    """The largest size of `sizes` (largest first) at which `text` fits `max_lines` lines of
    `width` and the `height`, with balanced lines; at the last size, an ellipsis if it must."""
    text = " ".join(text.split())
    tokens = tokenize(text)
    rtl = paragraph_is_rtl(text)
    metrics = _Measure(stack, language)
    sizes = tuple(sizes)

    def lines_at(size: int, limit: float) -> list[list[Token]] | None:
        return greedy(tokens, [metrics.token(t, size) for t in tokens], metrics.space(size), limit)

    def fits(size: int) -> list[list[Token]] | None:
        lines = lines_at(size, width)
        ok = lines is not None and len(lines) <= max_lines and _height(size, len(lines)) <= height
        return lines if ok else None

    low, high, best = 0, len(sizes) - 1, None
    while low <= high:  # sizes fall, so "fits" flips once from no to yes: bisect for the first yes
        middle = (low + high) // 2
        if fits(sizes[middle]) is not None:
            best, high = middle, middle - 1
        else:
            low = middle + 1
    if best is not None:
        size = sizes[best]
        lines = balanced(lambda limit: lines_at(size, limit), len(fits(size) or ()), width)
        return _block(lines, size, rtl, metrics, ellipsized=False)
    size = sizes[-1]
    lines, cut = _forced(tokens, size, width, min(max_lines, _lines_in(height, size)), metrics)
    return _block(lines, size, rtl, metrics, ellipsized=cut)


def greedy(tokens: list[Token], widths: list[float], space: float, limit: float) -> list[list[Token]] | None:
    """First-fit line breaking; None if one token alone is wider than the limit."""
    lines: list[list[Token]] = []
    current: list[Token] = []
    used = 0.0
    for index, (token, token_width) in enumerate(zip(tokens, widths)):
        if token_width > limit:
            return None
        gap = space if current and tokens[index - 1].space else 0.0
        if current and (used + gap + token_width > limit or token.fresh):
            lines.append(current)
            current, used, gap = [], 0.0, 0.0
        current.append(token)
        used += gap + token_width
    if current:
        lines.append(current)
    return lines


def balanced(break_at, count: int, width: int) -> list[list[Token]]:
    """The narrowest limit that still gives `count` lines, so lines come out even in length
    (what CSS calls `text-wrap: balance`)."""
    low, high = 1, width
    while low < high:
        middle = (low + high) // 2
        lines = break_at(middle)
        if lines is not None and len(lines) <= count:
            high = middle
        else:
            low = middle + 1
    return break_at(low) or break_at(width) or []


def _forced(tokens: list[Token], size: int, width: int, max_lines: int,
            metrics: "_Measure") -> tuple[list[list[Token]], bool]:
    """At the smallest size: words wider than a line are cut between characters, and what
    does not fit in `max_lines` ends in an ellipsis."""
    pieces: list[Token] = []
    for token in tokens:
        if metrics.token(token, size) <= width:
            pieces.append(token)
            continue
        parts = clusters(token.text)
        pieces += [Token(part, token.space and i == len(parts) - 1, fresh=i == 0) for i, part in enumerate(parts)]
    lines = greedy(pieces, [metrics.token(t, size) for t in pieces], metrics.space(size), width) or []
    if len(lines) <= max_lines:
        return lines, False
    kept, last = lines[:max_lines - 1], list(lines[max_lines - 1])
    ellipsis = metrics.token(Token(ELLIPSIS, False), size)
    while len(last) > 1 and _width(last, size, metrics) + ellipsis > width:
        last.pop()
    text = last[0].text if len(last) == 1 else None
    if text is not None:  # one long piece: cut characters until the ellipsis fits
        parts = clusters(text)
        while len(parts) > 1 and metrics.token(Token("".join(parts), False), size) + ellipsis > width:
            parts.pop()
        last = [Token("".join(parts), False)]
    last[-1] = Token(last[-1].text.rstrip(" ,;:-–—") + ELLIPSIS, False)
    return kept + [last], True


def _width(line: list[Token], size: int, metrics: "_Measure") -> float:
    gaps = sum(1 for token in line[:-1] if token.space)
    return sum(metrics.token(t, size) for t in line) + gaps * metrics.space(size)


def _height(size: int, lines: int) -> int:
    """Ascent of the first line, line spacing between, descent of the last (Inter: ~0.97 + 0.28 em)."""
    return round(size * LINE_SPACING) * (lines - 1) + round(size * 1.25)


def _lines_in(height: int, size: int) -> int:
    return max(1, 1 + (height - round(size * 1.25)) // round(size * LINE_SPACING))


# ---------------------------------------------------------------- breaking opportunities

def tokenize(text: str) -> list[Token]:
    """Cut at spaces, after hyphens and slashes inside words, and around CJK characters and
    emoji (which break anywhere), but not before closing punctuation (UAX #14, simplified)."""
    tokens: list[Token] = []
    current = ""
    parts = clusters(text)
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if part == " ":
            if current:
                tokens.append(Token(current, True))
            elif tokens:
                tokens[-1] = Token(tokens[-1].text, True)
            current = ""
            continue
        current += part
        if following and following != " " and _break_between(part, following, current):
            tokens.append(Token(current, False))
            current = ""
    if current:
        tokens.append(Token(current, False))
    return tokens


def _break_between(before: str, after: str, word: str) -> bool:
    if unicodedata.category(after[0]) in ("Pe", "Pf", "Po"):
        return False
    if _is_wide(before) or _is_wide(after):
        return unicodedata.category(before[0]) not in ("Ps", "Pi")
    return before in ("-", "/", "–") and len(word) > 2 and after[0].isalnum()


def _is_wide(cluster: str) -> bool:
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F")


# ---------------------------------------------------------------- bidi (UAX #9, without embeddings)

def paragraph_is_rtl(text: str) -> bool:
    """UAX #9 P2–P3: the first strong character sets the paragraph direction."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return False


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Embedding levels per character: rules W1–W7, N1–N2 and I1–I2 of UAX #9 for text
    without explicit embeddings or isolates (titles have none)."""
    base = "R" if rtl else "L"
    kinds = [unicodedata.bidirectional(c) or "ON" for c in text]
    for i, kind in enumerate(kinds):  # W1: a mark takes the type of what it sits on
        if kind == "NSM":
            kinds[i] = kinds[i - 1] if i else base
    strong = base
    for i, kind in enumerate(kinds):  # W2, W3: European digits after Arabic letters are Arabic
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":
            kinds[i] = "AN"
    kinds = ["R" if k == "AL" else k for k in kinds]
    for i in range(1, len(kinds) - 1):  # W4: one separator between two numbers of one kind
        if kinds[i] in ("ES", "CS") and kinds[i - 1] == kinds[i + 1] == "EN" or \
                kinds[i] == "CS" and kinds[i - 1] == kinds[i + 1] == "AN":
            kinds[i] = kinds[i - 1]
    for i, kind in enumerate(kinds):  # W5: terminators (%, $) next to European numbers
        if kind == "ET" and ("EN" in kinds[max(0, i - 1): i + 2]):
            kinds[i] = "EN"
    strong = base
    for i, kind in enumerate(kinds):  # W7: European numbers after Latin letters are Latin
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            kinds[i] = "L"
    _resolve_neutrals(kinds, base)
    if rtl:  # I2
        return [2 if k in ("L", "EN", "AN") else 1 for k in kinds]
    return [0 if k == "L" else 1 if k == "R" else 2 for k in kinds]  # I1


def _resolve_neutrals(kinds: list[str], base: str) -> None:
    """N1–N2: neutrals between two strong types of one direction take it, else the base's."""
    def direction(kind: str) -> str | None:
        return "L" if kind == "L" else "R" if kind in ("R", "EN", "AN") else None

    i = 0
    while i < len(kinds):
        if direction(kinds[i]) is not None:
            i += 1
            continue
        j = i
        while j < len(kinds) and direction(kinds[j]) is None:
            j += 1
        before = direction(kinds[i - 1]) if i else base
        after = direction(kinds[j]) if j < len(kinds) else base
        kinds[i:j] = [before if before == after else base] * (j - i)
        i = j


def visual_order(items: list, levels: list[int]) -> list:
    """UAX #9 L2: from the highest level down to the lowest odd one, reverse every run of
    items at that level or higher."""
    order = list(range(len(items)))
    if not levels:
        return []
    lowest_odd = min(level for level in levels if level % 2) if any(level % 2 for level in levels) else None
    if lowest_odd is None:
        return list(items)
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [items[i] for i in order]


# ---------------------------------------------------------------- measuring and laying out lines

class _Measure:
    """Widths of tokens at a size, remembered for the many trial breaks of one block."""

    def __init__(self, stack: FontStack, language: str):
        self.stack = stack
        self.language = language
        self.cache: dict[tuple[str, int], float] = {}

    def token(self, token: Token, size: int) -> float:
        key = (token.text, size)
        if key not in self.cache:
            self.cache[key] = sum(run_width(run.text, run.face or self.stack.own[0], size, None, self.language)
                                  for run in self.stack.runs(token.text))
        return self.cache[key]

    def space(self, size: int) -> float:
        return self.token(Token(" ", False), size)


@lru_cache(maxsize=4096)
def run_width(text: str, face: Face, size: int, direction: str | None, language: str) -> float:
    strike = face.strike
    font = load_font(face, strike or size)
    length = font.getlength(text, **layout_options(direction, language))
    return length * size / strike if strike else length


def _block(lines: list[list[Token]], size: int, rtl: bool, metrics: _Measure, ellipsized: bool) -> Block:
    laid = tuple(_line(_joined(tokens), size, rtl, metrics) for tokens in lines)
    primary = load_font(metrics.stack.own[0], size)
    return Block(laid, size, round(size * LINE_SPACING), primary.getmetrics()[0], rtl, ellipsized)


def _joined(tokens: list[Token]) -> str:
    return "".join(t.text + (" " if t.space and i < len(tokens) - 1 else "") for i, t in enumerate(tokens))


def _line(text: str, size: int, rtl: bool, metrics: _Measure) -> Line:
    levels = bidi_levels(text, rtl)
    segments: list[tuple[str, Face, int]] = []
    at = 0
    for run in metrics.stack.runs(text):
        face = run.face or metrics.stack.own[0]
        for offset, char in enumerate(run.text):
            level = levels[at + offset]
            if segments and segments[-1][1] == face and segments[-1][2] == level and offset:
                segments[-1] = (segments[-1][0] + char, face, level)
            else:
                segments.append((char, face, level))
        at += len(run.text)
    pieces: list[Piece] = []
    x = 0.0
    for text_, face, level in visual_order(segments, [s[2] for s in segments]):
        direction = "rtl" if level % 2 else "ltr"
        width = run_width(text_, face, size, direction, metrics.language)
        pieces.append(Piece(text_, face, level % 2 == 1, x, width))
        x += width
    return Line(tuple(pieces), x)


# ---------------------------------------------------------------- drawing

def draw_block(canvas: Image.Image, block: Block, left: int, top: int, width: int,
               fill: tuple[int, int, int], language: str = "", ink: bool = True) -> list[tuple[int, int, int, int]]:
    """Draw the block with its top-left at (left, top), right-aligned when the paragraph runs
    right-to-left. Returns the ink box of each line (left, top, right, bottom), when `ink` asks
    for them (measuring them costs a second layout of every run)."""
    draw = ImageDraw.Draw(canvas)
    boxes = []
    for number, line in enumerate(block.lines):
        origin = left + (width - line.width if block.rtl else 0)
        baseline = top + block.ascent + number * block.line_height
        box: tuple[int, int, int, int] | None = None
        for piece in line.pieces:
            x = origin + piece.x
            if piece.face.strike:
                piece_box = _draw_bitmap_run(canvas, piece, x, baseline, block.size)
            else:
                font = load_font(piece.face, block.size)
                direction = "rtl" if piece.rtl else "ltr"
                # COLR faces (the bundled Twemoji) draw their own colours; Pillow sizes each glyph by its
                # base outline, which fonts/README.md explains how the bundled face was given.
                draw.text((x, baseline), piece.text, font=font, fill=fill, anchor="ls",
                          **layout_options(direction, language), embedded_color=piece.face.color)
                if not ink:
                    continue
                piece_box = draw.textbbox((x, baseline), piece.text, font=font, anchor="ls",
                                          **layout_options(direction, language))
            box = piece_box if box is None else union([box, piece_box])
        if box is not None:
            boxes.append(tuple(int(v) for v in box))
    return boxes


def _draw_bitmap_run(canvas: Image.Image, piece: Piece, x: float, baseline: int, size: int) -> tuple[int, int, int, int]:
    """Colour bitmap fonts draw at their one strike size (Noto Color Emoji: 109 px): draw there
    and scale down to the text size."""
    strike = piece.face.strike or size
    font = load_font(piece.face, strike)
    ascent, descent = font.getmetrics()
    layer = Image.new("RGBA", (max(1, round(font.getlength(piece.text))), ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((0, ascent), piece.text, font=font, anchor="ls", embedded_color=True)
    scale = size / strike
    scaled = layer.resize((max(1, round(layer.width * scale)), max(1, round(layer.height * scale))),
                          Image.Resampling.LANCZOS)
    position = (round(x), round(baseline - ascent * scale))
    canvas.paste(scaled, position, scaled)
    ink = scaled.getbbox() or (0, 0, 0, 0)
    return (position[0] + ink[0], position[1] + ink[1], position[0] + ink[2], position[1] + ink[3])


