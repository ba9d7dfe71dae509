"""The four implementations of the flights pipeline agree, row for row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlstack.benchmarks import frames_pipeline as frames
from mlstack.errors import InputError


@pytest.fixture(scope="module")
def smoke_inputs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("frames") / "x2"
    return frames.write_inputs(directory, rows=1500, scale=2)


@pytest.fixture(scope="module")
def results(smoke_inputs):
    return {engine: frames.run_pipeline(engine, smoke_inputs) for engine in frames.ENGINES}


@pytest.mark.parametrize("engine", ["polars", "duckdb", "dask"], ids=["polars", "duckdb", "dask"])
def test_engine_matches_pandas(results, engine):
    frames.assert_same_result(results["pandas"], results[engine], names=("pandas", engine))


def test_result_shape_and_order(results):
    reference = frames.as_pandas(results["pandas"])
    assert list(reference.columns) == list(frames.OUTPUT_COLUMNS)
    assert len(reference) == 3000
    assert (reference["id"].to_numpy() == np.arange(3000)).all()
    # the features are not trivially empty
    for column in ("temp", "seats", "route_hour_flights", "tail_seq", "prev_gap_min"):
        assert reference[column].notna().mean() > 0.2, column


def test_replicas_vary_the_keys(smoke_inputs):
    flights = pd.read_parquet(smoke_inputs["flights"].rsplit("/", 1)[0])
    planes = pd.read_parquet(smoke_inputs["planes"])
    assert len(flights) == 3000
    assert flights["id"].is_unique
    copy = flights[flights["id"] >= 1500]
    assert copy["dest"].str.endswith("-1").all()
    assert copy["tailnum"].dropna().str.endswith("-1").all()
    assert planes["tailnum"].str.endswith("-1").sum() == len(planes) // 2


def _tiny_tables():
    """Four flights of one aircraft (two at the same minute), one without a tail number."""
    times = pd.to_datetime(
        ["2013-01-01 06:00", "2013-01-01 06:00", "2013-01-01 20:00", "2013-01-02 06:00"]
        + ["2013-01-01 07:00"]
    )
    flights = pd.DataFrame(
        {
            "id": np.arange(5, dtype="int64"),
            "year": np.full(5, 2013, dtype="int64"),
            "hour": times.hour.astype("int64"),
            "sched_dep": times.astype("datetime64[us]"),
            "time_hour": times.floor("h").tz_localize("UTC").astype("datetime64[us, UTC]"),
            "carrier": pd.array(["AA", "AA", "UA", "AA", "DL"], dtype="str"),
            "tailnum": pd.array(["N1", "N1", "N1", "N1", None], dtype="str"),
            "origin": pd.array(["JFK"] * 5, dtype="str"),
            "dest": pd.array(["BOS", "BOS", "BOS", "BOS", "MIA"], dtype="str"),
            "distance": np.full(5, 187, dtype="int64"),
        }
    )
    weather = pd.DataFrame(
        {
            "origin": pd.array(["JFK"], dtype="str"),
            "time_hour": pd.to_datetime(["2013-01-01 06:00"], utc=True).astype(
                "datetime64[us, UTC]"
            ),
            "temp": [30.0],
            "wind_speed": [10.0],
            "precip": [0.0],
            "visib": [10.0],
        }
    )
    planes = pd.DataFrame(
        {"tailnum": pd.array(["N1"], dtype="str"), "plane_year": [2003.0], "seats": [150.0]}
    )
    return {"flights": flights, "weather": weather, "planes": planes}


def test_window_features_on_ties_and_missing_tail_numbers(tmp_path):
    paths = frames.write_inputs(tmp_path / "tiny", tables=_tiny_tables())
    expected = pd.DataFrame(
        {
            "tail_seq": [1.0, 2.0, 3.0, 4.0, np.nan],
            "prev_gap_min": [np.nan, 0.0, 840.0, 600.0, np.nan],
            # flights at the same minute see each other; the window is [t - 24h, t]
            "tail_flights_24h": [1.0, 1.0, 2.0, 3.0, np.nan],
            "route_hour_flights": [3.0, 3.0, 1.0, 3.0, 1.0],
            "route_hour_carriers": [1.0, 1.0, 1.0, 1.0, 1.0],
            "origin_slot_departures": [2.0, 2.0, 1.0, 1.0, 1.0],
            "plane_age": [10.0, 10.0, 10.0, 10.0, np.nan],
            "temp": [30.0, 30.0, np.nan, np.nan, np.nan],
        }
    )
    for engine in frames.ENGINES:
        result = frames.as_pandas(frames.run_pipeline(engine, paths))
        pd.testing.assert_frame_equal(
            result[expected.columns], expected, check_names=True, obj=engine
        )


def test_assert_same_result_names_the_column():
    left = pd.DataFrame({"id": [0, 1], "x": [1.0, 2.0]})
    right = pd.DataFrame({"id": [0, 1], "x": [1.0, 2.5]})
    with pytest.raises(AssertionError, match="column 'x' differs in 1 rows"):
        frames.assert_same_result(left, right)
    frames.assert_same_result(left, right.assign(x=[1.0, 2.0 + 1e-12]))


def test_unknown_engine_is_an_input_error(smoke_inputs):
    with pytest.raises(InputError, match=r"unknown engines \['spark'\]"):
        frames.run_pipeline("spark", smoke_inputs)


@pytest.fixture(scope="module")
def written(smoke_inputs, tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    return {
        engine: frames.run_pipeline(engine, smoke_inputs, out=root / engine)
        for engine in frames.ENGINES
    }


@pytest.mark.parametrize("engine", frames.ENGINES, ids=frames.ENGINES)
def test_written_result_equals_the_returned_one(smoke_inputs, results, written, engine):
    frames.assert_same_result(results["pandas"], frames.read_result(written[engine]))
    assert frames.compare_results(written["pandas"], written[engine])["differing"] == {}


def test_dask_writes_one_file_per_partition(written):
    assert len(list(written["dask"].glob("*.parquet"))) >= 2


def test_compare_results_finds_a_changed_value_and_a_missing_row(written, tmp_path):
    frame = frames.read_result(written["pandas"])
    changed = frame.assign(seats=frame["seats"] * (1 + 1e-6)).iloc[:-1]
    (tmp_path / "changed").mkdir()
    changed.to_parquet(tmp_path / "changed" / "result.parquet")
    found = frames.compare_results(written["pandas"], tmp_path / "changed")
    assert found["unmatched"] == 1
    assert found["rows_left"] == len(frame) and found["rows_right"] == len(frame) - 1
    assert found["differing"]["seats"] == int(frame["seats"].iloc[:-1].notna().sum())
    with pytest.raises(AssertionError, match="ids are on one side only"):
        frames.assert_same_written(written["pandas"], tmp_path / "changed")


def test_compare_results_tolerates_rounding(written, tmp_path):
    frame = frames.read_result(written["pandas"])
    nudged = frame.assign(route_hour_mean_seats=frame["route_hour_mean_seats"] * (1 + 1e-12))
    (tmp_path / "nudged").mkdir()
    nudged.to_parquet(tmp_path / "nudged" / "result.parquet")
    frames.assert_same_written(written["pandas"], tmp_path / "nudged")


def test_timed_pipeline_keeps_every_repeat(smoke_inputs, tmp_path):
    (record,) = frames.timed_pipeline("polars", smoke_inputs, out=str(tmp_path / "p"), repeat=3)
    assert record["repeat"] == 3 and len(record["times"]) == 3
    assert record["best"] <= record["median"] <= record["worst"]
    assert record["rows_out"] == 3000


@pytest.mark.parametrize("scale", [0, -1], ids=["zero", "negative"])
def test_scale_must_be_positive(tmp_path, scale):
    with pytest.raises(InputError, match="scale must be a positive integer"):
        frames.write_inputs(tmp_path, scale=scale)


@pytest.mark.parametrize("step", ["join", "group", "window"], ids=["join", "group", "window"])
def test_step_source_shows_each_engine(step):
    for engine in frames.ENGINES:
        text = frames.step_source(engine, step)
        assert text and "\n" in text
