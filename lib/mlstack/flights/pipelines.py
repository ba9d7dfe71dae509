"""The flights task's models: one builder for every pipeline, on the policy's features.

:func:`make_model` is the one place that builds a model for the flights task: a
``Pipeline(preprocess, model)`` whose first step selects the features of
:mod:`mlstack.flights.policy` (or, on purpose, others) and prepares them for the
model family, whose second step is the estimator of a table of factories
(:data:`MODEL_NAMES`). Every notebook that fits a clean flights model calls it, so
"clean" means the same everywhere; a notebook that departs from the policy (a
planted leak, an extra encoded column) passes ``features=`` or ``target_encode=``
and says so next to the call.

Two preprocessors, one per kind of model (:func:`make_preprocessor`):

``"linear"``
    For a logistic regression: numeric columns imputed (median, with a
    missing-value indicator) and standardized; categorical columns and the day of
    the week one-hot encoded, rare categories grouped. Fitted inside the pipeline,
    so cross-validation never leaks statistics of a validation fold.
``"tree"``
    For gradient-boosted trees: the columns passed through as a pandas frame,
    categoricals keeping their ``category`` dtype, which scikit-learn's
    ``HistGradientBoostingClassifier``, LightGBM and XGBoost all read natively
    (missing values too).

Columns listed in ``target_encode`` are replaced by their cross-fitted target mean
(:class:`~sklearn.preprocessing.TargetEncoder`), learned inside the pipeline.

:data:`EARLY_STOPPING` and :data:`SEARCH_SPACES` are the tuning setup of the
mastery model (notebook 08): the same number of settings for each family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

from mlstack.errors import InputError
from mlstack.flights.policy import CATEGORICAL, FEATURES
from mlstack.utils.rows import take_rows

__all__ = [
    "EARLY_STOPPING",
    "MODEL_NAMES",
    "SEARCH_SPACES",
    "LatestRowsStopping",
    "make_model",
    "make_preprocessor",
]


def _dummy(random_state: int, n_threads: int) -> Any:
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="prior")


def _logistic(random_state: int, n_threads: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000)


def _hgb(random_state: int, n_threads: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=100,
        max_leaf_nodes=31,
        early_stopping=False,
        categorical_features="from_dtype",
        random_state=random_state,
    )


def _lightgbm(random_state: int, n_threads: int) -> Any:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(
        n_estimators=100,
        learning_rate=0.1,
        num_leaves=31,
        max_bin=255,
        min_child_samples=20,
        n_jobs=n_threads,
        random_state=random_state,
        verbose=-1,
    )


def _xgboost(random_state: int, n_threads: int) -> Any:
    from xgboost import XGBClassifier

    return XGBClassifier(
        n_estimators=100,
        learning_rate=0.1,
        max_leaves=31,
        max_depth=0,
        grow_policy="lossguide",
        max_bin=255,
        tree_method="hist",
        enable_categorical=True,
        n_jobs=n_threads,
        random_state=random_state,
    )


#: Model families: name -> (factory(random_state, n_threads), preprocessor kind). The three
#: boosting libraries get the same tree budget (100 trees, learning rate 0.1, at most 31
#: leaves, 255 bins), so comparing them compares the implementations.
_FACTORIES: MappingProxyType[str, tuple[Callable[[int, int], Any], str]] = MappingProxyType(
    {
        "dummy": (_dummy, "tree"),
        "logistic": (_logistic, "linear"),
        "hgb": (_hgb, "tree"),
        "lightgbm": (_lightgbm, "tree"),
        "xgboost": (_xgboost, "tree"),
    }
)

#: Model families :func:`make_model` builds.
MODEL_NAMES: tuple[str, ...] = tuple(_FACTORIES)

#: Early stopping of every tuned gradient-boosting model: at most 500 iterations,
#: stopped when the loss on its validation rows has not improved for 10 iterations
#: (with :class:`LatestRowsStopping`, the latest tenth of the training rows).
EARLY_STOPPING = MappingProxyType(
    {
        "early_stopping": True,
        "max_iter": 500,
        "n_iter_no_change": 10,
    }
)

#: The tuning space of each family (pipeline parameter names): twelve settings each.
SEARCH_SPACES = MappingProxyType(
    {
        "hgb": MappingProxyType(
            {
                "model__learning_rate": [0.05, 0.1, 0.2],
                "model__max_leaf_nodes": [3, 7, 15, 31],
            }
        ),
        "logistic": MappingProxyType(
            {
                "model__C": [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0],
                "preprocess__categorical__min_frequency": [20, 2000],
            }
        ),
    }
)


def _kinds(features: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split columns into categorical and numeric by the policy (unknown ones are numeric)."""
    categorical = [c for c in features if c in CATEGORICAL]
    return categorical, [c for c in features if c not in categorical]


