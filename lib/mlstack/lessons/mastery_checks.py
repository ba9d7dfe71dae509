"""The mastery model's checks on development folds and its one test evaluation (notebook 08).

Not for reuse. Given the chosen model's fold models and their predictions of each
validation month, these measure what the model card must tell a user: what weather
known only the day before costs (:func:`forecast_cost`), how calibration holds month by
month and whether a recalibration fitted on earlier months helps on the next
(:func:`calibration_shift`), a decision rule fixed on development data
(:class:`DecisionRule`); then the single test evaluation with an interval that
resamples days (:func:`held_out_result`), its calibration and its slices. Each object
states its result with ``sentence()``, built from the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

from mlstack.flights.forecast import forecast_weather
from mlstack.flights.tuning import fold_predictions, scores_by_fold
from mlstack.lessons.mastery import said
from mlstack.metrics.bootstrap import bootstrap_ci
from mlstack.metrics.calibration import (
    RECALIBRATIONS,
    RecalibratedClassifier,
    calibration_table,
    fit_recalibration,
    recalibrate_forward,
    reliability_by_group,
)
from mlstack.metrics.comparison import Verdict, compare_folds
from mlstack.metrics.evaluation import slice_metrics
from mlstack.reporting.model_card import HeldOutResult

__all__ = [
    "SCORERS",
    "CalibrationShift",
    "DecisionRule",
    "WeatherCost",
    "calibration_shift",
    "forecast_cost",
    "held_out_calibration",
    "held_out_days",
    "held_out_result",
    "held_out_sentence",
    "held_out_slices",
]

#: Metrics of the single test evaluation (score metrics get the probability).
SCORERS = {
    "roc_auc": roc_auc_score,
    "average_precision": average_precision_score,
    "accuracy": accuracy_score,
    "brier": brier_score_loss,
    "log_loss": log_loss,
}


@dataclass(frozen=True)
class WeatherCost:
    """ROC AUC per fold with observed weather and with each stand-in, and the paired verdicts."""

    table: pd.DataFrame
    verdicts: dict[str, Verdict]

    def cost(self, how: str) -> float:
        """Mean AUC lost with a stand-in (observed minus stand-in)."""
        return float(self.verdicts[how].difference)

    def sentence(self) -> str:
        """The cost of each stand-in, in words, with its interval."""
        worst = max(self.verdicts, key=self.cost)
        return (
            " ".join(said(v) for v in self.verdicts.values())
            + f" The larger cost, {self.cost(worst):+.4f} ROC AUC with the {worst.replace('_', ' ')} "
            "stand-in, bounds what weather known only the day before would cost: a real forecast "
            "does better than both stand-ins."
        )


def forecast_cost(
    models: Sequence[Any],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    X: pd.DataFrame,
    y: pd.Series,
    forecasts: Sequence[str],
    n_train: Sequence[int],
    n_test: Sequence[int],
) -> WeatherCost:
    """Score each fold's validation month with observed and with stand-in weather."""
    observed = scores_by_fold(fold_predictions(models, folds, X, y))
    columns = {"observed weather": observed}
    verdicts = {}
    for how in forecasts:
        stand_in = scores_by_fold(fold_predictions(models, folds, forecast_weather(X, how), y))
        columns[how.replace("_", " ")] = stand_in
        verdicts[how] = compare_folds(
            observed,
            stand_in,
            n_train=n_train,
            n_test=n_test,
            names=("observed weather", f"the {how.replace('_', ' ')} stand-in"),
        )
    months = [int(X.iloc[valid]["month"].iloc[0]) for _, valid in folds]
    table = pd.DataFrame(columns, index=pd.Index(months, name="validation month"))
    table.loc["mean"] = table.mean()
    return WeatherCost(table, verdicts)


@dataclass
class CalibrationShift:
    """Per-month reliability on the folds, and whether a forward recalibration helps."""

    by_month: pd.DataFrame
    brier: pd.DataFrame
    verdicts: dict[str, Verdict]

    @property
    def method(self) -> str | None:
        """The recalibration to apply: one that the paired comparison calls better, or none."""
        better = [m for m, v in self.verdicts.items() if v.verdict == "better"]
        return max(better, key=lambda m: self.verdicts[m].difference) if better else None

    def wrap(self, model: Any, oof: pd.DataFrame) -> Any:
        """The final model, recalibrated on every fold's predictions if a method was chosen."""
        if self.method is None:
            return model
        return RecalibratedClassifier(model, fit_recalibration(oof["y"], oof["p"], self.method))

    def sentence(self) -> str:
        """The monthly gaps, the verdicts, and the decision."""
        gap = self.by_month["gap"]
        text = (
            f"Month by month the observed late rate differs from the mean prediction by "
            f"{gap.min():+.3f} (month {gap.idxmin()}) to {gap.max():+.3f} (month {gap.idxmax()}). "
            + (
                "The gap changes sign from month to month: the probabilities follow the level of "
                "the training months, not that of the month at hand, whose late rate moves with "
                "the season and the weather. "
                if gap.min() < 0 < gap.max()
                else "The model "
                + ("under" if gap.min() > 0 else "over")
                + "-predicts the late rate in every validation month. "
            )
        )
        text += " ".join(said(v) for v in self.verdicts.values())
        if self.method is None:
            text += (
                " No recalibration beats none on the months it was not fitted on, so the final "
                "model is left as it is: recalibrating on the past cannot anticipate next month's "
                "shift."
            )
        else:
            text += (
                f" {self.method.capitalize()} recalibration is better on the months it was not "
                "fitted on, so the final model applies it, fitted on every fold's predictions."
            )
        return text


