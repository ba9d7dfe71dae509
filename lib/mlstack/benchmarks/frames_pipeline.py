"""One feature pipeline, four engines: pandas, Polars, DuckDB and Dask DataFrame.

The pipeline is the flights feature engineering of this curriculum, written
once per engine from the same Parquet inputs and producing the same table:

1. **joins**: each flight gets the weather at its origin in its scheduled hour
   (``origin``, ``time_hour``) and the facts of its aircraft (``tailnum``);
2. **group-by aggregates**: per route and hour (``origin``, ``dest``,
   ``hour``) the number of flights, the mean seats of the aircraft flying it
   and the number of distinct carriers, joined back to every flight; and the
   number of departures scheduled at the origin in the same clock hour;
3. **window features** per aircraft, in scheduled order: the flight's sequence
   number, the minutes since the same aircraft's previous scheduled departure,
   and how many other flights of that aircraft are scheduled in the 24 hours up
   to this one (a rolling count).

Every engine returns one row per input flight, ordered by ``id``, with the
columns :data:`OUTPUT_COLUMNS`; :func:`assert_same_result` checks that two
engines agree (same rows, values within float tolerance). Window features are
missing for flights without a tail number.

A feature pipeline's result usually goes to a file, and at 100 times the
flights it no longer fits in memory next to the work that built it. With
``out=``, :func:`run_pipeline` writes the result as Parquet instead of
returning it: DuckDB streams it with ``COPY`` under its ``memory_limit``,
spilling to a temporary directory; Dask computes the small aggregates in a
first pass, then shuffles the flights to one partition per group of aircraft
on disk and writes each partition as it is done, so no step gathers every
flight at once. Written results are compared by :func:`compare_results`, a
DuckDB join on ``id`` that needs neither side in memory.

The inputs are plain Parquet (strings, not categoricals, so no engine gets a
head start): :func:`write_inputs` writes them from :mod:`mlstack.flights.data`, at the
real size or replicated ``scale`` times with the keys varied (tail numbers and
destinations get a per-copy suffix), so that group counts grow with the rows.

Examples
--------
>>> import tempfile
>>> inputs = write_inputs(tempfile.mkdtemp(), rows=500)
>>> result = run_pipeline("polars", inputs)
>>> as_pandas(result).shape
(500, 19)
"""

from __future__ import annotations

import inspect
import os
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.utils.atomic import atomic_directory

__all__ = [
    "ENGINES",
    "OUTPUT_COLUMNS",
    "as_pandas",
    "assert_same_result",
    "assert_same_written",
    "base_tables",
    "check_engines",
    "compare_results",
    "compared_results",
    "dask_features",
    "duckdb_features",
    "import_engine",
    "input_dir",
    "pandas_features",
    "polars_features",
    "quiet_dask",
    "read_result",
    "run_pipeline",
    "step_source",
    "timed_pipeline",
    "write_inputs",
]

#: The engines, in the order reports show them (pandas is the reference). The one
#: list every benchmark, report and command line default reads.
ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb", "dask")


def check_engines(engines: Sequence[str], parameter: str = "engines") -> list[str]:
    """Return ``engines`` as a list, or raise :class:`InputError` naming the unknown ones.

    Examples
    --------
    >>> check_engines(("polars", "pandas"))
    ['polars', 'pandas']
    """
    unknown = [engine for engine in engines if engine not in ENGINES]
    if unknown:
        raise InputError(
            f"unknown engines {unknown}; choose from {', '.join(ENGINES)}", parameter=parameter
        )
    return list(engines)


_FLIGHT_COLUMNS = [
    "id",
    "year",
    "hour",
    "sched_dep",
    "time_hour",
    "carrier",
    "tailnum",
    "origin",
    "dest",
    "distance",
]
_WEATHER_COLUMNS = ["origin", "time_hour", "temp", "wind_speed", "precip", "visib"]
_PLANE_COLUMNS = ["tailnum", "plane_year", "seats"]
_ROUTE_KEYS = ["origin", "dest", "hour"]
_SLOT_KEYS = ["origin", "time_hour"]

