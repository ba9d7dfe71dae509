"""Array libraries on a CPU machine: what is installed, what runs, how fast.

The seed's trade-off table compares numpy (the standard), cupy (numpy on an
NVIDIA GPU) and jax (numpy with automatic differentiation and a compiler). On a
machine without a GPU and without jax only part of that can be measured; this
module says which part (:func:`library_status`) and measures it: numpy in
float64 against float32 (:func:`dtype_benchmark`), and the same reduction in
numpy against the columnar engines the repository already ships
(:func:`reduction_benchmark`). Timings go to ``reports/timings/``, never into
tests.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlstack.utils.timing import time_call

__all__ = ["dtype_benchmark", "gpu_present", "library_status", "reduction_benchmark"]

#: Libraries the trade-off table names, with what each needs to run.
_LIBRARIES = {
    "numpy": "CPU",
    "pyarrow": "CPU",
    "polars": "CPU",
    "duckdb": "CPU",
    "dask": "CPU (parallel, out of core)",
    "jax": "CPU, or GPU/TPU with jaxlib builds",
    "cupy": "an NVIDIA GPU with CUDA",
    "torch": "CPU, or GPU",
}


def gpu_present() -> bool:
    """Return True when an NVIDIA GPU is visible (``/dev/nvidia0`` or ``nvidia-smi``)."""
    return os.path.exists("/dev/nvidia0") or shutil.which("nvidia-smi") is not None


def library_status() -> pd.DataFrame:
    """Say which array libraries are installed and which can run on this machine.

    Returns
    -------
    pandas.DataFrame
        Indexed by library: ``needs``, ``installed`` (version or ``no``) and
        ``measurable here`` (``yes``, or why not).

    Examples
    --------
    >>> status = library_status()
    >>> status.loc["numpy", "measurable here"]
    'yes'
    """
    gpu = gpu_present()
    rows = {}
    for name, needs in _LIBRARIES.items():
        installed = importlib.util.find_spec(name) is not None
        version = importlib.metadata.version(name) if installed else "no"
        if not installed:
            why = "no: not installed"
        elif name == "cupy" and not gpu:
            why = "no: no GPU on this machine"
        else:
            why = "yes"
        if name == "cupy" and not gpu and not installed:
            why = "no: not installed, and no GPU on this machine"
        rows[name] = {"needs": needs, "installed": version, "measurable here": why}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("library")


def _record(name: str, dtype: str, op: str, seconds: float, nbytes: int, flops: float) -> dict:
    return {
        "library": name,
        "dtype": dtype,
        "operation": op,
        "seconds": seconds,
        "GB/s": nbytes / seconds / 1e9,
        "GFLOP/s": flops / seconds / 1e9,
    }


def dtype_benchmark(
    n: int = 10_000_000, *, matmul_size: int = 1000, repeat: int = 5, seed: int = 0
) -> pd.DataFrame:
    """Time numpy operations in float64 and float32 on the same values.

    Operations: a reduction (``sum``), a fused-looking elementwise expression
    (``a * b + c`` written into a preallocated output), a square root, and a
    matrix product (``matmul_size`` squared), the last compute-bound, the
    others bound by memory bandwidth.

    Parameters
    ----------
    n : int, default=10_000_000
        Elements per vector.
    matmul_size : int, default=1000
        Side of the square matrices.
    repeat : int, default=5
        Timed repetitions; the best is kept.
    seed : int, default=0
        Seed of the random values.

    Returns
    -------
    pandas.DataFrame
        One row per (dtype, operation): ``seconds`` (best), ``GB/s`` (bytes
        read and written per second) and ``GFLOP/s``.
    """
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((3, n))
    mat = rng.standard_normal((2, matmul_size, matmul_size))
    records = []
    for dtype in (np.float64, np.float32):
        a, b, c = (row.astype(dtype) for row in base)
        out = np.empty_like(a)
        m1, m2 = (m.astype(dtype) for m in mat)
        size = a.itemsize
        ops: dict[str, tuple[Callable[[], Any], int, float]] = {
            "sum": (lambda a=a: a.sum(), n * size, n),
            "a * b + c": (
                lambda a=a, b=b, c=c, out=out: np.add(np.multiply(a, b, out=out), c, out=out),
                5 * n * size,
                2 * n,
            ),
            "sqrt(abs(a))": (
                lambda a=a, out=out: np.sqrt(np.abs(a, out=out), out=out),
                4 * n * size,
                2 * n,
            ),
            "matmul": (
                lambda m1=m1, m2=m2: m1 @ m2,
                3 * matmul_size**2 * size,
                2 * matmul_size**3,
            ),
        }
        for op, (func, nbytes, flops) in ops.items():
            best = time_call(func, repeat=repeat).best
            records.append(_record("numpy", np.dtype(dtype).name, op, best, nbytes, flops))
    return pd.DataFrame.from_records(records)


def reduction_benchmark(values: np.ndarray, *, repeat: int = 5) -> pd.DataFrame:
    """Sum the same float64 values with each installed library that can run here.

    The data is converted to each library's own container once, outside the
    timing (zero-copy where the library allows it); only the reduction is
    timed. Dask splits the array into chunks and sums them on its thread pool.

    Parameters
    ----------
    values : ndarray of float64, shape (n,)
        The values to sum.
    repeat : int, default=5
        Timed repetitions; the best is kept.

    Returns
    -------
    pandas.DataFrame
        One row per library: ``seconds`` (best), ``GB/s`` and ``GFLOP/s`` (one
        addition per element), the ``result`` and its ``relative difference``
        from numpy's.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    n = values.shape[0]
    candidates: dict[str, Callable[[], Callable[[], float]]] = {
        "numpy": lambda: lambda: float(values.sum()),
    }
    if importlib.util.find_spec("pyarrow"):

        def _arrow() -> Callable[[], float]:
            import pyarrow as pa
            import pyarrow.compute as pc

            array = pa.array(values)
            return lambda: pc.sum(array).as_py()

        candidates["pyarrow"] = _arrow
    if importlib.util.find_spec("polars"):

        def _polars() -> Callable[[], float]:
            import polars as pl

            series = pl.Series("x", values)
            return lambda: float(series.sum())

        candidates["polars"] = _polars
    if importlib.util.find_spec("duckdb"):

        def _duckdb() -> Callable[[], float]:
            import duckdb
            import pyarrow as pa

            con = duckdb.connect()
            con.register("t", pa.table({"x": values}))
            return lambda: float(con.execute("SELECT sum(x) FROM t").fetchone()[0])

        candidates["duckdb"] = _duckdb
    if importlib.util.find_spec("dask"):

        def _dask() -> Callable[[], float]:
            import dask.array as da

            array = da.from_array(values, chunks=max(1, n // 8))
            return lambda: float(array.sum().compute(scheduler="threads"))

        candidates["dask"] = _dask
    records = []
    reference = float(values.sum())
    for name, prepare in candidates.items():
        func = prepare()
        best = time_call(func, repeat=repeat).best
        result = func()
        record = _record(name, "float64", "sum", best, values.nbytes, n)
        record["result"] = result
        record["relative difference"] = abs(result - reference) / abs(reference)
        records.append(record)
    return pd.DataFrame.from_records(records)
