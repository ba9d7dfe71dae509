"""What ``notebooks/06_bias_variance.ipynb`` measured, as tables and sentences.

The notebook splits the sampled year in three periods: it trains on the first,
draws its curves and **selects** (a tree depth, a regularization strength) on
the second, and **reports** the selected settings on the third, which chose
nothing. Spreads over random training sets are reported as ranges; comparisons
of two models on the same rows are :class:`~mlstack.metrics.comparison.Verdict`
objects; so every sentence here is chosen from the measurements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlstack.metrics.comparison import Verdict, compare_repeats

__all__ = [
    "boosting_iterations",
    "penalty_sentence",
    "period_table",
    "verdict_list",
    "curve_summary",
    "depth_verdicts",
    "headline",
    "iterations_sentence",
    "learning_findings",
    "learning_sentence",
    "recap",
    "spread_ratio",
    "spread_sentence",
    "time_periods",
]


_WORDS = {
    "better": "better than",
    "worse": "worse than",
    "indistinguishable": "indistinguishable from",
    "equivalent": "equivalent to",
}


def time_periods(n: int, *, train: float = 0.6, valid: float = 0.15) -> dict[str, np.ndarray]:
    """Row positions of three consecutive periods of rows in time order.

    Examples
    --------
    >>> {k: (int(v[0]), len(v)) for k, v in time_periods(100).items()}
    {'training': (0, 60), 'validation': (60, 15), 'test': (75, 25)}
    """
    first, second = int(n * train), int(n * (train + valid))
    return {
        "training": np.arange(first),
        "validation": np.arange(first, second),
        "test": np.arange(second, n),
    }


def period_table(
    X: pd.DataFrame, periods: dict[str, np.ndarray], time: str = "sched_dep"
) -> pd.DataFrame:
    """Flights and first and last day of each period."""
    return pd.DataFrame(
        {
            name: {
                "flights": len(rows),
                "first": X.iloc[rows][time].min().date(),
                "last": X.iloc[rows][time].max().date(),
            }
            for name, rows in periods.items()
        }
    ).T


def verdict_list(verdicts: Any) -> str:
    """Verdicts as a markdown list of their sentences."""
    return "\n".join(f"- {verdict.sentence(digits=4)}" for verdict in verdicts)


def penalty_sentence(penalties: Verdict, nonzero: tuple[int, int]) -> str:
    """L1's sparsity at its chosen strength, and L1 against L2 on the test period."""
    return (
        f"- L1 at its chosen strength keeps {nonzero[0]} of {nonzero[1]} coefficients; L2 keeps "
        f"all of them.\n- On the test period: {penalties.sentence(digits=4)}."
    )


def curve_summary(curves: pd.DataFrame, x: str = "n_train") -> pd.DataFrame:
    """Mean and range over the training sets of each curve's error, and of the gap.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`~mlstack.model_selection.curves.learning_curve_frame` (or
        the validation curve), with a ``model`` column when several models.

    Returns
    -------
    pandas.DataFrame
        Indexed by (model, x): ``training``, ``validation`` and ``gap``
        (validation minus training, per training set), each as its mean over
        the training sets, with ``min`` and ``max`` columns beside it
        (``training min``, ``training max``, ...).
    """
    keys = (["model"] if "model" in curves.columns else []) + [x, "split"]
    wide = curves.pivot_table(index=keys, columns="side", values="error").reset_index()
    wide["gap"] = wide["validation"] - wide["training"]
    stats = wide.groupby(keys[:-1])[["training", "validation", "gap"]].agg(["mean", "min", "max"])
    stats.columns = [name if stat == "mean" else f"{name} {stat}" for name, stat in stats.columns]
    return stats


