"""Tests of mlstack.metrics.calibration: reliability tables and recalibration."""

import numpy as np
import pytest

from mlstack.errors import InputError
from mlstack.metrics.calibration import (
    RecalibratedClassifier,
    calibration_table,
    expected_calibration_error,
    fit_recalibration,
    recalibrate_forward,
    reliability_by_group,
)


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


def test_reliability_by_group_shows_the_gap_of_each_group():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.5, 4000)
    month = np.repeat([6, 7], 2000)
    shift = np.where(month == 7, 0.15, 0.0)  # July is later than predicted
    y = rng.random(4000) < p + shift
    table = reliability_by_group(y, p, month)
    assert table.index.tolist() == [6, 7]
    assert table["n"].tolist() == [2000, 2000]
    assert abs(table.loc[6, "gap"]) < 0.03 < 0.1 < table.loc[7, "gap"]
    assert (table["ece"] >= 0).all()


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_a_recalibration_fitted_on_a_shifted_past_corrects_a_like_future(method):
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.6, 9000)
    period = np.repeat([1, 2, 3], 3000)
    y = rng.random(9000) < p + 0.15  # the same shift in every period
    out = recalibrate_forward(y, p, period, method=method)
    assert np.isnan(out[period == 1]).all()
    later = period > 1
    before = abs(p[later].mean() - y[later].mean())
    after = abs(out[later].mean() - y[later].mean())
    assert after < 0.02 < 0.1 < before


def test_recalibrated_classifier_maps_the_wrapped_probabilities():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + rng.normal(size=300)) > 0
    model = LogisticRegression().fit(X, y)
    wrapped = RecalibratedClassifier(model, lambda p: np.sqrt(p))
    np.testing.assert_allclose(
        wrapped.predict_proba(X)[:, 1], np.sqrt(model.predict_proba(X)[:, 1])
    )
    assert wrapped.predict(X).dtype == model.predict(X).dtype


def test_unknown_recalibration_names_the_parameter():
    with pytest.raises(InputError, match="unknown recalibration 'beta'") as info:
        fit_recalibration([0, 1], [0.2, 0.8], method="beta")
    assert info.value.parameter == "method"
