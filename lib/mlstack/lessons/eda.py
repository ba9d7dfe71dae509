"""Exploratory data analysis helpers: missing values and why, distributions, correlations.

Used by ``notebooks/00_data_tour.ipynb`` and ``notebooks/02_eda.ipynb``, which
describe the development months only (January-October): the test months stay
unseen until notebook 08. :func:`missing_explained` checks stated reasons for
missing values against the data (a reason is a boolean mask; the table counts the
missing cells each explains and those none explains) and can *locate* the cells no
reason explains (empty in a side table: where they come from, not why);
:func:`has_match` tells which rows found a partner in a side table (the usual
reason for missing joined columns). The ``plot_*`` functions draw the notebook's
figures, and the ``*_sentence`` functions state its findings from the numbers, so
its cells stay short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "column_summary",
    "correlation_sentence",
    "delay_sentence",
    "has_match",
    "late_share_by_month",
    "missing_explained",
    "missing_sentence",
    "missing_summary",
    "plot_correlation_matrix",
    "plot_histograms",
    "plot_share_by",
    "reasons_sentence",
    "tails_sentence",
    "time_sentence",
    "weekly_shares",
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
    *,
    located: Mapping[str, tuple[Sequence[str], pd.Series | pd.DataFrame]] | None = None,
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
        column), ``unexplained`` (missing rows no reason applies to) and one
        column per location (unexplained rows it locates). A complete
        explanation has ``unexplained`` 0 everywhere; reasons may overlap, so
        the reason columns can add up to more than ``missing``.

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
    applies, columns = _masks(frame, reasons)
    places, _ = _masks(frame, located or {})
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
        unexplained = missing & ~covered
        row["unexplained"] = int(unexplained.sum())
        for place, masks in places.items():
            mask = masks.get(column)
            row[place] = int((unexplained & mask).sum()) if mask is not None else 0
        rows.append(row)
    names = ["column", "missing", *applies, "unexplained", *places]
    return pd.DataFrame(rows, columns=names).set_index("column")


def _masks(
    frame: pd.DataFrame, reasons: Mapping[str, tuple[Sequence[str], pd.Series | pd.DataFrame]]
) -> tuple[dict[str, dict[str, np.ndarray]], list[str]]:
    """Per reason, the boolean mask of each column it names; and the columns, first mention first."""
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
    return applies, columns


def missing_sentence(explained: pd.DataFrame, located: str) -> str:
    """State how many missing values have a checked reason, and what is left, honestly.

    Examples
    --------
    >>> table = pd.DataFrame({"missing": [4, 3], "cancelled": [4, 0], "unexplained": [0, 3],
    ...                       "empty in side table": [0, 3]}, index=["dep_time", "pressure"])
    >>> missing_sentence(table, "empty in side table")[:60]
    '4 of 7 missing values have a reason checked against the data'
    """
    total = int(explained["missing"].sum())
    left = explained["unexplained"]
    text = (
        f"{total - int(left.sum()):,} of {total:,} missing values have a reason checked against "
        "the data"
    )
    if left.sum() == 0:
        return text + ", and none is left without one."
    where = int(explained[located].sum())
    worst = left[left > 0].sort_values(ascending=False)
    return (
        text
        + f"; {int(left.sum()):,} have none. {where:,} of those are {located}: the join found the "
        "row, the value was not there. That says where they come from, not why, and it is true "
        "of any missing joined value, so it is not counted as a reason. Most of them are in "
        + ", ".join(f"`{c}` ({n:,})" for c, n in worst.head(3).items())
        + "."
    )


def column_summary(frame: pd.DataFrame, policy: pd.DataFrame) -> pd.DataFrame:
    """Role, use by a clean model, dtype, share missing and distinct values of each column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    policy : pandas.DataFrame
        :func:`mlstack.flights.policy.policy_table` of its columns.

    Examples
    --------
    >>> from mlstack.flights.policy import policy_table
    >>> frame = pd.DataFrame({"hour": [5, 6, None], "dep_delay": [1.0, 2.0, 3.0]})
    >>> column_summary(frame, policy_table(frame.columns))["missing %"].tolist()
    [0.0, 33.3]
    """
    names = list(policy.index)
    summary = pd.DataFrame(
        {
            "role": policy["role"],
            "used as": policy["used as"],
            "dtype": frame.dtypes.astype(str).reindex(names),
            "missing %": (frame[names].isna().mean() * 100).round(1),
            "distinct": frame[names].nunique(),
        }
    )
    return summary.sort_values(["role", "used as", "dtype"], kind="stable")


def late_share_by_month(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Flights and share late per month (of the months given).

    Examples
    --------
    >>> late_share_by_month(pd.DataFrame({"month": [1, 1, 2]}), pd.Series([True, False, True]))
    ... # doctest: +NORMALIZE_WHITESPACE
           flights  late share
    month
    1            2         0.5
    2            1         1.0
    """
    late = pd.Series(np.asarray(y, dtype=float), index=X.index)
    table = late.groupby(X["month"]).agg(["size", "mean"])
    table.columns = ["flights", "late share"]
    return table


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


