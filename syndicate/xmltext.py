"""Text every XML parser accepts (feeds are XML; a body knows once whether it needs cleaning)."""

from __future__ import annotations

import re

# XML 1.0 §2.2: what Char excludes (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF) and
# what it asks authors to avoid in the BMP (DEL, C1 controls, U+FDD0–U+FDEF). lxml refuses the
# first; the W3C validator warns about 0x80–0x9F (BadCharacters). The noncharacters above the
# BMP are legal XML and stay: listing them makes this search twenty times slower.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text every XML parser accepts: characters XML 1.0 forbids or discourages removed."""
    return NOT_XML.sub("", text) if NOT_XML.search(text) else text
