"""What a categorical encoding costs: time, memory and width of its output.

An encoding is a bottleneck when its output is too wide or too large for the
model behind it, not usually because encoding itself is slow. One-hot encoding
a column with thousands of categories gives thousands of columns: cheap while
the matrix stays sparse, ruinous when a model needs it dense.
:func:`measure_encoding` measures one encoder on one table;
:func:`matrix_nbytes` and :func:`dense_nbytes` give the sizes to compare.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone

__all__ = ["dense_nbytes", "matrix_nbytes", "measure_encoding"]


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


def measure_encoding(encoder: Any, X: Any, y: Any = None, *, repeat: int = 3) -> dict[str, Any]:
    """Measure ``fit_transform`` of an encoder: seconds, peak traced memory, output size.

    Parameters
    ----------
    encoder : transformer
        Unfitted; cloned for every measurement.
    X : array-like of shape (n_samples, n_features)
        The columns to encode.
    y : array-like, optional
        The target, for supervised encoders such as
        :class:`~sklearn.preprocessing.TargetEncoder`.
    repeat : int, default=3
        Timed repetitions; the best is reported.

    Returns
    -------
    dict
        ``fit_seconds`` (best of ``repeat``), ``peak_bytes`` (peak of the
        memory allocated during one ``fit_transform``, from :mod:`tracemalloc`,
        which numpy reports its buffers to), ``output_bytes``
        (:func:`matrix_nbytes` of the result), ``dense_bytes`` (the same
        result as a dense float64 array), ``n_columns`` and ``sparse``.

    Notes
    -----
    Time and memory are measured in separate runs, because tracing
    allocations slows the code it traces.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> X = pd.DataFrame({"city": list("abcab") * 20})
    >>> cost = measure_encoding(OneHotEncoder(), X, repeat=1)
    >>> cost["n_columns"], cost["sparse"], cost["dense_bytes"]
    (3, True, 2400)
    """
    best = float("inf")
    for _ in range(repeat):
        fresh = clone(encoder)
        start = time.perf_counter()
        out = fresh.fit_transform(X, y)
        best = min(best, time.perf_counter() - start)
    del out
    gc.collect()
    fresh = clone(encoder)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    out = fresh.fit_transform(X, y)
    peak = tracemalloc.get_traced_memory()[1] - baseline
    if not was_tracing:
        tracemalloc.stop()
    return {
        "fit_seconds": best,
        "peak_bytes": int(peak),
        "output_bytes": matrix_nbytes(out),
        "dense_bytes": dense_nbytes(out.shape),
        "n_columns": int(out.shape[1]),
        "sparse": bool(sp.issparse(out)),
    }