def learning_findings(summary: pd.DataFrame, *, flexible: str, simple: str) -> dict[str, bool]:
    """What the learning curves show, decided from the ranges over the training sets.

    ``gap_shrinks``: the flexible model's gap at the largest size lies entirely
    below its gap at the smallest. ``simple_flat``: the simple model's
    validation ranges at the two largest sizes overlap.
    """
    sizes = sorted(summary.loc[flexible].index)
    f_small, f_large = summary.loc[(flexible, sizes[0])], summary.loc[(flexible, sizes[-1])]
    s_sizes = sorted(summary.loc[simple].index)
    s_last, s_before = summary.loc[(simple, s_sizes[-1])], summary.loc[(simple, s_sizes[-2])]
    return {
        "gap_shrinks": bool(f_large["gap max"] < f_small["gap min"]),
        "simple_flat": not bool(
            s_last["validation max"] < s_before["validation min"]
            or s_last["validation min"] > s_before["validation max"]
        ),
    }


def _range(row: pd.Series, column: str, digits: int = 4) -> str:
    return (
        f"{row[column]:.{digits}f} ({row[f'{column} min']:.{digits}f} to "
        f"{row[f'{column} max']:.{digits}f})"
    )


def learning_sentence(
    summary: pd.DataFrame, base_error: float, *, flexible: str, simple: str
) -> str:
    """Say what the learning curves show, with the range over the training sets.

    The flexible model's gap is said to shrink only when its range at the
    largest size lies entirely below its range at the smallest; the simple
    model's validation error "barely moves" only when its ranges at the two
    largest sizes overlap.
    """
    sizes = sorted(summary.loc[flexible].index)
    small, large = sizes[0], sizes[-1]
    f_small, f_large = summary.loc[(flexible, small)], summary.loc[(flexible, large)]
    found = learning_findings(summary, flexible=flexible, simple=simple)
    shrinks = found["gap_shrinks"]
    text = (
        f"With {small:,} training flights, {flexible}'s training error is "
        f"{_range(f_small, 'training')} and its validation error {_range(f_small, 'validation')} "
        f"(mean, and range over the training sets): a gap of {_range(f_small, 'gap')}"
        + (
            ", the signature of **variance** (it fits the noise of its few rows)"
            if shrinks
            else ""
        )
        + f". With {large:,} flights the gap is {_range(f_large, 'gap')}"
        + (", clearly smaller" if shrinks else ", not clearly smaller")
        + f", and its validation error {_range(f_large, 'validation')}."
    )
    s_sizes = sorted(summary.loc[simple].index)
    s_last = summary.loc[(simple, s_sizes[-1])]
    flat = found["simple_flat"]
    text += (
        f" {simple.capitalize()}'s validation error goes from "
        f"{_range(summary.loc[(simple, s_sizes[0])], 'validation')} at {s_sizes[0]:,} flights to "
        f"{_range(s_last, 'validation')} at {s_sizes[-1]:,}, with a gap of {_range(s_last, 'gap')}"
    )
    text += (
        f"; from {s_sizes[-2]:,} flights on it no longer moves beyond the spread of the training "
        "sets: the signature of **bias**, a model too simple to use more data."
        if flat
        else "; it still improves at the largest sizes, so more data still helps it."
    )
    return text + f" The bar to beat, always predicting the late rate, is {base_error:.4f}."


def boosting_iterations(
    model: Any, X: Any, y: Any, rows: np.ndarray, sizes: Sequence[int]
) -> pd.DataFrame:
    """Fit ``model`` (a pipeline ending in a gradient boosting) on the first ``n`` rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_train``: ``iterations`` (``n_iter_`` of the fitted
        boosting), ``early stopping`` (whether it was active) and ``max_iter``.
    """
    table = {}
    for n in sizes:
        fitted = clone(model).fit(X.iloc[rows[:n]], y.iloc[rows[:n]])
        booster = fitted[-1]
        table[n] = {
            "iterations": int(booster.n_iter_),
            # validation_score_ is empty unless early stopping held out rows to score on
            "early stopping": len(booster.validation_score_) > 0,
            "max_iter": int(booster.max_iter),
        }
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("n_train")


