"""How the exam scores predictions: one metric per task, with a bootstrap interval.

The metric of each task is the one ``mlstack exit-test`` reports as primary, so
the learner, the reference solution and skrub's default are read on one scale.
A binary task is scored on the predicted probability of its positive class, a
multiclass task on predicted labels, a regression on predicted values.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from mlstack.metrics.bootstrap import ConfidenceInterval, bootstrap_ci

__all__ = ["METRIC", "fit_skrub_default", "model_predictions", "score_interval"]

#: The primary metric of each task (the same as ``mlstack exit-test``'s).
METRIC: dict[str, str] = {
    "binary": "roc_auc",
    "multiclass": "balanced_accuracy",
    "regression": "r2",
}


def model_predictions(model: Any, X: pd.DataFrame, task: str, positive: str | None) -> np.ndarray:
    """What a fitted model hands in for ``X``: the positive class's probability, labels or values.

    Only the columns the model was fitted on are passed (``feature_names_in_``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> model = LogisticRegression().fit(X, ["no", "no", "yes", "yes"])
    >>> bool(model_predictions(model, X, "binary", "yes")[3] > 0.5)
    True
    """
    columns = getattr(model, "feature_names_in_", None)
    X = X[list(columns)] if columns is not None else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if task == "binary":
            classes = [str(c) for c in model.classes_]
            return model.predict_proba(X)[:, classes.index(str(positive))]
        prediction = model.predict(X)
    if task == "multiclass":
        return np.asarray(prediction).astype(str)
    return np.asarray(prediction, dtype=float)


def fit_skrub_default(X: pd.DataFrame, y: pd.Series, task: str, *, random_state: int = 0) -> Any:
    """Fit skrub's default ``tabular_pipeline`` for ``task``: the "reasonable model" of the exam.

    Every ``random_state`` of the pipeline (the high-cardinality string encoder's, the
    model's) is set to ``random_state``, so the same data gives the same predictions.
    """
    import skrub

    model = skrub.tabular_pipeline("regressor" if task == "regression" else "classifier")
    seeds = [name for name in model.get_params() if name.endswith("random_state")]
    model.set_params(**dict.fromkeys(seeds, random_state))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def score_interval(
    y_true: Any,
    prediction: Any,
    task: str,
    positive: str | None = None,
    *,
    n_resamples: int = 1000,
    random_state: int = 0,
) -> ConfidenceInterval:
    """The task's metric on these rows, with its 95% bootstrap interval over rows.

    Examples
    --------
    >>> ci = score_interval([1.0, 2.0, 3.0, 4.0] * 10, [1.1, 2.1, 2.9, 4.2] * 10, "regression")
    >>> ci.metric, round(ci.estimate, 3)
    ('r2', 0.986)
    """
    y_true = np.asarray(y_true)
    prediction = np.asarray(prediction)
    if task != "regression":
        y_true = y_true.astype(str)
    if task == "multiclass":
        prediction = prediction.astype(str)
    return bootstrap_ci(
        y_true,
        prediction,
        METRIC[task],
        n_resamples=n_resamples,
        random_state=random_state,
        pos_label=None if positive is None else str(positive),
    )
