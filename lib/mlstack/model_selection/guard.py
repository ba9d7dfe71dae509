"""A held-out test set that can be evaluated once.

The test set exists to give one honest estimate at the very end. Every extra
look at it (to compare two models, to try one more setting) turns it into a
validation set and makes its score optimistic. :class:`HeldOutTestSet` owns the
test split and enforces the rule in code: it hands out the training data
freely, scores a fitted model on the test data exactly once, refuses a second
evaluation unless explicitly overridden, and counts every evaluation so the
model card can report it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError, TestSetReuseError
from mlstack.utils.rows import take_rows

__all__ = ["Evaluation", "HeldOutTestSet"]

Scorer = Callable[[Any, Any, Any], float]


@dataclass(frozen=True)
class Evaluation:
    """One evaluation on the test set: the scores and the predictions behind them."""

    scores: dict[str, float]
    y_true: Any = field(repr=False)
    y_pred: Any = field(repr=False)
    y_score: Any = field(default=None, repr=False)
    note: str = ""


class HeldOutTestSet:
    """Own a train/test split and allow a single evaluation on the test part.

    Parameters
    ----------
    X_train, y_train : array-like
        The development data: fit, cross-validate and tune on it freely.
    X_test, y_test : array-like
        The held-out data. Only :meth:`evaluate` reads it.
    name : str, default="test"
        Used in messages and in the model card.

    Attributes
    ----------
    n_evaluations : int
        How many times the test set was scored (0 before the final report,
        exactly 1 after it in a disciplined project).
    history : list of Evaluation
        Every evaluation, in order.

    See Also
    --------
    sklearn.model_selection.train_test_split : carve the split before building this.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import accuracy_score
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> guard = HeldOutTestSet(X[:150], y[:150], X[150:], y[150:])
    >>> model = LogisticRegression().fit(*guard.train)
    >>> result = guard.evaluate(model, {"accuracy": accuracy_score})
    >>> guard.n_evaluations
    1
    >>> guard.evaluate(model, {"accuracy": accuracy_score})
    Traceback (most recent call last):
    ...
    mlstack.errors.TestSetReuseError: the test set was already evaluated once ...
    """

    def __init__(
        self, X_train: Any, y_train: Any, X_test: Any, y_test: Any, *, name: str = "test"
    ) -> None:
        if len(X_train) != len(y_train) or len(X_test) != len(y_test):
            raise InputError("X and y must have the same number of rows on each side of the split")
        if len(X_test) == 0:
            raise InputError("the test set is empty", parameter="X_test")
        self._X_train, self._y_train = X_train, y_train
        self._X_test, self._y_test = X_test, y_test
        self.name = name
        self.history: list[Evaluation] = []

    @classmethod
    def from_split(cls, X: Any, y: Any, test_mask: Any, *, name: str = "test") -> HeldOutTestSet:
        """Build the guard from full data and a boolean mask of the test rows.

        Parameters
        ----------
        X : pandas.DataFrame or numpy.ndarray
        y : pandas.Series or numpy.ndarray
        test_mask : array-like of bool
            True for the rows to hold out (for example ``X["month"] >= 11``).
        """
        mask = np.asarray(test_mask, dtype=bool)
        if mask.shape != (len(X),):
            raise InputError(
                f"test_mask has shape {mask.shape}; expected ({len(X)},)", parameter="test_mask"
            )
        return cls(
            take_rows(X, ~mask),
            take_rows(y, ~mask),
            take_rows(X, mask),
            take_rows(y, mask),
            name=name,
        )

    @property
    def train(self) -> tuple[Any, Any]:
        """The development data ``(X_train, y_train)``; use it as often as you like."""
        return self._X_train, self._y_train

    @property
    def n_train(self) -> int:
        """Number of development rows."""
        return len(self._y_train)

    @property
    def n_test(self) -> int:
        """Number of held-out rows (reading the count does not count as a look)."""
        return len(self._y_test)

    @property
    def n_evaluations(self) -> int:
        """How many times the test set has been scored."""
        return len(self.history)

    @property
    def test_columns(self) -> list[str]:
        """Column names of the test features, for schema checks (no values are read)."""
        return list(getattr(self._X_test, "columns", []))

    def slice_columns(self, columns: Sequence[str]) -> pd.DataFrame:
        """Return some test feature columns, to break the final evaluation down by slice.

        Parameters
        ----------
        columns : sequence of str
            Columns of the test features (e.g. ``["carrier", "origin"]``).

        Returns
        -------
        pandas.DataFrame
            The columns, row-aligned with :attr:`Evaluation.y_true`.

        Raises
        ------
        RuntimeError
            Before the first :meth:`evaluate`: slices describe the one
            evaluation, they are not a way to look at the test set earlier.
        """
        if not self.history:
            raise InputError(
                f"evaluate the model on the {self.name} set first; slices describe that evaluation"
            )
        if not isinstance(self._X_test, pd.DataFrame):
            raise InputError(
                "slice_columns needs the test features as a pandas DataFrame", parameter="columns"
            )
        return self._X_test[list(columns)].reset_index(drop=True)

    def evaluate(
        self,
        model: Any,
        scorers: Mapping[str, Scorer],
        *,
        allow_reuse: bool = False,
        note: str = "",
    ) -> Evaluation:
        """Score a fitted model on the held-out data, once.

        Parameters
        ----------
        model : fitted estimator
            Must have ``predict``; ``predict_proba`` or ``decision_function`` is
            used for scorers that need a continuous score.
        scorers : mapping of str to callable
            ``name -> metric(y_true, y_pred)``. A metric whose name is in
            ``{"roc_auc", "average_precision", "log_loss", "brier"}`` receives the
            predicted probability of the positive class instead of labels.
        allow_reuse : bool, default=False
            Evaluate even though the test set was already used. The evaluation
            is still counted and the model card reports the count.
        note : str, default=""
            Why this evaluation happened (recorded in :attr:`history`).

        Returns
        -------
        Evaluation

        Raises
        ------
        TestSetReuseError
            On a second evaluation without ``allow_reuse=True``.

        .. warning::
            Re-evaluating after looking at a test score, then changing the
            model, is tuning on the test set (anti-pattern AP2): the score
            stops being an honest estimate.
        """
        if self.history and not allow_reuse:
            raise TestSetReuseError(
                f"the {self.name} set was already evaluated once ({self.n_evaluations} evaluation); "
                "a second look makes its score optimistic. Compare models with cross-validation "
                "on the training data, or pass allow_reuse=True and report the count"
            )
        y_pred = model.predict(self._X_test)
        y_score = _positive_score(model, self._X_test)
        scores = {}
        for name, metric in scorers.items():
            uses_score = name in _SCORE_METRICS
            if uses_score and y_score is None:
                raise InputError(
                    f"metric {name!r} needs predict_proba or decision_function",
                    parameter="scorers",
                )
            scores[name] = float(metric(self._y_test, y_score if uses_score else y_pred))
        evaluation = Evaluation(scores, self._y_test, y_pred, y_score, note)
        self.history.append(evaluation)
        return evaluation


_SCORE_METRICS = frozenset({"roc_auc", "average_precision", "log_loss", "brier"})


def _positive_score(model: Any, X: Any) -> np.ndarray | None:
    if hasattr(model, "predict_proba"):
        try:
            proba = model.predict_proba(X)
        except AttributeError:  # e.g. an SVC without probability=True
            proba = None
        if proba is not None:
            return proba[:, 1] if proba.ndim == 2 and proba.shape[1] == 2 else proba
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return None
