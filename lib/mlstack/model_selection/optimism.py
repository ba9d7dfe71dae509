"""Measure the optimism of a score that was used to choose a model.

Pick the best of many configurations by their score on one validation set and
that best score is biased upwards: the winner won partly because the
validation rows happened to suit it. A set of rows that played no part in the
choice scores the same winner lower; the gap is the *optimism of selection*,
and it is why the test set stays untouched until the final report.

:func:`selection_optimism` measures the gap many times over from one matrix of
predictions: it splits a pool of rows that no configuration trained on into a
validation part (used to pick) and a fresh part (used to measure), again and
again, optionally by whole groups (days). Picking by the score on the "test" part
is anti-pattern AP2 (tuning on the test set); an honest pick made elsewhere (by
cross-validation) can be followed alongside. :func:`summarize_optimism` turns the
draws into a table. :func:`masked_roc_auc` computes the many ROC AUCs this needs
from one ranking of the scores, so each draw costs two counts instead of a sort.

The draws all cut the *same* pool, so they are not independent samples: their
spread shows what one analyst doing this once would see, and their mean is the
optimism *on this pool, for these candidates*. No standard error of that mean is
computed from the number of draws; a second pool (another month) is the way to
see how much it moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from mlstack.errors import InputError

__all__ = ["masked_roc_auc", "selection_optimism", "summarize_optimism"]


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


def _validation_masks(
    rng: np.random.Generator, n_rows: int, n_val: int, codes: np.ndarray | None, n_groups: int
) -> np.ndarray:
    """One random validation mask: ``n_val`` rows, or whole groups until ``n_val`` rows."""
    is_val = np.zeros(n_rows, dtype=bool)
    if codes is None:
        is_val[rng.permutation(n_rows)[:n_val]] = True
        return is_val
    order = rng.permutation(n_groups)
    sizes = np.bincount(codes, minlength=n_groups)[order]
    taken = order[: int(np.searchsorted(np.cumsum(sizes), n_val)) + 1]
    return np.isin(codes, taken)


def selection_optimism(
    y_true: Sequence[bool] | np.ndarray,
    scores: np.ndarray,
    *,
    n_val: int | Sequence[int],
    n_candidates: Sequence[int] | None = None,
    honest_index: int | None = None,
    groups: Any = None,
    n_repeats: int = 200,
    random_state: int = 0,
) -> pd.DataFrame:
    """Measure how much the validation score of a selected model overstates it.

    Each repeat draws a validation part of the pool at random (``n_val`` rows, or
    whole ``groups`` until at least ``n_val`` rows) and keeps the other rows as
    fresh data. For each ``k`` in ``n_candidates``, the configuration with the best
    validation ROC AUC among the first ``k`` is selected; its validation AUC and its
    AUC on the fresh rows are recorded. When the validation part plays the test
    set, this is anti-pattern AP2, and the gap is what it adds to the reported score.

    Parameters
    ----------
    y_true : array-like of bool, shape (n_rows,)
        Labels of the pool.
    scores : numpy.ndarray, shape (n_configs, n_rows)
        Predicted scores of each configuration on the pool. No configuration may
        have been trained on these rows.
    n_val : int or sequence of int
        Rows in each validation draw (the rest are fresh); several sizes give one
        set of draws each.
    n_candidates : sequence of int, optional
        How many configurations compete; each must be at most ``n_configs``
        (all of them by default). With ``k=1`` nothing is selected and the
        optimism averages zero.
    honest_index : int, optional
        A configuration chosen elsewhere (by cross-validation on other rows). Its
        validation AUC, fresh AUC and their gap are recorded too: zero up to noise.
    groups : array-like of shape (n_rows,), optional
        The independent unit of each row (its day): the validation part is then
        made of whole groups, as a real held-out period would be.
    n_repeats : int, default=200
        Draws per validation size.
    random_state : int, default=0
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per size, repeat and ``k``: ``n_val``, ``n_candidates``,
        ``repeat``, ``selected`` (index of the winner), ``validation AUC``,
        ``fresh AUC`` and ``optimism`` (validation minus fresh); with
        ``honest_index`` also ``honest validation AUC``, ``honest fresh AUC`` and
        ``honest optimism``.

    See Also
    --------
    summarize_optimism : one row per size and ``k``.

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
            "one row of predictions per configuration",
            parameter="scores",
        )
    sizes = [int(n_val)] if np.ndim(n_val) == 0 else [int(n) for n in n_val]
    bad = [n for n in sizes if not 0 < n < len(y_true)]
    if bad:
        raise InputError(
            f"n_val={bad} must leave rows on both sides of a pool of {len(y_true)}",
            parameter="n_val",
        )
    ks = list(n_candidates) if n_candidates is not None else [scores.shape[0]]
    too_many = [k for k in ks if not 1 <= k <= scores.shape[0]]
    if too_many:
        raise InputError(
            f"n_candidates {too_many} outside 1..{scores.shape[0]} (the number of configurations)",
            parameter="n_candidates",
        )
    if honest_index is not None and not 0 <= honest_index < scores.shape[0]:
        raise InputError(
            f"honest_index={honest_index} is not a configuration (0..{scores.shape[0] - 1})",
            parameter="honest_index",
        )
    codes, n_groups = None, 0
    if groups is not None:
        codes, uniques = pd.factorize(pd.Series(np.asarray(groups)), sort=True)
        if len(codes) != len(y_true) or (codes < 0).any():
            raise InputError("groups needs one non-missing group per row", parameter="groups")
        n_groups = len(uniques)
    tie_groups = rankdata(scores, method="dense", axis=1).astype(np.intp) - 1
    rng = np.random.default_rng(random_state)
    frames = []
    for size in sizes:
        for repeat in range(n_repeats):  # repeats, not rows: each draw is vectorized
            is_val = _validation_masks(rng, len(y_true), size, codes, n_groups)
            val_auc = masked_roc_auc(y_true, tie_groups, is_val)
            fresh_auc = masked_roc_auc(y_true, tie_groups, ~is_val)
            # the winner among the first k candidates (ties go to the earlier one)
            winners = np.array([np.argmax(val_auc[:k]) for k in ks])
            frame = pd.DataFrame(
                {
                    "n_val": size,
                    "n_candidates": ks,
                    "repeat": repeat,
                    "selected": winners,
                    "validation AUC": val_auc[winners],
                    "fresh AUC": fresh_auc[winners],
                }
            )
            if honest_index is not None:
                frame["honest validation AUC"] = val_auc[honest_index]
                frame["honest fresh AUC"] = fresh_auc[honest_index]
            frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        table.columns.get_loc("fresh AUC") + 1,
        "optimism",
        table["validation AUC"] - table["fresh AUC"],
    )
    if honest_index is not None:
        table["honest optimism"] = table["honest validation AUC"] - table["honest fresh AUC"]
    return table


