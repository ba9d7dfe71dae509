"""Choose the final model on cross-validation only, with the selection accounted for.

The best of many candidates looks better than it is on the folds that chose it.
So each step up in complexity must win on folds it was not chosen on, or the
simpler candidate stays:

1. **The reference**: scikit-learn's gradient boosting with default settings
   (skrub's default pipeline), chosen before looking at any score.
2. **The best candidate** (any family, any settings) replaces it only if the
   procedure "pick the best of the pool" beats the reference on folds it did not
   pick on (:func:`~mlstack.metrics.comparison.select_and_recheck`: for each fold,
   the pick is made on the other folds).
3. **The ensemble** replaces the choice so far only if its per-fold scores, with
   weights found on the other folds (:mod:`~mlstack.tools.exit_test.ensemble`),
   beat the choice's own honest per-fold scores.

Each comparison is paired on the same folds and uses the corrected t-test of
Nadeau and Bengio; only ``better`` moves the choice up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlstack.metrics.comparison import Verdict, compare_folds, select_and_recheck
from mlstack.tools.exit_test.crossval import CrossValidation, Evaluation
from mlstack.tools.exit_test.ensemble import Ensemble
from mlstack.tools.exit_test.families import FAMILIES, REFERENCE

__all__ = ["Choice", "choose", "reference_of"]


@dataclass
class Choice:
    """The final model's members, its honest per-fold scores and the verdicts that chose it.

    Attributes
    ----------
    kind : {"reference", "best", "ensemble"}
    members : list of Evaluation
    weights : list of int
    fold_scores : numpy.ndarray
        Per-fold scores of the choice made on other folds (for the reference, its
        own scores: it was not selected).
    verdicts : list of Verdict
        The comparisons made, in order.
    reasons : list of str
        One sentence per step, for the report.
    previous : Choice or None
        The choice this one replaced (the fallback when it cannot be afforded).
    """

    kind: str
    members: list[Evaluation]
    weights: list[int]
    fold_scores: np.ndarray
    verdicts: list[Verdict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    previous: Choice | None = None

    @property
    def label(self) -> str:
        if len(self.members) == 1:
            return self.members[0].candidate.label
        return "average of " + " + ".join(
            f"{w} x {e.candidate.label}" for e, w in zip(self.members, self.weights, strict=True)
        )


def reference_of(pool: list[Evaluation]) -> Evaluation:
    """The reference candidate: the default gradient boosting, else the simplest default.

    ``pool`` must not be empty.
    """
    defaults = [e for e in pool if not e.candidate.params]
    for evaluation in defaults:
        if evaluation.candidate.family == REFERENCE:
            return evaluation
    ranked = sorted(defaults or pool, key=lambda e: (FAMILIES[e.candidate.family].rank, -e.mean))
    return ranked[0]


def choose(cv: CrossValidation, pool: list[Evaluation], ensemble: Ensemble | None) -> Choice:
    """Walk up from the reference to the best candidate and the ensemble, as far as they win.

    Parameters
    ----------
    cv : CrossValidation
    pool : list of Evaluation
        Every candidate scored on all rows, best first (not empty).
    ensemble : Ensemble or None

    Returns
    -------
    Choice
    """
    reference = reference_of(pool)
    ref_label = reference.candidate.label
    choice = Choice("reference", [reference], [1], reference.scores.copy())
    sizes = {"n_train": cv.n_train, "n_test": cv.n_test}
    if len(pool) < 2:
        choice.reasons.append(f"{ref_label} is the only candidate scored on all rows.")
        return choice
    best = pool[0]
    matrix = np.array([e.scores for e in pool])
    verdict, picked = select_and_recheck(
        matrix, reference.scores, **sizes, names=(f"the best of {len(pool)} candidates", ref_label)
    )
    choice.verdicts.append(verdict)
    honest = matrix[picked, np.arange(cv.n_folds)]
    if best is reference:
        choice.reasons.append(
            f"The reference, {ref_label}, is also the best of the {len(pool)} candidates."
        )
    elif verdict.verdict == "better":
        choice = Choice("best", [best], [1], honest, choice.verdicts)
        choice.reasons.append(
            f"{best.candidate.label} replaces the reference: picking the best candidate "
            f"wins on folds it was not picked on. {verdict.sentence()}."
        )
    else:
        choice.reasons.append(
            f"{ref_label} stays: the best candidate, {best.candidate.label}, does not win "
            f"on folds it was not picked on. {verdict.sentence()}."
        )
    if ensemble is None:
        return choice
    if len(ensemble.members) < 2:
        choice.reasons.append(
            f"No ensemble: greedy selection over the best {ensemble.drawn_from} candidates "
            "kept a single one."
        )
        return choice
    verdict = compare_folds(
        ensemble.fold_scores,
        choice.fold_scores,
        **sizes,
        names=("the ensemble", choice.label),
        rechecked=True,
    )
    choice.verdicts.append(verdict)
    if verdict.verdict == "better":
        weights = [int(w) for w in ensemble.weights]
        previous = choice
        choice = Choice("ensemble", ensemble.members, weights, ensemble.fold_scores)
        choice.verdicts, choice.reasons = previous.verdicts, previous.reasons
        choice.previous = previous
        choice.reasons.append(
            f"The ensemble ({choice.label}) replaces it: with weights found on the other "
            f"folds, it wins on each fold in turn. {verdict.sentence()}."
        )
    else:
        choice.reasons.append(
            f"No ensemble: {ensemble.label}, with weights found on the other folds, does "
            f"not win. {verdict.sentence()}."
        )
    return choice
