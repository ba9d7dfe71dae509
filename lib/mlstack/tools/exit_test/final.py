"""The final model: refit the choice on all training rows, then score the test set once.

A single candidate becomes a :class:`~sklearn.pipeline.Pipeline` of its encoding
and its estimator; an ensemble becomes scikit-learn's soft
:class:`~sklearn.ensemble.VotingClassifier` (or a
:class:`~sklearn.ensemble.VotingRegressor`) with the weights found in
cross-validation, its members grouped by encoding so each encoder is fitted once. Boosting models are refitted with the number of trees
their folds found by early stopping. A classifier is wrapped in
:class:`~mlstack.tools.exit_test.estimators.CodedClassifier`, which fits on class
codes and applies the decision rule the metric calls for.

The test set is scored once, through
:class:`~mlstack.model_selection.guard.HeldOutTestSet`; its intervals resample the
stored test predictions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.pipeline import Pipeline

from mlstack.metrics.bootstrap import bootstrap_ci
from mlstack.model_selection.guard import HeldOutTestSet
from mlstack.tools.exit_test.crossval import Evaluation
from mlstack.tools.exit_test.encoding import encoder_steps
from mlstack.tools.exit_test.estimators import CodedClassifier
from mlstack.tools.exit_test.families import FAMILIES, final_iterations, make_estimator
from mlstack.tools.exit_test.result import Prepared
from mlstack.tools.exit_test.tasks import held_out_scorers

__all__ = ["BOOTSTRAP_RESAMPLES", "evaluate_once", "final_model"]

BOOTSTRAP_RESAMPLES = 1000


def _estimator(evaluation: Evaluation, task: str, seed: int) -> Any:
    """The candidate's estimator, with the number of trees its folds found by early stopping."""
    candidate = evaluation.candidate
    n_iter = final_iterations(evaluation.n_iter) if FAMILIES[candidate.family].boosting else None
    return make_estimator(candidate.family, task, candidate.settings, seed, n_iter=n_iter)


def _vote(named: list[tuple[str, Any]], weights: list[int], task: str) -> Any:
    if task == "regression":
        return VotingRegressor(named, weights=weights)
    return VotingClassifier(named, voting="soft", weights=weights)


def final_model(
    members: list[Evaluation],
    weights: list[int],
    task: str,
    *,
    coerce: list[str],
    seed: int,
    decision: str,
) -> Any:
    """The unfitted final estimator: one pipeline, or a weighted vote of several models.

    Members that share an encoding share one fitted encoder: each encoding is a
    pipeline ending in a weighted vote of its members, and the encodings are
    combined by a vote weighted by their members' total weight, which gives
    every member exactly its own weight in the average.
    """
    groups: dict[str, list[tuple[Evaluation, int]]] = {}
    for evaluation, weight in zip(members, weights, strict=True):
        encoding = FAMILIES[evaluation.candidate.family].encoding
        groups.setdefault(encoding, []).append((evaluation, int(weight)))
    pipelines, totals = [], []
    for encoding, group in groups.items():
        if len(group) == 1:
            model = _estimator(group[0][0], task, seed)
        else:
            named = [(_name(e), _estimator(e, task, seed)) for e, _ in group]
            model = _vote(named, [w for _, w in group], task)
        steps = encoder_steps(encoding, coerce)
        pipelines.append((encoding, Pipeline([*steps, ("model", model)])))
        totals.append(sum(w for _, w in group))
    final = pipelines[0][1] if len(pipelines) == 1 else _vote(pipelines, totals, task)
    if task == "regression":
        return final
    return CodedClassifier(final, decision=decision)


def _name(evaluation: Evaluation) -> str:
    """A step name for a member: ``lightgbm_12``, ``linear_default``."""
    candidate = evaluation.candidate
    suffix = "default" if not candidate.params else str(candidate.id)
    return f"{candidate.family.replace(' ', '_')}_{suffix}"


def _intervals(
    scorers: dict[str, Callable], evaluation: Any, seed: int, pos_label: Any
) -> dict[str, tuple[float, float]]:
    """95 % bootstrap intervals of each test metric, from the stored test predictions.

    Uses the model card's seed and resample count, so the report and the card show
    the same interval.
    """
    intervals = {}
    for name in scorers:
        uses_score = name == "roc_auc"
        predicted = evaluation.y_score if uses_score else evaluation.y_pred
        ci = bootstrap_ci(
            np.asarray(evaluation.y_true),
            np.asarray(predicted),
            name,
            n_resamples=BOOTSTRAP_RESAMPLES,
            random_state=seed,
            pos_label=pos_label if uses_score else None,
        )
        intervals[name] = (float(ci.low), float(ci.high))
    return intervals


def evaluate_once(
    model: Any, prepared: Prepared, seed: int
) -> tuple[Any, Any, HeldOutTestSet, dict[str, tuple[float, float]]]:
    """Fit ``model`` on the training part and score the test set, exactly once.

    Returns
    -------
    model : estimator
        Fitted.
    evaluation : object
        The guard's evaluation (scores and stored predictions).
    guard : HeldOutTestSet
    intervals : dict
        95 % bootstrap interval of each test metric.
    """
    guard = HeldOutTestSet(
        prepared.X_train, prepared.y_train, prepared.X_test, prepared.y_test, name="test"
    )
    scorers = held_out_scorers(prepared.task)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(*guard.train)
        evaluation = guard.evaluate(model, scorers, note="final model, evaluated once")
    pos_label = model.classes_[1] if prepared.task == "binary" else None
    return model, evaluation, guard, _intervals(scorers, evaluation, seed, pos_label)
