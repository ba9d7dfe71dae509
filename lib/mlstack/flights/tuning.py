"""How the flights model is tuned and checked: monthly folds, one estimator per family, an AutoML anchor.

Notebook 08 (the mastery model) and notebook 10 (model families) tune and compare on
exactly the same footing, which this module fixes:

- :func:`monthly_folds`: rolling-origin folds over the development months, "train
  through month m, validate on month m + 1", for the last five months;
- :func:`tuning_estimator`: the pipeline of each family as it is tuned (the
  policy's features; gradient boosting early-stopped on the latest tenth of its
  training rows, :class:`~mlstack.flights.pipelines.LatestRowsStopping`), whose
  settings :data:`~mlstack.flights.pipelines.SEARCH_SPACES` vary;
- :func:`fit_fold_models` and :func:`fold_predictions`: one model per fold and its
  predictions of the fold's validation month, the raw material of the forecast
  weather, calibration and decision-threshold measurements;
- :func:`automl_anchor`: FLAML on the same feature table and the same folds, with a
  fixed number of trials and a seed, so its result is reproducible.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_validate

from mlstack.errors import InputError
from mlstack.flights.pipelines import EARLY_STOPPING, make_model
from mlstack.flights.policy import FEATURES
from mlstack.model_selection.splits import RollingOriginSplit
from mlstack.utils.rows import take_rows

__all__ = [
    "MAX_LEAVES",
    "MAX_TREES",
    "AnchorResult",
    "automl_anchor",
    "fit_fold_models",
    "fold_predictions",
    "monthly_folds",
    "scores_by_fold",
    "tuning_estimator",
]


def monthly_folds(X: pd.DataFrame, n_splits: int = 5) -> RollingOriginSplit:
    """Rolling-origin folds by month: train through month m, validate on month m + 1.

    Parameters
    ----------
    X : pandas.DataFrame
        The rows to split, with their ``month``.
    n_splits : int, default=5
        Validate on each of the last ``n_splits`` months present.

    Examples
    --------
    >>> X = pd.DataFrame({"month": np.repeat(np.arange(1, 11), 3)})
    >>> monthly_folds(X).validation_periods()
    [6, 7, 8, 9, 10]
    """
    if "month" not in X.columns:
        raise InputError("monthly_folds needs the column 'month' in X", column="month")
    return RollingOriginSplit(X["month"].to_numpy(), n_splits=n_splits)


def tuning_estimator(family: str, *, random_state: int = 0) -> Any:
    """The pipeline of a family as it is tuned: policy features, its own early stopping.

    Parameters
    ----------
    family : {"hgb", "logistic"}
        Gradient boosting (early-stopped on the latest tenth of its training rows,
        at most ``EARLY_STOPPING["max_iter"]`` trees) or the logistic regression.
    random_state : int, default=0

    Examples
    --------
    >>> tuning_estimator("hgb").named_steps["model"].early_stopping
    True
    """
    if family == "hgb":
        return make_model(
            "hgb", early_stop_on_latest=True, random_state=random_state, **EARLY_STOPPING
        )
    if family == "logistic":
        return make_model("logistic", random_state=random_state)
    raise InputError(f"unknown family {family!r}; choose 'hgb' or 'logistic'", parameter="family")


def fit_fold_models(
    estimator: Any, X: pd.DataFrame, y: pd.Series, cv: Any, *, n_jobs: int | None = None
) -> tuple[list[Any], list[tuple[np.ndarray, np.ndarray]]]:
    """Fit one clone of ``estimator`` per fold (in parallel through joblib).

    Returns
    -------
    models : list of fitted estimators
        One per fold, in fold order.
    folds : list of (train, valid) row positions
    """
    folds = list(cv.split(X))
    result = cross_validate(
        estimator, X, y, cv=folds, scoring="roc_auc", return_estimator=True, n_jobs=n_jobs
    )
    return list(result["estimator"]), folds


def fold_predictions(
    models: Sequence[Any],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    X: pd.DataFrame,
    y: pd.Series,
) -> pd.DataFrame:
    """Each fold model's probabilities for its validation rows, stacked.

    Parameters
    ----------
    models : sequence of fitted estimators
        From :func:`fit_fold_models`.
    folds : sequence of (train, valid)
    X, y : the rows the folds index (``X`` may be altered, e.g. by
        :func:`mlstack.flights.forecast.forecast_weather`, as long as its rows
        stay the same).

    Returns
    -------
    pandas.DataFrame
        One row per validation row of every fold: ``fold`` (from 1), ``row``
        (position in ``X``), ``month``, ``day`` (the date), ``y`` and ``p``.
    """
    frames = []
    for number, (model, (_, valid)) in enumerate(zip(models, folds, strict=True), start=1):
        rows = take_rows(X, valid)
        frames.append(
            pd.DataFrame(
                {
                    "fold": number,
                    "row": valid,
                    "month": rows["month"].to_numpy(),
                    "day": rows["sched_dep"].dt.normalize().to_numpy(),
                    "y": np.asarray(take_rows(y, valid), dtype=bool),
                    "p": model.predict_proba(rows)[:, 1],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def scores_by_fold(predictions: pd.DataFrame, column: str = "p") -> np.ndarray:
    """ROC AUC of each fold of :func:`fold_predictions` (of ``column``), in fold order.

    Examples
    --------
    >>> frame = pd.DataFrame({"fold": [1, 1, 2, 2], "y": [0, 1, 0, 1], "p": [.2, .8, .9, .1]})
    >>> scores_by_fold(frame).tolist()
    [1.0, 0.0]
    """
    return np.array(
        [roc_auc_score(part["y"], part[column]) for _, part in predictions.groupby("fold")]
    )


@dataclass(frozen=True)
class AnchorResult:
    """What the AutoML anchor found.

    Attributes
    ----------
    learner : str
        FLAML's name of the best learner (``"lgbm"``, ``"xgboost"``...).
    config : dict
        Its best configuration.
    fold_scores : numpy.ndarray
        ROC AUC of that configuration on each fold, in fold order.
    n_trials : int
        Configurations tried.
    seconds : float
        Wall time of the whole search.
    """

    learner: str
    config: dict[str, Any]
    fold_scores: np.ndarray
    n_trials: int
    seconds: float

    @property
    def mean(self) -> float:
        """Mean ROC AUC over the folds."""
        return float(np.mean(self.fold_scores))

    def describe(self) -> str:
        """One line: the learner, the trials, the score and the time."""
        return (
            f"FLAML ({self.n_trials} trials, best learner {self.learner}): ROC AUC "
            f"{self.mean:.3f} over {len(self.fold_scores)} folds in {self.seconds:.0f} s"
        )


#: Upper bounds of FLAML's tree budget per trial: about the hand-built model's own (at most
#: 500 trees of at most 255 leaves), so that a fixed number of trials takes a bounded time.
MAX_TREES, MAX_LEAVES = 1024, 256


def _bounded_spaces(estimators: Sequence[str]) -> dict[str, dict[str, Any]]:
    """FLAML's search space of each learner, with the number and size of trees capped."""
    from flaml import tune

    def size(upper: int) -> dict[str, Any]:
        return {
            "domain": tune.lograndint(lower=4, upper=upper),
            "init_value": 4,
            "low_cost_init_value": 4,
        }

    leaves = {"lgbm": "num_leaves", "xgboost": "max_leaves"}
    return {
        name: {"n_estimators": size(MAX_TREES), leaves[name]: size(MAX_LEAVES)}
        for name in estimators
        if name in leaves
    }


