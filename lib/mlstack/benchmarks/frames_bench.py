"""``mlstack bench frames``: pandas, Polars, DuckDB and Dask timed side by side.

Three measurements, each engine in its own child process under a memory cap
(:mod:`mlstack.benchmarks.child_process`), so wall time and peak memory are the engine's own:

``pipeline``
    The flights feature pipeline of :mod:`mlstack.benchmarks.frames_pipeline` (joins, group-by
    aggregates, window features) at the real size and replicated 10x and 100x
    with the keys varied.
``groupby``
    The db-benchmark group-by questions q1-q5 (:mod:`mlstack.benchmarks.groupby_questions`) on its
    data generator's shape, 1e7 rows by default.
studies
    The evidence that explains the ratios: each multi-threaded engine at one
    thread and at all cores; pandas and Polars with string vs categorical keys;
    reading the group-by table from CSV into memory (time and peak memory).

Every measurement is a record ``{engine, task, rows, seconds, peak_rss_mb,
status, study, variant, threads}``; :func:`run_frames_bench` writes them to
``reports/timings/frames.json``, a markdown report ``reports/frames_bench.md``
and the plot of time against rows.
"""

from __future__ import annotations

import math
import os
import shlex
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks import frames_pipeline as frames
from mlstack.benchmarks import groupby_questions as dbbench
from mlstack.benchmarks.child_process import run_measured
from mlstack.errors import InputError
from mlstack.utils.atomic import atomic_path, write_json, write_text
from mlstack.utils.machine import machine_facts

__all__ = [
    "FULL_FLIGHTS_ROWS",
    "committed_results",
    "engine_versions",
    "groupby_table",
    "measure_groupby",
    "measure_pipeline",
    "measure_read_csv",
    "pipeline_table",
    "plot_time_vs_rows",
    "render_report",
    "run_frames_bench",
    "csv_read_table",
    "headline_facts",
    "key_dtype_effect",
    "lines_of_code",
    "measure_keys",
    "measure_threads",
    "speedups",
    "thread_scaling",
    "write_outputs",
]

#: Rows of the real flights table.
FULL_FLIGHTS_ROWS = 336_776

_CSV_READERS = (("pandas", "default"), ("pandas", "pyarrow"), ("polars", "default"))
_CSV_READERS += (("duckdb", "default"), ("dask", "default"))


#: Distributions whose versions a frames or CSV benchmark records.
ENGINE_PACKAGES: tuple[str, ...] = ("numpy", "pandas", "polars", "duckdb", "dask", "pyarrow")


def engine_versions() -> dict[str, str]:
    """Return the versions of the four engines (and pyarrow)."""
    from importlib.metadata import version

    return {name: version(name) for name in ENGINE_PACKAGES if name != "numpy"}


def _child_env(engine: str, threads: int | None) -> dict[str, str]:
    # Polars sizes its thread pool once, at import, from this variable.
    if engine == "polars" and threads is not None:
        return {"POLARS_MAX_THREADS": str(threads)}
    return {}


