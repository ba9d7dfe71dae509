"""Choose the final model on cross-validation only, with the selection accounted for.

The best of many candidates looks better than it is on the folds that chose it.
So each step up in complexity is judged on folds it was not chosen on:

1. **The reference**: scikit-learn's gradient boosting with default settings
   (skrub's default pipeline), chosen before looking at any score.
2. **The best candidate** (any family, any settings) replaces it if the procedure
   "pick the best of the pool" beats the reference on folds it did not pick on
   (:func:`~mlstack.metrics.comparison.select_and_recheck`: for each fold, the pick
   is made on the other folds).
3. **The ensemble** replaces the choice so far if its per-fold scores, with weights
   found on the other folds (:mod:`~mlstack.tools.exit_test.ensemble`), beat the
   choice's own re-checked per-fold scores.

Each comparison is paired on the same folds, with the corrected t-test of Nadeau
and Bengio, and read by :func:`steps_up`: a step is taken when it is ``better``;
it is refused when it is ``worse`` or ``equivalent`` (its whole interval within
:data:`ROPE` of zero: no practical gain, so the simpler model stays); when it is
``indistinguishable``, the re-checked mean decides, since it is not inflated by
the selection, and the report says the step is within noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlstack.metrics.comparison import Verdict, compare_folds, select_and_recheck
from mlstack.tools.exit_test.crossval import CrossValidation, Evaluation
from mlstack.tools.exit_test.ensemble import Ensemble
from mlstack.tools.exit_test.families import FAMILIES, REFERENCE

__all__ = ["ROPE", "Choice", "choose", "reference_of", "steps_up"]

#: Differences of the primary metric smaller than this are of no practical importance.
ROPE = 0.002


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


def _sentence(verdict: Verdict) -> str:
    text = verdict.sentence()
    return text[:1].upper() + text[1:]


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


def steps_up(verdict: Verdict) -> bool:
    """Whether a re-checked comparison moves the choice to the more complex model.

    Examples
    --------
    >>> from mlstack.metrics.comparison import Verdict
    >>> steps_up(Verdict("better", 0.01, 0.004, 0.016, 0.95, "t-test"))
    True
    >>> steps_up(Verdict("indistinguishable", 0.003, -0.004, 0.010, 0.95, "t-test"))
    True
    >>> steps_up(Verdict("equivalent", 0.0005, -0.001, 0.0015, 0.95, "t-test", rope=0.002))
    False
    """
    if verdict.verdict == "better":
        return True
    return verdict.verdict == "indistinguishable" and verdict.difference > 0


def _why(verdict: Verdict) -> str:
    """What the comparison found, as the end of a sentence."""
    if verdict.verdict == "better":
        return "wins"
    if verdict.verdict == "indistinguishable" and verdict.difference > 0:
        return "scores higher on average, though within noise"
    if verdict.verdict == "equivalent":
        return "is equivalent (no practical gain)"
    return "does not score higher"


def _step_to_best(cv, pool: list[Evaluation], reference: Evaluation) -> Choice:
    ref_label = reference.candidate.label
    choice = Choice("reference", [reference], [1], reference.scores.copy())
    best = pool[0]
    matrix = np.array([e.scores for e in pool])
    verdict, picked = select_and_recheck(
        matrix,
        reference.scores,
        n_train=cv.n_train,
        n_test=cv.n_test,
        rope=ROPE,
        names=(f"the best of {len(pool)} candidates", ref_label),
    )
    choice.verdicts.append(verdict)
    if best is reference:
        choice.reasons.append(
            f"The reference, {ref_label}, is also the best of the {len(pool)} candidates."
        )
    elif steps_up(verdict):
        honest = matrix[picked, np.arange(cv.n_folds)]
        choice = Choice("best", [best], [1], honest, choice.verdicts)
        choice.reasons.append(
            f"{best.candidate.label} replaces the reference: on folds it was not picked on, "
            f"picking the best candidate {_why(verdict)}. {_sentence(verdict)}."
        )
    else:
        choice.reasons.append(
            f"{ref_label} stays: on folds it was not picked on, picking the best candidate "
            f"({best.candidate.label}) {_why(verdict)}. {_sentence(verdict)}."
        )
    return choice


def _step_to_ensemble(cv, choice: Choice, ensemble: Ensemble) -> Choice:
    if len(ensemble.members) < 2:
        choice.reasons.append(
            f"No ensemble: greedy selection over the best {ensemble.drawn_from} candidates "
            "kept a single one."
        )
        return choice
    verdict = compare_folds(
        ensemble.fold_scores,
        choice.fold_scores,
        n_train=cv.n_train,
        n_test=cv.n_test,
        rope=ROPE,
        names=("the ensemble", choice.label),
        rechecked=True,
    )
    choice.verdicts.append(verdict)
    if not steps_up(verdict):
        choice.reasons.append(
            f"No ensemble: with weights found on the other folds, {ensemble.label} "
            f"{_why(verdict)}. {_sentence(verdict)}."
        )
        return choice
    weights = [int(w) for w in ensemble.weights]
    stepped = Choice("ensemble", ensemble.members, weights, ensemble.fold_scores)
    stepped.verdicts, stepped.reasons, stepped.previous = choice.verdicts, choice.reasons, choice
    stepped.reasons.append(
        f"The ensemble ({stepped.label}) replaces {choice.label}: with weights found on the "
        f"other folds, it {_why(verdict)}. {_sentence(verdict)}."
    )
    return stepped


def choose(cv: CrossValidation, pool: list[Evaluation], ensemble: Ensemble | None) -> Choice:
    """Walk up from the reference to the best candidate and the ensemble, as far as :func:`steps_up` allows.

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
    if len(pool) < 2:
        choice = Choice("reference", [reference], [1], reference.scores.copy())
        choice.reasons.append(
            f"{reference.candidate.label} is the only candidate scored on all rows."
        )
        return choice
    choice = _step_to_best(cv, pool, reference)
    return choice if ensemble is None else _step_to_ensemble(cv, choice, ensemble)
