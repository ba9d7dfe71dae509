import pandas as pd
import pytest

from mlstack.errors import DataError, InputError
from mlstack.flights import data, policy


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
    leaky = set(policy.columns_with_role("post_departure", "target"))
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
    assert set(flights.columns) <= set(policy.COLUMN_ROLES)


@pytest.mark.parametrize(
    ("period", "months"),
    [("development", set(range(1, 11))), ("test", {11, 12}), ("all", set(range(1, 13)))],
    ids=["development", "test", "all"],
)
def test_task_frame_returns_the_months_of_its_period(scratch_dirs, period, months):
    X, y = data.task_frame(join=(), period=period)
    assert set(X["month"].unique()) == months
    assert len(X) == len(y) and X["sched_dep"].is_monotonic_increasing


def test_the_test_months_come_only_when_asked_for(scratch_dirs):
    development, _ = data.task_frame(join=())
    everything, _ = data.task_frame(join=(), period="all")
    assert development["month"].max() == 10
    assert len(development) == (everything["month"] <= 10).sum() == 273_355
    assert data.load_flights(period="test")["month"].min() == 11


def test_unknown_period_names_the_parameter(scratch_dirs):
    with pytest.raises(InputError, match="unknown period 'autumn'") as info:
        data.task_frame(join=(), period="autumn")
    assert info.value.parameter == "period"


def test_task_data_has_every_policy_feature_and_counts_the_whole_schedule(scratch_dirs):
    X, y = data.task_data(sample=800, random_state=1)
    assert set(policy.FEATURES) <= set(X.columns)
    assert len(X) == len(y) == 800 and X["month"].max() <= 10
    # a sample still sees how busy each hour was: counts exceed the sampled flights
    assert X["origin_day_flights"].mean() > 100
