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

import numpy as np

from mlstack.errors import InputError

__all__ = ["reset_points_floordiv", "reset_points_loop", "reset_points_passes"]


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
