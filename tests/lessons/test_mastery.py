"""Tests of mlstack.lessons.mastery and mastery_card: the mastery notebook's measurements."""

import numpy as np
import pandas as pd
import pytest

from mlstack.lessons import mastery, mastery_checks
from mlstack.metrics.calibration import RecalibratedClassifier
from mlstack.metrics.comparison import compare_folds


def _oof(shift_by_month, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for fold, (month, shift) in enumerate(shift_by_month.items(), start=1):
        p = rng.uniform(0.05, 0.6, n)
        frames.append(
            pd.DataFrame(
                {
                    "fold": fold,
                    "month": month,
                    "y": rng.random(n) < np.clip(p + shift, 0, 1),
                    "p": p,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_search_spaces_take_overrides_and_a_cap_on_iterations():
    spaces = mastery.search_spaces({"logistic": {"model__C": [0.1, 1.0]}}, max_iter=7)
    assert spaces["logistic"] == {"model__C": [0.1, 1.0]}
    assert spaces["hgb"]["model__max_iter"] == [7] and len(spaces["hgb"]) == 3


def test_the_stopwatch_records_each_step_and_search_as_one_repeat():
    watch = mastery.Stopwatch()
    with watch("load"):
        pass
    searches = pd.DataFrame({"wall_s": [12.5, 3.0], "fits": [60, 30]}, index=["grid", "random"])
    watch.add_searches(searches)
    assert [r["step"] for r in watch.records] == ["load", "search_grid", "search_random"]
    assert all(r["repeat"] == 1 == len(r["times"]) for r in watch.records)
    assert watch.records[1]["times"] == [12.5] and watch.records[1]["fits"] == 60


def test_said_opens_a_sentence():
    verdict = compare_folds(
        [0.7, 0.72, 0.71], [0.69, 0.7, 0.7], n_train=90, n_test=30, names=("tuned", "default")
    )
    assert mastery.said(verdict).startswith("Tuned is ") and mastery.said(verdict).endswith(".")


def test_a_recalibration_is_applied_only_when_it_helps_on_later_months():
    steady = _oof({6: 0.15, 7: 0.15, 8: 0.15, 9: 0.15, 10: 0.15})  # the same miss every month
    shift = mastery_checks.calibration_shift(steady, [1000] * 5, [3000] * 5)
    assert shift.method in ("sigmoid", "isotonic")
    assert isinstance(shift.wrap(object(), steady), RecalibratedClassifier)
    assert "applies it" in shift.sentence()
    moving = _oof({6: 0.2, 7: -0.2, 8: 0.2, 9: -0.2, 10: 0.2})  # next month undoes the last
    shift = mastery_checks.calibration_shift(moving, [1000] * 5, [3000] * 5)
    assert shift.method is None and "left as it is" in shift.sentence()
    assert shift.by_month.index.tolist() == [6, 7, 8, 9, 10]


def test_the_decision_rule_flags_the_riskiest_tenth_of_the_development_folds():
    oof = _oof({9: 0.0, 10: 0.0})
    rule = mastery_checks.DecisionRule.from_predictions(oof, share=0.10)
    assert (oof["p"] >= rule.threshold).mean() == pytest.approx(0.10, abs=0.002)
    table = rule.dev_table()
    assert table.index.tolist() == [9, 10] and table["precision"].between(0, 1).all()
    days = np.repeat(np.arange(60), len(oof) // 60)
    flagged = rule.evaluate(oof["y"], oof["p"], days, n_resamples=50, seed=0)
    assert (
        flagged["precision"].unit == "days"
        and flagged["precision"].low <= flagged["precision"].estimate
    )


def test_tuning_check_says_when_the_best_setting_is_on_an_edge():
    check = mastery.TuningCheck(
        {"model__max_leaf_nodes": 7},
        {"model__max_leaf_nodes": "lowest"},
        compare_folds([0.7, 0.72, 0.71], [0.7, 0.72, 0.71], n_train=90, n_test=30),
        ("max_leaf_nodes=7",) * 3,
    )
    assert not check.interior
    assert "sits on an edge" in check.sentence() and "same on every fold" in check.sentence()


@pytest.mark.parametrize(
    ("boosting", "family", "reason"),
    [
        ([0.80, 0.82, 0.81, 0.83, 0.80], "hgb", "says it is better, so it is chosen"),
        ([0.70, 0.73, 0.70, 0.72, 0.70], "logistic", "the simpler logistic regression is kept"),
    ],
)
def test_the_family_reason_follows_the_paired_verdict(boosting, family, reason):
    logistic = [0.70, 0.72, 0.71, 0.72, 0.70]
    verdict = compare_folds(boosting, logistic, n_train=900, n_test=100)
    name = "hgb" if verdict.verdict == "better" else "logistic"
    choice = mastery.FamilyChoice(name, {"model__C": 1.0}, np.asarray(logistic), verdict, None)
    assert name == family and reason in choice.reason() and reason in choice.sentence()
