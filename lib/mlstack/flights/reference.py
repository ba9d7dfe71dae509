"""Reference pipelines for the flights task, with all preprocessing inside them.

The notebooks that study *evaluation* (splits, cross-validation) need one model
that stays the same while the evaluation changes. :func:`flights_pipeline`
builds it from the columns of :func:`mlstack.flights.data.task_frame`:

``"hgb"``
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` on the raw
    columns; it handles missing values and the low-cardinality categoricals
    (carrier, origin, destination, plane model...) natively.
``"logistic"``
    :class:`~sklearn.linear_model.LogisticRegression` after median imputation
    and standard scaling of the numbers and one-hot encoding of the categoricals.

Every learned step (encoders, imputers, scalers, target encodings) sits inside
the pipeline, so cross-validation and the held-out test refit it on training
rows only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

from mlstack.errors import InputError

__all__ = ["NOT_FEATURES", "flights_pipeline"]

#: Columns of ``task_frame`` the reference models do not learn from: the
#: timestamps (their parts ``month``, ``day_of_year``, ``hour``... are features)
#: the constant ``year``, and the aircraft ``tailnum`` (thousands of levels;
#: it is the *group* of the split notebooks, target-encoded only on request).
NOT_FEATURES: tuple[str, ...] = ("sched_dep", "time_hour", "year", "tailnum")

_KINDS = ("hgb", "logistic")


def flights_pipeline(
    kind: str = "hgb",
    *,
    drop: Sequence[str] = (),
    target_encode: Sequence[str] = (),
    random_state: int = 0,
) -> Pipeline:
    """Build an unfitted reference pipeline for "will the flight arrive late?".

    Parameters
    ----------
    kind : {"hgb", "logistic"}, default="hgb"
        The estimator (see the module docstring).
    drop : sequence of str, default=()
        Further columns to ignore, on top of :data:`NOT_FEATURES`. Columns
        listed here need not exist in the data.
    target_encode : sequence of str, default=()
        Categorical columns to replace by their target mean with
        :class:`~sklearn.preprocessing.TargetEncoder` (cross-fitted during
        ``fit``, so a row's own label never encodes it). May include
        ``"tailnum"``.
    random_state : int, default=0
        Seed of the estimator and of the target encoder's internal folds.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``preprocess`` (a ``ColumnTransformer``) and ``model``.

    Examples
    --------
    >>> X = pd.DataFrame({"carrier": pd.Categorical(["AA", "UA"] * 20),
    ...                   "distance": np.arange(40.0), "year": 2013})
    >>> y = pd.Series([False, True] * 20)
    >>> model = flights_pipeline("logistic").fit(X, y)
    >>> model[:-1].get_feature_names_out().tolist()
    ['distance', 'carrier_AA', 'carrier_UA']
    """
    if kind not in _KINDS:
        raise InputError(f"unknown model kind {kind!r}; choose one of {', '.join(_KINDS)}")
    encoded = list(target_encode)
    ignored = [col for col in (*NOT_FEATURES, *drop) if col not in encoded]
    steps: list[tuple] = [("ignore", "drop", _Columns(names=ignored))]
    if encoded:
        encoder = TargetEncoder(
            target_type="binary", cv=StratifiedKFold(5, shuffle=True, random_state=random_state)
        )
        steps.append(("target", encoder, encoded))
    if kind == "hgb":
        preprocess = ColumnTransformer(
            steps, remainder="passthrough", verbose_feature_names_out=False
        )
        # pandas output keeps the category dtypes the estimator reads
        preprocess.set_output(transform="pandas")
        estimator = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=random_state
        )
    else:
        # ColumnTransformer hands each column to the first transformer that
        # names it, so the selectors below skip the ignored and encoded ones.
        taken = [*ignored, *encoded]
        if encoded:  # a target mean is a probability: put it on the scale of the others
            steps[-1] = ("target", make_pipeline(steps[-1][1], StandardScaler()), encoded)
        numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        categories = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20)
        steps += [
            ("num", numbers, _Columns(include=np.number, exclude=taken)),
            ("cat", categories, _Columns(include="category", exclude=taken)),
        ]
        preprocess = ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)
        estimator = LogisticRegression(max_iter=1000)
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


class _Columns:
    """Select exactly ``names`` (those present), or the columns of dtype ``include``
    minus ``exclude``. A class rather than a closure, so pipelines pickle."""

    def __init__(self, *, names=None, include=None, exclude=()):
        self.names = names
        self.include = include  # not named `dtype`: sklearn would take it for an array
        self.exclude = tuple(exclude)

    def __repr__(self) -> str:
        if self.names is not None:
            return f"columns({list(self.names)})"
        include = getattr(self.include, "__name__", self.include)
        return f"columns(dtype={include!r}, exclude={list(self.exclude)})"

    def __call__(self, frame: pd.DataFrame) -> list[str]:
        if self.names is not None:
            return [col for col in self.names if col in frame.columns]
        found = make_column_selector(dtype_include=self.include)(frame)
        return [col for col in found if col not in self.exclude]
