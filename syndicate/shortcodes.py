"""Hugo shortcodes, expanded before Markdown the way Hugo 0.111 does, made fit for feeds.

`{{% x %}}` output is Markdown (rendered with the page); `{{< x >}}` output is HTML, kept out of
the Markdown engine's way behind a placeholder that `Expansion.substitute` swaps in afterwards,
as Hugo does. Embeds become links (with the video's thumbnail where the id gives it away), never
iframes and never silence. A site's own shortcodes cannot run here (they are Go templates): a
paired one keeps its inner content, a self-closing one is left out with a warning naming it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .diagnostics import Diagnostics
from .plaintext import plain_text

# A ref target → (absolute URL, found?)
RefResolver = Callable[[str, str], tuple[str, bool]]
# Markdown → HTML with the page's engine and options (for captions, summaries, inner content)
MarkdownRenderer = Callable[[str], str]

TAG = re.compile(
    r"\{\{(?P<delim>[<%])\s*(?P<comment>/\*)?\s*(?P<closing>/)?\s*(?P<name>[\w./-]+)"
    r"(?P<args>(?:\"(?:[^\"\\]|\\.)*\"|`[^`]*`|[^\"`])*?)"
    r"\s*(?P<self>/)?\s*(?P<uncomment>\*/)?\s*[>%]\}\}",
    re.DOTALL,
)
ARG = re.compile(r'(?:(?P<key>[\w-]+)\s*=\s*)?(?:"(?P<dq>(?:[^"\\]|\\.)*)"|`(?P<bq>[^`]*)`|(?P<bare>[^\s"`=]+))')
# Letters and digits only: nothing in Markdown (emphasis, linkify, typographer) touches them.
PLACEHOLDER_FORMAT = "SYNDICATESHORTCODE{}END"
PLACEHOLDER = re.compile(r"SYNDICATESHORTCODE(\d+)END")
PLACEHOLDER_PARAGRAPH = re.compile(r"<p>SYNDICATESHORTCODE(\d+)END</p>")

EMBEDS = {"youtube", "youtube_simple", "vimeo", "vimeo_simple", "x", "x_simple", "tweet", "twitter",
          "twitter_simple", "instagram", "instagram_simple", "gist", "speakerdeck"}
WITH_INNER = {"highlight", "details", "comment"}
BUILT_IN = EMBEDS | WITH_INNER | {"figure", "param", "ref", "relref"}


@dataclass
class Expansion:
    """The Markdown to render, and the HTML each placeholder in it stands for."""
    markdown: str
    fragments: list[str] = field(default_factory=list)

    def substitute(self, rendered: str) -> str:
        """Swap the placeholders for their HTML; one alone in a paragraph replaces the paragraph."""
        if not self.fragments:
            return rendered

        def replace(match: re.Match[str]) -> str:
            return self.fragments[int(match.group(1))]

        return PLACEHOLDER.sub(replace, PLACEHOLDER_PARAGRAPH.sub(replace, rendered))


@dataclass(frozen=True)
class ShortcodePage:
    """What a shortcode may ask about the page it is on."""
    source: str
    first_line: int
    resolve_ref: RefResolver
    page_params: Mapping[str, Any]
    site_params: Mapping[str, Any]
    own_shortcodes: frozenset[str]
    markdown: MarkdownRenderer


def expand_shortcodes(markdown: str, page: ShortcodePage, diagnostics: Diagnostics) -> Expansion:
    expansion = Expansion("")
    left_out: dict[str, list[int]] = {}
    expansion.markdown = _expand(markdown, 0, markdown, page, expansion, diagnostics, left_out)
    for name, lines in left_out.items():
        uses = f" ({len(lines)} uses)" if len(lines) > 1 else ""
        if name in page.own_shortcodes:
            diagnostics.warn(page.source, lines[0], f"shortcode '{name}' is the site's own (layouts/shortcodes/"
                             f"{name}.html): syndicate does not run Hugo templates, so it is left out of the "
                             f"feed{uses}")
        else:
            diagnostics.warn(page.source, lines[0], f"unknown shortcode '{name}': not built into Hugo and not in "
                             f"layouts/shortcodes/ or the theme's (Hugo stops there); left out of the feed{uses}")
    return expansion


def _expand(text: str, base: int, whole: str, page: ShortcodePage, expansion: Expansion,
            diagnostics: Diagnostics, left_out: dict[str, list[int]]) -> str:
    out: list[str] = []
    position = 0
    while (match := TAG.search(text, position)) is not None:
        out.append(text[position:match.start()])
        position = match.end()
        line = page.first_line + whole.count("\n", 0, base + match.start())
        name = match.group("name")
        if match.group("comment"):  # {{</* x */>}} is Hugo's way to write a shortcode literally
            out.append(match.group(0).replace("/*", "", 1).replace("*/", "", 1))
            continue
        if match.group("closing"):
            diagnostics.warn(page.source, line, f"closing shortcode '{name}' without an opening one; ignored")
            continue
        inner = None
        if not match.group("self") and (name in WITH_INNER or name not in BUILT_IN):
            closing = _closing_tag(text, match.end(), name)
            if closing is not None:
                inner = (match.end(), text[match.end():closing.start()])
                position = closing.end()
        call = Call(name, match.group("delim"), _arguments(match.group("args")), line)
        if inner is not None and name not in BUILT_IN:  # the site's own or unknown: keep what it wraps
            if name not in page.own_shortcodes:
                diagnostics.warn(page.source, line, f"unknown shortcode '{name}': not built into Hugo and not "
                                 "in layouts/shortcodes/ or the theme's; its inner content is kept")
            out.append(_expand(inner[1], base + inner[0], whole, page, expansion, diagnostics, left_out))
            continue
        if name not in BUILT_IN:
            left_out.setdefault(name, []).append(line)
            continue
        inner_text = None
        if inner is not None:
            inner_text = _expand(inner[1], base + inner[0], whole, page, expansion, diagnostics, left_out)
        out.append(_built_in(call, inner_text, page, expansion, diagnostics))
    out.append(text[position:])
    return "".join(out)


def _closing_tag(text: str, start: int, name: str) -> re.Match[str] | None:
    depth = 1
    for match in TAG.finditer(text, start):
        if match.group("name") != name or match.group("comment"):
            continue
        if match.group("closing"):
            depth -= 1
            if depth == 0:
                return match
        elif not match.group("self"):
            depth += 1
    return None


def _arguments(text: str) -> dict[str, str]:
    args: dict[str, str] = {}
    position = 0
    for match in ARG.finditer(text.strip()):
        value = match.group("dq")
        value = value.replace('\\"', '"') if value is not None else (match.group("bq") or match.group("bare") or "")
        if match.group("key"):
            args[match.group("key")] = value
        else:
            args[str(position)] = value
            position += 1
    return args


@dataclass(frozen=True)
class Call:
    name: str
    delimiter: str          # "<" (HTML output) or "%" (Markdown output)
    args: dict[str, str]
    line: int

    def get(self, key: str, position: int | None = None, default: str = "") -> str:
        value = self.args.get(key)
        if value is None and position is not None:
            value = self.args.get(str(position))
        return default if value is None else value


def _built_in(call: Call, inner: str | None, page: ShortcodePage, expansion: Expansion,
              diagnostics: Diagnostics) -> str:
    def html_out(fragment: str) -> str:
        expansion.fragments.append(fragment)
        return PLACEHOLDER_FORMAT.format(len(expansion.fragments) - 1)

    name = call.name.removesuffix("_simple")
    if name in ("ref", "relref"):
        url = _ref(call, page, diagnostics)
        return url if call.delimiter == "%" else html_out(html.escape(url))
    if name == "param":
        value = _param(call, page, diagnostics)
        return value if call.delimiter == "%" else html_out(html.escape(value))
    if name == "comment":
        return ""
    if name == "highlight":
        return html_out(_highlight(call, inner or ""))
    if name == "details":
        summary = _inline(page.markdown(call.get("summary", default="Details")))
        attributes = ' open=""' if call.get("open") in ("true", "1") else ""
        # The inner Markdown renders with the page (its links and footnotes are the page's).
        return f"\n\n{html_out(f'<details{attributes}><summary>{summary}</summary>')}\n\n{inner or ''}\n\n" \
               f"{html_out('</details>')}\n\n"
    if name == "figure":
        return html_out(_figure(call, page.markdown))
    return html_out(_embed(call, name))


def _ref(call: Call, page: ShortcodePage, diagnostics: Diagnostics) -> str:
    target = call.get("path", 0)
    url, found = page.resolve_ref(target, page.source)
    if not found:
        diagnostics.warn(page.source, call.line, f"{{{{< {call.name} \"{target}\" >}}}}: no such page in the "
                         f"content tree; the link points at the best guess {url}")
    return url


def _param(call: Call, page: ShortcodePage, diagnostics: Diagnostics) -> str:
    key = call.get("0")
    for params in (page.page_params, page.site_params):
        value = _lookup(params, key)
        if value is not None:
            return _param_text(value)
    diagnostics.warn(page.source, call.line, f"{{{{< param \"{key}\" >}}}}: no such parameter in the front matter "
                     "or the site's params (Hugo stops the build); left empty")
    return ""


def _lookup(params: Mapping[str, Any], dotted: str) -> Any:
    """Hugo's Param: keys are case-insensitive, dots walk into maps."""
    value: Any = params
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = next((v for k, v in value.items() if str(k).lower() == part.lower()), None)
    return value


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ", ".join(_param_text(item) for item in value)
    return str(value)


