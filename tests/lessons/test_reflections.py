"""The reflections are written from the numbers they are given."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mlstack.lessons import reflections


def _pipeline(
    engine, rows, seconds, peak=100.0, study="pipeline", variant="", task="pipeline", threads=2
):
    return {
        "engine": engine,
        "task": task,
        "rows": rows,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "status": "ok" if seconds is not None else "failed: out of memory",
        "study": study,
        "variant": variant,
        "threads": threads,
        "loadavg_1m": 3.5,
    }


@pytest.fixture
def live():
    return [
        _pipeline("pandas", 1000, 2.0),
        _pipeline("polars", 1000, 0.5),
        _pipeline("duckdb", 1000, 1.0),
        _pipeline("dask", 1000, 8.0),
    ]


@pytest.fixture
def full(live):
    records = [dict(r, rows=10_000, seconds=r["seconds"] * 10) for r in live]
    records.append(_pipeline("pandas", 100_000, None, peak=10_300.0))
    for engine, seconds in (("pandas", 1.0), ("polars", 0.2), ("duckdb", 0.25), ("dask", 3.0)):
        records += [
            _pipeline(engine, 10**7, seconds, study="groupby", task=q) for q in ("q1", "q2")
        ]
    for engine, one, two in (("polars", 0.3, 0.2), ("duckdb", 0.4, 0.25)):
        for threads, seconds in ((1, one), (2, two)):
            variant = f"threads={threads}"
            records.append(
                _pipeline(
                    engine,
                    10**7,
                    seconds,
                    study="threads",
                    variant=variant,
                    task="q1",
                    threads=threads,
                )
            )
    return {"records": records, "machine": {"cpu_count": 2}}


def _lines():
    return pd.DataFrame(
        {"join": [4, 5, 7, 4], "group": [9, 8, 8, 10], "window": [10, 16, 14, 11]},
        index=pd.Index(["pandas", "polars", "duckdb", "dask"], name="engine"),
    )


def _check_prose(text):
    assert "{" not in text and "}" not in text  # no unfilled template
    assert "nan" not in text.lower().split()


def test_k2_quotes_the_measured_numbers(live, full):
    title, body = reflections.k2_speed_ergonomics(
        live, full, lines=_lines(), n_rows=1000, n_columns=19, cores=2
    )
    _check_prose(body)
    assert "K2" in title
    assert "Polars was 4.0x faster than pandas" in body
    assert "Polars was 4.0x and DuckDB 2.0x" in body  # the full run at 10,000 rows
    assert "At 100,000 rows, under a 10 GiB cap, no engine finished; pandas ran out" in body
    assert "Polars 5.0x and DuckDB 4.0x" in body  # group-bys
    assert "Polars only 1.50x and DuckDB 1.60x" in body  # threads
    assert 330 <= reflections.word_count(body) <= 480


def test_k2_without_a_full_run(live):
    _, body = reflections.k2_speed_ergonomics(
        live, None, lines=_lines(), n_rows=1000, n_columns=19, cores=2
    )
    _check_prose(body)
    assert "full benchmark" not in body


def _csv_payload(mib, whole_seconds):
    def record(engine, mode, task, seconds, peak=500.0):
        return {
            "engine": engine,
            "mode": mode,
            "task": task,
            "seconds": seconds,
            "peak_rss_mb": peak,
            "status": "ok" if seconds is not None else "failed: out of memory",
            "parquet_mb": 300.0,
            "groups": 3869,
        }

    records = [
        record("pandas", "whole", "csv", whole_seconds, peak=10_400.0),
        record("pandas", "chunked", "csv", 300.0),
        record("polars", "streaming", "csv", 60.0),
        record("duckdb", "spilling", "csv", 80.0),
        record("dask", "blocks", "csv", 200.0),
        record("duckdb", "convert", "convert", 120.0),
        record("duckdb", "spilling", "parquet", 5.0),
        record("polars", "streaming", "parquet", 4.0),
    ]
    return {
        "records": records,
        "csv": {"csv_mb": mib},
        "machine": {"mem_limit_gb": 10.0, "memory_gib": 23.5},
        "command": "mlstack bench csv --size-gb 10",
    }


def test_x3_quotes_both_runs():
    title, body = reflections.x3_ten_gb_csv(_csv_payload(9540.0, None), _csv_payload(95.0, 2.0))
    _check_prose(body)
    assert "X3" in title
    assert "At 95 MiB, measured in this notebook, every engine fits" in body
    assert "At 9.3 GiB" in body and "Under a 10 GiB cap per engine" in body
    assert "whole was stopped by the cap at 10,400 MiB" in body
    assert "Polars was fastest and pandas (chunked) slowest, 5.0x apart" in body
    assert "Converting once took 120 s" in body
    assert "Polars answered in 4.00 s, peak 500 MiB, 15x faster than on the CSV" in body
    assert "Dask" in body and "outgrows one machine" in body
    assert 330 <= reflections.word_count(body) <= 480


def test_document_has_the_answers_line(tmp_path):
    text = reflections.document("A title", "K2", "Body.")
    assert text.splitlines()[:3] == ["# A title", "", "Answers: K2"]
    path = reflections.write_reflection(text, "r.md", reports_dir=tmp_path)
    assert path.read_text() == text


def test_recaps_render(live, full):
    _check_prose(reflections.k2_recap(live, full))
    recap = reflections.x3_recap(_csv_payload(9540.0, None), _csv_payload(95.0, 2.0))
    _check_prose(recap)
    assert re.search(r"failed for memory or time: pandas \(whole, csv\)", recap)
