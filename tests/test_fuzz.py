"""Fuzzing the build (bench/fuzzing.py holds the property and the generators): whole generated
Hugo sites from a hypothesis strategy, and a fixed-seed slice of the mutation fuzzer over the real
corpus sites (`python bench/run.py fuzz --seconds 600` runs both for longer)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(REPO / "bench"))
import fuzzing  # noqa: E402


# No shrinking: a finding is reported as generated (bench_fuzz.py isolates the page to blame).
@settings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(site=fuzzing.site_strategy())
def test_generated_hugo_sites_of_any_shape_build_and_every_output_parses(site):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        checked = fuzzing.build_and_check(site.write(root / "site"), root / "out", root / "state", site.cards)
    assert checked.findings == []


def test_a_fixed_slice_of_the_mutation_fuzzer_over_the_corpus_sites_finds_nothing(tmp_path):
    if not fuzzing.corpus_sites():
        pytest.skip("the real corpus (../shared/corpus) is not present")
    for number, rng in zip(range(3), fuzzing.batches(seed=2024)):
        site, _ = fuzzing.mutated_corpus_site(rng, tmp_path / f"site-{number}", 12)
        checked = fuzzing.build_and_check(site, tmp_path / f"out-{number}", tmp_path / f"state-{number}",
                                          cards=number == 0, base_url=fuzzing.BASE_URL)
        assert checked.findings == []
