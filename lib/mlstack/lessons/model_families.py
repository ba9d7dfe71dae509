"""The model-families notebook's comparisons and the sentences built from them (notebook 10).

Not for reuse: scores of the three boosting libraries are compared with scikit-learn's
fold by fold (:func:`~mlstack.metrics.comparison.compare_folds`), their fit times as
per-fold ratios (the folds differ in size, so a ratio is only meaningful within a
fold), and the hand-built model with the AutoML anchor on the same folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlstack.metrics.comparison import Verdict, compare_folds
from mlstack.utils.timing import Timing

__all__ = [
    "anchor_sentence",
    "anchor_table",
    "family_table",
    "family_verdicts",
    "families_sentence",
    "recap",
    "timing_records",
]

_PLAIN = {
    "better": "beats",
    "indistinguishable": "matches, within the uncertainty of the folds,",
    "equivalent": "matches",
    "worse": "falls short of",
}


def family_table(
    runs: Mapping[str, Mapping[str, np.ndarray]], baseline: str, months: Sequence[Any]
) -> pd.DataFrame:
    """Per-fold ROC AUC and fit time of each library, with fit-time ratios to ``baseline``.

    Returns
    -------
    pandas.DataFrame
        Index ``(library, validation month)``; columns ``roc_auc``, ``fit_s`` and
        ``fit_vs_baseline`` (this library's fit time over the baseline's, same fold).

    Examples
    --------
    >>> runs = {"a": {"test_score": np.array([0.7, 0.71]), "fit_time": np.array([2.0, 4.0])},
    ...         "b": {"test_score": np.array([0.7, 0.72]), "fit_time": np.array([1.0, 1.0])}}
    >>> family_table(runs, "a", [9, 10])["fit_vs_baseline"].tolist()
    [1.0, 1.0, 0.5, 0.25]
    """
    base = np.asarray(runs[baseline]["fit_time"])
    frames = {
        name: pd.DataFrame(
            {
                "roc_auc": r["test_score"],
                "fit_s": r["fit_time"],
                "fit_vs_baseline": np.asarray(r["fit_time"]) / base,
            },
            index=pd.Index(list(months), name="validation month"),
        )
        for name, r in runs.items()
    }
    return pd.concat(frames, names=["library"])


def family_verdicts(
    runs: Mapping[str, Mapping[str, np.ndarray]],
    baseline: str,
    n_train: Sequence[int],
    n_test: Sequence[int],
) -> dict[str, Verdict]:
    """Each library against ``baseline``, paired on the same folds (corrected t-test)."""
    base = runs[baseline]["test_score"]
    return {
        name: compare_folds(
            r["test_score"], base, n_train=n_train, n_test=n_test, names=(name, baseline)
        )
        for name, r in runs.items()
        if name != baseline
    }


def families_sentence(table: pd.DataFrame, verdicts: Mapping[str, Verdict], baseline: str) -> str:
    """Scores as paired verdicts, fit times as per-fold ratios with their range."""
    ratios = table["fit_vs_baseline"].groupby(level="library")
    parts = []
    for name, verdict in verdicts.items():
        r = ratios.get_group(name)
        faster = r.max() < 1
        slower = r.min() > 1
        speed = (
            f"fits in {r.median():.2f}x {baseline}'s time (from {r.min():.2f}x to "
            f"{r.max():.2f}x over the folds"
            + (
                "; faster on every fold)"
                if faster
                else "; slower on every fold)"
                if slower
                else ")"
            )
        )
        text = verdict.sentence()
        parts.append(f"{text[:1].upper()}{text[1:]}; it {speed}.")
    parts.append(
        "Fit times are single fits per fold on one thread, on a machine shared with other work: "
        "a ratio that crosses 1 between folds is not a difference."
    )
    return " ".join(parts)


def anchor_table(hand: Any, anchor: Any, hand_seconds: float) -> pd.DataFrame:
    """The hand-built search and the AutoML anchor side by side: score, folds, time, budget."""
    rows = {
        "hand-built: halving over 12 settings": {
            "mean ROC AUC": float(np.mean(hand)),
            "folds": len(hand),
            "seconds": hand_seconds,
        },
        f"FLAML: {anchor.n_trials} trials ({anchor.learner} best)": {
            "mean ROC AUC": anchor.mean,
            "folds": len(anchor.fold_scores),
            "seconds": anchor.seconds,
        },
    }
    table = pd.DataFrame(rows).T.astype({"folds": int})
    table.index.name = "search"
    return table


def anchor_sentence(verdict: Verdict, anchor: Any, hand_seconds: float) -> str:
    """Whether the hand-built model matches or beats FLAML, plainly, and at what cost in time."""
    text = verdict.sentence()
    return (
        f"{text[:1].upper()}{text[1:]}. The hand-built model **{_PLAIN[verdict.verdict]} "
        f"FLAML's best** ({anchor.n_trials} trials, {anchor.seconds:.0f} s against "
        f"{hand_seconds:.0f} s for the hand-built search; one run each). Both were chosen on "
        "these same folds, so neither score is re-checked on unseen data; the comparison is "
        "fair because both paid that price."
    )


def recap(
    verdicts: Mapping[str, Verdict], table: pd.DataFrame, anchor_verdict: Verdict, baseline: str
) -> str:
    """The recap lines."""
    ratios = table["fit_vs_baseline"].groupby(level="library").median()
    scores = table["roc_auc"].groupby(level="library").mean()
    lines = [
        f"- **Measured:** with the same features, folds and tree budget, {baseline} scores "
        f"{scores[baseline]:.3f}; "
        + "; ".join(
            f"{name} {scores[name]:.3f} ({v.verdict}, difference {v.difference:+.4f} "
            f"[{v.low:+.4f}, {v.high:+.4f}]) and fits in {ratios[name]:.2f}x the time"
            for name, v in verdicts.items()
        )
        + ".",
        "- **What it means:** a library wins on score only when the paired comparison says so; "
        "speed, memory, categorical support and deployment decide between libraries whose "
        "scores are indistinguishable.",
        f"- **AutoML anchor:** the hand-built model {_PLAIN[anchor_verdict.verdict]} FLAML's best "
        f"on the same folds ({anchor_verdict.difference:+.4f} [{anchor_verdict.low:+.4f}, "
        f"{anchor_verdict.high:+.4f}]).",
        "- **Next:** the model card of notebook 08 (`reports/model_card.md`) documents the chosen "
        "model; the compare notebooks time pandas against Polars and DuckDB.",
    ]
    return "\n".join(lines)


def timing_records(
    table: pd.DataFrame, searches: Mapping[str, float], rows: int
) -> list[dict[str, Any]]:
    """The raw figures for ``reports/timings/10_model_families.json``, one timing each.

    Each fit and each search ran once (``repeat`` 1 with its ``times``): a fold's fit
    is compared with the baseline's fit on the same fold (``fit_vs_baseline``), and
    the ratios are read across folds, not across repeats.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`family_table`.
    searches : mapping of str to float
        Seconds of each whole search (the hand-built one, the AutoML anchor), by name.
    rows : int
        Rows the searches ran on.

    Examples
    --------
    >>> runs = {"a": {"test_score": np.array([0.7]), "fit_time": np.array([2.0])}}
    >>> records = timing_records(family_table(runs, "a", [9]), {"search": 5.0}, rows=100)
    >>> [(r["library"], r["repeat"], r["times"]) for r in records]
    [('a', 1, [2.0]), ('search', 1, [5.0])]
    """
    fits = table.drop(columns="fit_s").reset_index().to_dict("records")
    return [
        *(
            {**fit, **Timing((float(seconds),)).as_record()}
            for fit, seconds in zip(fits, table["fit_s"], strict=True)
        ),
        *(
            {"library": name, "rows": rows, **Timing((float(seconds),)).as_record()}
            for name, seconds in searches.items()
        ),
    ]
