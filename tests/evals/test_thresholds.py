"""The quality gate of `make test`: every offline suite must meet the thresholds stored beside its dataset.

A regression (a rule removed, a synonym deleted, a template broken) fails here with one line per missed metric,
naming the suite and the metric, e.g. ``compliance.category_recall = 0.700 < threshold 0.9``.
"""

from __future__ import annotations

import pytest

from core.settings import get_settings
from evals.registry import SUITE_NAMES
from evals.runner import run_evals


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MBRAIN_DATA_DIR", str(tmp_path_factory.mktemp("evals")))
        patch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
        get_settings.cache_clear()
        try:
            yield run_evals(mode="offline")
        finally:
            get_settings.cache_clear()


def test_all_five_suites_ran(offline_run):
    assert [s.suite for s in offline_run.suites] == list(SUITE_NAMES)
    for suite in offline_run.suites:
        assert suite.cases and suite.metrics and suite.thresholds, suite.suite


def test_offline_suites_meet_their_thresholds(offline_run):
    assert offline_run.ok, "quality regression:\n" + "\n".join(offline_run.failures)