def _highlight(call: Call, code: str) -> str:
    language = call.get("0")
    css = f' class="language-{html.escape(language)}"' if language else ""
    return f"<pre><code{css}>{html.escape(code.strip(chr(10)))}\n</code></pre>"


def _inline(rendered: str) -> str:
    """markdownify: one paragraph loses its <p>, as Hugo's markdownify does."""
    rendered = rendered.strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def _figure(call: Call, markdown: MarkdownRenderer) -> str:
    """Hugo 0.111's figure.html: caption and attribution are Markdown, alt falls back to the caption."""
    def attr(key: str) -> str:
        return html.escape(call.get(key), quote=True)

    caption = _inline(markdown(call.get("caption"))) if call.get("caption") else ""
    alt = call.get("alt") or plain_text(caption)
    image = f'<img src="{attr("src")}"' + (f' alt="{html.escape(alt)}"' if alt else "")
    image += "".join(f' {key}="{attr(key)}"' for key in ("width", "height") if call.get(key)) + ">"
    if call.get("link"):
        image = f'<a href="{attr("link")}">{image}</a>'
    parts = [f"<h4>{attr('title')}</h4>"] if call.get("title") else []
    if caption or call.get("attr"):
        credit = _inline(markdown(call.get("attr"))) if call.get("attr") else ""
        if credit and call.get("attrlink"):
            credit = f'<a href="{attr("attrlink")}">{credit}</a>'
        parts.append(f"<p>{' '.join(part for part in (caption, credit) if part)}</p>")
    figcaption = f"<figcaption>{''.join(parts)}</figcaption>" if parts else ""
    css = f' class="{attr("class")}"' if call.get("class") else ""
    return f"<figure{css}>{image}{figcaption}</figure>"


