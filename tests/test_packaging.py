"""The package as users install it: an sdist that holds the fonts, a wheel built from that sdist
that holds every module, its data files and the bundled faces, installed into a fresh virtual environment
outside the checkout, drawing a card with the bundled faces on a machine with no fonts at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

FONT_FILES = ("InterDisplay-Bold.otf", "Inter-Medium.otf", "Twemoji.ttf", "OFL.txt", "LICENSE-Twemoji.md")

CARD_SCRIPT = """
import json, sys
from pathlib import Path
from syndicate.cards import card_spec, look_of, post_page, render_cards
from syndicate.cards.composition import compose
from syndicate.cards.fonts import bundled, system_faces
from syndicate.diagnostics import Diagnostics
from syndicate.site import load_site
import dataclasses
site = load_site(sys.argv[1])
diagnostics = Diagnostics()
look = look_of(site.settings)
post = dataclasses.replace(site.posts[0], title="Zoë Ελληνικά Русский 😀🎉")
card = compose(card_spec(post_page(post, site.settings, look), look, site.settings, diagnostics))
made = render_cards(site, diagnostics, jobs=1)
print(json.dumps({
    "bundled": str(bundled("title")),
    "faces": sorted({str(p.face.path) for line in card.title.lines for p in line.pieces}),
    "system": [str(f.path) for f in system_faces("bold", "de")],
    "warnings": [str(d) for d in diagnostics.warnings],
    "card": len(next(iter(made.values())).read()),
}))
"""


def source_copy(target: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) copied away: building writes beside them."""
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("not a git checkout: cannot tell the project's files from the rest")
    for name in filter(None, listing.stdout.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_backend(folder: Path, hook: str, out: Path) -> Path:
    """setuptools' PEP 517 hook, offline (no isolated build environment to download)."""
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    pytest.importorskip("setuptools", minversion="70.1")
    base = tmp_path_factory.mktemp("packaging")
    source = source_copy(base / "source")
    sdist = build_backend(source, "build_sdist", base / "dist")
    with tarfile.open(sdist) as archive:
        # The "data" filter arrived in Python 3.11.4 (Debian 12 has 3.11.2); our own sdist is trusted.
        archive.extractall(base / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    unpacked = next((base / "unpacked").iterdir())
    wheel = build_backend(unpacked, "build_wheel", base / "dist")  # the wheel is built from the sdist
    return sdist, wheel


def test_the_sdist_holds_the_fonts_and_their_licenses(built):
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"fonts/{name}" for name in FONT_FILES} <= names


def test_the_wheel_holds_every_module_its_data_and_the_bundled_fonts(built):
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "syndicate").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    assert {f"syndicate/fonts/{name}" for name in FONT_FILES} <= names
    data = {p.relative_to(REPO).as_posix() for p in (REPO / "syndicate").rglob("*") if p.suffix in (".xsl", ".css")}
    assert data and data <= names, sorted(data - names)  # the feeds' stylesheet, the gallery's style
    assert wheel.stat().st_size < 2_000_000  # three faces: Inter twice, Twemoji in colour


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig is not installed: cannot hide its fonts")
def test_a_wheel_installed_in_a_fresh_venv_draws_with_its_bundled_faces_on_a_machine_without_fonts(built, tmp_path):
    _, wheel = built
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies come from this environment's site-packages (no network); its editable
    # install of syndicate is not seen, since .pth files inside a path added this way are not run.
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (site_packages / "dependencies.pth").write_text("\n".join(ours) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "--quiet", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{empty}</dir>'
                      f'<cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>\n')
    site = REPO / "tests" / "sites" / "minimal"
    if not site.is_dir():
        site = tmp_path / "site"
        (site / "content" / "blog").mkdir(parents=True)
        (site / "content" / "blog" / "2024-01-01-hallo.md").write_text("---\ntitle: Hallo\n---\nText.\n")
        (site / "syndicate.toml").write_text('[site]\nbase_url = "https://example.org/"\n[build]\n'
                                             f'state_dir = "{tmp_path / "state"}"\n')
    result = subprocess.run([str(python), "-c", CARD_SCRIPT, str(site)], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(config), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bundled"].startswith(str(site_packages)), report  # the installed copy, not the checkout
    assert report["system"] == []  # the machine has no fonts
    assert report["faces"] == sorted({report["bundled"], str(Path(report["bundled"]).with_name("Twemoji.ttf"))})
    assert report["warnings"] == [] and report["card"] > 10_000


def test_an_editable_install_finds_the_fonts_in_the_checkouts_fonts_folder():
    import syndicate
    from syndicate.cards.fonts import bundled

    if not Path(syndicate.__file__).resolve().is_relative_to(REPO):
        pytest.skip("syndicate is not installed from this checkout (pip install -e .)")
    assert bundled("title") == REPO / "fonts" / "InterDisplay-Bold.otf"
    assert bundled("emoji").is_file()
