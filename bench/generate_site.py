"""Generate a deterministic Hugo blog of N posts for benchmarks, made of real posts.

    python bench/generate_site.py [--posts 10000] [--out bench/out/site-10000] [--synthetic]

Each post takes the body and the front matter of a real post of the corpus sites under
../shared/corpus (codefor.de, nats.io, tidyverse.org, ropensci.org, linkerd.io; cycled), in its
own format (YAML or TOML), with a unique title and slug and a date spread over twenty years.
Keys that would change which pages a site publishes or where (url, aliases, draft, expiry,
build options) are dropped; codefor.de-style `images:` point at twenty real photos of its
corpus, copied into the generated site's static folder (bench/out is scratch space, never
committed). A tenth of the posts are leaf bundles (`<name>/index.md`), as on real sites.

Without ../shared, or with --synthetic, the bodies are generated words (the old, far too
light workload: short paragraphs without code, tables, HTML or shortcodes).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

CORPUS_ROOT = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SITES = ("codefor.de", "nats.io", "tidyverse.org", "ropensci.org", "linkerd.io/linkerd.io")
PHOTOS = 20
# What decides whether and where Hugo publishes a page: never copied, so every generated post is
# published once, at the URL the generator chose.
DROPPED_KEYS = {"url", "aliases", "draft", "expirydate", "expiry_date", "unpublishdate", "publishdate",
                "build", "_build", "headless", "outputs", "layout", "type", "slug", "title", "date",
                "lastmod", "cascade", "translationkey", "isCJKLanguage".lower(), "markup", "output",
                "weight", "linktitle"}
FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
TRANSLATION = re.compile(r"\.[a-z]{2}(?:-[a-z]+)?\.(md|markdown)$", re.I)


@dataclass(frozen=True)
class SourcePost:
    site: str
    format: str                 # "yaml" or "toml"
    metadata: dict[str, Any]
    body: str


def corpus_posts() -> list[SourcePost]:
    """Every Markdown post of the corpus sites' blog sections (no translations, no section
    pages, no bundle resources), in a fixed order."""
    found = []
    for site in SITES:
        blog = CORPUS_ROOT / site / "content" / "blog"
        if not blog.is_dir():
            continue
        for file in sorted(blog.rglob("*")):
            if not _is_post_file(file):
                continue
            parsed = _parse(file.read_text(encoding="utf-8", errors="replace"))
            if parsed is not None:
                found.append(SourcePost(site, *parsed))
    return found


def _is_post_file(file: Path) -> bool:
    if file.suffix not in (".md", ".markdown") or not file.is_file() or file.name.startswith("_index"):
        return False
    if TRANSLATION.search(file.name):
        return False
    bundle = any((file.parent / f"index{suffix}").is_file() for suffix in (".md", ".markdown"))
    return not bundle or file.stem == "index"


def _parse(text: str) -> tuple[str, dict[str, Any], str] | None:
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        if match.group(1) == "+++":
            return "toml", tomllib.loads(match.group(2)), text[match.end():]
        metadata = yaml.load(match.group(2), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (tomllib.TOMLDecodeError, yaml.YAMLError):
        return None
    return ("yaml", metadata, text[match.end():]) if isinstance(metadata, dict) else None


def generated_metadata(source: SourcePost, index: int, day: date, rng: random.Random) -> dict[str, Any]:
    kept = {key: value for key, value in source.metadata.items() if key.lower() not in DROPPED_KEYS}
    title = str(source.metadata.get("title") or "Untitled").strip() or "Untitled"
    moment: date | datetime = day
    if rng.random() < 0.3:
        moment = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
    metadata = {"title": f"{title} #{index}", "date": moment, "slug": f"post-{index:06d}", **kept}
    if isinstance(kept.get("images"), list) and any(isinstance(i, dict) for i in kept["images"]):
        photo = f"bench-{index % PHOTOS}.jpg"  # codefor.de's shape: images[].imgname under static/blog
        metadata["images"] = [{**item, "imgname": photo} if isinstance(item, dict) else item
                              for item in kept["images"]][:1]
        for key in ("og-image", "og_image"):
            metadata.pop(key, None)
        metadata["og-image" if index % 2 else "og_image"] = f"/blog/{photo}"  # both spellings, as on codefor.de
    return metadata


def front_matter(metadata: dict[str, Any], form: str) -> str:
    if form == "toml":
        return "+++\n" + toml_text(metadata) + "+++\n"
    text = yaml.dump(metadata, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, width=1000)
    return "---\n" + text + "---\n"


def toml_text(table: dict[str, Any], prefix: str = "") -> str:
    """TOML for what corpus front matter holds: scalars, dates, arrays of those, tables."""
    lines, tables = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    text = "".join(line + "\n" for line in lines)
    for key, value in tables:
        name = f"{prefix}{_toml_key(key)}"
        text += f"\n[{name}]\n" + toml_text(value, name + ".")
    return text


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if not isinstance(v, dict)) + "]"
    if value is None:
        return '""'
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------- the synthetic fallback

TOPICS = ["community", "event", "story", "project", "toolbox", "interview"]
WORDS = ("offene Daten Verwaltung Stadt Karte Lab Projekt Treffen Hackathon Bürger*innen Transparenz "
         "Civic Tech Code Schnittstelle Wahl Klima Wasser Fahrrad Schule Ehrenamt Community Demo "
         "Prototyp Werkstatt Sensor Feinstaub Haushalt Ratsinformation Radweg Baum").split()


def synthetic_post(index: int, rng: random.Random) -> SourcePost:
    def sentence(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    image = f"bench-{index % PHOTOS}.jpg"
    metadata = {"title": sentence(rng.randint(3, 12))[:-1], "author": "Team Bench",
                "topic": rng.choice(TOPICS), "excerpt": sentence(20),
                "images": [{"imgname": image, "attribution": "Foto Bench, CC BY 4.0"}]}
    paragraphs = [" ".join(sentence(rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
                  for _ in range(rng.randint(3, 8))]
    paragraphs.insert(2, f"![Bild](/blog/{image}) Mehr im [Archiv](/blog/) und [hier](../anderer-post/).")
    return SourcePost("synthetic", "yaml", metadata, "\n\n".join(paragraphs) + "\n")


# ---------------------------------------------------------------- images

def copy_photos(images: Path) -> None:
    """Twenty real photos of the codefor.de corpus (JPEGs, largest files skipped), else drawn ones."""
    real = sorted(p for p in (CORPUS_ROOT / "codefor.de" / "static" / "blog").glob("*.jp*g")
                  if p.stat().st_size < 2_000_000)
    for number in range(PHOTOS):
        target = images / f"bench-{number}.jpg"
        if real:
            shutil.copyfile(real[number * 7 % len(real)], target)
        else:
            draw_image(target, number)


def draw_image(path: Path, index: int) -> None:
    image = Image.new("RGB", (1600, 1000), (30 + index * 9 % 200, 80, 140))
    draw = ImageDraw.Draw(image)
    for band in range(0, 1600, 80):
        draw.rectangle((band, 0, band + 40, 1000), fill=(200, 120 + band % 100, 60))
    image.save(path, quality=80)


# ---------------------------------------------------------------- the site

SETTINGS = """[site]
base_url = "https://bench.example.org/"
title = "Bench"
language = "de-DE"
timezone = "Europe/Berlin"

