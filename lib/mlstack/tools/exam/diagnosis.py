"""Part 2 solved with the repository's own tools: the leakage audit, read in a fixed order.

A model is great on validation and poor on test when validation shares
something with train that test does not, or when train holds something that
is gone at test time. :func:`diagnose` audits both pairs (train with
validation, train with test) with :func:`mlstack.tools.leakage.audit` and reads
the findings of medium or high severity in that order:

1. an overlap (duplicate rows, shared entities, interleaved time) between train
   and validation that train and test do not have;
2. a column that is strong in train and lost on test (a target proxy) or an
   identifier that carries the target;
3. a shift between train and test: not leakage, the other usual cause.

The runbook ``runbooks/take-the-exit-test.md`` walks a learner through the same
reading with ``mlstack leakage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlstack.tools.leakage import audit

__all__ = ["Diagnosis", "diagnose"]

_OVERLAPS = ("duplicate_rows", "group_overlap", "temporal_overlap")
_COLUMNS = ("target_proxy", "identifier")
_SERIOUS = ("high", "medium")


@dataclass(frozen=True)
class Diagnosis:
    """The cause the audit points at, its columns, and the findings behind it."""

    kind: str | None
    columns: tuple[str, ...]
    reason: str
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _serious(findings: list, kind: str) -> list:
    return [f for f in findings if f.kind == kind and f.severity in _SERIOUS]


def diagnose(
    train: pd.DataFrame,
    validation: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None = None,
    group: str | None = None,
    random_state: int = 0,
) -> Diagnosis:
    """Name the cause of "great on validation, poor on test" from the audit's findings.

    Parameters
    ----------
    train, validation, test : pandas.DataFrame
        The three files, each with the target.
    target : str
    time, group : str, optional
        The time and entity columns, when the data has them (as for ``mlstack leakage``).
    random_state : int, default=0

    Returns
    -------
    Diagnosis
        ``kind`` is None when no finding of medium or high severity explains the gap.
    """
    kwargs = {"time": time, "group": group, "random_state": random_state}
    with_validation = audit(train, validation, target, **kwargs)
    with_test = audit(train, test, target, **kwargs)
    findings = {
        "train_validation": [f.to_dict() for f in with_validation],
        "train_test": [f.to_dict() for f in with_test],
    }
    for kind in _OVERLAPS:
        shared = _serious(with_validation, kind)
        if shared and not _serious(with_test, kind):
            return Diagnosis(
                kind,
                tuple(shared[0].columns),
                f"{kind}: train and validation share it ({shared[0].describe()}); "
                "train and test do not",
                findings,
            )
    for kind in _COLUMNS:
        found = _serious(with_test, kind)
        if found:
            return Diagnosis(kind, tuple(found[0].columns), found[0].describe(), findings)
    found = _serious(with_test, "distribution_shift")
    if found:
        return Diagnosis(
            "distribution_shift", tuple(found[0].columns[:1]), found[0].describe(), findings
        )
    return Diagnosis(None, (), "no finding of medium or high severity explains the gap", findings)
