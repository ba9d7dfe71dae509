"""The models of the exit test: candidate pipelines, search spaces and a budgeted search.

Each family is a :class:`~sklearn.pipeline.Pipeline` whose preprocessing is what
skrub's :func:`~skrub.tabular_pipeline` chooses for that estimator (a
``TableVectorizer``, plus imputation and scaling for the linear model), so the
column typing and encoding are a well-kept library's, not hand-written. The
search is scikit-learn's :class:`~sklearn.model_selection.HalvingRandomSearchCV`,
sized by :func:`plan_search` to the time left, and held to a hard deadline by
:class:`Deadline`: fits requested after it are skipped and scored NaN, so the
search ends on time without losing what it already measured.
"""

from __future__ import annotations

import time as _time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, TransformerMixin, clone, is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from mlstack.errors import InputError

__all__ = ["FACTOR", "CoerceNumeric", "Deadline", "families", "plan_search", "tune"]

# The halving search: candidates shrink by FACTOR per round.
FACTOR = 3
# Planning the search: a fit on a small share of the rows still costs this share of a
# full fit, and searched settings can be this many times slower than the defaults.
SMALL_FIT_SHARE = 0.5
SLOWER_SETTINGS = 2.0


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


def families(task: str, seed: int, *, coerce: list[str] = ()) -> dict[str, Pipeline]:
    """Return the three candidate pipelines: dummy baseline, linear model, gradient boosting.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
    seed : int
        ``random_state`` of the gradient-boosting model.
    coerce : list of str, default=()
        Mixed-type columns that a :class:`CoerceNumeric` first step reads as numbers.

    Examples
    --------
    >>> sorted(families("binary", 0))
    ['dummy', 'gradient boosting', 'linear']
    """
    import skrub

    if task == "regression":
        dummy, linear = DummyRegressor(), Ridge()
        boosting = HistGradientBoostingRegressor(
            categorical_features="from_dtype", random_state=seed
        )
    else:
        dummy, linear = DummyClassifier(strategy="prior"), LogisticRegression(max_iter=1000)
        boosting = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=seed
        )
    pipelines = {
        "dummy": Pipeline([("dummy", dummy)]),
        "linear": skrub.tabular_pipeline(linear),
        "gradient boosting": skrub.tabular_pipeline(boosting),
    }
    if coerce:
        for name in ("linear", "gradient boosting"):
            steps = pipelines[name].steps
            pipelines[name] = Pipeline([("coercenumeric", CoerceNumeric(list(coerce))), *steps])
    return pipelines


def _search_space(family: str, task: str) -> dict[str, Any]:
    from scipy.stats import loguniform

    if family == "linear":
        if task == "regression":
            return {"ridge__alpha": loguniform(1e-3, 1e3)}
        return {"logisticregression__C": loguniform(1e-3, 1e2)}
    kind = "regressor" if task == "regression" else "classifier"
    step = f"histgradientboosting{kind}"
    return {
        f"{step}__learning_rate": loguniform(0.01, 0.3),
        f"{step}__max_leaf_nodes": [7, 15, 31, 63, 127],
        f"{step}__min_samples_leaf": [5, 10, 20, 50, 100],
        f"{step}__l2_regularization": [0.0, 0.01, 0.1, 1.0, 10.0],
        f"{step}__max_features": [0.5, 0.8, 1.0],
        f"{step}__max_iter": [100, 200, 400],
    }


class Deadline(MetaEstimatorMixin, BaseEstimator):
    """Fit ``estimator``, or skip it (fit a dummy) when it would end after ``deadline``.

    ``deadline`` is in epoch seconds; ``fit_seconds`` is the expected duration of one
    fit, so a long fit is not started just before the deadline.

    Used only inside the search: a skipped fit is scored NaN by :class:`SkipAwareScorer`,
    so the search ends on time without an exception and ranks skipped candidates last.
    """

    def __init__(
        self, estimator: Any, deadline: float = float("inf"), fit_seconds: float = 0.0
    ) -> None:
        self.estimator = estimator
        self.deadline = deadline
        self.fit_seconds = fit_seconds

    def fit(self, X: Any, y: Any) -> Deadline:
        # A fit that would end after the deadline is not started.
        self.skipped_ = _time.time() + self.fit_seconds > self.deadline
        if self.skipped_:
            model = DummyRegressor() if is_regressor(self.estimator) else DummyClassifier()
        else:
            model = clone(self.estimator)
        self.estimator_ = model.fit(X, y)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X: Any) -> Any:
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        return self.estimator_.predict_proba(X)

    @available_if(lambda self: hasattr(self.estimator, "decision_function"))
    def decision_function(self, X: Any) -> Any:
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        return get_tags(self.estimator)


