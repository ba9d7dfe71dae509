"""The frames benchmark: child records, failures, and a smoke run."""

from __future__ import annotations

import json

import pytest

from mlstack.benchmarks import frames_bench as framesbench
from mlstack.benchmarks.child_process import ChildResult
from mlstack.errors import InputError
from mlstack.utils.machine import machine_facts


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


def _record(engine, rows, median, study="pipeline", task="pipeline"):
    times = [median, median]
    return {
        "study": study,
        "task": task,
        "engine": engine,
        "variant": "",
        "rows": rows,
        "scale": rows // 1000,
        "status": "ok",
        "repeat": 2,
        "times": times,
        "median": median,
        "best": median,
        "worst": median,
        "peak_rss_mb": 1.0,
    }


def test_merge_records_replaces_in_place_and_appends_what_is_new():
    committed = [
        _record("pandas", 1000, 1.0),
        _record("polars", 1000, 0.5),
        _record("pandas", 1000, 2.0, study="groupby", task="q1"),
    ]
    measured = [_record("polars", 1000, 0.4), _record("polars", 100_000, 9.0)]
    merged = framesbench.merge_records(committed, measured)
    assert [(r["engine"], r["rows"], r["median"]) for r in merged] == [
        ("pandas", 1000, 1.0),
        ("polars", 1000, 0.4),
        ("pandas", 1000, 2.0),
        ("polars", 100_000, 9.0),
    ]


def _fake_measurements(monkeypatch, measured):
    monkeypatch.setattr(framesbench, "measure_pipeline", lambda *a, **k: list(measured))
    monkeypatch.setattr(framesbench, "write_outputs", lambda payload, out: None)


def test_update_keeps_what_it_does_not_measure_and_names_both_commands(monkeypatch, tmp_path):
    machine = {**machine_facts(framesbench.ENGINE_PACKAGES), "mem_limit_gb": 10.0}
    first = {
        "command": "mlstack bench frames",
        "machine": machine,
        "records": [_record("pandas", 336_776, 1.0), _record("polars", 33_677_600, 60.0)],
    }
    (tmp_path / "timings").mkdir()
    (tmp_path / "timings" / "frames.json").write_text(json.dumps(first))
    _fake_measurements(monkeypatch, [_record("polars", 33_677_600, 30.0)])
    framesbench.run_frames_bench(
        scales=[100],
        groupby=False,
        studies=False,
        update=True,
        out=tmp_path,
        command="mlstack bench frames --scales 100 --update",
        log=lambda line: None,
    )
    saved = json.loads((tmp_path / "timings" / "frames.json").read_text())
    assert [r["median"] for r in saved["records"]] == [1.0, 30.0]
    assert saved["command"] == (
        "mlstack bench frames, then mlstack bench frames --scales 100 --update"
    )


@pytest.mark.parametrize("problem", ["missing", "single-shot", "other versions"])
def test_update_refuses_a_run_it_cannot_complete(problem, monkeypatch, tmp_path):
    machine = {**machine_facts(framesbench.ENGINE_PACKAGES), "mem_limit_gb": 10.0}
    record = _record("pandas", 336_776, 1.0)
    if problem == "single-shot":
        del record["times"]
    if problem == "other versions":
        machine["polars"] = "0.1.0"
    if problem != "missing":
        (tmp_path / "timings").mkdir()
        payload = {"command": "c", "machine": machine, "records": [record]}
        (tmp_path / "timings" / "frames.json").write_text(json.dumps(payload))
    _fake_measurements(monkeypatch, [])
    with pytest.raises(InputError, match="frames.json"):
        framesbench.run_frames_bench(scales=[1], update=True, out=tmp_path, log=lambda line: None)