def summarize_optimism(table: pd.DataFrame) -> pd.DataFrame:
    """Summarize :func:`selection_optimism` draws: one row per validation size and ``k``.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`selection_optimism`.

    Returns
    -------
    pandas.DataFrame
        Index ``(n_val, n_candidates)``; columns ``validation AUC`` and ``fresh
        AUC`` (means), the ``optimism`` mean, its 10th, 50th and 90th
        percentiles over the draws and the share of draws in which it is
        positive; with honest columns also ``honest optimism`` (mean, 10th and
        90th percentiles) and ``picked other`` (share of draws whose pick differs
        from the honest one). Percentiles, not standard errors: the draws cut one pool.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(300) < 0.3
    >>> draws = selection_optimism(y, rng.normal(size=(5, 300)), n_val=100, n_repeats=20)
    >>> summarize_optimism(draws).columns.tolist()[:4]
    ['validation AUC', 'fresh AUC', 'optimism', 'optimism p10']
    """
    grouped = table.groupby(["n_val", "n_candidates"], sort=True)
    summary = grouped.agg(
        **{
            "validation AUC": ("validation AUC", "mean"),
            "fresh AUC": ("fresh AUC", "mean"),
            "optimism": ("optimism", "mean"),
            "optimism p10": ("optimism", lambda v: v.quantile(0.1)),
            "optimism p50": ("optimism", "median"),
            "optimism p90": ("optimism", lambda v: v.quantile(0.9)),
            "share optimistic": ("optimism", lambda v: (v > 0).mean()),
        }
    )
    if "honest optimism" in table:
        honest = grouped.agg(
            **{
                "honest optimism": ("honest optimism", "mean"),
                "honest p10": ("honest optimism", lambda v: v.quantile(0.1)),
                "honest p90": ("honest optimism", lambda v: v.quantile(0.9)),
            }
        )
        summary = summary.join(honest)
    return summary
