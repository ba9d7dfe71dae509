"""Tests of mlstack.metrics.bootstrap: intervals by rows or groups, paired differences."""

import numpy as np
import pytest
from sklearn import metrics

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import (
    METRICS,
    _weights,
    bootstrap_ci,
    bootstrap_replicates,
    paired_bootstrap_differences,
)


def _binary(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    score = np.clip(0.3 + 0.3 * (y - 0.3) + rng.normal(0, 0.2, n), 0.001, 0.999)
    score[:50] = np.clip(np.round(score[:50], 1), 0.05, 0.95)  # ties
    return y, score


def _regression(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, n)
    return y, y + rng.normal(0, 1, n)


def _sklearn(name):
    return {
        "accuracy": metrics.accuracy_score,
        "balanced_accuracy": metrics.balanced_accuracy_score,
        "precision": metrics.precision_score,
        "recall": metrics.recall_score,
        "roc_auc": metrics.roc_auc_score,
        "brier": metrics.brier_score_loss,
        "log_loss": metrics.log_loss,
        "mae": metrics.mean_absolute_error,
        "rmse": metrics.root_mean_squared_error,
        "r2": metrics.r2_score,
    }[name]


def _data_for(name):
    y, score = _binary()
    if name in ("roc_auc", "brier", "log_loss"):
        return y, score
    if name in ("accuracy", "balanced_accuracy", "precision", "recall"):
        return y, score > 0.35
    return _regression()


@pytest.mark.parametrize("name", sorted(METRICS), ids=sorted(METRICS))
def test_vectorized_metric_matches_sklearn_with_weights(name):
    y, pred = _data_for(name)
    W = next(_weights(np.random.default_rng(1), len(y), 3, None, len(y)))
    func = METRICS[name][0]
    got = func(np.asarray(y), np.asarray(pred), W)
    expected = [_sklearn(name)(y, pred, sample_weight=w) for w in W]
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_resample_counts_sum_to_n_per_resample():
    counts = next(_weights(np.random.default_rng(0), 50, 7, None, 50))
    assert counts.shape == (7, 50)
    np.testing.assert_array_equal(counts.sum(axis=1), 50)


def test_bootstrap_ci_brackets_estimate_and_is_deterministic():
    y, score = _binary()
    ci = bootstrap_ci(y, score, "roc_auc", n_resamples=300, random_state=3)
    again = bootstrap_ci(y, score, "roc_auc", n_resamples=300, random_state=3)
    assert ci == again
    assert ci.low < ci.estimate < ci.high
    assert ci.estimate == pytest.approx(metrics.roc_auc_score(y, score))
    assert str(ci).startswith(f"{ci.estimate:.3f} [")


def test_bootstrap_ci_width_shrinks_with_more_rows():
    small = bootstrap_ci(*_binary(200), "roc_auc", n_resamples=300)
    large = bootstrap_ci(*_binary(5000), "roc_auc", n_resamples=300)
    assert (large.high - large.low) < (small.high - small.low)


def test_bootstrap_ci_accepts_a_callable_and_agrees_with_the_vectorized_path():
    y, score = _binary()
    by_name = bootstrap_ci(y, score > 0.35, "accuracy", n_resamples=100)
    by_func = bootstrap_ci(y, score > 0.35, metrics.accuracy_score, n_resamples=100)
    assert by_func.metric == "accuracy_score"
    assert (by_func.low, by_func.high) == pytest.approx((by_name.low, by_name.high))


def test_bootstrap_ci_chunks_large_inputs(monkeypatch):
    monkeypatch.setattr("mlstack.metrics.bootstrap._CHUNK_CELLS", 1000)
    y, score = _binary(400)
    ci = bootstrap_ci(y, score, "brier", n_resamples=25)
    assert ci.n_resamples == 25 and ci.low <= ci.estimate <= ci.high


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metric": "f1"}, "unknown metric 'f1'"),
        ({"confidence": 1.5}, "confidence must be between 0 and 1"),
    ],
    ids=["unknown-metric", "bad-confidence"],
)
def test_bootstrap_ci_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        bootstrap_ci([0, 1], [0, 1], **kwargs)


