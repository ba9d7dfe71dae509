"""A per-group recurrence with a reset: where vectorization is the wrong tool.

The running example: each aircraft is inspected every ``threshold`` miles.
Walk its flights in order, add up the miles, and when the total since the
last inspection reaches the threshold, flag that flight and start again from
zero. The reset depends on the running total itself, so no single
``cumsum`` expresses it. Three implementations:

- :func:`reset_points_loop` walks the rows once: O(n) steps of interpreted
  Python, the right shape for the problem (a compiled loop, e.g. numba or
  Cython, would be the real fix; neither is a dependency here).
- :func:`reset_points_passes` stays in numpy: each pass finds the next
  reset of every group at once, and it takes as many whole-array passes as
  the largest number of resets in a group.
- :func:`reset_points_floordiv` is the tempting one-liner
  (``cumsum // threshold`` changes): fast, and wrong, because it forgets
  that each reset throws away the overshoot.

Rows of a group must be contiguous and in order (sort by group, then time);
a change of ``groups`` between neighbouring rows starts a new group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.utils.timing import MIN_REPEAT, Timing, speedup, time_call

__all__ = [
    "IMPLEMENTATIONS",
    "compare_implementations",
    "comparison_sentence",
    "verdict",
    "plot_times",
    "reset_points_floordiv",
    "reset_points_loop",
    "reset_points_passes",
    "timing_cells",
]


def _validate(values, groups, threshold) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=np.float64)
    groups = np.asarray(groups)
    if values.shape != groups.shape or values.ndim != 1:
        raise InputError(
            f"values and groups must be 1-d and the same length, got {values.shape} and {groups.shape}"
        )
    if not threshold > 0:
        raise InputError(f"threshold must be positive, got {threshold}")
    if np.any(values < 0) or np.isnan(values).any():
        raise InputError("values must be non-negative and not missing (e.g. miles flown)")
    return values, groups


def _group_starts(groups: np.ndarray) -> np.ndarray:
    starts = np.ones(len(groups), dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    return starts


def reset_points_loop(values, groups, threshold: float) -> np.ndarray:
    """Flag the rows where the running total since the last reset reaches ``threshold``.

    The reference implementation: one pass over the rows in interpreted
    Python (over plain lists, not DataFrame rows).

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Non-negative amounts (e.g. miles of each flight), in order within groups.
    groups : array-like, shape (n,)
        Group of each row (e.g. the aircraft); groups must be contiguous.
    threshold : float
        The total at which a reset happens (the flagged row is included in it).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True on the rows that trigger a reset.

    Examples
    --------
    >>> reset_points_loop([6, 6, 6, 3, 12], ["a", "a", "a", "a", "b"], 10).tolist()
    [False, True, False, False, True]
    """
    values, groups = _validate(values, groups, threshold)
    flags = [False] * len(values)
    starts = _group_starts(groups).tolist()
    total = 0.0
    # mlstack-lint: allow AP1 (a sequential recurrence: the loop is the right shape)
    for i, (value, start) in enumerate(zip(values.tolist(), starts, strict=True)):
        if start:
            total = 0.0
        total += value
        if total >= threshold:
            flags[i] = True
            total = 0.0
    return np.array(flags, dtype=bool)


def reset_points_passes(values, groups, threshold: float) -> tuple[np.ndarray, int]:
    """Vectorized :func:`reset_points_loop`: one whole-array pass per reset.

    Each pass cumulates the values within the current segments (a group, or
    the part of it after its last reset found so far), flags the first row of
    each segment that reaches the threshold, and starts a new segment after
    it. The number of passes is the largest number of resets in any group,
    so the cost is O(n x resets), against the loop's O(n).

    Parameters
    ----------
    values, groups, threshold
        As in :func:`reset_points_loop`.

    Returns
    -------
    flags : numpy.ndarray of bool, shape (n,)
        Equal to :func:`reset_points_loop`'s result (exactly so for integer
        values; with fractional values, rounding of the cumulative sums can
        move a reset that lands exactly on the threshold).
    passes : int
        Whole-array passes it took (the last one finds nothing).

    Examples
    --------
    >>> flags, passes = reset_points_passes([6, 6, 6, 3, 12], ["a", "a", "a", "a", "b"], 10)
    >>> flags.tolist(), passes
    ([False, True, False, False, True], 2)
    """
    values, groups = _validate(values, groups, threshold)
    n = len(values)
    flags = np.zeros(n, dtype=bool)
    starts = _group_starts(groups)
    cumulative = np.cumsum(values)
    before = cumulative - values  # total of all earlier rows, at each row
    passes = 0
    while n:
        passes += 1
        segment = np.cumsum(starts) - 1
        within = cumulative - before[starts][segment]
        hits = np.flatnonzero((within >= threshold) & ~flags)
        if hits.size == 0:
            break
        first = np.ones(hits.size, dtype=bool)
        first[1:] = segment[hits[1:]] != segment[hits[:-1]]
        resets = hits[first]
        flags[resets] = True
        starts[resets[resets + 1 < n] + 1] = True
    return flags, passes


def reset_points_floordiv(values, groups, threshold: float) -> np.ndarray:
    """The tempting shortcut: flag where ``cumsum // threshold`` steps up. Wrong.

    Equal to :func:`reset_points_loop` only when every reset lands exactly
    on a multiple of ``threshold``; otherwise the overshoot of each reset is
    carried into the next interval and the flags drift early. Kept to measure
    how wrong a plausible vectorization can be.

    Examples
    --------
    >>> reset_points_floordiv([6, 6, 6, 3, 12], ["a", "a", "a", "a", "b"], 10).tolist()
    [False, True, False, True, True]
    """
    values, groups = _validate(values, groups, threshold)
    starts = _group_starts(groups)
    cumulative = np.cumsum(values)
    segment = np.cumsum(starts) - 1
    within = cumulative - (cumulative - values)[starts][segment]
    level = within // threshold
    previous = np.zeros_like(level)
    previous[1:] = level[:-1]
    previous[starts] = 0
    return level > previous


#: The three implementations, by the names the notebook's tables use.
IMPLEMENTATIONS = {
    "loop": reset_points_loop,
    "passes": lambda values, groups, threshold: reset_points_passes(values, groups, threshold)[0],
    "floordiv": reset_points_floordiv,
}


def compare_implementations(
    values, groups, thresholds: Sequence[float], *, repeat: int = MIN_REPEAT
) -> pd.DataFrame:
    """Run and time the three implementations at each threshold, checking the flags.

    Parameters
    ----------
    values, groups
        As in :func:`reset_points_loop`.
    thresholds : sequence of float
    repeat : int, default=5
        Timed runs of each implementation at each threshold.

    Returns
    -------
    pandas.DataFrame
        Indexed by threshold: ``inspections`` (flags of the loop),
        ``numpy passes``, ``floordiv wrong flags``; ``loop``, ``passes`` and
        ``floordiv`` (:class:`~mlstack.utils.timing.Timing`); and ``loop vs
        passes`` (a :class:`~mlstack.utils.timing.Ratio`: the passes' time
        over the loop's, above 1 when the loop is faster).

    Examples
    --------
    >>> table = compare_implementations([6, 6, 6, 3, 12], ["a"] * 4 + ["b"], [10], repeat=2)
    >>> table.loc[10, ["inspections", "numpy passes", "floordiv wrong flags"]].tolist()
    [2, 2, 1]
    """
    rows = {}
    for threshold in thresholds:
        loop = reset_points_loop(values, groups, threshold)
        flags, passes = reset_points_passes(values, groups, threshold)
        if not (flags == loop).all():
            raise AssertionError(f"the numpy passes disagree with the loop at {threshold}")
        shortcut = reset_points_floordiv(values, groups, threshold)
        row: dict[str, object] = {
            "inspections": int(loop.sum()),
            "numpy passes": passes,
            "floordiv wrong flags": int((shortcut != loop).sum()),
        }
        for name, func in IMPLEMENTATIONS.items():
            row[name] = time_call(lambda f=func, t=threshold: f(values, groups, t), repeat=repeat)
        row["loop vs passes"] = speedup(row["passes"], row["loop"])
        rows[threshold] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("threshold (miles)")


def _classes(table: pd.DataFrame) -> dict[str, list[float]]:
    ratios = table["loop vs passes"]
    return {
        "loop": [t for t, r in ratios.items() if r.distinguishable and r.median > 1],
        "numpy": [t for t, r in ratios.items() if r.distinguishable and r.median < 1],
        "tie": [t for t, r in ratios.items() if not r.distinguishable],
    }


def verdict(table: pd.DataFrame) -> str:
    """A short verdict on the numpy passes against the loop, threshold by threshold.

    Examples
    --------
    >>> from mlstack.utils.timing import Ratio
    >>> table = pd.DataFrame({"loop vs passes": [Ratio(6, 5, 7, True), Ratio(1, .9, 1.1, False)]})
    >>> verdict(table)
    'the loop was faster at 1 of 2 thresholds, within noise at 1'
    """
    found, n = _classes(table), len(table)
    parts = []
    if found["loop"]:
        parts.append(f"the loop was faster at {len(found['loop'])} of {n} thresholds")
    if found["numpy"]:
        parts.append(f"numpy was faster at {len(found['numpy'])} of {n}")
    if found["tie"]:
        parts.append(f"within noise at {len(found['tie'])}")
    return ", ".join(parts)


def comparison_sentence(table: pd.DataFrame) -> str:
    """Say where the loop beats the numpy passes, where not, and what the shortcut gets wrong.

    Each threshold is classed by its ratio: the loop distinguishably faster,
    numpy distinguishably faster, or within noise. "The loop's time does not
    depend on the threshold" is said only when the loop's slowest and fastest
    thresholds overlap; "the passes' time grows with the resets" only when it
    rises with the number of passes at every step; the advice to keep the loop
    only when the loop won somewhere.
    """
    ratios, found = table["loop vs passes"], _classes(table)
    text = f"Comparing the numpy passes with the loop: {verdict(table)}"
    if found["loop"]:
        worst = max(found["loop"], key=lambda t: ratios[t].median)
        text += (
            f" (the loop up to {ratios[worst]} faster, at {worst:,} miles, where numpy needs "
            f"{table.loc[worst, 'numpy passes']} passes)"
        )
    fastest = all(
        speedup(table.loc[t, "loop"], table.loc[t, "floordiv"]).distinguishable
        and table.loc[t, "floordiv"].median < table.loc[t, "loop"].median
        for t in table.index
    )
    text += (
        f". The one-line `cumsum // threshold` is {'always the fastest and ' if fastest else ''}"
        f"wrong on up to {int(table['floordiv wrong flags'].max()):,} flights."
    )
    loop_times = table["loop"]
    steady = not speedup(
        max(loop_times, key=lambda x: x.median), min(loop_times, key=lambda x: x.median)
    ).distinguishable
    ordered = table.sort_values("numpy passes")["passes"].map(lambda x: x.median)
    growing = bool((np.diff(ordered.to_numpy()) > 0).all())
    if steady:
        text += " The loop's time does not depend measurably on the threshold"
        text += "; the passes' time grows with the number of resets." if growing else "."
    elif growing:
        text += " The passes' time grows with the number of resets."
    if found["loop"]:
        text += (
            " For sequential state the loop is the right shape; compile it (numba, Cython) "
            "rather than contort it into array passes."
        )
    else:
        text += (
            " With this few resets the passes never lost to the loop; their cost grows with the "
            "resets, the loop's does not."
        )
    return text


def timing_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table for display: each timing as its median in ms with its range."""

    def cell(timing: Timing) -> str:
        return f"{timing.median * 1e3:.1f} ({timing.best * 1e3:.1f}-{timing.worst * 1e3:.1f})"

    shown = table.copy()
    for name in IMPLEMENTATIONS:
        shown[name] = table[name].map(cell)
    return shown.rename(columns={name: f"{name} (ms)" for name in IMPLEMENTATIONS})


def plot_times(table: pd.DataFrame, ax=None):
    """Time of the loop and of the numpy passes against the passes needed (log-log, with ranges)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    passes = table["numpy passes"].to_numpy()
    for name, marker, label in (
        ("passes", "o-", "numpy, one pass per reset"),
        ("loop", "s-", "Python loop, one pass"),
    ):
        timings = table[name]
        medians = np.array([t.median for t in timings])
        spread = [medians - [t.best for t in timings], [t.worst for t in timings] - medians]
        ax.errorbar(passes, medians, yerr=spread, fmt=marker, capsize=3, label=label)
    ax.set(xscale="log", yscale="log", ylabel="time (s, log scale; median and range)")
    ax.set(xlabel="resets of the busiest aircraft (numpy passes, log scale)")
    ax.set_title("Inspection flags per aircraft: loop vs vectorized")
    ax.legend()
    return ax
