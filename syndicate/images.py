"""A post's share image, the Hugo way: the front-matter keys themes use (Hugo's own opengraph
template reads `images`), then a bundle resource named like a feature, cover or thumbnail image;
relative paths resolve against the bundle, then the static folder."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from .config import Settings
from .content import ImageRef, Post, as_list
from .diagnostics import Diagnostics
from .permalinks import encode, url_on_site
from .sitefiles import outside_site, site_relative

# Front-matter keys (lower case) that name a share image, in the order they are tried.
IMAGE_KEYS = ("og-image", "og_image", "socialimg", "images", "image", "cover", "featured_image",
              "featureimage", "featuredimage", "feature_image", "thumbnail")
# Hugo's opengraph template: `*feature*`, else `{*cover*,*thumbnail*}` among the bundle's images.
RESOURCE_PATTERNS = (("*feature*",), ("*cover*", "*thumbnail*"))
RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff")  # what a card can be drawn on


@dataclass(frozen=True)
class ImageCheck:
    """A file whose existence decided an image; a cached post is valid while each still holds."""
    file: str
    existed: bool

    def still_holds(self) -> bool:
        return Path(self.file).is_file() == self.existed


@dataclass(frozen=True)
class _Candidate:
    key: str            # what names it: a front-matter key, `imgname`, or `resource`
    reference: str
    attribution: str = ""
    alt: str = ""
    line_key: str = ""  # the front-matter key whose line a warning points at


def with_image(post: Post, settings: Settings, diagnostics: Diagnostics, checks: list[ImageCheck]) -> Post:
    """The post with its photo (the first candidate that exists) and the key that gave it."""
    for candidate in _candidates(post):
        image = resolve_image(candidate.reference, post, settings, diagnostics, post.key_lines.get(candidate.line_key),
                              checks, section_first=candidate.key == "imgname")
        if image is not None:
            image = dataclasses.replace(image, attribution=candidate.attribution, alt=candidate.alt or post.title)
            return dataclasses.replace(post, image=image, image_key=candidate.key)
    return post


def _candidates(post: Post) -> list[_Candidate]:
    found: list[_Candidate] = []
    first_credit = post.images[0].attribution if post.images else ""
    for key in IMAGE_KEYS:
        value = post.params.get(key)
        if key == "images":
            kind = "imgname" if any(isinstance(item, dict) for item in as_list(value)) else "images"
            found += [_Candidate(kind, image.name, image.attribution, image.caption, "images") for image in post.images]
        elif key == "cover" and isinstance(value, dict):
            found += [_Candidate("cover", str(value["image"]).strip(), "", _text(value.get("alt")), "cover")
                      for _ in [0] if isinstance(value.get("image"), str) and value["image"].strip()]
        else:
            for item in as_list(value)[:1]:
                if isinstance(item, str) and item.strip():
                    kind = "og-image" if key in ("og-image", "og_image") else key
                    found.append(_Candidate(kind, item.strip(), first_credit if kind == "og-image" else "", "", key))
    for patterns in RESOURCE_PATTERNS if post.bundle else ():
        match = next((name for name in post.resources if name.lower().endswith(RASTER)
                      and any(fnmatch.fnmatch(name.lower(), p) for p in patterns)), None)
        if match:
            found.append(_Candidate("resource", match))
            break
    return found


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def resolve_image(reference: str, post: Post, settings: Settings, diagnostics: Diagnostics, line: int | None,
                  checks: list[ImageCheck] | None = None, section_first: bool = False) -> ImageRef | None:
    """An image reference from front matter → ImageRef; None (with a diagnostic) if unusable.

    A relative name is looked for in the post's bundle first, then the static folder: at its root
    (where Hugo's absURL points) and in the section's folder (codefor.de's theme reads
    `images[].imgname` from static/blog/; `section_first` tries that one first)."""
    parts = urlsplit(reference)
    if parts.scheme in ("http", "https"):
        return ImageRef(url=reference, file=None)
    if parts.scheme or "\0" in reference or "\\" in reference:
        diagnostics.error(post.source, line, f"image '{reference}' is not a path inside the site; "
                          "use a path under the static folder such as /blog/photo.jpg")
        return None
    reference = parts.path
    static = settings.static_dir.resolve()
    places: list[tuple[Path, Path, str]] = []  # (folder it must stay in, file, URL)
    own_folder = unquote(urlsplit(post.link_base).path)
    in_bundle = reference.removeprefix(own_folder) if reference.startswith(own_folder) else reference
    if post.bundle and not in_bundle.startswith("/"):  # relative, or the bundle's own URL folder
        bundle = (settings.root / post.bundle).resolve()
        places.append((bundle, bundle / in_bundle, post.link_base + encode(in_bundle)))
    in_section = (static, static / post.section / reference, f"/{post.section}/{reference}")
    at_root = (static, static / reference.lstrip("/"), "/" + reference.lstrip("/"))
    if reference.startswith("/"):
        places.append(at_root)
    else:
        places += [in_section, at_root] if section_first else [at_root, in_section]
    tried = []
    for folder, file, url in places:
        file = Path(os.path.normpath(file))
        if folder not in file.parents or outside_site(file, settings.root):
            where = "the post's bundle and the site's static folder" if post.bundle else "the site's static folder"
            diagnostics.error(post.source, line, f"image '{reference}' leaves {where}; "
                              "use a path under it such as /blog/photo.jpg")
            return None
        exists = file.is_file()
        if checks is not None:
            checks.append(ImageCheck(str(file), exists))
        if exists:
            url = url if url.startswith(("http://", "https://")) else url_on_site(settings.site.base_url, url)
            return ImageRef(url, file, *(("", "") + image_header(file)))
        tried.append(site_relative(file, settings.root))
    if reference.startswith("/static/"):
        # Hugo serves static/ at the site root: '/static/blog/x.png' is a broken link on the site.
        fixed = reference.removeprefix("/static")
        if (static / fixed.lstrip("/")).is_file():
            diagnostics.warn(post.source, line, f"image '{reference}' includes the static folder in its path; "
                             f"the site serves it as '{fixed}', so write that")
            return resolve_image(fixed, post, settings, Diagnostics(), line, checks)
    if reference.startswith("/") and os.path.isfile(reference):
        diagnostics.error(post.source, line, f"image '{reference}' is an absolute file path outside the "
                          "site; copy the image into the static folder and use /blog/<name>")
        return None
    diagnostics.warn(post.source, line, f"image '{reference}' not found at {' or '.join(tried)}; "
                     "a fallback image is used instead")
    return None


def fallback_images(post: Post, settings: Settings,
                    checks: list[ImageCheck] | None = None) -> tuple[tuple[str, ImageRef], ...]:
    """What a post without a photo is shown with, best first: its topic's header image
    (static/blog/header_images/<topic>.png, as codefor.de's theme has them), then `default_image`."""
    section = post.section or settings.section
    candidates = [("topic", f"{section}/header_images/{post.topics[0]}.png")] if post.topics else []
    if settings.content.default_image:
        candidates.append(("default", settings.content.default_image.lstrip("/")))
    found = [(kind, _static_image(site_path, settings, checks)) for kind, site_path in candidates]
    return tuple((kind, image) for kind, image in found if image is not None)


def default_image(settings: Settings) -> ImageRef | None:
    """The site's `default_image` (Hugo's params.images), when it is a file: what pages without
    an image of their own are shown with."""
    path = settings.content.default_image.lstrip("/")
    return _static_image(path, settings) if path else None


def default_image_file(settings: Settings) -> Path | None:
    """The file of the site's `default_image`, without reading its header (a card needs no more)."""
    path = settings.content.default_image.lstrip("/")
    return _static_file(path, settings) if path else None


def _static_image(site_path: str, settings: Settings, checks: list[ImageCheck] | None = None) -> ImageRef | None:
    file = _static_file(site_path, settings, checks)
    if file is None:
        return None
    url = url_on_site(settings.site.base_url, PurePosixPath(site_path).as_posix())
    return ImageRef(url, file, "", "", *image_header(file))


def _static_file(site_path: str, settings: Settings, checks: list[ImageCheck] | None = None) -> Path | None:
    static = os.path.normpath(settings.static_dir)
    file = os.path.normpath(os.path.join(static, site_path))
    if not file.startswith(static + os.sep):  # a topic may hold "../"
        return None
    exists = os.path.isfile(file) and not outside_site(Path(file), settings.root)
    if checks is not None:
        checks.append(ImageCheck(file, exists))
    return Path(file) if exists else None


def image_header(file: Path) -> tuple[int, int, str]:
    """(width, height, MIME type) from the image's header, or (0, 0, "") if it is no image."""
    stat = file.stat()
    return _image_header(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)  # many posts share an image; the key changes when the file does
def _image_header(file: Path, mtime_ns: int, size: int) -> tuple[int, int, str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:  # reads the header only, not the pixels
            return image.size[0], image.size[1], Image.MIME.get(image.format or "", "")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return 0, 0, ""  # the card stage reports images it cannot use
