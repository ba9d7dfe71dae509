"""The large-CSV benchmark: the generator, the aggregation, and a smoke run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mlstack.benchmarks import csv_bench as csvbench


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "flights.csv"
    return csvbench.generate_csv(0.002, path, progress=False)


def test_generated_csv_has_the_flights_schema(small_csv):
    frame = pd.read_csv(small_csv)
    assert tuple(frame.columns) == csvbench.CSV_COLUMNS
    assert 1.5e6 < small_csv.stat().st_size < 2.5e6
    assert frame["time_hour"].iloc[0] == "2013-01-01 10:00:00"


def test_copies_get_their_own_tail_numbers(tmp_path):
    # just over one copy of the real table: the second copy starts with suffixed tail numbers
    path = csvbench.generate_csv(0.034, tmp_path / "two.csv", progress=False)
    frame = pd.read_csv(path, usecols=["tailnum"])
    assert len(frame) > 336_776
    assert frame["tailnum"].iloc[336_776:].dropna().str.endswith("-1").all()


@pytest.mark.parametrize(
    ("engine", "mode"), csvbench.MODES, ids=[f"{e}-{m}" for e, m in csvbench.MODES]
)
def test_every_engine_gives_the_reference_result(small_csv, engine, mode):
    reference = csvbench.aggregate_frame(
        pd.read_csv(
            small_csv, usecols=[*csvbench.GROUP_KEYS, "dep_delay", "arr_delay", "distance"]
        )
    )
    (record,) = csvbench.timed_aggregate(
        engine,
        mode,
        str(small_csv),
        repeat=2,
        chunk_rows=5000,
        result_path=str(small_csv) + f".{engine}",
    )
    result = pd.read_parquet(str(small_csv) + f".{engine}")
    assert csvbench.same_result(reference, result)
    assert record["rows"] == len(pd.read_csv(small_csv, usecols=["year"]))
    assert record["repeat"] == 2 and len(record["times"]) == 2


def test_same_result_spots_a_difference():
    frame = csvbench.aggregate_frame(
        pd.DataFrame(
            {
                "origin": ["JFK", "LGA"],
                "dest": ["BOS", "BOS"],
                "carrier": ["B6", "DL"],
                "month": [1, 1],
                "dep_delay": [1.0, None],
                "arr_delay": [20.0, 5.0],
                "distance": [187.0, 184.0],
            }
        )
    )
    assert csvbench.same_result(frame, frame.copy())
    assert not csvbench.same_result(frame, frame.assign(late_share=[1.0, 0.5]))


def _payload(csv_times, parquet_times, convert=10.0):
    def record(engine, mode, task, times):
        return {
            "engine": engine,
            "mode": mode,
            "task": task,
            "times": times,
            "peak_rss_mb": 300.0,
            "status": "ok",
        }

    records = [record("duckdb", "convert", "convert", [convert])]
    records += [record("duckdb", "spilling", "csv", csv_times)]
    records += [record("duckdb", "spilling", "parquet", parquet_times)]
    return {"records": records}


def test_parquet_pays_back_only_a_distinguishable_gain():
    gain = csvbench.parquet_gains(_payload([5.0, 5.1, 5.2], [1.0, 1.1, 1.0]))
    assert gain[("duckdb", "spilling")]["payback"] == 3  # 10 s / 4.1 s saved per query
    noise = csvbench.parquet_gains(_payload([5.0, 5.1, 5.2], [5.1, 4.9, 5.0]))
    assert noise[("duckdb", "spilling")]["payback"] is None
    assert not noise[("duckdb", "spilling")]["ratio"].distinguishable


def test_unknown_engine_is_an_input_error(tmp_path):
    from mlstack.errors import InputError

    with pytest.raises(InputError, match=r"unknown engines \['spark'\]"):
        csvbench.run_csv_bench(0.001, engines=["spark"], directory=tmp_path, write_report=False)


@pytest.mark.slow
def test_bench_csv_smoke(tmp_path):
    payload = csvbench.run_csv_bench(
        0.01,
        repeat=2,
        out=tmp_path,
        directory=tmp_path / "data",
        progress=False,
        log=lambda line: None,
    )
    records = payload["records"]
    assert all(r["repeat"] == 2 for r in records if r["task"] != "convert")
    assert [r["task"] for r in records].count("csv") == len(csvbench.MODES)
    assert [r["task"] for r in records].count("parquet") == len(csvbench.MODES)
    assert all(r["status"] == "ok" for r in records)
    assert all(r["same_result"] for r in records if r["task"] != "convert")
    saved = json.loads((tmp_path / "timings" / "csv_bench.json").read_text())
    assert saved["command"] == "mlstack bench csv --size-gb 0.01"
    report = (tmp_path / "csv_bench.md").read_text()
    assert "Converting the CSV to Parquet (DuckDB" in report
    assert not (tmp_path / "data" / "flights-0.01gb.csv").exists()  # deleted afterwards
