"""How numpy arrays sit in memory, and how fast this machine's memory is.

Helpers for ``notebooks/01_vectorization.ipynb``: :func:`describe_arrays`
tabulates the anatomy of arrays (dtype, shape, strides, contiguity, who owns
the buffer) and :func:`layout_notes` reads that table out; :func:`measure_bandwidth`
and :func:`cache_sizes` give the numbers a vectorized operation is judged
against; :func:`stride_study` measures what a stride does to a reduction (memory
moves in cache lines, not values) and :func:`stride_sentence` says it;
:func:`traced_peak_bytes` measures what an operation allocates.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.utils.timing import MIN_REPEAT, Ratio, Timing, speedup, time_call

__all__ = [
    "CACHE_LINE_BYTES",
    "cache_sizes",
    "describe_arrays",
    "gbps",
    "layout_notes",
    "measure_bandwidth",
    "stride_sentence",
    "stride_study",
    "stride_verdict",
    "traced_peak_bytes",
]

#: Bytes moved between memory and the caches at a time (x86-64 and most ARM cores).
CACHE_LINE_BYTES = 64

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


def gbps(timing: Timing, nbytes: float) -> tuple[float, float, float]:
    """Bytes per second of a timed pass over ``nbytes``: (median, slowest, fastest), in GB/s.

    Examples
    --------
    >>> gbps(Timing((0.5, 1.0, 2.0)), 2e9)
    (2.0, 1.0, 4.0)
    """
    return (nbytes / timing.median / 1e9, nbytes / timing.worst / 1e9, nbytes / timing.best / 1e9)


def measure_bandwidth(array: np.ndarray, *, repeat: int = MIN_REPEAT) -> dict[str, Any]:
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
        Timed repetitions, all kept.

    Returns
    -------
    dict
        ``nbytes``; ``sum`` and ``copy`` (:class:`~mlstack.utils.timing.Timing`);
        ``sum_gbps`` and ``copy_gbps`` (GB/s, 1e9 bytes per second, at the
        median time), and ``sum_gbps_range``, ``copy_gbps_range`` (slowest and
        fastest run).

    Examples
    --------
    >>> result = measure_bandwidth(np.ones(1 << 16), repeat=3)
    >>> result["sum"].repeat, result["sum_gbps"] > 0
    (3, True)
    """
    array = np.ascontiguousarray(array)
    out = np.empty_like(array)
    np.copyto(out, array)  # touch the pages once so the timing excludes page faults
    read = time_call(array.sum, repeat=repeat)
    copy = time_call(lambda: np.copyto(out, array), repeat=repeat)
    sum_rate, copy_rate = gbps(read, array.nbytes), gbps(copy, 2 * array.nbytes)
    return {
        "nbytes": float(array.nbytes),
        "sum": read,
        "copy": copy,
        "sum_gbps": sum_rate[0],
        "sum_gbps_range": sum_rate[1:],
        "copy_gbps": copy_rate[0],
        "copy_gbps_range": copy_rate[1:],
    }


def stride_study(
    array: np.ndarray, strides: Sequence[int] = (1, 2, 4, 8, 16, 32, 64), *, repeat: int = 7
) -> pd.DataFrame:
    """Time ``array[::k].sum()`` for each stride ``k``, interleaved, ``repeat`` times.

    A stride of ``k`` float64 values steps ``8 k`` bytes. Memory moves in cache
    lines of :data:`CACHE_LINE_BYTES`: up to ``k = 8`` every line of the array
    is still read although only ``1/k`` of the values are added; beyond, only
    one line in ``k / 8``. The strides are measured in turn within each repeat
    (not one stride five times, then the next), so that every stride meets the
    same load from other work on the machine, and each time is compared with
    the full sum's time *of the same repeats*.

    Parameters
    ----------
    array : numpy.ndarray of float64
        Contiguous, much larger than the last-level cache.
    strides : sequence of int, default=(1, 2, 4, 8, 16, 32, 64)
        Must start with 1 (the full sum, the reference).
    repeat : int, default=7

    Returns
    -------
    pandas.DataFrame
        One row per stride: ``stride (values)``, ``stride (bytes)``,
        ``values added`` and ``cache lines read`` (shares of the full sum's),
        ``seconds`` (median), ``fastest``, ``slowest``, ``times`` (all of
        them) and ``time vs full sum`` (a :class:`~mlstack.utils.timing.Ratio`:
        the strided median over the full sum's, with its range).

    Examples
    --------
    >>> table = stride_study(np.ones(1 << 16), strides=(1, 8, 16), repeat=3)
    >>> table["cache lines read"].tolist(), table["values added"].tolist()
    ([1.0, 1.0, 0.5], [1.0, 0.125, 0.0625])
    """
    array = np.ascontiguousarray(array, dtype=np.float64)
    if not strides or strides[0] != 1:
        raise InputError(
            f"strides must start with 1 (the full sum), got {list(strides)}", parameter="strides"
        )
    views = {k: array[::k] for k in strides}
    times: dict[int, list[float]] = {k: [] for k in strides}
    for _ in range(repeat):
        for k, view in views.items():
            start = time.perf_counter()
            view.sum()
            times[k].append(time.perf_counter() - start)
    full = Timing(tuple(times[1]))
    values_per_line = CACHE_LINE_BYTES // array.itemsize
    rows = []
    for k in strides:
        timing = Timing(tuple(times[k]))
        rows.append(
            {
                "stride (values)": k,
                "stride (bytes)": k * array.itemsize,
                "values added": 1 / k,
                "cache lines read": min(1.0, values_per_line / k),
                "seconds": timing.median,
                "fastest": timing.best,
                "slowest": timing.worst,
                "times": list(timing.times),
                "time vs full sum": speedup(timing, full),
            }
        )
    return pd.DataFrame(rows)


