"""The reflections are assembled from the numbers they are given, and change with them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mlstack.lessons import reflections


def _times(seconds, spread=0.02):
    return [] if seconds is None else [seconds * (1 + spread * k) for k in (-1, -0.5, 0, 0.5, 1)]


def _pipeline(
    engine,
    rows,
    seconds,
    peak=100.0,
    study="pipeline",
    variant="",
    task="pipeline",
    threads=2,
    **extra,
):
    return {
        "engine": engine,
        "task": task,
        "rows": rows,
        "repeat": 0 if seconds is None else 5,
        "times": _times(seconds),
        "peak_rss_mb": peak,
        "status": "ok" if seconds is not None else "failed: out of memory",
        "study": study,
        "variant": variant,
        "threads": threads,
        "loadavg_1m": 3.5,
        **extra,
    }


@pytest.fixture
def live():
    return [
        _pipeline("pandas", 1000, 2.0),
        _pipeline("polars", 1000, 0.5),
        _pipeline("duckdb", 1000, 1.0),
        _pipeline("dask", 1000, 8.0),
    ]


def _full(live, top):
    """A full run: 10x the live sizes, then ``top`` = {engine: seconds or None} at 100,000 rows."""
    records = [dict(r, rows=10_000, times=[t * 10 for t in r["times"]]) for r in live]
    for engine, seconds in top.items():
        records.append(_pipeline(engine, 100_000, seconds, peak=4000.0 if seconds else 10_300.0))
    for engine, seconds in (("pandas", 1.0), ("polars", 0.2), ("duckdb", 0.25), ("dask", 3.0)):
        records += [
            _pipeline(engine, 10**7, seconds, study="groupby", task=q) for q in ("q1", "q2")
        ]
    for engine, one, two in (("polars", 0.3, 0.2), ("duckdb", 0.4, 0.25)):
        for threads, seconds in ((1, one), (2, two)):
            records.append(
                _pipeline(
                    engine,
                    10**7,
                    seconds,
                    study="threads",
                    task="q1",
                    variant=f"threads={threads}",
                    threads=threads,
                )
            )
    return {"records": records, "machine": {"cpu_count": 2, "mem_limit_gb": 10.0}}


POLARS_ONLY = {"pandas": None, "polars": 25.0, "duckdb": None, "dask": None}
DUCKDB_AND_DASK = {"pandas": None, "polars": None, "duckdb": 60.0, "dask": 300.0}


def _lines():
    return pd.DataFrame(
        {"join": [4, 5, 7, 4], "group": [9, 8, 8, 10], "window": [10, 16, 14, 11]},
        index=pd.Index(["pandas", "polars", "duckdb", "dask"], name="engine"),
    )


def _k2(live, full):
    _, body = reflections.k2_speed_ergonomics(
        live, full, lines=_lines(), n_rows=1000, n_columns=19, cores=2
    )
    _check_prose(body)
    return body


def _check_prose(text):
    assert "{" not in text and "}" not in text  # no unfilled template
    assert "nan" not in text.lower().split()
    assert "9-12x" not in text  # no published figure without its source


def test_k2_quotes_the_measured_numbers_with_their_ranges(live):
    body = _k2(live, _full(live, POLARS_ONLY))
    assert "Polars was 4.0x (3.8-4.2x) faster than pandas" in body
    assert "At 100,000 rows, under a 10 GiB cap, Polars (25.0 s, peak 3.9 GiB) finished" in body
    assert "pandas, DuckDB and Dask did not" in body
    assert "From one thread to 2, back to back: Polars 1.5x (1.4-1.6x)" in body
    assert (
        "Lines of code over the three steps: pandas 23, Polars 29, DuckDB 29 and Dask 25" in body
    )
    assert 300 <= reflections.word_count(body) <= 480


@pytest.mark.parametrize(
    ("top", "named", "not_finished"),
    [
        (
            POLARS_ONLY,
            "Polars, the only engine that finished",
            "pandas, DuckDB and Dask did not finish",
        ),
        (
            DUCKDB_AND_DASK,
            "DuckDB, the fastest of the engines",
            "pandas and Polars did not finish",
        ),
    ],
    ids=["only-polars-finishes", "duckdb-and-dask-finish"],
)
def test_k2_larger_than_memory_advice_follows_who_finished(live, top, named, not_finished):
    body = _k2(live, _full(live, top))
    choice = body.split("**What I would choose.**")[1]
    assert (
        "When the data outgrows pandas' memory: at 100,000 rows under a 10 GiB cap, "
        f"where {not_finished}, {named}"
    ) in choice


def test_k2_names_the_finisher_with_the_most_memory_to_spare(live):
    full = _full(live, {"pandas": None, "polars": 25.0, "duckdb": 60.0, "dask": 300.0})
    peaks = {"polars": 7400.0, "duckdb": 4200.0, "dask": 2200.0}
    for record in full["records"]:
        if record["rows"] == 100_000 and record["engine"] in peaks:
            record["peak_rss_mb"] = peaks[record["engine"]]
    choice = _k2(live, full).split("**What I would choose.**")[1]
    assert "Polars, the fastest of the engines that finished" in choice
    assert "Dask needed the least memory there (peak 2.1 GiB against Polars' 7.2 GiB)" in choice
    # when the fastest is also the leanest, nothing is added
    assert "least memory" not in _k2(live, _full(live, DUCKDB_AND_DASK))


def test_k2_declares_no_winner_within_noise(live):
    tied = [dict(r, times=_times(2.0 if r["engine"] != "dask" else 8.0)) for r in live]
    body = _k2(tied, None)
    assert "Polars and pandas were indistinguishable" in body
    assert "pandas: no engine was distinguishably faster at 1,000 rows" in body
    assert "faster than pandas at 1,000 rows" not in body


def test_k2_names_both_when_the_two_fastest_overlap(live):
    close = [dict(r, times=_times(0.52)) if r["engine"] == "duckdb" else r for r in live]
    body = _k2(close, None)
    assert "Polars or DuckDB, 4.0x" in body


def test_k2_without_a_full_run(live):
    body = _k2(live, None)
    assert "full benchmark" not in body
    assert "Larger than memory was not measured in this run." in body


def _csv_payload(mib, whole_seconds, polars_seconds=60.0):
    def record(engine, mode, task, seconds, peak=500.0):
        return {
            "engine": engine,
            "mode": mode,
            "task": task,
            "repeat": 0 if seconds is None else 5,
            "times": _times(seconds),
            "peak_rss_mb": peak,
            "status": "ok" if seconds is not None else "failed: out of memory",
            "parquet_mb": 300.0,
            "groups": 3869,
            "rows": 1000,
        }

    records = [
        record("pandas", "whole", "csv", whole_seconds, peak=10_400.0),
        record("pandas", "chunked", "csv", 300.0),
        record("polars", "streaming", "csv", polars_seconds),
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
    assert "At 95 MiB, measured in this notebook" in body
    assert "At 9.3 GiB (1,000 rows), under a 10 GiB cap per engine." in body
    assert "pandas (whole) failed: out of memory at 10,400 MiB" in body
    assert "Polars was fastest and pandas (chunked) slowest: Polars was 5.0x" in body
    assert "Converting took 120 s (median of 5 runs)" in body
    assert (
        "Polars answered in 4.00 s, peak 500 MiB, 15x (14-16x) faster than the same engine" in body
    )
    assert "pandas read whole only when the columns fit in memory" in body
    assert 200 <= reflections.word_count(body) <= 480


def test_x3_advice_changes_when_pandas_fits():
    _, fails = reflections.x3_ten_gb_csv(_csv_payload(9540.0, None), _csv_payload(95.0, 2.0))
    _, fits = reflections.x3_ten_gb_csv(_csv_payload(9540.0, 150.0), _csv_payload(95.0, 2.0))
    assert "pandas read whole only when the columns fit" in fails
    assert "pandas read whole: it finished at 9.3 GiB" in fits


def test_x3_small_file_within_noise():
    _, body = reflections.x3_ten_gb_csv(None, _csv_payload(95.0, 2.0, polars_seconds=2.01))
    assert "Polars and pandas (whole) were indistinguishable" in body


def test_document_has_the_answers_line(tmp_path):
    text = reflections.document("A title", "K2", "Body.")
    assert text.splitlines()[:3] == ["# A title", "", "Answers: K2"]
    path = reflections.write_reflection(text, "r.md", reports_dir=tmp_path)
    assert path.read_text() == text


def test_recaps_render(live):
    recap = reflections.k2_recap(live, _full(live, POLARS_ONLY))
    _check_prose(recap)
    assert "Polars was 4.0x" in recap
    recap = reflections.x3_recap(_csv_payload(9540.0, None), _csv_payload(95.0, 2.0))
    _check_prose(recap)
    assert re.search(r"failed for memory or time: pandas \(whole, csv\)", recap)


def test_k2_says_when_no_size_outgrew_memory(live):
    everyone = {"pandas": 40.0, "polars": 10.0, "duckdb": 15.0, "dask": 60.0}
    body = _k2(live, _full(live, everyone))
    assert "data larger than memory was not reached in this run" in body
    assert "outgrows pandas' memory" not in body and "did not finish" not in body


def test_k2_does_not_say_pandas_ran_out_when_it_finished(live):
    top = {"pandas": 40.0, "polars": 10.0, "duckdb": None, "dask": 60.0}
    choice = _k2(live, _full(live, top)).split("**What I would choose.**")[1]
    assert "At 100,000 rows under a 10 GiB cap, where DuckDB did not finish, Polars" in choice
    assert "outgrows pandas' memory" not in choice
