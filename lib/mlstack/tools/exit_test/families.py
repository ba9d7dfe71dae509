"""The model families the exit test tries, their settings and how each is fitted.

A family is an estimator class with a search space and the encoding of the table
it needs (see :mod:`~mlstack.tools.exit_test.encoding`):

=================  ==========================================  ========
family             estimator                                   encoding
=================  ==========================================  ========
``dummy``          class shares / the mean                      none
``linear``         logistic regression / ridge                  linear
``hgb``            scikit-learn's histogram gradient boosting   native
``lightgbm``       LightGBM                                     native
``xgboost``        XGBoost                                      native
``random forest``  scikit-learn's random forest                 ordinal
``extra trees``    scikit-learn's extremely randomized trees    ordinal
=================  ==========================================  ========

scikit-learn's gradient boosting with its default settings is skrub's default model and
the exit test's reference; its settings are not searched, since LightGBM covers the
same kind of model and fits several times faster. LightGBM and XGBoost find their number of trees by early stopping on a slice of the
training rows they are given (never on the validation fold); the final model is
refitted on all rows with the number the folds found (:func:`final_iterations`).
Every estimator runs on one thread: parallelism, when there is any, comes from
fitting folds side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split

__all__ = [
    "FAMILIES",
    "REFERENCE",
    "Family",
    "early_stopping_fit",
    "final_iterations",
    "make_estimator",
    "perturb",
    "sample",
]

# Boosting: at most this many trees, stopping after PATIENCE rounds without gain on
# the early-stopping slice.
MAX_TREES = 1000
PATIENCE = 30
FOREST_TREES = 100


@dataclass(frozen=True)
class Family:
    """One model family: its name, its simplicity rank and the encoding it needs.

    ``rank`` orders families from simplest to most complex; ties in a choice go to
    the simpler one.
    """

    name: str
    title: str
    encoding: str
    rank: int
    boosting: bool = False
    searched: bool = True


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("dummy", "dummy baseline", "none", 0, searched=False),
        Family("linear", "linear model", "linear", 1),
        Family("hgb", "gradient boosting (scikit-learn)", "native", 2, searched=False),
        Family("random forest", "random forest", "ordinal", 3),
        Family("extra trees", "extra trees", "ordinal", 3),
        Family("lightgbm", "LightGBM", "native", 4, boosting=True),
        Family("xgboost", "XGBoost", "native", 4, boosting=True),
    )
}

#: The family whose default settings are the reference model (skrub's default pipeline).
REFERENCE = "hgb"

# Search spaces: (kind, low, high); "log" and "int-log" are sampled on a log scale.
_SPACES: dict[str, dict[str, tuple[str, float, float]]] = {
    "linear": {"C": ("log", 1e-3, 1e2)},
    "linear regression": {"alpha": ("log", 1e-3, 1e3)},
    "hgb": {
        "learning_rate": ("log", 0.01, 0.3),
        "max_leaf_nodes": ("int-log", 4, 128),
        "min_samples_leaf": ("int-log", 2, 100),
        "l2_regularization": ("log", 1e-3, 10.0),
        "max_features": ("float", 0.4, 1.0),
    },
    "lightgbm": {
        "learning_rate": ("log", 0.01, 0.3),
        "num_leaves": ("int-log", 4, 256),
        "min_child_samples": ("int-log", 2, 100),
        "colsample_bytree": ("float", 0.4, 1.0),
        "subsample": ("float", 0.5, 1.0),
        "reg_lambda": ("log", 1e-3, 10.0),
    },
    "xgboost": {
        "learning_rate": ("log", 0.01, 0.3),
        "max_depth": ("int", 2, 10),
        "min_child_weight": ("log", 0.5, 20.0),
        "colsample_bytree": ("float", 0.4, 1.0),
        "subsample": ("float", 0.5, 1.0),
        "reg_lambda": ("log", 1e-2, 10.0),
    },
    "random forest": {
        "max_features": ("float", 0.1, 1.0),
        "min_samples_leaf": ("int-log", 1, 20),
    },
    "extra trees": {
        "max_features": ("float", 0.1, 1.0),
        "min_samples_leaf": ("int-log", 1, 20),
    },
}


def _space(family: str, task: str) -> dict[str, tuple[str, float, float]]:
    if family == "linear" and task == "regression":
        return _SPACES["linear regression"]
    return _SPACES.get(family, {})


def _draw(kind: str, low: float, high: float, u: float) -> float | int:
    if kind in ("log", "int-log"):
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        value = low + u * (high - low)
    if kind in ("int", "int-log"):
        return int(round(value))
    return float(value)


def sample(family: str, task: str, rng: np.random.Generator) -> dict[str, Any]:
    """Random settings for ``family``, uniform (or log-uniform) over its search space.

    Examples
    --------
    >>> params = sample("lightgbm", "binary", np.random.default_rng(0))
    >>> sorted(params)[:3], 4 <= params["num_leaves"] <= 256
    (['colsample_bytree', 'learning_rate', 'min_child_samples'], True)
    >>> sample("dummy", "binary", np.random.default_rng(0))
    {}
    """
    space = _space(family, task)
    return {name: _draw(*spec, rng.random()) for name, spec in sorted(space.items())}


def perturb(
    family: str, task: str, params: dict[str, Any], rng: np.random.Generator, scale: float = 0.15
) -> dict[str, Any]:
    """Settings near ``params``: each moved by up to ``scale`` of its range (log range for logs).

    Missing settings start from the middle of their range, so the defaults
    (``{}``) can be perturbed too.

    Examples
    --------
    >>> near = perturb("linear", "binary", {"C": 1.0}, np.random.default_rng(0))
    >>> 0.2 < near["C"] < 5.0
    True
    """
    moved = {}
    for name, (kind, low, high) in sorted(_space(family, task).items()):
        log = kind in ("log", "int-log")
        lo, hi = (math.log(low), math.log(high)) if log else (low, high)
        current = params.get(name, _draw(kind, low, high, 0.5))
        position = (math.log(current) if log else current) - lo
        u = np.clip(position / (hi - lo) + scale * rng.uniform(-1, 1), 0.0, 1.0)
        moved[name] = _draw(kind, low, high, float(u))
    return moved


def make_estimator(
    family: str,
    task: str,
    params: dict[str, Any],
    seed: int,
    *,
    n_iter: int | None = None,
) -> Any:
    """The estimator of ``family`` with ``params`` (one thread, seeded).

    With ``n_iter`` (boosting families only) the estimator fits exactly that many
    trees, without early stopping: the final refit on all training rows.

    Examples
    --------
    >>> make_estimator("linear", "regression", {"alpha": 2.0}, 0)
    Ridge(alpha=2.0)
    >>> make_estimator("lightgbm", "binary", {}, 0, n_iter=50).n_estimators
    50
    """
    classify = task != "regression"
    if family == "dummy":
        return DummyClassifier(strategy="prior") if classify else DummyRegressor()
    if family == "linear":
        return LogisticRegression(max_iter=2000, **params) if classify else Ridge(**params)
    if family in ("random forest", "extra trees"):
        forests = {
            "random forest": (RandomForestClassifier, RandomForestRegressor),
            "extra trees": (ExtraTreesClassifier, ExtraTreesRegressor),
        }
        cls = forests[family][0 if classify else 1]
        return cls(n_estimators=FOREST_TREES, n_jobs=1, random_state=seed, **params)
    if family == "hgb":  # exactly skrub's default model
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return cls(categorical_features="from_dtype", random_state=seed, **params)
    if family == "lightgbm":
        from lightgbm import LGBMClassifier, LGBMRegressor

        cls = LGBMClassifier if classify else LGBMRegressor
        bagging = {"subsample_freq": 1} if "subsample" in params else {}
        return cls(
            n_estimators=n_iter or MAX_TREES,
            n_jobs=1,
            random_state=seed,
            verbose=-1,
            **bagging,
            **params,
        )
    if family == "xgboost":
        from xgboost import XGBClassifier, XGBRegressor

        cls = XGBClassifier if classify else XGBRegressor
        stopping = {} if n_iter else {"early_stopping_rounds": PATIENCE}
        return cls(
            n_estimators=n_iter or MAX_TREES,
            enable_categorical=True,
            tree_method="hist",
            n_jobs=1,
            random_state=seed,
            **stopping,
            **params,
        )
    raise KeyError(family)


def early_stopping_fit(
    family: str, estimator: Any, X: Any, y: np.ndarray, *, classify: bool, seed: int
) -> tuple[Any, int | None]:
    """Fit ``estimator`` and return it with the number of trees it kept.

    LightGBM and XGBoost stop on a slice of ``X`` held out from their own fit (a
    tenth, or more on small tables, stratified for classes). Other families are
    simply fitted (the number is ``None``); scikit-learn's gradient boosting keeps
    its own default (early stopping from 10,000 rows on).
    """
    if family not in ("lightgbm", "xgboost"):
        return estimator.fit(X, y), None
    share = min(0.25, max(0.1, 200 / max(len(y), 1)))
    stratify = y if classify and np.bincount(y).min() >= 2 else None
    fit_X, stop_X, fit_y, stop_y = train_test_split(
        X, y, test_size=share, random_state=seed, stratify=stratify
    )
    if family == "lightgbm":
        import lightgbm

        stop = [lightgbm.early_stopping(PATIENCE, verbose=False)]
        estimator.fit(fit_X, fit_y, eval_X=(stop_X,), eval_y=(stop_y,), callbacks=stop)
        return estimator, int(estimator.best_iteration_ or estimator.n_estimators)
    estimator.fit(fit_X, fit_y, eval_set=[(stop_X, stop_y)], verbose=False)
    return estimator, int(estimator.best_iteration) + 1


def final_iterations(per_fold: list[int | None]) -> int | None:
    """Trees for the final refit: the folds' median, grown a little for the extra rows.

    A fold trains on part of the rows, and early stopping held out a slice of
    those; with all rows a model can use a few more trees (10 %).

    Examples
    --------
    >>> final_iterations([80, 100, 120]), final_iterations([None, None])
    (110, None)
    """
    found = [n for n in per_fold if n is not None]
    if not found:
        return None
    return max(1, int(round(float(np.median(found)) * 1.1)))
