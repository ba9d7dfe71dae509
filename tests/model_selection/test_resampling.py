import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlstack.model_selection.resampling import scores_over_resamples, spread_table


@pytest.fixture(scope="module")
def pool_and_valid():
    X, y = make_classification(n_samples=900, n_informative=3, flip_y=0.2, random_state=0)
    return X[:600], y[:600], X[600:], y[600:]


@pytest.fixture(scope="module")
def scores(pool_and_valid):
    models = {
        "tree": DecisionTreeClassifier(random_state=0),
        "linear": LogisticRegression(),
    }
    return scores_over_resamples(models, *pool_and_valid, train_sizes=[30, 200], n_repeats=8)


def test_one_row_per_model_size_repeat(scores):
    assert len(scores) == 2 * 2 * 8
    assert list(scores.columns) == ["model", "n_train", "repeat", "train", "valid"]
    assert scores.groupby(["model", "n_train"]).size().eq(8).all()


def test_training_sets_differ_between_repeats(scores):
    assert scores.groupby(["model", "n_train"])["valid"].std().gt(0).all()


def test_deep_tree_memorizes(scores):
    assert (scores.loc[scores["model"] == "tree", "train"] == 1.0).all()


def test_same_training_sets_for_every_model(pool_and_valid):
    X_pool, y_pool, X_valid, y_valid = pool_and_valid
    twins = {"a": LogisticRegression(), "b": LogisticRegression()}
    scores = scores_over_resamples(twins, *pool_and_valid, train_sizes=[50], n_repeats=4)
    a, b = (scores[scores["model"] == m]["valid"].to_numpy() for m in ("a", "b"))
    np.testing.assert_array_equal(a, b)


def test_pandas_input_and_reproducibility(pool_and_valid):
    X_pool, y_pool, X_valid, y_valid = pool_and_valid
    frames = (pd.DataFrame(X_pool), pd.Series(y_pool), pd.DataFrame(X_valid), pd.Series(y_valid))
    kwargs = {"train_sizes": [40], "n_repeats": 3, "random_state": 7}
    first = scores_over_resamples({"m": LogisticRegression()}, *frames, **kwargs)
    second = scores_over_resamples({"m": LogisticRegression()}, *pool_and_valid, **kwargs)
    pd.testing.assert_frame_equal(first, second)


def test_spread_table(scores):
    table = spread_table(scores)
    assert list(table.index) == [30, 200]
    assert set(table.columns) == {
        (stat, model) for stat in ("mean", "std", "min", "max") for model in ("tree", "linear")
    }
    assert (table["min"] <= table["mean"]).all().all()
