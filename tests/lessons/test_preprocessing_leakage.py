import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, TargetEncoder

from mlstack.lessons.preprocessing_leakage import (
    bucketed,
    cardinality_leak,
    cardinality_sentence,
    compare_to_right,
    leak_over_resamples,
    leak_sentence,
    leak_verdicts,
    predict_fit_on_all_data,
    predict_in_pipeline,
    predict_refit_on_test,
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


def test_predictions_give_the_scores():
    from sklearn.metrics import roc_auc_score

    split = _pure_noise_categories()
    clean = predict_in_pipeline(_target_encoder(), LogisticRegression(), *split[:3])
    leaky = predict_fit_on_all_data(_target_encoder(), LogisticRegression(), *split)
    assert roc_auc_score(split[3], clean) == pytest.approx(
        score_in_pipeline(_target_encoder(), LogisticRegression(), *split)
    )
    assert roc_auc_score(split[3], leaky) == pytest.approx(
        score_fit_on_all_data(_target_encoder(), LogisticRegression(), *split)
    )


@pytest.mark.parametrize(
    ("leaks", "verdict"),
    [
        ([0.01, -0.01, 0.004, -0.002, 0.003], "indistinguishable"),
        ([0.2, 0.25, 0.22, 0.21], "better"),
    ],
    ids=["noise", "leak"],
)
def test_leak_verdicts_judge_against_the_standard_error(leaks, verdict):
    table = leak_verdicts(pd.DataFrame({"n_train": 30, "leak": leaks}))
    assert table.loc[30, "verdict"] == verdict
    assert table.loc[30, "standard error"] == pytest.approx(
        np.std(leaks, ddof=1) / np.sqrt(len(leaks))
    )
    sentence = leak_sentence(table, "X")
    assert ("a real inflation" in sentence) == (verdict == "better")


def test_bucketed_controls_the_cardinality():
    codes = pd.Series(np.arange(1000) % 250)
    assert bucketed(codes, 10).nunique() == 10
    assert bucketed(codes, None).nunique() == 250


def test_the_leak_grows_with_cardinality_on_noise():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 2000, 4000)
    y = pd.Series(rng.integers(0, 2, 4000))
    days = np.arange(2000) // 20
    table, growth = cardinality_leak(
        _target_encoder(),
        LogisticRegression(),
        codes[:2000],
        y.iloc[:2000],
        codes[2000:],
        y.iloc[2000:],
        levels=[5, None],
        groups=days,
        n_resamples=200,
    )
    assert list(table.index) == [5, int(pd.Series(codes[:2000]).nunique())]
    assert table["leak"].iloc[-1] > table["leak"].iloc[0]
    assert growth.verdict == "better"
    assert "It grows with the cardinality" in cardinality_sentence(table, growth)


def test_compare_to_right_judges_each_variant():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    right = y + rng.normal(size=600)
    table = compare_to_right(
        y,
        right,
        {"noise": rng.normal(size=600), "same": right.copy()},
        groups=np.arange(600) // 10,
        n_resamples=200,
    )
    assert table.loc["noise", "verdict"] == "worse"
    assert table.loc["same", "verdict"] == "indistinguishable"


def test_predict_refit_on_test_matches_its_score():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[:200], y[:200])
    scores = predict_refit_on_test(model, X[200:], batch_size=10)
    assert roc_auc_score(y[200:], scores) == pytest.approx(
        score_refit_on_test(model, X[200:], y[200:], batch_size=10)
    )


def test_refit_sentence_groups_the_verdicts():
    from mlstack.lessons.preprocessing_leakage import refit_sentence

    table = pd.DataFrame(
        {"ROC AUC": [0.62, 0.5, 0.61], "verdict": [np.nan, "worse", "indistinguishable"]},
        index=["transform (right)", "one flight", "all at once"],
    )
    text = refit_sentence(table)
    assert "worse than the right way: one flight" in text
    assert "indistinguishable from it: all at once" in text
