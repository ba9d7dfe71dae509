"""An ensemble of the best candidates, built and judged inside the cross-validation.

The ensemble is a weighted average of the candidates' predictions (probabilities,
or values), with weights found by greedy ensemble selection (Caruana et al.,
2004): start from nothing, and repeatedly add (with replacement) the candidate
that most improves the score of the average. Weights are whole numbers, and a
candidate that never helps gets none.

Everything it needs is already there: each candidate's out-of-fold predictions.
To judge it honestly, the weights are found on the other folds' predictions and
scored on the remaining fold, for every fold in turn, so the ensemble's per-fold
scores (:attr:`Ensemble.fold_scores`) never saw the fold they score. The
weights of the final ensemble are then found on all folds, and the members are
refitted on all training rows (a soft-voting ensemble of scikit-learn).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlstack.tools.exit_test.crossval import CrossValidation, Evaluation
from mlstack.tools.exit_test.tasks import score_predictions

__all__ = ["MAX_MEMBERS", "Ensemble", "build_ensemble", "greedy_weights"]

# Candidates the selection may draw from (the best by cross-validated score), and
# the number of draws.
MAX_MEMBERS = 8
STEPS = 20


def greedy_weights(predictions: list[np.ndarray], score, *, steps: int = STEPS) -> np.ndarray:
    """Whole-number weights of greedy ensemble selection with replacement.

    Parameters
    ----------
    predictions : list of numpy.ndarray
        Each candidate's predictions of the same rows, best candidate first.
    score : callable
        ``score(average_prediction) -> float``, higher is better.
    steps : int, default=20
        Draws; each adds one to the weight of the candidate that helps most
        (ties: the earlier, i.e. better-ranked, candidate).

    Returns
    -------
    numpy.ndarray of int
        One weight per candidate; they sum to at most ``steps``. Selection stops
        early when no draw improves the score.

    Examples
    --------
    Two noisy copies of a signal average better than either alone:

    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(size=500)
    >>> a, b = truth + rng.normal(size=500), truth + rng.normal(size=500)
    >>> neg_mse = lambda p: -float(np.mean((p - truth) ** 2))
    >>> weights = greedy_weights([a, b], neg_mse)
    >>> bool(weights[0] > 0 and weights[1] > 0)
    True
    """
    counts = np.zeros(len(predictions), dtype=int)
    total = np.zeros_like(predictions[0], dtype=float)
    best = -np.inf
    for _ in range(steps):
        n = counts.sum() + 1
        trials = [score((total + p) / n) for p in predictions]
        pick = int(np.nanargmax(trials))
        if not trials[pick] > best and counts.sum() > 0:
            break
        best = trials[pick]
        counts[pick] += 1
        total += predictions[pick]
    return counts


@dataclass
class Ensemble:
    """A weighted average of candidates, with its honest per-fold scores.

    Attributes
    ----------
    members : list of Evaluation
        The candidates with a positive weight, best first.
    weights : numpy.ndarray of int
        Their weights, found on all folds.
    fold_scores : numpy.ndarray
        Per fold: the score of the ensemble whose weights were found on the other
        folds only.
    """

    members: list[Evaluation]
    weights: np.ndarray
    fold_scores: np.ndarray
    drawn_from: int = field(default=0)

    @property
    def label(self) -> str:
        parts = [
            f"{w} x {e.candidate.label}" for e, w in zip(self.members, self.weights, strict=True)
        ]
        return "average of " + " + ".join(parts)


def _weights_on(cv: CrossValidation, pool: list[Evaluation], folds: list[int]) -> np.ndarray:
    y = np.concatenate([cv.y[cv.splits[f][1]] for f in folds])
    priors = None
    if cv.task == "multiclass" and cv.decision == "balanced":
        priors = np.bincount(cv.y, minlength=cv.n_classes) / len(cv.y)
    stacked = [np.concatenate([e.predictions[f] for f in folds]) for e in pool]
    return greedy_weights(stacked, lambda p: score_predictions(cv.task, y, p, priors))


def _average(pool: list[Evaluation], weights: np.ndarray, fold: int) -> np.ndarray:
    total = sum(w * e.predictions[fold] for e, w in zip(pool, weights, strict=True) if w > 0)
    return total / weights.sum()


def build_ensemble(
    cv: CrossValidation, pool: list[Evaluation], *, max_members: int = MAX_MEMBERS
) -> Ensemble | None:
    """Greedy ensemble selection over the best ``max_members`` candidates of ``pool``.

    ``pool`` must be sorted best first. Returns None when fewer than two candidates
    are available; the ensemble may keep a single member (no average helped).
    """
    drawn = pool[:max_members]
    if len(drawn) < 2:
        return None
    all_folds = list(range(cv.n_folds))
    scores = []
    for fold in all_folds:
        others = [f for f in all_folds if f != fold]
        weights = _weights_on(cv, drawn, others)
        scores.append(cv.score(fold, _average(drawn, weights, fold)))
    weights = _weights_on(cv, drawn, all_folds)
    kept = weights > 0
    members = [e for e, k in zip(drawn, kept, strict=True) if k]
    return Ensemble(members, weights[kept], np.array(scores, dtype=float), len(drawn))
