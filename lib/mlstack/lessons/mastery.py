"""The mastery notebook's measurements and the sentences built from them (notebook 08).

Not for reuse: each function here does one step of ``notebooks/08_mastery_model.ipynb``
and returns a table or an object whose ``sentence()`` states the result, so the
notebook's cells stay one call long and its prose cannot contradict its numbers.
The reusable pieces live in the library: the feature policy and the models
(:mod:`mlstack.flights`), the folds and searches (:mod:`mlstack.model_selection`),
the comparisons and intervals (:mod:`mlstack.metrics`). The checks on the chosen model
(forecast weather, calibration, the decision rule, the test evaluation) are in
:mod:`mlstack.lessons.mastery_checks`, the model card in :mod:`mlstack.lessons.mastery_card`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlstack.flights.pipelines import SEARCH_SPACES, make_model
from mlstack.flights.policy import NUMERIC
from mlstack.flights.tuning import tuning_estimator
from mlstack.metrics.comparison import Verdict, compare_folds, select_and_recheck
from mlstack.metrics.evaluation import roc_auc_columns
from mlstack.model_selection.optimism import selection_optimism, summarize_optimism
from mlstack.model_selection.search import (
    candidate_fold_scores,
    fold_scores,
    format_params,
    place_in_space,
)
from mlstack.reporting.model_card import HeldOutResult
from mlstack.utils.timing import Timing

__all__ = [
    "Ap2Pool",
    "FamilyChoice",
    "Stopwatch",
    "TuningCheck",
    "anchor_sentence",
    "ap2_pool",
    "ap2_sentence",
    "baseline_models",
    "check_tuning",
    "choose_family",
    "compare_strategies",
    "compare_with_anchor",
    "fold_score_table",
    "halving_rounds",
    "headline",
    "placement_sentence",
    "plot_late_rate",
    "recap",
    "said",
    "search_spaces",
    "single_feature_auc",
    "split_table",
    "strategies_sentence",
]

_FAMILY_NAMES = {"hgb": "gradient boosting", "logistic": "logistic regression"}


def said(verdict: Verdict) -> str:
    """A verdict's sentence, capitalized and ended, to open a sentence of prose.

    Examples
    --------
    >>> from mlstack.metrics.comparison import compare_folds
    >>> said(compare_folds([0.7, 0.72, 0.71], [0.7, 0.72, 0.71], n_train=9, n_test=3))[:24]
    'A is indistinguishable f'
    """
    text = verdict.sentence()
    return text[:1].upper() + text[1:] + "."


class Stopwatch:
    """Seconds of each step, for ``reports/timings/08_mastery_model.json``.

    A step of minutes runs once per notebook run, so each record is a timing of
    one repeat (``repeat`` 1 and its ``times``, as every raw timing record
    carries): a duration to budget a run, not a measurement to compare.

    Examples
    --------
    >>> watch = Stopwatch()
    >>> with watch("load"):
    ...     pass
    >>> [(record["step"], record["repeat"], len(record["times"])) for record in watch.records]
    [('load', 1, 1)]
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self._add(step, time.perf_counter() - start)

    def add_searches(self, table: pd.DataFrame) -> None:
        """Record each search of :func:`mlstack.model_selection.search.compare_searches`."""
        for name, row in table.iterrows():
            self._add(f"search_{name}", float(row["wall_s"]), fits=int(row["fits"]))

    def _add(self, step: str, seconds: float, **facts: Any) -> None:
        self.records.append({"step": step, **facts, **Timing((seconds,)).as_record()})


def search_spaces(
    override: Mapping[str, Mapping[str, Sequence[Any]]] | None = None, max_iter: int | None = None
) -> dict[str, dict[str, list[Any]]]:
    """The spaces searched per family: the library's, or smaller ones (smoke runs).

    ``override`` maps a family (``"hgb"``, ``"logistic"``) to the space that
    replaces its own; ``max_iter`` caps the boosting iterations of every boosting
    setting (a one-value entry of its space, so every candidate carries it).

    Examples
    --------
    >>> spaces = search_spaces({"hgb": {"model__max_leaf_nodes": [7, 31]}}, max_iter=10)
    >>> spaces["hgb"], len(spaces["logistic"])
    ({'model__max_leaf_nodes': [7, 31], 'model__max_iter': [10]}, 2)
    """
    spaces = {
        family: {k: list(v) for k, v in (override or {}).get(family, space).items()}
        for family, space in SEARCH_SPACES.items()
    }
    if max_iter is not None:
        spaces["hgb"]["model__max_iter"] = [int(max_iter)]
    return spaces


