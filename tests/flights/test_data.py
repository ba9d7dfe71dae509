import pandas as pd
import pytest

from mlstack.errors import DataError
from mlstack.flights import data


def test_load_flights_has_proper_dtypes_and_all_rows(scratch_dirs):
    flights = data.load_flights()
    assert len(flights) == 336_776
    for column in ("carrier", "origin", "dest", "tailnum"):
        assert isinstance(flights[column].dtype, pd.CategoricalDtype), column
    assert flights["sched_dep"].dtype.kind == "M"
    first = flights.iloc[0]
    assert first["sched_dep"] == pd.Timestamp(2013, 1, 1, 5, 15)
    # the label is missing exactly where there is no arrival delay
    assert (flights["late"].isna() == flights["arr_delay"].isna()).all()


@pytest.mark.parametrize(
    "join", [("weather",), ("planes",), ("airports",), ("weather", "planes", "airports")], ids=str
)
def test_joins_keep_every_flight_in_order(scratch_dirs, join):
    base = data.load_flights()
    joined = data.load_flights(join=join)
    assert len(joined) == len(base)
    pd.testing.assert_series_equal(joined["sched_dep"], base["sched_dep"])


def test_weather_join_matches_origin_and_hour(scratch_dirs):
    flights = data.load_flights(join=("weather",))
    weather = data.load_table("weather")
    row = flights.dropna(subset=["temp"]).iloc[1000]
    match = weather[
        (weather["origin"] == row["origin"]) & (weather["time_hour"] == row["time_hour"])
    ]
    assert match["temp"].item() == row["temp"]


def test_task_frame_excludes_leaky_columns_unless_asked(scratch_dirs):
    X, y = data.task_frame(sample=2000)
    leaky = set(data.columns_with_role("post_departure", "target"))
    assert not leaky & set(X.columns)
    assert y.dtype == bool and len(X) == len(y) == 2000
    assert X["sched_dep"].is_monotonic_increasing
    X_leaky, _ = data.task_frame(sample=2000, include_leaky=True)
    assert {"dep_delay", "dep_time"} <= set(X_leaky.columns)


def test_unknown_table_is_a_data_error(scratch_dirs):
    with pytest.raises(DataError, match="unknown table 'flight'"):
        data.load_table("flight")


def test_unknown_join_is_a_data_error(scratch_dirs):
    with pytest.raises(DataError, match="cannot join"):
        data.load_flights(join=("plane",))


def test_corrupt_cache_is_reported_and_rebuilt(scratch_dirs, capsys):
    expected = data.load_table("airlines")
    (cache,) = scratch_dirs["data"].glob("airlines-*.parquet")
    cache.write_bytes(b"not parquet")
    again = data.load_table("airlines")
    pd.testing.assert_frame_equal(again, expected)
    assert capsys.readouterr().err.startswith("error: data cache")
    assert pd.read_parquet(cache).shape == expected.shape


def test_fingerprint_is_stable_and_short():
    assert data.data_fingerprint() == data.data_fingerprint()
    assert len(data.data_fingerprint()) == 16
    assert data.data_fingerprint(("planes",)) != data.data_fingerprint(("weather",))


def test_every_returned_column_has_a_role(scratch_dirs):
    flights = data.load_flights(join=("weather", "planes", "airports"))
    assert set(flights.columns) <= set(data.COLUMN_ROLES)
