"""Fit several models on the same split and put their scores side by side.

Many experiments in the curriculum ask one question: with everything else
equal, what does this one change do to the score? :func:`fit_and_score`
answers it for a dictionary of named models, one row per model, so a notebook
cell reads ``fit_and_score(models, *train, *valid)``; :func:`fit_and_predict`
keeps each model's scores of the validation rows, for a paired comparison on
those same rows (:func:`mlstack.metrics.comparison.compare_on_rows`): the
scores in the table alone do not say whether two models differ by more than
noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

__all__ = ["fit_and_predict", "fit_and_score", "score_intervals"]


def fit_and_predict(
    models: Mapping[str, Any], X_train: Any, y_train: Any, X_valid: Any
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Fit a clone of each model on the training data; score the validation rows.

    Parameters
    ----------
    models : mapping of str to estimator
        Named, unfitted classifiers (usually pipelines); cloned, so the
        originals stay unfitted.
    X_train, y_train : array-like
        Training data.
    X_valid : array-like
        Rows the models never saw.

    Returns
    -------
    fitted : dict of str to estimator
    scores : dict of str to numpy.ndarray
        Each model's continuous output for the positive class on ``X_valid``
        (``decision_function`` when it has one, else ``predict_proba[:, 1]``).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> fitted, scores = fit_and_predict({"logistic": LogisticRegression()}, X[:150], y[:150], X[150:])
    >>> scores["logistic"].shape
    (50,)
    """
    fitted, scores = {}, {}
    for name, model in models.items():
        fitted[name] = clone(model).fit(X_train, y_train)
        if hasattr(fitted[name], "decision_function"):
            scores[name] = np.asarray(fitted[name].decision_function(X_valid))
        else:
            scores[name] = np.asarray(fitted[name].predict_proba(X_valid))[:, 1]
    return fitted, scores


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
        Indexed by model name, with columns ``train <scoring>`` and
        ``valid <scoring>``. Two rows' difference is not evidence by itself:
        compare them on the same rows with their uncertainty
        (:func:`fit_and_predict`, then
        :func:`~mlstack.metrics.comparison.compare_on_rows`).

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
        fitted = clone(model).fit(X_train, y_train)
        rows[name] = {
            f"train {scoring}": scorer(fitted, X_train, y_train),
            f"valid {scoring}": scorer(fitted, X_valid, y_valid),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def score_intervals(
    y_valid: Any,
    scores: Mapping[str, Any],
    *,
    metric: str = "roc_auc",
    groups: Any = None,
    unit: str | None = None,
    n_resamples: int = 1000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Each model's validation score with a bootstrap interval, resampling ``groups``.

    Parameters
    ----------
    y_valid : array-like
    scores : mapping of str to array-like
        Each model's scores of the same rows (from :func:`fit_and_predict`).
    metric : str, default="roc_auc"
        A metric of :data:`mlstack.metrics.bootstrap.METRICS`.
    groups : array-like, optional
        The independent unit of each row (its day); rows when None.
    unit : str, optional
        Plural name of the groups, for the ``interval`` column.
    n_resamples, random_state : int

    Returns
    -------
    pandas.DataFrame
        Indexed by model: ``<metric>``, ``low``, ``high``, and ``resampled``
        (what the interval resampled, e.g. ``"92 days"``).

    Examples
    --------
    >>> y = np.array([0, 1] * 50)
    >>> table = score_intervals(y, {"perfect": y * 1.0}, groups=np.arange(100) // 10, unit="days")
    >>> table[["roc_auc", "low", "high"]].to_numpy().tolist(), table["resampled"].item()
    ([[1.0, 1.0, 1.0]], '10 days')
    """
    from mlstack.metrics.bootstrap import bootstrap_ci

    rows = {}
    for name, predicted in scores.items():
        ci = bootstrap_ci(
            y_valid,
            predicted,
            metric,
            groups=groups,
            unit=unit,
            n_resamples=n_resamples,
            random_state=random_state,
        )
        rows[name] = {
            metric: ci.estimate,
            "low": ci.low,
            "high": ci.high,
            "resampled": f"{ci.n_units:,} {ci.unit}",
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
