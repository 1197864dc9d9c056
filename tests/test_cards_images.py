"""Bad and unusual images: damaged files fall back with a warning, a decompression bomb is refused,
CMYK, 16-bit, palette, transparent and EXIF-rotated images come out right."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image
from test_cards_support import busy, card_site, composed, jpeg, png, post, site_of, solid

from syndicate.cards import render_cards
from syndicate.diagnostics import Diagnostics

PHOTO_POST = post("Kurz", extra="images:\n  - imgname: photo.img")


def photo_site(tmp_path: Path, data: bytes) -> Path:
    return card_site(tmp_path / "site", {"2024-03-01-p.md": PHOTO_POST}, {"photo.img": data})


def card_of(tmp_path: Path, data: bytes):
    diagnostics = Diagnostics()
    return composed(site_of(photo_site(tmp_path, data)), diagnostics=diagnostics), diagnostics


def top_left(card) -> tuple[int, int, int]:
    """A pixel far from the scrim, the title and the credit."""
    return card.image.getpixel((40, 40))


def near(color, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in its header: Pillow's bomb check reads only the header."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("name, data, words", [
    ("corrupt", b"\xff\xd8\xff\xe0 this is not really a JPEG" * 20, "cannot be decoded"),
    ("truncated", jpeg(busy())[:6000], "damaged or truncated"),
    ("unsupported", b"GIF87a? no, just text pretending to be an image", "not an image format"),
    ("decompression bomb", png_header_only(20_000, 20_000), "too large to decode safely"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "")
def test_an_unusable_photo_falls_back_to_the_topic_image_with_a_warning(tmp_path, name, data, words):
    card, diagnostics = card_of(tmp_path, data)
    assert card.background == "topic"
    assert near(top_left(card), (160, 60, 40))  # the topic image's colour
    root = tmp_path / "site"
    found = render_cards(site_of(root), diagnostics, jobs=1)
    assert next(iter(found.values())).card.background == "topic"
    messages = [d for d in diagnostics.warnings if words in d.message]
    assert messages and messages[0].file == "content/blog/2024-03-01-p.md" and messages[0].line == 7
    assert "static/blog/photo.img" in messages[0].message and "topic image instead" in messages[0].message


def test_a_broken_topic_image_warns_once_for_all_cards_and_falls_back_to_the_default(tmp_path):
    posts = {f"{n}.md": post(f"Beitrag {n}") for n in range(3)}
    root = card_site(tmp_path / "site", posts, {"header_images/story.png": b"\x89PNG\r\n\x1a\nbroken"})
    diagnostics = Diagnostics()
    cards = render_cards(site_of(root), diagnostics, jobs=1)
    assert {made.card.background for made in cards.values()} == {"default"}
    assert [d.file for d in diagnostics.warnings] == ["static/blog/header_images/story.png"]


def test_cmyk_jpeg_keeps_its_colours(tmp_path):
    cmyk = Image.new("CMYK", (1600, 900), (0, 255, 255, 0))  # pure red in print colours
    card, diagnostics = card_of(tmp_path, jpeg(cmyk))
    assert card.background == "imgname" and not diagnostics.warnings
    red = top_left(card)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60


def test_16_bit_greyscale_png_is_scaled_not_clipped(tmp_path):
    grey = Image.new("I;16", (1600, 900), 0x8080)  # half-way grey: 128 in 8 bits, not white
    card, _ = card_of(tmp_path, png(grey))
    assert near(top_left(card), (128, 128, 128), 3)


def test_16_bit_rgb_png(tmp_path):
    data = io.BytesIO()
    raw = b"".join(b"\0" + b"\x40\x00\x80\x00\xc0\x00" * 1600 for _ in range(900))
    body = zlib.compress(raw)
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    data.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1600, 900, 16, 2, 0, 0, 0))
               + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    card, _ = card_of(tmp_path, data.getvalue())
    assert near(top_left(card), (64, 128, 192), 3)


def test_palette_image_with_a_transparent_colour_shows_paper_behind_it(tmp_path):
    palette = Image.new("P", (1600, 900), 1)
    palette.putpalette([0, 0, 0, 20, 160, 60] + [0] * 762)
    palette.paste(0, (0, 0, 800, 900))  # the left half uses the transparent entry
    card, _ = card_of(tmp_path, png(palette, transparency=0))
    assert near(top_left(card), (255, 255, 255), 3)
    assert near(card.image.getpixel((1100, 40)), (20, 160, 60), 6)


def test_rgba_image_is_composited_over_paper(tmp_path):
    rgba = Image.new("RGBA", (1600, 900), (0, 0, 255, 0))
    rgba.paste((0, 0, 255, 255), (800, 0, 1600, 900))
    card, _ = card_of(tmp_path, png(rgba))
    assert near(top_left(card), (255, 255, 255), 3) and near(card.image.getpixel((1100, 40)), (0, 0, 255), 6)


def test_exif_rotated_photo_is_upright(tmp_path):
    stored = Image.new("RGB", (900, 1600), (255, 0, 0))
    stored.paste((0, 0, 255), (0, 800, 900, 1600))  # stored: red above blue
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise: the stored top becomes the right side
    card, _ = card_of(tmp_path, jpeg(stored, exif=exif.tobytes()))
    left, right = top_left(card), card.image.getpixel((1150, 120))
    assert left[2] > 200 and left[0] < 60, left
    assert right[0] > 200 and right[2] < 60, right


def test_a_large_jpeg_is_decoded_at_reduced_size(tmp_path):
    from syndicate.cards.backgrounds import decode
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(solid((10, 200, 10), (4800, 2520))))
    decoded = decode(path)
    assert decoded.image.size == (1200, 630)  # drafted to a quarter by the JPEG decoder, not 4800 wide


def test_an_image_outside_the_site_is_never_read(tmp_path):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(jpeg(solid((0, 255, 0))))
    root = card_site(tmp_path / "site", {"p.md": post("x", extra=f"og-image: ../../../{outside.name}")})
    card = composed(site_of(root))
    assert card.background == "topic"


def test_a_small_logo_is_shown_whole_on_its_edge_colour_not_blown_up(tmp_path):
    logo = Image.new("RGB", (180, 120), (250, 240, 230))          # a margin in the logo's colour
    logo.paste((200, 30, 40), (60, 30, 120, 90))                    # and a red mark in its middle
    card, _ = card_of(tmp_path, png(logo))
    assert near(top_left(card), (250, 240, 230))                    # the backdrop continues the margin
    red = [x for x in range(0, 1200, 4) if near(card.image.getpixel((x, 180)), (200, 30, 40), 30)]
    assert red and max(red) - min(red) <= 2 * 60 + 8                # the mark at most twice its width
    assert 540 <= (max(red) + min(red)) / 2 <= 660                  # centred


def test_a_photo_large_enough_still_covers_the_card(tmp_path):
    card, _ = card_of(tmp_path, jpeg(solid((20, 90, 160), (800, 420))))
    assert near(top_left(card), (20, 90, 160))
    assert near(card.image.getpixel((1190, 10)), (20, 90, 160))


def sixteen_bit_grey_png(width: int, height: int) -> bytes:
    """A black 16-bit greyscale PNG, compressed row by row: tiny on disk, huge once decoded."""
    packer = zlib.compressobj(9)
    row = b"\0" * (1 + 2 * width)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


PEAK_SCRIPT = """
import resource, sys
from syndicate.cards import render_cards
from syndicate.diagnostics import Diagnostics
from syndicate.site import load_site
diagnostics = Diagnostics()
made = render_cards(load_site(sys.argv[1]), diagnostics, jobs=1)
# VmHWM is this program's own peak: ru_maxrss also keeps the peak of the memory it was started
# from (Linux carries it across exec, and a vfork child execs from pytest's own, large memory).
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
hwm = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
print((hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) // 1024)
print(next(iter(made.values())).card.background)
for d in diagnostics.warnings:
    print(d)
"""


def test_a_16_bit_png_that_would_take_a_gigabyte_is_refused_before_decoding(tmp_path):
    """Issue 10: a 194 KB 16-bit 9400×9400 PNG (88 megapixels, under Pillow's bomb limit) cost
    about 1.1 GB in a card process. Now the header is checked against a budget first."""
    data = sixteen_bit_grey_png(9400, 9400)
    assert len(data) < 400_000
    root = photo_site(tmp_path, data)
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(root)], capture_output=True, text=True,
                            timeout=300)
    peak_mb, background, *warnings = result.stdout.splitlines()
    assert int(peak_mb) < 300, f"peak {peak_mb} MB"  # Python, Pillow and the fonts take ~100 MB
    assert background == "topic"
    [warning] = [w for w in warnings if "photo.img" in w]
    assert "9400×9400 pixels in mode I;16" in warning and "not decoded" in warning
    assert warning.startswith("content/blog/2024-03-01-p.md:7: warning:")


def test_the_budget_counts_pixels_times_bytes_per_pixel():
    from syndicate.cards.backgrounds import DECODE_BUDGET, decode_cost
    assert decode_cost("I;16", (9400, 9400)) > DECODE_BUDGET  # 2 bytes a pixel, and an 8-bit copy
    assert decode_cost("RGB", (6000, 4000)) <= DECODE_BUDGET  # a 24-megapixel PNG photo still works
    assert decode_cost("L", (9400, 9400)) <= DECODE_BUDGET    # 8-bit grey: a byte a pixel
