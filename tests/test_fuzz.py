"""Fuzzing the build (bench/fuzzing.py holds the property and the generators): whole generated
posts from a hypothesis strategy, and a fixed-seed slice of the mutation fuzzer over the real
corpus (`python bench/run.py fuzz --seconds 300` runs both for longer)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(REPO / "bench"))
from fuzzing import (  # noqa: E402
    ZONES,
    batches,
    build_and_check,
    corpus_posts,
    generated_site,
    mutation_batch,
    post_strategy,
    write_site,
)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(posts=st.lists(post_strategy(), min_size=1, max_size=4), zone=st.sampled_from(ZONES), cards=st.booleans())
def test_generated_posts_of_any_shape_build_and_every_output_parses(posts, zone, cards):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        findings = build_and_check(generated_site(root / "site", posts, zone, cards), root / "out", root / "state")
    assert findings == []


def test_a_fixed_slice_of_the_mutation_fuzzer_over_the_corpus_finds_nothing(tmp_path):
    posts = corpus_posts()
    if not posts:
        pytest.skip("the real corpus (../shared/corpus) is not present")
    for number, rng in zip(range(4), batches(seed=2024)):
        site = write_site(tmp_path / f"site-{number}", mutation_batch(posts, rng, 25), rng.choice(ZONES),
                          cards=number == 0)
        assert build_and_check(site, tmp_path / f"out-{number}", tmp_path / f"state-{number}") == []
