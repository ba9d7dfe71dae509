"""What a categorical encoding costs: time, memory and width, as the cardinality grows.

An encoding is a bottleneck when its output is too wide or too large for the
model behind it, not usually because encoding itself is slow. One-hot encoding
a column with thousands of categories gives thousands of columns: cheap while
the matrix stays sparse, ruinous when a model needs it dense (scikit-learn's
histogram gradient boosting does). :func:`cost_by_cardinality` fits whole
pipelines (encoding and model) on the same column cut to a growing number of
categories and measures each fit's time (repeated), its peak traced memory,
the width and bytes of the encoded matrix and the validation scores;
:func:`cost_sentence` says what that showed. :func:`matrix_nbytes` and
:func:`dense_nbytes` give the sizes to compare.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone

from mlstack.utils.timing import MIN_REPEAT, Timing, speedup, speedup_phrase, time_repeats

__all__ = [
    "cost_by_cardinality",
    "cost_sentence",
    "cost_table",
    "dense_nbytes",
    "fit_peak_bytes",
    "levels_of",
    "matrix_nbytes",
    "plot_cost",
    "timing_text",
]


def matrix_nbytes(matrix: Any) -> int:
    """Return the bytes held by a dense array, a DataFrame or a scipy sparse matrix.

    For a sparse matrix this counts every buffer it keeps (values and index
    arrays), which is what it costs in memory.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> matrix_nbytes(np.zeros((1000, 100)))
    800000
    >>> matrix_nbytes(sp.identity(1000, format="csr"))  # 1000 values, 1000 indices, 1001 pointers
    16004
    """
    if sp.issparse(matrix):
        if hasattr(matrix, "indptr"):
            buffers = (matrix.data, matrix.indices, matrix.indptr)
        elif hasattr(matrix, "coords"):
            buffers = (matrix.data, *matrix.coords)
        else:
            buffers = (matrix.tocsr().data, matrix.tocsr().indices, matrix.tocsr().indptr)
        return int(sum(buffer.nbytes for buffer in buffers))
    if isinstance(matrix, pd.DataFrame):
        return int(matrix.memory_usage(index=False, deep=True).sum())
    return int(np.asarray(matrix).nbytes)


def dense_nbytes(shape: tuple[int, int], dtype: Any = np.float64) -> int:
    """Return the bytes a dense array of ``shape`` and ``dtype`` would take, without allocating it.

    Examples
    --------
    >>> dense_nbytes((336_776, 4_000)) / 1e9  # one-hot of tail numbers, all flights
    10.776832
    """
    return int(shape[0]) * int(shape[1]) * np.dtype(dtype).itemsize


def fit_peak_bytes(estimator: Any, X: Any, y: Any = None) -> int:
    """Peak bytes allocated while fitting a clone of ``estimator`` (:mod:`tracemalloc`).

    tracemalloc sees Python objects and numpy's buffers, so a dense matrix
    built during the fit counts in full. Tracing slows the code it traces:
    time fits separately.

    Examples
    --------
    A pipeline's fit encodes the training rows, so the dense one-hot matrix
    (1,000 rows x 100 columns of float64) is part of its peak:

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> X = pd.DataFrame({"c": (np.arange(1000) % 100).astype(str)})
    >>> model = make_pipeline(OneHotEncoder(sparse_output=False), LogisticRegression())
    >>> fit_peak_bytes(model, X, np.arange(1000) % 2) > 1000 * 100 * 8
    True
    """
    fresh = clone(estimator)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        fresh.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return int(peak)


def _encoded(pipeline: Any, X: Any) -> Any:
    """The matrix the model behind the encoder receives (all steps but the last)."""
    return pipeline[:-1].transform(X)


def cost_by_cardinality(
    pipelines: Mapping[str, Any],
    columns_train: Mapping[int, pd.DataFrame],
    y_train: Any,
    columns_valid: Mapping[int, pd.DataFrame],
    y_valid: Any,
    *,
    repeat: int = MIN_REPEAT,
) -> tuple[pd.DataFrame, dict[tuple[str, int], np.ndarray]]:
    """Fit every pipeline on the same column at each cardinality; measure what it costs.

    Parameters
    ----------
    pipelines : mapping of str to Pipeline
        Unfitted ``encoder -> model`` pipelines, by name; cloned for every fit.
    columns_train, columns_valid : mapping of int to DataFrame
        The column to encode, by its number of categories (training and
        validation rows).
    y_train, y_valid : array-like
    repeat : int, default=5
        Timed fits of each pipeline at each cardinality.

    Returns
    -------
    table : pandas.DataFrame
        One row per (categories, encoding): ``columns`` (width of the encoded
        matrix), ``encoded MB`` (its bytes, as the model receives it),
        ``peak MB while fitting`` (traced), ``fit`` (a
        :class:`~mlstack.utils.timing.Timing`), ``fit s`` (its median) and
        ``valid ROC AUC``.
    scores : dict
        ``(encoding, categories) -> validation scores`` of the positive class,
        for paired comparisons on the same rows.
    """
    from sklearn.metrics import roc_auc_score

    rows, scores = [], {}
    for k, X in columns_train.items():
        for name, pipeline in pipelines.items():
            fitted: list[Any] = []
            timing = time_repeats(
                lambda p=pipeline, X=X, f=fitted: f.append(clone(p).fit(X, y_train)),
                repeat=repeat,
                before=fitted.clear,
            )
            model = fitted[-1]
            encoded = _encoded(model, X)
            proba = model.predict_proba(columns_valid[k])[:, 1]
            scores[(name, k)] = proba
            rows.append(
                {
                    "categories": k,
                    "encoding": name,
                    "columns": int(encoded.shape[1]),
                    "encoded MB": matrix_nbytes(encoded) / 1e6,
                    "peak MB while fitting": fit_peak_bytes(pipeline, X, y_train) / 1e6,
                    "fit": timing,
                    "fit s": timing.median,
                    "valid ROC AUC": roc_auc_score(y_valid, proba),
                }
            )
    return pd.DataFrame(rows).set_index(["categories", "encoding"]), scores


def levels_of(codes: Any, levels: Sequence[int | None]) -> dict[int, int | None]:
    """Name each cardinality level by the categories it really has: ``{categories: k}``.

    ``None`` keeps every category (its name is the number of distinct codes);
    a ``k`` at or above that number is the same column and is dropped.

    Examples
    --------
    >>> levels_of([0, 1, 2, 3, 4, 5], [2, 10, None])
    {2: 2, 6: None}
    """
    distinct = int(pd.Series(np.asarray(codes)).loc[lambda s: s >= 0].nunique())
    named: dict[int, int | None] = {}
    for k in levels:
        if k is None or k >= distinct:
            named[distinct] = None
        else:
            named[k] = k
    return dict(sorted(named.items()))


def cost_table(table: pd.DataFrame) -> pd.DataFrame:
    """The cost table for display: fit time as median (fastest-slowest), sizes rounded."""
    shown = table.drop(columns=["fit", "fit s"]).copy()
    shown.insert(3, "fit s (range)", table["fit"].map(timing_text))
    shown = shown.round({"encoded MB": 2, "peak MB while fitting": 1, "valid ROC AUC": 3})
    return shown.reset_index()


def plot_cost(table: pd.DataFrame, axes: Any = None) -> Any:
    """Fit time and peak memory against the number of categories, one line per encoding."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, part in table.groupby(level="encoding", sort=False):
        part = part.droplevel("encoding").sort_index()
        k = part.index.to_numpy()
        medians = part["fit"].map(lambda t: t.median).to_numpy()
        spread = [
            medians - part["fit"].map(lambda t: t.best).to_numpy(),
            part["fit"].map(lambda t: t.worst).to_numpy() - medians,
        ]
        axes[0].errorbar(k, medians, yerr=spread, marker="o", capsize=3, label=name)
        axes[1].plot(k, part["peak MB while fitting"], marker="o", label=name)
    axes[0].set(ylabel="fit time (s, median and range)", title="Fit time")
    axes[1].set(ylabel="peak memory while fitting (MB, traced)", title="Peak memory")
    for ax in axes:
        ax.set(xscale="log", yscale="log", xlabel="categories of the aircraft column (log scale)")
    axes[0].legend(fontsize="small")
    return axes


