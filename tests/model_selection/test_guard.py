"""Tests of mlstack.model_selection.guard.HeldOutTestSet: the test set is evaluated once."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from mlstack.errors import InputError, TestSetReuseError
from mlstack.model_selection.guard import HeldOutTestSet

SCORERS = {"accuracy": accuracy_score, "roc_auc": roc_auc_score}


def _guard(name="test"):
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    return HeldOutTestSet.from_split(frame, pd.Series(y), np.arange(200) >= 150, name=name)


def _fitted(guard, model=None):
    return (model or LogisticRegression()).fit(*guard.train)


def test_first_evaluation_scores_the_test_rows():
    guard = _guard()
    model = _fitted(guard)
    result = guard.evaluate(model, SCORERS, note="final")
    X_test = guard._X_test
    assert result.scores["accuracy"] == pytest.approx(
        accuracy_score(guard._y_test, model.predict(X_test))
    )
    assert result.scores["roc_auc"] == pytest.approx(
        roc_auc_score(guard._y_test, model.predict_proba(X_test)[:, 1])
    )
    assert guard.n_evaluations == 1
    assert guard.history[0].note == "final"


def test_second_evaluation_is_refused_and_not_counted():
    guard = _guard(name="Nov-Dec test")
    model = _fitted(guard)
    guard.evaluate(model, SCORERS)
    with pytest.raises(TestSetReuseError, match="the Nov-Dec test set was already evaluated once"):
        guard.evaluate(model, SCORERS)
    with pytest.raises(TestSetReuseError, match="Compare models with cross-validation"):
        guard.evaluate(_fitted(guard, DecisionTreeClassifier(random_state=0)), SCORERS)
    assert guard.n_evaluations == 1


def test_allow_reuse_evaluates_again_and_counts_every_look():
    guard = _guard()
    model = _fitted(guard)
    guard.evaluate(model, SCORERS)
    guard.evaluate(model, SCORERS, allow_reuse=True, note="second look")
    guard.evaluate(model, SCORERS, allow_reuse=True)
    assert guard.n_evaluations == 3
    assert [e.note for e in guard.history] == ["", "second look", ""]


def test_reading_train_data_and_sizes_does_not_count_as_a_look():
    guard = _guard()
    X_train, y_train = guard.train
    assert (guard.n_train, guard.n_test) == (150, 50)
    assert len(X_train) == len(y_train) == 150
    assert guard.test_columns == [f"x{i}" for i in range(6)]
    assert guard.n_evaluations == 0


def test_from_split_keeps_rows_on_the_right_side():
    X = pd.DataFrame({"t": np.arange(10)})
    y = pd.Series(np.arange(10) % 2)
    guard = HeldOutTestSet.from_split(X, y, X["t"] >= 8)
    assert guard.train[0]["t"].tolist() == list(range(8))
    assert guard._X_test["t"].tolist() == [8, 9]


def test_from_split_accepts_numpy_arrays():
    X = np.arange(20).reshape(10, 2)
    guard = HeldOutTestSet.from_split(X, np.arange(10) % 2, np.arange(10) < 3)
    assert guard.n_test == 3 and guard.test_columns == []


@pytest.mark.parametrize(
    ("mask", "match"),
    [
        (np.ones(5, dtype=bool), r"expected \(10,\)"),
        (np.zeros(10, dtype=bool), "test set is empty"),
    ],
    ids=["wrong-shape", "empty-test"],
)
def test_from_split_rejects_bad_masks(mask, match):
    with pytest.raises(ValueError, match=match):
        HeldOutTestSet.from_split(np.zeros((10, 2)), np.zeros(10), mask)


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of rows"):
        HeldOutTestSet(np.zeros((3, 1)), np.zeros(2), np.zeros((1, 1)), np.zeros(1))


def test_score_metrics_use_decision_function_without_predict_proba():
    guard = _guard()
    model = _fitted(guard, LinearSVC())
    result = guard.evaluate(model, {"roc_auc": roc_auc_score})
    assert result.y_score is not None
    assert result.scores["roc_auc"] == pytest.approx(
        roc_auc_score(guard._y_test, model.decision_function(guard._X_test))
    )


def test_a_failed_evaluation_is_not_counted():
    class LabelsOnly:
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    guard = _guard()
    with pytest.raises(ValueError, match="metric 'roc_auc' needs predict_proba"):
        guard.evaluate(LabelsOnly(), {"roc_auc": roc_auc_score})
    assert guard.n_evaluations == 0


def test_slice_columns_only_after_the_evaluation_and_aligned_with_it():
    guard = _guard()
    with pytest.raises(InputError, match="evaluate the model on the test set first"):
        guard.slice_columns(["x0"])
    result = guard.evaluate(_fitted(guard), SCORERS)
    slices = guard.slice_columns(["x0", "x1"])
    assert list(slices.columns) == ["x0", "x1"]
    assert len(slices) == len(result.y_true) == guard.n_test
    assert guard.n_evaluations == 1
