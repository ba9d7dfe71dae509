"""Scores over many training sets: how much an estimate moves when the data does.

On small data the training rows you happened to get matter as much as the model
you chose. :func:`scores_over_resamples` fits each model on many random
training sets of each size, all drawn from the same pool and scored on the
same validation rows, so the spread of the scores is the variance of the
model, measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedShuffleSplit

from mlstack.utils.rows import take_rows

__all__ = ["scores_over_resamples", "spread_table"]


def scores_over_resamples(
    models: Mapping[str, Any],
    X_pool: Any,
    y_pool: Any,
    X_valid: Any,
    y_valid: Any,
    *,
    train_sizes: list[int] | tuple[int, ...],
    n_repeats: int = 20,
    scoring: str = "roc_auc",
    random_state: int = 0,
) -> pd.DataFrame:
    """Fit each model on ``n_repeats`` random training sets per size; score each on fixed rows.

    The training sets are stratified draws from the pool (so even 30 rows hold
    both classes), the same for every model, so the comparison is paired.

    Parameters
    ----------
    models : mapping of str to estimator
        Named, unfitted estimators (pipelines); cloned for every fit.
    X_pool, y_pool : array-like
        Rows to draw training sets from.
    X_valid, y_valid : array-like
        The fixed validation rows every fit is scored on.
    train_sizes : sequence of int
        Training-set sizes, each smaller than the pool.
    n_repeats : int, default=20
        Training sets per size.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name. For an error metric use its ``neg_``
        scorer and negate the column.
    random_state : int, default=0
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per (model, size, repeat): ``model``, ``n_train``, ``repeat``,
        ``train`` and ``valid`` scores.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = make_classification(n_samples=600, random_state=0)
    >>> models = {"tree": DecisionTreeClassifier(random_state=0), "linear": LogisticRegression()}
    >>> scores = scores_over_resamples(
    ...     models, X[:400], y[:400], X[400:], y[400:], train_sizes=[40], n_repeats=5
    ... )
    >>> scores.groupby("model")["valid"].std().gt(0).all()
    np.True_
    """
    scorer = get_scorer(scoring)
    records = []
    for n_train in train_sizes:
        draws = StratifiedShuffleSplit(
            n_splits=n_repeats, train_size=n_train, random_state=random_state + n_train
        )
        for repeat, (rows, _) in enumerate(draws.split(np.zeros(len(y_pool)), y_pool)):
            X_train, y_train = take_rows(X_pool, rows), take_rows(y_pool, rows)
            for name, model in models.items():
                fitted = clone(model).fit(X_train, y_train)
                records.append(
                    {
                        "model": name,
                        "n_train": n_train,
                        "repeat": repeat,
                        "train": float(scorer(fitted, X_train, y_train)),
                        "valid": float(scorer(fitted, X_valid, y_valid)),
                    }
                )
    return pd.DataFrame.from_records(records)


def spread_table(scores: pd.DataFrame, column: str = "valid") -> pd.DataFrame:
    """Summarize :func:`scores_over_resamples`: mean, std and range per model and size.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_train``, with one ``(statistic, model)`` column pair
        per model: ``mean``, ``std``, ``min`` and ``max`` of ``column``.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"model": ["a", "a"], "n_train": [10, 10], "valid": [0.5, 0.7]})
    >>> spread_table(scores).round(3).to_dict("records")
    [{('mean', 'a'): 0.6, ('std', 'a'): 0.141, ('min', 'a'): 0.5, ('max', 'a'): 0.7}]
    """
    stats = scores.groupby(["n_train", "model"], sort=False)[column].agg(
        ["mean", "std", "min", "max"]
    )
    return stats.unstack("model")
