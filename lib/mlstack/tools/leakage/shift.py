"""``distribution_shift``: adversarial validation, a classifier that tells test rows from train.

Not leakage, but the other common cause of a test score below the validation score, so
it is named separately. A :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
learns, on at most 20,000 rows of each side, to tell the sides apart; its cross-validated
ROC AUC rates the shift: **0.8** ``high``, **0.625** ``medium`` (a drift score
``2 * AUC - 1`` of 0.25, the default at which deepchecks' multivariate drift condition
fails), **0.55** ``low``. The columns that alone tell the sides apart are the drivers.
Identifiers, the declared group, and with ``time`` the time column and the columns that
move with it (month, day of year) are left out: a split by time separates them by
construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlstack.tools.leakage.column_roles import identifiers, moves_with_time
from mlstack.tools.leakage.findings import ADVICE, Finding
from mlstack.tools.leakage.preparation import Pair, numbers, sample_index
from mlstack.tools.leakage.scores import (
    Task,
    auc_se,
    bin_codes,
    fold_ids,
    n_bins,
    score_matrix,
)

__all__ = ["SHIFT_HIGH", "SHIFT_LOW", "SHIFT_MEDIUM", "check_shift"]

SHIFT_HIGH = 0.8
SHIFT_MEDIUM = 0.625  # drift score 2*AUC-1 = 0.25, deepchecks' default condition
SHIFT_LOW = 0.55
MIN_Z = 4.0
_SHIFT_ROWS = 20_000  # rows of each side used for adversarial validation


def check_shift(pair: Pair, random_state: int) -> list[Finding]:
    """The ``distribution_shift`` finding of a pair, or nothing below an AUC of 0.55."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(random_state)
    train = pair.train.iloc[sample_index(len(pair.train), _SHIFT_ROWS, rng)]
    test = pair.test.iloc[sample_index(len(pair.test), _SHIFT_ROWS, rng)]
    if len(test) < 20 or len(train) < 20:
        return []
    both = pd.concat([train, test], ignore_index=True)
    is_test = np.r_[np.zeros(len(train), dtype=bool), np.ones(len(test), dtype=bool)]
    excluded = sorted(
        {*identifiers(pair), *moves_with_time(pair, both), *([pair.group] if pair.group else [])}
    )
    excluded += [pair.time] if pair.time and pair.time not in excluded else []
    columns = [c for c in pair.features if c not in excluded and both[c].nunique(dropna=False) > 1]
    if not columns:
        return []
    matrix = _model_matrix(both, columns, pair.kinds)
    model = HistGradientBoostingClassifier(
        max_iter=50,
        max_leaf_nodes=15,
        learning_rate=0.15,
        early_stopping=False,
        random_state=random_state,
    )
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
    proba = cross_val_predict(model, matrix, is_test, cv=cv, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(is_test, proba))
    z = (auc - 0.5) / auc_se(is_test)
    if auc < SHIFT_LOW or z < MIN_Z:
        return []
    severity = "high" if auc >= SHIFT_HIGH else "medium" if auc >= SHIFT_MEDIUM else "low"
    drivers = _drivers(both, columns, pair.kinds, is_test, rng)
    evidence = {
        "auc": round(auc, 4),
        "drivers": drivers,
        "excluded_columns": excluded,
        "rows_compared": [int(len(train)), int(len(test))],
    }
    return [
        Finding(
            "distribution_shift",
            list(drivers),
            severity,
            evidence,
            ADVICE["distribution_shift"],
            2 * auc - 1,
        )
    ]


def _model_matrix(frame: pd.DataFrame, columns: list[str], kinds: dict[str, str]) -> np.ndarray:
    """Numbers as they are, categories as ordinal codes (or counts when there are many).

    Trees split ordinal codes well enough to tell two samples apart, and native
    categorical splits cost several times more on wide category sets.
    """
    matrix = np.empty((len(frame), len(columns)))
    for k, column in enumerate(columns):
        series = frame[column]
        if kinds[column] == "categorical":
            codes, uniques = pd.factorize(series)
            if len(uniques) <= 250:
                matrix[:, k] = np.where(codes < 0, np.nan, codes)
            else:  # frequency encoding of a high-cardinality column, computed on both sides
                counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
                matrix[:, k] = np.where(codes < 0, np.nan, counts[np.maximum(codes, 0)])
        else:
            matrix[:, k] = numbers(series)
    return matrix


def _drivers(
    both: pd.DataFrame,
    columns: list[str],
    kinds: dict[str, str],
    is_test: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Columns that alone tell test from train (univariate AUC >= 0.55), strongest first."""
    bins = n_bins(len(both))
    codes = np.empty((len(both), len(columns)), dtype=np.int64)
    sizes = []
    for k, column in enumerate(columns):
        codes[:, k], _, size = bin_codes(both[column], [], kinds[column], bins)
        sizes.append(size)
    task = Task("binary", "roc_auc", np.array([False, True]))
    Y = is_test.astype("float64")[:, None]
    scores = score_matrix(codes, sizes, Y, task, fold_ids(len(both), rng), None, None)
    order = np.argsort(-scores.train, kind="stable")
    drivers = {}
    for k in order[:5]:
        if scores.train[k] >= SHIFT_LOW and scores.z[k] >= MIN_Z:
            drivers[columns[k]] = round(float(scores.train[k]), 4)
    return drivers
