"""Compare two models honestly: paired differences, corrected for overlap, with a verdict.

Two models scored on the same folds (or the same test rows) share most of their
noise: a hard fold is hard for both. Their *difference*, fold by fold, is what
decides which is better, and it is known far more precisely than either score.
Two corrections keep the decision honest:

- **Overlapping training sets.** The folds of k-fold or rolling-origin
  cross-validation train on largely the same rows, so their differences are
  correlated and a plain t-test is overconfident. :func:`corrected_ttest` uses
  the variance correction of Nadeau and Bengio (2003), as scikit-learn's gallery
  example "Statistical comparison of models using grid search" does:
  ``var * (1/k + n_test/n_train)`` instead of ``var / k``.
- **Selection.** The best of many candidates on some folds is optimistic on
  those folds. :func:`select_and_recheck` chooses on all folds but one and
  scores the choice on the fold it did not see, for every fold in turn, so the
  winner's advantage is measured on data it was not chosen on.

A :class:`Verdict` says ``better``, ``worse`` or ``indistinguishable`` from the
interval of the difference, and ``equivalent`` only when a region of practical
equivalence (``rope``) is stated and the whole interval lies inside it. Notebooks
print the verdict instead of wording their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import paired_bootstrap_differences

__all__ = [
    "VERDICTS",
    "Verdict",
    "compare_folds",
    "compare_on_rows",
    "compare_repeats",
    "corrected_ttest",
    "select_and_recheck",
    "verdict_from_interval",
]

#: The possible verdicts, A compared with B.
VERDICTS: tuple[str, ...] = ("better", "worse", "indistinguishable", "equivalent")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a paired comparison of A with B, and the interval that decided it.

    Attributes
    ----------
    verdict : {"better", "worse", "indistinguishable", "equivalent"}
        A compared with B.
    difference : float
        Estimated advantage of A over B (positive: A is better, whatever the
        metric's direction).
    low, high : float
        Interval of the difference at ``confidence``.
    confidence : float
    method : str
        How the interval was made, e.g. ``"corrected paired t-test, 5 folds"``.
    rope : float or None
        Half-width of the region of practical equivalence, when one was stated.
    names : tuple of str
        Names of A and B, for the sentence.
    selected_from : int
        A was the best of this many candidates.
    rechecked : bool
        Whether A's advantage was measured on data it was not chosen on.
    """

    verdict: str
    difference: float
    low: float
    high: float
    confidence: float
    method: str
    rope: float | None = None
    names: tuple[str, str] = ("A", "B")
    selected_from: int = 1
    rechecked: bool = False

    def __str__(self) -> str:
        return self.sentence()

    def sentence(self, digits: int = 3) -> str:
        """One sentence: the verdict, the difference and its interval, and how it was made."""
        a, b = self.names
        word = {
            "better": "better than",
            "worse": "worse than",
            "indistinguishable": "indistinguishable from",
            "equivalent": "equivalent to",
        }[self.verdict]
        f = f"{{:+.{digits}f}}"
        text = (
            f"{a} is {word} {b}: difference {f.format(self.difference)} "
            f"[{f.format(self.low)}, {f.format(self.high)}] ({self.confidence:.0%}, {self.method}"
        )
        if self.rope is not None:
            text += f"; equivalence region ±{self.rope:g}"
        text += ")"
        if self.selected_from > 1 and not self.rechecked:
            text += (
                f". {a} is the best of {self.selected_from} candidates on these same data, "
                "so the difference is optimistic: it was not re-checked on data it was not "
                "chosen on"
            )
        return text

    def paragraph(self, digits: int = 3) -> str:
        """The :meth:`sentence`, capitalized and closed with a period, to stand on its own.

        Examples
        --------
        >>> Verdict("better", 0.02, 0.01, 0.03, 0.95, "a test", names=("the pipeline", "B")).paragraph()
        'The pipeline is better than B: difference +0.020 [+0.010, +0.030] (95%, a test).'
        """
        text = self.sentence(digits)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")

    def as_dict(self) -> dict[str, Any]:
        """Return the verdict as plain data (for JSON and tables)."""
        return {
            "verdict": self.verdict,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "method": self.method,
            "rope": self.rope,
            "names": list(self.names),
            "selected_from": self.selected_from,
            "rechecked": self.rechecked,
        }


