"""How numpy arrays sit in memory, and how fast this machine's memory is.

Helpers for ``notebooks/01_vectorization.ipynb``: :func:`describe_arrays`
tabulates the anatomy of arrays (dtype, shape, strides, contiguity, who owns
the buffer); :func:`measure_bandwidth` and :func:`cache_sizes` give the
numbers a vectorized operation is judged against; :func:`traced_peak_bytes`
measures what an operation allocates.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.utils.timing import time_call

__all__ = ["cache_sizes", "describe_arrays", "measure_bandwidth", "traced_peak_bytes"]

_CACHE_DIR = Path("/sys/devices/system/cpu/cpu0/cache")
_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}


def describe_arrays(
    arrays: Mapping[str, np.ndarray], base: np.ndarray | None = None
) -> pd.DataFrame:
    """Tabulate the memory layout of named arrays.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        The arrays to describe, in the order given.
    base : numpy.ndarray, optional
        When given, a column says whether each array shares memory with it
        (a view) or not (a copy).

    Returns
    -------
    pandas.DataFrame
        One row per array: ``dtype``, ``shape``, ``strides`` (bytes to step
        along each axis), ``itemsize`` and ``nbytes`` (bytes), ``C`` and ``F``
        contiguity, ``owns data``, ``writeable``, and ``shares memory`` when
        ``base`` is given.

    Examples
    --------
    >>> a = np.arange(12, dtype=np.int64).reshape(3, 4)
    >>> table = describe_arrays({"a": a, "a.T": a.T, "a[:, ::2]": a[:, ::2]}, base=a)
    >>> table["strides"].tolist()
    ['(32, 8)', '(8, 32)', '(32, 16)']
    >>> table["shares memory"].tolist()
    [True, True, True]
    """
    rows = []
    for name, array in arrays.items():
        row: dict[str, Any] = {
            "array": name,
            "dtype": str(array.dtype),
            "shape": str(array.shape),
            "strides": str(array.strides),
            "itemsize": array.itemsize,
            "nbytes": array.nbytes,
            "C": bool(array.flags.c_contiguous),
            "F": bool(array.flags.f_contiguous),
            "owns data": bool(array.flags.owndata),
            "writeable": bool(array.flags.writeable),
        }
        if base is not None:
            row["shares memory"] = bool(np.shares_memory(array, base))
        rows.append(row)
    return pd.DataFrame(rows).set_index("array")


def cache_sizes() -> dict[str, int]:
    """Return the CPU cache sizes in bytes, as Linux reports them for CPU 0.

    Returns
    -------
    dict
        Keys like ``"L1d"``, ``"L2"``, ``"L3"``; empty where ``/sys`` does not
        describe the caches (other operating systems, some containers).
    """
    sizes: dict[str, int] = {}
    for index in sorted(_CACHE_DIR.glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind == "Instruction":
            continue
        name = f"L{level}" + ("d" if kind == "Data" else "")
        multiplier = _UNITS.get(size[-1:], 1)
        sizes[name] = int(size.rstrip("KMG")) * multiplier
    return sizes


def measure_bandwidth(array: np.ndarray, *, repeat: int = 5) -> dict[str, float]:
    """Measure memory bandwidth by summing and copying ``array``.

    Make ``array`` much larger than the last-level cache (see
    :func:`cache_sizes`) so that every pass streams from main memory. The read
    bandwidth is ``nbytes / time`` of ``array.sum()``; the copy bandwidth
    counts the bytes read plus the bytes written, ``2 * nbytes / time`` of
    ``np.copyto(out, array)`` (the STREAM convention).

    Parameters
    ----------
    array : numpy.ndarray
        A contiguous numeric array.
    repeat : int, default=5
        Timed repetitions; the best is kept.

    Returns
    -------
    dict
        ``nbytes``, ``sum_seconds``, ``sum_gbps``, ``copy_seconds``,
        ``copy_gbps`` (GB/s are 1e9 bytes per second).
    """
    array = np.ascontiguousarray(array)
    out = np.empty_like(array)
    np.copyto(out, array)  # touch the pages once so the timing excludes page faults
    read = time_call(array.sum, repeat=repeat).best
    copy = time_call(lambda: np.copyto(out, array), repeat=repeat).best
    return {
        "nbytes": float(array.nbytes),
        "sum_seconds": read,
        "sum_gbps": array.nbytes / read / 1e9,
        "copy_seconds": copy,
        "copy_gbps": 2 * array.nbytes / copy / 1e9,
    }


def traced_peak_bytes(func: Callable[[], Any]) -> tuple[Any, int]:
    """Call ``func()`` and return its result and the peak bytes it allocated.

    Uses :mod:`tracemalloc`, which sees Python objects and numpy's array
    buffers alike. Memory that the result still holds counts in the peak.

    Examples
    --------
    >>> _, peak = traced_peak_bytes(lambda: np.ones(1_000_000))
    >>> peak >= 8_000_000
    True
    """
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not already:
            tracemalloc.stop()
    return result, peak - start