#: Columns of the pipeline's result, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "id",
    "origin",
    "dest",
    "carrier",
    "tailnum",
    "hour",
    "temp",
    "wind_speed",
    "precip",
    "visib",
    "plane_age",
    "seats",
    "route_hour_flights",
    "route_hour_mean_seats",
    "route_hour_carriers",
    "origin_slot_departures",
    "tail_seq",
    "prev_gap_min",
    "tail_flights_24h",
)


# --------------------------------------------------------------------------- inputs


def base_tables(rows: int | None = None) -> dict[str, pd.DataFrame]:
    """Return the pipeline's three input tables from the real data, keys as strings.

    Parameters
    ----------
    rows : int, optional
        Keep only the first ``rows`` flights in scheduled order (for smoke
        runs); all 336,776 by default. Weather and planes are kept whole.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``flights`` (with a row ``id``), ``weather`` and ``planes``.
    """
    from mlstack.flights import data

    flights = data.load_table("flights").sort_values("sched_dep", kind="stable")
    if rows is not None:
        if rows < 1:
            raise InputError(f"rows must be a positive number of flights, got {rows}")
        flights = flights.head(rows)
    flights = flights.reset_index(drop=True)
    flights.insert(0, "id", np.arange(len(flights), dtype=np.int64))
    flights = flights[_FLIGHT_COLUMNS]
    weather = data.load_table("weather")[_WEATHER_COLUMNS]
    planes = data.load_table("planes")[_PLANE_COLUMNS]
    tables = {"flights": flights, "weather": weather, "planes": planes}
    for name, frame in tables.items():
        categorical = frame.select_dtypes("category").columns
        tables[name] = frame.astype(dict.fromkeys(categorical, "str")).astype(
            {c: "int64" for c in frame.columns if c in ("year", "hour", "distance")}
        )
    return tables


def input_dir(scale: int = 1, rows: int | None = None) -> Path:
    """Return the cache directory of the inputs at ``scale`` (under ``data/``)."""
    from mlstack.flights import data
    from mlstack.utils.paths import data_dir

    size = "all" if rows is None else str(rows)
    return data_dir() / "frames" / f"{data.data_fingerprint()}-{size}-x{scale}"


def write_inputs(
    directory: str | os.PathLike[str] | None = None,
    *,
    scale: int = 1,
    rows: int | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, str]:
    """Write the pipeline's Parquet inputs, replicated ``scale`` times; reuse them if present.

    Copy ``k`` (``k >= 1``) of the flights gets ids shifted by ``k * n`` and a
    suffix ``-k`` on its tail numbers and destinations (the planes table is
    copied with the same tail numbers), so joins still match while the number
    of aircraft and routes grows with ``scale``. Flights are written one file
    per copy, which gives Dask one partition per copy.

    Parameters
    ----------
    directory : path-like, optional
        Where to write; :func:`input_dir` by default (git-ignored ``data/``).
    scale : int, default=1
        Number of copies of the flights.
    rows : int, optional
        Flights per copy, as in :func:`base_tables`.
    tables : dict of str to pandas.DataFrame, optional
        Input tables to write instead of the real data (for tests); same
        columns as :func:`base_tables` returns. Needs ``directory``.

    Returns
    -------
    dict of str to str
        Paths of ``flights`` (a glob), ``weather`` and ``planes``.
    """
    import polars as pl

    if scale < 1:
        raise InputError(f"scale must be a positive integer, got {scale}")
    if tables is not None and directory is None:
        raise InputError("write_inputs(tables=...) needs a directory to write them to")
    directory = Path(directory) if directory is not None else input_dir(scale, rows)
    paths = {
        "flights": str(directory / "flights" / "*.parquet"),
        "weather": str(directory / "weather.parquet"),
        "planes": str(directory / "planes.parquet"),
    }
    if (directory / "planes.parquet").exists():
        return paths
    source = tables if tables is not None else base_tables(rows)
    tables = {name: pl.from_pandas(frame) for name, frame in source.items()}
    n = tables["flights"].height
    with atomic_directory(directory) as staging:
        (staging / "flights").mkdir()
        planes = []
        for k in range(scale):
            flights = tables["flights"]
            plane_copy = tables["planes"]
            if k:
                flights = flights.with_columns(
                    pl.col("id") + k * n,
                    pl.col("tailnum") + f"-{k}",
                    pl.col("dest") + f"-{k}",
                )
                plane_copy = plane_copy.with_columns(pl.col("tailnum") + f"-{k}")
            flights.write_parquet(staging / "flights" / f"part-{k:04d}.parquet")
            planes.append(plane_copy)
        pl.concat(planes).write_parquet(staging / "planes.parquet")
        tables["weather"].write_parquet(staging / "weather.parquet")
    return paths


