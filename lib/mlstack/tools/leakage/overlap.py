"""``group_overlap`` and ``temporal_overlap``: entities and periods on both sides of a split.

With a declared ``group``, every test row whose entity also appears in train counts;
with a declared ``time``, every test row not strictly after the training period. Both
are rated by the share of test rows (5% ``high``, 1% ``medium``). Without a declaration,
entity-like and date columns are still checked, but only as a ``low`` hint, since
whether the model will meet new entities or later periods is the user's knowledge
(an undeclared entity that nearly determines the label is ``medium``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlstack.tools.leakage.column_roles import entity_columns, time_columns
from mlstack.tools.leakage.findings import ADVICE, Finding, severity_of_share
from mlstack.tools.leakage.preparation import Pair, parse_dates
from mlstack.tools.leakage.proxies import IDENTIFIER_HIGH
from mlstack.tools.leakage.scores import column_scores

__all__ = ["check_groups", "check_temporal"]


def check_groups(pair: Pair, random_state: int) -> list[Finding]:
    """``group_overlap`` findings: the declared group, or entity-like columns as hints."""
    declared = pair.group is not None
    columns = [pair.group] if declared else entity_columns(pair)
    findings = []
    result = column_scores(pair, random_state)
    for column in columns:
        train_values = pair.train[column].dropna().unique()
        test_col = pair.test[column]
        seen = test_col.isin(train_values).to_numpy() & test_col.notna().to_numpy()
        if not seen.any():
            continue
        share = float(seen.mean())
        test_groups = test_col.dropna().unique()
        shared_groups = int(pd.Index(test_groups).isin(train_values).sum())
        evidence: dict[str, Any] = {
            "group_column": column,
            "declared": declared,
            "share_of_test_rows": _r(share),
            "shared_groups": shared_groups,
            "test_groups": len(test_groups),
        }
        if declared:
            severity = severity_of_share(share, int(seen.sum()))
        else:
            # Not declared: shared values are normal unless the entity nearly determines
            # the label, which lets a model memorize entities instead of learning.
            severity = "low"
            if result is not None and column in result["columns"]:
                k = result["columns"].index(column)
                strength = float(result["scores"].strength[k])
                evidence["entity_train_score"] = _r(result["scores"].train[k])
                if strength >= IDENTIFIER_HIGH and share >= 0.5:
                    severity = "medium"
            evidence["note"] = (
                f"{column!r} looks like an entity; pass --group {column} if it is one"
            )
        findings.append(
            Finding("group_overlap", [column], severity, evidence, ADVICE["group_overlap"], share)
        )
    return findings


def check_temporal(pair: Pair, random_state: int) -> list[Finding]:
    """``temporal_overlap`` findings: the declared time, or interleaved dates as hints."""
    findings = []
    for column in time_columns(pair):
        if column == pair.time or pair.kinds[column] == "datetime":
            train_t, test_t = pair.train[column], pair.test[column]
        else:
            train_t, test_t = parse_dates(pair.train[column]), parse_dates(pair.test[column])
        train_t, test_t = train_t.dropna(), test_t.dropna()
        if len(train_t) == 0 or len(test_t) == 0:
            continue
        train_max = train_t.max()
        overlap = test_t <= train_max
        share = float(overlap.mean())
        if share == 0:
            continue
        evidence = {
            "time_column": column,
            "declared": column == pair.time,
            "train_range": [_fmt_time(train_t.min()), _fmt_time(train_max)],
            "test_range": [_fmt_time(test_t.min()), _fmt_time(test_t.max())],
            "count": int(overlap.sum()),
            "share_of_test_rows": _r(share),
        }
        if column == pair.time:
            severity = severity_of_share(share, int(overlap.sum()))
        else:
            # Not declared: an interleaved split is right for data without an order in
            # time, so it is only a hint to pass --time when the model will face the future.
            if share < 0.5:
                continue
            severity = "low"
            evidence["note"] = (
                f"the split interleaves {column!r}; pass --time {column} if the model will "
                "predict later data"
            )
        findings.append(
            Finding(
                "temporal_overlap",
                [column],
                severity,
                evidence,
                ADVICE["temporal_overlap"],
                share,
            )
        )
    return findings


def _fmt_time(value: Any) -> str | float:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return float(value)


def _r(value: float, digits: int = 4) -> float:
    return float(round(float(value), digits))
