"""Tests for mlstack.lessons.eda: missing-value tables and the correlation plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.lessons import eda


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
    assert table.index.tolist() == ["dep_time", "arr_delay"]
    assert table.columns.tolist() == ["missing", "cancelled", "diverted", "unexplained"]
    assert table.loc["dep_time"].tolist() == [2, 2, 0, 0]
    assert table.loc["arr_delay"].tolist() == [3, 2, 1, 0]


def test_missing_explained_reports_what_no_reason_covers():
    flights = _flights()
    only_first = pd.Series([True, False, False, False, False], index=flights.index)
    table = eda.missing_explained(flights, {"first row": (["arr_delay"], only_first)})
    assert table.loc["arr_delay"].tolist() == [3, 1, 2]


def test_missing_explained_accepts_one_mask_per_column():
    flights = _flights()
    in_source = flights.isna()  # "missing in the source" differs column by column
    table = eda.missing_explained(flights, {"source": (["dep_time", "arr_delay"], in_source)})
    assert table["source"].tolist() == [2, 3]
    assert table["unexplained"].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("reasons", "message"),
    [
        ({"r": (["nope"], pd.Series(True, index=[10, 11, 12, 13, 14]))}, "column 'nope'"),
        ({"r": (["dep_time"], pd.Series(True, index=range(5)))}, "reason 'r' is not aligned"),
        (
            {"r": (["dep_time"], pd.DataFrame({"x": True}, index=[10, 11, 12, 13, 14]))},
            "has no column 'dep_time'",
        ),
    ],
    ids=["unknown-column", "misaligned-mask", "mask-without-column"],
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


def test_has_match_by_value_across_categories():
    flights = pd.DataFrame(
        {"origin": pd.Categorical(["JFK", "LGA", "JFK"]), "hour": [1, 1, 2]}, index=[5, 6, 7]
    )
    weather = pd.DataFrame({"origin": pd.Categorical(["JFK", "EWR"]), "hour": [1, 1]})
    result = eda.has_match(flights, weather, ["origin", "hour"])
    assert result.index.tolist() == [5, 6, 7]
    assert result.tolist() == [True, False, False]


def test_has_match_names_missing_key():
    with pytest.raises(InputError, match=r"the right table has no column\(s\) \['hour'\]"):
        eda.has_match(pd.DataFrame({"hour": [1]}), pd.DataFrame({"x": [1]}), ["hour"])


def test_plot_histograms_one_labelled_panel_per_column():
    frame = pd.DataFrame({"temp": [50.0, 60.0, None], "seats": [100, 150, 200]})
    fig = eda.plot_histograms(frame, {"temp": "°F", "seats": "seats"}, ncols=3, title="T")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xlabel() for ax in visible] == ["temp (°F)", "seats (seats)"]
    assert fig._suptitle.get_text() == "T"
    plt.close(fig)


def test_plot_share_by_bars_are_group_shares():
    flag = pd.Series([True, False, True, True])
    fig = eda.plot_share_by(flag, {"month": pd.Series([1, 1, 2, 2])}, ylabel="late share")
    ax = fig.axes[0]
    assert [round(bar.get_height(), 3) for bar in ax.patches] == [0.5, 1.0]
    assert ax.get_ylabel() == "late share" and ax.get_xlabel() == "month"
    assert ax.lines[0].get_ydata()[0] == 0.75
    plt.close(fig)