def _embed(call: Call, name: str) -> str:
    """An embed as a link a feed reader can show: what it is and where, never an iframe."""
    ident = call.get("id", 0)
    title = call.get("title")
    if name == "youtube":
        url = f"https://www.youtube.com/watch?v={quote(ident)}"
        thumbnail = f"https://i.ytimg.com/vi/{quote(ident)}/hqdefault.jpg"
        label = html.escape(title or "Watch the video")
        return (f'<figure class="video"><a href="{url}"><img src="{thumbnail}" alt="{label}"></a>'
                f'<figcaption><a href="{url}">{label}</a> (video on YouTube)</figcaption></figure>')
    if name == "vimeo":  # Vimeo's thumbnails need its API; the id alone does not give one
        url = f"https://vimeo.com/{quote(ident)}"
        return f'<p><a href="{url}">{html.escape(title or "Watch the video")}</a> (video on Vimeo)</p>'
    if name in ("x", "tweet", "twitter"):
        user = call.get("user")  # Hugo 0.111's tweet also takes the bare id: {{< tweet 123 >}}
        url = f"https://x.com/{quote(user) if user else 'i'}/status/{quote(ident)}"
        who = f" by @{html.escape(user)}" if user else ""
        return f'<blockquote class="twitter-tweet"><p><a href="{url}">Post{who} on X</a></p></blockquote>'
    if name == "instagram":
        return f'<p><a href="https://www.instagram.com/p/{quote(ident)}/">Post on Instagram</a></p>'
    if name == "gist":
        user, gist, file = call.get("0"), call.get("1"), call.get("2")
        anchor = "#file-" + re.sub(r"[^\w-]", "-", file.lower()) if file else ""
        label = f"Gist {user}/{gist}" + (f": {file}" if file else "")
        return (f'<p><a href="https://gist.github.com/{quote(user)}/{quote(gist)}{anchor}">'
                f"{html.escape(label)}</a> (code on GitHub)</p>")
    # speakerdeck
    return f'<p><a href="https://speakerdeck.com/player/{quote(ident)}">Slides on Speaker Deck</a></p>'
