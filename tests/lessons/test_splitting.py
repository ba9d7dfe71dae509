"""Tests of mlstack.lessons.splitting: the splits notebook's sentences follow the numbers."""

import numpy as np
import pandas as pd

from mlstack.lessons import splitting


def _summary(fresh):
    ks = [1, 3, 10]
    return pd.DataFrame(
        {
            "validation AUC": [0.70, 0.71, 0.72],
            "fresh AUC": fresh,
            "fresh p10": [0.68] * 3,
            "fresh p90": [0.72] * 3,
            "optimism": [0.0, 0.01, 0.02],
        },
        index=pd.Index(ks, name="n_candidates"),
    )


def test_optimism_sentence_explains_a_dip_by_the_first_configurations_rank():
    good_first = pd.Series([0.75, 0.70, 0.69, 0.68, 0.71, 0.66])
    text = splitting.optimism_sentence(_summary([0.70, 0.69, 0.69]), good_first, 1000)
    assert "ranks 1 of 6" in text and "happens to be a good one" in text
    poor_first = pd.Series([0.66, 0.70, 0.69, 0.68, 0.71, 0.75])
    text = splitting.optimism_sentence(_summary([0.70, 0.69, 0.69]), poor_first, 1000)
    assert "not a particularly good one" in text
    text = splitting.optimism_sentence(_summary([0.69, 0.70, 0.70]), good_first, 1000)
    assert "improves less" in text


def _splits(random_auc):
    names = ["random rows", "group: aircraft", "group: day", "time: latest fifth"]
    auc = np.array([random_auc, random_auc, 0.70, 0.66])
    return pd.DataFrame({"roc_auc": auc, "low": auc - 0.01, "high": auc + 0.01}, index=names)


def test_splits_sentence_claims_an_ordering_only_when_the_numbers_show_it():
    assert "score higher than those that hold out whole days, beyond" in splitting.splits_sentence(
        _splits(0.76)
    )
    assert "ranking is not resolved" in splitting.splits_sentence(_splits(0.68))


def test_summarize_gives_the_columns_the_sentence_reads():
    from mlstack.model_selection.optimism import selection_optimism

    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.3
    scores = rng.normal(size=(6, 400)) + y
    draws = selection_optimism(y, scores, n_val=100, n_candidates=[1, 3, 6], n_repeats=20)
    summary = splitting.summarize(draws)
    assert (summary["fresh p10"] <= summary["fresh AUC"]).all()
    assert (summary["fresh AUC"] <= summary["fresh p90"]).all()
    quality = pd.Series(np.linspace(0.6, 0.7, 6))  # the first configuration is the worst
    assert isinstance(splitting.optimism_sentence(summary, quality, 100), str)
