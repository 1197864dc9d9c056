"""Card text in every script: per-glyph font fallback without .notdef boxes, right-to-left order,
combining marks and emoji clusters, and a warning for what no font has."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw
from test_cards_support import CONFIG, card_site, composed, post, site_of

from syndicate.cards import fonts, spec
from syndicate.cards.fonts import bundled, clusters, debian_package, font_stack, load_font, script_of
from syndicate.cards.typeset import bidi_levels, run_width, set_block, visual_order
from syndicate.diagnostics import Diagnostics

MIXED = "Zoë Ελληνικά Русский עברית العربية 中文 😀"
NOTDEF_PROBE = "\U0010FFFD"  # a private-use code point no font maps: draws the font's .notdef


def installed_font_covers(char: str) -> bool:
    """The oracle, independent of the renderer's own character-map reader: fontconfig."""
    listing = subprocess.run(["fc-list", f":charset={ord(char):x}", "file"], capture_output=True, text=True)
    return bool(listing.stdout.strip())


def bundled_face_covers(char: str) -> bool:
    """The same oracle for the bundled faces, which fontconfig does not list: `fc-query`."""
    for role in ("title", "emoji"):
        charset = subprocess.run(["fc-query", "-f", "%{charset}", str(bundled(role))], capture_output=True,
                                 text=True).stdout.split()
        for item in charset:
            first, _, last = item.partition("-")
            if int(first, 16) <= ord(char) <= int(last or first, 16):
                return True
    return False


