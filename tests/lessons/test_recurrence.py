"""Tests for mlstack.lessons.recurrence: the loop, the passes and the wrong shortcut."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.lessons import recurrence


def _aircraft(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Miles per flight for a few aircraft, rows grouped by aircraft."""
    rng = np.random.default_rng(seed)
    groups = np.sort(rng.integers(0, 25, size=n))
    miles = rng.integers(100, 2500, size=n).astype(float)
    return miles, groups


@pytest.mark.parametrize("threshold", [1000, 5000, 20000, 10**9], ids=["1k", "5k", "20k", "never"])
def test_passes_equal_the_loop(threshold):
    miles, groups = _aircraft()
    loop = recurrence.reset_points_loop(miles, groups, threshold)
    flags, passes = recurrence.reset_points_passes(miles, groups, threshold)
    np.testing.assert_array_equal(flags, loop)
    # one pass per reset of the busiest group, plus the pass that finds nothing
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    most = np.add.reduceat(loop.astype(int), starts).max()
    assert passes == most + 1


def test_loop_resets_the_running_total():
    flags = recurrence.reset_points_loop([4, 4, 4, 10, 1, 9], [0, 0, 0, 0, 0, 1], 10)
    assert flags.tolist() == [False, False, True, True, False, False]


def test_floordiv_shortcut_disagrees_with_the_loop():
    miles, groups = _aircraft(seed=1)
    loop = recurrence.reset_points_loop(miles, groups, 5000)
    shortcut = recurrence.reset_points_floordiv(miles, groups, 5000)
    assert (shortcut != loop).sum() > 0
    assert shortcut.sum() >= loop.sum()  # carrying the overshoot makes resets come early


def test_floordiv_shortcut_is_right_when_resets_land_on_the_threshold():
    miles = np.full(12, 250.0)
    groups = np.repeat([0, 1], 6)
    np.testing.assert_array_equal(
        recurrence.reset_points_floordiv(miles, groups, 500),
        recurrence.reset_points_loop(miles, groups, 500),
    )


def test_empty_input():
    flags, passes = recurrence.reset_points_passes([], [], 10)
    assert flags.shape == (0,) and passes == 0
    assert recurrence.reset_points_loop([], [], 10).shape == (0,)


@pytest.mark.parametrize(
    ("values", "groups", "threshold", "message"),
    [
        ([1.0, 2.0], [0], 10, "same length"),
        ([1.0, -2.0], [0, 0], 10, "non-negative"),
        ([1.0, np.nan], [0, 0], 10, "not missing"),
        ([1.0, 2.0], [0, 0], 0, "threshold must be positive"),
    ],
    ids=["length", "negative", "nan", "threshold"],
)
def test_bad_input_is_rejected(values, groups, threshold, message):
    for func in (
        recurrence.reset_points_loop,
        recurrence.reset_points_passes,
        recurrence.reset_points_floordiv,
    ):
        with pytest.raises(InputError, match=message):
            func(values, groups, threshold)


def test_compare_implementations_checks_and_times_each_threshold():
    miles, groups = _aircraft(500)
    table = recurrence.compare_implementations(miles, groups, [1000, 20000], repeat=2)
    assert list(table.index) == [1000, 20000]
    assert table.loc[1000, "numpy passes"] > table.loc[20000, "numpy passes"]
    assert all(table[name].map(lambda t: t.repeat == 2).all() for name in ("loop", "passes"))
    assert table.loc[1000, "loop vs passes"].median == pytest.approx(
        table.loc[1000, "passes"].median / table.loc[1000, "loop"].median
    )


def _table(loop_times, passes_times, passes=(150, 60, 20)):
    from mlstack.utils.timing import Timing, speedup

    loop = [Timing(tuple(t)) for t in loop_times]
    numpy = [Timing(tuple(t)) for t in passes_times]
    return pd.DataFrame(
        {
            "numpy passes": list(passes),
            "floordiv wrong flags": [80, 30, 5],
            "loop": loop,
            "passes": numpy,
            "floordiv": [Timing((0.001, 0.0011))] * len(loop),
            "loop vs passes": [speedup(p, lo) for p, lo in zip(numpy, loop, strict=True)],
        },
        index=pd.Index([5000, 15000, 50000], name="threshold (miles)"),
    )


def test_comparison_sentence_follows_the_ratios():
    loop = [(0.03, 0.031, 0.032)] * 3
    mixed = _table(loop, [(0.17, 0.18), (0.05, 0.06), (0.01, 0.012)])
    text = recurrence.comparison_sentence(mixed)
    assert "the loop was faster at 2 of 3 thresholds" in text
    assert "numpy was faster at 1 of 3" in text
    assert "wrong on up to 80 flights" in text
    assert "does not depend measurably on the threshold" in text
    assert "compile it (numba, Cython)" in text
    numpy_wins = _table(loop, [(0.01, 0.011)] * 3, passes=(4, 2, 1))
    text = recurrence.comparison_sentence(numpy_wins)
    assert "numpy was faster at 3 of 3" in text
    assert "compile it" not in text  # no advice the numbers contradict
