"""Where does training time (and memory) go? Small, honest measuring tools.

- :func:`profile_call` runs a function under :mod:`cProfile` and returns the
  costs as a table (own and cumulative seconds per function), with file names
  shortened to their package so a report shows no local paths;
- :func:`fit_phases` times a pipeline's fit, its preprocessing and its
  prediction, each repeated (:func:`mlstack.utils.timing.time_call`);
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
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "change_sentence",
    "cost_by_area",
    "fit_phases",
    "fold_scores",
    "halving_fit_equivalents",
    "peak_memory",
    "phases_table",
    "profile_call",
    "profile_sentence",
    "recap",
    "search_time_sentence",
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
        ``traced_peak_mb`` and ``rss_peak_mb``. The call is not timed: tracing
        slows it down; :func:`fit_phases` times fits without it.
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
    try:
        result = func()
    finally:
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
    }


def fit_phases(estimator: Any, X: Any, y: Any, *, repeat: int = 5) -> dict[str, Any]:
    """Repeated timings of a pipeline's fit, its preprocessing alone, and its prediction.

    Parameters
    ----------
    estimator : Pipeline
        Unfitted; cloned for every fit.
    X, y : the training rows (predictions are timed on ``X`` too).
    repeat : int, default=5

    Returns
    -------
    dict of str to :class:`mlstack.utils.timing.Timing`
        ``fit`` (the whole ``fit``), ``preprocess`` (``fit_transform`` of every
        step but the model) and ``predict`` (``predict_proba`` of the fitted
        pipeline); plus ``model`` (the fitted pipeline of the last repeat).
    """
    from sklearn.base import clone

    from mlstack.utils.timing import time_call

    fitted: list[Any] = []
    fit = time_call(lambda: fitted.append(clone(estimator).fit(X, y)), repeat=repeat)
    preprocess = time_call(lambda: clone(estimator)[:-1].fit_transform(X, y), repeat=repeat)
    model = fitted[-1]
    predict = time_call(lambda: model.predict_proba(X), repeat=repeat)
    return {"fit": fit, "preprocess": preprocess, "predict": predict, "model": model}


def phases_table(phases: dict[str, Any]) -> pd.DataFrame:
    """Median, fastest and slowest of each timed phase, in seconds."""
    rows = {
        name: {"median_s": t.median, "best_s": t.best, "worst_s": t.worst, "repeat": t.repeat}
        for name, t in phases.items()
        if name != "model"
    }
    return pd.DataFrame(rows).T.astype({"repeat": int}).rename_axis("phase")


def profile_sentence(areas: pd.DataFrame, total_s: float, n_rows: int, n_iter: int) -> str:
    """Where the profiled fit spent its time, from the area table."""
    top = areas["share"].drop(index="other", errors="ignore").sort_values(ascending=False)
    return (
        f"Under the profiler one fit on {n_rows:,} rows ({n_iter} boosting iterations before early "
        f"stopping, then as many again on every row) took {total_s:.1f} s; {top.index[0]} took {top.iloc[0]:.0%} of it, "
        f"{top.index[1]} {top.iloc[1]:.0%}, and everything else the rest. The profiler slows "
        "Python code more than compiled loops, so its shares are indicative; the repeated plain "
        "timings below are the measurement."
    )


def change_sentence(
    before: Any, after: Any, ratio: Any, verdict: Any, iterations: tuple[int, int]
) -> str:
    """The change's speed-up with its range, and its effect on the score as a paired verdict."""
    text = verdict.sentence()
    return (
        f"The fit took {before} before the change and {after} after it: {ratio} as fast "
        f"(early stopping ended after {iterations[0]} and {iterations[1]} iterations). On the "
        f"score, paired on the same monthly folds: {text[:1].lower()}{text[1:]}."
    )


def halving_fit_equivalents(n_candidates: int, factor: int, n_train: Any, n_rows: int) -> float:
    """What a successive-halving search costs, in fits on all ``n_rows`` rows.

    Round ``i`` scores ``ceil(n_candidates / factor**i)`` candidates on ``1 /
    factor**(rounds - 1 - i)`` of each fold's training rows; the cost of a fit is
    taken as proportional to its rows.

    Examples
    --------
    >>> round(halving_fit_equivalents(12, 3, [100, 100], 100), 2)  # 12 @ 1/9, 4 @ 1/3, 2 @ 1
    9.33
    """
    counts = []
    remaining = n_candidates
    while True:
        counts.append(remaining)
        if remaining <= factor - 1 or remaining == 1:
            break
        remaining = -(-remaining // factor)
    rounds = len(counts)
    per_round = [c / factor ** (rounds - 1 - i) for i, c in enumerate(counts)]
    return float(sum(per_round) * np.sum(n_train) / n_rows)


def search_time_sentence(phases: dict[str, Any], n_fits: float, n_rows: int) -> str:
    """What a search of ``n_fits`` full-data fits costs at the measured fit time."""
    fit = phases["fit"]
    return (
        f"One fit on the {n_rows:,} development flights takes {fit}. Notebook 08's successive "
        f"halving (twelve settings, a third kept per round, five monthly folds) costs about "
        f"{n_fits:.0f} such fits, so about {n_fits * fit.median / 60:.1f} minutes on one core at "
        "this setting's cost (settings with more leaves cost more per tree)."
    )


def fold_scores(estimator: Any, X: Any, y: Any, cv: Any) -> np.ndarray:
    """ROC AUC of ``estimator`` on each fold (sequential, so the timings elsewhere are clean)."""
    from sklearn.model_selection import cross_val_score

    return cross_val_score(estimator, X, y, cv=cv, scoring="roc_auc", n_jobs=1)


def recap(
    areas: pd.DataFrame,
    phases: dict[str, Any],
    memory: dict[str, float],
    data_mb: float,
    ratio: Any,
    verdict: Any,
    n_rows: int,
) -> str:
    """The recap lines, from the numbers."""
    top = areas["share"].drop(index="other", errors="ignore")
    return "\n".join(
        [
            f"- **Measured:** one fit on {n_rows:,} rows takes {phases['fit']}; the profile puts "
            f"{top.max():.0%} of it in {top.idxmax()}. Preprocessing takes "
            f"{phases['preprocess']} and predicting every row {phases['predict']}.",
            f"- **Memory:** a fit adds a peak of {memory['traced_peak_mb']:.0f} MiB of allocations "
            f"over {data_mb:.0f} MiB of data.",
            f"- **One change:** twice the learning rate: {ratio} as fast"
            + f"; score {verdict.verdict} ({verdict.difference:+.4f} [{verdict.low:+.4f}, "
            f"{verdict.high:+.4f}]).",
            "- **Next:** `10_model_families` asks whether another library grows the same trees "
            "faster, and sets the tuned model against an AutoML search.",
        ]
    )
