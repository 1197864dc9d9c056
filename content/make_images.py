"""Draw every image of the embedded example site, deterministically.

    python content/make_images.py

The real codefor.de photos live only in ../shared; these are our own stand-ins. Every texture
comes from random.Random with a fixed seed, so two runs give identical pixels.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

BLOG = Path(__file__).resolve().parent / "static" / "blog"
HEADER = BLOG / "header_images"

TOPIC_COLOURS = {
    "community": (42, 157, 143),
    "event": (231, 111, 81),
    "story": (142, 68, 173),
    "project": (29, 112, 184),
    "toolbox": (230, 160, 40),
    "interview": (192, 57, 43),
}
CARD_SIZE = (1200, 630)


# ---------------------------------------------------------------- building blocks

def vertical_gradient(size: tuple[int, int], top: tuple[int, int, int],
                      bottom: tuple[int, int, int]) -> Image.Image:
    """A top-to-bottom colour ramp, drawn on one column and stretched (fast at 3000 px)."""
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize(size)


def grain(image: Image.Image, seed: int, strength: int = 14, scale: int = 6) -> Image.Image:
    """Soft photographic texture: seeded noise at 1/scale size, smoothed, soft-light blended."""
    rng = random.Random(seed)
    small = (max(1, image.width // scale), max(1, image.height // scale))
    noise = Image.new("L", small)
    noise.putdata([128 + rng.randint(-strength, strength) for _ in range(small[0] * small[1])])
    noise = noise.resize(image.size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1))
    return ImageChops.soft_light(image, Image.merge("RGB", (noise, noise, noise)))


def hills(draw: ImageDraw.ImageDraw, width: int, horizon: int, height: int, colour: tuple[int, int, int],
          amplitude: float, waves: float, phase: float) -> None:
    points = [(0, height)]
    for x in range(0, width + 1, max(1, width // 200)):
        y = horizon - amplitude * (0.6 + 0.4 * math.sin(x / width * math.pi * waves + phase))
        points.append((x, y))
    points.append((width, height))
    draw.polygon(points, fill=colour)


def save_jpeg(image: Image.Image, path: Path, quality: int = 85) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
    print(f"{path.relative_to(BLOG.parent.parent)}: {path.stat().st_size // 1024} KB")


def save_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG", optimize=True)
    print(f"{path.relative_to(BLOG.parent.parent)}: {path.stat().st_size // 1024} KB")


# ---------------------------------------------------------------- the photos

def open_door(size: tuple[int, int] = (3000, 2000)) -> Image.Image:
    """Stand-in for geoeffnet.jpg: an open door in a brick wall, a green landscape beyond."""
    width, height = size
    image = Image.new("RGB", size, (176, 96, 72))
    draw = ImageDraw.Draw(image)
    brick_h, brick_w = height // 40, width // 24
    for row in range(0, height // brick_h + 1):
        offset = (row % 2) * brick_w // 2
        shade = 150 + (row * 37) % 40
        for col in range(-1, width // brick_w + 2):
            x0 = col * brick_w + offset
            y0 = row * brick_h
            tone = (shade + (col * 53) % 30, 80 + (col * 17 + row * 7) % 35, 60 + (row * 11) % 20)
            draw.rectangle((x0 + 4, y0 + 4, x0 + brick_w - 4, y0 + brick_h - 4), fill=tone)

    door = (int(width * 0.36), int(height * 0.14), int(width * 0.64), int(height * 0.92))
    outside = vertical_gradient((door[2] - door[0], door[3] - door[1]), (120, 180, 235), (220, 236, 250))
    scene = ImageDraw.Draw(outside)
    ow, oh = outside.size
    scene.ellipse((ow * 0.62, oh * 0.12, ow * 0.82, oh * 0.12 + ow * 0.2), fill=(255, 236, 160))
    hills(scene, ow, int(oh * 0.62), oh, (122, 170, 96), oh * 0.10, 2.2, 0.4)
    hills(scene, ow, int(oh * 0.74), oh, (86, 140, 70), oh * 0.08, 3.1, 1.7)
    scene.polygon([(ow * 0.42, oh), (ow * 0.58, oh), (ow * 0.52, oh * 0.70), (ow * 0.49, oh * 0.70)],
                  fill=(214, 196, 150))
    image.paste(outside, door[:2])

    frame = 36
    draw.rectangle((door[0] - frame, door[1] - frame, door[2] + frame, door[3]), outline=(245, 240, 228),
                   width=frame)
    # The door leaf, swung inwards towards the viewer: a trapezoid hinged on the left jamb.
    leaf = [(door[0], door[1]), (door[0] - width * 0.13, door[1] - height * 0.06),
            (door[0] - width * 0.13, door[3] + height * 0.06), (door[0], door[3])]
    draw.polygon(leaf, fill=(38, 92, 120))
    inset = [(door[0] - width * 0.02, door[1] + height * 0.05), (door[0] - width * 0.11, door[1] + height * 0.01),
             (door[0] - width * 0.11, door[3] + height * 0.01), (door[0] - width * 0.02, door[3] - height * 0.05)]
    draw.polygon(inset, outline=(28, 70, 96), width=14)
    draw.ellipse((door[0] - width * 0.115, height * 0.53, door[0] - width * 0.10, height * 0.55), fill=(230, 200, 90))
    draw.rectangle((0, door[3], width, height), fill=(120, 112, 104))
    draw.polygon([(door[0], door[3]), (door[2], door[3]), (door[2] + width * 0.12, height),
                  (door[0] - width * 0.02, height)], fill=(236, 222, 170))
    return grain(image.filter(ImageFilter.GaussianBlur(1.2)), seed=1)


def rooftop_gateway(size: tuple[int, int] = (1800, 1200)) -> Image.Image:
    """A LoRaWAN gateway: an antenna mast on a roof at dusk, radio waves drawn as arcs."""
    width, height = size
    image = vertical_gradient(size, (40, 52, 110), (250, 160, 110))
    draw = ImageDraw.Draw(image)
    hills(draw, width, int(height * 0.78), height, (60, 60, 78), height * 0.06, 7.0, 0.3)
    for i, x in enumerate(range(0, width, width // 14)):
        top = height * (0.55 + 0.12 * ((i * 7) % 5) / 5)
        draw.rectangle((x, top, x + width // 16, height), fill=(46 + i % 3 * 8, 46, 62))
        for wy in range(int(top) + 30, height - 40, 70):
            if (i * 13 + wy) % 3:
                draw.rectangle((x + 20, wy, x + 44, wy + 30), fill=(255, 214, 120))
    mast_x = width * 0.62
    draw.rectangle((mast_x - 10, height * 0.22, mast_x + 10, height * 0.62), fill=(220, 220, 225))
    draw.rectangle((mast_x - 60, height * 0.40, mast_x + 60, height * 0.47), fill=(200, 200, 210))
    for radius in (120, 220, 320):
        box = (mast_x - radius, height * 0.22 - radius, mast_x + radius, height * 0.22 + radius)
        draw.arc(box, 200, 340, fill=(255, 255, 255), width=10)
    return grain(image, seed=2)


def hackday_room(size: tuple[int, int] = (1800, 1200)) -> Image.Image:
    """A hack day: tables with laptops seen from above, sticky notes on a wall."""
    width, height = size
    image = Image.new("RGB", size, (214, 204, 186))
    draw = ImageDraw.Draw(image)
    rng = random.Random(3)
    draw.rectangle((0, 0, width, height * 0.28), fill=(236, 236, 230))
    for _ in range(60):
        x, y = rng.randrange(40, width - 120), rng.randrange(30, int(height * 0.24) - 80)
        colour = rng.choice([(255, 235, 120), (255, 170, 190), (150, 220, 250), (180, 240, 160)])
        draw.rectangle((x, y, x + 80, y + 80), fill=colour)
    for row in range(2):
        for col in range(3):
            x0 = width * (0.06 + col * 0.32)
            y0 = height * (0.36 + row * 0.32)
            draw.rounded_rectangle((x0, y0, x0 + width * 0.26, y0 + height * 0.24), 30, fill=(150, 104, 64))
            for seat in range(3):
                lx = x0 + 30 + seat * width * 0.08
                draw.rectangle((lx, y0 + 40, lx + width * 0.06, y0 + 40 + height * 0.07), fill=(60, 64, 72))
                draw.rectangle((lx + 8, y0 + 48, lx + width * 0.06 - 8, y0 + 32 + height * 0.07),
                               fill=(110, 170, 230))
                draw.ellipse((lx + 20, y0 + height * 0.15, lx + 90, y0 + height * 0.15 + 70),
                             fill=rng.choice([(240, 240, 240), (200, 80, 60), (60, 120, 90)]))
    return grain(image, seed=4)


def toolbox_photo(size: tuple[int, int] = (1600, 1000)) -> Image.Image:
    """An open toolbox on a workbench: a red box, spanners and a screwdriver."""
    width, height = size
    image = vertical_gradient(size, (196, 160, 112), (150, 110, 70))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 46):
        draw.line((0, y, width, y + 12), fill=(170, 130, 86), width=3)
    box = (width * 0.2, height * 0.45, width * 0.8, height * 0.9)
    draw.rectangle(box, fill=(200, 40, 40))
    draw.polygon([(box[0], box[1]), (box[2], box[1]), (box[2] - 60, height * 0.28), (box[0] + 60, height * 0.28)],
                 fill=(160, 30, 30))
    draw.rectangle((width * 0.45, height * 0.38, width * 0.55, height * 0.42), fill=(40, 40, 40))
    for i in range(5):
        x = width * (0.28 + i * 0.1)
        draw.rectangle((x, height * 0.3, x + 18, height * 0.5), fill=(190, 196, 204))
        draw.ellipse((x - 22, height * 0.26, x + 40, height * 0.33), fill=(190, 196, 204))
    draw.rectangle((width * 0.05, height * 0.2, width * 0.15, height * 0.24), fill=(250, 200, 40))
    draw.rectangle((width * 0.15, height * 0.215, width * 0.3, height * 0.225), fill=(180, 186, 194))
    return grain(image, seed=5)


def portrait(size: tuple[int, int] = (1600, 1067)) -> Image.Image:
    """Two people talking at a table, as flat silhouettes: the interview photo."""
    width, height = size
    image = vertical_gradient(size, (238, 226, 210), (206, 190, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width * 0.68, height * 0.08, width * 0.92, height * 0.5), fill=(180, 210, 200))
    for cx, colour in ((width * 0.3, (52, 80, 120)), (width * 0.7, (150, 60, 70))):
        draw.ellipse((cx - 110, height * 0.22, cx + 110, height * 0.22 + 220), fill=(120, 86, 70))
        draw.rounded_rectangle((cx - 220, height * 0.46, cx + 220, height * 1.1), 120, fill=colour)
    draw.rectangle((width * 0.1, height * 0.78, width * 0.9, height), fill=(130, 96, 64))
    draw.rectangle((width * 0.46, height * 0.70, width * 0.54, height * 0.78), fill=(240, 240, 240))
    return grain(image, seed=6)


def sensor_map(size: tuple[int, int] = (1400, 900)) -> Image.Image:
    """A city map with fine-dust sensors coloured by their reading (a figure in a post)."""
    width, height = size
    image = Image.new("RGB", size, (242, 239, 233))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, height * 0.55), (width * 0.4, height * 0.48), (width, height * 0.62),
                  (width, height * 0.7), (width * 0.4, height * 0.56), (0, height * 0.63)], fill=(160, 200, 235))
    for i in range(0, width, 140):
        draw.line((i, 0, i + 90, height), fill=(255, 255, 255), width=14)
    for j in range(0, height, 130):
        draw.line((0, j, width, j - 60), fill=(255, 255, 255), width=10)
    rng = random.Random(7)
    for _ in range(90):
        x, y = rng.randrange(30, width - 30), rng.randrange(30, height - 30)
        reading = rng.random()
        colour = (round(60 + 190 * reading), round(190 - 130 * reading), 70)
        draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=colour, outline=(255, 255, 255), width=4)
    return image


def collaboration_chart(size: tuple[int, int] = (1400, 800)) -> Image.Image:
    """The seed post's diagram: labs and administrations, linked by shared projects."""
    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    labs = [(width * 0.18, height * (0.2 + 0.2 * i)) for i in range(4)]
    towns = [(width * 0.82, height * (0.25 + 0.25 * i)) for i in range(3)]
    for i, lab in enumerate(labs):
        for j, town in enumerate(towns):
            if (i + j) % 2 == 0 or i == j:
                draw.line((*lab, *town), fill=(170, 180, 190), width=6)
    for x, y in labs:
        draw.ellipse((x - 50, y - 50, x + 50, y + 50), fill=TOPIC_COLOURS["community"])
    for x, y in towns:
        draw.rectangle((x - 60, y - 45, x + 60, y + 45), fill=TOPIC_COLOURS["project"])
    draw.rounded_rectangle((width * 0.42, height * 0.4, width * 0.58, height * 0.6), 24,
                           fill=TOPIC_COLOURS["toolbox"])
    return image


