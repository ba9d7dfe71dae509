"""What ``notebooks/07_sklearn_api.ipynb`` measured, as tables and sentences.

The notebook's comparisons are paired: cross-validation scores on the same
time-ordered folds (:func:`~mlstack.metrics.comparison.compare_folds`, with the
corrected t-test), predictions of the same rows resampled by day
(:func:`~mlstack.metrics.comparison.compare_on_rows`). The sentences here are
chosen from those verdicts, so a difference within noise names no winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.metrics.comparison import Verdict

__all__ = [
    "a1_sentence",
    "cyclical_sentence",
    "fold_sizes",
    "fold_table",
    "headline",
    "loop_sentence",
    "recap",
]


def fold_sizes(cv: Any, X: Any) -> tuple[list[int], list[int]]:
    """Training and validation rows of each fold of ``cv`` (for the corrected t-test).

    Examples
    --------
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> fold_sizes(TimeSeriesSplit(n_splits=3), np.zeros((100, 1)))
    ([25, 50, 75], [25, 25, 25])
    """
    splits = list(cv.split(X))
    return [len(train) for train, _ in splits], [len(test) for _, test in splits]


def fold_table(scores: dict[str, Sequence[float]]) -> pd.DataFrame:
    """Per-fold scores of several workflows, with the per-fold difference of the first two.

    Examples
    --------
    >>> fold_table({"a": [0.7, 0.8], "b": [0.6, 0.75]})["a - b"].round(2).tolist()
    [0.1, 0.05]
    """
    table = pd.DataFrame(scores)
    first, second = list(scores)[:2]
    table[f"{first} - {second}"] = table[first] - table[second]
    return table.rename_axis("fold")


def cyclical_sentence(verdict: Verdict) -> str:
    """What the cyclical encoding bought, from the paired fold comparison (the table's conclusion)."""
    conclusion = {
        "better": "a measurable gain for this model",
        "worse": "a measurable loss for this model",
        "indistinguishable": (
            "no measurable difference for this model: the encoding is a matter of correctness "
            "(23:00 next to 00:00), not of score, here"
        ),
        "equivalent": (
            "equivalent within the stated region: for this model the encoding is a matter of "
            "correctness (23:00 next to 00:00), not of score"
        ),
    }[verdict.verdict]
    return f"Paired over the same folds: {verdict.sentence(digits=4)}. That is {conclusion}."


_WORDS = {
    "better": "better than",
    "worse": "worse than",
    "indistinguishable": "indistinguishable from",
    "equivalent": "equivalent to",
}


def _short(verdict: Verdict, digits: int = 3) -> str:
    """``"A is better than B (+0.012 [+0.004, +0.020])"``: a verdict in a recap line."""
    f = f"{{:+.{digits}f}}"
    return (
        f"{verdict.names[0]} is {_WORDS[verdict.verdict]} {verdict.names[1]} "
        f"({f.format(verdict.difference)} [{f.format(verdict.low)}, {f.format(verdict.high)}])"
    )


def _inside(value: float, ci: ConfidenceInterval) -> str:
    return "inside" if ci.low <= value <= ci.high else "outside"


def a1_sentence(
    leaky: Sequence[float], honest: Sequence[float], verdict: Verdict, test: ConfidenceInterval
) -> str:
    """Compare the two cross-validation estimates with each other and with the held-out test."""
    leaky_mean, honest_mean = float(np.mean(leaky)), float(np.mean(honest))
    return (
        f"Cross-validating on features prepared outside the folds promises a ROC AUC of "
        f"**{leaky_mean:.3f}**; the pipeline's cross-validation estimates **{honest_mean:.3f}** "
        f"(means over the folds). Paired over the same folds: {verdict.sentence()}. The held-out "
        f"test set, scored once, gives **{test.describe()}**: the pipeline's estimate lies "
        f"{_inside(honest_mean, test)} that interval, the leaky one {_inside(leaky_mean, test)} it. "
        "The test period is later than every fold, so some distance between the two is shift, "
        "not leakage; the leak is the paired difference above."
    )


def loop_sentence(epochs: int, loop_loss: float, fit_loss: float, verdict: Verdict) -> str:
    """The hand-written SGD loop against ``LogisticRegression.fit``, on the same new rows."""
    return (
        f"After {epochs} epochs the hand-written loop reaches a log loss of {loop_loss:.4f} on the "
        f"new rows; one call to `LogisticRegression.fit`, which runs its own loop to "
        f"convergence, reaches {fit_loss:.4f}. Paired over the new rows' days: "
        f"{verdict.sentence(digits=4)}. The loop is the price of control: batches, epochs, "
        "learning rate and stopping are now the user's to choose and to get right."
    )


def headline(leak: Verdict, cyclical: Verdict, passed: int, checks: int) -> str:
    """The notebook's headline: the fold leak, the cyclical encoding, the estimator checks."""
    return (
        f"Preprocessing fitted outside the CV folds: {leak.verdict} than a Pipeline by "
        f"{leak.difference:+.3f} [{leak.low:+.3f}, {leak.high:+.3f}] ROC AUC on the same folds; "
        f"cyclical vs raw periodic features: {cyclical.verdict}; CyclicalEncoder passes "
        f"{passed}/{checks} sklearn checks"
    )


def recap(
    *,
    leak: Verdict,
    test: ConfidenceInterval,
    skew: Verdict,
    cyclical: Verdict,
    target: Verdict,
    loop: Verdict,
    jax: pd.DataFrame,
) -> str:
    """The closing recap, each comparison from its verdict."""
    faster = [
        f"`{op}`" for op, r in jax["jax vs numpy"].items() if r.distinguishable and r.median > 1
    ]
    slower = [
        f"`{op}`" for op, r in jax["jax vs numpy"].items() if r.distinguishable and r.median < 1
    ]
    parts = ([f"faster than numpy on {', '.join(faster)}"] if faster else []) + (
        [f"slower on {', '.join(slower)}"] if slower else []
    )
    jax_text = (
        "jax on the CPU was " + " and ".join(parts) + ", within noise elsewhere"
        if parts
        else "jax on the CPU and numpy were indistinguishable on every operation"
    )
    return "\n".join(
        [
            "- **The contract**: hyperparameters in the constructor, `fit` returns `self`, "
            "learned state ends in `_`, `transform` / `predict` / `score` after fitting, "
            "`get_params` / `set_params` / `clone` for tools like `GridSearchCV`. Our "
            "`CyclicalEncoder` follows it and passes scikit-learn's checks; on the same folds, "
            f"{_short(cyclical, 4)}.",
            f"- **A1**: on the same folds, {_short(leak)}; the held-out test gave {test}. With "
            f"the columns reordered at serving time, on the same rows, {_short(skew)}.",
            "- **A2**: `fit_transform` equals `fit` then `transform` for a scaler, not for a "
            f"target encoder (cross fitting); on new rows, {_short(target)}. On new data, "
            "`fit_transform` erases the shift between periods or changes the columns outright. "
            "Fit on training rows, then only `transform`.",
            "- **A3**: scikit-learn owns the training loop; on the new rows' log loss, "
            f"{_short(loop, 4)}.",
            f"- **T2**: float32 against float64 and jax beside numpy were measured on this "
            f"CPU-only machine ({jax_text}); cupy and every GPU claim are not measured here "
            "(no GPU).",
            "",
            "Next: the later notebooks put these habits together, one model end to end.",
        ]
    )
