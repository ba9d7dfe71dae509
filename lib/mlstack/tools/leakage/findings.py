"""What the audit reports: :class:`Finding`, its kinds and severities, and their order.

Every check returns findings; :func:`rank_findings` orders them the way ``mlstack
leakage`` prints them: most severe first, then, within a severity, by the strength of
their evidence (:attr:`Finding.score`), most damaging first.

The score is one number in [0, 1] per finding, read the same way for every kind: how
much of the test evaluation the problem can distort.

- ``duplicate_rows``, ``group_overlap``, ``temporal_overlap``: the share of test rows
  concerned (for duplicates, the share beyond what a random split of the same table
  gives when the copies were made across the split);
- ``target_proxy``, ``identifier``: the column's strength alone (Gini ``2 * AUC - 1``,
  or ``sqrt(rank R2)`` for a numeric target): 1 means the column alone gives the answer;
- ``distribution_shift``: the drift score ``2 * AUC - 1`` of the classifier that tells
  test rows from training rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ADVICE",
    "KINDS",
    "SEVERITIES",
    "Finding",
    "has_problems",
    "rank_findings",
    "severity_of_share",
]

#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

#: Finding kinds, in the order the audit runs them.
KINDS: tuple[str, ...] = (
    "duplicate_rows",
    "group_overlap",
    "temporal_overlap",
    "target_proxy",
    "identifier",
    "distribution_shift",
)

# Overlap shares of test rows (duplicates, shared groups, time overlap).
SHARE_HIGH = 0.05  # deepchecks TrainTestSamplesMix fails above 5%
SHARE_MEDIUM = 0.01
SHARE_MIN_ROWS = 5  # fewer rows than this cannot move a test score measurably: low at most

ADVICE: dict[str, str] = {
    "duplicate_rows": (
        "Remove test rows that also appear in train (drop_duplicates before splitting), and "
        "oversample or augment only inside the training folds, never before the split."
    ),
    "group_overlap": (
        "Split by group so each entity is on one side only (GroupShuffleSplit for the test "
        "set, GroupKFold for cross-validation)."
    ),
    "temporal_overlap": (
        "Split by time: train on the past, test on a strictly later period, and cross-validate "
        "with TimeSeriesSplit on rows sorted by time."
    ),
    "target_proxy": (
        "Check when these columns become known: if only after the outcome (or if they are "
        "computed from the target), drop them; if they are genuinely available at prediction "
        "time, keep them and say so in the model card."
    ),
    "identifier": (
        "Drop this column: an identifier has no causal meaning, and any signal it carries comes "
        "from how the rows were ordered or numbered."
    ),
    "distribution_shift": (
        "Train and test come from different distributions: compare the listed columns, train on "
        "data like the deployment data (or reweight), and expect the test score to differ from "
        "cross-validation."
    ),
}


@dataclass(frozen=True)
class Finding:
    """One problem the audit found.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    columns : list of str
        The columns involved (empty when the finding is about whole rows); for a
        family of target proxies, the strongest first.
    severity : {"high", "medium", "low"}
        ``high`` and ``medium`` make ``mlstack leakage`` exit with status 1.
    evidence : dict
        The numbers behind the finding (JSON-serializable).
    advice : str
        What to do about it.
    score : float, default=0.0
        The strength of the evidence in [0, 1], which orders findings of equal
        severity (see the module docstring).

    Examples
    --------
    >>> finding = Finding("identifier", ["row_id"], "high", {"train_score": 0.9}, "drop it", 0.8)
    >>> finding.to_dict()["score"]
    0.8
    """

    kind: str
    columns: list[str]
    severity: str
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: str = ""
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-serializable dict."""
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "severity": self.severity,
            "score": self.score,
            "evidence": dict(self.evidence),
            "advice": self.advice,
        }

    def describe(self) -> str:
        """Return the evidence as one short line of text."""
        try:
            return _describe(self)
        except (KeyError, TypeError, ValueError):  # a hand-made finding: show its evidence
            return ", ".join(f"{key}={value}" for key, value in self.evidence.items())


def has_problems(findings: list[Finding]) -> bool:
    """Return True when a finding is of ``medium`` or ``high`` severity.

    Examples
    --------
    >>> has_problems([Finding("identifier", ["id"], "low")])
    False
    """
    return any(f.severity in ("high", "medium") for f in findings)


