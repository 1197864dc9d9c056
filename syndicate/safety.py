"""The safety net around per-post work: an unforeseen exception while one post is read, rendered
or written becomes an error for that post, which is left out; the other posts are built."""

from __future__ import annotations

import logging
from typing import Callable, Iterable, TypeVar

from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError

T = TypeVar("T")
P = TypeVar("P")

# The traceback of every failure caught here goes to this logger (the CLI shows it with
# SYNDICATE_DEBUG=1); the diagnostic itself stays one line.
log = logging.getLogger("syndicate")
log.addHandler(logging.NullHandler())  # a library logs nothing unless the application asks
MESSAGE_LIMIT = 300


def describe(exc: BaseException) -> str:
    """`RecursionError: maximum recursion depth exceeded`, cut to one short line."""
    text = " ".join(str(exc).split())
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PostFailed(Exception):
    """One post broke work it shares with others (a feed document): the caller leaves it out and
    does that work again without it."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
        self.source = diagnostic.file


def post_failure(source: str, line: int | None, stage: str, exc: Exception) -> Diagnostic:
    """The error for one post whose `stage` raised `exc`. A SyndicateError already says what to fix."""
    if isinstance(exc, PostFailed):
        return exc.diagnostic
    if isinstance(exc, SyndicateError):
        found = exc.diagnostic
        if found.file == source:
            return found
        return Diagnostic(source, line, Level.ERROR, f"{found.file}: {found.message}; this post is left out")
    log.error("internal error while %s %s", stage, source, exc_info=exc)
    if isinstance(exc, OSError) and exc.filename:  # the file system said no: not a bug
        return Diagnostic(source, line, Level.ERROR, f"{stage}: {exc.filename}: {exc.strerror or describe(exc)}; "
                          "this post is left out")
    return Diagnostic(source, line, Level.ERROR,
                      f"internal error while {stage}: {describe(exc)}; this post is left out. "
                      "This is a bug in syndicate: please report it with this post attached")


def internal_error(exc: BaseException) -> Diagnostic:
    """An unforeseen exception outside any one post's work: the run stops with this error."""
    log.error("internal error", exc_info=exc)
    if isinstance(exc, OSError) and exc.filename:  # the file system said no: not a bug
        return Diagnostic(str(exc.filename), None, Level.ERROR,
                          f"{exc.strerror or describe(exc)}; nothing was published, the output folder keeps "
                          "the last complete build")
    return Diagnostic("syndicate", None, Level.ERROR,
                      f"internal error: {describe(exc)}. This is a bug in syndicate: please report it "
                      "(run again with SYNDICATE_DEBUG=1 for the traceback); the output folder keeps "
                      "the last complete build")


def result_or_failure(work: Callable[[], T], source: str, stage: str, line: int | None = None) -> T | Diagnostic:
    """`work()`, or the error for the post `source` when it raises: the form for work done in
    worker processes, whose results travel back as values."""
    try:
        return work()
    except Exception as exc:  # the net: any bug in one post's handling stays that post's
        return post_failure(source, line, stage, exc)


def guarded(diagnostics: Diagnostics, source: str, stage: str, work: Callable[[], T],
            line: int | None = None) -> T | None:
    """`work()`, or None with an error for the post when it raises."""
    result = result_or_failure(work, source, stage, line)
    if isinstance(result, Diagnostic):
        diagnostics.items.append(result)
        return None
    return result


def each_post(posts: Iterable[P], diagnostics: Diagnostics, stage: str, source: Callable[[P], str],
              work: Callable[[P], T]) -> dict[str, T]:
    """`work(post)` for every post, keyed by its source; a post whose work raises is missing from
    the result and has an error instead."""
    results: dict[str, T] = {}
    for post in posts:
        key = source(post)
        result = result_or_failure(lambda: work(post), key, stage)
        if isinstance(result, Diagnostic):
            diagnostics.items.append(result)
        else:
            results[key] = result
    return results
