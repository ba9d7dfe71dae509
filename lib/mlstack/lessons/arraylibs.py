"""Array libraries on a CPU machine: what is installed, what runs, how fast.

The seed's trade-off table compares numpy (the standard), cupy (numpy on an
NVIDIA GPU) and jax (numpy with automatic differentiation and a compiler). On a
machine without a GPU only part of that can be measured; this module says
which part (:func:`library_status`) and measures it: numpy in float64 against
float32 (:func:`dtype_benchmark`), jax on the CPU beside numpy on the same
operations (:func:`jax_benchmark`), and the same reduction in numpy against
the columnar engines the repository already ships (:func:`reduction_benchmark`).
Every timing is repeated and kept whole (:class:`~mlstack.utils.timing.Timing`),
so each ratio has its range. Nothing about a GPU is measured here: statements
about GPUs are labelled as such. Timings go to ``reports/timings/``, never into
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

from mlstack.utils.timing import MIN_REPEAT, Timing, speedup, speedup_phrase, time_call

__all__ = [
    "ONE_THREAD_XLA",
    "dtype_benchmark",
    "dtype_sentence",
    "gpu_present",
    "jax_benchmark",
    "jax_sentence",
    "library_status",
    "reduction_benchmark",
    "reduction_sentence",
    "timing_records",
]

#: XLA flags that keep jax's CPU backend on one thread, as numpy is here
#: (``OMP_NUM_THREADS=1``); they only act if set before jax is first imported.
ONE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

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
        elif name in ("jax", "torch") and not gpu:
            why = "yes, on the CPU only (no GPU on this machine)"
        else:
            why = "yes"
        if name == "cupy" and not gpu and not installed:
            why = "no: not installed, and no GPU on this machine"
        rows[name] = {"needs": needs, "installed": version, "measurable here": why}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("library")


def _record(name: str, dtype: str, op: str, timing: Timing, nbytes: int, flops: float) -> dict:
    return {
        "library": name,
        "dtype": dtype,
        "operation": op,
        "timing": timing,
        "seconds": timing.median,
        "GB/s": nbytes / timing.median / 1e9,
        "GFLOP/s": flops / timing.median / 1e9,
    }


def _operations(a, b, c, out, m1, m2, size: int, n: int, k: int) -> dict:
    """numpy's benchmark operations: name -> (call, bytes moved, floating-point operations)."""
    return {
        "sum": (lambda: a.sum(), n * size, n),
        "a * b + c": (lambda: np.add(np.multiply(a, b, out=out), c, out=out), 5 * n * size, 2 * n),
        "sqrt(abs(a))": (lambda: np.sqrt(np.abs(a, out=out), out=out), 4 * n * size, 2 * n),
        "matmul": (lambda: m1 @ m2, 3 * k**2 * size, 2 * k**3),
    }


