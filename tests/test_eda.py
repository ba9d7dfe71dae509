"""Tests for mlstack.eda: missing-value tables and the correlation plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from mlstack import eda
from mlstack.errors import InputError


def _flights() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dep_time": [None, 600.0, 700.0, None, 800.0],
            "arr_delay": [None, 10.0, None, None, -3.0],
            "distance": [100, 200, 300, 400, 500],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_missing_summary_counts_and_orders():
    table = eda.missing_summary(_flights())
    assert table.index.tolist() == ["arr_delay", "dep_time"]
    assert table["missing"].tolist() == [3, 2]
    assert table["missing %"].tolist() == [60.0, 40.0]


def test_missing_explained_counts_each_reason():
    flights = _flights()
    cancelled = flights["dep_time"].isna()
    diverted = flights["dep_time"].notna() & flights["arr_delay"].isna()
    table = eda.missing_explained(
        flights,
        {
            "cancelled": (["dep_time", "arr_delay"], cancelled),
            "diverted": (["arr_delay"], diverted),
        },
    )
    assert table.loc[("cancelled", "dep_time")].tolist() == [2, 2, 0, 0]
    assert table.loc[("cancelled", "arr_delay")].tolist() == [3, 2, 1, 0]
    assert table.loc[("diverted", "arr_delay")].tolist() == [3, 1, 2, 0]


def test_missing_explained_counts_rows_present_anyway():
    flights = _flights()
    table = eda.missing_explained(flights, {"all rows": (["dep_time"], flights["distance"] > 0)})
    assert table.loc[("all rows", "dep_time"), "present anyway"] == 3


@pytest.mark.parametrize(
    ("reasons", "message"),
    [
        ({"r": (["nope"], pd.Series(True, index=[10, 11, 12, 13, 14]))}, "column 'nope'"),
        ({"r": (["dep_time"], pd.Series(True, index=range(5)))}, "reason 'r' is not aligned"),
    ],
    ids=["unknown-column", "misaligned-mask"],
)
def test_missing_explained_rejects_bad_reasons(reasons, message):
    with pytest.raises(InputError, match=message):
        eda.missing_explained(_flights(), reasons)


def test_plot_correlation_matrix_labels_everything():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    frame["d"] = frame["a"] * 2
    ax = eda.plot_correlation_matrix(frame.corr(), title="Pearson", label="r")
    assert ax.get_title() == "Pearson"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert any(text.get_text() == "1.0" for text in ax.texts)  # a and d annotated
    assert ax.figure.axes[-1].get_ylabel() == "r"
    plt.close(ax.figure)
