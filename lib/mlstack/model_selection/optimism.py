"""Measure the optimism of a score that was used to choose a model.

Pick the best of many configurations by their score on one validation set and
that best score is biased upwards: the winner won partly because the
validation rows happened to suit it. A set of rows that played no part in the
choice scores the same winner lower; the gap is the *optimism of selection*,
and it is why the test set stays untouched until the final report.

:func:`selection_optimism` measures the gap many times over from one matrix of
predictions: it splits a pool of rows that no configuration trained on into a
validation part (used to pick) and a fresh part (used to measure), again and
again. :func:`masked_roc_auc` computes the many ROC AUCs this needs from one
ranking of the scores, so each draw costs two counts instead of a sort.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from mlstack.errors import InputError

__all__ = ["masked_roc_auc", "selection_optimism"]


def masked_roc_auc(y_true: np.ndarray, tie_groups: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """ROC AUC of several score vectors on the rows selected by ``mask``, without sorting.

    Sorting is the expensive part of an AUC. Rank the full scores once
    (``tie_groups``, as from ``scipy.stats.rankdata(scores, method="dense",
    axis=1) - 1``); this function then scores any subset of rows with two
    weighted counts per configuration. Ties count one half, so the result
    equals :func:`sklearn.metrics.roc_auc_score` on the subset.

    Parameters
    ----------
    y_true : numpy.ndarray of bool, shape (n_rows,)
        Labels of all rows.
    tie_groups : numpy.ndarray of int, shape (n_configs, n_rows)
        For each configuration, the dense rank (from 0) of each row's score.
    mask : numpy.ndarray of bool, shape (n_rows,)
        The rows to score on.

    Returns
    -------
    numpy.ndarray of shape (n_configs,)

    Raises
    ------
    InputError
        If the masked rows hold only one class.

    Examples
    --------
    >>> from scipy.stats import rankdata
    >>> scores = np.array([[0.1, 0.4, 0.35, 0.8, 0.5], [0.9, 0.8, 0.1, 0.2, 0.0]])
    >>> y = np.array([False, False, True, True, True])
    >>> groups = rankdata(scores, method="dense", axis=1).astype(int) - 1
    >>> masked_roc_auc(y, groups, np.array([True, True, True, True, False]))
    array([0.75, 0.  ])
    """
    y_true = np.asarray(y_true, dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    n_configs, n_rows = tie_groups.shape
    n_pos = np.count_nonzero(mask & y_true)
    n_neg = np.count_nonzero(mask & ~y_true)
    if n_pos == 0 or n_neg == 0:
        raise InputError("ROC AUC needs both classes among the selected rows; select more rows")
    # One bincount over all configurations at once: offset each one's groups.
    flat = (tie_groups + np.arange(n_configs)[:, None] * n_rows).ravel()
    size = n_configs * n_rows
    pos = np.bincount(flat, weights=np.tile(mask & y_true, n_configs), minlength=size)
    neg = np.bincount(flat, weights=np.tile(mask & ~y_true, n_configs), minlength=size)
    pos, neg = pos.reshape(n_configs, n_rows), neg.reshape(n_configs, n_rows)
    below = np.cumsum(neg, axis=1) - neg  # negatives scored strictly lower
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    return wins / (n_pos * n_neg)


def selection_optimism(
    y_true: Sequence[bool] | np.ndarray,
    scores: np.ndarray,
    *,
    n_val: int,
    n_candidates: Sequence[int] = (1, 2, 5, 10, 20),
    n_repeats: int = 200,
    random_state: int = 0,
) -> pd.DataFrame:
    """Measure how much the validation score of a selected model overstates it.

    Each repeat draws ``n_val`` rows of the pool at random as the validation
    set and keeps the other rows as fresh data. For each ``k`` in
    ``n_candidates``, the configuration with the best validation ROC AUC among
    the first ``k`` is selected; its validation AUC and its AUC on the fresh
    rows are recorded.

    Parameters
    ----------
    y_true : array-like of bool, shape (n_rows,)
        Labels of the pool.
    scores : numpy.ndarray, shape (n_configs, n_rows)
        Predicted scores of each configuration on the pool. No configuration
        may have been trained on these rows.
    n_val : int
        Rows in each validation draw (the rest are fresh).
    n_candidates : sequence of int, default=(1, 2, 5, 10, 20)
        How many configurations compete; each must be at most ``n_configs``.
        With ``k=1`` nothing is selected and the optimism averages zero.
    n_repeats : int, default=200
        Number of validation draws.
    random_state : int, default=0
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per repeat and ``k``: ``n_candidates``, ``repeat``,
        ``selected`` (index of the winner), ``validation AUC``, ``fresh AUC``
        and ``optimism`` (validation minus fresh).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(400) < 0.3
    >>> noise = rng.normal(size=(10, 400))  # ten equally useless models
    >>> table = selection_optimism(y, noise, n_val=100, n_candidates=(1, 10), n_repeats=50)
    >>> mean = table.groupby("n_candidates")["optimism"].mean()
    >>> bool(mean[10] > mean[1])
    True
    """
    y_true = np.asarray(y_true, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[1] != len(y_true):
        raise InputError(
            f"scores has shape {scores.shape}; expected (n_configs, {len(y_true)}), "
            "one row of predictions per configuration"
        )
    if not 0 < n_val < len(y_true):
        raise InputError(f"n_val={n_val} must leave rows on both sides of a pool of {len(y_true)}")
    too_many = [k for k in n_candidates if not 1 <= k <= scores.shape[0]]
    if too_many:
        raise InputError(
            f"n_candidates {too_many} outside 1..{scores.shape[0]} (the number of configurations)"
        )
    tie_groups = rankdata(scores, method="dense", axis=1).astype(np.intp) - 1
    rng = np.random.default_rng(random_state)
    frames = []
    for repeat in range(n_repeats):
        order = rng.permutation(len(y_true))
        is_val = np.zeros(len(y_true), dtype=bool)
        is_val[order[:n_val]] = True
        val_auc = masked_roc_auc(y_true, tie_groups, is_val)
        fresh_auc = masked_roc_auc(y_true, tie_groups, ~is_val)
        # the winner among the first k candidates (ties go to the earlier one)
        winners = np.array([np.argmax(val_auc[:k]) for k in n_candidates])
        frames.append(
            pd.DataFrame(
                {
                    "n_candidates": list(n_candidates),
                    "repeat": repeat,
                    "selected": winners,
                    "validation AUC": val_auc[winners],
                    "fresh AUC": fresh_auc[winners],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["optimism"] = table["validation AUC"] - table["fresh AUC"]
    return table
