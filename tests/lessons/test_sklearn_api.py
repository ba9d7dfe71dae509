"""Tests for mlstack.lessons.sklearn_api: notebook 07's sentences follow its verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack.lessons import sklearn_api
from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.metrics.comparison import Verdict
from mlstack.utils.timing import Ratio


def _verdict(verdict, names=("A", "B"), difference=0.01):
    return Verdict(
        verdict,
        difference,
        difference - 0.01,
        difference + 0.01,
        0.95,
        "corrected paired t-test over 5 folds",
        names=names,
    )


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        ("better", "a measurable gain for this model"),
        ("indistinguishable", "no measurable difference for this model"),
        ("equivalent", "equivalent within the stated region"),
    ],
    ids=["better", "noise", "equivalent"],
)
def test_cyclical_sentence_concludes_from_the_verdict(verdict, expected):
    assert expected in sklearn_api.cyclical_sentence(_verdict(verdict))


def test_a1_sentence_places_each_estimate_against_the_test_interval():
    test = ConfidenceInterval("roc_auc", 0.64, 0.60, 0.68, 0.95, 1000, "days", 90)
    text = sklearn_api.a1_sentence(
        [0.74, 0.76], [0.62, 0.63], _verdict("better", difference=0.12), test
    )
    assert "the pipeline's estimate lies inside that interval, the leaky one outside it" in text
    assert "1000 resamples of 90 days" in text


def test_recap_orients_every_comparison():
    test = ConfidenceInterval("roc_auc", 0.64, 0.60, 0.68, 0.95, 1000, "days", 90)
    jax = pd.DataFrame(
        {"jax vs numpy": [Ratio(1.0, 0.9, 1.1, False), Ratio(0.5, 0.4, 0.6, True)]},
        index=["sum", "matmul"],
    )
    text = sklearn_api.recap(
        leak=_verdict("better", ("leaky CV", "pipeline CV")),
        test=test,
        skew=_verdict("better", ("the pipeline", "the manual preprocessing")),
        cyclical=_verdict("indistinguishable", ("cyclical", "raw")),
        target=_verdict("worse", ("cross-fitted", "in-sample")),
        loop=_verdict("indistinguishable", ("the loop", "fit")),
        jax=jax,
    )
    assert "the pipeline is better than the manual preprocessing" in text
    assert "cross-fitted is worse than in-sample" in text
    assert "jax on the CPU was slower on `matmul`, within noise elsewhere" in text


def test_fold_sizes_and_table():
    from sklearn.model_selection import TimeSeriesSplit

    assert sklearn_api.fold_sizes(TimeSeriesSplit(n_splits=2), np.zeros((30, 1))) == (
        [10, 20],
        [10, 10],
    )
    table = sklearn_api.fold_table({"a": [0.7, 0.8], "b": [0.6, 0.75]})
    assert list(table.columns) == ["a", "b", "a - b"]
