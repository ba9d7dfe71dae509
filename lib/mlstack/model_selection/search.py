"""Model selection, measured: CV tables, three searches side by side, and AP2.

- :func:`cv_table` cross-validates several models on the same folds and
  returns mean, std and fit time per model;
- :func:`compare_searches` runs ``GridSearchCV``, ``RandomizedSearchCV`` and
  ``HalvingRandomSearchCV`` on the same space and folds, and reports each
  one's best score, how many fits it paid for and its wall time;
- :func:`fit_candidates` and :func:`selection_optimism` measure anti-pattern
  AP2 (tuning on the test set): pick the candidate with the best score on a
  "test" set, then score the same candidate on fresh data from the same
  period; the difference is the optimism the test score acquired by being
  used for selection.

All fitting goes through joblib, so it runs on a Dask cluster inside
:func:`mlstack.model_selection.cluster.dask_backend`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    ParameterGrid,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.utils.parallel import Parallel, delayed

from mlstack.errors import InputError
from mlstack.metrics.evaluation import roc_auc_columns

__all__ = [
    "compare_searches",
    "cv_table",
    "fit_candidates",
    "fold_table",
    "format_params",
    "selection_optimism",
]


def cv_table(
    models: Mapping[str, Any],
    X: Any,
    y: Any,
    *,
    cv: Any,
    scoring: str = "roc_auc",
    n_jobs: int | None = None,
) -> tuple[pd.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Cross-validate each model on the same folds; one row per model.

    Parameters
    ----------
    models : mapping of str to estimator
        Unfitted estimators, by display name.
    X, y : array-like
    cv : cross-validation splitter
        The same folds for every model (a splitter object, not an int, when
        the order of rows matters).
    scoring : str, default="roc_auc"
    n_jobs : int, optional
        Folds fitted in parallel (through joblib).

    Returns
    -------
    table : pandas.DataFrame
        Index ``model``; columns ``mean``, ``std``, ``min``, ``max`` of the fold
        scores and ``fit_s``, the mean fit time per fold in seconds.
    results : dict
        The raw ``cross_validate`` output per model (per-fold scores and times).
    """
    results = {
        name: cross_validate(model, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs)
        for name, model in models.items()
    }
    table = pd.DataFrame(
        {
            name: {
                "mean": r["test_score"].mean(),
                "std": r["test_score"].std(),
                "min": r["test_score"].min(),
                "max": r["test_score"].max(),
                "fit_s": r["fit_time"].mean(),
            }
            for name, r in results.items()
        }
    ).T
    table.index.name = "model"
    return table, results


def fold_table(cv: Any, X: Any, *, time: pd.Series) -> pd.DataFrame:
    """Describe the folds of a splitter: sizes and the time span on each side.

    Parameters
    ----------
    cv : cross-validation splitter
    X : array-like
        The rows the splitter will split.
    time : pandas.Series
        Timestamp of each row of ``X`` (same order).

    Returns
    -------
    pandas.DataFrame
        One row per fold: ``train_rows``, ``train_span``, ``valid_rows``,
        ``valid_span`` (dates as ``YYYY-MM-DD to YYYY-MM-DD``).
    """
    stamps = pd.Series(pd.to_datetime(np.asarray(time)))

    def span(rows: np.ndarray) -> str:
        part = stamps.iloc[rows]
        return f"{part.min():%Y-%m-%d} to {part.max():%Y-%m-%d}"

    records = [
        {
            "fold": i,
            "train_rows": len(train),
            "train_span": span(train),
            "valid_rows": len(valid),
            "valid_span": span(valid),
        }
        for i, (train, valid) in enumerate(cv.split(X), start=1)
    ]
    return pd.DataFrame(records).set_index("fold")


def format_params(params: Mapping[str, Any]) -> str:
    """Return search parameters as ``name=value`` pairs without the step prefix.

    Examples
    --------
    >>> format_params({"model__learning_rate": 0.1, "model__max_leaf_nodes": 15})
    'learning_rate=0.1, max_leaf_nodes=15'
    """
    return ", ".join(f"{key.rsplit('__', 1)[-1]}={value}" for key, value in sorted(params.items()))