def make_preprocessor(
    kind: str = "tree",
    *,
    features: Sequence[str] | None = None,
    target_encode: Sequence[str] = (),
    random_state: int = 0,
) -> ColumnTransformer:
    """Return the column preprocessing of a kind of model.

    Parameters
    ----------
    kind : {"tree", "linear"}, default="tree"
        ``"tree"`` passes the features through as a pandas frame (categoricals
        stay categorical); ``"linear"`` imputes, scales and one-hot encodes them.
    features : sequence of str, optional
        The columns to use; :data:`mlstack.flights.policy.FEATURES` by default.
        Categorical columns are those the policy marks categorical; any other
        column is treated as numeric. Every column must exist in the data.
    target_encode : sequence of str, default=()
        Further columns replaced by their target mean, cross-fitted with
        :class:`~sklearn.preprocessing.TargetEncoder` (and standardized for
        ``"linear"``).
    random_state : int, default=0
        Seed of the target encoder's internal folds.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted; every other column is dropped.

    Examples
    --------
    >>> make_preprocessor("linear").transformers[0][0]
    'categorical'
    >>> [name for name, *_ in make_preprocessor(target_encode=["tailnum"]).transformers]
    ['target', 'categorical', 'numeric']
    """
    categorical, numeric = _kinds(list(FEATURES if features is None else features))
    steps: list[tuple[str, Any, list[str]]] = []
    if target_encode:
        encoder = TargetEncoder(
            target_type="binary", cv=StratifiedKFold(5, shuffle=True, random_state=random_state)
        )
        if kind == "linear":  # a target mean is a probability: put it on the others' scale
            encoder = make_pipeline(encoder, StandardScaler())
        steps.append(("target", encoder, list(target_encode)))
    if kind == "tree":
        steps += [("categorical", "passthrough", categorical), ("numeric", "passthrough", numeric)]
        preprocess = ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)
        return preprocess.set_output(transform="pandas")
    if kind == "linear":
        one_hot = [*categorical, *(["day_of_week"] if "day_of_week" in numeric else [])]
        scaled = [c for c in numeric if c not in one_hot]
        steps += [
            (
                "categorical",
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=100),
                one_hot,
            ),
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                scaled,
            ),
        ]
        return ColumnTransformer(steps, remainder="drop")
    raise InputError(
        f"unknown preprocessor kind {kind!r}; choose 'tree' or 'linear'", parameter="kind"
    )


def make_model(
    name: str,
    *,
    features: Sequence[str] | None = None,
    target_encode: Sequence[str] = (),
    early_stop_on_latest: bool = False,
    random_state: int = 0,
    n_threads: int = 1,
    **params: Any,
) -> Pipeline:
    """Return an unfitted ``Pipeline(preprocess, model)`` of one model family.

    Parameters
    ----------
    name : {"dummy", "logistic", "hgb", "lightgbm", "xgboost"}
        The model family (see :data:`_FACTORIES` for the defaults of each).
    features : sequence of str, optional
        The feature columns; the policy's :data:`~mlstack.flights.policy.FEATURES`
        by default. Passing others departs from the feature policy: say why next
        to the call.
    target_encode : sequence of str, default=()
        Columns to add as cross-fitted target means (another departure).
    early_stop_on_latest : bool, default=False
        Return a :class:`LatestRowsStopping` pipeline, which early-stops the
        model on the latest tenth of its training rows (pass the model's
        ``early_stopping=True``, e.g. with ``**EARLY_STOPPING``).
    random_state : int, default=0
        Seed of the model (and of the target encoder).
    n_threads : int, default=1
        Threads of LightGBM and XGBoost (scikit-learn follows ``OMP_NUM_THREADS``).
    **params
        Overrides of the model's parameters (without the ``model__`` prefix).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``preprocess`` and ``model``.

    Examples
    --------
    >>> make_model("hgb").named_steps["model"].max_leaf_nodes
    31
    >>> import pandas as pd
    >>> X = pd.DataFrame({"carrier": pd.Categorical(["AA", "UA"] * 20), "hour": range(40)})
    >>> model = make_model("hgb", features=["carrier", "hour"], max_iter=5)
    >>> model.fit(X, [False, True] * 20)[:-1].get_feature_names_out().tolist()
    ['carrier', 'hour']
    """
    if name not in _FACTORIES:
        raise InputError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}", parameter="name"
        )
    factory, kind = _FACTORIES[name]
    model = factory(random_state, n_threads)
    if params:
        model.set_params(**params)
    preprocess = make_preprocessor(
        kind, features=features, target_encode=target_encode, random_state=random_state
    )
    steps = [("preprocess", preprocess), ("model", model)]
    return LatestRowsStopping(steps) if early_stop_on_latest else Pipeline(steps)


