"""Words without markup, one set of rules for every place that shows them: summaries, titles,
descriptions in meta tags and feeds, photo credits on cards, alt texts."""

from __future__ import annotations

import html
import re
from functools import lru_cache

TAG = re.compile(r"<[^>]+>")
BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|br|tr|td|th|table|blockquote|figure|figcaption|pre|hr|dd|dt)\b[^>]*>", re.I)
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(?<![\w\\])(\*\*|__|\*|_|`)(.+?)\1(?!\w)")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")   # CommonMark §2.4: a backslash before ASCII punctuation


def unescape_markdown(text: str) -> str:
    """Markdown's backslash escapes resolved: `Bürger\\*innen` → `Bürger*innen`."""
    return ESCAPE.sub(r"\1", text)


@lru_cache(maxsize=4096)  # a post's description, excerpt and summary are asked for by the meta tags and the manifest
def plain_inline(text: str) -> str:
    """One line of Markdown and HTML (a description, a photo credit) as plain words: links become
    their text, emphasis and tags go, backslash escapes and entities are resolved."""
    return plain_text(unescape_markdown(EMPHASIS.sub(r"\2", MARKDOWN_LINK.sub(r"\1", text))))


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed, entities resolved, whitespace collapsed."""
    spaced = BLOCK_TAG.sub(" ", fragment)
    return " ".join(html.unescape(TAG.sub("", spaced)).split())


def first_paragraph(fragment: str) -> str:
    for match in PARAGRAPH.finditer(fragment):
        text = plain_text(match.group(1))
        if text:
            return text
    return plain_text(fragment)[:500]