class SkipAwareScorer:
    """Score with ``scoring``, or NaN for a fit that :class:`Deadline` skipped."""

    def __init__(self, scoring: str) -> None:
        self.scoring = scoring

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        if getattr(estimator, "skipped_", False):
            return float("nan")
        return get_scorer(self.scoring)(estimator, X, y)


def search_cost(rounds: int) -> float:
    """Cost of a halving search of ``rounds`` rounds, in full-data fits per fold.

    Round ``i`` fits ``3**(rounds - i)`` candidates on a ``3**(i + 1 - rounds)`` share
    of the rows. A fit on a small share still costs :data:`SMALL_FIT_SHARE` of a
    full one (pipeline overhead, a fixed number of boosting iterations), and searched
    settings can be slower than the defaults: :data:`SLOWER_SETTINGS` times.

    Examples
    --------
    >>> search_cost(1), search_cost(2)
    (6.0, 15.0)
    """
    units = sum(
        FACTOR ** (rounds - i) * max(FACTOR ** (i + 1 - rounds), SMALL_FIT_SHARE)
        for i in range(rounds)
    )
    return SLOWER_SETTINGS * units


def plan_search(
    n_rows: int,
    seconds_per_fold: float,
    seconds_left: float,
    n_jobs: int,
    *,
    n_splits: int,
    max_candidates: int,
    min_rows: int,
) -> int:
    """Return the number of halving rounds k (3**k candidates) that fits in the time left.

    The estimate is :func:`search_cost` times the measured seconds of one default
    fit on a training fold, times the folds, divided by the processes. Returns 0 when
    not even one round fits.

    Examples
    --------
    >>> plan_search(10_000, 0.1, 1e9, 1, n_splits=5, max_candidates=81, min_rows=100)
    4
    >>> plan_search(10_000, 0.1, 10.0, 1, n_splits=5, max_candidates=81, min_rows=100)
    2
    """
    best = 0
    for k in range(1, 8):
        if FACTOR**k > max_candidates or n_rows // FACTOR ** (k - 1) < min_rows:
            break
        cost = search_cost(k) * n_splits * seconds_per_fold / max(n_jobs, 1)
        if cost > seconds_left:
            break
        best = k
    return best


def tune(
    family: str,
    pipeline: Pipeline,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    task: str,
    splits: list,
    scoring: str,
    rounds: int,
    deadline: float,
    seed: int,
    n_jobs: int,
    fit_seconds: float = 0.0,
) -> tuple[dict[str, Any], float, list[float], pd.DataFrame, float]:
    """Run a halving random search of ``FACTOR**rounds`` candidates, stopping at ``deadline``.

    The last round fits the finalists on (almost) all rows with the same ``splits``
    as the model comparison, so its scores compare with the default's.

    Returns
    -------
    params : dict
        Best settings of the last round (empty if the deadline left it unfinished).
    score : float
        Their mean cross-validated score (NaN if none finished).
    folds : list of float
        Their per-fold scores.
    rounds : pandas.DataFrame
        Per round: candidates, rows, finished candidates and best score.
    fit_seconds : float
        Mean seconds to fit the best settings on a training fold (NaN if none).
    """
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    space = {f"estimator__{k}": v for k, v in _search_space(family, task).items()}
    search = HalvingRandomSearchCV(
        Deadline(pipeline, deadline=deadline, fit_seconds=fit_seconds),
        space,
        n_candidates=FACTOR**rounds,
        factor=FACTOR,
        min_resources=len(y) // FACTOR ** (rounds - 1),
        cv=splits,
        scoring=SkipAwareScorer(scoring),
        refit=False,
        random_state=seed,
        n_jobs=n_jobs,
        return_train_score=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    results = pd.DataFrame(search.cv_results_)
    finite = np.isfinite(results["mean_test_score"])
    rounds_table = (
        results.assign(finished=finite)
        .groupby("iter")
        .agg(
            candidates=("mean_test_score", "size"),
            rows=("n_resources", "first"),
            finished=("finished", "sum"),
            best_score=("mean_test_score", "max"),
        )
        .astype({"candidates": int, "rows": int, "finished": int})
    )
    rounds_table.index.name = "round"
    # Only the last round fits on (nearly) all rows: earlier rounds' scores are on
    # subsamples and do not compare with the default's.
    last = results[finite & (results["iter"] == results["iter"].max())]
    if last.empty:
        return {}, float("nan"), [], rounds_table, float("nan")
    best = last.loc[last["mean_test_score"].idxmax()]
    params = {
        k.removeprefix("estimator__"): v.item() if isinstance(v, np.generic) else v
        for k, v in best["params"].items()
    }
    folds = [float(best[f"split{i}_test_score"]) for i in range(len(splits))]
    return (
        params,
        float(best["mean_test_score"]),
        folds,
        rounds_table,
        float(best["mean_fit_time"]),
    )
