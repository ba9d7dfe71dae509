"""The frames benchmark: child records, failures, and a smoke run."""

from __future__ import annotations

import json

import pytest

from mlstack.benchmarks import frames_bench as framesbench
from mlstack.benchmarks.child_process import ChildResult
from mlstack.errors import InputError


def test_a_failed_child_still_gives_a_record_without_times():
    failed = ChildResult("failed: out of memory", [], 10_300.0, 12.0, "stopped by the watchdog")
    (record,) = framesbench._records(failed, ["pipeline"], {"engine": "pandas", "rows": 10})
    assert record["status"] == "failed: out of memory"
    assert record["repeat"] == 0 and record["times"] == [] and record["median"] is None
    assert record["peak_rss_mb"] == 10_300.0
    assert record["detail"] == "stopped by the watchdog"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engines": ["spark"]}, r"unknown engines \['spark'\]"),
        ({"rows": 10}, "rows must be at least 1000"),
        ({"scales": [0]}, "scales must be positive"),
        ({"repeat": 0}, "repeat must be at least 1"),
    ],
    ids=["engine", "rows", "scales", "repeat"],
)
def test_bad_arguments_are_input_errors(kwargs, message, tmp_path):
    with pytest.raises(InputError, match=message):
        framesbench.run_frames_bench(**{"rows": 5000, **kwargs}, out=tmp_path)


@pytest.mark.slow
def test_measure_pipeline_checks_every_result_against_the_reference():
    records = framesbench.measure_pipeline(
        ["pandas", "polars", "duckdb", "dask"], rows=800, repeat=2, isolate=False
    )
    assert [r["engine"] for r in records] == ["pandas", "polars", "duckdb", "dask"]
    assert all(r["repeat"] == 2 and len(r["times"]) == 2 for r in records)
    assert [r.get("same_result") for r in records] == [None, True, True, True]
    assert {r.get("same_as") for r in records[1:]} == {"pandas"}


@pytest.mark.slow
def test_bench_frames_smoke(tmp_path):
    from mlstack.cli import main

    argv = ["bench", "frames", "--rows", "2000", "--scales", "1", "--engines", "pandas,duckdb"]
    status = main([*argv, "--repeat", "2", "--no-studies", "--out", str(tmp_path)])
    assert status == 0
    saved = json.loads((tmp_path / "timings" / "frames.json").read_text())
    records = saved["records"]
    assert {r["engine"] for r in records} == {"pandas", "duckdb"}
    assert all(r["status"] == "ok" for r in records)
    assert all(r["repeat"] == 2 and len(r["times"]) == 2 for r in records if r["task"] != "load")
    assert {"engine", "task", "rows", "times", "median", "peak_rss_mb"} <= set(records[0])
    assert "--rows 2000" in saved["command"]
    assert (tmp_path / "frames_bench.md").read_text().startswith("# ")
    assert (tmp_path / "frames_bench_files" / "time_vs_rows.png").stat().st_size > 1000
