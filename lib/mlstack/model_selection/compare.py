"""Fit several models on the same split and put their scores side by side.

Many experiments in the curriculum ask one question: with everything else
equal, what does this one change do to the score (and to the fit time)?
:func:`fit_and_score` answers it for a dictionary of named models, one row per
model, so a notebook cell reads ``fit_and_score(models, *train, *valid)``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

__all__ = ["fit_and_score"]


def fit_and_score(
    models: Mapping[str, Any],
    X_train: Any,
    y_train: Any,
    X_valid: Any,
    y_valid: Any,
    *,
    scoring: str = "roc_auc",
) -> pd.DataFrame:
    """Fit a clone of each model on the training data and score it on validation data.

    Parameters
    ----------
    models : mapping of str to estimator
        Named, unfitted estimators (usually pipelines). They are cloned, so the
        originals stay unfitted.
    X_train, y_train : array-like
        Training data.
    X_valid, y_valid : array-like
        Data the models never saw; a validation set, not the final test set.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name, with columns ``fit seconds``, ``train <scoring>``
        and ``valid <scoring>``. Fit times are wall-clock seconds of one fit:
        compare them as ratios within a run, never across machines.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> models = {"dummy": DummyClassifier(), "logistic": LogisticRegression()}
    >>> table = fit_and_score(models, X[:150], y[:150], X[150:], y[150:])
    >>> table["valid roc_auc"].round(2).tolist()
    [0.5, 0.95]
    """
    scorer = get_scorer(scoring)
    rows = {}
    for name, model in models.items():
        fitted = clone(model)
        start = time.perf_counter()
        fitted.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows[name] = {
            "fit seconds": seconds,
            f"train {scoring}": scorer(fitted, X_train, y_train),
            f"valid {scoring}": scorer(fitted, X_valid, y_valid),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