def compare_searches(
    estimator: Any,
    space: Mapping[str, Sequence[Any]],
    X: Any,
    y: Any,
    *,
    cv: Any,
    scoring: str = "roc_auc",
    n_iter: int | None = None,
    factor: int = 3,
    random_state: int = 0,
    n_jobs: int | None = -1,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run grid, random and successive-halving searches on the same space and folds.

    Parameters
    ----------
    estimator : estimator
        Unfitted, typically a ``Pipeline``.
    space : mapping of str to list
        A discrete grid (``set_params`` names). The random search samples
        ``n_iter`` of its points without replacement; the halving search starts
        from all of them on a small subsample and keeps the best third at each
        step (``factor``) as it grows the number of rows.
    X, y : array-like
    cv : cross-validation splitter
    scoring : str, default="roc_auc"
    n_iter : int, optional
        Candidates of the random search; half the grid by default.
    factor : int, default=3
        Halving rate of ``HalvingRandomSearchCV``.
    random_state : int, default=0
    n_jobs : int, default=-1
        Fits in parallel (all workers of the active joblib backend).

    Returns
    -------
    table : pandas.DataFrame
        Index ``search``; columns ``best_score``, ``best_std`` (fold std of the
        best candidate), ``best_params``, ``candidates``, ``fits`` (one fit per
        candidate, fold and halving step; no refit) and ``wall_s``.
    searches : dict of str to fitted search
        By the same names: ``grid``, ``random``, ``halving``.

    Notes
    -----
    The searches do not refit: the caller refits the chosen parameters on all
    its development data. The halving search's best score comes from its last
    step, which does not use every row when the rows do not divide evenly.
    """
    space = {key: list(values) for key, values in space.items()}
    n_grid = len(ParameterGrid(space))
    n_iter = n_iter or max(1, n_grid // 2)
    common = dict(cv=cv, scoring=scoring, n_jobs=n_jobs, refit=False)
    searches = {
        "grid": GridSearchCV(estimator, space, **common),
        "random": RandomizedSearchCV(
            estimator, space, n_iter=n_iter, random_state=random_state, **common
        ),
        "halving": HalvingRandomSearchCV(
            estimator,
            space,
            n_candidates=n_grid,
            factor=factor,
            resource="n_samples",
            min_resources="exhaust",
            random_state=random_state,
            **common,
        ),
    }
    rows = {}
    for name, search in searches.items():
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
        n_splits = search.n_splits_
        if name == "halving":
            candidates, fits = search.n_candidates_[0], int(sum(search.n_candidates_)) * n_splits
        else:
            candidates = len(search.cv_results_["params"])
            fits = candidates * n_splits
        best = search.best_index_
        rows[name] = {
            "best_score": float(search.best_score_),
            "best_std": float(search.cv_results_["std_test_score"][best]),
            "best_params": format_params(search.best_params_),
            "candidates": int(candidates),
            "fits": fits,
            "wall_s": wall,
        }
    table = pd.DataFrame(rows).T
    table.index.name = "search"
    table = table.astype(
        {"best_score": float, "best_std": float, "candidates": int, "fits": int, "wall_s": float}
    )
    return table, searches


def _fit_predict(estimator: Any, params: Mapping[str, Any], X_fit, y_fit, X_eval) -> np.ndarray:
    model = clone(estimator).set_params(**params).fit(X_fit, y_fit)
    return model.predict_proba(X_eval)[:, 1]


def fit_candidates(
    estimator: Any,
    space: Mapping[str, Sequence[Any]],
    X_fit: Any,
    y_fit: Any,
    X_eval: Any,
    *,
    n_jobs: int | None = -1,
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Fit every point of a grid once and predict the evaluation rows.

    Returns
    -------
    params : list of dict
        The candidates, in ``ParameterGrid`` order (the order of
        ``GridSearchCV.cv_results_["params"]``).
    scores : numpy.ndarray of shape (n_eval, n_candidates)
        Probability of the positive class from each candidate.
    """
    params = list(ParameterGrid({key: list(values) for key, values in space.items()}))
    columns = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(estimator, p, X_fit, y_fit, X_eval) for p in params
    )
    return params, np.column_stack(columns)


