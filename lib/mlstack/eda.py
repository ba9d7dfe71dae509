"""Exploratory data analysis helpers: missing values and why, correlations.

Used by ``notebooks/02_eda.ipynb``. :func:`missing_explained` checks a stated
reason for missing values against the data (a reason is a boolean mask; the
table counts the missing cells it explains and the ones it does not), and
:func:`plot_correlation_matrix` draws a labelled correlation heat map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = ["missing_explained", "missing_summary", "plot_correlation_matrix"]


def missing_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Count the missing values of every column that has any, most missing first.

    Returns
    -------
    pandas.DataFrame
        Index: column; columns ``missing`` (rows) and ``missing %``
        (rounded to 0.01). Ties are broken by column name, so the order is
        stable.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, None, None], "b": [1, 2, 3], "c": [None, 1.0, 2.0]})
    >>> missing_summary(frame)["missing"].to_dict()
    {'a': 2, 'c': 1}
    """
    counts = frame.isna().sum()
    counts = counts[counts > 0]
    table = pd.DataFrame(
        {"missing": counts.astype(int), "missing %": (100 * counts / max(len(frame), 1)).round(2)}
    )
    table.index.name = "column"
    return (
        table.reset_index()
        .sort_values(["missing", "column"], ascending=[False, True])
        .set_index("column")
    )


def missing_explained(
    frame: pd.DataFrame,
    reasons: Mapping[str, tuple[Sequence[str], pd.Series | pd.DataFrame]],
) -> pd.DataFrame:
    """Check stated reasons for missing values against the data.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table whose missing values are explained.
    reasons : mapping of str to (columns, mask)
        For each reason (a short label), the columns it should explain and
        the rows it applies to: a boolean Series aligned with ``frame``, or a
        boolean DataFrame with one mask per column (for reasons such as
        "missing in the source table" that differ column by column).

    Returns
    -------
    pandas.DataFrame
        One row per column named in ``reasons`` (in order of first mention):
        ``missing`` (rows where it is missing), one column per reason (missing
        rows that reason applies to; 0 where the reason does not name the
        column), and ``unexplained`` (missing rows no reason applies to). A
        complete explanation has ``unexplained`` 0 everywhere; reasons may
        overlap, so the reason columns can add up to more than ``missing``.

    Raises
    ------
    InputError
        If a column is not in ``frame`` or a mask is not aligned with it.

    Examples
    --------
    >>> frame = pd.DataFrame({"dep_time": [None, 5.0, None], "arr_time": [None, None, None]})
    >>> cancelled = frame["dep_time"].isna()
    >>> table = missing_explained(frame, {"cancelled": (["dep_time", "arr_time"], cancelled)})
    >>> table.to_dict(orient="list")
    {'missing': [2, 3], 'cancelled': [2, 2], 'unexplained': [0, 1]}
    """
    columns: list[str] = []
    applies: dict[str, dict[str, np.ndarray]] = {}
    for reason, (names, mask) in reasons.items():
        if not mask.index.equals(frame.index):
            raise InputError(f"the mask of reason {reason!r} is not aligned with the table")
        applies[reason] = {}
        for column in names:
            if column not in frame.columns:
                raise InputError(f"reason {reason!r} names column {column!r}, not in the table")
            if isinstance(mask, pd.DataFrame):
                if column not in mask.columns:
                    raise InputError(f"the mask of reason {reason!r} has no column {column!r}")
                column_mask = mask[column]
            else:
                column_mask = mask
            applies[reason][column] = column_mask.fillna(False).to_numpy(dtype=bool)
            if column not in columns:
                columns.append(column)
    rows = []
    for column in columns:
        missing = frame[column].isna().to_numpy()
        row = {"column": column, "missing": int(missing.sum())}
        covered = np.zeros(len(frame), dtype=bool)
        for reason, masks in applies.items():
            mask = masks.get(column)
            row[reason] = int((missing & mask).sum()) if mask is not None else 0
            if mask is not None:
                covered |= mask
        row["unexplained"] = int((missing & ~covered).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=["column", "missing", *applies, "unexplained"]).set_index(
        "column"
    )


def plot_correlation_matrix(corr: pd.DataFrame, *, ax=None, title: str = "", label: str = ""):
    """Draw a correlation matrix as a labelled heat map on a diverging scale.

    Parameters
    ----------
    corr : pandas.DataFrame
        A square correlation matrix (e.g. ``frame.corr()``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new square figure by default.
    title : str
        The axes title.
    label : str
        The colour bar label (say which coefficient).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        size = 0.42 * len(corr) + 2.5
        _, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ticks = np.arange(len(corr))
    ax.set_xticks(ticks, corr.columns, rotation=90)
    ax.set_yticks(ticks, corr.index)
    ax.grid(False)
    for (i, j), value in np.ndenumerate(corr.to_numpy()):
        if i != j and np.isfinite(value) and abs(value) >= 0.5:
            ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7)
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.8)
    ax.set_title(title)
    return ax
