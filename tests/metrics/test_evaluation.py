"""Tests of mlstack.metrics.evaluation: bootstrap intervals, slices, calibration, AUC columns."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

from mlstack.metrics.evaluation import (
    METRICS,
    _resample_counts,
    bootstrap_ci,
    calibration_table,
    expected_calibration_error,
    positive_mask,
    roc_auc_columns,
    slice_metrics,
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
    if name in ("accuracy", "balanced_accuracy"):
        return y, score > 0.35
    return _regression()


@pytest.mark.parametrize("name", sorted(METRICS), ids=sorted(METRICS))
def test_vectorized_metric_matches_sklearn_with_weights(name):
    y, pred = _data_for(name)
    W = _resample_counts(np.random.default_rng(1), len(y), 3)
    func = METRICS[name][0]
    got = func(np.asarray(y), np.asarray(pred), W)
    expected = [_sklearn(name)(y, pred, sample_weight=w) for w in W]
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_resample_counts_sum_to_n_per_resample():
    counts = _resample_counts(np.random.default_rng(0), 50, 7)
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
    monkeypatch.setattr("mlstack.metrics.evaluation._CHUNK_CELLS", 1000)
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
    with pytest.raises(ValueError, match=match):
        bootstrap_ci([0, 1], [0, 1], **kwargs)


def test_bootstrap_ci_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        bootstrap_ci([0, 1, 1], [0, 1])


def test_roc_auc_columns_matches_sklearn_per_column():
    y, score = _binary()
    S = np.column_stack([score, -score, np.round(score, 1)])
    expected = [metrics.roc_auc_score(y, col) for col in S.T]
    np.testing.assert_allclose(roc_auc_columns(y, S), expected)


def test_roc_auc_columns_is_nan_with_one_class():
    assert np.isnan(roc_auc_columns([1, 1, 1], np.array([0.1, 0.2, 0.3]))).all()


def test_slice_metrics_binary_matches_per_group_sklearn():
    y, score = _binary(600)
    pred = score > 0.35
    groups = pd.DataFrame({"g": np.repeat(["a", "b", "c"], 200), "h": np.tile(["x", "y"], 300)})
    table = slice_metrics(y, pred, groups, task="binary", y_score=score)
    assert list(table.index.get_level_values("slice").unique()) == ["g", "h"]
    for value in ["a", "b", "c"]:
        rows = (groups["g"] == value).to_numpy()
        got = table.loc[("g", value)]
        assert got["n"] == 200
        assert got["accuracy"] == pytest.approx(metrics.accuracy_score(y[rows], pred[rows]))
        assert got["roc_auc"] == pytest.approx(metrics.roc_auc_score(y[rows], score[rows]))
        assert got["brier"] == pytest.approx(metrics.brier_score_loss(y[rows], score[rows]))
    assert table.loc[("h", "x"), "share"] == pytest.approx(0.5)


def test_slice_metrics_auc_is_nan_for_a_single_class_group_and_min_rows_drops():
    y = np.array([1, 1, 0, 1, 0, 0])
    groups = pd.Series(["a", "a", "b", "b", "b", "c"], name="g")
    table = slice_metrics(y, y, groups, y_score=y * 0.9, min_rows=2)
    assert np.isnan(table.loc[("g", "a"), "roc_auc"])
    assert ("g", "c") not in table.index


def test_slice_metrics_regression_and_multiclass():
    y, pred = _regression(300)
    groups = pd.Series(np.repeat(["a", "b", "c"], 100), name="g")
    table = slice_metrics(y, pred, groups, task="regression")
    rows = slice(0, 100)
    assert table.loc[("g", "a"), "r2"] == pytest.approx(metrics.r2_score(y[rows], pred[rows]))
    assert table.loc[("g", "a"), "rmse"] == pytest.approx(
        metrics.root_mean_squared_error(y[rows], pred[rows])
    )
    labels = np.tile(["u", "v", "w"], 100)
    guessed = np.where(np.arange(300) % 4 == 0, "u", labels)
    multi = slice_metrics(labels, guessed, groups, task="multiclass")
    assert multi.loc[("g", "b"), "balanced_accuracy"] == pytest.approx(
        metrics.balanced_accuracy_score(labels[100:200], guessed[100:200])
    )


def test_slice_metrics_labels_missing_values():
    table = slice_metrics([1, 0], [1, 1], pd.Series(["a", None], name="g"))
    assert ("g", "(missing)") in table.index


def test_slice_metrics_rejects_unknown_task():
    with pytest.raises(ValueError, match="unknown task 'ranking'"):
        slice_metrics([1], [1], pd.Series(["a"]), task="ranking")


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
    with pytest.raises(ValueError, match="needs classes="):
        calibration_table(["a"], proba[:1])


def test_string_labels_use_the_greater_label_as_positive_like_sklearn():
    y, score = _binary()
    labels = np.where(y, "yes", "no")
    ci = bootstrap_ci(labels, score, "roc_auc", n_resamples=50)
    assert ci.estimate == pytest.approx(metrics.roc_auc_score(labels, score))
    table = slice_metrics(labels, labels, pd.Series(["a"] * len(y), name="g"), y_score=score)
    assert table.loc[("g", "a"), "positive_rate"] == pytest.approx(y.mean())
    assert table.loc[("g", "a"), "roc_auc"] == pytest.approx(metrics.roc_auc_score(labels, score))
    calibration = calibration_table(labels, score, n_bins=4)
    assert (calibration["observed_rate"] * calibration["n"]).sum() == pytest.approx(y.sum())
    np.testing.assert_allclose(
        roc_auc_columns(labels, score), metrics.roc_auc_score(labels, score)
    )


@pytest.mark.parametrize(
    ("labels", "pos_label", "expected"),
    [
        ([True, False], None, [True, False]),
        ([0, 1, 1], None, [False, True, True]),
        ([2, 5, 5], None, [False, True, True]),
        (["b", "a"], "b", [True, False]),
    ],
    ids=["bool", "zero-one", "numbers", "explicit"],
)
def test_positive_mask(labels, pos_label, expected):
    assert positive_mask(labels, pos_label).tolist() == expected


def test_positive_mask_rejects_more_than_two_labels():
    with pytest.raises(ValueError, match="at most two labels; got 3"):
        positive_mask(["a", "b", "c"])
