"""Tests of mlstack.lessons.exit_test_worked (notebook 14's sentences and proxy check)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mlstack.lessons import exit_test_worked as lesson
from mlstack.metrics.comparison import Verdict
from mlstack.tools.exit_test.crossval import Candidate, Evaluation
from mlstack.tools.exit_test.ensemble import Ensemble


def _evaluation(family: str, mean: float, id_: int = 1, params=()) -> Evaluation:
    scores = np.full(5, mean)
    return Evaluation(
        Candidate(id_, family, params), 1.0, 100, scores, [None] * 5, np.ones(5), [None] * 5, 5
    )


def _result(ensemble=None, test=0.80, rounds=2):
    pool = [_evaluation("linear", 0.8), _evaluation("lightgbm", 0.79, 5, (("a", 1),))]
    choice = SimpleNamespace(
        label="linear (default)", kind="best", reasons=["reason one", "reason two"]
    )
    return SimpleNamespace(
        metrics={
            "primary_metric": "roc_auc",
            "test": {"roc_auc": test},
            "n_test": 264,
            "dropped_columns": {"share": "proxy"},
            "test_evaluations": 1,
            "cv": {"folds": [0.78, 0.80, 0.82]},
        },
        test_ci={"roc_auc": (test - 0.05, test + 0.04)},
        choice=choice,
        ensemble=ensemble,
        pool=pool,
        search=pd.DataFrame({"round": list(range(rounds + 1))}),
        stopped="2 rounds in a row did not improve the best score",
        families=pd.DataFrame({"tried": [1, 1, 0]}, index=["linear", "lightgbm", "xgboost"]),
        seed=0,
    )


@pytest.mark.parametrize("test", [0.80, 0.71], ids=["high", "low"])
def test_headline_and_recap_carry_the_runs_numbers(test):
    result = _result(test=test)
    verdict = Verdict("better", 0.15, 0.12, 0.18, 0.95, "corrected paired t-test over 5 folds")
    assert f"{test:.3f}" in lesson.headline(result)
    recap = lesson.recap(result, verdict, np.array([0.95, 0.97]))
    assert f"test roc_auc is {test:.3f}" in recap and "0.960" in recap and "better" in recap
    assert "2 model families" in recap


def test_search_text_counts_rounds_and_searched_settings():
    text = lesson.search_text(_result(rounds=1))
    assert "ran 1 round and scored 1 searched settings" in text
    assert "2 rounds in a row" in text


def test_ensemble_text_says_what_the_ensemble_is_or_why_there_is_none():
    assert "No ensemble was built" in lesson.ensemble_text(_result())
    members = _result().pool
    single = Ensemble(members[:1], np.array([3]), np.full(5, 0.8), 2)
    assert "kept a single one" in lesson.ensemble_text(_result(ensemble=single))
    pair = Ensemble(members, np.array([2, 1]), np.array([0.81, 0.83, 0.79, 0.8, 0.82]), 2)
    text = lesson.ensemble_text(_result(ensemble=pair))
    assert "2 x linear (default) + 1 x lightgbm #5" in text and "0.810 on average" in text


def test_proxy_check_compares_with_and_without_the_dropped_column_on_the_same_folds():
    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=n)
    y = pd.Series(np.where(x + rng.normal(size=n) > 0, "yes", "no"), name="y")
    table = pd.DataFrame({"x": x, "proxy": (y == "yes") + rng.normal(scale=0.01, size=n), "y": y})
    prepared = SimpleNamespace(
        X_train=table[["x"]], y_train=y, task="binary", time=None, groups_train=None, target="y"
    )
    result = SimpleNamespace(prepared=prepared, seed=0, metrics={"primary_metric": "roc_auc"})
    verdict, leaky, honest = lesson.proxy_check(table, result)
    assert len(leaky) == len(honest) == 10
    assert verdict.verdict == "better" and leaky.mean() > 0.99 > honest.mean()
    assert "Keeping the proxies is better than dropping them" in lesson.proxy_text(
        verdict, leaky, honest
    )
