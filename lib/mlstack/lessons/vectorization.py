"""What ``notebooks/01_vectorization.ipynb`` measured, as tables and sentences.

The notebook times one feature (the great-circle distance of each flight) as
row loops and as numpy, the bytes per second of a few reductions, and an
all-pairs broadcast against a sorted search. Every timing is repeated
(:class:`~mlstack.utils.timing.TimingLog`), so each ratio here is a
:class:`~mlstack.utils.timing.Ratio` with the range its repeats allow, and each
sentence is chosen from the measurements: a claim the numbers do not support
is not made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlstack.utils.timing import Ratio, Timing, speedup, speedup_phrase

__all__ = [
    "bandwidth_sentence",
    "claim_check",
    "headline",
    "pairs_sentence",
    "plot_per_row",
    "recap",
    "row_loop_sentence",
    "row_loop_table",
    "throughput_sentence",
    "throughput_table",
]


def _timing(record: dict[str, Any]) -> Timing:
    return Timing(tuple(record["times"]))


def _find(records: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    return next(r for r in records if all(r.get(k) == v for k, v in facts.items()))


def row_loop_table(records: list[dict[str, Any]], experiment: str = "haversine") -> pd.DataFrame:
    """Time per row of each implementation, and how many times numpy's (on the same rows).

    Parameters
    ----------
    records : list of dict
        :attr:`~mlstack.utils.timing.TimingLog.records` with ``experiment``,
        ``method`` and ``rows``; the method ``"numpy"`` is the reference.

    Returns
    -------
    pandas.DataFrame
        Indexed by method: ``rows``, ``µs per row`` (median), ``fastest``,
        ``slowest`` (µs per row) and ``x numpy`` (a Ratio of per-row times,
        with its range).

    Examples
    --------
    >>> records = [
    ...     {"experiment": "haversine", "method": "loop", "rows": 10, "times": [1.0, 1.1, 1.2]},
    ...     {"experiment": "haversine", "method": "numpy", "rows": 10, "times": [0.01, 0.011]},
    ... ]
    >>> str(row_loop_table(records).loc["loop", "x numpy"])
    '105x (91-120x)'
    """
    chosen = [r for r in records if r["experiment"] == experiment]
    numpy = _find(chosen, method="numpy")
    per_row_numpy = Timing(tuple(t / numpy["rows"] for t in numpy["times"]))
    rows = {}
    for r in chosen:
        per_row = Timing(tuple(t / r["rows"] for t in r["times"]))
        rows[r["method"]] = {
            "rows": r["rows"],
            "µs per row": 1e6 * per_row.median,
            "fastest": 1e6 * per_row.best,
            "slowest": 1e6 * per_row.worst,
            "x numpy": None if r is numpy else speedup(per_row, per_row_numpy),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("method")


def plot_per_row(table: pd.DataFrame, ax: Any = None) -> Any:
    """Bar chart of the time per row (log scale), each bar the median with its range."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    spread = [table["µs per row"] - table["fastest"], table["slowest"] - table["µs per row"]]
    ax.barh(table.index, table["µs per row"], xerr=spread, color="tab:blue", capsize=3)
    ax.set(xscale="log", xlabel="time per flight (µs, log scale; median and range)")
    ax.set(ylabel="implementation", title="Haversine distance per flight: row loops vs numpy")
    ax.invert_yaxis()
    return ax


def claim_check(ratio: Ratio, low: float, high: float) -> str:
    """Does a measured ratio support a claimed range ``[low, high]``?

    Examples
    --------
    >>> claim_check(Ratio(300, 250, 350, True), 100, 1000)
    'holds'
    >>> claim_check(Ratio(900, 800, 1200, True), 100, 1000)
    'holds only in part (the measured range crosses 1,000x)'
    >>> claim_check(Ratio(50, 40, 60, True), 100, 1000)
    'does not hold'
    """
    if low <= ratio.low and ratio.high <= high:
        return "holds"
    if ratio.high < low or ratio.low > high:
        return "does not hold"
    edge = low if ratio.low < low else high
    return f"holds only in part (the measured range crosses {edge:,.0f}x)"


def row_loop_sentence(table: pd.DataFrame) -> str:
    """Say how much slower each row loop is than numpy, and where the cost of a row loop goes.

    The share of ``iterrows``' cost that pandas' row objects account for is
    ``1 - lists / iterrows`` (the list loop runs the same Python per row,
    without the row objects); it is called "most" only above one half at
    both ends of its range.
    """
    ratio = table["x numpy"]
    text = (
        f"Per row, `iterrows` took **{ratio['iterrows']}** the time of numpy, `apply` "
        f"**{ratio['apply']}** and a plain Python loop over lists **{ratio['lists']}** "
        "(median and range over the repeats)."
    )
    pandas_part = speedup(_spread(table.loc["iterrows"]), _spread(table.loc["lists"]))
    share_low, share_high = 1 - 1 / pandas_part.low, 1 - 1 / pandas_part.high
    if share_low > 0.5:
        text += (
            f" Most of a row loop's cost is pandas building a row object per flight: "
            f"`iterrows` took {pandas_part} the list loop's time, so the row objects account "
            f"for {share_low:.0%}-{share_high:.0%} of it; the rest is the interpreter handling "
            "one boxed float at a time."
        )
    else:
        text += (
            f" The row objects are not where most of the time goes here: `iterrows` took "
            f"{pandas_part} the list loop's time; the interpreter itself is the larger cost."
        )
    return text