def _fixed(space: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """The parameters a space holds at a single value."""
    return {k: v[0] for k, v in space.items() if len(v) == 1}


def split_table(X: pd.DataFrame, test_months: np.ndarray) -> pd.DataFrame:
    """Flights and first and last departure on each side of the split (counts only)."""
    side = pd.Series(np.where(test_months, "test", "development"), index=X.index, name="side")
    table = X.groupby(side)["sched_dep"].agg(["size", "min", "max"])
    return table.rename(
        columns={"size": "flights", "min": "first departure", "max": "last departure"}
    )


def plot_late_rate(X: pd.DataFrame, y: pd.Series) -> Any:
    """Bar chart of the late share per development month."""
    import matplotlib.pyplot as plt

    rate = y.groupby(X["month"].to_numpy()).mean() * 100
    ax = rate.plot.bar(color="tab:blue")
    ax.axhline(y.mean() * 100, color="black", linewidth=1, linestyle="--", label="all months")
    ax.set(
        title="Share of flights arriving > 15 min late (development months)",
        xlabel="month of 2013",
        ylabel="late flights (%)",
    )
    ax.legend()
    plt.tight_layout()
    return ax


def single_feature_auc(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """ROC AUC of each numeric feature of the policy alone (either direction), strongest first."""
    numbers = X[list(NUMERIC)].astype(float)
    auc = roc_auc_columns(y, numbers.fillna(numbers.median()).to_numpy())
    single = pd.Series(np.maximum(auc, 1 - auc), index=list(NUMERIC), name="ROC AUC alone")
    return single.sort_values(ascending=False, kind="stable")


def baseline_models(
    spaces: Mapping[str, Mapping[str, Sequence[Any]]], *, random_state: int = 0
) -> dict[str, Any]:
    """The base rate and each family at its default settings."""
    boosting = tuning_estimator("hgb", random_state=random_state)
    return {
        "base rate": make_model("dummy"),
        "logistic regression, default": tuning_estimator("logistic"),
        "gradient boosting, default": boosting.set_params(**_fixed(spaces["hgb"])),
    }


def fold_score_table(runs: Mapping[str, Mapping[str, np.ndarray]], cv: Any) -> pd.DataFrame:
    """ROC AUC of each model (columns) on each validation month (rows), and their mean."""
    months = pd.Index(cv.validation_periods(), name="validation month")
    table = pd.DataFrame({name: r["test_score"] for name, r in runs.items()}, index=months)
    table.loc["mean"] = table.mean()
    return table.round(4)


def compare_strategies(
    searches: Mapping[str, Any], n_train: Sequence[int], n_test: Sequence[int]
) -> dict[str, Verdict]:
    """Each cheaper search's winner against the grid's winner, paired on the folds."""
    grid = fold_scores(searches["grid"])
    return {
        name: compare_folds(
            fold_scores(searches[name]),
            grid,
            n_train=n_train,
            n_test=n_test,
            names=(f"the {name} search's pick", "the grid's pick"),
        )
        for name in ("random", "halving")
    }


def strategies_sentence(table: pd.DataFrame, verdicts: Mapping[str, Verdict]) -> str:
    """How the three searches compare in fits, time (one run each) and score."""
    grid = table.loc["grid"]
    parts = [
        f"The grid paid for {grid.fits} fits in {grid.wall_s:.0f} s. "
        + " ".join(
            f"The {name} search paid for {table.loc[name, 'fits']} fits in "
            f"{table.loc[name, 'wall_s']:.0f} s ({table.loc[name, 'wall_s'] / grid.wall_s:.0%} of "
            f"the grid's time) and chose {table.loc[name, 'best_params']}"
            + (
                ", the grid's own choice."
                if table.loc[name, "best_params"] == grid.best_params
                else f" where the grid chose {grid.best_params}."
            )
            for name in ("random", "halving")
        )
    ]
    parts += [said(verdicts[name]) for name in ("random", "halving")]
    parts.append(
        "Times are single runs on a shared machine; the counts of fits, and the scores, are "
        "what a rerun reproduces."
    )
    return " ".join(parts)


@dataclass(frozen=True)
class TuningCheck:
    """Where the grid's best setting sits, and whether tuning beats the default."""

    best_params: dict[str, Any]
    place: dict[str, str]
    verdict: Verdict
    chosen: tuple[str, ...]

    @property
    def interior(self) -> bool:
        """True when the best setting is inside the searched range of every parameter."""
        return all(where == "interior" for where in self.place.values())

    def sentence(self) -> str:
        """The edge check and the re-checked verdict, in words."""
        edges = [f"{name.rsplit('__', 1)[-1]} ({where})" for name, where in self.place.items()]
        if self.interior:
            text = (
                f"The grid's best setting ({format_params(self.best_params)}) is interior to the "
                "searched range of every parameter: the optimum is inside the space."
            )
        else:
            on_edge = [
                e for e, w in zip(edges, self.place.values(), strict=True) if w != "interior"
            ]
            text = (
                f"The grid's best setting ({format_params(self.best_params)}) sits on an edge of "
                f"the searched space for {', '.join(on_edge)}: the optimum may lie beyond it, so "
                "the chosen setting is the best of this space, not necessarily of the model."
            )
        unstable = len(set(self.chosen)) > 1
        return f"{text} {said(self.verdict)} Chosen fold by fold on the other folds, the pick " + (
            f"changed between folds ({'; '.join(sorted(set(self.chosen)))}): the ranking of "
            "settings is itself noisy."
            if unstable
            else f"was the same on every fold ({self.chosen[0]})."
        )


def check_tuning(
    grid: Any, space: Mapping[str, Sequence[Any]], n_train: Sequence[int], n_test: Sequence[int]
) -> TuningCheck:
    """Edge check of the grid's best setting and :func:`select_and_recheck` against the default.

    The default is the setting of the space matching the family's default
    parameters (learning rate 0.1, 31 leaves); when the space lacks it (smoke
    runs), its first setting.
    """
    params, scores = candidate_fold_scores(grid)
    defaults = make_model("hgb").named_steps["model"].get_params()
    default = next(
        (
            i
            for i, p in enumerate(params)
            if all(
                defaults.get(k.split("__", 1)[1]) == v for k, v in p.items() if len(space[k]) > 1
            )
        ),
        0,
    )
    verdict, chosen = select_and_recheck(
        scores,
        scores[default],
        n_train=n_train,
        n_test=n_test,
        names=("tuning (best of the grid, re-checked)", "the default setting"),
    )
    varying = {k: v for k, v in grid.best_params_.items() if len(space[k]) > 1}
    return TuningCheck(
        dict(grid.best_params_),
        place_in_space(varying, space),
        verdict,
        tuple(format_params(params[i]) for i in chosen),
    )


def placement_sentence(params: Mapping[str, Any], space: Mapping[str, Sequence[Any]]) -> str:
    """Whether a chosen setting is interior to its searched space, and what an edge means.

    Examples
    --------
    >>> placement_sentence({"model__C": 0.1}, {"model__C": [0.01, 0.1, 1.0]})
    'The chosen setting (C=0.1) is interior to the searched range of every parameter.'
    """
    varying = {k: v for k, v in params.items() if len(space.get(k, ())) > 1}
    place = place_in_space(varying, space)
    edges = [
        f"{k.rsplit('__', 1)[-1]} ({where})" for k, where in place.items() if where != "interior"
    ]
    if not edges:
        return (
            f"The chosen setting ({format_params(params)}) is interior to the searched range of "
            "every parameter."
        )
    return (
        f"The chosen setting ({format_params(params)}) sits on an edge of the searched space for "
        f"{', '.join(edges)}: a better setting may lie beyond it, so it is the best of this space, "
        "not necessarily of the model."
    )


def halving_rounds(search: Any) -> pd.DataFrame:
    """One row per round of a halving search: candidates, rows, best mean score."""
    results = pd.DataFrame(search.cv_results_)
    rounds = results.groupby("iter").agg(
        candidates=("mean_test_score", "size"),
        rows=("n_resources", "first"),
        best_score=("mean_test_score", "max"),
    )
    rounds["best setting"] = [
        format_params(results.loc[part["mean_test_score"].idxmax(), "params"])
        for _, part in results.groupby("iter")
    ]
    return rounds.rename_axis("round")


@dataclass(frozen=True)
class FamilyChoice:
    """The family chosen, its setting and per-fold scores, and the verdict that chose it."""

    name: str
    params: dict[str, Any]
    fold_scores: np.ndarray
    verdict: Verdict
    estimator: Any = field(repr=False)

    @property
    def label(self) -> str:
        """The family in words."""
        return _FAMILY_NAMES[self.name]

    def reason(self) -> str:
        """Why this family was chosen, in the words of the paired comparison."""
        if self.verdict.verdict == "better":
            return "the paired comparison says it is better, so it is chosen"
        if self.name == "logistic":
            return (
                "the paired comparison does not make gradient boosting better, so the simpler "
                "logistic regression is kept"
            )
        return "it is chosen"

    def sentence(self) -> str:
        """The verdict and the choice it implies."""
        return (
            f"{said(self.verdict)} Final family: **{self.label}** "
            f"({format_params(self.params)}): {self.reason()}."
        )


def choose_family(
    boosting: Any, logistic: Any, n_train: Sequence[int], n_test: Sequence[int]
) -> FamilyChoice:
    """Compare the two tuned winners on the folds; boosting is chosen only if better."""
    a, b = fold_scores(boosting), fold_scores(logistic)
    verdict = compare_folds(
        a,
        b,
        n_train=n_train,
        n_test=n_test,
        names=("Tuned gradient boosting", "tuned logistic regression"),
        selected_from=int(boosting.n_candidates_[0]),
    )
    name, search = ("hgb", boosting) if verdict.verdict == "better" else ("logistic", logistic)
    estimator = clone(search.estimator).set_params(**search.best_params_)
    return FamilyChoice(name, dict(search.best_params_), fold_scores(search), verdict, estimator)


@dataclass(frozen=True)
class Ap2Pool:
    """The AP2 experiment: candidates fitted on January-August, scored on September-October."""

    X: pd.DataFrame
    y: pd.Series

    @property
    def is_pool(self) -> np.ndarray:
        """Rows of the pool (September-October)."""
        return (self.X["month"] >= 9).to_numpy()

    def fit_and_eval(self) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
        """``X_fit, y_fit, X_eval`` for :func:`~mlstack.model_selection.search.fit_candidates`."""
        return self.X[~self.is_pool], self.y[~self.is_pool], self.X[self.is_pool]

    def optimism(
        self,
        scores: np.ndarray,
        grid: Any,
        params: list[dict[str, Any]],
        *,
        n_repeats: int,
        seed: int,
    ) -> pd.DataFrame:
        """AP2's optimism on test parts of 1/8, 1/4 and 1/2 of the pool, made of whole days.

        The honest pick is the grid's best mean over the folds that validate before
        September, so it never saw the pool.
        """
        grid_params, grid_scores = candidate_fold_scores(grid)
        before = np.array(grid.cv.validation_periods()) < 9
        honest = grid_params[int(np.argmax(grid_scores[:, before].mean(axis=1)))]
        pool = self.X[self.is_pool]
        days = pool["sched_dep"].dt.normalize().to_numpy()
        sizes = sorted({max(len(pool) // k, 10) for k in (8, 4, 2)})
        draws = selection_optimism(
            self.y[self.is_pool],
            scores,
            n_val=sizes,
            honest_index=params.index(honest),
            groups=days,
            n_repeats=n_repeats,
            random_state=seed,
        )
        summary = summarize_optimism(draws).droplevel("n_candidates")
        summary.index.name = "test rows (at least)"
        summary.attrs["n_days"] = int(pd.Series(days).nunique())
        return summary


def ap2_pool(X: pd.DataFrame, y: pd.Series) -> Ap2Pool:
    """The development rows, to play AP2 out on September-October."""
    return Ap2Pool(X, y)


def ap2_sentence(ap2: pd.DataFrame, n_candidates: int) -> str:
    """What choosing by the test score adds, with the spread of the draws (not a standard error)."""
    largest, smallest = ap2.iloc[-1], ap2.iloc[0]
    text = (
        f"Choosing among {n_candidates} candidates by their score on a test part of about "
        f"{ap2.index[-1]:,} flights (whole days) reports an AUC {largest['optimism']:+.4f} higher "
        f"on average than the same pick scores on the other days; across the draws the inflation "
        f"runs from {largest['optimism p10']:+.4f} to {largest['optimism p90']:+.4f} (10th to 90th "
        f"percentile) and is positive in {largest['share optimistic']:.0%} of them. "
    )
    if len(ap2) > 1:
        text += (
            f"On a test part of about {ap2.index[0]:,} flights the average is "
            f"{smallest['optimism']:+.4f} (from {smallest['optimism p10']:+.4f} to "
            f"{smallest['optimism p90']:+.4f}). "
        )
    honest_zero = largest["honest p10"] <= 0 <= largest["honest p90"]
    text += (
        f"The honest pick's gap averages {largest['honest optimism']:+.4f}, from "
        f"{largest['honest p10']:+.4f} to {largest['honest p90']:+.4f}"
        + (": zero is well within its spread. " if honest_zero else ". ")
        + "The draws all cut the same two months, so these are spreads of one experiment, not "
        f"standard errors; and these are only {n_candidates} looks, where a few days of trying "
        "ideas against a test score make many more."
    )
    return text


def compare_with_anchor(
    family: FamilyChoice, anchor: Any, n_train: Sequence[int], n_test: Sequence[int]
) -> Verdict:
    """The hand-built model against FLAML's best, paired on the same folds."""
    return compare_folds(
        family.fold_scores,
        anchor.fold_scores,
        n_train=n_train,
        n_test=n_test,
        names=(f"the hand-built {family.label}", "FLAML's best"),
    )


_PLAIN = {
    "better": "beats it",
    "indistinguishable": "matches it within the uncertainty of the folds",
    "equivalent": "matches it",
    "worse": "falls short of it",
}


def anchor_sentence(verdict: Verdict, anchor: Any) -> str:
    """Whether the hand-built model matches or beats the AutoML anchor, plainly."""
    plain = _PLAIN[verdict.verdict]
    return (
        f"{anchor.describe()} (best {anchor.learner} setting: "
        f"{', '.join(f'{k}={v:.3g}' if isinstance(v, float) else f'{k}={v}' for k, v in sorted(anchor.config.items()))}). "
        f"{said(verdict)[:-1]}: the hand-built model **{plain}**. Both picks were chosen on these "
        "same folds (twelve settings against the anchor's trials), so neither difference is "
        "re-checked on unseen data."
    )


def headline(family: FamilyChoice, test: HeldOutResult) -> str:
    """The index line."""
    return (
        f"{family.label} ({format_params(family.params)}): test ROC AUC {test.ci} over "
        f"{test.ci.n_units} days of Nov-Dec, evaluated once; CV {np.mean(family.fold_scores):.3f} "
        f"over {len(family.fold_scores)} monthly folds"
    )


def recap(
    family: FamilyChoice,
    test: HeldOutResult,
    tuned: TuningCheck,
    strategies: Mapping[str, Verdict],
    ap2: pd.DataFrame,
    weather: Any,
    shift: Any,
    flagged: Mapping[str, Any],
    anchor: Verdict,
) -> str:
    """The recap: what was measured, the numbers, what they mean, what comes next."""
    worst = max(weather.verdicts, key=weather.cost)
    return "\n".join(
        [
            f"- **Measured:** {family.label} reaches a test ROC AUC of {test.ci} "
            f"({test.ci.n_units} days resampled), evaluated once, against "
            f"{np.mean(family.fold_scores):.3f} over {len(family.fold_scores)} monthly folds of "
            "the development flights.",
            f"- **Tuning:** {said(tuned.verdict)} The grid's best setting is "
            + ("interior to the space." if tuned.interior else "on an edge of the space.")
            + f" Halving's pick against the grid's: {strategies['halving'].verdict}.",
            f"- **AP2:** picking the best of a dozen by the test score inflates the reported AUC "
            f"by {ap2.iloc[-1]['optimism']:+.4f} on average on a test part of about "
            f"{ap2.index[-1]:,} flights.",
            f"- **For a user:** weather known only the day before costs up to "
            f"{weather.cost(worst):+.4f} AUC; monthly calibration gaps reach "
            f"{shift.by_month['gap'].abs().max():.3f}; flagging the riskiest tenth catches "
            f"{flagged['recall'].estimate:.0%} of late flights at a precision of "
            f"{flagged['precision'].estimate:.0%}.",
            f"- **AutoML anchor:** against FLAML's best on the same folds, the hand-built model "
            f"{_PLAIN[anchor.verdict]}.",
            "- **Next:** `09_mastery_profiling` asks where the training time goes; "
            "`10_model_families` compares LightGBM and XGBoost and repeats the AutoML anchor.",
        ]
    )
