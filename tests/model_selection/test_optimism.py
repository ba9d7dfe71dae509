"""Tests for mlstack.model_selection.optimism: the optimism of a score used to choose."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

from mlstack.errors import InputError
from mlstack.model_selection.optimism import (
    masked_roc_auc,
    selection_optimism,
    summarize_optimism,
)


def _tie_groups(scores: np.ndarray) -> np.ndarray:
    return rankdata(scores, method="dense", axis=1).astype(np.intp) - 1


@pytest.mark.parametrize("decimals", [None, 1], ids=["distinct-scores", "many-ties"])
def test_masked_roc_auc_matches_sklearn_on_subsets(decimals):
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.3
    scores = rng.random((4, 500)) + 0.5 * y
    if decimals is not None:
        scores = scores.round(decimals)
    groups = _tie_groups(scores)
    for mask in (rng.random(500) < 0.2, np.ones(500, dtype=bool)):
        expected = [roc_auc_score(y[mask], row[mask]) for row in scores]
        np.testing.assert_allclose(masked_roc_auc(y, groups, mask), expected, rtol=1e-12)


def test_masked_roc_auc_needs_both_classes():
    y = np.array([True, True, False, False])
    groups = _tie_groups(np.array([[0.1, 0.2, 0.3, 0.4]]))
    with pytest.raises(InputError, match="both classes"):
        masked_roc_auc(y, groups, np.array([True, True, False, False]))


def _noise_models(n_configs: int = 20, n_rows: int = 600):
    rng = np.random.default_rng(1)
    y = rng.random(n_rows) < 0.3
    # equally good models: a shared weak signal plus independent noise
    scores = 0.3 * y + rng.normal(size=(n_configs, n_rows))
    return y, scores


def test_selection_optimism_grows_with_the_number_of_candidates():
    y, scores = _noise_models()
    table = selection_optimism(
        y, scores, n_val=150, n_candidates=(1, 5, 20), n_repeats=100, random_state=0
    )
    mean = table.groupby("n_candidates")["optimism"].mean()
    assert abs(mean[1]) < 0.01  # no selection, no bias
    assert mean[1] < mean[5] < mean[20]
    assert mean[20] > 0.03


def test_selection_optimism_table_is_consistent():
    y, scores = _noise_models(n_configs=5)
    table = selection_optimism(y, scores, n_val=200, n_candidates=(1, 5), n_repeats=10)
    assert len(table) == 20
    assert table.columns.tolist() == [
        "n_val",
        "n_candidates",
        "repeat",
        "selected",
        "validation AUC",
        "fresh AUC",
        "optimism",
    ]
    assert (table.loc[table["n_candidates"] == 1, "selected"] == 0).all()
    np.testing.assert_allclose(table["optimism"], table["validation AUC"] - table["fresh AUC"])
    # the winner among all five has the best validation score of its draw
    best = table[table["n_candidates"] == 5]["validation AUC"].to_numpy()
    first = table[table["n_candidates"] == 1]["validation AUC"].to_numpy()
    assert (best >= first).all()


def test_selection_optimism_is_reproducible():
    y, scores = _noise_models(n_configs=5)
    first = selection_optimism(y, scores, n_val=100, n_repeats=5, n_candidates=(5,))
    again = selection_optimism(y, scores, n_val=100, n_repeats=5, n_candidates=(5,))
    assert first.equals(again)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scores": np.zeros((3, 10))}, r"expected \(n_configs, 600\)"),
        ({"n_val": 600}, "must leave rows on both sides"),
        ({"n_val": [100, 0]}, r"n_val=\[0\]"),
        ({"n_candidates": (1, 21)}, r"n_candidates \[21\] outside 1..20"),
        ({"honest_index": 20}, "honest_index=20 is not a configuration"),
        ({"groups": np.zeros(5)}, "one non-missing group per row"),
    ],
    ids=["shape", "n_val", "n_val-list", "n_candidates", "honest", "groups"],
)
def test_selection_optimism_rejects_bad_arguments(kwargs, match):
    y, scores = _noise_models()
    arguments = {"scores": scores, "n_val": 100, "n_candidates": (1,)} | kwargs
    with pytest.raises(InputError, match=match):
        selection_optimism(y, **arguments)


def test_test_picks_are_optimistic_and_honest_picks_are_not():
    rng = np.random.default_rng(0)
    y = rng.random(4000) < 0.3
    signal = y + rng.normal(0, 1.5, 4000)
    # 20 candidates of the same true quality: any difference on a test set is luck
    scores = signal[None, :] + rng.normal(0, 1.0, (20, 4000))
    draws = selection_optimism(y, scores, n_val=[200, 2000], honest_index=0, n_repeats=60)
    summary = summarize_optimism(draws).xs(20, level="n_candidates")
    assert summary.index.tolist() == [200, 2000]
    small, large = summary.loc[200], summary.loc[2000]
    assert small["optimism"] > large["optimism"] > 0
    assert small["optimism p10"] > 0  # nearly every draw is optimistic
    assert small["honest p10"] < 0 < small["honest p90"]  # the honest gap straddles zero
    assert 0.5 < small["share optimistic"] <= 1


def test_validation_parts_made_of_whole_groups_keep_each_group_on_one_side():
    y, scores = _noise_models(n_configs=3, n_rows=600)
    days = np.repeat(np.arange(30), 20)
    draws = selection_optimism(y, scores, n_val=100, groups=days, n_repeats=5)
    rng = np.random.default_rng(0)
    from mlstack.model_selection.optimism import _validation_masks

    for _ in range(5):
        mask = _validation_masks(rng, 600, 100, days, 30)
        per_day = pd.Series(mask).groupby(days).mean()
        assert set(per_day.unique()) <= {0.0, 1.0} and mask.sum() >= 100
    assert len(draws) == 5
