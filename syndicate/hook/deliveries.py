"""Delivery ids already acted on, so a replayed (or re-sent) delivery does no work twice:
`<state>/hook-deliveries.json`, the newest KEEP ids, written atomically as each is accepted."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ..atomic import write_atomic

FILE = "hook-deliveries.json"
KEEP = 1000   # forges retry within hours; a thousand deliveries is weeks of pushes


class Deliveries:
    def __init__(self, state_dir: Path):
        self.path = state_dir / FILE
        self._lock = threading.Lock()
        try:
            ids = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ids = []
        self.ids: list[str] = [str(i) for i in ids] if isinstance(ids, list) else []

    def first_time(self, key: str) -> bool:
        """Record `key`; False if it was seen before."""
        with self._lock:
            if key in self.ids:
                return False
            self.ids = [*self.ids, key][-KEEP:]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(self.ids).encode())
            return True
