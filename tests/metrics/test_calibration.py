"""Tests of mlstack.metrics.calibration: reliability tables."""

import numpy as np
import pytest

from mlstack.errors import InputError
from mlstack.metrics.calibration import calibration_table, expected_calibration_error


def _binary(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    score = np.clip(0.3 + 0.3 * (y - 0.3) + rng.normal(0, 0.2, n), 0.001, 0.999)
    score[:50] = np.clip(np.round(score[:50], 1), 0.05, 0.95)  # ties
    return y, score


def test_calibration_table_binary_quantile_bins():
    y, score = _binary(1000)
    table = calibration_table(y, score, n_bins=5)
    assert len(table) == 5
    assert table["n"].sum() == 1000
    assert table["mean_predicted"].is_monotonic_increasing
    ece = expected_calibration_error(table)
    assert 0 <= ece < 1


def test_calibration_table_multiclass_uses_top_label_confidence():
    proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]])
    table = calibration_table(
        ["a", "b", "b", "c"], proba, n_bins=2, strategy="uniform", classes=["a", "b", "c"]
    )
    assert table["n"].sum() == 4
    with pytest.raises(InputError, match="needs classes="):
        calibration_table(["a"], proba[:1])