def drawn(face, char: str) -> bytes:
    """The pixels of one character alone, at the face's strike size for bitmap fonts."""
    font = load_font(face, face.strike or 64)
    canvas = Image.new("RGBA", (font.size * 3, font.size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((font.size // 2, font.size // 3), char, font=font, fill="white",
                                embedded_color=face.color)
    return canvas.tobytes()


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is not installed")
def test_every_character_an_installed_font_covers_renders_without_notdef():
    title = font_stack("title", (), "de-DE")
    checked = 0
    for cluster in clusters(MIXED):
        if cluster.isspace() or not (bundled_face_covers(cluster[0]) or installed_font_covers(cluster[0])):
            continue
        face = title.face_for(cluster)
        assert face is not None and face.covers(ord(cluster[0])), cluster
        assert drawn(face, cluster) != drawn(face, NOTDEF_PROBE), f"{cluster!r} drew .notdef in {face.path.name}"
        checked += 1
    assert checked >= 10  # at least the Latin, Greek and Cyrillic that the bundled font has


def test_the_mixed_script_card_warns_only_about_characters_no_font_has(tmp_path):
    site = site_of(card_site(tmp_path / "site", {"p.md": post("x")}))
    diagnostics = Diagnostics()
    composed(site, MIXED + " \U0010FFFD", diagnostics)
    # one warning naming every character no font has (and, where Pillow has no Raqm, one about shaping)
    [warning] = [d for d in diagnostics.warnings if "no font has" in d.message]
    assert "U+10FFFD" in warning.message and "[cards] fonts" in warning.message
    assert (warning.file, warning.line) == ("content/blog/p.md", 2)
    if shutil.which("fc-list"):
        named = [c for c in MIXED if not c.isspace() and f"U+{ord(c):04X}" in warning.message]
        assert not [c for c in named if installed_font_covers(c)]


def test_a_right_to_left_title_is_right_aligned(tmp_path):
    site = site_of(card_site(tmp_path / "site", {"p.md": post("x")}))
    card = composed(site, "שלום עולם: נתונים פתוחים בעיר")
    assert card.title.rtl
    left, _, right, _ = card.title_boxes[0]
    assert right > 1000 and left > 200


def test_right_to_left_words_and_numbers_take_their_visual_order():
    text = "abc אבג דהו 123 xyz"
    levels = bidi_levels(text, rtl=False)
    assert levels[:4] == [0, 0, 0, 0] and set(levels[4:11]) == {1} and levels[-3:] == [0, 0, 0]
    words = visual_order(["abc", "אבג", " ", "דהו", "xyz"], [0, 1, 1, 1, 0])
    assert words == ["abc", "דהו", " ", "אבג", "xyz"]
    arabic = bidi_levels("مرحبا 2024", rtl=True)
    assert arabic[:6] == [1] * 6 and arabic[-4:] == [2] * 4  # numbers run left to right inside


def test_combining_marks_joiners_and_flags_stay_in_one_cluster():
    assert clusters("e\u0301x") == ["e\u0301", "x"]
    assert clusters("👍🏽🇩🇪👨\u200d👩\u200d👧") == ["👍🏽", "🇩🇪", "👨\u200d👩\u200d👧"]
    title = font_stack("title", (), "de-DE")
    assert len(title.runs("Cafe\u0301 au lait")) == 1  # the mark stays with its letter's font


def test_emoji_are_drawn_in_colour_at_the_title_size_with_the_bundled_face_alone(tmp_path):
    config = CONFIG + "\nsystem_fonts = false\n"
    site = site_of(card_site(tmp_path / "site", {"p.md": post("x")}, {"header_images/story.png": b""}, config))
    card = composed(site, "😀😀😀")
    assert {piece.face.path for line in card.title.lines for piece in line.pieces} == {bundled("emoji")}
    left, top, right, bottom = card.title_boxes[0]
    assert bottom - top < 120  # scaled from the 109 px strike to the title size, not larger
    colors = card.image.crop(card.title_boxes[0]).getcolors(1 << 24)
    assert any(r > 200 and g > 150 and b < 80 for _, (r, g, b) in colors)  # the face's yellow


def test_shrink_to_fit_stops_at_the_minimum_and_cuts_a_word_too_long_for_a_line():
    title = font_stack("title", (), "de-DE")
    block = set_block("Datenschutzgrundverordnungsdurchführungsbestimmungen" * 3, title, 600, 400, (40, 30), 4)
    assert block.size == 30 and all(line.width <= 600 for line in block.lines)


def test_the_bundled_faces_cover_latin_greek_cyrillic_and_emoji_without_system_fonts():
    title = font_stack("title", (), "de-DE", system=False)
    assert title.uncovered("Zoë Größe Łódź Ελληνικά Русский ÆØÅ 😀🎉👍🏽🇩🇪👨‍👩‍👧 ❤️ 1–2 „€“") == []
    assert {face.path.name for face in title.used_faces("Ελληνικά 😀")} == {"InterDisplay-Bold.otf", "Twemoji.ttf"}


@pytest.mark.parametrize("char, script, package", [
    ("中", "CJK", "fonts-noto-cjk"), ("あ", "CJK", "fonts-noto-cjk"), ("한", "CJK", "fonts-noto-cjk"),
    ("ب", "Arabic", "fonts-noto-core"), ("א", "Hebrew", "fonts-noto-core"), ("ก", "Thai", "fonts-noto-core"),
    ("क", "Devanagari", "fonts-noto-core"), ("অ", "Bengali", "fonts-noto-core"), ("ა", "Georgian", "fonts-noto-core"),
    ("Ա", "Armenian", "fonts-noto-core"), ("ሀ", "Ethiopic", "fonts-noto-core"), ("ក", "Khmer", "fonts-noto-core"),
    ("\U0001FAE9", "emoji", "fonts-noto-color-emoji"),
])
def test_a_missing_script_names_the_debian_package_that_has_it(tmp_path, char, script, package):
    assert (script_of(char), debian_package(script_of(char))) == (script, package)
    config = CONFIG + "\nsystem_fonts = false\n"
    site = site_of(card_site(tmp_path / "site", {"p.md": post("x")}, config=config))
    diagnostics = Diagnostics()
    composed(site, f"Titel {char}", diagnostics)
    [warning] = [d for d in diagnostics.warnings if "no font has" in d.message]
    assert f"apt-get install {package}" in warning.message and "[cards] fonts" in warning.message


def owning_packages(char: str) -> set[str]:
    files = subprocess.run(["fc-list", f":charset={ord(char):x}", "file"], capture_output=True, text=True).stdout
    paths = sorted({line.strip().rstrip(":") for line in files.splitlines() if line.strip()})
    if not paths:
        return set()
    owners = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    return {name.strip() for line in owners.splitlines() for name in line.split(": ")[0].split(",")}


@pytest.mark.skipif(shutil.which("fc-list") is None or shutil.which("dpkg") is None,
                    reason="needs fontconfig and dpkg to see which package holds which font")
@pytest.mark.parametrize("char", ["中", "ب", "א", "ก", "क", "অ", "ა", "Ա", "ሀ", "ក", "😀"])
def test_the_named_package_really_holds_a_font_for_the_script(char):
    owners = owning_packages(char)
    if not owners:
        pytest.skip(f"no installed font has {char!r} (.ci/run installs fonts-noto-core, -cjk and -color-emoji)")
    assert debian_package(script_of(char)) in owners, owners


def test_without_raqm_cards_use_the_basic_layout_and_a_joining_script_is_warned_about(tmp_path, monkeypatch):
    """Pillow's wheels load FriBiDi from the system: a bare machine has no Raqm layout, and Pillow
    then refuses every shaping argument (KeyError) — the cards must still be drawn."""
    for module in (fonts, spec):
        monkeypatch.setattr(module, "shaping", lambda: False)
    load_font.cache_clear()
    run_width.cache_clear()
    try:
        site = site_of(card_site(tmp_path / "site", {"p.md": post("x")}))
        diagnostics = Diagnostics()
        latin = composed(site, "Offene Daten für alle: Ελληνικά, Русский 🎉", diagnostics)
        assert latin.title_boxes and not diagnostics.warnings
        if shutil.which("fc-list") is None or not installed_font_covers("ب"):  # then it would warn of that too
            pytest.skip("no installed font has Arabic (.ci/run installs fonts-noto-core): the Latin half ran")
        composed(site, "البيانات المفتوحة في المدينة", diagnostics)
        [warning] = diagnostics.warnings
        assert "Arabic" in warning.message and "libfribidi0" in warning.message
    finally:
        load_font.cache_clear()
        run_width.cache_clear()
