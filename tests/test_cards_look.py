"""A site's own card look under [cards]: layouts, colours, logo, faces and footer items; bad
values stop the build (exit 2, file and line); every combination keeps WCAG's 4.5:1."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from PIL import Image
from test_cards_support import CONFIG, busy, card_site, composed, jpeg, png, post, site_of, solid, worst_contrast

from syndicate.build import build
from syndicate.cards import footer_line, look_of
from syndicate.cards.fonts import bundled
from syndicate.colors import MIN_CONTRAST, MIN_GRAPHIC_CONTRAST, contrast
from syndicate.config import load_settings
from syndicate.diagnostics import SyndicateError

LOOKS = {  # the default look (white on dark) is what every other card test draws
    "light": 'background = "#fafaf7"\ntext_color = "#1b1b1b"\naccent = "#d62828"\n',
    "barely": 'background = "#767676"\ntext_color = "#ffffff"\naccent = "#ffd54f"\n',  # 4.54:1, the least allowed
}
PHOTO, LOGO, NONE = "photo", "logo", "none"


def logo_image() -> bytes:
    """A wordmark: 180×120, a red mark on its own margin colour."""
    image = Image.new("RGB", (180, 120), (250, 240, 230))
    image.paste((200, 30, 40), (60, 30, 120, 90))
    return png(image)


def look_site(tmp_path, cards: str = "", background: str = PHOTO, title: str = "Offene Daten für alle: ein Werkzeugkasten"):
    images = {"photo.jpg": jpeg(busy()), "logo.png": logo_image()}
    extra = {PHOTO: "images:\n  - imgname: photo.jpg", LOGO: "images:\n  - imgname: logo.png", NONE: ""}[background]
    standard = {} if background != NONE else {"default.jpg": b"", "header_images/story.png": b""}
    config = CONFIG.replace('layout = "photo"\n', "") + cards
    root = card_site(tmp_path / "site", {"2024-03-01-p.md": post(title, extra=extra)}, {**images, **standard}, config)
    if background == NONE:  # no topic and no default image either
        (root / "static" / "blog" / "default.jpg").unlink()
        (root / "static" / "blog" / "header_images" / "story.png").unlink()
    return root


@pytest.mark.parametrize("background, expected", [(PHOTO, "photo"), (LOGO, "split"), (NONE, "solid")])
def test_auto_layout_photo_for_photos_split_for_logo_like_images_solid_without(tmp_path, background, expected):
    card = composed(site_of(look_site(tmp_path, background=background)))
    assert card.layout == expected


def test_a_large_flat_image_is_logo_like_too(tmp_path):
    flat = solid((255, 255, 255), (1600, 900))
    flat.paste((20, 60, 160), (500, 300, 1100, 600))
    root = card_site(tmp_path / "site", {"p.md": post("Flach", extra="images:\n  - imgname: flat.png")},
                     {"flat.png": png(flat)}, CONFIG.replace('layout = "photo"\n', ""))
    assert composed(site_of(root)).layout == "split"


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("layout", ["photo", "split", "solid"])
@pytest.mark.parametrize("background", [PHOTO, LOGO, NONE])
def test_every_layout_colour_and_background_keeps_wcag_contrast(tmp_path, look, layout, background):
    root = look_site(tmp_path, f'layout = "{layout}"\n' + LOOKS[look], background)
    site = site_of(root)
    card = composed(site)
    colours = look_of(site.settings)
    assert card.layout == layout
    assert card.contrast >= MIN_CONTRAST
    assert worst_contrast(colours.text, card.backdrop, card.title_boxes) >= MIN_CONTRAST
    assert worst_contrast(colours.soft_text, card.backdrop, card.text_boxes) >= MIN_CONTRAST


def test_split_shows_a_logo_whole_beside_the_title_and_mirrors_for_right_to_left(tmp_path):
    card = composed(site_of(look_site(tmp_path, background=LOGO)))
    assert all(box[2] <= 660 for box in card.title_boxes)  # the title on its panel, left
    assert card.image.getpixel((1190, 10)) == card.image.getpixel((670, 620))  # the logo's margin colour
    rtl = composed(site_of(look_site(tmp_path / "rtl", background=LOGO)), "נתונים פתוחים לכולם")
    assert all(box[0] >= 540 for box in rtl.title_boxes)  # the title on the right, the image on the left


def test_the_logo_stands_in_the_corner_on_a_plate_only_when_it_lacks_contrast(tmp_path):
    white_mark = Image.new("RGBA", (200, 60), (0, 0, 0, 0))
    white_mark.paste((255, 255, 255, 255), (0, 10, 200, 50))
    for name, cards, plate in (("dark", 'layout = "solid"\n', False),
                               ("white", 'layout = "solid"\nbackground = "#ffffff"\ntext_color = "#111111"\n', True)):
        root = look_site(tmp_path / name, cards + 'logo = "static/brand.png"\n', NONE)
        (root / "static" / "brand.png").write_bytes(png(white_mark))
        card = composed(site_of(root))
        left, top, right, bottom = card.logo_box
        assert (left, top) == (72, 48) and right - left <= 240 and bottom - top <= 64
        assert card.logo_plate is plate, name
        behind = card.image.getpixel((left - 4, top + 2))  # on the plate, or the background beside it
        assert contrast((255, 255, 255), behind) >= MIN_GRAPHIC_CONTRAST
        assert all(box[1] >= bottom for box in card.title_boxes)


def test_footer_items_and_credit_are_the_ones_configured(tmp_path):
    site = site_of(look_site(tmp_path, 'footer = ["domain", "date"]\ncredit = false\n'))
    assert footer_line(site.posts[0], site.settings, look_of(site.settings).footer) == "cards.example.org  ·  1. März 2024"


def test_a_bundled_face_or_a_font_file_can_set_the_title(tmp_path):
    root = look_site(tmp_path, 'title_font = "Inter-Medium"\nfont = "brand.otf"\n')
    (root / "brand.otf").write_bytes(bundled("title").read_bytes())
    card = composed(site_of(root))
    assert {p.face.path for line in card.title.lines for p in line.pieces} == {bundled("text")}


@pytest.mark.parametrize("cards, message", [
    ('layout = "wavy"\n', "syndicate.toml:16: error: [cards] layout must be one of auto, photo, split, solid"),
    ('background = "blue"\n', "syndicate.toml:16: error: [cards] background: 'blue' is not a colour such as #1a2b3c"),
    ('text_color = "#777"\n', "syndicate.toml:16: error: [cards] text_color: text_color #777 on background #0b1a2e "
                              "has a contrast of 3.90:1, below WCAG's 4.5:1"),
    ('background = "#eeeeee"\n', "syndicate.toml:16: error: [cards] background: text_color #ffffff on background "
                                 "#eeeeee has a contrast of 1.16:1"),
    ('footer = ["site", "weather"]\n', "syndicate.toml:16: error: [cards] footer may hold site, topic, date, author, "
                                       "domain, not 'weather'"),
    ('logo = "static/nowhere.png"\n', "syndicate.toml:16: error: [cards] logo 'static/nowhere.png' is not a file"),
    ('title_font = "syndicate.toml"\n', "syndicate.toml:16: error: [cards] title_font 'syndicate.toml' is not a font "
                                        "file; give a .ttf/.otf file under the site folder or a bundled face"),
    ('credit = "yes"\n', "syndicate.toml:16: error: [cards] credit must be true or false, got 'yes'"),
])
def test_bad_look_values_are_configuration_errors_with_file_and_line(tmp_path, cards, message):
    root = look_site(tmp_path, cards)
    with pytest.raises(SyndicateError) as caught:
        load_settings(root)
    assert str(caught.value.diagnostic).startswith(message)


@pytest.mark.parametrize("through", ["an absolute path", "a link in the site"])
def test_a_logo_outside_the_site_is_never_read(tmp_path, through):
    """One rule for every file syndicate reads: it resolves inside the site."""
    outside = tmp_path / "elsewhere" / "logo.png"
    outside.parent.mkdir()
    outside.write_bytes(logo_image())
    logo = str(outside) if through == "an absolute path" else "static/brand.png"
    root = look_site(tmp_path, f'logo = "{logo}"\n')
    if through == "a link in the site":
        (root / "static" / "brand.png").symlink_to(outside)
    with pytest.raises(SyndicateError) as caught:
        load_settings(root)
    assert str(caught.value.diagnostic).startswith(f"syndicate.toml:16: error: [cards] logo {logo!r} lies outside "
                                                   f"the site folder")


def test_a_bad_look_exits_2_before_anything_is_written(tmp_path):
    root = look_site(tmp_path, 'accent = "gold"\n')
    result = run_cli("build", "--site", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "syndicate.toml:16: error: [cards] accent" in result.stderr
    assert not (tmp_path / "out").exists()


def test_settings_warnings_reach_the_manifest_and_the_gallery(tmp_path):
    from syndicate.server.service import Service
    from syndicate.server.watch import Live

    root = look_site(tmp_path, 'colour = "#ffffff"\n')
    out = tmp_path / "out"
    result = build(site_of(root), out)
    warning = "unknown key 'colour' in [cards]"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d for d in manifest["diagnostics"] if warning in d["message"] and d["file"] == "syndicate.toml"]
    assert any(warning in d.message for d in result.diagnostics)
    settings = load_settings(root)
    gallery = Service(settings, out, Live(settings, out)).gallery("diagnostics/", {}).body.decode("utf-8")
    assert "unknown key &#x27;colour&#x27; in [cards]" in gallery or "unknown key 'colour' in [cards]" in gallery


def test_a_page_that_is_not_a_post_gets_a_card_in_the_sites_look(tmp_path):
    from syndicate.cards import CardPage, render_pages
    from syndicate.diagnostics import Diagnostics

    site = site_of(look_site(tmp_path, 'background = "#6a1b9a"\n'))
    home = CardPage(name="_home", title="Karten-Blog: Geschichten aus den Labs", footer="cards.example.org")
    made = render_pages([home], site.settings, Diagnostics(), jobs=1)["_home"]
    assert made.card.path.startswith("cards/_home.") and made.card.layout == "solid" and made.read()
    again = render_pages([home], site.settings, Diagnostics(), jobs=1,
                         is_current=lambda path, digest: path == made.card.path)["_home"]
    assert again.current and again.card == made.card  # found by its fingerprint, not drawn again