def rank_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, strongest evidence first, then kind and columns.

    Column names are made strings, and scores rounded, so the result serializes as is.

    Examples
    --------
    >>> weak = Finding("duplicate_rows", [], "high", score=0.06)
    >>> strong = Finding("identifier", ["id"], "high", score=1.0)
    >>> [f.kind for f in rank_findings([weak, strong])]
    ['identifier', 'duplicate_rows']
    """
    order = {s: i for i, s in enumerate(SEVERITIES)}
    named = [
        Finding(
            f.kind,
            [str(c) for c in f.columns],
            f.severity,
            f.evidence,
            f.advice,
            round(float(f.score), 4),
        )
        for f in findings
    ]
    return sorted(named, key=lambda f: (order[f.severity], -f.score, f.kind, f.columns))


def severity_of_share(share: float, count: int) -> str:
    """Severity of an overlap that concerns ``count`` test rows, a ``share`` of them.

    Examples
    --------
    >>> severity_of_share(0.2, 50), severity_of_share(0.02, 50), severity_of_share(0.5, 3)
    ('high', 'medium', 'low')
    """
    if count < SHARE_MIN_ROWS:
        return "low"
    if share >= SHARE_HIGH:
        return "high"
    if share >= SHARE_MEDIUM:
        return "medium"
    return "low"


# --------------------------------------------------------------------------------------------
# one line of evidence per kind


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _describe(f: Finding) -> str:
    e = f.evidence
    if f.kind == "duplicate_rows":
        return _describe_duplicates(e)
    if f.kind == "group_overlap":
        return (
            f"{_pct(e['share_of_test_rows'])} of test rows belong to a {e['group_column']} seen in "
            f"train ({e['shared_groups']:,} of {e['test_groups']:,} test groups)"
        )
    if f.kind == "temporal_overlap":
        return (
            f"{_pct(e['share_of_test_rows'])} of test rows are not after the training period "
            f"(train {e['train_range'][0]} .. {e['train_range'][1]}, "
            f"test {e['test_range'][0]} .. {e['test_range'][1]})"
        )
    if f.kind in ("target_proxy", "identifier"):
        return _describe_column(f)
    if f.kind == "distribution_shift":
        drivers = ", ".join(f"{c} {a:.2f}" for c, a in e["drivers"].items()) or "no single column"
        return f"a classifier tells test from train with AUC {e['auc']:.3f}; drivers: {drivers}"
    return str(e)


def _describe_duplicates(e: dict[str, Any]) -> str:
    text = f"{e['count']:,} of {e['n_test']:,} test rows ({_pct(e['share'])}) are in train"
    if e["identifier_columns_ignored"]:
        text += (
            f"; {e['count_ignoring_identifiers']:,} ({_pct(e['share_ignoring_identifiers'])}) "
            f"ignoring {', '.join(e['identifier_columns_ignored'])}"
        )
    if e.get("expected_share") is not None:
        text += f"; a random split of this table gives {_pct(e['expected_share'])}"
    if e.get("label_agreement") is not None:
        text += (
            f"; labels of duplicated pairs agree {_pct(e['label_agreement'])} "
            f"(chance {_pct(e['label_agreement_by_chance'])})"
        )
    if e.get("verdict"):
        text += f": {e['verdict']}"
    return text


_METRIC_NAMES = {"roc_auc": "AUC", "macro_roc_auc": "macro AUC", "rank_r2": "rank R2"}


def _describe_column(f: Finding) -> str:
    e = f.evidence
    metric = _METRIC_NAMES[e["metric"]]
    where = "test" if e.get("compared_with", "the test set") == "the test set" else "holdout"
    text = f"alone: {metric} {e['train_score']:.3f} in train"
    if e.get("test_score") is not None:
        text += f", {e['test_score']:.3f} on {where}"
    if f.kind == "identifier":
        return text + f"; {e['why_identifier']}"
    if e.get("uncertainty_removed") is not None:
        text += f"; removes {_pct(e['uncertainty_removed'])} of the label's uncertainty"
    members = e.get("family", {})
    if len(members) > 1:
        others = ", ".join(f"{c} {v['train_score']:.3f}" for c, v in list(members.items())[1:])
        text += f"; with related columns {others}"
    return text
