"""Notebook 14 (the exit test, worked): the sentences that carry its numbers, and the proxy check.

Not for reuse: the exit test itself is :mod:`mlstack.tools.exit_test`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlstack.metrics.comparison import Verdict, compare_folds
from mlstack.tools.exit_test import ExitTestResult
from mlstack.tools.exit_test.splitting import cv_splits

__all__ = [
    "choice_text",
    "ensemble_text",
    "families_shown",
    "headline",
    "proxy_check",
    "proxy_text",
    "recap",
    "search_text",
]


def proxy_check(
    table: pd.DataFrame, result: ExitTestResult
) -> tuple[Verdict, np.ndarray, np.ndarray]:
    """Cross-validate the linear pipeline with and without the dropped columns, on the same folds.

    Returns the paired verdict (with the proxies minus without them) and both sets
    of per-fold scores. Uses the training part only, and the exit test's own folds.
    """
    import skrub
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    p = result.prepared
    X_kept = p.X_train
    X_all = table.loc[X_kept.index].drop(columns=p.target)
    splits, _ = cv_splits(
        X_kept, p.y_train, p.task, time=p.time, groups=p.groups_train, seed=result.seed
    )
    pipeline = skrub.tabular_pipeline(LogisticRegression(max_iter=2000))
    scoring = result.metrics["primary_metric"]
    leaky = cross_val_score(pipeline, X_all, p.y_train, cv=splits, scoring=scoring)
    honest = cross_val_score(pipeline, X_kept, p.y_train, cv=splits, scoring=scoring)
    verdict = compare_folds(
        leaky,
        honest,
        n_train=[len(train) for train, _ in splits],
        n_test=[len(val) for _, val in splits],
        names=("Keeping the proxies", "dropping them"),
    )
    return verdict, leaky, honest


def proxy_text(verdict: Verdict, leaky: np.ndarray, honest: np.ndarray) -> str:
    """One paragraph: what keeping the dropped columns would have promised."""
    return (
        f"Cross-validated on the same {len(leaky)} folds, the linear pipeline scores "
        f"{leaky.mean():.3f} with the proxies and {honest.mean():.3f} without them. "
        f"{verdict.sentence()}."
    )


def families_shown(result: ExitTestResult) -> pd.DataFrame:
    """The families table as the notebook shows it (scores rounded)."""
    shown = result.families[
        ["default", "default std", "best", "best candidate", "tried", "status"]
    ]
    return shown.round(4)


def search_text(result: ExitTestResult) -> str:
    """What the search did after the screen of defaults, and why it stopped."""
    log = result.search
    rounds = int(log["round"].max()) if len(log) else 0
    searched = sum(1 for e in result.pool if e.candidate.params)
    return (
        f"After the screen of the defaults (round 0), the search ran {rounds} round"
        f"{'s' if rounds != 1 else ''} and scored {searched} searched settings on all rows; "
        f"it stopped because {result.stopped}. In all, {len(result.pool)} candidates were "
        "scored on every fold with all training rows: the pool the final choice is made from."
    )


def ensemble_text(result: ExitTestResult) -> str:
    """What the ensemble is, with its per-fold scores found on the other folds."""
    ensemble = result.ensemble
    if ensemble is None:
        return "No ensemble was built: fewer than two candidates were scored on all rows."
    if len(ensemble.members) < 2:
        return (
            f"Greedy ensemble selection over the best {ensemble.drawn_from} candidates kept "
            "a single one: no average of them scored better on the out-of-fold predictions."
        )
    scores = ensemble.fold_scores
    return (
        f"Greedy ensemble selection over the best {ensemble.drawn_from} candidates, on their "
        f"out-of-fold predictions, gives **{ensemble.label}**. With weights found on the "
        f"other folds, it scores {scores.mean():.3f} on average over the {len(scores)} folds "
        f"(from {scores.min():.3f} to {scores.max():.3f})."
    )


def choice_text(result: ExitTestResult) -> str:
    """The steps of the final choice, each with the verdict that decided it."""
    return "\n".join(f"1. {reason}" for reason in result.choice.reasons)


def headline(result: ExitTestResult) -> str:
    """The notebook's headline: test score with its interval, and what was dropped."""
    m = result.metrics
    primary = m["primary_metric"]
    low, high = result.test_ci[primary]
    return (
        f"CreditCard: test {primary} {m['test'][primary]:.3f} (95% CI {low:.3f}-{high:.3f}, "
        f"{m['n_test']} test rows) for {result.choice.label}; {len(m['dropped_columns'])} "
        f"columns dropped by the audit; test set scored {m['test_evaluations']} time"
    )


def recap(result: ExitTestResult, proxy: Verdict, leaky: np.ndarray) -> str:
    """The recap paragraph, built from the run's numbers."""
    m = result.metrics
    primary = m["primary_metric"]
    low, high = result.test_ci[primary]
    folds = np.asarray(m["cv"]["folds"])
    tried = int((result.families["tried"] > 0).sum())
    return (
        f"Measured here: {tried} model families scored on all rows, {len(result.pool)} "
        f"candidates in the pool, and the final model is {result.choice.label} "
        f"({result.choice.kind}). Its cross-validated {primary}, on folds it was not chosen "
        f"on, is {folds.mean():.3f} (folds from {folds.min():.3f} to {folds.max():.3f}); "
        f"its test {primary} is {m['test'][primary]:.3f} (95% CI {low:.3f}-{high:.3f}) on "
        f"{m['n_test']} test rows. With the proxies kept, cross-validation would have "
        f"promised {leaky.mean():.3f} ({proxy.verdict} by {proxy.difference:+.3f}, "
        f"[{proxy.low:+.3f}, {proxy.high:+.3f}]). In practice: read the dropped columns and "
        "the warnings in `report.md` before trusting any score, because no algorithm can tell "
        "a legitimate strong feature from a leak without knowing when each column is "
        "recorded. `reports/exit-test/quality.md` compares the command with skrub's default "
        "pipeline and FLAML on twenty more tables; the leakage exercise (X2) starts from the "
        "symptoms instead."
    )
