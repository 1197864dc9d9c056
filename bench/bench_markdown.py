"""Markdown engines on the real corpus: posts/s, and equivalence with the previous renderer and Hugo.

    python bench/run.py markdown

Every Markdown body of the five corpus sites, its shortcodes expanded as syndicate expands them,
rendered by each engine installed (comrak is syndicate's; markdown-it-py was; cmarkgfm, pyromark
and markdown-it-pyrs are the other compiled candidates), then sanitised by syndicate's nh3 rules
and compared as html5lib trees (markdown_equivalence.canonical) with markdown-it-py's and with
Hugo 0.111's own output for the same bodies.
"""

from __future__ import annotations

import collections
import importlib.util
import re
import time
import warnings
from collections.abc import Callable

from markdown_equivalence import (
    CATEGORIES,
    canonical,
    category,
    corpus_posts,
    difference,
    engine_input,
    hugo_renderer,
    markdown_it_renderer,
)

from syndicate.render import Markup, markdown_to_html, sanitize, with_heading_ids

PAGE_URL = "https://example.org/blog/post/"
HEADING_ID = re.compile(r"<h[1-6][^>]* id=\"([^\"]*)\"")


def engines() -> dict[str, Callable[[str], str]]:
    """Every engine that is installed, configured for the extensions Goldmark enables."""
    found: dict[str, Callable[[str], str]] = {
        "markdown-it-py (before)": markdown_it_renderer(),
        "comrak (syndicate)": lambda text: with_heading_ids(markdown_to_html(text, Markup())),
    }
    if importlib.util.find_spec("cmarkgfm"):
        import cmarkgfm
        from cmarkgfm.cmark import Options

        options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SMART | Options.CMARK_OPT_FOOTNOTES
        found["cmarkgfm (no deflists)"] = lambda text: cmarkgfm.markdown_to_html_with_extensions(
            text, options=options, extensions=["table", "strikethrough", "autolink", "tasklist"])
    if importlib.util.find_spec("pyromark"):
        import pyromark

        flags = pyromark.Options
        pyro = (flags.ENABLE_TABLES | flags.ENABLE_FOOTNOTES | flags.ENABLE_STRIKETHROUGH | flags.ENABLE_TASKLISTS
                | flags.ENABLE_SMART_PUNCTUATION | flags.ENABLE_DEFINITION_LIST | flags.ENABLE_HEADING_ATTRIBUTES)
        found["pyromark (no linkify)"] = lambda text: pyromark.html(text, options=pyro)
    if importlib.util.find_spec("markdown_it_pyrs"):
        import markdown_it_pyrs

        rust = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(
            ["linkify", "replacements", "smartquotes", "strikethrough", "table", "tasklist", "footnote",
             "heading_anchors", "deflist"])
        found["markdown-it-pyrs"] = rust.render
    return found


def render_all(engine: Callable[[str], str], texts: list[str]) -> tuple[list[str | None], float]:
    """Every body rendered (None where the engine crashed) and the seconds it took."""
    results: list[str | None] = []
    start = time.perf_counter()
    for text in texts:
        try:
            results.append(engine(text))
        except BaseException:  # markdown-it-pyrs panics (a Rust panic is a BaseException)
            results.append(None)
    return results, time.perf_counter() - start


def main(quick: bool) -> None:
    texts = [engine_input(post) for post in corpus_posts()]
    if not texts:
        print("\n## Markdown engines: skipped (../shared/corpus is not present)")
        return
    if quick:
        texts = texts[::10]
    print(f"\n## Markdown engines on {len(texts):,} corpus bodies (five sites; shared cores: ±20%)")
    hugo = hugo_renderer(texts)
    canon = {}

    def canonical_of(outputs: list[str | None]) -> list[str | None]:
        return [None if out is None else canonical(sanitize(out, PAGE_URL)) for out in outputs]

    hugo_canon = canonical_of(hugo) if hugo else None
    timings = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, engine in engines().items():
            outputs, seconds = render_all(engine, texts)
            timings[name] = seconds
            canon[name] = canonical_of(outputs)
            if name.startswith("comrak"):
                comrak_raw = outputs
    reference = canon["markdown-it-py (before)"]
    base = timings["markdown-it-py (before)"]
    print(f"{'engine':28} {'posts/s':>9} {'× before':>9} {'crashes':>8} {'= before':>9} {'= Hugo':>7}")
    for name, seconds in timings.items():
        outputs = canon[name]
        same = sum(a is not None and a == b for a, b in zip(outputs, reference))
        as_hugo = sum(a is not None and a == h for a, h in zip(outputs, hugo_canon)) if hugo_canon else "-"
        crashes = sum(out is None for out in outputs)
        print(f"{name:28} {len(texts) / seconds:9,.0f} {base / seconds:9.1f} {crashes:8} {same:9} {as_hugo:>7}")
    print(f"(= before / = Hugo: posts whose sanitised HTML is the same html5lib tree as markdown-it-py's / "
          f"Hugo 0.111's; Hugo {'not installed' if not hugo else 'rendered the same bodies'})")
    _explain(canon["comrak (syndicate)"], reference, hugo_canon)
    if hugo:
        _heading_ids(comrak_raw, hugo)


def _explain(comrak: list[str | None], before: list[str | None], hugo: list[str | None] | None) -> None:
    """Every post where comrak and markdown-it-py differ: the kind of difference, and whom Hugo agrees with."""
    table: collections.Counter[tuple[str, str]] = collections.Counter()
    examples: dict[str, tuple[str, str]] = {}
    for index, (ours, theirs) in enumerate(zip(comrak, before)):
        if ours == theirs or ours is None or theirs is None:
            continue
        kind = category(ours, theirs)
        examples.setdefault(kind, difference(ours, theirs))
        judge = "-" if hugo is None else ("comrak" if hugo[index] == ours else
                                          "markdown-it-py" if hugo[index] == theirs else "neither")
        table[(kind, judge)] += 1
    print(f"\nWhere comrak and markdown-it-py differ ({sum(table.values())} posts), by the first difference:")
    print(f"{'kind':16} {'posts':>6}  {'Hugo = comrak':>13} {'Hugo = md-it':>12} {'neither':>8}  what")
    for kind, meaning in CATEGORIES.items():
        counts = [table[(kind, judge)] for judge in ("comrak", "markdown-it-py", "neither", "-")]
        if sum(counts):
            print(f"{kind:16} {sum(counts):6}  {counts[0]:13} {counts[1]:12} {counts[2]:8}  {meaning}")
    for kind, (ours, theirs) in examples.items():
        print(f"  e.g. {kind}: comrak {ours[:110]!r}\n{'':20}md-it  {theirs[:110]!r}")


def _heading_ids(comrak: list[str | None], hugo: list[str]) -> None:
    ours = [HEADING_ID.findall(out or "") for out in comrak]
    theirs = [HEADING_ID.findall(out) for out in hugo]
    total = sum(len(ids) for ids in theirs)
    same = sum(a == b for mine, hugos in zip(ours, theirs) for a, b in zip(mine, hugos))
    print(f"\nHeading ids: {same:,} of Hugo's {total:,} are the same as syndicate's (markdown-it-py gave none)")
