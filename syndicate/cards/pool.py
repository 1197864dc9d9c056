"""Rendering many cards: in worker processes, batched by background so each worker reuses what it
prepared, shared backgrounds prepared once before the workers fork; reported as a stage of the
run's progress."""

from __future__ import annotations

from concurrent.futures import as_completed
from typing import Iterator

from ..diagnostics import Diagnostic
from ..progress import Progress, stage
from ..safety import result_or_failure
from ..workers import process_pool, start_context
from .composition import Rendered, render_spec, resolve_background
from .spec import CardSpec


def render_all(todo: list[CardSpec], jobs: int, progress: Progress | None = None) -> Iterator[Rendered | Diagnostic]:
    """Each card drawn, or the error for its page: one card's failure never stops the others."""
    if not todo:
        return
    with stage(progress, "share cards", len(todo)) as advance:
        if jobs <= 1 or len(todo) <= 2:
            for spec in todo:
                yield _render_guarded(spec)
                advance(1)
            return
        _prepare_shared(todo)
        with process_pool(jobs) as pool:
            # No list of the futures is kept: as_completed lets go of each one it has yielded, so
            # a batch's JPEGs are freed once written (holding them all took 1.9 GB for 10,000 cards).
            for future in as_completed([pool.submit(_render_batch, batch) for batch in _batches(todo, jobs)]):
                results = future.result()
                yield from results
                advance(len(results))


def _render_batch(batch: list[CardSpec]) -> list[Rendered | Diagnostic]:
    return [_render_guarded(spec) for spec in batch]


def _render_guarded(spec: CardSpec) -> Rendered | Diagnostic:
    return result_or_failure(lambda: render_spec(spec), spec.source, "drawing its share card")


def _batches(todo: list[CardSpec], jobs: int) -> list[list[CardSpec]]:
    """Cards grouped by background, so a worker reuses what it prepared; groups cut so that
    every worker gets several batches to balance the load."""
    ordered = sorted(todo, key=lambda spec: (spec.page.backgrounds[0].digest, spec.page.name))
    size = max(1, min(16, len(ordered) // (jobs * 4)))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def _prepare_shared(todo: list[CardSpec]) -> None:
    """Prepare in the parent what several cards share, before the workers fork from it."""
    if start_context().get_start_method() != "fork":
        return
    counts: dict[tuple, int] = {}
    for spec in todo:
        key = (spec.page.backgrounds[0].digest, spec.page.focus, spec.look.layout)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] == 2:
            resolve_background(spec)
