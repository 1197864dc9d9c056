"""Generate a deterministic Hugo-style blog of N posts for benchmarks.

    python bench/generate_site.py [--posts 10000] [--out bench/out/site-10000]

Front matter varies as on codefor.de: dates in the file name or the front matter, topics as
strings or comma lists, both og-image spellings, images shared from a small pool.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

TOPICS = ["community", "event", "story", "project", "toolbox", "interview"]
LABS = ["berlin", "hamburg", "koeln", "muenchen", "ulm", "leipzig", "jena", "chemnitz"]
WORDS = ("offene Daten Verwaltung Stadt Karte Lab Projekt Treffen Hackathon Bürger*innen Transparenz "
         "Civic Tech Code Schnittstelle Wahl Klima Wasser Fahrrad Schule Ehrenamt Community Demo "
         "Prototyp Werkstatt Sensor Feinstaub Haushalt Ratsinformation Radweg Baum").split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def post_text(index: int, rng: random.Random, day: date) -> str:
    topic = rng.choice(TOPICS)
    lines = ["---", f'title: "{sentence(rng, rng.randint(3, 12))[:-1]} #{index}"', "author: Team Bench"]
    if rng.random() < 0.3:
        lines.append(f"date: {day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+02:00")
    lines.append(f"topic: {topic}, {rng.choice(TOPICS)}" if rng.random() < 0.1 else f"topic: {topic}")
    if rng.random() < 0.4:
        lines.append(f"lab: [{rng.choice(LABS)}]")
    lines.append(f"excerpt: {sentence(rng, 20)}")
    image = f"bench-{index % 20}.jpg"
    lines += ["images:", f"  - imgname: {image}", "    attribution: Foto Bench, CC BY 4.0"]
    lines.append(f"{'og-image' if index % 2 else 'og_image'}: /blog/{image}")
    lines += ["---", ""]
    for paragraph in range(rng.randint(3, 8)):
        lines.append(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))))
        lines.append("")
        if paragraph == 1:
            lines += [f"![Bild](/blog/{image}) Mehr im [Archiv](/blog/) und [hier](../anderer-post/).", ""]
    return "\n".join(lines)


def draw_image(path: Path, index: int) -> None:
    image = Image.new("RGB", (1600, 1000), (30 + index * 9 % 200, 80, 140))
    draw = ImageDraw.Draw(image)
    for band in range(0, 1600, 80):
        draw.rectangle((band, 0, band + 40, 1000), fill=(200, 120 + band % 100, 60))
    image.save(path, quality=80)


def generate(posts: int, out: Path, seed: int = 2020) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    blog, images = out / "content" / "blog", out / "static" / "blog"
    blog.mkdir(parents=True)
    images.mkdir(parents=True)
    (out / "syndicate.toml").write_text(
        '[site]\nbase_url = "https://bench.example.org/"\ntitle = "Bench"\nlanguage = "de-DE"\n'
        'timezone = "Europe/Berlin"\n', encoding="utf-8")
    for index in range(20):
        draw_image(images / f"bench-{index}.jpg", index)
    start = date(2005, 1, 1)
    for index in range(posts):
        day = start + timedelta(days=index * 7000 // max(posts, 1))
        (blog / f"{day.isoformat()}-post-{index:05d}.md").write_text(post_text(index, rng, day), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args()
    out = options.out or Path(__file__).resolve().parent / "out" / f"site-{options.posts}"
    print(generate(options.posts, out))


if __name__ == "__main__":
    main()
