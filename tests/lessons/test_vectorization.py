"""Tests for mlstack.lessons.vectorization: tables and sentences follow the measurements."""

from __future__ import annotations

import pytest

from mlstack.lessons import vectorization
from mlstack.utils.timing import Ratio, Timing


def _records(iterrows=1.0, apply=0.5, lists=0.05, numpy=0.004, spread=0.05):
    def record(method, seconds, rows=1000):
        times = [seconds * (1 + spread * k) for k in (-1, 0, 1)]
        return {"experiment": "haversine", "method": method, "rows": rows, "times": times}

    return [
        record("iterrows", iterrows),
        record("apply", apply),
        record("lists", lists),
        record("numpy", numpy),
    ]


def test_row_loop_table_divides_per_row_times():
    table = vectorization.row_loop_table(_records())
    assert table.loc["iterrows", "x numpy"].median == pytest.approx(250.0)
    assert table.loc["iterrows", "µs per row"] == pytest.approx(1000.0)
    assert table.loc["numpy", "x numpy"] is None


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        (0.05, "Most of a row loop's cost is pandas building a row object"),
        (0.8, "The row objects are not where most of the time goes"),
    ],
    ids=["row-objects-dominate", "interpreter-dominates"],
)
def test_row_loop_sentence_follows_the_list_loop(lists, expected):
    text = vectorization.row_loop_sentence(vectorization.row_loop_table(_records(lists=lists)))
    assert expected in text
    assert "`iterrows` took **250x (226-276x)** the time of numpy" in text


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Ratio(300, 250, 350, True), "holds"),
        (Ratio(900, 800, 1200, True), "holds only in part (the measured range crosses 1,000x)"),
        (Ratio(50, 40, 60, True), "does not hold"),
    ],
    ids=["inside", "crossing", "outside"],
)
def test_claim_check(ratio, expected):
    assert vectorization.claim_check(ratio, 100, 1000) == expected


def test_headline_states_no_magnitude_within_noise():
    table = vectorization.row_loop_table(_records(iterrows=0.004, numpy=0.004))
    assert "more than" not in vectorization.headline(table, 1000)
    table = vectorization.row_loop_table(_records())
    assert "more than 100x faster per row than iterrows" in vectorization.headline(table, 1000)


def _bandwidth(seconds=0.01, nbytes=2e8):
    timing = Timing((seconds * 0.9, seconds, seconds * 1.1))
    return {"nbytes": nbytes, "sum": timing}


def _throughput(numpy_s, loop_s, haversine_s):
    records = [
        {"method": "sum", "times": [numpy_s * 0.95, numpy_s, numpy_s * 1.05]},
        {"method": "loop", "times": [loop_s * 0.95, loop_s, loop_s * 1.05]},
        {"method": "haversine", "times": [haversine_s * 0.95, haversine_s, haversine_s * 1.05]},
    ]
    nbytes = {"sum": 2e6, "loop": 2e6, "haversine": 8e6}
    return vectorization.throughput_table(records, nbytes, _bandwidth())


def test_throughput_sentence_calls_arithmetic_bound_only_when_measured():
    caches = {"L2": 2**20, "L3": 32 * 2**20}
    fast = _throughput(numpy_s=5e-5, loop_s=3e-3, haversine_s=1e-2)
    text = vectorization.throughput_sentence(fast, column_nbytes=2_000_000, caches=caches)
    assert "it is bound by arithmetic" in text
    assert "numpy's sum was 60x (54-66x) faster than a Python loop" in text
    slow = _throughput(numpy_s=5e-5, loop_s=3e-3, haversine_s=4e-4)
    text = vectorization.throughput_sentence(slow, column_nbytes=2_000_000, caches=caches)
    assert "cannot be called arithmetic-bound" in text
    tied = _throughput(numpy_s=3e-3, loop_s=3e-3, haversine_s=1e-2)
    text = vectorization.throughput_sentence(tied, column_nbytes=2_000_000, caches=caches)
    assert "numpy's sum and a Python loop over the same bytes were indistinguishable" in text


def test_pairs_sentence_says_the_extrapolation():
    text = vectorization.pairs_sentence(
        n=1000,
        n_all=10_000,
        peaks={"broadcast": 16_000_000, "sorted": 80_000, "sorted_all": 800_000},
        broadcast=Timing((0.03, 0.031, 0.032)),
        sorted_search=Timing((0.001, 0.0011, 0.0012)),
        sorted_all=Timing((0.01, 0.011, 0.012)),
    )
    assert "(16 bytes per pair)" in text
    assert "about **1.6 GB** (extrapolated at the same bytes per pair, not run)" in text
