"""The card cache: `<state>/cache/cards/<key>.jpg` with a sidecar `<key>.json` (its sha256, length,
background, layout and the problems met drawing it), so a card whose inputs did not change is
neither drawn nor read again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_unsynced
from .spec import Problem

if TYPE_CHECKING:
    from .composition import Rendered


class CardCache:
    def __init__(self, state_dir: Path):
        self.folder = state_dir / "cache" / "cards"
        self.index_file = state_dir / "cache" / "card-index.json"

    def index(self) -> dict[str, list]:
        """Page name → [fingerprint, key, sidecar] of its last card: a rebuild finds unchanged
        cards without computing their keys (spec.fingerprint) or reading their sidecars."""
        try:
            index = json.loads(self.index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return index if isinstance(index, dict) else {}

    def save_index(self, index: dict[str, list], previous: dict[str, list]) -> None:
        if index != previous:
            try:
                write_unsynced(self.index_file, json.dumps(index, ensure_ascii=False).encode("utf-8"))
            except OSError:
                pass  # only an index: the next build finds the cards by their keys

    def sidecar(self, key: str) -> dict[str, Any] | None:
        try:
            sidecar = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            if isinstance(sidecar["sha256"], str) and isinstance(sidecar["length"], int):
                return sidecar
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def stored(self, key: str, sidecar: dict[str, Any]) -> Path | None:
        """The file holding the card's bytes, when it is there with the length the sidecar names
        (its sha256 is checked where it is read: MadeCard.read)."""
        path = self.folder / f"{key}.jpg"
        try:
            return path if path.stat().st_size == sidecar["length"] else None
        except OSError:
            return None

    def write(self, key: str, rendered: Rendered) -> tuple[Path | None, dict[str, Any]]:
        """Store a drawn card: the file that holds it (None when the cache cannot be written) and
        its sidecar."""
        sidecar = {"sha256": hashlib.sha256(rendered.data).hexdigest(), "length": len(rendered.data),
                   "background": rendered.background, "layout": rendered.layout,
                   "problems": [[p.kind, p.label, p.reason] for p in rendered.problems]}
        try:
            write_unsynced(self.folder / f"{key}.jpg", rendered.data)
            write_unsynced(self.folder / f"{key}.json", json.dumps(sidecar).encode("utf-8"))
        except OSError:  # a read-only site still builds (its cards held in memory); the next build draws again
            return None, sidecar
        return self.folder / f"{key}.jpg", sidecar

    def prune(self, keep: set[str], spare: int = 256) -> None:
        """Drop the oldest entries no card uses any more, beyond a few spare for undoing an edit."""
        if not self.folder.is_dir():
            return
        unused = [p for p in self.folder.glob("*.jpg") if p.stem not in keep]
        if len(unused) <= spare:
            return
        unused.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in unused[spare:]:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".json").unlink(missing_ok=True)


def problems_of(sidecar: dict[str, Any]) -> tuple[Problem, ...]:
    return tuple(Problem(*p) for p in sidecar.get("problems", []))