def _share(ratio: Ratio) -> str:
    return f"{ratio.median:.0%} ({ratio.low:.0%}-{ratio.high:.0%})"


def stride_verdict(ratio: Ratio, per_line: int = CACHE_LINE_BYTES // 8) -> str:
    """Which model the time of a one-value-per-cache-line sum supports, from its range.

    The values model predicts ``1/per_line`` of the full sum's time, the cache-line
    model the full time. A model is ruled out when the measured range stays more
    than a factor of two away from it.

    Examples
    --------
    >>> stride_verdict(Ratio(0.9, 0.7, 1.1, False))
    'the cost follows the cache lines read (all of them), not the values added (12.5%)'
    >>> stride_verdict(Ratio(0.5, 0.1, 1.5, False))
    'the range is too wide in this run to tell the two models apart'
    """
    values = 1 / per_line
    no_values = ratio.low > 2 * values
    no_lines = ratio.high < 0.5
    if no_values and not no_lines:
        return (
            "the cost follows the cache lines read (all of them), not the values added "
            f"({values:.1%})"
        )
    if no_lines and not no_values:
        return (
            f"the cost follows the values added ({values:.1%}), not the lines read: the sum "
            "was limited by arithmetic, not memory, in this run"
        )
    if no_lines and no_values:
        return (
            "between the two models: every line is read, but fewer values are added, and the "
            "sum was not purely limited by memory in this run"
        )
    return "the range is too wide in this run to tell the two models apart"


def stride_sentence(table: pd.DataFrame) -> str:
    """Say what :func:`stride_study` measured: does the time follow values or cache lines?

    At the stride of one cache line (8 float64 values) the time relative to the
    full sum is judged by :func:`stride_verdict`; at the largest stride it is
    set beside the share of lines read. Nothing is asserted that the measured
    ranges do not show.
    """
    by = table.set_index("stride (values)")
    per_line = CACHE_LINE_BYTES // 8
    text = []
    if per_line in by.index:
        ratio = by.loc[per_line, "time vs full sum"]
        text.append(
            f"Summing every {per_line}th value (a {CACHE_LINE_BYTES}-byte stride: one value per "
            f"cache line) took {_share(ratio)} of the full sum's time, median (range over the "
            f"repeats): {stride_verdict(ratio, per_line)}."
        )
    widest = int(by.index.max())
    if widest > per_line:
        ratio = by.loc[widest, "time vs full sum"]
        text.append(
            f"At a stride of {widest * 8:,} bytes only {by.loc[widest, 'cache lines read']:.1%} "
            f"of the lines are read, and the time falls to {_share(ratio)}."
        )
    return " ".join(text)


_LAYOUT_ROWS = {
    "column": "dep_delay column",
    "block": "3 delay columns",
    "row": "one row of them",
    "half": "every other flight",
    "mask": "delays over 60 min (mask)",
    "narrow": "as float32",
}


def layout_notes(layout: pd.DataFrame) -> str:
    """Read the notebook's :func:`describe_arrays` table out as a bulleted list.

    Every statement is taken from the table's columns (``strides``, ``C``,
    ``F``, ``owns data``, ``writeable``, ``shares memory``, ``nbytes``), so
    it stays true whatever pandas and numpy versions produced the table.
    """
    t = {key: layout.loc[name] for key, name in _LAYOUT_ROWS.items() if name in layout.index}
    lines = []
    if "column" in t:
        c = t["column"]
        kind = (
            "a read-only view of pandas' own buffer, so `to_numpy()` copied nothing"
            if not c["owns data"] and not c["writeable"]
            else "a view of pandas' buffer"
            if not c["owns data"]
            else "its own copy of the values"
        )
        lines.append(
            f"- `dep_delay` is {c['dtype']}: {c['itemsize']} bytes per element, strides "
            f"{c['strides']}, {'contiguous' if c['C'] else 'not contiguous'}; it is {kind}."
        )
    if "block" in t:
        b = t["block"]
        order = "F-contiguous, column after column" if b["F"] else "C-contiguous, row after row"
        shared = "shares memory with" if b["shares memory"] else "is a new block, apart from"
        lines.append(
            f"- The three columns come back as a 2-d array that {shared} `dep_delay`, laid "
            f"out {order} (strides {b['strides']})"
            + (
                f"; so one row of it is a strided view (strides {t['row']['strides']})."
                if "row" in t
                else "."
            )
        )
    if "half" in t:
        lines.append(
            f"- Slicing (`[::2]`) gives a view with a doubled stride (strides {t['half']['strides']}); "
            + (
                "a boolean mask makes a copy that owns its data"
                if "mask" in t and t["mask"]["owns data"]
                else "a boolean mask gives a new array"
            )
            + (
                f"; `astype(float32)` makes a copy of {t['narrow']['nbytes']:,} bytes, half "
                "the float64 column's."
                if "narrow" in t
                else "."
            )
        )
    return "\n".join(lines)


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
