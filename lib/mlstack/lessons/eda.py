"""Exploratory data analysis helpers: missing values and why, distributions, correlations.

Used by ``notebooks/02_eda.ipynb``. :func:`missing_explained` checks stated
reasons for missing values against the data (a reason is a boolean mask; the
table counts the missing cells each explains and those none explains);
:func:`has_match` tells which rows found a partner in a side table (the usual
reason for missing joined columns). The ``plot_*`` functions draw the
notebook's figures with titles, axis labels and units, so its cells stay short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "has_match",
    "missing_explained",
    "missing_summary",
    "plot_correlation_matrix",
    "plot_histograms",
    "plot_share_by",
]


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


def _decategorize(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace categorical columns by their values, so keys compare by value."""
    return frame.astype(
        {
            col: dtype.categories.dtype
            for col, dtype in frame.dtypes.items()
            if isinstance(dtype, pd.CategoricalDtype)
        }
    )


def has_match(left: pd.DataFrame, right: pd.DataFrame, on: Sequence[str]) -> pd.Series:
    """Tell, for each row of ``left``, whether ``right`` has a row with the same keys.

    The reason a left join leaves a row's joined columns empty. Keys are
    compared by value, so categoricals with different categories match.

    Parameters
    ----------
    left, right : pandas.DataFrame
        Both with the ``on`` columns.
    on : sequence of str
        The key columns.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``left``.

    Examples
    --------
    >>> flights = pd.DataFrame({"tailnum": ["N1", "N2", None]})
    >>> planes = pd.DataFrame({"tailnum": ["N1", "N3"]})
    >>> has_match(flights, planes, ["tailnum"]).tolist()
    [True, False, False]
    """
    on = list(on)
    for name, frame in (("left", left), ("right", right)):
        missing = [col for col in on if col not in frame.columns]
        if missing:
            raise InputError(f"has_match: the {name} table has no column(s) {missing}")
    merged = _decategorize(left[on]).merge(
        _decategorize(right[on].dropna().drop_duplicates()), on=on, how="left", indicator=True
    )
    return pd.Series((merged["_merge"] == "both").to_numpy(), index=left.index)


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


def plot_histograms(
    frame: pd.DataFrame,
    units: Mapping[str, str],
    *,
    bins: int = 40,
    ncols: int = 3,
    title: str = "",
):
    """Draw one histogram per column, each labelled with its unit.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data; missing values are left out of each histogram.
    units : mapping of str to str
        Column to plot -> its unit (the x-axis label reads ``column (unit)``).
    bins : int, default=40
        Bins per histogram.
    ncols : int, default=3
        Panels per row.
    title : str
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    nrows = -(-len(units) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.8 * nrows), squeeze=False)
    for ax, (column, unit) in zip(axes.flat, units.items(), strict=False):
        ax.hist(frame[column].dropna().to_numpy(dtype=float), bins=bins, color="tab:blue")
        ax.set(xlabel=f"{column} ({unit})", ylabel="flights")
    for ax in axes.flat[len(units) :]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_share_by(
    flag: pd.Series,
    by: Mapping[str, pd.Series],
    *,
    ylabel: str,
    title: str = "",
):
    """Draw the share of ``True`` in ``flag`` per group, one bar panel per grouping.

    A dashed line marks the overall share, so each panel reads as above or
    below the base rate.

    Parameters
    ----------
    flag : pandas.Series of bool
        E.g. whether each flight was late.
    by : mapping of str to pandas.Series
        Axis label -> the group of each row (aligned with ``flag``).
    ylabel : str
        The y-axis label (say what the share is of).
    title : str
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    flag = flag.astype(float)
    fig, axes = plt.subplots(1, len(by), figsize=(4.2 * len(by), 3.8), sharey=True, squeeze=False)
    for ax, (label, groups) in zip(axes.flat, by.items(), strict=True):
        share = flag.groupby(groups, observed=True).mean().sort_index()
        ax.bar(share.index.astype(str), share.to_numpy(), color="tab:blue")
        ax.axhline(flag.mean(), color="tab:red", linestyle="--", label="overall")
        ax.set(xlabel=label)
        ax.tick_params(axis="x", labelrotation=90 if len(share) > 12 else 0)
    axes.flat[0].set_ylabel(ylabel)
    axes.flat[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig
