"""Tests for mlstack.flights.features: each vectorized builder against a plain loop."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlstack.errors import InputError
from mlstack.flights import data, features

AIRPORTS = pd.DataFrame(
    {
        "faa": ["JFK", "LGA", "EWR", "LAX", "ORD", "SFO"],
        "lat": [40.639751, 40.777245, 40.6925, 33.942536, 41.978603, 37.618972],
        "lon": [-73.778925, -73.872608, -74.168667, -118.408075, -87.904842, -122.374889],
    }
)


def _flights(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A small random flights table with the columns the builders need."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2013-01-01T05:00")
    minutes = np.sort(rng.choice(3 * 24 * 60, size=n, replace=False))
    sched_dep = pd.Series(start + minutes.astype("timedelta64[m]"))
    tailnum = rng.choice(["N1", "N2", "N3", None], size=n, p=[0.3, 0.3, 0.3, 0.1])
    delay = rng.normal(5, 30, size=n)
    delay[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "origin": pd.Categorical(rng.choice(["JFK", "LGA", "EWR"], size=n)),
            "dest": pd.Categorical(rng.choice(["LAX", "ORD", "SFO", "SJU"], size=n)),
            "tailnum": pd.Categorical(tailnum),
            "sched_dep": sched_dep,
            "hour": sched_dep.dt.hour.astype("int16"),
            "arr_delay": delay,
        }
    ).sample(frac=1, random_state=seed)  # builders must not rely on row order


@pytest.mark.parametrize(
    ("origin", "dest", "expected_km"),
    [("JFK", "LAX", 3983), ("LGA", "ORD", 1180), ("EWR", "SFO", 4128)],
    ids=["JFK-LAX", "LGA-ORD", "EWR-SFO"],
)
def test_haversine_matches_known_distances(origin, dest, expected_km):
    # expected: the distances the flights table records (miles -> km, ellipsoidal);
    # the spherical formula stays within 0.5% of them.
    coords = AIRPORTS.set_index("faa")
    km = features.haversine_km(*coords.loc[origin], *coords.loc[dest])
    assert km == pytest.approx(expected_km, rel=5e-3)


def test_haversine_vectorized_equals_scalar_loop():
    rng = np.random.default_rng(1)
    lat1, lat2 = rng.uniform(-90, 90, (2, 500))
    lon1, lon2 = rng.uniform(-180, 180, (2, 500))
    loop = [
        features.haversine_km_scalar(*args) for args in zip(lat1, lon1, lat2, lon2, strict=True)
    ]
    np.testing.assert_allclose(features.haversine_km(lat1, lon1, lat2, lon2), loop, rtol=1e-12)


def test_haversine_broadcasts_to_a_distance_matrix():
    lat, lon = AIRPORTS["lat"].to_numpy(), AIRPORTS["lon"].to_numpy()
    matrix = features.haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    assert matrix.shape == (6, 6)
    np.testing.assert_allclose(np.diag(matrix), 0.0, atol=1e-9)
    np.testing.assert_allclose(matrix, matrix.T)
    # antipodes are half the circumference apart
    assert features.haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * features.EARTH_RADIUS_KM)


def test_route_distance_km_per_flight_and_missing_airport():
    flights = _flights()
    result = features.route_distance_km(flights, AIRPORTS)
    coords = AIRPORTS.set_index("faa")
    expected = [
        features.haversine_km_scalar(*coords.loc[o], *coords.loc[d])
        if d in coords.index
        else np.nan
        for o, d in zip(flights["origin"], flights["dest"], strict=True)
    ]
    assert result.index.equals(flights.index)
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12)
    assert result[flights["dest"] == "SJU"].isna().all()


def test_route_distance_km_names_missing_column():
    with pytest.raises(InputError, match=r"route_distance_km needs column\(s\) \['dest'\]"):
        features.route_distance_km(pd.DataFrame({"origin": ["JFK"]}), AIRPORTS)


@pytest.mark.parametrize("minutes", [0, 15, 30, 90], ids=["0min", "15min", "30min", "90min"])
def test_departures_within_equals_pairwise_count(minutes):
    flights = _flights(seed=2)
    result = features.departures_within(flights["sched_dep"], flights["origin"], minutes)
    t = flights["sched_dep"].to_numpy()
    g = flights["origin"].to_numpy()
    expected = [
        int(((g == g[i]) & (np.abs(t - t[i]) <= np.timedelta64(minutes, "m"))).sum()) - 1
        for i in range(len(t))
    ]
    assert result.index.equals(flights.index)
    np.testing.assert_array_equal(result.to_numpy(), expected)


def test_departures_within_skips_missing_groups_and_handles_timezones():
    times = pd.Series(pd.to_datetime(["2013-01-01 06:00"] * 3).tz_localize("UTC"))
    groups = pd.Series(["JFK", None, "JFK"])
    result = features.departures_within(times, groups, 30)
    assert result.tolist()[0] == 1 and math.isnan(result[1]) and result[2] == 1


def test_departures_within_rejects_length_mismatch():
    with pytest.raises(InputError, match="times has 2 rows but groups has 1"):
        features.departures_within(pd.Series(pd.to_datetime(["2013-01-01"] * 2)), pd.Series(["a"]))


def test_leg_of_day_counts_each_aircraft_per_day():
    flights = _flights(seed=3)
    result = features.leg_of_day(flights)
    day = flights["sched_dep"].dt.normalize()
    for i in flights.index:
        tail = flights.at[i, "tailnum"]
        if pd.isna(tail):
            assert math.isnan(result[i])
            continue
        same = (flights["tailnum"] == tail) & (day == day[i])
        earlier = same & (flights["sched_dep"] < flights.at[i, "sched_dep"])
        assert result[i] == earlier.sum() + 1


def test_prior_days_mean_uses_only_earlier_days():
    flights = _flights(seed=4)
    result = features.prior_days_mean(flights, ["origin", "dest", "hour"], "arr_delay")
    day = flights["sched_dep"].dt.normalize()
    for i in flights.index:
        row = flights.loc[i]
        prior = (
            (flights["origin"] == row["origin"])
            & (flights["dest"] == row["dest"])
            & (flights["hour"] == row["hour"])
            & (day < day[i])
        )
        values = flights.loc[prior, "arr_delay"].dropna()
        expected = values.mean() if len(values) else np.nan
        np.testing.assert_allclose(result[i], expected, rtol=1e-12)
    assert result.notna().sum() > 0  # the data has repeated route-hours


def test_build_flight_features_columns_and_alignment():
    flights = _flights(seed=5)
    result = features.build_flight_features(flights, AIRPORTS)
    assert list(result.columns) == list(features.FEATURE_COLUMNS)
    assert result.index.equals(flights.index)
    assert (result.dtypes == np.float64).all()
    pd.testing.assert_series_equal(
        result["route_km"], features.route_distance_km(flights, AIRPORTS)
    )


def test_build_flight_features_names_missing_columns():
    flights = _flights().drop(columns=["tailnum", "arr_delay"])
    with pytest.raises(InputError, match=r"\['tailnum', 'arr_delay'\]"):
        features.build_flight_features(flights, AIRPORTS)


def test_route_coordinates_gathers_each_airport():
    flights = pd.DataFrame({"origin": ["JFK", "EWR", "JFK"], "dest": ["SFO", "SJU", "LAX"]})
    coords = features.route_coordinates(flights, AIRPORTS)
    assert list(coords.columns) == ["origin_lat", "origin_lon", "dest_lat", "dest_lon"]
    assert coords["origin_lat"].tolist() == [40.639751, 40.6925, 40.639751]
    assert coords.loc[2, "dest_lon"] == -118.408075
    assert coords.loc[1, ["dest_lat", "dest_lon"]].isna().all()


def test_schedule_features_count_cancelled_flights_too():
    when = pd.to_datetime(["2013-01-01 05:00", "2013-01-01 05:10", "2013-01-02 05:00"])
    schedule = pd.DataFrame(
        {"origin": ["JFK", "JFK", "JFK"], "sched_dep": when, "time_hour": when.floor("h")}
    )
    arrived = schedule.iloc[[0, 2]]  # the 05:10 flight was cancelled
    out = data.add_schedule_features(arrived, schedule)
    assert out["origin_hour_flights"].tolist() == [2, 1]
    assert out["origin_day_flights"].tolist() == [2, 1]
    assert list(out.index) == [0, 2]
