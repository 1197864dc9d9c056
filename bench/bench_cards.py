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

from common import CORPUS, OUT, REPO, measure, syndicate  # noqa: E402

SHARED_POSTS = 300
TOPICS = ("community", "event", "story", "project", "toolbox", "interview")


# ---------------------------------------------------------------- cases, each in its own process

def case_syndicate(site: str, state: str, jobs: int, warm: bool) -> dict:
    from syndicate.cards import render_cards
    from syndicate.diagnostics import Diagnostics
    from syndicate.site import load_site
    loaded = load_site(site, overrides={"build": {"state_dir": state}})
    shutil.rmtree(state, ignore_errors=True)
    if warm:
        render_cards(loaded, Diagnostics(), jobs=jobs)
    start, cpu = time.perf_counter(), _cpu()
    cards = render_cards(loaded, Diagnostics(), jobs=jobs)
    seconds = time.perf_counter() - start
    return {"cards": len(cards), "seconds": seconds, "cpu": _cpu() - cpu,
            "rendered": sum(made.card.rendered for made in cards.values())}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the card workers): what the work
    costs however busy the machine is with other things."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def card_images(site: str) -> list[str]:
    """The image each post's card is drawn on: the first of its background chain that decodes."""
    from syndicate.cards.backgrounds import BadImage, decode
    from syndicate.cards.sources import background_chain
    from syndicate.site import load_site
    loaded = load_site(site)
    images = []
    for post in loaded.posts:
        for source in background_chain(post, loaded.settings):
            if source.file is None:
                break
            try:
                decode(source.file)
            except BadImage:
                continue
            images.append(str(source.file))
            break
    return images


