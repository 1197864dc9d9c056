"""The bundled card fonts, installed as the package data `syndicate.fonts` (see README.md here).

Named here once, for the settings (`[cards] font` / `title_font` may name a bundled face instead of
a file) and for the card renderer (which loads them)."""

FILES = {"title": "InterDisplay-Bold.otf", "text": "Inter-Medium.otf", "emoji": "Twemoji.ttf"}
# A face the settings may name → its role: "InterDisplay-Bold" → "title", "Inter-Medium" → "text".
FACES = {name.rsplit(".", 1)[0]: role for role, name in FILES.items() if role != "emoji"}
