"""Tests for mlstack.lessons.bias_variance: notebook 06's sentences follow its measurements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlstack.lessons import bias_variance as bv


def _curves(gaps_small, gaps_large, simple_last=(0.16, 0.161, 0.162)):
    """Long learning-curve rows for two models, two sizes, three training sets."""
    rows = []
    for split, (g_small, g_large) in enumerate(zip(gaps_small, gaps_large, strict=True)):
        for n, gap in ((100, g_small), (10_000, g_large)):
            rows += [
                {
                    "model": "boosting",
                    "n_train": n,
                    "split": split,
                    "side": "training",
                    "error": 0.1,
                },
                {
                    "model": "boosting",
                    "n_train": n,
                    "split": split,
                    "side": "validation",
                    "error": 0.1 + gap,
                },
            ]
        for n, valid in ((100, 0.18), (1000, 0.161), (10_000, simple_last[split])):
            rows += [
                {
                    "model": "logistic",
                    "n_train": n,
                    "split": split,
                    "side": "training",
                    "error": 0.165,
                },
                {
                    "model": "logistic",
                    "n_train": n,
                    "split": split,
                    "side": "validation",
                    "error": valid,
                },
            ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("large", "shrinks"),
    [((0.02, 0.03, 0.025), True), ((0.12, 0.2, 0.15), False)],
    ids=["gap-closes", "gap-overlaps"],
)
def test_learning_findings_decide_from_the_ranges(large, shrinks):
    summary = bv.curve_summary(_curves((0.13, 0.15, 0.14), large))
    found = bv.learning_findings(summary, flexible="boosting", simple="logistic")
    assert found["gap_shrinks"] is shrinks
    assert found["simple_flat"] is True
    text = bv.learning_sentence(summary, 0.17, flexible="boosting", simple="logistic")
    assert (", clearly smaller" in text) is shrinks
    assert ("signature of **variance**" in text) is shrinks


def test_simple_model_still_improving_is_said_so():
    summary = bv.curve_summary(
        _curves((0.13, 0.15, 0.14), (0.02, 0.03, 0.025), (0.14, 0.141, 0.142))
    )
    assert not bv.learning_findings(summary, flexible="boosting", simple="logistic")["simple_flat"]
    text = bv.learning_sentence(summary, 0.17, flexible="boosting", simple="logistic")
    assert "still improves at the largest sizes" in text


def test_boosting_iterations_show_early_stopping_above_ten_thousand_rows():
    X, y = make_classification(n_samples=12_000, n_informative=3, flip_y=0.3, random_state=0)
    X, y = pd.DataFrame(X), pd.Series(y)
    model = make_pipeline(
        StandardScaler(), HistGradientBoostingClassifier(max_iter=30, random_state=0)
    )
    table = bv.boosting_iterations(model, X, y, np.arange(12_000), [500, 11_000])
    assert table["early stopping"].tolist() == [False, True]
    assert table.loc[500, "iterations"] == 30
    text = bv.iterations_sentence(table, pd.Series({500: 0.05, 11_000: 0.1}))
    cut = bool(table.loc[11_000, "iterations"] < 30)
    assert ("stopped after" in text) is cut
    assert ("it is not the cause here" in text) is not cut


@pytest.mark.parametrize(
    ("iterations", "expected"),
    [(100, "it is not the cause here"), (37, "stopped after 37 of 100 iterations")],
    ids=["ran-all", "cut-short"],
)
def test_iterations_sentence_blames_early_stopping_only_when_it_cut(iterations, expected):
    table = pd.DataFrame(
        {"iterations": [100, iterations], "early stopping": [False, True], "max_iter": [100, 100]},
        index=pd.Index([1000, 20_000], name="n_train"),
    )
    assert expected in bv.iterations_sentence(table, pd.Series({1000: 0.01, 20_000: 0.13}))


def test_depth_verdicts_pair_the_training_sets():
    rows = [
        {"max_depth": d, "split": s, "side": "validation", "error": err + 0.001 * s}
        for s in range(4)
        for d, err in ((1, 0.175), (4, 0.165), (20, 0.3))
    ]
    best, verdicts = bv.depth_verdicts(pd.DataFrame(rows))
    assert best == 4
    assert verdicts[1].verdict == "better" and verdicts[20].verdict == "better"
    assert verdicts[1].difference == pytest.approx(0.01)


def test_spread_ratio_resamples_the_training_sets():
    rng = np.random.default_rng(0)
    rows = [
        {"model": m, "n_train": 50, "repeat": r, "valid": v, "train": 0.0}
        for r in range(30)
        for m, v in (("tree", 0.3 + 0.05 * rng.normal()), ("linear", 0.17 + 0.01 * rng.normal()))
    ]
    spread = pd.DataFrame(rows)
    ratio = bv.spread_ratio(spread, 50, "tree", "linear", n_resamples=500)
    assert ratio[1] < ratio[0] < ratio[2]
    assert ratio[1] > 1
    text = bv.spread_sentence(spread, 50, "tree", "linear", ratio)
    assert "it memorizes whatever sample it gets" in text
    assert "not distinguishably wider" not in text


def test_time_periods_are_consecutive():
    periods = bv.time_periods(1000)
    joined = np.concatenate(list(periods.values()))
    assert (joined == np.arange(1000)).all()
    assert [len(v) for v in periods.values()] == [600, 150, 250]