def _bare_card(job: tuple[str, str]) -> int:
    """The least any renderer must do for a card: decode (drafted), cover-fit, draw the title
    once in one font, encode a baseline JPEG at q85."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    from syndicate.cards.backgrounds import _draft_size, cover
    from syndicate.cards.fonts import bundled
    path, title = job
    font = ImageFont.truetype(str(bundled("title")), 64)
    with Image.open(path) as opened:
        opened.draft(None, _draft_size(opened, (1200, 630)))
        image = ImageOps.exif_transpose(opened).convert("RGB")
    card = cover(image, (1200, 630), None)
    ImageDraw.Draw(card).text((72, 400), title[:30], font=font, fill="white")
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=85)
    return buffer.tell()


def case_bare(site: str, jobs: int) -> dict:
    from concurrent.futures import ProcessPoolExecutor
    images = card_images(site)
    jobs_list = [(path, "Offene Daten in der Stadt") for path in images]
    start, cpu = time.perf_counter(), _cpu()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_bare_card, jobs_list, chunksize=4))
    return {"cards": len(images), "seconds": time.perf_counter() - start, "cpu": _cpu() - cpu}


def case_photos(site: str) -> dict:
    from syndicate.site import load_site
    loaded = load_site(site)
    return {"photos": sum(1 for p in loaded.posts if p.image is not None and p.image.file is not None),
            "posts": len(loaded.posts), "cards": len(loaded.posts) + len(loaded.list_pages)}


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
    shutil.copy(REPO / "fonts" / "InterDisplay-Bold.otf", fonts / "Bold.otf")  # the same face as ours
    shutil.copy(REPO / "fonts" / "Inter-Medium.otf", fonts / "Regular.otf")
    plugin = (f"plugins:\n  - social:\n      concurrency: {concurrency}\n      cache: false\n"
              f"      cache_dir: {root / '.cache' / 'plugin' / 'social'}\n"
              "      cards_layout_options:\n        font_family: Inter\n") if social else "plugins: []\n"
    (root / "mkdocs.yml").write_text(f"site_name: Bench\nsite_url: https://bench.example/\n"
                                     f"theme:\n  name: material\n{plugin}", encoding="utf-8")
    return root


# ---------------------------------------------------------------- end to end, and the wheel

def builds_with_and_without_cards(site: Path, jobs: int) -> dict[str, float]:
    """Whole `syndicate build` runs in fresh processes: cold with cards, cold without, and a
    no-change rebuild with cards; the best of two of each (the machine is shared)."""
    from syndicate.config import load_settings
    out, state = OUT / "cards-e2e-out", load_settings(site).state_dir
    times: dict[str, list[tuple[float, float]]] = {"cold": [], "cold-no-cards": [], "no-change": []}
    for _ in range(2):
        for label, extra in (("cold-no-cards", ["--no-cards"]), ("cold", [])):
            for folder in (out, state):
                shutil.rmtree(folder, ignore_errors=True)
            command = syndicate("build", "--site", str(site), "--out", str(out), "--jobs", str(jobs), *extra)
            row = measure(label, command, env={"PYTHONPATH": str(REPO)})
            times[label].append((row.seconds, row.cpu_seconds))
        command = syndicate("build", "--site", str(site), "--out", str(out), "--jobs", str(jobs))
        row = measure("no change", command, env={"PYTHONPATH": str(REPO)})
        times["no-change"].append((row.seconds, row.cpu_seconds))
    best = {label: min(values) for label, values in times.items()}
    return {**{label: wall for label, (wall, _) in best.items()},
            **{f"{label} cpu": min(cpu for _, cpu in values) for label, values in times.items()}}


def wheel_size() -> int | None:
    """The wheel as `pip install .` would build it, from a copy of the project's files."""
    source = OUT / "wheel-source"
    shutil.rmtree(source, ignore_errors=True)
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, text=True)
    if listing.returncode != 0:
        return None
    for name in filter(None, listing.stdout.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    code = f"from setuptools import build_meta; print(build_meta.build_wheel({str(OUT / 'wheel')!r}))"
    built = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True)
    if built.returncode != 0:
        return None
    return (OUT / "wheel" / built.stdout.strip().splitlines()[-1]).stat().st_size


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

    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} "
          "cores: wall-clock figures on a shared machine are noisy (the CPU column less so)")
    corpus = (CORPUS / "content" / "blog").is_dir()
    rates: dict[str, float] = {}
    e2e: dict[str, float] = {}
    hugo = None
    if corpus:
        photos = child("photos", str(CORPUS))
        print(f"corpus: {photos['posts']} posts, {photos['photos']} with their own photo; "
              f"{photos['cards']} cards with the home and section pages'")
        e2e = builds_with_and_without_cards(CORPUS, 2)
        rates["bare2"] = add("bare floor: drafted decode+fit+one text draw+baseline q85, same images, 2 processes",
                             child("bare", str(CORPUS), "2"), "bare2")
        for jobs in (1, 2):
            rates[f"cold{jobs}"] = add(f"syndicate card stage, real corpus, cold, {jobs} job(s)",
                                       child("syndicate", str(CORPUS), str(state), str(jobs), ""), f"cold{jobs}")
        rates["warm"] = add("syndicate card stage, real corpus, warm (nothing changed), 2 jobs",
                            child("syndicate", str(CORPUS), str(state), "2", "warm"))
        from bench_feeds import hugo_rows
        hugo = (hugo_rows("corpus", CORPUS, None) or [None])[-1]  # Hugo's second build: its no-change time
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
    else:
        print('mkdocs-material not installed (pip install "mkdocs-material[imaging]"): its rows are skipped')

    print("\n## Share cards (a fresh process per row)")
    print(f"{'what':92} {'cards':>6} {'cards/s':>9} {'ms/card':>8} {'CPU ms/card':>12}")
    for label, cards, rate, cpu_ms in rows:
        print(f"{label:92} {cards:6d} {rate:9.1f} {1000 / rate:8.1f} {cpu_ms:12.1f}")
    print()
    if e2e:
        card_seconds = e2e["cold"] - e2e["cold-no-cards"]
        cards = photos["cards"]
        card_cpu = e2e["cold cpu"] - e2e["cold-no-cards cpu"]
        floor_cpu = cpu["bare2"] * cards / 1000
        print(f"end to end, real corpus, 2 jobs: `syndicate build` cold {e2e['cold']:.2f} s, with --no-cards "
              f"{e2e['cold-no-cards']:.2f} s: the cards cost {card_seconds:.2f} s = {cards / card_seconds:.0f} cards/s; "
              f"the bare floor takes {cards / rates['bare2']:.2f} s for them: "
              f"{card_seconds / (cards / rates['bare2']):.2f}× the floor (aim ≤ 1.5×); in CPU seconds "
              f"{card_cpu:.2f} against {floor_cpu:.2f}: {card_cpu / floor_cpu:.2f}×")
        line = f"no-change rebuild with cards, real corpus: {e2e['no-change']:.2f} s ({e2e['no-change cpu']:.2f} s CPU)"
        if hugo is not None:
            line += (f"; Hugo's RSS-only build of the same posts {hugo.seconds:.2f} s ({hugo.cpu_seconds:.2f} s CPU) "
                     f"in the same run: {e2e['no-change'] / hugo.seconds:.2f}× Hugo's time (aim < 1), "
                     f"{e2e['no-change cpu'] / hugo.cpu_seconds:.2f}× its CPU")
        print(line)
    if "mkdocs2" in rates:
        print(f"shared backgrounds, 2 jobs vs mkdocs-material, 2 threads: {rates['shared2'] / rates['mkdocs2']:.1f}× "
              f"the cards/s (aim ≥ 4×); CPU per card, 1 job vs 1 thread: {cpu['mkdocs1'] / cpu['shared1']:.1f}× less, "
              f"2 vs 2: {cpu['mkdocs2'] / cpu['shared2']:.1f}× less (on a busy machine the CPU ratio is the one to trust)")
        if corpus:
            print(f"real corpus (own photos), 2 jobs vs mkdocs-material, 2 threads: "
                  f"{rates['cold2'] / rates['mkdocs2']:.1f}× the cards/s")
    if corpus:
        print(f"card stage alone, 2 jobs, vs the bare floor with 2 processes: {rates['bare2'] / rates['cold2']:.2f}× "
              f"the time, {cpu['cold2'] / cpu['bare2']:.2f}× the CPU")
        print(f"warm vs cold (2 jobs): {rates['warm'] / rates['cold2']:.0f}× faster")
    size = wheel_size()
    if size is not None:
        print(f"wheel with the bundled fonts: {size / 1e6:.2f} MB")


def _has_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    case, *arguments = sys.argv[1:]
    if case == "syndicate":
        result = case_syndicate(arguments[0], arguments[1], int(arguments[2]), arguments[3] == "warm")
    elif case == "bare":
        result = case_bare(arguments[0], int(arguments[1]))
    elif case == "photos":
        result = case_photos(arguments[0])
    elif case == "mkdocs":
        result = case_mkdocs(arguments[0])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
