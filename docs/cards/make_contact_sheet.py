"""Draw docs/cards/contact-sheet.jpg and the layout pictures of the README, with the library.

    python docs/cards/make_contact_sheet.py

Every layout (photo, split, solid) on a post with a photo, one with a logo-like image and one
with no image, each with a Latin, a German, a Greek, an emoji and a right-to-left title. The
photo and the logo are the codefor.de corpus's (MIT, Open Knowledge Foundation Deutschland e.V.)
when ../shared is there, else the embedded example site's. Right-to-left titles need a system
font for Arabic (Debian: fonts-noto-core).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from syndicate.cards import card_spec, look_of, post_page  # noqa: E402
from syndicate.cards.composition import compose  # noqa: E402
from syndicate.cards.fonts import Face, bundled, load_font  # noqa: E402
from syndicate.diagnostics import Diagnostics  # noqa: E402
from syndicate.site import load_site  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "codefor.de" / "static" / "blog"
TITLES = {
    "Latin": "Open data for everyone: a toolbox for small cities",
    "German": "Bürger*innen gestalten ihre Straße – größer als gedacht",
    "Greek": "Ανοιχτά δεδομένα για όλους: εργαλεία για τις πόλεις",
    "emoji": "Hackday 2024 🎉 Wir feiern zehn Jahre OK Labs 🚀👩‍💻",
    "RTL": "البيانات المفتوحة للجميع: أدوات للمدن الصغيرة",
}
ROWS = [("photo", "photo"), ("photo", "logo"), ("photo", "none"), ("split", "photo"), ("split", "logo"),
        ("split", "none"), ("solid", "any")]
CELL = (360, 189)
LABEL = 150


def images() -> dict[str, Path]:
    if (CORPUS / "geoeffnet.jpg").is_file():
        return {"photo": CORPUS / "geoeffnet.jpg", "logo": CORPUS / "PrototypeFundLogo.png"}
    example = REPO / "content" / "static" / "blog"
    return {"photo": example / "interview-datenstelle.jpg", "logo": example / "feinstaub-karte.png"}


def site(folder: Path, layout: str, background: str, extra: str = "") -> Path:
    root = folder / f"{layout}-{background}"
    (root / "content" / "blog").mkdir(parents=True)
    (root / "static" / "blog").mkdir(parents=True)
    front = ""
    if background in ("photo", "logo"):
        source = images()[background]
        shutil.copy(source, root / "static" / "blog" / source.name)
        front = f"images:\n  - imgname: {source.name}\n"
    (root / "content" / "blog" / "2024-05-04-post.md").write_text(
        f"---\ntitle: x\ndate: 2024-05-04\nauthor: Ada Muster\ntopic: community\n{front}---\nText.\n", encoding="utf-8")
    (root / "syndicate.toml").write_text(
        '[site]\nbase_url = "https://example.codefor.de/"\ntitle = "Code for Example"\nlanguage = "de-DE"\n'
        f'[content]\ndefault_image = ""\n[build]\nstate_dir = "{folder / "state"}"\n'
        f'[cards]\nlayout = "{layout}"\n{extra}', encoding="utf-8")
    return root


def card(root: Path, title: str) -> Image.Image:
    loaded = load_site(root)
    look = look_of(loaded.settings)
    post = dataclasses.replace(loaded.posts[0], title=title)
    return compose(card_spec(post_page(post, loaded.settings, look), look, loaded.settings, Diagnostics())).image


def contact_sheet(folder: Path) -> Image.Image:
    sheet = Image.new("RGB", (LABEL + CELL[0] * len(TITLES), 40 + CELL[1] * len(ROWS)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = load_font(Face(bundled("text")), 18)
    for column, name in enumerate(TITLES):
        draw.text((LABEL + column * CELL[0] + 12, 10), f"{name} title", font=font, fill=(20, 20, 20))
    for row, (layout, background) in enumerate(ROWS):
        top = 40 + row * CELL[1]
        draw.text((12, top + 70), f"{layout}\n{background} post" if background != "any" else f"{layout}\nany post",
                  font=font, fill=(20, 20, 20), spacing=6)
        root = site(folder, layout, background if background != "any" else "photo")
        for column, title in enumerate(TITLES.values()):
            sheet.paste(card(root, title).resize(CELL, Image.Resampling.LANCZOS), (LABEL + column * CELL[0], top))
    return sheet


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        contact_sheet(folder).save(HERE / "contact-sheet.jpg", quality=82, optimize=True)
        brand = ('background = "#6a1b9a"\naccent = "#ffd54f"\nlogo = "static/logo.png"\n'
                 'footer = ["site", "date", "domain"]\n')
        for layout, background in (("photo", "photo"), ("split", "logo"), ("solid", "none")):
            root = site(folder / "look", layout, background, brand)
            logo = Image.new("RGBA", (220, 60), (0, 0, 0, 0))
            ImageDraw.Draw(logo).rounded_rectangle((0, 0, 219, 59), 14, fill=(255, 213, 79, 255))
            ImageDraw.Draw(logo).text((20, 12), "OK Lab", font=load_font(Face(bundled("title")), 32),
                                      fill=(60, 10, 90, 255))
            logo.save(root / "static" / "logo.png")
            card(root, TITLES["German"]).save(HERE / f"layout-{layout}.jpg", quality=85, optimize=True)


if __name__ == "__main__":
    main()
