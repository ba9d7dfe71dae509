"""Tests of mlstack.lessons.model_families: paired scores, per-fold time ratios, the anchor."""

from types import SimpleNamespace

import numpy as np

from mlstack.lessons import model_families as lesson
from mlstack.metrics.comparison import compare_folds

RUNS = {
    "sk": {
        "test_score": np.array([0.70, 0.72, 0.71, 0.69, 0.70]),
        "fit_time": np.array([4.0, 5, 6, 7, 8]),
    },
    "lgbm": {
        "test_score": np.array([0.71, 0.72, 0.72, 0.70, 0.70]),
        "fit_time": np.array([1.0, 1, 2, 2, 2]),
    },
}


def test_fit_times_are_compared_fold_by_fold():
    table = lesson.family_table(RUNS, "sk", [6, 7, 8, 9, 10])
    np.testing.assert_allclose(
        table.loc["lgbm", "fit_vs_baseline"], [0.25, 0.2, 1 / 3, 2 / 7, 0.25]
    )
    verdicts = lesson.family_verdicts(RUNS, "sk", [1000] * 5, [200] * 5)
    text = lesson.families_sentence(table, verdicts, "sk")
    assert "faster on every fold" in text and text.startswith("Lgbm is ")


def test_anchor_sentence_says_plainly_whether_the_hand_built_model_holds_up():
    anchor = SimpleNamespace(
        n_trials=20, seconds=95.0, learner="lgbm", mean=0.7, fold_scores=np.zeros(5)
    )
    worse = compare_folds([0.60] * 4 + [0.61], [0.70] * 4 + [0.72], n_train=1000, n_test=200)
    assert "falls short of" in lesson.anchor_sentence(worse, anchor, 90.0)
    same = compare_folds(
        [0.70, 0.71, 0.69, 0.72, 0.70], [0.71, 0.70, 0.70, 0.71, 0.70], n_train=1000, n_test=200
    )
    assert "matches, within the uncertainty" in lesson.anchor_sentence(same, anchor, 90.0)
