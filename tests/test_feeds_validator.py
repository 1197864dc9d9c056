"""The W3C Feed Validation Service's rules, as far as they concern what syndicate writes.

The service (validator.w3.org/feed) is not installable here; its rules and messages are
documented at validator.w3.org/feed/docs/. `validate()` re-implements the checks that apply to
Atom 1.0 and RSS 2.0 documents with the extensions we use (content, dc, media, fh, atom:link)
and reports them under the service's message names and levels. The tests below show that each
check fires on the mistake it is about, so a clean result means something.
"""

from __future__ import annotations

import calendar
import email.utils
import html.entities
import re
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import html5lib
import pytest
from html5lib.html5parser import ParseError
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
FH = "http://purl.org/syndication/history/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# The namespaces the service knows, with the prefix it expects (docs: "NonstdPrefix",
# "ReservedPrefix", "UnknownNamespace"); only those a blog feed may plausibly use are listed.
KNOWN_NAMESPACES = {ATOM: "atom", CONTENT: "content", DC: "dc", MEDIA: "media", FH: "fh",
                    "http://purl.org/dc/terms/": "dcterms", "http://www.w3.org/1999/xhtml": "xhtml",
                    "http://purl.org/rss/1.0/modules/syndication/": "sy",
                    "http://purl.org/syndication/thread/1.0": "thr", "http://wellformedweb.org/CommentAPI/": "wfw",
                    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes", XML_NS: "xml"}
LINK_RELATIONS = {"alternate", "current", "describedby", "edit", "edit-media", "enclosure", "first",
                  "hub", "last", "license", "next", "next-archive", "payment", "prev-archive",
                  "previous", "related", "replies", "search", "self", "service", "up", "via"}
HISTORY_RELATIONS = {"current", "first", "last", "next", "next-archive", "prev-archive", "previous"}
# HTML the service accepts in content without a SecurityRisk warning (docs: "SecurityRisk").
SAFE_ELEMENTS = set("""a abbr acronym address area article aside audio b bdi big blockquote br button
    canvas caption center cite code col colgroup command data datagrid datalist dd del details dfn
    dialog dir div dl dt em eventsource fieldset figcaption figure footer font form header h1 h2 h3
    h4 h5 h6 hgroup hr i img input ins keygen kbd label legend li m main map mark menu meter multicol
    nav nextid ol output optgroup option p picture pre progress q rp rt ruby s samp section select
    small sound source spacer span strike strong sub summary sup table tbody td template textarea
    time tfoot th thead tr track tt u ul var video noscript wbr""".split())
KNOWN_ELEMENTS = SAFE_ELEMENTS | set("""applet base basefont bdo body frame frameset head html iframe
    isindex link meta noframes object param script slot style title xmp plaintext embed comment
    listing""".split())
SAFE_ATTRIBUTES = set("""abbr accept accept-charset accesskey action align allow allowfullscreen
    allowpaymentrequest alt as autoplay autocapitalize autocomplete autofocus axis background balance
    bgcolor bgproperties border bordercolor bordercolordark bordercolorlight bottompadding cellpadding
    cellspacing ch challenge char charoff choff charset checked cite class clear color cols colspan
    compact contenteditable coords crossorigin data datafld datapagesize datasrc datetime decoding
    default delay dir dirname disabled download draggable dynsrc enctype end enterkeyhint face for form
    formenctype frame galleryimg gutter headers height hidefocus hidden high href hreflang hspace icon
    id inputmode is ismap itemid itemprop itemref itemscope itemtype kind keytype label lang leftspacing
    loading list longdesc loop loopcount loopend loopstart low lowsrc max maxlength media method min
    minlength multiple muted name nohref nonce noshade nowrap open optimum pattern ping placeholder
    playsinline point-size poster preload prompt pqg radiogroup readonly referrerpolicy rel repeat-max
    repeat-min replace required rev reversed rightspacing rows rowspan rules scope selected shape size
    sizes span spellcheck src srclang srcset start step summary suppress tabindex target template title
    toppadding translate type unselectable usemap urn valign value variable volume vspace vrml width
    wrap xml:lang xmlns""".split())
SAFE_CSS_PROPERTIES = set("""azimuth background background-color border border-bottom border-bottom-color
    border-bottom-style border-bottom-width border-collapse border-color border-left border-left-color
    border-left-style border-left-width border-right border-right-color border-right-style
    border-right-width border-spacing border-style border-top border-top-color border-top-style
    border-top-width border-width clear color cursor direction display elevation float font font-family
    font-size font-style font-variant font-weight height letter-spacing line-height list-style-type
    margin margin-bottom margin-left margin-right margin-top overflow padding padding-bottom
    padding-left padding-right padding-top pause pause-after pause-before pitch pitch-range richness
    speak speak-header speak-numeral speak-punctuation speech-rate stress text-align text-decoration
    text-indent unicode-bidi vertical-align voice-family volume white-space width""".split())
SAFE_CSS_KEYWORDS = set("""aqua auto black block blue bold both bottom brown center collapse dashed dotted
    fuchsia gray green !important italic left lime maroon medium none navy normal nowrap olive pointer
    purple red right solid silver teal top transparent underline white yellow""".split())
CSS_VALUE = re.compile(r"^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$")
URI_CHARS = re.compile(r"^([a-zA-Z][0-9a-zA-Z+\-.]*:)?/{0,2}(\[[0-9A-Fa-f:]+\])?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]*$")
FULL_URI = re.compile(r"^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$")
TAG_URI = re.compile(r"^tag:([a-z0-9\-._]+?@)?[a-z0-9.\-]+?,\d{4}(-\d{2}(-\d{2})?)?:"
                     r"[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$")
HTTP_URL = re.compile(r"^(http|https)://(([0-9]{1,3}\.){3}|([A-Z0-9\-]+\.)+)[A-Z0-9][-A-Z0-9]*(:\d+)?(/|$)", re.I)
MIME = re.compile(r'^[^\s()<>,;:\\"/\[\]?=]+/[^\s()<>,;:\\"/\[\]?=]+(\s*;\s*[^\s()<>,;:\\"/\[\]?=]+='
                  r'("(\\"|[^"])*"|[^\s()<>,;:\\"/\[\]?=]+))*$')
RFC3339 = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*)?(Z|[+-]\d\d:\d\d)$")
RFC2822 = re.compile(r"^((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                     r" \d\d\d\d \d\d:\d\d(:\d\d)? ([+-]?\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$")
RFC822_LOOSE = re.compile(r"^((mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?\d\d?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep"
                          r"|oct|nov|dec)\s+\d\d(\d\d)?\s+\d\d:\d\d(:\d\d)?\s+([+-]\d\d\d\d|ut|gmt|[a-ik-z])?$")
HTML_END_TAG = re.compile(r"</(\w+)>")
ANCHOR_HREF = re.compile(r"""<a\s+href=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]""", re.I)
IMG_SRC = re.compile(r"""<img\s+[^>]*src=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]""", re.I)
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")

ERROR, WARNING = "error", "warning"
LEVELS = {  # the service's classification of each message used here
    "SAXError": ERROR, "BadXmlVersion": ERROR, "MissingElement": ERROR, "MissingAttribute": ERROR,
    "InvalidRFC3339Date": ERROR, "InvalidRFC2822Date": ERROR, "IncorrectDOW": ERROR, "InvalidTAG": ERROR,
    "InvalidFullLink": ERROR, "InvalidIRI": ERROR, "InvalidURLAttribute": ERROR, "InvalidMIMEType": ERROR,
    "InvalidLanguage": ERROR, "DuplicateAtomLink": ERROR, "MisplacedMetadata": ERROR, "DuplicateValue": ERROR,
    "DuplicateIds": ERROR, "InvalidPermalink": ERROR, "InvalidHttpGUID": ERROR, "InvalidRSSVersion": ERROR,
    "DuplicateElement": ERROR, "MissingHref": ERROR, "InvalidIntegerAttribute": ERROR,
    "InvalidPositiveInteger": ERROR, "InvalidMediaMedium": ERROR, "InvalidTextType": ERROR,
    "InvalidBooleanAttribute": ERROR, "UnexpectedWhitespace": ERROR, "ItemMustContainTitleOrDescription": ERROR,
    "MissingDescription": ERROR, "MissingLink": ERROR, "MissingTitle": ERROR, "MediaGroupWithoutAlternatives": ERROR,
    "MissingSelf": WARNING, "MissingAtomSelfLink": WARNING, "SelfDoesntMatchLocation": WARNING,
    "SelfNotAtom": WARNING, "UnregisteredAtomLinkRel": WARNING, "AtomLinkNotEmpty": WARNING,
    "NonCanonicalURI": WARNING, "DuplicateEntries": WARNING, "DuplicateUpdated": WARNING, "NotBlank": WARNING,
    "MissingTextualContent": WARNING, "ContainsUndeclaredHTML": WARNING, "ContainsHTML": WARNING,
    "CharacterData": WARNING, "NotHtml": WARNING, "SecurityRisk": WARNING, "SecurityRiskAttr": WARNING,
    "DangerousStyleAttr": WARNING, "ContainsRelRef": WARNING, "BadCharacters": WARNING,
    "ImplausibleDate": WARNING, "ProblematicalRFC822Date": WARNING, "MissingGuid": WARNING,
    "NeedDescriptionBeforeContent": WARNING, "MisplacedItem": WARNING, "DuplicateEnclosure": WARNING,
    "DuplicateItemSemantics": WARNING, "FeedHistoryRelInEntry": WARNING, "MissingCurrentInArchive": WARNING,
    "ArchiveIncomplete": WARNING, "UnknownNamespace": WARNING, "ReservedPrefix": WARNING,
    "AvoidNamespacePrefix": WARNING, "MissingContentOrAlternate": ERROR, "NotSufficientlyUnique": WARNING,
}


@dataclass(frozen=True)
class Event:
    name: str
    where: str
    detail: str = ""

    @property
    def level(self) -> str:
        return LEVELS[self.name]

    def __str__(self) -> str:
        return f"{self.level} {self.name} at {self.where}: {self.detail}"


def validate(data: bytes, location: str | None = None) -> list[Event]:
    """Errors and warnings for one Atom or RSS document; `location` is the URL it is served at."""
    return _Checker(data, location).run()


def problems(events: list[Event], allow: tuple[str, ...] = ()) -> list[str]:
    return [str(event) for event in events if event.name not in allow]


class _Checker:
    def __init__(self, data: bytes, location: str | None):
        self.data, self.location, self.events = data, location, []
        self.lines = data.decode("utf-8", "replace").split("\n")

    def log(self, name: str, element, detail: str = "") -> None:
        where = element if isinstance(element, str) else f"{_local(element.tag)} line {element.sourceline}"
        self.events.append(Event(name, where, detail))

    def run(self) -> list[Event]:
        version = re.match(rb"^<\?xml\s+version\s*=\s*['\"]([-a-zA-Z0-9_.:]*)['\"]", self.data)
        if version and version.group(1) != b"1.0":
            self.log("BadXmlVersion", "document", version.group(1).decode())
        try:
            root = etree.fromstring(self.data, etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            self.log("SAXError", "document", str(exc))
            return self.events
        self.namespaces(root)
        self.characters(root)
        if root.tag == f"{{{ATOM}}}feed":
            self.atom_feed(root)
        elif root.tag == "rss":
            self.rss(root)
        else:
            self.log("MissingElement", root, "not an Atom feed or an RSS 2.0 document")
        return self.events

    # -------------------------------------------------------------- everywhere

    def namespaces(self, root) -> None:
        for element in root.iter(etree.Element):
            parent = element.getparent()
            inherited = parent.nsmap if parent is not None else {}
            for prefix, uri in element.nsmap.items():
                if inherited.get(prefix) == uri:
                    continue
                if uri not in KNOWN_NAMESPACES:
                    if prefix in KNOWN_NAMESPACES.values():
                        self.log("ReservedPrefix", element, f"{prefix} → {uri}")
                    else:
                        self.log("UnknownNamespace", element, uri)
                elif uri == ATOM and prefix and root.tag == f"{{{ATOM}}}feed":
                    self.log("AvoidNamespacePrefix", element, prefix)

    def characters(self, root) -> None:
        for element in root.iter(etree.Element):
            texts = [element.text or "", *element.attrib.values()]
            if any(0x80 <= ord(c) <= 0x9F or c == "\ufffd" for text in texts for c in text):
                self.log("BadCharacters", element)

    def uri(self, value: str, element, full: bool = False) -> bool:
        if value.lower().startswith("tag:"):
            if not TAG_URI.match(value):
                self.log("InvalidTAG", element, value)
                return False
            return True
        pattern = FULL_URI if full else URI_CHARS
        if not value or not pattern.match(value):
            self.log("InvalidFullLink" if full else "InvalidIRI", element, value)
            return False
        if value.split(":")[0].lower() in ("http", "ftp") and not re.match(r"^\w+://[^/].*", value):
            self.log("InvalidFullLink", element, value)
            return False
        return True

    def canonical(self, value: str, element) -> None:
        if value != value.strip():
            self.log("UnexpectedWhitespace", element, value)
        if _canonical_form(value.strip()) != value:
            self.log("NonCanonicalURI", element, value)

    def rfc3339(self, element) -> None:
        value = (element.text or "").strip()
        if not RFC3339.match(value):
            self.log("InvalidRFC3339Date", element, value)
            return
        try:
            date(int(value[:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            self.log("InvalidRFC3339Date", element, value)
            return
        if value < "1990-01-01" or _epoch_3339(value) > time.time() + 600:
            self.log("ImplausibleDate", element, value)

    def rfc822(self, element) -> None:
        value = (element.text or "").strip()
        if RFC2822.match(value):
            parsed = email.utils.parsedate_tz(value)
            if "," in value and date(*parsed[:3]).strftime("%a") != value[:3]:
                self.log("IncorrectDOW", element, value)
            elif parsed[0] < 1990 or email.utils.mktime_tz(parsed) > time.time() + 600:
                self.log("ImplausibleDate", element, value)
        elif RFC822_LOOSE.match(re.sub(r"\([^(]*?\)", " ", value).strip().lower()):
            self.log("ProblematicalRFC822Date", element, value)
        else:
            self.log("InvalidRFC2822Date", element, value)

    def language(self, value: str, element) -> None:
        if not LANGUAGE.match(value):
            self.log("InvalidLanguage", element, value)

    def nonhtml(self, element, value: str, message: str = "ContainsHTML", rss: bool = False) -> None:
        tags = [tag for tag in HTML_END_TAG.findall(value) if tag.lower() in KNOWN_ELEMENTS]
        if tags:
            self.log(message, element, tags[0])
            return
        if not rss:
            return
        # RSS Best Practices Profile: & and < in plain text as hexadecimal character references
        encoded = self._source_has_hex_reference(element)
        entities = [name for name in re.findall(r"&(#?\w+)", value)
                    if name in html.entities.name2codepoint or name == "apos" or not name.isalpha()]
        if entities and not encoded:
            self.log(message, element, "&" + entities[0])
        elif not entities and re.search(r"&#[x0-9]|<[/a-zA-Z]", value) and not encoded:
            self.log("CharacterData", element, value[:40])

    def _source_has_hex_reference(self, element) -> bool:
        start = element.sourceline or 1
        end = start + (element.text or "").count("\n")
        return any("&#x" in line for line in self.lines[start - 1:end])

    def html(self, element, value: str) -> None:
        """What the service checks in escaped HTML (Atom type="html", RSS description and
        content:encoded): that it parses as HTML, holds nothing unsafe and no relative links."""
        if "<?import " in value.lower():
            self.log("SecurityRisk", element, "?import")
        try:
            fragment = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(value)
        except ParseError as exc:
            self.log("NotHtml", element, str(exc))
            fragment = None
        for node in fragment.iter() if fragment is not None else ():
            if not isinstance(node.tag, str) or node.tag == "DOCUMENT_FRAGMENT":
                continue
            tag = node.tag.split("}")[-1].lower()
            if tag not in KNOWN_ELEMENTS:
                self.log("NotHtml", element, f"non-HTML tag {tag}")
            elif tag not in SAFE_ELEMENTS:
                self.log("SecurityRisk", element, tag)
            else:
                for name, attribute_value in node.attrib.items():
                    name = name.lower() if isinstance(name, str) else str(name)
                    if name == "style":
                        for problem in _unsafe_style(attribute_value):
                            self.log("DangerousStyleAttr", element, problem)
                    elif name not in SAFE_ATTRIBUTES and not name.startswith("data-"):
                        self.log("SecurityRiskAttr", element, f"{tag} {name}")
        for match in [*ANCHOR_HREF.findall(value), *IMG_SRC.findall(value)]:
            reference = html.unescape(next(part for part in match if part) if any(match) else "").strip()
            if not re.match(r"\w+:", reference):
                self.log("ContainsRelRef", element, reference)

    def text_construct(self, element, kind: str) -> None:
        kind_type = element.get("type", "text")
        if "src" in element.attrib:
            return
        value = element.text or ""
        if kind_type not in ("text", "html", "xhtml") and "/" not in kind_type:
            self.log("InvalidTextType", element, kind_type)
        if kind_type == "html":
            self.html(element, value)
        elif kind_type == "text":
            self.nonhtml(element, value, "ContainsUndeclaredHTML")
        if not value and not len(element):
            self.log("NotBlank", element, kind)

    def link(self, element, parent_kind: str) -> None:
        rel = element.get("rel", "alternate")
        if rel not in LINK_RELATIONS and not FULL_URI.match(rel):
            self.log("UnregisteredAtomLinkRel", element, rel)
        if rel in HISTORY_RELATIONS and parent_kind == "entry":
            self.log("FeedHistoryRelInEntry", element, rel)
        media_type = element.get("type")
        if media_type is not None:
            if not MIME.match(media_type):
                self.log("InvalidMIMEType", element, media_type)
            elif rel == "self" and media_type.split(";")[0] not in (
                    "application/atom+xml", "application/rss+xml", "application/rdf+xml"):
                self.log("SelfNotAtom", element, media_type)
        if "length" in element.attrib and not element.get("length", "").isdigit():
            self.log("InvalidIntegerAttribute", element, "length")
        if "hreflang" in element.attrib:
            self.language(element.get("hreflang"), element)
        href = element.get("href")
        if href is None:
            self.log("MissingHref", element)
        else:
            self.uri(href, element)
            if rel == "self" and parent_kind == "feed" and self.location and \
                    _canonical_form(href) != _canonical_form(self.location):
                self.log("SelfDoesntMatchLocation", element, f"{href} ≠ {self.location}")
        if (element.text or "").strip():
            self.log("AtomLinkNotEmpty", element)

    def history(self, container, links) -> None:
        if container.find(f"{{{FH}}}archive") is None or container.find(f"{{{FH}}}complete") is not None:
            return
        rels = {link.get("rel", "alternate") for link in links}
        if not rels & {"prev-archive", "next-archive"}:
            self.log("ArchiveIncomplete", container)
        if "current" not in rels:
            self.log("MissingCurrentInArchive", container)

    def media(self, parent) -> None:
        for group in parent.findall(f"{{{MEDIA}}}group"):
            if len(group.findall(f"{{{MEDIA}}}content")) < 2:
                self.log("MediaGroupWithoutAlternatives", group)
        for element in parent.iter(f"{{{MEDIA}}}content", f"{{{MEDIA}}}thumbnail"):
            url = element.get("url")
            if url is None and element.tag.endswith("thumbnail"):
                self.log("MissingAttribute", element, "url")
            elif url is not None:
                self.uri(url, element, full=True)
            for name in ("width", "height", "fileSize"):
                if name in element.attrib and not (element.get(name).isdigit() and int(element.get(name)) > 0):
                    self.log("InvalidPositiveInteger", element, name)
            if element.get("medium") not in (None, "image", "audio", "video", "document", "executable"):
                self.log("InvalidMediaMedium", element, element.get("medium"))
            if element.get("type") is not None and not MIME.match(element.get("type")):
                self.log("InvalidMIMEType", element, element.get("type"))

    # -------------------------------------------------------------- Atom

    def atom_feed(self, feed) -> None:
        self.language_attribute(feed)
        entries_seen = False
        links = []
        for child in feed:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            if child.tag == f"{{{ATOM}}}entry":
                entries_seen = True
                continue
            if entries_seen:
                self.log("MisplacedMetadata", child, name)
            if child.tag == f"{{{ATOM}}}link":
                links.append(child)
                self.link(child, "feed")
        for required in ("title", "id", "updated"):
            if feed.find(f"{{{ATOM}}}{required}") is None:
                self.log("MissingElement", feed, required)
            elif len(feed.findall(f"{{{ATOM}}}{required}")) > 1:
                self.log("DuplicateElement", feed, required)
        if feed.find(f"{{{ATOM}}}id") is not None:
            feed_id = feed.find(f"{{{ATOM}}}id")
            self.uri(feed_id.text or "", feed_id, full=True)
            self.canonical(feed_id.text or "", feed_id)
        if feed.find(f"{{{ATOM}}}updated") is not None:
            self.rfc3339(feed.find(f"{{{ATOM}}}updated"))
        if not any(link.get("rel") == "self" for link in links):
            self.log("MissingSelf", feed)
        self.alternates(feed, links, by_rel=True)
        self.history(feed, links)
        for name in ("title", "subtitle", "rights"):
            for element in feed.findall(f"{{{ATOM}}}{name}"):
                self.text_construct(element, name)
        for name in ("icon", "logo"):
            for element in feed.findall(f"{{{ATOM}}}{name}"):
                self.uri((element.text or "").strip(), element)
        for generator in feed.findall(f"{{{ATOM}}}generator"):
            if not (generator.text or "").strip():
                self.log("NotBlank", generator, "generator")
            if generator.get("uri"):
                self.uri(generator.get("uri"), generator)
        self.authors(feed)
        feed_has_author = feed.find(f"{{{ATOM}}}author") is not None
        ids: set[str] = set()
        updated: set[str] = set()
        entries = feed.findall(f"{{{ATOM}}}entry")
        duplicates = 0
        for entry in entries:
            duplicates += self.atom_entry(entry, feed_has_author, ids, updated)
        if len(entries) > 9 and len(entries) == duplicates + 1:
            self.events = [event for event in self.events if event.name != "DuplicateEntries"]
            self.log("DuplicateIds", feed)

    def language_attribute(self, element) -> None:
        for node in element.iter(etree.Element):
            value = node.get(f"{{{XML_NS}}}lang")
            if value:
                self.language(value, node)

    def alternates(self, parent, links, by_rel: bool) -> None:
        seen = set()
        for link in links:
            rel = link.get("rel", "alternate")
            if not by_rel and rel != "alternate":
                continue
            key = (rel, link.get("type"), link.get("hreflang"))
            if rel == "alternate" and key in seen:
                self.log("DuplicateAtomLink", link, f"type={link.get('type')}")
            seen.add(key)

    def authors(self, parent) -> None:
        for author in parent.findall(f"{{{ATOM}}}author"):
            if author.find(f"{{{ATOM}}}name") is None:
                self.log("MissingElement", author, "name")

    def atom_entry(self, entry, feed_has_author: bool, ids: set[str], updated: set[str]) -> int:
        duplicate = 0
        for required in ("title", "id", "updated"):
            if entry.find(f"{{{ATOM}}}{required}") is None:
                self.log("MissingElement", entry, required)
        if entry.find(f"{{{ATOM}}}author") is None and not feed_has_author:
            self.log("MissingElement", entry, "author")
        self.authors(entry)
        entry_id = entry.find(f"{{{ATOM}}}id")
        if entry_id is not None:
            value = entry_id.text or ""
            self.uri(value, entry_id, full=True)
            self.canonical(value, entry_id)
            if value in ids:
                self.log("DuplicateEntries", entry_id, value)
                duplicate = 1
            ids.add(value)
        stamp = entry.find(f"{{{ATOM}}}updated")
        if stamp is not None:
            self.rfc3339(stamp)
            if stamp.text in updated:
                self.log("DuplicateUpdated", stamp, stamp.text)
            updated.add(stamp.text)
        for published in entry.findall(f"{{{ATOM}}}published"):
            self.rfc3339(published)
        links = entry.findall(f"{{{ATOM}}}link")
        for link in links:
            self.link(link, "entry")
        self.alternates(entry, links, by_rel=False)
        for name in ("title", "summary", "content", "rights"):
            for element in entry.findall(f"{{{ATOM}}}{name}"):
                self.text_construct(element, name)
        if entry.find(f"{{{ATOM}}}content") is None:
            if entry.find(f"{{{ATOM}}}summary") is None:
                self.log("MissingTextualContent", entry)
            if not any(link.get("rel", "alternate") == "alternate" for link in links):
                self.log("MissingContentOrAlternate", entry)
        for category in entry.findall(f"{{{ATOM}}}category"):
            self.category(category)
        self.media(entry)
        return duplicate

    def category(self, category) -> None:
        if category.get("term") is None:
            self.log("MissingAttribute", category, "term")
        if category.get("scheme") is not None:
            self.uri(category.get("scheme"), category, full=True)
        if category.get("label") is not None:
            self.nonhtml(category, category.get("label"))

    # -------------------------------------------------------------- RSS 2.0

    def rss(self, rss) -> None:
        if rss.get("version") != "2.0":
            self.log("InvalidRSSVersion", rss, str(rss.get("version")))
        channel = rss.find("channel")
        if channel is None:
            self.log("MissingElement", rss, "channel")
            return
        for required, message in (("title", "MissingTitle"), ("link", "MissingLink"),
                                  ("description", "MissingDescription")):
            if channel.find(required) is None:
                self.log(message, channel, required)
        item_seen = False
        links = []
        for child in channel:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "item":
                item_seen = True
                continue
            if item_seen:
                self.log("MisplacedItem", child, _local(child.tag))
            if child.tag == f"{{{ATOM}}}link":
                links.append(child)
                self.link(child, "feed")
        for name in ("title", "link", "description", "language", "lastBuildDate", "pubDate", "docs", "generator"):
            if len(channel.findall(name)) > 1:
                self.log("DuplicateElement", channel, name)
        for element in channel.findall("title"):
            self.nonhtml(element, element.text or "", rss=True)
            if not (element.text or "").strip():
                self.log("NotBlank", element, "title")
        for element in channel.findall("description"):
            self.nonhtml(element, element.text or "", rss=True)
        for element in [*channel.findall("link"), *channel.findall("docs")]:
            self.uri((element.text or "").strip(), element, full=True)
        for element in channel.findall("language"):
            self.language((element.text or "").strip(), element)
        for element in [*channel.findall("lastBuildDate"), *channel.findall("pubDate")]:
            self.rfc822(element)
        for element in channel.findall("category"):
            self.nonhtml(element, element.text or "", rss=True)
        if not any(link.get("rel") == "self" for link in links):
            self.log("MissingAtomSelfLink", channel)
        self.history(channel, links)
        guids: set[str] = set()
        for item in channel.findall("item"):
            self.rss_item(item, guids)

    def rss_item(self, item, guids: set[str]) -> None:
        children = [child.tag for child in item if isinstance(child.tag, str)]
        if "title" not in children and "description" not in children:
            self.log("ItemMustContainTitleOrDescription", item)
        if "guid" not in children:
            self.log("MissingGuid", item)
        if f"{{{CONTENT}}}encoded" in children and (
                "description" not in children
                or children.index("description") > children.index(f"{{{CONTENT}}}encoded")):
            self.log("NeedDescriptionBeforeContent", item)
        if "author" in children and f"{{{DC}}}creator" in children:
            self.log("DuplicateItemSemantics", item, "author and dc:creator")
        for name in ("title", "link", "description", "guid", "pubDate", f"{{{CONTENT}}}encoded"):
            if children.count(name) > 1:
                self.log("DuplicateElement", item, _local(name))
        if children.count("enclosure") > 1:
            self.log("DuplicateEnclosure", item)
        for element in item.findall("title"):
            self.nonhtml(element, element.text or "", rss=True)
            if not (element.text or "").strip():
                self.log("NotBlank", element, "title")
        for element in item.findall("link"):
            self.uri((element.text or "").strip(), element, full=True)
        for element in [*item.findall("description"), *item.findall(f"{{{CONTENT}}}encoded")]:
            self.html(element, element.text or "")
        for element in item.findall("pubDate"):
            self.rfc822(element)
        for element in item.findall("category"):
            self.nonhtml(element, element.text or "", rss=True)
            if not (element.text or "").strip():
                self.log("NotBlank", element, "category")
        for element in item.findall(f"{{{DC}}}creator"):
            self.nonhtml(element, element.text or "", rss=True)
        for guid in item.findall("guid"):
            self.guid(guid, guids)
        for enclosure in item.findall("enclosure"):
            self.enclosure(enclosure)
        for link in item.findall(f"{{{ATOM}}}link"):
            self.link(link, "entry")
        self.media(item)

    def guid(self, guid, guids: set[str]) -> None:
        value = (guid.text or "").strip()
        permalink = guid.get("isPermaLink", "true")
        if permalink not in ("true", "false"):
            self.log("InvalidBooleanAttribute", guid, "isPermaLink")
        if permalink == "true":
            if not URI_CHARS.match(value) or not re.match(r"^\w+:", value):
                self.log("InvalidHttpGUID", guid, value)
            elif value.lower().startswith(("tag:", "urn:uuid:")):
                self.log("InvalidPermalink", guid, value)
        elif len(value) < 9 and value.isdigit():
            self.log("NotSufficientlyUnique", guid, value)
        if value in guids:
            self.log("DuplicateValue", guid, value)
        guids.add(value)

    def enclosure(self, enclosure) -> None:
        for name in ("url", "length", "type"):
            if name not in enclosure.attrib:
                self.log("MissingAttribute", enclosure, name)
        length = enclosure.get("length")
        if length is not None and not re.fullmatch(r"\d+", length):
            self.log("InvalidIntegerAttribute", enclosure, "length")
        if enclosure.get("type") is not None and not MIME.match(enclosure.get("type")):
            self.log("InvalidMIMEType", enclosure, enclosure.get("type"))
        url = enclosure.get("url")
        if url is not None and not (HTTP_URL.match(url) and FULL_URI.match(url)):
            self.log("InvalidURLAttribute", enclosure, url)


def _local(tag: str) -> str:
    return tag.split("}")[-1]


def _epoch_3339(value: str) -> float:
    zone = value[19:].lstrip("0123456789.")
    seconds = calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
    if zone not in ("Z", ""):
        sign = -1 if zone[0] == "+" else 1
        seconds += sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds


def _unsafe_style(style: str) -> list[str]:
    if not re.match(r"""^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$""", style):
        return [style]
    if not re.match(r"^(\s*[-\w]+\s*:\s*[^:;]*(;|$))*$", style):
        return [style]
    unsafe: list[str] = []
    for prop, value in re.findall(r"([-\w]+)\s*:\s*([^:;]*)", style.lower()):
        if prop not in SAFE_CSS_PROPERTIES:
            unsafe.append(prop)
        elif prop.split("-")[0] in ("background", "border", "margin", "padding"):
            unsafe += [word for word in value.split() if word not in SAFE_CSS_KEYWORDS and not CSS_VALUE.match(word)]
    return unsafe


_RESERVED = ":/?#[]@!$&'()*+,;="
_PCHAR = "-._~!$&'()*+,;=:@"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def _canonical_form(uri: str) -> str | None:
    """RFC 3986 §6.2.2 syntax-based normal form, as the service compares ids (NonCanonicalURI)."""
    match = re.match(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$", uri)
    if not match:
        return None
    scheme = match.group(2).lower() if match.group(2) else None

    def requote(text: str | None, safe: str) -> str | None:
        if text is None:
            return None
        parts = re.split(r"(%[0-9a-fA-F]{2})", text)
        raw = bytearray()
        out = ""
        for part in parts:
            if re.fullmatch(r"%[0-9a-fA-F]{2}", part or ""):
                byte = int(part[1:], 16)
                if chr(byte) in _RESERVED and chr(byte) in safe:
                    out += _flush(raw, safe) + part.upper()
                    raw = bytearray()
                else:
                    raw.append(byte)
            else:
                for char in part:
                    if char in _RESERVED and char in safe:
                        out += _flush(raw, safe) + char
                        raw = bytearray()
                    else:
                        raw += char.encode("utf-8")
        return out + _flush(raw, safe)

    authority = match.group(4)
    if authority is not None:
        host, _, port = authority.lower().rpartition(":") if re.search(r":\d*$", authority) else (authority.lower(), "", "")
        if port and int(port) != _DEFAULT_PORTS.get(scheme or ""):
            host = f"{host}:{port}"
        authority = host
        path = "/".join(requote(segment, _PCHAR) or "" for segment in _dot_segments(match.group(5)).split("/"))
    elif scheme is None or match.group(5).startswith("/"):
        path = "/".join(requote(segment, _PCHAR) or "" for segment in _dot_segments(match.group(5)).split("/"))
    else:
        path = requote(match.group(5), _PCHAR + "/")
    result = f"{scheme}:" if scheme else ""
    result += f"//{authority}" if authority is not None else ""
    result += path or ""
    query, fragment = requote(match.group(7), _PCHAR + "/?"), requote(match.group(9), _PCHAR + "/?")
    return result + (f"?{query}" if query is not None else "") + (f"#{fragment}" if fragment is not None else "")


def _flush(raw: bytearray, safe: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFC", bytes(raw).decode("utf-8", "replace"))
    return quote(text.encode("utf-8"), safe=safe)


def _dot_segments(path: str) -> str:
    segments = path.split("/")
    output: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments and segments[-1] in (".", ".."):
        output.append("")
    return "/".join(output)


# ====================================================================== the checker's own tests

GOOD_ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de-DE">
  <id>https://example.org/feeds/atom.xml</id>
  <title>Blog</title>
  <updated>2024-05-01T10:00:00+02:00</updated>
  <author><name>Team</name></author>
  <link href="https://example.org/feeds/atom.xml" rel="self" type="application/atom+xml"/>
  <link href="https://example.org/blog/" rel="alternate" type="text/html"/>
  {feed_extra}
  <entry>
    <id>tag:example.org,2024-05-01:/blog/a/</id>
    <title>A</title>
    <updated>2024-05-01T10:00:00+02:00</updated>
    <link rel="alternate" type="text/html" href="https://example.org/blog/a/"/>
    <content type="html">&lt;p&gt;Hallo &lt;a href="https://example.org/"&gt;Welt&lt;/a&gt;&lt;/p&gt;</content>
    {entry_extra}
  </entry>
  <entry>
    <id>tag:example.org,2024-04-01:/blog/b/</id>
    <title>B</title>
    <updated>{second_updated}</updated>
    <link rel="alternate" type="text/html" href="https://example.org/blog/b/"/>
    <summary type="text">Kurz</summary>
  </entry>
</feed>
"""


def atom(feed_extra: str = "", entry_extra: str = "", second_updated: str = "2024-04-01T10:00:00+02:00") -> bytes:
    return GOOD_ATOM.format(feed_extra=feed_extra, entry_extra=entry_extra,
                            second_updated=second_updated).encode()


GOOD_RSS = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>{title}</title>
    <link>https://example.org/blog/</link>
    <description>Ein Blog</description>
    <atom:link href="https://example.org/feeds/rss.xml" rel="self" type="application/rss+xml"/>
    <language>de-DE</language>
    <item>
      <title>A</title>
      <link>https://example.org/blog/a/</link>
      <description>Kurz</description>
      <content:encoded>&lt;p&gt;Lang&lt;/p&gt;</content:encoded>
      <guid isPermaLink="false">tag:example.org,2024-05-01:/blog/a/</guid>
      <pubDate>{date}</pubDate>
      {item_extra}
    </item>
  </channel>
</rss>
"""


def rss(title: str = "Blog", date: str = "Wed, 01 May 2024 10:00:00 +0200", item_extra: str = "") -> bytes:
    return GOOD_RSS.format(title=title, date=date, item_extra=item_extra).encode()


def names(data: bytes, location: str | None = None) -> set[str]:
    return {event.name for event in validate(data, location)}


def test_valid_minimal_atom_and_rss_give_no_messages():
    assert validate(atom(), "https://example.org/feeds/atom.xml") == []
    assert validate(rss(), "https://example.org/feeds/rss.xml") == []


@pytest.mark.parametrize("document, expected", [
    (atom(second_updated="2024-05-01T10:00:00+02:00"), "DuplicateUpdated"),
    (atom(second_updated="2024-05-01 10:00"), "InvalidRFC3339Date"),
    (atom(second_updated="2040-05-01T10:00:00+02:00"), "ImplausibleDate"),
    (atom(entry_extra='<link href="https://example.org/a.jpg" type="text/html"/>'), "DuplicateAtomLink"),
    (atom(entry_extra='<summary type="text"></summary>'), "NotBlank"),
    (atom(entry_extra='<summary type="html">&lt;iframe src="https://x.org/"&gt;&lt;/iframe&gt;</summary>'),
     "SecurityRisk"),
    (atom(entry_extra='<summary type="html">&lt;a href="/relative/"&gt;x&lt;/a&gt;</summary>'), "ContainsRelRef"),
    (atom(entry_extra='<summary type="html">&lt;p onclick="x()"&gt;x&lt;/p&gt;</summary>'), "SecurityRiskAttr"),
    (atom(entry_extra='<summary type="html">&lt;p style="position: fixed"&gt;x&lt;/p&gt;</summary>'),
     "DangerousStyleAttr"),
    (atom(entry_extra='<summary type="html">&lt;/p&gt;&lt;p&gt;</summary>'), "NotHtml"),
    (atom(entry_extra='<summary type="text">a &lt;/b&gt; b</summary>'), "ContainsUndeclaredHTML"),
    (atom(entry_extra='<link rel="prev-archive" href="https://example.org/1.xml"/>'), "FeedHistoryRelInEntry"),
    (atom(feed_extra='<fh:archive xmlns:fh="http://purl.org/syndication/history/1.0"/>'), "MissingCurrentInArchive"),
    (atom(feed_extra='<fh:archive xmlns:fh="http://purl.org/syndication/history/1.0"/>'), "ArchiveIncomplete"),
    (atom(feed_extra='<link rel="hubb" href="https://hub.example.org/"/>'), "UnregisteredAtomLinkRel"),
    (atom(feed_extra='<x:y xmlns:x="https://unknown.example/ns"/>'), "UnknownNamespace"),
    (atom(entry_extra="<category/>"), "MissingAttribute"),
    (atom(entry_extra='<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="/rel.jpg"/>'),
     "InvalidFullLink"),
    (atom().replace(b"tag:example.org,2024-05-01", b"tag:Example.org,2024-05-01"), "InvalidTAG"),
    (atom().replace(b"<id>https://example.org/feeds/atom.xml", b"<id>HTTPS://example.org/feeds/atom.xml"),
     "NonCanonicalURI"),
    (atom().replace(b"tag:example.org,2024-04-01:/blog/b/", b"tag:example.org,2024-05-01:/blog/a/"),
     "DuplicateEntries"),
    (atom().replace(b"Hallo", "Hallo \x85".encode()), "BadCharacters"),
    (atom().replace(b'<link href="https://example.org/feeds/atom.xml" rel="self" type="application/atom+xml"/>',
                    b""), "MissingSelf"),
    (rss(date="Thu, 01 May 2024 10:00:00 +0200"), "IncorrectDOW"),
    (rss(date="2024-05-01T10:00:00+02:00"), "InvalidRFC2822Date"),
    (rss(date="Wed, 01 May 2024 10:00:00 +0545"), "ProblematicalRFC822Date"),
    (rss(title="Use &lt;b&gt; for bold"), "CharacterData"),
    (rss(item_extra='<enclosure url="https://example.org/a.jpg" type="image/jpeg"/>'), "MissingAttribute"),
    (rss(item_extra='<author>Jane</author><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Jane</dc:creator>'),
     "DuplicateItemSemantics"),
    (rss().replace(b'<guid isPermaLink="false">', b"<guid>"), "InvalidPermalink"),
    (rss().replace(b"<atom:link", b"<atom:notlink"), "MissingAtomSelfLink"),
    (rss().replace(b"<description>Kurz</description>", b""), "NeedDescriptionBeforeContent"),
    (b"<feed><unclosed></feed>", "SAXError"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_each_rule_fires_on_its_mistake(document, expected):
    assert expected in names(document)


def test_self_link_must_be_where_the_feed_is_served():
    assert "SelfDoesntMatchLocation" in names(atom(), "https://example.org/other.xml")
    assert "SelfDoesntMatchLocation" not in names(atom(), "https://EXAMPLE.org:443/feeds/atom.xml")


def test_hex_character_references_satisfy_the_rss_profile():
    assert "CharacterData" not in names(rss(title="Use &#x3C;b&gt; for bold"))


def test_canonical_form_follows_rfc_3986():
    assert _canonical_form("HTTP://Example.ORG:80/a/./b/../c/%7e%c3%bc") == "http://example.org/a/c/~%C3%BC"
    assert _canonical_form("tag:example.org,2024:/blog/a%2fb/") == "tag:example.org,2024:/blog/a%2Fb/"
