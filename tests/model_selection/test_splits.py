"""Tests for mlstack.model_selection.splits: splits that respect time and groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, TimeSeriesSplit

from mlstack.errors import InputError
from mlstack.model_selection.splits import (
    RollingOriginSplit,
    cv_fold_scores,
    estimate_spread,
    group_split,
    random_split,
    score_splits,
    shared_groups,
    time_split,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    """300 shuffled rows with a timestamp (ties included), a group and two features."""
    rng = np.random.default_rng(0)
    n = 300
    times = pd.Timestamp("2013-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    return pd.DataFrame(
        {
            "when": times,
            "tail": rng.choice([f"N{i:03d}" for i in range(40)], size=n),
            "x": rng.normal(size=n),
            "noise": rng.normal(size=n),
        }
    )


def _check_partition(train: np.ndarray, test: np.ndarray, n: int) -> None:
    assert len(np.intersect1d(train, test)) == 0
    assert np.array_equal(np.union1d(train, test), np.arange(n))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)


@pytest.mark.parametrize(
    "kwargs",
    [{"test_size": 0.25}, {"test_size": 60}, {"cutoff": "2013-02-10"}],
    ids=["fraction", "count", "cutoff"],
)
def test_time_split_puts_every_test_time_after_every_train_time(frame, kwargs):
    train, test = time_split(frame, "when", **kwargs)
    _check_partition(train, test, len(frame))
    assert frame["when"].iloc[train].max() < frame["when"].iloc[test].min()


def test_time_split_test_size_is_honoured_up_to_ties(frame):
    train, test = time_split(frame, "when", test_size=0.25)
    # the cutoff row and its ties join the test part, so it can only grow
    assert len(test) >= 75
    ties_at_cutoff = (frame["when"] == frame["when"].iloc[test].min()).sum()
    assert len(test) < 75 + ties_at_cutoff


def test_time_split_keeps_rows_of_one_timestamp_together():
    frame = pd.DataFrame({"t": [1, 2, 2, 2, 3]})
    train, test = time_split(frame, "t", test_size=3)
    assert frame["t"].iloc[test].tolist() == [2, 2, 2, 3]
    assert train.tolist() == [0]


def test_time_split_cutoff_is_inclusive():
    frame = pd.DataFrame({"t": [3, 1, 2]})
    train, test = time_split(frame, "t", cutoff=2)
    assert train.tolist() == [1]
    assert test.tolist() == [0, 2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one of test_size and cutoff"),
        ({"test_size": 0.2, "cutoff": 3}, "exactly one of test_size and cutoff"),
        ({"cutoff": 0}, "leaves the training part empty"),
        ({"cutoff": 99}, "leaves the test part empty"),
        ({"test_size": 1.5}, "give a fraction in"),
        ({"test_size": 3}, "leaves an empty side"),
    ],
    ids=["neither", "both", "cutoff-too-early", "cutoff-too-late", "bad-fraction", "all-rows"],
)
def test_time_split_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        time_split(pd.DataFrame({"t": [1, 2, 3]}), "t", **kwargs)


def test_time_split_names_a_missing_column():
    with pytest.raises(InputError, match="column 'when' is not in the frame"):
        time_split(pd.DataFrame({"t": [1, 2]}), "when", test_size=1)


def test_time_split_rejects_missing_times():
    frame = pd.DataFrame({"t": pd.to_datetime(["2013-01-01", None, "2013-01-03"])})
    with pytest.raises(InputError, match="column 't' has missing times"):
        time_split(frame, "t", test_size=1)


@pytest.mark.parametrize("test_size", [0.25, 10], ids=["fraction", "count"])
def test_group_split_never_puts_a_group_on_both_sides(frame, test_size):
    train, test = group_split(frame, "tail", test_size=test_size, random_state=1)
    _check_partition(train, test, len(frame))
    train_groups = set(frame["tail"].iloc[train])
    test_groups = set(frame["tail"].iloc[test])
    assert train_groups.isdisjoint(test_groups)
    assert len(test_groups) == 10  # test_size counts groups: 25% of 40, or 10
    assert shared_groups(frame["tail"], train, test) == 0.0


def test_group_split_is_reproducible_and_seed_dependent(frame):
    first = group_split(frame, "tail", random_state=3)
    again = group_split(frame, "tail", random_state=3)
    other = group_split(frame, "tail", random_state=4)
    assert np.array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_group_split_rejects_missing_groups():
    frame = pd.DataFrame({"g": ["a", None, "b", "c"]})
    with pytest.raises(InputError, match="column 'g' has missing groups"):
        group_split(frame, "g", test_size=1)


def test_random_split_sizes_and_partition(frame):
    train, test = random_split(frame, test_size=0.2, random_state=0)
    _check_partition(train, test, len(frame))
    assert (len(train), len(test)) == (240, 60)


def test_random_split_shares_most_groups(frame):
    # 40 groups over 300 rows: a random split sees nearly every test group in training
    train, test = random_split(frame, test_size=0.2, random_state=0)
    assert shared_groups(frame["tail"], train, test) > 0.9


def test_shared_groups_counts_rows_not_groups():
    groups = ["a", "a", "a", "b"]
    assert shared_groups(groups, np.array([0]), np.array([1, 2, 3])) == pytest.approx(2 / 3)


def test_score_splits_reports_one_row_per_split(frame):
    y = frame["x"] > 0
    splits = {
        "random": random_split(frame, random_state=0),
        "time": time_split(frame, "when", test_size=0.2),
    }
    table = score_splits(
        LogisticRegression(), frame[["x", "noise"]], y, splits, groups=frame["tail"]
    )
    assert table["split"].tolist() == ["random", "time"]
    assert table.columns.tolist() == [
        "split",
        "n_train",
        "n_test",
        "test positive rate",
        "test rows with seen group",
        "roc_auc",
        "accuracy",
    ]
    assert (table["n_train"] + table["n_test"] == len(frame)).all()
    # the label is a threshold on "x": a linear model separates it almost perfectly
    assert (table["roc_auc"] > 0.98).all()


def test_cv_fold_scores_walks_every_fold_of_every_scheme(frame):
    y = frame["x"] + 0.5 * frame["noise"] > 0
    schemes = {
        "kfold": KFold(5, shuffle=True, random_state=0),
        "group": GroupKFold(5),
        "time": TimeSeriesSplit(5),
    }
    folds = cv_fold_scores(
        LogisticRegression(),
        frame[["x", "noise"]],
        y,
        schemes,
        groups=frame["tail"],
        scoring=["roc_auc", "accuracy"],
    )
    assert folds.groupby("scheme", sort=False).size().to_dict() == {
        "kfold": 5,
        "group": 5,
        "time": 5,
    }
    kfold = folds[folds["scheme"] == "kfold"]
    assert kfold["n_test"].sum() == len(frame)  # every row validates exactly once
    assert (kfold["n_train"] + kfold["n_test"] == len(frame)).all()
    group = folds[folds["scheme"] == "group"]
    assert (group["test rows with seen group"] == 0).all()
    time = folds[folds["scheme"] == "time"]
    assert time["n_train"].is_monotonic_increasing
    assert folds[["roc_auc", "accuracy"]].gt(0.5).all().all()


def test_cv_fold_scores_accepts_explicit_folds(frame):
    y = frame["x"] > 0
    folds = cv_fold_scores(
        LogisticRegression(),
        frame[["x"]],
        y,
        {"one time split": [time_split(frame, "when", test_size=0.2)]},
    )
    assert folds["fold"].tolist() == [0]
    assert "test rows with seen group" not in folds


def test_estimate_spread_single_split_moves_more_than_cv():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=150), "noise": rng.normal(size=150)})
    y = pd.Series(X["x"] + rng.normal(size=150) > 0)
    table = estimate_spread(LogisticRegression(), X, y, n_seeds=12, n_splits=5)
    assert table.columns.tolist() == ["seed", "method", "estimate", "fold std"]
    assert table.groupby("method").size().to_dict() == {"5-fold CV": 12, "single split": 12}
    spread = table.groupby("method")["estimate"].std()
    assert spread["single split"] > 1.5 * spread["5-fold CV"]
    assert (table.loc[table["method"] == "single split", "fold std"] == 0).all()
    assert (table.loc[table["method"] == "5-fold CV", "fold std"] > 0).all()


def test_estimate_spread_is_reproducible():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=80)})
    y = pd.Series(X["x"] + rng.normal(size=80) > 0)
    first = estimate_spread(LogisticRegression(), X, y, n_seeds=2)
    assert first.equals(estimate_spread(LogisticRegression(), X, y, n_seeds=2))


def _months(counts=(3, 2, 4, 1, 2)) -> np.ndarray:
    return np.repeat(np.arange(1, len(counts) + 1), counts)


def test_rolling_origin_trains_on_earlier_periods_and_validates_on_the_next():
    months = np.random.default_rng(0).permutation(_months())
    cv = RollingOriginSplit(months, n_splits=3)
    folds = list(cv.split(np.zeros((len(months), 2))))
    assert len(folds) == cv.get_n_splits() == 3
    assert cv.validation_periods() == [3, 4, 5]
    for (train, test), period in zip(folds, [3, 4, 5], strict=True):
        assert set(months[test]) == {period}
        assert set(months[train]) == set(range(1, period))
        assert months[train].max() < months[test].min()


def test_rolling_origin_with_a_sliding_window():
    months = _months()
    folds = list(RollingOriginSplit(months, n_splits=2, max_train_periods=2).split(months))
    assert [sorted(set(months[train])) for train, _ in folds] == [[2, 3], [3, 4]]


def test_rolling_origin_runs_inside_scikit_learn_cross_validation():
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_validate

    X, y = make_classification(n_samples=240, random_state=0)
    months = np.repeat(np.arange(1, 7), 40)
    result = cross_validate(LogisticRegression(), X, y, cv=RollingOriginSplit(months, n_splits=4))
    assert len(result["test_score"]) == 4


@pytest.mark.parametrize(
    ("kwargs", "rows", "match"),
    [
        ({"n_splits": 5}, 12, "needs at least 6 periods; the data has 5"),
        ({"n_splits": 0}, 12, "n_splits=0"),
        ({"n_splits": 2}, 11, "X has 11 rows but periods has 12"),
    ],
    ids=["too-few-periods", "no-folds", "length"],
)
def test_rolling_origin_rejects_bad_arguments(kwargs, rows, match):
    cv = RollingOriginSplit(_months(), **kwargs)
    with pytest.raises(InputError, match=match):
        list(cv.split(np.zeros(rows)))
