"""Splitting, cross-validation, searching, and the held-out test guard."""

from mlstack.model_selection.cluster import (
    ClusterInfo,
    dask_backend,
)
from mlstack.model_selection.compare import (
    fit_and_predict,
    fit_and_score,
    score_intervals,
)
from mlstack.model_selection.curves import (
    learning_curve_frame,
    validation_curve_frame,
)
from mlstack.model_selection.guard import (
    Evaluation,
    HeldOutTestSet,
)
from mlstack.model_selection.optimism import (
    masked_roc_auc,
    selection_optimism,
    summarize_optimism,
)
from mlstack.model_selection.resampling import (
    scores_over_resamples,
    spread_table,
)
from mlstack.model_selection.search import (
    candidate_fold_scores,
    compare_searches,
    cv_table,
    fit_candidates,
    fold_scores,
    fold_sizes,
    fold_table,
    format_params,
    make_halving_search,
    place_in_space,
)
from mlstack.model_selection.splits import (
    RollingOriginSplit,
    cv_fold_scores,
    estimate_spread,
    group_split,
    random_split,
    score_splits,
    shared_groups,
    time_split,
)

__all__ = [
    "ClusterInfo",
    "Evaluation",
    "HeldOutTestSet",
    "RollingOriginSplit",
    "candidate_fold_scores",
    "compare_searches",
    "cv_fold_scores",
    "cv_table",
    "dask_backend",
    "estimate_spread",
    "fit_and_predict",
    "fit_and_score",
    "score_intervals",
    "fit_candidates",
    "fold_scores",
    "fold_sizes",
    "fold_table",
    "format_params",
    "group_split",
    "learning_curve_frame",
    "make_halving_search",
    "masked_roc_auc",
    "place_in_space",
    "random_split",
    "score_splits",
    "scores_over_resamples",
    "selection_optimism",
    "shared_groups",
    "spread_table",
    "summarize_optimism",
    "time_split",
    "validation_curve_frame",
]