def delay_sentence(delay: pd.Series, threshold: int) -> str:
    """The shape of the arrival delay, in words.

    Examples
    --------
    >>> delay_sentence(pd.Series([-5.0, 0.0, 10.0, 300.0]), 15)[:40]
    'The median flight arrives **+5 minutes**'
    """
    return (
        f"The median flight arrives **{delay.median():+.0f} minutes** against its schedule "
        f"({(delay < 0).mean():.0%} arrive early), yet the mean is {delay.mean():+.1f} minutes: 1% "
        f"of arrivals are more than {delay.quantile(0.99):.0f} minutes late and the worst "
        f"{delay.max():,.0f}. A model fit to the raw delay with squared error would chase this "
        f"tail; the task thresholds it at {threshold} minutes instead, and a regression would want "
        "a robust loss or a transformed target."
    )


def tails_sentence(flights: pd.DataFrame) -> str:
    """How rare the bad-weather hours are."""
    return (
        f"Visibility sits at its 10-mile maximum for {(flights['visib'] == 10).mean():.0%} of "
        f"flights and precipitation is zero for {(flights['precip'] == 0).mean():.0%}: both carry "
        "their signal in a thin tail of bad-weather hours. The plane columns come from a table "
        "that not every flight matches (next section)."
    )


def reasons_sentence(
    flights: pd.DataFrame, masks: Mapping[str, pd.Series], explained: pd.DataFrame, located: str
) -> str:
    """The counts behind each reason, then :func:`missing_sentence`."""
    cancelled, diverted = masks["cancelled"], masks["diverted"]
    unknown_dest = masks["dest not in table"]
    return (
        missing_sentence(explained, located)
        + f" {cancelled.sum():,} flights were cancelled (no departure, so no delays, no arrival "
        f"and, for {flights.loc[cancelled, 'tailnum'].isna().sum():,} of them, no aircraft "
        f"assigned); {diverted.sum():,} departed but have no arrival delay (diverted, most likely: "
        f"{(diverted & flights['arr_time'].notna()).sum():,} of them did land somewhere). "
        f"{masks['plane not in table'].sum():,} flights have no plane record, "
        f"{masks['no weather row'].sum():,} departed in an hour the weather table lacks, and "
        f"{unknown_dest.sum():,} fly to one of {flights.loc[unknown_dest, 'dest'].nunique()} "
        "destinations missing from the airports table."
    )


def correlation_sentence(with_target: pd.DataFrame, column: str = "ρ with arr_delay") -> str:
    """The leak against the best legitimate column."""
    legit = with_target.loc[with_target["role"] != "post_departure", column]
    best = legit.abs().idxmax()
    return (
        f"The departure delay correlates with the arrival delay at ρ = "
        f"**{with_target.loc['dep_delay', column]:.2f}**, far above anything known before "
        f"departure: the strongest such column, `{best}`, reaches {legit[best]:.2f}. That gap is "
        "the leakage later notebooks plant on purpose. Each legitimate column is weak on its "
        "own; a useful model has to combine many of them, including the categorical ones "
        "(carrier, route) that a correlation matrix does not show."
    )


def time_sentence(late: pd.Series, month: pd.Series, hour: pd.Series, weekly: pd.DataFrame) -> str:
    """How the late share moves with the month, the hour and the week."""
    import calendar

    by_month = late.groupby(month.to_numpy()).mean()
    by_hour = late.groupby(hour.to_numpy()).mean()
    return (
        f"Over January-October the late share moves from {by_month.min():.1%} "
        f"({calendar.month_name[by_month.idxmin()]}) to {by_month.max():.1%} "
        f"({calendar.month_name[by_month.idxmax()]}), and within the day from "
        f"{by_hour.min():.1%} (departures at {by_hour.idxmin()}:00) to {by_hour.max():.1%} (at "
        f"{by_hour.idxmax()}:00)"
        + (": delays accumulate through the day" if by_hour.idxmax() > by_hour.idxmin() else "")
        + f". Week to week it ranges from {weekly['late'].min():.1%} to "
        f"{weekly['late'].max():.1%}; the weekly late and cancelled shares correlate at "
        f"{weekly['late'].corr(weekly['cancelled']):.2f}."
    )


def weekly_shares(flights: pd.DataFrame) -> pd.DataFrame:
    """Per week: share of arrived flights that are late and share of scheduled ones cancelled."""
    week = flights["sched_dep"].dt.to_period("W").dt.start_time
    arrived = flights["late"].notna()
    return pd.DataFrame(
        {
            "late": flights.loc[arrived, "late"].astype(float).groupby(week[arrived]).mean(),
            "cancelled": flights["cancelled"].astype(float).groupby(week).mean(),
        }
    )
