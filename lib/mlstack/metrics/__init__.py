"""Honest numbers about a model: bootstrap intervals, slices, calibration."""

from mlstack.metrics.evaluation import (
    METRICS,
    TASKS,
    ConfidenceInterval,
    bootstrap_ci,
    calibration_table,
    expected_calibration_error,
    positive_mask,
    roc_auc_columns,
    slice_metrics,
)
from mlstack.metrics.uncertainty import (
    bootstrap_scores,
)

__all__ = [
    "ConfidenceInterval",
    "METRICS",
    "TASKS",
    "bootstrap_ci",
    "bootstrap_scores",
    "calibration_table",
    "expected_calibration_error",
    "positive_mask",
    "roc_auc_columns",
    "slice_metrics",
]
