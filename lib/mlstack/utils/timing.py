"""Measure time and memory honestly, and keep the figures apart from the reports.

Timings vary between runs and machines, so they never appear in tests as
assertions. A notebook that measures time writes the raw figures with
:func:`write_timings` to ``reports/timings/<name>.json`` and compares
alternatives as ratios measured in the same run.
"""

from __future__ import annotations

import resource
import statistics
import timeit
from collections.abc import Callable
from typing import Any

from mlstack.utils.atomic import write_json
from mlstack.utils.machine import machine_facts
from mlstack.utils.paths import timings_dir

__all__ = ["peak_rss_mb", "time_call", "write_timings"]


def time_call(func: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> dict[str, float]:
    """Time ``func()`` with :mod:`timeit`, ``repeat`` times ``number`` calls.

    Parameters
    ----------
    func : callable
        Called with no arguments.
    repeat : int, default=5
        Independent repetitions; the best is the least disturbed by other work.
    number : int, default=1
        Calls per repetition (raise it for calls well under a millisecond).

    Returns
    -------
    dict
        ``best`` and ``median`` seconds per call, and ``repeat``.

    Examples
    --------
    >>> result = time_call(lambda: sum(range(100)), repeat=3, number=10)
    >>> sorted(result)
    ['best', 'median', 'repeat']
    """
    runs = [t / number for t in timeit.Timer(func).repeat(repeat=repeat, number=number)]
    return {"best": min(runs), "median": statistics.median(runs), "repeat": repeat}


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
