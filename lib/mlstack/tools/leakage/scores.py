"""Univariate, cross-fitted scores: how well each column alone predicts the target.

Each column is cut into bins learned on the training side (quantile bins for numbers
and dates, one bin per category, one for missing values); each training row is scored
by the smoothed target mean of its bin *on the other folds* (5 folds), so a column with
many distinct values cannot look predictive by memorizing itself. From these
out-of-fold predictions:

- the **metric**: ROC AUC (macro one-vs-rest for several classes), or for a numeric
  target ``rank_r2``, the squared correlation of the prediction with the target's ranks
  (a skewed target or a few outliers cannot hide a column that orders rows perfectly);
- the **strength** in [0, 1]: the Gini ``2 * AUC - 1``, or ``sqrt(rank_r2)``;
- ``z``: how many standard errors the metric lies above chance;
- on the test side (bins learned on the whole training side), the same metric and
  strength, to tell whether the signal survives;
- for classes, :func:`uncertainty_removed`: the share of the label's uncertainty (its
  entropy) that the column removes out of fold, ``1 - log_loss / log_loss_of_the_prior``
  (with several classes, for the pair of classes it separates worst). Unlike the AUC,
  it tells apart a column whose value ranges decide the label for most rows from a
  strong but overlapping one.

Everything is vectorized with ``bincount`` group sums and one sort per column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlstack.tools.leakage.column_roles import identifiers
from mlstack.tools.leakage.preparation import Pair, is_numeric, numbers, sample_index

__all__ = [
    "Scores",
    "Task",
    "auc_se",
    "bin_codes",
    "column_scores",
    "fold_ids",
    "infer_task",
    "n_bins",
    "score_matrix",
    "uncertainty_removed",
]

SCORE_ROWS = 100_000  # rows of each side used for univariate scores
FOLDS = 5
MAX_BINS = 100
SMOOTHING = 5.0  # pseudo-rows of the prior in each bin's mean (for the AUC)
SKILL_SMOOTHING = 1.0  # for the log loss: a pure bin must be allowed to look pure
MAX_CLASSES = 20
MIN_HOLDOUT = 30  # rows per class (or rows) needed to trust a test score


@dataclass
class Task:
    """What the target is: ``binary``, ``multiclass`` or ``regression``, and its metric."""

    kind: str
    metric: str  # "roc_auc" | "macro_roc_auc" | "rank_r2"
    classes: np.ndarray | None = None


@dataclass
class Scores:
    """Per-column univariate scores, all arrays of shape (p,)."""

    metric: str
    train: np.ndarray  # metric value, cross-fitted on train
    strength: np.ndarray  # in [0, 1]
    z: np.ndarray  # standard errors above chance
    test: np.ndarray  # metric value on the holdout (nan when not measurable)
    test_strength: np.ndarray
    test_se: float  # standard error of a strength measured on the holdout


def infer_task(y: pd.Series) -> Task | None:
    """Binary, multiclass (at most 20 classes scored) or regression; None for a constant.

    Examples
    --------
    >>> infer_task(pd.Series(["a", "b", "a"])).kind, infer_task(pd.Series(range(50))).kind
    ('binary', 'regression')
    """
    present = y.dropna()
    n_unique = present.nunique()
    if n_unique < 2:
        return None
    if n_unique == 2:
        return Task("binary", "roc_auc", np.sort(present.unique()))
    if is_numeric(present) and not isinstance(present.dtype, pd.CategoricalDtype):
        if n_unique > 10:
            return Task("regression", "rank_r2")
    counts = present.value_counts()
    return Task("multiclass", "macro_roc_auc", counts.index[:MAX_CLASSES].to_numpy())


def n_bins(n: int) -> int:
    """About 20 rows per bin, between 10 and 100 bins."""
    return int(np.clip(n // 20, 10, MAX_BINS))


def fold_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random fold number (0 to 4) per row, folds of equal size."""
    return rng.permutation(np.arange(n) % FOLDS)


