"""Honest numbers about a fitted model: confidence intervals, slices, calibration.

Everything here is vectorized over rows:

- :func:`bootstrap_ci` resamples the evaluation rows as a matrix of counts
  (one row per resample) and computes the metric of every resample at once;
- :func:`slice_metrics` computes per-slice metrics with ``groupby`` sums,
  including the ROC AUC (from ranks within each group);
- :func:`calibration_table` bins predicted probabilities and compares them
  with the observed frequency;
- :func:`roc_auc_columns` scores many candidate models' predictions at once.

They work for binary and multiclass classification and for regression, so the
model card (:mod:`mlstack.reporting.model_card`) can describe any model, not only the
flights one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

__all__ = [
    "METRICS",
    "TASKS",
    "ConfidenceInterval",
    "bootstrap_ci",
    "calibration_table",
    "expected_calibration_error",
    "positive_mask",
    "roc_auc_columns",
    "slice_metrics",
]

#: Task kinds understood by :func:`slice_metrics` and the model card.
TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")

# Resamples are processed in chunks of at most this many matrix cells, so a
# bootstrap of a large test set never needs more than ~40 MB at once.
_CHUNK_CELLS = 4_000_000
_EPS = np.finfo(float).eps  # the clipping sklearn.metrics.log_loss applies


# --- vectorized weighted metrics: (y_true, y_pred, W) -> one value per row of W ----------
# W has shape (n_resamples, n_rows): how many times each row is drawn in each resample.


def _w_accuracy(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    return W @ (y == p).astype(float) / W.sum(axis=1)


def _w_balanced_accuracy(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    classes = np.unique(y)
    member = (y[:, None] == classes[None, :]).astype(float)  # (n, k)
    hit = member * (p == y)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = (W @ hit) / (W @ member)  # (B, k); NaN when a class is absent
    return np.nanmean(recall, axis=1)


def _w_roc_auc(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    y = y.astype(bool)
    if np.all(s[1:] >= s[:-1]):  # bootstrap_ci sorts once, so resamples skip the gather
        s_sorted, y_sorted, Ws = s, y, W
    else:
        order = np.argsort(s, kind="mergesort")
        s_sorted, y_sorted, Ws = s[order], y[order], W[:, order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])  # tie groups
    pos = np.add.reduceat(Ws * y_sorted, starts, axis=1)
    neg = np.add.reduceat(Ws * ~y_sorted, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negatives strictly below each score
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))


def _w_brier(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    return W @ (s - y.astype(float)) ** 2 / W.sum(axis=1)


def _w_log_loss(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    s = np.clip(s, _EPS, 1 - _EPS)
    y = y.astype(float)
    return W @ -(y * np.log(s) + (1 - y) * np.log1p(-s)) / W.sum(axis=1)


def _w_mae(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    return W @ np.abs(y - p) / W.sum(axis=1)


def _w_rmse(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.sqrt(W @ (y - p) ** 2 / W.sum(axis=1))


def _w_r2(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    total = W.sum(axis=1)
    sse = W @ (y - p) ** 2
    sst = W @ y**2 - (W @ y) ** 2 / total
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - sse / sst


#: Metrics :func:`bootstrap_ci` computes vectorized, by name. Those marked with a
#: ``True`` take a continuous score (probability of the positive class), the
#: others take predicted labels or values.
METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], bool]] = {
    "accuracy": (_w_accuracy, False),
    "balanced_accuracy": (_w_balanced_accuracy, False),
    "roc_auc": (_w_roc_auc, True),
    "brier": (_w_brier, True),
    "log_loss": (_w_log_loss, True),
    "mae": (_w_mae, False),
    "rmse": (_w_rmse, False),
    "r2": (_w_r2, False),
}


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a percentile bootstrap interval.

    Attributes
    ----------
    metric : str
    estimate : float
        The metric on the data as given.
    low, high : float
        Bounds of the interval.
    confidence : float
        Coverage, e.g. 0.95.
    n_resamples : int
    """

    metric: str
    estimate: float
    low: float
    high: float
    confidence: float
    n_resamples: int

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def as_dict(self) -> dict[str, Any]:
        """Return the interval as plain data (for JSON)."""
        return {
            "metric": self.metric,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
        }


def positive_mask(y_true: Any, pos_label: Any = None) -> np.ndarray:
    """Return a boolean array: which labels are the positive class of a binary task.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels: bool, 0/1, or any two values (strings...).
    pos_label : object, optional
        The positive label. By default ``True`` for booleans, ``1`` for 0/1
        labels, and otherwise the greater of the labels, as in scikit-learn.

    Examples
    --------
    >>> positive_mask(["no", "yes", "yes"]).tolist()
    [False, True, True]
    """
    y = np.asarray(y_true)
    if pos_label is None:
        if y.dtype == bool:
            return y
        values = sorted(pd.unique(pd.Series(y).dropna()).tolist())
        if len(values) > 2:
            raise ValueError(f"a binary task needs at most two labels; got {len(values)}")
        pos_label = 1 if set(values) <= {0, 1} else values[-1]
    return y == pos_label


def _resample_counts(rng: np.random.Generator, n: int, b: int) -> np.ndarray:
    """Return a (b, n) matrix: how often each of n rows is drawn in each of b resamples."""
    draws = rng.integers(0, n, size=(b, n), dtype=np.int32 if n < 2**31 else np.int64)
    counts = np.empty((b, n))
    for i, row in enumerate(draws):  # one bincount per resample: cache-friendly, 2-3x faster
        counts[i] = np.bincount(row, minlength=n)
    return counts