def cost_sentence(
    table: pd.DataFrame,
    dense: str,
    alternatives: Sequence[str],
    *,
    full_rows: int | None = None,
) -> str:
    """Say how the dense encoding's cost grew with the cardinality, against the alternatives.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cost_by_cardinality`.
    dense : str
        The encoding that makes the matrix dense (dense one-hot).
    alternatives : sequence of str
        The encodings to set beside it.

    Returns
    -------
    str
        The width and memory of the dense encoding at the lowest and highest
        cardinality (deterministic sizes), how its fit time grew (a ratio with
        its range), and, at the highest cardinality, how each alternative's
        fit time and peak memory compare with it.
    """
    levels = sorted(table.index.get_level_values("categories").unique())
    low, high = levels[0], levels[-1]
    d_low, d_high = table.loc[(low, dense)], table.loc[(high, dense)]
    growth = speedup(d_high["fit"], d_low["fit"])
    text = (
        f"From {low:,} to {high:,} categories, {dense} grows from {d_low['columns']:,} to "
        f"{d_high['columns']:,} columns; its peak memory while fitting from "
        f"{_mb(d_low['peak MB while fitting'])} to {_mb(d_high['peak MB while fitting'])} MB; "
        f"its fit time from {d_low['fit'].median:.3g} to {d_high['fit'].median:.3g} s, a ratio "
        f"of {growth} (medians, and the range the repeats allow)."
    )
    phrases = []
    for name in alternatives:
        row = table.loc[(high, name)]
        memory = d_high["peak MB while fitting"] / max(row["peak MB while fitting"], 1e-9)
        phrases.append(
            speedup_phrase(name, speedup(d_high["fit"], row["fit"]), dense)
            + f", with {memory:,.0f}x less peak memory"
            if memory >= 1
            else speedup_phrase(name, speedup(d_high["fit"], row["fit"]), dense)
            + f", with {1 / memory:,.1f}x more peak memory"
        )
    text += f" At {high:,} categories: " + "; ".join(phrases) + "."
    if full_rows:
        size = dense_nbytes((full_rows, d_high["columns"]))
        text += (
            f" For all {full_rows:,} flights of the year, the dense matrix alone would take "
            f"{size / 1e9:,.1f} GB (computed from its shape, not built)."
        )
    return text


def _mb(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def timing_text(timing: Timing) -> str:
    """A fit time as its median with its range, in seconds: ``'1.23 (1.20-1.31)'``."""
    return f"{timing.median:.3f} ({timing.best:.3f}-{timing.worst:.3f})"
