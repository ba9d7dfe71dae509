"""``mlstack bench frames``: pandas, Polars, DuckDB and Dask timed side by side.

Three measurements, each engine in its own child process under a memory cap
(:mod:`mlstack.benchmarks.child_process`), so wall time and peak memory are the engine's own:

``pipeline``
    The flights feature pipeline of :mod:`mlstack.benchmarks.frames_pipeline`
    (joins, group-by aggregates, window features), from the Parquet inputs to
    the result written as Parquet, at the real size and replicated 10x and
    100x with the keys varied. Each engine's result is compared with the
    reference engine's (pandas, or the first engine in
    :data:`~mlstack.benchmarks.frames_pipeline.ENGINES` order that finished
    that size), row by row, without loading either.
``groupby``
    The db-benchmark group-by questions q1-q5 (:mod:`mlstack.benchmarks.groupby_questions`) on its
    data generator's shape, 1e7 rows by default.
studies
    The evidence that explains the ratios: each multi-threaded engine at one
    thread and at all cores; pandas and Polars with string vs categorical keys;
    reading the group-by table from CSV into memory (time and peak memory).

Every measurement is repeated (5 times by default) and kept whole: a record is
``{engine, task, rows, study, variant, threads, status, peak_rss_mb,
loadavg_1m, repeat, times, median, best, worst}`` (a failed run has ``repeat`` 0
and no ``times``). :func:`run_frames_bench` writes the records to
``reports/timings/frames.json``; :mod:`mlstack.benchmarks.frames_report` turns
them into ``reports/frames_bench.md`` and the plot of time against rows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mlstack.benchmarks import frames_pipeline as frames
from mlstack.benchmarks import groupby_questions as dbbench
from mlstack.benchmarks.child_process import ChildResult, run_measured
from mlstack.benchmarks.frames_report import (
    THEN,
    committed_results,
    plot_time_vs_rows,
    render_report,
    seconds_text,
)
from mlstack.errors import InputError
from mlstack.utils.atomic import atomic_path, write_json, write_text
from mlstack.utils.machine import machine_facts
from mlstack.utils.timing import MIN_REPEAT

__all__ = [
    "ENGINE_PACKAGES",
    "FULL_FLIGHTS_ROWS",
    "child_timeout",
    "measure_groupby",
    "measure_keys",
    "measure_pipeline",
    "measure_read_csv",
    "measure_threads",
    "merge_records",
    "run_frames_bench",
    "write_outputs",
]

#: Rows of the real flights table.
FULL_FLIGHTS_ROWS = 336_776

#: Distributions whose versions a frames or CSV benchmark records.
ENGINE_PACKAGES: tuple[str, ...] = ("numpy", *frames.ENGINES, "pyarrow")

_CSV_READERS = (("pandas", "default"), ("pandas", "pyarrow"), ("polars", "default"))
_CSV_READERS += (("duckdb", "default"), ("dask", "default"))

#: Share of the memory cap given to DuckDB as its ``memory_limit``: DuckDB keeps its
#: buffers under it and spills past it, but allocates outside it too (Parquet
#: decoding, the result being written), so it gets well under the cap.
DUCKDB_SHARE = 0.4


def child_timeout(timeout: float | None, repeat: int) -> float | None:
    """The time limit of a child that runs ``repeat`` times: ``timeout`` per run, plus one run.

    Examples
    --------
    >>> child_timeout(600.0, 5), child_timeout(None, 5)
    (3600.0, None)
    """
    return None if timeout is None else timeout * (repeat + 1)


def _child_env(engine: str, threads: int | None) -> dict[str, str]:
    # Polars sizes its thread pool once, at import, from this variable.
    if engine == "polars" and threads is not None:
        return {"POLARS_MAX_THREADS": str(threads)}
    return {}


def _records(
    result: ChildResult,
    expected: Sequence[str],
    base: dict[str, Any],
    peak_key: str | None = None,
) -> list[dict[str, Any]]:
    """Turn a child's outcome into one record per expected task, failures included."""
    load = os.getloadavg()[0]
    by_task = {r["task"]: r for r in result.records}
    out = []
    for task in expected:
        record = {**base, "task": task, "status": result.status, "loadavg_1m": round(load, 2)}
        found = by_task.get(task)
        if found is not None:
            peak = found.get(peak_key) if peak_key else None
            record.update({k: v for k, v in found.items() if k not in ("task", peak_key)})
            record["peak_rss_mb"] = round(peak if peak is not None else result.peak_rss_mb, 1)
        else:
            record.update(
                {
                    "repeat": 0,
                    "times": [],
                    "median": None,
                    "best": None,
                    "worst": None,
                    "peak_rss_mb": round(result.peak_rss_mb, 1),
                    "detail": result.detail,
                }
            )
        out.append(record)
    return out