def selection_optimism(
    y_pool: Any,
    scores: np.ndarray,
    *,
    sizes: Sequence[int],
    honest_index: int,
    n_repeats: int = 200,
    random_state: int = 0,
) -> pd.DataFrame:
    """Measure how much choosing a model by its test score inflates that score (AP2).

    For each test-set size ``n`` and each repeat, the pool of evaluation rows
    is shuffled and cut into a "test" part of ``n`` rows and a "fresh" part
    (the rest). The AP2 procedure picks the candidate with the best ROC AUC
    on the test part and reports that AUC; the same candidate is then scored
    on the fresh part. An honest procedure picks ``honest_index`` (chosen by
    cross-validation on other data) and reports its test AUC.

    Parameters
    ----------
    y_pool : array-like of shape (n_pool,)
        Binary labels of the evaluation pool.
    scores : numpy.ndarray of shape (n_pool, n_candidates)
        Each candidate's predicted probability (from :func:`fit_candidates`).
    sizes : sequence of int
        Test-set sizes to try; each must leave rows for the fresh part.
    honest_index : int
        Column of the candidate an honest procedure selected.
    n_repeats : int, default=200
    random_state : int, default=0

    Returns
    -------
    pandas.DataFrame
        Index ``test_rows``; columns ``ap2_reported`` and ``ap2_fresh`` (mean
        AUC of the test-picked candidate on the test and on fresh rows),
        ``ap2_inflation`` (their mean difference), ``ap2_inflation_p90`` and
        ``ap2_inflation_se`` (its standard error over the repeats),
        ``honest_inflation`` and ``honest_inflation_se`` (the same difference
        for the honest pick: zero up to noise), and ``picked_other`` (share of repeats in which the test
        picked a different candidate than cross-validation did).
    """
    y = np.asarray(y_pool).astype(bool)
    S = np.asarray(scores, dtype=float)
    if S.ndim != 2 or S.shape[0] != len(y):
        raise InputError(
            f"scores must have shape ({len(y)}, n_candidates); got {S.shape}", parameter="scores"
        )
    rng = np.random.default_rng(random_state)
    rows = {}
    for n in sizes:
        if not 0 < n < len(y):
            raise InputError(
                f"test size {n} must be between 1 and {len(y) - 1}", parameter="sizes"
            )
        reported, fresh, honest_gap, other = [], [], [], []
        for _ in range(n_repeats):  # repeats, not rows: each step is vectorized
            order = rng.permutation(len(y))
            test, rest = order[:n], order[n:]
            test_auc = roc_auc_columns(y[test], S[test])
            pick = int(np.nanargmax(test_auc))
            fresh_auc = roc_auc_columns(y[rest], S[rest][:, [pick, honest_index]])
            reported.append(test_auc[pick])
            fresh.append(fresh_auc[0])
            honest_gap.append(test_auc[honest_index] - fresh_auc[1])
            other.append(pick != honest_index)
        inflation = np.asarray(reported) - np.asarray(fresh)
        root = np.sqrt(n_repeats)
        rows[n] = {
            "ap2_reported": float(np.mean(reported)),
            "ap2_fresh": float(np.mean(fresh)),
            "ap2_inflation": float(inflation.mean()),
            "ap2_inflation_p90": float(np.quantile(inflation, 0.9)),
            "ap2_inflation_se": float(inflation.std() / root),
            "honest_inflation": float(np.mean(honest_gap)),
            "honest_inflation_se": float(np.std(honest_gap) / root),
            "picked_other": float(np.mean(other)),
        }
    table = pd.DataFrame(rows).T
    table.index.name = "test_rows"
    return table
