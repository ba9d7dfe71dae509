import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, TargetEncoder

from mlstack.lessons.preprocessing_leakage import (
    leak_over_resamples,
    score_fit_on_all_data,
    score_in_pipeline,
    score_refit_on_test,
)


def _pure_noise_categories(n_rows=600, n_levels=150, seed=0):
    """A high-cardinality column with no signal: any score above 0.5 on new rows is a leak."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"plane": rng.integers(0, n_levels, n_rows).astype(str)})
    y = pd.Series(rng.integers(0, 2, n_rows))
    return X.iloc[:300], y.iloc[:300], X.iloc[300:], y.iloc[300:]


def _target_encoder():
    return TargetEncoder(cv=StratifiedKFold(5, shuffle=True, random_state=0))


def test_target_encoder_fitted_on_all_data_leaks_on_noise():
    split = _pure_noise_categories()
    clean = score_in_pipeline(_target_encoder(), LogisticRegression(), *split)
    leaky = score_fit_on_all_data(_target_encoder(), LogisticRegression(), *split)
    assert abs(clean - 0.5) < 0.1
    assert leaky > 0.7


def test_scaler_leak_is_small_on_same_distribution():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    args = (StandardScaler(), LogisticRegression(), X[:300], y[:300], X[300:], y[300:])
    assert abs(score_fit_on_all_data(*args) - score_in_pipeline(*args)) < 0.02


def test_leak_over_resamples_shape_and_pairing():
    split = _pure_noise_categories()
    table = leak_over_resamples(
        _target_encoder(), LogisticRegression(), *split, train_sizes=[50, 100], n_repeats=3
    )
    assert table.shape == (6, 5)
    assert table.groupby("n_train").size().to_dict() == {50: 3, 100: 3}
    np.testing.assert_allclose(table["leak"], table["fit on all data"] - table["pipeline"])
    assert table["leak"].mean() > 0.1


def test_leak_over_resamples_is_reproducible():
    split = _pure_noise_categories()
    kwargs = {"train_sizes": [60], "n_repeats": 2, "random_state": 3}
    first = leak_over_resamples(_target_encoder(), LogisticRegression(), *split, **kwargs)
    second = leak_over_resamples(_target_encoder(), LogisticRegression(), *split, **kwargs)
    pd.testing.assert_frame_equal(first, second)


@pytest.fixture(scope="module")
def shifted():
    """Training rows around 0, test rows shifted by +3 on the informative column."""
    rng = np.random.default_rng(1)
    X_train = rng.normal(size=(300, 2))
    y_train = (X_train[:, 0] > 0).astype(int)
    X_test = rng.normal(size=(200, 2))
    y_test = (X_test[:, 0] > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    return model, X_test, y_test


@pytest.mark.parametrize("batch_size", [None, 50, 7], ids=["whole", "50", "7"])
def test_refit_on_large_batches_keeps_ranking_on_same_distribution(shifted, batch_size):
    model, X_test, y_test = shifted
    assert score_refit_on_test(model, X_test, y_test, batch_size=batch_size) > 0.8


def test_refit_one_row_at_a_time_gives_chance(shifted):
    model, X_test, y_test = shifted
    assert score_refit_on_test(model, X_test, y_test, batch_size=1) == 0.5


def test_refit_does_not_touch_the_fitted_pipeline(shifted):
    model, X_test, y_test = shifted
    mean_before = model[0].mean_.copy()
    score_refit_on_test(model, X_test + 3, y_test)
    np.testing.assert_array_equal(model[0].mean_, mean_before)