# ---------------------------------------------------------------- topic fallback images

def topic_image(topic: str) -> Image.Image:
    """A flat 1200×630 design in the topic's colour, one motif per topic."""
    colour = TOPIC_COLOURS[topic]
    light = tuple(min(255, c + 70) for c in colour)
    dark = tuple(max(0, c - 50) for c in colour)
    image = Image.new("RGB", CARD_SIZE, colour)
    draw = ImageDraw.Draw(image)
    MOTIFS[topic](draw, light, dark)
    return image


def _community(draw: ImageDraw.ImageDraw, light, dark) -> None:
    nodes = [(200 + (i % 5) * 200, 130 + (i // 5) * 180 + (i % 2) * 60) for i in range(15)]
    for a, b in zip(nodes, nodes[1:] + nodes[:3]):
        draw.line((*a, *b), fill=light, width=8)
    for x, y in nodes:
        draw.ellipse((x - 34, y - 34, x + 34, y + 34), fill=dark, outline=light, width=8)


def _event(draw: ImageDraw.ImageDraw, light, dark) -> None:
    for week in range(4):
        for day in range(7):
            x, y = 180 + day * 125, 120 + week * 120
            fill = light if (week * 7 + day) in (10, 11) else dark
            draw.rounded_rectangle((x, y, x + 100, y + 95), 14, fill=fill)


def _story(draw: ImageDraw.ImageDraw, light, dark) -> None:
    draw.rounded_rectangle((240, 90, 960, 540), 30, fill=dark)
    draw.line((600, 90, 600, 540), fill=light, width=10)
    for row in range(7):
        y = 150 + row * 52
        draw.line((290, y, 560 - (row % 3) * 40, y), fill=light, width=14)
        draw.line((640, y, 910 - ((row + 1) % 3) * 40, y), fill=light, width=14)


def _project(draw: ImageDraw.ImageDraw, light, dark) -> None:
    for row in range(3):
        for col in range(6):
            cx = 170 + col * 170 + (row % 2) * 85
            cy = 150 + row * 150
            points = [(cx + 80 * math.cos(math.pi / 3 * k + math.pi / 6),
                       cy + 80 * math.sin(math.pi / 3 * k + math.pi / 6)) for k in range(6)]
            draw.polygon(points, fill=light if (row + col) % 4 == 0 else dark)


def _toolbox(draw: ImageDraw.ImageDraw, light, dark) -> None:
    cx, cy = 600, 315
    teeth = [(cx + (210 if k % 2 == 0 else 160) * math.cos(math.pi / 8 * k),
              cy + (210 if k % 2 == 0 else 160) * math.sin(math.pi / 8 * k)) for k in range(16)]
    draw.polygon(teeth, fill=dark)
    draw.ellipse((cx - 70, cy - 70, cx + 70, cy + 70), fill=light)
    draw.line((120, 560, 380, 300), fill=light, width=40)
    draw.line((820, 330, 1080, 70), fill=light, width=40)


def _interview(draw: ImageDraw.ImageDraw, light, dark) -> None:
    draw.rounded_rectangle((160, 110, 640, 370), 60, fill=light)
    draw.polygon([(260, 360), (330, 360), (230, 460)], fill=light)
    draw.rounded_rectangle((560, 250, 1040, 510), 60, fill=dark)
    draw.polygon([(940, 500), (870, 500), (970, 590)], fill=dark)


MOTIFS = {"community": _community, "event": _event, "story": _story,
          "project": _project, "toolbox": _toolbox, "interview": _interview}


def main() -> None:
    save_jpeg(open_door(), BLOG / "geoeffnet.jpg")
    save_png(collaboration_chart(), BLOG / "Grafik-Zusammenarbeit-Labs-Verwaltungen.png")
    save_jpeg(rooftop_gateway(), BLOG / "lorawan-gateway.jpg")
    save_jpeg(hackday_room(), BLOG / "hackday-2023" / "header.jpg")
    save_jpeg(toolbox_photo(), BLOG / "werkzeugkiste.jpg")
    save_jpeg(portrait(), BLOG / "interview-datenstelle.jpg")
    save_png(sensor_map(), BLOG / "feinstaub-karte.png")
    for topic in TOPIC_COLOURS:
        save_png(topic_image(topic), HEADER / f"{topic}.png")


if __name__ == "__main__":
    main()