def dtype_benchmark(
    n: int = 10_000_000, *, matmul_size: int = 1000, repeat: int = MIN_REPEAT, seed: int = 0
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
        Timed repetitions, all kept.
    seed : int, default=0
        Seed of the random values.

    Returns
    -------
    pandas.DataFrame
        One row per (dtype, operation): ``timing``
        (:class:`~mlstack.utils.timing.Timing`), ``seconds`` (its median),
        ``GB/s`` (bytes read and written per second) and ``GFLOP/s``.
    """
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((3, n))
    mat = rng.standard_normal((2, matmul_size, matmul_size))
    records = []
    for dtype in (np.float64, np.float32):
        a, b, c = (row.astype(dtype) for row in base)
        out = np.empty_like(a)
        m1, m2 = (m.astype(dtype) for m in mat)
        ops = _operations(a, b, c, out, m1, m2, a.itemsize, n, matmul_size)
        for op, (func, nbytes, flops) in ops.items():
            timing = time_call(func, repeat=repeat)
            records.append(_record("numpy", np.dtype(dtype).name, op, timing, nbytes, flops))
    return pd.DataFrame.from_records(records)


def dtype_sentence(table: pd.DataFrame) -> str:
    """Say what float32 changed against float64, operation by operation, with the ranges."""
    by = table.set_index(["operation", "dtype"])["timing"]
    parts = [
        speedup_phrase(
            f"`{op}` in float32", speedup(by[(op, "float64")], by[(op, "float32")]), "in float64"
        )
        for op in dict.fromkeys(table["operation"])
    ]
    return (
        "float32 halves the bytes per value (what limits the memory-bound operations) and "
        "doubles the values per SIMD instruction (what limits `matmul`). In this run: "
        + "; ".join(parts)
        + ". On a GPU the gap is usually wider, since consumer GPUs compute float64 far more "
        "slowly than float32 (not measured here: this machine has no GPU)."
    )


def _jax() -> Any:
    """Import jax on one CPU thread (when it was not imported yet) and return ``jax``."""
    import sys

    if "jax" not in sys.modules:
        flags = os.environ.get("XLA_FLAGS", "")
        if "xla_cpu_multi_thread_eigen" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " " + ONE_THREAD_XLA).strip()
    import jax

    return jax


def jax_benchmark(
    n: int = 10_000_000, *, matmul_size: int = 1000, repeat: int = MIN_REPEAT, seed: int = 0
) -> pd.DataFrame:
    """Time the same float32 operations in numpy and in jax (``jit``-compiled) on the CPU.

    jax compiles each function on its first call; that call is timed apart
    (``compile s``) and the repeats time the compiled function, waiting for
    its result (``block_until_ready``). jax runs on one CPU thread when this
    module imports it first (:data:`ONE_THREAD_XLA`), like numpy here.

    Returns
    -------
    pandas.DataFrame
        One row per operation: ``numpy`` and ``jax`` (Timings), ``compile s``,
        ``jax vs numpy`` (a Ratio: numpy's time over jax's, above 1 when jax
        is faster) and ``max relative difference`` of the results.
    """
    jax = _jax()
    jnp = jax.numpy
    rng = np.random.default_rng(seed)
    a, b, c = rng.standard_normal((3, n)).astype(np.float32)
    m1, m2 = rng.standard_normal((2, matmul_size, matmul_size)).astype(np.float32)
    out = np.empty_like(a)
    numpy_ops = {
        "sum": lambda: a.sum(),
        "a * b + c": lambda: np.add(np.multiply(a, b, out=out), c, out=out),
        "sqrt(abs(a))": lambda: np.sqrt(np.abs(a, out=out), out=out),
        "matmul": lambda: m1 @ m2,
    }
    ja, jb, jc, jm1, jm2 = (jax.device_put(v) for v in (a, b, c, m1, m2))
    jax_ops = {
        "sum": (jax.jit(lambda x: x.sum()), (ja,)),
        "a * b + c": (jax.jit(lambda x, y, z: x * y + z), (ja, jb, jc)),
        "sqrt(abs(a))": (jax.jit(lambda x: jnp.sqrt(jnp.abs(x))), (ja,)),
        "matmul": (jax.jit(lambda x, y: x @ y), (jm1, jm2)),
    }
    rows = []
    for op, numpy_call in numpy_ops.items():
        compiled, args = jax_ops[op]
        compile_timing = time_call(lambda f=compiled, a=args: f(*a).block_until_ready(), repeat=1)
        jax_timing = time_call(lambda f=compiled, a=args: f(*a).block_until_ready(), repeat=repeat)
        numpy_timing = time_call(numpy_call, repeat=repeat)
        expected = np.asarray(numpy_call(), dtype=np.float64)
        got = np.asarray(compiled(*args), dtype=np.float64)
        scale = np.maximum(np.abs(expected), 1e-6 * np.abs(expected).max() + 1e-30)
        rows.append(
            {
                "operation": op,
                "numpy": numpy_timing,
                "jax": jax_timing,
                "compile s": compile_timing.median,
                "jax vs numpy": speedup(numpy_timing, jax_timing),
                "max relative difference": float(np.max(np.abs(got - expected) / scale)),
            }
        )
    return pd.DataFrame(rows).set_index("operation")


def jax_sentence(table: pd.DataFrame) -> str:
    """Say how jax on the CPU compared with numpy, operation by operation (no GPU claims)."""
    parts = [
        speedup_phrase(f"jax on `{op}`", ratio, "numpy")
        for op, ratio in table["jax vs numpy"].items()
    ]
    compile_s = table["compile s"]
    return (
        "On this machine's CPU, one thread each, float32: "
        + "; ".join(parts)
        + f". Compiling each function cost {compile_s.min() * 1e3:,.0f}-"
        f"{compile_s.max() * 1e3:,.0f} ms once. jax's reasons to exist (automatic "
        "differentiation, one program for CPU, GPU and TPU) are not speed on a CPU; whether it "
        "is faster on a GPU was not measured here (no GPU)."
    )


def reduction_benchmark(values: np.ndarray, *, repeat: int = MIN_REPEAT) -> pd.DataFrame:
    """Sum the same float64 values with each installed library that can run here.

    The data is converted to each library's own container once, outside the
    timing (zero-copy where the library allows it); only the reduction is
    timed. Dask splits the array into chunks and sums them on its thread pool;
    jax (with 64-bit floats enabled for this call) sums a compiled function.

    Parameters
    ----------
    values : ndarray of float64, shape (n,)
        The values to sum.
    repeat : int, default=5
        Timed repetitions, all kept.

    Returns
    -------
    pandas.DataFrame
        One row per library: ``timing``, ``seconds`` (median), ``GB/s`` and
        ``GFLOP/s`` (one addition per element), ``vs numpy`` (a Ratio:
        numpy's time over the library's), the ``result`` and its ``relative
        difference`` from numpy's.
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
    if importlib.util.find_spec("jax"):

        def _jax_sum() -> Callable[[], float]:
            jax = _jax()
            with jax.enable_x64(True):
                array = jax.device_put(values)
                summed = jax.jit(lambda x: x.sum())
                summed(array).block_until_ready()  # compile once, outside the timing

            def call() -> float:
                with jax.enable_x64(True):
                    return float(summed(array).block_until_ready())

            return call

        candidates["jax"] = _jax_sum
    records = []
    reference = float(values.sum())
    timings = {}
    for name, prepare in candidates.items():
        func = prepare()
        timings[name] = time_call(func, repeat=repeat)
        result = func()
        record = _record(name, "float64", "sum", timings[name], values.nbytes, n)
        record["vs numpy"] = None if name == "numpy" else speedup(timings["numpy"], timings[name])
        record["result"] = result
        record["relative difference"] = abs(result - reference) / abs(reference)
        records.append(record)
    return pd.DataFrame.from_records(records)


def reduction_sentence(table: pd.DataFrame, n: int) -> str:
    """Say how each library's sum compared with numpy's, with the ranges, and that they agree."""
    others = table[table["library"] != "numpy"]
    parts = [
        speedup_phrase(name, ratio, "numpy")
        for name, ratio in zip(others["library"], others["vs numpy"], strict=True)
    ]
    return (
        f"Summing {n:,} float64 values: " + "; ".join(parts) + ". numpy sums pairwise (more "
        "accurate on long sums); the columnar engines use straight SIMD loops, some on "
        "several threads. The results agree to within "
        f"{table['relative difference'].max():.1e} relative difference."
    )


def timing_records(
    *, by_dtype: pd.DataFrame, jax: pd.DataFrame, reduction: pd.DataFrame
) -> dict[str, list[dict[str, Any]]]:
    """The raw figures of the three benchmarks for a timings file, every repeat included.

    jax compiles each function once, so its ``compile`` timing has one repeat.
    """

    def rows(frame: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
        return [
            {
                **{k: r[k] for k in keys},
                **{k: v.as_record() for k, v in r.items() if isinstance(v, Timing)},
            }
            for r in frame.to_dict("records")
        ]

    return {
        "dtype": rows(by_dtype, ["dtype", "operation"]),
        "jax": [
            {**row, "compile": Timing((float(seconds),)).as_record()}
            for row, seconds in zip(
                rows(jax.reset_index(), ["operation"]), jax["compile s"], strict=True
            )
        ],
        "reduction": rows(reduction, ["library"]),
    }