class LatestRowsStopping(Pipeline):
    """A pipeline whose boosting model stops early on the *latest* rows of its training data.

    Gradient boosting with ``early_stopping=True`` sets aside a random tenth of
    the training rows and stops adding trees when the loss on them no longer
    improves. On time-ordered data that tenth comes from the same weeks as the
    rest, so the trees keep "improving" in-distribution long after they stopped
    helping on the following month. This pipeline sets aside the latest
    ``validation_fraction`` of the rows in time instead, and hands them to the
    model's ``fit`` as its validation set (``X_val``, ``y_val``): the model stops
    when more trees no longer help on the most recent weeks. Those weeks are the
    most relevant to the next month, so with ``refit=True`` (the default) the model
    is then fitted again on every row, with the number of trees the first fit
    stopped at (:attr:`stopped_at_`).

    Parameters
    ----------
    steps : list of (str, estimator)
        As for :class:`~sklearn.pipeline.Pipeline`; the last step's ``fit`` must
        accept ``X_val`` and ``y_val`` and early-stop on them
        (``HistGradientBoostingClassifier(early_stopping=True)``).
    time : str, default="sched_dep"
        Column of ``X`` that orders the rows in time (it need not be a feature).
    validation_fraction : float, default=0.1
        Share of the latest rows set aside to stop on.
    refit : bool, default=True
        Fit the model again on every row with the number of trees found; without
        it the latest rows are only used to stop, never to grow trees.
    memory, verbose, transform_input
        As for :class:`~sklearn.pipeline.Pipeline`.

    Attributes
    ----------
    stopped_at_ : int
        Trees the first fit grew before early stopping ended it.

    Examples
    --------
    >>> from mlstack.flights.data import task_data
    >>> X, y = task_data(sample=3000)
    >>> model = make_model("hgb", early_stop_on_latest=True, **EARLY_STOPPING).fit(X, y)
    >>> model.stopped_at_ == model.named_steps["model"].n_iter_ < EARLY_STOPPING["max_iter"]
    True
    """

    def __init__(
        self,
        steps: list[tuple[str, Any]],
        *,
        time: str = "sched_dep",
        validation_fraction: float = 0.1,
        refit: bool = True,
        transform_input: Any = None,
        memory: Any = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(steps, transform_input=transform_input, memory=memory, verbose=verbose)
        self.time = time
        self.validation_fraction = validation_fraction
        self.refit = refit

    def fit(self, X: Any, y: Any = None, **params: Any) -> LatestRowsStopping:
        """Fit the preprocessing on the earlier rows, then the model, stopping on the latest."""
        if self.time not in getattr(X, "columns", ()):
            raise InputError(
                f"LatestRowsStopping needs the time column {self.time!r} in X", column=self.time
            )
        if not 0 < self.validation_fraction < 1:
            raise InputError(
                f"validation_fraction={self.validation_fraction!r} must be in (0, 1)",
                parameter="validation_fraction",
            )
        order = np.argsort(np.asarray(X[self.time]), kind="stable")
        n_val = max(1, int(round(self.validation_fraction * len(order))))
        early, late = np.sort(order[:-n_val]), np.sort(order[-n_val:])
        y_early, y_late = take_rows(y, early), take_rows(y, late)
        preprocess, model = self[:-1], self.steps[-1][1]  # the step objects themselves
        X_fit = preprocess.fit_transform(take_rows(X, early), y_early)
        X_val = preprocess.transform(take_rows(X, late))
        model.fit(X_fit, y_early, X_val=X_val, y_val=y_late, **params)
        self.stopped_at_ = int(model.n_iter_)
        if self.refit:  # again on every row, as many trees, no validation rows set aside
            saved = model.get_params()
            model.set_params(max_iter=self.stopped_at_, early_stopping=False)
            try:
                model.fit(preprocess.fit_transform(X, y), y, **params)
            finally:
                model.set_params(
                    max_iter=saved["max_iter"], early_stopping=saved["early_stopping"]
                )
        return self
