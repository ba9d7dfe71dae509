"""Tests of mlstack.metrics.evaluation: slices and many models' ROC AUC at once."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import bootstrap_ci
from mlstack.metrics.calibration import calibration_table
from mlstack.metrics.evaluation import roc_auc_columns, slice_metrics


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
    with pytest.raises(InputError, match="unknown task 'ranking'"):
        slice_metrics([1], [1], pd.Series(["a"]), task="ranking")


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
