"""load_settings: every layer read in order, later wins — built-in defaults → the Hugo config (as
Hugo reads it, with its HUGO_* variables) → [tool.syndicate] in pyproject.toml → syndicate.toml →
HUGO_BASEURL → the command line (--base-url beats everything) — then the values checked, Hugo's
site model and the posts folders added."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Mapping

from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from ..hugoconfig import HugoConfig, read_config_file, read_hugo_config
from .checks import check_values
from .hugo import hugo_layer, hugo_settings
from .layers import Layer, Place, validated
from .schema import SECTIONS, Settings
from .sections import with_posts_folders


def load_settings(root: Path | str = ".", overrides: Mapping[str, Mapping[str, Any]] | None = None,
                  diagnostics: Diagnostics | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings of the site at `root`. Raises SyndicateError on a configuration error;
    warnings (unknown keys) go to `diagnostics` and are carried on as `Settings.warnings`."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise SyndicateError(Diagnostic(str(root), None, Level.ERROR,
                                        "site folder does not exist; pass --site DIR"))
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    first_warning = len(diagnostics.items)
    environ = os.environ if environ is None else environ
    hugo = read_hugo_config(root, environ)
    layers, sources = _layers(root, hugo, overrides, environ)
    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    places: dict[str, Place] = {}
    for layer in layers:
        for section, values in validated(layer, diagnostics).items():
            merged[section].update(values)
            places.update({f"{section}.{key}": layer.place(section, key) for key in values})
    settings = Settings(root=root, sources=tuple(sources), **{name: SECTIONS[name](**merged[name]) for name in SECTIONS})
    check_values(settings, places, hugo)
    # One trailing slash, so that a path appended to it stays below a base URL with a path prefix.
    settings = dataclasses.replace(settings, site=dataclasses.replace(
        settings.site, base_url=settings.site.base_url.rstrip("/") + "/"))
    settings = dataclasses.replace(settings, hugo=hugo_settings(hugo, settings),
                                   warnings=tuple(diagnostics.items[first_warning:]))
    return with_posts_folders(settings, hugo)


def _layers(root: Path, hugo: HugoConfig | None, overrides: Mapping[str, Mapping[str, Any]] | None,
            environ: Mapping[str, str]) -> tuple[list[Layer], list[str]]:
    """The layers in the order they apply, and the files they were read from (for --watch)."""
    layers: list[Layer] = [hugo_layer(hugo)] if hugo else []
    sources = [str(file) for file in hugo.files] if hugo else []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        values, lines = read_config_file(pyproject, root)
        tool = values.get("tool", {}).get("syndicate")
        if isinstance(tool, dict):
            ours = {path[2:]: line for path, line in lines.items() if path[:2] == ("tool", "syndicate") and path[2:]}
            layers.append(Layer("pyproject.toml", tool, ours))
            sources.append(str(pyproject))
    own = root / "syndicate.toml"
    if own.is_file():
        layers.append(Layer("syndicate.toml", *read_config_file(own, root)))
        sources.append(str(own))
    if environ.get("HUGO_BASEURL"):  # Hugo's environment beats every file, as in Hugo
        where = "environment variable HUGO_BASEURL"
        layers.append(Layer(where, {"site": {"base_url": environ["HUGO_BASEURL"]}},
                            places={"site.base_url": Place(where, None, "HUGO_BASEURL")}))
    if overrides:
        layers.append(Layer("command line", {k: dict(v) for k, v in overrides.items()},
                            places={"site.base_url": Place("command line", None, "--base-url")}))
    return layers, sources
