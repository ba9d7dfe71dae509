"""Measure time and memory honestly, and keep the figures apart from the reports.

Timings vary between runs and machines, so they never appear in tests as
assertions. A measurement is repeated (at least five times by default) and
reported as its median with its spread (:class:`Timing`); two alternatives are
compared as a ratio measured in the same run, with the range the repeats allow
(:func:`speedup`): when the two sets of times overlap, the ratio is reported as
within noise. A notebook that measures time writes the raw figures, every
repeat included, with :func:`write_timings` to ``reports/timings/<name>.json``.
"""

from __future__ import annotations

import resource
import statistics
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlstack.errors import InputError
from mlstack.utils.atomic import write_json
from mlstack.utils.machine import machine_facts
from mlstack.utils.paths import timings_dir

__all__ = [
    "MIN_REPEAT",
    "Ratio",
    "Timing",
    "peak_rss_mb",
    "speedup",
    "time_call",
    "write_timings",
]

#: Repeats below this are not enough to see the spread of a timing.
MIN_REPEAT = 5


@dataclass(frozen=True)
class Timing:
    """Repeated measurements of one piece of work, in seconds per call.

    Attributes
    ----------
    times : tuple of float
        Every repeat, in the order measured.
    """

    times: tuple[float, ...]

    @property
    def repeat(self) -> int:
        """How many times the work was measured."""
        return len(self.times)

    @property
    def median(self) -> float:
        """The median time: the typical run."""
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        """The fastest run: the least disturbed by other work."""
        return min(self.times)

    @property
    def worst(self) -> float:
        """The slowest run."""
        return max(self.times)

    def __str__(self) -> str:
        return f"{_seconds(self.median)} ({_seconds(self.best)}-{_seconds(self.worst)}, {self.repeat} runs)"

    def as_record(self) -> dict[str, Any]:
        """Return the raw figures for a timings file: ``repeat``, ``times``, ``median``, ``best``, ``worst``."""
        return {
            "repeat": self.repeat,
            "times": [float(t) for t in self.times],
            "median": self.median,
            "best": self.best,
            "worst": self.worst,
        }


@dataclass(frozen=True)
class Ratio:
    """How many times faster ``other`` is than ``baseline``, with the range its repeats allow.

    Attributes
    ----------
    median : float
        Median time of the baseline over median time of the other.
    low, high : float
        The extreme ratios the repeats allow: ``baseline.best / other.worst``
        and ``baseline.worst / other.best``.
    distinguishable : bool
        False when the two sets of times overlap: the difference is within noise.
    """

    median: float
    low: float
    high: float
    distinguishable: bool

    def __str__(self) -> str:
        text = f"{self.median:.2g}x ({self.low:.2g}-{self.high:.2g}x"
        return text + (")" if self.distinguishable else ", within noise)")

    def as_record(self) -> dict[str, Any]:
        """Return the ratio as plain data."""
        return {
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "distinguishable": self.distinguishable,
        }


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def _as_timing(value: Timing | Sequence[float]) -> Timing:
    return value if isinstance(value, Timing) else Timing(tuple(float(v) for v in value))


def time_call(func: Callable[[], Any], *, repeat: int = MIN_REPEAT, number: int = 1) -> Timing:
    """Time ``func()`` with :mod:`timeit`: ``repeat`` measurements of ``number`` calls each.

    Parameters
    ----------
    func : callable
        Called with no arguments.
    repeat : int, default=5
        Independent measurements; at least :data:`MIN_REPEAT` to see the spread.
    number : int, default=1
        Calls per measurement (raise it for calls well under a millisecond); the
        times are per call.

    Returns
    -------
    Timing

    Examples
    --------
    >>> timing = time_call(lambda: sum(range(100)), repeat=5, number=10)
    >>> timing.repeat, timing.best <= timing.median <= timing.worst
    (5, True)
    """
    if repeat < 1 or number < 1:
        raise InputError(
            f"repeat={repeat} and number={number} must be at least 1", parameter="repeat"
        )
    runs = timeit.Timer(func).repeat(repeat=repeat, number=number)
    return Timing(tuple(t / number for t in runs))


def speedup(baseline: Timing | Sequence[float], other: Timing | Sequence[float]) -> Ratio:
    """How many times faster ``other`` is than ``baseline``, measured in the same run.

    Parameters
    ----------
    baseline, other : Timing or sequence of float
        Repeated times of the two alternatives.

    Returns
    -------
    Ratio
        Above 1 when ``other`` is faster. Its range goes from the baseline's best
        over the other's worst to the baseline's worst over the other's best; it
        is ``distinguishable`` only when every time of one is below every time of
        the other.

    Examples
    --------
    >>> str(speedup([2.0, 2.1, 2.2, 2.0, 2.1], [1.0, 1.1, 1.0, 1.05, 1.0]))
    '2.1x (1.8-2.2x)'
    >>> speedup([1.0, 1.2, 1.1], [1.1, 1.0, 1.15]).distinguishable
    False
    """
    base, new = _as_timing(baseline), _as_timing(other)
    distinguishable = new.worst < base.best or base.worst < new.best
    return Ratio(
        base.median / new.median, base.best / new.worst, base.worst / new.best, distinguishable
    )


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_timings(name: str, records: list[dict[str, Any]] | dict[str, Any]) -> str:
    """Write measured figures to ``reports/timings/<name>.json`` atomically.

    Parameters
    ----------
    name : str
        File stem, usually the notebook's stem.
    records : list of dict or dict
        The measurements. Keep them raw (seconds, bytes); round in the prose.

    Returns
    -------
    str
        The path written, relative to the reports directory.
    """
    path = timings_dir() / f"{name}.json"
    write_json(path, {"machine": machine_facts(), "records": records})
    return f"timings/{name}.json"