def _records(
    result,
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
        if task in by_task:
            found = by_task[task]
            peak = found.get(peak_key) if peak_key else None
            record.update({k: v for k, v in found.items() if k not in ("task", peak_key)})
            record["peak_rss_mb"] = round(peak if peak is not None else result.peak_rss_mb, 1)
        else:
            record.update(
                {
                    "seconds": None,
                    "peak_rss_mb": round(result.peak_rss_mb, 1),
                    "detail": result.detail,
                }
            )
        out.append(record)
    return out


def measure_pipeline(
    engines: Sequence[str] = frames.ENGINES,
    *,
    scale: int = 1,
    rows: int | None = None,
    threads: int | None = None,
    repeat: int = 1,
    study: str = "pipeline",
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    results_dir: str | os.PathLike[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time the flights pipeline with each engine, each in its own process.

    Parameters
    ----------
    engines : sequence of str, default=all four
    scale : int, default=1
        Copies of the flights (keys varied, see :func:`mlstack.benchmarks.frames_pipeline.write_inputs`).
    rows : int, optional
        Flights per copy; all 336,776 by default.
    threads : int, optional
        Threads per engine; all cores by default.
    repeat : int, default=1
        Runs per engine in its process; the fastest is kept.
    study : str, default="pipeline"
        Label of the records.
    mem_limit_gb, timeout : float, optional
        Memory cap and time limit of each child. DuckDB, the one engine with
        a memory setting, gets 60% of the cap as its ``memory_limit`` and
        spills to disk past it.
    isolate : bool, default=True
        Run each engine in its own process; False runs them in this process
        (for smoke runs: no start-up cost, but no memory cap and no per-engine
        peak memory).
    results_dir : path-like, optional
        Write each engine's result to ``<results_dir>/<engine>.parquet`` (to
        check that they agree).
    log : callable, optional
        Receives one line per measurement.

    Returns
    -------
    list of dict
        One ``pipeline`` record per engine.
    """
    paths = frames.write_inputs(scale=scale, rows=rows)
    n = (rows or FULL_FLIGHTS_ROWS) * scale
    mapped = sum(p.stat().st_size for p in Path(paths["weather"]).parent.rglob("*.parquet"))
    records = []
    for engine in engines:
        kwargs = {"engine": engine, "paths": paths, "threads": threads, "repeat": repeat}
        if results_dir is not None:
            kwargs["result_path"] = str(Path(results_dir) / f"{engine}.parquet")
        # DuckDB spills past its memory limit; a child stopped by the cap cannot clean up
        # after itself, so its spill directory is removed here
        with tempfile.TemporaryDirectory(prefix="mlstack-duckdb-") as spill:
            if engine == "duckdb" and mem_limit_gb is not None:
                kwargs["memory_limit_gb"] = round(0.6 * mem_limit_gb, 1)
                kwargs["temp_dir"] = spill
            result = run_measured(
                "mlstack.benchmarks.frames_pipeline:timed_pipeline",
                kwargs,
                env=_child_env(engine, threads),
                isolate=isolate,
                mem_limit_gb=mem_limit_gb,
                mapped_gb=mapped / 2**30,
                timeout=timeout,
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
                [engine], scale=scale, rows=rows, threads=threads, study="threads", **limits
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
    repeat: int = 5,
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time the db-benchmark questions with each engine, each in its own process.

    Each child loads the table once (a ``load`` record), then answers every
    question ``repeat`` times (the benchmark runs each twice; five is steadier on
    a shared machine); ``seconds`` is the fastest run and
    ``peak_rss_mb`` the child's peak memory once that question was answered.

    Returns
    -------
    list of dict
        One ``load`` record and one per question, per engine.
    """
    path = dbbench.generate(rows)
    records = []
    for engine in engines:
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
            timeout=timeout,
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
    mem_limit_gb: float | None = 10.0,
    timeout: float | None = None,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Time reading the group-by table from CSV into memory, per engine.

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
            {"engine": engine, "path": str(path), "variant": variant},
            isolate=isolate,
            mem_limit_gb=mem_limit_gb,
            mapped_gb=size_mb / 1024,
            timeout=timeout,
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


def _log_line(log: Callable[[str], None], record: dict[str, Any]) -> None:
    seconds = record.get("seconds")
    shown = f"{seconds:8.2f} s" if seconds is not None else record["status"]
    variant = f" [{record['variant']}]" if record.get("variant") else ""
    log(
        f"{record['study']:<9} {record['engine']:<7}{variant:<24} {record['task']:<9} "
        f"{record['rows']:>11,} rows  {shown}  peak {record['peak_rss_mb']:,.0f} MiB"
    )


# --------------------------------------------------------------------------- tables


def _label(record: dict[str, Any]) -> str:
    variant = record.get("variant") or ""
    return record["engine"] + (f" ({variant})" if variant else "")


def speedups(records: list[dict[str, Any]], study: str, task: str | None = None) -> pd.DataFrame:
    """Return one study's measurements with their speed-up over pandas.

    The speed-up ``vs_pandas`` is the seconds of plain pandas (no variant) on
    the same task and rows in the same run, divided by the engine's seconds
    (above 1 means faster than pandas).
    """
    frame = pd.DataFrame([r for r in records if r["study"] == study])
    if frame.empty:
        return frame
    if task is not None:
        frame = frame[frame["task"] == task]
    frame = frame.assign(label=[_label(r) for r in frame.to_dict("records")])
    plain = pd.DataFrame([r for r in records if r["engine"] == "pandas" and not r.get("variant")])
    reference = plain.drop_duplicates(["task", "rows"]).set_index(["task", "rows"])["seconds"]
    index = pd.MultiIndex.from_frame(frame[["task", "rows"]])
    seconds = frame["seconds"].astype(float).to_numpy()
    frame["vs_pandas"] = reference.reindex(index).astype(float).to_numpy() / seconds
    return frame.reset_index(drop=True)


def pipeline_table(
    records: list[dict[str, Any]], study: str = "pipeline", *, value: str = "seconds"
) -> pd.DataFrame:
    """Return the pipeline results, one row per size and one column per engine.

    Parameters
    ----------
    records : list of dict
    study : str, default="pipeline"
    value : {"seconds", "memory"}, default="seconds"
        ``"seconds"`` gives cells like ``"1.50 s (2.3x)"`` (speed-up over
        pandas in parentheses, or the failure); ``"memory"`` gives the peak
        resident memory in MiB.
    """
    frame = speedups(records, study, "pipeline")
    if frame.empty:
        return frame
    if value == "memory":
        cells = pd.Series(
            [
                f"{r['peak_rss_mb']:,.0f}" + ("" if pd.notna(r["seconds"]) else " (failed)")
                for r in frame.to_dict("records")
            ],
            index=frame.index,
        )
    else:
        cells = pd.Series(
            [
                _cell(r["seconds"], r["vs_pandas"]) if pd.notna(r["seconds"]) else r["status"]
                for r in frame.to_dict("records")
            ],
            index=frame.index,
        )
    table = frame.assign(cell=cells).pivot(index="rows", columns="label", values="cell")
    order = sorted(table.columns, key=lambda label: (_engine_rank(label), label))
    table = table[order].rename_axis(None, axis=1)
    table.index = [f"{n:,}" for n in table.index]
    return table.rename_axis("rows")


def groupby_table(records: list[dict[str, Any]], study: str = "groupby") -> pd.DataFrame:
    """Return the group-by results: one row per engine, seconds per question and speed-ups."""
    frame = speedups(records, study)
    if frame.empty:
        return frame
    frame = frame[frame["task"] != "load"]
    seconds = frame.pivot_table(index="label", columns="task", values="seconds", aggfunc="first")
    ratio = frame.pivot_table(index="label", columns="task", values="vs_pandas", aggfunc="first")
    table = seconds.round(3).astype(object)
    for column in seconds.columns:
        table[column] = [_cell(s, r) for s, r in zip(seconds[column], ratio[column], strict=True)]
    geo = ratio.apply(lambda row: _geomean(row.dropna()), axis=1)
    table["geomean x pandas"] = geo.round(2)
    peak = frame.groupby("label")["peak_rss_mb"].max()
    table["peak MiB"] = [f"{value:,.0f}" for value in peak.reindex(table.index)]
    order = sorted(table.index, key=lambda label: (_engine_rank(label), label))
    return table.loc[order].rename_axis("engine").rename_axis(None, axis=1)


def _engine_rank(label: str) -> int:
    engine = label.split(" ")[0]
    return frames.ENGINES.index(engine) if engine in frames.ENGINES else len(frames.ENGINES)


def _cell(seconds: float, ratio: float) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "failed"
    if ratio is None or math.isnan(ratio) or ratio == 1.0:
        return f"{seconds:.3f} s"
    return f"{seconds:.3f} s ({ratio:.1f}x)"


def _geomean(values: pd.Series) -> float:
    values = values[values > 0]
    return float(math.exp(values.map(math.log).mean())) if len(values) else float("nan")


def thread_scaling(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return each multi-threaded engine's seconds at one thread and at all cores.

    Both come from the ``threads`` study, measured back to back.

    Returns
    -------
    pandas.DataFrame
        Columns ``engine``, ``task``, ``rows``, ``seconds_1``, ``seconds_all``,
        ``threads_all`` and ``speedup`` (one-thread seconds / all-cores seconds).
    """
    frame = pd.DataFrame([r for r in records if r["study"] == "threads" and r["task"] != "load"])
    if frame.empty:
        return frame
    one = frame[frame["threads"] == 1]
    full = frame[frame["threads"] > 1]
    merged = one.merge(full, on=["engine", "task", "rows"], suffixes=("_1", "_all"))
    merged = merged.assign(speedup=merged["seconds_1"] / merged["seconds_all"])
    columns = ["engine", "task", "rows", "seconds_1", "seconds_all", "threads_all", "speedup"]
    return merged[columns].sort_values(["engine", "rows", "task"]).reset_index(drop=True)


def key_dtype_effect(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return q1-q3 timed with string and with categorical keys (the ``keys`` study).

    Returns
    -------
    pandas.DataFrame
        Columns ``engine``, ``task``, ``rows``, ``seconds_string``,
        ``seconds_category`` and ``speedup`` (string / categorical seconds;
        above 1 means the categorical keys are faster).
    """
    frame = pd.DataFrame([r for r in records if r["study"] == "keys" and r["task"] != "load"])
    if frame.empty:
        return frame
    string = frame[frame["keys"] == "string"]
    cat = frame[frame["keys"] == "category"]
    merged = string.merge(cat, on=["engine", "task", "rows"], suffixes=("_string", "_category"))
    merged = merged.assign(speedup=merged["seconds_string"] / merged["seconds_category"])
    columns = ["engine", "task", "rows", "seconds_string", "seconds_category", "speedup"]
    return merged[columns].sort_values(["engine", "task"]).reset_index(drop=True)


def csv_read_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the CSV reading measurements: seconds, peak MiB and peak per MB of CSV."""
    frame = pd.DataFrame([r for r in records if r["study"] == "csv_read"])
    if frame.empty:
        return frame
    frame = frame.assign(reader=[_label(r) for r in frame.to_dict("records")])
    frame["peak / CSV size"] = frame["peak_rss_mb"] / frame["csv_mb"]
    frame["peak_rss_mb"] = frame["peak_rss_mb"].round().astype(int)
    columns = ["reader", "rows", "csv_mb", "seconds", "peak_rss_mb", "peak / CSV size", "status"]
    return frame[columns].reset_index(drop=True)


def _geomean_by_engine(frame: pd.DataFrame, column: str = "speedup") -> dict[str, float]:
    if frame.empty:
        return {}
    return {
        engine: _geomean(group[column].dropna())
        for engine, group in frame.groupby("engine", sort=False)
    }


def lines_of_code() -> pd.DataFrame:
    """Count the lines of each pipeline step in each engine (an ergonomics measure).

    Counts non-blank lines of :func:`mlstack.benchmarks.frames_pipeline.step_source`, leaving out
    comments, ``def`` lines and imports. Dask's window step runs pandas' window
    step on each partition, so those lines count for Dask too.

    Returns
    -------
    pandas.DataFrame
        One row per engine, one column per step (``join``, ``group``, ``window``).
    """

    def count(text: str) -> int:
        skip = ("#", "--", "def ", "import ", "from ", '"""')
        return sum(
            1 for line in text.splitlines() if line.strip() and not line.strip().startswith(skip)
        )

    steps = ("join", "group", "window")
    table = pd.DataFrame(
        {step: [count(frames.step_source(e, step)) for e in frames.ENGINES] for step in steps},
        index=pd.Index(frames.ENGINES, name="engine"),
    )
    table.loc["dask", "window"] += table.loc["pandas", "window"]
    return table


# --------------------------------------------------------------------------- plot


def plot_time_vs_rows(records: list[dict[str, Any]], ax=None, *, study: str = "pipeline"):
    """Plot the pipeline's seconds against rows, log-log, one line per engine.

    Failed runs (out of memory, timeout) have no point; they are listed in the
    lower right corner.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    frame = pd.DataFrame([r for r in records if r["study"] == study and r["task"] == "pipeline"])
    if ax is None:
        _, ax = plt.subplots()
    markers = dict(zip(frames.ENGINES, "osD^", strict=True))
    for engine in frames.ENGINES:
        part = frame[(frame["engine"] == engine) & frame["seconds"].notna()].sort_values("rows")
        if not part.empty:
            ax.plot(part["rows"], part["seconds"], marker=markers[engine], label=engine)
    failed = frame[frame["seconds"].isna()]
    notes = [
        f"{int(n):,} rows: {', '.join(group['engine'])} failed ({group['status'].iloc[0][8:]})"
        for n, group in failed.groupby("rows")
    ]
    if notes:
        ax.text(
            0.98,
            0.03,
            "\n".join(notes),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows (flights)")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Flights feature pipeline: time vs rows, one process per engine")
    ax.legend(title="engine", loc="upper left")
    return ax


# --------------------------------------------------------------------------- report


def committed_results(name: str = "frames") -> dict[str, Any] | None:
    """Return the committed full-run results ``reports/timings/<name>.json``, if any.

    Notebooks read the full measurement from here (it takes far longer than a
    notebook may), whatever reports directory their own run writes to.
    """
    import json

    from mlstack.utils.paths import repo_root

    path = repo_root() / "reports" / "timings" / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _md(frame: pd.DataFrame, floatfmt: str = ".3g") -> str:
    if frame.empty:
        return "_(no measurement)_"
    return frame.to_markdown(floatfmt=floatfmt)


def headline_facts(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the numbers a report or reflection quotes, computed from the records.

    Keys (present when measured): ``groupby_rows`` and ``groupby_<engine>``
    (geometric-mean speed-up over pandas on q1-q5); ``pipeline_rows`` (the
    largest size every engine finished) and ``pipeline_<engine>`` (speed-up
    there); ``pipeline_failed`` (descriptions of failed runs);
    ``threads_<engine>`` (speed-up from one thread to all cores);
    ``keys_<engine>`` (string / categorical seconds); ``csv_<reader>``
    (seconds, peak MiB); ``loadavg`` (min, max).
    """
    facts: dict[str, Any] = {}
    group = speedups(records, "groupby")
    if not group.empty:
        group = group[(group["task"] != "load") & (group["variant"].fillna("") == "")]
        facts["groupby_rows"] = int(group["rows"].max())
        for engine, ratios in group.groupby("engine"):
            facts[f"groupby_{engine}"] = _geomean(ratios["vs_pandas"].dropna())
            facts[f"groupby_seconds_{engine}"] = float(ratios["seconds"].sum())
    pipe = speedups(records, "pipeline", "pipeline")
    if not pipe.empty:
        complete = pipe.groupby("rows")["seconds"].apply(lambda s: s.notna().all())
        if complete.any():
            biggest = int(complete[complete].index.max())
            facts["pipeline_rows"] = biggest
            for r in pipe[pipe["rows"] == biggest].to_dict("records"):
                facts[f"pipeline_{r['engine']}"] = r["vs_pandas"]
                facts[f"pipeline_seconds_{r['engine']}"] = r["seconds"]
                facts[f"pipeline_peak_{r['engine']}"] = r["peak_rss_mb"]
        facts["pipeline_max_rows"] = int(pipe["rows"].max())
        facts["pipeline_failed"] = [
            f"{r['engine']} at {int(r['rows']):,} rows ({r['status']}"
            + (f": {r['detail']}" if isinstance(r.get("detail"), str) and r["detail"] else "")
            + ")"
            for r in pipe[pipe["seconds"].isna()].to_dict("records")
        ]
    for engine, value in _geomean_by_engine(thread_scaling(records)).items():
        facts[f"threads_{engine}"] = value
    single = speedups(records, "threads")
    if not single.empty:
        single = single[(single["threads"] == 1) & single["task"].str.startswith("q")]
        for engine, group in single.groupby("engine"):
            facts[f"single_{engine}"] = _geomean(group["vs_pandas"].dropna())
    for engine, value in _geomean_by_engine(key_dtype_effect(records)).items():
        facts[f"keys_{engine}"] = value
    for r in csv_read_table(records).to_dict("records"):
        facts[f"csv_{r['reader']}"] = (r["seconds"], r["peak_rss_mb"])
    loads = [r["loadavg_1m"] for r in records if r.get("loadavg_1m") is not None]
    if loads:
        facts["loadavg"] = (min(loads), max(loads))
    return facts


def _explain(records: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    facts = headline_facts(records)
    cores = machine.get("cpu_count")
    lines = ["## Reading the ratios against the public record", ""]
    if "groupby_rows" in facts:
        shown = ", ".join(
            f"{engine} {facts[f'groupby_{engine}']:.1f}x"
            for engine in ("polars", "duckdb", "dask")
            if f"groupby_{engine}" in facts
        )
        lines.append(
            f"- **Group-by q1-q5 at {facts['groupby_rows']:,} rows**, geometric mean speed-up "
            f"over pandas: {shown}. The public db-benchmark (2025) reports roughly 9-12x for "
            f"Polars and DuckDB at 1e7 rows, on machines with many more than {cores} cores."
        )
    threads = {k[8:]: v for k, v in facts.items() if k.startswith("threads_")}
    if threads:
        shown = ", ".join(f"{engine} {value:.2f}x" for engine, value in threads.items())
        lines.append(
            f"- **Threads.** From one thread to {cores}, measured back to back, the "
            f"multi-threaded engines sped up by {shown} (geometric mean over their tasks; "
            f"{cores}x is the ceiling here). Whatever the extra cores buy, a 16- or 64-core "
            "machine multiplies it further while pandas stays on one core: that factor is "
            "missing from every ratio above."
        )
        single = {k[7:]: v for k, v in facts.items() if k.startswith("single_")}
        if single.get("polars") and single.get("duckdb"):
            low, high = (
                min(single["polars"], single["duckdb"]),
                max(single["polars"], single["duckdb"]),
            )
            lines.append(
                f"  At one thread each, Polars answered q1-q5 {single['polars']:.1f}x and DuckDB "
                f"{single['duckdb']:.1f}x faster than pandas (geometric mean): that is the "
                "engines' advantage per core. Reaching the published 9-12x would take a "
                f"further {9 / high:.0f}-{12 / low:.0f}x from parallelism, which needs cores "
                "this machine does not have free."
            )
        if min(threads.values()) < 1:
            lines.append(
                "  Below 1 means the extra thread made the engine slower: when other work "
                "keeps the cores busy, a parallel query waits for its slowest thread, so on "
                "a shared small machine one thread can be the faster setting."
            )
    keys = {k[5:]: v for k, v in facts.items() if k.startswith("keys_")}
    if keys:
        shown = ", ".join(f"{engine} {value:.2f}x" for engine, value in keys.items())
        lines.append(
            "- **Key dtypes.** String seconds divided by categorical seconds on q1-q3 "
            f"(string keys): {shown}. The benchmark's pandas script converts `id1`-`id3` to "
            "`category` after loading, so its pandas baseline includes that preparation."
        )
    csv = {k[4:]: v for k, v in facts.items() if k.startswith("csv_")}
    if csv:
        shown = "; ".join(
            f"{reader} {seconds:.2f} s, {peak:,.0f} MiB"
            if seconds is not None
            else f"{reader} failed"
            for reader, (seconds, peak) in csv.items()
        )
        table = csv_read_table(records)
        lines.append(
            f"- **CSV parsing** of the same table ({table['csv_mb'].iloc[0]:,.0f} MB of CSV), "
            f"seconds and peak memory: {shown}."
        )
    if facts.get("pipeline_rows"):
        shown = ", ".join(
            f"{engine} {facts[f'pipeline_{engine}']:.1f}x"
            for engine in ("polars", "duckdb", "dask")
            if facts.get(f"pipeline_{engine}") is not None
        )
        lines.append(
            f"- **The flights pipeline** at {facts['pipeline_rows']:,} rows (the largest size "
            f"every engine finished), speed-up over pandas: {shown}."
        )
    if facts.get("pipeline_failed"):
        lines.append(
            "- **Failed runs** (recorded, not hidden): "
            + "; ".join(facts["pipeline_failed"])
            + "."
        )
    if "loadavg" in facts:
        low, high = facts["loadavg"]
        lines.append(
            f"- **Noise.** The machine is shared: the 1-minute load average during the run "
            f"ranged from {low:.1f} to {high:.1f} on {cores} cores. Other work competes for "
            "the same cores, which hurts multi-threaded engines most; read small differences "
            "as noise."
        )
    return "\n".join(lines)


def _threads_rows(records: list[dict[str, Any]]) -> str:
    sizes = {r["rows"] for r in records if r["study"] == "threads" and r["task"] == "pipeline"}
    return ", ".join(f"{n:,}" for n in sorted(sizes)) or "no"


def render_report(
    records: list[dict[str, Any]],
    *,
    command: str,
    machine: dict[str, Any],
    plot_name: str | None = None,
) -> str:
    """Return the markdown report of a ``bench frames`` run."""
    versions = ", ".join(
        f"{name} {machine[name]}"
        for name in ("pandas", "polars", "duckdb", "dask", "pyarrow")
        if name in machine
    )
    parts = [
        "# DataFrame engines side by side: the flights pipeline and db-benchmark group-bys",
        "",
        "pandas, Polars (lazy API), DuckDB (SQL over Parquet) and Dask DataFrame run the same "
        "work, each in its own process under a memory cap; wall time is measured inside the "
        "process (reading the input to the materialized result), peak memory is the process's "
        "peak resident set size. `x pandas` is pandas' time divided by the engine's, in the "
        "same run (above 1: faster than pandas).",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB RAM, "
        f"Python {machine.get('python')}; {versions}.",
        "",
        "## The flights feature pipeline",
        "",
        "Joins with weather and planes, group-by aggregates per route and hour, window "
        "features per aircraft (`mlstack.benchmarks.frames_pipeline`); the real data and copies of it with the "
        "keys varied, so that the number of groups grows with the rows. Seconds, and the "
        "speed-up over pandas in parentheses:",
        "",
        _md(pipeline_table(records)),
        "",
        "Peak memory of each process (MiB):",
        "",
        _md(pipeline_table(records, value="memory")),
        "",
    ]
    if plot_name:
        parts += [f"![time vs rows]({plot_name})", ""]
    parts += [
        "## db-benchmark group-by questions q1-q5",
        "",
        "Seconds per question (best of five runs after one load) and the speed-up over pandas "
        "in parentheses; the generator's shape (`id1`-`id6`, `v1`-`v3`, K=100). Peak memory "
        "is the process's after all five questions.",
        "",
        _md(groupby_table(records)),
        "",
    ]
    sections = [
        (
            "String against categorical keys (`id1`-`id3`), measured back to back:",
            groupby_table(records, "keys"),
        ),
        (
            "Each multi-threaded engine at one thread and at all cores, back to back "
            f"(the `pipeline` column is the flights pipeline at {_threads_rows(records)} rows):",
            groupby_table(records, "threads"),
        ),
    ]
    for title, table in sections:
        if not table.empty:
            parts += [title, "", _md(table), ""]
    evidence = [
        (
            "Thread scaling (speedup: seconds at one thread / at all cores):",
            thread_scaling(records),
        ),
        (
            "Key dtypes (speedup: seconds with string keys / with categoricals):",
            key_dtype_effect(records),
        ),
        ("Reading the group-by table from CSV into memory:", csv_read_table(records)),
    ]
    if any(not table.empty for _, table in evidence):
        parts += ["## Evidence", ""]
        for title, table in evidence:
            if not table.empty:
                text = table.to_markdown(index=False, floatfmt=".3g", intfmt=",")
                parts += [title, "", text, ""]
    parts += [_explain(records, machine), ""]
    return "\n".join(parts)


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


def run_frames_bench(
    rows: int = 10_000_000,
    *,
    scales: Sequence[int] = (1, 10, 100),
    engines: Sequence[str] = frames.ENGINES,
    studies: bool = True,
    mem_limit_gb: float = 10.0,
    timeout: float | None = 1800.0,
    out: str | os.PathLike[str] | None = None,
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
    studies : bool, default=True
        Also run the evidence, each pair measured back to back: one thread vs
        all cores (the pipeline at the largest scale up to 10, and the
        group-by questions), string vs categorical keys, and reading the
        group-by table from CSV.
    mem_limit_gb : float, default=10.0
        Memory cap of each child process, in GiB.
    timeout : float, optional
        Seconds after which a child is stopped and recorded as failed.
    out : path-like, optional
        Reports directory; ``reports/`` by default. Writes
        ``timings/frames.json``, ``frames_bench.md`` and
        ``frames_bench_files/time_vs_rows.png``.
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

    unknown = [e for e in engines if e not in frames.ENGINES]
    if unknown:
        raise InputError(f"unknown engines {unknown}; choose from {', '.join(frames.ENGINES)}")
    if rows < 1000:
        raise InputError(f"--rows must be at least 1000, got {rows}")
    if any(s < 1 for s in scales):
        raise InputError(f"--scales must be positive integers, got {list(scales)}")
    flights_rows = None if rows >= FULL_FLIGHTS_ROWS else rows
    limits = {"mem_limit_gb": mem_limit_gb, "timeout": timeout, "log": log}
    records: list[dict[str, Any]] = []
    for scale in sorted(scales):
        # best of three where it is cheap: the machine is shared and timings are noisy
        repeat = 3 if scale <= 10 else 1
        records += measure_pipeline(
            engines, scale=scale, rows=flights_rows, repeat=repeat, **limits
        )
    records += measure_groupby(engines, rows=rows, **limits)
    if studies:
        mid = max([s for s in scales if s <= 10] or [min(scales)])
        threaded = [e for e in engines if e != "pandas"]
        records += measure_threads(
            threaded, scale=mid, rows=flights_rows, groupby_rows=rows, **limits
        )
        keyed = [e for e in engines if e in ("pandas", "polars")]
        records += measure_keys(keyed, rows=rows, **limits)
        readers = [r for r in _CSV_READERS if r[0] in engines]
        records += measure_read_csv(rows=rows, readers=readers, **limits)

    out_dir = Path(out) if out is not None else reports_dir()
    machine = {**machine_facts(ENGINE_PACKAGES), "mem_limit_gb": mem_limit_gb}
    command = command or "mlstack bench frames " + shlex.join([f"--rows={rows}"])
    payload = {"command": command, "machine": machine, "records": records}
    write_json(out_dir / "timings" / "frames.json", payload)
    write_outputs(payload, out_dir)
    log(f"wrote {out_dir / 'frames_bench.md'} and {out_dir / 'timings' / 'frames.json'}")
    return records