def _log_line(log: Callable[[str], None], record: dict[str, Any]) -> None:
    variant = f" [{record['variant']}]" if record.get("variant") else ""
    log(
        f"{record['study']:<9} {record['engine']:<7}{variant:<24} {record['task']:<9} "
        f"{record['rows']:>11,} rows  {seconds_text(record)}  peak "
        f"{record['peak_rss_mb']:,.0f} MiB"
    )


# --------------------------------------------------------------------------- the pipeline


def _run_engine(
    engine: str,
    paths: dict[str, str],
    out: Path,
    *,
    threads: int | None,
    repeat: int,
    mem_limit_gb: float | None,
    mapped_gb: float,
    timeout: float | None,
    isolate: bool,
) -> ChildResult:
    """Time one engine on the pipeline in its own process; its result stays in ``out``."""
    kwargs: dict[str, Any] = {
        "engine": engine,
        "paths": paths,
        "out": str(out),
        "threads": threads,
        "repeat": repeat,
    }
    # DuckDB spills past its memory limit and Dask shuffles through files; a child
    # stopped by the cap cannot clean up after itself, so the directory is removed here
    with tempfile.TemporaryDirectory(prefix=f"mlstack-{engine}-") as scratch:
        kwargs["temp_dir"] = scratch
        if engine == "duckdb" and mem_limit_gb is not None:
            kwargs["memory_limit_gb"] = round(DUCKDB_SHARE * mem_limit_gb, 1)
        return run_measured(
            "mlstack.benchmarks.frames_pipeline:timed_pipeline",
            kwargs,
            env=_child_env(engine, threads),
            isolate=isolate,
            mem_limit_gb=mem_limit_gb,
            mapped_gb=mapped_gb,
            timeout=child_timeout(timeout, repeat),
        )


def _check_results(
    records: list[dict[str, Any]],
    outputs: dict[str, Path],
    *,
    mem_limit_gb: float | None,
    timeout: float | None,
    isolate: bool,
) -> None:
    """Compare every finished engine's written result with the reference engine's, in place.

    The reference is the first engine, in :data:`ENGINES` order, that finished.
    Each record gets ``same_as`` and ``same_result`` (and ``differences`` when
    they differ, or ``check`` when the comparison itself failed).
    """
    finished = [r for r in records if r["times"] and r["engine"] in outputs]
    if len(finished) < 2:
        return
    finished.sort(key=lambda r: frames.ENGINES.index(r["engine"]))
    reference = finished[0]["engine"]
    for record in finished[1:]:
        with tempfile.TemporaryDirectory(prefix="mlstack-compare-") as scratch:
            outcome = run_measured(
                "mlstack.benchmarks.frames_pipeline:compared_results",
                {
                    "left": str(outputs[reference]),
                    "right": str(outputs[record["engine"]]),
                    "memory_limit_gb": round(DUCKDB_SHARE * (mem_limit_gb or 10.0), 1),
                    "temp_dir": scratch,
                },
                isolate=isolate,
                mem_limit_gb=mem_limit_gb,
                timeout=timeout,
            )
        record["same_as"] = reference
        if not outcome.ok:
            record["same_result"] = None
            record["check"] = outcome.status
            continue
        found = outcome.records[0]
        same = not found["differing"] and not found["unmatched"]
        same = same and found["rows_left"] == found["rows_right"]
        record["same_result"] = bool(same)
        if not same:
            record["differences"] = {k: found[k] for k in ("unmatched", "differing", "first_id")}


