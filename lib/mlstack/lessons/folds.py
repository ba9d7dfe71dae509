"""The cross-validation notebook's tables and the sentences built from them (notebook 04).

Not for reuse. :func:`walk_table` lays out a ``cross_validate`` run fold by fold;
:func:`cv_against_held_out` sets a CV estimate against a held-out score with the
uncertainty of *both* (the standard error of the fold mean, corrected for overlapping
training sets, and a held-out interval that resamples whole days), so a gap is read
in standard errors of the difference before anything is put down to luck.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from mlstack.metrics.bootstrap import bootstrap_ci

__all__ = [
    "cv_against_held_out",
    "held_out_sentence",
    "recap",
    "schemes_sentence",
    "spread_sentence",
    "walk_table",
]


def walk_table(result: Mapping[str, Any], y: pd.Series) -> pd.DataFrame:
    """One row per fold of ``cross_validate(..., return_indices=True)``: sizes, rate, scores."""
    tests = result["indices"]["test"]
    return pd.DataFrame(
        {
            "n_train": [len(rows) for rows in result["indices"]["train"]],
            "n_test": [len(rows) for rows in tests],
            "test positive rate": [float(y.iloc[rows].mean()) for rows in tests],
            "roc_auc": result["test_roc_auc"],
            "accuracy": result["test_accuracy"],
        }
    ).rename_axis("fold")


def schemes_sentence(by_scheme: pd.DataFrame, n_folds: int) -> str:
    """How far each scheme's estimate moves from shuffled KFold, against its standard error."""
    se = by_scheme["std"] / np.sqrt(n_folds)
    parts = []
    for name, row in by_scheme.drop(index="KFold (shuffled)").iterrows():
        ratio = abs(row["mean minus KFold"]) / max(
            np.hypot(se[name], se["KFold (shuffled)"]), 1e-12
        )
        parts.append(
            f"{name} {row['mean minus KFold']:+.3f} ({ratio:.1f} standard errors of the difference"
            + (", beyond noise)" if ratio > 2 else ", within noise)")
        )
    return (
        "Against shuffled KFold: "
        + "; ".join(parts)
        + ". The standard errors are those of the fold means (fold standard deviation over "
        f"the square root of {n_folds}); the schemes split the rows differently, so their folds "
        "are not paired."
    )


def cv_against_held_out(
    cv_scores: Mapping[str, np.ndarray],
    evaluations: Mapping[str, Any],
    days: np.ndarray,
    *,
    n_train: float,
    n_test: float,
    n_resamples: int = 500,
    random_state: int = 0,
) -> pd.DataFrame:
    """Each model's CV estimate against its held-out score, with both uncertainties.

    Parameters
    ----------
    cv_scores : mapping of str to array
        Fold scores of each model.
    evaluations : mapping of str to Evaluation
        Each model's held-out evaluation (``y_true``, ``y_score``, ``scores``).
    days : array
        The day of each held-out row: the resampled unit.
    n_train, n_test : float
        Rows per fold, for the corrected standard error of the fold mean.

    Returns
    -------
    pandas.DataFrame
        Index ``model``; ``CV estimate``, ``CV SE`` (corrected), ``held-out``,
        ``held-out SE`` (days resampled), ``CV minus held-out`` and ``gap in SEs``
        (of the difference, both uncertainties combined).
    """
    rows = {}
    z = norm.ppf(0.975)
    for name, scores in cv_scores.items():
        scores = np.asarray(scores, dtype=float)
        k = len(scores)
        cv_se = float(np.sqrt(scores.var(ddof=1) * (1 / k + n_test / n_train)))
        ev = evaluations[name]
        ci = bootstrap_ci(
            ev.y_true, ev.y_score, "roc_auc", groups=days, unit="days",
            n_resamples=n_resamples, random_state=random_state,
        )  # fmt: skip
        held_se = (ci.high - ci.low) / (2 * z)
        gap = float(scores.mean() - ci.estimate)
        rows[name] = {
            "CV estimate": float(scores.mean()),
            "CV SE": cv_se,
            "held-out": ci.estimate,
            "held-out SE": held_se,
            "CV minus held-out": gap,
            "gap in SEs": gap / float(np.hypot(cv_se, held_se)),
        }
    table = pd.DataFrame(rows).T
    table.index.name = "model"
    return table


