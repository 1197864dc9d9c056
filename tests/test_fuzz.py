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
import fuzzing  # noqa: E402


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(posts=st.lists(fuzzing.post_strategy(), min_size=1, max_size=4), zone=st.sampled_from(fuzzing.ZONES),
       cards=st.booleans())
def test_generated_posts_of_any_shape_build_and_every_output_parses(posts, zone, cards):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        site = fuzzing.generated_site(root / "site", posts, zone, cards)
        findings = fuzzing.build_and_check(site, root / "out", root / "state")
    assert findings == []


def test_a_fixed_slice_of_the_mutation_fuzzer_over_the_corpus_finds_nothing(tmp_path):
    posts = fuzzing.corpus_posts()
    if not posts:
        pytest.skip("the real corpus (../shared/corpus) is not present")
    for number, rng in zip(range(3), fuzzing.batches(seed=2024)):
        batch = fuzzing.mutation_batch(posts, rng, 15)
        site = fuzzing.write_site(tmp_path / f"site-{number}", batch, rng.choice(fuzzing.ZONES), cards=number == 0)
        assert fuzzing.build_and_check(site, tmp_path / f"out-{number}", tmp_path / f"state-{number}") == []
