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
import time
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
    "TimingLog",
    "peak_rss_mb",
    "speedup",
    "speedup_phrase",
    "time_call",
    "time_repeats",
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

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Timing:
        """Rebuild a timing from a raw record that holds its ``times`` (see :meth:`as_record`).

        Examples
        --------
        >>> Timing.from_record({"repeat": 3, "times": [0.2, 0.1, 0.3]}).median
        0.2
        """
        times = record.get("times") or ()
        if not times:
            raise InputError(
                "the record holds no times: it failed or was not measured", parameter="record"
            )
        return cls(tuple(float(t) for t in times))

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
        text = f"{_times(self.median)}x ({_times(self.low)}-{_times(self.high)}x"
        return text + (")" if self.distinguishable else ", within noise)")

    def as_record(self) -> dict[str, Any]:
        """Return the ratio as plain data."""
        return {
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "distinguishable": self.distinguishable,
        }


def _times(value: float) -> str:
    """A ratio with two significant digits, without exponent notation: 0.95, 2.0, 36, 359."""
    return f"{value:,.0f}" if value >= 9.95 else f"{value:#.2g}"


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


def time_repeats(
    func: Callable[[], Any],
    *,
    repeat: int = MIN_REPEAT,
    before: Callable[[], Any] | None = None,
) -> Timing:
    """Time ``func()`` once per repeat, for work that takes a second or more.

    Unlike :func:`time_call` (:mod:`timeit`, which switches the garbage
    collector off while it times), the collector stays on, as in real use:
    a pipeline that allocates gigabytes must be allowed to free them.

    Parameters
    ----------
    func : callable
        Called with no arguments, ``repeat`` times.
    repeat : int, default=5
    before : callable, optional
        Called, untimed, before each repeat (to remove the previous run's
        output, say).

    Returns
    -------
    Timing

    Examples
    --------
    >>> calls = []
    >>> timing = time_repeats(lambda: calls.append(1), repeat=3, before=calls.clear)
    >>> timing.repeat, calls
    (3, [1])
    """
    if repeat < 1:
        raise InputError(f"repeat={repeat} must be at least 1", parameter="repeat")
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times))


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


class TimingLog:
    """Repeated timings of a notebook's experiments, kept with their facts for one timings file.

    Parameters
    ----------
    repeat : int, default=5
        Repeats of every measurement unless a call says otherwise.

    Attributes
    ----------
    records : list of dict
        One per measurement: its facts (``experiment``, ``method``, ``rows``...)
        and its :meth:`Timing.as_record` (``repeat``, ``times``, ``median``, ...).

    Examples
    --------
    >>> log = TimingLog(repeat=5)
    >>> timing = log.time(lambda: sum(range(100)), number=10, experiment="sum", rows=100)
    >>> log.records[0]["experiment"], log.records[0]["repeat"], len(log.records[0]["times"])
    ('sum', 5, 5)
    >>> log.get(experiment="sum").repeat
    5
    """

    def __init__(self, repeat: int = MIN_REPEAT) -> None:
        self.repeat = repeat
        self.records: list[dict[str, Any]] = []
        self._timings: list[Timing] = []

    def time(
        self, func: Callable[[], Any], *, number: int = 1, repeat: int | None = None, **facts: Any
    ) -> Timing:
        """Time ``func`` with :func:`time_call`, keep the result with ``facts``, return it."""
        timing = time_call(func, repeat=repeat or self.repeat, number=number)
        return self.add(timing, **facts)

    def add(self, timing: Timing, **facts: Any) -> Timing:
        """Keep a timing measured elsewhere, with its facts; return it."""
        self.records.append({**facts, **timing.as_record()})
        self._timings.append(timing)
        return timing

    def get(self, **facts: Any) -> Timing:
        """Return the one timing whose facts include ``facts``."""
        found = [
            timing
            for record, timing in zip(self.records, self._timings, strict=True)
            if all(record.get(k) == v for k, v in facts.items())
        ]
        if len(found) != 1:
            raise InputError(
                f"{len(found)} timings match {facts}; expected one", parameter="facts"
            )
        return found[0]


def speedup_phrase(name: str, ratio: Ratio | None, baseline: str) -> str:
    """Say how ``name`` compared with ``baseline``, from a speed-up, without overstating it.

    ``ratio`` is :func:`speedup` of the baseline's times over ``name``'s: above
    1 when ``name`` is faster. Overlapping times give "indistinguishable",
    never a winner.

    Examples
    --------
    >>> speedup_phrase("Polars", Ratio(5.2, 4.1, 6.0, True), "pandas")
    'Polars was 5.2x (4.1-6.0x) faster than pandas'
    >>> speedup_phrase("DuckDB", Ratio(1.1, 0.9, 1.3, False), "pandas")
    'DuckDB and pandas were indistinguishable: 1.1x (0.90-1.3x, within noise)'
    >>> speedup_phrase("Dask", Ratio(0.5, 0.4, 0.6, True), "pandas")
    'Dask was 2.0x (1.7-2.5x) slower than pandas'
    """
    if ratio is None:
        return f"{name} was not compared with {baseline}"
    if not ratio.distinguishable:
        return f"{name} and {baseline} were indistinguishable: {ratio}"
    if ratio.median >= 1:
        return f"{name} was {ratio} faster than {baseline}"
    inverse = Ratio(1 / ratio.median, 1 / ratio.high, 1 / ratio.low, True)
    return f"{name} was {inverse} slower than {baseline}"


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