def bootstrap_ci(
    y_true: Any,
    y_pred: Any,
    metric: str | Callable[..., float] = "accuracy",
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
    pos_label: Any = None,
) -> ConfidenceInterval:
    """Percentile bootstrap confidence interval of a metric on an evaluation set.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels or values.
    y_pred : array-like of shape (n_samples,)
        Predicted labels or values, or, for ``roc_auc``, ``brier`` and
        ``log_loss``, the predicted probability of the positive class.
    metric : str or callable, default="accuracy"
        A name in :data:`METRICS` (computed for all resamples at once), or a
        function ``metric(y_true, y_pred, sample_weight=...)`` such as most of
        :mod:`sklearn.metrics`; a function is called once per resample with
        the resample counts as weights (slower, but any metric works).
    n_resamples : int, default=1000
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : int, default=0
        Seed; the same seed gives the same interval.
    pos_label : object, optional
        Positive class of ``roc_auc``, ``brier`` and ``log_loss`` (see
        :func:`positive_mask`).

    Returns
    -------
    ConfidenceInterval

    .. warning::
        The interval covers the sampling noise of the evaluation rows only. It
        says nothing about a shift between the evaluation period and the
        future, which is usually larger.

    Examples
    --------
    >>> y = np.array([0, 1] * 50)
    >>> ci = bootstrap_ci(y, y, "accuracy", n_resamples=200)
    >>> (ci.estimate, ci.low, ci.high)
    (1.0, 1.0, 1.0)
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    n = len(y_true)
    if y_pred.shape != y_true.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length; got {y_true.shape} and {y_pred.shape}"
        )
    if n == 0:
        raise ValueError("cannot bootstrap an empty evaluation set")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    if isinstance(metric, str):
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; known: {', '.join(sorted(METRICS))}")
        func = METRICS[metric][0]
        name = metric
        if METRICS[metric][1]:  # row order does not matter to a resample: sort by score once
            y_pred = y_pred.astype(float)
            order = np.argsort(y_pred, kind="mergesort")
            y_true, y_pred = positive_mask(y_true, pos_label)[order], y_pred[order]

        def batch(W: np.ndarray) -> np.ndarray:
            return func(y_true, y_pred, W)
    else:
        name = getattr(metric, "__name__", "metric")

        def batch(W: np.ndarray) -> np.ndarray:
            return np.array([metric(y_true, y_pred, sample_weight=w) for w in W])

    estimate = float(batch(np.ones((1, n)))[0])
    rng = np.random.default_rng(random_state)
    chunk = max(1, _CHUNK_CELLS // n)
    values = np.concatenate(
        [
            batch(_resample_counts(rng, n, min(chunk, n_resamples - start)))
            for start in range(0, n_resamples, chunk)
        ]
    )
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(values, [alpha, 1 - alpha])
    return ConfidenceInterval(name, estimate, float(low), float(high), confidence, n_resamples)


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
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    frame = slices.to_frame() if isinstance(slices, pd.Series) else slices
    frame = frame.reset_index(drop=True)
    y = np.asarray(y_true)
    p = np.asarray(y_pred)
    if len(frame) != len(y) or len(p) != len(y):
        raise ValueError(
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


def calibration_table(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    classes: Any = None,
    pos_label: Any = None,
) -> pd.DataFrame:
    """Reliability table: predicted probability vs observed frequency, per bin.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels, or class labels when ``y_prob`` is 2-D.
    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Probability of the positive class; for multiclass, the full
        ``predict_proba`` matrix, whose top-label confidence is compared with
        the accuracy of the top label.
    n_bins : int, default=10
    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-count bins (every bin well populated) or equal-width bins.
    classes : array-like, optional
        Column labels of a 2-D ``y_prob`` (the model's ``classes_``).
    pos_label : object, optional
        Positive class of a binary task (see :func:`positive_mask`).

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``n``, ``mean_predicted``,
        ``observed_rate`` and ``gap`` (observed minus predicted).

    Examples
    --------
    >>> table = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    >>> table["observed_rate"].tolist()
    [0.0, 1.0]
    """
    prob = np.asarray(y_prob, dtype=float)
    y = np.asarray(y_true)
    if prob.ndim == 2:
        if classes is None:
            raise ValueError("a 2-D y_prob needs classes= (the model's classes_)")
        top = prob.argmax(axis=1)
        outcome = (np.asarray(classes)[top] == y).astype(float)
        prob = prob.max(axis=1)
    else:
        outcome = positive_mask(y, pos_label).astype(float)
    if strategy == "quantile":
        edges = np.unique(np.quantile(prob, np.linspace(0, 1, n_bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise ValueError(f"unknown strategy {strategy!r}; choose 'quantile' or 'uniform'")
    bins = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": bins, "p": prob, "y": outcome})
    table = frame.groupby("bin", sort=True).agg(
        n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean")
    )
    table["gap"] = table["observed_rate"] - table["mean_predicted"]
    table.insert(
        0, "range", [f"{edges[i]:.2f}-{edges[i + 1]:.2f}" for i in table.index.to_numpy()]
    )
    return table.reset_index(drop=True)


def expected_calibration_error(table: pd.DataFrame) -> float:
    """Row-weighted mean absolute gap of a :func:`calibration_table` (the ECE)."""
    return float((table["gap"].abs() * table["n"]).sum() / table["n"].sum())
