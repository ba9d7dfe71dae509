"""The task (binary, multiclass, regression), its primary metric and how predictions are scored.

Cross-validation, the ensemble and the final evaluation all score predictions
through :func:`score_predictions`, so a score means the same thing everywhere:
ROC AUC of the positive class's probability (binary), balanced accuracy of the
decided class (multiclass), R2 (regression).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)

from mlstack.errors import InputError
from mlstack.tools.exit_test.estimators import decide

__all__ = [
    "MAX_CLASSES_NUMERIC",
    "PRIMARY_METRIC",
    "TASKS",
    "infer_task",
    "score_predictions",
    "held_out_scorers",
]

TASKS = ("auto", "binary", "multiclass", "regression")
PRIMARY_METRIC = {"binary": "roc_auc", "multiclass": "balanced_accuracy", "regression": "r2"}
# A numeric target with at most this many distinct values is read as classes.
MAX_CLASSES_NUMERIC = 10


def _values(y: pd.Series) -> str:
    return ", ".join(repr(v) for v in sorted(y.unique().tolist(), key=str))


def infer_task(y: pd.Series, task: str = "auto") -> tuple[str, str]:
    """Return the task (``binary``, ``multiclass`` or ``regression``) and why.

    Parameters
    ----------
    y : pandas.Series
        The target, without missing values.
    task : {"auto", "binary", "multiclass", "regression"}
        An explicit task is checked against the target and returned.

    Raises
    ------
    InputError
        When ``task`` is unknown or does not fit the target (``parameter="task"``).

    Examples
    --------
    >>> infer_task(pd.Series(["yes", "no", "yes"]))[0]
    'binary'
    >>> infer_task(pd.Series([0.5, 1.5, 2.25, 3.0] * 5))[0]
    'regression'
    """
    if task not in TASKS:
        raise InputError(f"task={task!r}: choose one of {', '.join(TASKS)}", parameter="task")
    n_classes = y.nunique()
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    column = str(y.name)
    if task == "regression":
        if not numeric:
            raise InputError(
                f"task='regression': target {y.name!r} is not numeric ({y.dtype}); "
                "use task='binary' or 'multiclass'",
                column=column,
                parameter="task",
            )
        return task, "asked for with task='regression'"
    if task == "binary":
        if n_classes != 2:
            raise InputError(
                f"task='binary': target {y.name!r} has {n_classes} distinct values, not 2 "
                "(use task='multiclass' or 'regression')",
                column=column,
                parameter="task",
            )
        return task, "asked for with task='binary'"
    if task == "multiclass":
        return task, "asked for with task='multiclass'"
    if n_classes == 2:
        return "binary", f"the target has exactly 2 distinct values ({_values(y)})"
    if not numeric:
        return "multiclass", f"the target is {y.dtype} with {n_classes} distinct values"
    integral = bool(np.all(np.mod(y.to_numpy(dtype=float), 1) == 0))
    if integral and n_classes <= MAX_CLASSES_NUMERIC:
        return "multiclass", (
            f"the target is numeric with only {n_classes} distinct whole values "
            f"(at most {MAX_CLASSES_NUMERIC} reads as classes; pass task='regression' otherwise)"
        )
    return "regression", f"the target is numeric with {n_classes} distinct values"


def score_predictions(
    task: str, y_codes: np.ndarray, predicted: np.ndarray, priors: np.ndarray | None = None
) -> float:
    """The primary metric of ``predicted`` for the true class codes (or values) ``y_codes``.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
    y_codes : numpy.ndarray
        Class codes ``0..k-1`` (classification) or values (regression).
    predicted : numpy.ndarray
        The positive class's probability (binary), the ``(n, k)`` class
        probabilities (multiclass) or the predicted values (regression).
    priors : numpy.ndarray, optional
        Multiclass only: the training shares of the classes, for the balanced
        decision (:func:`~mlstack.tools.exit_test.estimators.decide`).

    Returns
    -------
    float
        NaN when the metric is undefined (one class only in ``y_codes``).

    Examples
    --------
    >>> score_predictions("binary", np.array([0, 1, 1]), np.array([0.2, 0.9, 0.6]))
    1.0
    >>> score_predictions("regression", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    1.0
    """
    if task == "regression":
        return float(r2_score(y_codes, predicted))
    if task == "binary":
        if len(np.unique(y_codes)) < 2:
            return float("nan")
        return float(roc_auc_score(y_codes, predicted))
    return float(balanced_accuracy_score(y_codes, decide(predicted, priors)))


def held_out_scorers(task: str) -> dict[str, Callable[[Any, Any], float]]:
    """The metrics reported on the test set, primary metric first.

    Examples
    --------
    >>> list(held_out_scorers("regression"))
    ['r2', 'rmse', 'mae']
    """
    if task == "binary":
        return {"roc_auc": roc_auc_score, "accuracy": accuracy_score}
    if task == "multiclass":
        return {"balanced_accuracy": balanced_accuracy_score, "accuracy": accuracy_score}
    return {"r2": r2_score, "rmse": root_mean_squared_error, "mae": mean_absolute_error}
