"""Decide which columns to use, on the training part alone: types, the leakage audit, overlap.

- entirely missing columns are dropped; mixed number/text columns are read as
  numbers when most values are numbers; free text is encoded, with a warning;
- the ``group`` column is dropped (the test entities are unseen by design);
- the leakage audit (:mod:`mlstack.tools.leakage`) finds row identifiers (dropped)
  and target proxies (dropped when :func:`_drops_proxy` says so, kept with a
  warning otherwise) on the training part alone;
- the train/test overlap findings (duplicates, shared groups, time overlap,
  shift) become warnings: the test set decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlstack.reporting.table_profile import MIXED_NUMERIC_SHARE, column_kind, numeric_text_share
from mlstack.tools.exit_test.result import format_evidence
from mlstack.tools.leakage import audit, audit_columns

__all__ = ["ColumnPlan", "audit_overlap", "plan_columns"]

OVERLAP_KINDS = ("duplicate_rows", "group_overlap", "temporal_overlap", "distribution_shift")


@dataclass
class ColumnPlan:
    """Which columns go, which are read as numbers, and the warnings said along the way."""

    dropped: dict[str, str] = field(default_factory=dict)
    coerce: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


def _drops_proxy(finding: dict[str, Any]) -> bool:
    """Whether a ``target_proxy`` finding is strong enough to drop its columns.

    The leakage audit's one proxy policy, :func:`mlstack.tools.leakage.drops_proxy`:
    the findings that make ``mlstack leakage`` fail (``medium`` or ``high``). Weaker
    findings are kept, with a warning.
    """
    from mlstack.tools.leakage import drops_proxy

    return drops_proxy(finding)


def _mixed_examples(column: pd.Series) -> str:
    values = column.dropna()
    text = values[pd.to_numeric(values.astype(str), errors="coerce").isna()]
    return ", ".join(repr(v) for v in text.astype(str).value_counts().index[:3])


def _by_kind(train: pd.DataFrame, features: list[str], plan: ColumnPlan) -> None:
    for name in features:
        kind = column_kind(train[name])
        if kind == "empty":
            plan.dropped[name] = "entirely missing in the training part"
            plan.warnings.append(f"column {name!r} is entirely missing; dropped")
        elif kind == "mixed":
            share, examples = numeric_text_share(train[name]), _mixed_examples(train[name])
            if share >= MIXED_NUMERIC_SHARE:
                plan.coerce.append(name)
                plan.warnings.append(
                    f"column {name!r} mixes types: {share:.0%} of its values are numbers, the "
                    f"rest text ({examples}); it is read as numbers, the text values as missing"
                )
            else:
                plan.warnings.append(
                    f"column {name!r} mixes types (numbers and text such as {examples}); the "
                    "TableVectorizer reads it as text categories"
                )
        elif kind == "text":
            plan.warnings.append(
                f"column {name!r} is free text; the TableVectorizer encodes it with a "
                "StringEncoder (tf-idf and SVD), which keeps only its broad topics"
            )


def _from_audit(
    train: pd.DataFrame,
    target: str,
    time: str | None,
    group: str | None,
    seed: int,
    plan: ColumnPlan,
) -> None:
    kept = train.drop(columns=[c for c in plan.dropped if c != group])
    found = audit_columns(kept, target, time=time, group=group, random_state=seed)
    plan.findings = [f.to_dict() for f in found]
    for finding in plan.findings:
        if finding["kind"] not in ("identifier", "target_proxy"):
            continue
        evidence = format_evidence(finding["evidence"], holdout=True)
        for name in finding["columns"]:
            if name in plan.dropped or name in (target, time):
                continue
            if finding["kind"] == "identifier" and column_kind(train[name]) == "text":
                continue  # free text is unique per row without identifying anything
            if finding["kind"] == "identifier":
                plan.dropped[name] = (
                    f"row identifier ({finding['severity']}) found by the leakage audit on the "
                    f"training part ({evidence})"
                )
            elif _drops_proxy(finding):
                plan.dropped[name] = (
                    f"target proxy found by the leakage audit on the training part ({evidence})"
                )
            else:
                plan.warnings.append(
                    f"column {name!r} is a {finding['severity']} target_proxy finding "
                    f"({evidence}): kept, since strong features look like this too; check "
                    "that it is known before the target is"
                )


def plan_columns(
    train: pd.DataFrame, target: str, *, time: str | None, group: str | None, seed: int
) -> ColumnPlan:
    """Decide, on the training part alone, which columns to drop or convert, and why."""
    plan = ColumnPlan()
    _by_kind(train, [c for c in train.columns if c != target], plan)
    if group is not None:
        plan.dropped[group] = (
            "the group column: test entities are unseen by design, so its values cannot help"
        )
    _from_audit(train, target, time, group, seed, plan)
    return plan


def audit_overlap(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None,
    group: str | None,
    seed: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Train/test overlap findings and their warnings (they decide nothing)."""
    found = audit(train, test, target, time=time, group=group, random_state=seed)
    overlap = [f.to_dict() for f in found if f.kind in OVERLAP_KINDS]
    warnings_ = []
    for finding in overlap:
        advice = finding["advice"].split(". ")[0].rstrip(".")
        warnings_.append(
            f"train/test {finding['kind']} ({finding['severity']}): "
            f"{format_evidence(finding['evidence'])}. {advice}"
        )
    return overlap, warnings_
