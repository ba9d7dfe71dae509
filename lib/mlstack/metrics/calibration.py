"""Reliability of predicted probabilities: binned tables, the expected calibration error, recalibration.

A probability of 0.3 should come true three times in ten. :func:`calibration_table`
bins the predictions and compares each bin's mean prediction with the observed
frequency; :func:`expected_calibration_error` summarizes the table in one number,
which hides where the gaps are, so reports show the table (or its plot) beside it.

Calibration measured on one period says little about the next when the base rate
moves: :func:`reliability_by_group` gives the reliability of each period (month)
separately, and :func:`recalibrate_forward` tests a recalibration the honest way,
fitting it on earlier periods only and applying it to the next, as it would be
used. :class:`RecalibratedClassifier` applies a recalibration chosen that way to
a fitted model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.metrics.labels import positive_mask

__all__ = [
    "RECALIBRATIONS",
    "RecalibratedClassifier",
    "calibration_table",
    "expected_calibration_error",
    "fit_recalibration",
    "recalibrate_forward",
    "reliability_by_group",
]

#: Recalibration maps :func:`fit_recalibration` fits.
RECALIBRATIONS: tuple[str, ...] = ("sigmoid", "isotonic")


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
            raise InputError("a 2-D y_prob needs classes= (the model's classes_)")
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
        raise InputError(f"unknown strategy {strategy!r}; choose 'quantile' or 'uniform'")
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


def reliability_by_group(
    y_true: Any, y_prob: Any, groups: Any, *, n_bins: int = 10
) -> pd.DataFrame:
    """Calibration of binary probabilities within each group (a month, a carrier).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels (bool or 0/1).
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the positive class.
    groups : array-like of shape (n_samples,)
        The group of each row.
    n_bins : int, default=10
        Quantile bins of each group's expected calibration error.

    Returns
    -------
    pandas.DataFrame
        Index: the sorted groups; columns ``n``, ``mean_predicted``,
        ``observed_rate``, ``gap`` (observed minus predicted: the calibration
        in the large) and ``ece`` (within the group, :func:`expected_calibration_error`).

    Examples
    --------
    >>> table = reliability_by_group([0, 1, 1, 1], [0.2, 0.8, 0.5, 0.5], ["a", "a", "b", "b"],
    ...                              n_bins=1)
    >>> table["gap"].round(2).tolist()
    [0.0, 0.5]
    """
    y = positive_mask(np.asarray(y_true)).astype(float)
    prob = np.asarray(y_prob, dtype=float)
    labels = pd.Series(np.asarray(groups))
    if not len(y) == len(prob) == len(labels):
        raise InputError("y_true, y_prob and groups need one value per row", parameter="groups")
    rows = {}
    for group, index in labels.groupby(labels, sort=True).indices.items():
        table = calibration_table(y[index], prob[index], n_bins=n_bins)
        rows[group] = {
            "n": len(index),
            "mean_predicted": float(prob[index].mean()),
            "observed_rate": float(y[index].mean()),
            "gap": float(y[index].mean() - prob[index].mean()),
            "ece": expected_calibration_error(table),
        }
    result = pd.DataFrame(rows).T.astype({"n": int})
    result.index.name = getattr(groups, "name", None) or "group"
    return result


def fit_recalibration(y_true: Any, y_prob: Any, method: str = "sigmoid") -> Any:
    """Fit a map from predicted to recalibrated probabilities on held-out predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels of rows the model did not train on.
    y_prob : array-like of shape (n_samples,)
        The model's probabilities for those rows.
    method : {"sigmoid", "isotonic"}, default="sigmoid"
        Platt scaling (a logistic regression on the log-odds: two parameters) or
        isotonic regression (a free monotone step function).

    Returns
    -------
    callable
        ``recalibrate(p) -> numpy.ndarray``, the recalibrated probabilities.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 2000)
    >>> y = rng.random(2000) < np.clip(p + 0.1, 0, 1)  # every probability 0.1 too low
    >>> recalibrate = fit_recalibration(y, p)
    >>> bool(abs(recalibrate(p).mean() - y.mean()) < 0.01)
    True
    """
    if method not in RECALIBRATIONS:
        raise InputError(
            f"unknown recalibration {method!r}; choose one of {', '.join(RECALIBRATIONS)}",
            parameter="method",
        )
    y = positive_mask(np.asarray(y_true))
    prob = np.clip(np.asarray(y_prob, dtype=float), 1e-6, 1 - 1e-6)
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(prob, y)
        return lambda p: iso.predict(np.asarray(p, dtype=float))
    from sklearn.linear_model import LogisticRegression

    logit = np.log(prob / (1 - prob))[:, None]
    platt = LogisticRegression(C=1e6).fit(logit, y)

    def recalibrate(p: Any) -> np.ndarray:
        q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
        return platt.predict_proba(np.log(q / (1 - q))[:, None])[:, 1]

    return recalibrate


def recalibrate_forward(
    y_true: Any, y_prob: Any, periods: Any, *, method: str = "sigmoid"
) -> np.ndarray:
    """Recalibrate each period's probabilities with a map fitted on the earlier periods only.

    This is how a recalibration would be used: fitted on the predictions that are
    already scored (the months before), applied to the next month. The first
    period has nothing before it and stays missing.

    Parameters
    ----------
    y_true, y_prob : array-like of shape (n_samples,)
        Labels and held-out probabilities (out-of-fold predictions, say).
    periods : array-like of shape (n_samples,)
        The ordered period of each row (its month).
    method : {"sigmoid", "isotonic"}, default="sigmoid"

    Returns
    -------
    numpy.ndarray of shape (n_samples,)
        The recalibrated probabilities; ``nan`` in the first period.

    Examples
    --------
    >>> p = np.array([0.2, 0.2, 0.8, 0.8, 0.2, 0.8])
    >>> y = np.array([0, 1, 1, 1, 0, 1])
    >>> out = recalibrate_forward(y, p, [1, 1, 1, 1, 2, 2], method="isotonic")
    >>> out[:4].tolist(), out[4:].round(2).tolist()
    ([nan, nan, nan, nan], [0.5, 1.0])
    """
    y = np.asarray(y_true)
    prob = np.asarray(y_prob, dtype=float)
    period = np.asarray(periods)
    if not len(y) == len(prob) == len(period):
        raise InputError("y_true, y_prob and periods need one value per row", parameter="periods")
    out = np.full(len(prob), np.nan)
    for level in np.unique(period)[1:]:
        earlier, now = period < level, period == level
        out[now] = fit_recalibration(y[earlier], prob[earlier], method)(prob[now])
    return out


class RecalibratedClassifier:
    """A fitted binary classifier whose probabilities pass through a recalibration map.

    Parameters
    ----------
    estimator : fitted classifier
        With ``predict_proba`` and ``classes_`` (two classes).
    recalibrate : callable
        ``p -> p'``, from :func:`fit_recalibration` (fitted on held-out predictions,
        never on the rows the estimator trained on).
    threshold : float, default=0.5
        ``predict`` flags the rows whose recalibrated probability reaches it.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = np.arange(20.0)[:, None], np.arange(20) >= 10
    >>> model = RecalibratedClassifier(LogisticRegression().fit(X, y), lambda p: p / 2)
    >>> model.predict_proba(X).shape, bool(model.predict(X).any())
    ((20, 2), False)
    """

    def __init__(self, estimator: Any, recalibrate: Any, *, threshold: float = 0.5) -> None:
        self.estimator = estimator
        self.recalibrate = recalibrate
        self.threshold = threshold

    @property
    def classes_(self) -> np.ndarray:
        """The wrapped estimator's classes."""
        return self.estimator.classes_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Recalibrated probabilities, one column per class."""
        positive = self.recalibrate(self.estimator.predict_proba(X)[:, 1])
        return np.column_stack([1 - positive, positive])

    def predict(self, X: Any) -> np.ndarray:
        """The positive class where the recalibrated probability reaches ``threshold``."""
        positive = self.predict_proba(X)[:, 1] >= self.threshold
        return np.where(positive, self.classes_[1], self.classes_[0])
