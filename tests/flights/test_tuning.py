"""Tests of mlstack.flights.tuning: monthly folds, the tuned families, the AutoML anchor."""

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.flights.data import task_data
from mlstack.flights.pipelines import LatestRowsStopping
from mlstack.flights.tuning import (
    automl_anchor,
    fit_fold_models,
    fold_predictions,
    monthly_folds,
    scores_by_fold,
    tuning_estimator,
)


@pytest.fixture(scope="module")
def small_task():
    return task_data(sample=3000, random_state=4)


def test_monthly_folds_validate_on_the_last_months_after_training_on_the_earlier(small_task):
    X, _ = small_task
    cv = monthly_folds(X, n_splits=5)
    assert cv.validation_periods() == [6, 7, 8, 9, 10]
    for train, valid in cv.split(X):
        assert X["month"].iloc[train].max() < X["month"].iloc[valid].min()


def test_monthly_folds_need_the_month():
    with pytest.raises(InputError, match="column 'month'"):
        monthly_folds(pd.DataFrame({"x": [1, 2]}))


def test_tuning_estimators_are_the_policy_pipelines_with_their_own_stopping():
    boosting = tuning_estimator("hgb")
    assert isinstance(boosting, LatestRowsStopping)
    assert boosting.named_steps["model"].early_stopping is True
    assert type(tuning_estimator("logistic")[-1]).__name__ == "LogisticRegression"
    with pytest.raises(InputError, match="unknown family 'svm'"):
        tuning_estimator("svm")


def test_fold_models_predict_their_own_validation_month(small_task):
    X, y = small_task
    cv = monthly_folds(X, n_splits=2)
    models, folds = fit_fold_models(tuning_estimator("logistic"), X, y, cv)
    predictions = fold_predictions(models, folds, X, y)
    assert predictions.groupby("fold")["month"].unique().map(list).tolist() == [[9], [10]]
    assert len(predictions) == sum(len(valid) for _, valid in folds)
    assert predictions["p"].between(0, 1).all()
    scores = scores_by_fold(predictions)
    assert scores.shape == (2,) and np.all((scores > 0.5) & (scores < 1))


@pytest.mark.slow
def test_automl_anchor_is_reproducible_and_scores_every_fold(small_task):
    X, y = small_task
    cv = monthly_folds(X, n_splits=3)
    first = automl_anchor(X, y, cv, max_iter=3, seed=1, estimators=("lgbm",))
    again = automl_anchor(X, y, cv, max_iter=3, seed=1, estimators=("lgbm",))
    assert first.fold_scores.shape == (3,)
    np.testing.assert_allclose(first.fold_scores, again.fold_scores)
    assert first.config == again.config and first.learner == "lgbm"
    assert "FLAML (" in first.describe()
