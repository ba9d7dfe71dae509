"""Tests for mlstack.lessons.scaling: notebook 05's sentences follow its verdicts."""

from __future__ import annotations

import pandas as pd

from mlstack.lessons import scaling
from mlstack.metrics.comparison import Verdict


def _verdict(verdict, difference, low, high, names=("A", "B")):
    return Verdict(
        verdict, difference, low, high, 0.95, "paired bootstrap of 90 days", names=names
    )


def test_split_table_counts_flights_and_days():
    when = pd.to_datetime(
        ["2013-01-01 06:00", "2013-01-01 09:00", "2013-02-01 07:00", "2013-12-30 08:00"]
    )
    frame = pd.DataFrame({"sched_dep": when})
    table = scaling.split_table(frame.iloc[:3], frame.iloc[3:])
    assert table.loc["training"].tolist()[0] == 3
    assert table["days"].tolist() == [2, 1]


def test_f1_sentence_quotes_both_verdicts():
    svm = _verdict("better", 0.08, 0.05, 0.11, ("the standardized SVM", "the raw SVM"))
    tree = _verdict("equivalent", 0.0, -0.001, 0.001, ("the standardized tree", "the raw tree"))
    text = scaling.f1_sentence(svm, tree, 0.998)
    assert "the standardized SVM is better than the raw SVM" in text
    assert "the standardized tree is equivalent to the raw tree" in text
    assert "99.8% of the tree's validation predictions" in text


def test_headline_says_no_leak_within_noise():
    scaler = pd.DataFrame(
        {"mean leak": [0.002], "standard error": [0.002], "verdict": ["indistinguishable"]},
        index=pd.Index([30], name="n_train"),
    )
    svm = _verdict("better", 0.08, 0.05, 0.11)
    target = _verdict("better", 0.17, 0.15, 0.19)
    text = scaling.headline(svm, target, scaler)
    assert "a scaler does not measurably change it at 30 training rows (+0.002 ± 0.002)" in text
    assert "a target encoder fitted before the split inflates ROC AUC" in text