# --------------------------------------------------------------------------- pandas


def _pandas_read(paths: dict[str, str]) -> dict[str, pd.DataFrame]:
    flights_dir = str(Path(paths["flights"]).parent)
    return {
        "flights": pd.read_parquet(flights_dir),
        "weather": pd.read_parquet(paths["weather"], columns=_WEATHER_COLUMNS),
        "planes": pd.read_parquet(paths["planes"], columns=_PLANE_COLUMNS),
    }


def _pandas_join(flights: pd.DataFrame, weather: pd.DataFrame, planes: pd.DataFrame):
    df = flights.merge(weather, on=["origin", "time_hour"], how="left")
    df = df.merge(planes, on="tailnum", how="left")
    df["plane_age"] = df["year"] - df["plane_year"]
    return df


def _pandas_group(df: pd.DataFrame) -> pd.DataFrame:
    route = df.groupby(["origin", "dest", "hour"], sort=False).agg(
        route_hour_flights=("id", "size"),
        route_hour_mean_seats=("seats", "mean"),
        route_hour_carriers=("carrier", "nunique"),
    )
    df = df.merge(route, on=["origin", "dest", "hour"], how="left")
    slot = df.groupby(["origin", "time_hour"], sort=False)["id"]
    df["origin_slot_departures"] = slot.transform("size")
    return df


