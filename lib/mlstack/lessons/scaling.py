"""What ``notebooks/05_scaling_encoding.ipynb`` measured, as tables and sentences.

The notebook compares preprocessing choices on one validation period. Each
comparison is a :class:`~mlstack.metrics.comparison.Verdict` (paired, resampling
whole days), and the sentences here are chosen from those verdicts, so a
difference within noise is never called a gain or a leak.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlstack.metrics.comparison import Verdict

__all__ = [
    "f1_sentence",
    "headline",
    "identical_share",
    "plot_intervals",
    "recap",
    "split_table",
]


def split_table(
    X_train: pd.DataFrame, X_valid: pd.DataFrame, time: str = "sched_dep"
) -> pd.DataFrame:
    """The two periods of a time split: flights, first and last day, days.

    Examples
    --------
    >>> t = pd.to_datetime(["2013-01-01 06:00", "2013-01-02 07:00", "2013-12-30 08:00"])
    >>> frame = pd.DataFrame({"sched_dep": t})
    >>> split_table(frame.iloc[:2], frame.iloc[2:])["days"].tolist()
    [2, 1]
    """
    rows = {}
    for name, part in (("training", X_train), ("validation", X_valid)):
        when = part[time]
        rows[name] = {
            "flights": len(part),
            "first": when.min().date(),
            "last": when.max().date(),
            "days": int(when.dt.normalize().nunique()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def identical_share(model_a: Any, model_b: Any, X: Any) -> float:
    """Share of rows on which two fitted classifiers give exactly the same probabilities."""
    a, b = model_a.predict_proba(X), model_b.predict_proba(X)
    return float(np.mean((a == b).all(axis=1)))


def plot_intervals(
    table: pd.DataFrame, *, metric: str = "roc_auc", colors: Any = None, ax: Any = None
):
    """Horizontal bars of each model's score with its interval (from ``score_intervals``)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    shown = table.iloc[::-1]
    spread = [shown[metric] - shown["low"], shown["high"] - shown[metric]]
    ax.barh(
        shown.index,
        shown[metric],
        xerr=spread,
        capsize=3,
        color=None if colors is None else list(colors)[::-1],
    )
    ax.axvline(0.5, color="black", linestyle="--", linewidth=1, label="chance")
    ax.set(
        xlim=(0.4, max(0.7, float(shown["high"].max()) + 0.02)),
        ylabel="",
        xlabel="validation ROC AUC (95% interval over days; higher is better)",
    )
    ax.legend(loc="lower right")
    return ax


def f1_sentence(svm: Verdict, tree: Verdict, identical: float) -> str:
    """Say what standardizing did to each model, from the two paired verdicts."""
    return (
        f"For the SVM: {svm.sentence()}. For the tree: {tree.sentence()}; "
        f"{identical:.1%} of the tree's validation predictions are identical with and without "
        "scaling (a difference can only come from ties between equally good thresholds)."
    )


_LEAK_WORDS = {
    "better": "inflates",
    "worse": "deflates",
    "indistinguishable": "does not measurably change",
    "equivalent": "does not change (within the equivalence region)",
}


def headline(svm: Verdict, target: Verdict, scaler: pd.DataFrame) -> str:
    """The notebook's headline, from the verdicts: scaling for the SVM, and the two leaks."""
    smallest = scaler.index.min()
    row = scaler.loc[smallest]
    return (
        f"Standardizing: {svm.names[0]} is {svm.verdict} ({svm.difference:+.3f} "
        f"[{svm.low:+.3f}, {svm.high:+.3f}] ROC AUC); a target encoder fitted before the split "
        f"{_LEAK_WORDS[target.verdict]} ROC AUC ({target.difference:+.3f} [{target.low:+.3f}, "
        f"{target.high:+.3f}]), a scaler {_LEAK_WORDS[row['verdict']]} it at {smallest} "
        f"training rows ({row['mean leak']:+.3f} ± {row['standard error']:.3f})"
    )


def recap(
    svm: Verdict,
    tree: Verdict,
    scaler: pd.DataFrame,
    target: Verdict,
    growth: Verdict | None,
    refits: pd.DataFrame,
    cost: pd.DataFrame,
) -> str:
    """The closing recap, every comparison taken from its verdict."""
    worse = list(refits.index[refits["verdict"].eq("worse")])
    by_verdict = {
        verdict: list(scaler.index[scaler["verdict"].eq(verdict)])
        for verdict in dict.fromkeys(scaler["verdict"])
    }
    scaler_words = "; ".join(
        f"{_LEAK_WORDS[verdict]} it at {', '.join(f'{n:,}' for n in sizes)} training rows"
        for verdict, sizes in by_verdict.items()
    )
    grows = (
        "grew measurably with the cardinality"
        if growth is not None and growth.verdict == "better"
        else "did not grow measurably with the cardinality"
        if growth is not None
        else "was not measured at several cardinalities"
    )
    levels = sorted(cost.index.get_level_values("categories").unique())
    dense = cost.xs("dense one-hot + boosting", level="encoding")
    lines = [
        f"- **F1**: standardizing the SVM's features: {svm.verdict} "
        f"({svm.difference:+.3f} [{svm.low:+.3f}, {svm.high:+.3f}] ROC AUC over days); the tree: "
        f"{tree.verdict} ({tree.difference:+.4f}), because a monotone rescaling only moves its "
        "thresholds.",
        f"- **F2 / AP3**: a scaler fitted before the split {scaler_words} (paired over training "
        f"sets); a target encoder fitted before the split {_LEAK_WORDS[target.verdict]} ROC AUC "
        f"({target.difference:+.3f} [{target.low:+.3f}, {target.high:+.3f}]), and its leak "
        f"{grows}. A `Pipeline` makes both impossible.",
        f"- **AP5**: `fit_transform` on the rows being scored was worse than the right way for "
        f"{len(worse)} of {len(refits) - 1} batchings ({', '.join(worse) or 'none'}). Fit "
        "once, then only transform.",
        f"- **F3**: from {levels[0]:,} to {levels[-1]:,} categories, dense one-hot grew from "
        f"{dense.loc[levels[0], 'columns']:,} to {dense.loc[levels[-1], 'columns']:,} columns "
        f"and from {dense.loc[levels[0], 'peak MB while fitting']:,.0f} to "
        f"{dense.loc[levels[-1], 'peak MB while fitting']:,.0f} MB at its peak; the narrow "
        "encodings stay one column wide whatever the cardinality (the fit times are in the "
        "table above).",
        "Next: `06_bias_variance` asks how much data and how much flexibility a model needs.",
    ]
    return "\n".join(lines)
