"""Share cards: cards per second for the real corpus (cold with 1 and 2 jobs, warm), a site whose
cards share topic backgrounds, the bare decode+fit+draw+encode cost of the same images, and
mkdocs-material's social plugin rendering cards for the same titles.

    python bench/run.py cards [--quick]

Every case runs in a fresh process (`python bench/bench_cards.py CASE ...`), timed around the
card stage only, so loading posts and Python start-up are not counted.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import CORPUS, OUT, REPO  # noqa: E402

SHARED_POSTS = 300
TOPICS = ("community", "event", "story", "project", "toolbox", "interview")


# ---------------------------------------------------------------- cases, each in its own process

def case_syndicate(site: str, state: str, jobs: int, warm: bool) -> dict:
    from syndicate.cards import render_cards
    from syndicate.diagnostics import Diagnostics
    from syndicate.output import Output
    from syndicate.site import load_site
    loaded = load_site(site, overrides={"build": {"state_dir": state}})
    out = Path(state) / "out"
    shutil.rmtree(state, ignore_errors=True)
    if warm:
        render_cards(loaded, Output(out), Diagnostics(), jobs=jobs)
    start, cpu = time.perf_counter(), _cpu()
    cards = render_cards(loaded, Output(out), Diagnostics(), jobs=jobs)
    seconds = time.perf_counter() - start
    return {"cards": len(cards), "seconds": seconds, "cpu": _cpu() - cpu,
            "rendered": sum(c.rendered for c in cards.values())}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the card workers): what the work
    costs however busy the machine is with other things."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def case_bare(site: str) -> dict:
    """The least any renderer must do for these cards: decode (drafted), cover-fit, draw the
    title once in one font, encode the same progressive JPEG."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    from syndicate.cards import HEIGHT, WIDTH
    from syndicate.cards.backgrounds import _draft_size, cover
    from syndicate.cards.fonts import BUNDLED
    from syndicate.site import load_site
    loaded = load_site(site)
    font = ImageFont.truetype(str(BUNDLED["title"]), 64)
    start, cpu = time.perf_counter(), _cpu()
    count = 0
    for post in loaded.posts:
        if post.image is None or post.image.file is None:
            continue
        with Image.open(post.image.file) as opened:
            opened.draft(None, _draft_size(opened, (WIDTH, HEIGHT)))
            image = ImageOps.exif_transpose(opened).convert("RGB")
        card = cover(image, (WIDTH, HEIGHT), None)
        ImageDraw.Draw(card).text((72, 400), post.title[:30], font=font, fill="white")
        card.save(io.BytesIO(), "JPEG", quality=85, progressive=True, optimize=True)
        count += 1
    return {"cards": count, "seconds": time.perf_counter() - start, "cpu": _cpu() - cpu}


def case_photos(site: str) -> dict:
    from syndicate.site import load_site
    loaded = load_site(site)
    return {"photos": sum(1 for p in loaded.posts if p.image is not None and p.image.file is not None),
            "posts": len(loaded.posts)}


def case_mkdocs(project: str) -> dict:
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", f"{project}/mkdocs.yml"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu}


