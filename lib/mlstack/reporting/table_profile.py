"""Profile a table before modelling it: types, missing values, cardinality, associations.

The first thing a careful practitioner does with a new table is look at it.
:func:`profile_table` summarizes every column in one vectorized pass (dtype,
share missing, number of distinct values, a coarse kind, what it looks like)
and measures the associations between columns with skrub's
:func:`skrub.column_associations` (Cramér's V, which works for numeric and
categorical columns alike, plus Pearson's r for numeric pairs).
:func:`profile_figures` draws the matching figures.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TableProfile", "column_kind", "numeric_text_share", "profile_figures", "profile_table"]

# Association pairs and figures are computed on at most this many rows: enough
# for a stable Cramér's V, cheap on a 100,000-row table.
PROFILE_ROWS = 5000
# A string column whose values average more than this many words reads as free text.
FREE_TEXT_WORDS = 4.0
# A text column whose values mostly (but not all) read as numbers has mixed types.
MIXED_NUMERIC_SHARE = 0.5


@dataclass
class TableProfile:
    """What a table looks like, column by column.

    Attributes
    ----------
    n_rows, n_columns : int
    columns : pandas.DataFrame
        One row per column: ``dtype``, ``kind``, ``missing_share``, ``n_unique``,
        ``unique_share`` and ``summary`` (range or most frequent values).
    associations : pandas.DataFrame
        Column pairs sorted by Cramér's V, most associated first, with Pearson's r
        where both columns are numeric.
    target_associations : pandas.DataFrame
        The same, restricted to pairs that involve the target.
    """

    n_rows: int
    n_columns: int
    columns: pd.DataFrame
    associations: pd.DataFrame
    target_associations: pd.DataFrame


def numeric_text_share(column: pd.Series) -> float:
    """Share of the non-missing values of a text or object column that read as numbers.

    Examples
    --------
    >>> numeric_text_share(pd.Series(["1", "2.5", "unknown", None]))
    0.6666666666666666
    """
    values = column.dropna()
    if values.empty:
        return 0.0
    return float(pd.to_numeric(values.astype(str), errors="coerce").notna().mean())


def column_kind(column: pd.Series) -> str:
    """Name the kind of a column: empty, boolean, numeric, datetime, categorical, text or mixed.

    Examples
    --------
    >>> column_kind(pd.Series([1.5, 2.0]))
    'numeric'
    >>> column_kind(pd.Series(["12", "7", "unknown"]))
    'mixed'
    """
    if column.isna().all():
        return "empty"
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    if isinstance(column.dtype, pd.CategoricalDtype):
        return "categorical"
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    if inferred == "boolean":
        return "boolean"
    numeric_share = numeric_text_share(column)
    if MIXED_NUMERIC_SHARE <= numeric_share < 1.0:
        return "mixed"
    if numeric_share == 1.0:
        return "numeric"
    if inferred.startswith("mixed"):
        return "mixed"
    if inferred in ("string", "unicode"):
        values = column.dropna().astype(str)
        words = values.str.count(r"\s+").mean() + 1
        distinct = values.nunique() / max(len(values), 1)
        return "text" if words > FREE_TEXT_WORDS and distinct > 0.5 else "categorical"
    return inferred


def _summary(column: pd.Series, kind: str) -> str:
    values = column.dropna()
    if values.empty:
        return ""
    if kind == "numeric":
        return f"{values.min():.4g} .. {values.max():.4g} (median {values.median():.4g})"
    if kind == "datetime":
        return f"{values.min()} .. {values.max()}"
    if kind == "text":
        return f"{values.astype(str).str.len().mean():.0f} characters on average"
    top = values.astype(str).value_counts().head(3)
    return ", ".join(f"{name} ({count})" for name, count in top.items())


def profile_table(frame: pd.DataFrame, target: str, *, random_state: int = 0) -> TableProfile:
    """Profile ``frame`` column by column and measure associations with ``target``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, including the target column.
    target : str
        The column to predict.
    random_state : int, default=0
        Seed of the row sample used for the associations.

    Returns
    -------
    TableProfile

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4] * 5, "y": [0, 0, 1, 1] * 5})
    >>> profile = profile_table(frame, "y")
    >>> profile.columns.loc["x", "n_unique"]
    np.int64(4)
    """
    import skrub

    kinds = {name: column_kind(frame[name]) for name in frame.columns}
    n_unique = frame.nunique(dropna=True)
    columns = pd.DataFrame(
        {
            "dtype": frame.dtypes.astype(str),
            "kind": pd.Series(kinds),
            "missing_share": frame.isna().mean(),
            "n_unique": n_unique,
            "unique_share": n_unique / max(len(frame), 1),
            "summary": pd.Series({name: _summary(frame[name], kinds[name]) for name in frame}),
        }
    )
    columns.index.name = "column"
    sample = frame.sample(min(len(frame), PROFILE_ROWS), random_state=random_state)
    usable = [name for name in sample.columns if kinds[name] not in ("empty", "text", "mixed")]
    if len(usable) >= 2:
        associations = skrub.column_associations(sample[usable])
        associations = associations.rename(
            columns={"left_column_name": "left", "right_column_name": "right"}
        )[["left", "right", "cramer_v", "pearson_corr"]].reset_index(drop=True)
    else:
        associations = pd.DataFrame(columns=["left", "right", "cramer_v", "pearson_corr"])
    involves_target = (associations["left"] == target) | (associations["right"] == target)
    with_target = associations[involves_target].copy()
    with_target["column"] = with_target["left"].where(
        with_target["left"] != target, with_target["right"]
    )
    with_target = with_target[["column", "cramer_v", "pearson_corr"]].reset_index(drop=True)
    return TableProfile(len(frame), frame.shape[1], columns, associations, with_target)


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # crowded grids cannot always be tightened
        fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def profile_figures(
    frame: pd.DataFrame,
    target: str,
    task: str,
    profile: TableProfile,
    out_dir: str | Path,
    *,
    random_state: int = 0,
    max_panels: int = 12,
) -> list[tuple[str, str]]:
    """Draw the profile figures into ``out_dir`` and return ``(file name, caption)`` pairs.

    Figures: share of missing values per column (when any is missing), the target
    distribution, histograms of the numeric columns most associated with the target,
    and a heatmap of Cramér's V between the most associated columns.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mlstack.plotting.figures import setup

    setup()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, str]] = []

    missing = profile.columns["missing_share"]
    missing = missing[missing > 0].sort_values()
    if not missing.empty:
        shown = missing.tail(30)
        fig, ax = plt.subplots(figsize=(7.0, 0.5 + 0.25 * len(shown)))
        ax.barh(shown.index.astype(str), 100 * shown.to_numpy(), color="tab:orange")
        ax.set(title="Missing values per column", xlabel="share of rows missing (%)", ylabel="")
        _save(fig, out / "missing.png")
        figures.append(("missing.png", "Share of missing values per column (training part)."))

    y = frame[target].dropna()
    fig, ax = plt.subplots()
    if task == "regression":
        ax.hist(y.astype(float), bins=40, color="tab:blue")
        ax.set(title=f"Distribution of the target '{target}'", xlabel=target, ylabel="rows")
    else:
        counts = y.astype(str).value_counts().sort_index()
        ax.bar(counts.index, counts.to_numpy(), color="tab:blue")
        ax.set(title=f"Classes of the target '{target}'", xlabel=target, ylabel="rows")
        ax.tick_params(axis="x", labelrotation=45 if len(counts) > 6 else 0)
    _save(fig, out / "target.png")
    figures.append(("target.png", f"Distribution of the target `{target}`."))

    sample = frame.sample(min(len(frame), PROFILE_ROWS), random_state=random_state)
    numeric = profile.columns.index[profile.columns["kind"] == "numeric"].drop(
        target, errors="ignore"
    )
    ranked = profile.target_associations.set_index("column")["cramer_v"]
    numeric = sorted(numeric, key=lambda name: (-ranked.get(name, 0.0), str(name)))[:max_panels]
    if numeric:
        n_cols = min(4, len(numeric))
        n_rows = int(np.ceil(len(numeric) / n_cols))
        fig, axes = plt.subplots(n_rows, n_cols, figsize=(2.6 * n_cols, 2.0 * n_rows + 0.6))
        for ax, name in zip(np.ravel(axes), numeric, strict=False):
            ax.hist(sample[name].dropna().astype(float), bins=30, color="tab:green")
            ax.set_title(str(name), fontsize=9)
            ax.set_xlabel("value", fontsize=8)
            ax.set_ylabel("rows", fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in np.ravel(axes)[len(numeric) :]:
            ax.set_visible(False)
        fig.suptitle("Distributions of numeric columns (most associated with the target first)")
        _save(fig, out / "numeric.png")
        figures.append(
            ("numeric.png", f"Histograms of up to {max_panels} numeric columns (row sample).")
        )

    pairs = profile.associations
    if not pairs.empty:
        top = [target] + [c for c in profile.target_associations["column"] if c != target]
        top = top[:15]
        inside = pairs[pairs["left"].isin(top) & pairs["right"].isin(top)]
        half = inside.pivot(index="left", columns="right", values="cramer_v")
        half = half.reindex(index=top, columns=top).astype(float)
        matrix = half.fillna(half.T).fillna(0.0).to_numpy(copy=True)
        np.fill_diagonal(matrix, 1.0)
        fig, ax = plt.subplots(figsize=(1.0 + 0.45 * len(top), 0.8 + 0.4 * len(top)))
        image = ax.imshow(matrix, vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(len(top)), [str(c) for c in top], rotation=90, fontsize=8)
        ax.set_yticks(range(len(top)), [str(c) for c in top], fontsize=8)
        ax.grid(False)
        ax.set_title("Association between columns (Cramér's V)")
        fig.colorbar(image, ax=ax, label="Cramér's V (0 = none, 1 = determined)")
        _save(fig, out / "associations.png")
        figures.append(
            (
                "associations.png",
                "Cramér's V between the target and the columns most associated with it.",
            )
        )
    return figures
