"""Diagnostics: what went wrong where, collected instead of raised, printed by the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Iterable


class Level(StrEnum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int | None
    level: Level
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.level}: {self.message}"

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["level"] = str(self.level)
        return data


class SyndicateError(Exception):
    """The one project exception: carries the diagnostic the CLI prints (exit code 2)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass
class Diagnostics:
    """An append-only collection shared along one run of the pipeline."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, file: str, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(file, line, Level.WARNING, message))

    def error(self, file: str, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(file, line, Level.ERROR, message))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.WARNING]

    def sorted(self) -> tuple[Diagnostic, ...]:
        """Stable order for reports and the manifest: by file, then line."""
        return tuple(sorted(self.items, key=lambda d: (d.file, d.line or 0, d.level, d.message)))
