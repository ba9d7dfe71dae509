"""Tests of mlstack.tools.exit_test.search."""

from __future__ import annotations

import io
import math
import time

import pytest

from mlstack.tools.exit_test.progress import Progress
from mlstack.tools.exit_test.search import rung_shares, search


def _quiet() -> Progress:
    return Progress(60, stream=io.StringIO(), enabled=False)


def _search(cv, **kwargs):
    settings = {
        "deadline": lambda pool: math.inf,
        "progress": _quiet(),
        "families": ("linear", "hgb", "lightgbm"),
    }
    return search(cv, **{**settings, **kwargs})


def test_defaults_are_screened_then_rounds_search_until_they_stop(binary_cv):
    found = _search(binary_cv, max_candidates=6)
    assert {"linear", "hgb", "lightgbm"} <= set(found.screen)
    assert found.n_candidates == 6
    assert "max_candidates" in found.stopped or "did not improve" in found.stopped
    assert set(found.log["round"]) >= {0, 1}
    searched = [e for e in found.pool if e.candidate.params]
    assert searched and all(e.finished for e in found.pool)
    means = [e.mean for e in found.pool]
    assert means == sorted(means, reverse=True)


def test_no_rounds_when_no_settings_may_be_tried(binary_cv):
    found = _search(binary_cv, max_candidates=0)
    assert found.n_candidates == 0 and "max_candidates" in found.stopped
    assert all(not e.candidate.params for e in found.pool)


def test_past_the_deadline_only_the_reference_and_the_linear_model_run(binary_cv):
    found = _search(binary_cv, deadline=lambda pool: time.time() - 1, max_candidates=9)
    assert {e.candidate.family for e in found.pool} == {"hgb", "linear"}
    assert "time budget" in found.dropped["lightgbm"]
    assert found.n_candidates == 0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(500, [1.0]), (3_500, [1 / 3, 1.0]), (50_000, [1 / 9, 1 / 3, 1.0])],
    ids=["small", "medium", "large"],
)
def test_rungs_start_small_on_large_tables(rows, expected):
    assert rung_shares(rows) == pytest.approx(expected)
