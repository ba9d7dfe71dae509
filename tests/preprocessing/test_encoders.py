import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlstack.preprocessing.encoders import CyclicalEncoder


@parametrize_with_checks([CyclicalEncoder(), CyclicalEncoder(period=24.0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_neighbours_across_the_wrap_are_close():
    hours = np.array([[23.0], [0.0], [12.0]])
    encoded = CyclicalEncoder(period=24).fit_transform(hours)
    across_midnight = np.linalg.norm(encoded[0] - encoded[1])
    across_the_day = np.linalg.norm(encoded[0] - encoded[2])
    assert across_midnight < 0.3 < 1.9 < across_the_day


def test_one_period_apart_is_the_same_point():
    values = np.array([[10.0, 3.0], [34.0, 10.0]])
    encoded = CyclicalEncoder(period=[24, 7]).fit_transform(values)
    np.testing.assert_allclose(encoded[0], encoded[1], atol=1e-12)


def test_period_learned_from_range():
    degrees = np.array([[0.0], [90.0], [360.0]])
    encoder = CyclicalEncoder().fit(degrees)
    np.testing.assert_array_equal(encoder.period_, [360.0])
    np.testing.assert_allclose(encoder.transform(degrees)[[0, 2]], [[0, 1], [0, 1]], atol=1e-12)


def test_constant_column_gets_unit_period():
    encoder = CyclicalEncoder().fit(np.ones((5, 1)))
    np.testing.assert_array_equal(encoder.period_, [1.0])


def test_missing_values_stay_missing():
    X = np.array([[1.0], [np.nan], [5.0]])
    out = CyclicalEncoder(period=24).fit_transform(X)
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()


def test_float32_is_preserved():
    X = np.arange(6, dtype=np.float32).reshape(-1, 1)
    assert CyclicalEncoder(period=6).fit_transform(X).dtype == np.float32


@pytest.mark.parametrize(
    ("period", "match"),
    [([24.0, 7.0, 1.0], r"expected a number or \(2,\)"), ([24.0, np.inf], "positive finite")],
    ids=["wrong-length", "infinite"],
)
def test_bad_period_raises(period, match):
    with pytest.raises(ValueError, match=match):
        CyclicalEncoder(period=period).fit(np.zeros((3, 2)))


def test_nonpositive_scalar_period_rejected_by_constraints():
    with pytest.raises(ValueError, match="'period' parameter"):
        CyclicalEncoder(period=0).fit(np.zeros((3, 1)))


def test_feature_names_and_pandas_output_in_a_pipeline():
    X = pd.DataFrame({"hour": [5, 9, 14, 20, 23, 1] * 5, "distance": np.arange(30.0)})
    y = np.tile([0, 1, 1, 0, 0, 1], 5)
    columns = make_column_transformer(
        (CyclicalEncoder(period=24), ["hour"]), remainder="passthrough"
    ).set_output(transform="pandas")
    out = columns.fit_transform(X)
    assert list(out.columns) == [
        "cyclicalencoder__hour_sin",
        "cyclicalencoder__hour_cos",
        "remainder__distance",
    ]
    model = make_pipeline(columns, LogisticRegression()).fit(X, y)
    assert model.score(X, y) > 0.5