def child(case: str, *args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, case, *args], capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise RuntimeError(f"{case} failed:\n{output.stderr[-2000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the sites the cases run on

def titles(limit: int) -> list[str]:
    from syndicate.site import load_site
    if (CORPUS / "content" / "blog").is_dir():
        names = [post.title for post in load_site(CORPUS, overrides={"build": {"state_dir": str(OUT / "x")}}).posts]
    else:
        names = [f"Beitrag Nummer {n}: offene Daten in der Stadt" for n in range(50)]
    return [names[i % len(names)] + ("" if i < len(names) else f" ({i // len(names) + 1})") for i in range(limit)]


def shared_background_site(count: int) -> Path:
    """`count` posts with the corpus's titles and only topic images: backgrounds are shared."""
    from PIL import Image
    root = OUT / f"cards-shared-{count}"
    if (root / "content" / "blog").is_dir():
        return root
    (root / "content" / "blog").mkdir(parents=True)
    header = root / "static" / "blog" / "header_images"
    header.mkdir(parents=True)
    for number, topic in enumerate(TOPICS):
        image = Image.linear_gradient("L").resize((1000, 275)).convert("RGB")
        image.paste((40 * number, 120, 200 - 30 * number), (0, 0, 500, 275))
        image.save(header / f"{topic}.png")
    (root / "syndicate.toml").write_text('[site]\nbase_url = "https://bench.example/"\ntitle = "Bench"\n'
                                         'language = "de-DE"\n[content]\ndefault_image = ""\n', encoding="utf-8")
    for number, title in enumerate(titles(count)):
        (root / "content" / "blog" / f"2024-01-01-post-{number}.md").write_text(
            f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ndate: 2024-01-01\n"
            f"topic: {TOPICS[number % len(TOPICS)]}\nauthor: Bench\n---\nText.\n", encoding="utf-8")
    return root


def mkdocs_project(count: int, concurrency: int, social: bool) -> Path:
    """A MkDocs site of one page per title; fonts from the repository (no network)."""
    root = OUT / f"mkdocs-{count}-{concurrency}-{'social' if social else 'plain'}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "docs").mkdir(parents=True)
    for number, title in enumerate(titles(count)):
        (root / "docs" / f"page-{number}.md").write_text(f"# {title}\n\nText.\n", encoding="utf-8")
    fonts = root / ".cache" / "plugin" / "social" / "fonts" / "Inter"
    fonts.mkdir(parents=True)
    shutil.copy(REPO / "fonts" / "InterDisplay-Bold.otf", fonts / "Bold.otf")
    shutil.copy(REPO / "fonts" / "Inter-Medium.otf", fonts / "Regular.otf")
    plugin = (f"plugins:\n  - social:\n      concurrency: {concurrency}\n      cache: false\n"
              f"      cache_dir: {root / '.cache' / 'plugin' / 'social'}\n"
              "      cards_layout_options:\n        font_family: Inter\n") if social else "plugins: []\n"
    (root / "mkdocs.yml").write_text(f"site_name: Bench\nsite_url: https://bench.example/\n"
                                     f"theme:\n  name: material\n{plugin}", encoding="utf-8")
    return root


# ---------------------------------------------------------------- the report

def main(quick: bool) -> None:
    rows: list[tuple[str, int, float, float]] = []
    state = OUT / "cards-state"

    cpu: dict[str, float] = {}

    def add(label: str, result: dict, key: str = "") -> float:
        rate = result["cards"] / result["seconds"]
        rows.append((label, result["cards"], rate, 1000 * result["cpu"] / result["cards"]))
        cpu[key] = 1000 * result["cpu"] / result["cards"]
        return rate

    corpus = (CORPUS / "content" / "blog").is_dir()
    rates: dict[str, float] = {}
    if corpus:
        photos = child("photos", str(CORPUS))
        print(f"corpus: {photos['posts']} posts, {photos['photos']} with their own photo")
        for jobs in (1, 2):
            rates[f"cold{jobs}"] = add(f"syndicate, real corpus, cold, {jobs} job(s)",
                                       child("syndicate", str(CORPUS), str(state), str(jobs), ""), f"cold{jobs}")
        rates["warm"] = add("syndicate, real corpus, warm (nothing changed), 2 jobs",
                            child("syndicate", str(CORPUS), str(state), "2", "warm"))
        rates["bare"] = add("bare decode+fit+draw+encode of the same photos, 1 process",
                            child("bare", str(CORPUS)), "bare")
    count = 60 if quick else SHARED_POSTS
    shared = shared_background_site(count)
    for jobs in (1, 2):
        rates[f"shared{jobs}"] = add(f"syndicate, {count} posts sharing 6 topic backgrounds, cold, {jobs} job(s)",
                                     child("syndicate", str(shared), str(state), str(jobs), ""), f"shared{jobs}")
    mkdocs_count = 30 if quick else (147 if corpus else 60)
    if shutil.which("mkdocs") or _has_module("mkdocs"):
        for concurrency in (1, 2):
            plain = child("mkdocs", str(mkdocs_project(mkdocs_count, concurrency, social=False)))
            social = child("mkdocs", str(mkdocs_project(mkdocs_count, concurrency, social=True)))
            rates[f"mkdocs{concurrency}"] = add(
                f"mkdocs-material social plugin, same titles, {concurrency} thread(s)",
                {"cards": mkdocs_count, "seconds": max(social["seconds"] - plain["seconds"], 1e-6),
                 "cpu": social["cpu"] - plain["cpu"]}, f"mkdocs{concurrency}")

    print("\n## Share cards (card stage only; a fresh process per row)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores "
          "(other work on the machine slows the wall-clock rows, not the CPU column)")
    print(f"{'what':78} {'cards':>6} {'cards/s':>9} {'ms/card':>8} {'CPU ms/card':>12}")
    for label, cards, rate, cpu_ms in rows:
        print(f"{label:78} {cards:6d} {rate:9.1f} {1000 / rate:8.1f} {cpu_ms:12.1f}")
    print()
    if "mkdocs2" in rates:
        print(f"shared backgrounds, 2 jobs vs mkdocs-material, 2 threads: {rates['shared2'] / rates['mkdocs2']:.1f}× "
              f"the cards/s (aim ≥ 4×, and ≥ 120 cards/s: {rates['shared2']:.0f}); "
              f"CPU per card: {cpu['mkdocs1'] / cpu['shared1']:.1f}× less")
        if corpus:
            print(f"real corpus (own photos), 2 jobs vs mkdocs-material, 2 threads: "
                  f"{rates['cold2'] / rates['mkdocs2']:.1f}× the cards/s")
    if corpus:
        print(f"real corpus, 1 job vs the bare cost of its photos: {rates['bare'] / rates['cold1']:.2f}× the time, "
              f"{cpu['cold1'] / cpu['bare']:.2f}× the CPU (aim ≤ 1.5×)")
        print(f"warm vs cold (2 jobs): {rates['warm'] / rates['cold2']:.0f}× faster")


def _has_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    case, *arguments = sys.argv[1:]
    if case == "syndicate":
        result = case_syndicate(arguments[0], arguments[1], int(arguments[2]), arguments[3] == "warm")
    elif case == "bare":
        result = case_bare(arguments[0])
    elif case == "photos":
        result = case_photos(arguments[0])
    elif case == "mkdocs":
        result = case_mkdocs(arguments[0])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
