"""Reliability of predicted probabilities: binned tables and the expected calibration error.

A probability of 0.3 should come true three times in ten. :func:`calibration_table`
bins the predictions and compares each bin's mean prediction with the observed
frequency; :func:`expected_calibration_error` summarizes the table in one number,
which hides where the gaps are, so reports show the table (or its plot) beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.metrics.labels import positive_mask

__all__ = ["calibration_table", "expected_calibration_error"]


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
