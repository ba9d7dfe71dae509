"""Tests for mlstack.lessons.arrays: array anatomy, cache sizes, bandwidth, traced memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.lessons import arrays
from mlstack.utils.timing import Ratio, speedup


def test_describe_arrays_views_and_copies():
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    table = arrays.describe_arrays(
        {
            "base": base,
            "transpose": base.T,
            "every other column": base[:, ::2],
            "mask": base[base > 3],
            "float32": base.astype(np.float32),
            "broadcast row": np.broadcast_to(base[0], (4, 6)),
        },
        base=base,
    )
    assert table.loc["base", "strides"] == "(48, 8)"
    assert table.loc["transpose", "strides"] == "(8, 48)"
    assert table.loc["transpose", "F"] and not table.loc["transpose", "C"]
    assert table.loc["every other column", "strides"] == "(48, 16)"
    assert table.loc["broadcast row", "strides"] == "(0, 8)"
    assert table.loc["float32", "nbytes"] == base.nbytes // 2
    assert table["shares memory"].to_dict() == {
        "base": True,
        "transpose": True,
        "every other column": True,
        "mask": False,
        "float32": False,
        "broadcast row": True,
    }
    assert table.loc["mask", "owns data"] and not table.loc["transpose", "owns data"]
    assert not table.loc["broadcast row", "writeable"] and table.loc["mask", "writeable"]


def test_describe_arrays_without_base_has_no_sharing_column():
    table = arrays.describe_arrays({"a": np.zeros(3, dtype=np.int16)})
    assert "shares memory" not in table.columns
    assert table.loc["a", "itemsize"] == 2


def test_cache_sizes_are_positive_when_reported():
    sizes = arrays.cache_sizes()
    assert all(isinstance(v, int) and v > 0 for v in sizes.values())
    assert set(sizes) <= {"L1d", "L1", "L2", "L3", "L4"}


def test_measure_bandwidth_reports_consistent_figures():
    result = arrays.measure_bandwidth(np.ones(1 << 16), repeat=3)
    assert result["nbytes"] == 8 * (1 << 16)
    assert result["sum"].repeat == 3 and result["copy"].repeat == 3
    assert result["sum_gbps"] == pytest.approx(result["nbytes"] / result["sum"].median / 1e9)
    assert result["copy_gbps"] == pytest.approx(2 * result["nbytes"] / result["copy"].median / 1e9)
    low, high = result["sum_gbps_range"]
    assert low <= result["sum_gbps"] <= high


def test_stride_study_compares_every_stride_with_the_full_sum():
    table = arrays.stride_study(np.ones(1 << 14), strides=(1, 4, 8, 32), repeat=3)
    assert table["stride (bytes)"].tolist() == [8, 32, 64, 256]
    assert table["values added"].tolist() == [1.0, 0.25, 0.125, 0.03125]
    assert table["cache lines read"].tolist() == [1.0, 1.0, 1.0, 0.25]
    assert all(len(times) == 3 for times in table["times"])
    assert table["time vs full sum"].iloc[0].median == pytest.approx(1.0)


def test_stride_study_needs_the_full_sum_first():
    with pytest.raises(InputError, match="strides must start with 1"):
        arrays.stride_study(np.ones(64), strides=(2, 4))


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Ratio(0.95, 0.8, 1.2, False), "follows the cache lines read"),
        (Ratio(0.13, 0.1, 0.16, True), "follows the values added"),
        (Ratio(0.35, 0.3, 0.4, True), "between the two models"),
        (Ratio(0.5, 0.1, 2.0, False), "too wide in this run"),
    ],
    ids=["lines", "values", "between", "too-wide"],
)
def test_stride_verdict_follows_the_measured_range(ratio, expected):
    assert expected in arrays.stride_verdict(ratio)


def test_stride_sentence_quotes_the_ratio_with_its_range():
    times = {1: [1.0, 1.1, 1.2], 8: [0.9, 1.0, 1.1], 64: [0.1, 0.12, 0.14]}
    table = pd.DataFrame(
        {
            "stride (values)": [1, 8, 64],
            "cache lines read": [1.0, 1.0, 0.125],
            "time vs full sum": [speedup(times[k], times[1]) for k in (1, 8, 64)],
        }
    )
    text = arrays.stride_sentence(table)
    assert "took 91% (75%-110%) of the full sum's time" in text
    assert "follows the cache lines read" in text
    assert "At a stride of 512 bytes only 12.5% of the lines are read" in text


def test_layout_notes_read_the_table():
    frame = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0)})
    column = frame["a"].to_numpy()
    block = frame.to_numpy()
    table = arrays.describe_arrays(
        {
            "dep_delay column": column,
            "3 delay columns": block,
            "one row of them": block[0],
            "every other flight": column[::2],
            "delays over 60 min (mask)": column[column > 2],
            "as float32": column.astype(np.float32),
        },
        base=column,
    )
    notes = arrays.layout_notes(table)
    assert "`dep_delay` is float64: 8 bytes per element, strides (8,)" in notes
    assert "a boolean mask makes a copy that owns its data" in notes
    assert f"strides {table.loc['every other flight', 'strides']}" in notes


def test_traced_peak_bytes_sees_temporaries():
    def temporary():
        big = np.ones(2_000_000)  # 16 MB, freed before returning
        return float(big.sum())

    result, peak = arrays.traced_peak_bytes(temporary)
    assert result == 2_000_000.0
    assert 16_000_000 <= peak < 17_000_000
