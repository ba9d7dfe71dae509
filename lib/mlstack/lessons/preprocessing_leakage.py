"""Measure what fitting preprocessing on the wrong rows costs.

Two anti-patterns of the syllabus, each with the right way beside it:

AP3, *preprocessing fitted before the split*
    A scaler, an encoder or any fitted transformer learns statistics from
    training **and** test rows, then the model trains on the training rows.
    :func:`score_fit_on_all_data` does exactly that (on purpose);
    :func:`score_in_pipeline` is the right way, and
    :func:`leak_over_resamples` measures the gap between the two over many
    small training sets, where it is largest.
AP5, *fit_transform on test data*
    The preprocessing is refitted on the rows being scored, so each batch is
    scaled by its own statistics instead of the training ones.
    :func:`score_refit_on_test` measures the score when that happens, batch by
    batch, as a serving system would do it.

The scores use a scikit-learn scorer on the model's continuous output, so the
functions work for any classifier with ``decision_function`` or
``predict_proba``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline

from mlstack.utils.rows import take_rows

__all__ = [
    "leak_over_resamples",
    "score_fit_on_all_data",
    "score_in_pipeline",
    "score_refit_on_test",
]


def _concat(a: Any, b: Any) -> Any:
    if isinstance(a, pd.DataFrame | pd.Series):
        return pd.concat([a, b], ignore_index=True)
    return np.concatenate([np.asarray(a), np.asarray(b)])


def score_in_pipeline(
    preprocessor: Any,
    model: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    scoring: str = "roc_auc",
) -> float:
    """Fit ``make_pipeline(preprocessor, model)`` on the training rows; score it on the test rows.

    The preprocessing learns only from the training rows: the right way.

    Parameters
    ----------
    preprocessor : transformer
        Unfitted; it is cloned.
    model : estimator
        Unfitted; it is cloned.
    X_train, y_train, X_test, y_test : array-like
        The two sides of the split.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float
    """
    pipeline = make_pipeline(clone(preprocessor), clone(model)).fit(X_train, y_train)
    return float(get_scorer(scoring)(pipeline, X_test, y_test))


def score_fit_on_all_data(
    preprocessor: Any,
    model: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    scoring: str = "roc_auc",
) -> float:
    """Anti-pattern AP3: fit the preprocessing on train and test rows together.

    The preprocessor is fitted on the concatenation of both sides (with both
    targets, so a target encoder sees the test labels), then the model is
    fitted on the transformed training rows and scored on the transformed
    test rows. This is what "scale (or encode) first, split later" does.

    .. warning::
        This function exists to measure a mistake. Put the preprocessing in a
        :class:`~sklearn.pipeline.Pipeline` instead (:func:`score_in_pipeline`).

    Parameters
    ----------
    preprocessor : transformer
        Unfitted; it is cloned.
    model : estimator
        Unfitted; it is cloned.
    X_train, y_train, X_test, y_test : array-like
        The two sides of the split.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> leaky = score_fit_on_all_data(
    ...     StandardScaler(), LogisticRegression(), X[:200], y[:200], X[200:], y[200:]
    ... )
    >>> clean = score_in_pipeline(
    ...     StandardScaler(), LogisticRegression(), X[:200], y[:200], X[200:], y[200:]
    ... )
    >>> abs(leaky - clean) < 0.01  # a scaler leaks little on 200 rows
    True
    """
    prep = clone(preprocessor).fit(_concat(X_train, X_test), _concat(y_train, y_test))
    fitted = clone(model).fit(prep.transform(X_train), y_train)
    return float(get_scorer(scoring)(fitted, prep.transform(X_test), y_test))


def leak_over_resamples(
    preprocessor: Any,
    model: Any,
    X_pool: Any,
    y_pool: Any,
    X_test: Any,
    y_test: Any,
    *,
    train_sizes: list[int] | tuple[int, ...],
    n_repeats: int = 20,
    random_state: int = 0,
    scoring: str = "roc_auc",
) -> pd.DataFrame:
    """Score the leaky and the pipeline workflow on many small training sets.

    For each size ``n`` in ``train_sizes``, ``n_repeats`` stratified random
    training sets of ``n`` rows are drawn from the pool; both workflows are
    fitted on the same rows and scored on the same fixed test rows, so the
    difference is paired.

    Parameters
    ----------
    preprocessor, model : estimators
        Unfitted; cloned for every fit.
    X_pool, y_pool : array-like
        Rows to draw training sets from.
    X_test, y_test : array-like
        The fixed test rows (the leaky workflow also fits its preprocessing on them).
    train_sizes : sequence of int
        Training-set sizes, each smaller than the pool.
    n_repeats : int, default=20
        Training sets per size.
    random_state : int, default=0
        Seed of the draws.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    pandas.DataFrame
        One row per (size, repeat): ``n_train``, ``repeat``, ``pipeline``,
        ``fit on all data`` and ``leak`` (the latter minus the former).
    """
    records = []
    for n_train in train_sizes:
        draws = StratifiedShuffleSplit(
            n_splits=n_repeats, train_size=n_train, random_state=random_state + n_train
        )
        for repeat, (rows, _) in enumerate(draws.split(np.zeros(len(y_pool)), y_pool)):
            X_train, y_train = take_rows(X_pool, rows), take_rows(y_pool, rows)
            args = (preprocessor, model, X_train, y_train, X_test, y_test)
            clean = score_in_pipeline(*args, scoring=scoring)
            leaky = score_fit_on_all_data(*args, scoring=scoring)
            records.append(
                {
                    "n_train": n_train,
                    "repeat": repeat,
                    "pipeline": clean,
                    "fit on all data": leaky,
                    "leak": leaky - clean,
                }
            )
    return pd.DataFrame.from_records(records)


def score_refit_on_test(
    pipeline: Pipeline,
    X_test: Any,
    y_test: Any,
    *,
    batch_size: int | None = None,
    scoring: str = "roc_auc",
) -> float:
    """Anti-pattern AP5: score a fitted pipeline after refitting its preprocessing on the test rows.

    Every step but the last is cloned and refitted with ``fit_transform`` on
    each batch of test rows (in order); the fitted final estimator then scores
    the concatenated result. With ``batch_size=None`` the whole test set is
    one batch; a small batch mimics a service that "standardizes the request".

    .. warning::
        This function exists to measure a mistake. At prediction time call
        ``pipeline.predict(X)`` (or ``transform``), which reuses the statistics
        learned on the training data.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline whose last step is the model.
    X_test, y_test : array-like
        Rows to score, in the order they would arrive.
    batch_size : int, optional
        Rows per refit; the whole test set when None.
    scoring : str, default="roc_auc"
        A scikit-learn scorer name.

    Returns
    -------
    float
    """
    preprocessing, model = pipeline[:-1], pipeline[-1]
    n_rows = len(y_test)
    n_batches = 1 if batch_size is None else max(1, -(-n_rows // batch_size))
    parts = []
    for rows in np.array_split(np.arange(n_rows), n_batches):
        parts.append(clone(preprocessing).fit_transform(take_rows(X_test, rows)))
    transformed = np.vstack([np.asarray(part) for part in parts])
    return float(get_scorer(scoring)(model, transformed, y_test))
