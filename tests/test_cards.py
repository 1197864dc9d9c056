"""Share cards: format, size limits, layout inside the safe area, WCAG contrast, the background
chain, the footer, and the cache (determinism, what a rebuild renders)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image
from test_cards_support import CONFIG, busy, card_site, composed, jpeg, noise, png, post, site_of, solid, worst_contrast

from syndicate.build import build
from syndicate.cards import footer_line, look_of, plain_credit, render_card, render_cards
from syndicate.cards.composition import MAX_BYTES, SAFE, TITLE_SIZES
from syndicate.cards.fonts import bundled
from syndicate.colors import MIN_CONTRAST
from syndicate.diagnostics import Diagnostics, SyndicateError
from syndicate.output import Output
from syndicate.site import load_site

WHITE = (255, 255, 255)

SHORT = "Offene Daten"
HUNDRED = "Von der Excel-Tabelle zum offenen Datenportal: wie ein kleines Team drei Jahre lang dranblieb"
LONG = ("Ein sehr langer Titel, der viel zu viel erzählen will: " * 6)[:300]


def one_post_site(tmp_path: Path, title: str = SHORT, photo: bytes | None = None, extra: str = "") -> Path:
    images = {"photo.jpg": photo} if photo is not None else {}
    extra = extra or ("images:\n  - imgname: photo.jpg" if photo is not None else "")
    return card_site(tmp_path / "site", {"2024-03-01-post.md": post(title, extra=extra)}, images)


def test_card_is_a_1200x630_jpeg(tmp_path):
    site = site_of(one_post_site(tmp_path, photo=jpeg(busy())))
    data = render_card(site.posts[0], site.settings)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("JPEG", (1200, 630), "RGB")


def test_a_photo_card_is_typically_under_300_kb_and_never_over_600_kb(tmp_path):
    site = site_of(one_post_site(tmp_path, photo=jpeg(busy())))
    assert len(render_card(site.posts[0], site.settings)) <= 300_000
    worst = site_of(one_post_site(tmp_path / "noise", photo=png(noise())))
    assert len(render_card(worst.posts[0], worst.settings)) <= MAX_BYTES == 600_000


@pytest.mark.parametrize("title", [SHORT, HUNDRED, LONG], ids=["short", "100 chars", "300 chars"])
def test_title_ink_stays_inside_the_safe_margins(tmp_path, title):
    card = composed(site_of(one_post_site(tmp_path, title=title, photo=jpeg(busy()))))
    assert 1 <= len(card.title_boxes) <= 4
    for left, top, right, bottom in card.title_boxes:
        assert SAFE[0] <= left and right <= SAFE[2] and SAFE[1] <= top and bottom <= SAFE[3]


def test_a_short_title_is_set_large_and_a_300_character_one_small_with_an_ellipsis(tmp_path):
    site = site_of(one_post_site(tmp_path))
    short, medium, long = (composed(site, title).title for title in (SHORT, HUNDRED, LONG))
    assert short.size == TITLE_SIZES[0] and not short.ellipsized
    assert TITLE_SIZES[-1] <= medium.size <= short.size and not medium.ellipsized and len(medium.lines) <= 4
    assert medium.text.replace("\n", " ") == HUNDRED
    assert long.size == TITLE_SIZES[-1] and long.ellipsized and len(long.lines) == 4
    assert long.text.endswith("…")


def test_lines_are_balanced_rather_than_filled_greedily(tmp_path):
    title = "Offene Daten für alle: ein Werkzeugkasten für Verwaltungen und Labs im ganzen Land heute"
    block = composed(site_of(one_post_site(tmp_path)), title).title
    widths = [line.width for line in block.lines]
    assert len(widths) >= 2 and min(widths) > 0.6 * max(widths)


@pytest.mark.parametrize("background", ["white", "black", "busy"])
def test_title_and_footer_reach_wcag_contrast_against_the_pixels_behind_them(tmp_path, background):
    photo = {"white": solid((255, 255, 255)), "black": solid((0, 0, 0)), "busy": busy()}[background]
    site = site_of(one_post_site(tmp_path, title=HUNDRED, photo=jpeg(photo)))
    card = composed(site)
    look = look_of(site.settings)
    assert worst_contrast(look.text, card.backdrop, card.title_boxes) >= MIN_CONTRAST
    assert worst_contrast(look.soft_text, card.backdrop, card.text_boxes) >= MIN_CONTRAST
    assert card.contrast >= MIN_CONTRAST


def test_the_scrim_leaves_the_top_of_the_photo_untouched(tmp_path):
    card = composed(site_of(one_post_site(tmp_path, photo=jpeg(solid((255, 255, 255))))))
    assert card.image.getpixel((20, 20)) == (255, 255, 255)


def test_footer_names_site_topic_date_and_author(tmp_path):
    site = site_of(one_post_site(tmp_path))
    assert footer_line(site.posts[0], site.settings) == "Karten-Blog  ·  Story  ·  1. März 2024  ·  Ada Muster"


def test_photo_credit_is_plain_text():
    html = '<a href="https://pixabay.com/x">Foto</a> von <a href="https://pixabay.com/u">sannsie</a> auf Pixabay'
    assert plain_credit(html) == "Foto von sannsie auf Pixabay"
    assert plain_credit("Foto: [**Ada**](https://example.org) _CC BY_ 4.0") == "Foto: Ada CC BY 4.0"


def test_background_comes_from_og_image_then_images_then_topic_then_default_then_gradient(tmp_path):
    posts = {
        "a.md": post("A", extra="og-image: /blog/og.jpg\nimages:\n  - imgname: photo.jpg"),
        "b.md": post("B", extra="images:\n  - imgname: photo.jpg"),
        "c.md": post("C"),
        "d.md": post("D").replace("topic: story", "topic: other"),
    }
    root = card_site(tmp_path / "site", posts, {"og.jpg": jpeg(solid("red")), "photo.jpg": jpeg(solid("blue"))})
    site = site_of(root)
    cards = render_cards(site, Diagnostics(), jobs=1)
    kinds = {source.rsplit("/", 1)[-1]: made.card.background for source, made in cards.items() if source.endswith(".md")}
    assert kinds == {"a.md": "og-image", "b.md": "imgname", "c.md": "topic", "d.md": "default"}
    (root / "static" / "blog" / "default.jpg").unlink()
    cards = render_cards(site_of(root), Diagnostics(), jobs=1)
    assert next(m for s, m in cards.items() if s.endswith("d.md")).card.background == "none"


def test_focal_point_chooses_what_the_crop_keeps(tmp_path):
    tall = Image.new("RGB", (1200, 2400), (0, 0, 255))
    tall.paste((255, 0, 0), (0, 0, 1200, 600))
    top = composed(site_of(one_post_site(tmp_path / "top", photo=jpeg(tall), extra=(
        "images:\n  - imgname: photo.jpg\ncard_focus: [0.5, 0.0]"))))
    centre = composed(site_of(one_post_site(tmp_path / "centre", photo=jpeg(tall))))
    red, blue = top.image.getpixel((600, 10)), centre.image.getpixel((600, 10))
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60


# ---------------------------------------------------------------- the build stage and the cache

def test_build_writes_cards_and_lists_them_in_the_manifest_and_meta_tags(tmp_path):
    root = one_post_site(tmp_path, photo=jpeg(busy()))
    result = build(site_of(root), tmp_path / "out")
    entry = result.manifest["posts"][0]
    data = (tmp_path / "out" / entry["card"]).read_bytes()
    # Named by the post's URL path (issue 9 item 6) and the start of its bytes' sha256.
    assert entry["card"] == f"cards/blog/post.{hashlib.sha256(data).hexdigest()[:8]}.jpg"
    assert entry["card_url"] == f"https://cards.example.org/{entry['card']}"
    meta = (tmp_path / "out" / entry["meta"]).read_text(encoding="utf-8")
    assert f'content="https://cards.example.org/{entry["card"]}"' in meta


def test_no_cards_skips_the_stage(tmp_path):
    root = one_post_site(tmp_path)
    result = build(site_of_with(root, cards=False), tmp_path / "out")
    assert "card" not in result.manifest["posts"][0]
    assert not (tmp_path / "out" / "cards").exists()


def site_of_with(root: Path, **build_settings):
    return load_site(root, overrides={"build": build_settings})


CARDS = 5  # of three_post_site: its three posts, the home page and the blog section


def three_post_site(tmp_path: Path, config_extra: str = "") -> Path:
    posts = {f"2024-03-0{n}-p{n}.md": post(f"Beitrag Nummer {n}", extra="images:\n  - imgname: photo.jpg")
             for n in (1, 2, 3)}
    return card_site(tmp_path / "site", posts, {"photo.jpg": jpeg(busy())}, CONFIG + config_extra)


def rendered_count(root: Path, out: Path, jobs: int = 1) -> int:
    """Build the cards into `out` the way `build` does: the stage makes them, the writer writes."""
    output = Output(out)
    cards = render_cards(site_of(root), Diagnostics(), jobs=jobs, is_current=output.is_current)
    for made in cards.values():
        if made.current:
            output.keep(made.card.path, made.card.sha256)
        else:
            output.write(made.card.path, made.read())
    output.finish({})  # the output puts its files in place together, at the end
    return sum(made.card.rendered for made in cards.values())


def card_bytes(out: Path) -> dict[str, bytes]:
    """Card bytes by post name (the path under cards/ without the hash)."""
    return {p.relative_to(out / "cards").as_posix().rsplit(".", 2)[0]: p.read_bytes()
            for p in sorted((out / "cards").rglob("*.jpg"))}


def test_two_cold_builds_serial_and_parallel_give_identical_bytes(tmp_path):
    root = three_post_site(tmp_path)
    build(site_of_with(root, jobs=1), tmp_path / "one")
    shutil.rmtree(root / ".state")
    build(site_of_with(root, jobs=2), tmp_path / "two")
    assert card_bytes(tmp_path / "one") == card_bytes(tmp_path / "two") and len(card_bytes(tmp_path / "one")) == CARDS


def test_a_rebuild_renders_no_card_and_a_changed_title_renders_exactly_one(tmp_path):
    root = three_post_site(tmp_path)
    assert rendered_count(root, tmp_path / "out") == CARDS
    before = card_bytes(tmp_path / "out")
    assert rendered_count(root, tmp_path / "out") == 0
    source = root / "content" / "blog" / "2024-03-02-p2.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Nummer 2", "Nummer zwei"), encoding="utf-8")
    assert rendered_count(root, tmp_path / "out") == 1
    after = card_bytes(tmp_path / "out")
    assert [name for name in before if before[name] != after[name]] == ["blog/p2"]
    assert len(list((tmp_path / "out" / "cards").rglob("*.jpg"))) == CARDS  # the old name is gone


def test_a_fresh_output_folder_gets_its_cards_from_the_cache(tmp_path):
    root = three_post_site(tmp_path)
    build(site_of(root), tmp_path / "first")
    result = build(site_of(root), tmp_path / "second")
    assert rendered_count(root, tmp_path / "third") == 0
    assert card_bytes(tmp_path / "first") == card_bytes(tmp_path / "second")
    assert sorted(p.rsplit(".", 2)[0] for p in result.changed if p.startswith("cards/")) == [
        "cards/_home", "cards/blog", "cards/blog/p1", "cards/blog/p2", "cards/blog/p3"]


def test_changing_the_title_font_renders_every_card_again(tmp_path):
    root = three_post_site(tmp_path, '\ntitle_font = "brand.otf"\n')
    shutil.copy(bundled("text"), root / "brand.otf")
    assert rendered_count(root, tmp_path / "out") == CARDS
    assert rendered_count(root, tmp_path / "out") == 0
    shutil.copy(bundled("title"), root / "brand.otf")
    assert rendered_count(root, tmp_path / "out") == CARDS


def test_a_missing_configured_font_is_a_warning_and_cards_still_render(tmp_path):
    root = three_post_site(tmp_path, '\nfonts = ["nowhere.ttf"]\n')
    diagnostics = Diagnostics()
    cards = render_cards(site_of(root), diagnostics, jobs=1)
    assert len(cards) == CARDS
    assert [d.message for d in diagnostics.warnings if "nowhere.ttf" in d.message]


def test_the_manifest_card_entries_point_at_existing_files(tmp_path):
    root = three_post_site(tmp_path)
    build(site_of(root), tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["posts"]:
        data = (tmp_path / "out" / entry["card"]).read_bytes()
        assert manifest["files"][entry["card"]] == hashlib.sha256(data).hexdigest()


def test_card_urls_are_percent_encoded_like_the_post_urls(tmp_path):
    root = card_site(tmp_path / "site", {"2024-03-01-c# tipps für dich.md": post("C# Tipps")})
    result = build(site_of(root), tmp_path / "out")
    entry, = result.manifest["posts"]
    digest = entry["card"].split(".")[-2]
    assert entry["card"] == f"cards/blog/c#-tipps-für-dich.{digest}.jpg"
    assert entry["card_url"] == f"https://cards.example.org/cards/blog/c%23-tipps-f%C3%BCr-dich.{digest}.jpg"
    assert (tmp_path / "out" / entry["card"]).is_file()


def test_the_stage_hands_drawn_cards_over_as_cache_files_read_when_written(tmp_path):
    """10,000 new cards are 1.8 GB of JPEG: the stage keeps none of them in memory. A drawn card
    is stored in the card cache and handed over as that file, read (and checked against its
    sha256) when the writer takes it; a cache file changed meanwhile is that card's error and is
    removed, so the next build draws it again."""
    root = card_site(tmp_path / "site", {f"2024-03-0{n}-p{n}.md": post(f"Beitrag {n}") for n in (1, 2)}, {})
    cards = render_cards(site_of(root), Diagnostics(), jobs=1)
    made = [m for s, m in cards.items() if s.endswith(".md")]
    assert all(m.data is None and m.stored is not None and m.stored.is_file() for m in made)
    assert all(hashlib.sha256(m.read()).hexdigest() == m.card.sha256 for m in made)
    first = made[0]
    first.stored.write_bytes(first.stored.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(SyndicateError, match="changed during the build"):
        first.read()
    assert not first.stored.exists()
    again = render_cards(site_of(root), Diagnostics(), jobs=1)
    redrawn = next(m for s, m in again.items() if m.card.path == first.card.path)
    assert redrawn.card.rendered and hashlib.sha256(redrawn.read()).hexdigest() == first.card.sha256
