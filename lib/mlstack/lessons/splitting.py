"""The splits notebook's measurements and the sentences built from them (notebook 03).

Not for reuse. :func:`split_estimates` fits the same model on several single splits
and gives each split's ROC AUC with an interval that resamples whole days (flights of
one day are not independent); :func:`config_quality` and :func:`optimism_sentence`
explain what selecting among configurations on a small validation set does, including
the case a learner notices: the best of ten scoring *below* the best of one on fresh rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlstack.metrics.bootstrap import bootstrap_ci
from mlstack.metrics.evaluation import roc_auc_columns
from mlstack.model_selection.optimism import summarize_optimism
from mlstack.model_selection.splits import shared_groups

__all__ = [
    "config_quality",
    "headline",
    "leakage_sentence",
    "optimism_sentence",
    "recap",
    "split_estimates",
    "splits_sentence",
    "summarize",
    "truth_sentence",
]


def split_estimates(
    estimator: Any,
    X: pd.DataFrame,
    y: pd.Series,
    splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    groups: pd.Series,
    n_resamples: int = 500,
    random_state: int = 0,
) -> pd.DataFrame:
    """Fit a clone per split; its test ROC AUC with an interval resampling the test days.

    Returns
    -------
    pandas.DataFrame
        Index ``split``; columns ``n_train``, ``n_test``, ``test positive rate``,
        ``test rows with seen group`` (the share of test rows whose ``groups``
        value is also in the training part), ``roc_auc``, ``low`` and ``high``.
    """
    days = X["sched_dep"].dt.normalize().to_numpy()
    rows = {}
    for name, (train, test) in splits.items():
        model = clone(estimator).fit(X.iloc[train], y.iloc[train])
        score = model.predict_proba(X.iloc[test])[:, 1]
        ci = bootstrap_ci(
            y.iloc[test].to_numpy(),
            score,
            "roc_auc",
            groups=days[test],
            unit="days",
            n_resamples=n_resamples,
            random_state=random_state,
        )
        rows[name] = {
            "n_train": len(train),
            "n_test": len(test),
            "test positive rate": float(y.iloc[test].mean()),
            "test rows with seen group": shared_groups(groups, train, test),
            "roc_auc": ci.estimate,
            "low": ci.low,
            "high": ci.high,
        }
    table = pd.DataFrame(rows).T.astype({"n_train": int, "n_test": int})
    table.index.name = "split"
    return table


def splits_sentence(table: pd.DataFrame, reference: str = "time: latest fifth") -> str:
    """The splits ranked by their estimate, and which differences the day intervals resolve.

    A split "holds out whole days" when almost none of its test days appear in its
    training part (by day, by time); the others test on days the model has seen.
    """
    ranked = table["roc_auc"].sort_values(ascending=False)
    text = (
        "Ranked by estimate: "
        + " > ".join(
            f"{name} {table.loc[name, 'roc_auc']:.3f} [{table.loc[name, 'low']:.3f}, "
            f"{table.loc[name, 'high']:.3f}]"
            for name in ranked.index
        )
        + " (intervals resample whole test days). "
    )
    seen = [n for n in table.index if n.startswith(("random", "group: aircraft"))]
    held = [n for n in table.index if n not in seen]
    low_seen = table.loc[seen, "low"].min()
    high_held = table.loc[held, "high"].max()
    if table.loc[seen, "roc_auc"].min() > table.loc[held, "roc_auc"].max():
        text += (
            "The splits that test on days the model has seen flights of ("
            + ", ".join(seen)
            + ") score higher than those that hold out whole days"
            + (
                ", beyond the intervals. "
                if low_seen > high_held
                else ", though the intervals overlap. "
            )
        )
    else:
        text += (
            "Here the splits that test on days the model has seen do not all score above those "
            "that hold out whole days; with these intervals the ranking is not resolved. "
        )
    return text + (
        "Only the time split also puts every test day after the training days, as the model's "
        "use does."
    )


def leakage_sentence(leakage: pd.DataFrame, dep_delay_auc: float) -> str:
    """The leaky model's validation score, and what is left at scheduling time."""
    leaky, clean = leakage.loc["leaky"], leakage.loc["clean"]
    return (
        f"With the post-departure columns the model scores {leaky['validation AUC']:.3f} on "
        f"validation, against {clean['validation AUC']:.3f} for the clean model; with them "
        f"missing, as at scheduling time, it falls to {leaky['AUC at scheduling time']:.3f}, "
        f"while the clean model does not move ({clean['AUC at scheduling time']:.3f}). "
        f"`dep_delay` alone, with no model, ranks the flights at {dep_delay_auc:.3f}: a departure "
        "delay is most of an arrival delay. A score that good is a reason to audit the columns."
    )


def config_quality(y: Any, pool_scores: np.ndarray) -> pd.Series:
    """Each configuration's ROC AUC on the whole pool: its quality, as far as the pool can tell."""
    auc = roc_auc_columns(y, np.asarray(pool_scores).T)
    return pd.Series(auc, index=pd.RangeIndex(len(auc), name="configuration"), name="pool AUC")