def _fold_losses(val_loss_folds: list[float], log_metrics: list[Any]) -> tuple[float, dict]:
    """FLAML's cross-validation aggregate, keeping each fold's loss for a paired comparison."""
    return float(np.mean(val_loss_folds)), {"fold_losses": [float(v) for v in val_loss_folds]}


def automl_anchor(
    X: pd.DataFrame,
    y: pd.Series,
    cv: Any,
    *,
    max_iter: int = 20,
    seed: int = 0,
    estimators: Sequence[str] = ("lgbm", "xgboost"),
    n_jobs: int = 1,
) -> AnchorResult:
    """Run FLAML on the policy's features and the given folds, for a fixed number of trials.

    A fixed number of trials (``max_iter``) and a seed, rather than a time budget,
    make the result the same on any machine; the wall time is measured and
    reported beside it. Each trial's trees are capped (:data:`MAX_TREES` trees of at
    most :data:`MAX_LEAVES` leaves), so the trials' cost is bounded too.

    Parameters
    ----------
    X : pandas.DataFrame
        Rows with (at least) the columns of :data:`mlstack.flights.policy.FEATURES`;
        only those are given to FLAML.
    y : pandas.Series
    cv : splitter
        The folds (a :class:`~mlstack.model_selection.splits.RollingOriginSplit`
        over the rows of ``X``); FLAML scores every trial on all of them.
    max_iter : int, default=20
        Trials.
    seed : int, default=0
    estimators : sequence of str, default=("lgbm", "xgboost")
        FLAML learners to search.
    n_jobs : int, default=1
        Threads of each trial.

    Returns
    -------
    AnchorResult
    """
    from flaml import AutoML

    automl = AutoML()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            X[list(FEATURES)],
            np.asarray(y, dtype=bool),
            task="classification",
            metric="roc_auc",
            eval_method="cv",
            split_type=cv,
            estimator_list=list(estimators),
            max_iter=max_iter,
            time_budget=-1,
            seed=seed,
            sample=False,
            retrain_full=False,
            n_jobs=n_jobs,
            verbose=0,
            cv_score_agg_func=_fold_losses,
            custom_hp=_bounded_spaces(estimators),
        )
    seconds = time.perf_counter() - start
    losses = automl.best_result["metric_for_logging"]["fold_losses"]
    config = {k: (v.item() if hasattr(v, "item") else v) for k, v in automl.best_config.items()}
    return AnchorResult(  # without a time budget FLAML runs exactly max_iter trials
        automl.best_estimator, config, 1.0 - np.asarray(losses, dtype=float), max_iter, seconds
    )