def _pandas_window(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values(["tailnum", "sched_dep", "id"], na_position="last", ignore_index=True)
    has_tail = df["tailnum"].notna()
    planes = df[has_tail].groupby("tailnum", sort=False)  # sorted, so groups come in order
    df["tail_seq"] = planes.cumcount() + 1
    df["prev_gap_min"] = planes["sched_dep"].diff().dt.total_seconds() / 60
    # A time-based rolling window; the result is indexed by (tailnum, time),
    # in the same order as the sorted rows, so it aligns by position.
    rolling = planes.rolling("24h", on="sched_dep", closed="both")["id"].count()
    df.loc[has_tail, "tail_flights_24h"] = rolling.to_numpy() - 1
    # Flights at the same minute see each other: give all of them the largest count.
    peers = df.groupby(["tailnum", "sched_dep"], sort=False)["tail_flights_24h"]
    df["tail_flights_24h"] = peers.transform("max")
    return df


def pandas_features(paths: dict[str, str]) -> pd.DataFrame:
    """Build the features with pandas (the reference implementation).

    Parameters
    ----------
    paths : dict
        The inputs, as returned by :func:`write_inputs`.

    Returns
    -------
    pandas.DataFrame
        One row per flight, ordered by ``id``, columns :data:`OUTPUT_COLUMNS`.
    """
    tables = _pandas_read(paths)
    df = _pandas_join(tables["flights"], tables["weather"], tables["planes"])
    df = _pandas_group(df)
    df = _pandas_window(df)
    return df.sort_values("id")[list(OUTPUT_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- Polars


def _polars_join(flights, weather, planes):
    import polars as pl

    return (
        flights.join(weather, on=["origin", "time_hour"], how="left")
        .join(planes, on="tailnum", how="left")
        .with_columns(plane_age=pl.col("year") - pl.col("plane_year"))
    )


def _polars_group(df):
    import polars as pl

    route = df.group_by("origin", "dest", "hour").agg(
        route_hour_flights=pl.len(),
        route_hour_mean_seats=pl.col("seats").mean(),
        route_hour_carriers=pl.col("carrier").n_unique(),
    )
    return df.join(route, on=["origin", "dest", "hour"], how="left").with_columns(
        origin_slot_departures=pl.len().over("origin", "time_hour")
    )


def _polars_window(df):
    import polars as pl

    has_tail = pl.col("tailnum").is_not_null()
    in_order = ["sched_dep", "id"]  # over(order_by=...) sorts each aircraft, not the frame
    return df.with_columns(
        tail_seq=pl.when(has_tail).then(
            pl.int_range(1, pl.len() + 1).over("tailnum", order_by=in_order)
        ),
        prev_gap_min=pl.when(has_tail).then(
            pl.col("sched_dep").diff().over("tailnum", order_by=in_order).dt.total_seconds() / 60
        ),
        tail_flights_24h=pl.when(has_tail).then(
            pl.repeat(1, pl.len())
            .rolling_sum_by("sched_dep", "24h", closed="both")
            .over("tailnum")
            - 1
        ),
    )


def polars_features(paths: dict[str, str], *, engine: str = "auto"):
    """Build the features with Polars' lazy API.

    Parameters
    ----------
    paths : dict
        The inputs, as returned by :func:`write_inputs`.
    engine : {"auto", "in-memory", "streaming"}, default="auto"
        Polars' execution engine for ``collect``.

    Returns
    -------
    polars.DataFrame
        One row per flight, ordered by ``id``, columns :data:`OUTPUT_COLUMNS`.
    """
    import polars as pl

    flights = pl.scan_parquet(paths["flights"])
    weather = pl.scan_parquet(paths["weather"]).select(_WEATHER_COLUMNS)
    planes = pl.scan_parquet(paths["planes"]).select(_PLANE_COLUMNS)
    df = _polars_join(flights, weather, planes)
    df = _polars_group(df)
    df = _polars_window(df)
    return df.sort("id").select(OUTPUT_COLUMNS).collect(engine=engine)


# --------------------------------------------------------------------------- DuckDB

_DUCKDB_JOIN = """
joined AS (
    SELECT f.*, w.temp, w.wind_speed, w.precip, w.visib, p.seats,
           f.year - p.plane_year AS plane_age
    FROM read_parquet('{flights}') AS f
    LEFT JOIN read_parquet('{weather}') AS w USING (origin, time_hour)
    LEFT JOIN read_parquet('{planes}') AS p USING (tailnum)
)"""

_DUCKDB_GROUP = """
route AS (
    SELECT origin, dest, hour,
           count(*) AS route_hour_flights,
           avg(seats) AS route_hour_mean_seats,
           count(DISTINCT carrier) AS route_hour_carriers
    FROM joined
    GROUP BY origin, dest, hour
)"""

_DUCKDB_WINDOW = """
SELECT id, origin, dest, carrier, tailnum, hour, temp, wind_speed, precip, visib,
       plane_age, seats,
       route_hour_flights, route_hour_mean_seats, route_hour_carriers,
       count(*) OVER (PARTITION BY origin, time_hour) AS origin_slot_departures,
       CASE WHEN tailnum IS NOT NULL THEN row_number() OVER plane END AS tail_seq,
       CASE WHEN tailnum IS NOT NULL
            THEN epoch(sched_dep - lag(sched_dep) OVER plane) / 60 END AS prev_gap_min,
       CASE WHEN tailnum IS NOT NULL THEN count(*) OVER (
            PARTITION BY tailnum ORDER BY sched_dep
            RANGE BETWEEN INTERVAL 24 HOURS PRECEDING AND CURRENT ROW) - 1
       END AS tail_flights_24h
FROM joined JOIN route USING (origin, dest, hour)
WINDOW plane AS (PARTITION BY tailnum ORDER BY sched_dep, id)"""


def _check_sql_paths(*paths: str) -> None:
    for path in paths:
        if "'" in str(path):
            raise InputError(
                f"{path}: a path with a quote cannot be used in SQL; move the data",
                path=str(path),
            )


def duckdb_sql(paths: dict[str, str], *, ordered: bool = True) -> str:
    """Return the pipeline as one DuckDB SQL query over the Parquet inputs.

    ``ordered=False`` leaves out the final ``ORDER BY id`` (a sort of every
    row), for a result that is written and compared by ``id`` anyway.
    """
    _check_sql_paths(*paths.values())
    query = "WITH" + _DUCKDB_JOIN.format(**paths) + "," + _DUCKDB_GROUP + _DUCKDB_WINDOW
    return query + ("\nORDER BY id" if ordered else "")


def duckdb_features(
    paths: dict[str, str],
    *,
    out: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    memory_limit_gb: float | None = None,
    temp_dir: str | None = None,
):
    """Build the features with DuckDB SQL over the Parquet files.

    Parameters
    ----------
    paths : dict
        The inputs, as returned by :func:`write_inputs`.
    out : path-like, optional
        A directory to write the result to (``result.parquet``), streamed by
        ``COPY`` without ever holding the whole result; the rows are then not
        sorted by ``id``. The result is returned when None.
    threads : int, optional
        DuckDB's worker threads; all cores by default.
    memory_limit_gb : float, optional
        DuckDB's ``memory_limit``: past it, DuckDB spills to disk. DuckDB's
        own default is 80% of the machine's memory.
    temp_dir : str, optional
        Where DuckDB spills; ``.tmp`` in the working directory by default.

    Returns
    -------
    pyarrow.Table or pathlib.Path
        One row per flight, ordered by ``id``, columns :data:`OUTPUT_COLUMNS`;
        the directory written when ``out`` is given.
    """
    import duckdb

    config: dict[str, Any] = {} if threads is None else {"threads": threads}
    if memory_limit_gb is not None:
        config["memory_limit"] = f"{memory_limit_gb:g}GB"
    if temp_dir is not None:
        config["temp_directory"] = temp_dir
    if out is not None:
        config["preserve_insertion_order"] = False  # lets COPY stream without buffering
    with duckdb.connect(config=config) as con:
        if out is None:
            return con.sql(duckdb_sql(paths)).to_arrow_table()
        target = _result_file(out)
        _check_sql_paths(str(target))
        query = duckdb_sql(paths, ordered=False)
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
        return Path(out)


# --------------------------------------------------------------------------- Dask


@contextmanager
def quiet_dask() -> Iterator[None]:
    """Silence a deprecation warning that Dask's Parquet reader triggers in pandas 3.1.

    It names a file path inside the environment and says nothing about our code.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword", module=r"dask\.")
        yield


def _dask_group(df):
    import dask

    # The aggregates are small: compute them in a first pass over the data, then merge
    # them into every partition (a broadcast join), so no step holds all the flights.
    route = df.groupby(["origin", "dest", "hour"])
    sizes = route.agg(route_hour_flights=("id", "size"), route_hour_mean_seats=("seats", "mean"))
    carriers = route["carrier"].nunique().rename("route_hour_carriers")
    slot = df.groupby(["origin", "time_hour"]).size().rename("origin_slot_departures")
    sizes, carriers, slot = dask.compute(sizes, carriers, slot)
    df = df.merge(sizes.join(carriers).reset_index(), on=["origin", "dest", "hour"], how="left")
    return df.merge(slot.reset_index(), on=["origin", "time_hour"], how="left")


def _dask_window(df):
    # All flights of an aircraft must sit in one partition: shuffle (on disk), then
    # reuse the pandas step on each partition.
    return df.shuffle(on="tailnum").map_partitions(_pandas_window)


def dask_features(
    paths: dict[str, str],
    *,
    out: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    temp_dir: str | None = None,
):
    """Build the features with Dask DataFrame (threaded scheduler).

    Joins are written as in pandas; the route and slot aggregates are
    computed first and merged into every partition; the window features need
    all flights of an aircraft in one partition, so the frame is shuffled on
    ``tailnum`` (through files on disk, Dask's ``"disk"`` shuffle) and the
    pandas window step runs on each partition.

    Parameters
    ----------
    paths : dict
        The inputs, as returned by :func:`write_inputs`.
    out : path-like, optional
        A directory to write the result to, one Parquet file per partition as
        each is done (rows grouped by aircraft, not sorted by ``id``). The
        result is computed into memory and returned when None.
    threads : int, optional
        Worker threads of the scheduler; all cores by default.
    temp_dir : str, optional
        Where the shuffle writes its files; the system's temporary directory
        by default.

    Returns
    -------
    pandas.DataFrame or pathlib.Path
        One row per flight, ordered by ``id``, columns :data:`OUTPUT_COLUMNS`;
        the directory written when ``out`` is given.
    """
    import dask
    import dask.dataframe as dd

    settings = {
        "scheduler": "threads",
        "num_workers": threads,
        "dataframe.shuffle.method": "disk",
        "temporary_directory": temp_dir or tempfile.gettempdir(),
    }
    with dask.config.set(settings), quiet_dask():
        flights = dd.read_parquet(paths["flights"])
        weather = dd.read_parquet(paths["weather"], columns=_WEATHER_COLUMNS)
        planes = dd.read_parquet(paths["planes"], columns=_PLANE_COLUMNS)
        df = _pandas_join(flights, weather, planes)
        df = _dask_group(df)
        df = _dask_window(df)[list(OUTPUT_COLUMNS)]
        if out is not None:
            df.to_parquet(str(out), write_index=False, overwrite=True)
            return Path(out)
        result = df.compute()
    return result.sort_values("id").reset_index(drop=True)


# --------------------------------------------------------------------------- running

_STEPS = {
    "pandas": {"join": _pandas_join, "group": _pandas_group, "window": _pandas_window},
    "polars": {"join": _polars_join, "group": _polars_group, "window": _polars_window},
    "duckdb": {"join": _DUCKDB_JOIN, "group": _DUCKDB_GROUP, "window": _DUCKDB_WINDOW},
    "dask": {"join": _pandas_join, "group": _dask_group, "window": _dask_window},
}

_STRING_COLUMNS = ("origin", "dest", "carrier", "tailnum")
_RESULT_FILE = "result.parquet"


def import_engine(engine: str) -> None:
    """Import an engine's library (before timing it, so imports are not counted)."""
    import importlib

    modules = {
        "pandas": "pandas",
        "polars": "polars",
        "duckdb": "duckdb",
        "dask": "dask.dataframe",
    }
    check_engines([engine], parameter="engine")
    importlib.import_module(modules[engine])


def _result_file(out: str | os.PathLike[str]) -> Path:
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / _RESULT_FILE


def run_pipeline(
    engine: str,
    paths: dict[str, str],
    *,
    out: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    memory_limit_gb: float | None = None,
    temp_dir: str | None = None,
):
    """Run the pipeline with ``engine``; return its native result, or write it to ``out``.

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
        Which implementation.
    paths : dict
        The inputs, as returned by :func:`write_inputs`.
    out : path-like, optional
        A directory to write the result to as Parquet, inside the run (what a
        feature pipeline does with its result). pandas and Polars build the
        result in memory and write it; DuckDB and Dask stream it out (see
        :func:`duckdb_features`, :func:`dask_features`). Read it back with
        :func:`read_result`, compare two with :func:`compare_results`.
    threads : int, optional
        Threads for DuckDB and Dask. Polars reads its thread count once, from
        the ``POLARS_MAX_THREADS`` environment variable, before it is imported;
        pandas is single-threaded.
    memory_limit_gb : float, optional
        DuckDB's memory limit (it spills to disk past it); ignored by the
        other engines, which have no such setting.
    temp_dir : str, optional
        Where DuckDB spills and Dask shuffles.

    Returns
    -------
    pandas.DataFrame, polars.DataFrame, pyarrow.Table or pathlib.Path
        Convert a result with :func:`as_pandas` to compare; the directory
        written when ``out`` is given.
    """
    check_engines([engine], parameter="engine")
    if engine == "duckdb":
        return duckdb_features(
            paths, out=out, threads=threads, memory_limit_gb=memory_limit_gb, temp_dir=temp_dir
        )
    if engine == "dask":
        return dask_features(paths, out=out, threads=threads, temp_dir=temp_dir)
    result = pandas_features(paths) if engine == "pandas" else polars_features(paths)
    if out is None:
        return result
    target = _result_file(out)
    if engine == "pandas":
        result.to_parquet(target, index=False)
    else:
        result.write_parquet(target)
    return Path(out)


def read_result(out: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a result written by :func:`run_pipeline` (``out=``), sorted by ``id``.

    For results that fit in memory; compare large ones with :func:`compare_results`.
    """
    frame = pd.read_parquet(Path(out))
    return frame.sort_values("id", ignore_index=True)[list(OUTPUT_COLUMNS)]


def as_pandas(result: Any) -> pd.DataFrame:
    """Convert an engine's result to a pandas DataFrame with comparable dtypes.

    Strings become ``object`` columns with ``None`` for missing; every number
    becomes ``float64`` with ``NaN`` for missing.
    """
    if not isinstance(result, pd.DataFrame):
        result = result.to_pandas()
    out = {}
    for column in result.columns:
        values = result[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            out[column] = pd.to_numeric(values).astype("float64")
        else:
            out[column] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(out).reset_index(drop=True)


def assert_same_result(
    left: Any, right: Any, *, rtol: float = 1e-9, names: tuple[str, str] = ("left", "right")
) -> None:
    """Raise ``AssertionError`` unless two results have the same rows and values.

    Parameters
    ----------
    left, right : DataFrame-like
        Results of :func:`run_pipeline` (any engine).
    rtol : float, default=1e-9
        Relative tolerance for numbers (engines sum floats in different orders).
    names : tuple of str
        Labels for the message.
    """
    a, b = as_pandas(left), as_pandas(right)
    if list(a.columns) != list(b.columns):
        raise AssertionError(
            f"{names[0]} columns {list(a.columns)} != {names[1]} {list(b.columns)}"
        )
    if len(a) != len(b):
        raise AssertionError(f"{names[0]} has {len(a)} rows, {names[1]} has {len(b)}")
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype == np.float64 and y.dtype == np.float64:
            ok = np.isclose(x, y, rtol=rtol, atol=0.0, equal_nan=True)
        else:
            ok = (x.isna() & y.isna()) | (x == y)
        if not ok.all():
            row = int(np.flatnonzero(~np.asarray(ok))[0])
            raise AssertionError(
                f"column {column!r} differs in {int((~np.asarray(ok)).sum())} rows; first at "
                f"row {row} (id {a['id'].iloc[row]}): {names[0]}={x.iloc[row]!r}, "
                f"{names[1]}={y.iloc[row]!r}"
            )


def _differs(column: str, rtol: float) -> str:
    left, right = f'l."{column}"', f'r."{column}"'
    if column in _STRING_COLUMNS:
        return f"{left} IS DISTINCT FROM {right}"
    a, b = f"CAST({left} AS DOUBLE)", f"CAST({right} AS DOUBLE)"
    same = f"abs({a} - {b}) <= {rtol!r} * greatest(abs({a}), abs({b}))"
    return f"NOT (({a} IS NULL AND {b} IS NULL) OR coalesce({same}, false))"


def compare_results(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    *,
    rtol: float = 1e-9,
    memory_limit_gb: float = 2.0,
    temp_dir: str | None = None,
) -> dict[str, Any]:
    """Compare two written results row by row, joined on ``id``, without loading either.

    DuckDB joins the two Parquet results (spilling past ``memory_limit_gb``),
    so results of tens of millions of rows compare in bounded memory.

    Parameters
    ----------
    left, right : path-like
        Directories written by :func:`run_pipeline` with ``out=``.
    rtol : float, default=1e-9
        Relative tolerance for numbers.
    memory_limit_gb : float, default=2.0
    temp_dir : str, optional
        DuckDB's spill directory.

    Returns
    -------
    dict
        ``rows_left``, ``rows_right``, ``unmatched`` (ids present on one side
        only), ``differing`` (column -> rows that differ, only the columns that
        do) and ``first_id`` (column -> the smallest id where it differs).

    Examples
    --------
    >>> import tempfile
    >>> inputs = write_inputs(tempfile.mkdtemp(), rows=300)
    >>> a, b = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> _ = run_pipeline("pandas", inputs, out=a), run_pipeline("duckdb", inputs, out=b)
    >>> compare_results(a, b)["differing"]
    {}
    """
    import duckdb

    sources = [f"{Path(side)}/*.parquet" for side in (left, right)]
    _check_sql_paths(*sources)
    columns = [c for c in OUTPUT_COLUMNS if c != "id"]
    tests = ", ".join(
        f'count(*) FILTER (WHERE {_differs(c, rtol)}) AS "n_{c}", '
        f'min(coalesce(l.id, r.id)) FILTER (WHERE {_differs(c, rtol)}) AS "first_{c}"'
        for c in columns
    )
    query = (
        "SELECT count(l.id) AS rows_left, count(r.id) AS rows_right, "
        "count(*) FILTER (WHERE l.id IS NULL OR r.id IS NULL) AS unmatched, "
        f"{tests} FROM read_parquet('{sources[0]}') AS l "
        f"FULL JOIN read_parquet('{sources[1]}') AS r ON l.id = r.id"
    )
    config: dict[str, Any] = {"memory_limit": f"{memory_limit_gb:g}GB"}
    if temp_dir is not None:
        config["temp_directory"] = temp_dir
    with duckdb.connect(config=config) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    differing = {c: int(row[f"n_{c}"]) for c in columns if row[f"n_{c}"]}
    return {
        "rows_left": int(row["rows_left"]),
        "rows_right": int(row["rows_right"]),
        "unmatched": int(row["unmatched"]),
        "differing": differing,
        "first_id": {c: int(row[f"first_{c}"]) for c in differing},
    }


def compared_results(
    left: str, right: str, *, memory_limit_gb: float = 2.0, temp_dir: str | None = None
) -> list[dict[str, Any]]:
    """:func:`compare_results` as a child process's task (see :mod:`mlstack.benchmarks.child_process`)."""
    found = compare_results(left, right, memory_limit_gb=memory_limit_gb, temp_dir=temp_dir)
    return [{"task": "compare", **found}]


def assert_same_written(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    *,
    names: tuple[str, str] = ("left", "right"),
    **options: Any,
) -> dict[str, Any]:
    """Raise ``AssertionError`` unless two written results hold the same rows and values.

    Parameters
    ----------
    left, right : path-like
        Directories written by :func:`run_pipeline` with ``out=``.
    names : tuple of str
        Labels for the message.
    **options
        Passed to :func:`compare_results` (``rtol``, ``memory_limit_gb``, ``temp_dir``).

    Returns
    -------
    dict
        The comparison, when the results agree.
    """
    found = compare_results(left, right, **options)
    if found["unmatched"] or found["rows_left"] != found["rows_right"]:
        raise AssertionError(
            f"{names[0]} has {found['rows_left']:,} rows, {names[1]} {found['rows_right']:,}; "
            f"{found['unmatched']:,} ids are on one side only"
        )
    if found["differing"]:
        shown = "; ".join(
            f"column {c!r} differs in {n:,} rows, first at id {found['first_id'][c]}"
            for c, n in found["differing"].items()
        )
        raise AssertionError(f"{names[0]} and {names[1]}: {shown}")
    return found


def step_source(engine: str, step: str) -> str:
    """Return the source of one pipeline step in one engine, for side-by-side reading.

    Parameters
    ----------
    engine : {"pandas", "polars", "duckdb", "dask"}
    step : {"join", "group", "window"}

    Returns
    -------
    str
        Python source, or the SQL fragment for DuckDB.
    """
    part = _STEPS[engine][step]
    return part.strip() if isinstance(part, str) else inspect.getsource(part).strip()


def _written_rows(out: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in sorted(out.glob("*.parquet")))


def timed_pipeline(
    engine: str,
    paths: dict[str, str],
    *,
    out: str,
    threads: int | None = None,
    memory_limit_gb: float | None = None,
    temp_dir: str | None = None,
    repeat: int = 5,
) -> list[dict[str, Any]]:
    """Time the pipeline, input files to written result, ``repeat`` times.

    Meant for a child process (see :mod:`mlstack.benchmarks.child_process`): the
    engine's library is imported first, so the times exclude the import.

    Parameters
    ----------
    engine : str
    paths : dict
        The inputs, as returned by :func:`write_inputs`.
    out : str
        The directory the result is written to; each repeat starts without it
        and the last one's result stays there (to compare the engines).
    threads, memory_limit_gb, temp_dir : optional
        As in :func:`run_pipeline`.
    repeat : int, default=5
        Runs; every time is kept.

    Returns
    -------
    list of dict
        One ``pipeline`` record: the timing (``repeat``, ``times``,
        ``median``, ``best``, ``worst``; see :class:`mlstack.utils.timing.Timing`)
        and ``rows_out``, the rows written.
    """
    import shutil

    from mlstack.utils.timing import time_repeats

    import_engine(engine)  # so that the time excludes importing the library
    target = Path(out)
    timing = time_repeats(
        lambda: run_pipeline(
            engine,
            paths,
            out=target,
            threads=threads,
            memory_limit_gb=memory_limit_gb,
            temp_dir=temp_dir,
        ),
        repeat=repeat,
        before=lambda: shutil.rmtree(target, ignore_errors=True),
    )
    return [{"task": "pipeline", **timing.as_record(), "rows_out": _written_rows(target)}]