def target_matrix(y: pd.Series, task: Task, reference: pd.Series | None = None) -> np.ndarray:
    """Targets as columns to average: class indicators, or for regression the ranks.

    A regression target is replaced by its rank among the ``reference`` (training)
    values, scaled to [0, 1], so that a skewed target or a few outliers cannot hide
    a column that orders the rows perfectly.
    """
    if task.kind == "regression":
        ref = np.sort((y if reference is None else reference).to_numpy(dtype="float64"))
        values = y.to_numpy(dtype="float64")
        left = np.searchsorted(ref, values, side="left")
        right = np.searchsorted(ref, values, side="right")
        return ((left + right) / (2 * len(ref)))[:, None]
    if task.kind == "binary":
        return (y.to_numpy() == task.classes[1]).astype("float64")[:, None]
    values = y.to_numpy()
    return np.stack([(values == c) for c in task.classes], axis=1).astype("float64")


def bin_codes(
    train: pd.Series, others: list[pd.Series], kind: str, n_bins: int, *, order: bool = False
) -> tuple[np.ndarray, list[np.ndarray], int]:
    """Map a column to small integer bins learned on ``train``.

    Numbers (and dates) get quantile bins, categories their own code; missing
    values get a bin of their own. Categories unseen in ``train`` get ``-1``
    (scored with the prior). With ``order``, values are binned by their rank in
    sorted order (how an identifier's signal shows up).

    Returns
    -------
    codes : ndarray of int64
        The bin of each ``train`` row.
    other_codes : list of ndarray
        The bins of each series of ``others``.
    n_codes : int
        The number of bins.
    """
    if kind == "categorical" and not order:
        codes, uniques = pd.factorize(train)
        n_codes = len(uniques) + 1
        missing = n_codes - 1
        codes = np.where(codes < 0, missing, codes)
        index = pd.Index(uniques)
        out = []
        for other in others:
            other_codes = index.get_indexer(other)
            other_codes = np.where(other.isna().to_numpy(), missing, other_codes)
            out.append(other_codes)
        return codes.astype(np.int64), out, n_codes
    if kind == "categorical":  # order: position of the value in the sorted training values
        sorted_values = np.sort(train.dropna().astype(str).to_numpy())
        values = [s.astype(str).to_numpy() for s in (train, *others)]
        as_numbers = [
            np.where(s.isna().to_numpy(), np.nan, np.searchsorted(sorted_values, v)).astype(float)
            for s, v in zip((train, *others), values, strict=True)
        ]
    else:
        as_numbers = [numbers(s) for s in (train, *others)]
    base = as_numbers[0]
    finite = base[~np.isnan(base)]
    if len(finite) == 0:
        zeros = [np.zeros(len(x), dtype=np.int64) for x in as_numbers]
        return zeros[0], zeros[1:], 1
    uniques, counts = np.unique(finite, return_counts=True)
    if len(uniques) <= n_bins and not order:
        edges = (uniques[:-1] + uniques[1:]) / 2
    elif order:
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1]))
    else:
        edges = _quantile_edges(uniques, counts, n_bins)
    n_codes = len(edges) + 2
    missing = n_codes - 1
    coded = []
    for x in as_numbers:
        codes = np.searchsorted(edges, x, side="right")
        coded.append(np.where(np.isnan(x), missing, codes).astype(np.int64))
    return coded[0], coded[1:], n_codes


