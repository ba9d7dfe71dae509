"""Tests for mlstack.metrics.uncertainty: bootstrap replicates of a score."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, roc_auc_score

from mlstack.errors import InputError
from mlstack.metrics.uncertainty import bootstrap_scores


def _predictions(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    return y, y + rng.normal(size=n)


def test_bootstrap_centres_on_the_score_and_shrinks_with_more_rows():
    small = bootstrap_scores(*_predictions(300), n_boot=200)
    large = bootstrap_scores(*_predictions(4800), n_boot=200)
    y, score = _predictions(4800)
    assert abs(large.mean() - roc_auc_score(y, score)) < 0.005
    # the standard error falls like 1/sqrt(n): 16 times the rows, about a quarter
    assert 2.5 < small.std() / large.std() < 6


def test_bootstrap_accepts_any_metric_and_is_reproducible():
    y, score = _predictions(200)
    first = bootstrap_scores(y, score > 0.5, accuracy_score, n_boot=20, random_state=3)
    again = bootstrap_scores(y, score > 0.5, accuracy_score, n_boot=20, random_state=3)
    np.testing.assert_array_equal(first, again)
    assert np.all((first >= 0) & (first <= 1))


@pytest.mark.parametrize(
    ("y_score", "n_boot", "match"),
    [(np.zeros(5), 10, "must be 1-d and of equal length"), (np.zeros(4), 1, "at least 2")],
    ids=["length", "n_boot"],
)
def test_bootstrap_rejects_bad_input(y_score, n_boot, match):
    with pytest.raises(InputError, match=match):
        bootstrap_scores(np.array([0, 1, 0, 1]), y_score, n_boot=n_boot)