def measure_pipeline(
    engines: Sequence[str] = frames.ENGINES,
    *,
    scale: int = 1,
    rows: int | None = None,
    threads: int | None = None,
    repeat: int = MIN_REPEAT,
    study: str = "pipeline",
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    results_dir: str | os.PathLike[str] | None = None,
    check: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time the flights pipeline with each engine, each in its own process.

    Parameters
    ----------
    engines : sequence of str, default=all four
    scale : int, default=1
        Copies of the flights (keys varied, see
        :func:`mlstack.benchmarks.frames_pipeline.write_inputs`).
    rows : int, optional
        Flights per copy; all 336,776 by default.
    threads : int, optional
        Threads per engine; all cores by default.
    repeat : int, default=5
        Runs per engine in its process; every time is kept.
    study : str, default="pipeline"
        Label of the records.
    mem_limit_gb, timeout : float, optional
        Memory cap of each child, and the time limit of one run (a child that
        runs ``repeat`` times gets :func:`child_timeout`). DuckDB, the one
        engine with a memory setting, gets :data:`DUCKDB_SHARE` of the cap as
        its ``memory_limit`` and spills to disk past it.
    isolate : bool, default=True
        Run each engine in its own process; False runs them in this process
        (for smoke runs: no start-up cost, but no memory cap and no per-engine
        peak memory).
    results_dir : path-like, optional
        Keep each engine's written result in ``<results_dir>/<engine>/`` (to
        read them afterwards); by default they go to a temporary directory,
        removed once compared.
    check : bool, default=True
        Compare each engine's result with the reference engine's (see
        :func:`~mlstack.benchmarks.frames_pipeline.compare_results`).
    log : callable, optional
        Receives one line per measurement.

    Returns
    -------
    list of dict
        One ``pipeline`` record per engine, with ``same_as`` and
        ``same_result`` when checked.
    """
    paths = frames.write_inputs(scale=scale, rows=rows)
    n = (rows or FULL_FLIGHTS_ROWS) * scale
    mapped = sum(p.stat().st_size for p in Path(paths["weather"]).parent.rglob("*.parquet"))
    keep = results_dir is not None
    root = Path(results_dir) if keep else Path(tempfile.mkdtemp(prefix="mlstack-frames-"))
    records, outputs = [], {}
    try:
        for engine in frames.check_engines(engines):
            outputs[engine] = root / engine
            result = _run_engine(
                engine,
                paths,
                outputs[engine],
                threads=threads,
                repeat=repeat,
                mem_limit_gb=mem_limit_gb,
                mapped_gb=mapped / 2**30,
                timeout=timeout,
                isolate=isolate,
            )
            base = {
                "engine": engine,
                "rows": n,
                "scale": scale,
                "study": study,
                "variant": "" if threads is None else f"threads={threads}",
                "threads": threads or os.cpu_count(),
            }
            records += _records(result, ["pipeline"], base)
            if log:
                _log_line(log, records[-1])
        if check:
            _check_results(
                records, outputs, mem_limit_gb=mem_limit_gb, timeout=timeout, isolate=isolate
            )
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return records


def measure_threads(
    engines: Sequence[str] = ("polars", "duckdb", "dask"),
    *,
    scale: int = 10,
    rows: int | None = None,
    groupby_rows: int = 10_000_000,
    **limits: Any,
) -> list[dict[str, Any]]:
    """Time each engine at one thread and at all cores, back to back (study ``threads``).

    Measuring the two settings one right after the other, per engine, keeps
    them under the same load from other work on the machine.

    Returns
    -------
    list of dict
        Pipeline and group-by records, variants ``threads=1`` and ``threads=<cores>``.
    """
    cores = os.cpu_count() or 1
    records = []
    for engine in engines:
        for threads in (1, cores):
            records += measure_pipeline(
                [engine],
                scale=scale,
                rows=rows,
                threads=threads,
                study="threads",
                check=False,
                **limits,
            )
            records += measure_groupby(
                [engine], rows=groupby_rows, threads=threads, study="threads", **limits
            )
    return records


def measure_keys(
    engines: Sequence[str] = ("pandas", "polars"),
    *,
    rows: int = 10_000_000,
    **limits: Any,
) -> list[dict[str, Any]]:
    """Time q1-q3 (string keys) with string and with categorical keys, back to back.

    Returns
    -------
    list of dict
        Group-by records of study ``keys``, variants ``keys=string`` and ``keys=category``.
    """
    records = []
    for engine in engines:
        for keys in ("string", "category"):
            records += measure_groupby(
                [engine],
                rows=rows,
                questions=("q1", "q2", "q3"),
                keys=keys,
                study="keys",
                **limits,
            )
    return records


def measure_groupby(
    engines: Sequence[str] = frames.ENGINES,
    *,
    rows: int = 10_000_000,
    questions: Sequence[str] = tuple(dbbench.QUESTIONS),
    keys: str = "string",
    threads: int | None = None,
    study: str = "groupby",
    repeat: int = MIN_REPEAT,
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time the db-benchmark questions with each engine, each in its own process.

    Each child loads the table once (a ``load`` record), then answers every
    question ``repeat`` times (the benchmark runs each twice; five show the
    spread on a shared machine); ``peak_rss_mb`` is the child's peak memory
    once that question was answered.

    Returns
    -------
    list of dict
        One ``load`` record and one per question, per engine.
    """
    path = dbbench.generate(rows)
    records = []
    for engine in frames.check_engines(engines):
        result = run_measured(
            "mlstack.benchmarks.groupby_questions:timed_questions",
            {
                "engine": engine,
                "path": str(path),
                "questions": list(questions),
                "keys": keys,
                "threads": threads,
                "repeat": repeat,
            },
            env=_child_env(engine, threads),
            isolate=isolate,
            mem_limit_gb=mem_limit_gb,
            mapped_gb=path.stat().st_size / 2**30,
            timeout=child_timeout(timeout, repeat),
        )
        variants = [f"keys={keys}"] if keys != "string" or study == "keys" else []
        variants += [f"threads={threads}"] if threads is not None else []
        base = {
            "engine": engine,
            "rows": rows,
            "study": study,
            "variant": ",".join(variants),
            "threads": threads or os.cpu_count(),
            "keys": keys,
        }
        new = _records(result, ["load", *questions], base, peak_key="peak_rss_mb_so_far")
        records += new
        for record in new if log else ():
            _log_line(log, record)
    return records


