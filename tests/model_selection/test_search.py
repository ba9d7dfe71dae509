"""Tests of mlstack.model_selection.search: CV tables, the three searches, the candidates' predictions."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid, TimeSeriesSplit
from sklearn.tree import DecisionTreeClassifier

from mlstack.model_selection.search import (
    candidate_fold_scores,
    compare_searches,
    cv_table,
    fit_candidates,
    fold_scores,
    fold_sizes,
    fold_table,
    format_params,
    make_halving_search,
    place_in_space,
)

SPACE = {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 20]}


def _data(n=300):
    return make_classification(n_samples=n, n_features=6, random_state=0)


def test_cv_table_has_one_row_per_model_on_the_same_folds():
    X, y = _data()
    table, raw = cv_table(
        {"linear": LogisticRegression(), "tree": DecisionTreeClassifier(random_state=0)},
        X,
        y,
        cv=KFold(4),
    )
    assert list(table.index) == ["linear", "tree"]
    assert list(table.columns) == ["mean", "std", "min", "max", "fit_s"]
    assert table.loc["linear", "mean"] == pytest.approx(raw["linear"]["test_score"].mean())
    assert len(raw["tree"]["test_score"]) == 4


def test_compare_searches_counts_fits_per_strategy():
    X, y = _data()
    table, searches = compare_searches(
        DecisionTreeClassifier(random_state=0), SPACE, X, y, cv=KFold(3), n_jobs=1
    )
    assert list(table.index) == ["grid", "random", "halving"]
    n_grid = len(ParameterGrid(SPACE))
    assert table.loc["grid", "fits"] == n_grid * 3
    assert table.loc["random", "candidates"] == n_grid // 2
    assert table.loc["random", "fits"] == n_grid // 2 * 3
    assert table.loc["halving", "candidates"] == n_grid
    assert table.loc["halving", "fits"] == sum(searches["halving"].n_candidates_) * 3
    assert table.loc["grid", "best_score"] >= table.loc["random", "best_score"]
    assert table.loc["grid", "best_params"] == format_params(searches["grid"].best_params_)
    assert (table["wall_s"] > 0).all()
    assert not hasattr(searches["grid"], "best_estimator_")  # no refit


def test_fit_candidates_follows_parameter_grid_order():
    X, y = _data()
    params, scores = fit_candidates(
        DecisionTreeClassifier(random_state=0), SPACE, X[:200], y[:200], X[200:], n_jobs=1
    )
    assert params == list(ParameterGrid(SPACE))
    assert scores.shape == (len(params), 100)
    single = DecisionTreeClassifier(random_state=0, **params[3]).fit(X[:200], y[:200])
    np.testing.assert_allclose(scores[3], single.predict_proba(X[200:])[:, 1])


def test_fold_table_describes_forward_in_time_folds():
    time = pd.Series(pd.date_range("2013-01-01", periods=120, freq="D"))
    table = fold_table(TimeSeriesSplit(3), np.zeros((120, 1)), time=time)
    assert list(table.index) == [1, 2, 3]
    assert table["valid_rows"].tolist() == [30, 30, 30]
    assert table.loc[1, "train_span"] == "2013-01-01 to 2013-01-30"
    assert table.loc[1, "valid_span"] == "2013-01-31 to 2013-03-01"


def test_fold_scores_and_candidate_scores_read_the_search_results():
    X, y = _data()
    grid = GridSearchCV(DecisionTreeClassifier(random_state=0), SPACE, cv=KFold(3)).fit(X, y)
    params, scores = candidate_fold_scores(grid)
    assert params == list(ParameterGrid(SPACE)) and scores.shape == (len(params), 3)
    np.testing.assert_allclose(scores[grid.best_index_], fold_scores(grid))
    np.testing.assert_allclose(scores.mean(axis=1), grid.cv_results_["mean_test_score"])


def test_halving_search_starts_every_point_and_ends_on_all_rows():
    X, y = _data(n=900)
    search = make_halving_search(
        DecisionTreeClassifier(random_state=0), SPACE, cv=KFold(3), n_jobs=1
    ).fit(X, y)
    assert search.n_candidates_[0] == len(ParameterGrid(SPACE))
    assert search.n_resources_[-1] <= 900 and search.n_resources_[-1] > 900 / 3
    assert fold_scores(search).shape == (3,)


def test_fold_sizes_follow_the_splitter():
    n_train, n_test = fold_sizes(TimeSeriesSplit(3), np.zeros((40, 1)))
    assert n_train == [10, 20, 30] and n_test == [10, 10, 10]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"max_depth": 2}, {"max_depth": "interior"}),
        ({"max_depth": 1}, {"max_depth": "lowest"}),
        (
            {"max_depth": 4, "min_samples_leaf": 20},
            {"max_depth": "highest", "min_samples_leaf": "highest"},
        ),
    ],
    ids=["interior", "lowest", "highest"],
)
def test_place_in_space_says_whether_a_setting_is_on_an_edge(params, expected):
    assert place_in_space(params, SPACE) == expected
