"""Turn the table into model input, the way skrub's ``tabular_pipeline`` does, once per fold.

Three encodings serve the families of :mod:`~mlstack.tools.exit_test.families`:

- ``linear``: skrub's choice for a linear model: a ``TableVectorizer`` (one-hot for
  few categories, a ``StringEncoder`` for text, splines for dates), then imputation
  with missing-value indicators and a ``SquashingScaler``;
- ``native``: skrub's choice for gradient boosting: categories stay categories (each
  boosting library splits on them natively), text goes through a ``StringEncoder``;
  a category unseen in training is read as missing (:class:`~mlstack.tools.exit_test.estimators.KnownCategories`);
- ``ordinal``: the native encoding with each category replaced by its code, for the
  forests, which split on numbers only.

Fitting a ``TableVectorizer`` costs more than fitting many small models, so
:class:`EncodedFolds` fits each encoding once per cross-validation fold, on that
fold's training rows only, and every candidate of the search reuses it. The
final model is a :class:`~sklearn.pipeline.Pipeline` of the same steps
(:func:`encoder_steps`) refitted on all training rows.
"""

from __future__ import annotations

import threading
import time as _time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OrdinalEncoder

from mlstack.tools.exit_test.estimators import CoerceNumeric, KnownCategories

__all__ = ["ENCODINGS", "EncodedFolds", "encoder_steps"]

ENCODINGS = ("none", "linear", "native", "ordinal")


def _category_codes() -> ColumnTransformer:
    codes = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    return ColumnTransformer(
        [("codes", codes, make_column_selector(dtype_include="category"))],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def encoder_steps(encoding: str, coerce: list[str] = ()) -> list[tuple[str, Any]]:
    """The unfitted preprocessing steps of ``encoding``, as ``(name, transformer)`` pairs.

    Examples
    --------
    >>> [name for name, _ in encoder_steps("linear")]
    ['tablevectorizer', 'simpleimputer', 'squashingscaler']
    >>> [name for name, _ in encoder_steps("ordinal", coerce=["age"])]
    ['coercenumeric', 'tablevectorizer', 'knowncategories', 'categorycodes']
    """
    import skrub

    if encoding not in ENCODINGS:
        raise KeyError(encoding)
    steps: list[tuple[str, Any]] = (
        [("coercenumeric", CoerceNumeric(list(coerce)))] if coerce else []
    )
    if encoding == "none":
        return steps
    if encoding == "linear":
        prefix = skrub.tabular_pipeline(LogisticRegression())[:-1]
        return steps + [(name, clone(step)) for name, step in prefix.steps]
    vectorizer = skrub.TableVectorizer(
        low_cardinality=skrub.ToCategorical(), high_cardinality=skrub.StringEncoder()
    )
    steps += [("tablevectorizer", vectorizer), ("knowncategories", KnownCategories())]
    if encoding == "ordinal":
        steps.append(("categorycodes", _category_codes()))
    return steps


def _fit_steps(steps: list[tuple[str, Any]], X_train: Any, X_val: Any) -> tuple[Any, Any]:
    for _, step in steps:
        X_train = step.fit_transform(X_train)
        X_val = step.transform(X_val)
    return X_train, X_val


class EncodedFolds:
    """The training and validation rows of each fold, encoded once per encoding.

    Parameters
    ----------
    X : pandas.DataFrame
        The training part of the table.
    splits : list of (train_indices, validation_indices)
    coerce : list of str
        Mixed-type columns read as numbers first.
    n_jobs : int
        Folds encoded side by side (threads).

    Attributes
    ----------
    seconds : dict
        Wall seconds spent encoding, per encoding.
    """

    def __init__(self, X: pd.DataFrame, splits: list, coerce: list[str], n_jobs: int) -> None:
        self.X = X
        self.splits = splits
        self.coerce = list(coerce)
        self.n_jobs = n_jobs
        self.seconds: dict[str, float] = {}
        self._folds: dict[str, list[tuple[Any, Any]]] = {}
        self._lock = threading.Lock()

    def ensure(self, encoding: str) -> None:
        """Encode every fold for ``encoding`` unless already done."""
        with self._lock:
            if encoding in self._folds:
                return
            start = _time.perf_counter()
            if encoding == "ordinal":
                self._encode("native")
                native = self._folds["native"]
                self._folds["ordinal"] = [
                    _fit_steps([("categorycodes", _category_codes())], tr, va) for tr, va in native
                ]
            else:
                self._encode(encoding)
            self.seconds[encoding] = self.seconds.get(encoding, 0.0) + (
                _time.perf_counter() - start
            )

    def _encode(self, encoding: str) -> None:
        if encoding in self._folds:
            return
        from joblib import Parallel, delayed

        def encode(train_idx: np.ndarray, val_idx: np.ndarray) -> tuple[Any, Any]:
            steps = encoder_steps(encoding, self.coerce)
            return _fit_steps(steps, self.X.iloc[train_idx], self.X.iloc[val_idx])

        self._folds[encoding] = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(encode)(tr, va) for tr, va in self.splits
        )

    def fold(self, encoding: str, index: int) -> tuple[Any, Any]:
        """The encoded training and validation rows of fold ``index``."""
        self.ensure(encoding)
        return self._folds[encoding][index]
