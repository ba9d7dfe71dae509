"""The time budget: when the search must stop so that the final fit and the files still fit.

The run's deadline is fixed at the start. What must happen after the search (the
final refit and writing the files) is estimated from what the run has measured so
far, on this machine at this moment: the seconds each candidate took per fold and
the seconds each encoding took to fit. The search's own deadline moves with those
estimates, and an ensemble that would not be refitted and written in time is
given up for the simpler choice it would have replaced.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

from mlstack.tools.exit_test.crossval import CrossValidation, Evaluation
from mlstack.tools.exit_test.families import FAMILIES
from mlstack.tools.exit_test.selection import Choice

__all__ = ["Budget"]

# Kept back for the files (model, report, card): a share of the budget, a few
# seconds, and for each encoding in the model file MODEL_FILE times the seconds it
# took to fit on one fold (skops writes a fitted TableVectorizer slowly).
WRITING_SHARE = 0.05
WRITING_S = 3.0
MODEL_FILE = 6.0
# A final fit takes about this many times one fold's fit (more rows, the encoders).
FULL_FIT = 1.5
# The search keeps time for refitting and writing an ensemble of this many members.
RESERVED_MEMBERS = 3


@dataclass
class Budget:
    """The run's deadline, and the time the steps after the search are expected to take.

    Parameters
    ----------
    budget_s : float
        The whole run's budget, in seconds.
    deadline : float
        When the run must end, in epoch seconds.
    cv : CrossValidation
        Its encodings' measured fitting times feed the estimates.
    figures_s : float, default=0.0
        Seconds the profile's figures took to draw: the report's and the card's
        figures take about as long.
    """

    budget_s: float
    deadline: float
    cv: CrossValidation
    figures_s: float = 0.0

    def _encodings_per_fold(self, members: list[Evaluation]) -> float:
        encodings = {FAMILIES[e.candidate.family].encoding for e in members}
        total = sum(self.cv.encoded.seconds.get(name, 0.0) for name in encodings)
        return total / self.cv.n_folds

    def writing(self, members: list[Evaluation]) -> float:
        """Expected seconds to write the files of a model made of ``members``."""
        fixed = WRITING_SHARE * self.budget_s + WRITING_S + self.figures_s
        return fixed + MODEL_FILE * self._encodings_per_fold(members)

    def refit(self, members: list[Evaluation]) -> float:
        """Expected seconds to refit ``members`` on all training rows."""
        fits = sum(e.seconds_per_fold for e in members)
        return FULL_FIT * (fits + self._encodings_per_fold(members))

    def search_deadline(self, pool: list[Evaluation]) -> float:
        """When the search must end: early enough to refit and write the best few of ``pool``."""
        top = sorted(pool, key=lambda e: -e.mean)[:RESERVED_MEMBERS]
        return self.deadline - self.writing(top) - self.refit(top)

    def affordable(self, choice: Choice) -> Choice:
        """``choice``, or the choice it replaced when refitting and writing it would end too late."""
        if choice.kind != "ensemble" or choice.previous is None:
            return choice
        needed = self.refit(choice.members)
        if _time.time() + needed + self.writing(choice.members) <= self.deadline:
            return choice
        fallback = choice.previous
        fallback.reasons.append(
            f"But refitting the ensemble would take about {needed:.0f} s, past the time "
            f"budget: {fallback.label} is kept."
        )
        return fallback
