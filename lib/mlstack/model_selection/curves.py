"""Learning and validation curves as long tables of errors.

:func:`sklearn.model_selection.learning_curve` and
:func:`~sklearn.model_selection.validation_curve` return score arrays of shape
``(n_points, n_splits)``, as scores (higher is better). These wrappers return
one row per (point, split, side) with the *error* (lower is better), ready for
:func:`mlstack.plotting.spread.plot_spread` and for a table, so a notebook cell
reads like the sentence it illustrates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import learning_curve, validation_curve

from mlstack.errors import InputError

__all__ = ["learning_curve_frame", "validation_curve_frame"]


def _long(x_name: str, xs: Any, train: np.ndarray, valid: np.ndarray, sign: float) -> pd.DataFrame:
    parts = []
    for side, scores in (("training", train), ("validation", valid)):
        n_points, n_splits = scores.shape
        parts.append(
            pd.DataFrame(
                {
                    x_name: np.repeat(np.asarray(xs), n_splits),
                    "split": np.tile(np.arange(n_splits), n_points),
                    "side": side,
                    "error": sign * scores.ravel(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def learning_curve_frame(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    cv: Any,
    train_sizes: Sequence[int],
    scoring: str = "neg_brier_score",
) -> pd.DataFrame:
    """Training and validation error against the number of training rows.

    Parameters
    ----------
    estimator : estimator
        Unfitted; cloned by scikit-learn for every fit.
    X, y : array-like
        All rows that ``cv`` indexes.
    cv : cross-validation splitter or iterable of (train, valid) indices
        Each training set is cut to its first ``n`` indices for size ``n``,
        so pass shuffled training indices to get random subsets.
    train_sizes : sequence of int
        Absolute training-set sizes.
    scoring : str, default="neg_brier_score"
        A ``neg_`` scorer; its negation is reported as the error.

    Returns
    -------
    pandas.DataFrame
        Columns ``n_train``, ``split``, ``side`` (``training`` or
        ``validation``) and ``error``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> cv = [(np.arange(200), np.arange(200, 300))]
    >>> frame = learning_curve_frame(LogisticRegression(), X, y, cv=cv, train_sizes=[50, 200])
    >>> frame.groupby("side").size().to_dict()
    {'training': 2, 'validation': 2}
    """
    if not scoring.startswith("neg_"):
        raise InputError(
            f"scoring must be an error scorer named 'neg_...'; got {scoring!r}",
            parameter="scoring",
        )
    sizes, train, valid = learning_curve(
        estimator, X, y, cv=cv, train_sizes=list(train_sizes), scoring=scoring
    )
    return _long("n_train", sizes, train, valid, sign=-1.0)


def validation_curve_frame(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    param_name: str,
    param_range: Sequence[Any],
    cv: Any,
    scoring: str = "neg_brier_score",
) -> pd.DataFrame:
    """Training and validation error against one complexity parameter.

    Parameters
    ----------
    estimator : estimator
        Unfitted; cloned by scikit-learn for every fit.
    X, y : array-like
        All rows that ``cv`` indexes.
    param_name : str
        The parameter to vary, in ``set_params`` syntax
        (``"decisiontreeclassifier__max_depth"`` inside a pipeline).
    param_range : sequence
        Its values, from simple to flexible.
    cv : cross-validation splitter or iterable of (train, valid) indices
    scoring : str, default="neg_brier_score"
        A ``neg_`` scorer; its negation is reported as the error.

    Returns
    -------
    pandas.DataFrame
        Columns ``<param_name>``, ``split``, ``side`` and ``error``.
    """
    if not scoring.startswith("neg_"):
        raise InputError(
            f"scoring must be an error scorer named 'neg_...'; got {scoring!r}",
            parameter="scoring",
        )
    train, valid = validation_curve(
        estimator,
        X,
        y,
        param_name=param_name,
        param_range=list(param_range),
        cv=cv,
        scoring=scoring,
    )
    return _long(param_name, param_range, train, valid, sign=-1.0)
