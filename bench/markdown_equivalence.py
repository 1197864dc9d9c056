"""Markdown engines compared on the real corpus: every body of every site under ../shared/corpus,
rendered by the previous renderer (markdown-it-py), by comrak (today's) and by Hugo itself,
compared as html5lib trees, every difference counted and put in a category.

Used by bench/bench_markdown.py (all posts) and tests/test_markdown_equivalence.py (a sample).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generate_site import CORPUS_ROOT, FRONT_MATTER, SITES

SITE_ROOTS = {folder.split("/")[0]: folder for folder in SITES}


@dataclass(frozen=True)
class CorpusPost:
    site: str
    root: Path
    source: str          # relative to the site root
    body: str            # the Markdown after the front matter
    body_line: int


def corpus_posts() -> Iterator[CorpusPost]:
    """Every Markdown file (.md, .markdown; translations and bundle resources too) under each corpus
    site's content/blog; none without the corpus."""
    for site, folder in SITE_ROOTS.items():
        root = CORPUS_ROOT / folder
        for file in sorted((root / "content" / "blog").rglob("*")):
            if file.suffix in (".md", ".markdown") and file.name != "_index.md" and file.is_file():
                text = file.read_text(encoding="utf-8-sig", errors="replace")
                match = FRONT_MATTER.match(text)
                start = match.end() if match else 0
                yield CorpusPost(site, root, file.relative_to(root).as_posix(), text[start:],
                                 text.count("\n", 0, start) + 1)


def engine_input(post: CorpusPost) -> str:
    """The post's Markdown as syndicate hands it to the engine: shortcodes expanded; what is left of
    `{{` (escaped shortcodes) broken up so that Hugo does not run it either."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.render import markdown_to_html
    from syndicate.shortcodes import ShortcodePage, expand_shortcodes

    page = ShortcodePage(post.source, post.body_line, lambda target, source: ("https://example.org/", True), {}, {},
                         frozenset(), markdown_to_html)
    return expand_shortcodes(post.body, page, Diagnostics()).markdown.replace("{{", "{\u200b{")


@lru_cache(maxsize=1)
def markdown_it_renderer() -> Callable[[str], str]:
    """The renderer before comrak, exactly as syndicate configured markdown-it-py."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes", "linkify"])
    return md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin).render


def hugo_renderer(bodies: list[str]) -> list[str] | None:
    """Hugo's own HTML for each body (Goldmark, Hugo's defaults, unsafe on), or None without hugo."""
    if shutil.which("hugo") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="syndicate-hugo-") as folder:
        site = Path(folder)
        (site / "hugo.toml").write_text(
            'baseURL = "https://example.org/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", '
            '"404"]\n[markup.goldmark.renderer]\nunsafe = true\n[markup.highlight]\ncodeFences = false\n')
        (site / "layouts" / "_default").mkdir(parents=True)
        (site / "layouts" / "_default" / "single.html").write_text("{{ .Content }}")
        (site / "layouts" / "_default" / "list.html").write_text("")
        (site / "content" / "p").mkdir(parents=True)
        for number, body in enumerate(bodies):
            (site / "content" / "p" / f"{number}.md").write_text(f"---\ntitle: p\n---\n{body}")
        subprocess.run(["hugo", "--quiet", "-s", str(site)], check=True, capture_output=True, timeout=600)
        pages = [site / "public" / "p" / str(number) / "index.html" for number in range(len(bodies))]
        return [page.read_text() if page.is_file() else "" for page in pages]  # an empty body has no page


# ---------------------------------------------------------------- comparing

WHITESPACE = re.compile(r"\s+")
TOKEN = re.compile(r"<[^>]*>|[^<]+")


def canonical(fragment: str) -> str:
    """An html5lib tree as text, with what no reader sees set aside: whitespace between and inside
    blocks (but not in <pre>), attribute order and empty-valued boolean attributes, and the markup
    each engine gives footnotes (ids, classes, roles, separators; the numbers and links stay)."""
    import html5lib

    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    out: list[str] = []

    def attributes(element) -> str:
        kept = []
        for name, value in sorted(element.attrib.items()):
            if name in ("id", "class", "role") or name.startswith(("data-", "aria-")):
                continue
            if name in ("checked", "disabled"):
                value = ""
            if name == "href" and "#fn" in value:  # #fn1, #fn-1, #fn:1: each engine names them its way
                value = value[:value.index("#fn")] + "#fn"
            kept.append(f" {name}={WHITESPACE.sub(' ', value).strip()!r}")
        return "".join(kept)

    def text(value: str, pre: bool) -> None:
        value = re.sub(r"^\[(\d+)\]$", r"\1", value.replace("\ufe0e", "").replace("\ufe0f", ""))
        value = value if pre else WHITESPACE.sub(" ", value)
        if pre or value.strip():
            out.append(value)

    def walk(element, pre: bool, footnotes: bool) -> None:
        classes = element.get("class") or ""
        name = "div" if element.tag == "section" else element.tag
        if name == "hr" and (footnotes or "footnotes-sep" in classes):
            return
        footnotes = footnotes or "footnotes" in classes
        pre = pre or name == "pre"
        out.append(f"<{name}{attributes(element)}>")
        content(element, pre, footnotes)
        out.append(f"</{name}>")

    def content(element, pre: bool, footnotes: bool) -> None:
        if element.text:
            text(element.text, pre)
        for child in element:
            if isinstance(child.tag, str):
                walk(child, pre, footnotes)
            if child.tail:
                text(child.tail, pre)

    content(tree, False, False)
    return re.sub(r" (</(?:p|li|h\d|td|th|dd|dt|a|em|strong)>)", r"\1", "".join(out))