[content]
default_image = "blog/bench-0.jpg"

[feeds]
taxonomies = ["topic", "tags", "categories"]
"""


def generate(posts: int, out: Path, seed: int = 2020, synthetic: bool = False) -> Path:
    rng = random.Random(seed)
    sources = [] if synthetic else corpus_posts()
    if out.exists():
        shutil.rmtree(out)
    blog, images = out / "content" / "blog", out / "static" / "blog"
    blog.mkdir(parents=True)
    images.mkdir(parents=True)
    (out / "syndicate.toml").write_text(SETTINGS, encoding="utf-8")
    copy_photos(images)
    start = date(2005, 1, 1)
    for index in range(posts):
        day = start + timedelta(days=index * 7300 // max(posts, 1))
        source = sources[index % len(sources)] if sources else synthetic_post(index, rng)
        text = front_matter(generated_metadata(source, index, day, rng), source.format) + "\n" + source.body
        name = f"{day.isoformat()}-post-{index:06d}"
        path = blog / name / "index.md" if index % 10 == 9 else blog / f"{name}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--synthetic", action="store_true", help="generated words instead of real posts")
    options = parser.parse_args()
    kind = "synthetic" if options.synthetic else "site"
    out = options.out or Path(__file__).resolve().parent / "out" / f"{kind}-{options.posts}"
    print(generate(options.posts, out, synthetic=options.synthetic))


if __name__ == "__main__":
    main()