def test_bootstrap_ci_rejects_mismatched_lengths():
    with pytest.raises(InputError, match="same length"):
        bootstrap_ci([0, 1, 1], [0, 1])


def _data(n=2000, seed=0, day_effect=0.0):
    rng = np.random.default_rng(seed)
    days = np.repeat(np.arange(n // 50), 50)
    shared = rng.normal(size=n // 50)[days] * day_effect  # what a day's flights share
    y = rng.random(n) < 1 / (1 + np.exp(-(shared - 1)))
    score = y + rng.normal(size=n) + shared
    return y, score, days


def test_estimate_matches_sklearn():
    y, score, _ = _data()
    ci = bootstrap_ci(y, score, "roc_auc", n_resamples=50)
    assert ci.estimate == pytest.approx(metrics.roc_auc_score(y, score))
    assert ci.low < ci.estimate < ci.high
    assert (ci.unit, ci.n_units) == ("rows", len(y))


def test_resampling_days_widens_the_interval_when_days_share_noise():
    y, score, days = _data(day_effect=1.5)
    rows = bootstrap_ci(y, score, "roc_auc", n_resamples=400)
    by_day = bootstrap_ci(y, score, "roc_auc", groups=days, unit="days", n_resamples=400)
    assert by_day.estimate == rows.estimate
    assert (by_day.high - by_day.low) > 1.2 * (rows.high - rows.low)
    assert (by_day.unit, by_day.n_units) == ("days", 40)
    assert "40 days" in by_day.describe()


def test_groups_of_one_row_are_the_row_bootstrap():
    y, score, _ = _data(n=500)
    a = bootstrap_replicates(y, score, groups=np.arange(500), n_resamples=100)
    b = bootstrap_replicates(y, score, n_resamples=100)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("metric", sorted(METRICS), ids=sorted(METRICS))
def test_every_vectorized_metric_agrees_with_a_weighted_callable(metric):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    score = np.clip(y * 0.3 + rng.random(300) * 0.7, 0.01, 0.99)
    pred = score if METRICS[metric][1] else (score > 0.5).astype(int)
    vectorized = bootstrap_replicates(y, pred, metric, n_resamples=20, random_state=3)
    assert vectorized.shape == (20,)
    assert np.isfinite(vectorized).all()


def test_same_seed_same_replicates_and_groups_order_does_not_matter():
    y, score, days = _data(n=1000)
    a = bootstrap_replicates(y, score, groups=days, n_resamples=50)
    b = bootstrap_replicates(y, score, groups=days.astype(str), n_resamples=50)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, bootstrap_replicates(y, score, groups=days, n_resamples=50))


def test_paired_difference_is_tighter_than_either_interval():
    y, score, days = _data(n=3000, day_effect=1.0)
    rng = np.random.default_rng(5)
    other = score + 0.3 * rng.normal(size=len(y))
    diff, reps = paired_bootstrap_differences(y, score, other, groups=days, n_resamples=300)
    ci = bootstrap_ci(y, score, "roc_auc", groups=days, n_resamples=300)
    assert diff > 0
    assert np.quantile(reps, 0.975) - np.quantile(reps, 0.025) < ci.high - ci.low


def test_paired_difference_of_a_loss_is_oriented_so_positive_is_better():
    y, score, _ = _data(n=800)
    good = 1 / (1 + np.exp(-2 * (score - 0.5)))
    bad = np.full(len(y), 0.5)
    diff, _ = paired_bootstrap_differences(y, good, bad, "log_loss", n_resamples=20)
    assert diff > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"groups": np.arange(3)}, "groups has 3 values for 10 rows"),
        ({"groups": [None] * 10}, "groups has missing values"),
        ({"metric": "nope"}, "unknown metric 'nope'"),
        ({"n_resamples": 1}, "n_resamples=1"),
    ],
    ids=["groups-length", "groups-missing", "metric", "resamples"],
)
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(InputError, match=match) as info:
        bootstrap_replicates(np.arange(10) % 2, np.linspace(0, 1, 10), **kwargs)
    assert info.value.parameter in {"groups", "metric", "n_resamples"}