def measure_read_csv(
    *,
    rows: int = 10_000_000,
    readers: Sequence[tuple[str, str]] = _CSV_READERS,
    repeat: int = MIN_REPEAT,
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time reading the group-by table from CSV into memory, per engine, ``repeat`` times.

    Returns
    -------
    list of dict
        One ``read_csv`` record per reader, with the CSV's size in ``csv_mb``.
    """
    path = dbbench.generate(rows, csv=True).with_suffix(".csv")
    size_mb = path.stat().st_size / 2**20
    records = []
    for engine, variant in readers:
        result = run_measured(
            "mlstack.benchmarks.groupby_questions:timed_read_csv",
            {"engine": engine, "path": str(path), "variant": variant, "repeat": repeat},
            isolate=isolate,
            mem_limit_gb=mem_limit_gb,
            mapped_gb=size_mb / 1024,
            timeout=child_timeout(timeout, repeat),
        )
        base = {
            "engine": engine,
            "rows": rows,
            "study": "csv_read",
            "variant": "" if variant == "default" else f"engine={variant}",
            "threads": os.cpu_count(),
            "csv_mb": round(size_mb, 1),
        }
        records += _records(result, ["read_csv"], base)
        if log:
            _log_line(log, records[-1])
    return records


# --------------------------------------------------------------------------- the command


def write_outputs(payload: dict[str, Any], out: str | os.PathLike[str] | None = None) -> Path:
    """Write the markdown report and the plot of a ``bench frames`` run.

    ``payload`` is what ``timings/frames.json`` holds (``command``,
    ``machine``, ``records``): ``write_outputs(committed_results("frames"))``
    re-renders the committed run without measuring again.

    Returns
    -------
    pathlib.Path
        The markdown report written.
    """
    import matplotlib

    from mlstack.utils.paths import reports_dir

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mlstack.plotting.figures import setup

    out_dir = Path(out) if out is not None else reports_dir()
    setup()
    ax = plot_time_vs_rows(payload["records"])
    plot = out_dir / "frames_bench_files" / "time_vs_rows.png"
    plot.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(plot) as tmp:
        ax.figure.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(ax.figure)
    report = render_report(
        payload["records"],
        command=payload["command"],
        machine=payload["machine"],
        plot_name="frames_bench_files/time_vs_rows.png",
    )
    return write_text(out_dir / "frames_bench.md", report)


def _check_arguments(
    rows: int, scales: Sequence[int], engines: Sequence[str], repeat: int
) -> None:
    frames.check_engines(engines)
    if rows < 1000:
        raise InputError(f"rows must be at least 1000, got {rows}", parameter="rows")
    if any(s < 1 for s in scales):
        raise InputError(
            f"scales must be positive integers, got {list(scales)}", parameter="scales"
        )
    if repeat < 1:
        raise InputError(f"repeat must be at least 1, got {repeat}", parameter="repeat")


def _record_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """What a record measured: study, task, engine, variant (threads, key type) and rows."""
    return (
        record["study"],
        record["task"],
        record["engine"],
        record.get("variant", ""),
        record["rows"],
    )


def merge_records(
    committed: Sequence[dict[str, Any]], measured: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replace the committed records that ``measured`` measured again; keep the others.

    A record is identified by its study, task, engine, variant and rows. The
    result keeps the committed order, each re-measured record in its old
    place, and appends the measurements the committed run did not have.

    Examples
    --------
    >>> old = [{"study": "pipeline", "task": "pipeline", "engine": e, "rows": 10, "median": 1.0}
    ...        for e in ("pandas", "polars")]
    >>> new = [{"study": "pipeline", "task": "pipeline", "engine": "polars", "rows": 10,
    ...         "median": 0.5}]
    >>> [(r["engine"], r["median"]) for r in merge_records(old, new)]
    [('pandas', 1.0), ('polars', 0.5)]
    """
    fresh = {_record_key(r): r for r in measured}
    kept = [fresh.pop(_record_key(r), r) for r in committed]
    return kept + [r for r in measured if _record_key(r) in fresh]


def _committed_run(out_dir: Path, machine: dict[str, Any]) -> dict[str, Any]:
    """The ``frames.json`` in ``out_dir`` that an ``update`` run completes, checked."""
    path = out_dir / "timings" / "frames.json"
    payload = committed_results("frames", out_dir)
    if payload is None:
        raise InputError(
            f"{path}: no frames.json with repeated times to update; run without --update",
            parameter="update",
        )
    differ = sorted(k for k in machine if payload.get("machine", {}).get(k) != machine[k])
    if differ:
        raise InputError(
            f"{path} was measured with other {', '.join(differ)}; run without --update",
            parameter="update",
        )
    return payload


def _studies(
    engines: Sequence[str], scales: Sequence[int], rows: int, flights_rows: int | None, **limits
) -> list[dict[str, Any]]:
    """The evidence runs: threads, key dtypes, CSV reading."""
    mid = max([s for s in scales if s <= 10] or [min(scales)])
    threaded = [e for e in engines if e != "pandas"]
    records = measure_threads(threaded, scale=mid, rows=flights_rows, groupby_rows=rows, **limits)
    keyed = [e for e in engines if e in ("pandas", "polars")]
    records += measure_keys(keyed, rows=rows, **limits)
    readers = [r for r in _CSV_READERS if r[0] in engines]
    return records + measure_read_csv(rows=rows, readers=readers, **limits)


def run_frames_bench(
    rows: int = 10_000_000,
    *,
    scales: Sequence[int] = (1, 10, 100),
    engines: Sequence[str] = frames.ENGINES,
    groupby: bool = True,
    studies: bool = True,
    repeat: int = MIN_REPEAT,
    mem_limit_gb: float = 10.0,
    timeout: float | None = 1800.0,
    out: str | os.PathLike[str] | None = None,
    update: bool = False,
    command: str | None = None,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Run the whole comparison and write its JSON, markdown report and plot.

    Parameters
    ----------
    rows : int, default=10_000_000
        Rows of the db-benchmark table; the flights pipeline uses
        ``min(rows, 336,776)`` flights per copy.
    scales : sequence of int, default=(1, 10, 100)
        Copies of the flights to time the pipeline on.
    engines : sequence of str, default=all four
    groupby : bool, default=True
        Also time the db-benchmark group-by questions.
    studies : bool, default=True
        Also run the evidence, each pair measured back to back: one thread vs
        all cores (the pipeline at the largest scale up to 10, and the
        group-by questions), string vs categorical keys, and reading the
        group-by table from CSV.
    repeat : int, default=5
        Runs of every measurement, all kept.
    mem_limit_gb : float, default=10.0
        Memory cap of each child process, in GiB.
    timeout : float, optional
        Seconds per run after which a child is stopped and recorded as failed
        (a child running ``repeat`` times gets ``repeat + 1`` times this).
    out : path-like, optional
        Reports directory; ``reports/`` by default. Writes
        ``timings/frames.json``, ``frames_bench.md`` and
        ``frames_bench_files/time_vs_rows.png``.
    update : bool, default=False
        Re-measure only what this call names and keep the other records of the
        ``timings/frames.json`` already in ``out`` (see :func:`merge_records`):
        to re-run one size after a fix without repeating hours of runs. The
        file must come from the same machine facts (versions, cores, cap);
        its ``command`` then names both runs.
    command : str, optional
        The command line to record in the report.
    log : callable, default=print
        Receives one line per measurement.

    Returns
    -------
    list of dict
        Every record, as written to ``frames.json``.
    """
    from mlstack.utils.paths import reports_dir

    _check_arguments(rows, scales, engines, repeat)
    out_dir = Path(out) if out is not None else reports_dir()
    machine = {**machine_facts(ENGINE_PACKAGES), "mem_limit_gb": mem_limit_gb}
    command = command or "mlstack bench frames " + shlex.join([f"--rows={rows}"])
    committed = _committed_run(out_dir, machine) if update else None
    flights_rows = None if rows >= FULL_FLIGHTS_ROWS else rows
    limits = {"mem_limit_gb": mem_limit_gb, "timeout": timeout, "log": log, "repeat": repeat}
    records: list[dict[str, Any]] = []
    for scale in sorted(scales):
        records += measure_pipeline(engines, scale=scale, rows=flights_rows, **limits)
    if groupby:
        records += measure_groupby(engines, rows=rows, **limits)
    if studies:
        records += _studies(engines, scales, rows, flights_rows, **limits)
    if committed is not None:
        records = merge_records(committed["records"], records)
        command = f"{committed['command']}{THEN}{command}"
    payload = {"command": command, "machine": machine, "records": records}
    write_json(out_dir / "timings" / "frames.json", payload)
    write_outputs(payload, out_dir)
    log(f"wrote {out_dir / 'frames_bench.md'} and {out_dir / 'timings' / 'frames.json'}")
    return records