def iterations_sentence(table: pd.DataFrame, training_error: pd.Series) -> str:
    """Explain the boosting's training error from its capacity, its iterations and its defaults.

    ``training_error`` is the mean training error by size. Early stopping
    (scikit-learn's ``early_stopping="auto"`` switches it on above 10,000
    rows) is named as a cause only where it cut the iterations short.
    """
    lowest = int(training_error.idxmin())
    largest = int(training_error.index.max())
    text = (
        f"The boosting's training error is lowest at {lowest:,} flights "
        f"({training_error[lowest]:.4f}) and {training_error[largest]:.4f} at {largest:,}. "
        "Its capacity is fixed: at most 100 trees of at most 31 leaves, each leaf holding at "
        "least 20 flights (`min_samples_leaf=20`). A few hundred flights allow only small "
        "trees; around a thousand can be nearly memorized; many thousands cannot, so the "
        "training error rises towards the validation error: the model stops overfitting, "
        "which is the gap closing above."
    )
    stopped = table[table["early stopping"]]
    cut = stopped[stopped["iterations"] < stopped["max_iter"]]
    if not cut.empty:
        text += (
            f" From {int(cut.index.min()):,} flights on, scikit-learn's default "
            "`early_stopping='auto'` held out 10% of the rows and stopped after "
            f"{', '.join(str(i) for i in cut['iterations'])} of {int(cut['max_iter'].iloc[0])} "
            "iterations, which raises the training error further."
        )
    elif not stopped.empty:
        text += (
            f" Early stopping (`early_stopping='auto'`) switched on from "
            f"{int(stopped.index.min()):,} flights but ran all {int(stopped['max_iter'].iloc[0])} "
            "iterations: it is not the cause here."
        )
    return text


def depth_verdicts(by_depth: pd.DataFrame, x: str = "max_depth") -> tuple[int, dict[int, Verdict]]:
    """Pick the depth with the lowest mean validation error; compare the extremes with it.

    Each comparison is paired over the same training sets (one difference per
    set), with :func:`~mlstack.metrics.comparison.compare_repeats`. The chosen
    depth is the best of all those tried on these same data, so its own
    validation error is optimistic: report it on data that did not choose it.

    Returns
    -------
    best : int
    verdicts : dict
        ``{depth: Verdict}`` for the shallowest and the deepest, each "the
        best depth against that depth" (positive: the best has the lower error).
    """
    valid = by_depth[by_depth["side"] == "validation"].pivot_table(
        index="split", columns=x, values="error"
    )
    best = int(valid.mean().idxmin())
    verdicts = {}
    for depth in (int(valid.columns.min()), int(valid.columns.max())):
        if depth == best:
            continue
        verdicts[depth] = compare_repeats(
            (valid[depth] - valid[best]).to_numpy(),
            unit="training sets",
            names=(f"depth {best}", f"depth {depth}"),
        )
    return best, verdicts


def spread_ratio(
    spread: pd.DataFrame,
    n_train: int,
    flexible: str,
    simple: str,
    *,
    n_resamples: int = 2000,
    random_state: int = 0,
) -> tuple[float, float, float]:
    """How many times wider the flexible model's validation errors spread than the simple one's.

    The ratio of standard deviations over the training sets of one size,
    with a percentile interval from resampling the training sets (both
    models were fitted on the same sets, so they are resampled together).

    Returns
    -------
    tuple of float
        ``(ratio, low, high)``.
    """
    part = spread[spread["n_train"] == n_train].pivot_table(
        index="repeat", columns="model", values="valid"
    )
    a, b = part[flexible].to_numpy(), part[simple].to_numpy()
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, len(a), size=(n_resamples, len(a)))
    with np.errstate(divide="ignore", invalid="ignore"):  # a resample may repeat one set
        ratios = a[draws].std(axis=1, ddof=1) / b[draws].std(axis=1, ddof=1)
    ratios = ratios[np.isfinite(ratios)]
    low, high = np.nanquantile(ratios, [0.025, 0.975])
    return float(a.std(ddof=1) / b.std(ddof=1)), float(low), float(high)


