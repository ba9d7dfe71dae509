"""Tests for mlstack.flights.reference: the reference pipelines of the flights task."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from mlstack.errors import InputError
from mlstack.flights.reference import NOT_FEATURES, flights_pipeline


@pytest.fixture
def flights() -> tuple[pd.DataFrame, pd.Series]:
    """A few hundred rows shaped like ``data.task_frame()``."""
    rng = np.random.default_rng(0)
    n = 400
    sched_dep = pd.Timestamp("2013-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 10**6, n)), unit="min"
    )
    X = pd.DataFrame(
        {
            "year": np.int16(2013),
            "month": sched_dep.month.astype("int16"),
            "hour": sched_dep.hour.astype("int16"),
            "sched_dep": sched_dep,
            "time_hour": sched_dep.tz_localize("UTC"),
            "carrier": pd.Categorical(rng.choice(["AA", "B6", "UA"], n)),
            "tailnum": pd.Categorical(rng.choice([f"N{i}" for i in range(300)], n)),
            "distance": rng.integers(100, 2500, n),
            "temp": np.where(rng.random(n) < 0.1, np.nan, rng.normal(50, 15, n)),
        }
    )
    y = pd.Series(rng.random(n) < 0.2 + 0.02 * X["hour"].to_numpy(), name="late")
    return X, y


@pytest.mark.parametrize("kind", ["hgb", "logistic"])
@pytest.mark.parametrize("target_encode", [(), ("tailnum",)], ids=["plain", "target-encoded"])
def test_pipeline_fits_and_predicts_probabilities(flights, kind, target_encode):
    X, y = flights
    model = flights_pipeline(kind, target_encode=target_encode).fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    assert proba.shape == (len(X),)
    assert np.all((proba >= 0) & (proba <= 1))
    names = set(model[:-1].get_feature_names_out())
    assert ("tailnum" in names) == bool(target_encode)
    assert not names & (set(NOT_FEATURES) - set(target_encode))


def test_pipeline_drops_extra_columns_even_when_absent(flights):
    X, y = flights
    model = flights_pipeline("hgb", drop=["temp", "dep_delay"]).fit(X, y)
    assert "temp" not in model[:-1].get_feature_names_out()


def test_hgb_pipeline_keeps_categories_for_the_booster(flights):
    X, y = flights
    model = flights_pipeline("hgb").fit(X, y)
    assert model[:-1].transform(X)["carrier"].dtype == "category"
    assert model[-1].is_categorical_.sum() == 1


def test_pipeline_clones_and_pickles(flights):
    X, y = flights
    model = clone(flights_pipeline("logistic", target_encode=["tailnum"])).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict_proba(X), model.predict_proba(X))


def test_pipeline_is_deterministic(flights):
    X, y = flights
    first = flights_pipeline("hgb", target_encode=["tailnum"], random_state=3).fit(X, y)
    again = flights_pipeline("hgb", target_encode=["tailnum"], random_state=3).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))


def test_unknown_kind_is_an_input_error():
    with pytest.raises(InputError, match="unknown model kind 'svm'"):
        flights_pipeline("svm")


def test_pipeline_repr_names_its_columns_without_memory_addresses():
    text = repr(flights_pipeline("logistic", drop=["dep_delay"]))
    assert "columns(['sched_dep', 'time_hour', 'year', 'tailnum', 'dep_delay'])" in text
    assert "columns(dtype='number'" in text
    assert " at 0x" not in text
