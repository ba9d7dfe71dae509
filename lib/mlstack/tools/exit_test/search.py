"""Spend the time budget where it pays: a search across families and settings that starts cheap.

The search runs in rounds, each a successive halving (the idea of scikit-learn's
:class:`~sklearn.model_selection.HalvingRandomSearchCV`, here across model
families as well as settings, and on encodings cached per fold):

1. **Screen.** Every family's default settings are cross-validated, first on a
   share of each fold's training rows when the table is large, then on all of
   them. A family stops early when it is distinguishably worse than the best on
   the same folds (the corrected paired t-test of
   :func:`~mlstack.metrics.comparison.compare_folds`), or when fitting it on all
   rows would not fit in the time left; scikit-learn's gradient boosting (the
   reference) and the linear model always run to the end (:data:`GUARANTEED`).
2. **Rounds.** New settings are drawn for the families still in contention (not
   distinguishably worse than the best): half near the family's best settings so
   far, half at random. They are scored on a small share of the rows, the best
   third moves on to three times more rows, and so on up to all rows.
3. **Stop** when a round no longer improves the best cross-validated score (twice
   in a row), when no family is left, when ``max_candidates`` settings have been
   tried, or when the time reserved for the search is spent.

Everything scored on all rows joins the *pool*, from which the final model (or
ensemble) is chosen; only cross-validation decides.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlstack.metrics.comparison import compare_folds
from mlstack.tools.exit_test.crossval import Candidate, CrossValidation, Evaluation
from mlstack.tools.exit_test.families import FAMILIES, REFERENCE, perturb, sample

__all__ = ["MIN_RUNG_ROWS", "SearchResult", "rung_shares", "search"]

# The smallest rung trains on at least this many rows per fold; rungs below the
# last score on the first LOW_RUNG_FOLDS folds only (enough to rank and prune).
MIN_RUNG_ROWS = 1000
LOW_RUNG_FOLDS = 5
MAX_RUNGS = 3
# A round draws this many settings; each rung keeps the best third.
ROUND_SIZE = 9
KEEP = 3
# Families whose settings a round searches, at most.
MAX_SEARCHED = 3
# Rounds that do not improve the best score before the search stops.
PATIENCE = 2
# Searched settings can be this many times slower to fit than the defaults.
SLOWER_SETTINGS = 2.5
# Screen order: the reference and the linear model first (they always run), then the
# others from the usually strongest and quickest to the slowest.
SCREEN_ORDER = ("hgb", "linear", "lightgbm", "xgboost", "extra trees", "random forest")
#: Their default settings run on every rung whatever the time: the run always has
#: skrub's default model (the reference) and the simplest one to compare.
GUARANTEED = (REFERENCE, "linear")


def rung_shares(
    rows: int, min_rows: int = MIN_RUNG_ROWS, max_rungs: int = MAX_RUNGS
) -> list[float]:
    """Shares of the training rows of each rung: ``[1/9, 1/3, 1]`` on a large table, ``[1]`` on a small one.

    Examples
    --------
    >>> rung_shares(500), rung_shares(4000), rung_shares(80_000)
    ([1.0], [0.3333333333333333, 1.0], [0.1111111111111111, 0.3333333333333333, 1.0])
    """
    n = 1
    while n < max_rungs and rows / KEEP**n >= min_rows:
        n += 1
    return [float(KEEP ** -(n - 1 - i)) for i in range(n)]


@dataclass
class SearchResult:
    """What the search scored and why it stopped.

    Attributes
    ----------
    pool : list of Evaluation
        Every candidate scored on all training rows of every fold, best first.
    dummy : Evaluation
        The dummy baseline (class shares, or the mean).
    screen : dict
        Each family's default settings at the largest share they reached.
    log : pandas.DataFrame
        One row per round and rung: share, rows, candidates, finished, best score.
    stopped : str
        Why the search stopped, as a sentence.
    dropped : dict
        Families left out of the rounds, with the reason.
    n_candidates : int
        Settings the rounds drew, beyond the defaults.
    seconds : dict
        Wall seconds of the screen and of the rounds.
    """

    pool: list[Evaluation]
    dummy: Evaluation
    screen: dict[str, Evaluation]
    log: pd.DataFrame
    stopped: str
    dropped: dict[str, str] = field(default_factory=dict)
    n_candidates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def family_table(self) -> pd.DataFrame:
        """Per family: its default's score, its best candidate's, how many were tried, status."""
        rows = []
        screened = {"dummy": self.dummy, **self.screen}
        for name, family in FAMILIES.items():
            default = screened.get(name)
            mine = [e for e in self.pool if e.candidate.family == name]
            best = max(mine, key=_ranking) if mine else None
            ran = mine or name == "dummy"
            rows.append(
                {
                    "family": name,
                    "model": family.title,
                    "default": default.mean if default is not None else math.nan,
                    "default std": default.std if default is not None else math.nan,
                    "rows": default.rows if default is not None else 0,
                    "best": best.mean if best is not None else math.nan,
                    "best candidate": best.candidate.label if best is not None else "-",
                    "tried": len(mine),
                    "s/fold": default.seconds_per_fold if default is not None else math.nan,
                    "status": self.dropped.get(name, "scored on all rows" if ran else "not run"),
                }
            )
        return pd.DataFrame(rows).set_index("family")


def _ranking(evaluation: Evaluation) -> tuple[float, int, int]:
    family = FAMILIES[evaluation.candidate.family]
    return (evaluation.mean, -family.rank, -evaluation.candidate.id)


class _Search:
    def __init__(
        self,
        cv: CrossValidation,
        *,
        deadline: Callable[[list[Evaluation]], float],
        progress,
        max_candidates: int,
        seed: int,
        families: tuple[str, ...],
    ) -> None:
        self.cv = cv
        self.deadline = deadline
        self.progress = progress
        self.max_candidates = max_candidates
        self.rng = np.random.default_rng(seed)
        self.families = [f for f in SCREEN_ORDER if f in families]
        self.shares = rung_shares(cv.rows_at(1.0))
        self.pool: list[Evaluation] = []
        self.screen: dict[str, Evaluation] = {}
        self.dropped: dict[str, str] = {}
        self.log: list[dict] = []
        self.costs: dict[tuple[str, bool], dict[float, float]] = {}
        self.next_id = 1
        self.n_searched = 0

    # -- bookkeeping -------------------------------------------------------------

    def _candidate(self, family: str, params: dict | None = None, origin: str = "default"):
        candidate = Candidate(self.next_id, family, tuple(sorted((params or {}).items())), origin)
        self.next_id += 1
        return candidate

    def _expected(self, candidate: Candidate, share: float) -> float:
        return self._expected_seconds(candidate.family, bool(candidate.params), share)

    def _expected_seconds(self, family: str, searched: bool, share: float) -> float:
        """Expected seconds of one fold: measured at this share or more, else scaled up."""
        measured = self.costs.get((family, searched))
        slower = 1.0
        if not measured and searched:
            measured, slower = self.costs.get((family, False)), SLOWER_SETTINGS
        if not measured:  # a family not fitted yet: as slow as the slowest one so far
            known = [m.get(share, 0.0) for (f, s), m in self.costs.items() if not s]
            return max(known, default=0.0)
        above = [s for s in measured if s >= share]
        if above:
            return slower * measured[min(above)]
        known = max(measured)
        return slower * measured[known] * share / known

    def _learn_cost(self, evaluation: Evaluation) -> None:
        seconds = evaluation.seconds_per_fold
        if not math.isfinite(seconds):
            return
        key = (evaluation.candidate.family, bool(evaluation.candidate.params))
        measured = self.costs.setdefault(key, {})
        measured[evaluation.share] = max(measured.get(evaluation.share, 0.0), seconds)

    def _guaranteed(self, candidate: Candidate) -> bool:
        """The defaults of :data:`GUARANTEED` run on every rung whatever the time, never pruned."""
        return not candidate.params and candidate.family in GUARANTEED

    def _evaluate(self, candidate: Candidate, share: float) -> Evaluation:
        evaluation = self.cv.evaluate(
            candidate,
            share,
            deadline=math.inf if self._guaranteed(candidate) else self.deadline(self.pool),
            expected_seconds=self._expected(candidate, share),
            folds=None if share == 1.0 else LOW_RUNG_FOLDS,
        )
        self._learn_cost(evaluation)
        if evaluation.finished and share == 1.0:
            self.pool.append(evaluation)
        return evaluation

    def _seconds_left(self) -> float:
        return self.deadline(self.pool) - _time.time()

    def _round_cost(self, families: list[str], n: int) -> float:
        """Seconds a round of ``n`` new settings would take, from what fits cost so far."""
        seconds = 0.0
        for i, share in enumerate(self.shares):
            per_fold = max(self._expected_seconds(f, True, share) for f in families)
            folds = self.cv.n_folds if share == 1.0 else min(LOW_RUNG_FOLDS, self.cv.n_folds)
            seconds += math.ceil(n / KEEP**i) * per_fold * folds
        return seconds / max(self.cv.n_jobs, 1)

    def _record(self, round_: int, share: float, evaluations: list[Evaluation], start: float):
        finished = [e for e in evaluations if e.finished]
        best = max(finished, key=_ranking) if finished else None
        self.log.append(
            {
                "round": round_,
                "share": share,
                "rows": self.cv.rows_at(share),
                "candidates": len(evaluations),
                "finished": len(finished),
                "best": best.candidate.label if best else "-",
                "best_score": best.mean if best else float("nan"),
                "seconds": _time.perf_counter() - start,
            }
        )

    # -- the screen of default settings ------------------------------------------

    def screen_defaults(self) -> Evaluation:
        dummy = self.cv.evaluate(self._candidate("dummy"), 1.0)
        alive = [self._candidate(f) for f in self.families]
        for rung, share in enumerate(self.shares):
            start = _time.perf_counter()
            self.progress.phase(
                f"screen: default settings on {self.cv.rows_at(share):,} rows per fold",
                total=len(alive),
            )
            scored = []
            for i, candidate in enumerate(alive):
                evaluation = self._evaluate(candidate, share)
                self.progress.step(i + 1, detail=candidate.family)
                if evaluation.finished:
                    self.screen[candidate.family] = evaluation
                    scored.append(evaluation)
                else:
                    self.dropped[candidate.family] = (
                        f"not finished on {self.cv.rows_at(share):,} rows per fold "
                        "within the time budget"
                    )
            self._record(0, share, [*scored], start)
            if rung < len(self.shares) - 1:
                alive = self._prune(scored, self.shares[rung + 1])
            else:
                alive = [e.candidate for e in scored]
        return dummy

    def _prune(self, scored: list[Evaluation], next_share: float) -> list[Candidate]:
        if not scored:
            return []
        leader = max(scored, key=_ranking)
        kept = []
        for evaluation in scored:
            family = evaluation.candidate.family
            guaranteed = self._guaranteed(evaluation.candidate)
            if not guaranteed and evaluation is not leader and self._worse(evaluation, leader):
                self.dropped[family] = (
                    f"distinguishably worse than {leader.candidate.family} on "
                    f"{evaluation.rows:,} rows per fold"
                )
                continue
            expected = self._expected(evaluation.candidate, next_share) * self.cv.n_folds
            too_slow = expected / max(self.cv.n_jobs, 1) > self._seconds_left()
            if too_slow and not guaranteed:
                self.dropped[family] = (
                    f"fitting it on {self.cv.rows_at(next_share):,} rows per fold would take "
                    "longer than the time left"
                )
                continue
            kept.append(evaluation.candidate)
        return kept

    def _worse(self, evaluation: Evaluation, leader: Evaluation) -> bool:
        k = min(evaluation.n_folds, leader.n_folds)
        verdict = compare_folds(
            evaluation.scores[:k],
            leader.scores[:k],
            n_train=[evaluation.rows] * k,
            n_test=self.cv.n_test[:k],
        )
        return verdict.verdict == "worse"

    # -- rounds of successive halving --------------------------------------------

    def contenders(self) -> list[str]:
        """Families whose best candidate on all rows is not distinguishably worse than the best."""
        best_by_family: dict[str, Evaluation] = {}
        for evaluation in self.pool:
            family = evaluation.candidate.family
            if family not in best_by_family or _ranking(evaluation) > _ranking(
                best_by_family[family]
            ):
                best_by_family[family] = evaluation
        if not best_by_family:
            return []
        leader = max(best_by_family.values(), key=_ranking)
        ranked = sorted(best_by_family.values(), key=_ranking, reverse=True)
        return [e.candidate.family for e in ranked if e is leader or not self._worse(e, leader)]

    def draw(self, families: list[str], n: int) -> list[Candidate]:
        """``n`` new settings: half of each family's share near its best so far, half at random."""
        shares = [n - (n // 2) * (len(families) > 1)] + [0] * (len(families) - 1)
        for i in range(n - shares[0]):
            shares[1 + i % (len(families) - 1)] += 1
        drawn = []
        for family, count in zip(families, shares, strict=True):
            best = max(
                (e for e in self.pool if e.candidate.family == family), key=_ranking
            ).candidate
            for j in range(count):
                if j % 2 == 0:
                    params, origin = (
                        perturb(family, self.cv.task, best.settings, self.rng),
                        (f"near {best.label}"),
                    )
                else:
                    params, origin = sample(family, self.cv.task, self.rng), "random"
                if params:
                    drawn.append(self._candidate(family, params, origin))
        return drawn

    def halving(self, round_: int, candidates: list[Candidate]) -> None:
        for rung, share in enumerate(self.shares):
            start = _time.perf_counter()
            self.progress.phase(
                f"search round {round_}: {len(candidates)} settings on "
                f"{self.cv.rows_at(share):,} rows per fold",
                total=len(candidates),
            )
            scored = []
            for i, candidate in enumerate(candidates):
                scored.append(self._evaluate(candidate, share))
                self.progress.step(i + 1, detail=candidate.label)
            self._record(round_, share, scored, start)
            finished = sorted((e for e in scored if e.finished), key=_ranking, reverse=True)
            if rung < len(self.shares) - 1:
                candidates = [
                    e.candidate for e in finished[: max(1, math.ceil(len(scored) / KEEP))]
                ]
            if not finished:
                return

    def rounds(self) -> str:
        stalls, round_ = 0, 0
        while True:
            families = self.contenders()
            if not families:
                return "no candidate was left to improve on"
            searchable = [f for f in families if FAMILIES[f].searched][:MAX_SEARCHED]
            if not searchable:
                return "no family with settings to search was left in contention"
            left = self.max_candidates - self.n_searched
            if left <= 0:
                return (
                    f"it tried the {self.max_candidates} settings it is allowed (max_candidates)"
                )
            n = min(ROUND_SIZE, left)
            if self._round_cost(searchable, n) > self._seconds_left():
                n = min(KEEP, left)
                if self._round_cost(searchable, n) > self._seconds_left():
                    return "the time budget left no room for another round"
            before = self.best_mean()
            round_ += 1
            candidates = self.draw(searchable, n)
            self.n_searched += n
            self.halving(round_, candidates)
            gain = self.best_mean() - before
            stalls = 0 if gain > self.min_gain() else stalls + 1
            if stalls >= PATIENCE:
                return f"{PATIENCE} rounds in a row did not improve the best score"
            if self._seconds_left() <= 0:
                return "the time reserved for the search was spent"

    def best_mean(self) -> float:
        return max((e.mean for e in self.pool), default=-math.inf)

    def min_gain(self) -> float:
        best = max(self.pool, key=_ranking)
        return 0.1 * best.std / math.sqrt(self.cv.n_folds)


def search(
    cv: CrossValidation,
    *,
    deadline: Callable[[list[Evaluation]], float],
    progress,
    max_candidates: int = 81,
    seed: int = 0,
    families: tuple[str, ...] = SCREEN_ORDER,
) -> SearchResult:
    """Screen the families' defaults, then search settings in rounds until it stops gaining.

    Parameters
    ----------
    cv : CrossValidation
        The folds every candidate is scored on.
    deadline : callable
        ``deadline(pool)`` returns the epoch second by which the search must end,
        given the candidates scored so far (the time kept for the final fit
        depends on them).
    progress : Progress
        Told about each phase and step.
    max_candidates : int, default=81
        Settings the rounds may try beyond the defaults; a small value makes a run
        quick and independent of the machine's speed.
    seed : int, default=0
    families : tuple of str
        The families to try (default: all but the dummy, which always runs).

    Returns
    -------
    SearchResult
    """
    run = _Search(
        cv,
        deadline=deadline,
        progress=progress,
        max_candidates=max_candidates,
        seed=seed,
        families=families,
    )
    start = _time.perf_counter()
    dummy = run.screen_defaults()
    screened = _time.perf_counter()
    stopped = run.rounds() if run.pool else "no family finished on all rows"
    seconds = {"screen": screened - start, "rounds": _time.perf_counter() - screened}
    pool = sorted(run.pool, key=_ranking, reverse=True)
    log = pd.DataFrame(run.log)
    return SearchResult(
        pool, dummy, run.screen, log, stopped, run.dropped, run.n_searched, seconds
    )