def calibration_shift(
    oof: pd.DataFrame, n_train: Sequence[int], n_test: Sequence[int]
) -> CalibrationShift:
    """Reliability per validation month, and each recalibration tested forward in time.

    Each month after the first is recalibrated by a map fitted on the predictions
    of the months before it; the Brier score of each month, with and without, is
    compared with the corrected paired t-test (training rows: the earlier months'
    predictions).
    """
    by_month = reliability_by_group(oof["y"], oof["p"], oof["month"].rename("validation month"))
    later = oof["fold"] > oof["fold"].min()
    scores = {"none": oof["p"].to_numpy()}
    for method in RECALIBRATIONS:
        scores[method] = recalibrate_forward(oof["y"], oof["p"], oof["fold"], method=method)
    rows = oof[later]
    brier = pd.DataFrame(
        {
            name: rows.assign(q=p[later.to_numpy()])
            .groupby("month")
            .apply(lambda part: brier_score_loss(part["y"], part["q"]), include_groups=False)
            for name, p in scores.items()
        }
    )
    brier.index.name = "validation month"
    sizes = rows.groupby("month").size().to_numpy()
    earlier = np.cumsum(oof.groupby("month").size().to_numpy())[:-1]
    verdicts = {
        method: compare_folds(
            brier[method],
            brier["none"],
            n_train=earlier,
            n_test=sizes,
            greater_is_better=False,
            names=(f"{method} recalibration", "no recalibration"),
        )
        for method in RECALIBRATIONS
    }
    return CalibrationShift(by_month, brier, verdicts)


@dataclass(frozen=True)
class DecisionRule:
    """Flag the flights whose predicted risk reaches a threshold fixed on the development folds."""

    threshold: float
    share: float
    dev: pd.DataFrame

    @classmethod
    def from_predictions(cls, oof: pd.DataFrame, *, share: float = 0.10) -> DecisionRule:
        """The threshold flagging ``share`` of the development folds' predictions."""
        threshold = float(np.quantile(oof["p"], 1 - share))
        return cls(threshold, share, oof)

    def dev_table(self) -> pd.DataFrame:
        """Share flagged, precision and recall of the rule on each validation month."""
        flagged = self.dev["p"] >= self.threshold
        frame = self.dev.assign(flag=flagged, hit=flagged & self.dev["y"])
        table = frame.groupby("month").agg(
            flights=("y", "size"), flagged=("flag", "mean"), late=("y", "mean")
        )
        sums = frame.groupby("month")[["hit", "flag", "y"]].sum()
        table["precision"] = sums["hit"] / sums["flag"]
        table["recall"] = sums["hit"] / sums["y"]
        return table.rename_axis("validation month")

    def evaluate(
        self, y_true: Any, y_score: Any, days: Any, *, n_resamples: int, seed: int
    ) -> dict:
        """Share flagged, precision and recall on the test months, intervals resampling days."""
        flags = np.asarray(y_score) >= self.threshold
        y = np.asarray(y_true, dtype=bool)
        return {
            "flagged": float(flags.mean()),
            "base rate": float(y.mean()),
            **{
                metric: bootstrap_ci(
                    y,
                    flags,
                    metric,
                    groups=days,
                    unit="days",
                    n_resamples=n_resamples,
                    random_state=seed,
                )
                for metric in ("precision", "recall")
            },
        }


def held_out_result(final: Any, guard: Any, *, n_resamples: int, seed: int) -> HeldOutResult:
    """The test ROC AUC with an interval that resamples whole days of the test months."""
    days = guard.slice_columns(["sched_dep"])["sched_dep"].dt.normalize().to_numpy()
    return HeldOutResult.from_evaluation(
        final,
        metric="roc_auc",
        n_evaluations=guard.n_evaluations,
        n_resamples=n_resamples,
        random_state=seed,
        groups=days,
        unit="days",
    )


def held_out_days(guard: Any) -> np.ndarray:
    """The date of each test row (the bootstrap's unit)."""
    return guard.slice_columns(["sched_dep"])["sched_dep"].dt.normalize().to_numpy()


def held_out_sentence(
    test: HeldOutResult, cv: Any, decision: DecisionRule, flagged: Mapping[str, Any]
) -> str:
    """The one test evaluation in words: AUC with its day interval, and the decision rule."""
    precision, recall = flagged["precision"], flagged["recall"]
    return (
        f"Test ROC AUC **{test.ci}** ({test.ci.describe().split('(', 1)[1].rstrip(')')}), "
        f"against {cv} in cross-validation. Flagging the flights "
        f"whose predicted risk reaches {decision.threshold:.3f} (the riskiest {decision.share:.0%} "
        f"of the development folds) flags {flagged['flagged']:.1%} of the test flights, with a "
        f"precision of {precision} (a late rate among the flagged, against "
        f"{flagged['base rate']:.3f} overall) and a recall of {recall} of the late flights; "
        "intervals resample whole days."
    )


def held_out_calibration(final: Any, guard: Any) -> Any:
    """Reliability of the test predictions: binned, and per test month."""
    months = guard.slice_columns(["month"])["month"].rename("test month")
    return _TestCalibration(
        calibration_table(final.y_true, final.y_score, n_bins=10),
        reliability_by_group(final.y_true, final.y_score, months),
    )


@dataclass(frozen=True)
class _TestCalibration:
    table: pd.DataFrame
    by_month: pd.DataFrame


def held_out_slices(final: Any, guard: Any) -> pd.DataFrame:
    """Test metrics per carrier, origin and month (slices of at least 200 flights)."""
    return slice_metrics(
        final.y_true,
        final.y_pred,
        guard.slice_columns(["carrier", "origin", "month"]),
        y_score=final.y_score,
        min_rows=200,
    )
