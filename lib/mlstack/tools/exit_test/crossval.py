"""Cross-validate one candidate: per-fold scores and out-of-fold predictions, under a deadline.

Every candidate of the search is scored on the same folds, so any two can be
compared fold by fold (paired). Each fold's validation predictions are kept: the
ensemble is built from them, inside the cross-validation, without refitting
anything. A candidate can be scored on a share of each fold's training rows (a
rung of the successive-halving search); the validation rows are always the whole
fold, so candidates of one rung compare.

A fold is not started when its expected duration would take it past the
deadline: it is recorded as skipped (score NaN) and the candidate as unfinished.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from mlstack.tools.exit_test.encoding import EncodedFolds
from mlstack.tools.exit_test.families import FAMILIES, early_stopping_fit, make_estimator
from mlstack.tools.exit_test.tasks import score_predictions

__all__ = ["Candidate", "CrossValidation", "Evaluation"]


@dataclass(frozen=True)
class Candidate:
    """A family with settings: ``params`` empty means the family's default settings."""

    id: int
    family: str
    params: tuple[tuple[str, Any], ...] = ()
    origin: str = "default"

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def label(self) -> str:
        """``"lightgbm (default)"`` or ``"lightgbm #12"``."""
        return f"{self.family} (default)" if not self.params else f"{self.family} #{self.id}"


@dataclass
class Evaluation:
    """A candidate's cross-validated result at one share of the training rows."""

    candidate: Candidate
    share: float
    rows: int
    scores: np.ndarray
    predictions: list[np.ndarray | None] = field(repr=False)
    fit_seconds: np.ndarray = field(repr=False)
    n_iter: list[int | None] = field(repr=False)
    n_folds: int = 0

    @property
    def finished(self) -> bool:
        """Whether every fold asked for (the first ``n_folds``) was fitted and scored."""
        return bool(np.all(np.isfinite(self.scores[: self.n_folds])))

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores[: self.n_folds])) if self.finished else float("nan")

    @property
    def std(self) -> float:
        return float(np.std(self.scores[: self.n_folds])) if self.finished else float("nan")

    @property
    def seconds_per_fold(self) -> float:
        """Mean seconds to fit and predict one fold."""
        done = self.fit_seconds[np.isfinite(self.fit_seconds)]
        return float(np.mean(done)) if done.size else float("nan")


class CrossValidation:
    """The folds, their encodings and the target codes: everything a candidate is scored on.

    Parameters
    ----------
    encoded : EncodedFolds
    y : numpy.ndarray
        Class codes ``0..k-1`` (classification) or values (regression), training part.
    task : {"binary", "multiclass", "regression"}
    decision : {"argmax", "balanced"}
        How multiclass probabilities become a class when scored.
    seed : int
    n_jobs : int
        Folds fitted side by side (threads; each model uses one).
    """

    def __init__(
        self,
        encoded: EncodedFolds,
        y: np.ndarray,
        task: str,
        *,
        decision: str,
        seed: int,
        n_jobs: int,
    ) -> None:
        self.encoded = encoded
        self.y = np.asarray(y)
        self.task = task
        self.decision = decision
        self.seed = seed
        self.n_jobs = n_jobs
        self.splits = encoded.splits
        self.n_classes = 0 if task == "regression" else int(self.y.max()) + 1
        rng = np.random.default_rng(seed)
        # One fixed order of each fold's training rows: a share takes its first rows,
        # so the rows of a small rung are also in every larger one.
        self._orders = [rng.permutation(len(train)) for train, _ in self.splits]

    @property
    def n_folds(self) -> int:
        return len(self.splits)

    @property
    def n_train(self) -> list[int]:
        return [len(train) for train, _ in self.splits]

    @property
    def n_test(self) -> list[int]:
        return [len(val) for _, val in self.splits]

    def rows_at(self, share: float) -> int:
        """Mean training rows per fold at ``share``."""
        return int(np.mean([math.ceil(share * n) for n in self.n_train]))

    def priors(self, fold: int) -> np.ndarray | None:
        """Class shares of fold ``fold``'s training rows, when the decision uses them."""
        if self.task != "multiclass" or self.decision != "balanced":
            return None
        y_train = self.y[self.splits[fold][0]]
        return np.bincount(y_train, minlength=self.n_classes) / len(y_train)

    def score(self, fold: int, predicted: np.ndarray) -> float:
        """The primary metric of ``predicted`` on fold ``fold``'s validation rows."""
        y_val = self.y[self.splits[fold][1]]
        return score_predictions(self.task, y_val, predicted, self.priors(fold))

    def evaluate(
        self,
        candidate: Candidate,
        share: float = 1.0,
        *,
        deadline: float = math.inf,
        expected_seconds: float = 0.0,
        folds: int | None = None,
    ) -> Evaluation:
        """Fit and score ``candidate`` on the first ``folds`` folds (default: all).

        It trains on ``share`` of each fold's training rows. ``deadline`` is in epoch
        seconds; a fold expected to take ``expected_seconds`` is not started when it
        would end after it. Folds not asked for are scored NaN.
        """
        family = FAMILIES[candidate.family]
        self.encoded.ensure(family.encoding)
        k = self.n_folds if folds is None else min(folds, self.n_folds)
        results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self._fold)(candidate, i, share, deadline, expected_seconds) for i in range(k)
        )
        results += [(float("nan"), None, float("nan"), None)] * (self.n_folds - k)
        scores, predictions, seconds, n_iter = zip(*results, strict=True)
        return Evaluation(
            candidate,
            share,
            self.rows_at(share),
            np.array(scores, dtype=float),
            list(predictions),
            np.array(seconds, dtype=float),
            list(n_iter),
            k,
        )

    def _fold(
        self, candidate: Candidate, fold: int, share: float, deadline: float, expected: float
    ) -> tuple[float, np.ndarray | None, float, int | None]:
        if _time.time() + expected > deadline:
            return float("nan"), None, float("nan"), None
        start = _time.perf_counter()
        family = FAMILIES[candidate.family]
        X_train, X_val = self.encoded.fold(family.encoding, fold)
        train_idx = self.splits[fold][0]
        take = np.sort(self._orders[fold][: max(1, math.ceil(share * len(train_idx)))])
        X_train = X_train.iloc[take] if hasattr(X_train, "iloc") else X_train[take]
        y_train = self.y[train_idx][take]
        classify = self.task != "regression"
        present = np.unique(y_train) if classify else None
        if classify:  # some classes may be absent from a small share: fit on their local codes
            y_train = np.searchsorted(present, y_train)
        estimator = make_estimator(candidate.family, self.task, candidate.settings, self.seed)
        with threadpool_limits(limits=1):
            model, n_iter = early_stopping_fit(
                candidate.family, estimator, X_train, y_train, classify=classify, seed=self.seed
            )
            predicted = self._predict(model, X_val, present)
        seconds = _time.perf_counter() - start
        return self.score(fold, predicted), predicted, seconds, n_iter

    def _predict(self, model: Any, X_val: Any, present: np.ndarray | None) -> np.ndarray:
        if present is None:
            return np.asarray(model.predict(X_val), dtype=float)
        proba = np.zeros((X_val.shape[0], self.n_classes))
        proba[:, present] = model.predict_proba(X_val)
        return proba[:, 1] if self.task == "binary" else proba
