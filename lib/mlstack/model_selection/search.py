"""Model selection, measured: CV tables, three searches side by side, and AP2.

- :func:`cv_table` cross-validates several models on the same folds and
  returns mean, std and fit time per model;
- :func:`compare_searches` runs ``GridSearchCV``, ``RandomizedSearchCV`` and
  ``HalvingRandomSearchCV`` on the same space and folds, and reports each
  one's best score, how many fits it paid for and its wall time;
- :func:`fit_candidates` fits every point of a grid once and predicts a pool
  of rows, the input :func:`mlstack.model_selection.optimism.selection_optimism`
  needs to measure anti-pattern AP2 (tuning on the test set).

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

__all__ = [
    "candidate_fold_scores",
    "compare_searches",
    "cv_table",
    "fit_candidates",
    "fold_scores",
    "fold_sizes",
    "fold_table",
    "format_params",
    "make_halving_search",
    "place_in_space",
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


def make_halving_search(
    estimator: Any,
    space: Mapping[str, Sequence[Any]],
    *,
    cv: Any,
    scoring: str = "roc_auc",
    factor: int = 3,
    random_state: int = 0,
    n_jobs: int | None = -1,
) -> HalvingRandomSearchCV:
    """Successive halving over every point of a grid, with rows as the resource.

    Every candidate is first scored on a share of the rows (each fold's training
    and validation rows subsampled alike); the best ``1/factor`` go on to ``factor``
    times as many rows, until the last round uses all of them
    (``min_resources="exhaust"``). No refit: the caller refits the winner.

    Parameters
    ----------
    estimator : estimator
    space : mapping of str to list
        A discrete grid; all its points start.
    cv : cross-validation splitter
    scoring : str, default="roc_auc"
    factor : int, default=3
    random_state : int, default=0
        Seed of the row subsamples.
    n_jobs : int, default=-1

    Returns
    -------
    sklearn.model_selection.HalvingRandomSearchCV
        Unfitted.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> search = make_halving_search(DecisionTreeClassifier(), {"max_depth": [1, 2, 3]}, cv=3)
    >>> search.n_candidates, search.resource, search.refit
    (3, 'n_samples', False)
    """
    space = {key: list(values) for key, values in space.items()}
    return HalvingRandomSearchCV(
        estimator,
        space,
        n_candidates=len(ParameterGrid(space)),
        factor=factor,
        resource="n_samples",
        min_resources="exhaust",
        random_state=random_state,
        cv=cv,
        scoring=scoring,
        n_jobs=n_jobs,
        refit=False,
    )


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
        "halving": make_halving_search(
            estimator,
            space,
            cv=cv,
            scoring=scoring,
            factor=factor,
            random_state=random_state,
            n_jobs=n_jobs,
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
    scores : numpy.ndarray of shape (n_candidates, n_eval)
        Probability of the positive class from each candidate, one row per
        candidate (the layout ``selection_optimism`` takes).
    """
    params = list(ParameterGrid({key: list(values) for key, values in space.items()}))
    rows = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(estimator, p, X_fit, y_fit, X_eval) for p in params
    )
    return params, np.vstack(rows)


def fold_sizes(cv: Any, X: Any) -> tuple[list[int], list[int]]:
    """Training and validation rows of each fold of a splitter (for the corrected t-test).

    Examples
    --------
    >>> from sklearn.model_selection import KFold
    >>> fold_sizes(KFold(4), np.zeros((100, 1)))
    ([75, 75, 75, 75], [25, 25, 25, 25])
    """
    sizes = [(len(train), len(valid)) for train, valid in cv.split(X)]
    return [n for n, _ in sizes], [n for _, n in sizes]


def fold_scores(search: Any, index: int | None = None) -> np.ndarray:
    """Per-fold validation scores of one candidate of a fitted search (the best by default).

    For a halving search, ``search.best_index_`` is a candidate of its last round,
    scored on the most rows.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = make_classification(n_samples=120, random_state=0)
    >>> grid = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]}, cv=4)
    >>> fold_scores(grid.fit(X, y)).shape
    (4,)
    """
    results = search.cv_results_
    row = search.best_index_ if index is None else index
    return np.array([results[f"split{i}_test_score"][row] for i in range(search.n_splits_)])


def candidate_fold_scores(search: Any) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Every candidate's per-fold scores from a fitted grid or random search.

    Returns
    -------
    params : list of dict
        The candidates, in the search's order.
    scores : numpy.ndarray of shape (n_candidates, n_folds)
        The input of :func:`mlstack.metrics.comparison.select_and_recheck`.
    """
    results = search.cv_results_
    scores = np.column_stack([results[f"split{i}_test_score"] for i in range(search.n_splits_)])
    return list(results["params"]), scores


def place_in_space(
    params: Mapping[str, Any], space: Mapping[str, Sequence[Any]]
) -> dict[str, str]:
    """Where a setting sits in a grid, per parameter: ``"lowest"``, ``"highest"`` or ``"interior"``.

    A best setting on the edge of a searched range says the optimum may lie
    beyond it: widen the range before trusting the winner.

    Examples
    --------
    >>> place_in_space({"lr": 0.1, "leaves": 7}, {"lr": [0.05, 0.1, 0.2], "leaves": [7, 15]})
    {'lr': 'interior', 'leaves': 'lowest'}
    """
    place = {}
    for name, value in params.items():
        values = sorted(space[name])
        if len(values) < 3:
            place[name] = "lowest" if value == values[0] else "highest"
        else:
            place[name] = (
                "lowest"
                if value == values[0]
                else "highest"
                if value == values[-1]
                else "interior"
            )
    return place
