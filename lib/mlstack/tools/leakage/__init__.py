"""``mlstack leakage``: audit a train/test pair for the causes of great validation, terrible test."""

from mlstack.tools.leakage.auditor import (
    KINDS,
    SEVERITIES,
    Finding,
    audit,
    audit_columns,
    audit_files,
    format_findings,
    has_problems,
)

__all__ = [
    "Finding",
    "KINDS",
    "SEVERITIES",
    "audit",
    "audit_columns",
    "audit_files",
    "format_findings",
    "has_problems",
]