def headline(table: pd.DataFrame, rows: int) -> str:
    """The notebook's headline: the implementations agree; numpy's advantage, at its low end."""
    ratio = table.loc["iterrows", "x numpy"]
    agree = f"iterrows, apply, a list loop and numpy agree on {rows:,} flights"
    if not (ratio.distinguishable and ratio.low >= 1):
        return f"{agree}; numpy against iterrows per row: {ratio}"
    magnitude = 10 ** int(np.floor(np.log10(ratio.low)))
    return (
        f"{agree}; numpy is more than {magnitude:,}x faster per row than iterrows "
        f"({ratio}, median and range)"
    )


def bandwidth_sentence(caches: Mapping[str, int], bandwidth: Mapping[str, Any]) -> str:
    """Say the cache sizes and the memory bandwidth measured, with their ranges."""
    shown = ", ".join(f"{name} {size / 2**10:,.0f} KiB" for name, size in caches.items())
    low, high = bandwidth["sum_gbps_range"]
    copy_low, copy_high = bandwidth["copy_gbps_range"]
    return (
        f"Caches: {shown or 'not reported by this system'}. Streaming "
        f"{bandwidth['nbytes'] / 2**20:,.0f} MiB from main memory: read "
        f"**{bandwidth['sum_gbps']:.1f} GB/s** ({low:.1f}-{high:.1f}), copy "
        f"{bandwidth['copy_gbps']:.1f} GB/s ({copy_low:.1f}-{copy_high:.1f}), median and range "
        f"over {bandwidth['sum'].repeat} runs."
    )