def verdict_from_interval(low: float, high: float, rope: float | None = None) -> str:
    """Decide from the interval of A's advantage over B.

    ``equivalent`` when a ``rope`` is given and the interval lies within it;
    otherwise ``better`` when the interval is above zero, ``worse`` when below,
    and ``indistinguishable`` when it contains zero.

    Examples
    --------
    >>> verdict_from_interval(0.01, 0.03), verdict_from_interval(-0.01, 0.02)
    ('better', 'indistinguishable')
    >>> verdict_from_interval(-0.002, 0.003, rope=0.005)
    'equivalent'
    """
    if rope is not None and -rope <= low and high <= rope:
        return "equivalent"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "indistinguishable"


def corrected_ttest(
    differences: Sequence[float],
    n_train: float | Sequence[float],
    n_test: float | Sequence[float],
    *,
    confidence: float = 0.95,
) -> dict[str, float]:
    """Nadeau and Bengio's corrected resampled t-test on per-fold differences.

    Parameters
    ----------
    differences : sequence of float
        A's score minus B's on each fold (or repeat), oriented so positive
        means A is better.
    n_train, n_test : float or sequence of float
        Training and validation rows of each fold (a sequence for folds of
        different sizes, as in rolling-origin cross-validation; their mean
        ratio is used).
    confidence : float, default=0.95

    Returns
    -------
    dict
        ``mean``, ``se`` (corrected standard error), ``t``, ``df``, ``p``
        (two-sided), ``low`` and ``high``.

    Examples
    --------
    >>> result = corrected_ttest([0.010, 0.012, 0.008, 0.011, 0.009], 800, 200)
    >>> round(result["mean"], 4), result["df"], bool(result["low"] > 0)
    (0.01, 4, True)
    """
    d = np.asarray(differences, dtype=float)
    k = len(d)
    if k < 2:
        raise InputError(f"need at least 2 folds to compare; got {k}", parameter="differences")
    ratio = float(np.mean(np.asarray(n_test, dtype=float) / np.asarray(n_train, dtype=float)))
    variance = d.var(ddof=1) * (1 / k + ratio)
    se = float(np.sqrt(variance))
    mean = float(d.mean())
    df = k - 1
    quantile = stats.t.ppf(0.5 + confidence / 2, df)
    if se == 0:
        t_stat = np.inf if mean != 0 else 0.0
        p = 0.0 if mean != 0 else 1.0
    else:
        t_stat = mean / se
        p = float(2 * stats.t.sf(abs(t_stat), df))
    return {
        "mean": mean,
        "se": se,
        "t": float(t_stat),
        "df": df,
        "p": p,
        "low": mean - quantile * se,
        "high": mean + quantile * se,
    }


