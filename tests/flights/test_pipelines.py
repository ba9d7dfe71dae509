"""Tests of mlstack.flights.pipelines: the one builder of the flights task's models."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from mlstack.errors import InputError
from mlstack.flights.data import task_data
from mlstack.flights.pipelines import (
    EARLY_STOPPING,
    MODEL_NAMES,
    SEARCH_SPACES,
    make_model,
    make_preprocessor,
)
from mlstack.flights.policy import FEATURES, POST_DEPARTURE


@pytest.fixture(scope="module")
def small_task():
    return task_data(sample=1500, random_state=2, include_leaky=True)


@pytest.mark.parametrize("name", MODEL_NAMES, ids=MODEL_NAMES)
def test_every_model_family_fits_and_predicts_probabilities(small_task, name):
    X, y = small_task
    fast = {
        "hgb": {"max_iter": 5},
        "lightgbm": {"n_estimators": 5},
        "xgboost": {"n_estimators": 5},
    }
    model = make_model(name, **fast.get(name, {}))
    proba = model.fit(X.iloc[:1000], y.iloc[:1000]).predict_proba(X.iloc[1000:])
    assert proba.shape == (500, 2)
    assert np.isfinite(proba).all()


def test_tree_preprocessor_keeps_exactly_the_policy_features(small_task):
    X, _ = small_task
    tree = make_preprocessor("tree").fit_transform(X)
    assert tuple(tree.columns) == FEATURES
    assert isinstance(tree["carrier"].dtype, pd.CategoricalDtype)
    assert not set(POST_DEPARTURE) & set(tree.columns)


def test_linear_preprocessor_one_hot_encodes_categories_and_the_weekday(small_task):
    X, y = small_task
    linear = make_preprocessor("linear").fit(X, y)
    names = linear.get_feature_names_out()
    assert any(name.startswith("categorical__day_of_week_") for name in names)
    assert "numeric__hour" in names and not any("dep_delay" in name for name in names)


def test_features_departing_from_the_policy_are_used_when_asked(small_task):
    X, y = small_task
    leaky = make_model("hgb", features=[*FEATURES, *POST_DEPARTURE], max_iter=5).fit(X, y)
    assert set(POST_DEPARTURE) <= set(leaky[:-1].get_feature_names_out())


@pytest.mark.parametrize("kind", ["tree", "linear"])
def test_target_encoded_columns_are_learned_inside_the_pipeline(small_task, kind):
    X, y = small_task
    name = {"tree": "hgb", "linear": "logistic"}[kind]
    model = clone(
        make_model(name, target_encode=["tailnum"], max_iter=5 if kind == "tree" else 100)
    )
    model.fit(X, y)
    encoded = model[:-1].transform(X)
    column = encoded["tailnum"] if kind == "tree" else encoded[:, 0]
    assert np.issubdtype(np.asarray(column).dtype, np.floating)


def test_the_same_seed_gives_the_same_model(small_task):
    X, y = small_task
    first = make_model("hgb", target_encode=["tailnum"], random_state=3, max_iter=5).fit(X, y)
    again = make_model("hgb", target_encode=["tailnum"], random_state=3, max_iter=5).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))


@pytest.mark.parametrize("family", sorted(SEARCH_SPACES), ids=sorted(SEARCH_SPACES))
def test_each_search_space_has_a_dozen_settings_that_the_pipeline_accepts(family):
    grid = ParameterGrid({k: list(v) for k, v in SEARCH_SPACES[family].items()})
    assert len(grid) == 12
    extra = EARLY_STOPPING if family == "hgb" else {}
    model = make_model(family, **extra)
    for params in grid:
        model.set_params(**params)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_preprocessor("forest"), "unknown preprocessor kind 'forest'"),
        (lambda: make_model("svm"), "unknown model 'svm'"),
    ],
    ids=["preprocessor", "model"],
)
def test_unknown_names_are_rejected(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_latest_rows_stopping_validates_on_the_latest_rows_only(small_task, monkeypatch):
    X, y = small_task
    seen = {}
    model = make_model("hgb", early_stop_on_latest=True, **EARLY_STOPPING)
    original = type(model[-1]).fit

    def spy(self, X_fit, y_fit, X_val=None, y_val=None, **kwargs):
        seen["n_fit"], seen["n_val"] = len(X_fit), len(X_val)
        return original(self, X_fit, y_fit, X_val=X_val, y_val=y_val, **kwargs)

    monkeypatch.setattr(type(model[-1]), "fit", spy)
    shuffled = X.sample(frac=1.0, random_state=0)
    model.set_params(refit=False).fit(shuffled, y.loc[shuffled.index])
    assert seen["n_val"] == round(0.1 * len(X)) and seen["n_fit"] + seen["n_val"] == len(X)
    assert model.named_steps["model"].n_iter_ == model.stopped_at_ < EARLY_STOPPING["max_iter"]
    assert model.predict_proba(X).shape == (len(X), 2)


def test_latest_rows_stopping_refits_on_every_row_with_the_trees_found(small_task):
    X, y = small_task
    model = make_model("hgb", early_stop_on_latest=True, **EARLY_STOPPING).fit(X, y)
    fitted = model.named_steps["model"]
    assert fitted.n_iter_ == model.stopped_at_
    assert fitted.get_params()["max_iter"] == EARLY_STOPPING["max_iter"]  # params unchanged
    assert fitted.get_params()["early_stopping"] is True
    once = make_model("hgb", early_stop_on_latest=True, **EARLY_STOPPING).set_params(refit=False)
    assert not np.allclose(once.fit(X, y).predict_proba(X), model.predict_proba(X))


def test_latest_rows_stopping_needs_its_time_column(small_task):
    X, y = small_task
    model = make_model("hgb", early_stop_on_latest=True, **EARLY_STOPPING)
    with pytest.raises(InputError, match="time column 'sched_dep'"):
        model.fit(X.drop(columns="sched_dep"), y)
