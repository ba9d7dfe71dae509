"""Honest numbers about a model: intervals, paired comparisons, slices, calibration.

- :mod:`.bootstrap`: bootstrap intervals of a metric, resampling rows or whole groups
  (days, aircraft), and paired differences of two models on the same resamples;
- :mod:`.comparison`: the corrected paired t-test over folds, selection re-checked on
  folds it was not made on, and the :class:`Verdict` notebooks print;
- :mod:`.evaluation`: metrics per slice, many models' ROC AUC at once;
- :mod:`.calibration`: reliability tables, overall and per period, and recalibration
  tested forward in time;
- :mod:`.labels`: which label is the positive class.
"""

from mlstack.metrics.bootstrap import (
    METRICS,
    ConfidenceInterval,
    bootstrap_ci,
    bootstrap_replicates,
    paired_bootstrap_differences,
)
from mlstack.metrics.calibration import (
    RECALIBRATIONS,
    RecalibratedClassifier,
    calibration_table,
    expected_calibration_error,
    fit_recalibration,
    recalibrate_forward,
    reliability_by_group,
)
from mlstack.metrics.comparison import (
    VERDICTS,
    Verdict,
    compare_folds,
    compare_on_rows,
    compare_repeats,
    corrected_ttest,
    select_and_recheck,
    verdict_from_interval,
)
from mlstack.metrics.evaluation import TASKS, roc_auc_columns, slice_metrics
from mlstack.metrics.labels import positive_mask

__all__ = [
    "METRICS",
    "RECALIBRATIONS",
    "TASKS",
    "VERDICTS",
    "ConfidenceInterval",
    "RecalibratedClassifier",
    "Verdict",
    "bootstrap_ci",
    "bootstrap_replicates",
    "calibration_table",
    "compare_folds",
    "compare_on_rows",
    "compare_repeats",
    "corrected_ttest",
    "expected_calibration_error",
    "fit_recalibration",
    "paired_bootstrap_differences",
    "positive_mask",
    "recalibrate_forward",
    "reliability_by_group",
    "roc_auc_columns",
    "select_and_recheck",
    "slice_metrics",
    "verdict_from_interval",
]