def compare_folds(
    scores_a: Sequence[float],
    scores_b: Sequence[float],
    *,
    n_train: float | Sequence[float],
    n_test: float | Sequence[float],
    greater_is_better: bool = True,
    rope: float | None = None,
    confidence: float = 0.95,
    names: tuple[str, str] = ("A", "B"),
    selected_from: int = 1,
    rechecked: bool = False,
) -> Verdict:
    """Compare two models scored on the same folds, with the corrected paired t-test.

    Parameters
    ----------
    scores_a, scores_b : sequence of float
        Each model's score on the same folds, in the same order.
    n_train, n_test : float or sequence of float
        Rows used to train and to score on each fold (see :func:`corrected_ttest`).
    greater_is_better : bool, default=True
        False for losses (log loss, RMSE...).
    rope : float, optional
        Differences smaller than this are of no practical importance; with it,
        an interval inside ``[-rope, rope]`` is ``equivalent``.
    confidence : float, default=0.95
    names : tuple of str, default=("A", "B")
    selected_from : int, default=1
        How many candidates A was the best of, on these same folds. Above 1,
        the verdict says the difference is optimistic unless ``rechecked``.
    rechecked : bool, default=False
        True when A was chosen on other data than these folds.

    Returns
    -------
    Verdict

    Examples
    --------
    Ahead on four folds of five, and still within noise once the folds' overlap
    is accounted for:

    >>> v = compare_folds([0.71, 0.70, 0.72, 0.69, 0.70], [0.70, 0.69, 0.71, 0.69, 0.69],
    ...                   n_train=800, n_test=200, names=("tuned", "default"))
    >>> print(v)
    tuned is indistinguishable from default: difference +0.008 [-0.000, +0.016] (95%, corrected paired t-test over 5 folds)
    """
    a = np.asarray(scores_a, dtype=float)
    b = np.asarray(scores_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise InputError(
            f"scores_a {a.shape} and scores_b {b.shape} must be per-fold scores of the same folds",
            parameter="scores_b",
        )
    sign = 1.0 if greater_is_better else -1.0
    test = corrected_ttest(sign * (a - b), n_train, n_test, confidence=confidence)
    return Verdict(
        verdict_from_interval(test["low"], test["high"], rope),
        test["mean"],
        test["low"],
        test["high"],
        confidence,
        f"corrected paired t-test over {len(a)} folds",
        rope,
        names,
        selected_from,
        rechecked,
    )


def compare_repeats(
    differences: Sequence[float],
    *,
    unit: str = "repeats",
    rope: float | None = None,
    confidence: float = 0.95,
    names: tuple[str, str] = ("A", "B"),
) -> Verdict:
    """Compare A with B from paired differences measured on independent repeats.

    Use it when each repeat draws its own training data independently (small
    random training sets from a large pool, say) and both workflows are scored
    on the same rows within a repeat: the differences are independent, so the
    plain paired t-interval applies, without the overlap correction of
    :func:`compare_folds`. The interval covers the variation between repeats
    only; rows shared by every repeat (a fixed validation set) add their own
    noise, which :func:`compare_on_rows` measures.

    Parameters
    ----------
    differences : sequence of float
        A's score minus B's in each repeat, oriented so positive means A is better.
    unit : str, default="repeats"
        Plural name of what was repeated (``"training sets"``), for the method text.
    rope, confidence, names
        As in :func:`compare_folds`.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = compare_repeats([0.004, -0.01, 0.012, 0.0, 0.003, -0.002], unit="training sets",
    ...                     names=("scaler fitted on all rows", "pipeline"))
    >>> print(v)
    scaler fitted on all rows is indistinguishable from pipeline: difference +0.001 [-0.007, +0.009] (95%, paired t-interval over 6 training sets)
    """
    d = np.asarray(differences, dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise InputError(
            f"need at least 2 paired differences; got shape {d.shape}", parameter="differences"
        )
    test = corrected_ttest(d, n_train=1.0, n_test=0.0, confidence=confidence)
    return Verdict(
        verdict_from_interval(test["low"], test["high"], rope),
        test["mean"],
        test["low"],
        test["high"],
        confidence,
        f"paired t-interval over {len(d)} {unit}",
        rope,
        names,
    )


def compare_on_rows(
    y_true: Any,
    y_pred_a: Any,
    y_pred_b: Any,
    metric: str = "roc_auc",
    *,
    groups: Any = None,
    unit: str | None = None,
    rope: float | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    random_state: int = 0,
    pos_label: Any = None,
    names: tuple[str, str] = ("A", "B"),
    selected_from: int = 1,
    rechecked: bool = False,
) -> Verdict:
    """Compare two models' predictions of the same rows with a paired bootstrap.

    Both models are scored on each resample of the rows (or of whole ``groups``),
    so their shared noise cancels. Use it on a test set scored once, where there
    are no folds.

    Parameters
    ----------
    y_true, y_pred_a, y_pred_b, metric, groups, n_resamples, random_state, pos_label
        As in :func:`~mlstack.metrics.bootstrap.paired_bootstrap_differences`.
    unit : str, optional
        Plural name of what ``groups`` holds (``"days"``), for the method text.
    rope, confidence, names, selected_from, rechecked
        As in :func:`compare_folds`.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(600) < 0.3
    >>> a, b = y + rng.normal(size=600), y + 2 * rng.normal(size=600)
    >>> compare_on_rows(y, a, b, n_resamples=300).verdict
    'better'
    """
    difference, replicates = paired_bootstrap_differences(
        y_true,
        y_pred_a,
        y_pred_b,
        metric,
        groups=groups,
        n_resamples=n_resamples,
        random_state=random_state,
        pos_label=pos_label,
    )
    alpha = (1 - confidence) / 2
    low, high = (float(v) for v in np.nanquantile(replicates, [alpha, 1 - alpha]))
    if groups is None:
        n_units, what = len(np.asarray(y_true)), "rows"
    else:
        n_units, what = len(pd.unique(np.asarray(groups))), unit or "groups"
    return Verdict(
        verdict_from_interval(low, high, rope),
        difference,
        low,
        high,
        confidence,
        f"paired bootstrap of {n_units:,} {what}, {n_resamples} resamples",
        rope,
        names,
        selected_from,
        rechecked,
    )


def select_and_recheck(
    fold_scores: Any,
    baseline: Sequence[float],
    *,
    n_train: float | Sequence[float],
    n_test: float | Sequence[float],
    greater_is_better: bool = True,
    rope: float | None = None,
    confidence: float = 0.95,
    names: tuple[str, str] = ("the selected setting", "the baseline"),
) -> tuple[Verdict, np.ndarray]:
    """Is choosing the best of k candidates better than the baseline, on folds not used to choose?

    For each fold in turn, the candidate with the best mean score on the *other*
    folds is chosen, and its score on this fold is compared with the baseline's.
    The per-fold differences measure the whole procedure "pick the best of k",
    selection included, so they are not optimistic (a cross-validated selection).

    Parameters
    ----------
    fold_scores : array-like of shape (n_candidates, n_folds)
        Every candidate's score on each fold.
    baseline : sequence of float of length n_folds
        The baseline's score on the same folds (a default setting, a simpler model).
    n_train, n_test, greater_is_better, rope, confidence, names
        As in :func:`compare_folds`.

    Returns
    -------
    verdict : Verdict
        With ``selected_from=n_candidates`` and ``rechecked=True``.
    chosen : numpy.ndarray of shape (n_folds,)
        The candidate chosen for each fold; when they differ between folds, the
        choice itself is unstable.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noise = 0.70 + 0.01 * rng.normal(size=(8, 5))  # eight equally good settings
    >>> verdict, chosen = select_and_recheck(noise, noise[0], n_train=800, n_test=200)
    >>> verdict.verdict, verdict.rechecked
    ('indistinguishable', True)
    """
    scores = np.asarray(fold_scores, dtype=float)
    base = np.asarray(baseline, dtype=float)
    if scores.ndim != 2 or scores.shape[1] != len(base) or scores.shape[1] < 2:
        raise InputError(
            f"fold_scores has shape {scores.shape}; expected (n_candidates, {len(base)}) "
            "with at least 2 folds",
            parameter="fold_scores",
        )
    sign = 1.0 if greater_is_better else -1.0
    oriented = sign * scores
    k = scores.shape[1]
    others = (oriented.sum(axis=1, keepdims=True) - oriented) / (k - 1)  # mean on the other folds
    chosen = np.argmax(others, axis=0)  # (n_folds,): ties go to the earlier candidate
    picked = scores[chosen, np.arange(k)]
    verdict = compare_folds(
        picked,
        base,
        n_train=n_train,
        n_test=n_test,
        greater_is_better=greater_is_better,
        rope=rope,
        confidence=confidence,
        names=names,
        selected_from=scores.shape[0],
        rechecked=True,
    )
    return verdict, chosen