def optimism_sentence(summary: pd.DataFrame, quality: pd.Series, n_val: int) -> str:
    """Why the pick's validation AUC climbs with k while its fresh AUC need not.

    ``summary`` is :func:`summarize` (one row per number of candidates ``k``);
    ``quality`` is :func:`config_quality`.
    """
    ks = list(summary.index)
    first, last = summary.loc[ks[0]], summary.loc[ks[-1]]
    rank = int((quality > quality.iloc[0]).sum()) + 1
    text = (
        f"With more candidates the pick's validation AUC climbs from {first['validation AUC']:.3f} "
        f"(best of {ks[0]}) to {last['validation AUC']:.3f} (best of {ks[-1]}), and the optimism "
        f"with it, from {first['optimism']:+.3f} to {last['optimism']:+.3f}. "
    )
    dips = [k for k in ks[1:] if summary.loc[k, "fresh AUC"] < first["fresh AUC"]]
    if not dips:
        return text + (
            f"On fresh rows the pick improves less, from {first['fresh AUC']:.3f} to "
            f"{last['fresh AUC']:.3f}: part of the validation gain is luck."
        )
    fresh = ", ".join(f"{summary.loc[k, 'fresh AUC']:.3f}" for k in dips)
    text += (
        f"On fresh rows, though, the best of {', '.join(str(k) for k in dips)} scores below the "
        f"best of {ks[0]} ({fresh} against {first['fresh AUC']:.3f}). The first configuration "
        f"ranks {rank} of {len(quality)} on the whole pool (AUC {quality.iloc[0]:.3f}; median "
        f"of the configurations {quality.median():.3f}). "
    )
    if rank <= max(1, len(quality) // 3):
        return text + (
            f"It happens to be a good one: picked on {n_val:,} noisy validation rows, a "
            "better-looking configuration often replaces it and is worse on fresh rows. Selection "
            "on a small validation set can make the model worse while its validation score rises."
        )
    spread = first["fresh p90"] - first["fresh p10"]
    return text + (
        f"It is not a particularly good one, and the dip is small against the spread of the "
        f"pick's fresh AUC across draws ({spread:.3f} from the 10th to the 90th percentile): "
        "selection here buys validation score, not fresh score."
    )


def truth_sentence(estimates: pd.DataFrame, truth: Any) -> str:
    """Which splits' intervals contain the held-out months' score."""
    inside = [n for n, r in estimates.iterrows() if r["low"] <= truth.estimate <= r["high"]]
    return (
        f"The held-out months score {truth} ({truth.describe().split('(', 1)[1].rstrip(')')}). "
        + (
            f"Its value lies inside the interval of {', '.join(inside)}; "
            if inside
            else "It lies inside none of the splits' intervals; "
        )
        + "the error of each estimate is in the table."
    )


def summarize(draws: pd.DataFrame) -> pd.DataFrame:
    """One row per number of candidates: mean AUCs of the pick, spreads of fresh AUC and optimism."""
    summary = summarize_optimism(draws).droplevel("n_val")
    fresh = draws.groupby("n_candidates", sort=True)["fresh AUC"]
    summary["fresh p10"] = fresh.quantile(0.1)
    summary["fresh p90"] = fresh.quantile(0.9)
    return summary[
        [
            "validation AUC",
            "fresh AUC",
            "fresh p10",
            "fresh p90",
            "optimism",
            "optimism p10",
            "optimism p90",
            "share optimistic",
        ]
    ]


def headline(
    splits: pd.DataFrame, truth: Any, leakage: pd.DataFrame, optimism: pd.DataFrame, k: int
) -> str:
    """The index line."""
    return (
        f"Sep-Oct AUC {truth}, estimated {splits.loc['random rows', 'roc_auc']:.3f} by a random "
        f"split and {splits.loc['time: latest fifth', 'roc_auc']:.3f} by a time split; leaky model "
        f"AUC {leakage.loc['leaky', 'validation AUC']:.3f} falls to "
        f"{leakage.loc['leaky', 'AUC at scheduling time']:.3f} at scheduling time; best-of-{k} "
        f"selection optimism {optimism.loc[k, 'optimism']:+.3f} AUC"
    )


def recap(
    splits: pd.DataFrame,
    truth: Any,
    leakage: pd.DataFrame,
    optimism: pd.DataFrame,
    k: int,
    n_val: int,
    n_repeats: int,
    n_evaluations: int,
) -> str:
    """The recap lines, from the numbers."""
    auc = splits["roc_auc"]
    return "\n".join(
        [
            f"- **Splits (S2).** On the same development flights, the random split scored "
            f"{auc['random rows']:.3f} AUC, the split by aircraft {auc['group: aircraft']:.3f}, "
            f"by day {auc['group: day']:.3f} and by time {auc['time: latest fifth']:.3f}; the "
            f"months the model had never seen gave {truth}. Choose the split that mimics how the "
            "model is used (here, later flights), and group by whatever shares unmeasured "
            "conditions (here, the day).",
            f"- **Leakage (S1).** With the post-departure columns the model scored "
            f"{leakage.loc['leaky', 'validation AUC']:.3f} on validation, against "
            f"{leakage.loc['clean', 'validation AUC']:.3f} for the clean model; without them, as "
            f"at scheduling time, it fell to {leakage.loc['leaky', 'AUC at scheduling time']:.3f}.",
            f"- **Selection (S3).** Picking the best of {k} configurations on {n_val:,} validation "
            f"rows overstated the pick's AUC by {optimism.loc[k, 'optimism']:+.3f} on average over "
            f"{n_repeats} draws (best of one: {optimism.iloc[0]['optimism']:+.3f}). A score that "
            "chose the model is no longer an estimate of it; that is why the held-out months were "
            f"scored once, at the end ({n_evaluations} evaluation).",
            "- **Next:** `04_cross_validation` replaces the single validation split by k folds and "
            "measures when that helps and when it misleads.",
        ]
    )
