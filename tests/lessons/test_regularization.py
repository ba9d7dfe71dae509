import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlstack.lessons.regularization import logistic_paths, plot_coefficient_paths


@pytest.fixture(scope="module")
def paths():
    X, y = make_classification(n_samples=500, n_features=15, n_informative=3, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(15)])
    frame["city"] = np.array(list("abcd"))[np.arange(500) % 4]
    prep = make_column_transformer(
        (StandardScaler(), [f"f{i}" for i in range(15)]),
        (OneHotEncoder(), ["city"]),
        verbose_feature_names_out=False,
    )
    Cs = [0.001, 0.05, 1.0, 100.0]
    return logistic_paths(prep, frame[:400], y[:400], frame[400:], y[400:], Cs=Cs)


def test_shapes_and_names(paths):
    coefs, summary = paths
    assert coefs.shape == (8, 19)
    assert coefs.columns[0] == "f0" and coefs.columns[-1] == "city_d"
    assert coefs.index.names == ["penalty", "C"]
    assert list(summary.columns) == ["nonzero", "train Brier", "valid Brier", "valid ROC AUC"]


def test_l1_is_sparse_and_l2_is_not(paths):
    _, summary = paths
    l1, l2 = summary.loc["L1", "nonzero"], summary.loc["L2", "nonzero"]
    assert l1.is_monotonic_increasing
    assert l1.iloc[0] == 0 and l1.iloc[-1] > l1.iloc[1]
    assert (l2 == 19).all()


def test_strongest_penalty_predicts_the_base_rate(paths):
    _, summary = paths
    # an all-zero L1 model keeps only its (barely penalized) intercept: ROC AUC 0.5
    assert summary.loc[("L1", 0.001), "valid ROC AUC"] == 0.5
    assert summary.loc[("L1", 0.001), "valid Brier"] < 0.26


def test_reproducible(paths):
    X, y = make_classification(n_samples=300, n_features=10, random_state=1)
    first = logistic_paths(StandardScaler(), X[:200], y[:200], X[200:], y[200:], Cs=[0.1, 1])
    second = logistic_paths(StandardScaler(), X[:200], y[:200], X[200:], y[200:], Cs=[0.1, 1])
    pd.testing.assert_frame_equal(first[0], second[0])


def test_plot_one_panel_per_penalty(paths):
    coefs, _ = paths
    axes = plot_coefficient_paths(coefs, highlight=["f0", "f1"])
    assert [ax.get_title() for ax in axes] == ["L1 penalty", "L2 penalty"]
    assert [
        line.get_label() for line in axes[0].get_lines() if not line.get_label().startswith("_")
    ] == ["f0", "f1"]
    plt.close("all")
