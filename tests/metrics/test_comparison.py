import numpy as np
import pytest

from mlstack.errors import InputError
from mlstack.metrics.comparison import (
    compare_folds,
    compare_on_rows,
    corrected_ttest,
    select_and_recheck,
    verdict_from_interval,
)


def test_corrected_ttest_is_wider_than_the_naive_one():
    diffs = [0.010, 0.004, 0.012, 0.002, 0.007]
    naive_se = np.std(diffs, ddof=1) / np.sqrt(5)
    result = corrected_ttest(diffs, n_train=8000, n_test=2000)
    assert result["se"] == pytest.approx(np.std(diffs, ddof=1) * np.sqrt(1 / 5 + 2000 / 8000))
    assert result["se"] > naive_se
    assert result["df"] == 4


def test_corrected_ttest_accepts_fold_sizes_that_differ():
    result = corrected_ttest([0.01, 0.02, 0.015], n_train=[100, 200, 300], n_test=[100, 100, 100])
    ratio = np.mean([1, 0.5, 1 / 3])
    assert result["se"] == pytest.approx(
        np.std([0.01, 0.02, 0.015], ddof=1) * np.sqrt(1 / 3 + ratio)
    )


@pytest.mark.parametrize(
    ("low", "high", "rope", "expected"),
    [
        (0.01, 0.02, None, "better"),
        (-0.02, -0.01, None, "worse"),
        (-0.01, 0.02, None, "indistinguishable"),
        (-0.001, 0.002, 0.005, "equivalent"),
        (-0.001, 0.009, 0.005, "indistinguishable"),
    ],
    ids=["better", "worse", "noise", "equivalent", "wider-than-rope"],
)
def test_verdict_from_interval(low, high, rope, expected):
    assert verdict_from_interval(low, high, rope) == expected


def test_compare_folds_flips_a_loss():
    verdict = compare_folds(
        [0.50, 0.52, 0.49, 0.51, 0.50],
        [0.60, 0.61, 0.59, 0.62, 0.60],
        n_train=400,
        n_test=100,
        greater_is_better=False,
        names=("new", "old"),
    )
    assert verdict.verdict == "better"
    assert verdict.difference > 0
    assert verdict.sentence().startswith("new is better than old: difference +0.100")


def test_a_winner_not_rechecked_says_so():
    verdict = compare_folds(
        [0.8, 0.82, 0.81], [0.7, 0.71, 0.72], n_train=90, n_test=10, selected_from=9
    )
    assert "best of 9 candidates" in verdict.sentence()
    rechecked = compare_folds(
        [0.8, 0.82, 0.81],
        [0.7, 0.71, 0.72],
        n_train=90,
        n_test=10,
        selected_from=9,
        rechecked=True,
    )
    assert "best of 9" not in rechecked.sentence()


def test_select_and_recheck_finds_nothing_among_equals_and_something_real():
    rng = np.random.default_rng(0)
    equals = 0.7 + 0.01 * rng.normal(size=(12, 6))
    verdict, chosen = select_and_recheck(equals, equals[0], n_train=5000, n_test=1000)
    assert verdict.verdict == "indistinguishable"
    assert chosen.shape == (6,)
    real = equals.copy()
    real[3] += 0.05
    verdict, chosen = select_and_recheck(real, equals[0], n_train=5000, n_test=1000)
    assert verdict.verdict == "better"
    assert (chosen == 3).all()
    assert verdict.selected_from == 12 and verdict.rechecked


def test_compare_on_rows_with_groups_names_the_unit():
    rng = np.random.default_rng(0)
    y = rng.random(1000) < 0.3
    a = y + rng.normal(size=1000)
    verdict = compare_on_rows(y, a, a, groups=np.arange(1000) // 20, unit="days", n_resamples=100)
    assert verdict.verdict == "indistinguishable"
    assert verdict.difference == 0
    assert "50 days" in verdict.method


def test_bad_shapes_name_the_parameter():
    with pytest.raises(InputError, match="same folds") as info:
        compare_folds([0.1, 0.2], [0.1], n_train=10, n_test=5)
    assert info.value.parameter == "scores_b"
    with pytest.raises(InputError, match="at least 2 folds"):
        corrected_ttest([0.1], 10, 5)


def test_compare_repeats_is_the_plain_paired_t_interval():
    from scipy import stats

    from mlstack.metrics.comparison import compare_repeats

    d = np.array([0.01, 0.03, 0.02, 0.025, 0.015])
    verdict = compare_repeats(d, unit="training sets", names=("leaky", "clean"))
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / np.sqrt(5)
    assert verdict.low == pytest.approx(d.mean() - half)
    assert verdict.verdict == "better"
    assert "paired t-interval over 5 training sets" in verdict.sentence()
    noise = compare_repeats([0.01, -0.01, 0.02, -0.02], rope=0.05)
    assert noise.verdict == "equivalent"