def spread_sentence(
    spread: pd.DataFrame,
    n_train: int,
    flexible: str,
    simple: str,
    ratio: tuple[float, float, float],
) -> str:
    """Say how far the flexible model's score swings from one training set to the next."""
    part = spread[spread["n_train"] == n_train].groupby("model")["valid"]
    mean, std = part.mean(), part.std()
    train_max = spread.loc[
        (spread["model"] == flexible) & (spread["n_train"] == n_train), "train"
    ].max()
    value, low, high = ratio
    wider = low > 1
    text = (
        f"With {n_train} training flights {flexible}'s validation error is {mean[flexible]:.4f} on "
        f"average, with a standard deviation of {std[flexible]:.4f} across training sets, "
        f"{value:.1f}x (95% interval {low:.1f}-{high:.1f}x, resampling the training sets) "
        f"{simple}'s ({mean[simple]:.4f} ± {std[simple]:.4f})"
        + ("" if wider else ": not distinguishably wider")
        + f". Its training error is {train_max:.4f} at most"
    )
    return text + (": it memorizes whatever sample it gets." if train_max < 1e-9 else ".")


def headline(
    summary: pd.DataFrame,
    *,
    flexible: str,
    l1: Verdict,
    ratio: tuple[float, float, float],
    n_train: int,
) -> str:
    """The notebook's headline: the gap of the flexible model, L1 against L2, the spread ratio."""
    sizes = sorted(summary.loc[flexible].index)
    small, large = summary.loc[(flexible, sizes[0])], summary.loc[(flexible, sizes[-1])]
    return (
        f"{flexible.capitalize()}'s train/validation gap: {small['gap']:.3f} at "
        f"{sizes[0]:,} flights, {large['gap']:.3f} at {sizes[-1]:,}; on the test "
        f"period, {l1.names[0]} is {_WORDS[l1.verdict]} "
        f"{l1.names[1]} ({l1.difference:+.4f} [{l1.low:+.4f}, {l1.high:+.4f}] Brier); a deep "
        f"tree's error spreads {ratio[0]:.1f}x ({ratio[1]:.1f}-{ratio[2]:.1f}x) more than a "
        f"logistic regression's at {n_train} flights"
    )


def recap(
    *,
    findings: dict[str, bool],
    depth: int,
    depth_test: pd.Series,
    penalties: Verdict,
    nonzero: tuple[int, int],
    ratio: tuple[float, float, float],
    n_train: int,
) -> str:
    """The closing recap, every comparison taken from its measurement."""
    wider = "far more" if ratio[1] > 1 else "not distinguishably more"
    variance = (
        "the flexible model's gap between training and validation error (variance) closed as "
        "data grew"
        if findings["gap_shrinks"]
        else "the flexible model's gap did not close clearly within the sizes tried"
    )
    bias = (
        "the simple model's validation error stopped moving beyond the spread of training sets "
        "(bias)"
        if findings["simple_flat"]
        else "the simple model still improved at the largest sizes"
    )
    return "\n".join(
        [
            f"- **B1**: learning curves separate the two failure modes: {variance}; {bias}. The "
            f"validation curve of a tree chose depth {depth}; on the test period, which did not "
            f"choose it, its Brier score is {depth_test['brier']:.4f} [{depth_test['low']:.4f}, "
            f"{depth_test['high']:.4f}] ({depth_test['resampled']}).",
            f"- **B2**: L1 keeps {nonzero[0]} of {nonzero[1]} coefficients at its best strength, "
            f"L2 all of them; on the test period, {penalties.sentence(digits=4)}.",
            f"- **B3**: on {n_train} training flights a flexible model's score swings from sample "
            f"to sample {wider} than a simple model's ({ratio[0]:.1f}x the standard deviation, "
            f"{ratio[1]:.1f}-{ratio[2]:.1f}x); one split is not evidence (see "
            "`04_cross_validation`).",
            "",
            "Next: `07_sklearn_api` looks at the contract every estimator above follows.",
        ]
    )
