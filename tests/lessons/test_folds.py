"""Tests of mlstack.lessons.folds: CV against held-out, read in standard errors."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from mlstack.lessons import folds


def _evaluation(rng, n, strength):
    y = rng.random(n) < 0.3
    return SimpleNamespace(y_true=y, y_score=strength * y + rng.normal(size=n))


def test_gaps_are_read_in_standard_errors_of_the_difference():
    rng = np.random.default_rng(0)
    days = np.repeat(np.arange(40), 50)
    evaluations = {"control": _evaluation(rng, 2000, 1.0), "leaky": _evaluation(rng, 2000, 0.2)}
    cv = {
        "control": np.array([0.76, 0.75, 0.77, 0.76, 0.75]),
        "leaky": np.array([0.95, 0.96, 0.95, 0.96, 0.95]),
    }
    table = folds.cv_against_held_out(
        cv, evaluations, days, n_train=800, n_test=200, n_resamples=100
    )
    assert abs(table.loc["control", "gap in SEs"]) < 2 < table.loc["leaky", "gap in SEs"]
    expected = table["CV minus held-out"] / np.hypot(table["CV SE"], table["held-out SE"])
    np.testing.assert_allclose(table["gap in SEs"], expected)


def test_held_out_sentence_does_not_put_a_large_gap_down_to_luck():
    rows = {
        "control": [0.76, 0.005, 0.70, 0.01, 0.06, 5.4],
        "leaky": [0.95, 0.005, 0.60, 0.01, 0.35, 31.0],
        "clean": [0.76, 0.005, 0.75, 0.01, 0.01, 0.9],
    }
    table = pd.DataFrame(
        rows,
        index=[
            "CV estimate",
            "CV SE",
            "held-out",
            "held-out SE",
            "CV minus held-out",
            "gap in SEs",
        ],
    ).T
    text = folds.held_out_sentence(table, "leaky", "clean", "control")
    assert "exceeds two standard errors, so it is not luck" in text and "control" in text
    table.loc["control", "gap in SEs"] = 1.0
    assert "nothing beyond luck" in folds.held_out_sentence(table, "leaky", "clean", "control")
