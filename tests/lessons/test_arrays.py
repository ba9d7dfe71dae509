"""Tests for mlstack.lessons.arrays: array anatomy, cache sizes, bandwidth, traced memory."""

from __future__ import annotations

import numpy as np
import pytest

from mlstack.lessons import arrays


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
    result = arrays.measure_bandwidth(np.ones(1 << 16), repeat=2)
    assert result["nbytes"] == 8 * (1 << 16)
    assert result["sum_gbps"] == pytest.approx(result["nbytes"] / result["sum_seconds"] / 1e9)
    assert result["copy_gbps"] == pytest.approx(
        2 * result["nbytes"] / result["copy_seconds"] / 1e9
    )


def test_traced_peak_bytes_sees_temporaries():
    def temporary():
        big = np.ones(2_000_000)  # 16 MB, freed before returning
        return float(big.sum())

    result, peak = arrays.traced_peak_bytes(temporary)
    assert result == 2_000_000.0
    assert 16_000_000 <= peak < 17_000_000
