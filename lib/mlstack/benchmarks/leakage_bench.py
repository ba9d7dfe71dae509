"""Benchmark :func:`mlstack.tools.leakage.audit` on a large synthetic train/test pair.

The audit is meant for a practitioner's own tables, so it must stay fast at the
sizes they have: the target is a million training rows by fifty columns in
under 30 seconds on a 2-core machine. :func:`run_benchmark` builds such a pair
(numbers, integers, categories of several cardinalities, a timestamp, and a
few planted problems so every check does real work), times the audit and each
of its checks, and writes the figures to ``reports/timings/leakage_bench.json``.
``mlstack leakage-bench`` runs it from the command line. Timings are never
asserted in tests.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import numpy as np
import pandas as pd

from mlstack.utils.machine import machine_facts
from mlstack.utils.timing import Timing, peak_rss_mb, time_repeats, write_timings

__all__ = ["BUDGET_S", "make_pair", "run_benchmark"]

#: The target: a million training rows by fifty columns audited in this many seconds.
BUDGET_S = 30.0


def make_pair(
    n_train: int = 1_000_000,
    n_test: int = 250_000,
    n_columns: int = 50,
    *,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build a synthetic train/test pair with a binary target ``y`` and a time column ``t``.

    Column mix (of ``n_columns`` features): 60% floats, 20% integers, 20%
    categories (10 to 5,000 levels), plus ``t`` (a timestamp, split by time) and
    ``row_id``. Planted: a target proxy ``leak``, 2% of the test rows copied
    from train, and a shifted float column.

    Examples
    --------
    >>> train, test = make_pair(1000, 250, 10)
    >>> train.shape, test.shape
    ((1000, 11), (250, 11))
    """
    rng = np.random.default_rng(random_state)
    n = n_train + n_test
    n_float = max(1, int(0.6 * (n_columns - 3)))
    n_int = max(1, int(0.2 * (n_columns - 3)))
    n_cat = n_columns - 3 - n_float - n_int
    columns: dict[str, Any] = {}
    signal = np.zeros(n)
    for k in range(n_float):
        values = rng.normal(size=n)
        if k < 5:
            signal += 0.3 * values
        columns[f"num_{k:02d}"] = values
    for k in range(n_int):
        columns[f"int_{k:02d}"] = rng.integers(0, 100 * (k + 1), size=n)
    for k in range(n_cat):
        levels = [10, 50, 200, 1000, 5000][k % 5]
        codes = rng.integers(0, levels, size=n)
        columns[f"cat_{k:02d}"] = pd.Categorical.from_codes(
            codes, categories=[f"c{k}_{i}" for i in range(levels)]
        )
    y = (signal + rng.normal(size=n) > 0.8).astype(np.int8)
    columns["leak"] = y + rng.normal(scale=0.05, size=n)  # a target proxy
    frame = pd.DataFrame(columns)
    frame["t"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 365 * 86400, size=n)), unit="s"
    )
    frame["row_id"] = np.arange(n)
    frame["y"] = y
    train = frame.iloc[:n_train].reset_index(drop=True)
    test = frame.iloc[n_train:].reset_index(drop=True)
    copies = rng.choice(n_train, size=n_test // 50, replace=False)
    copied = [c for c in frame.columns if c != "row_id"]
    for column in copied:  # column-wise: keeps each dtype
        values = test[column].to_numpy(copy=True)
        values[: len(copies)] = train[column].to_numpy()[copies]
        test[column] = pd.Series(values, dtype=frame[column].dtype)
    test.loc[len(copies) :, "num_00"] += 0.5  # a shifted column
    return train, test


def _time_audit_files(train: pd.DataFrame, test: pd.DataFrame, repeat: int) -> Timing:
    """Time ``audit_files`` end to end, reading the pair from Parquet files, ``repeat`` times."""
    import tempfile
    from pathlib import Path

    from mlstack.tools.leakage import audit_files

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "train.parquet", Path(tmp) / "test.parquet"]
        train.to_parquet(paths[0], index=False)
        test.to_parquet(paths[1], index=False)
        return time_repeats(lambda: audit_files(paths[0], paths[1], "y", time="t"), repeat=repeat)


def run_benchmark(
    n_train: int = 1_000_000,
    n_test: int = 250_000,
    n_columns: int = 50,
    *,
    repeat: int = 5,
    write: bool = True,
) -> dict[str, Any]:
    """Time :func:`mlstack.tools.leakage.audit` on :func:`make_pair` data.

    Parameters
    ----------
    n_train, n_test, n_columns : int
        Size of the synthetic pair.
    repeat : int, default=5
        Audits to time (and reads from Parquet); every repeat is kept.
    write : bool, default=True
        Write the figures to ``reports/timings/leakage_bench.json``.

    Returns
    -------
    dict
        The wall seconds of every audit (``repeat``, ``times``, ``median``,
        ``best``, ``worst``), and, as timings of the same shape, the CPU seconds
        (``cpu``), the seconds of each check (``checks``) and of ``audit_files``
        reading the pair from Parquet (``audit_files_parquet``); the findings
        (severity, kind, columns), the load average and the peak memory.
    """
    from mlstack.tools import leakage

    train, test = make_pair(n_train, n_test, n_columns)
    walls, cpus, checks = [], [], []
    for _ in range(repeat):
        seconds: dict[str, float] = {}
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        findings = leakage.audit(train, test, "y", time="t", timings=seconds)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpus.append((after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime))
        checks.append(seconds)
    wall = Timing(tuple(walls))
    record = {
        "n_train": n_train,
        "n_test": n_test,
        "n_columns": train.shape[1] - 1,
        **wall.as_record(),
        "cpu": Timing(tuple(cpus)).as_record(),
        "checks": {
            name: Timing(tuple(run[name] for run in checks)).as_record() for name in checks[0]
        },
        "audit_files_parquet": _time_audit_files(train, test, repeat).as_record(),
        "budget_s": BUDGET_S,
        "within_budget": wall.median < BUDGET_S,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "findings": [[f.severity, f.kind, ",".join(f.columns)] for f in findings],
    }
    if write:
        write_timings("leakage_bench", [record])
    return {"machine": machine_facts(), **record}