def throughput_table(
    records: list[dict[str, Any]], nbytes: Mapping[str, float], bandwidth: Mapping[str, Any]
) -> pd.DataFrame:
    """Bytes per second of each timed pass, against the main-memory read bandwidth.

    Parameters
    ----------
    records : list of dict
        Timing records with ``method``; those named in ``nbytes`` are used.
    nbytes : mapping of str to float
        Useful bytes each method reads (8 per float64 value).
    bandwidth : mapping
        The result of :func:`mlstack.lessons.arrays.measure_bandwidth`.

    Returns
    -------
    pandas.DataFrame
        Indexed by method: ``bytes read``, ``GB/s`` (at the median time),
        ``slowest``, ``fastest`` (GB/s) and ``x memory bandwidth`` (a Ratio:
        the pass's bytes per second over the streamed sum's, with its range).
    """
    memory = Timing(tuple(t / bandwidth["nbytes"] for t in bandwidth["sum"].times))
    rows = {}
    for method, size in nbytes.items():
        timing = _timing(_find(records, method=method))
        per_byte = Timing(tuple(t / size for t in timing.times))
        rows[method] = {
            "bytes read": int(size),
            "GB/s": size / timing.median / 1e9,
            "slowest": size / timing.worst / 1e9,
            "fastest": size / timing.best / 1e9,
            "x memory bandwidth": speedup(memory, per_byte),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("method")


def throughput_sentence(
    table: pd.DataFrame, *, column_nbytes: int, caches: Mapping[str, int]
) -> str:
    """Say why the three passes move bytes at such different rates, from the measured rates.

    ``table`` rows, in order: numpy's sum of the real column, the same sum as a
    Python loop, the haversine over four columns. The column "stays in cache"
    only if it is smaller than the last-level cache reported; the haversine is
    called bound by arithmetic only if it moves distinguishably fewer bytes
    per second than main memory delivers.
    """
    numpy_sum, loop, haversine = (table.iloc[i] for i in range(3))
    last_level = max(caches.values()) if caches else None
    fits = last_level is not None and column_nbytes < last_level
    where = (
        f"its {column_nbytes / 2**20:.2f} MiB fit in the {last_level / 2**20:,.0f} MiB "
        "last-level cache, so after the first pass it can be read from cache"
        if fits
        else "the column does not fit in the caches reported"
    )
    text = (
        f"The numpy sum over the real column reaches **{numpy_sum['GB/s']:.1f} GB/s**, "
        f"{numpy_sum['x memory bandwidth']} the main-memory read bandwidth; {where}. "
        + speedup_phrase(
            "numpy's sum",
            speedup(_per_gb(loop), _per_gb(numpy_sum)),
            "a Python loop over the same bytes",
        )
        + f" ({loop['GB/s']:.2f} GB/s)."
    )
    versus = haversine["x memory bandwidth"]
    if versus.distinguishable and versus.median < 1:
        text += (
            f" The haversine moves only {haversine['GB/s']:.2f} GB/s, {versus} of what memory "
            "delivers: it is bound by arithmetic (sines, cosines, an arcsine per flight), not by "
            "memory, so its speed-up over Python comes from compiled loops, not from bandwidth."
        )
    else:
        text += (
            f" The haversine moves {haversine['GB/s']:.2f} GB/s ({versus} the memory bandwidth): "
            "in this run it is not distinguishably slower than memory, so it cannot be called "
            "arithmetic-bound from these numbers."
        )
    return text


def _gb(nbytes: float) -> str:
    """Bytes as GB: one decimal below 100 GB, whole numbers above."""
    value = nbytes / 1e9
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _per_gb(row: pd.Series) -> Timing:
    """Seconds per GB at the slowest, median and fastest rate of a throughput row."""
    return Timing((1 / row["slowest"], 1 / row["GB/s"], 1 / row["fastest"]))


def _spread(row: pd.Series) -> Timing:
    """The fastest, median and slowest time per row of a :func:`row_loop_table` row."""
    return Timing((row["fastest"], row["µs per row"], row["slowest"]))


def pairs_sentence(
    *,
    n: int,
    n_all: int,
    peaks: Mapping[str, int],
    broadcast: Timing,
    sorted_search: Timing,
    sorted_all: Timing,
) -> str:
    """Say what broadcasting all pairs costs against sorting, in memory and time.

    The memory for every flight is an extrapolation (bytes per pair times
    ``n_all`` squared), said as such; the times are medians with their ranges.
    """
    per_pair = peaks["broadcast"] / n**2
    return (
        f"Broadcasting all pairs of {n:,} flights peaks at **{peaks['broadcast'] / 2**20:,.0f} "
        f"MiB** ({per_pair:.0f} bytes per pair) against **{peaks['sorted'] / 2**20:.2f} MiB** "
        f"sorted, and takes {speedup(broadcast, sorted_search)} the time. For all {n_all:,} "
        f"flights the pairs would need about **{_gb(per_pair * n_all**2)} GB** "
        f"(extrapolated at the same bytes per pair, not run); the sorted version needs "
        f"{peaks['sorted_all'] / 2**20:.1f} MiB and {sorted_all}. Vectorized is not the same as "
        "broadcast: pick the algorithm first (here O(n log n) instead of O(n²)), then vectorize it."
    )


def recap(
    per_row: pd.DataFrame,
    throughput: pd.DataFrame,
    strides: pd.DataFrame,
    resets: pd.DataFrame,
    *,
    peaks: Mapping[str, int],
    n: int,
    n_all: int,
) -> str:
    """The notebook's closing recap: what was measured, the numbers with their ranges, the advice."""
    ratio = per_row["x numpy"]
    from mlstack.lessons.arrays import stride_verdict
    from mlstack.lessons.recurrence import verdict

    by_stride = strides.set_index("stride (values)")["time vs full sum"]
    per_pair = peaks["broadcast"] / n**2
    cached = throughput.iloc[0]
    lines = [
        f"- **Measured (V1, AP1)**: one feature, the same rows: `iterrows` took {ratio['iterrows']}, "
        f"`apply` {ratio['apply']} and a Python loop over lists {ratio['lists']} the time of "
        f'numpy. The curriculum\'s "100-1000x" {claim_check(ratio["iterrows"], 100, 1000)} '
        "for `iterrows` in this run.",
        f"- **Why (V1, V2)**: numpy runs one compiled loop over contiguous, typed memory: its sum "
        f"of a small column read {cached['GB/s']:.1f} GB/s ({cached['x memory bandwidth']} the "
        "main-memory bandwidth); "
        + speedup_phrase(
            "numpy's sum", speedup(_per_gb(throughput.iloc[1]), _per_gb(cached)), "a Python loop"
        )
        + ". Strides decide how many bytes move:"
        + (
            f" summing every 8th value took {by_stride[8].median:.0%} "
            f"({by_stride[8].low:.0%}-{by_stride[8].high:.0%}) of the full sum's time: "
            f"{stride_verdict(by_stride[8])}."
            if 8 in by_stride.index
            else " see the stride study."
        ),
        f"- **Not always (V3)**: a recurrence with resets is sequential; numpy needs one pass per "
        f"reset, and {verdict(resets)}. Broadcasting all pairs needs O(n²) memory (about "
        f"{_gb(per_pair * n_all**2)} GB for every flight, extrapolated) where sorting "
        "needs O(n).",
        "- **In practice**: write features as column operations (as `mlstack.flights.features` "
        "does), choose the algorithm before vectorizing, reach for a compiled loop when the "
        "logic is sequential, and time with repeats before believing a ratio.",
        "- **Next**: `02_eda` explores the data these features come from.",
    ]
    return "\n".join(lines)
