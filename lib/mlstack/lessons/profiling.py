"""Where does training time (and memory) go? Small, honest measuring tools.

- :func:`profile_call` runs a function under :mod:`cProfile` and returns the
  costs as a table (own and cumulative seconds per function), with file names
  shortened to their package so a report shows no local paths;
- :func:`pipeline_phases` times the phases of one pipeline fit: preprocessing,
  model fit, prediction;
- :func:`cv_overhead` splits a sequential cross-validation into fitting,
  scoring and the rest (cloning, indexing, bookkeeping);
- :func:`peak_memory` measures the peak memory a call adds, both as traced
  Python/numpy allocations and as the process's resident set size.

Timings vary between runs and machines: notebooks using these write them with
:func:`mlstack.utils.timing.write_timings` and compare ratios measured in one run.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "cost_by_area",
    "cv_overhead",
    "peak_memory",
    "pipeline_phases",
    "profile_call",
    "short_location",
]

_SITE = re.compile(r".*?(?:site-packages|dist-packages|lib/python\d\.\d+)/")


def short_location(filename: str, lineno: int, function: str) -> str:
    """Return ``package/module.py:line(function)`` without the local path.

    Examples
    --------
    >>> short_location("/x/.venv/lib/python3.11/site-packages/sklearn/base.py", 10, "clone")
    'sklearn/base.py:10(clone)'
    >>> short_location("~", 0, "<built-in method numpy.array>")
    '<built-in method numpy.array>'
    """
    if filename == "~":
        return function
    path = filename.replace("\\", "/")
    if "/mlstack/" in path:
        path = "mlstack/" + path.rsplit("/mlstack/", 1)[1]
    else:
        path = _SITE.sub("", path)
        if path.startswith("/"):
            path = path.rsplit("/", 1)[-1]
    return f"{path}:{lineno}({function})"


def profile_call(
    func: Callable[[], Any], *, top: int | None = 15, sort: str = "own_s"
) -> tuple[Any, pd.DataFrame, float]:
    """Run ``func()`` under cProfile; return its result, the top costs and the total.

    Parameters
    ----------
    func : callable
        Called with no arguments, in this thread (work sent to other
        processes or threads is not seen).
    top : int or None, default=15
        Rows to keep (None: all, e.g. for :func:`cost_by_area`).
    sort : {"own_s", "cum_s"}, default="own_s"
        ``own_s`` is the time spent in the function itself (where the time
        really goes, compiled code included in its caller); ``cum_s`` includes
        everything it called (which phase costs what).

    Returns
    -------
    result : object
        What ``func`` returned.
    table : pandas.DataFrame
        Index ``function`` (``package/module.py:line(name)``); columns
        ``calls``, ``own_s``, ``cum_s`` and ``share`` (``sort`` column over
        the total).
    total_s : float
        Total profiled time.
    """
    profiler = cProfile.Profile()
    result = profiler.runcall(func)
    stats = pstats.Stats(profiler)
    rows = [
        {
            "function": short_location(filename, lineno, name),
            "calls": calls,
            "own_s": own,
            "cum_s": cumulative,
        }
        for (filename, lineno, name), (_, calls, own, cumulative, _) in stats.stats.items()
    ]
    table = pd.DataFrame(rows)
    total = float(stats.total_tt)
    table = (
        table.groupby("function", as_index=False)
        .agg(calls=("calls", "sum"), own_s=("own_s", "sum"), cum_s=("cum_s", "max"))
        .sort_values([sort, "function"], ascending=[False, True])
        .set_index("function")
    )
    if top is not None:
        table = table.head(top)
    table["share"] = table[sort] / total if total > 0 else np.nan
    return result, table, total


def cost_by_area(table: pd.DataFrame, areas: dict[str, str], total_s: float) -> pd.DataFrame:
    """Sum the own time of a full :func:`profile_call` table by area of the code.

    Parameters
    ----------
    table : pandas.DataFrame
        From ``profile_call(..., top=None)``.
    areas : dict of str to str
        Area name -> regular expression matched against the function
        locations; the first matching area wins, unmatched rows go to
        ``"other"``.
    total_s : float
        The profiled total, for the shares.

    Returns
    -------
    pandas.DataFrame
        Index ``area`` (in the order given, then ``other``); columns ``own_s``
        and ``share``.

    Examples
    --------
    >>> t = pd.DataFrame({"own_s": [3.0, 1.0]}, index=["sklearn/a.py:1(f)", "numpy/b.py:2(g)"])
    >>> cost_by_area(t, {"scikit-learn": r"^sklearn/"}, 4.0)["share"].tolist()
    [0.75, 0.25]
    """
    names = pd.Series(table.index, index=table.index)
    label = pd.Series("other", index=table.index)
    for area, pattern in reversed(list(areas.items())):  # first match wins
        matches = names.map(re.compile(pattern).search).notna()
        label = label.mask(matches, area)
    summed = table["own_s"].groupby(label).sum()
    order = [*areas, "other"]
    out = summed.reindex(order, fill_value=0.0).to_frame("own_s")
    out.index.name = "area"
    out["share"] = out["own_s"] / total_s if total_s > 0 else np.nan
    return out


def pipeline_phases(
    pipeline: Any, X_train: Any, y_train: Any, X_valid: Any, *, repeat: int = 1
) -> dict[str, float]:
    """Time the phases of fitting and using a ``Pipeline``: best of ``repeat`` runs.

    Returns
    -------
    dict
        ``preprocess_fit_s`` (all steps but the last, ``fit_transform`` on the
        training rows), ``model_fit_s`` (the last step's ``fit`` on the
        transformed rows), ``predict_s`` (``predict_proba`` of the whole
        pipeline on ``X_valid``, preprocessing included).
    """
    from sklearn.base import clone

    best = {"preprocess_fit_s": np.inf, "model_fit_s": np.inf, "predict_s": np.inf}
    for _ in range(repeat):
        fitted = clone(pipeline)
        start = time.perf_counter()
        transformed = fitted[:-1].fit_transform(X_train, y_train)
        middle = time.perf_counter()
        fitted[-1].fit(transformed, y_train)
        end = time.perf_counter()
        fitted.predict_proba(X_valid)
        done = time.perf_counter()
        for key, value in (
            ("preprocess_fit_s", middle - start),
            ("model_fit_s", end - middle),
            ("predict_s", done - end),
        ):
            best[key] = min(best[key], value)
    return best


def cv_overhead(estimator: Any, X: Any, y: Any, *, cv: Any, scoring: str) -> dict[str, float]:
    """Split a sequential cross-validation's wall time into fit, score and the rest.

    Runs ``cross_validate(n_jobs=1)``: the rest is what the loop itself costs
    (cloning, indexing the folds, bookkeeping) beyond fitting and scoring.

    Returns
    -------
    dict
        ``wall_s``, ``fit_s`` and ``score_s`` (sums over folds), ``overhead_s``
        and ``folds``.
    """
    from sklearn.model_selection import cross_validate

    start = time.perf_counter()
    result = cross_validate(estimator, X, y, cv=cv, scoring=scoring, n_jobs=1)
    wall = time.perf_counter() - start
    fit, score = float(result["fit_time"].sum()), float(result["score_time"].sum())
    return {
        "wall_s": wall,
        "fit_s": fit,
        "score_s": score,
        "overhead_s": max(wall - fit - score, 0.0),
        "folds": len(result["fit_time"]),
    }


def peak_memory(
    func: Callable[[], Any], *, interval_s: float = 0.005
) -> tuple[Any, dict[str, float]]:
    """Run ``func()`` and measure the peak memory it adds.

    Two views: ``traced_peak_mb``, the peak of Python and numpy allocations
    made during the call (:mod:`tracemalloc`; numpy reports its buffers to
    it), and ``rss_peak_mb``, the peak increase of the process's resident
    memory, sampled every ``interval_s`` by a background thread (it also sees
    native allocations, but misses peaks shorter than the interval).

    Returns
    -------
    result : object
    memory : dict
        ``traced_peak_mb``, ``rss_peak_mb`` and ``seconds`` (wall time of the
        call, inflated by the tracing).
    """
    import psutil

    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            stop.wait(interval_s)

    sampler = threading.Thread(target=sample, daemon=True)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start_traced, _ = tracemalloc.get_traced_memory()
    sampler.start()
    start = time.perf_counter()
    try:
        result = func()
    finally:
        seconds = time.perf_counter() - start
        _, traced_peak = tracemalloc.get_traced_memory()
        stop.set()
        sampler.join()
        if not was_tracing:
            tracemalloc.stop()
    peak[0] = max(peak[0], process.memory_info().rss)
    mib = 1024 * 1024
    return result, {
        "traced_peak_mb": (traced_peak - start_traced) / mib,
        "rss_peak_mb": (peak[0] - baseline) / mib,
        "seconds": seconds,
    }
