"""Tests of mlstack.flights.pipelines: features, exclusions and model pipelines."""

import numpy as np
import pandas as pd
import pytest

from mlstack.flights.data import COLUMN_ROLES, columns_with_role
from mlstack.flights.pipelines import (
    EXCLUDED,
    MODEL_NAMES,
    SCHEDULE_FEATURES,
    add_schedule_features,
    feature_columns,
    make_model,
    make_preprocessor,
    task_data,
)


@pytest.fixture(scope="module")
def small_task():
    return task_data(sample=1500, random_state=2)


def test_every_task_column_is_either_used_or_excluded_with_a_reason(small_task):
    X, _ = small_task
    used = set(feature_columns())
    assert used.isdisjoint(EXCLUDED)
    assert set(X.columns) <= used | set(EXCLUDED)
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_no_post_departure_or_target_column_is_a_feature():
    leaky = set(columns_with_role("post_departure", "target", "identifier"))
    assert leaky.isdisjoint(feature_columns())
    assert {c for c in leaky if c in COLUMN_ROLES and c not in ("rownames", "late")} <= set(
        EXCLUDED
    )


def test_schedule_features_count_cancelled_flights_too():
    when = pd.to_datetime(["2013-01-01 05:00", "2013-01-01 05:10", "2013-01-02 05:00"])
    schedule = pd.DataFrame(
        {"origin": ["JFK", "JFK", "JFK"], "sched_dep": when, "time_hour": when.floor("h")}
    )
    arrived = schedule.iloc[[0, 2]]  # the 05:10 flight was cancelled
    out = add_schedule_features(arrived, schedule)
    assert out["origin_hour_flights"].tolist() == [2, 1]
    assert out["origin_day_flights"].tolist() == [2, 1]
    assert list(out.index) == [0, 2]


def test_task_data_keeps_time_order_and_adds_schedule_features(small_task):
    X, y = small_task
    assert len(X) == len(y) == 1500
    assert X["sched_dep"].is_monotonic_increasing
    assert (X[list(SCHEDULE_FEATURES)] >= 1).all().all()


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


def test_tree_preprocessor_keeps_categoricals_and_linear_one_hot_encodes(small_task):
    X, y = small_task
    tree = make_preprocessor("tree").fit_transform(X)
    assert list(tree.columns) == feature_columns()
    assert isinstance(tree["carrier"].dtype, pd.CategoricalDtype)
    linear = make_preprocessor("linear").fit(X)
    assert linear.transform(X).shape[1] > len(feature_columns())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_preprocessor("forest"), "unknown preprocessor kind 'forest'"),
        (lambda: make_model("svm"), "unknown model 'svm'"),
    ],
    ids=["preprocessor", "model"],
)
def test_unknown_names_are_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()
