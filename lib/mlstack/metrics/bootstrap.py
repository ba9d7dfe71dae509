"""Bootstrap intervals of a metric on fixed predictions, resampling rows or whole groups.

A held-out score is computed on a finite sample; another sample of the same size
would give another number. Resampling with replacement and recomputing the metric
shows how far apart two such numbers typically are, without refitting anything.

The *unit* that is resampled must be the one that is independent. Flights of the
same day share the weather and the airport's congestion, so their errors move
together: resampling single flights treats 300 flights of one stormy day as 300
independent facts and gives an interval that is too narrow. Pass ``groups`` (the
day of each row) and whole days are resampled instead.

Everything is vectorized: a resample is a row of a count matrix ``W`` (how often
each row is drawn), and every metric in :data:`METRICS` is computed for a whole
chunk of resamples at once. :func:`bootstrap_replicates` returns the metric of
each resample; :func:`bootstrap_ci` summarizes them as a percentile interval;
:func:`paired_bootstrap_differences` draws the same resamples for two models, so
their difference is measured on identical data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.metrics.labels import positive_mask

__all__ = [
    "METRICS",
    "ConfidenceInterval",
    "bootstrap_ci",
    "bootstrap_replicates",
    "paired_bootstrap_differences",
]

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


def _w_precision(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    flagged = p.astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        return W @ (flagged & y.astype(bool)).astype(float) / (W @ flagged.astype(float))


def _w_recall(y: np.ndarray, p: np.ndarray, W: np.ndarray) -> np.ndarray:
    positive = y.astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        return W @ (positive & p.astype(bool)).astype(float) / (W @ positive.astype(float))


def _w_roc_auc(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    y = y.astype(bool)
    if np.all(s[1:] >= s[:-1]):  # callers sort once, so resamples skip the gather
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


#: Metrics computed vectorized, by name: ``(function, takes_a_score, greater_is_better)``.
#: Those that take a score expect the probability of the positive class; the others
#: take predicted labels or values (``precision`` and ``recall``: 0/1 or boolean labels
#: and flags, positive = 1).
METRICS: dict[
    str, tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], bool, bool]
] = {
    "accuracy": (_w_accuracy, False, True),
    "balanced_accuracy": (_w_balanced_accuracy, False, True),
    "precision": (_w_precision, False, True),
    "recall": (_w_recall, False, True),
    "roc_auc": (_w_roc_auc, True, True),
    "brier": (_w_brier, True, False),
    "log_loss": (_w_log_loss, True, False),
    "mae": (_w_mae, False, False),
    "rmse": (_w_rmse, False, False),
    "r2": (_w_r2, False, True),
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
    unit : str
        What was resampled: ``"rows"``, or the name of the groups (``"days"``).
    n_units : int
        How many units the data has (rows, or distinct groups).
    """

    metric: str
    estimate: float
    low: float
    high: float
    confidence: float
    n_resamples: int
    unit: str = "rows"
    n_units: int = 0

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def describe(self) -> str:
        """Return the interval with what it resampled, e.g. ``0.70 [0.67, 0.73], 95% over 61 days``."""
        return (
            f"{self} ({self.confidence:.0%} bootstrap interval, {self.n_resamples} resamples "
            f"of {self.n_units:,} {self.unit})"
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the interval as plain data (for JSON)."""
        return {
            "metric": self.metric,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "unit": self.unit,
            "n_units": self.n_units,
        }


def _check(y_true: Any, y_pred: Any, n_resamples: int) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.shape != y_true.shape or y_true.ndim != 1:
        raise InputError(
            f"y_true and y_pred must be 1-D of the same length; got {y_true.shape} and "
            f"{y_pred.shape}",
            parameter="y_pred",
        )
    if len(y_true) == 0:
        raise InputError("cannot bootstrap an empty evaluation set", parameter="y_true")
    if n_resamples < 2:
        raise InputError(f"n_resamples={n_resamples}: use at least 2", parameter="n_resamples")
    return y_true, y_pred


def _group_codes(groups: Any, n: int) -> tuple[np.ndarray | None, int]:
    """Integer code of each row's group (sorted labels, so the seed alone decides)."""
    if groups is None:
        return None, n
    codes, uniques = pd.factorize(pd.Series(np.asarray(groups)), sort=True)
    if len(codes) != n:
        raise InputError(
            f"groups has {len(codes)} values for {n} rows; give one group per row",
            parameter="groups",
        )
    if (codes < 0).any():
        raise InputError("groups has missing values; every row needs a group", parameter="groups")
    return codes, len(uniques)


def _weights(
    rng: np.random.Generator, n: int, n_resamples: int, codes: np.ndarray | None, n_units: int
) -> Iterator[np.ndarray]:
    """Yield chunks of the (resamples, rows) count matrix: rows drawn, or whole groups drawn."""
    chunk = max(1, _CHUNK_CELLS // n)
    dtype = np.int32 if n_units < 2**31 else np.int64
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        draws = rng.integers(0, n_units, size=(b, n_units), dtype=dtype)
        counts = np.empty((b, n_units))
        for i, row in enumerate(draws):  # one bincount per resample: cache-friendly
            counts[i] = np.bincount(row, minlength=n_units)
        yield counts if codes is None else counts[:, codes]


def _batch(
    metric: str | Callable[..., float], y_true: np.ndarray, y_pred: np.ndarray, pos_label: Any
) -> tuple[str, Callable[[np.ndarray], np.ndarray], bool]:
    """The metric as a function of the count matrix, its name, and its direction."""
    if isinstance(metric, str):
        if metric not in METRICS:
            raise InputError(
                f"unknown metric {metric!r}; known: {', '.join(sorted(METRICS))}",
                parameter="metric",
            )
        func, takes_score, greater = METRICS[metric]
        y, p = y_true, y_pred
        order = None
        if takes_score:  # row order does not matter to a resample: sort by score once
            p = p.astype(float)
            order = np.argsort(p, kind="mergesort")
            y, p = positive_mask(y, pos_label)[order], p[order]

        def batch(W: np.ndarray) -> np.ndarray:
            return func(y, p, W if order is None else W[:, order])

        return metric, batch, greater

    def call(W: np.ndarray) -> np.ndarray:
        return np.array([metric(y_true, y_pred, sample_weight=w) for w in W])

    return getattr(metric, "__name__", "metric"), call, True


def bootstrap_replicates(
    y_true: Any,
    y_pred: Any,
    metric: str | Callable[..., float] = "roc_auc",
    *,
    groups: Any = None,
    n_resamples: int = 1000,
    random_state: int = 0,
    pos_label: Any = None,
) -> np.ndarray:
    """The metric on each of ``n_resamples`` bootstrap resamples of rows or of groups.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True labels or values.
    y_pred : array-like of shape (n_rows,)
        Predicted labels or values, or, for ``roc_auc``, ``brier`` and
        ``log_loss``, the predicted probability of the positive class.
    metric : str or callable, default="roc_auc"
        A name in :data:`METRICS` (computed for many resamples at once), or a
        function ``metric(y_true, y_pred, sample_weight=...)`` such as most of
        :mod:`sklearn.metrics` (called once per resample, with the counts as weights).
    groups : array-like of shape (n_rows,), optional
        The independent unit of each row (its day, its aircraft...). When given,
        whole groups are drawn with replacement and each keeps all its rows.
    n_resamples : int, default=1000
    random_state : int, default=0
        Seed; the same seed gives the same replicates.
    pos_label : object, optional
        Positive class of a score metric (see :func:`~mlstack.metrics.labels.positive_mask`).

    Returns
    -------
    numpy.ndarray of shape (n_resamples,)
        The metric on each resample; its standard deviation is the bootstrap
        standard error of the score.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(500) < 0.3
    >>> score = y + rng.normal(size=500)
    >>> rows = bootstrap_replicates(y, score, n_resamples=200)
    >>> days = bootstrap_replicates(y, score, groups=np.arange(500) // 50, n_resamples=200)
    >>> rows.shape, bool(0.005 < rows.std() < 0.05)
    ((200,), True)
    """
    y_true, y_pred = _check(y_true, y_pred, n_resamples)
    codes, n_units = _group_codes(groups, len(y_true))
    _, batch, _ = _batch(metric, y_true, y_pred, pos_label)
    rng = np.random.default_rng(random_state)
    return np.concatenate(
        [batch(W) for W in _weights(rng, len(y_true), n_resamples, codes, n_units)]
    )


def bootstrap_ci(
    y_true: Any,
    y_pred: Any,
    metric: str | Callable[..., float] = "accuracy",
    *,
    groups: Any = None,
    unit: str | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
    pos_label: Any = None,
) -> ConfidenceInterval:
    """Percentile bootstrap confidence interval of a metric on an evaluation set.

    Parameters
    ----------
    y_true, y_pred, metric, groups, n_resamples, random_state, pos_label
        As in :func:`bootstrap_replicates`.
    unit : str, optional
        Name of what ``groups`` holds, plural (``"days"``), for the interval's
        description; ``"groups"`` by default, ``"rows"`` without groups.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    ConfidenceInterval

    .. warning::
        Resample the unit that is independent. Rows of the same day, patient or
        customer are not: give ``groups``, or the interval will be too narrow.
        The interval covers sampling noise only; it says nothing about a shift
        between the evaluation period and the future, which is usually larger.

    Examples
    --------
    >>> y = np.array([0, 1] * 50)
    >>> ci = bootstrap_ci(y, y, "accuracy", n_resamples=200)
    >>> (ci.estimate, ci.low, ci.high, ci.unit, ci.n_units)
    (1.0, 1.0, 1.0, 'rows', 100)
    """
    if not 0 < confidence < 1:
        raise InputError(
            f"confidence must be between 0 and 1; got {confidence}", parameter="confidence"
        )
    y_true, y_pred = _check(y_true, y_pred, n_resamples)
    name, batch, _ = _batch(metric, y_true, y_pred, pos_label)
    codes, n_units = _group_codes(groups, len(y_true))
    estimate = float(batch(np.ones((1, len(y_true))))[0])
    rng = np.random.default_rng(random_state)
    values = np.concatenate(
        [batch(W) for W in _weights(rng, len(y_true), n_resamples, codes, n_units)]
    )
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(values, [alpha, 1 - alpha])
    unit = unit or ("rows" if groups is None else "groups")
    return ConfidenceInterval(
        name, estimate, float(low), float(high), confidence, n_resamples, unit, n_units
    )


def paired_bootstrap_differences(
    y_true: Any,
    y_pred_a: Any,
    y_pred_b: Any,
    metric: str | Callable[..., float] = "roc_auc",
    *,
    groups: Any = None,
    n_resamples: int = 1000,
    random_state: int = 0,
    pos_label: Any = None,
) -> tuple[float, np.ndarray]:
    """Metric of model A minus model B, on the same resamples of the same rows or groups.

    Pairing removes what the two models share (a hard day is hard for both), so the
    difference is known far more precisely than either score alone.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
    y_pred_a, y_pred_b : array-like of shape (n_rows,)
        The two models' predictions of the same rows.
    metric, groups, n_resamples, random_state, pos_label
        As in :func:`bootstrap_replicates`.

    Returns
    -------
    difference : float
        A minus B on the data as given, oriented so that positive means A is better
        (for a loss such as ``log_loss`` it is B minus A).
    replicates : numpy.ndarray of shape (n_resamples,)
        The same oriented difference on each resample.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(400) < 0.3
    >>> good, noise = y + rng.normal(size=400), rng.normal(size=400)
    >>> diff, reps = paired_bootstrap_differences(y, good, noise, n_resamples=200)
    >>> bool(diff > 0 and np.quantile(reps, 0.025) > 0)
    True
    """
    y_true, y_pred_a = _check(y_true, y_pred_a, n_resamples)
    _, y_pred_b = _check(y_true, y_pred_b, n_resamples)
    _, batch_a, greater = _batch(metric, y_true, y_pred_a, pos_label)
    _, batch_b, _ = _batch(metric, y_true, y_pred_b, pos_label)
    sign = 1.0 if greater else -1.0
    codes, n_units = _group_codes(groups, len(y_true))
    ones = np.ones((1, len(y_true)))
    difference = sign * float(batch_a(ones)[0] - batch_b(ones)[0])
    rng = np.random.default_rng(random_state)
    replicates = np.concatenate(
        [
            sign * (batch_a(W) - batch_b(W))
            for W in _weights(rng, len(y_true), n_resamples, codes, n_units)
        ]
    )
    return difference, replicates