def _quantile_edges(uniques: np.ndarray, counts: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin edges between values: a value with a bin's worth of rows gets a bin of its own.

    A point mass (an amount that is exactly 0 for most rows) must not share a bin with
    the smallest other values, or a column that is 0 for one class and positive for the
    other looks weaker than it is. The other values get quantile bins; every edge lies
    halfway between two observed values, so no value sits on one.

    Examples
    --------
    >>> values = np.r_[np.zeros(60), np.arange(1.0, 41.0)]
    >>> _quantile_edges(*np.unique(values, return_counts=True), n_bins=5)
    array([ 0.5, 20.5])
    """
    heavy = counts * n_bins >= counts.sum()
    light = np.repeat(uniques[~heavy], counts[~heavy])
    edges = []
    if len(light):  # as many rows per bin as the whole column would have
        k = max(round(n_bins * len(light) / counts.sum()), 1)
        edges.append(np.quantile(light, np.linspace(0, 1, k + 1)[1:-1]))
    for i in np.flatnonzero(heavy):  # halfway to each neighbour
        edges.append(uniques[max(i - 1, 0) : i + 1])
    edges = np.unique(np.concatenate(edges)) if edges else uniques[:1]
    position = np.clip(np.searchsorted(uniques, edges, side="right"), 1, len(uniques) - 1)
    between = (uniques[position - 1] + uniques[position]) / 2
    return np.unique(between[(between > uniques[0]) & (between < uniques[-1])])


def _out_of_fold(
    codes: np.ndarray, n_codes: int, y: np.ndarray, folds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the count and target sum of its bin on the other folds, and the fold prior.

    Also returns the whole-table count and sum of each bin (for the holdout).
    """
    key = folds * n_codes + codes
    size = FOLDS * n_codes
    fold_count = np.bincount(key, minlength=size).reshape(FOLDS, n_codes)
    fold_sum = np.bincount(key, weights=y, minlength=size).reshape(FOLDS, n_codes)
    total_count, total_sum = fold_count.sum(axis=0), fold_sum.sum(axis=0)
    count = total_count[codes] - fold_count[folds, codes]
    target_sum = total_sum[codes] - fold_sum[folds, codes]
    fold_rows = np.bincount(folds, minlength=FOLDS)
    fold_y = np.bincount(folds, weights=y, minlength=FOLDS)
    prior = ((y.sum() - fold_y) / np.maximum(len(y) - fold_rows, 1))[folds]
    return count, target_sum, prior, np.stack([total_count, total_sum])


def encode(
    codes: np.ndarray,
    n_codes: int,
    Y: np.ndarray,
    folds: np.ndarray,
    holdout_codes: np.ndarray | None,
    *,
    smoothing: float = SMOOTHING,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Cross-fitted per-bin target means for the training rows; full-fit for holdout rows."""
    n, n_targets = Y.shape
    encoded = np.empty((n, n_targets))
    held = None if holdout_codes is None else np.empty((len(holdout_codes), n_targets))
    for j in range(n_targets):
        y = Y[:, j]
        count, target_sum, prior, totals = _out_of_fold(codes, n_codes, y, folds)
        encoded[:, j] = (target_sum + smoothing * prior) / (count + smoothing)
        if held is not None:
            seen = holdout_codes >= 0
            safe = np.where(seen, holdout_codes, 0)
            full_prior = y.mean()
            value = (totals[1][safe] + smoothing * full_prior) / (totals[0][safe] + smoothing)
            held[:, j] = np.where(seen, value, full_prior)
    return encoded, held


def uncertainty_removed(
    codes: np.ndarray, n_codes: int, Y: np.ndarray, folds: np.ndarray
) -> float | None:
    """Share of the label's uncertainty one column removes, out of fold (classes only).

    ``1 - L / L0``, where ``L`` is the log loss of the cross-fitted per-bin class
    shares and ``L0`` that of the class shares alone (the label's entropy). 1 means
    the column's value ranges decide the label for every row, 0 that it tells
    nothing; a strong ordinary feature whose classes overlap stays well below 1
    even when its AUC is high. With several classes, it is the smallest over pairs
    of classes (each with at least 30 rows): a column that decides the label
    separates every pair, not only one easy class from the others. None when no
    pair of classes has enough rows.

    Examples
    --------
    >>> y = np.array([0, 1] * 50, dtype=float)[:, None]
    >>> folds = np.arange(100) % 5
    >>> round(uncertainty_removed(y[:, 0].astype(int), 2, y, folds), 2)  # the label itself
    0.98
    >>> round(uncertainty_removed(np.zeros(100, dtype=int), 1, y, folds), 2)  # a constant
    0.0
    """
    if Y.shape[1] == 1:
        return _binary_uncertainty_removed(codes, n_codes, Y[:, 0], folds)
    counts = Y.sum(axis=0)
    classes = [j for j in range(Y.shape[1]) if counts[j] >= MIN_HOLDOUT]
    pairs = [
        _binary_uncertainty_removed(codes[rows], n_codes, Y[rows, b], folds[rows])
        for i, a in enumerate(classes)
        for b in classes[i + 1 :]
        for rows in [(Y[:, a] + Y[:, b]) > 0]
    ]
    return min(pairs) if pairs else None


def _binary_uncertainty_removed(
    codes: np.ndarray, n_codes: int, y: np.ndarray, folds: np.ndarray
) -> float:
    count, target_sum, prior, _ = _out_of_fold(codes, n_codes, y, folds)
    share = (target_sum + SKILL_SMOOTHING * prior) / (count + SKILL_SMOOTHING)
    p = np.where(y > 0.5, share, 1 - share)
    p0 = np.where(y > 0.5, prior, 1 - prior)
    loss = -np.mean(np.log(np.clip(p, 1e-12, 1)))
    loss0 = -np.mean(np.log(np.clip(p0, 1e-12, 1)))
    return float(1 - loss / loss0) if loss0 > 0 else 0.0


def rank_auc(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """AUC of each column of ``scores`` (n, p) for the boolean labels ``positive`` (n,).

    The Mann-Whitney statistic with ties counted half, from per-value counts of
    positives and negatives (one sort per column).
    """
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return np.full(scores.shape[1], np.nan)
    out = np.empty(scores.shape[1])
    weight = positive.astype("float64")
    for k in range(scores.shape[1]):
        _, inverse = np.unique(scores[:, k], return_inverse=True)
        pos = np.bincount(inverse, weights=weight)
        neg = np.bincount(inverse) - pos
        below = np.cumsum(neg) - neg
        out[k] = float((pos * (below + 0.5 * neg)).sum()) / (n_pos * n_neg)
    return out


def auc_se(positive: np.ndarray) -> float:
    """Standard error of an AUC under no signal (Mann-Whitney), for these labels."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.inf
    return math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))


def strength_of(metric: str, values: np.ndarray) -> np.ndarray:
    """Metric values as strengths in [0, 1]: Gini for AUCs, ``sqrt`` for ``rank_r2``."""
    if metric == "rank_r2":
        return np.sqrt(np.clip(values, 0, None))
    return np.clip(2 * values - 1, 0, None)


def score_matrix(
    train_codes: np.ndarray,
    n_codes: list[int],
    Y: np.ndarray,
    task: Task,
    folds: np.ndarray,
    test_codes: np.ndarray | None,
    Y_test: np.ndarray | None,
) -> Scores:
    """Cross-fitted univariate scores of every column of ``train_codes`` (n, p)."""
    n, p = train_codes.shape
    n_targets = Y.shape[1]
    encoded = np.empty((n_targets, n, p))
    held = None if test_codes is None else np.empty((n_targets, len(test_codes), p))
    for k in range(p):
        enc, hold = encode(
            train_codes[:, k], n_codes[k], Y, folds, None if held is None else test_codes[:, k]
        )
        encoded[:, :, k] = enc.T
        if held is not None:
            held[:, :, k] = hold.T
    train_score, z = _evaluate(encoded, Y, task)
    test_se = math.inf
    if held is not None and Y_test is not None and _holdout_ok(Y_test, task):
        test_score, _ = _evaluate(held, Y_test, task)
        test_se = _strength_se(Y_test, task)
    else:
        test_score = np.full(p, np.nan)
    return Scores(
        task.metric,
        train_score,
        strength_of(task.metric, train_score),
        z,
        test_score,
        strength_of(task.metric, test_score),
        test_se,
    )


def column_scores(pair: Pair, random_state: int) -> dict[str, Any] | None:
    """Score every feature against the target (cached): proxies by value, identifiers by order.

    Returns
    -------
    dict or None
        None when the target is constant or too few rows have one; otherwise
        ``columns``, ``scores`` (:class:`Scores`), ``task``, ``n``, and what the
        proxy families need: the scored training rows ``frame``, their bins
        ``codes`` and ``n_codes``, targets ``Y`` and ``folds``.
    """
    if "column_scores" in pair.cache:
        return pair.cache["column_scores"]
    rng = np.random.default_rng(random_state)
    train = pair.train[pair.train[pair.target].notna()]
    test = pair.test[pair.test[pair.target].notna()]
    task = infer_task(train[pair.target])
    if task is None or len(train) < 20:
        pair.cache["column_scores"] = None
        return None
    train = train.iloc[sample_index(len(train), SCORE_ROWS, rng)]
    test = test.iloc[sample_index(len(test), SCORE_ROWS, rng)]
    if task.kind != "regression":
        train = train[train[pair.target].isin(task.classes).to_numpy()]
        test = test[test[pair.target].isin(task.classes).to_numpy()]
    ids = identifiers(pair)
    columns = list(pair.features)
    bins = n_bins(len(train))
    train_codes = np.empty((len(train), len(columns)), dtype=np.int64)
    test_codes = np.empty((len(test), len(columns)), dtype=np.int64)
    sizes = []
    for k, column in enumerate(columns):
        codes, (other,), size = bin_codes(
            train[column], [test[column]], pair.kinds[column], bins, order=column in ids
        )
        train_codes[:, k], test_codes[:, k] = codes, other
        sizes.append(size)
    Y = target_matrix(train[pair.target], task)
    Y_test = target_matrix(test[pair.target], task, train[pair.target]) if len(test) else None
    folds = fold_ids(len(train), rng)
    scores = score_matrix(
        train_codes, sizes, Y, task, folds, test_codes if len(test) else None, Y_test
    )
    result = {
        "columns": columns,
        "scores": scores,
        "task": task,
        "n": len(train),
        "frame": train,
        "codes": train_codes,
        "n_codes": sizes,
        "Y": Y,
        "folds": folds,
    }
    pair.cache["column_scores"] = result
    return result


# --------------------------------------------------------------------------------------------
# metrics of the encodings


def _strength_se(Y: np.ndarray, task: Task) -> float:
    """Standard error of a strength measured on ``Y`` (under no signal)."""
    if task.kind == "regression":
        return 1 / math.sqrt(max(len(Y) - 3, 1))
    ses = [2 * auc_se(Y[:, j] > 0.5) for j in range(Y.shape[1])]
    finite = [se for se in ses if math.isfinite(se)]
    return float(np.mean(finite)) if finite else math.inf


def _holdout_ok(Y: np.ndarray, task: Task) -> bool:
    if task.kind == "regression":
        return len(Y) >= MIN_HOLDOUT
    counts = Y.sum(axis=0)
    if task.kind == "binary":
        return min(counts[0], len(Y) - counts[0]) >= MIN_HOLDOUT
    return int((counts >= MIN_HOLDOUT).sum()) >= 2


def _evaluate(encoded: np.ndarray, Y: np.ndarray, task: Task) -> tuple[np.ndarray, np.ndarray]:
    """Score encodings (n_targets, n, p) against Y (n, n_targets): metric and z per column."""
    if task.kind == "regression":
        # Squared correlation of the cross-fitted prediction with the target's ranks, signed:
        # unlike 1 - SSE/SST it ignores the shrinkage of the smoothed bin means.
        y = Y[:, 0] - Y[:, 0].mean()
        centered = encoded[0] - encoded[0].mean(axis=0)
        denom = np.sqrt((centered**2).sum(axis=0) * (y**2).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(denom > 0, (centered * y[:, None]).sum(axis=0) / denom, 0.0)
        z = np.arctanh(np.clip(r, -0.999999, 0.999999)) * math.sqrt(max(len(y) - 3, 1))
        return np.sign(r) * r**2, z
    aucs, ses = [], []
    for j in range(Y.shape[1]):
        positive = Y[:, j] > 0.5
        if positive.sum() == 0 or positive.sum() == len(positive):
            continue
        aucs.append(rank_auc(encoded[j], positive))
        ses.append(auc_se(positive))
    if not aucs:
        p = encoded.shape[2]
        return np.full(p, 0.5), np.zeros(p)
    auc = np.mean(aucs, axis=0)
    return auc, (auc - 0.5) / float(np.mean(ses))