CATEGORIES = {
    "linkify": "markdown-it-py's linkify also links bare domains (codefor.de, G0V.tw) and gives www. "
               "http://; Goldmark and syndicate link only www. (https://) and scheme:// addresses",
    "inline footnotes": "^[an inline footnote]: markdown-it-py's footnote plugin reads it; Goldmark and comrak "
                        "(as configured) leave the text",
    "typographer": "smart punctuation: which straight quote becomes which curly one (also in alt text), `..` → …",
    "replacements": "markdown-it-py's (c) (r) (tm) +- → © ® ™ ± (even in C++-11 → C+±11); Goldmark has none",
    "strikethrough": "~~x~~ is <del> in Goldmark and comrak, <s> in markdown-it-py",
    "autolinks": "a linked URL's non-ASCII text and host: percent-encoded (Goldmark, comrak) or punycode",
    "heading attributes": "## Title {#id}: Goldmark's attribute syntax, which syndicate reads and markdown-it-py "
                          "left as text",
    "footnotes": "a footnote referenced twice: markdown-it-py numbers the second reference [3:1]",
    "html and lists": "where a raw HTML block or a lazy line ends a list item or paragraph",
    "other": "anything else",
}
TYPOGRAPHY = set("\"'“”‘’„‚«»<>–—…. -")


def difference(ours: str, theirs: str) -> tuple[str, str]:
    """The first differing stretch of two canonical texts (a few tokens either side)."""
    a, b = TOKEN.findall(ours), TOKEN.findall(theirs)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            left, right = "".join(a[max(0, i1 - 2):i2 + 2]), "".join(b[max(0, j1 - 2):j2 + 2])
            start = max(0, len(os.path.commonprefix([left, right])) - 40)
            return left[start:start + 100], right[start:start + 100]
    return "", ""


def category(ours: str, theirs: str) -> str:
    """Which kind of difference the first differing stretch is."""
    a, b = TOKEN.findall(ours), TOKEN.findall(theirs)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        left, right = a[i1:i2], b[j1:j2]
        if _only_links_differ(left, right) or _only_links_differ(right, left) or _only_scheme_differs(left, right):
            return "linkify"
        if any("^[" in t for t in left + right) and any(t.startswith("<sup") for t in left + right):
            return "inline footnotes"
        ours_text, theirs_text = "".join(left), "".join(right)
        if ours_text.strip(" ") == theirs_text.strip(" ") or _typography_only(ours_text, theirs_text):
            return "typographer"
        for kind, found in (("strikethrough", any(t.startswith(("<del", "<s>")) for t in left + right)),
                            ("replacements", bool(set(theirs_text) & set("©®™±")) and not set(ours_text) & set("©®™±")),
                            ("heading attributes", "{#" in theirs_text),
                            ("autolinks", "%" in ours_text or "xn--" in theirs_text),
                            ("footnotes", bool(re.search(r"\[\d+:\d+\]", theirs_text)))):
            if found:
                return kind
        if any(t.startswith(("<li", "</li", "<ul", "</ul", "<ol", "</ol", "<p", "</p", "<br")) for t in left + right):
            return "html and lists"
        return "other"
    return "other"


def _only_links_differ(with_links: list[str], without: list[str]) -> bool:
    stripped = [t for t in with_links if not (t.startswith("<a ") or t == "</a>")]
    return len(stripped) < len(with_links) and "".join(stripped).replace(" ", "") == "".join(without).replace(" ", "")


def _only_scheme_differs(left: list[str], right: list[str]) -> bool:
    return len(left) == len(right) and left != right and all(
        a.replace("https://www.", "http://www.") == b.replace("https://www.", "http://www.") for a, b in zip(left, right))


def _typography_only(left: str, right: str) -> bool:
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    return all(set(left[i1:i2] + right[j1:j2]) <= TYPOGRAPHY
               for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
