"""The one proxy policy: which columns are target proxies, how severe, and which to drop.

``mlstack leakage`` reports with it and ``mlstack exit-test`` drops with it, so the two
commands agree on the same table. A column that alone predicts the target almost
perfectly is usually one recorded after the outcome, or computed from it. Leaks often
arrive as a *family* of derived columns (an amount and its share of income, a count
and the fee computed from it): each member is then strong, and each is the other's
runner-up, so no rule based on a column's lead over the next one can see them. The
audit therefore judges families.

1. **Candidates**: columns whose cross-fitted strength alone (see
   :mod:`~mlstack.tools.leakage.scores`) is at least :data:`PROXY_LOST_MIN` and 4
   standard errors above chance; identifiers and the declared time and group columns
   have checks of their own.
2. **Families**: candidates strongly related *to each other beyond the target*: a rank
   correlation within each class (for a numeric target, partial on the target's rank)
   of at least :data:`FAMILY_RELATED`. Two ordinary features that both follow the
   target correlate through it, but not within a class; ``expenditure`` and ``share``
   (expenditure over income) stay correlated inside each class. A family is one
   finding that names all its members, strongest first.
3. **Severity** (:func:`proxy_severity`), from the family's strongest member, never
   from its lead over the next column:

   - ``high``: strength :data:`PROXY_PERFECT` (AUC 0.99, rank R2 0.96), a column that
     separates the classes almost perfectly; or, for classes and at least
     :data:`DECISIVE_MIN_ROWS` scored rows, a column that removes :data:`PROXY_DECISIVE`
     of the label's uncertainty out of fold (its value ranges decide the label for most
     rows; with several classes, between every pair of classes); or strength
     :data:`PROXY_STRONG` (AUC 0.85) that does not survive on test (less than half of it
     is left, beyond noise: the signature of a column filled in after the fact);
   - ``medium``: strength :data:`PROXY_LOST_MIN` (AUC 0.75) that does not survive on test;
   - ``low``: strength :data:`PROXY_STRONG` that survives. Good features are strong too
     (a credit balance predicts default with an AUC above 0.9, a tumour's size its
     malignancy above 0.95): a strong column alone is a question to ask, not a verdict.

   The thresholds were set on real tables; the report of ``make bench-deepchecks``
   (``reports/leakage_vs_deepchecks.md``) shows how this policy rates them over 8 random
   splits. Columns recorded after the outcome (AER CreditCard's ``expenditure`` and
   ``share``, DAAG nassCDS's ``injSeverity``) remove 0.84 to 0.90 of the label's
   uncertainty; the strongest honest features tried (ISLR Default's ``balance``, dslabs
   brca's tumour size, MASS biopsy's cell size) remove 0.35 to 0.74, though their
   strength alone reaches 0.95. Under 200 rows (iris) the measure is too noisy to tell
   the two apart, so only near-perfect strength counts.
4. **Dropping** (:func:`drops_proxy`): exactly the findings that make ``mlstack
   leakage`` fail, ``medium`` or ``high``; every member of the family goes.

Deepchecks' Feature Label Correlation checks use a similar pair of rules (train
predictive power above 0.7, or a train-test drop above 0.2), one column at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlstack.tools.leakage.column_roles import identifiers
from mlstack.tools.leakage.findings import ADVICE, Finding
from mlstack.tools.leakage.preparation import Pair, numbers
from mlstack.tools.leakage.scores import Scores, column_scores, uncertainty_removed

__all__ = [
    "DECISIVE_MIN_ROWS",
    "FAMILY_RELATED",
    "PROXY_DECISIVE",
    "PROXY_LOST_MIN",
    "PROXY_PERFECT",
    "PROXY_STRONG",
    "column_findings",
    "drops_proxy",
    "proxy_families",
    "proxy_severity",
]

PROXY_PERFECT = 0.98  # AUC 0.99 / rank R2 0.96: the target is nearly a function of it
PROXY_DECISIVE = 0.77  # share of the label's uncertainty removed: value ranges decide it
DECISIVE_MIN_ROWS = 200  # fewer scored rows: too noisy to tell a leak from a strong feature
PROXY_STRONG = 0.7  # AUC 0.85 / rank R2 0.49
PROXY_LOST_MIN = 0.5  # AUC 0.75: this strong and lost on test is reported
PROXY_RETAINED = 0.5  # test keeps less than half of the train strength: it did not survive
LOST_SE = 3.0  # ... and the loss exceeds 3 standard errors of a test strength
FAMILY_RELATED = 0.7  # within-class rank correlation that makes two proxies one family
IDENTIFIER_HIGH = 0.5  # AUC 0.75
IDENTIFIER_MEDIUM = 0.2  # AUC 0.6
MIN_Z = 4.0  # standard errors above chance for a signal to count


def proxy_severity(
    strength: float, *, uncertainty: float | None = None, lost: bool = False
) -> str | None:
    """The severity of a target proxy (a column or a family), or None when it is none.

    Parameters
    ----------
    strength : float
        Strength alone in [0, 1] of the strongest member (Gini, or ``sqrt(rank R2)``).
    uncertainty : float, optional
        Share of the label's uncertainty it removes out of fold (classes only).
    lost : bool, default=False
        Less than half the strength survives on test, by more than noise allows.

    Examples
    --------
    >>> proxy_severity(0.99), proxy_severity(0.95, uncertainty=0.8), proxy_severity(0.6, lost=True)
    ('high', 'high', 'medium')
    >>> proxy_severity(0.9, uncertainty=0.45), proxy_severity(0.6)  # a credit balance; a weak column
    ('low', None)
    """
    decisive = uncertainty is not None and uncertainty >= PROXY_DECISIVE
    if strength >= PROXY_PERFECT or decisive or (strength >= PROXY_STRONG and lost):
        return "high"
    if lost and strength >= PROXY_LOST_MIN:
        return "medium"
    if strength >= PROXY_STRONG:
        return "low"
    return None


def drops_proxy(finding: Finding | Mapping[str, Any]) -> bool:
    """Whether a finding's columns are target proxies to drop before fitting a model.

    The findings that make ``mlstack leakage`` exit 1: ``target_proxy`` of ``medium``
    or ``high`` severity. ``mlstack exit-test`` drops every column such a finding
    names; weaker ones are kept, with a warning.

    Parameters
    ----------
    finding : Finding or dict
        A finding, or its :meth:`Finding.to_dict`.

    Examples
    --------
    >>> drops_proxy({"kind": "target_proxy", "severity": "high", "columns": ["share"]})
    True
    >>> drops_proxy(Finding("target_proxy", ["balance"], "low"))
    False
    """
    if isinstance(finding, Finding):
        kind, severity = finding.kind, finding.severity
    else:
        kind, severity = finding["kind"], finding["severity"]
    return kind == "target_proxy" and severity in ("high", "medium")


def proxy_families(
    frame: pd.DataFrame,
    columns: list[str],
    kinds: Mapping[str, str],
    Y: np.ndarray,
    regression: bool,
) -> tuple[list[list[str]], dict[tuple[str, str], float]]:
    """Group columns related to each other beyond the target into families.

    Parameters
    ----------
    frame : pandas.DataFrame
        The training rows the columns were scored on.
    columns : list of str
        The candidate proxies, strongest first.
    kinds : mapping
        Column kinds (``categorical`` columns are ordered by their target mean).
    Y : ndarray of shape (n, n_targets)
        The target as scored (class indicators, or target ranks).
    regression : bool
        Correlate partially on the target's rank instead of within classes.

    Returns
    -------
    families : list of list of str
        Connected groups (each column in exactly one), strongest member first.
    links : dict
        The within-class (or partial) rank correlation of each linked pair.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> amount = y * rng.gamma(2, 100, 500)
    >>> frame = pd.DataFrame({"amount": amount, "share": amount / rng.uniform(1, 2, 500),
    ...                       "noisy": y + rng.normal(size=500)})
    >>> families, _ = proxy_families(frame, ["amount", "share", "noisy"],
    ...                              dict.fromkeys(frame, "numeric"), y[:, None] * 1.0, False)
    >>> families
    [['amount', 'share'], ['noisy']]
    """
    if len(columns) < 2:
        return [[c] for c in columns], {}
    residuals = np.column_stack(
        [_rank_residual(frame[c], kinds[c], Y, regression) for c in columns]
    )
    norms = np.sqrt((residuals**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (residuals.T @ residuals) / np.outer(norms, norms)
    parent = list(range(len(columns)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links = {}
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            if np.isfinite(corr[i, j]) and abs(corr[i, j]) >= FAMILY_RELATED:
                links[(columns[i], columns[j])] = float(corr[i, j])
                parent[root(j)] = root(i)
    groups: dict[int, list[str]] = {}
    for i, column in enumerate(columns):
        groups.setdefault(root(i), []).append(column)
    return list(groups.values()), links


def column_findings(pair: Pair, random_state: int) -> list[Finding]:
    """``identifier`` and ``target_proxy`` findings of a pair (proxies judged by family)."""
    result = column_scores(pair, random_state)
    if result is None:
        return []
    columns, scores = result["columns"], result["scores"]
    ids = identifiers(pair)
    findings = []
    for k, column in enumerate(columns):
        if column in ids and column not in (pair.time, pair.group):
            findings.append(_identifier_finding(pair, scores, k, column, ids[column]))
    return findings + _proxy_findings(pair, result)


# --------------------------------------------------------------------------------------------
# the findings


def _score_evidence(scores: Scores, k: int) -> dict[str, Any]:
    test = scores.test[k]
    return {
        "metric": scores.metric,
        "train_score": _r(scores.train[k]),
        "test_score": None if np.isnan(test) else _r(test),
    }


def _identifier_finding(pair: Pair, scores: Scores, k: int, column: str, why: str) -> Finding:
    strength = float(scores.strength[k]) if scores.z[k] >= MIN_Z else 0.0
    if strength >= IDENTIFIER_HIGH:
        severity = "high"
    elif strength >= IDENTIFIER_MEDIUM:
        severity = "medium"
    else:
        severity = "low"
    evidence = _score_evidence(scores, k)
    evidence["compared_with"] = pair.holdout_note
    evidence["why_identifier"] = why
    return Finding("identifier", [column], severity, evidence, ADVICE["identifier"], strength)


def _lost(scores: Scores, k: int) -> tuple[float | None, bool]:
    """Share of the strength kept on test, and whether the loss exceeds half and the noise."""
    strength, test_strength = scores.strength[k], scores.test_strength[k]
    if np.isnan(test_strength) or strength <= 0:
        return None, False
    retained = float(test_strength / strength)
    lost = retained < PROXY_RETAINED and strength - test_strength >= LOST_SE * scores.test_se
    return retained, bool(lost)


def _proxy_findings(pair: Pair, result: dict[str, Any]) -> list[Finding]:
    columns, scores, task = result["columns"], result["scores"], result["task"]
    excluded = {*identifiers(pair), pair.time, pair.group}
    eligible = [k for k, c in enumerate(columns) if c not in excluded]
    candidates = [
        k for k in eligible if scores.z[k] >= MIN_Z and scores.strength[k] >= PROXY_LOST_MIN
    ]
    candidates.sort(key=lambda k: -scores.strength[k])
    uncertainty: dict[int, float | None] = {}
    for k in candidates:
        uncertainty[k] = None
        if task.kind != "regression" and result["n"] >= DECISIVE_MIN_ROWS:
            uncertainty[k] = uncertainty_removed(
                result["codes"][:, k], result["n_codes"][k], result["Y"], result["folds"]
            )
    names = [columns[k] for k in candidates]
    families, links = proxy_families(
        result["frame"], names, pair.kinds, result["Y"], task.kind == "regression"
    )
    findings = []
    for family in families:
        members = [columns.index(c) for c in family]
        lead = members[0]
        retained, lost = _lost(scores, lead)
        removed = [uncertainty[k] for k in members if uncertainty[k] is not None]
        most_removed = max(removed) if removed else None
        strength = float(scores.strength[lead])
        severity = proxy_severity(strength, uncertainty=most_removed, lost=lost)
        if severity is None:
            continue
        evidence = _score_evidence(scores, lead)
        evidence.update(
            compared_with=pair.holdout_note,
            strength=_r(strength),
            retained_on_test=None if retained is None else _r(retained, 3),
            uncertainty_removed=None if most_removed is None else _r(most_removed, 3),
            family={columns[k]: _member_evidence(scores, k, uncertainty[k]) for k in members},
            related_within_class=[
                [a, b, _r(r, 3)] for (a, b), r in links.items() if a in family and b in family
            ],
        )
        outside = [k for k in eligible if k not in members]
        if outside:
            runner = max(outside, key=lambda k: scores.strength[k])
            evidence["runner_up"] = {
                "column": columns[runner],
                "train_score": _r(scores.train[runner]),
            }
        findings.append(
            Finding("target_proxy", family, severity, evidence, ADVICE["target_proxy"], strength)
        )
    return findings


def _member_evidence(scores: Scores, k: int, removed: float | None) -> dict[str, Any]:
    evidence = _score_evidence(scores, k)
    evidence["strength"] = _r(scores.strength[k])
    if removed is not None:
        evidence["uncertainty_removed"] = _r(removed, 3)
    return evidence


def _rank_residual(series: pd.Series, kind: str, Y: np.ndarray, regression: bool) -> np.ndarray:
    """Ranks of a column with what the target explains taken out.

    Within each class (subtract the class's mean rank), or for a numeric target,
    the residual of a straight line on the target's rank. Categories are ranked by
    their mean target; missing values get the mean rank.
    """
    if kind == "categorical":
        codes, _ = pd.factorize(series)
        means = pd.Series(Y[:, 0]).groupby(codes).mean()
        values = np.where(codes < 0, np.nan, means.reindex(codes).to_numpy())
    else:
        values = numbers(series)
    ranks = pd.Series(values).rank().to_numpy()
    ranks = np.where(np.isnan(ranks), np.nanmean(ranks) if np.isfinite(ranks).any() else 0, ranks)
    if regression:
        t = Y[:, 0] - Y[:, 0].mean()
        centered = ranks - ranks.mean()
        slope = (centered @ t) / (t @ t) if t @ t > 0 else 0.0
        return centered - slope * t
    labels = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
    class_means = pd.Series(ranks).groupby(labels).transform("mean").to_numpy()
    return ranks - class_means


def _r(value: float, digits: int = 4) -> float:
    return float(round(float(value), digits))
