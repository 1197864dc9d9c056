"""Diagnostics: what went wrong where, collected instead of raised, printed by the CLI."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Callable, Hashable, Iterable, Mapping


class Level(StrEnum):
    NOTE = "note"        # why something is not published (a draft, a headless bundle): never fails a run
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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Diagnostic | None:
        """One of manifest.json's diagnostics; None when it is not one."""
        try:
            line = data.get("line")
            return cls(str(data["file"]), line if isinstance(line, int) else None, Level(data["level"]),
                       str(data["message"]))
        except (KeyError, ValueError, TypeError, AttributeError):
            return None

    @property
    def problem(self) -> tuple[str, Level, str]:
        """What it is about, wherever it sits: the same problem one line further down is no news."""
        return self.file, self.level, self.message


def difference(diagnostics: Iterable[Diagnostic], others: Iterable[Diagnostic],
               key: Callable[[Diagnostic], Hashable] = lambda d: d) -> list[Diagnostic]:
    """`diagnostics` without `others`, in order; each of `others` takes away one occurrence of an
    equal diagnostic (equal by `key`)."""
    left = Counter(key(other) for other in others)
    result = []
    for diagnostic in diagnostics:
        if left[key(diagnostic)] > 0:
            left[key(diagnostic)] -= 1
        else:
            result.append(diagnostic)
    return result


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

    def note(self, file: str, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(file, line, Level.NOTE, message))

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