def held_out_sentence(table: pd.DataFrame, leaky: str, clean: str, control: str) -> str:
    """Read each gap in standard errors of the difference; only then say luck or not."""

    def read(name: str) -> str:
        row = table.loc[name]
        within = abs(row["gap in SEs"]) <= 2
        return (
            f"{name}: CV {row['CV estimate']:.3f} ± {row['CV SE']:.3f} against held-out "
            f"{row['held-out']:.3f} ± {row['held-out SE']:.3f}, a gap of {row['CV minus held-out']:+.3f} "
            f"= {row['gap in SEs']:+.1f} standard errors of the difference"
            + (" (within noise)" if within else " (beyond noise)")
        )

    text = "; ".join(read(name) for name in (control, leaky, clean)) + ". "
    leak_real = abs(table.loc[leaky, "gap in SEs"]) > 2
    clean_ok = abs(table.loc[clean, "gap in SEs"]) <= 2
    control_ok = abs(table.loc[control, "gap in SEs"]) <= 2
    if leak_real:
        text += (
            "The leaky feature makes cross-validation promise more than the model delivers on "
            "rows that played no part in computing it: inside the CV each validation flight's own "
            "label sits in its aircraft's rate. "
        )
    if clean_ok and control_ok:
        text += (
            "The clean pipeline's and the control's gaps are within the noise of the two "
            "estimates: nothing beyond luck is left to explain."
        )
    else:
        off = [n for n in (control, clean) if abs(table.loc[n, "gap in SEs"]) > 2]
        text += (
            f"The gap of {', '.join(off)} exceeds two standard errors, so it is not luck: the CV "
            "folds and the held-out rows differ in more than sampling (the final model also "
            "trained on more rows than each fold's); it is reported, not explained away."
        )
    return text


def spread_sentence(summary: pd.DataFrame, sizes: list[int], n_folds: int) -> str:
    """How much more a single split's estimate moves with the seed than k-fold CV's."""
    ratios = {
        size: summary.loc[(size, "single split"), "std"]
        / summary.loc[(size, f"{n_folds}-fold CV"), "std"]
        for size in sizes
    }
    return (
        "; ".join(
            f"n={size:,}: the single split's estimates spread {r:.1f}x as widely across seeds as the "
            f"{n_folds}-fold estimates"
            for size, r in ratios.items()
        )
        + "."
    )


def recap(
    summary: pd.DataFrame,
    by_scheme: pd.DataFrame,
    leak: pd.DataFrame,
    spread: pd.DataFrame,
    sizes: list[int],
    n_folds: int,
    names: Mapping[str, str],
) -> str:
    """The recap lines, from the numbers."""
    leaky, clean, control = (
        leak.loc[names["leaky"]],
        leak.loc[names["clean"]],
        leak.loc[names["control"]],
    )
    ratio = {
        size: spread.loc[(size, "single split"), "std"]
        / spread.loc[(size, f"{n_folds}-fold CV"), "std"]
        for size in sizes
    }
    return "\n".join(
        [
            f"- **What is averaged (C1).** {n_folds} models, each fitted on {n_folds - 1} folds of "
            f"the development flights and scored on the fold it did not see; the estimate is the "
            f"mean of the fold scores, {summary.loc['mean', 'roc_auc']:.3f} AUC (fold standard "
            f"deviation {summary.loc['std', 'roc_auc']:.3f}). It describes the fitting procedure, "
            "not one model.",
            f"- **Which folds (C3).** GroupKFold by aircraft moved the estimate by "
            f"{by_scheme.loc['GroupKFold: aircraft', 'mean minus KFold']:+.3f}, by day by "
            f"{by_scheme.loc['GroupKFold: day', 'mean minus KFold']:+.3f} and TimeSeriesSplit by "
            f"{by_scheme.loc['TimeSeriesSplit', 'mean minus KFold']:+.3f}.",
            f"- **When CV lies (C2).** A per-aircraft late rate computed on all rows before CV gave "
            f"{leaky['CV estimate']:.3f} in CV against {leaky['held-out']:.3f} held out "
            f"({leaky['gap in SEs']:+.1f} standard errors); learned inside the pipeline, "
            f"{clean['CV estimate']:.3f} against {clean['held-out']:.3f} "
            f"({clean['gap in SEs']:+.1f}); the control, {control['CV estimate']:.3f} against "
            f"{control['held-out']:.3f} ({control['gap in SEs']:+.1f}). Anything computed from "
            "labels belongs inside the pipeline.",
            f"- **Small data (AP4).** On {sizes[0]:,} flights a single split's estimate spread "
            f"{ratio[sizes[0]]:.1f} times as widely across seeds as the {n_folds}-fold estimate "
            f"(on {sizes[-1]:,} flights, {ratio[sizes[-1]]:.1f} times). On small data, report the "
            "CV mean with its uncertainty, never one lucky or unlucky split.",
            "- **Next:** `05_scaling_encoding` puts the same discipline on preprocessing.",
        ]
    )
