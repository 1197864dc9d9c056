"""How a long run says how far it got: a live bar on a terminal, a line now and then in a log
(CI, `serve` under a process manager), and nothing at all from the library unless asked.

The time left is the work left at the average pace since the first item was done. Cards finish
in batches of up to 16 per worker, so a pace measured over the last few seconds (rich's default)
swings with every batch (0:00:14 left at 14 %, then 0:00:34 at 22 %, issue 12); the average over
the whole stage only settles."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TextIO

Advance = Callable[[int], None]
FIRST_LINE_AFTER = 2.0    # seconds: a stage that ends sooner leaves no line behind
LINE_EVERY = 10.0         # seconds between lines in a log
BAR_ABOVE = 8             # a terminal gets a bar for stages of more items than this


@dataclass
class Pace:
    """Items done since `started`, and the time left at the average pace so far. The pace is
    measured from the first item done, so the time a stage takes to start (a pool of worker
    processes, shared backgrounds prepared) is not read as slowness; between two items the
    estimate counts down rather than growing with every second that brings nothing new."""
    total: int | None
    started: float
    done: int = 0
    first: tuple[float, int] | None = None   # (when, how many were done) at the first advance
    last: float = 0.0                        # when the last advance came

    def advance(self, count: int, now: float) -> None:
        self.done += count
        self.last = now
        if self.first is None:
            self.first = (now, self.done)

    def left(self, now: float) -> float | None:
        if not self.total or self.first is None:
            return None
        since, done_then = self.first
        if self.done <= done_then or self.last <= since:
            return None  # one batch in: its time is mostly the stage starting up
        at_last = (self.total - self.done) * (self.last - since) / (self.done - done_then)
        return max(0.0, at_last - max(0.0, now - self.last))


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "estimating"
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class Progress:
    """Progress of one run's stages on `stream` (default stderr): on a terminal a bar that
    disappears when the stage ends, elsewhere a line after two seconds and then every ten."""
    stream: TextIO | None = None
    terminal: bool | None = None
    clock: Callable[[], float] = time.monotonic
    _console: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.stream = self.stream or sys.stderr
        if self.terminal is None:
            self.terminal = self.stream.isatty()

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Advance]:
        """`with progress.stage("share cards", 147) as advance: … advance(16)`."""
        pace = Pace(total, self.clock())
        if self.terminal and (total is None or total > BAR_ABOVE):
            with self._bar(name, pace) as advance:
                yield advance
        else:
            yield from self._lines(name, pace)

    @contextmanager
    def _bar(self, name: str, pace: Pace) -> Iterator[Advance]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
        from rich.progress import Progress as Bar

        columns = ([TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _left_column(pace, self.clock)]
                   if pace.total else [SpinnerColumn(), TextColumn("{task.description} …")])
        bar = Bar(*columns, console=Console(file=self.stream), transient=True)
        task = bar.add_task(name, total=pace.total)

        def advance(count: int) -> None:
            pace.advance(count, self.clock())
            bar.advance(task, count)

        with bar:
            yield advance
        if self.clock() >= pace.started + FIRST_LINE_AFTER:
            self.note(self._finished(name, pace))

    def _lines(self, name: str, pace: Pace) -> Iterator[Advance]:
        due = {"next": pace.started + FIRST_LINE_AFTER, "printed": False}

        def advance(count: int) -> None:
            now = self.clock()
            pace.advance(count, now)
            if now >= due["next"] and (pace.total is None or pace.done < pace.total):
                self.note(self._line(name, pace, now))
                due.update(next=now + LINE_EVERY, printed=True)

        yield advance
        if due["printed"] or self.clock() >= pace.started + FIRST_LINE_AFTER:
            self.note(self._finished(name, pace))

    def _line(self, name: str, pace: Pace, now: float) -> str:
        if not pace.total:
            return f"{name}: {pace.done} so far"
        left = pace.left(now)
        return (f"{name}: {pace.done} of {pace.total} ({100 * pace.done // pace.total} %)"
                + (f", about {clock_text(left)} left" if left is not None else ""))

    def _finished(self, name: str, pace: Pace) -> str:
        count = f" {pace.done} of {pace.total}" if pace.total and pace.done != pace.total else (
            f" {pace.done}" if pace.total else "")
        return f"{name}:{count} done in {self.clock() - pace.started:.1f} s"


def _left_column(pace: Pace, clock: Callable[[], float]) -> Any:
    """Rich's own column measures the pace over the last 30 s; this one uses the Pace."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class LeftColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{clock_text(pace.left(clock()))} left", style="progress.remaining")

    return LeftColumn()


@contextmanager
def stage(progress: Progress | None, name: str, total: int | None = None) -> Iterator[Advance]:
    """A stage of `progress`, or of nothing when the caller asked for no progress (the library's default)."""
    if progress is None:
        yield lambda count: None
    else:
        with progress.stage(name, total) as advance:
            yield advance
