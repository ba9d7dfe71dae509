"""Metrics per slice of the evaluation rows, and many models' ROC AUC at once.

Everything here is vectorized over rows:

- :func:`slice_metrics` computes per-slice metrics with ``groupby`` sums,
  including the ROC AUC (from ranks within each group);
- :func:`roc_auc_columns` scores many candidate models' predictions at once.

They work for binary and multiclass classification and for regression, so the
model card (:mod:`mlstack.reporting.model_card`) can describe any model, not only
the flights one. Intervals are :mod:`mlstack.metrics.bootstrap`'s; reliability
tables are :mod:`mlstack.metrics.calibration`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from mlstack.errors import InputError
from mlstack.metrics.labels import positive_mask

__all__ = ["TASKS", "roc_auc_columns", "slice_metrics"]

#: Task kinds understood by :func:`slice_metrics` and the model card.
TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")


def roc_auc_columns(y_true: Any, scores: Any) -> np.ndarray:
    """ROC AUC of every column of ``scores`` at once (Mann-Whitney with tied ranks).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels (the positive class as in :func:`positive_mask`).
    scores : array-like of shape (n_samples, n_columns)
        One column per model (or per feature): higher means more likely positive.

    Returns
    -------
    numpy.ndarray of shape (n_columns,)
        Equal to :func:`sklearn.metrics.roc_auc_score` of each column.

    Examples
    --------
    >>> roc_auc_columns([0, 0, 1, 1], np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]]))
    array([1., 0.])
    """
    y = positive_mask(y_true)
    S = np.asarray(scores, dtype=float)
    if S.ndim == 1:
        S = S[:, None]
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return np.full(S.shape[1], np.nan)
    ranks = rankdata(S, axis=0)  # average ranks for ties
    return (ranks[y].sum(axis=0) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def slice_metrics(
    y_true: Any,
    y_pred: Any,
    slices: pd.DataFrame | pd.Series,
    *,
    task: str = "binary",
    y_score: Any = None,
    min_rows: int = 1,
    pos_label: Any = None,
) -> pd.DataFrame:
    """Metrics per value of each slicing column, computed with ``groupby``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (classification) or values (regression).
    slices : pandas.DataFrame or pandas.Series
        One column per slicing variable (e.g. carrier, origin, month), aligned
        with ``y_true`` row by row.
    task : {"binary", "multiclass", "regression"}, default="binary"
    y_score : array-like of shape (n_samples,), optional
        Probability of the positive class (binary only); adds ``mean_score``,
        ``roc_auc`` and ``brier`` columns.
    min_rows : int, default=1
        Groups with fewer rows are dropped (their metrics are noise).
    pos_label : object, optional
        Positive class of a binary task (see :func:`positive_mask`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(slice, value)``, one row per group, largest groups first
        within each slice. Columns: ``n`` and ``share`` of rows, then the
        task's metrics: ``positive_rate``, ``mean_score``, ``accuracy``,
        ``roc_auc``, ``brier`` (binary); ``accuracy``, ``balanced_accuracy``
        (multiclass); ``mean_true``, ``mean_pred``, ``mae``, ``rmse``, ``r2``
        (regression).

    Examples
    --------
    >>> table = slice_metrics([1, 0, 1, 1], [1, 0, 0, 1], pd.Series(["a", "a", "b", "b"], name="g"))
    >>> table["accuracy"].tolist()
    [1.0, 0.5]
    """
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    frame = slices.to_frame() if isinstance(slices, pd.Series) else slices
    frame = frame.reset_index(drop=True)
    y = np.asarray(y_true)
    p = np.asarray(y_pred)
    if len(frame) != len(y) or len(p) != len(y):
        raise InputError(
            f"slices, y_true and y_pred must have the same length; got {len(frame)}, {len(y)}, {len(p)}"
        )
    tables = []
    for column in frame.columns:
        key = frame[column].astype(str).where(frame[column].notna(), "(missing)")
        table = _group_metrics(key, y, p, task, y_score, pos_label)
        table = table[table["n"] >= min_rows]
        table = table.sort_values(["n", "value"], ascending=[False, True], kind="stable")
        tables.append(table.assign(slice=str(column)))
    result = pd.concat(tables).set_index(["slice", "value"])
    result.insert(1, "share", result["n"] / len(y))
    return result


def _group_metrics(
    key: pd.Series, y: np.ndarray, p: np.ndarray, task: str, y_score: Any, pos_label: Any
) -> pd.DataFrame:
    data = pd.DataFrame({"g": key.to_numpy()})
    if task == "regression":
        y = y.astype(float)
        p = p.astype(float)
        data = data.assign(y=y, p=p, y2=y**2, ae=np.abs(y - p), se=(y - p) ** 2)
        sums = data.groupby("g", sort=True).agg(
            n=("y", "size"),
            sy=("y", "sum"),
            sy2=("y2", "sum"),
            sp=("p", "sum"),
            ae=("ae", "sum"),
            se=("se", "sum"),
        )
        sst = sums["sy2"] - sums["sy"] ** 2 / sums["n"]
        out = pd.DataFrame(
            {
                "n": sums["n"],
                "mean_true": sums["sy"] / sums["n"],
                "mean_pred": sums["sp"] / sums["n"],
                "mae": sums["ae"] / sums["n"],
                "rmse": np.sqrt(sums["se"] / sums["n"]),
                "r2": 1 - sums["se"] / sst.where(sst > 0),
            }
        )
    elif task == "multiclass":
        data = data.assign(y=y, hit=(y == p).astype(float))
        grouped = data.groupby("g", sort=True)
        per_class = data.groupby(["g", "y"], sort=True)["hit"].mean()
        out = pd.DataFrame(
            {
                "n": grouped.size(),
                "accuracy": grouped["hit"].mean(),
                "balanced_accuracy": per_class.groupby(level="g").mean(),
            }
        )
    else:
        yb = positive_mask(y, pos_label)
        data = data.assign(y=yb.astype(float), hit=(y == p).astype(float))
        columns = {"n": ("y", "size"), "positive_rate": ("y", "mean"), "accuracy": ("hit", "mean")}
        if y_score is not None:
            s = np.asarray(y_score, dtype=float)
            data = data.assign(s=s, se=(s - yb) ** 2)
            data["rank"] = data.groupby("g")["s"].rank(method="average")
            data["pos_rank"] = data["rank"] * data["y"]
            columns |= {
                "mean_score": ("s", "mean"),
                "brier": ("se", "mean"),
                "pos_rank": ("pos_rank", "sum"),
                "n_pos": ("y", "sum"),
            }
        out = data.groupby("g", sort=True).agg(**columns)
        if y_score is not None:
            n_neg = out["n"] - out["n_pos"]
            denominator = (out["n_pos"] * n_neg).where((out["n_pos"] > 0) & (n_neg > 0))
            out["roc_auc"] = (
                out["pos_rank"] - out["n_pos"] * (out["n_pos"] + 1) / 2
            ) / denominator
            out = out.drop(columns=["pos_rank", "n_pos"])
            out = out[["n", "positive_rate", "mean_score", "accuracy", "roc_auc", "brier"]]
    out.index.name = "value"
    out["n"] = out["n"].astype(int)
    return out.reset_index()
