"""How uncertain is one score? Bootstrap replicates of a metric on fixed predictions.

A held-out score is computed on a finite sample of rows; another sample of the
same size would give another number. Resampling the rows with replacement
(the bootstrap) and recomputing the metric shows how far apart two such
numbers typically are, without refitting anything and without another look at
the data: it uses only the labels and predictions already in hand (for
example an :class:`mlstack.model_selection.guard.Evaluation`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from mlstack.errors import InputError

__all__ = ["bootstrap_scores"]


def bootstrap_scores(
    y_true: Any,
    y_score: Any,
    metric: Callable[[Any, Any], float] = roc_auc_score,
    *,
    n_boot: int = 200,
    random_state: int = 0,
) -> np.ndarray:
    """Recompute ``metric`` on ``n_boot`` resamples of the rows, with replacement.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Labels.
    y_score : array-like of shape (n_rows,)
        Predictions or scores, as ``metric`` expects them.
    metric : callable, default=sklearn.metrics.roc_auc_score
        ``metric(y_true, y_score) -> float``.
    n_boot : int, default=200
        Number of resamples.
    random_state : int, default=0
        Seed of the resampling.

    Returns
    -------
    numpy.ndarray of shape (n_boot,)
        The metric on each resample; its standard deviation is the bootstrap
        standard error of the score.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(500) < 0.3
    >>> score = y + rng.normal(size=500)
    >>> replicates = bootstrap_scores(y, score, n_boot=100)
    >>> replicates.shape, bool(0.005 < replicates.std() < 0.05)
    ((100,), True)
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    if y_true.shape != y_score.shape or y_true.ndim != 1:
        raise InputError(
            f"y_true {y_true.shape} and y_score {y_score.shape} must be 1-d and of equal length"
        )
    if n_boot < 2:
        raise InputError(f"n_boot={n_boot}: use at least 2 resamples")
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, len(y_true), size=(n_boot, len(y_true)))
    return np.array([metric(y_true[rows], y_score[rows]) for rows in draws])
