"""Progress of long stages, on a clock the test turns: quiet for short stages, a line now and then
in a log, a bar on a terminal, and a time left that settles instead of jumping."""

from __future__ import annotations

import io
import random

import pytest

from syndicate.diagnostics import Diagnostic, Level
from syndicate.progress import Pace, Progress, stage
from syndicate.server.watch import rebuild_report


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def steady_stage(items: int, seconds_each: float) -> list[str]:
    """The lines a log gets from a stage of `items` that take `seconds_each` one after another."""
    clock, out = Clock(), io.StringIO()
    with Progress(out, terminal=False, clock=clock).stage("share cards", items) as advance:
        for _ in range(items):
            clock.now += seconds_each
            advance(1)
    return out.getvalue().splitlines()


def test_a_short_stage_leaves_no_line_in_a_log():
    assert steady_stage(40, 0.04) == []


def test_a_long_stage_says_how_far_it_is_after_two_seconds_then_every_ten():
    assert steady_stage(100, 0.25) == ["share cards: 8 of 100 (8 %), about 0:00:23 left",
                                       "share cards: 48 of 100 (48 %), about 0:00:13 left",
                                       "share cards: 88 of 100 (88 %), about 0:00:03 left",
                                       "share cards: 100 done in 25.0 s"]


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_the_time_left_settles_while_cards_arrive_in_batches(seed):
    """Two workers return batches of 16 cards at a steady pace with ±40 % jitter, after 1.5 s of
    starting up: from a fifth of the way on, the estimate stays within a fifth of the whole run
    of the truth, and from the second batch on it never grows by more than a quarter (the issue
    saw it more than double, 0:00:14 → 0:00:34)."""
    random.seed(seed)
    arrivals, now, done = [], 1.5, 0
    while done < 300:
        batch = min(16, 300 - done)
        now += batch * 0.15 * random.uniform(0.6, 1.4) / 2
        done += batch
        arrivals.append((now, done))
    total_time = arrivals[-1][0]
    pace, estimates, before = Pace(300, 0.0), [], 0
    for at, done in arrivals:
        pace.advance(done - before, at)
        before = done
        estimates.append((at, pace.left(at)))
    assert estimates[0][1] is None  # the first batch carries the start-up time: no guess from it
    for at, left in estimates[1:]:
        if at >= total_time / 5:
            assert abs(left - (total_time - at)) <= total_time / 5, (at, left, total_time - at)
    for (_, left), (_, next_left) in zip(estimates[1:], estimates[2:]):
        assert next_left <= 1.25 * left, (left, next_left)


def test_a_terminal_gets_a_bar_that_goes_and_a_line_that_stays():
    clock, out = Clock(), io.StringIO()
    with Progress(out, terminal=True, clock=clock).stage("share cards", 50) as advance:
        clock.now += 12
        advance(50)
    assert out.getvalue().rstrip().endswith("share cards: 50 done in 12.0 s")


def test_the_library_prints_nothing_unless_given_a_progress(capsys):
    with stage(None, "share cards", 1000) as advance:
        advance(1000)
    assert capsys.readouterr() == ("", "")


def diagnostic(line: int, message: str, level: Level = Level.WARNING) -> Diagnostic:
    return Diagnostic("content/blog/a.md", line, level, message)


def test_a_rebuild_reports_only_new_and_resolved_diagnostics():
    before = [diagnostic(3, "image 'x.jpg' not found"), diagnostic(9, "unknown shortcode 'tweet'")]
    after = [diagnostic(4, "image 'x.jpg' not found"), diagnostic(12, "title is empty", Level.ERROR)]
    report = rebuild_report(before, after, ["feeds/atom.xml", "meta/a.html"], 0.4).splitlines()
    assert report == [
        "content/blog/a.md:12: error: title is empty",
        "resolved: content/blog/a.md:9: warning: unknown shortcode 'tweet'",
        "rebuilt in 0.40s: 2 files changed: feeds/atom.xml, meta/a.html; 1 new and 1 resolved diagnostics "
        "(2 diagnostics in all: /_preview/diagnostics/)",
    ]


def test_a_rebuild_that_changes_nothing_says_one_line():
    same = [diagnostic(3, "image 'x.jpg' not found")]
    assert rebuild_report(same, list(same), [], 0.1) == \
        "rebuilt in 0.10s: 0 files changed (1 diagnostics in all: /_preview/diagnostics/)"
