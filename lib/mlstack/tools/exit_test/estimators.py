"""The small estimators the exit test adds to scikit-learn's and skrub's.

:class:`CoerceNumeric` reads mixed-type columns as numbers; :class:`KnownCategories`
keeps each categorical column to the categories seen in training; :class:`CodedClassifier`
fits a classifier on class codes ``0..k-1`` (XGBoost accepts nothing else) and, for
balanced accuracy, predicts the class that is most likely *relative to its share*.
All are saved with the model (``model.skops``), so their module path is one of the
types a loader is asked to trust.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
)
from sklearn.utils.validation import check_is_fitted

from mlstack.errors import InputError

__all__ = ["DECISIONS", "CodedClassifier", "CoerceNumeric", "KnownCategories", "decide"]

#: How a classifier turns class probabilities into one class.
DECISIONS = ("argmax", "balanced")


class CoerceNumeric(TransformerMixin, BaseEstimator):
    """Read the given text columns as numbers; values that are not numbers become missing.

    For columns with mixed types (``"12"``, ``"7"``, ``"unknown"``): the numbers keep
    their meaning for the model, and the few text values are treated as missing,
    which every model of the exit test handles.

    Parameters
    ----------
    columns : list of str
        The columns to convert; other columns pass through unchanged.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": ["1", "x", "3"], "b": ["u", "v", "w"]})
    >>> CoerceNumeric(columns=["a"]).fit_transform(frame)["a"].tolist()
    [1.0, nan, 3.0]
    """

    def __init__(self, columns: list[str] = ()) -> None:
        self.columns = columns

    def fit(self, X: pd.DataFrame, y: Any = None) -> CoerceNumeric:
        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise InputError(
                f"CoerceNumeric: columns {missing} are not in X", column=str(missing[0])
            )
        self.columns_ = list(self.columns)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        converted = {
            c: pd.to_numeric(X[c].astype("string"), errors="coerce").astype(float)
            for c in self.columns_
        }
        return X.assign(**converted)


class KnownCategories(TransformerMixin, BaseEstimator):
    """Give each categorical column the categories it had in training; others become missing.

    skrub's ``ToCategorical`` adds the categories it meets in new rows to the
    column's dtype. XGBoost refuses a category it was not trained on, and no model
    can learn anything about one, so a category unseen in training is read as a
    missing value, which every boosting library handles.

    Examples
    --------
    >>> train = pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "x": [1, 2, 3]})
    >>> new = pd.DataFrame({"c": pd.Categorical(["b", "z"]), "x": [4, 5]})
    >>> out = KnownCategories().fit(train).transform(new)
    >>> out["c"].cat.categories.tolist(), out["c"].isna().tolist()
    (['a', 'b'], [False, True])
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> KnownCategories:
        categorical = X.select_dtypes("category")
        # Plain lists: the fitted transformer is saved with skops, which stores no pandas Index.
        self.categories_ = {c: categorical[c].cat.categories.tolist() for c in categorical.columns}
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        known = {c: X[c].cat.set_categories(cats) for c, cats in self.categories_.items()}
        return X.assign(**known)


def decide(proba: np.ndarray, priors: np.ndarray | None = None) -> np.ndarray:
    """Column index of the chosen class for each row of ``proba``.

    Without ``priors``, the most probable class. With the training shares of the
    classes as ``priors``, the class whose probability is highest *relative to its
    share* (``argmax p(c | x) / p(c)``): the choice that maximises the expected
    balanced accuracy, since that metric weighs each class equally whatever its size.

    Examples
    --------
    >>> proba = np.array([[0.7, 0.3], [0.85, 0.15]])
    >>> decide(proba).tolist(), decide(proba, priors=np.array([0.8, 0.2])).tolist()
    ([0, 0], [1, 0])
    """
    scores = proba if priors is None else proba / np.maximum(priors, 1e-12)
    return np.argmax(scores, axis=1)


class CodedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit ``estimator`` on class codes ``0..k-1``; predict class labels.

    Parameters
    ----------
    estimator : classifier
        Any classifier with ``predict_proba`` (a pipeline, an ensemble).
    decision : {"argmax", "balanced"}, default="argmax"
        ``"argmax"`` predicts the most probable class; ``"balanced"`` the class most
        probable relative to its training share (see :func:`decide`), the rule that
        suits balanced accuracy.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, sorted.
    priors_ : numpy.ndarray
        Each class's share of the training rows.
    estimator_ : classifier
        The fitted clone of ``estimator``, fitted on the codes.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [0.2], [0.9], [1.0]])
    >>> model = CodedClassifier(LogisticRegression()).fit(X, ["no", "no", "yes", "yes"])
    >>> model.predict([[0.1], [0.95]]).tolist()
    ['no', 'yes']
    """

    def __init__(self, estimator: Any, decision: str = "argmax") -> None:
        self.estimator = estimator
        self.decision = decision

    def fit(self, X: Any, y: Any) -> CodedClassifier:
        if self.decision not in DECISIONS:
            raise InputError(
                f"decision={self.decision!r}: choose one of {', '.join(DECISIONS)}",
                parameter="decision",
            )
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        self.priors_ = np.bincount(codes, minlength=len(self.classes_)) / len(codes)
        self.estimator_ = clone(self.estimator).fit(X, codes)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        priors = self.priors_ if self.decision == "balanced" else None
        return self.classes_[decide(self.predict_proba(X), priors)]
